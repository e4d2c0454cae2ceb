import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const findings = (text: string, file = 'src/db/migrate.ts') => analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));

test("postgres-migrations' migrate() takes a session advisory lock on the client or config it is given", () => {
  const onClient = [
    "import pg from 'pg';",
    "import { migrate } from 'postgres-migrations';",
    'export async function upgrade(options: pg.ClientConfig) {',
    '  const client = new pg.Client(options);',
    '  await client.connect();',
    "  try { await migrate({ client }, 'migrations'); } finally { await client.end(); }",
    '}',
  ].join('\n');
  assert.deepEqual(findings(onClient), ['advisory-lock 6']);
  // The library opens its own client from a connection config; the module imported whole or required.
  const onConfig = [
    "const migrations = require('postgres-migrations');",
    "const dbConfig = { host: process.env.PGHOST, database: 'shop', user: 'shop', password: process.env.PGPASSWORD, port: 5432 };",
    "module.exports = () => migrations.migrate(dbConfig, './migrations');",
  ].join('\n');
  assert.deepEqual(findings(onConfig, 'src/db/migrate.js'), ['advisory-lock 3']);
  // Session mode keeps the lock on the client's own server connection.
  assert.deepEqual(analyze(onClient, 'typescript', { poolMode: 'session' }, 'src/db/migrate.ts'), []);
});

test("postgres-schema-migrations, the postgres-migrations fork, takes the same lock: its migrate() on a pool's checkout is flagged, mocked it is not", () => {
  const onCheckout = [
    "import { migrate as runMigrations } from 'postgres-schema-migrations';",
    "import type { Pool } from 'pg';",
    "export const upgrade = async (pool: Pool, schema = 'public') => {",
    '  const client = await pool.connect();',
    "  try { await runMigrations({ client }, 'migrations', { schema }); } finally { client.release(); }",
    '};',
  ].join('\n');
  assert.deepEqual(findings(onCheckout), ['advisory-lock 5']);
  const message = analyze(onCheckout, 'typescript', {}, 'src/db/migrate.ts')[0]?.message ?? '';
  assert.match(message, /^postgres-schema-migrations' migrate\(\) takes a session advisory lock/);
  assert.deepEqual(findings([
    "import { migrate } from 'postgres-schema-migrations';",
    "jest.mock('postgres-schema-migrations');",
    "test('runs the migrations', async () => { await migrate({ client: {} as any }, 'migrations'); });",
  ].join('\n'), 'src/db/migrate.test.ts'), []);
  // A package merely named alike is none of the family.
  assert.deepEqual(findings("import { migrate } from 'postgres-schema-tools';\nexport const up = (client: any) => migrate({ client }, 'migrations');"), []);
});

test("another library's migrate, a local namesake, a direct URL and a mocked module give nothing", () => {
  assert.deepEqual(findings("import { migrate } from 'drizzle-orm/node-postgres/migrator';\nexport const up = (db: any) => migrate(db, { migrationsFolder: 'drizzle' });"), []);
  assert.deepEqual(findings([
    "import pg from 'pg';",
    "import { migrate } from 'postgres-migrations';",
    'export async function upgrade() {',
    '  const client = new pg.Client({ connectionString: process.env.DIRECT_URL });',
    '  await client.connect();',
    "  await migrate({ client }, 'migrations');",
    '}',
  ].join('\n')), []);
  assert.deepEqual(findings([
    "import { migrate } from 'postgres-migrations';",
    "jest.mock('postgres-migrations');",
    "test('runs the migrations', async () => { await migrate({ client: {} as any }, 'migrations'); });",
  ].join('\n'), 'src/db/migrate.test.ts'), []);
  assert.deepEqual(findings([
    "import { migrate as run } from 'postgres-migrations';",
    'export async function upgrade(client: any) {',
    '  const migrate = async (_c: unknown, _dir: string) => undefined;',
    "  await migrate({ client }, 'migrations');",
    '}',
  ].join('\n')), []);
});

test("node-pg-migrate's runner takes a session advisory lock on its dbClient, or on a client it opens from databaseUrl, unless noLock is true", () => {
  const onClient = [
    "import migrateDatabase from 'node-pg-migrate';",
    "import { Client } from 'pg';",
    'export async function upgrade(client: Client) {',
    '  await migrateDatabase({',
    '    dbClient: client,',
    "    dir: 'db/migrations',",
    "    migrationsTable: 'schema_history',",
    "    direction: 'up',",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(findings(onClient), ['advisory-lock 4']);
  // Version 7's named export, the module required whole, options held in a const, a URL it opens its own client from.
  assert.deepEqual(findings([
    "import { runner } from 'node-pg-migrate';",
    "export const up = () => runner({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' });",
  ].join('\n')), ['advisory-lock 2']);
  assert.deepEqual(findings([
    "const pgm = require('node-pg-migrate');",
    "const settings = { databaseUrl: { host: process.env.PGHOST, database: 'shop' }, dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' };",
    'module.exports = () => pgm.runner(settings);',
  ].join('\n'), 'src/db/migrate.js'), ['advisory-lock 3']);
  // noLock left to the environment may lock where the code runs.
  assert.deepEqual(findings(onClient.replace("direction: 'up',", "direction: 'up', noLock: process.env.SINGLE_MIGRATOR === '1',")), ['advisory-lock 4']);
});

test('node-pg-migrate with noLock: true, on a direct URL or the suite\'s own database, or its migration builder, gives nothing', () => {
  const run = (options: string, file = 'src/db/migrate.ts') => findings([
    "import { runner } from 'node-pg-migrate';",
    `export const up = () => runner({ ${options}, dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' });`,
  ].join('\n'), file);
  assert.deepEqual(run('databaseUrl: process.env.DATABASE_URL, noLock: true'), []);
  assert.deepEqual(run('databaseUrl: process.env.DATABASE_URL, noLock: SKIP_LOCK').length, 1);
  assert.deepEqual(findings("const SKIP_LOCK = true;\nimport { runner } from 'node-pg-migrate';\nexport const up = () => runner({ databaseUrl: process.env.DATABASE_URL, noLock: SKIP_LOCK, dir: 'm' });"), []);
  assert.deepEqual(run('databaseUrl: process.env.DIRECT_URL'), []);
  assert.deepEqual(run("databaseUrl: 'postgres://postgres:postgres@localhost:5432/app_test'", 'test/migrations.test.ts'), []);
  // A migration file uses the builder, no runner.
  assert.deepEqual(findings("import { MigrationBuilder } from 'node-pg-migrate';\nexport async function up(pgm: MigrationBuilder) { pgm.createTable('orders', { id: 'id' }); }", 'migrations/1_orders.ts'), []);
});

test("@hirosystems/api-toolkit's runMigrations runs node-pg-migrate's runner, which it never tells noLock: flagged at the call", () => {
  const atStartUp = [
    "import { connectPostgres, runMigrations } from '@hirosystems/api-toolkit';",
    "const MIGRATIONS = 'db/migrations';",
    'export async function openStore(skip: boolean) {',
    "  const sql = await connectPostgres({ usageName: 'store' });",
    "  if (!skip) await runMigrations(MIGRATIONS, 'up');",
    '  return sql;',
    '}',
  ].join('\n');
  // Given no connection it migrates on the PG* variables, the application's own.
  assert.deepEqual(findings(atStartUp, 'src/pg/store.ts'), ['advisory-lock 5']);
  const message = analyze(atStartUp, 'typescript', {}, 'src/pg/store.ts')[0]?.message ?? '';
  assert.match(message, /^@hirosystems\/api-toolkit's runMigrations\(\) runs node-pg-migrate's runner/);
  // The module imported whole, a URL handed to it that names no direct connection, and a down migration lock the same way.
  assert.deepEqual(findings([
    "import * as toolkit from '@hirosystems/api-toolkit';",
    "export const rollBack = () => toolkit.runMigrations('migrations', 'down', process.env.DATABASE_URL);",
  ].join('\n')), ['advisory-lock 2']);
  // Test code that points PGHOST elsewhere itself no longer migrates on the suite's own database.
  assert.deepEqual(findings([
    "import { runMigrations } from '@hirosystems/api-toolkit';",
    "process.env.PGHOST = 'pgbouncer.internal';",
    "beforeAll(() => runMigrations('migrations', 'up'));",
  ].join('\n'), 'tests/api/orders.test.ts'), ['advisory-lock 3']);
  // Session mode keeps the lock on the client's own server connection.
  assert.deepEqual(analyze(atStartUp, 'typescript', { poolMode: 'session' }, 'src/pg/store.ts'), []);
});

test("the toolkit's runMigrations on a direct or local URL, in tests on the suite's own database, mocked, or another module's runMigrations gives nothing", () => {
  const run = (connection: string, file = 'src/pg/store.ts') => findings([
    "import { runMigrations } from '@hirosystems/api-toolkit';",
    `export const migrate = () => runMigrations('migrations', 'up'${connection});`,
  ].join('\n'), file);
  assert.deepEqual(run(', process.env.DIRECT_URL'), []);
  assert.deepEqual(run(", 'postgres://postgres:postgres@localhost:5432/app_test'", 'test/migrations.test.ts'), []);
  // A test suite's migrations on the PG* variables its own test environment sets.
  assert.deepEqual(run('', 'tests/api/orders.test.ts'), []);
  assert.deepEqual(findings([
    "import { runMigrations } from '@hirosystems/api-toolkit';",
    "jest.mock('@hirosystems/api-toolkit');",
    "test('migrates', async () => { await runMigrations('migrations', 'up', process.env.DATABASE_URL); });",
  ].join('\n'), 'src/pg/store.test.ts'), []);
  // A project's own runMigrations, or another toolkit's, is not this one.
  assert.deepEqual(findings("import { runMigrations } from './migrate';\nexport const start = () => runMigrations('migrations', 'up');"), []);
  assert.deepEqual(findings("import { runMigrations } from '@acme/api-toolkit';\nexport const start = () => runMigrations('migrations', 'up');"), []);
});

test("@platformatic/leader's elector holds a checkout of the pool it is given and polls a session try-lock on it: flagged at the call", () => {
  const elector = (pool: string) => [
    "import pg from 'pg';",
    "import createLeaderElector from '@platformatic/leader';",
    `const pool = new pg.Pool({ connectionString: ${pool} });`,
    'export function electScheduler(onChange: (leading: boolean) => void) {',
    '  const elector = createLeaderElector({ pool, lock: 7001, onLeadershipChange: onChange });',
    '  elector.start();',
    '  return elector;',
    '}',
  ].join('\n');
  assert.deepEqual(findings(elector('process.env.DATABASE_URL')), ['advisory-lock 5']);
  const message = analyze(elector('process.env.DATABASE_URL'), 'typescript', {}, 'src/db/migrate.ts')[0]?.message ?? '';
  assert.match(message, /^@platformatic\/leader's elector takes a session advisory lock/);
  // Required whole, with the options in a const of the file.
  const required = [
    "const createLeaderElector = require('@platformatic/leader');",
    "const options = { pool: globalPool, lock: 99, poll: 5000 };",
    'module.exports = () => createLeaderElector(options).start();',
  ].join('\n');
  assert.deepEqual(findings(required, 'src/leader.js'), ['advisory-lock 3']);
  // Session mode keeps the lock on the checkout's own server connection.
  assert.deepEqual(analyze(required, 'typescript', { poolMode: 'session' }, 'src/leader.js'), []);
});

test("@platformatic/leader on a pool of a direct URL, mocked, or another package's elector gives nothing", () => {
  assert.deepEqual(findings([
    "import pg from 'pg';",
    "import createLeaderElector from '@platformatic/leader';",
    'const pool = new pg.Pool({ connectionString: process.env.DIRECT_URL });',
    'export const elector = createLeaderElector({ pool, lock: 7001 });',
  ].join('\n')), []);
  assert.deepEqual(findings([
    "import createLeaderElector from '@platformatic/leader';",
    "vi.mock('@platformatic/leader');",
    "test('elects', () => { createLeaderElector({ pool: {} as any, lock: 1 }); });",
  ].join('\n'), 'src/leader.test.ts'), []);
  assert.deepEqual(findings("import createLeaderElector from 'leader-election-redis';\nexport const elector = createLeaderElector({ pool: redisPool, lock: 1 });"), []);
});
