// PostgreSQL refuses `SET name …` for an undotted name it has no parameter for, so such a SET (a pooler
// admin console's setting, another database's variable) changes no PostgreSQL session: no session-set.
// Real parameters, custom `prefix.name` settings, template holes and the variables of PostgreSQL-compatible
// engines (CockroachDB, …) keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isPostgresParameter, isSessionFixedParameter } from '../../../server/analysis/postgresParameters';
import { postgresBinDir } from '../../../cli/throwawayPostgres';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const sqlRules = (sql: string, file?: string): string[] => analyzeSql(sql, {}, file).map((f) => f.rule);

test('a SET of a name PostgreSQL has no parameter for gets no session-set finding', () => {
  assert.deepEqual(sqlRules('SET max_client_conn = 500;\nSET pool_mode TO session;'), []);
  const adminConsole = [
    "import pg from 'pg';",
    'export async function tunePooler(url: string) {',
    '  const admin = new pg.Client({ connectionString: url });',
    '  await admin.connect();',
    "  await admin.query('SET query_cache_enabled TO true');",
    '  await admin.end();',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(adminConsole, 'src/pooler-admin.ts'), []);
});

test('real parameters (any version), custom settings and template holes keep their findings', () => {
  assert.deepEqual(sqlRules([
    'SET work_mem = 65536;',
    "SET transaction_timeout = '5s';", // PostgreSQL 17
    'SET sort_mem = 1024;', // an old name PostgreSQL still maps to work_mem
    "SET myapp.current_tenant = '7';",
    'SET "Search_Path" TO reports;',
  ].join('\n')), ['session-set', 'session-set', 'session-set', 'session-set', 'session-set']);
  const pooled = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const forTenant = (name: string, value: string) => pool.query(`SET ${name} TO '${value}'`);",
    "export const slow = () => pool.query('SET lock_timeout TO 0');",
  ].join('\n');
  assert.deepEqual(embeddedRules(pooled, 'src/db.ts'), ['session-set', 'session-set']);
});

test('in a file for a PostgreSQL-compatible engine, its own session variables stay findings', () => {
  const sql = 'SET enable_follower_reads_everywhere = true;';
  assert.deepEqual(sqlRules(sql, 'db/cockroach/setup.sql'), ['session-set']);
  assert.deepEqual(sqlRules(sql, 'db/setup.sql'), []);
  const named = [
    "import { Pool } from 'pg';",
    "const drivers = ['cockroachdb'];",
    'const pool = new Pool();',
    "export const on = () => pool.query('SET enable_follower_reads_everywhere = true');",
  ].join('\n');
  assert.deepEqual(embeddedRules(named, 'src/db.ts'), ['session-set']);
  assert.deepEqual(embeddedRules(named.replace("'cockroachdb'", "'postgres'"), 'src/db.ts'), []);
});

test('every parameter the installed PostgreSQL server knows is in the list', () => {
  const run = spawnSync(join(postgresBinDir(), 'postgres'), ['--describe-config'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const names = run.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0]);
  assert.ok(names.length > 250, `only ${names.length} parameters described`);
  assert.deepEqual(names.filter((name) => !isPostgresParameter(name)), []);
  assert.equal(isPostgresParameter('no_such_parameter_here'), false);
});

// A parameter only the server's start (postmaster), its configuration file (sighup), its build (internal) or a
// connection's startup packet (backend) sets: PostgreSQL refuses `SET` of it in a session, so it is no session state.
// In one simple query (a multi-statement text sent with no values) the refusal rolls back every SET of the text.

test('a SET of a parameter no session may change gets no session-set finding; settable ones beside it keep theirs', () => {
  assert.deepEqual(sqlRules([
    "SET shared_buffers = '512MB';",
    'SET max_connections TO 300;',
    "SET checkpoint_timeout = '15min';", // sighup
    "SET Wal_Buffers = '4MB';",
    'SET server_version_num = 999999;', // internal
    'SET log_connections = on;', // superuser-backend
  ].join('\n')), []);
  // Each statement of a SQL file is sent on its own: the settable ones still change the session.
  assert.deepEqual(sqlRules("SET maintenance_work_mem = '1GB';\nSET shared_buffers = '512MB';\nSET effective_cache_size = '8GB';"), ['session-set', 'session-set']);
});

test("the list of parameters no session may change agrees with the installed server's contexts", () => {
  const run = spawnSync(join(postgresBinDir(), 'postgres'), ['--describe-config'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const rows = run.stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
  const fixedContexts = new Set(['postmaster', 'sighup', 'internal', 'backend', 'superuser-backend']);
  const disagreeing = rows.filter(([name, context]) => isSessionFixedParameter(name) !== fixedContexts.has(context)).map(([name, context]) => `${name} ${context}`);
  assert.deepEqual(disagreeing, []);
  assert.ok(rows.some(([, context]) => context === 'user') && rows.some(([, context]) => context === 'postmaster'));
  for (const name of ['block_size', 'server_version', 'lc_collate']) assert.equal(isSessionFixedParameter(name), true, name);
});

/** A module whose `send` function sends `call` on a pg pool or a knex instance (both imported). */
const sender = (call: string) => [
  "import { Pool } from 'pg';",
  "import knex from 'knex';",
  'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
  "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });",
  'export async function send(limit: number) {',
  `  await ${call};`,
  '}',
].join('\n');

test('every SET of a simple query that also SETs a refused parameter is rolled back with it: no finding', () => {
  const batch = "`SET work_mem = '64MB'; SET shared_buffers = '256MB'; SET random_page_cost = 1.1;`";
  assert.deepEqual(embeddedRules(sender(`db.raw(${batch})`), 'src/tune.ts'), []);
  assert.deepEqual(embeddedRules(sender(`pool.query(${batch})`), 'src/tune.ts'), []);
  const unsafe = [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    "export const tune = () => sql.unsafe(\"SET jit = off; SET max_wal_size = '4GB'\");",
  ].join('\n');
  assert.deepEqual(embeddedRules(unsafe, 'src/tune.ts'), []);
});

test('SETs beside a refused one keep their findings with BEGIN/COMMIT, with bound values, or in a text of their own', () => {
  const inBlock = "`BEGIN; SET work_mem = '64MB'; SET shared_buffers = '256MB'; COMMIT;`";
  assert.deepEqual(embeddedRules(sender(`db.raw(${inBlock})`), 'src/tune.ts'), ['session-set']);
  const withValues = "pool.query(\"SET work_mem = '64MB'; SET wal_buffers = '8MB'; SELECT $1::int\", [limit])";
  assert.deepEqual(embeddedRules(sender(withValues), 'src/tune.ts'), ['session-set']);
  const apart = "db.raw(\"SET shared_buffers = '256MB'\");\n  await db.raw(\"SET work_mem = '64MB'\")";
  assert.deepEqual(embeddedRules(sender(apart), 'src/tune.ts'), ['session-set']);
  const noneRefused = "`SET work_mem = '64MB'; SET random_page_cost = 1.1;`";
  assert.deepEqual(embeddedRules(sender(`db.raw(${noneRefused})`), 'src/tune.ts'), ['session-set', 'session-set']);
});
