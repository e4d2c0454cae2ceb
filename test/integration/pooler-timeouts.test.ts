// PgBouncer's timeouts and pool sizing settings, set through a PgBouncer .ini.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, backendPid, connectPg, cstr, frontend, startPooler, writeIni, type RunningPooler } from './pooler-harness';
import { parseErrorFields } from '../../extension/pooler/protocol';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});

after(() => cluster?.stop());

async function poolerWith(settings: string, t: { after(fn: () => unknown): void }): Promise<RunningPooler> {
  const ini = writeIni(`[databases]\n[pgbouncer]\npool_mode = transaction\n${settings}\n`);
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  return pooler;
}

function serverBackends(): number {
  return Number(cluster.psql("select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()").trim());
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

async function expectError(raw: RawClient, message: string): Promise<void> {
  const { type, body } = await raw.next(5000);
  assert.equal(String.fromCharCode(type), 'E');
  assert.equal(parseErrorFields(body).get('M'), message);
}

test('idle_transaction_timeout closes a client idle inside a transaction, and its server', async (t) => {
  const pooler = await poolerWith('idle_transaction_timeout = 1\ndefault_pool_size = 1', t);
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  raw.socket.write(frontend('Q', cstr('begin')));
  assert.equal(await raw.readUntil('Z'), 'CZ');
  const started = Date.now();
  await expectError(raw, 'idle transaction timeout');
  assert.ok(Date.now() - started >= 900);
  assert.ok(await until(() => Number(cluster.psql("select count(*) from pg_stat_activity where state like 'idle in transaction%'").trim()) === 0, 3000));
  // Idle outside a transaction is fine.
  const calm = await connectPg(pooler.url());
  t.after(() => calm.end());
  await new Promise((resolve) => setTimeout(resolve, 1600));
  assert.deepEqual((await calm.query('select 1 as ok')).rows, [{ ok: 1 }]);
});

test('client_idle_timeout closes clients that stay silent', async (t) => {
  const pooler = await poolerWith('client_idle_timeout = 1', t);
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  await expectError(raw, 'client_idle_timeout');
});

test('server_idle_timeout closes unused server connections; min_pool_size keeps some open', async (t) => {
  const idle = await poolerWith('server_idle_timeout = 1', t);
  const client = await connectPg(idle.url());
  await client.query('select 1');
  await client.end();
  assert.ok(await until(() => serverBackends() === 0, 5000), 'idle server connections closed');
  await idle.stop();

  await poolerWith('min_pool_size = 3\ndefault_pool_size = 5', t);
  assert.ok(await until(() => serverBackends() === 3, 5000), `min_pool_size: ${serverBackends()} connections`);
});

test('server_lifetime replaces old server connections', async (t) => {
  // 3 s, not 1: on a loaded 2-core CI machine two queries can be a second apart, and the reuse check
  // below must see the connection before its lifetime ends.
  const pooler = await poolerWith('server_lifetime = 3\nserver_round_robin = 0', t);
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const first = await backendPid(client);
  assert.equal(await backendPid(client), first);
  await new Promise((resolve) => setTimeout(resolve, 3600));
  assert.notEqual(await backendPid(client), first);
});

test('reserve_pool: a client waiting longer than reserve_pool_timeout (5 s) gets an extra connection', { timeout: 30000 }, async (t) => {
  const pooler = await poolerWith('default_pool_size = 1\nreserve_pool_size = 1', t);
  const holder = await connectPg(pooler.url());
  t.after(() => holder.end());
  await holder.query('begin');
  const waiter = await connectPg(pooler.url());
  t.after(() => waiter.end());
  const started = Date.now();
  assert.deepEqual((await waiter.query('select 1 as ok')).rows, [{ ok: 1 }]);
  const waited = Date.now() - started;
  assert.ok(waited >= 4500 && waited < 9000, `waited ${waited} ms`);
  await holder.query('commit');
});
