// auth_query (auth_user + auth_query), SCRAM pass-through to the server when only a verifier is
// known, and client TLS (client_tls_sslmode), through real clients against a throwaway cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { once } from 'node:events';
import pg from 'pg';
import { sslRequest, startupMessage } from '../../extension/pooler/protocol';
import { selfSignedCertificate } from '../helpers/certificate';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN, connectPg, loginError, run, startPooler, startPoolerWithIni, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let dir: string;
/** pg_authid's verifier for role `verified` (password 'v3rified'), written into a userlist. */
let verifier: string;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-authq-'));
  cluster.psql(`CREATE ROLE app LOGIN PASSWORD 'x'; CREATE ROLE verified LOGIN PASSWORD 'v3rified'; CREATE ROLE "o'brien" LOGIN PASSWORD 'q'`);
  verifier = cluster.psql(`SELECT rolpassword FROM pg_authid WHERE rolname = 'verified'`).trim();
  assert.match(verifier, /^SCRAM-SHA-256\$/);
  selfSignedCertificate(dir, 'client');
});

after(() => {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the pooler with `--config` for an ini written into a fresh folder (with its userlist). */
function poolerWithIni(t: { after(fn: () => unknown): void }, ini: string, userlist = ''): Promise<RunningPooler> {
  return startPoolerWithIni(cluster, dir, t, ini, userlist);
}

function url(pooler: RunningPooler, user: string, password: string, database = 'postgres'): string {
  return pooler.url({ user, password, database });
}

async function queryAs(connectionString: string, sql: string): Promise<unknown> {
  const client = await connectPg(connectionString);
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

test('auth_query: a user missing from the userlist logs in with the verifier pg_shadow returns; wrong or unknown → 28P01', async (t) => {
  const pooler = await poolerWithIni(t, `[pgbouncer]\nauth_user = ${cluster.user}\nauth_type = scram-sha-256\n`);
  // --target logs in as the cluster superuser: auth_query only decides who may use the pooler.
  assert.deepEqual(await queryAs(url(pooler, 'app', 'x'), 'select 1 as one'), { one: 1 });
  const wrong = await loginError(url(pooler, 'app', 'nope'));
  assert.equal(wrong.code, '28P01');
  assert.equal(wrong.message, 'SASL authentication failed');
  // A user auth_query does not find fails exactly like a wrong password (PgBouncer says "no such user").
  const unknown = await loginError(url(pooler, 'nobody', 'x'));
  assert.equal(unknown.code, '28P01');
  assert.equal(unknown.message, 'SASL authentication failed');
  // The name travels as a bound parameter: a quote neither breaks nor changes the query.
  assert.deepEqual(await queryAs(url(pooler, "o'brien", 'q'), 'select 2 as two'), { two: 2 });
  const injection = await loginError(url(pooler, "x' OR usename='app", 'x'));
  assert.equal(injection.code, '28P01');
  // Logins reuse one auth_user connection instead of opening one per lookup.
  for (let i = 0; i < 4; i++) await queryAs(url(pooler, 'app', 'x'), 'select 1');
  const lookups = cluster.psql(`SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT usename, passwd FROM pg_shadow%'`).trim();
  assert.equal(lookups, '1');
});

test('auth_type trust with an auth_user admits a user auth_query finds (even without a password) and refuses one it does not find', async (t) => {
  cluster.psql(`CREATE ROLE nopass LOGIN`);
  const pooler = await poolerWithIni(t, `[pgbouncer]\nauth_user = ${cluster.user}\nauth_type = trust\n`);
  // --target logs in as the cluster superuser, so the server side needs no password for nopass.
  assert.deepEqual(await queryAs(url(pooler, 'nopass', ''), 'select 4 as four'), { four: 4 });
  const unknown = await loginError(url(pooler, 'nobody', ''));
  assert.match(unknown.message, /authentication failed/);
});

test('auth_query with auth_type = md5 verifies against the md5 hash pg_shadow returns', async (t) => {
  cluster.psql(`SET password_encryption = 'md5'; CREATE ROLE legacy LOGIN PASSWORD 'old'`);
  const pooler = await poolerWithIni(t, `[pgbouncer]\nauth_user = ${cluster.user}\nauth_type = md5\n`);
  assert.deepEqual(await queryAs(url(pooler, 'legacy', 'old'), 'select 3 as three'), { three: 3 });
  assert.equal((await loginError(url(pooler, 'legacy', 'new'))).code, '28P01');
});

test('SCRAM pass-through: server logins as a user known only by its verifier (userlist or auth_query)', async (t) => {
  const { port } = new URL(cluster.url());
  const pooler = await poolerWithIni(
    t,
    `[databases]\nown = host=127.0.0.1 port=${port} dbname=postgres\n[pgbouncer]\nauth_file = userlist.txt\nauth_user = ${cluster.user}\n`,
    `"verified" "${verifier}"\n`,
  );
  // Userlist holds only pg_authid's verifier: the pooler cannot know the password.
  const client = await connectPg(url(pooler, 'verified', 'v3rified', 'own'));
  t.after(() => client.end());
  for (let i = 0; i < 3; i++) {
    const { rows } = await client.query('select current_user as who, $1::int as i', [i]);
    assert.deepEqual(rows[0], { who: 'verified', i });
  }
  // Two clients at once need a second server connection, logged in with the same recovered keys.
  const second = await connectPg(url(pooler, 'verified', 'v3rified', 'own'));
  t.after(() => second.end());
  await client.query('begin');
  assert.deepEqual((await second.query('select current_user as who')).rows[0], { who: 'verified' });
  await client.query('commit');
  // auth_query user: verifier from pg_shadow, server login as that user without its password.
  assert.deepEqual(await queryAs(url(pooler, 'app', 'x', 'own'), 'select current_user as who'), { who: 'app' });
  assert.equal((await loginError(url(pooler, 'app', 'wrong', 'own'))).code, '28P01');
});

test('[databases] auth_user= runs auth_query for that database only', async (t) => {
  const { port } = new URL(cluster.url());
  const pooler = await poolerWithIni(t, `[databases]\nlooked = host=127.0.0.1 port=${port} dbname=postgres auth_user=${cluster.user}\n`);
  assert.deepEqual(await queryAs(url(pooler, 'app', 'x', 'looked'), 'select current_user as who'), { who: 'app' });
  // The --target database has no auth_user: app is unknown there.
  assert.equal((await loginError(url(pooler, 'app', 'x', 'postgres'))).code, '28P01');
});

test('client TLS: require upgrades psql sslmode=require and refuses plaintext with PgBouncer\'s error', async (t) => {
  const pooler = await poolerWithIni(
    t,
    `[pgbouncer]\nadmin_users = ${cluster.user}\nclient_tls_sslmode = require\nclient_tls_key_file = ${join(dir, 'client.key')}\nclient_tls_cert_file = ${join(dir, 'client.crt')}\n`,
  );
  const base = `postgresql://${cluster.user}:${encodeURIComponent(cluster.password)}@127.0.0.1:${pooler.port}/postgres`;
  const psql = `${PG_BIN}/psql`;
  const secure = await run(psql, [`${base}?sslmode=require`, '-Atc', 'select 40 + 2'], { timeoutMs: 20000 });
  assert.equal(secure.stderr, '');
  assert.equal(secure.stdout.trim(), '42');
  const plain = await run(psql, [`${base}?sslmode=disable`, '-Atc', 'select 1'], { timeoutMs: 20000 });
  assert.notEqual(plain.code, 0);
  assert.match(plain.stderr, /SSL required/);
  const pgTls = new pg.Client({ connectionString: base, ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 10000 });
  pgTls.on('error', () => {});
  await pgTls.connect();
  t.after(() => pgTls.end());
  assert.deepEqual((await pgTls.query('select $1::text as echoed', ['over tls'])).rows[0], { echoed: 'over tls' });
  // The admin console (reached over TLS too) lists that client with PgBouncer's tls column set.
  const admin = await run(psql, [`${base.replace(/\/postgres$/, '/pgbouncer')}?sslmode=require`, '-AtF', '|', '-c', 'SHOW CLIENTS'], { timeoutMs: 20000 });
  assert.equal(admin.code, 0, admin.stderr);
  assert.ok(admin.stdout.split('\n').some((row) => row.startsWith(`C|${cluster.user}|postgres|`) && row.split('|').includes('TLS')), admin.stdout);
});

test('auth_type = plain checks the cleartext password against an auth_query SCRAM verifier', async (t) => {
  const pooler = await poolerWithIni(t, `[pgbouncer]\nauth_user = ${cluster.user}\nauth_type = plain\n`);
  assert.deepEqual(await queryAs(url(pooler, 'app', 'x'), 'select 5 as five'), { five: 5 });
  assert.equal((await loginError(url(pooler, 'app', 'y'))).code, '28P01');
});

test('client TLS: bytes pipelined after SSLRequest are refused in plaintext, never read as TLS (CVE-2021-23222)', async (t) => {
  const pooler = await poolerWithIni(
    t,
    `[pgbouncer]\nadmin_users = ${cluster.user}\nclient_tls_sslmode = prefer\nclient_tls_key_file = ${join(dir, 'client.key')}\nclient_tls_cert_file = ${join(dir, 'client.crt')}\n`,
  );
  const socket = net.connect({ host: '127.0.0.1', port: pooler.port });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  let reply = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (reply = Buffer.concat([reply, chunk])));
  socket.write(Buffer.concat([sslRequest(), startupMessage({ user: cluster.user, database: 'postgres' })]));
  await Promise.race([once(socket, 'close'), new Promise((resolve) => setTimeout(resolve, 5000))]);
  assert.equal(reply[0], 0x45, `expected an ErrorResponse, got ${reply.toString('latin1')}`); // not 'S'
  assert.match(reply.toString('latin1'), /unencrypted data after SSL request/);
});

test('client TLS: prefer serves both TLS and plaintext clients; SET client_tls_sslmode switches to require', async (t) => {
  const pooler = await poolerWithIni(
    t,
    `[pgbouncer]\nadmin_users = ${cluster.user}\nclient_tls_sslmode = prefer\nclient_tls_key_file = ${join(dir, 'client.key')}\nclient_tls_cert_file = ${join(dir, 'client.crt')}\n`,
  );
  const base = `postgresql://${cluster.user}:${encodeURIComponent(cluster.password)}@127.0.0.1:${pooler.port}/postgres`;
  for (const mode of ['require', 'disable']) {
    const result = await run(`${PG_BIN}/psql`, [`${base}?sslmode=${mode}`, '-Atc', 'select 7'], { timeoutMs: 20000 });
    assert.equal(result.stdout.trim(), '7', `sslmode=${mode}: ${result.stderr}`);
  }
  // The admin console switches to require at runtime; values outside PgBouncer's six modes are refused.
  const admin = (sql: string) => run(`${PG_BIN}/psql`, [`${base.replace(/\/postgres$/, '/pgbouncer')}?sslmode=require`, '-Atc', sql], { timeoutMs: 20000 });
  assert.match((await admin('SET client_tls_sslmode = verify-everything')).stderr, /SET failed/);
  assert.equal((await admin('SET client_tls_sslmode = require')).code, 0);
  const plain = await run(`${PG_BIN}/psql`, [`${base}?sslmode=disable`, '-Atc', 'select 7'], { timeoutMs: 20000 });
  assert.match(plain.stderr, /SSL required/);
});
