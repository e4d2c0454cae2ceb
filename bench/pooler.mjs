// Pooler benchmark: pgbench direct, through a bare Node TCP forwarder (bench/forwarder.mjs: the floor
// of what Node costs on this machine), through PgBouncer, and through PoolSafe with `--server-policy lifo`
// and `rotate`; same pool size, interleaved rounds in one run so machine noise hits every target alike.
// Prints TPS, average latency and each relay's CPU seconds per 1,000 transactions (for -C: per 1,000
// connections, one transaction each), then ratios: PoolSafe against PgBouncer and against the forwarder.
// For -C the forwarder is no floor (it opens a server connection per client): there the login floor
// (bench/loginFloor.mjs: a bare Node SCRAM login, a canned greeting, then the query forwarded over one of
// the server connections it keeps, lifo, and the answer relayed back) says what Node itself costs per
// pooled connection and transaction, and runs in the -C scenarios only.
// Then the cost of live hazard detection: two fresh PoolSafe instances, `--hazards on` and `off`, warmed
// alike, on select-only c=10 and on a mix that passes the keyword filter (SET LOCAL, set_config, named
// prepared statements, a temp table in each transaction): many short rounds of adjacent on/off pairs,
// reported as the median and range of the pairs' TPS and pooler-CPU-per-transaction ratios, with what
// the server saw per round (pg_stat_statements is loaded for it: a server restart before that part).
//
// Run after `npm run build` (uses out/ helpers and dist/pooler.js; POOLSAFE_OUT/POOLSAFE_DIST override).
// Env: BENCH_SECONDS (per run, default 10), BENCH_ROUNDS (default 2), BENCH_POOL_SIZE (default 20),
//      BENCH_SCALE (pgbench scale, default 10),
//      BENCH_DETECTION_ROUNDS (on/off pairs per mix, default 8), BENCH_DETECTION_SECONDS (per run, default 5),
//      BENCH_DETECTION_RATE_ROUNDS (pairs per mix at a fixed rate, 60% of the slower instance's median TPS:
//      equal work per second, so CPU per transaction compares like with like; default as many, 0 skips),
//      BENCH_DETECTION_CONTROL=1 (both detection instances `--hazards off`: the comparison's noise floor),
//      BENCH_TARGETS (default direct,forwarder,login-floor,pgbouncer,poolsafe,poolsafe-rotate),
//      BENCH_PGBOUNCER_USERLIST (scram: the server's SCRAM verifier, the default; plain: the password),
//      BENCH_ONLY=detection (only the hazard-detection on/off comparison; needs a poolsafe target in
//      BENCH_TARGETS), BENCH_ONLY=audit (only the cost of asking the server, see below),
//      BENCH_ONLY=main (everything but those two), BENCH_ONLY=rate (only the fixed-rate comparison),
//      BENCH_SCENARIOS (comma-separated scenario ids, e.g. "select -C c=10"; default all),
//      BENCH_POOLSAFE_NODE_ARGS (node flags for the PoolSafe processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof":
//      profiles are written when the bench stops them),
//      BENCH_LOGIN_WARMUP (logins per target before -C is measured, default 3000, at most 10 runs of 3 s),
//      BENCH_RATE_ROUNDS (rounds of the fixed-rate comparison below, default 4, 0 skips),
//      BENCH_RATE_SCENARIOS (its scenarios, default "select -C c=10,select c=10"),
//      BENCH_POOLSAFE_BASELINE (another build's pooler.js, e.g. main's copied aside: a target
//      "poolsafe-baseline", lifo, in the fixed-rate comparison: before/after a change in one run).
// The fixed-rate comparison: CPU per transaction (for -C: per connection) of PgBouncer, PoolSafe and
// Node's floor at ONE pgbench rate (-R) for all, interleaved: unthrottled, each target runs at its own
// speed, and a slower one is woken more per transaction, which skews CPU per transaction. The rate is
// 60% of the slowest compared target's median TPS in the main runs (or in a short probe).
// The audit comparison: pgbench scripts calling a user SQL function (each transaction is followed by
// the pooler's one-query audit, audit.ts) or a built-in one (no audit), hazards on vs off, c=10.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failer, positiveIntEnv } from './env.mjs';
import { PGBENCH, initPgbench, procStat, procSyscalls, runPgbench, stopRunningPgbench } from './pgbench.mjs';
import { enableStatementCounts, serverDelta, serverSnapshot } from './serverCounts.mjs';

const fail = failer('pooler');
const positiveInt = (name, fallback) => positiveIntEnv(name, fallback, fail);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, process.env.POOLSAFE_OUT ?? 'out');
const distDir = resolve(root, process.env.POOLSAFE_DIST ?? 'dist');
const poolerJs = join(distDir, 'pooler.js');
const seconds = positiveInt('BENCH_SECONDS', 10);
const rounds = positiveInt('BENCH_ROUNDS', 2);
const poolSize = positiveInt('BENCH_POOL_SIZE', 20);
const scale = positiveInt('BENCH_SCALE', 10);
const detectionRounds = positiveInt('BENCH_DETECTION_ROUNDS', 8);
const detectionSeconds = positiveInt('BENCH_DETECTION_SECONDS', 5);
const detectionRateRounds = process.env.BENCH_DETECTION_RATE_ROUNDS === '0' ? 0 : positiveInt('BENCH_DETECTION_RATE_ROUNDS', detectionRounds);
const userlistFormat = process.env.BENCH_PGBOUNCER_USERLIST ?? 'scram';
const TARGETS = ['direct', 'forwarder', 'login-floor', 'pgbouncer', 'poolsafe', 'poolsafe-rotate'];
/** Targets that answer only some scenarios (the login floor has no server behind it). */
const runsScenario = (target, scenario) => target !== 'login-floor' || scenario.args.includes('-C');
const POOLSAFE_POLICIES = { poolsafe: 'lifo', 'poolsafe-rotate': 'rotate' };
const targets = (process.env.BENCH_TARGETS ?? TARGETS.join(',')).split(',').map((s) => s.trim());
const poolsafeTargets = targets.filter((t) => t in POOLSAFE_POLICIES);
// Debian's pgbench (postgresql package) from the PATH; the npm PostgreSQL ships only the server.

const ALL_SCENARIOS = [
  { id: 'select c=1', args: ['-S', '-c', '1', '-j', '1'] },
  { id: 'select c=10', args: ['-S', '-c', '10', '-j', '2'] },
  { id: 'select c=50', args: ['-S', '-c', '50', '-j', '2'] },
  { id: 'tpc-b c=10', args: ['-c', '10', '-j', '2'] },
  { id: 'select -C c=10', args: ['-S', '-C', '-c', '10', '-j', '2'] },
];
const scenarioIds = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
const SCENARIOS = scenarioIds ? ALL_SCENARIOS.filter((s) => scenarioIds.includes(s.id)) : ALL_SCENARIOS;
const poolsafeNodeArgs = (process.env.BENCH_POOLSAFE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const rateRounds = process.env.BENCH_RATE_ROUNDS === '0' ? 0 : positiveInt('BENCH_RATE_ROUNDS', 4);
const rateScenarioIds = (process.env.BENCH_RATE_SCENARIOS ?? 'select -C c=10,select c=10').split(',').map((s) => s.trim());
const baselinePoolerJs = process.env.BENCH_POOLSAFE_BASELINE;
const loginWarmUp = positiveInt('BENCH_LOGIN_WARMUP', 3000);


function checkPrerequisites() {
  if (!['scram', 'plain'].includes(userlistFormat)) fail(`BENCH_PGBOUNCER_USERLIST must be scram or plain, got "${userlistFormat}"`);
  for (const t of targets) if (!TARGETS.includes(t)) fail(`unknown target "${t}" in BENCH_TARGETS (known: ${TARGETS.join(', ')})`);
  for (const id of scenarioIds ?? []) if (!ALL_SCENARIOS.some((s) => s.id === id)) fail(`unknown scenario "${id}" in BENCH_SCENARIOS (known: ${ALL_SCENARIOS.map((s) => s.id).join(', ')})`);
  for (const id of rateRounds ? rateScenarioIds : []) if (!ALL_SCENARIOS.some((s) => s.id === id)) fail(`unknown scenario "${id}" in BENCH_RATE_SCENARIOS (known: ${ALL_SCENARIOS.map((s) => s.id).join(', ')})`);
  if (baselinePoolerJs && !existsSync(baselinePoolerJs)) fail(`BENCH_POOLSAFE_BASELINE: ${baselinePoolerJs} is missing`);
  if (!existsSync(PGBENCH)) fail(`${PGBENCH} is missing: install the Debian package postgresql (it ships pgbench)`);
  if (!existsSync(join(outDir, 'test', 'helpers', 'cluster.js'))) fail(`${outDir}/test/helpers is missing: run \`npm run build\` first`);
  if (poolsafeTargets.length > 0 && !existsSync(poolerJs)) {
    fail(`${poolerJs} is missing: run \`npm run build\` (or set BENCH_TARGETS=direct,pgbouncer to skip PoolSafe)`);
  }
}

/** Starts `node dist/pooler.js` and resolves with its port once it prints `listening on HOST:PORT`. */
function startPoolSafe(targetUrl, policy, extraArgs = [], script = poolerJs) {
  const args = [...poolsafeNodeArgs, script, '--target', targetUrl, '--listen', '127.0.0.1:0', '--server-policy', policy, '--pool-size', String(poolSize), ...extraArgs];
  return startListening('PoolSafe', args);
}

/** The bare forwarder (bench/forwarder.mjs) to the cluster. */
function startForwarder(port) {
  return startListening('the forwarder', [join(root, 'bench', 'forwarder.mjs'), '127.0.0.1', String(port)]);
}

/**
 * The login floor (bench/loginFloor.mjs), checking SCRAM logins against the server's verifier and
 * forwarding each query over one of `poolSize` server connections it keeps logged in to `serverUrl`.
 */
function startLoginFloor(verifier, serverUrl) {
  return startListening('the login floor', [join(root, 'bench', 'loginFloor.mjs'), outDir, verifier, serverUrl, String(poolSize)]);
}

/** What each floor does, printed with the figures so a ratio to it can be read right. */
const FLOOR_DESCRIPTIONS = {
  forwarder: 'bare Node TCP forwarder, one server connection per client, bytes piped unparsed',
  'login-floor': 'bare Node SCRAM login and canned greeting, then the query forwarded over a kept server connection (lifo) and the answer relayed; no settings, bookkeeping, logging or detection',
};

/** Node processes this bench started and that have not exited (an interrupted start is stopped too). */
const nodeChildren = new Set();

/** Starts a node script and resolves with its port once it prints `listening on HOST:PORT`. */
function startListening(name, args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  nodeChildren.add(child);
  child.once('exit', () => nodeChildren.delete(child));
  let output = '';
  let lines = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print "listening on" within 15 s:\n${output}`));
    }, 15_000);
    let listening = false;
    const onData = (chunk) => {
      const text = chunk.toString();
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
      if (listening) return; // later output is only counted (the detection comparison reports log lines)
      output += text;
      const match = /listening on ([\d.]+):(\d+)/.exec(output);
      if (!match) return;
      listening = true;
      clearTimeout(timer);
      resolve({
        port: Number(match[2]),
        pid: child.pid,
        logLines: () => lines,
        stop: () => stopChild(child),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * One pgbench run; for a relay process also its CPU per 1,000 transactions (user and system apart:
 * a relay's system time is mostly its socket writes, which on loopback carry the receiver's TCP work)
 * and its read/write system calls per transaction.
 */
async function measure(target, scenario, password, durationSeconds) {
  const before = target.pid ? { ...procStat(target.pid), ...procSyscalls(target.pid) } : undefined;
  const result = await runPgbench(target.port, password, scenario.args, durationSeconds);
  if (!before) return result;
  const after = { ...procStat(target.pid), ...procSyscalls(target.pid) };
  const perTx = (key, scale = 1) => ((after[key] - before[key]) / result.transactions) * scale;
  return {
    ...result,
    cpuPer1kTx: perTx('cpu', 1000),
    userPer1kTx: perTx('user', 1000),
    systemPer1kTx: perTx('system', 1000),
    readsPerTx: perTx('reads'),
    writesPerTx: perTx('writes'),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function summarize(runs) {
  const summary = {};
  for (const scenario of SCENARIOS) {
    summary[scenario.id] = {};
    for (const name of targets.filter((t) => runsScenario(t, scenario))) {
      const mine = runs.filter((r) => r.scenario === scenario.id && r.target === name);
      const cpu = mine.map((r) => r.cpuPer1kTx).filter((v) => v !== undefined);
      summary[scenario.id][name] = {
        tps: median(mine.map((r) => r.tps)),
        latencyMs: median(mine.map((r) => r.latencyMs)),
        cpuPer1kTx: cpu.length ? median(cpu) : undefined,
        tpsRuns: mine.map((r) => r.tps),
      };
    }
  }
  return summary;
}

const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

/** The target that is Node's floor for `scenario`. */
function floorOf(scenario) {
  return scenario.args.includes('-C') && targets.includes('login-floor') ? 'login-floor' : 'forwarder';
}

function printTable(summary) {
  const header = ['scenario', 'target', 'TPS (median)', 'TPS runs', 'lat ms', 'CPU s/1k tx'];
  const rows = [];
  for (const scenario of SCENARIOS) {
    for (const name of targets.filter((t) => runsScenario(t, scenario))) {
      const s = summary[scenario.id][name];
      rows.push([scenario.id, name, fmt(s.tps), s.tpsRuns.map((v) => fmt(v)).join('/'), fmt(s.latencyMs, 3), fmt(s.cpuPer1kTx, 4)]);
    }
  }
  printRows(header, rows);
  console.log('');
  // Distances: each PoolSafe policy against PgBouncer and against Node's floor (the bare forwarder;
  // for -C the login floor).
  const ratioHeader = ['scenario', 'PoolSafe', 'floor', 'TPS /PgBouncer', 'TPS /floor', 'CPU /PgBouncer', 'CPU /floor', 'PgBouncer CPU /floor'];
  const ratioRows = SCENARIOS.flatMap((scenario) => {
    const s = summary[scenario.id];
    const floor = floorOf(scenario);
    return (poolsafeTargets.length ? poolsafeTargets : ['poolsafe']).map((name) => [
      scenario.id,
      POOLSAFE_POLICIES[name] ?? '-',
      floor,
      fmt(ratio(s[name]?.tps, s.pgbouncer?.tps), 2),
      fmt(ratio(s[name]?.tps, s[floor]?.tps), 2),
      fmt(ratio(s[name]?.cpuPer1kTx, s.pgbouncer?.cpuPer1kTx), 2),
      fmt(ratio(s[name]?.cpuPer1kTx, s[floor]?.cpuPer1kTx), 2),
      fmt(ratio(s.pgbouncer?.cpuPer1kTx, s[floor]?.cpuPer1kTx), 2),
    ]);
  });
  printRows(ratioHeader, ratioRows);
}

function printRows(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** The issue's targets, checked against the medians; printed, not enforced (a benchmark reports). */
function printTargets(summary) {
  if (poolsafeTargets.length === 0 || !targets.includes('pgbouncer')) return;
  const checks = [];
  for (const name of poolsafeTargets) {
    const label = `PoolSafe ${POOLSAFE_POLICIES[name]}`;
    for (const id of ['select c=10', 'select c=50', 'tpc-b c=10'].filter((id) => summary[id])) {
      checks.push([`${id}: ${label} TPS >= 0.9 x PgBouncer`, ratio(summary[id][name].tps, summary[id].pgbouncer.tps), 0.9, '>=']);
    }
    // Issue 14: CPU per transaction <= 1.5x PgBouncer (goal 1.3x); -C: CPU per connection <= 1.5x.
    for (const scenario of SCENARIOS) {
      const id = scenario.id;
      const what = id.includes('-C') ? 'CPU/connection' : 'CPU/tx';
      checks.push([`${id}: ${label} ${what} <= 1.5 x PgBouncer`, ratio(summary[id][name].cpuPer1kTx, summary[id].pgbouncer.cpuPer1kTx), 1.5, '<=']);
    }
    if (targets.includes('direct') && summary['select -C c=10']) {
      const id = 'select -C c=10';
      checks.push([`${id}: ${label} TPS >= 1.8 x direct`, ratio(summary[id][name].tps, summary[id].direct.tps), 1.8, '>=']);
    }
  }
  console.log('\ntargets (issues 4 and 14):');
  for (const [label, value, bound, op] of checks) {
    const met = value !== undefined && (op === '>=' ? value >= bound : value <= bound);
    console.log(`  ${met ? 'met ' : 'MISS'}  ${label}: ${fmt(value, 2)}`);
  }
}

/**
 * CPU per transaction (for -C per connection) of PgBouncer, each PoolSafe, the baseline build if
 * given and Node's floor, all at one pgbench rate, in rounds of rotating order; medians and ranges,
 * and the ratios to PgBouncer and to the floor.
 */
async function measureAtFixedRate(running, summary, cluster, cleanups) {
  if (rateRounds === 0 || !targets.includes('pgbouncer')) return undefined;
  const compared = { ...running };
  if (baselinePoolerJs) {
    const baseline = await startPoolSafe(cluster.url('postgres'), 'lifo', [], baselinePoolerJs);
    cleanups.push(() => baseline.stop());
    compared['poolsafe-baseline'] = { port: baseline.port, pid: baseline.pid };
  }
  const results = [];
  for (const scenario of rateScenarioIds.map((id) => ALL_SCENARIOS.find((s) => s.id === id))) {
    const floor = floorOf(scenario);
    const names = ['pgbouncer', ...poolsafeTargets, ...(baselinePoolerJs ? ['poolsafe-baseline'] : []), floor].filter((n) => compared[n]);
    if (baselinePoolerJs) await warmUp(compared['poolsafe-baseline'], scenario, cluster.password);
    const rate = await fixedRateFor(scenario, names, compared, summary, cluster.password);
    const throttled = { ...scenario, args: [...scenario.args, '-R', String(rate)] };
    const loadBefore = loadavg()[0];
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < rateRounds; round++) {
      for (const name of names.map((_, i) => names[(i + round) % names.length])) {
        const run = await measure(compared[name], throttled, cluster.password, seconds);
        runs[name].push(run);
        console.log(`fixed rate ${rate}/s round ${round + 1} ${scenario.id.padEnd(15)} ${name.padEnd(17)} tps ${fmt(run.tps).padStart(6)}  cpu ${fmt(run.cpuPer1kTx * 1000, 1)} us/tx`);
      }
    }
    results.push({ scenario: scenario.id, rate, floor, load: [loadBefore, loadavg()[0]], runs });
  }
  for (const r of results) printFixedRate(r);
  return results;
}

/**
 * Warm-up: 3 s runs until `loginWarmUp` transactions (for -C: logins) or 10 runs. V8 optimizes a
 * function after enough calls, not after enough seconds: on a loaded machine 3 s of -C were a few
 * hundred logins, after which PoolSafe was still compiling its login path while measured.
 */
async function warmUp(target, scenario, password) {
  let done = 0;
  for (let run = 0; run < 10 && done < loginWarmUp; run++) done += (await runPgbench(target.port, password, scenario.args, 3)).transactions;
}

/** 60% of the slowest of `names`' median TPS in the main runs (else a 3 s probe each): a rate all sustain. */
async function fixedRateFor(scenario, names, compared, summary, password) {
  const measured = (name) => summary[scenario.id]?.[name]?.tps;
  const tpsOf = async (name) => (Number.isFinite(measured(name)) ? measured(name) : (await runPgbench(compared[name].port, password, scenario.args, 3)).tps);
  let slowest = Infinity;
  for (const name of names) slowest = Math.min(slowest, await tpsOf(name));
  return Math.max(1, Math.floor(0.6 * slowest));
}

function printFixedRate(r) {
  const what = r.scenario.includes('-C') ? 'connection' : 'transaction';
  console.log(`\n${r.scenario} at a fixed ${r.rate} TPS (pgbench -R), ${rateRounds} interleaved rounds of ${seconds} s, load average ${fmt(r.load[0], 1)} -> ${fmt(r.load[1], 1)}:`);
  const cpu = (name) => median(r.runs[name].map((run) => run.cpuPer1kTx * 1000));
  console.log(`floor ${r.floor}: ${FLOOR_DESCRIPTIONS[r.floor]}`);
  const header = ['target', 'TPS (median)', `CPU us/${what} (median)`, 'range', '/PgBouncer', `/${r.floor}`];
  const rows = Object.keys(r.runs).map((name) => {
    const values = r.runs[name].map((run) => run.cpuPer1kTx * 1000);
    return [name, fmt(median(r.runs[name].map((run) => run.tps))), fmt(cpu(name), 1), `${fmt(Math.min(...values), 1)}-${fmt(Math.max(...values), 1)}`, fmt(ratio(cpu(name), cpu('pgbouncer')), 2), fmt(ratio(cpu(name), cpu(r.floor)), 2)];
  });
  printRows(header, rows);
  for (const name of Object.keys(r.runs)) {
    const tps = median(r.runs[name].map((run) => run.tps));
    if (tps < 0.95 * r.rate) console.log(`  note: ${name} ran below the rate (${fmt(tps)} TPS): not the same work per second; a quieter machine or a lower rate is needed`);
  }
  if (r.runs['poolsafe-baseline']) {
    // Adjacent runs of one round share the machine's load best: their ratio, round by round.
    for (const name of poolsafeTargets) {
      const perRound = r.runs[name].map((run, i) => run.cpuPer1kTx / r.runs['poolsafe-baseline'][i].cpuPer1kTx);
      console.log(`  ${name}/baseline CPU per ${what}, round by round: median ${fmt(median(perRound), 3)} (${perRound.map((v) => fmt(v, 3)).join(' ')})`);
    }
  }
  for (const name of poolsafeTargets) {
    const value = ratio(cpu(name), cpu('pgbouncer'));
    console.log(`  ${value !== undefined && value <= 1.5 ? 'met ' : 'MISS'}  at a fixed rate: PoolSafe ${POOLSAFE_POLICIES[name]} CPU/${what} <= 1.5 x PgBouncer: ${fmt(value, 2)}`);
  }
}

// A transaction mix every statement of which passes the detector's keyword filter: SET LOCAL,
// set_config, a temp table created and used inside the transaction; run with -M prepared (named statements).
const DETECTION_MIX = String.raw`\set aid random(1, 100000 * :scale)
BEGIN;
SET LOCAL statement_timeout = '5s';
SELECT set_config('app.tenant', :aid::text, true);
CREATE TEMP TABLE scratch (a int) ON COMMIT DROP;
INSERT INTO scratch VALUES (:aid);
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
END;
`;

/**
 * Hazard detection on vs `--hazards off`: two fresh PoolSafe instances (prepared-statement tracking on,
 * so -M prepared works in transaction mode), warmed alike, then many short rounds per traffic mix, each
 * an adjacent on/off pair in alternating order (on-off, off-on, …) so drift and neighbours' load hit
 * both alike. Each pair gives a TPS ratio and a pooler CPU-per-transaction ratio: their median and
 * spread are the result (one run's TPS on a shared machine swings more than the cost measured).
 * Per round it also counts what the server saw (statements per transaction, server connections
 * opened/closed) and the pooler's log lines, so an instance paying for something else shows.
 * BENCH_DETECTION_CONTROL=1 compares two `--hazards off` instances the same way: the noise floor.
 */
async function measureDetectionCost(cluster, cleanups) {
  const mixFile = join(root, 'bench', '.data', 'detection-mix.sql');
  mkdirSync(dirname(mixFile), { recursive: true });
  writeFileSync(mixFile, DETECTION_MIX);
  const mixes = [
    { id: 'select c=10', args: ['-S', '-c', '10', '-j', '2'] },
    { id: 'filter-passing mix c=10 (-M prepared)', args: ['-f', mixFile, '-M', 'prepared', '-c', '10', '-j', '2'] },
  ];
  const countStatements = enableStatementCounts(cluster);
  const control = process.env.BENCH_DETECTION_CONTROL === '1';
  const instances = {};
  for (const name of ['on', 'off']) {
    const hazards = control ? 'off' : name;
    const started = await startPoolSafe(cluster.url('postgres'), 'lifo', ['--hazards', hazards, '--max-prepared-statements', '200']);
    cleanups.push(() => started.stop());
    instances[name] = started;
  }
  const label = control ? { on: 'off#1', off: 'off#2' } : { on: 'on', off: 'off' };
  // Equal warm-up: both instances run every mix, alternating, for the same time before anything is recorded.
  for (let pass = 0; pass < 2; pass++) for (const mix of mixes) for (const name of pass ? ['off', 'on'] : ['on', 'off']) await runPgbench(instances[name].port, cluster.password, mix.args, 3);
  const results = [];
  for (const mix of mixes) {
    const free = await pairedRounds(instances, mix, [], label, cluster, countStatements);
    results.push(free);
    if (detectionRateRounds === 0) continue;
    // The same at a fixed rate both instances sustain: equal work per second, so the CPU per transaction
    // of the two compares like with like (unthrottled, a slower round also wakes the pooler more per transaction).
    const rate = Math.max(1, Math.floor(0.6 * Math.min(free.on.tps.median, free.off.tps.median)));
    results.push(await pairedRounds(instances, mix, ['-R', String(rate)], label, cluster, countStatements, rate));
  }
  console.log('');
  for (const r of results) printDetection(r, label);
  return results;
}

/** Adjacent on/off runs of `mix` (plus `extraArgs`), in alternating order, summarized; `rate` when throttled. */
async function pairedRounds(instances, mix, extraArgs, label, cluster, countStatements, rate) {
  const loadBefore = loadavg()[0];
  const runs = { on: [], off: [] };
  const rounds = rate === undefined ? detectionRounds : detectionRateRounds;
  const throttled = { ...mix, args: [...mix.args, ...extraArgs] };
  const what = rate === undefined ? mix.id : `${mix.id} at ${rate} TPS`;
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? ['off', 'on'] : ['on', 'off']) {
      const run = await measureWithServer(instances[name], throttled, cluster, countStatements, detectionSeconds);
      runs[name].push(run);
      console.log(`detection ${label[name].padEnd(5)} round ${String(round + 1).padStart(2)} ${what}: tps ${fmt(run.tps)}  cpu ${fmt(run.cpuPer1kTx, 4)}` +
        ` (user ${fmt(run.userPer1kTx, 4)}) s/1k tx  syscalls/tx r ${fmt(run.readsPerTx, 2)} w ${fmt(run.writesPerTx, 2)}` +
        `  server stmts/tx ${fmt(run.statementsPerTx, 3)}  server conns +${run.opened}/-${run.closed}  log lines ${run.logLines}` +
        (run.failedTransactions ? `  FAILED TX ${run.failedTransactions}` : ''));
    }
  }
  return { ...summarizeDetection(what, runs, [loadBefore, loadavg()[0]]), rate };
}

/** One pgbench run against a PoolSafe instance, with the pooler's CPU, the server's counts and the pooler's log lines. */
async function measureWithServer(instance, mix, cluster, countStatements, durationSeconds) {
  const before = serverSnapshot(cluster, countStatements);
  const lines = instance.logLines();
  const result = await measure(instance, mix, cluster.password, durationSeconds);
  const server = serverDelta(before, serverSnapshot(cluster, countStatements));
  const statementsPerTx = server.statements === undefined ? undefined : server.statements / result.transactions;
  return { ...result, statementsPerTx, opened: server.opened, closed: server.closed, logLines: instance.logLines() - lines };
}

const spreadOf = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
const sum = (values) => values.reduce((a, b) => a + b, 0);

function summarizeDetection(mix, runs, load) {
  const pairs = runs.on.map((on, i) => ({ on, off: runs.off[i] }));
  const statements = (list) => (list.some((r) => r.statementsPerTx === undefined) ? undefined : median(list.map((r) => r.statementsPerTx)));
  const side = (list) => ({
    tps: spreadOf(list.map((r) => r.tps)),
    cpuPer1kTx: spreadOf(list.map((r) => r.cpuPer1kTx)),
    userPer1kTx: spreadOf(list.map((r) => r.userPer1kTx)),
    readsPerTx: median(list.map((r) => r.readsPerTx)),
    writesPerTx: median(list.map((r) => r.writesPerTx)),
    statementsPerTx: statements(list),
    opened: sum(list.map((r) => r.opened)),
    closed: sum(list.map((r) => r.closed)),
    logLines: sum(list.map((r) => r.logLines)),
    failed: sum(list.map((r) => r.failedTransactions)),
  });
  return {
    mix,
    rounds: pairs.length,
    seconds: detectionSeconds,
    load,
    on: side(runs.on),
    off: side(runs.off),
    tpsRatio: spreadOf(pairs.map((p) => p.on.tps / p.off.tps)),
    cpuRatio: spreadOf(pairs.map((p) => p.on.cpuPer1kTx / p.off.cpuPer1kTx)),
    userRatio: spreadOf(pairs.map((p) => p.on.userPer1kTx / p.off.userPer1kTx)),
    runs,
  };
}

function printDetection(r, label) {
  const range = (s, digits) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}-${fmt(s.max, digits)})`;
  console.log(`hazard detection, ${r.mix}: ${r.rounds} rounds of ${r.seconds} s per instance, load average ${fmt(r.load[0], 1)} -> ${fmt(r.load[1], 1)}`);
  for (const name of ['on', 'off']) {
    const s = r[name];
    console.log(`  ${label[name].padEnd(5)} TPS ${range(s.tps)}, pooler CPU ${range(s.cpuPer1kTx, 4)} s/1k tx (user ${fmt(s.userPer1kTx.median, 4)}),` +
      ` pooler syscalls/tx read ${fmt(s.readsPerTx, 2)} write ${fmt(s.writesPerTx, 2)}, server statements/tx ${fmt(s.statementsPerTx, 3)},` +
      ` server connections +${s.opened}/-${s.closed}, pooler log lines ${s.logLines}${s.failed ? `, FAILED TX ${s.failed}` : ''}`);
  }
  const pair = `${label.on}/${label.off}`;
  console.log(`  per round pair: TPS ${pair} median ${range(r.tpsRatio, 3)}, pooler CPU per tx ${pair} median ${range(r.cpuRatio, 3)}` +
    ` (user time alone ${range(r.userRatio, 3)})`);
  if (label.on !== 'on') return; // the control: no detection to judge
  if (r.rate === undefined) console.log(`  ${r.tpsRatio.median >= 0.95 ? 'met ' : 'MISS'}  detection costs <= 5% TPS (issue 14): on/off ${fmt(r.tpsRatio.median, 2)}`);
  console.log(`  ${r.cpuRatio.median <= 1.05 ? 'met ' : 'MISS'}  detection costs <= 5% pooler CPU per transaction: on/off ${fmt(r.cpuRatio.median, 2)}`);
}

/** The audit: user-function calls (asked about after each transaction) vs built-in calls, hazards on vs off. */
async function measureAuditCost(cluster, cleanups) {
  cluster.psql('create or replace function bench_balance(int) returns int language sql stable as $$ select abalance from pgbench_accounts where aid = $1 $$');
  const scriptDir = join(root, 'bench', '.data');
  mkdirSync(scriptDir, { recursive: true });
  const scripts = {
    'user function': join(scriptDir, 'audit-user-function.sql'),
    'built-in': join(scriptDir, 'audit-builtin.sql'),
  };
  writeFileSync(scripts['user function'], '\\set aid random(1, 100000)\nSELECT bench_balance(:aid);\n');
  writeFileSync(scripts['built-in'], '\\set aid random(1, 100000)\nSELECT abs(abalance) FROM pgbench_accounts WHERE aid = :aid;\n');
  const instances = {};
  for (const name of ['on', 'off']) {
    const started = await startPoolSafe(cluster.url('postgres'), 'lifo', ['--hazards', name]);
    cleanups.push(() => started.stop());
    instances[name] = { port: started.port, pid: started.pid };
  }
  const { on, off } = instances;
  const results = {};
  for (const [label, file] of Object.entries(scripts)) {
    const args = ['-f', file, '-c', '10', '-j', '2'];
    await runPgbench(on.port, cluster.password, args, 5);
    await runPgbench(off.port, cluster.password, args, 5);
    const tps = { on: [], off: [] };
    const latency = { on: [], off: [] };
    const cpu = { on: [], off: [] };
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 ? ['off', 'on'] : ['on', 'off']) {
        const result = await measure(name === 'on' ? on : off, { args }, cluster.password, seconds);
        tps[name].push(result.tps);
        latency[name].push(result.latencyMs);
        cpu[name].push(result.cpuPer1kTx);
        console.log(`audit ${label.padEnd(13)} hazards ${name.padEnd(3)} round ${round + 1} tps ${fmt(result.tps)}  lat ${fmt(result.latencyMs, 3)} ms  cpu ${fmt(result.cpuPer1kTx, 4)} s/1k tx`);
      }
    }
    results[label] = {
      onTps: median(tps.on), offTps: median(tps.off), onOff: ratio(median(tps.on), median(tps.off)),
      addedLatencyMs: median(latency.on) - median(latency.off), cpuOnOff: ratio(median(cpu.on), median(cpu.off)), tps, latency, cpu,
    };
    const r = results[label];
    console.log(`\naudit, ${label} calls (c=10): hazards on ${fmt(r.onTps)} TPS, off ${fmt(r.offTps)} TPS, on/off ${fmt(r.onOff, 3)}; latency +${fmt(r.addedLatencyMs, 3)} ms per transaction; pooler CPU per tx on/off ${fmt(r.cpuOnOff, 3)}\n`);
  }
  return results;
}

/** Set once SIGINT/SIGTERM arrived: the signal handler, not main's failure, ends the process. */
let interrupted = false;

async function main() {
  checkPrerequisites();
  const require = createRequire(import.meta.url);
  const { startCluster } = require(join(outDir, 'test', 'helpers', 'cluster.js'));
  const { startPgBouncer } = require(join(outDir, 'test', 'helpers', 'pgbouncer.js'));
  const cleanups = [];
  let cleaning;
  /** Stops everything started, last first, once (a signal and main's own end may both ask). */
  const cleanup = () => (cleaning ??= (async () => {
    stopRunningPgbench();
    for (const fn of cleanups.reverse().splice(0)) await fn().catch((e) => console.error(`cleanup: ${e.message}`));
    await Promise.all([...nodeChildren].map(stopChild)); // any still starting when interrupted
  })());
  // Ctrl-C (SIGINT) or SIGTERM: pgbench, the poolers, the floors, PgBouncer and the cluster are all
  // stopped before exiting; main's own failure (its targets going away) then waits for the same cleanup.
  const onSignal = (signal, code) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`bench/pooler: ${signal}: stopping everything it started`);
    cleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  try {
    const cluster = await startCluster({ settings: { max_connections: '200', shared_buffers: "'128MB'" } });
    cleanups.push(async () => cluster.stop());
    console.log(`cluster on port ${cluster.port}; pgbench -i -s ${scale} ...`);
    await initPgbench(cluster.port, cluster.password, scale);

    const running = {};
    if (targets.includes('direct')) running.direct = { port: cluster.port, pid: undefined };
    if (targets.includes('pgbouncer')) {
      // PgBouncer's recommended userlist holds the server's SCRAM verifier: client logins then cost
      // no PBKDF2 and PgBouncer reuses the client's SCRAM keys for the server (BENCH_PGBOUNCER_USERLIST=plain: the password).
      const scramVerifier =
        userlistFormat === 'scram' ? cluster.psql(`select rolpassword from pg_authid where rolname = '${cluster.user}'`).trim() : undefined;
      const bouncer = await startPgBouncer({
        targetPort: cluster.port,
        poolSize,
        users: [{ name: cluster.user, password: cluster.password, scramVerifier }],
      });
      cleanups.push(() => bouncer.stop());
      running.pgbouncer = { port: bouncer.port, pid: bouncer.pid };
    }
    if (targets.includes('login-floor')) {
      const floor = await startLoginFloor(cluster.psql(`select rolpassword from pg_authid where rolname = '${cluster.user}'`).trim(), cluster.url('postgres'));
      cleanups.push(() => floor.stop());
      running['login-floor'] = { port: floor.port, pid: floor.pid };
    }
    if (targets.includes('forwarder')) {
      const forwarder = await startForwarder(cluster.port);
      cleanups.push(() => forwarder.stop());
      running.forwarder = { port: forwarder.port, pid: forwarder.pid };
    }
    for (const name of poolsafeTargets) {
      const poolsafe = await startPoolSafe(cluster.url('postgres'), POOLSAFE_POLICIES[name]);
      cleanups.push(() => poolsafe.stop());
      running[name] = { port: poolsafe.port, pid: poolsafe.pid };
    }
    console.log(`PgBouncer userlist: ${userlistFormat}; pool size ${poolSize}, ${rounds} rounds x ${SCENARIOS.length} scenarios x ${targets.length} targets, ${seconds} s each`);
    for (const [name, what] of Object.entries(FLOOR_DESCRIPTIONS)) if (targets.includes(name)) console.log(`floor ${name}: ${what}`);

    // Warm-up fills each pooler's pool and the server's caches; not recorded.
    for (const name of targets) await runPgbench(running[name].port, cluster.password, ['-S', '-c', '10', '-j', '2'], 2);
    // Logins warmed too: the JIT is still compiling a pooler's login code after a few hundred logins.
    const loginScenario = [...SCENARIOS, ...ALL_SCENARIOS.filter((s) => rateScenarioIds.includes(s.id))].find((scenario) => scenario.args.includes('-C'));
    if (loginScenario) for (const name of targets) await warmUp(running[name], loginScenario, cluster.password);

    const runs = [];
    const mainLoad = [loadavg()[0]];
    const mainRounds = ['detection', 'audit', 'rate'].includes(process.env.BENCH_ONLY) ? 0 : rounds;
    for (let round = 0; round < mainRounds; round++) {
      for (const scenario of SCENARIOS) {
        // Rotate the order each round so no target always runs first (or right after a heavy run).
        const order = targets.map((_, i) => targets[(i + round) % targets.length]);
        for (const name of order.filter((t) => runsScenario(t, scenario))) {
          const result = await measure(running[name], scenario, cluster.password, seconds);
          runs.push({ round, scenario: scenario.id, target: name, ...result });
          console.log(
            `round ${round + 1} ${scenario.id.padEnd(15)} ${name.padEnd(9)} tps ${fmt(result.tps).padStart(7)}  lat ${fmt(result.latencyMs, 3)} ms` +
              (result.cpuPer1kTx === undefined ? '' : `  cpu ${fmt(result.cpuPer1kTx, 4)} s/1k tx`) +
              (result.failedTransactions ? `  FAILED TX ${result.failedTransactions}` : ''),
          );
        }
      }
    }
    const summary = summarize(runs);
    mainLoad.push(loadavg()[0]);
    if (mainRounds > 0) {
      // A shared machine's load moves every figure: it is printed with them.
      console.log(`\nload average ${fmt(mainLoad[0], 1)} -> ${fmt(mainLoad[1], 1)} over the ${mainRounds} rounds`);
      printTable(summary);
      printTargets(summary);
    }
    const dataDir = join(root, 'bench', '.data');
    mkdirSync(dataDir, { recursive: true });
    const resultPath = join(dataDir, 'pooler.json');
    const only = process.env.BENCH_ONLY;
    const fixedRate = !only || only === 'main' || only === 'rate' ? await measureAtFixedRate(running, summary, cluster, cleanups) : undefined;
    const detection = poolsafeTargets.length > 0 && (!only || only === 'detection') ? await measureDetectionCost(cluster, cleanups) : undefined;
    const audit = poolsafeTargets.length > 0 && (!only || only === 'audit') ? await measureAuditCost(cluster, cleanups) : undefined;
    writeFileSync(resultPath, JSON.stringify({ date: new Date().toISOString(), seconds, rounds, poolSize, scale, userlistFormat, mainLoad, runs, summary, fixedRate, detection, audit }, null, 2));
    console.log(`\nraw results: ${resultPath}`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  if (interrupted) return; // the signal handler exits once everything is stopped
  console.error(`bench/pooler: ${error.stack ?? error}`);
  process.exit(1);
});
