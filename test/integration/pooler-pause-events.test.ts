// PAUSE, WAIT_CLOSE and SHUTDOWN WAIT_FOR_SERVERS end because of the event they wait for — the last
// server released or closed — not at a timer's next tick: the pooler runs in this process, so the
// order in which things settle is observable without measuring time. Hazard detection is off: its
// audit of a transaction that called functions runs one more query before the server is released.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg } from './pooler-harness';
import { track } from './admin-harness';
import { Pooler } from '../../extension/pooler/pooler';
import { configForTarget, parseTargetUrl } from '../../extension/pooler/config';

let cluster: Cluster;
let pooler: Pooler;
let url: string;

before(async () => {
  cluster = await startCluster();
  pooler = new Pooler(configForTarget(parseTargetUrl(cluster.url()), { listen_port: 0, default_pool_size: 2, server_policy: 'lifo', hazard_detection: false }));
  const { port } = await pooler.start();
  url = `postgres://${encodeURIComponent(cluster.user)}:${encodeURIComponent(cluster.password)}@127.0.0.1:${port}/postgres`;
});

after(async () => {
  await pooler?.shutdown();
  cluster?.stop();
});

test('PAUSE is over by the time the last transaction\'s COMMIT reaches its client (it ends on the release, not on a poll)', async (t) => {
  const client = await connectPg(url);
  t.after(() => client.end());
  await client.query('begin');
  await client.query('select 1');
  const pause = track(pooler.pause());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pause.settled(), false, 'PAUSE ended while a transaction held its server');
  await client.query('commit');
  // The pooler released the server (and so ended PAUSE) before the COMMIT's answer reached the client.
  assert.equal(pause.settled(), true, 'PAUSE still pending after the last server was released');
  const held = track(client.query('select 2 as n'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(held.settled(), false, 'a query ran while paused');
  pooler.resume();
  assert.equal((await held.promise).rows[0].n, 2);
});

test('WAIT_CLOSE is over by the time the COMMIT that released the last marked server reaches its client', async (t) => {
  const client = await connectPg(url);
  t.after(() => client.end());
  await client.query('begin');
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  pooler.reconnect();
  const waitClose = track(pooler.waitClose());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(waitClose.settled(), false, 'WAIT_CLOSE ended while a marked server was in use');
  await client.query('commit');
  assert.equal(waitClose.settled(), true, 'WAIT_CLOSE still pending after the marked server was closed');
  const after = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  assert.notEqual(after, pid, 'the server RECONNECT marked served again');
});

test('SHUTDOWN WAIT_FOR_SERVERS begins the exit by the time the COMMIT that released the last server reaches its client', async (t) => {
  const client = await connectPg(url);
  client.on('error', () => {});
  t.after(() => client.end().catch(() => {}));
  await client.query('begin');
  await client.query('select 1');
  pooler.requestShutdown('wait_for_servers');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pooler.stopping, false, 'the pooler began stopping while a transaction held its server');
  await client.query('commit');
  assert.equal(pooler.stopping, true, 'the pooler still runs after its last server was released');
  await pooler.stopped;
});
