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
//   pooler.startedAt, pooler.paused, pooler.pause()/resume()/shutdown()/reload(config)
//   pooler.onAdminConnection      set by admin.ts: receives connections to the admin database
//                                 (`pgbouncer` or `poolsafe`) after their startup packet, before
//                                 authentication: (socket, startup params, bytes already read).
//                                 Unset → such connections get FATAL 3D000 like an unknown database.
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { Client } from './client';
import type { DatabaseTarget, PoolerConfig } from './config';
import { ScramSecretCache, type ScramKeys } from './auth';
import { AuthQuery } from './auth-query';
import { Listener } from './listener';
import type { SocketReads } from './reads';
import { Pool, type PoolHost } from './pool';
import { type ServerConnection, sendCancel } from './server';
import { errorResponse } from './protocol';
import { createAdminConnectionHandler, type HazardInfo } from './admin';
import { HazardMonitor } from './hazards';
import { PreparedRegistry } from './prepared';

const STATUS_IDLE = 0x49; // ReadyForQuery 'I'

export const ADMIN_DATABASES = ['pgbouncer', 'poolsafe'];

/** What a client connection needs from the pooler. */
export interface ClientHost {
  readonly config: PoolerConfig;
  readonly scramSecrets: ScramSecretCache;
  getPool(target: DatabaseTarget, user: string, scramKeys?: ScramKeys): Pool;
  /** auth_query lookups for users not in the userlist. */
  readonly authQuery: AuthQuery;
  /** TLS context for clients' SSLRequest; undefined when client TLS is off. */
  clientTlsContext(): tls.SecureContext | undefined;
  cancelRequest(processId: number, secretKey: number): void;
  isAdminDatabase(database: string): boolean;
  adminConnection(socket: net.Socket, params: Map<string, string>, leftover: Buffer, client: Client): void;
  clientLoggedIn(client: Client): void;
  clientClosed(client: Client, loggedIn: boolean): void;
  /** Live hazard detection; null when off (`--hazards off`). */
  readonly hazards: HazardMonitor | null;
  /** Pooler-side named prepared statements (used when max_prepared_statements > 0). */
  readonly preparedStatements: PreparedRegistry;
}

export type AdminConnectionHandler = (socket: net.Socket, params: Map<string, string>, leftover: Buffer) => void;

export class Pooler implements ClientHost, PoolHost {
  readonly pools = new Map<string, Pool>();
  readonly clients = new Set<Client>();
  readonly servers = new Set<ServerConnection>();
  readonly scramSecrets = new ScramSecretCache();
  readonly authQuery = new AuthQuery(() => this.config, () => this.nextServerId());
  private tlsContext: { key: string; cert: string; context: tls.SecureContext } | undefined;
  readonly startedAt = Date.now();
  paused = false;
  onAdminConnection: AdminConnectionHandler | undefined;
  /** Emits 'hazard' (HazardInfo) for each SHOW HAZARDS row as it is recorded. */
  readonly hazards: HazardMonitor | null;
  readonly preparedStatements = new PreparedRegistry(() => this.config.max_prepared_statements);
  private readonly byKey = new Map<string, Client>();
  private listener: Listener | undefined;
  private janitor: NodeJS.Timeout | undefined;
  private lastClientId = 0;
  private lastServerId = 0;
  private shuttingDown = false;

  constructor(public config: PoolerConfig) {
    this.onAdminConnection = createAdminConnectionHandler(this);
    this.hazards = config.hazard_detection ? new HazardMonitor({ tracksPreparedStatements: () => this.config.max_prepared_statements > 0 }) : null;
  }

  /** SHOW HAZARDS rows (admin.ts reads them through this name). */
  hazardRows(): HazardInfo[] {
    return this.hazards ? this.hazards.rows() : [];
  }

  /** Starts listening; resolves with the bound address (port 0 → the real port). */
  async start(): Promise<{ host: string; port: number }> {
    await this.hazards?.init();
    this.clientTlsContext(); // unreadable key/cert files fail the start, not the first TLS client
    this.listener = new Listener((socket, reads) => this.accept(socket, reads));
    const address = await this.listener.listen(this.config.listen_addr, this.config.listen_port);
    this.janitor = setInterval(() => this.maintain(), 250);
    this.janitor.unref();
    return address;
  }

  get address(): { host: string; port: number } | undefined {
    return this.listener?.address;
  }

  private accept(socket: net.Socket, reads?: SocketReads): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.config.max_client_conn) {
      refuse(socket, reads, 'no more connections allowed (max_client_conn)');
      return;
    }
    const client = new Client(++this.lastClientId, socket, this, reads);
    this.clients.add(client);
  }

  getPool(configured: DatabaseTarget, user: string, scramKeys?: ScramKeys): Pool {
    // A database without its own login (ini entry without user=) logs in as the client's user:
    // with its userlist password, else with the keys from its SCRAM proof (pass-through).
    const target = configured.user ? configured : { ...configured, user, password: this.config.users.get(user)?.password, scramKeys };
    const key = `${target.name}\0${user}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(target, user, this.config, this);
      this.pools.set(key, pool);
    } else if (scramKeys && !configured.user) {
      pool.target.scramKeys = scramKeys; // the latest proven keys (the verifier may have changed)
    }
    return pool;
  }

  clientTlsContext(): tls.SecureContext | undefined {
    const { client_tls_sslmode: mode, client_tls_key_file: key, client_tls_cert_file: cert } = this.config;
    if (mode === 'disable' || !key || !cert) return undefined;
    if (this.tlsContext?.key !== key || this.tlsContext.cert !== cert) {
      this.tlsContext = { key, cert, context: tls.createSecureContext({ key: readFileSync(key), cert: readFileSync(cert) }) };
    }
    return this.tlsContext.context;
  }

  nextServerId(): number {
    return ++this.lastServerId;
  }

  serverOpened(server: ServerConnection, pool: Pool): void {
    this.servers.add(server);
    server.onClose = () => {
      this.servers.delete(server);
      this.hazards?.onServerClosed(server);
      pool.forget(server);
    };
  }

  serverClosed(server: ServerConnection): void {
    this.servers.delete(server);
  }

  isAdminDatabase(database: string): boolean {
    return ADMIN_DATABASES.includes(database);
  }

  adminConnection(socket: net.Socket, params: Map<string, string>, leftover: Buffer, client: Client): void {
    this.clients.delete(client);
    if (!this.onAdminConnection) {
      socket.end(errorResponse({ severity: 'FATAL', code: '3D000', message: `no such database: ${params.get('database')}` }));
      return;
    }
    this.onAdminConnection(socket, params, leftover);
  }

  clientLoggedIn(client: Client): void {
    this.byKey.set(keyOf(client.processId, client.secretKey), client);
    if (client.pool) client.pool.clientCount++;
  }

  clientClosed(client: Client, loggedIn: boolean): void {
    this.clients.delete(client);
    if (!loggedIn) return;
    this.byKey.delete(keyOf(client.processId, client.secretKey));
    if (client.pool) client.pool.clientCount--;
  }

  /** Routes a client's CancelRequest to the backend of the server the client holds right now. */
  cancelRequest(processId: number, secretKey: number): void {
    const server = this.byKey.get(keyOf(processId, secretKey))?.server;
    if (!server || server.state === 'closed') return;
    sendCancel(server.target, server.processId, server.secretKey, this.config.server_connect_timeout * 1000).catch(() => {});
  }

  private maintain(): void {
    const now = Date.now();
    for (const pool of this.pools.values()) pool.maintain(now);
    const { client_idle_timeout: clientIdle, idle_transaction_timeout: idleTx } = this.config;
    if (clientIdle <= 0 && idleTx <= 0) return;
    for (const client of this.clients) {
      if (client.pending > 0 || (client.state !== 'idle' && client.state !== 'active')) continue;
      const quiet = now - client.lastActivityAt;
      const inTransaction = client.server !== null && client.server.txStatus !== STATUS_IDLE;
      if (idleTx > 0 && inTransaction && quiet > idleTx * 1000) {
        client.fatal('08P01', 'idle transaction timeout');
      } else if (clientIdle > 0 && quiet > clientIdle * 1000) {
        client.fatal('08P01', 'client_idle_timeout');
      }
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Stops accepting, closes every client and server connection. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.janitor) clearInterval(this.janitor);
    const closing = this.listener?.close();
    this.authQuery.close();
    for (const client of [...this.clients]) client.fatal('08P01', 'pooler is shutting down');
    for (const pool of this.pools.values()) pool.closeAll('pooler is shutting down');
    await closing;
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
function refuse(socket: net.Socket, reads: SocketReads | undefined, message: string): void {
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    socket.end(errorResponse({ severity: 'FATAL', code: '08P01', message }));
    setTimeout(() => socket.destroy(), 2000).unref();
  };
  socket.on('error', () => {});
  if (reads) reads.handler = send;
  else socket.once('data', send);
  setTimeout(send, 1000).unref();
}
