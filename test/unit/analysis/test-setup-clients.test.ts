// Test and development code outside the usual test names: a test runner's setup files (named by its configuration or
// by the usual setup names), end-to-end suites' folders, a client a runner's setup puts on the global object, and
// example or playground folders and the Supabase CLI's local project folder. Their clients reach the developer's own
// database: the rules that only a pooler breaks say nothing there. The same code in the application keeps its
// findings; in development code only what the repository shows is local counts (a variable set nowhere may be the
// production URL the script is run with).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ROOT_CACHE_MS } from '../../../server/analysis/projectPaths';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-setup-clients', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

/** A purge before the browser suite: one connection from `url`, a session-wide setting on line 4. */
const purge = (url: string) => [
  "import postgres from 'postgres';",
  'export default async function purge() {',
  `  const sql = postgres(${url}, { max: 1 });`,
  "  await sql`select set_config('shop.tenant', ${'demo'}, false)`;",
  '  await sql`delete from carts`;',
  '  await sql.end();',
  '}',
];

test("a file the test runner's configuration names for its setup is test code, wherever it is", () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/playwright.config.ts', ["import { defineConfig } from '@playwright/test';", "export default defineConfig({ globalSetup: require.resolve('./support/purge-carts'), use: { baseURL: 'http://localhost:3000' } });"]);
  const named = repo.write('a/support/purge-carts.ts', purge('process.env.SHOP_DB_URL!'));
  assert.deepEqual(findingsOf(named), []);
  // The same file that no configuration names is the application's.
  const other = repo.write('a/support/purge-orders.ts', purge('process.env.SHOP_DB_URL!'));
  assert.deepEqual(findingsOf(other), ['session-set 4']);

  repo.write('b/package.json', JSON.stringify({ name: 'b', scripts: { test: 'mocha --require ./hooks/db.js "specs/**/*.js"' } }));
  const mocha = repo.write('b/hooks/db.js', purge('process.env.SHOP_DB_URL'));
  assert.deepEqual(findingsOf(mocha), []);

  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/jest.config.js', ['module.exports = {', "  setupFilesAfterEnv: ['<rootDir>/config/after-env.ts'],", '};']);
  const jest = repo.write('c/config/after-env.ts', purge('process.env.SHOP_DB_URL!'));
  assert.deepEqual(findingsOf(jest), []);
});

test("in the editor, a repository created above a setup file counts at the file's next analysis once the root's short cache lapses (folder listings are read afresh)", async () => {
  repo.write('n/.git/HEAD', 'ref: refs/heads/main');
  repo.write('n/playwright.config.ts', ["import { defineConfig } from '@playwright/test';", "export default defineConfig({ globalSetup: './shop/support/purge-carts' });"]);
  const named = repo.write('n/shop/support/purge-carts.ts', purge('process.env.SHOP_DB_URL!'));
  assert.deepEqual(findingsOf(named), []);
  // shop/ is now a repository of its own: the configuration above it names none of its files. The root found a
  // moment ago is trusted for ROOT_CACHE_MS (one analysis asks for it a hundred times).
  repo.mkdir('n/shop/.git');
  await new Promise((done) => setTimeout(done, ROOT_CACHE_MS + 50));
  assert.deepEqual(findingsOf(named), ['session-set 4']);
});

test('end-to-end folders and the usual setup names are test code; an application folder is not', () => {
  repo.write('d/package.json', '{"name": "d"}');
  assert.deepEqual(findingsOf(repo.write('d/e2e/purge.ts', purge('process.env.SHOP_DB_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('d/src/global-setup.ts', purge('process.env.SHOP_DB_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('d/src/checkout.e2e-spec.ts', purge('process.env.SHOP_DB_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('d/src/purge.ts', purge('process.env.SHOP_DB_URL!'))), ['session-set 4']);
  assert.deepEqual(findingsOf(repo.write('d/src/setup.ts', purge('process.env.SHOP_DB_URL!'))), ['session-set 4']);
  // A folder of shared test fixtures, by its name; a plain `fixtures` or a folder that only starts with the word is not.
  assert.deepEqual(findingsOf(repo.write('d/src/test-fixtures/purge.ts', purge('process.env.SHOP_DB_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('d/src/test_fixtures/purge.ts', purge('process.env.SHOP_DB_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('d/src/fixtures/purge.ts', purge('process.env.SHOP_DB_URL!'))), ['session-set 4']);
  assert.deepEqual(findingsOf(repo.write('d/src/test-fixtures-loader/purge.ts', purge('process.env.SHOP_DB_URL!'))), ['session-set 4']);
});

/** A spec that takes its client from the global object and sets a session variable on line 4. */
const globalSpec = (global: string) => [
  'let db: any;',
  `beforeAll(() => { db = ${global}; });`,
  "it('refuses another tenant', async () => {",
  "  await db.query(`SET app.tenant = 'other'`);",
  '});',
];

test("a client the test runner's global setup puts on the global object is the setup's client", () => {
  repo.write('e/package.json', '{"name": "e"}');
  repo.write('e/jest.config.ts', ['export default {', "  globalSetup: './jest/start-db.ts',", '};']);
  repo.write('e/jest/start-db.ts', [
    "import { Client } from 'pg';",
    'export default async () => {',
    "  const client = new Client({ connectionString: 'postgres://shop:shop@127.0.0.1:55432/shop_test' });",
    '  await client.connect();',
    '  (global as any).__SHOP_DB__ = client;',
    '};',
  ]);
  assert.deepEqual(findingsOf(repo.write('e/specs/tenant.test.ts', globalSpec('(global as any).__SHOP_DB__'))), []);
  assert.deepEqual(findingsOf(repo.write('e/specs/tenant2.test.ts', globalSpec('globalThis.__SHOP_DB__'))), []);
  // A global nothing in the repository fills, or one filled with a pool, keeps the finding.
  assert.deepEqual(findingsOf(repo.write('e/specs/other.test.ts', globalSpec('(global as any).__REPORT_DB__'))), ['session-set 4']);

  repo.write('f/package.json', '{"name": "f"}');
  repo.write('f/vitest.config.ts', ["export default { test: { setupFiles: ['./vitest/db.ts'] } };"]);
  repo.write('f/vitest/db.ts', ["import pg from 'pg';", 'globalThis.__SHOP_DB__ = new pg.Pool({ connectionString: process.env.SHOP_DB_URL });']);
  assert.deepEqual(findingsOf(repo.write('f/specs/tenant.test.ts', globalSpec('globalThis.__SHOP_DB__'))), ['session-set 4']);
});

/**
 * A report script: a pool from `config`, a connection held from it with a session SET on line 5, put back before the
 * release (a SET left on a checkout of a pool of several would reach the next checkout, even on the developer's database).
 */
const report = (config: string) => [
  "import pg from 'pg';",
  `const pool = new pg.Pool(${config});`,
  'async function main() {',
  '  const conn = await pool.connect();',
  "  await conn.query('SET search_path TO reports, public');",
  "  await conn.query('RESET search_path');",
  '  conn.release();',
  '}',
  'main();',
];

test("an example on a variable the repository's env files set to this machine is the developer's database; without them, or in the application's scripts, it is not", () => {
  const withDefault = "{ host: process.env.PGHOST || 'localhost', database: process.env.PGDATABASE || 'reports' }";
  repo.write('g/package.json', '{"name": "g"}');
  repo.write('g/.env.test', 'PGHOST=localhost');
  assert.deepEqual(findingsOf(repo.write('g/examples/report.ts', report(withDefault))), []);
  // The application's script with the same default is run with production's variables.
  assert.deepEqual(findingsOf(repo.write('g/scripts/report.ts', report(withDefault))), ['session-set 5']);

  repo.write('h/package.json', '{"name": "h"}');
  repo.write('h/.env.example', 'REPORTS_URL=postgres://me:me@localhost:5432/reports');
  assert.deepEqual(findingsOf(repo.write('h/examples/given.ts', report('{ connectionString: process.env.REPORTS_URL }'))), []);

  // No env file says so: a local default, a variable set nowhere, or a local URL written out in an example app's module.
  repo.write('i/package.json', '{"name": "i"}');
  assert.deepEqual(findingsOf(repo.write('i/examples/report.ts', report(withDefault))), ['session-set 5']);
  assert.deepEqual(findingsOf(repo.write('i/examples/given.ts', report('{ connectionString: process.env.REPORTS_URL }'))), ['session-set 5']);
  assert.deepEqual(findingsOf(repo.write('i/playground/report.ts', report("'postgres://me@localhost:5432/reports'"))), ['session-set 5']);
  // An env file pointing it at another machine.
  repo.write('l/package.json', '{"name": "l"}');
  repo.write('l/.env.example', 'PGHOST=reports.cluster-abc.eu-west-1.rds.example.com');
  assert.deepEqual(findingsOf(repo.write('l/examples/report.ts', report(withDefault))), ['session-set 5']);
});

// Session 38 (fix45c): a literal default is judged by every server it may reach (connectionHosts.ts serverParts),
// a URL's `?host=` too, as the one reader of connection strings reads it everywhere.
test("an example's local default URL whose query names another host is not the developer's database", () => {
  repo.write('m/package.json', '{"name": "m"}');
  repo.write('m/.env.example', 'REPORTS_URL=postgres://me:me@localhost:5432/reports');
  const withDefault = (url: string) => report(`{ connectionString: process.env.REPORTS_URL || '${url}' }`);
  assert.deepEqual(findingsOf(repo.write('m/examples/local.ts', withDefault('postgres://me@localhost:5432/reports'))), []);
  assert.deepEqual(findingsOf(repo.write('m/examples/query-local.ts', withDefault('postgres://me@localhost/reports?host=127.0.0.1&port=5433'))), []);
  assert.deepEqual(findingsOf(repo.write('m/examples/query-remote.ts', withDefault('postgres://me@localhost:5432/reports?host=reports.db.example.com'))), ['session-set 5']);
});

test("the Supabase CLI's local project folder is development code, its deployed functions are not; a checkout under ~/dev is not", () => {
  repo.write('j/package.json', '{"name": "j"}');
  repo.write('j/supabase/config.toml', ['[db]', 'port = 54322']);
  repo.write('j/.env.development', 'STACK_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres');
  const waiter = [
    "import pg from 'pg';",
    'const db = new pg.Client(process.env.STACK_DB_URL);',
    'await db.connect();',
    "await db.query('SET statement_timeout = 0');",
    'await db.end();',
  ];
  assert.deepEqual(findingsOf(repo.write('j/supabase/wait-ready.ts', waiter)), []);
  assert.deepEqual(findingsOf(repo.write('j/supabase/functions/ready/index.ts', waiter)), ['session-set 4']);

  repo.mkdir('dev/k/.git');
  repo.write('dev/k/package.json', '{"name": "k"}');
  repo.write('dev/k/.env.test', 'PGHOST=localhost');
  assert.deepEqual(findingsOf(repo.write('dev/k/src/report.ts', report("{ host: process.env.PGHOST || 'localhost' }"))), ['session-set 5']);
});

/** A test helper's pool of four on the variable `name`, whose every query text is prepared by default (line 2). */
const helperPool = (name: string) => [
  "import postgres from 'postgres';",
  `export const sql = postgres(process.env.${name}!, { max: 4 });`,
  'export const countCarts = () => sql`select count(*) from carts`;',
];

test("a variable the test runner's global setup assigns a local database's URL is the suite's own database", () => {
  repo.write('s/package.json', '{"name": "s"}');
  repo.write('s/vitest.config.ts', ["import { defineConfig } from 'vitest/config';", "export default defineConfig({ test: { globalSetup: './setup/db.ts' } });"]);
  // The URL built by a function of the setup file from a local default another variable may override.
  repo.write('s/setup/db.ts', [
    "const ADMIN = process.env.SHOP_E2E_ADMIN_URL ?? 'postgres://shop:shop@localhost:5432/postgres';",
    'function urlFor(database: string): string {',
    '  const url = new URL(ADMIN);',
    '  url.pathname = `/${database}`;',
    '  return url.toString();',
    '}',
    'export default async function setup() {',
    "  process.env.SHOP_E2E_URL = urlFor('shop_e2e');",
    "  process.env['SHOP_E2E_PLAIN_URL'] = 'postgres://shop:shop@127.0.0.1:5432/shop_e2e';",
    "  process.env.SHOP_REMOTE_URL = 'postgres://shop:pw@db.example.com:6543/shop';",
    '  process.env.SHOP_SUFFIXED_URL = process.env.SHOP_BASE_URL;',
    "  process.env.SHOP_SUFFIXED_URL += '?sslmode=require';",
    '}',
  ]);
  assert.deepEqual(findingsOf(repo.write('s/tests/helpers/db.ts', helperPool('SHOP_E2E_URL'))), []);
  assert.deepEqual(findingsOf(repo.write('s/tests/helpers/plain.ts', helperPool('SHOP_E2E_PLAIN_URL'))), []);
  // A remote pooler's URL, one the setup file only extends, and one it never assigns keep the finding.
  assert.deepEqual(findingsOf(repo.write('s/tests/helpers/remote.ts', helperPool('SHOP_REMOTE_URL'))), ['protocol-prepared-statement 2']);
  assert.deepEqual(findingsOf(repo.write('s/tests/helpers/suffixed.ts', helperPool('SHOP_SUFFIXED_URL'))), ['protocol-prepared-statement 2']);
  assert.deepEqual(findingsOf(repo.write('s/tests/helpers/other.ts', helperPool('SHOP_OTHER_URL'))), ['protocol-prepared-statement 2']);
});

test('a variable a file no runner configuration names assigns a local URL is no test database for the tests', () => {
  repo.write('u/package.json', '{"name": "u"}');
  repo.write('u/scripts/prepare-db.ts', ['export default function prepare() {', "  process.env.SHOP_E2E_URL = 'postgres://shop:shop@localhost:5432/shop_e2e';", '}']);
  assert.deepEqual(findingsOf(repo.write('u/tests/helpers/db.ts', helperPool('SHOP_E2E_URL'))), ['protocol-prepared-statement 2']);
});

/** A Jest spec holding one TypeORM runner out of the `member` of what `openContext()` (of `helper`) returns: SET ROLE on line 6, put back on line 7. */
const contextSpec = (helper: string, member = 'source') => [
  "import type { QueryRunner } from 'typeorm';",
  `import { type Context, openContext } from '${helper}';`,
  'let ctx: Context;',
  'let runner: QueryRunner;',
  `beforeAll(async () => { ctx = await openContext(); runner = ctx.${member}.createQueryRunner(); await runner.connect(); });`,
  "it('reads as the app role', async () => { await runner.query('SET ROLE shop_app');",
  "  await runner.query('RESET ROLE'); });",
];

/** A test helper making a TypeORM DataSource from `url` (after `lines`) and returning it in an object with a teardown. */
const contextHelper = (url: string, lines: string[] = []) => [
  "import { DataSource } from 'typeorm';",
  'export interface Context { source: DataSource; other: DataSource }',
  'export async function openContext(): Promise<Context> {',
  ...lines,
  `  const source = new DataSource({ type: 'postgres', url: ${url}, poolSize: 5 });`,
  "  const other = new DataSource({ type: 'postgres', url: 'postgres://shop:pw@db.example.com:5432/shop' });",
  '  await source.initialize();',
  '  return { source, other, teardown: async () => { await source.destroy(); } };',
  '}',
];

test("a runner held out of a DataSource a test helper returns is one session of the server Jest's global setup starts and hands on through the environment", () => {
  repo.write('w/package.json', '{"name": "w"}');
  repo.write('w/jest.config.js', ["module.exports = { projects: [{ displayName: 'integration', globalSetup: '<rootDir>/test/support/start-db.ts' }] };"]);
  repo.write('w/test/support/start-db.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    'export default async function startDb(): Promise<void> {',
    "  const pg = await new PostgreSqlContainer('postgres:17').start();",
    '  process.env.SHOP_SUITE_URL = pg.getConnectionUri();',
    '}',
  ]);
  repo.write('w/test/support/context.ts', contextHelper('url', ['  const url = process.env.SHOP_SUITE_URL;', "  if (!url) throw new Error('run the integration project');"]));
  assert.deepEqual(findingsOf(repo.write('w/test/integration/roles.spec.ts', contextSpec('../support/context'))), []);
  // A variable the setup does not assign, a fallback to the application's URL, another member, or a helper of the application keep the finding.
  repo.write('w/test/support/unset.ts', contextHelper('process.env.SHOP_OTHER_URL'));
  assert.deepEqual(findingsOf(repo.write('w/test/integration/unset.spec.ts', contextSpec('../support/unset'))), ['session-set 6']);
  repo.write('w/test/support/fallback.ts', contextHelper('process.env.SHOP_SUITE_URL ?? process.env.DATABASE_URL'));
  assert.deepEqual(findingsOf(repo.write('w/test/integration/fallback.spec.ts', contextSpec('../support/fallback'))), ['session-set 6']);
  assert.deepEqual(findingsOf(repo.write('w/test/integration/other.spec.ts', contextSpec('../support/context', 'other'))), ['session-set 6']);
  repo.write('w/src/context.ts', contextHelper('process.env.SHOP_SUITE_URL'));
  assert.deepEqual(findingsOf(repo.write('w/test/integration/app.spec.ts', contextSpec('../../src/context'))), ['session-set 6']);
});
