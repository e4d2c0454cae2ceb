// Test servers the tests start themselves, reached in ways other than a helper's return value: a vitest
// global setup that starts a container and hands its URL to the tests (`provide(key, url)`, read back with
// `inject(key)`), a pool's callback lent one connection of such a server (`pool.withTransaction(async (tx) …)`),
// and pg-mem's in-memory emulator (`newDb()` … `adapters.createPg()`). Their clients reach no pooler: session
// SQL on them is no hazard. Setups that name a pooler, keys no such setup provides, and the environment's
// database keep their findings. Files are written to a temporary repository, as the analysis reads them from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('injected', { after });
before(() => initAnalysis());

/** The rules of a file's findings with the line of each. */
function findingsOf(path: string, lines: string[]): string[] {
  const file = repo.write(path, lines);
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

function writeProject(folder: string, setupLines: string[]): void {
  repo.write(`${folder}/package.json`, ['{ "name": "orders" }']);
  repo.write(`${folder}/vitest.config.ts`, [
    "import { defineConfig } from 'vitest/config';",
    "export default defineConfig({ test: { globalSetup: ['./test/setup/database.ts'] } });",
  ]);
  repo.write(`${folder}/test/setup/containers.ts`, [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "const makeContainer = () => new PostgreSqlContainer('postgres:17');",
    'export const startDatabase = async () => {',
    '  const container = makeContainer();',
    '  return container.start();',
    '};',
  ]);
  repo.write(`${folder}/test/setup/database.ts`, setupLines);
}

const SETUP = [
  "import type { TestProject } from 'vitest/node';",
  "import { startDatabase } from './containers';",
  'export async function setup(project: TestProject) {',
  '  const started = await startDatabase();',
  "  project.provide('ordersDatabaseUrl', started.getConnectionUri());",
  '}',
];

const SPEC = [
  "import { inject, test } from 'vitest';",
  "import pg from 'pg';",
  "test('search path', async () => {",
  "  const client = new pg.Client({ connectionString: inject('ordersDatabaseUrl') });",
  "  await client.query('SET search_path TO orders');",
  "  const other = new pg.Client({ connectionString: inject('reportsDatabaseUrl') });",
  "  await other.query('SET search_path TO reports');",
  '});',
];

test("a client of the URL a global setup's own container provides reaches it directly; another key's client keeps its finding", () => {
  writeProject('own', SETUP);
  assert.deepEqual(findingsOf('own/test/search-path.test.ts', SPEC), ['session-set 7']);
});

test('a setup that names a pooler provides nothing sure', () => {
  writeProject('pooled', [...SETUP, "// the URL goes through pgbouncer in CI"]);
  assert.deepEqual(findingsOf('pooled/test/search-path.test.ts', SPEC), ['session-set 5', 'session-set 7']);
});

test("a test helper building its URL from the injected one, and the connection a pool of it lends a callback, are that server's", () => {
  writeProject('helper', SETUP);
  repo.write('helper/test/support/db.ts', [
    "import { inject } from 'vitest';",
    'export const testDatabase = async () => ({ connectionString: `${inject(\'ordersDatabaseUrl\')}?application_name=tests` });',
  ]);
  const spec = [
    "import pg from 'pg';",
    "import { testDatabase } from './support/db';",
    'const takeLock = (tx: pg.PoolClient) => tx.query(\'SELECT pg_advisory_lock(42)\');',
    "test('locks', async () => {",
    '  const { connectionString } = await testDatabase();',
    '  const pool = new pg.Pool({ connectionString });',
    '  await pool.withTransaction(async (tx) => { await takeLock(tx); });',
    '  const appPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });',
    "  await appPool.withTransaction(async (tx) => { await tx.query('SELECT pg_advisory_lock(7)'); });",
    '});',
  ];
  assert.deepEqual(findingsOf('helper/test/locks.test.ts', spec), ['advisory-lock 9']);
});

test("pg-mem: clients and pools of the emulator's adapters run in memory; pg's own keep their findings", () => {
  const spec = [
    "import { newDb } from 'pg-mem';",
    "import { Client as PgClient } from 'pg';",
    'const db = newDb();',
    'const { Client, Pool } = db.adapters.createPg();',
    "test('temp', async () => {",
    '  const client = new Client();',
    "  await client.query('CREATE TEMP TABLE scratch (a int)');",
    '  const pool = new Pool();',
    "  await pool.query('SET search_path TO app');",
    // A pg client on another machine's address (one on the environment's DATABASE_URL is the test's own database, renamed or not).
    "  const real = new PgClient({ connectionString: 'postgres://app@db.example.com:5432/app' });",
    "  await real.query('CREATE TEMP TABLE scratch (a int)');",
    '});',
  ];
  assert.deepEqual(findingsOf('memory/test/temp.test.ts', spec), ['temp-table 11']);
});

// A suite's helper kept in a library's `src/` (no test name): it loads `inject` when called and adds a fresh
// database's name to the container's URL. The client is that container's; a URL that may name another host is not.
test("a helper module loading vitest's inject at run time, adding a database's path to the injected URL, makes a client of the container", () => {
  writeProject('library', SETUP);
  const helper = (url: string) => [
    "import postgres from 'postgres';",
    'export async function freshDatabase(name: string) {',
    "  const { inject } = await import('vitest');",
    "  const base = inject('ordersDatabaseUrl');",
    `  const client = postgres(${url});`,
    '  return { sql: client, close: () => client.end() };',
    '}',
  ];
  assert.deepEqual(findingsOf('library/src/fresh-database.ts', helper('`${base}/${name}`')), []);
  // Another host may be named after the path (`?host=`), or the whole URL is another key's: kept.
  assert.deepEqual(findingsOf('library/src/query-host.ts', helper('`${base}/${name}?host=${name}`')), ['protocol-prepared-statement 5']);
  assert.deepEqual(findingsOf('library/src/other-key.ts', helper("`${inject('reportsDatabaseUrl')}/${name}`")), ['protocol-prepared-statement 5']);
});
