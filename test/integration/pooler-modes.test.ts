// Pool modes and server policies, observed through pg_backend_pid() and real failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { startCluster, type Cluster } from '../helpers/cluster';
import { backendPid, connectPg, startPooler, writeIni } from './pooler-harness';
import { cancelRequest } from '../../extension/pooler/protocol';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});

after(() => cluster?.stop());

test('transaction mode: two clients share one server connection with --pool-size 1', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  const a = await connectPg(pooler.url());
  const b = await connectPg(pooler.url());
  t.after(() => Promise.all([a.end(), b.end()]));
  const pids = [await backendPid(a), await backendPid(b), await backendPid(a), await backendPid(b)];
  assert.equal(new Set(pids).size, 1, `pids ${pids}`);
  const direct = cluster.psql("select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()").trim();
  assert.equal(direct, '1');
});

test('rotate: one client gets a different server connection on its next transaction', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '2', '--server-policy', 'rotate']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const pids: number[] = [];
  for (let i = 0; i < 4; i++) pids.push(await backendPid(client));
  assert.notEqual(pids[0], pids[1]);
  assert.notEqual(pids[1], pids[2]);
  assert.notEqual(pids[2], pids[3]);
  // Inside one transaction the server stays.
  await client.query('begin');
  const inside = [await backendPid(client), await backendPid(client)];
  await client.query('commit');
  assert.equal(inside[0], inside[1]);
});

test('lifo: one client keeps getting the most recently used server connection', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '2', '--server-policy', 'lifo']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const pids: number[] = [];
  for (let i = 0; i < 4; i++) pids.push(await backendPid(client));
  assert.equal(new Set(pids).size, 1, `pids ${pids}`);
});

test('session mode: a client keeps its server connection; a second client gets another', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-mode', 'session', '--pool-size', '2']);
  t.after(() => pooler.stop());
  const a = await connectPg(pooler.url());
  t.after(() => a.end());
  await a.query('prepare twice as select 2');
  const first = await backendPid(a);
  const b = await connectPg(pooler.url());
  t.after(() => b.end());
  const other = await backendPid(b);
  assert.equal(await backendPid(a), first);
  assert.notEqual(other, first);
  assert.deepEqual((await a.query('execute twice')).rows, [{ '?column?': 2 }]);
});

test('statement mode: single statements work, transaction blocks are refused like PgBouncer', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-mode', 'statement', '--pool-size', '1']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end().catch(() => {}));
  assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
  await assert.rejects(client.query('begin'), /transaction blocks not allowed in statement pooling mode/);
  // The pool is not poisoned: a new client works and is not inside a transaction.
  const next = await connectPg(pooler.url());
  t.after(() => next.end());
  assert.equal((await next.query('select now() = statement_timestamp() as fresh')).rows[0].fresh, true);
});

test('a client killed mid-transaction leaves nothing behind for the next client', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  const victim = await connectPg(pooler.url());
  await victim.query('begin');
  await victim.query("set local statement_timeout = '1234s'");
  await victim.query('select pg_advisory_xact_lock(42)');
  await victim.query('create table if not exists doomed (n int)');
  (victim as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
  const next = await connectPg(pooler.url());
  t.after(() => next.end());
  const { rows } = await next.query(
    "select current_setting('statement_timeout') as timeout, (select count(*)::int from pg_locks where locktype = 'advisory') as locks, to_regclass('doomed') is null as rolled_back, now() = statement_timestamp() as fresh",
  );
  assert.deepEqual(rows, [{ timeout: '0', locks: 0, rolled_back: true, fresh: true }]);
  const idleInTx = cluster.psql("select count(*) from pg_stat_activity where state like 'idle in transaction%'").trim();
  assert.equal(idleInTx, '0');
});

test('pool exhaustion: a waiting client gets query_wait_timeout like PgBouncer', async (t) => {
  const ini = writeIni(`[databases]\n[pgbouncer]\npool_mode = transaction\nquery_wait_timeout = 1\ndefault_pool_size = 1\n`);
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const holder = await connectPg(pooler.url());
  t.after(() => holder.end());
  await holder.query('begin');
  const waiter = await connectPg(pooler.url());
  const started = Date.now();
  await assert.rejects(waiter.query('select 1'), (error: Error & { code?: string }) => {
    // PgBouncer 1.18 answers exactly so (checked side by side): FATAL 08P01 "query_wait_timeout".
    assert.equal(error.message, 'query_wait_timeout');
    assert.equal(error.code, '08P01');
    assert.equal((error as Error & { severity?: string }).severity, 'FATAL');
    return true;
  });
  const waited = Date.now() - started;
  assert.ok(waited >= 900 && waited < 5000, `waited ${waited} ms`);
  await holder.query('commit');
  await waiter.end().catch(() => {});
});

test('cancel: a CancelRequest with the pooler-issued key cancels the running query (57014)', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '2']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const keys = client as unknown as { processID: number; secretKey: number };
  const started = Date.now();
  const sleeping = client.query('select pg_sleep(10)');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const socket = net.connect({ host: '127.0.0.1', port: pooler.port });
  await once(socket, 'connect');
  socket.end(cancelRequest(keys.processID, keys.secretKey));
  await assert.rejects(sleeping, (error: Error & { code?: string }) => {
    assert.equal(error.code, '57014');
    return true;
  });
  assert.ok(Date.now() - started < 3000, 'cancelled quickly');
  socket.destroy();
  // A wrong key cancels nothing.
  const again = client.query('select pg_sleep(0.5) as slept');
  const bad = net.connect({ host: '127.0.0.1', port: pooler.port });
  await once(bad, 'connect');
  bad.end(cancelRequest(keys.processID, keys.secretKey ^ 1));
  assert.deepEqual((await again).rows, [{ slept: '' }]);
  bad.destroy();
});

test('cancel race: a burst of cancels for one client never cancels the next client\'s query on the same server (pool size 1)', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1', '--server-policy', 'lifo']);
  t.after(() => pooler.stop());
  const first = await connectPg(pooler.url());
  const second = await connectPg(pooler.url());
  t.after(() => Promise.all([first.end(), second.end()]));
  const keys = first as unknown as { processID: number; secretKey: number };
  const cancelled = first.query('select pg_sleep(5)').then(() => 'finished', (error: Error & { code?: string }) => error.code);
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Queued behind the first client: it gets the same server connection once the first is done.
  const next = second.query('select pg_sleep(1) as slept').then((result) => result.rows, (error: Error & { code?: string }) => error.code);
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Many cancels at once: some reach the pooler only while the first query is already being
  // cancelled; none of them may land on the second client's query.
  const sockets = await Promise.all(Array.from({ length: 100 }, async () => {
    const socket = net.connect({ host: '127.0.0.1', port: pooler.port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.end(cancelRequest(keys.processID, keys.secretKey));
    return socket;
  }));
  assert.equal(await cancelled, '57014');
  assert.deepEqual(await next, [{ slept: '' }]);
  for (const socket of sockets) socket.destroy();
});

test('a server connection killed under a client fails that client only; the pool recovers', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  const victim = await connectPg(pooler.url());
  t.after(() => victim.end().catch(() => {}));
  await victim.query('begin');
  const pid = await backendPid(victim);
  cluster.psql(`select pg_terminate_backend(${pid})`);
  await assert.rejects(victim.query('select 1'));
  const next = await connectPg(pooler.url());
  t.after(() => next.end());
  const fresh = await backendPid(next);
  assert.notEqual(fresh, pid);
  // An idle server connection dying is noticed before it is handed out again.
  cluster.psql(`select pg_terminate_backend(${fresh})`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.notEqual(await backendPid(next), fresh);
});

test('round-robin: one client cycles through every idle server connection, oldest first', async (t) => {
  // Hazard detection off: until it has learned the server's built-in functions, it asks the server
  // after a transaction that called one (pg_backend_pid), and that answer can come back after the
  // test's next commit, so the idle list's order would depend on the machine's load.
  const pooler = await startPooler(cluster, ['--pool-size', '3', '--server-policy', 'round-robin', '--hazards', 'off']);
  t.after(() => pooler.stop());
  // Three concurrent transactions make the pool open three server connections.
  const openers = await Promise.all([0, 1, 2].map(() => connectPg(pooler.url())));
  t.after(() => Promise.all(openers.map((c) => c.end())));
  for (const c of openers) await c.query('begin');
  const opened = await Promise.all(openers.map((c) => backendPid(c)));
  assert.equal(new Set(opened).size, 3);
  for (const c of openers) await c.query('commit');
  const client = openers[0];
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) seen.push(await backendPid(client));
  assert.equal(new Set(seen.slice(0, 3)).size, 3, `pids ${seen}`);
  assert.deepEqual(seen.slice(3), seen.slice(0, 3));
});
