// Load-balancing hazards, live. `read-after-write`: a client reads, on a replica, a table it wrote on
// the primary, and the replica has not replayed that write yet (its pg_last_wal_replay_lsn() is
// still below the primary's WAL position taken when the write committed): the read saw old data.
// `write-in-read`: a statement the balancer sent to a replica as a read failed there with SQLSTATE
// 25006 (read-only transaction): the balancer took a write for a read.
import type { DatabaseTarget } from './config';
import type { HazardClient, HazardMonitor, HazardServer } from './hazards';
import type { ReplicaHealth } from './replicaHealth';

/** Written tables remembered per client (oldest dropped first). */
const MAX_TABLES_PER_CLIENT = 200;
const READ_ONLY_SQLSTATE = '25006';

interface Write {
  statement: string;
  /** The primary's WAL position once the write committed (an upper bound of its commit record). */
  lsn: Promise<bigint | undefined>;
}

interface ClientWrites {
  /** Table → its latest committed write. */
  committed: Map<string, Write>;
  /** Written in the open transaction: committed (and given an LSN) when it ends. */
  open: { table: string; statement: string }[];
}

export class BalanceHazards {
  private readonly clients = new WeakMap<HazardClient, ClientWrites>();
  /** The database (its primary) each client writes to. */
  private readonly targets = new WeakMap<HazardClient, DatabaseTarget>();

  constructor(
    private readonly monitor: HazardMonitor,
    private readonly health: ReplicaHealth,
  ) {}

  /** A statement that wrote `tables` succeeded on the primary; `inTransaction`: not committed yet. */
  wrote(client: HazardClient, tables: readonly string[], statement: string, inTransaction: boolean): void {
    if (tables.length === 0) return;
    const writes = this.writesOf(client);
    for (const table of tables) writes.open.push({ table, statement });
    if (writes.open.length > MAX_TABLES_PER_CLIENT) writes.open.splice(0, writes.open.length - MAX_TABLES_PER_CLIENT);
    if (!inTransaction) this.transactionEnded(client, true);
  }

  /** The client's transaction ended: its open writes are committed (`committed`) or rolled back. */
  transactionEnded(client: HazardClient, committed: boolean): void {
    const writes = this.clients.get(client);
    if (!writes || writes.open.length === 0) return;
    const open = writes.open.splice(0);
    const where = this.targets.get(client);
    if (!committed || !where) return;
    const lsn = this.health.currentLsn(where).catch(() => undefined);
    for (const { table, statement } of open) {
      writes.committed.delete(table);
      writes.committed.set(table, { statement, lsn });
    }
    while (writes.committed.size > MAX_TABLES_PER_CLIENT) writes.committed.delete(writes.committed.keys().next().value!);
  }

  attach(client: HazardClient, primary: DatabaseTarget): void {
    this.targets.set(client, primary);
  }

  /**
   * A read is being sent to replica `index`: its replay position, asked at once (on a connection of
   * its own) when the read touches a table this client wrote; undefined otherwise.
   */
  replayWhenSent(client: HazardClient, primary: DatabaseTarget, index: number, tables: readonly string[]): Promise<bigint | undefined> | undefined {
    const writes = this.clients.get(client);
    if (!writes || !tables.some((table) => writes.committed.has(table))) return undefined;
    return this.health.replayLsn(primary, index).catch(() => undefined);
  }

  /**
   * A read of `tables` ran on replica `index` over `server`; `replayed` is the replica's replay
   * position taken as the read was sent (it only grows): below the write's LSN, the read missed it.
   */
  readOnReplica(client: HazardClient, server: HazardServer, primary: DatabaseTarget, index: number, tables: readonly string[], statement: string, replayed: Promise<bigint | undefined>): void {
    const writes = this.clients.get(client);
    if (!writes) return;
    const hits = tables.map((table) => [table, writes.committed.get(table)] as const).filter((hit): hit is readonly [string, Write] => hit[1] !== undefined);
    if (hits.length === 0) return;
    const serverId = server.id;
    const remotePid = server.processId;
    void this.check(client, { id: serverId, processId: remotePid }, primary, index, hits, statement, replayed);
  }

  private async check(client: HazardClient, server: HazardServer, primary: DatabaseTarget, index: number, hits: readonly (readonly [string, Write])[], statement: string, replayed: Promise<bigint | undefined>): Promise<void> {
    const replay = await replayed;
    if (replay === undefined) return;
    const writes = this.clients.get(client);
    for (const [table, write] of hits) {
      const lsn = await write.lsn;
      if (lsn === undefined) continue;
      if (replay >= lsn) {
        if (writes?.committed.get(table) === write) writes.committed.delete(table); // replayed: no stale read of it any more
        continue;
      }
      const replica = primary.replicas?.[index - 1];
      this.monitor.record('error', 'read-after-write', client, server, statement,
        `read of ${table} ran on replica ${replica?.host}:${replica?.port}, which had replayed WAL up to ${formatLsn(replay)} only; ` +
        `this client wrote ${table} on the primary (WAL ${formatLsn(lsn)}) with: ${write.statement.replace(/\s+/g, ' ').slice(0, 200)}`);
      return;
    }
  }

  /** An ErrorResponse on a replica: 25006 means a write was sent there as a read. */
  errorOnReplica(client: HazardClient, server: HazardServer, code: string, message: string, statement: string, replica: string): void {
    if (code !== READ_ONLY_SQLSTATE) return;
    this.monitor.record('error', 'write-in-read', client, server, statement,
      `${code} ${message}: the balancer sent this statement to replica ${replica} as a read`);
  }

  private writesOf(client: HazardClient): ClientWrites {
    let writes = this.clients.get(client);
    if (!writes) {
      writes = { committed: new Map(), open: [] };
      this.clients.set(client, writes);
    }
    return writes;
  }
}

function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
