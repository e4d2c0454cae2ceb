// A client that sends half a message must not pin a server connection (PgBouncer waits for a whole
// small message before taking one); big messages are streamed once their header has arrived.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, connectPg, cstr, frontend, startPooler, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let pooler: RunningPooler;

before(async () => {
  cluster = await startCluster();
  pooler = await startPooler(cluster, ['--pool-size', '1']);
});

after(async () => {
  await pooler?.stop();
  await cluster?.stop();
});

test('half a Query holds no server: another client runs meanwhile, then the half-sent query completes', async (t) => {
  const slow = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => slow.close());
  const query = frontend('Q', cstr('SELECT 42'));
  slow.socket.write(query.subarray(0, 3)); // type byte and half the length
  await new Promise((resolve) => setTimeout(resolve, 200));
  slow.socket.write(query.subarray(3, 8)); // header complete, body not
  await new Promise((resolve) => setTimeout(resolve, 200));

  const other = await connectPg(pooler.url());
  t.after(() => other.end());
  const started = Date.now();
  const { rows } = await other.query('SELECT 1 AS one');
  assert.equal(rows[0].one, 1);
  assert.ok(Date.now() - started < 3000, 'the only server connection was free for the other client');

  slow.socket.write(query.subarray(8));
  assert.equal(await slow.readUntil('Z'), 'TDCZ');
});

test('a message larger than 64 KB is streamed: the server is taken once its header is in', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  const big = frontend('Q', cstr(`SELECT length('${'x'.repeat(200_000)}')`));
  raw.socket.write(big.subarray(0, 100_000));
  await new Promise((resolve) => setTimeout(resolve, 200));
  raw.socket.write(big.subarray(100_000));
  assert.equal(await raw.readUntil('Z'), 'TDCZ');
});
