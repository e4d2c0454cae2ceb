// One client's requests under `--load-balance pgpool`: cut into requests (a Query; extended-protocol
// messages up to Sync; a FunctionCall), each routed by PgpoolRouter to a host and sent over the
// client's server connection for that host, one request at a time so answers reach the client in
// order. As in Pgpool-II a client keeps a separate server connection per host: inside a transaction
// the ones it used stay held (the replica's read-only transaction is begun lazily, before the first
// read sent there, and rolled back when the client's transaction ends); outside one each goes back
// to its (database, user, host) pool after every transaction, as transaction pooling wants.
import { Msg, MessageReader, parseErrorFields, readCString } from './protocol';
import type { Pool } from './pool';
import type { ServerConnection } from './server';
import type { DatabaseTarget, PoolerConfig } from './config';
import { hostWeights } from './config';
import { PgpoolRouter, functionWrites, type HostView, type Route } from './balancer';
import { classifyStatement, type StatementClass } from './statementClass';
import { changesFunctions, type FunctionVolatility } from './functionVolatility';
import type { ReplicaHealth } from './replicaHealth';
import type { BalanceHazards } from './balanceHazards';
import type { HazardClient } from './hazards';

const STATUS_IDLE = 0x49; // 'I'
const COPY_MESSAGES = new Set([0x64, 0x63, 0x66]); // CopyData, CopyDone, CopyFail
const MSG_BIND = 0x42; // B
const EXTENDED_MESSAGES = new Set([Msg.Parse, MSG_BIND, 0x44 /* Describe */, 0x45 /* Execute */, 0x43 /* Close */]);
const MSG_FLUSH = 0x48; // H
/** Statement texts kept per client for extended-protocol Binds without a Parse. */
const MAX_STATEMENT_NAMES = 1000;

/** What the pooler gives a balanced client. */
export interface BalanceServices {
  readonly config: PoolerConfig;
  /** The pool of (database, user, host `index`); index 0 is the client's own pool. */
  hostPool(home: Pool, index: number): Pool;
  readonly replicaHealth: ReplicaHealth;
  readonly volatility: FunctionVolatility;
  readonly balanceHazards: BalanceHazards | null;
}

/** The client side the balancer moves between server connections. */
export interface BalancedClientSide extends HazardClient {
  readonly server: ServerConnection | null;
  readonly pool: Pool | null;
  /** Sends `data` over `pool`'s server: the linked one, `held` (linked again), or a new one from the pool. */
  sendVia(pool: Pool, held: ServerConnection | undefined, data: Buffer): void;
  /** Unlinks the linked server without releasing it: its transaction goes on. */
  parkServer(): ServerConnection;
  /** Gives the linked server back to its pool (no transaction open on it); it may stay linked a while (settling). */
  handBackServer(): void;
  /** The linked server is still answering a question of the pooler's own (the hazard audit): wait. */
  readonly settling: boolean;
  fatal(code: string, message: string): void;
}

interface Request {
  messages: Buffer[];
  /** The SQL that decides the route (the Query text, the batch's first Parse or the statement a Bind names). */
  text: string;
  /** Ends with Sync/Query/FunctionCall: answered by one ReadyForQuery. False: ended by Flush, the rest follows. */
  final: boolean;
  /** Goes where the previous request went (the rest of a batch after a Flush; COPY data). */
  pinned: boolean;
}

interface InFlight {
  route: Route;
  text: string;
  wasInTransaction: boolean;
  failed: boolean;
  /** Waiting for the rest of a batch (sent up to a Flush). */
  partial: boolean;
  /** A read on a replica of a table this client wrote: the replica's replay position as it was sent. */
  replayed?: Promise<bigint | undefined>;
}

export class ClientBalance {
  private readonly reader = new MessageReader();
  private readonly requests: Request[] = [];
  private open: Request | null = null;
  private inflight: InFlight | null = null;
  /** Servers this client holds inside its transaction besides the linked one, by host. */
  private readonly held = new Map<number, ServerConnection>();
  private status = STATUS_IDLE;
  private beginText = 'BEGIN';
  private lookingUp = false;
  private readonly router: PgpoolRouter;
  private readonly primary: DatabaseTarget;
  private readonly statementTexts = new Map<string, string>();
  /** The last batch pushed ended with Flush: what follows up to Sync goes to the same server. */
  private afterFlush = false;
  /** This client's pool per host index (pools are never removed): no key string built per request. */
  private readonly pools: Pool[] = [];

  constructor(
    private readonly client: BalancedClientSide,
    private readonly home: Pool,
    private readonly services: BalanceServices,
  ) {
    this.primary = home.target;
    const hosts: HostView = {
      weights: hostWeights(home.target),
      usable: (index) => services.replicaHealth.usable(this.home.target, index),
    };
    this.router = new PgpoolRouter(() => services.config, hosts);
    services.balanceHazards?.attach(client as never, home.target);
  }

  /** The session's load-balance node (0 = primary). */
  get loadBalanceNode(): number {
    return this.router.loadBalanceNode;
  }

  /** Bytes from the client (whole or partial messages, Terminate already cut off). */
  accept(data: Buffer): void {
    this.reader.push(data);
    for (let message = this.reader.next(); message; message = this.reader.next()) this.collect(message.type, message.body);
    this.pump();
  }

  private collect(type: number, body: Buffer): void {
    const bytes = frame(body);
    if (type === Msg.Query) {
      this.requests.push({ messages: [bytes], text: readCString(body, 0)[0], final: true, pinned: false });
    } else if (type === Msg.FunctionCall) {
      this.requests.push({ messages: [bytes], text: '', final: true, pinned: false });
    } else if (COPY_MESSAGES.has(type)) {
      this.requests.push({ messages: [bytes], text: '', final: false, pinned: true });
    } else if (EXTENDED_MESSAGES.has(type) || type === Msg.Sync || type === MSG_FLUSH) {
      const open = (this.open ??= { messages: [], text: '', final: false, pinned: this.afterFlush });
      open.messages.push(bytes);
      if (!open.text) open.text = this.extendedText(type, body);
      if (type === Msg.Sync || type === MSG_FLUSH) {
        open.final = type === Msg.Sync;
        this.afterFlush = !open.final;
        this.requests.push(open);
        this.open = null;
      }
    } else {
      // Anything else (a stray message): it follows the previous request.
      this.requests.push({ messages: [bytes], text: '', final: false, pinned: true });
    }
  }

  /** The text a Parse carries, or the one the statement a Bind names was parsed with. */
  private extendedText(type: number, body: Buffer): string {
    if (type === Msg.Parse) {
      const [name, at] = readCString(body, 0);
      const [text] = readCString(body, at);
      if (this.statementTexts.size >= MAX_STATEMENT_NAMES) this.statementTexts.clear();
      this.statementTexts.set(name, text);
      return text;
    }
    if (type === MSG_BIND) {
      const [, at] = readCString(body, 0);
      const [statement] = readCString(body, at);
      return this.statementTexts.get(statement) ?? '';
    }
    return '';
  }

  /** Sends the next requests while nothing awaits an answer. */
  pump(): void {
    while (this.requests.length > 0 && !this.lookingUp && !this.client.settling) {
      const request = this.requests[0];
      if (request.pinned) {
        if (!this.client.server) return; // the server is still being set up: the bytes wait
        this.requests.shift();
        this.sendOnLinked(request);
        continue;
      }
      if (this.inflight) return;
      const statement = classifyStatement(request.text);
      if (this.needsLookup(statement) || !this.dispatch(request, statement)) return;
    }
  }

  private sendOnLinked(request: Request): void {
    if (this.inflight && request.final) this.inflight.partial = false;
    const data = request.messages.length === 1 ? request.messages[0] : Buffer.concat(request.messages);
    this.client.sendVia(this.client.pool!, undefined, data);
  }

  /** Function volatility unknown yet: ask pg_proc first (once per name), then route. */
  private needsLookup(statement: StatementClass): boolean {
    const config = this.services.config;
    if (statement.kind !== 'read' || statement.functions.length === 0 || config.write_function_list.length > 0 || config.read_only_function_list.length > 0) return false;
    const unknown = statement.functions.filter((name) => this.services.volatility.cached(this.primary, name) === undefined);
    if (unknown.length === 0) return false;
    this.lookingUp = true;
    void this.services.volatility.lookUp(this.primary, unknown).finally(() => {
      this.lookingUp = false;
      this.pump();
    });
    return true;
  }

  private poolOf(host: number): Pool {
    return (this.pools[host] ??= this.services.hostPool(this.home, host));
  }

  /** Sends `request` where the router says; false when the linked server must settle first (pump runs again then). */
  private dispatch(request: Request, statement: StatementClass): boolean {
    const config = this.services.config;
    // Only a text starting with CREATE/ALTER/DROP changes functions, and it never classifies as a read.
    if (statement.kind !== 'read' && changesFunctions(request.text)) this.services.volatility.forget();
    const writingFunction = statement.functions.length > 0 && statement.functions.some((name) => functionWrites(name, config, (fn) => this.services.volatility.cached(this.primary, fn) === true));
    const wasInTransaction = this.status !== STATUS_IDLE;
    const route = this.router.route(statement, writingFunction, wasInTransaction);
    if (statement.kind === 'begin') this.beginText = /repeatable\s+read/i.test(request.text) ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN';
    const pool = this.poolOf(route.host);
    if (!this.switchTo(pool)) return false;
    this.requests.shift();
    this.inflight = { route, text: request.text, wasInTransaction, failed: false, partial: !request.final };
    const held = this.held.get(route.host);
    if (held) this.held.delete(route.host);
    if (held?.state === 'closed') {
      this.client.fatal('08006', `server conn crashed? (the ${route.host === 0 ? 'primary' : 'replica'} connection of this transaction closed)`);
      return false;
    }
    const data = request.messages.length === 1 ? request.messages[0] : Buffer.concat(request.messages);
    this.client.sendVia(pool, held, data);
    if (route.host > 0 && statement.reads.length > 0) this.inflight.replayed = this.services.balanceHazards?.replayWhenSent(this.client, this.primary, route.host, statement.reads);
    return true;
  }

  /** Moves off the linked server when the next request goes to another host; false while it settles. */
  private switchTo(pool: Pool): boolean {
    const linked = this.client.server;
    if (!linked || this.client.pool === pool) return true;
    const linkedHost = this.client.pool!.hostIndex;
    if (linked.txStatus !== STATUS_IDLE || this.status !== STATUS_IDLE) {
      this.held.set(linkedHost, this.client.parkServer());
      return true;
    }
    this.client.handBackServer();
    return this.client.server === null;
  }

  /**
   * SQL to run on a server just taken from `pool`'s host before the request: a replica joining the
   * client's open transaction begins one of its own.
   */
  setupSql(pool: Pool): string {
    return pool.hostIndex > 0 && this.status !== STATUS_IDLE ? this.beginText : '';
  }

  /** An ErrorResponse for the request in flight. */
  onError(body: Buffer): void {
    const inflight = this.inflight;
    if (!inflight) return;
    inflight.failed = true;
    const server = this.client.server;
    if (!server || inflight.route.host === 0) return;
    const fields = parseErrorFields(body);
    const replica = this.primary.replicas?.[inflight.route.host - 1];
    this.services.balanceHazards?.errorOnReplica(this.client, server, fields.get('C') ?? '', fields.get('M') ?? '', inflight.text, `${replica?.host}:${replica?.port}`);
  }

  /** ReadyForQuery for the request in flight (`status` 'I', 'T' or 'E'). */
  onReady(status: number): void {
    const inflight = this.inflight;
    this.status = status;
    if (!inflight) return;
    this.inflight = null;
    this.router.answered(inflight.route, !inflight.failed, inflight.wasInTransaction, status);
    this.noteWrites(inflight, status);
    if (status === STATUS_IDLE) this.releaseHeld();
  }

  private noteWrites(inflight: InFlight, status: number): void {
    const hazards = this.services.balanceHazards;
    if (!hazards) return;
    const { statement, host } = inflight.route;
    const inTransaction = status !== STATUS_IDLE;
    const server = this.client.server;
    if (inflight.replayed && server) hazards.readOnReplica(this.client, server, this.primary, host, statement.reads, inflight.text, inflight.replayed);
    if (!inflight.failed && inflight.route.host === 0) hazards.wrote(this.client, statement.writes, inflight.text, inTransaction);
    if (!inTransaction && inflight.wasInTransaction) hazards.transactionEnded(this.client, !inflight.failed && statement.kind === 'end' && !/^\s*(rollback|abort)/i.test(inflight.text));
  }

  /** The client's transaction is over: every held server goes back (a replica's read transaction rolled back first). */
  releaseHeld(): void {
    for (const [host, server] of this.held) {
      this.held.delete(host);
      const pool = this.poolOf(host);
      if (server.state === 'closed') {
        pool.release(server);
      } else if (server.txStatus !== STATUS_IDLE) {
        server.runInternal('ROLLBACK', () => pool.release(server));
      } else {
        pool.release(server);
      }
    }
  }

  /** The client is gone: held servers still in a transaction are closed, others released. */
  closeHeld(): void {
    for (const [host, server] of this.held) {
      this.held.delete(host);
      const pool = this.poolOf(host);
      if (server.state !== 'closed' && server.txStatus !== STATUS_IDLE) server.close('client disconnect while server was not ready');
      pool.release(server);
    }
  }
}

/** The whole message: MessageReader hands out bodies that sit right after their 5-byte header, in the same memory. */
function frame(body: Buffer): Buffer {
  return Buffer.from(body.buffer, body.byteOffset - 5, body.length + 5);
}
