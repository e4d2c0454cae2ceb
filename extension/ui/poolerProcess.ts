// The pooler as a child process of the extension host: fork dist/pooler.js with an IPC channel,
// follow its state (off → starting → running → off | error), ask it for snapshots, and forward its
// events. No vscode import: the integration test drives this class against a real cluster.
// A pooler crash only moves the state to `error`; nothing here throws into the extension host.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { AdminRow, ChildMessage, ParentMessage, PoolerSnapshot, PoolerSummary } from '../pooler/ipc';
import { explainPoolerExit, type PoolerFailure } from './poolerFailure';

export interface RunningInfo {
  host: string;
  port: number;
  poolMode: string;
  serverPolicy: string;
  poolSize: number;
  pid: number;
}

export type PoolerState =
  | { status: 'off' }
  | { status: 'starting' }
  | { status: 'running'; info: RunningInfo; summary: PoolerSummary }
  | { status: 'error'; failure: PoolerFailure };

export interface PoolerLaunch {
  /** Path of dist/pooler.js. */
  script: string;
  /** Flags (never the password: see `target`). */
  args: string[];
  /** Target URL with its password; passed in the environment, not on the command line. */
  target?: string;
  cwd?: string;
}

/** How long the pooler may take to log in to the target and listen (it waits for the test login). */
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 5_000;
/** Kept so a failure can be explained; the pooler only writes a few lines. */
const STDERR_LIMIT = 16 * 1024;

interface Pending {
  resolve(message: ChildMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface PoolerProcessEvents {
  state: [PoolerState];
  hazard: [AdminRow];
  /** Every stdout/stderr line of the child, for the output channel. */
  log: [string];
}

export class PoolerProcess extends EventEmitter<PoolerProcessEvents> {
  private current: PoolerState = { status: 'off' };
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private lastRequestId = 0;
  private stopping = false;

  get state(): PoolerState {
    return this.current;
  }

  /** Starts the pooler; resolves with the state it settles in (`running` or `error`). */
  start(launch: PoolerLaunch): Promise<PoolerState> {
    if (this.child) return this.settled();
    this.stopping = false;
    this.setState({ status: 'starting' });
    const child = fork(launch.script, launch.args, {
      cwd: launch.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // The extension host may run with inspector flags; the pooler must not inherit them.
      execArgv: [],
      env: { ...process.env, POOLSAFE_TARGET: launch.target ?? '', ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child = child;
    let stderr = '';
    let running = false;
    const startTimer = setTimeout(() => {
      stderr += `poolsafe pooler: did not start within ${START_TIMEOUT_MS / 1000} s\n`;
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    this.forwardLines(child.stdout!, () => {});
    this.forwardLines(child.stderr!, (line) => {
      if (stderr.length < STDERR_LIMIT) stderr += line + '\n';
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        running = true;
        clearTimeout(startTimer);
        const { type: _type, ...info } = message;
        this.setState({ status: 'running', info, summary: { clients: 0, servers: 0, hazards: 0 } });
      } else {
        this.received(message);
      }
    });
    child.on('error', (error) => {
      stderr += `poolsafe pooler: ${error.message}\n`;
    });
    // 'close', not 'exit': only then has all of stderr been read, and stderr explains the failure.
    child.once('close', (code, signal) => {
      clearTimeout(startTimer);
      this.child = undefined;
      this.failPending(new Error('the pooler stopped'));
      if (this.stopping) this.setState({ status: 'off' });
      else this.setState({ status: 'error', failure: explainPoolerExit(stderr, code, signal, running) });
    });
    return this.settled();
  }

  /** Clean shutdown (the pooler closes its connections); killed if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      if (this.current.status === 'error') this.setState({ status: 'off' });
      return;
    }
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    if (child.connected) this.request({ type: 'shutdown', requestId: 0 }).catch(() => child.kill('SIGQUIT'));
    else child.kill('SIGQUIT');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(killer);
  }

  async snapshot(): Promise<PoolerSnapshot> {
    const answer = await this.request({ type: 'snapshot', requestId: 0 });
    if (answer.type !== 'snapshot') throw new Error('unexpected answer to a snapshot request');
    return answer.snapshot;
  }

  async killClient(clientId: number): Promise<void> {
    await this.request({ type: 'killClient', requestId: 0, clientId });
  }

  private settled(): Promise<PoolerState> {
    if (this.current.status !== 'starting') return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const onState = (state: PoolerState) => {
        if (state.status === 'starting') return;
        this.off('state', onState);
        resolve(state);
      };
      this.on('state', onState);
    });
  }

  private request(message: ParentMessage): Promise<ChildMessage> {
    const child = this.child;
    if (!child || !child.connected || this.current.status !== 'running') {
      return Promise.reject(new Error('the pooler is not running'));
    }
    const requestId = ++this.lastRequestId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`the pooler did not answer "${message.type}" within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(requestId, { resolve, reject, timer });
      child.send({ ...message, requestId });
    });
  }

  private received(message: ChildMessage): void {
    switch (message.type) {
      case 'summary':
        if (this.current.status === 'running') this.setState({ ...this.current, summary: message.summary });
        return;
      case 'hazard':
        this.emit('hazard', message.hazard);
        return;
      case 'snapshot':
      case 'done':
      case 'failed': {
        const pending = this.pending.get(message.requestId);
        if (!pending) return;
        this.pending.delete(message.requestId);
        clearTimeout(pending.timer);
        if (message.type === 'failed') pending.reject(new Error(message.error));
        else pending.resolve(message);
        return;
      }
    }
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  private forwardLines(stream: NodeJS.ReadableStream, also: (line: string) => void): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        also(line);
        this.emit('log', line);
      }
    });
  }

  private setState(state: PoolerState): void {
    this.current = state;
    this.emit('state', state);
  }
}
