// One client connection: startup, authentication, then the forwarding state machine. While linked
// to a server, bytes flow both ways as the received chunks (no per-message copies); only message
// headers are scanned, to count requests that await a ReadyForQuery (Query, Sync, FunctionCall) and
// to see ReadyForQuery's transaction status, which decides when the server goes back to the pool.
import type * as net from 'node:net';
import * as tls from 'node:tls';
import {
  AuthCode, MAX_AUTH_MESSAGE_LENGTH, Msg, MessageReader, MessageScanner, ProtocolError, authentication, errorResponse, greeting, interestIn,
  negotiateProtocolVersion, noticeResponse, parameterStatus, parseErrorFields, parseParameterStatus, parseStartupPacket, sqlstateOf,
  unsupportedProtocolError,
} from './protocol';
import { AuthError, secureRandomInt32, type ScramKeys, type UserSecret } from './auth';
import { Authenticator, type AuthStep, type ExternalIdentity } from './authenticator';
import { rememberDatabase, resolveDatabase, userTimeout, type ClientTlsMode, type DatabaseTarget, type LoginMethod, type PoolMode, type UserTimeoutKey } from './config';
import { isLoginRefusal, type Pool, type PoolClient } from './pool';
import { ServerConnection, ServerLoginError, serverLoginFailure, type ServerLink } from './server';
import { relay, replicationMode } from './replication';
import type { ClientHost } from './pooler';
import { Answer, ClientPrepared, PreparedStatementMisuse, cutOut } from './prepared';
import { logLine } from './log';
import type { ClientTrack } from './hazards';
import { unixPeerUser, unixSocketOf } from './listener';
import { TRACKED_PARAMETERS } from '../../server/analysis/vocabulary';
import { ExtraSettings, StartupParamError, checkSettingNames, lowerCaseNames, startupSettings } from './startup-params';
import { isPeerAdmin } from './admin';
import type { BalancedClientSide, ClientBalance } from './balancedClient';
import { findLoginSecret } from './login-secret';
import { matchHba } from './hba';
import { certificateNames, connectionInfo, type ClientTls } from './tls-settings';

export type ClientState = 'login' | 'idle' | 'waiting' | 'active' | 'closed';

/** Parameters synced onto whichever server a client lands on (PgBouncer's tracked set). */
const TRACKED_PARAMS = TRACKED_PARAMETERS;
/** client_tls_sslmode values under which a TCP client must use TLS. */
const TLS_REQUIRED: readonly ClientTlsMode[] = ['require', 'verify-ca', 'verify-full'];
const TRACKED_BY_LOWER = new Map<string, string>(TRACKED_PARAMS.map((p) => [p.toLowerCase(), p]));
/** TRACKED_PARAMS lower-cased, index for index (startup settings are keyed lower-case). */
const TRACKED_LOWER = TRACKED_PARAMS.map((p) => p.toLowerCase());
const isTrackedLower = (lower: string): boolean => TRACKED_BY_LOWER.has(lower);
/** Startup parameters and settings of a client whose startup packet has not arrived yet. */
const NO_PARAMS: ReadonlyMap<string, string> = new Map();
const AUTHENTICATION_OK = authentication(AuthCode.Ok);
/** The answer to SSLRequest/GSSENCRequest when the pooler will not encrypt (a Buffer: no string encoding per login). */
const DECLINE_ENCRYPTION = Buffer.from('N');
/** Socket errors end in 'close', which closes the client: nothing to do on the error itself. */
const ignoreError = (): void => {};


/** Client→server messages the pooler counts (each gets one ReadyForQuery) or acts on. */
// Query, Parse and Close are reported whole (even when split across reads) for hazard detection
// (hazards.ts); Parse and Close await no ReadyForQuery of their own.
const CLIENT_INTEREST = interestIn([Msg.Sync, Msg.FunctionCall, Msg.Terminate], [], [Msg.Query, Msg.Parse, Msg.Close]);
const STATUS_IDLE = 0x49; // 'I'
const NO_BYTES = Buffer.alloc(0);
/** Bytes a client may queue while waiting for a server before we stop reading from it. */
const MAX_QUEUED_BYTES = 1 << 20;
/**
 * Bytes a client may have buffered before its login completes: room for the largest authentication
 * message PostgreSQL accepts, not more, so unauthenticated clients cost a small bounded amount.
 */
const MAX_LOGIN_BYTES = 2 * MAX_AUTH_MESSAGE_LENGTH;
/**
 * An idle client gets a server connection only once its first message is complete (as PgBouncer
 * does), so a client that sends half a message cannot pin a server. A message larger than this
 * (COPY data, huge Bind) is streamed instead: the server is taken once its header has arrived.
 */
const STREAM_MESSAGE_BYTES = 64 * 1024;

/**
 * True when `total` bytes starting with `head` hold a whole first message, or the header of one too
 * big to buffer. `head` must hold the 5-byte header once `total` ≥ 5.
 */
function firstMessageReady(head: Buffer, total: number): boolean {
  if (total < 5) return false;
  const length = head.readUInt32BE(1);
  return total >= 1 + length || length > STREAM_MESSAGE_BYTES;
}

type LoginPhase =
  | { step: 'startup' }
  | { step: 'lookup' }
  | { step: 'auth'; authenticator: Authenticator }
  | { step: 'verifying' }
  | { step: 'starting' };

export class Client implements PoolClient, ServerLink, BalancedClientSide {
  state: ClientState = 'login';
  user = '';
  database = '';
  /** Tracked parameters as this client believes them to be. */
  readonly params = new Map<string, string>();
  /**
   * Replaced whenever `params` changes; a server carrying the same token needs no sync. Shared by the
   * clients of a pool that greeted with the same settings (Pool.greetings).
   */
  paramsToken: object = {};
  startupParams: ReadonlyMap<string, string> = NO_PARAMS;
  /** Settings from the startup packet (and its `options`), lower-cased name → value. */
  private startupSettings: ReadonlyMap<string, string> = NO_PARAMS;
  /** Startup `replication=`: such a client gets its own server connection, relayed unparsed (replication.ts). */
  private replication: 'true' | 'database' | undefined;
  private replicationServer: ServerConnection | null = null;
  /** Settings beyond the fixed tracked set (track_extra_parameters, startup settings); set at greeting. */
  private extraSettings: ExtraSettings | null = null;
  target: DatabaseTarget | undefined;
  /** The pool of the server this client uses now: its own, or (load balancing) that of another host. */
  pool: Pool | null = null;
  /** The pool of the database and user the client logged in to (where it is counted). */
  homePool: Pool | null = null;
  /** Load balancing (pgpool): the client's requests are routed between hosts; null otherwise. */
  balance: ClientBalance | null = null;
  server: ServerConnection | null = null;
  lastServer: ServerConnection | null = null;
  /** Named prepared statements kept by the pooler (max_prepared_statements > 0), else null. */
  prepared: ClientPrepared | null = null;
  waitStartedAt = 0;
  /** Requests sent that still await their ReadyForQuery. */
  pending = 0;
  /** The pooler's own BackendKeyData for this client (what CancelRequest must quote). */
  readonly processId: number;
  readonly secretKey: number;
  readonly connectedAt: number;
  lastActivityAt: number;
  /** When the current request / transaction started (ms), for query_time / xact_time. */
  private requestStartedAt = 0;
  private xactStartedAt = 0;
  /** When the server last answered ReadyForQuery (idle_transaction_timeout counts from there). */
  private lastReadyAt = 0;
  xactCount = 0;
  queryCount = 0;
  bytesReceived = 0;
  bytesSent = 0;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The accepted TCP/unix socket (under TLS, `socket` wraps it). */
  private readonly acceptedSocket: net.Socket;
  tls = false;
  /** Keys from this client's SCRAM proof when the pooler knows only a verifier (server pass-through). */
  private scramKeys: ScramKeys | undefined;
  /** This client's secret as auth_query returned it (the server login may need it). */
  private lookedUpSecret: UserSecret | undefined;
  /** The hazard monitor's bookkeeping (hazards.ts); declared so the object keeps one shape. */
  hazardTrack: ClientTrack | undefined = undefined;

  private phase: LoginPhase = { step: 'startup' };
  private reader: MessageReader | null = new MessageReader();
  private readonly scanner = new MessageScanner(CLIENT_INTEREST);
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private syncing = false;
  /** Bytes went to the server since its last ReadyForQuery 'I' answered everything. */
  private unsettled = false;
  /** Terminate arrived while requests were still unanswered. */
  private terminating = false;
  /** The client sent Terminate: it reads nothing more from us once our answers are out. */
  private saidGoodbye = false;
  /** The pooler is asking the server about session state before the release (audit.ts). */
  private auditing = false;
  /** The server sent this client a FATAL error (e.g. 57P01 terminate): its close needs no second one. */
  private serverSentFatal = false;
  /** The chunk being scanned (by onData or onServerData) and what its messages decided. */
  private scanning: Buffer = NO_BYTES;
  /** When the client's chunk arrived (request and transaction start times). */
  private scanningAt = 0;
  /** Where a Terminate starts in the client's chunk, -1 if none. */
  private terminateAt = -1;
  /** In the server's chunk: where the transaction's last answer ends (the release), -1 if it does not. */
  private releaseAt = -1;
  /** In the server's chunk: where statement mode refuses a transaction block, -1 if it does not. */
  private refuseAt = -1;
  /** In the server's chunk: [start, end) pairs of answers to cut out (prepared.ts), null if none. */
  private skips: number[] | null = null;

  constructor(
    readonly id: number,
    public socket: net.Socket,
    private readonly host: ClientHost,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.acceptedSocket = socket;
    this.connectedAt = this.lastActivityAt = Date.now();
    this.processId = secureRandomInt32() & 0x7fffffff;
    this.secretKey = secureRandomInt32();
    socket.setNoDelay(true);
    socket.on('data', this.onBytes);
    this.listenTo(socket);
  }

  private readonly onBytes = (chunk: Buffer) => {
    if (this.state === 'closed') return; // bytes still arriving while the socket closes are dropped
    if (this.reader) this.onLoginData(chunk);
    else this.onData(chunk);
  };
  private readonly onDrain = () => this.server?.socket.resume();
  private readonly onClose = () => this.close();

  private listenTo(socket: net.Socket): void {
    socket.on('drain', this.onDrain);
    socket.on('error', ignoreError);
    socket.on('close', this.onClose);
  }

  /**
   * Answers SSLRequest with 'S' and continues the login over TLS. Bytes sent after SSLRequest but
   * before the handshake would be read as if encrypted-channel data (CVE-2021-23222): refused.
   */
  private upgradeToTls(settings: ClientTls & { context: tls.SecureContext }): void {
    if (this.reader!.takeRemaining().length > 0) throw new ProtocolError('received unencrypted data after SSL request');
    const plain = this.socket;
    plain.write('S');
    plain.off('data', this.onBytes);
    plain.off('drain', this.onDrain);
    this.tls = true;
    if (!settings.requestCert) {
      plain.off('close', this.onClose);
      this.useSecure(new tls.TLSSocket(plain, { isServer: true, secureContext: settings.context }));
      return;
    }
    // Only a TLSSocket a tls.Server made checks the client's certificate (sets `authorized`): one
    // unlistening server per such handshake. The plain socket's close still ends the login meanwhile.
    const server = tls.createServer(settings.serverOptions);
    server.once('secureConnection', (secure: tls.TLSSocket) => {
      // A certificate offered where none is required must still verify (libtls's optional verification).
      if (this.state === 'closed' || (!secure.authorized && secure.getPeerX509Certificate())) {
        secure.destroy();
        return;
      }
      plain.off('close', this.onClose);
      this.useSecure(secure);
    });
    server.once('tlsClientError', () => plain.destroy());
    server.emit('connection', plain);
  }

  private useSecure(secure: tls.TLSSocket): void {
    secure.setNoDelay(true);
    this.socket = secure;
    secure.on('data', this.onBytes);
    this.listenTo(secure);
  }

  /** Asked for only by the console (SHOW CLIENTS): a getsockname call per login saved. */
  get localPort(): number {
    return this.acceptedSocket.localPort ?? 0;
  }

  get mode(): PoolMode {
    return this.pool ? this.pool.mode : this.host.config.pool_mode;
  }

  get applicationName(): string {
    return this.params.get('application_name') ?? '';
  }

  // ------------------------------------------------------------------------------------------
  // Login

  private onLoginData(chunk: Buffer): void {
    const reader = this.reader!;
    reader.push(chunk);
    try {
      this.consumeLoginMessages(reader);
    } catch (error) {
      this.rejectLogin(error as Error);
      return;
    }
    if (this.state !== 'login' || this.reader === null || reader.buffered <= MAX_LOGIN_BYTES) return;
    // An authenticated client waiting for its greeting is held back; anyone else is refused.
    if (this.phase.step === 'starting') this.socket.pause();
    else this.rejectLogin(new ProtocolError('too much data sent before the login completed'));
  }

  private consumeLoginMessages(reader: MessageReader): void {
    while (this.reader && this.state === 'login') {
      if (this.phase.step === 'startup') {
        const packet = this.nextStartupOrClose(reader);
        if (!packet) return;
        this.onStartupPacket(packet);
      } else if (this.phase.step === 'auth') {
        const message = reader.next(MAX_AUTH_MESSAGE_LENGTH);
        if (!message) return;
        if (message.type !== Msg.Password) {
          throw new ProtocolError(`expected password response, got message type "${String.fromCharCode(message.type)}"`);
        }
        this.onAuthStep(this.phase.authenticator.answer(message.body));
      } else {
        return; // lookup, verifying, starting: bytes wait in the reader until the greeting is complete
      }
    }
  }

  /**
   * The startup packet once complete. A packet of impossible length — typically a Terminate sent
   * instead of a startup packet by a driver giving up — closes the connection without a word, as
   * PostgreSQL (a COMMERROR, logged only) and PgBouncer do.
   */
  private nextStartupOrClose(reader: MessageReader): Buffer | undefined {
    try {
      return reader.nextStartup();
    } catch {
      this.close();
      return undefined;
    }
  }

  private rejectLogin(error: Error): void {
    const code = error instanceof AuthError || error instanceof ProtocolError ? error.code : '08P01';
    if (this.state === 'closed') return;
    if (error instanceof AuthError && error.logDetail) logLine(`${this.logPrefix()} ${error.logDetail}`);
    this.fatal(code, error.message);
  }

  private onStartupPacket(packet: Buffer): void {
    const startup = parseStartupPacket(packet);
    switch (startup.kind) {
      case 'ssl': {
        const settings = this.host.clientTls;
        if (!this.tls && settings.context) this.upgradeToTls({ ...settings, context: settings.context });
        else this.socket.write(DECLINE_ENCRYPTION); // no client TLS: the client continues in plaintext (or gives up)
        return;
      }
      case 'gssenc':
        this.socket.write(DECLINE_ENCRYPTION); // no GSS: the client continues in plaintext
        return;
      case 'cancel':
        this.host.cancelRequest(startup.processId, startup.secretKey);
        this.close();
        return;
      case 'unsupported':
        this.socket.end(unsupportedProtocolError(startup.major, startup.minor));
        this.close();
        return;
      case 'startup':
        // PgBouncer's refusal of plaintext clients under client_tls_sslmode = require; like PgBouncer (and
        // PostgreSQL), not for the unix socket, where TLS would protect nothing.
        if (TLS_REQUIRED.includes(this.host.config.client_tls_sslmode) && !this.tls && !unixSocketOf(this.socket)) throw new AuthError('SSL required', '08P01');
        this.startupParams = startup.params;
        if (startup.minor > 0) {
          const unknown = [...startup.params.keys()].filter((k) => k.startsWith('_pq_.'));
          this.socket.write(negotiateProtocolVersion(0, unknown));
        }
        this.beginAuth(startup.params);
    }
  }

  private beginAuth(params: ReadonlyMap<string, string>): void {
    this.startupSettings = this.readStartupSettings(params);
    this.replication = replicationMode(params.get('replication'));
    const user = params.get('user');
    if (!user) throw new AuthError('no PostgreSQL user name specified in startup packet', '28000');
    this.user = user;
    this.database = params.get('database') || user;
    if (this.host.config.log_connections) {
      // PgBouncer's line (log_connections is on by default), naming the TLS version and cipher in use.
      const tlsInfo = this.socket instanceof tls.TLSSocket ? connectionInfo(this.socket) : 'no';
      logLine(`${this.logPrefix()} login attempt: db=${this.database} user=${user} tls=${tlsInfo}`);
    }
    const admin = this.host.isAdminDatabase(this.database);
    if (admin && isPeerAdmin(this.socket, user)) return this.onAuthStep({ done: true });
    // An unknown database is refused only after authentication, so it cannot be probed for.
    this.target = admin ? undefined : resolveDatabase(this.host.config, this.database);
    const login = findLoginSecret(this.host, this.database, this.target, user);
    if (!(login instanceof Promise)) {
      this.challenge(login.secret, login.trusted); // the caller's loop reads the answer
      return;
    }
    this.phase = { step: 'lookup' };
    login.then(
      (found) => {
        if (this.state !== 'login') return;
        if (found.lookedUp) this.lookedUpSecret = found.secret;
        try {
          this.challenge(found.secret, found.trusted);
          // A client that did not wait for the request (pipelined its answer) has it in the reader already.
          if (this.reader && this.state === 'login') this.consumeLoginMessages(this.reader);
        } catch (error) {
          this.rejectLogin(error as Error);
        }
      },
      (error: Error) => this.rejectLogin(error),
    );
  }

  /**
   * The configured auth_type, or with auth_type = hba the method of the first auth_hba_file rule that
   * applies (and, for `cert`, the ident map it names).
   */
  private loginMethod(): { method: LoginMethod; map?: string } {
    const config = this.host.config;
    if (config.auth_type !== 'hba') return { method: config.auth_type };
    const rule = matchHba(config.hba.rules, { local: this.remoteAddress === '', tls: this.tls, address: this.remoteAddress, database: this.database, user: this.user });
    if (!rule) throw new AuthError('no authentication method is found', '28000');
    switch (rule.method) {
      case 'trust':
      case 'md5':
      case 'scram-sha-256':
        return { method: rule.method };
      case 'cert':
      case 'peer':
        return { method: rule.method, map: rule.map };
      case 'password':
        return { method: 'plain' };
      case 'reject':
        throw new AuthError('login rejected', '28000');
      default:
        throw new AuthError(`authentication method "${rule.method}" is not supported by PoolSafe`, '28000');
    }
  }

  /** Starts the exchange for the configured auth_type; `secret` undefined = unknown user. */
  private challenge(secret: UserSecret | undefined, trusted: boolean): void {
    const { method, map } = this.loginMethod();
    const identity = method === 'peer' ? this.peerIdentity(map) : method === 'cert' ? this.certificateLogin(map) : undefined;
    const authenticator = new Authenticator(method, this.user, secret, this.host.scramSecrets, trusted, identity);
    this.phase = { step: 'auth', authenticator };
    this.onAuthStep(authenticator.start());
  }

  /** The client certificate as cert authentication sees it (verified in the handshake, see upgradeToTls). */
  private certificateLogin(map: string | undefined): ExternalIdentity {
    const socket = this.socket;
    const verified = socket instanceof tls.TLSSocket && socket.authorized;
    return { names: verified ? (name) => certificateNames(socket, name) : undefined, map: this.identMap(map) };
  }

  /** The unix peer as peer authentication sees it: its OS user, when that can be known (listener.ts). */
  private peerIdentity(map: string | undefined): ExternalIdentity {
    const peer = unixPeerUser(this.socket);
    return { names: peer === undefined ? undefined : (name) => name === peer, map: this.identMap(map) };
  }

  private identMap(map: string | undefined): ExternalIdentity['map'] {
    return map === undefined ? undefined : { name: map, mappings: this.host.config.hba.identMaps.get(map) ?? [] };
  }

  /** Sends the next authentication request, or finishes; a pending verdict holds the client's bytes. */
  private onAuthStep(step: AuthStep | Promise<AuthStep>): void {
    if (step instanceof Promise) {
      const phase = this.phase;
      this.phase = { step: 'verifying' };
      step.then(
        (next) => {
          if (this.state !== 'login') return;
          this.phase = phase;
          try {
            this.onAuthStep(next);
            if (this.reader && this.state === 'login') this.consumeLoginMessages(this.reader);
          } catch (error) {
            this.rejectLogin(error as Error);
          }
        },
        (error: Error) => this.rejectLogin(error),
      );
      return;
    }
    if ('reply' in step) {
      this.socket.write(step.reply);
      return;
    }
    this.scramKeys = step.scramKeys;
    const refusal = this.host.clientLimitRefusal(this.user, this.database);
    if (refusal) return this.fatal('08P01', refusal);
    if (this.host.isAdminDatabase(this.database)) this.handOverToAdmin(step.before);
    else if (!this.target) throw new AuthError(`no such database: ${this.database}`, '3D000');
    else this.finishAuth(step.before);
  }

  /** Authenticated: greet like PostgreSQL (AuthenticationOk, ParameterStatus…, BackendKeyData, RFQ). */
  /**
   * Authenticated: AuthenticationOk, then the greeting once the server defaults are known. `before`
   * (SASLFinal) goes out in the same write, as do the greeting when it can be sent at once.
   */
  private finishAuth(before?: Buffer): void {
    this.phase = { step: 'starting' };
    // A `*` database exists once someone logged in to it; PgBouncer logs its creation.
    if (rememberDatabase(this.host.config, this.target!)) logLine(`registered new auto-database: ${this.target!.name}`);
    const ok = AUTHENTICATION_OK;
    const pool = this.host.getPool(this.target!, this.user, this.scramKeys, this.lookedUpSecret);
    if (this.replication) {
      this.startReplication(pool, before ? [before, ok] : [ok]);
      return;
    }
    this.pool = pool;
    this.homePool = pool;
    this.balance = this.host.balanceFor(this, pool);
    const registry = this.host.preparedStatements;
    if (this.host.config.max_prepared_statements > 0 && pool.mode !== 'session') this.prepared = new ClientPrepared(registry, pool.stats);
    if (pool.template) {
      this.greet(pool, before ? [before, ok] : [ok]);
      return;
    }
    this.socket.write(before ? Buffer.concat([before, ok]) : ok);
    this.waitStartedAt = Date.now();
    this.awaitTemplate(pool);
  }

  /**
   * A replication client: its own server connection (the pool's login, plus `replication=`), greeted
   * with that server's parameters, then relayed. A failed server login ends the client with its error.
   */
  private startReplication(pool: Pool, first: Buffer[]): void {
    this.waitStartedAt = Date.now(); // query_wait_timeout bounds the server login, as for any first login
    ServerConnection.connect(this.host.nextSocketId(), pool.target, this.host.config.server_connect_timeout * 1000, this.replication).then(
      (server) => {
        if (this.state === 'closed') return server.close('client gone');
        this.replicationServer = server;
        this.waitStartedAt = 0;
        const statuses = [...server.params].map(([name, value]) => parameterStatus(name, value));
        this.socket.write(greeting(first, Buffer.concat(statuses), this.processId, this.secretKey));
        this.host.clientLoggedIn(this);
        this.state = 'active';
        const early = this.reader!.takeRemaining();
        this.reader = null;
        this.socket.off('data', this.onBytes);
        this.socket.off('drain', this.onDrain);
        relay(this.socket, server, early, () => this.close());
      },
      (error: Error) => this.fatal(sqlstateOf(error, '08006'), serverLoginFailure(error)),
    );
  }

  /**
   * The greeting needs one server login. A login PostgreSQL refuses ends this client; an unreachable
   * server is tried again every server_login_retry while the client waits (query_wait_timeout and
   * query_timeout bound the wait, see enforceTimeouts), as PgBouncer holds such clients.
   */
  private awaitTemplate(pool: Pool): void {
    pool.ensureTemplate().then(
      () => this.greet(pool, []),
      (error: Error) => {
        if (this.state !== 'login') return;
        if (isLoginRefusal(error)) {
          this.fatal(sqlstateOf(error, '08006'), serverLoginFailure(error));
          return;
        }
        const retry = setTimeout(() => this.state === 'login' && this.awaitTemplate(pool), Math.max(this.host.config.server_login_retry, 0.1) * 1000);
        retry.unref();
      },
    );
  }

  /**
   * Startup parameters become settings applied to every server this client gets (PostgreSQL accepts
   * them at startup; PgBouncer refuses most). A malformed `options` or a name that cannot be a
   * setting is refused as PgBouncer refuses it.
   */
  private readStartupSettings(params: ReadonlyMap<string, string>): Map<string, string> {
    const config = this.host.config;
    const trackedExtra = lowerCaseNames(config.track_extra_parameters);
    try {
      const settings = startupSettings(params, config.ignore_startup_parameters, (name) => TRACKED_BY_LOWER.has(name) || trackedExtra.has(name));
      checkSettingNames(settings);
      return settings;
    } catch (error) {
      if (error instanceof StartupParamError) throw new AuthError(error.message, '08P01');
      throw error;
    }
  }

  private greet(pool: Pool, before: Buffer[]): void {
    if (this.state === 'closed') return;
    this.waitStartedAt = 0;
    const template = pool.template!;
    for (let i = 0; i < TRACKED_PARAMS.length; i++) {
      const name = TRACKED_PARAMS[i];
      this.params.set(name, this.startupSettings.get(TRACKED_LOWER[i]) ?? template.get(name) ?? '');
    }
    this.extraSettings = ExtraSettings.of(this.startupSettings, this.host.config.track_extra_parameters, template, isTrackedLower);
    const statuses = this.greetingStatuses(pool, template);
    // Clients with the same settings share a token: a server one of them left needs no sync for another
    // (before, every hand-over between two clients of one application built and compared the sync SQL).
    this.paramsToken = statuses.paramsToken;
    this.socket.write(greeting(before, statuses.statuses, this.processId, this.secretKey));
    this.host.clientLoggedIn(this);
    this.state = 'idle';
    const early = this.reader!.takeRemaining();
    this.reader = null;
    this.socket.resume(); // paused if it sent much before the greeting
    if (early.length > 0) this.onData(early);
  }

  /** Clients of one application greet alike: the ParameterStatus block is built once per value set. */
  private greetingStatuses(pool: Pool, template: ReadonlyMap<string, string>): { statuses: Buffer; paramsToken: object } {
    let cacheKey = '';
    for (const name of TRACKED_PARAMS) cacheKey += `${this.params.get(name)}\0`;
    if (this.extraSettings) cacheKey += this.extraSettings.key();
    let found = pool.greetings.get(cacheKey);
    if (!found) {
      const parts: Buffer[] = [];
      for (const [name, value] of template) {
        const tracked = TRACKED_BY_LOWER.get(name.toLowerCase());
        parts.push(parameterStatus(name, tracked ? this.params.get(tracked)! : this.extraSettings?.greetingValue(name) ?? value));
      }
      found = { statuses: Buffer.concat(parts), paramsToken: {} };
      if (pool.greetings.size > 100) pool.greetings.clear();
      pool.greetings.set(cacheKey, found);
    }
    return found;
  }

  /** Logged in to the console: the admin side decides access and greets. */
  private handOverToAdmin(before: Buffer | undefined): void {
    const leftover = this.reader!.takeRemaining();
    this.reader = null;
    this.state = 'closed';
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('drain');
    this.host.adminConnection(this.socket, this.startupParams, leftover, this, before);
  }

  // ------------------------------------------------------------------------------------------
  // Forwarding

  private onData(chunk: Buffer): void {
    const now = Date.now();
    this.lastActivityAt = now;
    this.bytesReceived += chunk.length;
    if (this.prepared) {
      try {
        chunk = this.prepared.collect(chunk); // whole messages only: they may be rewritten
      } catch (error) {
        this.fatal('08P01', (error as Error).message);
        return;
      }
      if (chunk.length === 0) return;
    }
    this.scanning = chunk;
    this.scanningAt = now;
    this.terminateAt = -1;
    try {
      this.scanner.scan(chunk, this.onClientMessage);
    } catch (error) {
      this.fatal('08P01', (error as Error).message);
      return;
    } finally {
      this.scanning = NO_BYTES; // no reference kept to the chunk
    }
    const cut = this.terminateAt;
    const data = cut >= 0 ? chunk.subarray(0, cut) : chunk;
    if (data.length > 0) this.deliver(data);
    if (cut < 0) return;
    // Like PostgreSQL, answer what came before Terminate; close once those answers are out.
    if (this.pending > 0) {
      this.terminating = true;
      this.socket.pause();
    } else {
      this.close();
    }
  }

  /** A message of the chunk onData scans (a method reading fields, not a closure made per chunk). */
  private readonly onClientMessage = (type: number, copy: Buffer | null, start: number, end: number): boolean => {
    const hazards = this.host.hazards;
    if (hazards) {
      if (copy) hazards.onClientMessage(this, type, copy, 0, copy.length);
      else hazards.onClientMessage(this, type, this.scanning, start, end);
    }
    if (type === Msg.Parse || type === Msg.Close) return false;
    if (type === Msg.Terminate) {
      this.terminateAt = start < 0 ? 0 : start;
      this.saidGoodbye = true;
      return true;
    }
    if (this.pending++ === 0) this.requestStartedAt = this.scanningAt;
    if (this.xactStartedAt === 0) this.xactStartedAt = this.scanningAt;
    return false;
  };

  private deliver(data: Buffer): void {
    if (this.balance) this.balance.accept(data);
    else this.deliverToServer(data);
  }

  /** Sends `data` to the linked server, or queues it and takes one from the pool. */
  private deliverToServer(data: Buffer): void {
    if (!this.server && this.state === 'idle') {
      if (this.queue.length > 0 || !firstMessageReady(data, data.length)) {
        // Hold the bytes; take a server connection only once the first message is whole.
        this.queue.push(data);
        this.queuedBytes += data.length;
        if (this.queuedBytes > MAX_QUEUED_BYTES) this.socket.pause();
        const head = this.queue[0].length >= 5 || this.queuedBytes < 5 ? this.queue[0] : Buffer.concat(this.queue, this.queuedBytes);
        if (!firstMessageReady(head, this.queuedBytes)) return;
        this.state = 'waiting';
        this.pool!.acquire(this); // assignServer() flushes the queue
        return;
      }
      this.state = 'waiting';
      this.pool!.acquire(this); // usually assigns an idle server synchronously
    }
    const server = this.server;
    if (server && !this.syncing && !this.auditing) {
      this.unsettled = true;
      const bytes = this.forServer(data, server);
      if (bytes && !server.write(bytes)) this.socket.pause();
      return;
    }
    // Waiting for a server or for parameter sync: keep the bytes.
    this.queue.push(data);
    this.queuedBytes += data.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.socket.pause();
  }

  // Load balancing: the balancer (balancedClient.ts) moves this client between per-host servers.

  sendVia(pool: Pool, held: ServerConnection | undefined, data: Buffer): void {
    this.pool = pool;
    if (held) {
      this.server = held;
      held.link = this;
      this.state = 'active';
    }
    this.deliverToServer(data);
  }

  parkServer(): ServerConnection {
    const server = this.server!;
    this.server = null;
    server.link = null;
    this.state = 'idle';
    return server;
  }

  handBackServer(): void {
    this.releaseServer();
  }

  get settling(): boolean {
    return this.auditing;
  }

  assignServer(server: ServerConnection): void {
    if (this.state === 'closed') {
      this.pool!.release(server);
      return;
    }
    const now = Date.now();
    if (this.state === 'waiting' && this.waitStartedAt > 0) this.waitStartedAt = 0;
    this.server = server;
    server.link = this;
    server.lastClientId = this.id;
    server.lastUsedAt = now;
    this.host.hazards?.onAssign(this, server);
    this.state = 'active';
    const sync = server.paramsToken === this.paramsToken ? '' : this.paramSyncSql(server);
    if (!sync) {
      if (server.paramsToken !== this.paramsToken) this.settingsApplied(server);
      this.startOn(server);
      return;
    }
    this.syncing = true;
    server.runInternal(sync, (error) => {
      this.syncing = false;
      if (this.server !== server || server.state === 'closed') return; // onServerClosed handles the client
      if (error) {
        // A setting PostgreSQL refuses (unknown name, bad value) would have failed a direct login.
        this.fatal('22023', `cannot apply this client's settings: ${error}`);
        return;
      }
      this.settingsApplied(server);
      this.startOn(server);
    });
  }

  /** Sends the queued bytes; with load balancing, a replica joining an open transaction begins one first. */
  private startOn(server: ServerConnection): void {
    const setup = this.balance ? this.balance.setupSql(this.pool!) : '';
    if (!setup) {
      this.flushQueue(server);
      this.balance?.pump();
      return;
    }
    this.syncing = true;
    server.runInternal(setup, (error) => {
      this.syncing = false;
      if (this.server !== server || server.state === 'closed') return;
      if (error) {
        this.fatal('08006', `cannot begin the transaction on the replica: ${error}`);
        return;
      }
      this.flushQueue(server);
      this.balance?.pump();
    });
  }

  /** After a sync: `server` carries this client's settings. */
  private settingsApplied(server: ServerConnection): void {
    // The server may not report a SET that leaves the value unchanged: record what we asked for.
    for (const name of TRACKED_PARAMS) server.params.set(name, this.params.get(name)!);
    if (this.extraSettings) this.extraSettings.recordOn(server.params, server.appliedSettings);
    else server.appliedSettings.clear();
    server.paramsToken = this.paramsToken;
  }

  /** SET statements for the tracked parameters where the server differs from this client. */
  private paramSyncSql(server: ServerConnection): string {
    let sql = '';
    for (const name of TRACKED_PARAMS) {
      const wanted = this.params.get(name);
      if (wanted === undefined || server.params.get(name) === wanted) continue;
      sql += `SET ${name} = ${quoteLiteral(wanted)};`;
    }
    if (this.extraSettings) sql += this.extraSettings.syncSql(server.params, server.appliedSettings, quoteLiteral);
    else for (const name of server.appliedSettings) sql += `RESET ${name};`;
    return sql;
  }

  private flushQueue(server: ServerConnection): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.unsettled = true;
    this.queue = [];
    this.queuedBytes = 0;
    let flowing = true;
    if (queue.length === 1) {
      const bytes = this.forServer(queue[0], server);
      if (!bytes) return;
      flowing = server.write(bytes);
    } else {
      server.socket.cork();
      for (const data of queue) {
        const bytes = this.forServer(data, server);
        if (!bytes) break;
        flowing = server.write(bytes);
      }
      server.socket.uncork();
    }
    if (flowing && this.state !== 'closed') this.socket.resume();
  }

  /**
   * The client's bytes as `server` must see them: prepared statement names rewritten (when that is
   * on). Null when the client misused a statement name and was disconnected, as PgBouncer does.
   */
  private forServer(data: Buffer, server: ServerConnection): Buffer | null {
    if (!this.prepared?.enabled) return data;
    try {
      return this.prepared.rewrite(data, server);
    } catch (error) {
      if (!(error instanceof PreparedStatementMisuse)) throw error;
      logLine(`client ${this.id} user="${this.user}" database="${this.database}": ${error.logMessage}`);
      this.fatal('08P01', error.message);
      return null;
    }
  }

  onServerData(chunk: Buffer): void {
    const server = this.server!;
    const prepared = this.prepared;
    if (prepared) chunk = prepared.withHeldServerBytes(chunk);
    this.scanning = chunk;
    this.releaseAt = -1;
    this.refuseAt = -1;
    this.skips = null;
    try {
      server.scanner.scan(chunk, this.onServerMessage);
    } catch (error) {
      server.close(`protocol error: ${(error as Error).message}`);
      return;
    } finally {
      this.scanning = NO_BYTES;
    }
    let { releaseAt, refuseAt } = this;
    const skips = this.skips;
    this.skips = null;
    // A header split across reads waits for the rest, so that swallowed answers are always whole.
    if (prepared && releaseAt < 0 && refuseAt < 0) chunk = prepared.holdServerBytes(chunk, server.scanner.takePartialHeader());
    if (skips) ({ chunk, releaseAt, refuseAt } = cutOut(chunk, skips, releaseAt, refuseAt));
    if (refuseAt >= 0) {
      this.writeToClient(chunk.subarray(0, refuseAt), server);
      server.close('transaction blocks not allowed in statement pooling mode');
      return;
    }
    if (releaseAt < 0) {
      this.writeToClient(chunk, server);
      if (this.terminating && this.pending === 0) this.close();
      this.balance?.pump();
      return;
    }
    this.writeToClient(releaseAt === chunk.length ? chunk : chunk.subarray(0, releaseAt), server);
    this.releaseServer();
    if (releaseAt < chunk.length) server.onStrayData(chunk.subarray(releaseAt));
    if (this.terminating) this.close();
  }

  /**
   * A message of the chunk onServerData scans (a method reading fields, not a closure made per
   * chunk): ReadyForQuery decides the release, answers to the pooler's own Parse/Close are marked to
   * be cut out, ParameterStatus updates the tracked settings.
   */
  private readonly onServerMessage = (type: number, body: Buffer | null, start: number, end: number): boolean => {
    const server = this.server!;
    const pool = this.pool!;
    const hazards = this.host.hazards;
    if (hazards && type !== Msg.ParameterStatus) hazards.onServerMessage(this, server, type, body!);
    // Answers to Parse/Close the pooler injected (prepared.ts) are not the client's to see.
    const prepared = this.prepared;
    if (prepared) {
      const answer = prepared.onServerMessage(type, server);
      if (answer === Answer.Swallow && start >= 0) (this.skips ??= []).push(start, end);
      else if (answer === Answer.AsParseComplete && start >= 0) this.scanning[start] = Msg.ParseComplete;
    }
    if (type === Msg.ReadyForQuery) {
      const status = body![0];
      server.txStatus = status;
      this.balance?.onReady(status);
      const now = Date.now();
      this.lastReadyAt = now;
      if (this.pending > 0 && --this.pending === 0) {
        this.queryCount++;
        pool.stats.query_count++;
        pool.stats.query_time += (now - this.requestStartedAt) * 1000;
      }
      if (status !== STATUS_IDLE) {
        if (pool.mode === 'statement') {
          this.refuseAt = start < 0 ? 0 : start;
          return true;
        }
        return false;
      }
      if (this.xactStartedAt > 0) {
        this.xactCount++;
        pool.stats.xact_count++;
        pool.stats.xact_time += (now - this.xactStartedAt) * 1000;
        this.xactStartedAt = this.pending > 0 ? now : 0;
      }
      if (this.pending === 0) this.unsettled = false;
      if (this.pending === 0 && pool.mode !== 'session') {
        this.releaseAt = end;
        return true;
      }
    } else if (type === Msg.ErrorResponse) {
      this.balance?.onError(body!);
      const severity = parseErrorFields(body!).get('S');
      if (severity === 'FATAL' || severity === 'PANIC') this.serverSentFatal = true;
    } else if (type === Msg.ParameterStatus) {
      const [name, value] = parseParameterStatus(body!);
      server.params.set(name, value);
      const tracked = TRACKED_BY_LOWER.get(name.toLowerCase());
      if (tracked) this.params.set(tracked, value);
      if (tracked || this.extraSettings?.onReported(name, value)) {
        this.paramsToken = {};
        server.paramsToken = this.paramsToken;
      }
    }
    return false;
  };

  private writeToClient(data: Buffer, server: ServerConnection): void {
    if (data.length === 0) return;
    this.bytesSent += data.length;
    this.pool!.stats.bytes_sent += data.length;
    if (!this.socket.write(data)) server.socket.pause();
    // A write that did not complete at once still points into the server's read buffer.
    if (this.socket.writableLength > 0) server.reads.retire();
  }

  onServerDrain(): void {
    this.socket.resume();
  }

  onServerClosed(server: ServerConnection, reason: string): void {
    if (this.server !== server) return;
    this.server = null;
    this.pool?.release(server);
    if (reason === 'transaction blocks not allowed in statement pooling mode') {
      this.fatal('08P01', reason);
    } else if (this.serverSentFatal) {
      this.close(); // the server's own FATAL (57P01…) went through: one error, as without a pooler
    } else {
      this.fatal('08006', `server conn crashed? (${reason})`);
    }
  }

  private releaseServer(): void {
    const server = this.server!;
    const hazards = this.host.hazards;
    const hidden = hazards?.takeAuditReason(this);
    if (!hazards || hidden === undefined) {
      this.unlink(server);
      return;
    }
    // Code the analysis cannot see ran: ask the server what it left before anyone else may get it.
    // The client keeps the connection meanwhile (its next bytes wait), so the pool's choice of the
    // next server is the same as without the question.
    this.auditing = true;
    server.runQuery(hazards.auditQuery(), (rows, error) => {
      this.auditing = false;
      if (error) hazards.auditFailed();
      else hazards.onAudit(this, server, rows, hidden, server);
      if (this.state === 'closed') {
        hazards.onRelease(this, server);
        this.returnServer(server);
        return;
      }
      this.unlink(server);
      if (this.queue.length > 0 && this.state === 'idle') {
        this.state = 'waiting';
        this.pool!.acquire(this);
      }
      this.balance?.pump();
    });
  }

  /** The transaction is over: the server goes back to the pool. */
  private unlink(server: ServerConnection): void {
    this.server = null;
    this.lastServer = server;
    this.state = 'idle';
    this.balance?.releaseHeld();
    this.host.hazards?.onRelease(this, server);
    server.socket.resume();
    this.socket.resume();
    this.returnServer(server);
  }

  /** Back to the pool, after the reset query when every transaction must start clean. */
  private returnServer(server: ServerConnection): void {
    const config = this.host.config;
    if (server.state === 'closed') {
      this.pool!.release(server);
      return;
    }
    if (config.server_reset_query_always && config.server_reset_query) {
      // --reset-between-transactions: the next transaction starts from a clean session, so a fix
      // can be shown not to depend on state a previous transaction left.
      const pool = this.pool!;
      server.runInternal(config.server_reset_query, () => {
        this.host.hazards?.onReset(server);
        this.host.preparedStatements.forgetServer(server);
        server.paramsToken = null;
        pool.release(server);
      });
      return;
    }
    this.pool!.release(server);
  }

  /**
   * The janitor's check (PgBouncer's timeouts, each with its `[users]` override): ends this client
   * when a query, a transaction, an idle transaction or an idle client has run too long. A query
   * still running on the server is cancelled first, so the backend stops working on it.
   */
  enforceTimeouts(now: number): void {
    if (this.state === 'closed') return;
    const config = this.host.config;
    // Clients that do not finish logging in (slow-loris) are dropped here, as PgBouncer's janitor
    // does, rather than by a timer per connection (connection-per-transaction clients paid for one each).
    const loginTimeout = config.client_login_timeout * 1000;
    if (this.state === 'login' && loginTimeout > 0 && now - this.connectedAt > loginTimeout) {
      this.fatal('08P01', 'client_login_timeout');
      return;
    }
    if ((this.state === 'login' && this.phase.step !== 'starting') || this.replicationServer) return; // a stream: no query to time
    const limit = (key: UserTimeoutKey) => userTimeout(config, this.user, key) * 1000;
    const over = (key: UserTimeoutKey, since: number) => limit(key) > 0 && since > 0 && now - since > limit(key);
    const server = this.server;
    const waiting = this.state === 'waiting' || this.state === 'login'; // login: waiting for a first server login
    if (waiting && over('query_timeout', this.waitStartedAt)) {
      this.fatal('08P01', 'query_timeout');
    } else if (this.state === 'login' && config.query_wait_timeout > 0 && now - this.waitStartedAt > config.query_wait_timeout * 1000) {
      this.fatal('08P01', 'query_wait_timeout'); // (waiting clients of a pool: Pool.maintain)
    } else if (server && this.pending > 0 && over('query_timeout', this.requestStartedAt)) {
      this.host.cancelRequest(this.processId, this.secretKey);
      this.fatal('08P01', 'query timeout');
    } else if (server && this.pending === 0 && server.txStatus !== STATUS_IDLE && over('idle_transaction_timeout', this.lastReadyAt)) {
      this.fatal('08P01', 'idle transaction timeout');
    } else if (server && over('transaction_timeout', this.xactStartedAt)) {
      if (this.pending > 0) this.host.cancelRequest(this.processId, this.secretKey);
      this.fatal('08P01', 'transaction timeout');
    } else if (this.pending === 0 && this.xactStartedAt === 0 && over('client_idle_timeout', this.lastActivityAt)) {
      this.fatal('08P01', 'client_idle_timeout');
    }
  }

  serverIsReady(): boolean {
    return this.pending === 0 && !this.unsettled && !this.syncing && this.server?.txStatus === STATUS_IDLE;
  }

  /** Called by the pool when this client waited too long or no server can be reached. */
  failWait(message: string, code: string): void {
    this.fatal(code, message);
  }

  waitNotified = false;

  notifyQueued(message: string): void {
    if (this.socket.writable) this.socket.write(noticeResponse({ severity: 'NOTICE', code: '00000', message }));
  }

  // ------------------------------------------------------------------------------------------
  // Shutdown

  /** PgBouncer's prefix of a client's log lines: `C-id: db/user@address:port`. */
  private logPrefix(): string {
    return `C-${this.id}: ${this.database}/${this.user}@${this.remoteAddress || 'unix'}:${this.remotePort}`;
  }

  /** Ends the client with an error, logged as PgBouncer logs it ("closing because: …" with the client's age). */
  fatal(code: string, message: string, severity: 'FATAL' | 'ERROR' = 'FATAL'): void {
    if (this.state === 'closed') return;
    const age = Math.floor((Date.now() - this.connectedAt) / 1000);
    logLine(`${this.logPrefix()} closing because: ${message} (age=${age}s) [${code}]`);
    if (this.socket.writable) this.socket.end(errorResponse({ severity, code, message }));
    this.close();
  }

  /**
   * Closes the client. Its server goes back to the pool only when clean (no request in flight, no
   * open transaction); otherwise it is closed, never handed on dirty.
   */
  close(): void {
    if (this.state === 'closed') return;
    this.replicationServer?.close('client disconnected');
    const wasWaiting = this.state === 'waiting';
    const loggedIn = this.reader === null;
    this.state = 'closed';
    if (this.saidGoodbye && this.socket.writableLength === 0) {
      // Everything is out and the client said goodbye: close at once, as PgBouncer does (no half-close,
      // no wait for its FIN, no timer per connection-per-transaction client).
      this.socket.destroy();
    } else if (!this.socket.destroyed) {
      if (this.socket.writable) this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    if (wasWaiting) this.pool?.cancelWait(this);
    this.balance?.closeHeld();
    const server = this.server;
    this.server = null;
    // During an audit its answer releases the server.
    if (server && server.state !== 'closed' && !this.auditing) {
      server.link = null;
      server.socket.resume();
      const clean = this.pending === 0 && !this.unsettled && server.txStatus === STATUS_IDLE && !this.syncing && !server.busyWithInternal;
      if (!clean) {
        server.close('client disconnect while server was not ready');
        this.pool!.release(server);
      } else if (this.mode === 'session' || this.host.config.server_reset_query_always) {
        const reset = this.host.config.server_reset_query;
        // The reset changes the server's settings: no client's token may match it afterwards.
        if (reset) server.runInternal(reset, () => (this.host.hazards?.onReset(server), this.host.preparedStatements.forgetServer(server), (server.paramsToken = null), this.pool!.release(server)));
        else this.pool!.release(server);
      } else {
        this.pool!.release(server);
      }
    }
    this.host.clientClosed(this, loggedIn);
  }
}

/**
 * A string literal that reads the same whatever the server's standard_conforming_strings: sync SQL
 * runs as one Query, lexed before its own `SET standard_conforming_strings` applies, so a value with
 * a backslash goes into an escape string (E'…', backslashes doubled), as PostgreSQL's quote_literal does.
 */
function quoteLiteral(value: string): string {
  const quoted = `'${value.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;
  return value.includes('\\') ? `E${quoted}` : quoted;
}
