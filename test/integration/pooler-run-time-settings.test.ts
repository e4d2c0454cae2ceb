// PgBouncer's run-time limits and timeouts, set by admin SET or read from the ini, each checked by
// its effect through real clients: client connection limits, server connection caps, query and
// transaction timeouts (global and per [users] entry), server_tls_sslmode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import type pg from 'pg';
import { startCluster, type Cluster } from '../helpers/cluster';
import { backendPid, connectPg, loginError, startPoolerWithIni, type RunningPooler } from './pooler-harness';
import { adminOk, backendAlive, eventually, records } from './admin-harness';

let cluster: Cluster;
let dir: string;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-run-time-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  return cluster?.stop();
});

/** A pooler whose ini serves `postgres` (forced user, password in the entry) plus `extra` entries. */
function poolerWith(t: { after(fn: () => unknown): void }, settings: string, extra = '', users = ''): Promise<RunningPooler> {
  const login = `host=127.0.0.1 port=${cluster.port} user=${cluster.user} password=${cluster.password}`;
  const ini =
    `[databases]\npostgres = ${login} dbname=postgres\n${extra}\n` +
    `[users]\n${users}\n` +
    `[pgbouncer]\nadmin_users = ${cluster.user}\npool_mode = transaction\nauth_type = md5\nauth_file = userlist.txt\n${settings}\n`;
  return startPoolerWithIni(cluster, dir, t, ini, `"${cluster.user}" "${cluster.password}"\n`);
}

async function clientOf(t: { after(fn: () => unknown): void }, pooler: RunningPooler, database = 'postgres'): Promise<pg.Client> {
  const client = await connectPg(pooler.url({ database }));
  t.after(() => client.end().catch(() => {}));
  return client;
}

function sleepingBackends(): number {
  return Number(cluster.psql("select count(*) from pg_stat_activity where query like 'select pg_sleep%' and pid <> pg_backend_pid()").trim());
}

test('admin SET max_user_client_connections refuses the user\'s next client with PgBouncer\'s error, and a closed client frees its place', async (t) => {
  const pooler = await poolerWith(t, '');
  await adminOk(cluster, pooler.port, 'SET max_user_client_connections = 2');
  const first = await clientOf(t, pooler);
  await clientOf(t, pooler);
  const refused = await loginError(pooler.url());
  assert.match(refused.message, /client connections exceeded \(max_user_client_connections\)/);
  // The console's own session counts too (as in PgBouncer), but an admin_users member is never locked out of it.
  const users = records(await adminOk(cluster, pooler.port, 'SHOW USERS'));
  const me = users.find((row) => row.name === cluster.user);
  assert.equal(me?.max_user_client_connections, '2');
  assert.equal(me?.current_client_connections, '3');
  await first.end();
  assert.ok(await eventually(async () => {
    const client = await connectPg(pooler.url()).catch(() => undefined);
    await client?.end();
    return client !== undefined;
  }), 'a place is free again once a client left');
});

test('max_db_client_connections of an ini database limits that database alone; SET changes the global limit', async (t) => {
  const login = `host=127.0.0.1 port=${cluster.port} user=${cluster.user} password=${cluster.password}`;
  const pooler = await poolerWith(t, '', `small = ${login} dbname=postgres max_db_client_connections=1`);
  await clientOf(t, pooler, 'small');
  assert.match((await loginError(pooler.url({ database: 'small' }))).message, /client connections exceeded \(max_db_client_connections\)/);
  await clientOf(t, pooler, 'postgres');
  await clientOf(t, pooler, 'postgres');
  await adminOk(cluster, pooler.port, 'SET max_db_client_connections = 2');
  assert.match((await loginError(pooler.url())).message, /max_db_client_connections/);
  const small = records(await adminOk(cluster, pooler.port, 'SHOW DATABASES')).find((row) => row.name === 'small');
  assert.equal(small?.max_client_connections, '1');
  assert.equal(small?.current_client_connections, '1');
});

test('query_timeout set at run time cancels a query running longer: the backend stops and the client gets "query timeout"', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith(t, '');
  await adminOk(cluster, pooler.port, 'SET query_timeout = 1');
  const client = await clientOf(t, pooler);
  await assert.rejects(client.query('select pg_sleep(20)'), /query timeout/);
  assert.ok(await eventually(() => sleepingBackends() === 0, 5000), 'the query no longer runs on the server');
  // A query shorter than the limit is untouched.
  const other = await clientOf(t, pooler);
  assert.deepEqual((await other.query('select 1 as ok from pg_sleep(0.2)')).rows, [{ ok: 1 }]);
});

test('a [users] query_timeout overrides the global one for that user only', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith(t, 'query_timeout = 100', '', `${cluster.user} = query_timeout=1`);
  const client = await clientOf(t, pooler);
  await assert.rejects(client.query('select pg_sleep(20)'), /query timeout/);
  const config = records(await adminOk(cluster, pooler.port, 'SHOW CONFIG')).find((row) => row.key === 'query_timeout');
  assert.equal(config?.value, '100');
});

test('transaction_timeout ends a transaction kept open longer than it', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith(t, 'transaction_timeout = 1');
  const client = await clientOf(t, pooler);
  const ended = new Promise<Error>((resolve) => client.once('error', resolve));
  await client.query('begin');
  await client.query('select 1');
  assert.match((await ended).message, /transaction timeout/);
  assert.equal(cluster.psql("select count(*) from pg_stat_activity where state like 'idle in transaction%'").trim(), '0');
});

test('max_db_connections caps the servers a database opens; waiting clients are served in turn', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith(t, 'default_pool_size = 5\nmax_db_connections = 2');
  const clients = await Promise.all([1, 2, 3, 4].map(() => clientOf(t, pooler)));
  let most = 0;
  const watch = setInterval(() => (most = Math.max(most, sleepingBackends())), 100);
  try {
    await Promise.all(clients.map((client) => client.query('select pg_sleep(1)')));
  } finally {
    clearInterval(watch);
  }
  assert.ok(most >= 1 && most <= 2, `${most} queries ran at once`);
  const row = records(await adminOk(cluster, pooler.port, 'SHOW DATABASES')).find((r) => r.name === 'postgres');
  assert.equal(row?.max_connections, '2');
});

test('SET server_tls_sslmode applies to new server connections of ini databases', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith(t, 'server_tls_sslmode = disable');
  const client = await clientOf(t, pooler);
  assert.deepEqual((await client.query('select 1 as ok')).rows, [{ ok: 1 }]);
  // The throwaway cluster has no TLS: requiring it makes every new server login fail.
  await adminOk(cluster, pooler.port, 'SET server_tls_sslmode = require');
  await adminOk(cluster, pooler.port, 'RECONNECT');
  await assert.rejects(client.query('select 1'), /TLS|SSL/i);
});

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A plain TCP relay from `port` to the cluster: the "server" becomes reachable when it starts. */
async function relayToCluster(t: { after(fn: () => unknown): void }, port: number): Promise<void> {
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(cluster.port, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    relay.close();
  });
}

test('an unreachable server keeps clients waiting: query_timeout bounds the wait, and a retry after server_login_retry serves them once it is up', { timeout: 30000 }, async (t) => {
  const port = await freePort();
  const login = `host=127.0.0.1 port=${port} user=${cluster.user} password=${cluster.password}`;
  const pooler = await poolerWith(t, 'server_login_retry = 1\nserver_tls_sslmode = disable\nquery_timeout = 2', `late = ${login} dbname=postgres`);
  assert.match((await loginError(pooler.url({ database: 'late' }))).message, /query_timeout/);
  assert.match(pooler.stderr(), /closing because: connect failed/);
  await adminOk(cluster, pooler.port, 'SET query_timeout = 0');
  const waiting = connectPg(pooler.url({ database: 'late' }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await relayToCluster(t, port);
  const client = await waiting;
  t.after(() => client.end().catch(() => {}));
  assert.deepEqual((await client.query('select 1 as ok')).rows, [{ ok: 1 }]);
});

test('server_fast_close: after RECONNECT a session-mode client loses its server at the next transaction boundary; without it the client keeps it', { timeout: 30000 }, async (t) => {
  const login = `host=127.0.0.1 port=${cluster.port} user=${cluster.user} password=${cluster.password}`;
  const pooler = await poolerWith(t, '', `sess = ${login} dbname=postgres pool_mode=session`);
  const client = await clientOf(t, pooler, 'sess');
  const pid = await backendPid(client);
  await adminOk(cluster, pooler.port, 'RECONNECT sess');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(await backendPid(client), pid, 'without server_fast_close the session keeps its server');
  const ended = new Promise<Error>((resolve) => client.once('error', resolve));
  await adminOk(cluster, pooler.port, 'SET server_fast_close = 1');
  assert.match((await ended).message, /database configuration changed/);
  assert.ok(await eventually(() => !backendAlive(cluster, pid), 5000), 'the server connection is closed');
});
