// Deadlines that count a child process's CPU time, not the wall clock. A test that bounds how long some work may
// take means "this much computing", but on a loaded machine (CI, or load 20 on two cores) a process gets a
// fraction of a core and a wall-clock deadline fires on work that is fine. The CPU time a process has used
// (/proc/<pid>/stat: user + system, all its threads) grows only while it runs, so a CPU budget fails on a
// quadratic pass or a busy loop whatever the load; a wall-clock bound, many times longer, still ends a child
// that waits forever. Where /proc cannot tell (not Linux) only the wall-clock bound applies.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of /proc/<pid>/stat's utime and stime: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const POLL_MS = 50;

/** CPU milliseconds (user + system, every thread) the live process `pid` has used; undefined where /proc cannot tell. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: the fields are counted after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuLimits {
  /** CPU time the process may use from now on. */
  cpuMs: number;
  /** Wall-clock time after which the deadline expires whatever the CPU time: for a process that waits forever. */
  wallMs: number;
}

/**
 * Calls `expire` once the process `pid` has used `limits.cpuMs` of CPU time more than it had when called, has
 * exited, or `limits.wallMs` have passed; answers a function that cancels the deadline.
 */
export function cpuDeadline(pid: number, limits: CpuLimits, expire: (reason: string) => void): () => void {
  const started = Date.now();
  const cpuAtStart = cpuMsOf(pid);
  const check = () => {
    const now = cpuMsOf(pid);
    const used = cpuAtStart === undefined || now === undefined ? undefined : now - cpuAtStart;
    const waited = Date.now() - started;
    if (cpuAtStart !== undefined && now === undefined) finish(`exited after ${waited} ms`);
    else if (used !== undefined && used >= limits.cpuMs) finish(`used ${used} ms of CPU time (budget ${limits.cpuMs} ms) in ${waited} ms`);
    else if (waited >= limits.wallMs) finish(`waited ${waited} ms (bound ${limits.wallMs} ms), having used ${used ?? '?'} ms of CPU time`);
  };
  const poll = setInterval(check, POLL_MS);
  const cancel = () => clearInterval(poll);
  const finish = (reason: string) => {
    cancel();
    expire(reason);
  };
  return cancel;
}

export interface BudgetedRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Why the child was killed, if it was: it went over its CPU budget or its wall-clock bound. */
  killed: string | undefined;
}

/**
 * Runs Node with `args` (e.g. `['-e', script]`) in a child, killed once it has used `cpuMs` of CPU time or after
 * `wallMs` (ten times the CPU budget unless given).
 */
export function runNodeWithCpuBudget(args: string[], limits: { cpuMs: number; wallMs?: number }): Promise<BudgetedRun> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed: string | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const cancel = cpuDeadline(child.pid!, { cpuMs: limits.cpuMs, wallMs: limits.wallMs ?? 10 * limits.cpuMs }, (reason) => {
    killed = reason;
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      cancel();
      reject(error);
    });
    child.once('close', (status, signal) => {
      cancel();
      resolve({ status, signal, stdout, stderr, killed });
    });
  });
}
