// PostgreSQL refuses `SET name …` for an undotted name it has no parameter for, so such a SET (a pooler
// admin console's setting, another database's variable) changes no PostgreSQL session: no session-set.
// Real parameters, custom `prefix.name` settings, template holes and the variables of PostgreSQL-compatible
// engines (CockroachDB, …) keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isPostgresParameter } from '../../../server/analysis/postgresParameters';
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
