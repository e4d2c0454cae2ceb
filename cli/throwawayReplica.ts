// A throwaway streaming replica of a throwaway primary (cli/throwawayPostgres.ts), replaying with
// `recovery_min_apply_delay`, so a read that a load balancer sends to it right after a write on the
// primary sees the old data: stale reads reproduce deterministically on a laptop.
// The npm-shipped binaries have no pg_basebackup: the replica's data directory is a file copy of the
// primary's taken while the primary is cleanly stopped (a shutdown checkpoint is a consistent base
// backup), after which the primary starts again and the replica streams from it.
import { existsSync, mkdtempSync, readFileSync, appendFileSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendSettings, clusterHandle, freePort, runAs, serverOsUser, startServer, type ThrowawayCluster,
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
  if (!/^\s*local\s+replication\s/m.test(readFileSync(hba, 'utf8'))) appendFileSync(hba, 'local replication all trust\n');
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
