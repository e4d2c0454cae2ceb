// The pooler's side of the editor channel. When the extension forks dist/pooler.js with an IPC channel
// (`process.send` exists), this answers snapshot requests with the admin console's own tables (the
// same AdminConsole, so column names and values are exactly what `SHOW …` prints), pushes a small
// summary when the client count changes, and pushes every new SHOW HAZARDS row as an event.
// It only reads pooler state and asks it to act (kill one client, shut down): no behaviour of its own.
import type { Pooler } from './pooler';
import { AdminConsole, PoolerAdminSource } from './admin';

/** One admin-console row keyed by its PgBouncer column name; numeric columns arrive as numbers. */
export type AdminCell = string | number | null;
export type AdminRow = Record<string, AdminCell>;

export const SNAPSHOT_SECTIONS = ['pools', 'clients', 'servers', 'stats', 'hazards'] as const;
export type SnapshotSection = (typeof SNAPSHOT_SECTIONS)[number];

export interface PoolerSnapshot extends Record<SnapshotSection, AdminRow[]> {
  /** Epoch milliseconds when the child took it. */
  takenAt: number;
}

export interface PoolerSummary {
  /** Logged-in application clients (admin console sessions not counted). */
  clients: number;
  servers: number;
  hazards: number;
}

/** Messages the extension sends to the pooler. */
export type ParentMessage =
  | { type: 'snapshot'; requestId: number }
  | { type: 'killClient'; requestId: number; clientId: number }
  | { type: 'shutdown'; requestId: number };

/** Messages the pooler sends to the extension. */
export type ChildMessage =
  | { type: 'ready'; host: string; port: number; poolMode: string; serverPolicy: string; poolSize: number; pid: number }
  | { type: 'summary'; summary: PoolerSummary }
  | { type: 'hazard'; hazard: AdminRow }
  | { type: 'snapshot'; requestId: number; snapshot: PoolerSnapshot }
  | { type: 'done'; requestId: number }
  | { type: 'failed'; requestId: number; error: string };

/** How often the child looks for client-count changes and new hazards. */
const WATCH_INTERVAL_MS = 250;

const SHOW_COMMANDS: Record<SnapshotSection, string> = {
  pools: 'SHOW POOLS',
  clients: 'SHOW CLIENTS',
  servers: 'SHOW SERVERS',
  stats: 'SHOW STATS',
  hazards: 'SHOW HAZARDS',
};

const NUMERIC_TYPE_OIDS = new Set([20, 21, 23, 700, 701, 1700]);

/**
 * Decodes an admin answer (RowDescription, DataRow…, CommandComplete as whole messages) into rows.
 * An ErrorResponse becomes an exception carrying its message.
 */
export function decodeAdminTable(messages: readonly Buffer[]): AdminRow[] {
  let columns: { name: string; numeric: boolean }[] = [];
  const rows: AdminRow[] = [];
  for (const message of messages) {
    const type = String.fromCharCode(message[0]);
    if (type === 'T') columns = readRowDescription(message);
    else if (type === 'D') rows.push(readDataRow(message, columns));
    else if (type === 'E') throw new Error(readErrorMessage(message));
  }
  return rows;
}

function readRowDescription(message: Buffer): { name: string; numeric: boolean }[] {
  const count = message.readInt16BE(5);
  const columns: { name: string; numeric: boolean }[] = [];
  let pos = 7;
  for (let i = 0; i < count; i++) {
    const end = message.indexOf(0, pos);
    const name = message.toString('utf8', pos, end);
    const typeOid = message.readInt32BE(end + 1 + 6);
    columns.push({ name, numeric: NUMERIC_TYPE_OIDS.has(typeOid) });
    pos = end + 1 + 18;
  }
  return columns;
}

function readDataRow(message: Buffer, columns: readonly { name: string; numeric: boolean }[]): AdminRow {
  const count = message.readInt16BE(5);
  const row: AdminRow = {};
  let pos = 7;
  for (let i = 0; i < count; i++) {
    const length = message.readInt32BE(pos);
    pos += 4;
    const column = columns[i] ?? { name: `column${i + 1}`, numeric: false };
    if (length < 0) {
      row[column.name] = null;
      continue;
    }
    const text = message.toString('utf8', pos, pos + length);
    pos += length;
    row[column.name] = column.numeric && text !== '' ? Number(text) : text;
  }
  return row;
}

function readErrorMessage(message: Buffer): string {
  let pos = 5;
  while (pos < message.length && message[pos] !== 0) {
    const field = String.fromCharCode(message[pos]);
    const end = message.indexOf(0, pos + 1);
    if (field === 'M') return message.toString('utf8', pos + 1, end);
    pos = end + 1;
  }
  return 'admin command failed';
}

/** Reads the pooler through the admin console's own tables. */
export class PoolerInspector {
  private readonly source: PoolerAdminSource;
  private readonly console: AdminConsole;

  constructor(private readonly pooler: Pooler) {
    this.source = new PoolerAdminSource(pooler);
    this.console = new AdminConsole(this.source);
  }

  async table(section: SnapshotSection): Promise<AdminRow[]> {
    // `?? []`: execute() answers null only for commands that close the connection (not SHOW).
    return decodeAdminTable((await this.console.execute(SHOW_COMMANDS[section], 'stats')) ?? []);
  }

  async snapshot(): Promise<PoolerSnapshot> {
    const snapshot = { takenAt: Date.now() } as PoolerSnapshot;
    for (const section of SNAPSHOT_SECTIONS) snapshot[section] = await this.table(section);
    return snapshot;
  }

  summary(): PoolerSummary {
    let clients = 0;
    for (const client of this.pooler.clients) if (client.state !== 'login' && client.state !== 'closed') clients++;
    return { clients, servers: this.pooler.servers.size, hazards: this.source.hazards().length };
  }

  lastHazardId(): number {
    const hazards = this.source.hazards();
    return hazards.length === 0 ? 0 : hazards[hazards.length - 1].id;
  }

  /** Closes one application client the way PgBouncer's KILL_CLIENT does; false when no such client. */
  killClient(clientId: number): boolean {
    for (const client of this.pooler.clients) {
      if (client.id !== clientId || client.state === 'closed') continue;
      client.fatal('08P01', 'client killed from the PoolSafe editor view');
      return true;
    }
    return false;
  }
}

export interface ParentChannel {
  send(message: ChildMessage): void;
  onMessage(listener: (message: ParentMessage) => void): void;
  onDisconnect(listener: () => void): void;
}

function processChannel(): ParentChannel {
  return {
    send: (message) => {
      if (process.connected) process.send!(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as ParentMessage)),
    onDisconnect: (listener) => process.once('disconnect', listener),
  };
}

/** True when this process was forked with an IPC channel (by the extension). */
export function hasParentChannel(): boolean {
  return typeof process.send === 'function';
}

/**
 * Serves the parent once the pooler listens. `stop` performs the CLI's clean shutdown; it also runs
 * when the parent goes away, so a crashed editor never leaves an orphan pooler holding the port.
 */
export function serveParent(
  pooler: Pooler,
  address: { host: string; port: number },
  stop: () => void,
  channel: ParentChannel = processChannel(),
): void {
  const inspector = new PoolerInspector(pooler);
  const config = pooler.config;
  channel.send({
    type: 'ready', host: address.host, port: address.port, poolMode: config.pool_mode,
    serverPolicy: config.server_policy, poolSize: config.default_pool_size, pid: process.pid,
  });
  const watcher = watchForChanges(inspector, channel);
  channel.onDisconnect(() => {
    clearInterval(watcher);
    stop();
  });
  channel.onMessage((message) => void answer(inspector, channel, message, stop));
}

function watchForChanges(inspector: PoolerInspector, channel: ParentChannel): NodeJS.Timeout {
  let lastSummary = '';
  let lastHazardId = 0;
  const timer = setInterval(() => {
    const summary = inspector.summary();
    const key = JSON.stringify(summary);
    if (key !== lastSummary) {
      lastSummary = key;
      channel.send({ type: 'summary', summary });
    }
    if (inspector.lastHazardId() > lastHazardId) void sendNewHazards();
  }, WATCH_INTERVAL_MS);
  timer.unref();
  channel.send({ type: 'summary', summary: inspector.summary() });

  async function sendNewHazards(): Promise<void> {
    const seen = lastHazardId;
    lastHazardId = inspector.lastHazardId();
    for (const hazard of await inspector.table('hazards')) {
      if (typeof hazard.id === 'number' && hazard.id > seen) channel.send({ type: 'hazard', hazard });
    }
  }
  return timer;
}

async function answer(inspector: PoolerInspector, channel: ParentChannel, message: ParentMessage, stop: () => void): Promise<void> {
  try {
    switch (message.type) {
      case 'snapshot':
        channel.send({ type: 'snapshot', requestId: message.requestId, snapshot: await inspector.snapshot() });
        return;
      case 'killClient':
        if (!inspector.killClient(message.clientId)) throw new Error(`no client with id ${message.clientId}`);
        channel.send({ type: 'done', requestId: message.requestId });
        return;
      case 'shutdown':
        channel.send({ type: 'done', requestId: message.requestId });
        stop();
        return;
      default:
        throw new Error(`unknown request ${(message as { type?: unknown }).type}`);
    }
  } catch (error) {
    const requestId = (message as { requestId?: number }).requestId ?? -1;
    channel.send({ type: 'failed', requestId, error: (error as Error).message });
  }
}

/**
 * The extension passes the target URL (it holds the password from SecretStorage) in the environment
 * rather than on the command line, where `ps` would show it to every local user.
 */
export function argvWithTargetFromEnv(argv: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const target = env.POOLSAFE_TARGET;
  delete env.POOLSAFE_TARGET;
  if (!target || argv.some((arg) => arg === '--target' || arg.startsWith('--target='))) return argv;
  return [...argv, '--target', target];
}
