// One connection from the pooler to PostgreSQL: connect (TLS when sslmode asks), startup,
// authentication (SCRAM-SHA-256, md5, cleartext), ParameterStatus and BackendKeyData collection.
// After login its bytes go to whichever client holds it; while idle or running the pooler's own
// queries (parameter sync, reset) the responses are scanned and swallowed here.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import {
  AuthCode, Msg, MessageReader, MessageScanner, ProtocolError, cancelRequest, interestIn, parseErrorFields,
  parseParameterStatus, passwordMessage, query, readCString, saslInitialResponse, saslResponse, sslRequest,
  startupMessage, terminate,
} from './protocol';
import { AuthError, ScramClientSession, SCRAM_MECHANISM, md5Hash, md5Response } from './auth';
import type { DatabaseTarget } from './config';
import { SocketReads } from './reads';
import { parseDataRow } from './sqlConnection';
import { logLine } from './log';
import { ServerCancels } from './cancel';

export type ServerState = 'login' | 'idle' | 'active' | 'closed';

/** Whoever currently holds a server connection receives its bytes and its fate. */
export interface ServerLink {
  onServerData(chunk: Buffer): void;
  onServerDrain(): void;
  onServerClosed(server: ServerConnection, reason: string): void;
  /** No request of the linked side awaits an answer, nor is a transaction open (PgBouncer's `ready`). */
  serverIsReady?(): boolean;
}

/** An error PostgreSQL reported during login (fields from its ErrorResponse). */
export class ServerLoginError extends Error {
  constructor(message: string, readonly code: string, readonly severity = 'FATAL') {
    super(message);
  }
}

/**
 * What a client waiting for a failed server login is told: the server's own error as it came
 * (PgBouncer passes it on), or the pooler's reason prefixed "server login failed:".
 */
export function serverLoginFailure(error: Error): string {
  return error instanceof ServerLoginError ? error.message : `server login failed: ${error.message}`;
}

/** PgBouncer's log line for a failed server login: `server login failed: FATAL <the server's message>`. */
export function logServerLoginFailure(error: Error): void {
  logLine(error instanceof ServerLoginError ? `server login failed: ${error.severity} ${error.message}` : `server login failed: ${error.message}`);
}

/** CommandComplete's tag tells hazard detection a transaction rolled back (hazards.ts). */
const MSG_COMMAND_COMPLETE = 0x43; // C
/** ParseComplete/CloseComplete: answers to statements the pooler prepares itself are dropped (prepared.ts). */
const MSG_PARSE_COMPLETE = 0x31; // 1
const MSG_CLOSE_COMPLETE = 0x33; // 3
/** Server→client messages the pooler looks at: ParameterStatus, ReadyForQuery, ErrorResponse, CommandComplete. */
export const SERVER_INTEREST = interestIn([MSG_PARSE_COMPLETE, MSG_CLOSE_COMPLETE], [Msg.ParameterStatus, Msg.ReadyForQuery, Msg.ErrorResponse, MSG_COMMAND_COMPLETE]);
const STATUS_IDLE = 0x49; // 'I'
const MSG_DATA_ROW = 0x44; // D
/** While the pooler's own query reads rows (runAudit), their bodies too. */
const AUDIT_INTEREST = interestIn([MSG_PARSE_COMPLETE, MSG_CLOSE_COMPLETE], [Msg.ParameterStatus, Msg.ReadyForQuery, Msg.ErrorResponse, MSG_COMMAND_COMPLETE, MSG_DATA_ROW]);


type Socket = net.Socket | tls.TLSSocket;

export class ServerConnection {
  state: ServerState = 'login';
  /** Every parameter the server reported, kept current from ParameterStatus messages. */
  readonly params = new Map<string, string>();
  processId = 0;
  secretKey = 0;
  /** Transaction status from the last ReadyForQuery: 'I', 'T' or 'E' as a byte. */
  txStatus = STATUS_IDLE;
  link: ServerLink | null = null;
  /**
   * Token of the client whose tracked parameters this server carries (see Client.paramsToken);
   * null once they may differ (e.g. after a reset query).
   */
  paramsToken: object | null = null;
  /** Startup settings (lower-cased names) clients' syncs applied here: the next client without them resets them. */
  readonly appliedSettings = new Set<string>();
  /** Id of the client that held it last (for rotate and for the admin console). */
  lastClientId = 0;
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  /** Scanner state is per connection: message boundaries survive hand-overs between clients. */
  readonly scanner = new MessageScanner(SERVER_INTEREST);
  bytesReceived = 0;
  bytesSent = 0;
  tls = false;
  onClose: ((server: ServerConnection, reason: string) => void) | null = null;
  /** CancelRequests its clients forwarded, still on their way (cancel.ts). */
  readonly cancels = new ServerCancels();
  private internal: { done: (error?: string) => void; error?: string; rows?: (string | null)[][] } | null = null;

  private constructor(
    readonly id: number,
    readonly target: DatabaseTarget,
    public socket: Socket,
    readonly reads: SocketReads,
  ) {
    if (!reads.reused) socket.on('data', (chunk: Buffer) => reads.handler(chunk));
  }

  /** Set on a replication connection: a client's own, never pooled (see relayTo). */
  private replication: string | undefined;

  /**
   * A replication connection carries the replication protocol (CopyBoth streams) that the pooler
   * does not parse: from now on its bytes go to `receive` as they arrive (copied: the read buffer
   * is reused), with no message handling of the pooler's own.
   */
  relayTo(receive: (chunk: Buffer) => void): void {
    this.state = 'active';
    this.reads.handler = (chunk) => receive(this.reads.reused ? Buffer.from(chunk) : chunk);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /**
   * Opens and authenticates a connection; rejects with ServerLoginError or a socket error.
   * `replication`: the startup parameter of a replication connection (`true` or `database`).
   */
  static async connect(id: number, target: DatabaseTarget, timeoutMs: number, replication?: string): Promise<ServerConnection> {
    const reads = new SocketReads();
    const socket = await openSocket(target, timeoutMs, reads);
    const server = new ServerConnection(id, target, socket, reads);
    server.replication = replication;
    server.tls = socket instanceof tls.TLSSocket;
    const timer = timeoutMs > 0 ? setTimeout(() => socket.destroy(new Error('server connect timeout')), timeoutMs) : undefined;
    try {
      await server.login();
    } catch (error) {
      socket.destroy();
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
    server.state = 'idle';
    reads.handler = (chunk) => server.onData(chunk);
    socket.on('drain', () => server.link?.onServerDrain());
    socket.on('error', () => {});
    socket.on('close', () => server.closed('server closed the connection'));
    return server;
  }

  private async login(): Promise<void> {
    const socket = this.socket;
    const target = this.target;
    const reader = new MessageReader();
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    const onData = (chunk: Buffer) => {
      reader.push(this.reads.reused ? Buffer.from(chunk) : chunk); // the reader keeps references
      wake?.();
    };
    const onEnd = (error?: Error) => {
      failure ??= error ?? new Error('server closed the connection during login');
      wake?.();
    };
    this.reads.handler = onData;
    socket.on('error', onEnd);
    socket.on('close', () => onEnd());
    const nextMessage = async () => {
      for (;;) {
        const message = reader.next();
        if (message) return message;
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    };
    const params: Record<string, string> = { user: target.user, database: target.dbname };
    if (this.replication !== undefined) params.replication = this.replication;
    socket.write(startupMessage(params));
    let scram: ScramClientSession | null = null;
    try {
      for (;;) {
        const { type, body } = await nextMessage();
        if (type === Msg.Authentication) {
          scram = this.answerAuthentication(body, scram);
        } else if (type === Msg.ErrorResponse) {
          const fields = parseErrorFields(body);
          throw new ServerLoginError(fields.get('M') ?? 'server login failed', fields.get('C') ?? '08006', fields.get('S'));
        } else if (type === Msg.ParameterStatus) {
          const [name, value] = parseParameterStatus(body);
          this.params.set(name, value);
        } else if (type === Msg.BackendKeyData) {
          this.processId = body.readInt32BE(0);
          this.secretKey = body.readInt32BE(4);
        } else if (type === Msg.ReadyForQuery) {
          this.txStatus = body[0];
          break;
        }
        // NoticeResponse and NegotiateProtocolVersion need no answer during login.
      }
      if (target.connect_query) await this.runConnectQuery(target.connect_query, nextMessage);
    } finally {
      this.reads.handler = () => {};
      socket.removeListener('error', onEnd);
      socket.removeAllListeners('close');
    }
    if (reader.takeRemaining().length > 0) throw new ProtocolError('server sent data after ReadyForQuery during login');
  }

  /**
   * PgBouncer's connect_query: runs once on the new connection before any client gets it; its
   * results are dropped, and an error fails the connection (as a failed login would).
   */
  private async runConnectQuery(sql: string, nextMessage: () => Promise<{ type: number; body: Buffer }>): Promise<void> {
    this.socket.write(query(sql));
    let error: ServerLoginError | undefined;
    for (;;) {
      const { type, body } = await nextMessage();
      if (type === Msg.ErrorResponse) {
        const fields = parseErrorFields(body);
        error ??= new ServerLoginError(`connect_query failed: ${fields.get('M') ?? 'error'}`, fields.get('C') ?? '08006', fields.get('S'));
      } else if (type === Msg.ParameterStatus) {
        const [name, value] = parseParameterStatus(body);
        this.params.set(name, value);
      } else if (type === Msg.ReadyForQuery) {
        this.txStatus = body[0];
        if (error) throw error;
        return;
      }
    }
  }

  private answerAuthentication(body: Buffer, scram: ScramClientSession | null): ScramClientSession | null {
    const code = body.readInt32BE(0);
    const password = this.target.password ?? this.target.secret?.password;
    const needPassword = () => {
      if (password === undefined) throw this.noUsableSecret();
      return password;
    };
    switch (code) {
      case AuthCode.Ok:
        return scram;
      case AuthCode.CleartextPassword:
        this.socket.write(passwordMessage(needPassword()));
        return scram;
      case AuthCode.MD5Password: {
        // A stored md5 hash answers an md5 challenge as well as the password would (PgBouncer does the same).
        const stored = password !== undefined ? md5Hash(this.target.user, password) : this.target.secret?.md5;
        if (stored === undefined) throw this.noUsableSecret();
        this.socket.write(passwordMessage(md5Response(stored, body.subarray(4, 8))));
        return scram;
      }
      case AuthCode.SASL: {
        const mechanisms: string[] = [];
        let pos = 4;
        while (pos < body.length && body[pos] !== 0) {
          const [name, next] = readCString(body, pos);
          mechanisms.push(name);
          pos = next;
        }
        if (!mechanisms.includes(SCRAM_MECHANISM)) throw new AuthError(`server offers no supported SASL mechanism (${mechanisms.join(', ')})`, '08P01');
        // Without a password, keys recovered from the client's SCRAM proof answer (pass-through).
        const session = new ScramClientSession(password ?? this.target.scramKeys ?? needPassword());
        this.socket.write(saslInitialResponse(SCRAM_MECHANISM, Buffer.from(session.clientFirst())));
        return session;
      }
      case AuthCode.SASLContinue:
        if (!scram) throw new ProtocolError('unexpected SASLContinue');
        this.socket.write(saslResponse(Buffer.from(scram.handleServerFirst(body.toString('utf8', 4)))));
        return scram;
      case AuthCode.SASLFinal:
        if (!scram) throw new ProtocolError('unexpected SASLFinal');
        scram.verifyServerFinal(body.toString('utf8', 4));
        return scram;
      default:
        throw new AuthError(`unsupported server authentication method (code ${code})`, '08P01');
    }
  }

  /**
   * The server asked for a password form the pooler cannot produce: a stored md5 hash or SCRAM
   * verifier cannot answer a cleartext or SCRAM challenge (PgBouncer's "wrong password type").
   */
  private noUsableSecret(): AuthError {
    const secret = this.target.secret;
    if (secret && (secret.md5 !== undefined || secret.scram)) return new AuthError('wrong password type', '28P01');
    return new AuthError(`no password known for server login as "${this.target.user}"`, '28P01');
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    if (this.internal) this.scanOwn(chunk);
    else if (this.link) this.link.onServerData(chunk);
    else this.scanOwn(chunk);
  }

  /**
   * Runs a query of the pooler's own (SET for parameter sync, reset query) and swallows its
   * responses; `done` gets the first error message, if any. The caller keeps the connection linked.
   */
  runInternal(sql: string, done: (error?: string) => void): void {
    this.internal = { done };
    this.write(query(sql));
  }

  /**
   * Runs a query of the pooler's own and hands over its rows (text cells), or the first error. The
   * scanner reads row bodies only meanwhile: the query starts and ends on message boundaries.
   */
  runQuery(sql: string, done: (rows: (string | null)[][], error?: string) => void): void {
    const rows: (string | null)[][] = [];
    this.scanner.watch(AUDIT_INTEREST);
    this.internal = {
      rows,
      done: (error) => {
        this.scanner.watch(SERVER_INTEREST);
        done(rows, error);
      },
    };
    this.write(query(sql));
  }

  /** Bytes nobody asked for (internal query results, or noise while idle): track state, drop. */
  onStrayData(chunk: Buffer): void {
    this.scanOwn(chunk);
  }

  private scanOwn(chunk: Buffer): void {
    let rest = -1;
    this.scanner.scan(chunk, (type, body, _start, end) => {
      if (type === Msg.ParameterStatus && body) {
        const [name, value] = parseParameterStatus(body);
        this.params.set(name, value);
        this.paramsToken = null;
      } else if (type === Msg.ErrorResponse && body) {
        const fields = parseErrorFields(body);
        if (this.internal) this.internal.error ??= fields.get('M') ?? 'error';
        else if (fields.get('S') === 'FATAL' || fields.get('S') === 'PANIC') this.close(`server error: ${fields.get('M')}`);
      } else if (type === MSG_DATA_ROW && body && this.internal?.rows) {
        this.internal.rows.push(parseDataRow(body));
      } else if (type === Msg.ReadyForQuery && body && this.internal) {
        this.txStatus = body[0];
        const { done, error } = this.internal;
        this.internal = null;
        rest = end;
        done(error);
        return true;
      }
      return false;
    });
    if (rest >= 0 && rest < chunk.length && this.state !== 'closed') this.onData(chunk.subarray(rest));
  }

  get busyWithInternal(): boolean {
    return this.internal !== null;
  }

  write(data: Buffer): boolean {
    this.bytesSent += data.length;
    return this.socket.write(data);
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    if (!this.socket.destroyed && this.socket.writable) this.socket.end(terminate());
    this.socket.destroy();
    this.closed(reason);
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (!this.socket.destroyed) this.socket.destroy();
    this.reads.release();
    const link = this.link;
    this.link = null;
    const internal = this.internal;
    this.internal = null;
    internal?.done(reason);
    link?.onServerClosed(this, reason);
    this.onClose?.(this, reason);
  }
}

function connectTcp(target: DatabaseTarget, timeoutMs: number, reads?: SocketReads): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const onread = reads ? { buffer: reads.next, callback: reads.onRead } : undefined;
    if (reads) reads.reused = true;
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true, onread });
    const timer = timeoutMs > 0 ? setTimeout(() => socket.destroy(new Error('server connect timeout')), timeoutMs) : undefined;
    socket.once('connect', () => {
      if (timer) clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
  });
}

/** TCP connection, upgraded to TLS after SSLRequest when the target's sslmode wants it. */
export async function openSocket(target: DatabaseTarget, timeoutMs: number, reads?: SocketReads): Promise<Socket> {
  const plain = target.sslmode === 'disable' || target.sslmode === 'allow';
  const socket = await connectTcp(target, timeoutMs, plain ? reads : undefined);
  socket.setNoDelay(true);
  if (plain) return socket;
  // A server that accepts the connection but stays silent (overloaded, pre_auth_delay) counts as a connect timeout.
  const timer = timeoutMs > 0 ? setTimeout(() => socket.destroy(new Error('server connect timeout')), timeoutMs) : undefined;
  try {
    return await negotiateTls(socket, target);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** SSLRequest, then the TLS handshake when the server agrees (or plaintext where sslmode allows it). */
async function negotiateTls(socket: net.Socket, target: DatabaseTarget): Promise<Socket> {
  socket.write(sslRequest());
  const answer = await new Promise<number>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => {
      if (chunk.length !== 1) reject(new ProtocolError('unexpected bytes after the SSLRequest answer'));
      else resolve(chunk[0]);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('server closed the connection after SSLRequest')));
  });
  socket.removeAllListeners('error');
  socket.removeAllListeners('close');
  socket.removeAllListeners('data');
  if (answer !== 0x53) {
    if (target.sslmode === 'prefer') return socket;
    socket.destroy();
    throw new ServerLoginError('server does not support SSL, but SSL was required', '08006');
  }
  const verify = target.sslmode === 'verify-ca' || target.sslmode === 'verify-full';
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      ...target.serverTls?.options,
      socket,
      servername: net.isIP(target.host) ? undefined : target.host,
      rejectUnauthorized: verify,
      ca: target.sslrootcert ? readFileSync(target.sslrootcert) : target.serverTls?.options.ca,
      // verify-ca checks the chain only, not the host name
      checkServerIdentity: target.sslmode === 'verify-full' ? tls.checkServerIdentity : () => undefined,
    });
    secure.once('secureConnect', () => {
      secure.removeAllListeners('error');
      secure.setNoDelay(true);
      resolve(secure);
    });
    secure.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`TLS handshake failed: ${handshakeFailure(error)}`)));
  });
}

/**
 * libtls's words for a server certificate that does not verify: Node reports OpenSSL's verify result
 * as the code (SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED…) or a
 * wrong host name as ERR_TLS_CERT_ALTNAME_INVALID.
 */
function handshakeFailure(error: NodeJS.ErrnoException): string {
  const verification = /CERT|ISSUER|SIGNATURE|CHAIN/.test(error.code ?? '');
  return verification ? `certificate verify failed: ${error.message}` : error.message;
}

/**
 * Sends a CancelRequest for (processId, secretKey) on a fresh connection, as libpq does, unless
 * `stillWanted` says no once the connection is open (cancel.ts). Resolves when PostgreSQL has closed
 * it (it signals the backend first); false when nothing was sent.
 */
export async function sendCancel(
  target: DatabaseTarget, processId: number, secretKey: number, timeoutMs: number, stillWanted: () => boolean = () => true,
): Promise<boolean> {
  const socket = await openSocket(target, timeoutMs);
  if (!stillWanted()) {
    socket.destroy();
    return false;
  }
  await new Promise<void>((resolve) => {
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.end(cancelRequest(processId, secretKey));
    setTimeout(() => socket.destroy(), timeoutMs > 0 ? timeoutMs : 5000).unref();
  });
  return true;
}
