// A side-by-side peer started as a child process (PgBouncer, Pgpool-II): waiting until it accepts TCP
// connections and until it exits (both bounded), and stopping it.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';

/** Resolves once something accepts TCP connections on 127.0.0.1:port; bounded by the deadline. */
export async function waitForPort(name: string, port: number, deadline: number, child: ChildProcess, describe: () => string): Promise<void> {
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before accepting connections\n${describe()}`);
    }
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(20 * (attempt + 1), 200)));
  }
  throw new Error(`${name} did not accept connections on port ${port} in time\n${describe()}`);
}

/** Resolves true once the child has exited, false after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * An idempotent stop for a peer: `gentle` first, SIGKILL if it has not exited within 5 s, then its
 * folder removed. Until then the peer is also killed if the test process exits first.
 */
export function peerStopper(child: ChildProcess, dir: string, gentle: NodeJS.Signals, kill: (signal: NodeJS.Signals) => void): () => Promise<void> {
  const killOnExit = () => kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    kill(gentle);
    if (!(await waitForExit(child, 5000))) {
      kill('SIGKILL');
      await waitForExit(child, 5000);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
