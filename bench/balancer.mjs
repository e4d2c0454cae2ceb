// Load-balancing benchmark: `pgbench -S` over a real primary and its streaming replica, side by side
// in one run, interleaved rounds:
//   pgpool2          real Pgpool-II (Debian pgpool2) balancing over primary + replica (pgpool.conf below)
//   poolsafe         PoolSafe with `--config` the very same pgpool.conf (Pgpool-II routing rules)
//   poolsafe-direct  PoolSafe with no balancing, pointed at the replica itself (same reads, no routing)
// Prints TPS and latency (medians), CPU seconds per 1,000 transactions of each balancer (Pgpool-II:
// all its processes), the TPS ratio PoolSafe / Pgpool-II, and PoolSafe's routing overhead per
// statement: latency and CPU of `poolsafe` minus `poolsafe-direct`. Also checks that every read
// really ran on the replica (pg_stat_database counters on each host).
//
// Run after `npm run build`. Env: BENCH_SECONDS (per run, default 10), BENCH_ROUNDS (default 2),
// BENCH_SCALE (pgbench scale, default 10), BENCH_CLIENTS (default "1,10"), BENCH_POOL_SIZE (default 20).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failer, positiveIntEnv } from './env.mjs';
import { PGBENCH, procStat, runPgbench } from './pgbench.mjs';

const fail = failer('balancer');
const positiveInt = (name, fallback) => positiveIntEnv(name, fallback, fail);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'out');
const poolerJs = join(root, 'dist', 'pooler.js');
const require = createRequire(import.meta.url);
const seconds = positiveInt('BENCH_SECONDS', 10);
const rounds = positiveInt('BENCH_ROUNDS', 2);
const scale = positiveInt('BENCH_SCALE', 10);
const poolSize = positiveInt('BENCH_POOL_SIZE', 20);
const clientCounts = (process.env.BENCH_CLIENTS ?? '1,10').split(',').map((n) => Number(n.trim()));
const TARGETS = ['pgpool2', 'poolsafe', 'poolsafe-direct'];


/** procStat, or undefined for a process that ended while /proc was read. */
function procStatIfAlive(pid) {
  try {
    return procStat(pid);
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process and all its descendants (Pgpool-II forks a child per connection slot). */
function treeCpu(rootPid) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) if (/^\d+$/.test(name)) stats.set(Number(name), procStatIfAlive(Number(name)));
  const inTree = (pid) => {
    for (let p = pid, depth = 0; p > 1 && depth < 10; p = stats.get(p)?.ppid ?? 0, depth++) if (p === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, stat] of stats) if (stat && inTree(pid)) total += stat.cpu;
  return total;
}

function startPoolSafe(args) {
  const child = spawn(process.execPath, [poolerJs, '--listen', '127.0.0.1:0', '--pool-size', String(poolSize), '--server-policy', 'lifo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PoolSafe did not start:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ port: Number(match[1]), pid: child.pid, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`PoolSafe exited (${code}):\n${output}`)));
  });
}

/** pgbench -S with `clients` clients on up to 2 threads. */
const selectOnly = (clients) => ['-S', '-c', String(clients), '-j', String(Math.min(clients, 2))];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

/** Committed read transactions per host (to prove the reads left the primary). */
function xactCommits(cluster) {
  return Number(cluster.psql("select xact_commit from pg_stat_database where datname = 'postgres'").trim());
}

async function main() {
  if (!existsSync(PGBENCH)) fail('pgbench is missing: install the Debian package postgresql');
  if (!existsSync(poolerJs) || !existsSync(join(outDir, 'test', 'helpers', 'pgpool.js'))) fail('run `npm run build` first');
  const { startPrimaryAndReplica } = require(join(outDir, 'test', 'helpers', 'replica.js'));
  const { startPgpool } = require(join(outDir, 'test', 'helpers', 'pgpool.js'));
  const cleanups = [];
  try {
    const pair = await startPrimaryAndReplica({ applyDelayMs: 0 });
    cleanups.push(() => pair.stop());
    const { primary, replica } = pair;
    console.log(`primary :${primary.port}, replica :${replica.port}; pgbench -i -s ${scale} ...`);
    const init = spawnSync(PGBENCH, ['-i', '-q', '-s', String(scale), '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', 'postgres'], { env: { ...process.env, PGPASSWORD: primary.password }, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed:\n${init.stderr}`);
    await pair.waitForReplay(120_000);
    const maxClients = Math.max(...clientCounts);
    const pgpool = await startPgpool({
      primaryPort: primary.port, replicaPorts: [replica.port], user: primary.user, password: primary.password,
      settings: { num_init_children: String(Math.max(maxClients + 4, 16)), max_pool: '1', log_min_messages: 'warning' },
    });
    cleanups.push(() => pgpool.stop());
    const poolsafe = await startPoolSafe(['--target', primary.url('postgres'), '--config', pgpool.confPath]);
    cleanups.push(() => poolsafe.stop());
    const direct = await startPoolSafe(['--target', replica.url('postgres')]);
    cleanups.push(() => direct.stop());
    const running = { pgpool2: { port: pgpool.port, pid: pgpool.pid, tree: true }, poolsafe, 'poolsafe-direct': direct };
    console.log(`Pgpool-II ${(({ stdout, stderr }) => (stdout + stderr).trim())(spawnSync('/usr/sbin/pgpool', ['--version'], { encoding: 'utf8' }))}; ${rounds} rounds x clients ${clientCounts.join(',')} x ${TARGETS.length} targets, ${seconds} s each`);

    // Warm-up: connections opened (Pgpool-II logs in to both hosts per child), caches filled; not recorded.
    for (const name of TARGETS) await runPgbench(running[name].port, primary.password, selectOnly(maxClients), 5).catch((error) => console.log(`warm-up ${name}: ${error.message.slice(-600)}`));
    const primaryBefore = xactCommits(primary);
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      for (const clients of clientCounts) {
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]);
        for (const name of order) {
          const target = running[name];
          const cpuBefore = target.tree ? treeCpu(target.pid) : procStat(target.pid).cpu;
          const result = await runPgbench(target.port, primary.password, selectOnly(clients), seconds);
          const cpu = (target.tree ? treeCpu(target.pid) : procStat(target.pid).cpu) - cpuBefore;
          runs.push({ name, clients, ...result, cpuPer1k: (cpu / result.transactions) * 1000 });
          console.log(`round ${round + 1} c=${String(clients).padEnd(3)} ${name.padEnd(16)} tps ${fmt(result.tps).padStart(7)}  lat ${fmt(result.latencyMs, 3)} ms  cpu ${fmt((cpu / result.transactions) * 1000, 4)} s/1k tx`);
        }
      }
    }
    // pgbench -S through the balancers: each transaction is one SELECT, all of which belong on the replica.
    const primaryDuring = xactCommits(primary) - primaryBefore;
    const total = runs.reduce((sum, r) => sum + r.transactions, 0);
    console.log(`\nprimary committed ${primaryDuring} transactions during ${total} pgbench transactions (reads stayed on the replica)\n`);
    console.log('clients  target            TPS (median)  lat ms   CPU s/1k tx');
    const summary = {};
    for (const clients of clientCounts) {
      for (const name of TARGETS) {
        const mine = runs.filter((r) => r.clients === clients && r.name === name);
        const s = { tps: median(mine.map((r) => r.tps)), lat: median(mine.map((r) => r.latencyMs)), cpu: median(mine.map((r) => r.cpuPer1k)) };
        summary[`${clients}/${name}`] = s;
        console.log(`c=${String(clients).padEnd(6)} ${name.padEnd(17)} ${fmt(s.tps).padStart(12)}  ${fmt(s.lat, 3).padStart(6)}   ${fmt(s.cpu, 4)}`);
      }
    }
    console.log('');
    for (const clients of clientCounts) {
      const ps = summary[`${clients}/poolsafe`];
      const pp = summary[`${clients}/pgpool2`];
      const direct = summary[`${clients}/poolsafe-direct`];
      console.log(`c=${clients}: TPS PoolSafe / Pgpool-II = ${fmt(ps.tps / pp.tps, 2)}x; routing overhead per statement: ` +
        `${fmt((ps.lat - direct.lat) * 1000, 0)} us latency, ${fmt(((ps.cpu - direct.cpu) / 1000) * 1e6, 1)} us CPU (PoolSafe balancing vs PoolSafe straight to the replica)`);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {});
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
