// A module's own helper that returns a SET, whose every call puts the text in a psql command line the program runs
// (`-c "${…}"`) or in a logged message: the text reaches psql's own session or nobody, never a pooled client of the
// program. An exported helper, one also sent on a client, or one nobody calls is still read on its own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[]) => embeddedFindings(lines.join('\n'), 'tools/migrate.ts').map(([rule, at]) => `${rule} ${at}`);

/** A migration CLI: `helper` (declared with `declare`) used as `uses` say. */
const cli = (declare: string, uses: string[]) => [
  "import $ from 'dax';",
  declare,
  'async function up(psql: string, file: string, level: string) {',
  ...uses,
  '}',
  'up(Deno.args[0], Deno.args[1], "warning");',
];

const ARROW = 'const minMessagesSql = (level: string) => `SET client_min_messages TO ${level};`;';
const IN_PSQL = '  await $.raw`${psql} -c "${minMessagesSql(level)}" -f ${file}`;';
/** The helper's finding, at its returned text. */
const KEPT = 'session-set SET client_min_messages TO ${level}';
const LOGGED = '  console.log(`-- BEGIN ${file}\\n${minMessagesSql(level)}\\n`);';

test("a module's own SET helper whose calls only fill a psql -c option and a log line is no finding", () => {
  assert.deepEqual(found(cli(ARROW, [IN_PSQL, LOGGED])), []);
  assert.deepEqual(found(cli('function resetSql(): string { return `RESET ALL`; }', ["  execSync(`psql ${file} --command='${resetSql()}'`);"])), []);
});

test('the same helper exported, also sent on a client, or never called keeps its finding', () => {
  assert.deepEqual(found(cli(`export ${ARROW}`, [IN_PSQL, LOGGED])), [KEPT]);
  const sent = [
    "import pg from 'pg';",
    'const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });',
    ...cli(ARROW, [IN_PSQL, '  await pool.query(minMessagesSql(level));']),
  ];
  assert.ok(found(sent).some((f) => f.startsWith('session-set')), found(sent).join('; '));
  assert.deepEqual(found(cli(ARROW, ['  await $.raw`${psql} -f ${file}`;'])), [KEPT]);
  // A hole after another program's option, or a message handed to a non-logging call, is not psql's nor a log's.
  assert.deepEqual(found(cli(ARROW, ['  await $.raw`${psql} -v "${minMessagesSql(level)}" -f ${file}`;'])), [KEPT]);
  assert.deepEqual(found(cli(ARROW, ['  await queue.push(`${minMessagesSql(level)}`);'])), [KEPT]);
});
