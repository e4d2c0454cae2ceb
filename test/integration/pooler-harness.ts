// Starts dist/pooler.js as a child process in front of a throwaway cluster, the way users run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { poolerPath } from '../helpers/paths';
import { pgClientBinDir, type Cluster } from '../helpers/cluster';
import { MessageReader, parseErrorFields, saslInitialResponse, saslResponse, startupMessage } from '../../extension/pooler/protocol';
import { ScramClientSession } from '../../extension/pooler/auth';

export const PG_BIN = pgClientBinDir();

export interface RunningPooler {
  port: number;
  process: ChildProcess;
  /** Connection URL through the pooler (defaults: the cluster's superuser and password). */
  url(options?: { database?: string; user?: string; password?: string; application?: string }): string;
  stderr(): string;
  /** SIGQUIT (immediate shutdown, as in PgBouncer) and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** `options.target: null` starts from `--config` alone (no --target), as a PgBouncer ini is run. */
export async function startPooler(cluster: Cluster, args: string[] = [], options: { target?: string | null } = {}): Promise<RunningPooler> {
  const target = options.target === undefined ? cluster.url() : options.target;
  const targetArgs = target === null ? [] : ['--target', target];
  const child = spawn(process.execPath, ['--enable-source-maps', poolerPath, ...targetArgs, '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pooler did not start in 15 s; stderr: ${stderr}`)), 15000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      const match = /listening on [^\s]+:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pooler exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  let exited: Promise<number | null> | undefined;
  return {
    port,
    process: child,
    url({ database = 'postgres', user = cluster.user, password = cluster.password, application } = {}) {
      const app = application ? `?application_name=${encodeURIComponent(application)}` : '';
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${app}`;
    },
    stderr: () => stderr,
    stop() {
      exited ??= (async () => {
        if (child.exitCode !== null) return child.exitCode;
        const done = once(child, 'exit');
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        const [code] = (await done) as [number | null];
        clearTimeout(timer);
        return code;
      })();
      return exited;
    },
  };
}

/** The error a login fails with (the test fails if the login succeeds). */
export async function loginError(connectionString: string): Promise<Error & { code?: string }> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    return error as Error & { code?: string };
  } finally {
    await client.end().catch(() => {});
  }
  throw new Error('login unexpectedly succeeded');
}

/** A pg client connected through the pooler; closed by the caller (or `t.after`). */
export async function connectPg(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10000 });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query('select pg_backend_pid() as pid');
  return rows[0].pid as number;
}

/** Writes a PgBouncer .ini into a temp dir; returns its path and a cleanup. */
export function writeIni(text: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-ini-'));
  const path = join(dir, 'pgbouncer.ini');
  writeFileSync(path, text);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts the pooler with `--config` for an ini written into a fresh folder under `parent`, with its
 * userlist.txt beside it; stopped when the test `t` ends.
 */
export async function startPoolerWithIni(
  cluster: Cluster, parent: string, t: { after(fn: () => unknown): void }, ini: string, userlist = '',
): Promise<RunningPooler> {
  const folder = mkdtempSync(join(parent, 'ini-'));
  writeFileSync(join(folder, 'userlist.txt'), userlist);
  writeFileSync(join(folder, 'pgbouncer.ini'), ini);
  const pooler = await startPooler(cluster, ['--config', join(folder, 'pgbouncer.ini')]);
  t.after(() => pooler.stop());
  return pooler;
}

/** Runs a child to completion with a time limit; resolves with its code and output. */
export async function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // EPIPE when the child exits without reading stdin (psql -c)
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * A hand-driven protocol client (SCRAM login through the pooler), for message sequences drivers do
 * not produce on demand (Flush without Sync, suspended portals).
 */
export class RawClient {
  private readonly reader = new MessageReader();
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(readonly socket: import('node:net').Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, user: string, password: string, database = 'postgres', params: Record<string, string> = {}): Promise<RawClient> {
    const net = await import('node:net');
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const client = new RawClient(socket);
    socket.write(startupMessage({ ...params, user, database }));
    let scram: ScramClientSession | undefined;
    for (;;) {
      const { type, body } = await client.next();
      if (type === 0x45) throw new Error(parseErrorFields(body).get('M'));
      if (type === 0x5a) return client;
      if (type !== 0x52) continue;
      const code = body.readInt32BE(0);
      if (code === 10) {
        scram = new ScramClientSession(password);
        socket.write(saslInitialResponse('SCRAM-SHA-256', Buffer.from(scram.clientFirst())));
      } else if (code === 11) {
        socket.write(saslResponse(Buffer.from(scram!.handleServerFirst(body.toString('utf8', 4)))));
      }
    }
  }

  /** The next message, waiting at most `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<{ type: number; body: Buffer }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.reader.next();
      if (message) return { type: message.type, body: Buffer.from(message.body) };
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Message types (as letters) up to and including the first of type `until`. */
  async readUntil(until: string, timeoutMs = 5000): Promise<string> {
    let seen = '';
    for (;;) {
      const { type } = await this.next(timeoutMs);
      seen += String.fromCharCode(type);
      if (String.fromCharCode(type) === until) return seen;
    }
  }

  /** True when no message arrives within `ms`. */
  async quietFor(ms: number): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch (error) {
      if ((error as Error).message === 'timed out waiting for a message') return true;
      throw error;
    }
  }

  /**
   * Writes `data` one byte per write, each after the previous one left and a pause, so the pooler
   * reads every message in pieces (split headers and bodies).
   */
  async sendByteByByte(data: Buffer, pauseMs = 2): Promise<void> {
    this.socket.setNoDelay(true);
    for (let i = 0; i < data.length; i++) {
      await new Promise<void>((resolve) => this.socket.write(data.subarray(i, i + 1), () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Frontend message with a type byte and a body. */
export function frontend(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** Extended-protocol messages with no parameters (the unnamed portal, text results). */
export const extended = {
  parse: (name: string, text: string) => frontend('P', Buffer.concat([cstr(name), cstr(text), Buffer.from([0, 0])])),
  bind: (statement: string) => frontend('B', Buffer.concat([cstr(''), cstr(statement), Buffer.from([0, 0, 0, 0, 0, 0])])),
  execute: () => frontend('E', Buffer.concat([cstr(''), Buffer.from([0, 0, 0, 0])])),
  describeStatement: (name: string) => frontend('D', Buffer.concat([Buffer.from('S'), cstr(name)])),
  closeStatement: (name: string) => frontend('C', Buffer.concat([Buffer.from('S'), cstr(name)])),
  sync: () => frontend('S'),
};

export function cstr(text: string): Buffer {
  return Buffer.from(text + '\0');
}
