// Lint benchmark (issue 2): cold CLI, warm in-process analysis and peak RSS on a generated 1 MB /
// 17k-statement SQL file and a 5,000-line TS file, with squawk (npm `squawk-cli`) on the same SQL
// file in the same run. Then issue 10's whole-repository target: `poolsafe lint <dir>` on a generated
// ~30 MB tree (bench/generateTree.mjs) and, when $POOLSAFE_CORPUS holds them, on real repositories
// (BENCH_CORPUS_REPOS, comma-separated folder names; default graphile+crystal,medusajs+medusa).
// BENCH_TREE_RUNS (default 3) runs each; BENCH_LINT_ARGS adds flags to those runs.
// Run after `npm run build` (npm run bench:lint does both).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeInputs } from './generate.mjs';
import { writeTree } from './generateTree.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = resolve(root, process.env.POOLSAFE_DIST ?? 'dist');
const out = resolve(root, process.env.POOLSAFE_OUT ?? 'out');
const dataDir = join(root, 'bench', '.data');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TREE_RUNS = Number(process.env.BENCH_TREE_RUNS ?? 3);
/** BENCH_TREE_ONLY=1: only the whole-repository runs. */
const TREE_ONLY = process.env.BENCH_TREE_ONLY === '1';
const TREE_ARGS = (process.env.BENCH_LINT_ARGS ?? '').split(' ').filter(Boolean);
const CORPUS_REPOS = (process.env.BENCH_CORPUS_REPOS ?? 'graphile+crystal,medusajs+medusa').split(',').filter(Boolean);
const SQUAWK_VERSION = '2.66.0';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0)} ms`;

/** Wall time of a child process, its peak RSS and CPU time (GNU time's %M, %U, %S when installed). */
function timeProcess(command, args) {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const run = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const elapsed = performance.now() - started;
  if (run.error) throw run.error;
  const [rssKb, user, system] = gnuTime ? run.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  // CPU time (user + system) barely moves with the machine's load; wall time does (other engineers' jobs).
  return { elapsed, rssMb: rssKb / 1024, cpuMs: (user + system) * 1000, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function coldCli(file) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(timeProcess(process.execPath, [join(dist, 'cli.js'), 'lint', file, '--format', 'json']));
  const bad = runs.find((r) => r.status !== 0 && r.status !== 1);
  if (bad) throw new Error(`poolsafe lint failed (${bad.status}): ${bad.stderr}`);
  return { wall: median(runs.map((r) => r.elapsed)), cpu: median(runs.map((r) => r.cpuMs)), rssMb: Math.max(...runs.map((r) => r.rssMb)), findings: JSON.parse(runs[0].stdout).findings.length };
}

async function warm(files) {
  const analysis = require(join(out, 'server', 'analysis', 'index.js'));
  await analysis.initAnalysis();
  const sql = readFileSync(files.sql1mb, 'utf8');
  const ts = readFileSync(files.ts5k, 'utf8');
  // Warm-up: JIT and the parser's WebAssembly tiers; then fresh analyzers (nothing cached) for the SQL file.
  for (let i = 0; i < 2; i++) analysis.analyzeSql(sql);
  const sqlRuns = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    analysis.analyzeSql(sql);
    sqlRuns.push(performance.now() - started);
  }
  // One-character edit with the editor's per-statement cache.
  const analyzer = new analysis.SqlAnalyzer();
  analyzer.analyze(sql);
  const editRuns = [];
  for (let i = 0; i < RUNS; i++) {
    const at = Math.floor(sql.length / 2) + i * 7919;
    const edited = `${sql.slice(0, at)} ${sql.slice(at)}`;
    const started = performance.now();
    analyzer.analyze(edited);
    editRuns.push(performance.now() - started);
  }
  const tsFirst = performance.now();
  analysis.analyze(ts, 'typescript', {}, files.ts5k);
  const tsFirstMs = performance.now() - tsFirst;
  const tsRuns = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    analysis.analyze(`${ts}// edit ${i}\n`, 'typescript', {}, files.ts5k);
    tsRuns.push(performance.now() - started);
  }
  return { sql: median(sqlRuns), sqlEdit: median(editRuns), tsFirst: tsFirstMs, ts: median(tsRuns), rssMb: process.memoryUsage().rss / 2 ** 20 };
}

/** squawk from npm, installed into bench/.data on first use (not a project dependency: its lockfile
 * entries are platform-specific and would break `npm ci` elsewhere). */
function squawkBinary() {
  const prefix = join(dataDir, 'squawk');
  const binary = join(prefix, 'node_modules', '.bin', 'squawk');
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, `squawk-cli@${SQUAWK_VERSION}`], { stdio: 'inherit' });
  }
  return binary;
}

function squawk(file) {
  let binary;
  try {
    binary = squawkBinary();
  } catch (error) {
    return { error: `could not install squawk-cli@${SQUAWK_VERSION}: ${error.message}` };
  }
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(timeProcess(binary, ['--reporter', 'gcc', file]));
  return { wall: median(runs.map((r) => r.elapsed)), cpu: median(runs.map((r) => r.cpuMs)), rssMb: Math.max(...runs.map((r) => r.rssMb)), status: runs[0].status };
}

if (!existsSync(join(dist, 'cli.js'))) throw new Error(`${join(dist, 'cli.js')} is missing: run npm run build`);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

/** Issue 2 and 14's single-file figures, with squawk beside them. */
async function singleFiles() {
  const { files, statements } = writeInputs(dataDir);
  const sqlBytes = readFileSync(files.sql1mb).length;
  console.log(`inputs: ${files.sql1mb} (${(sqlBytes / 1e6).toFixed(2)} MB, ${statements} statements), ${files.ts5k} (5,000 lines); median of ${RUNS} runs; load average ${load()}`);

  const cold = coldCli(files.sql1mb);
  const coldTs = coldCli(files.ts5k);
  const warmed = await warm(files);
  const sq = squawk(files.sql1mb);

  /** Issue 14's cold-CLI target, judged on wall and on CPU time (the machine is shared: wall grows with its load, CPU barely). */
  const COLD_TARGET = { ms: 600, rssMb: 150 };
  function coldTarget(run) {
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    return `target ≤ ${COLD_TARGET.ms} ms, ≤ ${COLD_TARGET.rssMb} MB (issue 14): wall ${verdict(run.wall <= COLD_TARGET.ms)}, CPU ${verdict(run.cpu <= COLD_TARGET.ms)}, RSS ${verdict(run.rssMb <= COLD_TARGET.rssMb)}`;
  }

  const rows = [
    ['', 'wall', 'CPU', 'peak RSS', '', ''],
    ['PoolSafe cold CLI, 1 MB SQL', ms(cold.wall), ms(cold.cpu), `${cold.rssMb.toFixed(0)} MB`, `${cold.findings} findings`, coldTarget(cold)],
    ['PoolSafe cold CLI, 5,000-line TS', ms(coldTs.wall), ms(coldTs.cpu), `${coldTs.rssMb.toFixed(0)} MB`, `${coldTs.findings} findings`, ''],
    ['PoolSafe warm, 1 MB SQL (no cache)', ms(warmed.sql), '', `${warmed.rssMb.toFixed(0)} MB`, '', 'target ≤ 300 ms'],
    ['PoolSafe warm, 1 MB SQL, 1-char edit (cache)', ms(warmed.sqlEdit), '', '', '', ''],
    ['PoolSafe warm, 5,000-line TS (first run)', ms(warmed.tsFirst), '', '', '', ''],
    ['PoolSafe warm, 5,000-line TS (edit)', ms(warmed.ts), '', '', '', 'target ≤ 150 ms'],
    sq.error ? ['squawk', 'n/a', '', '', sq.error, ''] : [`squawk ${SQUAWK_VERSION}, 1 MB SQL`, ms(sq.wall), ms(sq.cpu), `${sq.rssMb.toFixed(0)} MB`, `exit ${sq.status}`, ''],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
  if (!sq.error) console.log(`ratio PoolSafe cold CLI / squawk: time ${(cold.wall / sq.wall).toFixed(2)}×, CPU ${(cold.cpu / sq.cpu).toFixed(2)}×, peak RSS ${(cold.rssMb / sq.rssMb).toFixed(2)}×`);
}

/** Files and bytes a whole-repository lint reads: the CLI's own walk and skips (out/), generated text dropped as it is there. */
function lintedSize(dir) {
  const { collectFiles, languageOf } = require(join(out, 'cli', 'files.js'));
  const { isGeneratedText } = require(join(out, 'server', 'generatedFiles.js'));
  let files = 0;
  let bytes = 0;
  for (const file of collectFiles([dir]).files) {
    const text = readFileSync(file, 'utf8');
    if (isGeneratedText(text, languageOf(file))) continue;
    files++;
    bytes += Buffer.byteLength(text);
  }
  return { files, mb: bytes / 1e6 };
}

/** Issue 10's target for a ~30 MB tree. */
const TREE_TARGET = { seconds: 5, rssMb: 300 };

function wholeRepository(title, dir) {
  const size = lintedSize(dir);
  const runs = [];
  for (let i = 0; i < TREE_RUNS; i++) runs.push(timeProcess(process.execPath, [join(dist, 'cli.js'), 'lint', dir, '--format', 'json', ...TREE_ARGS]));
  const bad = runs.find((r) => r.status !== 0 && r.status !== 1);
  if (bad) throw new Error(`poolsafe lint ${dir} failed (${bad.status}): ${bad.stderr.slice(-2000)}`);
  const wall = median(runs.map((r) => r.elapsed));
  const cpu = median(runs.map((r) => r.cpuMs));
  const rssMb = Math.max(...runs.map((r) => r.rssMb));
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  console.log(`${title}: ${size.files} files, ${size.mb.toFixed(1)} MB linted; wall ${ms(wall)}, CPU ${ms(cpu)}, peak RSS ${rssMb.toFixed(0)} MB, `
    + `${JSON.parse(runs[0].stdout).findings.length} findings (median of ${TREE_RUNS}, load ${load()}); `
    + `target ≤ ${TREE_TARGET.seconds} s, ≤ ${TREE_TARGET.rssMb} MB (issue 10): wall ${verdict(wall <= TREE_TARGET.seconds * 1000)}, RSS ${verdict(rssMb <= TREE_TARGET.rssMb)}`);
}

if (!TREE_ONLY) await singleFiles();
console.log(`-- whole-repository lint${TREE_ARGS.length ? ` (${TREE_ARGS.join(' ')})` : ''}`);
// Outside the checkout: bench/.data is git-ignored, and lint honours the enclosing repository's .gitignore.
wholeRepository('generated tree', writeTree(join(tmpdir(), 'poolsafe-bench', 'tree-30mb')));
const corpusDir = process.env.POOLSAFE_CORPUS;
for (const repo of corpusDir ? CORPUS_REPOS : []) {
  const dir = join(corpusDir, repo);
  if (existsSync(dir)) wholeRepository(`corpus ${repo}`, dir);
  else console.log(`corpus ${repo}: ${dir} is missing (see node bench/corpus.mjs --fetch-help)`);
}
if (!corpusDir) console.log('real repositories: set POOLSAFE_CORPUS to a corpus folder (docs/corpus.md) to time them too');
console.log(`load average at the end: ${load()} (wall times grow with it; CPU times much less)`);
