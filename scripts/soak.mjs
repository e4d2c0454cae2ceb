#!/usr/bin/env node
// `npm run soak`: a longer run of the reliability workloads against one pooler, printing the figures
// (clients held, faults survived, inputs tried, nothing lost, peak RSS, leaks). Uses the compiled test
// helpers (out/test/reliability/*.js: run `npm run build` first) and a throwaway cluster.
// Environment: SOAK_SECONDS (default 180), SOAK_CLIENTS (1000), SOAK_CYCLES (10000), SOAK_READ_MB (1024),
// FUZZ_SEED, POOLSAFE_OUT / POOLSAFE_DIST (build folders).
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, process.env.POOLSAFE_OUT ?? 'out', 'test');
if (!existsSync(join(out, 'reliability', 'load.js'))) {
  console.error(`soak: ${out}/reliability is missing: run \`npm run build\` first`);
  process.exit(2);
}
const load = async (path) => {
  const m = await import(pathToFileURL(join(out, path)).href);
  return m.default ?? m;
};
const { startCluster } = await load('helpers/cluster.js');
const common = await load('reliability/common.js');
const workload = await load('reliability/workload.js');
const shapes = await load('reliability/load.js');
const { fuzzLive } = await load('reliability/fuzz-live.js');

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 1000);
const CYCLES = Number(process.env.SOAK_CYCLES ?? 10_000);
const READ_MB = Number(process.env.SOAK_READ_MB ?? 1024);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
const WORKERS = 20;
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(0) + ' s';
const log = (line) => console.error(`[soak ${elapsed()}] ${line}`);

const cluster = await startCluster({ settings: { synchronous_commit: 'on', max_connections: '200' } });
let pooler;
const figures = { seconds: 0, seed: SEED };
let exitCode = 0;
try {
  workload.createLedger(cluster);
  pooler = await common.startReliablePooler(cluster, { max_client_conn: CLIENTS + WORKERS + 200, client_login_timeout: 5 }, ['--pool-size', '20']);
  const fdsBefore = common.fdCount(pooler.pid);
  const rss = common.watchRss(pooler.pid, 200);
  const writers = workload.startLoad(pooler.url(), WORKERS, { thinkMs: 10 });
  const steady = await common.connect(pooler.url());
  const deadline = started + SECONDS * 1000;
  const left = () => Math.max(5, (deadline - Date.now()) / 1000);

  // Hostile input runs alongside everything else, until the other phases are over.
  let fuzzing = true;
  const fuzzTotals = { tried: 0, hung: 0, hungCases: [], outcomes: {} };
  const fuzzLoop = (async () => {
    let round = 0;
    while (fuzzing) {
      // This process also drives 1,000 clients: its own timers run late, hence the generous slack.
      const f = await fuzzLive(pooler, steady, { seed: SEED + round++, cases: 120, batch: 40, user: cluster.user, password: cluster.password, loginTimeoutMs: 5000, slackMs: 10_000 });
      fuzzTotals.tried += f.tried;
      fuzzTotals.hung += f.hung.length;
      fuzzTotals.hungCases.push(...f.hung.slice(0, 5));
      for (const [k, v] of Object.entries(f.outcomes)) fuzzTotals.outcomes[k] = (fuzzTotals.outcomes[k] ?? 0) + v;
    }
  })();

  log(`holding ${CLIENTS} clients`);
  figures.held = await shapes.holdClients(pooler, CLIENTS, Math.min(30, left() * 0.2) * 1000, SEED);
  log(`held: ${JSON.stringify(figures.held)}`);

  log(`${CYCLES} connect/disconnect cycles`);
  figures.cycles = await shapes.connectCycles(pooler, CYCLES, 20, Math.min(120, left() * 0.5));
  log(`cycles: ${JSON.stringify(figures.cycles)}`);

  const faults = [
    ['pg_terminate_backend', () => cluster.psql("select pg_terminate_backend(pid) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")],
    ['kill -9 backend', () => {
      const pid = Number(cluster.psql("select pid from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() limit 1").trim());
      if (pid) process.kill(pid, 'SIGKILL');
    }],
    ['pg_ctl restart -m fast', () => restartPostgres(cluster)],
  ];
  figures.faults = { injected: 0, survived: 0, healMs: [] };
  for (let round = 0; round < 2 && Date.now() < deadline - 30_000; round++) {
    for (const [name, inject] of faults) {
      const at = Date.now();
      inject();
      figures.faults.injected++;
      const healed = await workload.everyWorkerCommittedSince(writers, at, 60_000);
      if (healed) figures.faults.survived++;
      figures.faults.healMs.push(Date.now() - at);
      log(`${name}: ${healed ? 'healed' : 'NOT HEALED'} in ${Date.now() - at} ms`);
      await common.sleep(2000);
    }
  }

  log(`slow reader: ${READ_MB} MB`);
  figures.slowRead = await shapes.slowReader(pooler, cluster.user, cluster.password, READ_MB, 3000, () =>
    cluster.psql("select coalesce(string_agg(wait_event, ','), '') from pg_stat_activity where query like 'select repeat%' and pid <> pg_backend_pid()").trim(),
  );
  log(`slow reader: ${JSON.stringify(figures.slowRead)}`);

  // Let the fuzzer and the writers run to the end of the time budget.
  while (Date.now() < deadline) await common.sleep(500);
  fuzzing = false;
  await fuzzLoop;
  figures.fuzz = fuzzTotals;
  figures.writers = await writers.stop();
  figures.writers.lost = workload.lostCommits(cluster, writers);
  await steady.end();
  await common.sleep(1500);
  const servers = await common.adminShow(pooler, 'SERVERS');
  const backends = common.serverBackends(cluster);
  figures.leaks = {
    fdsBefore,
    fdsAfter: common.fdCount(pooler.pid),
    showServers: servers.length,
    pgStatActivity: backends.total,
    idleInTransaction: backends.idleInTransaction,
  };
  figures.peakRssKb = rss.stop();
  figures.seconds = Math.round((Date.now() - started) / 1000);
  const ok =
    figures.held.starved === 0 && figures.cycles.failed === 0 && figures.faults.survived === figures.faults.injected &&
    figures.writers.lost === 0 && fuzzTotals.hung === 0 && backends.idleInTransaction === 0 && backends.total === servers.length &&
    figures.leaks.fdsAfter <= fdsBefore + 20;
  exitCode = ok ? 0 : 1;
  printFigures(figures, ok);
} catch (error) {
  console.error(`soak: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  if (pooler) await pooler.stop(); // also removes its .ini
  cluster.stop();
}
process.exit(exitCode);

/** pg_ctl restart -m fast (as the cluster's OS user). */
function restartPostgres(c) {
  c.pgCtl(['-l', join(c.dataDir, 'server.log'), '-w', '-t', '60', '-m', 'fast', 'restart']);
}

function printFigures(f, ok) {
  const mb = (kb) => (kb / 1024).toFixed(0) + ' MB';
  const lines = [
    `soak ${ok ? 'PASSED' : 'FAILED'} after ${f.seconds} s (seed ${f.seed})`,
    `clients held:     ${f.held.connected}/${f.held.clients} concurrent over a pool of 20 (${f.held.queries} queries, ${f.held.starved} starved, errors ${JSON.stringify(f.held.errors)}) + ${WORKERS} writers`,
    `connect cycles:   ${f.cycles.cycles} in ${f.cycles.seconds.toFixed(1)} s, ${f.cycles.failed} failed`,
    `faults survived:  ${f.faults.survived}/${f.faults.injected} (terminate, kill -9, restart; heal ms ${f.faults.healMs.join(', ')})`,
    `inputs tried:     ${f.fuzz.tried} hostile connections (${JSON.stringify(f.fuzz.outcomes)}), ${f.fuzz.hung} hung${f.fuzz.hung ? ': ' + f.fuzz.hungCases.join(' | ') : ''}`,
    `nothing lost:     ${f.writers.committed} commits acknowledged, ${f.writers.lost} missing; writer errors ${JSON.stringify(f.writers.errors)}`,
    `slow reader:      ${(f.slowRead.bytes / 1048576).toFixed(0)} MB in ${f.slowRead.seconds.toFixed(1)} s, backend blocked on ClientWrite: ${f.slowRead.serverBlocked}, pooler RSS ${mb(f.slowRead.baselineRssKb)} -> peak ${mb(f.slowRead.peakRssKb)}`,
    `peak RSS:         ${mb(f.peakRssKb)} (pooler, whole run)`,
    `leaks:            fds ${f.leaks.fdsBefore} -> ${f.leaks.fdsAfter}; SHOW SERVERS ${f.leaks.showServers} vs pg_stat_activity ${f.leaks.pgStatActivity}; idle in transaction ${f.leaks.idleInTransaction}`,
  ];
  console.log(lines.join('\n'));
}
