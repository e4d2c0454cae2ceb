// A throwaway streaming replica of a throwaway primary (cli/throwawayPostgres.ts), replaying with
// `recovery_min_apply_delay`, so a read that a load balancer sends to it right after a write on the
// primary sees the old data: stale reads reproduce deterministically on a laptop.
// The npm-shipped binaries have no pg_basebackup: the replica's data directory is a file copy of the
// primary's taken while the primary is cleanly stopped (a shutdown checkpoint is a consistent base
// backup), after which the primary starts again and the replica streams from it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, appendFileSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendSettings, binDirUsableBy, clusterHandle, freePort, postgresBinDir, postgresVersion, runAs, serverOsUser, startServer, type ThrowawayCluster,
} from './throwawayPostgres';

export interface ThrowawayReplica extends ThrowawayCluster {
  primary: ThrowawayCluster;
  applyDelayMs: number;
}

export interface ReplicaOptions {
  /** recovery_min_apply_delay: how long after a commit on the primary the replica applies it (default 1000). */
  applyDelayMs?: number;
}

export const DEFAULT_APPLY_DELAY_MS = 1000;

/** A replica of a server this process did not start (the dev database): what it needs of it. */
export interface ReplicaOfServer extends ThrowawayCluster {
  applyDelayMs: number;
}

/**
 * Makes `primary` a replication source, copies its data directory while it is stopped (it restarts at
 * once: its open connections are cut), and starts the copy as a hot standby streaming from it.
 */
export async function startReplica(primary: ThrowawayCluster, options: ReplicaOptions = {}): Promise<ThrowawayReplica> {
  const applyDelayMs = options.applyDelayMs ?? DEFAULT_APPLY_DELAY_MS;
  const user = serverOsUser();
  allowReplication(primary);
  const dataDir = mkdtempSync(join(tmpdir(), 'poolsafe-replica-'));
  if (user) chownSync(dataDir, user.uid, user.gid);
  primary.pgCtl(['-m', 'fast', '-w', 'stop']);
  try {
    // As the server's OS user, so the copy keeps its owner and modes (PostgreSQL insists on both).
    runAs(user, 'cp', ['-a', `${primary.dataDir}/.`, dataDir]);
  } finally {
    startServer(primary);
  }
  for (const leftover of ['server.log', 'postmaster.pid', 'postmaster.opts']) rmSync(join(dataDir, leftover), { force: true });
  const port = await freePort();
  configureStandby(dataDir, primary, port, applyDelayMs);
  const replica = clusterHandle({ user, binDir: primary.binDir, dataDir, port, password: primary.password });
  startServer(replica);
  return Object.assign(replica, { primary, applyDelayMs });
}

/**
 * wal_level = replica and max_wal_senders are PostgreSQL's defaults; set them anyway (a settings
 * override could have lowered them) and keep enough WAL for a replica stopped for a while to catch up.
 * Takes effect at the restart that the copy needs anyway.
 */
function allowReplication(primary: ThrowawayCluster): void {
  appendSettings(primary.dataDir, { wal_level: 'replica', max_wal_senders: '10', wal_keep_size: "'256MB'" });
  const hba = join(primary.dataDir, 'pg_hba.conf');
  // The replica connects over the primary's own unix socket (trust for local connections, as initdb set).
  if (!/^[^\S\r\n\u2028\u2029]*local\s+replication\s/m.test(readFileSync(hba, 'utf8'))) appendFileSync(hba, 'local replication all trust\n');
}

function configureStandby(dataDir: string, primary: ThrowawayCluster, port: number, applyDelayMs: number): void {
  appendSettings(dataDir, {
    port: String(port),
    unix_socket_directories: `'${dataDir}'`,
    hot_standby: 'on',
    primary_conninfo: `'host=${primary.dataDir} port=${primary.port} user=${primary.user} application_name=poolsafe_replica_${port}'`,
    recovery_min_apply_delay: `'${applyDelayMs}ms'`,
  });
  const signal = join(dataDir, 'standby.signal');
  writeFileSync(signal, '');
  const user = serverOsUser();
  if (user) chownSync(signal, user.uid, user.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) throw new Error(`the copy of ${primary.dataDir} in ${dataDir} is not a data directory`);
}

/**
 * A throwaway streaming replica of any running server the URL reaches (the editor's dev database),
 * made with the client program pg_basebackup (`-X stream -R`: it writes standby.signal and
 * primary_conninfo) and run with the npm PostgreSQL binaries, which must be of the server's major
 * version. The server must accept replication connections from the URL's user (REPLICATION or
 * superuser; a `replication` line in pg_hba.conf, which initdb and Debian's packages write for
 * 127.0.0.1). The replica logs in with the same users and passwords as the server.
 */
export async function startReplicaOfServer(url: string, options: ReplicaOptions = {}): Promise<ReplicaOfServer> {
  const applyDelayMs = options.applyDelayMs ?? DEFAULT_APPLY_DELAY_MS;
  const user = serverOsUser();
  const binDir = binDirUsableBy(postgresBinDir(), user);
  const dataDir = mkdtempSync(join(tmpdir(), 'poolsafe-replica-'));
  if (user) chownSync(dataDir, user.uid, user.gid);
  const target = new URL(url);
  try {
    baseBackup(target, dataDir, user);
    const serverMajor = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
    const ours = postgresVersion(binDir).split('.')[0];
    if (serverMajor !== ours) throw new Error(`the server runs PostgreSQL ${serverMajor}, these binaries are ${ours}: set POOLSAFE_PG_BIN to a directory of PostgreSQL ${serverMajor} binaries`);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  appendSettings(dataDir, {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dataDir}'`,
    hot_standby: 'on',
    recovery_min_apply_delay: `'${applyDelayMs}ms'`,
  });
  const password = decodeURIComponent(target.password) || process.env.PGPASSWORD || '';
  const replica = clusterHandle({ user, binDir, dataDir, port, password });
  startServer(replica);
  const database = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const login = decodeURIComponent(target.username) || 'postgres';
  return Object.assign(replica, { applyDelayMs, url: (db = database, u = login, p = password) => `postgres://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/${db}` });
}

/** The directory holding the client program pg_basebackup: POOLSAFE_PG_CLIENT_BIN, POOLSAFE_PG_BIN, else the PATH. */
function baseBackupProgram(): string {
  for (const dir of [process.env.POOLSAFE_PG_CLIENT_BIN, process.env.POOLSAFE_PG_BIN]) {
    if (dir && existsSync(join(dir, 'pg_basebackup'))) return join(dir, 'pg_basebackup');
  }
  const found = spawnSync('sh', ['-c', 'command -v pg_basebackup'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('pg_basebackup not found: install the PostgreSQL client programs (Debian: postgresql-client) or set POOLSAFE_PG_CLIENT_BIN');
  return found;
}

function baseBackup(target: URL, dataDir: string, user: ReturnType<typeof serverOsUser>): void {
  const host = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const args = ['-D', dataDir, '-h', host, '-p', target.port || '5432', '-X', 'stream', '-R', '-c', 'fast', '--no-sync', '-w'];
  if (target.username) args.push('-U', decodeURIComponent(target.username));
  const password = decodeURIComponent(target.password) || process.env.PGPASSWORD;
  // The password goes through the environment, never argv (ps shows argv to every user).
  runAs(user, baseBackupProgram(), args, { cwd: dataDir, env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}), PGAPPNAME: 'poolsafe_replica' } });
}
