// A primary and its streaming replica for integration tests (cli/throwawayReplica.ts): the replica
// replays each commit `applyDelayMs` after the primary made it.
import { startReplica } from '../../cli/throwawayReplica';
import { startCluster, withPsql, type Cluster } from './cluster';

export interface PrimaryAndReplica {
  primary: Cluster;
  replica: Cluster;
  applyDelayMs: number;
  /** Waits (bounded) until the replica has replayed everything the primary has committed so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function startPrimaryAndReplica(options: { applyDelayMs?: number; settings?: Record<string, string> } = {}): Promise<PrimaryAndReplica> {
  const primary = await startCluster({ settings: options.settings });
  let replica: Cluster;
  try {
    replica = withPsql(await startReplica(primary, { applyDelayMs: options.applyDelayMs }));
  } catch (error) {
    primary.stop();
    throw error;
  }
  const applyDelayMs = options.applyDelayMs ?? 1000;
  return {
    primary,
    replica,
    applyDelayMs,
    async waitForReplay(timeoutMs = 30_000) {
      const target = primary.psql('select pg_current_wal_insert_lsn()').trim();
      const deadline = Date.now() + timeoutMs;
      while (replica.psql(`select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`).trim() !== 't') {
        if (Date.now() > deadline) throw new Error(`replica did not replay up to ${target} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop() {
      replica.stop();
      primary.stop();
    },
  };
}
