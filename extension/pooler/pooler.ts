// The pooler: ties listener, clients, pools and server connections together.
//
// State accessors for the admin console (admin.ts, SHOW POOLS|CLIENTS|SERVERS|STATS|…):
//   pooler.config                 resolved PoolerConfig (PgBouncer key names; SHOW CONFIG, SET)
//   pooler.pools                  Map "database\0user" → Pool: target, user, mode, poolSize, idle[],
//                                 active (Set), waiting[] (clients), connecting, stats (PoolStats,
//                                 PgBouncer's SHOW STATS counters, times in microseconds), clientCount
//   pooler.clients                Set<Client>: id, state (login|idle|waiting|active), user, database,
//                                 remoteAddress/remotePort/localPort, connectedAt, lastActivityAt,
//                                 applicationName, server (linked ServerConnection), processId/
//                                 secretKey (the pooler's own BackendKeyData), xactCount, queryCount,
//                                 bytesReceived/bytesSent, waitStartedAt, tls
//   pooler.servers                Set<ServerConnection>: id, state (login|idle|active|closed),
//                                 target, processId (remote_pid), localPort, createdAt, lastUsedAt,
//                                 link (holding Client or null), lastClientId, params, txStatus, tls
//   pooler.startedAt, pooler.pauseMode, pausedDatabases, disabledDatabases: the admin console's
//                                 process control (PAUSE, SUSPEND, KILL, RELOAD…), see the
//                                 "Process control" methods below
//   pooler.onAdminConnection      set by admin.ts: receives connections to the admin database
//                                 (`pgbouncer` or `poolsafe`) once authenticated like any client:
//                                 (socket, startup params, bytes already read, last auth message).
//                                 Unset → such connections get FATAL 3D000 like an unknown database.
import type * as net from 'node:net';
import { Client } from './client';
import { ADMIN_DATABASES, FIXED_AT_RUN_TIME, isAdminDatabase, rememberDatabase, resolveDatabase, sameConnection, type DatabaseTarget, type PoolerConfig } from './config';
import { AuthError, ScramSecretCache, type ScramKeys, type UserSecret } from './auth';
import { AuthQuery } from './auth-query';
import { Listener } from './listener';
import { Pool, type PoolHost } from './pool';
import { type ServerConnection, sendCancel } from './server';
import { StateWaiters } from './waiters';
import { SSL_REQUEST_CODE, errorResponse } from './protocol';
import { createAdminConnectionHandler, type AdminSession, type HazardInfo, type ShutdownMode } from './admin';
import { HazardMonitor } from './hazards';
import type { AuditRow } from './admin';

/** The statement quoted by hazards that the console's AUDIT found. */
const AUDIT_STATEMENT = 'AUDIT (admin console)';
import { PreparedRegistry } from './prepared';
import { logLine } from './log';
import { ClientBalance, type BalanceServices } from './balancedClient';
import { ReplicaHealth } from './replicaHealth';
import { FunctionVolatility } from './functionVolatility';
import { BalanceHazards } from './balanceHazards';
import { CLIENT_TLS_OFF, TlsSetupError, buildClientTls, buildServerTls, type ClientTls, type ServerTls } from './tls-settings';



/** What a client connection needs from the pooler. */
export interface ClientHost {
  readonly config: PoolerConfig;
  readonly scramSecrets: ScramSecretCache;
  getPool(target: DatabaseTarget, user: string, scramKeys?: ScramKeys, secret?: UserSecret): Pool;
  /** auth_query lookups for users not in the userlist. */
  readonly authQuery: AuthQuery;
  /** DISABLE db: also refuses logins whose auth_dbname it is. */
  readonly disabledDatabases: ReadonlySet<string>;
  /** How clients' SSLRequest is answered (the client_tls_* settings last applied). */
  readonly clientTls: ClientTls;
  cancelRequest(processId: number, secretKey: number): void;
  /** The next id of PgBouncer's one socket numbering (a replication client's own server takes one). */
  nextSocketId(): number;
  isAdminDatabase(database: string): boolean;
  /** A client logged in to the admin database; `before` (SASLFinal) goes out with its greeting. */
  adminConnection(socket: net.Socket, params: ReadonlyMap<string, string>, leftover: Buffer, client: Client, before: Buffer | undefined): void;
  /** Why a client that just authenticated is refused (max_db/user_client_connections), if it is. */
  clientLimitRefusal(user: string, database: string): string | undefined;
  clientLoggedIn(client: Client): void;
  clientClosed(client: Client, loggedIn: boolean): void;
  /** Live hazard detection; null when off (`--hazards off`). */
  readonly hazards: HazardMonitor | null;
  /** Pooler-side named prepared statements (used when max_prepared_statements > 0). */
  readonly preparedStatements: PreparedRegistry;
  /** With load_balance = pgpool and replicas: the router of a client logged in to `pool`; else null. */
  balanceFor(client: Client, pool: Pool): ClientBalance | null;
}

/** `id`: the connection's socket id (SHOW CLIENTS/SOCKETS), kept from its login. */
export type AdminConnectionHandler = (socket: net.Socket, params: ReadonlyMap<string, string>, leftover: Buffer, before: Buffer | undefined, id: number) => void;

export class Pooler implements ClientHost, PoolHost, BalanceServices {
  readonly pools = new Map<string, Pool>();
  readonly clients = new Set<Client>();
  /** Logged-in admin console sessions (admin.ts adds and removes them). */
  readonly adminSessions = new Set<AdminSession>();
  readonly servers = new Set<ServerConnection>();
  readonly scramSecrets = new ScramSecretCache();
  readonly authQuery = new AuthQuery(() => this.config, () => this.nextSocketId());
  /** The TLS settings last applied (applyTls): SET or RELOAD of a broken one keeps these. */
  clientTls: ClientTls = CLIENT_TLS_OFF;
  serverTls: ServerTls | undefined;
  readonly startedAt = Date.now();
  /** PgBouncer's global pause mode: PAUSE holds new queries; SUSPEND also stops reading every socket. */
  pauseMode: 'none' | 'pause' | 'suspend' = 'none';
  /** Databases paused on their own (PAUSE db, KILL db). */
  readonly pausedDatabases = new Set<string>();
  /** DISABLE db: new logins to these are refused. */
  readonly disabledDatabases = new Set<string>();
  /** SHUTDOWN WAIT_FOR_*: the pooler exits once its servers / clients are done. */
  shutdownMode: ShutdownMode | null = null;
  /** Re-reads the configuration (the ini given with --config) for RELOAD and SIGHUP; unset: nothing to re-read. */
  configSource: (() => PoolerConfig) | undefined;
  /** Resolves once shutdown() has closed everything (SHUTDOWN from the console ends the process). */
  readonly stopped: Promise<void>;
  private markStopped!: () => void;
  onAdminConnection: AdminConnectionHandler | undefined;
  /** Emits 'hazard' (HazardInfo) for each SHOW HAZARDS row as it is recorded. */
  readonly hazards: HazardMonitor | null;
  readonly preparedStatements = new PreparedRegistry(() => this.config.max_prepared_statements);
  /** Replica up/down and replication delay (load balancing). */
  readonly replicaHealth = new ReplicaHealth(() => this.config, () => this.nextSocketId());
  readonly volatility = new FunctionVolatility((target, sql, params) => this.replicaHealth.query(target, sql, params));
  /** read-after-write and write-in-read hazards (null with hazards off). */
  readonly balanceHazards: BalanceHazards | null;
  private readonly byKey = new Map<string, Client>();
  private listener: Listener | undefined;
  private janitor: NodeJS.Timeout | undefined;
  /** One id sequence for clients, servers and console sessions, as PgBouncer numbers its sockets. */
  private lastSocketId = 0;
  private shuttingDown = false;
  /** PAUSE, WAIT_CLOSE, SUSPEND and SHUTDOWN WAIT_FOR_SERVERS waiting for the pools to settle. */
  private readonly waiters = new StateWaiters();

  constructor(public config: PoolerConfig) {
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
    this.onAdminConnection = createAdminConnectionHandler(this);
    this.hazards = config.hazard_detection ? new HazardMonitor({ tracksPreparedStatements: () => this.config.max_prepared_statements > 0 }) : null;
    this.balanceHazards = this.hazards ? new BalanceHazards(this.hazards, this.replicaHealth) : null;
  }

  /**
   * Whether replicas are watched (health, delay, the hazard checks' LSN questions): only for pgpool
   * balancing, which routes by them. round-robin is PgBouncer's load_balance_hosts, which opens no
   * connection of its own: a monitoring login there would be one more server connection than
   * PgBouncer makes (and than its limits and its tests count).
   */
  get watchesReplicas(): boolean {
    return this.config.load_balance === 'pgpool' && [...this.config.databases.values()].some((target) => (target.replicas?.length ?? 0) > 0);
  }

  balanceFor(client: Client, pool: Pool): ClientBalance | null {
    if (this.config.load_balance !== 'pgpool' || !pool.target.replicas?.length) return null;
    return new ClientBalance(client, pool, this);
  }

  /** The pool of (database, user, host `index`): Pgpool-II-style balancing keeps one per host. */
  hostPool(home: Pool, index: number): Pool {
    if (index === 0) return home;
    const key = `${home.target.name}\0${home.user}\0${index}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(home.target, home.user, this.config, this, index);
      pool.template = home.template;
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** SHOW HAZARDS rows (admin.ts reads them through this name). */
  hazardRows(): HazardInfo[] {
    return this.hazards ? this.hazards.rows() : [];
  }

  /** Starts listening; resolves with the bound address (port 0 → the real port). */
  async start(): Promise<{ host: string; port: number }> {
    await this.hazards?.init();
    // Unreadable key/cert files fail the start, not the first TLS client.
    const tlsError = this.applyTls();
    if (tlsError) throw new TlsSetupError(tlsError);
    this.listener = new Listener((socket) => this.accept(socket));
    const address = await this.listener.listen({
      host: this.config.listen_addr,
      port: this.config.listen_port,
      unixSocketDir: this.config.unix_socket_dir,
      unixSocketMode: this.config.unix_socket_mode,
    });
    this.janitor = setInterval(() => this.maintain(), 250);
    this.janitor.unref();
    if (this.watchesReplicas) await this.replicaHealth.start();
    return address;
  }

  get address(): { host: string; port: number } | undefined {
    return this.listener?.address;
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.config.max_client_conn) {
      refuse(socket, 'no more connections allowed (max_client_conn)');
      return;
    }
    const client = new Client(this.nextSocketId(), socket, this);
    this.clients.add(client);
  }

  getPool(configured: DatabaseTarget, user: string, scramKeys?: ScramKeys, secret?: UserSecret): Pool {
    // Login code calls this once the client is authenticated: PgBouncer refuses disabled databases then,
    // and, during SHUTDOWN WAIT_FOR_*, everything but the console.
    if (this.disabledDatabases.has(configured.name)) throw new AuthError(`database "${configured.name}" is disabled`, '08P01');
    if (this.shutdownMode) throw new AuthError('pooler is shutting down', '08P01');
    // Like PgBouncer, one pool per server login: clients of a database with a forced user= share it.
    // The key is that of serverTarget's result, known without building it (a login into an existing
    // pool would otherwise copy the database's whole target).
    const key = `${configured.name}\0${configured.user || user}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const target = this.serverTarget(configured, user, scramKeys, secret);
      pool = new Pool(target, target.user, this.config, this);
      this.pools.set(key, pool);
    } else if (!configured.user) {
      // The latest proven keys and looked-up secret (the verifier may have changed).
      if (scramKeys) pool.target.scramKeys = scramKeys;
      if (secret) pool.target.secret = this.config.users.get(user) ?? secret;
    }
    return pool;
  }

  /**
   * The server login of a database. A forced user (user=) without password= uses its auth_file
   * entry; a database without user= logs in as the client's user: with its auth_file (or
   * auth_query) secret, else with the keys from its SCRAM proof (pass-through).
   */
  private serverTarget(configured: DatabaseTarget, user: string, scramKeys?: ScramKeys, secret?: UserSecret): DatabaseTarget {
    // PgBouncer leaves servers alone when server TLS was and stays off, whatever its other settings say.
    const sslmode = this.config.server_tls_sslmode;
    const target = configured.sslmode_from_config ? { ...configured, sslmode, serverTls: sslmode === 'disable' ? undefined : this.serverTls } : configured;
    if (target.user) {
      return target.password !== undefined ? target : { ...target, secret: this.config.users.get(target.user) };
    }
    return { ...target, user, secret: this.config.users.get(user) ?? secret, scramKeys };
  }

  /**
   * Builds TLS from the current client_tls_* / server_tls_* settings and switches to it whole, or
   * returns why it cannot (then the previous TLS stays, as in PgBouncer). Servers opened with other
   * server TLS settings are replaced as they are released (settingsChanged compares targets).
   */
  applyTls(): string | undefined {
    try {
      const client = buildClientTls(this.config);
      const server = buildServerTls(this.config);
      this.clientTls = client;
      this.serverTls = server;
      return undefined;
    } catch (error) {
      if (!(error instanceof TlsSetupError)) throw error;
      logLine(error.message);
      return error.message;
    }
  }

  nextSocketId(): number {
    return ++this.lastSocketId;
  }

  serverOpened(server: ServerConnection, pool: Pool): void {
    this.servers.add(server);
    server.onClose = () => {
      this.servers.delete(server);
      this.hazards?.onServerClosed(server);
      pool.forget(server);
    };
  }

  firstQuery(pool: Pool): { sql: string; done: (rows: (string | null)[][], error?: string) => void } | undefined {
    const hazards = this.hazards;
    const sql = hazards?.builtinsQuery(pool.mode);
    return sql && hazards ? { sql, done: (rows, error) => hazards.onBuiltins(rows, error) } : undefined;
  }

  serverClosed(server: ServerConnection): void {
    this.servers.delete(server);
  }

  isAdminDatabase(database: string): boolean {
    return isAdminDatabase(database);
  }

  adminConnection(socket: net.Socket, params: ReadonlyMap<string, string>, leftover: Buffer, client: Client, before: Buffer | undefined): void {
    this.clients.delete(client);
    if (!this.onAdminConnection) {
      socket.end(errorResponse({ severity: 'FATAL', code: '3D000', message: `no such database: ${params.get('database')}` }));
      return;
    }
    this.onAdminConnection(socket, params, leftover, before, client.id);
  }

  /** Logged-in clients, console sessions included, per database and per user (SHOW DATABASES|USERS, limits). */
  clientCounts(): { byDatabase: Map<string, number>; byUser: Map<string, number> } {
    const byDatabase = new Map<string, number>();
    const byUser = new Map<string, number>();
    const add = (database: string, user: string) => {
      byDatabase.set(database, (byDatabase.get(database) ?? 0) + 1);
      byUser.set(user, (byUser.get(user) ?? 0) + 1);
    };
    for (const client of this.clients) if (client.state !== 'login' && client.state !== 'closed') add(client.database, client.user);
    for (const session of this.adminSessions) add(ADMIN_DATABASES[0], session.user);
    return { byDatabase, byUser };
  }

  /** Server connections a database may have over all its pools (its own max_db_connections, else the global; 0 = no limit). */
  databaseServerLimit(database: string): number {
    const own = resolveDatabase(this.config, database)?.max_db_connections;
    return own && own > 0 ? own : this.config.max_db_connections;
  }

  userServerLimit(user: string): number {
    const own = this.config.user_overrides.get(user)?.max_user_connections;
    return own && own > 0 ? own : this.config.max_user_connections;
  }

  databaseServerCount(database: string): number {
    let count = 0;
    for (const pool of this.pools.values()) if (pool.target.name === database) count += pool.serverCount;
    return count;
  }

  userServerCount(user: string): number {
    let count = 0;
    for (const pool of this.pools.values()) if (pool.user === user) count += pool.serverCount;
    return count;
  }

  /**
   * max_db_connections / max_user_connections: may `pool` open one more server? When not, an idle
   * server of another pool of the same database or user is closed to make room later (PgBouncer's
   * eviction), so a pool with waiting clients is not starved by idle servers elsewhere.
   */
  hasServerRoom(pool: Pool, evict: boolean): boolean {
    const dbLimit = this.databaseServerLimit(pool.target.name);
    const userLimit = this.userServerLimit(pool.user);
    const dbFull = dbLimit > 0 && this.databaseServerCount(pool.target.name) >= dbLimit;
    const userFull = userLimit > 0 && this.userServerCount(pool.user) >= userLimit;
    if (!dbFull && !userFull) return true;
    if (evict) this.evictIdleServer(pool, (other) => (!dbFull || other.target.name === pool.target.name) && (!userFull || other.user === pool.user));
    return false;
  }

  private evictIdleServer(pool: Pool, sharesLimit: (other: Pool) => boolean): void {
    let oldest: ServerConnection | undefined;
    for (const other of this.pools.values()) {
      if (other === pool || !sharesLimit(other)) continue;
      const candidate = other.idle[0]; // idle[0] was released longest ago
      if (candidate && (!oldest || candidate.lastUsedAt < oldest.lastUsedAt)) oldest = candidate;
    }
    oldest?.close('evicted');
  }

  /** PgBouncer's per-database limit: the database's own max_db_client_connections, else the global one. */
  databaseClientLimit(database: string): number {
    const own = this.isAdminDatabase(database) ? undefined : resolveDatabase(this.config, database)?.max_db_client_connections;
    return own && own > 0 ? own : this.config.max_db_client_connections;
  }

  userClientLimit(user: string): number {
    const own = this.config.user_overrides.get(user)?.max_user_client_connections;
    return own && own > 0 ? own : this.config.max_user_client_connections;
  }

  clientLimitRefusal(user: string, database: string): string | undefined {
    // admin_users always reach the console, so a full pooler can still be inspected and fixed.
    if (this.isAdminDatabase(database) && this.config.admin_users.includes(user)) return undefined;
    const dbLimit = this.databaseClientLimit(database);
    const userLimit = this.userClientLimit(user);
    // Counting walks every client: a login pays for it only when a limit is set.
    if (dbLimit <= 0 && userLimit <= 0) return undefined;
    const counts = this.clientCounts();
    const dbKey = this.isAdminDatabase(database) ? ADMIN_DATABASES[0] : database;
    if (dbLimit > 0 && (counts.byDatabase.get(dbKey) ?? 0) >= dbLimit) return 'client connections exceeded (max_db_client_connections)';
    if (userLimit > 0 && (counts.byUser.get(user) ?? 0) >= userLimit) return 'client connections exceeded (max_user_client_connections)';
    return undefined;
  }

  clientLoggedIn(client: Client): void {
    this.byKey.set(keyOf(client.processId, client.secretKey), client);
    if (client.homePool) client.homePool.clientCount++;
  }

  clientClosed(client: Client, loggedIn: boolean): void {
    this.clients.delete(client);
    if (!loggedIn) return;
    this.byKey.delete(keyOf(client.processId, client.secretKey));
    if (client.homePool) client.homePool.clientCount--;
  }

  /** Routes a client's CancelRequest to the backend of the server the client holds right now. */
  cancelRequest(processId: number, secretKey: number): void {
    const server = this.byKey.get(keyOf(processId, secretKey))?.server;
    if (!server || server.state === 'closed') return;
    const timeoutMs = this.config.server_connect_timeout * 1000;
    server.cancels.forward((stillWanted) => sendCancel(server.target, server.processId, server.secretKey, timeoutMs, stillWanted));
  }

  private maintain(): void {
    const now = Date.now();
    if (!this.paused) this.openMinPools();
    for (const pool of this.pools.values()) pool.maintain(now);
    if (this.shutdownMode) this.maintainShutdown();
    this.waiters.changed(); // a safety net only: the events that settle PAUSE, WAIT_CLOSE… call it at once
    for (const client of [...this.clients]) client.enforceTimeouts(now);
  }

  /** A forced-user database with min_pool_size gets its pool at once, so the janitor can fill it before any client comes. */
  private openMinPools(): void {
    for (const target of this.config.databases.values()) {
      const wantsServers = (target.min_pool_size ?? this.config.min_pool_size) > 0;
      if (target.user && wantsServers && !this.disabledDatabases.has(target.name) && !this.pools.has(`${target.name}\0${target.user}`)) {
        this.getPool(target, target.user);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Process control (the admin console's PAUSE, RESUME, SUSPEND, KILL, RELOAD…, PgBouncer's semantics)

  get paused(): boolean {
    return this.pauseMode !== 'none';
  }

  isPoolPaused(pool: Pool): boolean {
    return this.pauseMode !== 'none' || this.pausedDatabases.has(pool.target.name);
  }

  get closesNewWaiters(): boolean {
    return this.shutdownMode === 'wait_for_servers';
  }

  serversChanged(): void {
    this.waiters.changed();
  }

  closesServersWhilePaused(pool: Pool): boolean {
    return this.pauseMode === 'pause' || (this.pauseMode === 'none' && this.pausedDatabases.has(pool.target.name));
  }

  private poolsOf(database?: string): Pool[] {
    return [...this.pools.values()].filter((pool) => database === undefined || pool.target.name === database);
  }

  /** PAUSE [db]: new queries wait; resolves once no server of those pools is in use (all are closed then). */
  async pause(database?: string): Promise<void> {
    if (database === undefined) this.pauseMode = 'pause';
    else this.pausedDatabases.add(database);
    for (const pool of this.poolsOf(database)) pool.maintain(Date.now()); // idle servers close now
    await this.until(() => this.poolsOf(database).every((pool) => pool.busyCount === 0) || !this.stillPausing(database));
  }

  private stillPausing(database?: string): boolean {
    return database === undefined ? this.pauseMode === 'pause' : this.pausedDatabases.has(database);
  }

  /** RESUME [db]: ends PAUSE/SUSPEND (no argument) or a database's PAUSE/KILL; held queries run. */
  resume(database?: string): void {
    if (database !== undefined) {
      this.pausedDatabases.delete(database);
    } else {
      const wasSuspended = this.pauseMode === 'suspend';
      this.pauseMode = 'none';
      if (wasSuspended) for (const socket of this.suspendableSockets()) socket.resume();
    }
    for (const pool of this.poolsOf(database)) pool.wake();
    this.waiters.changed(); // a PAUSE still waiting ends: nothing to wait for any more
  }

  /** SUSPEND: stop reading every client and server socket; resolves once their buffers are written out. */
  async suspend(): Promise<void> {
    this.pauseMode = 'suspend';
    for (const socket of this.suspendableSockets()) {
      socket.pause();
      if (socket.writableLength > 0) socket.once('drain', () => this.waiters.changed()).once('close', () => this.waiters.changed());
    }
    await this.until(() => this.suspendableSockets().every((socket) => socket.writableLength === 0) || this.pauseMode !== 'suspend');
  }

  private suspendableSockets(): net.Socket[] {
    const sockets: net.Socket[] = [];
    for (const client of this.clients) if (client.state !== 'login' && client.state !== 'closed') sockets.push(client.socket);
    for (const server of this.servers) if (server.state !== 'closed') sockets.push(server.socket);
    return sockets;
  }

  /** KILL [db]: drop every client and server connection of db (or all) now; new queries wait for RESUME. */
  kill(database?: string): void {
    const names = database === undefined ? new Set([...this.pools.values()].map((pool) => pool.target.name)) : new Set([database]);
    for (const name of names) this.pausedDatabases.add(name);
    for (const client of [...this.clients]) {
      if (client.pool && names.has(client.pool.target.name)) client.fatal('08P01', 'database removed');
    }
    for (const pool of this.poolsOf(database)) pool.closeAll('database removed');
  }

  /**
   * AUDIT: asks every idle server connection what session state it carries (audit.ts); state the
   * pooler did not know about becomes an origin hazard of the client that used it last.
   */
  async auditIdleServers(): Promise<AuditRow[]> {
    const hazards = this.hazards;
    if (!hazards) throw new Error('hazard detection is off');
    const audits: Promise<AuditRow[]>[] = [];
    for (const pool of this.pools.values()) for (const server of pool.checkOutIdle()) audits.push(this.auditOne(hazards, pool, server));
    return (await Promise.all(audits)).flat();
  }

  private auditOne(hazards: HazardMonitor, pool: Pool, server: ServerConnection): Promise<AuditRow[]> {
    return new Promise((resolve) => {
      server.runQuery(hazards.auditQuery(), (rows, error) => {
        const lastClient = { id: server.lastClientId, applicationName: '', mode: pool.mode };
        const found = error ? [] : hazards.onAudit(lastClient, server, rows, AUDIT_STATEMENT, server);
        if (error) hazards.auditFailed();
        pool.release(server);
        resolve(found.map(({ state, known }) => ({ serverId: server.id, remotePid: server.processId, rule: state.rule, kind: state.kind, name: state.name, known })));
      });
    });
  }

  /** KILL_CLIENT id: drops one client (and its server, unless clean); false when no such client. */
  killClient(id: number): boolean {
    for (const client of this.clients) {
      if (client.id !== id || client.state === 'login') continue;
      client.fatal('08P01', 'admin forced disconnect');
      return true;
    }
    return false;
  }

  /** RECONNECT [db]: every server of db (or all) is closed as soon as it is released, and replaced on demand. */
  reconnect(database?: string): void {
    for (const pool of this.poolsOf(database)) pool.markCloseNeeded(this.lastSocketId);
  }

  /** WAIT_CLOSE [db]: resolves once the servers RECONNECT/RELOAD marked are closed. */
  async waitClose(database?: string): Promise<void> {
    await this.until(() => this.poolsOf(database).every((pool) => pool.closeNeededCount === 0));
  }

  /**
   * RELOAD / SIGHUP: re-reads the configuration. Run-time settings, users and databases take effect
   * for new work; a database whose connection settings changed gets its servers replaced as they
   * are released (PgBouncer's close_needed). Throws when the file cannot be read or is invalid.
   */
  reload(): void {
    if (!this.configSource) return;
    const next = this.configSource();
    const live = this.config as unknown as Record<string, unknown>;
    const fresh = next as unknown as Record<string, unknown>;
    for (const key of new Set([...Object.keys(live), ...Object.keys(fresh)])) {
      if (!FIXED_AT_RUN_TIME.has(key)) live[key] = fresh[key];
    }
    const tlsError = this.applyTls();
    this.settingsChanged();
    if (tlsError) throw new Error(`TLS configuration could not be reloaded, keeping old configuration: ${tlsError}`);
  }

  /**
   * After SET or RELOAD: pools follow changed connection settings (server_tls_sslmode…) and apply
   * new sizes and limits now rather than at the janitor's next run.
   */
  settingsChanged(): void {
    for (const pool of this.pools.values()) this.retarget(pool);
    const now = Date.now();
    for (const pool of this.pools.values()) pool.maintain(now);
  }

  private retarget(pool: Pool): void {
    const configured = resolveDatabase(this.config, pool.target.name);
    if (!configured) return; // removed: new logins are refused; the pool empties as its clients leave
    rememberDatabase(this.config, configured); // a `*` database its clients logged in to stays listed
    const target = this.serverTarget(configured, pool.user, pool.target.scramKeys, pool.target.secret);
    const changed = !sameConnection(pool.target, target);
    pool.target = target;
    if (changed) pool.markCloseNeeded(this.lastSocketId);
  }

  /**
   * SHUTDOWN: immediate closes everything now. WAIT_FOR_SERVERS stops accepting, pauses, closes clients
   * that start waiting for a server (those already waiting at the janitor's next run, as PgBouncer
   * does) and exits once no server is in use; WAIT_FOR_CLIENTS stops accepting and exits once every
   * client has disconnected (checked by the janitor, maintainShutdown).
   */
  requestShutdown(mode: ShutdownMode): void {
    if (mode === 'immediate') {
      void this.shutdown();
      return;
    }
    this.shutdownMode = mode;
    // Like PgBouncer: TCP stops at once; the unix socket stays for the console until the exit.
    void this.listener?.closeTcp();
    if (mode === 'wait_for_servers') {
      this.pauseMode = 'pause';
      void this.until(() => [...this.pools.values()].every((pool) => pool.busyCount === 0)).then(() => {
        if (this.shuttingDown) return;
        logLine('server connections dropped, exiting');
        void this.shutdown();
      });
    } else {
      this.maintainShutdown();
    }
  }

  private maintainShutdown(): void {
    if (this.shutdownMode === 'wait_for_servers') {
      for (const pool of this.pools.values()) {
        for (const client of pool.waiting.splice(0)) client.failWait('server shutting down', '08P01');
      }
    } else if (this.shutdownMode === 'wait_for_clients') {
      // Console sessions count too, as every client does in PgBouncer.
      if (this.clients.size === 0 && this.adminSessions.size === 0) {
        logLine('client connections dropped, exiting');
        void this.shutdown();
      }
    }
  }

  /** True once shutdown() began: nothing new is accepted, not even the console. */
  get stopping(): boolean {
    return this.shuttingDown;
  }

  /** Resolves once `done` (a cheap check over the pools) holds, re-checked when servers change, or the pooler shuts down. */
  private until(done: () => boolean): Promise<void> {
    return this.waiters.until(() => this.shuttingDown || done());
  }

  /** Stops accepting, closes every client and server connection. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.waiters.releaseAll();
    if (this.janitor) clearInterval(this.janitor);
    const closing = this.listener?.close();
    this.authQuery.close();
    this.replicaHealth.close();
    for (const client of [...this.clients]) client.fatal('08P01', 'pooler is shutting down');
    for (const pool of this.pools.values()) pool.closeAll('pooler is shutting down');
    await closing;
    this.markStopped();
  }
}

function keyOf(processId: number, secretKey: number): string {
  return `${processId}:${secretKey}`;
}

/**
 * Answers a connection the pooler will not serve. Like PgBouncer, the error goes out after the
 * client's first packet: sent earlier, the client's startup could meet a closed socket and the
 * client would see a reset instead of the message.
 */
function refuse(socket: net.Socket, message: string): void {
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message }));
    setTimeout(() => socket.destroy(), 2000).unref();
  };
  socket.on('error', () => {});
  const onFirst = (chunk: Buffer) => {
    // libpq asks for TLS first (SSLRequest): decline it, so the error comes with the startup packet
    // and the client shows the message rather than a failed TLS exchange.
    if (chunk.length === 8 && chunk.readInt32BE(4) === SSL_REQUEST_CODE) {
      socket.write('N');
      socket.once('data', send);
      return;
    }
    send();
  };
  socket.once('data', onFirst);
  setTimeout(send, 1000).unref();
}
