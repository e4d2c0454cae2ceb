// The pooler when PostgreSQL refuses more connections.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { backendPid, connectPg, startPooler } from './pooler-harness';

let cluster: Cluster;

before(async () => {
  // One connection in all: the pooler's first server connection takes it.
  cluster = await startCluster({ settings: { max_connections: '1', superuser_reserved_connections: '0' } });
});

after(() => cluster?.stop());

test('rotate falls back to the previous server when PostgreSQL refuses another connection', { timeout: 20000 }, async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '5', '--server-policy', 'rotate']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const started = Date.now();
  const first = await backendPid(client);
  assert.equal(await backendPid(client), first);
  assert.ok(Date.now() - started < 5000, 'no wait for query_wait_timeout');
});
