// "PoolSafe: Start Pooler with a Lagging Replica": a throwaway streaming replica of the dev database
// (pg_basebackup, cli/throwawayReplica.ts) replaying with a delay, and the pooler flags that balance
// reads to it as Pgpool-II does, so stale reads (read-after-write) reproduce on a laptop.
// No vscode here: the command in index.ts is a thin wrapper, and tests drive this directly.
import { startReplicaOfServer, DEFAULT_APPLY_DELAY_MS } from '../../cli/throwawayReplica';

export interface DevReplica {
  /** Pooler flags: the replica (host and port only: the pooler logs in with the target's credentials) and pgpool routing. */
  poolerArgs: string[];
  port: number;
  stop(): void;
}

export async function startDevReplica(targetUrl: string, applyDelayMs = DEFAULT_APPLY_DELAY_MS): Promise<DevReplica> {
  const replica = await startReplicaOfServer(targetUrl, { applyDelayMs });
  const database = new URL(targetUrl).pathname.slice(1) || 'postgres';
  return {
    // No password in argv (ps shows it to every local user); the pooler reuses the target's.
    poolerArgs: ['--replica', `postgres://127.0.0.1:${replica.port}/${database}`, '--load-balance', 'pgpool'],
    port: replica.port,
    stop: () => replica.stop(),
  };
}
