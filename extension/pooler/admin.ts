// The admin console: database `pgbouncer` (alias `poolsafe`) on the pooler's port, answering
// PgBouncer's commands with PgBouncer 1.25's column names, order and types, so psql and existing
// PgBouncer tooling work unchanged; plus SHOW HAZARDS. The console only reads snapshots through
// AdminSource and asks it to act (pause, reload…): it holds no pool state of its own.
import type { Socket } from 'node:net';
import {
  CLIENT_AUTH_TYPES, CLIENT_TLS_MODES, FIXED_AT_RUN_TIME, POOL_MODES, SERVER_POLICIES, SSL_MODES, defaultConfig, hostTarget, hostWeights,
  type DatabaseTarget, type PoolerConfig,
} from './config';
import {
  AuthCode, Msg, MessageReader, ProtocolError, authentication, backendKeyData, errorResponse, noticeResponse, parameterStatus, readCString,
  readyForQuery,
} from './protocol';
import { secureRandom } from './auth';
import { logLine } from './log';
import { isTlsSetting } from './tls-settings';
import type { AdminConnectionHandler, Pooler } from './pooler';
import type { ServerConnection } from './server';
import { unixPeerIsOwnUser } from './listener';
import { PGBOUNCER_COMPAT_VERSION, poolerVersionLine } from './version';
import { DISABLE_ON_WRITE_VALUES, LOAD_BALANCE_MODES } from './balancer';
import { ADMIN_DATABASES, isAdminDatabase } from './config';
export { ADMIN_DATABASES, isAdminDatabase };

/** PgBouncer's seconds between the snapshots its SHOW STATS averages are computed from. */
const STATS_PERIOD_MS = 60_000;

export type AdminAccess = 'admin' | 'stats';

/** PgBouncer's rule: admin_users run everything, stats_users only read; others cannot log in here. */
export function adminAccessFor(user: string, adminUsers: readonly string[], statsUsers: readonly string[]): AdminAccess | undefined {
  if (adminUsers.includes(user)) return 'admin';
  if (statsUsers.includes(user)) return 'stats';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What the pooler shows (snapshots taken when a command runs)

export interface PoolInfo {
  database: string;
  user: string;
  clActive: number;
  clWaiting: number;
  clActiveCancelReq: number;
  clWaitingCancelReq: number;
  svActive: number;
  svActiveCancel: number;
  svBeingCanceled: number;
  svIdle: number;
  svUsed: number;
  svTested: number;
  svLogin: number;
  /** How long the oldest waiting client has waited. */
  maxWaitMicros: number;
  poolMode: string;
  /** Load balancing: off, pgpool or round-robin (null when the database has no replicas). */
  loadBalanceHosts: string | null;
  /** host:port this pool's servers are on, `primary` or `replica`, its health and replication delay in bytes. */
  host: string;
  role: string;
  hostStatus: string;
  replicationDelay: number | null;
}

/** One host of a database (SHOW HOSTS): Pgpool-II's SHOW POOL_NODES, in short. */
export interface HostInfo {
  database: string;
  node: number;
  host: string;
  port: number;
  role: string;
  weight: number;
  status: string;
  replicationDelay: number | null;
  replayLsn: string | null;
  lastCheck: number;
  error: string;
}

export interface SocketInfo {
  type: 'C' | 'S';
  user: string;
  database: string;
  state: string;
  addr: string;
  port: number;
  localAddr: string;
  localPort: number;
  /** Epoch milliseconds. */
  connectTime: number;
  requestTime: number;
  waitMicros: number;
  closeNeeded: boolean;
  /** Id of the linked connection (server of a client, client of a server), if any. */
  link?: number;
  /** Server backends: the PostgreSQL PID. Clients: 0 (PgBouncer knows it only over Unix sockets). */
  remotePid: number;
  tls: string;
  applicationName: string;
  preparedStatements: number;
  id: number;
  /** host:port of the server (a client: of its linked server) and whether that is the primary or a replica. */
  host: string;
  role: string;
  /** SHOW SOCKETS' state: the PgBouncer list the socket is on (cl_active, sv_idle, cl_login…). */
  listState: string;
  /** Bytes waiting to be written to the socket (SHOW SOCKETS' send_avail; nonzero = "active"). */
  sendAvail: number;
}

export interface DatabaseInfo {
  name: string;
  host: string | null;
  port: number;
  database: string;
  forceUser: string | null;
  poolSize: number;
  minPoolSize: number;
  reservePoolSize: number;
  serverLifetime: number;
  /** null when the database inherits the global pool_mode (PgBouncer prints it empty then). */
  poolMode: string | null;
  maxConnections: number;
  currentConnections: number;
  maxClientConnections: number;
  currentClientConnections: number;
  paused: boolean;
  disabled: boolean;
}

/** One SHOW USERS row: a user PgBouncer would know (auth_file, [users], forced or logged-in users). */
export interface UserInfo {
  name: string;
  /** The user's own [users] settings; null when it inherits (PgBouncer prints those empty). */
  poolSize: number | null;
  reservePoolSize: number | null;
  poolMode: string | null;
  maxUserConnections: number;
  currentConnections: number;
  maxUserClientConnections: number;
  currentClientConnections: number;
}

/** Cumulative counters of one database; times in microseconds, as PgBouncer reports them. */
export interface StatsTotals {
  serverAssignmentCount: number;
  xactCount: number;
  queryCount: number;
  bytesReceived: number;
  bytesSent: number;
  xactTimeMicros: number;
  queryTimeMicros: number;
  waitTimeMicros: number;
  clientParseCount: number;
  serverParseCount: number;
  bindCount: number;
}

export interface ListCounts {
  databases: number;
  users: number;
  pools: number;
  usedClients: number;
  loginClients: number;
  usedServers: number;
}

export interface HazardInfo {
  id: number;
  /** Epoch milliseconds. */
  time: number;
  kind: 'origin' | 'landed' | 'error';
  rule: string;
  clientId: number | null;
  applicationName: string;
  serverId: number | null;
  remotePid: number | null;
  statement: string;
  detail: string;
}

/** One piece of session state AUDIT found on an idle server connection. */
export interface AuditRow {
  serverId: number;
  remotePid: number;
  rule: string;
  kind: string;
  name: string;
  /** The pooler knew of it already (else AUDIT just recorded it as an origin hazard). */
  known: boolean;
}

export type ShutdownMode = 'immediate' | 'wait_for_clients' | 'wait_for_servers';

export interface AdminSource {
  /** The live configuration: SET changes it in place, then calls configChanged. */
  config: PoolerConfig;
  /** The values used when nothing is configured (SHOW CONFIG's `default` column). */
  defaults: PoolerConfig;
  pools(): PoolInfo[];
  hosts(): HostInfo[];
  clients(): SocketInfo[];
  servers(): SocketInfo[];
  databases(): DatabaseInfo[];
  users(): UserInfo[];
  /** Clients still logging in (SHOW SOCKETS lists them as cl_login). */
  loginClients(): SocketInfo[];
  stats(): Map<string, StatsTotals>;
  lists(): ListCounts;
  hazards(): HazardInfo[];
  /** AUDIT: the session state idle server connections really carry (one query each). */
  audit(): Promise<AuditRow[]>;
  /** Resolves once no server connection of the paused database(s) is in use. */
  pause(database?: string): Promise<void>;
  resume(database?: string): void;
  /** Resolves once every socket's buffers are written out. */
  suspend(): Promise<void>;
  kill(database?: string): void;
  /** False when no client has that id. */
  killClient(id: number): boolean;
  disable(database: string): void;
  enable(database: string): void;
  reconnect(database?: string): void;
  /** Resolves once the servers RECONNECT/RELOAD marked are closed. */
  waitClose(database?: string): Promise<void>;
  /** Throws when the configuration cannot be re-read. */
  reload(): Promise<void> | void;
  shutdown(mode: ShutdownMode): void;
  /** The global pause mode (PAUSE / SUSPEND without a database). */
  pauseMode(): 'none' | 'pause' | 'suspend';
  /** Without a database: globally paused or suspended; with one: that database alone is paused. */
  isPaused(database?: string): boolean;
  isShuttingDown(): boolean;
  hasDatabase(database: string): boolean;
  /** After SET of `key`: applies it; returns a notice for the client when it could not be (TLS settings). */
  configChanged?(key: string): string | undefined;
}

/** An admin command failed: sent as ErrorResponse with PgBouncer's SQLSTATE 08P01. */
export class AdminError extends Error {}

// ---------------------------------------------------------------------------------------------
// Result encoding

type ColumnType = 'text' | 'int4' | 'int8' | 'numeric';
const TYPE_OIDS: Record<ColumnType, [oid: number, size: number]> = {
  text: [25, -1],
  int4: [23, 4],
  int8: [20, 8],
  numeric: [1700, -1],
};
type Column = readonly [name: string, type: ColumnType];
type Cell = string | number | boolean | null;

function rowDescription(columns: readonly Column[]): Buffer {
  const parts = columns.map(([name, type]) => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const field = Buffer.alloc(nameBytes.length + 18);
    nameBytes.copy(field, 0);
    let pos = nameBytes.length;
    pos = field.writeInt32BE(0, pos); // table oid
    pos = field.writeInt16BE(0, pos); // column number
    pos = field.writeInt32BE(TYPE_OIDS[type][0], pos);
    pos = field.writeInt16BE(TYPE_OIDS[type][1], pos);
    pos = field.writeInt32BE(-1, pos); // type modifier
    field.writeInt16BE(0, pos); // text format
    return field;
  });
  return framed(0x54, [count16(columns.length), ...parts]);
}

function dataRow(cells: readonly Cell[]): Buffer {
  const parts: Buffer[] = [count16(cells.length)];
  for (const cell of cells) {
    if (cell === null) {
      const nul = Buffer.alloc(4);
      nul.writeInt32BE(-1, 0);
      parts.push(nul);
      continue;
    }
    const text = Buffer.from(typeof cell === 'boolean' ? (cell ? '1' : '0') : String(cell), 'utf8');
    const length = Buffer.alloc(4);
    length.writeInt32BE(text.length, 0);
    parts.push(length, text);
  }
  return framed(0x44, parts);
}

function commandComplete(tag: string): Buffer {
  return framed(0x43, [Buffer.from(tag + '\0', 'utf8')]);
}

function count16(n: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeInt16BE(n, 0);
  return buf;
}

function framed(type: number, parts: Buffer[]): Buffer {
  const bodyLength = parts.reduce((sum, p) => sum + p.length, 0);
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(bodyLength + 4, 1);
  return Buffer.concat([header, ...parts]);
}

function table(columns: readonly Column[], rows: readonly (readonly Cell[])[], tag = 'SHOW'): Buffer[] {
  return [rowDescription(columns), ...rows.map(dataRow), commandComplete(tag)];
}

/** PgBouncer prints timestamps as `YYYY-MM-DD HH:MM:SS UTC` (its 'T' columns are text). */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// ---------------------------------------------------------------------------------------------
// Column layouts (PgBouncer 1.25: src/admin.c and src/stats.c)

/** AUDIT's answer (PoolSafe's own command). */
const AUDIT_COLUMNS: readonly Column[] = [['server_id', 'int4'], ['remote_pid', 'int4'], ['rule', 'text'], ['state', 'text'], ['name', 'text'], ['known', 'text']];

const POOL_COLUMNS: readonly Column[] = [
  ['database', 'text'], ['user', 'text'], ['cl_active', 'int4'], ['cl_waiting', 'int4'],
  ['cl_active_cancel_req', 'int4'], ['cl_waiting_cancel_req', 'int4'], ['sv_active', 'int4'],
  ['sv_active_cancel', 'int4'], ['sv_being_canceled', 'int4'], ['sv_idle', 'int4'], ['sv_used', 'int4'],
  ['sv_tested', 'int4'], ['sv_login', 'int4'], ['maxwait', 'int4'], ['maxwait_us', 'int4'],
  ['pool_mode', 'text'], ['load_balance_hosts', 'text'],
  // PoolSafe's own, at the end: which host the pool's servers are on (load balancing).
  ['host', 'text'], ['role', 'text'], ['host_status', 'text'], ['replication_delay', 'int8'],
];

const HOST_COLUMNS: readonly Column[] = [
  ['database', 'text'], ['node_id', 'int4'], ['host', 'text'], ['port', 'int4'], ['role', 'text'], ['lb_weight', 'numeric'],
  ['status', 'text'], ['replication_delay', 'int8'], ['replay_lsn', 'text'], ['last_check', 'text'], ['error', 'text'],
];

const SOCKET_COLUMNS: readonly Column[] = [
  ['type', 'text'], ['user', 'text'], ['database', 'text'], ['replication', 'text'], ['state', 'text'],
  ['addr', 'text'], ['port', 'int4'], ['local_addr', 'text'], ['local_port', 'int4'],
  ['connect_time', 'text'], ['request_time', 'text'], ['wait', 'int4'], ['wait_us', 'int4'],
  ['close_needed', 'int4'], ['ptr', 'text'], ['link', 'text'], ['remote_pid', 'int4'], ['tls', 'text'],
  ['application_name', 'text'], ['prepared_statements', 'int4'], ['id', 'int4'],
  // PoolSafe's own, at the end: the host of the server connection and its role (load balancing).
  ['host', 'text'], ['role', 'text'],
];

/**
 * SHOW SOCKETS / ACTIVE_SOCKETS: PgBouncer's socket columns with its buffer positions after `id`,
 * then PoolSafe's own (host, role) as in SHOW CLIENTS.
 */
const PGBOUNCER_SOCKET_COLUMN_COUNT = SOCKET_COLUMNS.findIndex(([name]) => name === 'id') + 1;
const DEBUG_SOCKET_COLUMNS: readonly Column[] = [
  ...SOCKET_COLUMNS.slice(0, PGBOUNCER_SOCKET_COLUMN_COUNT), ['recv_pos', 'int4'], ['pkt_pos', 'int4'], ['pkt_remain', 'int4'],
  ['send_pos', 'int4'], ['send_remain', 'int4'], ['pkt_avail', 'int4'], ['send_avail', 'int4'],
  ...SOCKET_COLUMNS.slice(PGBOUNCER_SOCKET_COLUMN_COUNT),
];

/**
 * Tables of things PoolSafe does not have (peers, slab allocators, a DNS cache): PgBouncer's columns,
 * no rows, so tools that read them keep working.
 */
const EMPTY_TABLES: Record<string, readonly Column[]> = {
  peers: [['peer_id', 'int4'], ['host', 'text'], ['port', 'int4'], ['pool_size', 'int4']],
  peer_pools: [['peer_id', 'int4'], ['cl_active_cancel_req', 'int4'], ['cl_waiting_cancel_req', 'int4'], ['sv_active_cancel', 'int4'], ['sv_login', 'int4']],
  mem: [['name', 'text'], ['size', 'int4'], ['used', 'int4'], ['free', 'int4'], ['memtotal', 'int4']],
  dns_hosts: [['hostname', 'text'], ['ttl', 'int8'], ['addrs', 'text']],
  dns_zones: [['zonename', 'text'], ['serial', 'int8'], ['count', 'int4']],
};

const DATABASE_COLUMNS: readonly Column[] = [
  ['name', 'text'], ['host', 'text'], ['port', 'int4'], ['database', 'text'], ['force_user', 'text'],
  ['pool_size', 'int4'], ['min_pool_size', 'int4'], ['reserve_pool_size', 'int4'], ['server_lifetime', 'int4'],
  ['pool_mode', 'text'], ['load_balance_hosts', 'text'], ['max_connections', 'int4'],
  ['current_connections', 'int4'], ['max_client_connections', 'int4'], ['current_client_connections', 'int4'],
  ['paused', 'int4'], ['disabled', 'int4'],
];

const USER_COLUMNS: readonly Column[] = [
  ['name', 'text'], ['pool_size', 'text'], ['reserve_pool_size', 'text'], ['pool_mode', 'text'],
  ['max_user_connections', 'int4'], ['current_connections', 'int4'], ['max_user_client_connections', 'int4'],
  ['current_client_connections', 'int4'],
];

/** The eleven counters in PgBouncer's order, with the names SHOW STATS uses for totals and averages. */
const STAT_FIELDS: readonly [keyof StatsTotals, total: string, average: string, isTime: boolean][] = [
  ['serverAssignmentCount', 'total_server_assignment_count', 'avg_server_assignment_count', false],
  ['xactCount', 'total_xact_count', 'avg_xact_count', false],
  ['queryCount', 'total_query_count', 'avg_query_count', false],
  ['bytesReceived', 'total_received', 'avg_recv', false],
  ['bytesSent', 'total_sent', 'avg_sent', false],
  ['xactTimeMicros', 'total_xact_time', 'avg_xact_time', true],
  ['queryTimeMicros', 'total_query_time', 'avg_query_time', true],
  ['waitTimeMicros', 'total_wait_time', 'avg_wait_time', true],
  ['clientParseCount', 'total_client_parse_count', 'avg_client_parse_count', false],
  ['serverParseCount', 'total_server_parse_count', 'avg_server_parse_count', false],
  ['bindCount', 'total_bind_count', 'avg_bind_count', false],
];
/** SHOW TOTALS' names for the same counters (after its total_/avg_ prefix). */
const TOTALS_NAMES = [
  'server_assignment_count', 'xact_count', 'query_count', 'client_bytes', 'server_bytes', 'xact_time', 'query_time',
  'wait_time', 'ps_client_parse_count', 'ps_server_parse_count', 'ps_bind_count',
];
/** SHOW STATS_TOTALS / STATS_AVERAGES name the same counters without the prefixes. */
const SHORT_STAT_NAMES = [
  'server_assignment_count', 'xact_count', 'query_count', 'bytes_received', 'bytes_sent', 'xact_time',
  'query_time', 'wait_time', 'client_parse_count', 'server_parse_count', 'bind_count',
];

const HAZARD_COLUMNS: readonly Column[] = [
  ['id', 'int8'], ['time', 'text'], ['kind', 'text'], ['rule', 'text'], ['client_id', 'int8'],
  ['application_name', 'text'], ['server_id', 'int8'], ['remote_pid', 'int4'], ['statement', 'text'], ['detail', 'text'],
];

/** Session parameters PgBouncer's console answers to `SHOW <name>` (drivers ask for them). */
const FAKE_PARAMETERS: Record<string, string> = {
  client_encoding: 'UTF-8',
  default_transaction_isolation: 'read committed',
  standard_conforming_strings: 'on',
  datestyle: 'ISO',
  timezone: 'GMT',
};

const ENUM_KEYS: Record<string, readonly string[]> = {
  pool_mode: POOL_MODES,
  server_policy: SERVER_POLICIES,
  auth_type: CLIENT_AUTH_TYPES,
  client_tls_sslmode: CLIENT_TLS_MODES,
  server_tls_sslmode: SSL_MODES,
  load_balance: LOAD_BALANCE_MODES,
  disable_load_balance_on_write: DISABLE_ON_WRITE_VALUES,
};

const EMPTY_TOTALS: StatsTotals = {
  serverAssignmentCount: 0, xactCount: 0, queryCount: 0, bytesReceived: 0, bytesSent: 0, xactTimeMicros: 0,
  queryTimeMicros: 0, waitTimeMicros: 0, clientParseCount: 0, serverParseCount: 0, bindCount: 0,
};

// ---------------------------------------------------------------------------------------------
// Commands

/** `CMD [arg] [;]` and `SET key = value` / `SET key TO 'value'`, as PgBouncer's console accepts them. */
const COMMAND_RX = /^\s*([a-z_]+)(?:\s+([a-z0-9_]+|"(?:[^"]|"")*"))?\s*(?:;\s*)?$/i;
const SET_RX = /^\s*set\s+([a-z0-9_]+|"(?:[^"]|"")*")\s*(?:=|\s+to\s+|\bto\b)\s*('(?:[^']|'')*'|[a-z0-9_.\-]+|"(?:[^"]|"")*")\s*(?:;\s*)?$/i;

function unquote(text: string): string {
  const quote = text[0];
  if ((quote === '"' || quote === "'") && text.endsWith(quote) && text.length >= 2) {
    return text.slice(1, -1).split(quote + quote).join(quote);
  }
  return text;
}

export class AdminConsole {
  private olderStats = new Map<string, StatsTotals>();
  private olderStamp = Date.now();

  constructor(private readonly source: AdminSource) {}

  /**
   * Runs one simple-protocol query; returns the complete answer up to (excluding) ReadyForQuery, or
   * null when no answer is due (an immediate SHUTDOWN closes the connection instead).
   */
  async execute(sql: string, access: AdminAccess): Promise<Buffer[] | null> {
    try {
      return await this.dispatch(sql, access);
    } catch (error) {
      const message = error instanceof AdminError ? error.message : `internal error: ${(error as Error).message}`;
      return [errorResponse({ severity: 'ERROR', code: '08P01', message })];
    }
  }

  private async dispatch(sql: string, access: AdminAccess): Promise<Buffer[] | null> {
    const query = sql.replace(/\0+$/, '');
    const set = SET_RX.exec(query);
    if (set) return this.set(unquote(set[1]).toLowerCase(), unquote(set[2]), access);
    const command = COMMAND_RX.exec(query);
    if (!command) throw invalidCommand(query);
    const verb = command[1].toLowerCase();
    const arg = command[2] === undefined ? '' : unquote(command[2]);
    if (verb === 'show' || verb === 'select') return this.show(arg.toLowerCase(), query);
    return this.control(verb, arg, query, access);
  }

  /** Process-control commands: admin_users only (PgBouncer checks the syntax first, then the access). */
  private control(verb: string, arg: string, query: string, access: AdminAccess): Promise<Buffer[] | null> | Buffer[] | null {
    const run = this.commandFor(verb, arg, query);
    if (!run) throw invalidCommand(query);
    if (access !== 'admin') throw new AdminError('admin access needed');
    return run();
  }

  private commandFor(verb: string, arg: string, query: string): (() => Promise<Buffer[] | null> | Buffer[] | null) | undefined {
    switch (verb) {
      case 'pause': return () => this.pause(arg);
      case 'resume': return () => this.resume(arg);
      case 'suspend': return () => this.suspend(arg, query);
      case 'kill': return () => this.kill(arg);
      case 'kill_client': return () => this.killClient(arg);
      case 'disable': return () => this.enableOrDisable(arg, 'disable');
      case 'enable': return () => this.enableOrDisable(arg, 'enable');
      case 'reconnect': return () => this.reconnect(arg);
      case 'audit': return () => this.audit(arg, query);
      case 'wait_close': return () => this.waitClose(arg);
      case 'reload': return () => this.reload(arg, query);
      case 'shutdown': return () => this.shutdown(arg.toLowerCase(), query);
      default: return undefined;
    }
  }

  private async pause(database: string): Promise<Buffer[]> {
    if (this.source.pauseMode() !== 'none') throw new AdminError('already suspended/paused');
    if (database !== '') this.checkDatabase(database, 'pause');
    await this.source.pause(database || undefined);
    return [commandComplete('PAUSE')];
  }

  /** PgBouncer's checks for commands naming a database: it must exist and must not be the console. */
  private checkDatabase(database: string, verb: string): void {
    if (isAdminDatabase(database)) throw new AdminError(`cannot ${verb} admin db: ${database}`);
    if (!this.source.hasDatabase(database)) throw new AdminError(`no such database: ${database}`);
  }

  private resume(database: string): Buffer[] {
    if (database === '') {
      if (this.source.isShuttingDown()) throw new AdminError('pooler is shutting down');
      if (this.source.pauseMode() === 'none') throw new AdminError('pooler is not paused/suspended');
    } else {
      if (!this.source.hasDatabase(database)) throw new AdminError(`no such database: ${database}`);
      if (!this.source.isPaused(database)) throw new AdminError(`database ${database} is not paused`);
    }
    this.source.resume(database || undefined);
    return [commandComplete('RESUME')];
  }

  private async suspend(arg: string, query: string): Promise<Buffer[]> {
    if (arg !== '') throw invalidCommand(query);
    if (this.source.pauseMode() !== 'none') throw new AdminError('already suspended/paused');
    if (this.source.databases().some((d) => d.paused)) throw new AdminError('cannot suspend with paused databases');
    await this.source.suspend();
    return [commandComplete('SUSPEND')];
  }

  /** AUDIT: asks every idle server connection about its session state; one row per piece found. */
  private async audit(arg: string, query: string): Promise<Buffer[]> {
    if (arg !== '') throw invalidCommand(query);
    let rows: AuditRow[];
    try {
      rows = await this.source.audit();
    } catch (error) {
      throw new AdminError((error as Error).message);
    }
    const cells = rows.map((row) => [row.serverId, row.remotePid, row.rule, row.kind, row.name, row.known ? 'yes' : 'no']);
    return table(AUDIT_COLUMNS, cells, 'AUDIT');
  }

  private kill(database: string): Buffer[] {
    if (this.source.pauseMode() !== 'none') throw new AdminError('already suspended/paused');
    if (database !== '') this.checkDatabase(database, 'kill');
    this.source.kill(database || undefined);
    return [commandComplete('KILL')];
  }

  private killClient(arg: string): Buffer[] {
    if (!/^\d+$/.test(arg)) throw new AdminError('invalid client pointer supplied');
    if (!this.source.killClient(Number(arg))) throw new AdminError('client not found');
    return [commandComplete('KILL_CLIENT')];
  }

  private enableOrDisable(database: string, verb: 'enable' | 'disable'): Buffer[] {
    if (database === '') throw new AdminError('a database is required');
    this.checkDatabase(database, verb);
    if (verb === 'disable') this.source.disable(database);
    else this.source.enable(database);
    return [commandComplete(verb.toUpperCase())];
  }

  private reconnect(database: string): Buffer[] {
    if (database !== '') this.checkDatabase(database, 'reconnect');
    this.source.reconnect(database || undefined);
    return [commandComplete('RECONNECT')];
  }

  private async waitClose(database: string): Promise<Buffer[]> {
    if (database !== '') this.checkDatabase(database, 'wait in');
    await this.source.waitClose(database || undefined);
    return [commandComplete('WAIT_CLOSE')];
  }

  private async reload(arg: string, query: string): Promise<Buffer[]> {
    if (arg !== '') throw invalidCommand(query);
    try {
      await this.source.reload();
    } catch (error) {
      logLine(`poolsafe pooler: RELOAD failed: ${(error as Error).message}`);
      return [errorResponse({ severity: 'ERROR', code: 'F0000', message: 'RELOAD failed, see logs for additional details' })];
    }
    return [commandComplete('RELOAD')];
  }

  private shutdown(arg: string, query: string): Buffer[] | null {
    const modes: Record<string, ShutdownMode> = { '': 'immediate', wait_for_clients: 'wait_for_clients', wait_for_servers: 'wait_for_servers' };
    const mode = modes[arg];
    if (mode === undefined) throw invalidCommand(query);
    logLine(`SHUTDOWN${arg ? ' ' + arg.toUpperCase() : ''} command issued`);
    // Like PgBouncer, an immediate shutdown answers nothing: the connection closes as the process exits.
    if (mode === 'immediate') {
      setImmediate(() => this.source.shutdown(mode));
      return null;
    }
    this.source.shutdown(mode); // the listener is closed before the answer goes out
    return [commandComplete('SHUTDOWN')];
  }

  private set(key: string, rawValue: string, access: AdminAccess): Buffer[] {
    // Drivers set session parameters on connect; PgBouncer acknowledges those for anyone.
    if (FAKE_PARAMETERS[key] !== undefined) return [noticeResponse({ severity: 'NOTICE', code: '00000', message: 'SET ignored' }), commandComplete('SET')];
    if (access !== 'admin') throw new AdminError('admin access needed');
    const config = this.source.config as unknown as Record<string, unknown>;
    const current = config[key];
    if (current === undefined || current instanceof Map || FIXED_AT_RUN_TIME.has(key)) throw new AdminError('SET failed');
    const value = convertSetting(key, rawValue, current);
    if (value === undefined) throw new AdminError('SET failed');
    config[key] = value;
    const notice = this.source.configChanged?.(key);
    const done = commandComplete(`SET ${key}=${rawValue}`);
    return notice ? [noticeResponse({ severity: 'NOTICE', code: '00000', message: notice }), done] : [done];
  }

  private show(what: string, query: string): Buffer[] {
    const fake = FAKE_PARAMETERS[what];
    if (fake !== undefined) return table([[what, 'text']], [[fake]]);
    switch (what) {
      case 'pools':
        return table(POOL_COLUMNS, this.source.pools().map(poolRow));
      case 'clients':
        return table(SOCKET_COLUMNS, this.source.clients().map(socketRow));
      case 'servers':
        return table(SOCKET_COLUMNS, this.source.servers().map(socketRow));
      case 'databases':
        return table(DATABASE_COLUMNS, this.source.databases().map(databaseRow));
      case 'users':
        return table(USER_COLUMNS, this.source.users().map(userRow));
      case 'sockets':
        return table(DEBUG_SOCKET_COLUMNS, this.allSockets().map(debugSocketRow));
      case 'active_sockets':
        return table(DEBUG_SOCKET_COLUMNS, this.allSockets().filter((socket) => socket.sendAvail > 0).map(debugSocketRow));
      case 'totals':
        return this.showTotals();
      case 'stats':
        return this.showStats('full');
      case 'stats_totals':
        return this.showStats('totals');
      case 'stats_averages':
        return this.showStats('averages');
      case 'config':
        return table([['key', 'text'], ['value', 'text'], ['default', 'text'], ['changeable', 'text']], this.configRows());
      case 'lists':
        return table([['list', 'text'], ['items', 'int4']], listRows(this.source.lists()));
      case 'version':
        return table([['version', 'text']], [[poolerVersionLine()]]);
      case 'state':
        return table([['key', 'text'], ['value', 'text']], stateRows(this.source.pauseMode()));
      case 'hazards':
        return table(HAZARD_COLUMNS, this.source.hazards().map(hazardRow));
      case 'hosts':
        return table(HOST_COLUMNS, this.source.hosts().map(hostRow));
      case 'help':
        return [
          noticeResponse({
            severity: 'NOTICE',
            code: '00000',
            message: 'Console usage',
            detail:
              'SHOW HELP|CONFIG|DATABASES|POOLS|CLIENTS|SERVERS|USERS|SOCKETS|ACTIVE_SOCKETS|VERSION|HAZARDS|HOSTS\n' +
              'SHOW PEERS|PEER_POOLS|MEM|DNS_HOSTS|DNS_ZONES|TOTALS\n' +
              'SHOW STATS|STATS_TOTALS|STATS_AVERAGES|LISTS|STATE\n' +
              'SET key = arg\nRELOAD\nPAUSE [<db>]\nRESUME [<db>]\nDISABLE <db>\nENABLE <db>\nRECONNECT [<db>]\n' +
              'KILL [<db>]\nKILL_CLIENT <client_id>\nSUSPEND\nSHUTDOWN [WAIT_FOR_SERVERS|WAIT_FOR_CLIENTS]\nWAIT_CLOSE [<db>]\nAUDIT',
          }),
          commandComplete('SHOW'),
        ];
      default:
        if (EMPTY_TABLES[what]) return table(EMPTY_TABLES[what], []);
        throw invalidCommand(query);
    }
  }

  private allSockets(): SocketInfo[] {
    return [...this.source.clients(), ...this.source.servers(), ...this.source.loginClients()];
  }

  /** SHOW TOTALS: every database's counters summed, as name/value rows (total_… then avg_…). */
  private showTotals(): Buffer[] {
    const now = Date.now();
    const sum = (all: Iterable<StatsTotals>): StatsTotals => {
      const total = { ...EMPTY_TOTALS };
      for (const totals of all) for (const [field] of STAT_FIELDS) total[field] += totals[field];
      return total;
    };
    const current = sum(this.source.stats().values());
    const averages = averageStats(current, sum(this.olderStats.values()), Math.max((now - this.olderStamp) / 1000, 0.001));
    const rows: Cell[][] = [
      ...STAT_FIELDS.map(([field], i): Cell[] => [`total_${TOTALS_NAMES[i]}`, current[field]]),
      ...STAT_FIELDS.map(([field], i): Cell[] => [`avg_${TOTALS_NAMES[i]}`, averages[field]]),
    ];
    return table([['name', 'text'], ['value', 'numeric']], rows);
  }

  /** Totals since start and, like PgBouncer, per-second averages over the last stats period. */
  private showStats(kind: 'full' | 'totals' | 'averages'): Buffer[] {
    const now = Date.now();
    const current = this.source.stats();
    const seconds = Math.max((now - this.olderStamp) / 1000, 0.001);
    const rows: Cell[][] = [];
    const averageRows: Cell[][] = [];
    for (const [database, totals] of current) {
      const older = this.olderStats.get(database) ?? EMPTY_TOTALS;
      const averages = averageStats(totals, older, seconds);
      rows.push([database, ...STAT_FIELDS.map(([field]) => totals[field])]);
      averageRows.push([database, ...STAT_FIELDS.map(([field]) => averages[field])]);
    }
    if (now - this.olderStamp >= STATS_PERIOD_MS) {
      this.olderStats = new Map([...current].map(([db, totals]) => [db, { ...totals }]));
      this.olderStamp = now;
    }
    const numeric = (names: string[]): Column[] => [['database', 'text'], ...names.map((n): Column => [n, 'numeric'])];
    if (kind === 'totals') return table(numeric(SHORT_STAT_NAMES), rows);
    if (kind === 'averages') return table(numeric(SHORT_STAT_NAMES), averageRows);
    const columns = numeric([...STAT_FIELDS.map((f) => f[1]), ...STAT_FIELDS.map((f) => f[2])]);
    return table(columns, rows.map((row, i) => [...row, ...averageRows[i].slice(1)]));
  }

  private configRows(): Cell[][] {
    const config = this.source.config as unknown as Record<string, unknown>;
    const defaults = this.source.defaults as unknown as Record<string, unknown>;
    const rows: Cell[][] = [];
    for (const key of Object.keys(config).sort()) {
      const value = config[key];
      if (value instanceof Map || (typeof value === 'object' && !Array.isArray(value))) continue;
      rows.push([key, formatSetting(value), formatSetting(defaults[key]), FIXED_AT_RUN_TIME.has(key) ? 'no' : 'yes']);
    }
    return rows;
  }
}

/** SHOW STATE: PgBouncer's three yes/no rows. */
function stateRows(mode: 'none' | 'pause' | 'suspend'): Cell[][] {
  const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');
  return [['active', yesNo(mode === 'none')], ['paused', yesNo(mode === 'pause')], ['suspended', yesNo(mode === 'suspend')]];
}

function invalidCommand(query: string): AdminError {
  return new AdminError(`invalid command '${query}', use SHOW HELP;`);
}

function formatSetting(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined || value === null) return '';
  return String(value);
}

/** Converts a SET value to the type of the current one; undefined when it does not fit. */
function convertSetting(key: string, raw: string, current: unknown): unknown {
  if (Array.isArray(current)) return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (typeof current === 'number') {
    if (!/^\d+(\.\d+)?$/.test(raw)) return undefined;
    const n = Number(raw);
    return Number.isInteger(current) && !Number.isInteger(n) && !key.endsWith('timeout') && !key.endsWith('lifetime') ? undefined : n;
  }
  if (typeof current === 'boolean') {
    const word = raw.toLowerCase();
    if (['1', 'on', 'yes', 'true'].includes(word)) return true;
    if (['0', 'off', 'no', 'false'].includes(word)) return false;
    return undefined;
  }
  if (typeof current === 'string') {
    const allowed = ENUM_KEYS[key];
    if (allowed && !allowed.includes(raw.toLowerCase())) return undefined;
    return allowed ? raw.toLowerCase() : raw;
  }
  return undefined;
}

function averageStats(current: StatsTotals, older: StatsTotals, seconds: number): StatsTotals {
  const delta = (field: keyof StatsTotals) => Math.max(current[field] - older[field], 0);
  const perSecond = (field: keyof StatsTotals) => Math.floor(delta(field) / seconds);
  const perItem = (field: keyof StatsTotals, count: keyof StatsTotals) => (delta(count) > 0 ? Math.floor(delta(field) / delta(count)) : 0);
  return {
    serverAssignmentCount: perSecond('serverAssignmentCount'),
    xactCount: perSecond('xactCount'),
    queryCount: perSecond('queryCount'),
    bytesReceived: perSecond('bytesReceived'),
    bytesSent: perSecond('bytesSent'),
    xactTimeMicros: perItem('xactTimeMicros', 'xactCount'),
    queryTimeMicros: perItem('queryTimeMicros', 'queryCount'),
    waitTimeMicros: perItem('waitTimeMicros', 'serverAssignmentCount'),
    clientParseCount: perSecond('clientParseCount'),
    serverParseCount: perSecond('serverParseCount'),
    bindCount: perSecond('bindCount'),
  };
}

function poolRow(p: PoolInfo): Cell[] {
  return [
    p.database, p.user, p.clActive, p.clWaiting, p.clActiveCancelReq, p.clWaitingCancelReq, p.svActive,
    p.svActiveCancel, p.svBeingCanceled, p.svIdle, p.svUsed, p.svTested, p.svLogin,
    Math.floor(p.maxWaitMicros / 1e6), Math.floor(p.maxWaitMicros % 1e6), p.poolMode, p.loadBalanceHosts,
    p.host, p.role, p.hostStatus, p.replicationDelay,
  ];
}

function hostRow(h: HostInfo): Cell[] {
  return [h.database, h.node, h.host, h.port, h.role, h.weight, h.status, h.replicationDelay, h.replayLsn, h.lastCheck ? formatTimestamp(h.lastCheck) : null, h.error];
}

/** `ptr`/`link` are PgBouncer's object addresses; PoolSafe has none, so it shows ids in that shape. */
function pseudoPointer(id: number | undefined): string {
  return id === undefined ? '' : `0x${id.toString(16)}`;
}

function socketRow(s: SocketInfo): Cell[] {
  return [
    s.type, s.user, s.database, 'none', s.state, s.addr, s.port, s.localAddr, s.localPort,
    formatTimestamp(s.connectTime), formatTimestamp(s.requestTime), Math.floor(s.waitMicros / 1e6),
    Math.floor(s.waitMicros % 1e6), s.closeNeeded, pseudoPointer(s.id), pseudoPointer(s.link), s.remotePid, s.tls,
    s.applicationName, s.preparedStatements, s.id, s.host, s.role,
  ];
}

/** The debug columns PgBouncer adds for SHOW SOCKETS: only the unsent byte count means something here. */
function debugSocketRow(s: SocketInfo): Cell[] {
  const row = socketRow(s);
  row[4] = s.listState;
  return [...row.slice(0, PGBOUNCER_SOCKET_COLUMN_COUNT), 0, 0, 0, 0, 0, 0, s.sendAvail, ...row.slice(PGBOUNCER_SOCKET_COLUMN_COUNT)];
}

function databaseRow(d: DatabaseInfo): Cell[] {
  return [
    d.name, d.host, d.port, d.database, d.forceUser, d.poolSize, d.minPoolSize, d.reservePoolSize, d.serverLifetime,
    d.poolMode, null, d.maxConnections, d.currentConnections, d.maxClientConnections, d.currentClientConnections,
    d.paused, d.disabled,
  ];
}

function userRow(u: UserInfo): Cell[] {
  // PgBouncer prints its own sizes with "%9d".
  const padded = (n: number | null) => (n === null ? '' : String(n).padStart(9));
  return [
    u.name, padded(u.poolSize), padded(u.reservePoolSize), u.poolMode, u.maxUserConnections, u.currentConnections,
    u.maxUserClientConnections, u.currentClientConnections,
  ];
}

function listRows(l: ListCounts): Cell[][] {
  // PoolSafe allocates per connection (no slabs, no DNS cache): those lists are always 0.
  return [
    ['databases', l.databases], ['users', l.users], ['peers', 0], ['pools', l.pools], ['peer_pools', 0],
    ['free_clients', 0], ['used_clients', l.usedClients], ['login_clients', l.loginClients], ['free_servers', 0],
    ['used_servers', l.usedServers], ['dns_names', 0], ['dns_zones', 0], ['dns_queries', 0], ['dns_pending', 0],
  ];
}

function hazardRow(h: HazardInfo): Cell[] {
  return [h.id, formatTimestamp(h.time), h.kind, h.rule, h.clientId, h.applicationName, h.serverId, h.remotePid, h.statement, h.detail];
}

// ---------------------------------------------------------------------------------------------
// Serving a logged-in admin client

/** ParameterStatus messages PgBouncer's console sends after login (server_version ends in /bouncer). */
export function adminGreeting(): Buffer[] {
  return [
    parameterStatus('server_version', `${PGBOUNCER_COMPAT_VERSION}/bouncer`),
    ...Object.entries({ client_encoding: 'UTF8', DateStyle: 'ISO', TimeZone: 'GMT', standard_conforming_strings: 'on', application_name: '' }).map(
      ([k, v]) => parameterStatus(k, v),
    ),
  ];
}

/**
 * Takes over a client socket that logged in to the admin database. `pending` holds bytes already read
 * after the login; `greet` sends ParameterStatus + ReadyForQuery first (when the caller has not).
 * Simple Query only, like PgBouncer's console; extended-protocol messages get an error at Sync.
 */
export function serveAdminClient(
  socket: Socket,
  adminConsole: AdminConsole,
  access: AdminAccess,
  options: { pending?: Buffer; greet?: boolean; onQuery?: () => void } = {},
): void {
  const reader = new MessageReader();
  let busy = false;
  let extendedPending = false;
  if (options.greet) socket.write(Buffer.concat([...adminGreeting(), readyForQuery('I')]));

  // One query at a time, in order; bytes arriving meanwhile are queued in the reader.
  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
      // Console commands are short: a bigger message is refused before its body is buffered.
      for (let next = reader.next(MAX_ADMIN_MESSAGE_LENGTH); next && !socket.destroyed; next = reader.next(MAX_ADMIN_MESSAGE_LENGTH)) {
        if (next.type === Msg.Terminate) {
          socket.end();
          return;
        }
        if (next.type === Msg.Query) {
          const [sql] = readCString(next.body, 0);
          options.onQuery?.();
          const answer = await adminConsole.execute(sql, access);
          if (answer && !socket.destroyed) socket.write(Buffer.concat([...answer, readyForQuery('I')]));
        } else if (next.type === Msg.Sync) {
          const answer = extendedPending ? [errorResponse({ severity: 'ERROR', code: '08P01', message: 'admin console supports only simple queries' })] : [];
          extendedPending = false;
          socket.write(Buffer.concat([...answer, readyForQuery('I')]));
        } else {
          // Parse/Bind/Describe/Execute/Flush: one error, at the Sync that ends the batch.
          extendedPending = true;
        }
      }
    } catch (error) {
      if (error instanceof ProtocolError && socket.writable) {
        socket.end(errorResponse({ severity: 'FATAL', code: error.code, message: error.message }));
        setTimeout(() => socket.destroy(), 1000).unref();
      } else {
        socket.destroy(error as Error);
      }
    } finally {
      busy = false;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    void drain();
  });
  socket.on('error', () => socket.destroy());
  if (options.pending && options.pending.length > 0) {
    reader.push(options.pending);
    void drain();
  }
}

// ---------------------------------------------------------------------------------------------
// Admission to the admin database (the pooler hands the socket over once the client is authenticated)

/** PgBouncer's rule: admin_users and stats_users reach the console; with neither list, nobody does. */
function accessOf(config: PoolerConfig, user: string): AdminAccess | undefined {
  return adminAccessFor(user, config.admin_users, config.stats_users);
}

/**
 * PgBouncer's peer rule: user "pgbouncer" on a unix socket from the pooler's own OS user is admin,
 * with no password (client.ts skips the password exchange for it).
 */
export function isPeerAdmin(socket: Socket, user: string): boolean {
  return user === 'pgbouncer' && unixPeerIsOwnUser(socket);
}

/** Largest console message accepted after login (SHOW/SET/PAUSE… are a few bytes). */
const MAX_ADMIN_MESSAGE_LENGTH = 1 << 20;

/**
 * Greets a client the pooler authenticated (client.ts, the same login as for databases) if its
 * user may use the console; `before` (SASLFinal) goes out in the same write. Returns its access.
 */
function admitAdminClient(socket: Socket, user: string, config: PoolerConfig, before: Buffer | undefined): AdminAccess | undefined {
  const access = isPeerAdmin(socket, user) ? 'admin' : accessOf(config, user);
  if (!access) {
    logLine(`login refused: user="${user}" database="pgbouncer": not allowed (08P01)`);
    socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message: 'not allowed' }));
    return undefined;
  }
  const key = secureRandom(8);
  const greeting = [authentication(AuthCode.Ok), ...adminGreeting(), backendKeyData(key.readInt32BE(0) & 0x7fffffff, key.readInt32BE(4)), readyForQuery('I')];
  socket.write(Buffer.concat(before ? [before, ...greeting] : greeting));
  return access;
}

// ---------------------------------------------------------------------------------------------
// The pooler as an AdminSource

export interface AdminSession {
  id: number;
  socket: Socket;
  user: string;
  database: string;
  applicationName: string;
  connectedAt: number;
  lastQueryAt: number;
}

/** Reads the live pooler for the console; admin sessions are tracked here (the pooler hands them off). */
export class PoolerAdminSource implements AdminSource {
  readonly defaults = defaultConfig();
  adminQueries = 0;
  private shuttingDown = false;

  constructor(private readonly pooler: Pooler) {}

  get sessions(): Set<AdminSession> {
    return this.pooler.adminSessions;
  }

  get config(): PoolerConfig {
    return this.pooler.config;
  }

  pools(): PoolInfo[] {
    const now = Date.now();
    const rows: PoolInfo[] = [];
    for (const pool of this.pooler.pools.values()) {
      let clActive = 0;
      for (const client of this.pooler.clients) if (client.pool === pool && (client.state === 'idle' || client.state === 'active')) clActive++;
      const oldest = pool.waiting.reduce((min, c) => (c.waitStartedAt > 0 && c.waitStartedAt < min ? c.waitStartedAt : min), now);
      const place = hostTarget(pool.target, pool.hostIndex);
      const health = pool.hostIndex > 0 ? this.pooler.replicaHealth.of(pool.target, pool.hostIndex) : undefined;
      const balanced = (pool.target.replicas?.length ?? 0) > 0 && this.pooler.config.load_balance !== 'off';
      rows.push({
        database: pool.target.name, user: pool.user, clActive, clWaiting: pool.waiting.length, clActiveCancelReq: 0,
        clWaitingCancelReq: 0, svActive: pool.active.size - pool.beingCanceledCount, svActiveCancel: 0, svBeingCanceled: pool.beingCanceledCount, svIdle: pool.idle.length,
        svUsed: 0, svTested: 0, svLogin: pool.connecting, maxWaitMicros: (now - oldest) * 1000, poolMode: pool.mode,
        loadBalanceHosts: balanced ? this.pooler.config.load_balance : null,
        host: this.pooler.config.load_balance === 'round-robin' && balanced ? allHosts(pool.target) : `${place.host}:${place.port}`,
        role: pool.hostIndex > 0 ? 'replica' : 'primary', hostStatus: health?.status ?? 'up', replicationDelay: health?.delayBytes ?? null,
      });
    }
    // PgBouncer lists its console as a pool of its own (user pgbouncer, statement mode).
    rows.push({
      database: 'pgbouncer', user: 'pgbouncer', clActive: this.sessions.size, clWaiting: 0, clActiveCancelReq: 0,
      clWaitingCancelReq: 0, svActive: 0, svActiveCancel: 0, svBeingCanceled: 0, svIdle: 0, svUsed: 0, svTested: 0,
      svLogin: 0, maxWaitMicros: 0, poolMode: 'statement', loadBalanceHosts: null, host: '', role: '', hostStatus: '', replicationDelay: null,
    });
    return rows;
  }

  hosts(): HostInfo[] {
    const rows: HostInfo[] = [];
    for (const target of this.pooler.config.databases.values()) {
      const weights = hostWeights(target);
      for (let node = 0; node < weights.length; node++) {
        const place = hostTarget(target, node);
        const health = (target.replicas?.length ?? 0) > 0 ? this.pooler.replicaHealth.of(target, node) : undefined;
        rows.push({
          database: target.name, node, host: place.host, port: place.port, role: node > 0 ? 'replica' : 'primary', weight: weights[node],
          status: health?.status ?? 'up', replicationDelay: health?.delayBytes ?? null, replayLsn: health?.replayLsn ?? null,
          lastCheck: health?.checkedAt ?? 0, error: health?.error ?? '',
        });
      }
    }
    return rows;
  }

  clients(): SocketInfo[] {
    const now = Date.now();
    const rows: SocketInfo[] = [];
    for (const client of this.pooler.clients) {
      if (client.state === 'login' || client.state === 'closed') continue;
      rows.push({
        type: 'C', user: client.user, database: client.database, state: client.state, addr: plainAddress(client.remoteAddress),
        port: client.remotePort, localAddr: plainAddress(client.socket.localAddress ?? ''), localPort: client.localPort,
        connectTime: client.connectedAt, requestTime: client.lastActivityAt,
        waitMicros: client.state === 'waiting' && client.waitStartedAt > 0 ? (now - client.waitStartedAt) * 1000 : 0,
        closeNeeded: false, link: client.server?.id, remotePid: 0, tls: client.tls ? 'TLS' : '',
        applicationName: client.applicationName, preparedStatements: 0, id: client.id,
        ...(client.server ? this.placeOf(client.server.target) : { host: '', role: '' }),
        listState: client.state === 'waiting' ? 'cl_waiting' : 'cl_active', sendAvail: client.socket.writableLength,
      });
    }
    for (const session of this.sessions) {
      rows.push({
        type: 'C', user: session.user, database: session.database, state: 'active', addr: plainAddress(session.socket.remoteAddress ?? ''),
        port: session.socket.remotePort ?? 0, localAddr: plainAddress(session.socket.localAddress ?? ''), localPort: session.socket.localPort ?? 0,
        connectTime: session.connectedAt, requestTime: session.lastQueryAt, waitMicros: 0, closeNeeded: false, remotePid: 0, tls: '',
        applicationName: session.applicationName, preparedStatements: 0, id: session.id, host: '', role: '',
        listState: 'cl_active', sendAvail: session.socket.writableLength,
      });
    }
    return rows;
  }

  servers(): SocketInfo[] {
    const states: Record<string, string> = { login: 'new', idle: 'idle', active: 'active' };
    const closeNeeded = new Set<ServerConnection>();
    for (const pool of this.pooler.pools.values()) for (const server of [...pool.idle, ...pool.active]) if (pool.isCloseNeeded(server)) closeNeeded.add(server);
    const rows: SocketInfo[] = [];
    for (const server of this.pooler.servers) {
      if (server.state === 'closed') continue;
      const link = (server.link as { id?: number } | null)?.id;
      rows.push({
        type: 'S', user: server.target.user, database: server.target.name, state: states[server.state] ?? server.state,
        addr: server.target.host, port: server.target.port, localAddr: plainAddress(server.socket.localAddress ?? ''),
        localPort: server.localPort, connectTime: server.createdAt, requestTime: server.lastUsedAt, waitMicros: 0,
        closeNeeded: closeNeeded.has(server), link, remotePid: server.processId, tls: server.tls ? 'TLS' : '',
        applicationName: server.params.get('application_name') ?? '', preparedStatements: 0, id: server.id,
        ...this.placeOf(server.target), listState: `sv_${server.state}`, sendAvail: server.socket.writableLength,
      });
    }
    return rows;
  }

  loginClients(): SocketInfo[] {
    const rows: SocketInfo[] = [];
    for (const client of this.pooler.clients) {
      if (client.state !== 'login') continue;
      rows.push({
        type: 'C', user: client.user || '(nouser)', database: client.database || '(nodb)', state: 'login',
        addr: plainAddress(client.remoteAddress), port: client.remotePort, localAddr: plainAddress(client.socket.localAddress ?? ''),
        localPort: client.localPort, connectTime: client.connectedAt, requestTime: client.lastActivityAt, waitMicros: 0,
        closeNeeded: false, remotePid: 0, tls: client.tls ? 'TLS' : '', applicationName: client.applicationName,
        preparedStatements: 0, id: client.id, host: '', role: '', listState: 'cl_login', sendAvail: client.socket.writableLength,
      });
    }
    return rows;
  }

  /** host:port of a server target and whether it is its database's primary. */
  private placeOf(target: DatabaseTarget): { host: string; role: string } {
    const primary = this.pooler.config.databases.get(target.name) ?? target;
    const isPrimary = primary.host === target.host && primary.port === target.port;
    return { host: `${target.host}:${target.port}`, role: isPrimary ? 'primary' : 'replica' };
  }

  databases(): DatabaseInfo[] {
    const config = this.pooler.config;
    const clientCounts = this.pooler.clientCounts().byDatabase;
    const rows: DatabaseInfo[] = [];
    for (const target of config.databases.values()) {
      rows.push({
        name: target.name, host: target.host, port: target.port, database: target.dbname, forceUser: target.user || null,
        poolSize: target.pool_size ?? config.default_pool_size, minPoolSize: target.min_pool_size ?? config.min_pool_size,
        reservePoolSize: target.reserve_pool ?? config.reserve_pool_size,
        serverLifetime: Math.floor(target.server_lifetime ?? config.server_lifetime), poolMode: target.pool_mode ?? null,
        maxConnections: this.pooler.databaseServerLimit(target.name), currentConnections: this.pooler.databaseServerCount(target.name),
        maxClientConnections: this.pooler.databaseClientLimit(target.name), currentClientConnections: clientCounts.get(target.name) ?? 0,
        paused: this.pooler.paused || this.pooler.pausedDatabases.has(target.name), disabled: this.pooler.disabledDatabases.has(target.name),
      });
    }
    rows.push({
      name: 'pgbouncer', host: null, port: this.pooler.address?.port ?? config.listen_port, database: 'pgbouncer', forceUser: 'pgbouncer', poolSize: 2,
      minPoolSize: 0, reservePoolSize: 0, serverLifetime: Math.floor(config.server_lifetime), poolMode: 'statement',
      maxConnections: config.max_db_connections, currentConnections: 0, maxClientConnections: this.pooler.databaseClientLimit('pgbouncer'),
      currentClientConnections: clientCounts.get('pgbouncer') ?? 0, paused: false, disabled: false,
    });
    return rows;
  }

  users(): UserInfo[] {
    const config = this.pooler.config;
    const clientCounts = this.pooler.clientCounts().byUser;
    const names = new Set([...config.users.keys(), ...config.user_overrides.keys()]);
    for (const target of config.databases.values()) if (target.user) names.add(target.user);
    for (const name of clientCounts.keys()) names.add(name);
    return [...names].sort().map((name) => {
      const own = config.user_overrides.get(name);
      return {
        name, poolSize: own?.pool_size ?? null, reservePoolSize: own?.reserve_pool_size ?? null, poolMode: own?.pool_mode ?? null,
        maxUserConnections: this.pooler.userServerLimit(name), currentConnections: this.pooler.userServerCount(name),
        maxUserClientConnections: this.pooler.userClientLimit(name), currentClientConnections: clientCounts.get(name) ?? 0,
      };
    });
  }

  stats(): Map<string, StatsTotals> {
    const byDatabase = new Map<string, StatsTotals>();
    for (const pool of this.pooler.pools.values()) {
      const totals = byDatabase.get(pool.target.name) ?? { ...EMPTY_TOTALS };
      const s = pool.stats;
      totals.xactCount += s.xact_count;
      totals.queryCount += s.query_count;
      totals.bytesReceived += s.bytes_received;
      totals.bytesSent += s.bytes_sent;
      totals.xactTimeMicros += s.xact_time;
      totals.queryTimeMicros += s.query_time;
      totals.waitTimeMicros += s.wait_time;
      totals.serverAssignmentCount += s.server_assignment_count;
      totals.clientParseCount += s.client_parse_count;
      totals.serverParseCount += s.server_parse_count;
      totals.bindCount += s.bind_count;
      byDatabase.set(pool.target.name, totals);
    }
    // Like PgBouncer, the console's own statements count under database pgbouncer.
    byDatabase.set('pgbouncer', { ...EMPTY_TOTALS, xactCount: this.adminQueries, queryCount: this.adminQueries });
    return byDatabase;
  }

  lists(): ListCounts {
    let loginClients = 0;
    for (const client of this.pooler.clients) if (client.state === 'login') loginClients++;
    return {
      databases: this.pooler.config.databases.size + 1,
      users: this.pooler.config.users.size,
      pools: this.pooler.pools.size + 1,
      usedClients: this.pooler.clients.size + this.sessions.size,
      loginClients,
      usedServers: this.pooler.servers.size,
    };
  }

  audit(): Promise<AuditRow[]> {
    return this.pooler.auditIdleServers();
  }

  hazards(): HazardInfo[] {
    // Filled once the pooler records hazards (the hazards issue); the table's shape is fixed already.
    const withHazards = this.pooler as Pooler & { hazardRows?: () => HazardInfo[] };
    return withHazards.hazardRows ? withHazards.hazardRows() : [];
  }

  pause(database?: string): Promise<void> {
    return this.pooler.pause(database);
  }

  resume(database?: string): void {
    this.pooler.resume(database);
  }

  suspend(): Promise<void> {
    return this.pooler.suspend();
  }

  kill(database?: string): void {
    this.pooler.kill(database);
  }

  killClient(id: number): boolean {
    if (this.pooler.killClient(id)) return true;
    for (const session of this.sessions) {
      if (session.id !== id) continue;
      session.socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message: 'admin forced disconnect' }));
      return true;
    }
    return false;
  }

  disable(database: string): void {
    this.pooler.disabledDatabases.add(database);
  }

  enable(database: string): void {
    this.pooler.disabledDatabases.delete(database);
  }

  reconnect(database?: string): void {
    this.pooler.reconnect(database);
  }

  waitClose(database?: string): Promise<void> {
    return this.pooler.waitClose(database);
  }

  reload(): void {
    this.pooler.reload();
  }

  shutdown(mode: ShutdownMode): void {
    this.shuttingDown = true;
    const closeSessions = () => {
      for (const session of this.sessions) session.socket.destroy();
    };
    if (mode === 'immediate') closeSessions();
    this.pooler.requestShutdown(mode);
    void this.pooler.stopped.then(closeSessions);
  }

  pauseMode(): 'none' | 'pause' | 'suspend' {
    return this.pooler.pauseMode;
  }

  configChanged(key: string): string | undefined {
    // PgBouncer's rule: SET of a TLS setting rebuilds TLS at once; if that fails the value is kept but
    // the previous TLS stays in use.
    const tlsError = isTlsSetting(key) ? this.pooler.applyTls() : undefined;
    this.pooler.settingsChanged();
    return tlsError ? 'TLS settings could not be applied, still using old configuration' : undefined;
  }

  isPaused(database?: string): boolean {
    return database === undefined ? this.pooler.paused : this.pooler.pausedDatabases.has(database);
  }

  /** A session that leaves while the pooler is suspended would leave it stuck: PgBouncer resumes then. */
  sessionClosed(): void {
    if (this.sessions.size === 0 && this.pooler.pauseMode === 'suspend') this.pooler.resume();
  }

  isShuttingDown(): boolean {
    return this.shuttingDown || this.pooler.shutdownMode !== null;
  }

  hasDatabase(database: string): boolean {
    return this.pooler.config.databases.has(database);
  }
}

/** Every host of a round-robin database, as PgBouncer's host=a,b list. */
function allHosts(target: DatabaseTarget): string {
  return hostWeights(target).map((_, index) => {
    const place = hostTarget(target, index);
    return `${place.host}:${place.port}`;
  }).join(',');
}

function plainAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The pooler's handler for connections to the admin database: authenticates them like any client,
 * then serves the console. Installed by the Pooler (`onAdminConnection`).
 */
export function createAdminConnectionHandler(pooler: Pooler): AdminConnectionHandler {
  const source = new PoolerAdminSource(pooler);
  const adminConsole = new AdminConsole(source);
  return (socket, params, leftover, before, id) => {
    socket.on('error', () => socket.destroy());
    const user = params.get('user') ?? '';
    if (pooler.stopping) {
      socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message: 'pooler is shutting down' }));
      return;
    }
    const access = admitAdminClient(socket, user, pooler.config, before);
    if (!access) return;
    const session: AdminSession = {
      id, socket, user, database: params.get('database') ?? 'pgbouncer',
      applicationName: params.get('application_name') ?? '', connectedAt: Date.now(), lastQueryAt: Date.now(),
    };
    source.sessions.add(session);
    socket.once('close', () => {
      source.sessions.delete(session);
      source.sessionClosed();
    });
    serveAdminClient(socket, adminConsole, access, {
      pending: leftover,
      onQuery: () => {
        session.lastQueryAt = Date.now();
        source.adminQueries++;
      },
    });
  };
}
