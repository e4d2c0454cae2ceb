// A throwaway PgBouncer (Debian's /usr/sbin/pgbouncer) in front of a test cluster, for side-by-side
// behaviour checks and benchmarks. PgBouncer refuses to run as root, so under root it runs as the
// `postgres` OS user from a temp dir that user owns. Passwords go into userlist.txt in plaintext
// (PgBouncer can then verify clients by any method and log in to the server) unless a user comes
// with the server's SCRAM verifier.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cluster';
import { peerStopper, waitForPort } from './childProcess';

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** Port of the PostgreSQL server on 127.0.0.1. */
  targetPort: number;
  poolMode?: 'session' | 'transaction' | 'statement';
  poolSize?: number;
  authType?: 'scram-sha-256' | 'md5' | 'plain' | 'trust';
  /**
   * Users PgBouncer admits and logs in as. With `scramVerifier` (the server's pg_authid.rolpassword)
   * userlist.txt holds the verifier instead of the password, PgBouncer's recommended setup: clients
   * are checked without PBKDF2 and PgBouncer logs in to the server with the client's SCRAM keys.
   */
  users: { name: string; password: string; scramVerifier?: string }[];
  /** Extra `[pgbouncer]` settings, written verbatim (e.g. `{ max_prepared_statements: '100' }`). */
  extra?: Record<string, string>;
  /** Defaults to Debian's binary; only tests of this helper change it. */
  binary?: string;
  /** Milliseconds to wait for PgBouncer to accept connections. */
  startTimeoutMs?: number;
}

export interface PgBouncer {
  host: string;
  port: number;
  /** PID of the pgbouncer process itself (for /proc CPU accounting). */
  pid: number;
  dir: string;
  /** postgres://user:password@127.0.0.1:port/database through PgBouncer. */
  url(database: string, user: string, password: string): string;
  log(): string;
  stop(): Promise<void>;
}

interface OsUser {
  uid: number;
  gid: number;
}

function postgresOsUser(): OsUser | undefined {
  if (!process.getuid || process.getuid() !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

/** userlist.txt quoting: the value in double quotes, an embedded `"` doubled. */
function quoteUserlist(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * Writes pgbouncer.ini and userlist.txt into `dir` for a pooler listening on `port`; returns the ini's
 * path. Also read by PoolSafe (`pooler --config`) where one ini drives both poolers.
 */
export function writePgBouncerConfig(dir: string, port: number, options: PgBouncerOptions): string {
  const iniPath = join(dir, 'pgbouncer.ini');
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    // An empty unix_socket_dir disables the Unix socket (several instances would clash in /tmp).
    unix_socket_dir: '',
    auth_type: options.authType ?? 'scram-sha-256',
    auth_file: join(dir, 'userlist.txt'),
    pool_mode: options.poolMode ?? 'transaction',
    default_pool_size: String(options.poolSize ?? 20),
    max_client_conn: '1000',
    logfile: join(dir, 'pgbouncer.log'),
    admin_users: options.users[0]?.name ?? '',
    ignore_startup_parameters: 'extra_float_digits',
    ...options.extra,
  };
  const ini = [
    '[databases]',
    `* = host=127.0.0.1 port=${options.targetPort}`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
    '',
  ].join('\n');
  writeFileSync(iniPath, ini, { mode: 0o600 });
  const userlist = options.users.map((u) => `${quoteUserlist(u.name)} ${quoteUserlist(u.scramVerifier ?? u.password)}\n`);
  writeFileSync(join(dir, 'userlist.txt'), userlist.join(''), {
    mode: 0o600,
  });
  return iniPath;
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = options.binary ?? PGBOUNCER_BINARY;
  if (!existsSync(binary)) {
    throw new Error(`PgBouncer binary not found at ${binary}: install the Debian package \`pgbouncer\``);
  }
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-pgbouncer-'));
  const osUser = postgresOsUser();
  const port = await freePort();
  const iniPath = writePgBouncerConfig(dir, port, options);
  if (osUser) for (const path of [dir, iniPath, join(dir, 'userlist.txt')]) chownSync(path, osUser.uid, osUser.gid);

  const child = spawn(binary, [iniPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(osUser ? { uid: osUser.uid, gid: osUser.gid } : {}),
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const readLog = () => {
    const logPath = join(dir, 'pgbouncer.log');
    return existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
  };
  const describe = () => `output:\n${output}\nlog:\n${readLog()}`;
  // SIGTERM is PgBouncer's immediate shutdown; SIGKILL only if it hangs.
  const stop = peerStopper(child, dir, 'SIGTERM', (signal) => child.kill(signal));

  try {
    await Promise.race([waitForPort('pgbouncer', port, Date.now() + (options.startTimeoutMs ?? 10_000), child, describe), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('pgbouncer started without a pid');
  return {
    host: '127.0.0.1',
    port,
    pid: child.pid,
    dir,
    url: (database, user, password) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    log: readLog,
    stop,
  };
}
