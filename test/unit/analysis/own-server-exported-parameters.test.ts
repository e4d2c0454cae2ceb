// A helper module's exported function that connects with a URL its caller passes (`export async function
// seed(url)`), called from test files with the URL of a database those tests started themselves (a container):
// the client it makes reaches that server directly. Every call in every importing file must pass such a URL; one
// call with the environment's URL, a call through a name this analysis cannot follow, or no call at all keeps
// the finding. The files are written to a temporary repository, as the analysis reads them from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-exported', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const HELPER = [
  "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
  "import postgres from 'postgres';",
  'export async function startDatabase() {',
  "  const container = await new PostgreSqlContainer('postgres:16').start();",
  '  return { url: container.getConnectionUri(), stop: () => container.stop() };',
  '}',
  'export async function fillFixtures(url: string, rows: number) {',
  '  const sql = postgres(url);',
  '  for (let i = 0; i < rows; i++) await sql`INSERT INTO fixtures (n) VALUES (${i})`;',
  '  await sql.end();',
  '}',
  'export const countFixtures = async (connectionUrl: string, kinds: string[]) => {',
  '  const sql = postgres(connectionUrl, { max: 2 });',
  '  const counts = [];',
  '  for (const kind of kinds) counts.push(await sql`SELECT count(*) FROM fixtures WHERE kind = ${kind}`);',
  '  await sql.end();',
  '  return counts;',
  '};',
];

const callerTest = (fixturesUrl: string) => [
  "import { startDatabase, fillFixtures, countFixtures } from '../support/database';",
  'let database: Awaited<ReturnType<typeof startDatabase>>;',
  'beforeAll(async () => {',
  '  database = await startDatabase();',
  `  await fillFixtures(${fixturesUrl}, 10);`,
  '});',
  "it('counts', async () => {",
  "  expect(await countFixtures(database.url, ['a', 'b'])).toHaveLength(2);",
  '});',
];

test("an exported helper's client is the tests' own server's when every importing test passes that server's URL", () => {
  repo.write('one/package.json', '{"name": "one"}');
  const helper = repo.write('one/test/support/database.ts', HELPER);
  repo.write('one/test/orders/orders.test.ts', callerTest('database.url'));
  repo.write('one/test/refunds.test.ts', [
    "import { startDatabase as start, fillFixtures } from './support/database';",
    'test("refunds", async () => {',
    '  const { url } = await start();',
    '  await fillFixtures(url, 3);',
    '});',
  ]);
  assert.deepEqual(findingsOf(helper), []);
});

test("one importing call with another URL, or the helper handed on as a value, keeps the helper's findings", () => {
  repo.write('two/package.json', '{"name": "two"}');
  const helper = repo.write('two/test/support/database.ts', HELPER);
  repo.write('two/test/orders/orders.test.ts', callerTest('database.url'));
  repo.write('two/scripts/load.ts', [
    "import { fillFixtures } from '../test/support/database';",
    'await fillFixtures(process.env.DATABASE_URL!, 1000);',
  ]);
  assert.deepEqual(findingsOf(helper), ['protocol-prepared-statement postgres']);

  repo.write('three/package.json', '{"name": "three"}');
  const other = repo.write('three/test/support/database.ts', HELPER);
  repo.write('three/test/orders.test.ts', [
    "import { startDatabase, fillFixtures, countFixtures } from './support/database';",
    'const steps = [fillFixtures, countFixtures];',
  ]);
  assert.deepEqual(findingsOf(other), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
});

test('an exported helper that no file calls keeps its findings', () => {
  repo.write('four/package.json', '{"name": "four"}');
  const helper = repo.write('four/test/support/database.ts', HELPER);
  assert.deepEqual(findingsOf(helper), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
});
