// The same behaviour checks against PoolSafe and a real PgBouncer (Debian's 1.18), side by side,
// where PoolSafe is meant to behave identically. Deliberate differences are asserted per target.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer } from '../helpers/pgbouncer';
import { backendPid, connectPg, startPooler, writeIni } from './pooler-harness';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});

after(() => cluster?.stop());

interface Target {
  name: 'poolsafe' | 'pgbouncer';
  url(): string;
}

type Settings = { poolMode?: 'session' | 'transaction' | 'statement'; poolSize: number; extra?: Record<string, string> };

/** Starts PoolSafe (lifo, PgBouncer's policy) and PgBouncer with the same settings. */
async function both(settings: Settings, t: { after(fn: () => unknown): void }): Promise<Target[]> {
  const lines = Object.entries({ pool_mode: settings.poolMode ?? 'transaction', default_pool_size: String(settings.poolSize), ...settings.extra })
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  const ini = writeIni(`[databases]\n[pgbouncer]\n${lines}\nserver_round_robin = 0\n`);
  t.after(() => ini.remove());
  const poolsafe = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => poolsafe.stop());
  const bouncer = await startPgBouncer({
    targetPort: cluster.port,
    poolMode: settings.poolMode ?? 'transaction',
    poolSize: settings.poolSize,
    users: [{ name: cluster.user, password: cluster.password }],
    extra: settings.extra,
  });
  t.after(() => bouncer.stop());
  return [
    { name: 'poolsafe', url: () => poolsafe.url() },
    { name: 'pgbouncer', url: () => bouncer.url('postgres', cluster.user, cluster.password) },
  ];
}

async function failure(promise: Promise<unknown>): Promise<{ message: string; code?: string; severity?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code?: string; severity?: string };
    return { message: e.message, code: e.code, severity: e.severity };
  }
  throw new Error('expected a failure');
}

test('transaction mode: two clients share one server; a transaction block keeps it', async (t) => {
  for (const target of await both({ poolSize: 1 }, t)) {
    const a = await connectPg(target.url());
    const b = await connectPg(target.url());
    const pids = [await backendPid(a), await backendPid(b)];
    assert.equal(pids[0], pids[1], target.name);
    await a.query('begin');
    const waiting = b.query('select 1 as one');
    const raced = await Promise.race([waiting.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    assert.equal(raced, 'waiting', `${target.name}: b waits while a holds the server`);
    await a.query('commit');
    assert.deepEqual((await waiting).rows, [{ one: 1 }], target.name);
    await Promise.all([a.end(), b.end()]);
  }
});

test('statement mode refuses transaction blocks with the same error', async (t) => {
  const seen: Record<string, unknown> = {};
  for (const target of await both({ poolMode: 'statement', poolSize: 1 }, t)) {
    const client = await connectPg(target.url());
    seen[target.name] = await failure(client.query('begin'));
    await client.end().catch(() => {});
  }
  assert.deepEqual(seen.poolsafe, seen.pgbouncer);
  assert.deepEqual(seen.poolsafe, { message: 'transaction blocks not allowed in statement pooling mode', code: '08P01', severity: 'FATAL' });
});

test('query_wait_timeout gives the same error', async (t) => {
  const seen: Record<string, unknown> = {};
  for (const target of await both({ poolSize: 1, extra: { query_wait_timeout: '1' } }, t)) {
    const holder = await connectPg(target.url());
    await holder.query('begin');
    const waiter = await connectPg(target.url());
    seen[target.name] = await failure(waiter.query('select 1'));
    await holder.query('commit');
    await Promise.all([holder.end(), waiter.end().catch(() => {})]);
  }
  assert.deepEqual(seen.poolsafe, seen.pgbouncer);
});

test('deliberate difference: options -c search_path=x is applied (as PostgreSQL does) where PgBouncer refuses it', async (t) => {
  const seen: Record<string, unknown> = {};
  for (const target of await both({ poolSize: 1 }, t)) {
    const client = new pg.Client({ connectionString: target.url(), options: '-c search_path=x' });
    client.on('error', () => {});
    try {
      await client.connect();
      seen[target.name] = (await client.query('show search_path')).rows[0].search_path;
    } catch (error) {
      seen[target.name] = await failure(Promise.reject(error));
    }
    await client.end().catch(() => {});
  }
  assert.equal(seen.poolsafe, 'x');
  assert.deepEqual(seen.pgbouncer, { message: 'unsupported startup parameter: options', code: '08P01', severity: 'FATAL' });
});

test('a wrong SCRAM password is "SASL authentication failed" as in PgBouncer; PoolSafe keeps PostgreSQL\'s SQLSTATE 28P01', async (t) => {
  const seen: Record<string, unknown> = {};
  for (const target of await both({ poolSize: 1 }, t)) {
    const url = target.url().replace(`:${encodeURIComponent(cluster.password)}@`, ':wrong@');
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    seen[target.name] = await failure(client.connect());
    await client.end().catch(() => {});
  }
  assert.deepEqual(seen.pgbouncer, { message: 'SASL authentication failed', code: '08P01', severity: 'FATAL' });
  assert.deepEqual(seen.poolsafe, { message: 'SASL authentication failed', code: '28P01', severity: 'FATAL' });
});
