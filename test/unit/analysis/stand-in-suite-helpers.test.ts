// A test helper of another file that hands each suite its own database: a PostgreSQL container it starts (its
// builder configured in steps, `builder = builder.withX(…)`), or, when a variable named for the suite's test database
// is set, a throwaway database it creates on that server. The variable is the helper's stand-in for its container,
// so what the tests make from the URL the helper hands out (a one-connection holder, a scoped login's pool through
// `new URL(…)`) and the helper's own pools meet no pooler. A pg pool of several connections still keeps its session
// findings, and a variable the repository points at a pooler, or the application's own variable in that place,
// keeps every finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { testEnvironmentVariable } from '../../../server/analysis/testEnvironment';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());
const repo = scratchRepository('stand-in-suite-helpers', { after });

/** Each finding of a file as `line rule`. */
function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((finding) => ruleLine(text, finding, 'line rule'));
}

/** The helper: a throwaway database on `variable` when it is set, else a container it starts. */
const helper = (variable: string) => [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
  'export interface SuiteDatabase { url: string; sql: ReturnType<typeof postgres> }',
  'export async function openSuiteDatabase() {',
  `  const shared = process.env.${variable};`,
  '  if (shared) {',
  "    const name = 'suite_' + Date.now();",
  '    const admin = postgres(shared, { max: 1 });',
  '    await admin.unsafe(`CREATE DATABASE ${name}`);',
  '    await admin.end();',
  '    let address: URL;',
  '    address = new URL(shared);',
  '    address.pathname = `/${name}`;',
  '    const url = address.toString();',
  '    const sql = postgres(url, { max: 3 });',
  '    return { server: null, sql, orm: drizzle(sql), url, drop: async () => undefined };',
  '  }',
  "  let builder = new PostgreSqlContainer('postgres:16').withDatabase('suite');",
  "  if (process.env.SUITE_NETWORK) builder = builder.withNetworkMode(process.env.SUITE_NETWORK).withStartupTimeout(60_000);",
  '  const server = await builder.start();',
  '  const url = server.getConnectionUri();',
  '  const sql = postgres(url, { max: 3 });',
  '  const orm = drizzle(sql);',
  '  return { server, sql, orm, url };',
  '}',
];

/** A suite on what the helper hands out. */
const suite = [
  "import postgres from 'postgres';",
  "import { openSuiteDatabase, type SuiteDatabase } from '../helpers/db';",
  'let db: SuiteDatabase;',
  'beforeAll(async () => { db = await openSuiteDatabase(); });',
  'function asReader() {',
  '  const address = new URL(db.url);',
  "  address.username = 'reader';",
  '  return postgres(address.toString(), { max: 1 });',
  '}',
  "it('waits for the lock', async () => {",
  '  const holder = postgres(db.url, { max: 1 });',
  '  await holder`SELECT pg_advisory_lock(42)`;',
  '  await holder`SELECT pg_advisory_unlock(42)`;',
  '});',
  "it('reads as the reader role', async () => {",
  '  const reader = asReader();',
  "  await reader`SET ROLE app_reader`;",
  '  const scoped = new URL(db.url);',
  "  scoped.password = 'pw';",
  '  const pool = postgres(scoped.toString(), { max: 2 });',
  '  for (const id of [7, 8]) await pool`SELECT name FROM accounts WHERE id = ${id}`;',
  '});',
];

/** A suite keeping the helper's URL in a `let` that starts empty and a hook fills in, then making a sibling database's pool from it. */
const placeholderSuite = [
  "import postgres from 'postgres';",
  "import { openSuiteDatabase } from '../helpers/db';",
  "let serverUrl = '';",
  'beforeAll(async () => { serverUrl = (await openSuiteDatabase()).url; });',
  "it('migrates a sibling database', async () => {",
  '  const sibling = new URL(serverUrl);',
  "  sibling.pathname = '/sibling';",
  '  const sql = postgres(sibling.toString(), { max: 4 });',
  '  for (const id of [1, 2]) await sql`SELECT name FROM accounts WHERE id = ${id}`;',
  '});',
];

/** A pg pool of several connections on the helper's URL: a session SET there reaches the next test's queries (ruling 13). */
const sharedPoolSuite = [
  "import pg from 'pg';",
  "import { openSuiteDatabase } from '../helpers/db';",
  "it('sets a role on a pool', async () => {",
  '  const t = await openSuiteDatabase();',
  '  const pool = new pg.Pool({ connectionString: t.url, max: 4 });',
  "  await pool.query('SET ROLE app_reader');",
  '});',
];

function project(folder: string, variable: string, files: Record<string, string> = {}): { helperFile: string; suiteFile: string; poolFile: string; placeholderFile: string } {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  for (const [name, content] of Object.entries(files)) repo.write(`${folder}/${name}`, content);
  return {
    helperFile: repo.write(`${folder}/tests/helpers/db.ts`, helper(variable)),
    suiteFile: repo.write(`${folder}/tests/db/roles.test.ts`, suite),
    poolFile: repo.write(`${folder}/tests/db/pool.test.ts`, sharedPoolSuite),
    placeholderFile: repo.write(`${folder}/tests/db/sibling.test.ts`, placeholderSuite),
  };
}

test("what a suite makes from a helper's URL (its container, or a throwaway database on a test-named variable) meets no pooler; nor do the helper's own pools", () => {
  const { helperFile, suiteFile, poolFile, placeholderFile } = project('stand-in', 'SUITE_TEST_PG_URL');
  assert.deepEqual(findingsOf(suiteFile), []);
  assert.deepEqual(findingsOf(placeholderFile), []);
  assert.deepEqual(findingsOf(helperFile), []);
  // A pool of several connections is still a pool: its session SET stays on one connection for the next test.
  assert.deepEqual(findingsOf(poolFile), ['6 session-set']);
});

test('a test-named variable the repository points at a pooler, or the application variable in its place, keeps the findings', () => {
  const pooled = project('pooled', 'SUITE_TEST_PG_URL', { '.env.test': 'SUITE_TEST_PG_URL=postgres://app:pw@localhost:6432/app\n' });
  const kept = ['8 protocol-prepared-statement', '12 advisory-lock', '13 advisory-lock', '17 session-set', '20 protocol-prepared-statement'];
  assert.deepEqual(findingsOf(pooled.suiteFile), kept);
  const application = project('application', 'DATABASE_URL', { '.env.example': 'DATABASE_URL=postgres://app:pw@db.example.com:5432/app\n' });
  assert.deepEqual(findingsOf(application.suiteFile), kept);
  assert.deepEqual(findingsOf(application.placeholderFile), ['8 protocol-prepared-statement']);
  assert.deepEqual(findingsOf(application.helperFile), ['16 protocol-prepared-statement']);
});

test("a package.json test script's inline setting is the test environment's value: a pooler there keeps the findings, as in .env.test", () => {
  const kept = ['8 protocol-prepared-statement', '12 advisory-lock', '13 advisory-lock', '17 session-set', '20 protocol-prepared-statement'];
  const manifest = (scripts: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'scripted', scripts }) });
  const pooler = 'postgres://app:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres';
  const staged = project('script-pooler', 'SUITE_TEST_PG_URL', manifest({ test: 'vitest run', 'test:staging': `SUITE_TEST_PG_URL=${pooler} vitest run` }));
  assert.deepEqual(findingsOf(staged.suiteFile), kept);
  assert.equal(testEnvironmentVariable(staged.suiteFile, 'SUITE_TEST_PG_URL'), 'elsewhere');
  const crossEnv = project('script-cross-env', 'SUITE_TEST_PG_URL', manifest({ 'test:ci': `npm run build && cross-env NODE_ENV=test SUITE_TEST_PG_URL="${pooler}" jest` }));
  assert.deepEqual(findingsOf(crossEnv.suiteFile), kept);
  // A script that runs no tests (the application's server) says nothing of the suite's database; a test script on this
  // machine's PostgreSQL keeps the stand-in reading.
  const served = project('script-server', 'SUITE_TEST_PG_URL', manifest({ start: `SUITE_TEST_PG_URL=${pooler} node server.js` }));
  assert.deepEqual(findingsOf(served.suiteFile), []);
  assert.equal(testEnvironmentVariable(served.suiteFile, 'SUITE_TEST_PG_URL'), 'unset');
  // A script passing on another variable's value says nothing itself: the .env.test setting that one is what counts.
  const passed = project('script-passes-on', 'SUITE_TEST_PG_URL', { ...manifest({ test: 'SUITE_TEST_PG_URL=$LOCAL_PG_URL vitest' }), '.env.test': 'SUITE_TEST_PG_URL=postgres://postgres@localhost:5432/suite\n' });
  assert.deepEqual(findingsOf(passed.suiteFile), []);
  assert.equal(testEnvironmentVariable(passed.suiteFile, 'SUITE_TEST_PG_URL'), 'local');
  const local = project('script-local', 'SUITE_TEST_PG_URL', manifest({ test: 'SUITE_TEST_PG_URL=postgres://postgres@localhost:5432/suite vitest' }));
  assert.deepEqual(findingsOf(local.suiteFile), []);
  assert.equal(testEnvironmentVariable(local.suiteFile, 'SUITE_TEST_PG_URL'), 'local');
});
