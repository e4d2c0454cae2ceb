// A test-setup module's exported helper that works on a client its caller hands it (`export async function
// makeSchema(db)`), where the suite's files reach it both directly and through a barrel module of the test
// folder that re-exports it (`export { makeSchema } from './schema-helpers'`). The callers behind the barrel
// count like direct ones: when each of them passes a client of the local test database, the helper's session
// setting lands on that direct server, so it is no finding; when one of them passes a client of the
// application's URL, or the barrel hands the helper on as a value, the finding stays. The helpers' postgres.js
// clients hold one connection (`max: 1`): a client of ten would keep the SET's finding anywhere (ruling 13).
// The files are written to a temporary repository, as the analysis reads them from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-reexported', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end).split('\n')[0]}`);
}

const URLS = [
  'const host = process.env.LEDGER_TEST_PG_HOST ?? "127.0.0.1";',
  'const port = Number(process.env.LEDGER_TEST_PG_PORT ?? "25432");',
  'export function testDatabaseUrl(): string {',
  '  return `postgresql://tester:secret@${host}:${port}/ledger_test`;',
  '}',
];

const SCHEMA_HELPERS = [
  "import postgres from 'postgres';",
  "import { testDatabaseUrl } from './urls';",
  'export function openTestDb(): postgres.Sql {',
  '  return postgres(testDatabaseUrl(), { max: 1 });',
  '}',
  'export async function makeSchema(db: postgres.Sql, name: string): Promise<void> {',
  '  await db.unsafe(`CREATE SCHEMA "${name}"`);',
  '  await db.unsafe(`SET search_path TO "${name}", public`);',
  '}',
];

// The barrel: imports the helper for its own use and re-exports it, with the other helpers, for the suite.
const BARREL = [
  "import { openTestDb, makeSchema } from './schema-helpers';",
  "export { openTestDb, makeSchema } from './schema-helpers';",
  "export { testDatabaseUrl } from './urls';",
  'export async function freshLedger(name: string) {',
  '  const db = openTestDb();',
  '  await makeSchema(db, name);',
  '  return db;',
  '}',
];

function suite(folder: string, barrelCaller: string[]): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/tests/support/urls.ts`, URLS);
  const helper = repo.write(`${folder}/tests/support/schema-helpers.ts`, SCHEMA_HELPERS);
  repo.write(`${folder}/tests/ledger/entries.test.ts`, [
    "import { openTestDb, makeSchema } from '../support/schema-helpers';",
    'let db: ReturnType<typeof openTestDb>;',
    'beforeAll(async () => {',
    '  db = openTestDb();',
    "  await makeSchema(db, 'entries');",
    '});',
    "it('posts', async () => { await db`SELECT 1`; });",
  ]);
  repo.write(`${folder}/tests/ledger/transfers.test.ts`, barrelCaller);
  return helper;
}

test("a test helper's session setting is no finding when the callers reached through a re-exporting barrel pass local test clients", () => {
  const helper = suite('direct', [
    "import { openTestDb, makeSchema as prepare } from '../support/index';",
    'beforeAll(async () => {',
    '  const bootstrap = openTestDb();',
    "  await prepare(bootstrap, 'transfers');",
    '  await bootstrap.end();',
    '});',
  ]);
  repo.write('direct/tests/support/index.ts', BARREL);
  assert.deepEqual(findingsOf(helper), []);
});

test("a caller behind the barrel that passes the application's client keeps the finding", () => {
  const helper = suite('appurl', [
    "import postgres from 'postgres';",
    "import { makeSchema } from '../support/index';",
    'beforeAll(async () => {',
    '  const shared = postgres(process.env.DATABASE_URL!);',
    "  await makeSchema(shared, 'transfers');",
    '});',
  ]);
  repo.write('appurl/tests/support/index.ts', BARREL);
  assert.deepEqual(findingsOf(helper), ['session-set SET search_path TO "${name}", public']);
});

test('a barrel that hands the re-exported helper on as a value keeps the finding', () => {
  const helper = suite('handed', [
    "import { openTestDb, makeSchema } from '../support/index';",
    "beforeAll(async () => { await makeSchema(openTestDb(), 'transfers'); });",
  ]);
  repo.write('handed/tests/support/index.ts', [...BARREL, 'export const steps = [makeSchema];']);
  assert.deepEqual(findingsOf(helper), ['session-set SET search_path TO "${name}", public']);
});

test('a barrel that re-exports the helper and also calls it through a namespace import keeps the finding', () => {
  const helper = suite('namespace', [
    "import { openTestDb, makeSchema } from '../support/index';",
    "beforeAll(async () => { await makeSchema(openTestDb(), 'transfers'); });",
  ]);
  repo.write('namespace/tests/support/index.ts', [
    "import postgres from 'postgres';",
    "import * as helpers from './schema-helpers';",
    "export { openTestDb, makeSchema } from './schema-helpers';",
    "export const seedShared = () => helpers.makeSchema(postgres(process.env.DATABASE_URL!), 'shared');",
  ]);
  assert.deepEqual(findingsOf(helper), ['session-set SET search_path TO "${name}", public']);
});

// The barrel is a file with no code of its own: passing through it does not use up one of the files a test's
// helpers are followed through (a test → the barrel → the client helper → the URL helper → the host settings).
const HOSTS = ['export const testHost = process.env.LEDGER_TEST_PG_HOST ?? "localhost";'];
const URL_FROM_HOSTS = [
  "import { testHost } from './hosts';",
  'export function testDatabaseUrl(): string {',
  '  return `postgresql://tester:secret@${testHost}:25432/ledger_test`;',
  '}',
];
/** The client helper: a postgres.js client of one connection, or (`options` empty) of ten. */
const clients = (options: string) => [
  "import postgres from 'postgres';",
  "import { testDatabaseUrl } from './urls';",
  'export function openTestDb(): postgres.Sql {',
  `  return postgres(testDatabaseUrl()${options});`,
  '}',
];
const SPEC = [
  "import { openTestDb } from './support';",
  "it('reads in its own schema', async () => {",
  '  const db = openTestDb();',
  "  await db.unsafe('SET search_path TO ledger_spec, public');",
  '  await db`SELECT * FROM entries`;',
  '});',
];

test("a test's client made by a helper behind a barrel, from a URL built two files further on, is the local test database's", () => {
  repo.write('deep/package.json', '{"name": "deep"}');
  repo.write('deep/tests/support/hosts.ts', HOSTS);
  repo.write('deep/tests/support/urls.ts', URL_FROM_HOSTS);
  repo.write('deep/tests/support/clients.ts', clients(', { max: 1 }'));
  repo.write('deep/tests/support/index.ts', ["export * from './clients';"]);
  const spec = repo.write('deep/tests/entries.test.ts', SPEC);
  assert.deepEqual(findingsOf(spec), []);
});

test("behind the same barrel, a helper whose URL is the application's keeps the test's finding", () => {
  repo.write('deepapp/package.json', '{"name": "deepapp"}');
  repo.write('deepapp/tests/support/hosts.ts', ['export const testHost = process.env.DATABASE_HOST!;']);
  repo.write('deepapp/tests/support/urls.ts', URL_FROM_HOSTS);
  repo.write('deepapp/tests/support/clients.ts', clients(''));
  repo.write('deepapp/tests/support/index.ts', ["export * from './clients';"]);
  const spec = repo.write('deepapp/tests/entries.test.ts', SPEC);
  assert.deepEqual(findingsOf(spec), ['session-set SET search_path TO ledger_spec, public']);
});

test('barrels that re-export each other in a circle end the search, and the finding stays', () => {
  repo.write('circle/package.json', '{"name": "circle"}');
  repo.write('circle/tests/support/index.ts', ["export * from './more';"]);
  repo.write('circle/tests/support/more.ts', ["export * from './index';"]);
  const spec = repo.write('circle/tests/entries.test.ts', SPEC);
  assert.deepEqual(findingsOf(spec), ['session-set SET search_path TO ledger_spec, public']);
});
