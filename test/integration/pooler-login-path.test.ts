// The way into the pooler, through node-postgres and raw sockets: what happens before login (bytes
// capped, `*` databases created only for real logins), a Terminate instead of a startup packet, a
// server's own FATAL, and refused logins on stderr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { once } from 'node:events';
import pg from 'pg';
import { MessageReader, parseErrorFields, startupMessage, terminate } from '../../extension/pooler/protocol';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN, connectPg, loginError, run, startPooler, startPoolerWithIni, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let dir: string;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-login-'));
  cluster.psql(`CREATE ROLE app LOGIN PASSWORD 'app-pw'`);
});

after(() => {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function poolerWithIni(t: { after(fn: () => unknown): void }, ini: string, userlist = ''): Promise<RunningPooler> {
  return startPoolerWithIni(cluster, dir, t, ini, userlist);
}

/** Everything a raw connection receives until the pooler closes it (bounded by `timeoutMs`). */
async function receivedUntilClose(socket: net.Socket, timeoutMs: number): Promise<{ messages: { type: string; body: Buffer }[]; closed: boolean }> {
  const reader = new MessageReader();
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => {});
  const closed = await Promise.race([once(socket, 'close').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs))]);
  const messages: { type: string; body: Buffer }[] = [];
  for (let m = reader.next(); m; m = reader.next()) messages.push({ type: String.fromCharCode(m.type), body: Buffer.from(m.body) });
  return { messages, closed };
}

async function rawConnect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** node-postgres's sequence for `connect()` then `end()` at once: Terminate, then the startup packet. */
async function connectThenEnd(config: pg.ClientConfig): Promise<{ errors: string[]; ended: boolean }> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5000 });
  const errors: string[] = [];
  client.on('error', (error: Error & { code?: string }) => errors.push(`error event ${error.code ?? error.message}`));
  const ended = once(client, 'end').then(() => true);
  client.connect().catch((error: Error & { code?: string }) => errors.push(`connect ${error.code ?? error.message}`));
  await client.end().catch((error: Error) => errors.push(`end ${error.message}`));
  const result = await Promise.race([ended, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000))]);
  await new Promise((resolve) => setTimeout(resolve, 200)); // a late FATAL would surface here
  return { errors, ended: result };
}

test('a Terminate sent instead of a startup packet is closed silently, as PostgreSQL does (node-postgres connect + end)', async (t) => {
  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  const base = { host: '127.0.0.1', user: cluster.user, password: cluster.password, database: 'postgres' };
  const direct = await connectThenEnd({ ...base, port: cluster.port });
  const through = await connectThenEnd({ ...base, port: pooler.port });
  assert.deepEqual(direct, { errors: [], ended: true });
  assert.deepEqual(through, direct);
  // On the wire: nothing at all comes back, the connection just closes.
  const socket = await rawConnect(pooler.port);
  socket.write(terminate());
  const { messages, closed } = await receivedUntilClose(socket, 5000);
  assert.deepEqual(messages, []);
  assert.equal(closed, true);
});

/** Errors node-postgres reports when the backend serving `select pg_sleep(60)` is terminated. */
async function errorsWhenBackendTerminated(connectionString: string): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  const errors: string[] = [];
  client.on('error', (error: Error & { code?: string }) => errors.push(`error event ${error.code}`));
  await client.connect();
  const sleeping = client.query('select pg_sleep(60) as slept').catch((error: Error & { code?: string }) => errors.push(`query ${error.code}`));
  const deadline = Date.now() + 10_000;
  let pid = '';
  while (!pid && Date.now() < deadline) {
    pid = cluster.psql(`SELECT pid FROM pg_stat_activity WHERE query = 'select pg_sleep(60) as slept' AND state = 'active'`).trim();
    if (!pid) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(pid, 'the sleeping backend never showed up');
  cluster.psql(`SELECT pg_terminate_backend(${pid})`);
  await sleeping;
  await new Promise((resolve) => setTimeout(resolve, 300)); // a second error would follow the first at once
  await client.end().catch(() => {});
  return errors;
}

test("after the server's own FATAL 57P01 the client gets that one error, no second FATAL from the pooler (node-postgres)", async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  const direct = await errorsWhenBackendTerminated(cluster.url());
  const through = await errorsWhenBackendTerminated(pooler.url());
  assert.ok(direct.includes('query 57P01'), `direct: ${direct.join(', ')}`);
  assert.deepEqual(through, direct);
  // The pool recovers: the next client gets a fresh server.
  const next = await connectPg(pooler.url());
  t.after(() => next.end());
  assert.deepEqual((await next.query('select 1 as one')).rows, [{ one: 1 }]);
});

test('refused logins are logged on stderr with user, database and reason, never the password (node-postgres)', async (t) => {
  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  const error = await loginError(pooler.url({ password: 'Wr0ng-Passw0rd', database: 'postgres' }));
  assert.equal(error.code, '28P01');
  const deadline = Date.now() + 5000;
  const line = () => pooler.stderr().split('\n').find((l) => l.includes('closing because'));
  while (!line() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  // PgBouncer's line: C-<id>: <database>/<user>@<address>:<port> closing because: <reason> (age=<s>s), plus the SQLSTATE.
  assert.match(line() ?? '', new RegExp(`C-\\d+: postgres/${cluster.user}@127\\.0\\.0\\.1:\\d+ closing because: SASL authentication failed \\(age=\\d+s\\) \\[28P01\\]`));
  assert.ok(!pooler.stderr().includes('Wr0ng-Passw0rd'));
});

test('while an auth_query lookup is pending, a client pushing megabytes is refused with FATAL 08P01 before any challenge', async (t) => {
  // The lookup takes 2 s, so the pooler holds the client's bytes while it waits.
  const pooler = await poolerWithIni(t, [
    '[pgbouncer]', `auth_user = ${cluster.user}`, 'auth_type = scram-sha-256',
    'auth_query = SELECT usename, passwd FROM pg_shadow, pg_sleep(2) WHERE usename = $1', '',
  ].join('\n'));
  const socket = await rawConnect(pooler.port);
  const received = receivedUntilClose(socket, 15_000);
  socket.write(startupMessage({ user: 'app', database: 'postgres' }));
  const megabyte = Buffer.alloc(1 << 20, 0x70);
  for (let i = 0; i < 8 && !socket.destroyed; i++) {
    if (!socket.write(megabyte)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
  }
  const { messages, closed } = await received;
  assert.equal(closed, true, 'the pooler kept the connection open');
  // The refusal comes first: without a cap the pooler would answer the lookup with its SASL challenge.
  assert.equal(messages[0]?.type, 'E', `messages: ${messages.map((m) => m.type).join('')}`);
  const fields = parseErrorFields(messages[0].body);
  assert.equal(fields.get('S'), 'FATAL');
  assert.equal(fields.get('C'), '08P01');
  assert.equal(messages.length, 1);
  // The pooler stays healthy for everyone else (lookups run one at a time: this one waits for the refused client's).
  assert.deepEqual((await (await connectPg(pooler.url({ user: 'app', password: 'app-pw' }))).query('select 1 as one')).rows, [{ one: 1 }]);
});

async function showDatabases(pooler: RunningPooler): Promise<string[]> {
  const { code, stdout, stderr } = await run(join(PG_BIN, 'psql'), ['-X', '-A', '-t', '-d', pooler.url({ database: 'pgbouncer' }), '-c', 'SHOW DATABASES'], { timeoutMs: 15000 });
  assert.equal(code, 0, stderr);
  return stdout.split('\n').filter((line) => line !== '').map((line) => line.split('|')[0]).sort();
}

test('with a `*` database entry, failed logins to made-up database names create no database; a real login does', async (t) => {
  const pooler = await poolerWithIni(t, [
    '[databases]', `* = host=127.0.0.1 port=${cluster.port} user=${cluster.user} password=${cluster.password}`,
    '[pgbouncer]', 'auth_type = scram-sha-256', 'auth_file = userlist.txt', `admin_users = ${cluster.user}`, '',
  ].join('\n'), `"${cluster.user}" "${cluster.password}"\n"app" "app-pw"\n`);
  const before = await showDatabases(pooler);
  for (let i = 0; i < 40; i++) {
    const database = `nosuch_${i}_${Math.random().toString(36).slice(2, 8)}`;
    const error = await loginError(pooler.url({ user: i % 2 ? 'app' : 'nobody', password: 'wrong', database }));
    assert.equal(error.code, '28P01');
  }
  assert.deepEqual(await showDatabases(pooler), before);
  // The same path does register a database once a login succeeds (so the check above can fail).
  cluster.psql('CREATE DATABASE star_target');
  const client = await connectPg(pooler.url({ user: 'app', password: 'app-pw', database: 'star_target' }));
  await client.end();
  assert.deepEqual(await showDatabases(pooler), [...before, 'star_target'].sort());
});
