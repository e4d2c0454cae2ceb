// The language server's incremental analyzers must give exactly what a from-scratch analysis gives.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis, type Finding } from '../../server/analysis/index';
import { IncrementalSqlDocument, diffOfEdits, diffTexts } from '../../server/incrementalSql';
import { IncrementalTsDocument, chunkTopLevel } from '../../server/incrementalTs';
import { topLevelStatementStarts } from '../../server/tsScan';
import { applyDelta, computeDelta } from '../../server/findingsDelta';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths';
import { random } from '../helpers/random';

before(() => initAnalysis());

const comparable = (findings: Finding[]): string[] => findings.map((f) => JSON.stringify(f)).sort();

const SQL = [
  "SET search_path TO app;",
  "BEGIN;\nSET LOCAL work_mem = '64MB';\nSELECT nextval('s');\nSELECT currval('s');\nCOMMIT;",
  "SELECT currval('s');",
  "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(1); END; $$;",
  "CREATE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
  "-- comment with ; and 'quote\nLISTEN jobs;",
  "/* block ; comment */ SELECT 'a;b', \"x;y\", E'\\';';",
  "PREPARE q AS SELECT 1;\nEXECUTE q;",
  "-- poolsafe-disable-next-line listen\nLISTEN other;",
  "DECLARE c CURSOR WITH HOLD FOR SELECT 1;",
  "SELECT 'café 😀', pg_try_advisory_lock(2);",
].join('\n');
const TYPED = ["'", '"', ';', '$', '$$', '--', '/*', '*/', 'x', ' ', '\n', 'BEGIN;', 'COMMIT;', "SET x = 1;", '(', ')', 'é'];

test('diffTexts finds the changed region', () => {
  assert.deepEqual(diffTexts('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
  assert.deepEqual(diffTexts('abc', 'abcd'), { start: 3, oldEnd: 3, newEnd: 4 });
  assert.deepEqual(diffTexts('aaaa', 'aaa'), { start: 3, oldEnd: 4, newEnd: 3 });
  const long = 'x'.repeat(10_000);
  assert.deepEqual(diffTexts(long + 'a' + long, long + 'bb' + long), { start: 10_000, oldEnd: 10_001, newEnd: 10_002 });
});

test('diffOfEdits covers every change of a sequence of edits', () => {
  const next = random(3);
  for (let round = 0; round < 300; round++) {
    const base = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3);
    let current = base;
    const edits: { start: number; end: number; text: string }[] = [];
    for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
      const start = Math.floor(next() * (current.length + 1));
      const end = Math.min(current.length, start + Math.floor(next() * 5));
      const text = 'XYZ'.slice(0, Math.floor(next() * 4));
      edits.push({ start, end, text });
      current = current.slice(0, start) + text + current.slice(end);
    }
    const region = diffOfEdits(edits)!;
    assert.equal(current.slice(0, region.start), base.slice(0, region.start), `prefix, round ${round}`);
    assert.equal(current.slice(region.newEnd), base.slice(region.oldEnd), `suffix, round ${round}`);
    assert.equal(current.length - region.newEnd, base.length - region.oldEnd);
  }
});

test('incremental SQL analysis equals a full analysis after each of 600 random edits (quotes, comments, dollar quotes, BEGIN ATOMIC)', () => {
  const next = random(42);
  const document = new IncrementalSqlDocument();
  let text = SQL;
  let previous = text;
  assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)));
  for (let step = 0; step < 600; step++) {
    const at = Math.floor(next() * (text.length + 1));
    const roll = next();
    if (roll < 0.55) text = text.slice(0, at) + TYPED[Math.floor(next() * TYPED.length)] + text.slice(at);
    else if (roll < 0.9) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
    else text = roll < 0.95 ? SQL : text + '\n' + SQL.slice(0, Math.floor(next() * SQL.length));
    const options = step % 50 === 0 ? { poolMode: 'statement' as const } : undefined;
    // Every other step the caller supplies the changed region, as the worker does from the editor's edits.
    const hint = step % 2 === 0 ? diffTexts(previous, text) : undefined;
    assert.deepEqual(comparable(document.analyze(text, options, hint)), comparable(analyzeSql(text, options)), `step ${step}: ${JSON.stringify(text)}`);
    previous = text;
  }
});

test('incremental SQL analysis of a large file: typing in the middle re-syncs and matches a full analysis', () => {
  const big = Array.from({ length: 1500 }, (_, n) => (n % 7 === 0 ? `SELECT pg_advisory_lock(${n});` : `SELECT ${n} FROM t WHERE a = '${n};';`)).join('\n');
  const document = new IncrementalSqlDocument();
  document.analyze(big);
  let text = big;
  const middle = text.length >> 1;
  const typed = "\nSET search_path TO 'app';\n";
  for (let i = 1; i <= typed.length; i++) {
    text = big.slice(0, middle) + typed.slice(0, i) + big.slice(middle);
    assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)), `after typing ${JSON.stringify(typed.slice(0, i))}`);
  }
});

// psql scripts: meta-commands, `\g`, and COPY data spanning many lines (the splitter's state is not
// clean after `COPY … FROM stdin;`).
const SCRIPT = [
  '\\set ON_ERROR_STOP on',
  'SELECT id FROM jobs WHERE owner = :\'who\' \\gset',
  'COPY jobs (id, name) FROM stdin;',
  '1\tfirst; LISTEN nope',
  '2\tsecond',
  '\\.',
  'SELECT broken, FROM jobs;',
  '\\if :flag',
  'SELECT 1;',
  '\\endif',
  'SELECT also broken FROM;',
].join('\n');
const PSQL_TYPED = ['\\.', '\\', ';', '\n', 'x', ' ', "'", 'COPY t FROM stdin;\n', '\\g', ':v', '\\echo hi\n'];

test('incremental analysis of a psql script equals a full analysis after each of 400 random edits', () => {
  const next = random(7);
  const document = new IncrementalSqlDocument();
  let text = SCRIPT;
  let previous = text;
  assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)));
  assert.equal(analyzeSql(SCRIPT).length, 2, 'the two broken statements, nothing from the data rows');
  for (let step = 0; step < 400; step++) {
    const at = Math.floor(next() * (text.length + 1));
    const roll = next();
    if (roll < 0.6) text = text.slice(0, at) + PSQL_TYPED[Math.floor(next() * PSQL_TYPED.length)] + text.slice(at);
    else if (roll < 0.95) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
    else text = SCRIPT;
    const hint = step % 2 === 0 ? diffTexts(previous, text) : undefined;
    assert.deepEqual(comparable(document.analyze(text, undefined, hint)), comparable(analyzeSql(text)), `step ${step}: ${JSON.stringify(text)}`);
    previous = text;
  }
});

test('a long COPY data section: editing rows and removing its end marker matches a full analysis', () => {
  const rows = Array.from({ length: 3000 }, (_, n) => `${n}\trow ${n}; SELECT`).join('\n');
  const big = `COPY t (id, v) FROM stdin;\n${rows}\n\\.\nSELECT x, FROM t;\n`;
  const document = new IncrementalSqlDocument();
  assert.deepEqual(comparable(document.analyze(big)), comparable(analyzeSql(big)));
  const middle = big.indexOf('1500\t');
  for (const text of [big.slice(0, middle) + 'é' + big.slice(middle), big.replace('\n\\.\n', '\n'), big]) {
    assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)));
  }
});

const TS = `import { Pool } from 'pg';
import postgres from 'postgres';
const pool = new Pool();
const sql = postgres();
const pattern = /[\`'"]\\//g; // a regex with quote characters
await pool.query('BEGIN');
await pool.query("SET LOCAL search_path TO app");
await pool.query('COMMIT');

export async function handler(id: number): Promise<void> {
  await pool.query(\`SELECT pg_advisory_lock(\${id})\`);
  const nested = \`outer \${\`inner \${id}\`} text\`;
  await sql\`
SELECT currval('s')
\`;
}

/* a block comment
export function notCode() {} */
export const arrow = async (tenant: string) => {
  await pool.query(\`SET search_path TO \${tenant}\`);
};

class Repo {
  async load() {
    return pool.query({ name: 'load', text: 'SELECT 1' });
  }
}
const total = 1 +
  2;
if (total > 2) {
  await pool.query('LISTEN jobs');
}
else {
  await pool.query('UNLISTEN jobs');
}
export default function () {
  // poolsafe-disable-next-line listen
  return pool.query('LISTEN x');
}
`;

test('TS chunking: statements start at column-0 top-level lines only', () => {
  const starts = topLevelStatementStarts(TS).map((offset) => TS.slice(offset, TS.indexOf('\n', offset)));
  assert.deepEqual(starts, [
    "import { Pool } from 'pg';", "import postgres from 'postgres';", 'const pool = new Pool();', 'const sql = postgres();',
    'const pattern = /[`\'"]\\//g; // a regex with quote characters', "await pool.query('BEGIN');",
    'await pool.query("SET LOCAL search_path TO app");', "await pool.query('COMMIT');",
    'export async function handler(id: number): Promise<void> {', '/* a block comment',
    'export const arrow = async (tenant: string) => {', 'class Repo {', 'const total = 1 +',
    'if (total > 2) {', 'export default function () {',
  ]);
  // The module-level BEGIN … COMMIT stays in one chunk.
  assert.ok(chunkTopLevel(TS).chunks.some((c) => c.text.includes("'BEGIN'") && c.text.includes("'COMMIT'")));
  assert.equal(chunkTopLevel(TS).prelude, "import { Pool } from 'pg';\nimport postgres from 'postgres';\nconst pool = new Pool();\nconst sql = postgres();\n");
});

test('incremental TS analysis equals a whole-file analysis, before and after edits inside SQL strings', () => {
  const document = new IncrementalTsDocument('typescript', 'file.ts');
  const whole = analyze(TS, 'typescript', undefined, 'file.ts');
  assert.ok(whole.length >= 5, `the sample has findings: ${whole.map((f) => f.rule)}`);
  assert.deepEqual(comparable(document.analyze(TS)), comparable(whole));
  let text = TS;
  for (const [anchor, insert] of [["'LISTEN jobs'", ' x'], ['SELECT 1', '; SET search_path TO a'], ['inner ', 'more '], ['SELECT currval', '\nSELECT nextval(\'s\');\n']] as const) {
    const at = text.indexOf(anchor) + anchor.length - 1;
    text = text.slice(0, at) + insert + text.slice(at);
    assert.deepEqual(comparable(document.analyze(text)), comparable(analyze(text, 'typescript', undefined, 'file.ts')), `after inserting ${insert}`);
  }
  const session = { poolMode: 'session' as const };
  assert.deepEqual(comparable(document.analyze(text, session)), comparable(analyze(text, 'typescript', session, 'file.ts')));
});

test('incremental TS analysis follows top-level SQL constants and pools into other chunks, like a whole-file analysis', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const db = new Pool();',
    "export const TIMEOUT_PREFIX = 'SET statement_timeout = 5000;';",
    '/* sql */',
    "const UNUSED = 'SET search_path TO nowhere';",
    'export async function run(text: string) {',
    '  return db.query(TIMEOUT_PREFIX + text);',
    '}',
    'export async function tx() {',
    "  await db.query('BEGIN');",
    "  await db.query('SET LOCAL lock_timeout = 1');",
    '}',
    '',
  ].join('\n');
  const document = new IncrementalTsDocument('typescript', 'server.ts');
  const whole = analyze(text, 'typescript', undefined, 'server.ts');
  assert.deepEqual(whole.map((f) => [f.rule, text.slice(f.start, f.end)]), [
    ['session-set', 'SET statement_timeout = 5000'], ['set-local-outside-transaction', 'SET LOCAL lock_timeout = 1'],
  ]);
  assert.deepEqual(comparable(document.analyze(text)), comparable(whole));
  // Typing in the function re-analyses its chunk; the constant's finding stays once.
  const edited = text.replace('return db.query(', 'return  db.query(');
  assert.deepEqual(comparable(document.analyze(edited)), comparable(analyze(edited, 'typescript', undefined, 'server.ts')));
  // Once no query of the file uses the exported constant, importers elsewhere may send it: it is read on
  // its own (with the SET LOCAL fix a standalone statement gets), once, in both.
  const unused = text.replace('TIMEOUT_PREFIX + text', 'text');
  assert.deepEqual(comparable(document.analyze(unused)), comparable(analyze(unused, 'typescript', undefined, 'server.ts')));
  assert.deepEqual(document.analyze(unused).filter((f) => f.rule === 'session-set').map((f) => [f.start, f.fix !== undefined]), [[81, true]]);
  // Not exported, and used by no query: nothing.
  const local = unused.replace('export const TIMEOUT_PREFIX', 'const TIMEOUT_PREFIX');
  assert.deepEqual(comparable(document.analyze(local)), comparable(analyze(local, 'typescript', undefined, 'server.ts')));
  assert.equal(document.analyze(local).filter((f) => f.rule === 'session-set').length, 0);
});

test('incremental TS analysis pairs a custom setting\'s setter and clearer in two top-level functions, like a whole-file analysis', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function enter(tenant: string) {',
    "  await pool.query(\"SELECT set_config('app.tenant', $1, false)\", [tenant]);",
    '}',
    'export async function leave() {',
    "  await pool.query(\"SELECT set_config('app.tenant', '', false)\");",
    '}',
    '',
  ].join('\n');
  const document = new IncrementalTsDocument('typescript', 'tenant.ts');
  const whole = analyze(text, 'typescript', undefined, 'tenant.ts');
  assert.deepEqual(whole.map((f) => [f.rule, text.slice(0, f.start).split('\n').length]), [['session-set', 4]]);
  assert.deepEqual(comparable(document.analyze(text)), comparable(whole));
  // Without its setter the clearer is reported, in both.
  const alone = text.replace("'app.tenant', $1", "'app.user', $1");
  assert.deepEqual(comparable(document.analyze(alone)), comparable(analyze(alone, 'typescript', undefined, 'tenant.ts')));
  assert.equal(document.analyze(alone).length, 2);
});

test('incremental TS analysis sees a transaction handle or reserved connection bound at the top level, like a whole-file analysis', () => {
  const text = [
    "import knex from 'knex';",
    "import postgres from 'postgres';",
    'const db = knex({ client: "pg" });',
    'const sql = postgres(url, { prepare: false });',
    'const trx = await db.transaction();',
    'const conn = await sql.reserve();',
    'const later = db.transaction(async (t) => t);',
    'export async function scoped() {',
    "  await trx.raw('SET LOCAL statement_timeout = 1000');",
    '}',
    'export async function locked() {',
    '  await conn`select pg_advisory_lock(7)`;',
    '}',
    'export async function outside() {',
    "  await later.raw('SET LOCAL lock_timeout = 10');",
    '}',
    '',
  ].join('\n');
  const whole = analyze(text, 'typescript', undefined, 'jobs.ts');
  // The handle is inside its transaction; the reserved connection is a SQL tag; `later` is no handle.
  assert.deepEqual(whole.map((f) => [f.rule, text.slice(f.start, f.end)]), [
    ['advisory-lock', 'pg_advisory_lock'],
    ['set-local-outside-transaction', 'SET LOCAL lock_timeout = 10'],
  ]);
  assert.deepEqual(comparable(new IncrementalTsDocument('typescript', 'jobs.ts').analyze(text)), comparable(whole));
  assert.deepEqual(chunkTopLevel(text).prelude.split('\n').filter((line) => /transaction|reserve/.test(line)), [
    'const trx = await db.transaction();', 'const conn = await sql.reserve();',
  ]);
});

test('incremental TS analysis sees a PGlite instance bound at the top level (created or declared), like a whole-file analysis', () => {
  const text = [
    "import { Pool } from 'pg';",
    "import { PGlite } from '@electric-sql/pglite';",
    'const pool = new Pool();',
    'const lite = new PGlite();',
    'let typed: PGlite;',
    'export async function inProcess() {',
    "  await lite.query('LISTEN a');",
    "  await typed.query('SET ROLE app');",
    '}',
    'export async function pooled() {',
    "  await pool.query('LISTEN b');",
    '}',
    '',
  ].join('\n');
  const whole = analyze(text, 'typescript', undefined, 'live.ts');
  assert.deepEqual(whole.map((f) => [f.rule, text.slice(f.start, f.end)]), [['listen', 'LISTEN b']]);
  assert.deepEqual(comparable(new IncrementalTsDocument('typescript', 'live.ts').analyze(text)), comparable(whole));
});

test('findings deltas rebuild exactly the new findings after random edits, and stay small for a local edit', () => {
  const next = random(7);
  let text = SQL.repeat(20);
  let before = analyzeSql(text);
  for (let step = 0; step < 200; step++) {
    const at = Math.floor(next() * (text.length + 1));
    const edited = next() < 0.6 ? text.slice(0, at) + TYPED[Math.floor(next() * TYPED.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 3);
    const after = analyzeSql(edited);
    const delta = computeDelta(before, after, edited.length - text.length);
    assert.deepEqual(comparable(applyDelta(before, delta)), comparable(after), `step ${step}`);
    assert.deepEqual(applyDelta(before, delta).map((f) => f.start), after.map((f) => f.start), 'same order');
    text = edited;
    before = after;
  }
  const big = 'SELECT pg_advisory_lock(1);\n'.repeat(2000);
  const typedIn = big.slice(0, 28_000) + 'LISTEN x;\n' + big.slice(28_000);
  const delta = computeDelta(analyzeSql(big), analyzeSql(typedIn), typedIn.length - big.length);
  assert.equal(delta.middle.length, 1, 'only the new finding crosses threads');
  assert.equal(delta.prefix + delta.suffix, 2000);
});

test('incremental TS analysis equals a whole-file analysis on the benchmark\'s generated TS file, while typing into it', async () => {
  const { generateTs } = (await import(pathToFileURL(join(repoRoot, 'bench', 'generate.mjs')).href)) as { generateTs(lines: number): string };
  const base = generateTs(400);
  const document = new IncrementalTsDocument('typescript', 'handlers.ts');
  assert.deepEqual(comparable(document.analyze(base)), comparable(analyze(base, 'typescript', undefined, 'handlers.ts')));
  const at = base.indexOf('\n', base.length >> 1) + 1;
  const typed = "  await pool.query('LISTEN x');\n";
  for (const cut of [5, 19, 20, typed.length]) {
    const text = base.slice(0, at) + typed.slice(0, cut) + base.slice(at);
    assert.deepEqual(comparable(document.analyze(text)), comparable(analyze(text, 'typescript', undefined, 'handlers.ts')), `typed ${JSON.stringify(typed.slice(0, cut))}`);
  }
});
