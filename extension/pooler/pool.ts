// One pool per (database, user): idle server connections, clients waiting for one, and the rules
// that decide which server a client gets (lifo, round-robin, rotate) and when connections are
// opened and closed (pool_size, min_pool_size, reserve_pool, lifetimes, timeouts).
import type { DatabaseTarget, PoolMode, PoolerConfig } from './config';
import { hostCount, hostTarget, poolModeFor } from './config';
import { ServerConnection, ServerLoginError, logServerLoginFailure, serverLoginFailure } from './server';
import { sqlstateOf } from './protocol';
import { AuthError } from './auth';
import { logLine } from './log';

/** 57P03: the server is starting up or shutting down; a login then is worth retrying. */
const CANNOT_CONNECT_NOW = '57P03';

/**
 * A login the server refused (bad password, missing database) or the pooler could not answer (wrong
 * password type): final for the clients waiting, unlike an unreachable or starting-up server.
 */
export function isLoginRefusal(error: Error): boolean {
  if (error instanceof ServerLoginError) return error.code !== CANNOT_CONNECT_NOW;
  return error instanceof AuthError;
}

/** The side of a client the pool talks to. */
export interface PoolClient {
  readonly id: number;
  /** The server this client held last (rotate avoids it). */
  lastServer: ServerConnection | null;
  /** Date.now() when it started waiting. */
  waitStartedAt: number;
  assignServer(server: ServerConnection): void;
  /** The pool gives up on the client (timeout, no server reachable): send this error and close. */
  failWait(message: string, code: string): void;
  /** Whether this wait was already announced (query_wait_notify); reset when a wait starts. */
  waitNotified: boolean;
  /** Tells the client, without ending its wait, that it is queued (a NOTICE). */
  notifyQueued(message: string): void;
}

/** Counters with PgBouncer's SHOW STATS meanings (times in microseconds). */
export interface PoolStats {
  /** Times a client was given a server connection. */
  server_assignment_count: number;
  xact_count: number;
  query_count: number;
  bytes_received: number;
  bytes_sent: number;
  xact_time: number;
  query_time: number;
  wait_time: number;
  /** Named Parse messages from clients; Parse messages sent to servers; Binds of named statements. */
  client_parse_count: number;
  server_parse_count: number;
  bind_count: number;
}

export function emptyStats(): PoolStats {
  return {
    server_assignment_count: 0, xact_count: 0, query_count: 0, bytes_received: 0, bytes_sent: 0, xact_time: 0, query_time: 0, wait_time: 0,
    client_parse_count: 0, server_parse_count: 0, bind_count: 0,
  };
}

/** Services the pooler gives a pool: ids, a registry of all server connections, the pause state. */
export interface PoolHost {
  nextSocketId(): number;
  serverOpened(server: ServerConnection, pool: Pool): void;
  /** A query of the pooler's own to run on a new server connection before any client gets it, if any. */
  firstQuery(pool: Pool): { sql: string; done: (rows: (string | null)[][], error?: string) => void } | undefined;
  serverClosed(server: ServerConnection): void;
  /** PAUSE/SUSPEND/KILL in force for this pool's database: hand out no server. */
  isPoolPaused(pool: Pool): boolean;
  /** PAUSE (not SUSPEND): servers are disconnected as they are released, as PgBouncer does. */
  closesServersWhilePaused(pool: Pool): boolean;
  /** max_db_connections / max_user_connections allow one more server; `evict` frees room elsewhere when not. */
  hasServerRoom(pool: Pool, evict: boolean): boolean;
  /** SHUTDOWN WAIT_FOR_SERVERS: a client that would start waiting for a server is closed instead. */
  readonly closesNewWaiters: boolean;
  /** A server was released or is gone: what PAUSE, WAIT_CLOSE and SHUTDOWN wait for may hold now. */
  serversChanged(): void;
}

export class Pool {
  /** Idle servers in release order: the last element was released most recently. */
  readonly idle: ServerConnection[] = [];
  readonly active = new Set<ServerConnection>();
  readonly waiting: PoolClient[] = [];
  connecting = 0;
  /** Parameters a fresh server reports (clients are told these at login unless they set their own). */
  template: Map<string, string> | undefined;
  /** Greeting ParameterStatus blocks by the client's tracked values (see Client.greet). */
  readonly greetings = new Map<string, { statuses: Buffer; paramsToken: object }>();
  readonly stats = emptyStats();
  /** Clients logged in to this pool (maintained by the pooler, for SHOW POOLS). */
  clientCount = 0;
  /**
   * Servers with ids up to this one are to close once released (PgBouncer's close_needed, set by
   * RECONNECT and by a RELOAD that changes the database's connection settings). Ids only grow.
   */
  private closeNeededUpTo = 0;
  private templatePromise: Promise<void> | undefined;
  private lastLaunchError: Error | undefined;
  private lastLaunchFailedAt = 0;
  /** load_balance = round-robin: the host the next new server connection goes to. */
  private nextHost = 0;

  constructor(
    /** Replaced by a RELOAD that changes the database's connection settings. */
    public target: DatabaseTarget,
    readonly user: string,
    private readonly config: PoolerConfig,
    private readonly host: PoolHost,
    /** load_balance = pgpool: which host this pool's servers are on (0 = the primary, n = replica n). */
    readonly hostIndex = 0,
  ) {}

  /** Where the next server connection goes: this pool's host, or (round-robin) each host in turn, as PgBouncer's load_balance_hosts. */
  private launchTarget(): DatabaseTarget {
    if (this.config.load_balance !== 'round-robin') return hostTarget(this.target, this.hostIndex);
    const index = this.nextHost % hostCount(this.target);
    this.nextHost = index + 1;
    return hostTarget(this.target, index);
  }

  get mode(): PoolMode {
    return poolModeFor(this.config, this.target, this.user);
  }

  /** PgBouncer's order for sizes: the user's `[users]` entry, then the database's, then the global. */
  get poolSize(): number {
    return this.config.user_overrides.get(this.user)?.pool_size ?? this.target.pool_size ?? this.config.default_pool_size;
  }

  get minPoolSize(): number {
    return this.target.min_pool_size ?? this.config.min_pool_size;
  }

  get reservePool(): number {
    return this.config.user_overrides.get(this.user)?.reserve_pool_size ?? this.target.reserve_pool ?? this.config.reserve_pool_size;
  }

  /**
   * PgBouncer's rule: a server at least server_lifetime old is closed once released, so 0 means "use
   * once" (a server that has not served anyone yet waits for its client). The database's own
   * server_lifetime (PgBouncer ≥ 1.21; 0 there means "the global one") comes first.
   */
  private outlived(server: ServerConnection, now: number): boolean {
    const lifetime = this.target.server_lifetime || this.config.server_lifetime;
    if (lifetime === 0 && server.lastClientId === 0) return false;
    return now - server.createdAt >= lifetime * 1000;
  }

  /** `database/user` as PgBouncer's log lines name a pool. */
  get label(): string {
    return `${this.target.name}/${this.user}`;
  }

  get serverCount(): number {
    return this.idle.length + this.active.size + this.connecting;
  }

  /** Gives `client` a server now, or queues it (opening a connection when the pool has room). */
  acquire(client: PoolClient): void {
    const server = this.host.isPoolPaused(this) ? undefined : this.pickIdle(client);
    if (server) {
      this.give(server, client);
      return;
    }
    const failing = this.failingLogin(Date.now());
    if (failing) {
      // PgBouncer's fast fail: while logins fail and server_login_retry has not passed, a client
      // gets the cached error at once instead of a new attempt at the server.
      client.failWait(failing.message, failing.code);
      return;
    }
    if (this.host.closesNewWaiters) {
      client.failWait('server shutting down', '08P01'); // PgBouncer's pause_client during SHUTDOWN WAIT_FOR_SERVERS
      return;
    }
    client.waitStartedAt = Date.now();
    client.waitNotified = false;
    this.waiting.push(client);
    this.launchIfNeeded(false);
  }

  /**
   * The last login error while it still stands: no usable server, and server_login_retry not yet
   * over. Only refusals by the server itself count (bad password, missing database…); clients of an
   * unreachable or starting-up server wait for the retry instead.
   */
  private failingLogin(now: number): ServerLoginError | undefined {
    const error = this.lastLaunchError;
    if (!error || !isLoginRefusal(error) || this.usableServerCount > 0) return undefined;
    if (now - this.lastLaunchFailedAt >= this.config.server_login_retry * 1000) return undefined;
    const severity = error instanceof ServerLoginError ? error.severity : 'FATAL';
    return new ServerLoginError(`server login has been failing, cached error: ${serverLoginFailure(error)} (server_login_retry)`, sqlstateOf(error, '08006'), severity);
  }

  /** Servers open or opening that RECONNECT/RELOAD did not mark for closing. */
  private get usableServerCount(): number {
    let count = this.connecting;
    for (const server of [...this.idle, ...this.active]) if (!this.isCloseNeeded(server)) count++;
    return count;
  }

  cancelWait(client: PoolClient): void {
    const index = this.waiting.indexOf(client);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  private pickIdle(client: PoolClient): ServerConnection | undefined {
    const idle = this.idle;
    if (idle.length === 0) return undefined;
    switch (this.config.server_policy) {
      case 'lifo':
        return idle.pop();
      case 'round-robin':
        return idle.shift();
      case 'rotate': {
        for (let i = idle.length - 1; i >= 0; i--) {
          if (idle[i] !== client.lastServer) return idle.splice(i, 1)[0];
        }
        // Only the client's previous server is idle: open another one while the pool has room, so
        // session state left behind shows up on the very next transaction.
        if (this.serverCount < this.poolSize) return undefined;
        return idle.pop();
      }
    }
  }

  private give(server: ServerConnection, client: PoolClient): void {
    server.state = 'active';
    this.active.add(server);
    if (this.needsCheck(server)) {
      this.checkThenGive(server, client);
      return;
    }
    this.stats.server_assignment_count++;
    client.assignServer(server);
  }

  /** Takes every idle server for the pooler's own use (AUDIT); each comes back through release(). */
  checkOutIdle(): ServerConnection[] {
    const taken = this.idle.splice(0, this.idle.length);
    for (const server of taken) {
      server.state = 'active';
      this.active.add(server);
    }
    return taken;
  }

  /**
   * PgBouncer's server_check_query: a server that has served before and sat unused for at least
   * server_check_delay is checked before a client gets it (a connection a network failure or a
   * terminated backend left dead is found then, not by the client's query).
   */
  private needsCheck(server: ServerConnection): boolean {
    const { server_check_query: query, server_check_delay: delay } = this.config;
    return query !== '' && server.lastClientId !== 0 && Date.now() - server.lastUsedAt >= delay * 1000;
  }

  private checkThenGive(server: ServerConnection, client: PoolClient): void {
    const query = this.config.server_check_query === '<empty>' ? '' : this.config.server_check_query;
    server.runInternal(query, (error) => {
      if (!error && server.state !== 'closed') {
        this.stats.server_assignment_count++;
        client.assignServer(server);
        return;
      }
      server.close(`server check query failed: ${error ?? 'closed'}`);
      this.active.delete(server);
      // The client goes back to the head of the queue: the next idle server, or a new one.
      client.waitStartedAt ||= Date.now();
      this.waiting.unshift(client);
      this.handIdleToWaiting();
      this.launchIfNeeded(false);
    });
  }

  /** A client is done with `server`: hand it to the next waiting client or park it idle. */
  release(server: ServerConnection): void {
    this.settle(server);
    this.host.serversChanged();
  }

  private settle(server: ServerConnection): void {
    if (server.state !== 'closed' && !server.cancels.none && server.cancels.holdRelease(() => this.release(server))) {
      server.link = null; // being canceled: stays out of reach until its sent cancels are done
      return;
    }
    this.active.delete(server);
    if (server.state === 'closed') return;
    server.link = null;
    const now = Date.now();
    server.lastUsedAt = now;
    const closeReason = this.closeReasonOnRelease(server, now);
    if (closeReason) {
      this.closeLogged(server, closeReason);
      return;
    }
    const next = this.host.isPoolPaused(this) ? undefined : this.nextWaiting(server);
    if (next) {
      this.stats.wait_time += (now - next.waitStartedAt) * 1000;
      this.give(server, next);
      return;
    }
    server.state = 'idle';
    this.idle.push(server);
  }

  /**
   * The waiting client to give `server`. Under rotate, not a client that just left it while another
   * connection is on its way (the server was busy with the pooler's own query, e.g. an audit).
   */
  private nextWaiting(server: ServerConnection): PoolClient | undefined {
    if (this.config.server_policy !== 'rotate' || this.waiting.length === 0) return this.waiting.shift();
    const index = this.waiting.findIndex((client) => client.lastServer !== server);
    if (index >= 0) return this.waiting.splice(index, 1)[0];
    return this.connecting > 0 ? undefined : this.waiting.shift();
  }

  /** Why a released server must not be reused, if it must not. */
  private closeReasonOnRelease(server: ServerConnection, now: number): string | undefined {
    if (this.isCloseNeeded(server)) return 'database configuration changed';
    if (this.host.closesServersWhilePaused(this)) return 'pause mode';
    if (this.outlived(server, now)) return 'server lifetime over';
    return undefined;
  }

  /** RECONNECT: every server open or opening now closes as soon as it is released. */
  markCloseNeeded(lastServerId: number): void {
    this.closeNeededUpTo = lastServerId;
    this.lastLaunchError = undefined; // new settings (or a RECONNECT) deserve a new login attempt now
    for (const server of [...this.idle]) this.closeLogged(server, 'database configuration changed');
  }

  /** Closes a server with PgBouncer's log line (`S-id: db/user@host:port closing because: … (age=…s)`). */
  private closeLogged(server: ServerConnection, reason: string): void {
    const age = Math.floor((Date.now() - server.createdAt) / 1000);
    logLine(`S-${server.id}: ${this.label}@${this.target.host}:${this.target.port} closing because: ${reason} (age=${age}s)`);
    server.close(reason);
  }

  isCloseNeeded(server: ServerConnection): boolean {
    return server.id <= this.closeNeededUpTo;
  }

  /**
   * server_fast_close: a server RECONNECT/RELOAD marked is closed as soon as its session-mode client
   * is between transactions, instead of when the client leaves (the client is disconnected with it).
   */
  private fastClose(): void {
    for (const server of [...this.active]) {
      if (!this.isCloseNeeded(server) || !server.link?.serverIsReady?.()) continue;
      this.closeLogged(server, 'database configuration changed');
    }
  }

  /** Servers still open that RECONNECT/RELOAD asked to close (what WAIT_CLOSE waits for). */
  get closeNeededCount(): number {
    let count = 0;
    for (const server of [...this.idle, ...this.active]) if (this.isCloseNeeded(server)) count++;
    return count;
  }

  /** RESUME: clients held while paused get idle servers, then new connections. */
  wake(): void {
    this.handIdleToWaiting();
    this.launchIfNeeded(false);
  }

  private handIdleToWaiting(): void {
    if (this.host.isPoolPaused(this)) return;
    while (this.waiting.length > 0 && this.idle.length > 0) {
      const client = this.waiting.shift()!;
      this.stats.wait_time += (Date.now() - client.waitStartedAt) * 1000;
      this.give(this.idle.pop()!, client);
    }
  }

  /** Called by the pooler when a server connection of this pool is gone. */
  forget(server: ServerConnection): void {
    this.active.delete(server);
    const index = this.idle.indexOf(server);
    if (index >= 0) this.idle.splice(index, 1);
    if (this.waiting.length > 0) this.launchIfNeeded(false);
    this.host.serversChanged();
  }

  /** Opens connections for waiting clients up to pool_size (+ reserve_pool when allowed). */
  private launchIfNeeded(useReserve: boolean): void {
    if (this.host.isPoolPaused(this) || !this.retryDue(Date.now())) return;
    const limit = this.poolSize + (useReserve ? this.reservePool : 0);
    while (this.serverCount < limit && this.connecting < this.waiting.length && this.host.hasServerRoom(this, true)) {
      if (this.serverCount >= this.poolSize) logLine(`${this.label}: taking connection from reserve_pool`);
      this.launch().catch(() => {});
    }
  }

  /** After a failed connection attempt, the next one waits server_login_retry (PgBouncer's rule). */
  private retryDue(now: number): boolean {
    return !this.lastLaunchError || now - this.lastLaunchFailedAt >= this.config.server_login_retry * 1000;
  }

  /**
   * Opens one server connection; on success it joins the pool as if just released. A failure is
   * logged as PgBouncer logs it unless `quiet` (the CLI's start-up check words its own).
   */
  launch(quiet = false): Promise<void> {
    this.connecting++;
    const id = this.host.nextSocketId();
    return ServerConnection.connect(id, this.launchTarget(), this.config.server_connect_timeout * 1000).then(
      (server) => {
        this.lastLaunchError = undefined;
        logLine(`${this.label}@${this.target.host}:${this.target.port}: new connection to server (from ${server.socket.localAddress}:${server.localPort})`);
        this.template ??= new Map(server.params);
        const first = this.host.firstQuery(this);
        if (!first) {
          this.join(server);
          return;
        }
        // Still counted as connecting meanwhile: a waiting client must not make the pool open another.
        server.runQuery(first.sql, (rows, error) => {
          first.done(rows, error);
          this.join(server);
        });
      },
      (error: Error) => {
        this.connecting--;
        this.lastLaunchError = error;
        this.lastLaunchFailedAt = Date.now();
        if (!quiet && isLoginRefusal(error)) {
          logServerLoginFailure(error);
          logLine(`S-${id}: ${this.label}@${this.target.host}:${this.target.port} closing because: ${serverLoginFailure(error)} (age=0s)`);
        } else if (!quiet) {
          logLine(`${this.label}@${this.target.host}:${this.target.port}: closing because: ${connectFailure(error)}`);
        }
        this.launchFailed(error);
        throw error;
      },
    );
  }

  /** A new server connection, logged in (and through the pooler's first query), joins the pool. */
  private join(server: ServerConnection): void {
    this.connecting--;
    if (server.state === 'closed') {
      this.launchIfNeeded(false);
      return;
    }
    server.state = 'active';
    this.active.add(server);
    this.host.serverOpened(server, this);
    this.release(server);
  }

  /**
   * A login PostgreSQL refused (wrong password, missing database) is reported to waiting clients at
   * once when no server is left, as PgBouncer does; an unreachable server is retried instead.
   */
  private launchFailed(error: Error): void {
    // rotate may have queued a client only to avoid its previous server: take that one after all.
    this.handIdleToWaiting();
    // An unreachable server: clients keep waiting (query_wait_timeout, query_timeout) while the
    // janitor retries after server_login_retry, as in PgBouncer. A login PostgreSQL refused is final.
    // Servers RECONNECT marked for closing will not serve the waiting clients (PgBouncer's rule too).
    if (this.usableServerCount > 0 || !isLoginRefusal(error)) return;
    const code = sqlstateOf(error, '08006');
    const waiting = this.waiting.splice(0);
    for (const client of waiting) client.failWait(serverLoginFailure(error), code);
  }

  /** Resolves once the server's default parameters are known (one login, needed to greet clients). */
  ensureTemplate(quiet = false): Promise<void> {
    if (this.template) return Promise.resolve();
    const failing = this.failingLogin(Date.now());
    if (failing) return Promise.reject(failing);
    if (!this.templatePromise && !this.retryDue(Date.now())) return Promise.reject(this.lastLaunchError);
    this.templatePromise ??= this.launch(quiet).finally(() => {
      this.templatePromise = undefined;
    });
    return this.templatePromise;
  }

  get launchError(): Error | undefined {
    return this.lastLaunchError;
  }

  /** Periodic upkeep: timeouts, idle and lifetime limits, min_pool_size, reserve pool. */
  maintain(now: number): void {
    const config = this.config;
    if (config.query_wait_timeout > 0) {
      const limit = config.query_wait_timeout * 1000;
      while (this.waiting.length > 0 && now - this.waiting[0].waitStartedAt >= limit) {
        this.waiting.shift()!.failWait('query_wait_timeout', '08P01');
      }
    }
    if (config.query_wait_notify > 0) this.notifyLongWaits(now, config.query_wait_notify * 1000);
    if (config.server_fast_close) this.fastClose();
    const pausing = this.host.closesServersWhilePaused(this);
    for (const server of [...this.idle]) {
      if (pausing || this.isCloseNeeded(server)) {
        this.closeLogged(server, pausing ? 'pause mode' : 'database configuration changed');
        continue;
      }
      const idleTooLong = config.server_idle_timeout > 0 && now - server.lastUsedAt > config.server_idle_timeout * 1000;
      const tooOld = this.outlived(server, now);
      if ((idleTooLong && this.serverCount > this.minPoolSize) || tooOld) server.close(tooOld ? 'server lifetime over' : 'server idle timeout');
    }
    // A lowered pool size (SET, RELOAD) takes effect at once, as PgBouncer's janitor does it.
    const excess = this.serverCount - (this.poolSize + this.reservePool);
    for (const server of this.idle.slice(0, Math.max(excess, 0))) server.close('too many servers in the pool');
    // After a failed connection, min_pool_size tries again only after server_login_retry.
    const retryDue = this.retryDue(now);
    if (this.minPoolSize > 0 && retryDue && !this.host.isPoolPaused(this) && this.connecting === 0 && !this.template) {
      this.ensureTemplate().catch(() => {}); // a forced-user database's pool fills before any client comes
    }
    if (this.template && retryDue && !this.host.isPoolPaused(this)) {
      while (this.serverCount < Math.min(this.minPoolSize, this.poolSize) && this.host.hasServerRoom(this, false)) this.launch().catch(() => {});
    }
    if (this.waiting.length > 0) {
      const useReserve = this.reservePool > 0 && now - this.waiting[0].waitStartedAt >= config.reserve_pool_timeout * 1000;
      this.launchIfNeeded(useReserve);
    }
  }

  /** PgBouncer's query_wait_notify: a client waiting longer than that is told once per wait. */
  private notifyLongWaits(now: number, after: number): void {
    for (const client of this.waiting) {
      if (client.waitNotified || now - client.waitStartedAt <= after) continue;
      client.waitNotified = true;
      client.notifyQueued(`No server connection available in ${this.target.name} backend, client being queued`);
    }
  }

  /** Servers released by their client but held until cancels sent for them are done (cancel.ts). */
  get beingCanceledCount(): number {
    let count = 0;
    for (const server of this.active) if (server.cancels.beingCanceled) count++;
    return count;
  }

  /** Servers handed to clients right now (PAUSE waits until there are none). */
  get busyCount(): number {
    return this.active.size;
  }

  /** Closes every server connection (shutdown). */
  closeAll(reason: string): void {
    for (const server of [...this.idle, ...this.active]) server.close(reason);
  }
}

/** PgBouncer's reasons for a server it could not reach (a refused login is logged by logServerLoginFailure). */
function connectFailure(error: Error): string {
  return error.message === 'server connect timeout' ? 'connect timeout' : `connect failed (${error.message})`;
}
