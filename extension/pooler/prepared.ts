// Protocol-level named prepared statements in transaction/statement mode (max_prepared_statements > 0,
// PgBouncer >= 1.21 semantics). Each client keeps its own statement names; the pooler gives every
// distinct Parse (query text + parameter types) one name of its own, POOLSAFE_n, prepares it on
// whichever server connection the client lands on (just before the Bind/Describe that needs it) and
// swallows the ParseComplete the client did not ask for. Bind/Describe/Close are rewritten to the
// pooler's names; Close of a client name is answered by the server with a harmless Close.
// DEALLOCATE ALL / DISCARD ALL forget the client's statements and the server's (PgBouncer >= 1.22).
//
// Only clients of pools with max_prepared_statements > 0 take this path: their bytes are cut into
// whole messages, which costs a copy per read; everyone else keeps the zero-copy forwarding.

import { LruMap } from './lru';
import { MAX_MESSAGE_LENGTH, ProtocolError } from './protocol';

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

/** What the client sent that the server will answer, in order (see ClientPrepared.onServerMessage). */
const enum Expect {
  ClientParse,
  InjectedParse,
  InjectedClose,
  ClientClose,
  /** Sync, Query, FunctionCall: ends with ReadyForQuery. */
  Ready,
}

/** Closing a statement that does not exist is not an error: the server just says CloseComplete. */
const NO_SUCH_STATEMENT = 'POOLSAFE_none';
const RESETS_STATEMENTS = /^\s*(?:deallocate\s+(?:prepare\s+)?all|discard\s+all)\s*;?\s*$/i;

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
  private readonly expected: Expect[] = [];
  /** The start of a message still arriving, as received pieces (copied: reads may reuse buffers). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Bytes the partial message needs before it can be cut (5 until its header is known). */
  private partialNeeds = 0;

  constructor(private readonly registry: PreparedRegistry) {}

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

  /** A server message while this client holds the connection; true = do not pass it on. */
  onServerMessage(type: number): boolean {
    const expected = this.expected;
    switch (type) {
      case PARSE_COMPLETE:
        if (expected[0] === Expect.ClientParse) expected.shift();
        else if (expected[0] === Expect.InjectedParse) return expected.shift() !== undefined;
        return false;
      case CLOSE_COMPLETE:
        if (expected[0] === Expect.ClientClose) expected.shift();
        else if (expected[0] === Expect.InjectedClose) return expected.shift() !== undefined;
        return false;
      case ERROR_RESPONSE: {
        // The server skips everything up to the next Sync: those messages get no answer.
        const ready = expected.indexOf(Expect.Ready);
        expected.splice(0, ready < 0 ? expected.length : ready);
        return false;
      }
      case READY_FOR_QUERY: {
        const ready = expected.indexOf(Expect.Ready);
        expected.splice(0, ready < 0 ? expected.length : ready + 1);
        return false;
      }
    }
    return false;
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
        const statement = this.statements.get(name);
        if (!statement) return undefined; // the server reports 26000, as it would without a pooler
        return [...this.ensurePrepared(statement, server), message(BIND, body.subarray(0, portalEnd + 1), cstring(statement.name), body.subarray(nameEnd + 1))];
      }
      case DESCRIBE:
      case CLOSE: {
        const closing = type === CLOSE;
        if (body[0] !== 0x53 || body.length <= 2) {
          // Portals and the unnamed statement are the client's own.
          if (closing) this.expected.push(Expect.ClientClose);
          return undefined;
        }
        const name = body.toString('utf8', 1, body.length - 1);
        const statement = this.statements.get(name);
        if (closing) {
          this.expected.push(Expect.ClientClose);
          this.statements.delete(name);
          return [message(CLOSE, Buffer.from('S'), cstring(NO_SUCH_STATEMENT))];
        }
        if (!statement) return undefined;
        return [...this.ensurePrepared(statement, server), message(DESCRIBE, Buffer.from('S'), cstring(statement.name))];
      }
      case QUERY:
        this.expected.push(Expect.Ready);
        if (RESETS_STATEMENTS.test(body.toString('latin1', 0, body.length - 1))) {
          this.statements.clear();
          this.registry.forgetServer(server);
        }
        return undefined;
      case SYNC:
      case FUNCTION_CALL:
        this.expected.push(Expect.Ready);
        return undefined;
    }
    return undefined;
  }

  private onParse(body: Buffer, server: object): Buffer[] | undefined {
    const nameEnd = body.indexOf(0);
    if (nameEnd === 0) {
      this.expected.push(Expect.ClientParse);
      return undefined; // unnamed statements need no tracking
    }
    const clientName = body.toString('utf8', 0, nameEnd);
    const parseRest = Buffer.from(body.subarray(nameEnd + 1));
    const statement = { name: this.registry.nameFor(parseRest), parseRest };
    this.statements.set(clientName, statement);
    const onServer = this.registry.onServer(server);
    if (onServer.has(statement.name)) {
      // Already prepared there: an empty unnamed Parse gives the client the ParseComplete it expects.
      touch(onServer, statement.name);
      this.expected.push(Expect.ClientParse);
      return [message(PARSE, Buffer.from([0, 0, 0, 0]))];
    }
    const evictions = this.makeRoom(onServer);
    onServer.set(statement.name, true);
    this.expected.push(Expect.ClientParse);
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
    this.expected.push(Expect.InjectedParse);
    return [...evictions, message(PARSE, cstring(statement.name), statement.parseRest)];
  }

  /** Closes the least recently used statements beyond max_prepared_statements on that server. */
  private makeRoom(onServer: Map<string, true>): Buffer[] {
    const closes: Buffer[] = [];
    const max = Math.max(1, this.registry.max);
    for (const oldest of onServer.keys()) {
      if (onServer.size < max) break;
      onServer.delete(oldest);
      this.expected.push(Expect.InjectedClose);
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
