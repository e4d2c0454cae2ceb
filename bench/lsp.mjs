// LSP benchmark (issues 3 and 14): spawns dist/server.js over stdio, opens documents, types into each
// (one didChange per character) and times didChange -> publishDiagnostics for that version.
//   Memory run (issue 14): a fresh server with the 5,000-line TS file and the 1 MB SQL file open, 20
//   edits each: the server's peak RSS (VmHWM, main thread + analysis worker) against <= 200 MB. Peak
//   RSS moves by ~20 MB run to run for the same build (when V8 happens to collect), so the run is
//   repeated and the target judged on the median, with the max beside it.
//   Latency run (issue 3): another fresh server, the 5,000-line TS, 5,000-line SQL and 1 MB SQL files,
//   50 edits each: p50/p95/max per file.
// Run after `npm run build` (npm run bench:lsp does both).
//   BENCH_LSP_GAP_MS     pause between keystrokes (default 100: ~10 characters/s, a fast typist)
//   BENCH_LSP_ONLY       latency run: only the cases whose name contains this text (e.g. "1 MB")
//   BENCH_LSP_RUNS       "memory,latency" (default), "memory" or "latency"
//   BENCH_LSP_MEMORY_RUNS  how many fresh servers the memory run measures (default 5)
//   BENCH_LSP_NODE_ARGS  extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
// The workspace is a folder of this benchmark's own (under the system's temp folder) holding the three
// files it opens, written afresh on every run: the server indexes the workspace's .sql files, so its
// figures must not depend on what else lies there (bench:lint's bench/.data) or on whether it exists.
// The server gets server/launch.ts's SERVER_ENV (malloc settings) unless this process's environment
// sets those variables itself (e.g. MALLOC_ARENA_MAX=16 to measure without them).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeInputs } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const serverPath = join(resolve(root, process.env.POOLSAFE_DIST ?? 'dist'), 'server.js');
// The node flags the extension starts the server with (server/launch.ts, compiled to out/ by the build).
const { SERVER_ENV, SERVER_EXEC_ARGV } = require(join(resolve(root, process.env.POOLSAFE_OUT ?? 'out'), 'server', 'launch.js'));
const LATENCY_EDITS = 50;
const MEMORY_EDITS = 20;
const MEMORY_TARGET_MB = 200;
const MEMORY_RUNS = Number(process.env.BENCH_LSP_MEMORY_RUNS ?? 5);
const GAP_MS = Number(process.env.BENCH_LSP_GAP_MS ?? 100);
const DIAGNOSTICS_TIMEOUT_MS = 30_000;
const workspace = join(tmpdir(), 'poolsafe-bench', 'lsp-workspace');

if (!existsSync(serverPath)) {
  console.error(`${serverPath} is missing: run npm run build first`);
  process.exit(2);
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const median = (values) => percentile(values, 50);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** CPU time (user + system) the process has used, in ms (clock ticks are 10 ms). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function startServer() {
  const nodeArgs = (process.env.BENCH_LSP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, ...nodeArgs, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...SERVER_ENV, ...process.env } });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = new Map(); // `${uri}@${version}` -> resolve
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    const key = `${params.uri}@${params.version}`;
    waiters.get(key)?.(params.diagnostics);
    waiters.delete(key);
  });
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const diagnosticsFor = (uri, version) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${DIAGNOSTICS_TIMEOUT_MS} ms`)), DIAGNOSTICS_TIMEOUT_MS);
      waiters.set(`${uri}@${version}`, (diagnostics) => {
        clearTimeout(timer);
        resolve(diagnostics);
      });
    });
  return { child, connection, diagnosticsFor };
}

/** Position just after the end of the line in the middle of the document: where the typing happens. */
function middleLineEnd(text) {
  const lines = text.split('\n');
  const line = Math.floor(lines.length / 2);
  return { line, character: lines[line].length };
}

async function runCase(server, { name, uri, languageId, text, typed, pairs, edits }) {
  let version = 1;
  const opened = performance.now();
  const openDiagnostics = server.diagnosticsFor(uri, version);
  void server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  const initial = await openDiagnostics;
  const openMs = performance.now() - opened;
  // Typing starts on a new line in the middle of the file: insert the newline first (not timed).
  let position = middleLineEnd(text);
  version++;
  let pending = server.diagnosticsFor(uri, version);
  void server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: position, end: position }, text: '\n' }] });
  await pending;
  position = { line: position.line + 1, character: 0 };
  const latencies = [];
  const cpuBefore = cpuMsOf(server.child.pid);
  let last = initial;
  const lineText = [''];
  let column = 0;
  // VS Code's auto-closing: an opener inserts its pair in one edit; typing the closer then only moves the cursor.
  for (let k = 0; latencies.length < edits; k++) {
    const char = typed[k % typed.length];
    const after = lineText[lineText.length - 1][column];
    if (char === after && CLOSERS.has(char)) {
      column++;
      continue;
    }
    const insert = pairs[char] !== undefined ? char + pairs[char] : char;
    await sleep(GAP_MS);
    version++;
    pending = server.diagnosticsFor(uri, version);
    const at = { line: position.line + lineText.length - 1, character: column };
    const started = performance.now();
    void server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: at, end: at }, text: insert }] });
    last = await pending;
    latencies.push(performance.now() - started);
    const current = lineText[lineText.length - 1];
    if (char === '\n') {
      lineText[lineText.length - 1] = current.slice(0, column);
      lineText.push(current.slice(column));
      column = 0;
    } else {
      lineText[lineText.length - 1] = current.slice(0, column) + insert + current.slice(column);
      column++;
    }
  }
  const cpuPerEdit = (cpuMsOf(server.child.pid) - cpuBefore) / latencies.length;
  return { cpuPerEdit, name, lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text), openMs, initial: initial.length, final: last.length, latencies };
}

const sqlTyping = "SET search_path TO app;\nSELECT pg_advisory_lock(1), 'x';\n";
const tsTyping = "  await pool.query('LISTEN x');\n  await sql`SELECT 1`;\n";
// Auto-closing pairs of VS Code's TypeScript and SQL language configurations.
const TS_PAIRS = { '(': ')', '[': ']', '{': '}', "'": "'", '"': '"', '`': '`' };
const SQL_PAIRS = { '(': ')', '[': ']', '{': '}', "'": "'", '"': '"' };
const CLOSERS = new Set([')', ']', '}', "'", '"', '`']);
rmSync(workspace, { recursive: true, force: true });
const inputs = writeInputs(workspace); // the documents the runs open, as files of the workspace
const only = process.env.BENCH_LSP_ONLY; // e.g. "1 MB" to run one case of the latency run
const runs = (process.env.BENCH_LSP_RUNS ?? 'memory,latency').split(',');
const openedCase = (path, fields) => ({ ...fields, path, text: readFileSync(path, 'utf8') });
const TS_CASE = openedCase(inputs.files.ts5k, { name: '5,000-line TS', languageId: 'typescript', typed: tsTyping, pairs: TS_PAIRS, targetMs: 50 });
const SQL_5K_CASE = openedCase(inputs.files.sql5k, { name: '5,000-line SQL', languageId: 'sql', typed: sqlTyping, pairs: SQL_PAIRS, targetMs: 50 });
const SQL_1MB_CASE = openedCase(inputs.files.sql1mb, { name: `1 MB SQL (${inputs.statements} statements)`, languageId: 'sql', typed: sqlTyping, pairs: SQL_PAIRS, targetMs: 150 });

/** Opens and edits `cases` in order in a fresh server; returns per-case results and the server's final memory. */
async function runServer(cases, edits) {
  const server = startServer();
  const results = [];
  try {
    const rootUri = pathToFileURL(workspace).href;
    await server.connection.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
    void server.connection.sendNotification('initialized', {});
    for (const c of cases) {
      const uri = pathToFileURL(c.path).href;
      results.push({ ...(await runCase(server, { ...c, uri, edits })), targetMs: c.targetMs, peakMb: memoryOf(server.child.pid).hwmMb });
    }
    return { results, memory: memoryOf(server.child.pid) };
  } finally {
    try {
      await Promise.race([server.connection.sendRequest('shutdown'), sleep(2000)]);
      void server.connection.sendNotification('exit');
    } catch {
      // killing below is what matters
    }
    setTimeout(() => server.child.kill('SIGKILL'), 2000).unref();
  }
}

function printTable(results) {
  const header = ['file', 'lines', 'size', 'open', 'diags', 'p50', 'p95', 'max', 'server CPU/edit', 'peak RSS so far', 'target p95', 'result'];
  const rows = results.map((r) => {
    const p95 = percentile(r.latencies, 95);
    return [r.name, String(r.lines), `${(r.bytes / 1e6).toFixed(2)} MB`, `${r.openMs.toFixed(0)} ms`, `${r.initial}->${r.final}`,
      `${percentile(r.latencies, 50).toFixed(1)} ms`, `${p95.toFixed(1)} ms`, `${Math.max(...r.latencies).toFixed(1)} ms`,
      `${r.cpuPerEdit.toFixed(1)} ms`, `${r.peakMb.toFixed(0)} MB`, `<= ${r.targetMs} ms`, p95 <= r.targetMs ? 'PASS' : 'MISS'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
const serverEnv = () => Object.keys(SERVER_ENV).map((k) => `${k}=${process.env[k] ?? SERVER_ENV[k]} `).join('');
const environment = () => `${serverEnv()}node ${process.version} ${SERVER_EXEC_ARGV.join(' ')}, load average ${load()} on ${availableParallelism()} CPUs`;

/** The memory run, MEMORY_RUNS times: each run's table, then peak RSS median/max and the edits' p95 over all runs. */
async function memoryRuns() {
  const runResults = [];
  for (let run = 1; run <= MEMORY_RUNS; run++) {
    const { results, memory } = await runServer([TS_CASE, SQL_1MB_CASE], MEMORY_EDITS);
    console.log(`\nLSP memory run ${run}/${MEMORY_RUNS}: one server, the 5,000-line TS and the 1 MB SQL file open, ${MEMORY_EDITS} one-character edits each, ${GAP_MS} ms between keystrokes (${environment()})\n`);
    printTable(results);
    console.log(`\nserver peak RSS (VmHWM): ${memory.hwmMb.toFixed(0)} MB (current ${memory.rssMb.toFixed(0)} MB)`);
    runResults.push({ results, memory });
  }
  const peaks = runResults.map((r) => r.memory.hwmMb);
  console.log(`\nLSP memory over ${MEMORY_RUNS} runs (load average ${load()}):`);
  for (const [i, c] of [TS_CASE, SQL_1MB_CASE].entries()) {
    const latencies = runResults.flatMap((r) => r.results[i].latencies);
    const cpu = median(runResults.map((r) => r.results[i].cpuPerEdit));
    console.log(`  ${c.name}: edit-to-diagnostics p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (${latencies.length} edits), server CPU/edit median ${cpu.toFixed(1)} ms`);
  }
  const ok = median(peaks) <= MEMORY_TARGET_MB;
  console.log(`  server peak RSS (VmHWM): median ${median(peaks).toFixed(0)} MB, max ${Math.max(...peaks).toFixed(0)} MB, min ${Math.min(...peaks).toFixed(0)} MB (runs: ${peaks.map((p) => p.toFixed(0)).join(', ')}), target median <= ${MEMORY_TARGET_MB} MB: ${ok ? 'PASS' : 'MISS'}`);
}

if (runs.includes('memory')) await memoryRuns();

if (runs.includes('latency')) {
  const allCases = [TS_CASE, SQL_5K_CASE, SQL_1MB_CASE];
  const { results, memory } = await runServer(only ? allCases.filter((c) => c.name.includes(only)) : allCases, LATENCY_EDITS);
  console.log(`\nLSP latency: didChange -> publishDiagnostics, ${LATENCY_EDITS} one-character edits per file, ${GAP_MS} ms between keystrokes, auto-closed pairs as in VS Code (${environment()})\n`);
  printTable(results);
  console.log(`\nserver peak RSS (VmHWM) after all files: ${memory.hwmMb.toFixed(0)} MB (current ${memory.rssMb.toFixed(0)} MB)`);
}
