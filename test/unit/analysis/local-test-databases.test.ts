// Test code's local database: in a test file (or a helper in a test folder) a client whose connection string or host
// points at this machine — written out, or as an environment variable's literal default — reaches the database the
// suite runs beside it, with no transaction pooler between; such clients get no pooler-only finding, as clients of a
// container the test starts do not. Helpers of test folders are followed for what they return (a URL helper, a
// connect helper, a setup function returning a context that holds the client). The variable must be one the suite
// keeps for its test database (its name says test): the application's own DATABASE_URL is production's setting too.
// Outside test code a local default proves nothing about production; a pooler's port, a remote default, an environment variable with no default, and
// helpers outside test folders keep the findings; so do pools (each query may take another connection) and
// rules that hold without a pooler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('local-test-databases', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

const pgTest = (connection: string, more: string[] = []) => [
  "import { Client } from 'pg';",
  "describe('tenants', () => {",
  `  const client = new Client(${connection});`,
  '  beforeAll(() => client.connect());',
  "  it('reads one tenant', async () => {",
  "    await client.query('SET search_path TO tenant_one, public');",
  "    await client.query('LISTEN tenant_events');",
  ...more,
  '  });',
  '});',
];

test('a test client on an environment URL with a local default, or on a local host, gets no pooler-only finding', () => {
  repo.write('a/package.json', '{"name": "a"}');
  const url = repo.write('a/test/tenants.test.ts', pgTest("process.env.TEST_DATABASE_URL ?? 'postgres://app:secret@localhost:5432/app_test'"));
  assert.deepEqual(findingsOf(url), []);
  const host = repo.write('a/src/tenants.spec.ts', pgTest("{ host: process.env.PGHOST_TEST || '127.0.0.1', port: 5432, database: 'app_test' }"));
  assert.deepEqual(findingsOf(host), []);
  const template = repo.write('a/__tests__/tenants.ts', pgTest('`postgresql://${process.env.PGUSER}@${process.env.PG_HOST_FOR_TESTS ?? "::1"}:${process.env.PGPORT ?? 5432}/t`'));
  assert.deepEqual(findingsOf(template), []);
});

// Session 38 (fix45c): a template's host hole stands for every server only when the URL names no other: a `?host=`
// beside it is one more server the driver may reach (connectionHosts.ts serverParts).
test("a test URL template with a local host hole and a query host elsewhere keeps the findings; a local query host does not", () => {
  repo.write('q/package.json', '{"name": "q"}');
  const template = (query: string) => pgTest(`\`postgresql://app@\${process.env.PG_HOST_FOR_TESTS ?? "::1"}:5432/t${query}\``);
  assert.deepEqual(findingsOf(repo.write('q/test/plain.test.ts', template(''))), []);
  assert.deepEqual(findingsOf(repo.write('q/test/local.test.ts', template('?host=127.0.0.1'))), []);
  assert.deepEqual(findingsOf(repo.write('q/test/remote.test.ts', template('?host=db.internal.example.com'))), ['session-set 6', 'listen 7']);
});

test("an end-to-end suite's variable (E2E in its name) with a local default is the test database too; a name merely holding the letters is not", () => {
  repo.write('e2e-words/package.json', '{"name": "e2e-words"}');
  // Every name is pointed elsewhere for production: only the name's word makes its local default the test's.
  repo.write('e2e-words/.env.production', ['DATABASE_URL', 'PGE2EX_URL', 'E2E_PG_URL', 'PG_URL_E2E'].map((name) => `${name}=postgres://app@app-db.prod.example.com:5432/app`));
  const first = repo.write('e2e-words/test/first.test.ts', pgTest("process.env.E2E_PG_URL ?? 'postgres://app@localhost:5432/app_e2e'"));
  assert.deepEqual(findingsOf(first), []);
  const last = repo.write('e2e-words/test/last.test.ts', pgTest("process.env.PG_URL_E2E ?? 'postgres://app@localhost:5432/app_e2e'"));
  assert.deepEqual(findingsOf(last), []);
  // `E2E` inside another word, and the application's own variable, keep the findings.
  const inside = repo.write('e2e-words/test/inside.test.ts', pgTest("process.env.PGE2EX_URL ?? 'postgres://app@localhost:5432/app'"));
  assert.deepEqual(findingsOf(inside), ['session-set 6', 'listen 7']);
  const app = repo.write('e2e-words/test/app.test.ts', pgTest("process.env.DATABASE_URL ?? 'postgres://app@localhost:5432/app'"));
  assert.deepEqual(findingsOf(app), ['session-set 6', 'listen 7']);
});

test("the application's own variable with a local default, a remote default, no default, or a pooler port keep the findings", () => {
  repo.write('b/package.json', '{"name": "b"}');
  // Where the repository points the application's variable at another machine: a test's single Client on a variable
  // nothing points elsewhere is the developer's test database (test-single-connections.test.ts).
  repo.write('b/.env.production', 'DATABASE_URL=postgres://app:secret@app-db.prod.example.com:5432/app');
  const remote = repo.write('b/test/remote.test.ts', pgTest("process.env.TEST_DATABASE_URL ?? 'postgres://app@db.internal:5432/app'"));
  assert.deepEqual(findingsOf(remote), ['session-set 6', 'listen 7']);
  const app = repo.write('b/test/app.test.ts', pgTest("process.env.DATABASE_URL ?? 'postgres://app@localhost:5432/app_test'"));
  assert.deepEqual(findingsOf(app), ['session-set 6', 'listen 7']);
  const bare = repo.write('b/test/bare.test.ts', pgTest('process.env.DATABASE_URL!'));
  assert.deepEqual(findingsOf(bare), ['session-set 6', 'listen 7']);
  const pooler = repo.write('b/test/port.test.ts', pgTest("process.env.TEST_DATABASE_URL ?? 'postgres://app@localhost:6432/app_test'"));
  assert.deepEqual(findingsOf(pooler), ['session-set 6', 'listen 7']);
});

test("an application module's local development default is no test database", () => {
  repo.write('c/package.json', '{"name": "c"}');
  const db = repo.write('c/src/db.ts', [
    "import postgres from 'postgres';",
    "export const sql = postgres(process.env.DATABASE_URL ?? 'postgres://localhost/dev');",
    'export async function inTenant(schema: string) {',
    '  await sql.unsafe(`SET search_path TO ${schema}`);',
    '}',
  ]);
  assert.deepEqual(findingsOf(db), ['protocol-prepared-statement 2', 'session-set 4']);
});

test('a pool of the local test database stays a pool', () => {
  repo.write('d/package.json', '{"name": "d"}');
  const pool = repo.write('d/test/pool.test.ts', [
    "import { Pool } from 'pg';",
    "const pool = new Pool({ connectionString: process.env.TEST_DATABASE_URL || 'postgres://localhost:5432/t' });",
    "it('sets', async () => { await pool.query('SET search_path TO other'); });",
  ]);
  assert.deepEqual(findingsOf(pool), ['session-set 3']);
});

const URL_HELPER = [
  'export const settings = {',
  "  host: process.env.SUITE_TEST_PG_HOST ?? '127.0.0.1',",
  "  port: Number(process.env.SUITE_PG_PORT ?? '55432'),",
  '} as const;',
  'export function suiteDatabaseUrl(schema?: string): string {',
  '  const base = `postgres://suite:suite@${settings.host}:${settings.port}/suite`;',
  '  return schema ? `${base}?options=-csearch_path%3D${schema}` : base;',
  '}',
];

const CONNECT_HELPER = (urlModule: string) => [
  "import postgres from 'postgres';",
  `import { suiteDatabaseUrl } from '${urlModule}';`,
  'export function open(schema?: string) {',
  '  return postgres(suiteDatabaseUrl(schema));',
  '}',
  'export async function makeContext() {',
  '  const sql = open();',
  "  const schema = 's' + Date.now();",
  '  await sql.unsafe(`CREATE SCHEMA ${schema}`);',
  '  return { sql, schema, mailbox: { user: "someone" } };',
  '}',
];

const SPEC = (helperModule: string) => [
  "import type postgres from 'postgres';",
  `import { makeContext, open } from '${helperModule}';`,
  'let context: Awaited<ReturnType<typeof makeContext>>;',
  'const listener: postgres.Sql = open();',
  'beforeAll(async () => { context = await makeContext(); });',
  "it('moves a message', async () => {",
  '  await context.sql.unsafe(`SET search_path TO "${context.schema}", public`);',
  "  await listener.listen('moved', () => {});",
  '  await context.sql`SELECT 1`;',
  '});',
];

test("test helpers are followed: the URL helper's local default makes the connect helper's and the context's clients local", () => {
  repo.write('e/package.json', '{"name": "e"}');
  repo.write('e/test/setup/env.ts', URL_HELPER);
  const connect = repo.write('e/test/setup/db.ts', CONNECT_HELPER('./env'));
  const spec = repo.write('e/test/flows/move.test.ts', SPEC('../setup/db'));
  assert.deepEqual(findingsOf(connect), []);
  assert.deepEqual(findingsOf(spec), []);
});

test('a URL helper outside test folders, or one with a remote default, is not followed', () => {
  repo.write('f/package.json', '{"name": "f"}');
  repo.write('f/src/config/env.ts', URL_HELPER);
  const connect = repo.write('f/test/setup/db.ts', CONNECT_HELPER('../../src/config/env'));
  const spec = repo.write('f/test/flows/move.test.ts', SPEC('../setup/db'));
  assert.deepEqual(findingsOf(connect), ['protocol-prepared-statement 4']);
  assert.deepEqual(findingsOf(spec), ['session-set 7', 'listen 8']);

  repo.write('g/package.json', '{"name": "g"}');
  repo.write('g/test/setup/env.ts', URL_HELPER.map((line) => line.replace("'127.0.0.1'", "'pg.staging.example.com'")));
  const remoteConnect = repo.write('g/test/setup/db.ts', CONNECT_HELPER('./env'));
  const remoteSpec = repo.write('g/test/flows/move.test.ts', SPEC('../setup/db'));
  assert.deepEqual(findingsOf(remoteConnect), ['protocol-prepared-statement 4']);
  assert.deepEqual(findingsOf(remoteSpec), ['session-set 7', 'listen 8']);
});

test('a local URL built with + is the local test database: a base with options appended, a host spliced in, a template part', () => {
  repo.write('plus/package.json', '{"name": "plus"}');
  const appended = repo.write('plus/test/appended.test.ts', [
    "const base = 'postgres://suite:suite@localhost:5432/suite';",
    ...pgTest("{ connectionString: base + '?application_name=' + 'tenants-suite' }"),
  ]);
  assert.deepEqual(findingsOf(appended), []);
  const spliced = repo.write('plus/test/spliced.test.ts', [
    "const host = process.env.SUITE_TEST_HOST || '127.0.0.1';",
    ...pgTest("'postgresql://suite@' + host + ':' + 5432 + '/suite'"),
  ]);
  assert.deepEqual(findingsOf(spliced), []);
  const mixed = repo.write('plus/test/mixed.test.ts', [
    "const port = '5432';",
    ...pgTest("`postgres://suite@localhost:${port}` + '/suite_' + process.pid"),
  ]);
  assert.deepEqual(findingsOf(mixed), []);
});

test('a URL built with + keeps the findings on a remote or unknown host, a pooler port, or outside test code', () => {
  repo.write('plus2/package.json', '{"name": "plus2"}');
  repo.write('plus2/.env', 'DB_HOST=db.staging.example.com');
  const remote = repo.write('plus2/test/remote.test.ts', [
    "const base = 'postgres://suite@db.staging.example.com:5432/suite';",
    ...pgTest("{ connectionString: base + '?application_name=suite' }"),
  ]);
  assert.deepEqual(findingsOf(remote), ['session-set 7', 'listen 8']);
  const unknown = repo.write('plus2/test/unknown.test.ts', pgTest("'postgres://suite@' + process.env.DB_HOST + '/suite'"));
  assert.deepEqual(findingsOf(unknown), ['session-set 6', 'listen 7']);
  const pooler = repo.write('plus2/test/pooler.test.ts', pgTest("'postgres://suite@localhost:6432/' + 'suite'"));
  assert.deepEqual(findingsOf(pooler), ['session-set 6', 'listen 7']);
  const app = repo.write('plus2/src/tenants.ts', [
    "import { Client } from 'pg';",
    "const base = 'postgres://app@localhost:5432/app';",
    "const client = new Client({ connectionString: base + '?application_name=api' });",
    'export async function inTenant() {',
    "  await client.query('SET search_path TO tenant_one');",
    '}',
  ]);
  assert.deepEqual(findingsOf(app), ['session-set 5']);
});
