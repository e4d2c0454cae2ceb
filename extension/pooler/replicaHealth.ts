// Replica health and replication delay, as Pgpool-II's streaming-replication check does it: every
// sr_check_period seconds each replica is asked for pg_last_wal_replay_lsn() and its primary for
// pg_current_wal_lsn(); the difference in bytes is the delay. A replica that cannot be reached is
// `down`, one whose delay exceeds delay_threshold is `lagging`: the balancer sends it no reads.
// The same connections answer the hazard checks' LSN questions (balanceHazards.ts).
import type { DatabaseTarget, PoolerConfig } from './config';
import { hostTarget } from './config';
import { ServerConnection } from './server';
import { SqlConnection } from './sqlConnection';

export type HostStatus = 'unknown' | 'up' | 'down' | 'lagging';

export interface HostHealth {
  status: HostStatus;
  /** Primary's WAL position minus the replica's replay position, in bytes (null until measured). */
  delayBytes: number | null;
  /** The replica's pg_last_wal_replay_lsn() at the last check. */
  replayLsn: string | null;
  checkedAt: number;
  /** Why it is down. */
  error?: string;
}

/** "16/B374D848" → 0x16B374D848. */
export function parseLsn(text: string | null | undefined): bigint | undefined {
  const m = text ? /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text) : null;
  return m ? (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`) : undefined;
}

const QUERY_TIMEOUT_MS = 5000;
const UNKNOWN: HostHealth = Object.freeze({ status: 'unknown', delayBytes: null, replayLsn: null, checkedAt: 0 });

export class ReplicaHealth {
  private readonly health = new Map<string, HostHealth>();
  private readonly connections = new Map<string, Promise<SqlConnection>>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;

  constructor(
    private readonly config: () => PoolerConfig,
    private readonly nextSocketId: () => number,
  ) {}

  /** Starts the periodic checks (and runs one now). */
  start(): Promise<void> {
    // Open the hazard checks' connections now: a first check must not wait for a login.
    for (const target of this.config().databases.values()) {
      for (let index = 0; index <= (target.replicas?.length ?? 0); index++) void this.query(hostTarget(target, index), 'SELECT 1', [], 'hazards').catch(() => {});
    }
    const period = Math.max(this.config().sr_check_period, 0.1) * 1000;
    this.timer = setInterval(() => void this.checkAll(), period);
    this.timer.unref();
    return this.checkAll();
  }

  /** Health of host `index` of `target` (the primary's from the same checks); unknown before the first. */
  of(target: DatabaseTarget, index: number): HostHealth {
    return this.health.get(this.keyFor(target, index)) ?? UNKNOWN;
  }

  /** keyOf(hostTarget(…)), remembered per target object: routing asks for every read. */
  private readonly keys = new WeakMap<DatabaseTarget, string[]>();
  private keyFor(target: DatabaseTarget, index: number): string {
    let keys = this.keys.get(target);
    if (!keys) this.keys.set(target, (keys = []));
    return (keys[index] ??= keyOf(hostTarget(target, index)));
  }

  /** The primary always; a replica unless its last check found it down or lagging. */
  usable(target: DatabaseTarget, index: number): boolean {
    if (index === 0) return true;
    const status = this.of(target, index).status;
    return status === 'up' || status === 'unknown';
  }

  /** One check of every replica of every database now. */
  async checkAll(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      const checks: Promise<void>[] = [];
      for (const target of this.config().databases.values()) {
        const count = target.replicas?.length ?? 0;
        for (let index = 1; index <= count; index++) checks.push(this.check(target, index));
      }
      await Promise.all(checks);
    } finally {
      this.checking = false;
    }
  }

  private async check(target: DatabaseTarget, index: number): Promise<void> {
    const replica = hostTarget(target, index);
    const key = keyOf(replica);
    const previous = this.health.get(key);
    // The replica's own answer decides up/down; the primary's (which may be down) only the delay.
    const [replay, current] = await Promise.allSettled([this.replayLsnText(replica), this.currentLsnText(target)]);
    if (replay.status === 'rejected') {
      const error = (replay.reason as Error).message;
      this.health.set(key, { status: 'down', delayBytes: previous?.delayBytes ?? null, replayLsn: previous?.replayLsn ?? null, checkedAt: Date.now(), error });
      return;
    }
    this.health.set(keyOf(target), current.status === 'fulfilled'
      ? { status: 'up', delayBytes: null, replayLsn: null, checkedAt: Date.now() }
      : { status: 'down', delayBytes: null, replayLsn: null, checkedAt: Date.now(), error: (current.reason as Error).message });
    const replayLsn = parseLsn(replay.value);
    const currentLsn = current.status === 'fulfilled' ? parseLsn(current.value) : undefined;
    const delay = replayLsn !== undefined && currentLsn !== undefined ? Number(currentLsn > replayLsn ? currentLsn - replayLsn : 0n) : null;
    const threshold = this.config().delay_threshold;
    const status: HostStatus = threshold > 0 && delay !== null && delay > threshold ? 'lagging' : 'up';
    this.health.set(key, { status, delayBytes: delay, replayLsn: replay.value, checkedAt: Date.now() });
  }

  /**
   * The replica's replay position now, on a connection of its own: a hazard check must not wait
   * behind the periodic checks (by then the replica may have replayed what the read missed).
   */
  async replayLsn(target: DatabaseTarget, index: number): Promise<bigint | undefined> {
    const rows = await this.query(hostTarget(target, index), 'SELECT pg_last_wal_replay_lsn()::text', [], 'hazards');
    return parseLsn(rows[0]?.[0]);
  }

  /**
   * The primary's WAL insert position now (hazard checks: their own connection, see replayLsn). Not
   * pg_current_wal_lsn(): with synchronous_commit = off (throwaway clusters, many dev databases) the
   * write position can still be before the commit record just made, which the replica then seems
   * to have replayed while its reads still miss the row.
   */
  async currentLsn(target: DatabaseTarget): Promise<bigint | undefined> {
    const rows = await this.query(target, 'SELECT pg_current_wal_insert_lsn()::text', [], 'hazards');
    return parseLsn(rows[0]?.[0]);
  }

  private async replayLsnText(replica: DatabaseTarget): Promise<string | null> {
    const rows = await this.query(replica, 'SELECT pg_last_wal_replay_lsn()::text');
    return rows[0]?.[0] ?? null;
  }

  private async currentLsnText(primary: DatabaseTarget): Promise<string | null> {
    const rows = await this.query(primary, 'SELECT pg_current_wal_lsn()::text');
    return rows[0]?.[0] ?? null;
  }

  /** Runs `sql` on the monitoring connection to `target`'s host (opened on first use, re-opened after a failure). */
  async query(target: DatabaseTarget, sql: string, params: string[] = [], lane = 'checks'): Promise<(string | null)[][]> {
    const key = `${keyOf(target)}\0${lane}`;
    let opening = this.connections.get(key);
    if (!opening) {
      const timeout = Math.max(1, this.config().server_connect_timeout) * 1000;
      opening = ServerConnection.connect(this.nextSocketId(), { ...target, connect_query: undefined }, Math.min(timeout, QUERY_TIMEOUT_MS)).then((server) => {
        server.onClose = () => {
          if (this.connections.get(key) === opening) this.connections.delete(key);
        };
        return new SqlConnection(server);
      });
      this.connections.set(key, opening);
      opening.catch(() => this.connections.delete(key));
    }
    const connection = await opening;
    if (connection.closed) {
      this.connections.delete(key);
      throw new Error('monitoring connection closed');
    }
    return connection.run(sql, params, QUERY_TIMEOUT_MS);
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const opening of this.connections.values()) opening.then((c) => c.server.close('pooler is shutting down'), () => {});
    this.connections.clear();
  }
}

function keyOf(target: DatabaseTarget): string {
  return `${target.host}\0${target.port}\0${target.dbname}\0${target.user}`;
}
