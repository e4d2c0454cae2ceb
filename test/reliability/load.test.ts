// Load: 1,000 clients held over a pool of 20, 10,000 connect/disconnect cycles, and a 100 MB result
// read by a client that stops reading (the pooler must apply backpressure, not buffer). Figures go
// to the test log; leaks are checked with /proc/<pid>/fd, SHOW SERVERS and pg_stat_activity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startCluster } from '../helpers/cluster';
import { adminShow, fdCount, serverBackends, sleep, startReliablePooler, waitUntil } from './common';
import { connectCycles, holdClients, slowReader } from './load';

const HELD_CLIENTS = Number(process.env.LOAD_CLIENTS ?? 1000);
const CYCLES = Number(process.env.LOAD_CYCLES ?? 10_000);
const CYCLE_SECONDS = Number(process.env.LOAD_CYCLE_SECONDS ?? 180);

test('fd limit is high enough for 1,000 clients on both ends', () => {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  assert.ok(limit >= 2 * HELD_CLIENTS + 200, `ulimit -n is ${limit}: raise it to run the load tests`);
});

test(`${HELD_CLIENTS} concurrent clients over a pool of 20; ${CYCLES} connect/disconnect cycles (at least ${Math.min(CYCLES, 2000)} when ${CYCLE_SECONDS} s run out); no leaks`, { timeout: 400_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, { max_client_conn: HELD_CLIENTS + 100, client_login_timeout: 60 }, ['--pool-size', '20']);
  t.after(() => pooler.stop());
  const fdsBefore = fdCount(pooler.pid);
  const held = await holdClients(pooler, HELD_CLIENTS, 10_000);
  t.diagnostic(`held: ${JSON.stringify(held)}`);
  assert.equal(held.connected, HELD_CLIENTS);
  assert.equal(held.starved, 0);
  assert.deepEqual(held.errors, {});
  assert.ok(serverBackends(cluster).total <= 20, 'more than 20 server connections');

  const cycles = await connectCycles(pooler, CYCLES, 20, CYCLE_SECONDS);
  t.diagnostic(`cycles: ${JSON.stringify(cycles)}`);
  assert.equal(cycles.failed, 0);
  // Bounded in time: on a machine shared with other work the budget may end the run first.
  if (cycles.cycles < CYCLES) {
    assert.ok(cycles.seconds >= CYCLE_SECONDS && cycles.cycles >= Math.min(CYCLES, 2000), `only ${cycles.cycles} cycles in ${cycles.seconds} s`);
  }

  // Everything closed: sockets back to the start, servers idle and within the pool size.
  await waitUntil(() => fdCount(pooler.pid) <= fdsBefore + 20, 10_000, 'client sockets to close');
  const fdsAfter = fdCount(pooler.pid);
  const servers = await adminShow(pooler, 'SERVERS');
  const clients = await adminShow(pooler, 'CLIENTS');
  const backends = serverBackends(cluster);
  t.diagnostic(`pooler fds before ${fdsBefore} after ${fdsAfter}; SHOW SERVERS ${servers.length}; SHOW CLIENTS ${clients.length}; pg_stat_activity ${JSON.stringify(backends)}`);
  assert.ok(servers.length <= 20);
  assert.equal(backends.total, servers.length, 'pg_stat_activity and SHOW SERVERS disagree (leaked server connection)');
  assert.equal(backends.idleInTransaction, 0);
  assert.ok(clients.length <= 1, `clients left over: ${clients.length}`); // the SHOW itself
  // Server sockets (≤ 20) may be open; client sockets must all be gone.
  assert.ok(fdsAfter <= fdsBefore + 20, `fd leak: ${fdsBefore} → ${fdsAfter}`);
});

test('a client reading a 100 MB result slowly: the backend waits, the pooler does not buffer it', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, {}, ['--pool-size', '2']);
  t.after(() => pooler.stop());
  await sleep(200);
  const figures = await slowReader(pooler, cluster.user, cluster.password, 100, 3000, () =>
    cluster.psql("select coalesce(string_agg(wait_event, ','), '') from pg_stat_activity where query like 'select repeat%' and pid <> pg_backend_pid()").trim(),
  );
  t.diagnostic(`slow reader: ${JSON.stringify(figures)}`);
  assert.ok(figures.bytes > 100 * 1024 * 1024, `read ${figures.bytes} bytes`);
  assert.ok(figures.serverBlocked, 'the backend never waited on ClientWrite: no backpressure');
  const growthMb = (figures.peakRssKb - figures.baselineRssKb) / 1024;
  assert.ok(growthMb < 48, `pooler RSS grew ${growthMb.toFixed(1)} MB for a 100 MB result`);
});
