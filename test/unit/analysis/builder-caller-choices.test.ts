// A SQL builder read on its own reads a choice as unknown, so `CREATE ${temp ? 'TEMP TABLE' : 'TABLE'} …` with
// `temp = false` by default is no finding there. A call of the project that hands that parameter a literal `true` asks
// for the temporary table: the builder's text is then read with the true arm, and the temporary table it makes is
// reported at the builder. The call may name the builder, pick it out of an object of builders, or call what a project
// function returns from that object. Callers that pass false, leave it out or pass a value decided at run time, and
// builders no call reaches, keep the choice unknown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('builder-caller-choices', { after });
before(() => initAnalysis());

/** A module of staging-table builders, one per kind, and a function picking one by kind. */
const BUILDERS = [
  "import { Pool } from 'pg';",
  'export const stagingDdl: Record<string, (schema: string, temp?: boolean) => string> = {',
  '  orders: (schema: string, temp = false) => `CREATE ${temp ? \'TEMP TABLE\' : \'TABLE\'} IF NOT EXISTS ${',
  '    temp ? \'orders_stage\' : `"${schema}".orders`',
  '  } (id bigint NOT NULL, total numeric${temp ? \'\' : \', PRIMARY KEY (id)\'});`,',
  '  refunds: (schema: string, temp = false) => `CREATE ${temp ? \'TEMPORARY TABLE\' : \'TABLE\'} ${temp ? \'refunds_stage\' : `"${schema}".refunds`} (id bigint);`,',
  '};',
  'export const ddlFor = (kind: string) => stagingDdl[kind];',
  'export const ordersDdl = (temp = false) => `CREATE ${temp ? \'TEMP TABLE\' : \'TABLE\'} orders_copy (id bigint);`;',
  'export const makePool = (connectionString: string) => new Pool({ connectionString });',
];

/** What the analysis reports in the builders' module, once `callers` (each a file's lines) are in the project. */
function builderFindings(folder: string, callers: string[][]): string[] {
  const text = BUILDERS.join('\n');
  repo.write(`${folder}/package.json`, JSON.stringify({ name: folder, private: true, dependencies: { pg: '^8' } }));
  const file = repo.write(`${folder}/src/lib/ddl.ts`, BUILDERS);
  repo.write(`${folder}/src/lib/index.ts`, ["export * from './ddl';"]);
  callers.forEach((lines, i) => repo.write(`${folder}/src/writers/writer${i}.ts`, lines));
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
}

const writer = (call: string): string[] => [
  "import pg from 'pg';",
  "import { ddlFor, ordersDdl, stagingDdl } from '../lib';",
  'export async function stage(pool: pg.Pool, kind: string, keep: boolean) {',
  '  const client = await pool.connect();',
  `  await client.query(${call});`,
  '  client.release();',
  '}',
];

test('a caller that hands the builder\'s switch a literal true makes the temporary table: reported at the builder', () => {
  // Picked by kind through a function of the module (through a barrel): every builder the table holds may be the one.
  assert.deepEqual(builderFindings('picked', [writer("ddlFor(kind)('app', /* temp */ true)")]), ['temp-table 3', 'temp-table 6']);
  // A member of the table named, and a builder named directly.
  assert.deepEqual(builderFindings('member', [writer("stagingDdl.refunds('app', true)")]), ['temp-table 6']);
  assert.deepEqual(builderFindings('named', [writer('ordersDdl(true)'), writer("ddlFor(kind)('app')")]), ['temp-table 9']);
});

test('callers that pass false, leave the switch out or decide it at run time, or no caller, keep the choice unknown', () => {
  assert.deepEqual(builderFindings('none', []), []);
  assert.deepEqual(builderFindings('false', [writer("ddlFor(kind)('app', false)"), writer('ordersDdl()')]), []);
  assert.deepEqual(builderFindings('runtime', [writer("ddlFor(kind)('app', keep)"), writer('ordersDdl(keep)')]), []);
  // `true` at another position, or for another function of the same shape.
  assert.deepEqual(builderFindings('other', [writer("ddlFor(kind)(true)"), writer("[(s: string, t: boolean) => s][0]('app', true)")]), []);
});
