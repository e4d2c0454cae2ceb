// The editor's pooler child (extension/ui/poolerProcess.ts + extension/pooler/ipc.ts): forks the
// built dist/pooler.js with an IPC channel in front of a throwaway cluster and checks snapshots,
// client counts, kill-client, clean stop, crash and start-up failure reasons.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { startCluster, type Cluster } from '../helpers/cluster';
import { poolerPath } from '../helpers/paths';
import { PoolerProcess, type PoolerState } from '../../extension/ui/poolerProcess';
import type { PoolerSummary } from '../../extension/pooler/ipc';

let cluster: Cluster;
const started: PoolerProcess[] = [];

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await Promise.all(started.map((pooler) => pooler.stop()));
  cluster?.stop();
});

function newPooler(): PoolerProcess {
  const pooler = new PoolerProcess();
  started.push(pooler);
  return pooler;
}

async function startRunning(args: string[] = []): Promise<{ pooler: PoolerProcess; port: number; pid: number }> {
  const pooler = newPooler();
  const state = await pooler.start({ script: poolerPath, args: ['--listen', '127.0.0.1:0', ...args], target: cluster.url() });
  assert.equal(state.status, 'running', JSON.stringify(state));
  if (state.status !== 'running') throw new Error('not running');
  return { pooler, port: state.info.port, pid: state.info.pid };
}

/** Resolves once the pooler reports a summary matching `want` (bounded by 10 s). */
async function summaryWhere(pooler: PoolerProcess, want: (summary: PoolerSummary) => boolean): Promise<PoolerSummary> {
  const now = pooler.state;
  if (now.status === 'running' && want(now.summary)) return now.summary;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pooler.off('state', onState);
      reject(new Error(`summary never matched; last state ${JSON.stringify(pooler.state)}`));
    }, 10_000);
    const onState = (state: PoolerState) => {
      if (state.status !== 'running' || !want(state.summary)) return;
      clearTimeout(timer);
      pooler.off('state', onState);
      resolve(state.summary);
    };
    pooler.on('state', onState);
  });
}

async function connect(port: number, application: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1', port, user: cluster.user, password: cluster.password, database: 'postgres',
    application_name: application, connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

test('runs the pooler as a child: ready info, snapshots with PgBouncer columns, live client count', async (t) => {
  const { pooler, port, pid } = await startRunning(['--pool-size', '3']);
  assert.ok(port > 0);
  const running = pooler.state;
  assert.ok(running.status === 'running');
  assert.equal(running.info.poolMode, 'transaction');
  assert.equal(running.info.serverPolicy, 'rotate');
  assert.equal(running.info.poolSize, 3);
  // The password travels in the environment, never on the command line other users can read.
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  assert.ok(!commandLine.includes(cluster.password), commandLine);

  const app = await connect(port, 'u1-ipc-test');
  t.after(() => app.end().catch(() => {}));
  const { rows } = await app.query('select pg_backend_pid() as pid');
  await summaryWhere(pooler, (s) => s.clients === 1 && s.servers >= 1);

  const snapshot = await pooler.snapshot();
  assert.ok(Date.now() - snapshot.takenAt < 5000);
  const client = snapshot.clients.find((row) => row.application_name === 'u1-ipc-test');
  assert.ok(client, JSON.stringify(snapshot.clients));
  assert.equal(client.type, 'C');
  assert.equal(client.user, cluster.user);
  assert.equal(client.database, 'postgres');
  assert.equal(typeof client.id, 'number');
  assert.ok(['idle', 'active'].includes(String(client.state)));
  const server = snapshot.servers.find((row) => row.remote_pid === rows[0].pid);
  assert.ok(server, `no server with remote_pid ${rows[0].pid}: ${JSON.stringify(snapshot.servers)}`);
  assert.equal(server.type, 'S');
  const pool = snapshot.pools.find((row) => row.database === 'postgres');
  assert.ok(pool, JSON.stringify(snapshot.pools));
  assert.equal(pool.pool_mode, 'transaction');
  assert.equal(pool.cl_active, 1);
  const stats = snapshot.stats.find((row) => row.database === 'postgres');
  assert.ok(stats && typeof stats.total_query_count === 'number' && stats.total_query_count >= 1, JSON.stringify(snapshot.stats));
  assert.ok(Array.isArray(snapshot.hazards));

  await app.end();
  await summaryWhere(pooler, (s) => s.clients === 0);
  await pooler.stop();
  assert.equal(pooler.state.status, 'off');
  await assert.rejects(connect(port, 'after-stop'), /ECONNREFUSED/);
});

test('kill client closes exactly that client; unknown ids are refused', async (t) => {
  const { pooler, port } = await startRunning();
  const victim = await connect(port, 'victim');
  const bystander = await connect(port, 'bystander');
  t.after(() => Promise.all([victim.end().catch(() => {}), bystander.end().catch(() => {})]));
  await summaryWhere(pooler, (s) => s.clients === 2);
  const snapshot = await pooler.snapshot();
  const id = snapshot.clients.find((row) => row.application_name === 'victim')?.id;
  assert.equal(typeof id, 'number');
  const ended = new Promise((resolve) => victim.once('end', resolve));
  await pooler.killClient(id as number);
  await ended;
  await assert.rejects(victim.query('select 1'));
  assert.equal((await bystander.query('select 2 as two')).rows[0].two, 2);
  await summaryWhere(pooler, (s) => s.clients === 1);
  await assert.rejects(pooler.killClient(999_999), /no client with id 999999/);
  await pooler.stop();
});

test('a crash becomes an error state with Restart, and the pooler starts again', async () => {
  const { pooler, pid } = await startRunning();
  const failed = new Promise<PoolerState>((resolve) => pooler.on('state', (s) => s.status === 'error' && resolve(s)));
  process.kill(pid, 'SIGKILL');
  const state = await failed;
  assert.ok(state.status === 'error');
  assert.equal(state.failure.kind, 'crashed');
  assert.equal(state.failure.action, 'Restart');
  assert.match(state.failure.message, /SIGKILL/);
  await assert.rejects(pooler.snapshot(), /not running/);
  const again = await pooler.start({ script: poolerPath, args: ['--listen', '127.0.0.1:0'], target: cluster.url() });
  assert.equal(again.status, 'running');
  await pooler.stop();
});

test('start-up failures are explained: bad password, unreachable target, port in use, missing database', async (t) => {
  const blocker: Server = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const busyPort = (blocker.address() as { port: number }).port;
  const cases: [string, string[], string, RegExp][] = [
    [cluster.url('postgres', cluster.user, 'wrong-password'), [], 'bad-password', /rejected the password for user postgres/],
    ['postgres://postgres:x@127.0.0.1:1/postgres', [], 'target-unreachable', /Cannot reach the database at 127\.0\.0\.1:1/],
    [cluster.url(), ['--listen', `127.0.0.1:${busyPort}`], 'port-in-use', new RegExp(`Port ${busyPort} is already in use`)],
    [cluster.url('no_such_db'), [], 'no-database', /Database "no_such_db" does not exist/],
  ];
  for (const [target, args, kind, message] of cases) {
    const pooler = newPooler();
    const state = await pooler.start({ script: poolerPath, args: args.length ? args : ['--listen', '127.0.0.1:0'], target });
    assert.ok(state.status === 'error', `${kind}: ${JSON.stringify(state)}`);
    assert.equal(state.failure.kind, kind, JSON.stringify(state.failure));
    assert.match(state.failure.message, message);
    assert.match(state.failure.detail, /^poolsafe pooler: /);
  }
});

test('the pooler shuts down when the extension host dies (its IPC channel closes)', async () => {
  // A stand-in extension host: forks the pooler, reports its pid, then is SIGKILLed like a crashed host.
  const host = `
    const child = require('node:child_process').fork(${JSON.stringify(poolerPath)}, ['--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [], env: { ...process.env, POOLSAFE_TARGET: ${JSON.stringify(cluster.url())} },
    });
    child.on('message', (m) => { if (m.type === 'ready') process.stdout.write(m.pid + '\\n'); });
  `;
  const hostProcess = spawn(process.execPath, ['-e', host], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killer = setTimeout(() => hostProcess.kill('SIGKILL'), 20_000);
  let poolerPid = 0;
  try {
    const [line] = (await once(hostProcess.stdout!, 'data')) as [Buffer];
    poolerPid = Number(line.toString().trim());
    assert.ok(poolerPid > 0 && isAlive(poolerPid));
    hostProcess.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (isAlive(poolerPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!isAlive(poolerPid), 'the pooler outlived its extension host');
  } finally {
    clearTimeout(killer);
    hostProcess.kill('SIGKILL');
    if (poolerPid > 0 && isAlive(poolerPid)) process.kill(poolerPid, 'SIGKILL');
  }
});

/** Running (a zombie waiting for a reaper that may not exist in a container counts as gone). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
