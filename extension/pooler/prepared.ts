// Protocol-level named prepared statements in transaction/statement mode (max_prepared_statements > 0,
// PgBouncer >= 1.21 semantics). Each client keeps its own statement names; the pooler gives every
// distinct Parse (query text + parameter types) one name of its own, POOLSAFE_n, prepares it on
// whichever server connection the client lands on (just before the Bind/Describe that needs it) and
// swallows the ParseComplete the client did not ask for. Bind/Describe/Close are rewritten to the
// pooler's names; Close of a client name is answered by the server with a harmless Close. A client
// Parse of a statement the server already has becomes that harmless Close too, its CloseComplete
// passed on as ParseComplete (an empty unnamed Parse would replace the client's unnamed statement).
// A Parse the server refuses (or skips after an error) leaves the statement unprepared there.
// DEALLOCATE ALL / DISCARD ALL forget the client's statements and the server's (PgBouncer >= 1.22).
// Like PgBouncer, a Parse that reuses a name the client still has, or a Bind/Describe of a name it
// never prepared, ends the client (PreparedStatementMisuse).
//
// Only clients of pools with max_prepared_statements > 0 take this path: their bytes are cut into
// whole messages, which costs a copy per read; everyone else keeps the zero-copy forwarding.

import { LruMap } from './lru';
import { MAX_MESSAGE_LENGTH, ProtocolError } from './protocol';
import type { PoolStats } from './pool';

const PARSE = 0x50; // P
const BIND = 0x42; // B
const DESCRIBE = 0x44; // D
const CLOSE = 0x43; // C (frontend)
const QUERY = 0x51; // Q
const SYNC = 0x53; // S (frontend)
const FUNCTION_CALL = 0x46; // F
const PARSE_COMPLETE = 0x31; // 1
const CLOSE_COMPLETE = 0x33; // 3
const ERROR_RESPONSE = 0x45; // E
const READY_FOR_QUERY = 0x5a; // Z

const EMPTY = Buffer.alloc(0);
const READY: Expected = Object.freeze({ what: Expect.Ready });

/** What the client sent that the server will answer, in order (see ClientPrepared.onServerMessage). */
const enum Expect {
  ClientParse,
  InjectedParse,
  InjectedClose,
  ClientClose,
  /** A client Parse of a statement the server has, sent as a Close of no statement. */
  ParseAsClose,
  /** Sync, Query, FunctionCall: ends with ReadyForQuery. */
  Ready,
}

/** What to do with a server message (ClientPrepared.onServerMessage). */
export const enum Answer {
  Pass,
  /** An answer to the pooler's own message: cut it out. */
  Swallow,
  /** A CloseComplete that answers a client's Parse: its type byte becomes ParseComplete. */
  AsParseComplete,
}

interface Expected {
  what: Expect;
  /** The pooler's statement name a Parse or Close acts on. */
  name?: string;
}

/** A client used a statement name the way PgBouncer refuses: the client is disconnected with this message. */
export class PreparedStatementMisuse extends Error {
  constructor(
    message: string,
    /** Logged before the disconnect, as PgBouncer logs it. */
    readonly logMessage: string,
  ) {
    super(message);
  }
}

/** The counters ClientPrepared keeps (SHOW STATS' client/server parse and bind counts). */
export type PreparedStats = Pick<PoolStats, 'client_parse_count' | 'server_parse_count' | 'bind_count'>;

/** Closing a statement that does not exist is not an error: the server just says CloseComplete. */
const NO_SUCH_STATEMENT = 'POOLSAFE_none';
const RESETS_STATEMENTS = /^\s*(?:deallocate\s+(?:prepare\s+)?all|discard\s+all)\s*(?:;\s*)?$/i;

/**
 * Distinct statement texts whose pooler name is remembered. Beyond it the least recently used text
 * is forgotten: its next Parse gets a fresh name (prepared again where needed), which costs a Parse,
 * never correctness, and keeps the map from growing with every distinct text ever seen.
 */
export const MAX_STATEMENT_NAMES = 10_000;

/** Pooler-wide: the pooler's statement names and which server connection has which prepared. */
export class PreparedRegistry {
  private readonly names = new LruMap<string, string>(MAX_STATEMENT_NAMES);
  private readonly servers = new WeakMap<object, Map<string, true>>();
  private lastId = 0;

  constructor(private readonly maxPerServer: () => number) {}

  /** Statement texts currently named (bounded by MAX_STATEMENT_NAMES). */
  get namedTexts(): number {
    return this.names.size;
  }

  /** The pooler's name for a Parse body (everything after the client's statement name). */
  nameFor(parseRest: Buffer): string {
    const key = parseRest.toString('latin1');
    let name = this.names.get(key);
    if (!name) {
      name = `POOLSAFE_${++this.lastId}`;
      this.names.set(key, name);
    }
    return name;
  }

  /** Statements prepared on `server`, oldest first (LRU order). */
  onServer(server: object): Map<string, true> {
    let prepared = this.servers.get(server);
    if (!prepared) {
      prepared = new Map();
      this.servers.set(server, prepared);
    }
    return prepared;
  }

  get max(): number {
    return this.maxPerServer();
  }

  /** The server did not prepare `name` (its Parse failed or was skipped). */
  notPrepared(server: object, name: string): void {
    this.servers.get(server)?.delete(name);
  }

  /** The server still has `name` (a Close of it was skipped after an error). */
  stillPrepared(server: object, name: string): void {
    this.onServer(server).set(name, true);
  }

  /** The server ran DISCARD ALL / DEALLOCATE ALL (a client's, or the pooler's reset query). */
  forgetServer(server: object): void {
    this.servers.delete(server);
  }
}

interface ClientStatement {
  name: string;
  parseRest: Buffer;
}

/** One client's statements, its partial message, and the answers to swallow. */
export class ClientPrepared {
  private readonly statements = new Map<string, ClientStatement>();
  private readonly expected: Expected[] = [];
  /** The start of a server message header that the last server read ended inside. */
  private heldServerBytes: Buffer | null = null;
  /** The start of a message still arriving, as received pieces (copied: reads may reuse buffers). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Bytes the partial message needs before it can be cut (5 until its header is known). */
  private partialNeeds = 0;

  constructor(
    private readonly registry: PreparedRegistry,
    private readonly stats: PreparedStats,
  ) {}

  /** SET max_prepared_statements = 0 turns the rewriting off for connected clients too, as in PgBouncer. */
  get enabled(): boolean {
    return this.registry.max > 0;
  }

  /**
   * Whole messages from the bytes read so far (the tail of a split message waits for the rest).
   * A large message arriving in many reads is joined once, when complete, not once per read.
   */
  collect(chunk: Buffer): Buffer {
    let data = chunk;
    if (this.partialBytes > 0) {
      this.partial.push(Buffer.from(chunk));
      this.partialBytes += chunk.length;
      if (this.partialBytes < this.partialNeeds) return EMPTY;
      data = Buffer.concat(this.partial, this.partialBytes);
      this.partial = [];
      this.partialBytes = 0;
    }
    let pos = 0;
    while (data.length - pos >= 5) {
      const length = data.readInt32BE(pos + 1);
      // Checked before waiting for the body, as the scanner does: a huge or impossible announced
      // length must be refused now, not buffered (up to 1 GB) in the hope that it completes.
      if (length < 4 || length > MAX_MESSAGE_LENGTH) throw new ProtocolError(`invalid message length ${length}`);
      if (data.length - pos < length + 1) break;
      pos += length + 1;
    }
    if (pos < data.length) {
      const rest = data.subarray(pos);
      this.partial = [Buffer.from(rest)];
      this.partialBytes = rest.length;
      this.partialNeeds = rest.length >= 5 ? rest.readInt32BE(1) + 1 : 5;
    }
    return pos === data.length ? data : data.subarray(0, pos);
  }

  /** Rewrites whole messages for `server`: names mapped, missing statements prepared first. */
  rewrite(data: Buffer, server: object): Buffer {
    const out: Buffer[] = [];
    let copyFrom = 0;
    let pos = 0;
    while (pos < data.length) {
      const type = data[pos];
      const end = pos + 1 + data.readInt32BE(pos + 1);
      const replacement = this.rewriteMessage(type, data.subarray(pos + 5, end), server);
      if (replacement) {
        if (pos > copyFrom) out.push(data.subarray(copyFrom, pos));
        out.push(...replacement);
        copyFrom = end;
      }
      pos = end;
    }
    if (out.length === 0) return data;
    if (copyFrom < data.length) out.push(data.subarray(copyFrom));
    return Buffer.concat(out);
  }

  /** A server read, behind the header bytes held back from the previous one. */
  withHeldServerBytes(chunk: Buffer): Buffer {
    const held = this.heldServerBytes;
    if (!held) return chunk;
    this.heldServerBytes = null;
    return Buffer.concat([held, chunk]);
  }

  /** Holds back the last `count` bytes of `chunk` (a split header) until the next server read. */
  holdServerBytes(chunk: Buffer, count: number): Buffer {
    if (count === 0) return chunk;
    this.heldServerBytes = Buffer.from(chunk.subarray(chunk.length - count));
    return chunk.subarray(0, chunk.length - count);
  }

  /** A server message while this client holds `server`: pass it on, cut it out, or rewrite it. */
  onServerMessage(type: number, server: object): Answer {
    const expected = this.expected;
    const first = expected[0]?.what;
    switch (type) {
      case PARSE_COMPLETE:
        if (first === Expect.ClientParse) expected.shift();
        else if (first === Expect.InjectedParse) return (expected.shift(), Answer.Swallow);
        return Answer.Pass;
      case CLOSE_COMPLETE:
        if (first === Expect.ClientClose) expected.shift();
        else if (first === Expect.InjectedClose) return (expected.shift(), Answer.Swallow);
        else if (first === Expect.ParseAsClose) return (expected.shift(), Answer.AsParseComplete);
        return Answer.Pass;
      case ERROR_RESPONSE: {
        // The failing message, and everything up to the next Sync that the server skips, took no effect.
        const ready = expected.findIndex((entry) => entry.what === Expect.Ready);
        for (const entry of expected.splice(0, ready < 0 ? expected.length : ready)) this.tookNoEffect(entry, server);
        return Answer.Pass;
      }
      case READY_FOR_QUERY: {
        const ready = expected.findIndex((entry) => entry.what === Expect.Ready);
        expected.splice(0, ready < 0 ? expected.length : ready + 1);
        return Answer.Pass;
      }
    }
    return Answer.Pass;
  }

  /** A Parse or Close the server refused or skipped: the registry must not believe it happened. */
  private tookNoEffect(entry: Expected, server: object): void {
    if (entry.name === undefined) return;
    if (entry.what === Expect.InjectedClose) this.registry.stillPrepared(server, entry.name);
    else if (entry.what === Expect.ClientParse || entry.what === Expect.InjectedParse) this.registry.notPrepared(server, entry.name);
  }

  private rewriteMessage(type: number, body: Buffer, server: object): Buffer[] | undefined {
    switch (type) {
      case PARSE:
        return this.onParse(body, server);
      case BIND: {
        const portalEnd = body.indexOf(0);
        const nameEnd = body.indexOf(0, portalEnd + 1);
        const name = body.toString('utf8', portalEnd + 1, nameEnd);
        if (!name) return undefined;
        const statement = this.knownStatement(name);
        this.stats.bind_count++;
        return [...this.ensurePrepared(statement, server), message(BIND, body.subarray(0, portalEnd + 1), cstring(statement.name), body.subarray(nameEnd + 1))];
      }
      case DESCRIBE:
      case CLOSE: {
        const closing = type === CLOSE;
        if (body[0] !== 0x53 || body.length <= 2) {
          // Portals and the unnamed statement are the client's own.
          if (closing) this.expected.push({ what: Expect.ClientClose });
          return undefined;
        }
        const name = body.toString('utf8', 1, body.length - 1);
        if (closing) {
          this.expected.push({ what: Expect.ClientClose });
          this.statements.delete(name);
          return [message(CLOSE, Buffer.from('S'), cstring(NO_SUCH_STATEMENT))];
        }
        const statement = this.knownStatement(name);
        return [...this.ensurePrepared(statement, server), message(DESCRIBE, Buffer.from('S'), cstring(statement.name))];
      }
      case QUERY:
        this.expected.push(READY);
        if (RESETS_STATEMENTS.test(body.toString('latin1', 0, body.length - 1))) {
          this.statements.clear();
          this.registry.forgetServer(server);
        }
        return undefined;
      case SYNC:
      case FUNCTION_CALL:
        this.expected.push(READY);
        return undefined;
    }
    return undefined;
  }

  /**
   * The client's statement by name. PgBouncer disconnects a client that binds or describes a name it
   * never prepared (answering with an error instead would break pipelines), and so does this.
   */
  private knownStatement(name: string): ClientStatement {
    const statement = this.statements.get(name);
    if (!statement) throw new PreparedStatementMisuse('prepared statement did not exist', `prepared statement '${name}' not found`);
    return statement;
  }

  private onParse(body: Buffer, server: object): Buffer[] | undefined {
    const nameEnd = body.indexOf(0);
    if (nameEnd === 0) {
      this.expected.push({ what: Expect.ClientParse });
      return undefined; // unnamed statements need no tracking
    }
    const clientName = body.toString('utf8', 0, nameEnd);
    if (this.statements.has(clientName)) {
      throw new PreparedStatementMisuse('prepared statement name is already in use', `prepared statement '${clientName}' was already prepared`);
    }
    this.stats.client_parse_count++;
    const parseRest = Buffer.from(body.subarray(nameEnd + 1));
    const statement = { name: this.registry.nameFor(parseRest), parseRest };
    this.statements.set(clientName, statement);
    const onServer = this.registry.onServer(server);
    if (onServer.has(statement.name)) {
      // Already prepared there: a Close of no statement, whose CloseComplete the client gets as its
      // ParseComplete (an empty unnamed Parse would replace the client's own unnamed statement).
      touch(onServer, statement.name);
      this.expected.push({ what: Expect.ParseAsClose });
      return [message(CLOSE, Buffer.from('S'), cstring(NO_SUCH_STATEMENT))];
    }
    const evictions = this.makeRoom(onServer);
    onServer.set(statement.name, true);
    this.stats.server_parse_count++;
    this.expected.push({ what: Expect.ClientParse, name: statement.name });
    return [...evictions, message(PARSE, cstring(statement.name), parseRest)];
  }

  /** Parse (and evictions) to send before a Bind/Describe when the server lacks the statement. */
  private ensurePrepared(statement: ClientStatement, server: object): Buffer[] {
    const onServer = this.registry.onServer(server);
    if (onServer.has(statement.name)) {
      touch(onServer, statement.name);
      return [];
    }
    const evictions = this.makeRoom(onServer);
    onServer.set(statement.name, true);
    this.stats.server_parse_count++;
    this.expected.push({ what: Expect.InjectedParse, name: statement.name });
    return [...evictions, message(PARSE, cstring(statement.name), statement.parseRest)];
  }

  /** Closes the least recently used statements beyond max_prepared_statements on that server. */
  private makeRoom(onServer: Map<string, true>): Buffer[] {
    const closes: Buffer[] = [];
    const max = Math.max(1, this.registry.max);
    for (const oldest of onServer.keys()) {
      if (onServer.size < max) break;
      onServer.delete(oldest);
      this.expected.push({ what: Expect.InjectedClose, name: oldest });
      closes.push(message(CLOSE, Buffer.from('S'), cstring(oldest)));
    }
    return closes;
  }
}

function touch(map: Map<string, true>, key: string): void {
  map.delete(key);
  map.set(key, true);
}

function cstring(text: string): Buffer {
  return Buffer.from(text + '\0', 'utf8');
}

function message(type: number, ...parts: Buffer[]): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 4);
  const header = Buffer.allocUnsafe(5);
  header[0] = type;
  header.writeInt32BE(length, 1);
  return Buffer.concat([header, ...parts]);
}

/**
 * `chunk` without the byte ranges in `skips` (start, end pairs in order); offsets after them move
 * back by what was cut before them (-1 stays -1).
 */
export function cutOut(chunk: Buffer, skips: number[], releaseAt: number, refuseAt: number): { chunk: Buffer; releaseAt: number; refuseAt: number } {
  const parts: Buffer[] = [];
  let from = 0;
  let beforeRelease = 0;
  let beforeRefuse = 0;
  for (let i = 0; i < skips.length; i += 2) {
    const [start, end] = [skips[i], skips[i + 1]];
    parts.push(chunk.subarray(from, start));
    from = end;
    if (releaseAt >= end) beforeRelease += end - start;
    if (refuseAt >= end) beforeRefuse += end - start;
  }
  parts.push(chunk.subarray(from));
  return {
    chunk: Buffer.concat(parts),
    releaseAt: releaseAt < 0 ? -1 : releaseAt - beforeRelease,
    refuseAt: refuseAt < 0 ? -1 : refuseAt - beforeRefuse,
  };
}
