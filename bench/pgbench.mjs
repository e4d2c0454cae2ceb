// What the pooler benchmarks share: running pgbench against a port and reading its summary, and the
// CPU time of a process from /proc (Linux).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const PGBENCH = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).stdout.trim() || 'pgbench';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU seconds of one process (utime+stime, and each apart) and its parent pid (/proc/<pid>/stat);
 * throws if it is gone.
 */
export function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]) / CLOCK_TICKS;
  const system = Number(fields[12]) / CLOCK_TICKS;
  return { ppid: Number(fields[1]), cpu: user + system, user, system };
}

/**
 * Read-type and write-type system calls of one process so far (/proc/<pid>/io syscr/syscw: read,
 * write, readv, writev… — what a Node process relaying sockets makes per message batch).
 */
export function procSyscalls(pid) {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? NaN);
  return { reads: field('syscr'), writes: field('syscw') };
}

/** pgbench processes started by this process and not yet exited (stopped when a benchmark is interrupted). */
const running = new Set();

/** Ends every pgbench this process started that is still running (SIGTERM). */
export function stopRunningPgbench() {
  for (const child of running) child.kill('SIGTERM');
}

/**
 * Runs `pgbench -i` (initialization) asynchronously, so a signal arriving meanwhile is handled at once;
 * rejects with its stderr on failure.
 */
export function initPgbench(port, password, scale, timeoutMs = 300_000) {
  const args = ['-i', '-q', '-s', String(scale), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'postgres'];
  return new Promise((resolve, reject) => {
    const child = spawn(PGBENCH, args, { env: { ...process.env, PGPASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(killer);
      if (code === 0) resolve();
      else reject(new Error(`pgbench -i failed (${code ?? signal}):\n${stderr.slice(-2000)}`));
    });
  });
}

/** Runs pgbench asynchronously (so the caller can keep reading /proc) and parses its summary. */
export function runPgbench(port, password, args, durationSeconds) {
  const fullArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-n', '-T', String(durationSeconds), ...args, 'postgres'];
  return new Promise((resolve, reject) => {
    const child = spawn(PGBENCH, fullArgs, { env: { ...process.env, PGPASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), (durationSeconds * 3 + 60) * 1000);
    child.once('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(killer);
      const tps = /^tps = ([\d.]+)/m.exec(stdout);
      const latency = /^latency average = ([\d.]+) ms/m.exec(stdout);
      const processed = /^number of transactions actually processed: (\d+)/m.exec(stdout);
      const failed = /^number of failed transactions: (\d+)/m.exec(stdout);
      if (code !== 0 || !tps || !latency || !processed) {
        const hint = processed && Number(processed[1]) === 0 ? ' (no transaction completed: connecting took the whole run? raise BENCH_SECONDS)' : '';
        reject(new Error(`pgbench ${fullArgs.join(' ')} failed (${code ?? signal})${hint}:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({
        tps: Number(tps[1]),
        latencyMs: Number(latency[1]),
        transactions: Number(processed[1]),
        failedTransactions: failed ? Number(failed[1]) : 0,
      });
    });
  });
}
