// PostgreSQL protocol 3.0 as far as a pooler needs it: message framing (type byte + int32 length),
// startup packets, and builders for the few messages the pooler itself sends. Everything else is
// forwarded as raw bytes, so this module never decodes rows or query text on the hot path.

export const PROTOCOL_3_0 = 196608; // 3 << 16
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
/** PostgreSQL refuses startup packets above this size (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET_LENGTH = 10000;
/** PostgreSQL refuses authentication messages above this size (PG_MAX_AUTH_TOKEN_LENGTH). */
export const MAX_AUTH_MESSAGE_LENGTH = 65535;
/** PostgreSQL refuses any message above 1 GB (PQ_LARGE_MESSAGE_LIMIT); so does the pooler, early. */
export const MAX_MESSAGE_LENGTH = 0x3fffffff;

/** Message type bytes used by the pooler (frontend and backend share the byte space). */
export const Msg = {
  // backend
  Authentication: 0x52, // R
  ParameterStatus: 0x53, // S
  BackendKeyData: 0x4b, // K
  ReadyForQuery: 0x5a, // Z
  ErrorResponse: 0x45, // E
  NoticeResponse: 0x4e, // N
  NegotiateProtocolVersion: 0x76, // v
  // frontend
  Query: 0x51, // Q
  Sync: 0x53, // S (same byte as ParameterStatus, other direction)
  FunctionCall: 0x46, // F
  Terminate: 0x58, // X
  Password: 0x70, // p (PasswordMessage, SASLInitialResponse, SASLResponse)
  Parse: 0x50, // P
  Close: 0x43, // C (frontend; CommandComplete backend)
  ParseComplete: 0x31, // 1
} as const;

export const AuthCode = {
  Ok: 0,
  CleartextPassword: 3,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** A protocol violation; `code` is the SQLSTATE to report (08P01 unless stated). */
export class ProtocolError extends Error {
  constructor(message: string, readonly code = '08P01') {
    super(message);
  }
}

export type StartupPacket =
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; processId: number; secretKey: number }
  | { kind: 'startup'; minor: number; params: Map<string, string> }
  | { kind: 'unsupported'; major: number; minor: number };

/**
 * Length of the startup packet at the start of `buf` (including its own 4 bytes), or undefined when
 * fewer than 4 bytes have arrived. Throws on lengths PostgreSQL would refuse.
 */
export function startupPacketLength(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined;
  const length = buf.readInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) throw new ProtocolError('invalid length of startup packet');
  return length;
}

/** Parses one complete startup packet (length prefix included). */
export function parseStartupPacket(packet: Buffer): StartupPacket {
  const code = packet.readInt32BE(4);
  if (code === SSL_REQUEST_CODE) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) {
    if (packet.length !== 16) throw new ProtocolError('invalid length of cancel request packet');
    return { kind: 'cancel', processId: packet.readInt32BE(8), secretKey: packet.readInt32BE(12) };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) return { kind: 'unsupported', major, minor };
  const params = new Map<string, string>();
  let pos = 8;
  while (pos < packet.length) {
    const keyEnd = packet.indexOf(0, pos);
    if (keyEnd < 0) throw new ProtocolError('invalid startup packet layout: expected terminator as last byte');
    if (keyEnd === pos) break; // the empty name that ends the list
    const valueEnd = packet.indexOf(0, keyEnd + 1);
    if (valueEnd < 0) throw new ProtocolError('invalid startup packet layout: expected terminator as last byte');
    params.set(packet.toString('utf8', pos, keyEnd), packet.toString('utf8', keyEnd + 1, valueEnd));
    pos = valueEnd + 1;
  }
  return { kind: 'startup', minor, params };
}

/** The FATAL error PostgreSQL sends for a protocol major version it does not speak. */
export function unsupportedProtocolError(major: number, minor: number): Buffer {
  return errorResponse({
    severity: 'FATAL',
    code: '0A000',
    message: `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`,
  });
}

// ---------------------------------------------------------------------------------------------
// Framing

/**
 * Accumulates chunks and yields complete messages. Used where the pooler must read whole messages
 * (login, authentication); the forwarding path uses MessageScanner instead and never copies.
 * Messages are returned as subarrays of the received chunk when they do not straddle chunks.
 * Chunks that arrive while a message is incomplete are only listed; they are joined once, when the
 * message is complete (re-joining on every chunk would make a slow large message quadratic).
 */
/** A zero-length buffer shared by every reader that holds nothing (nothing can be written into it). */
const EMPTY = Buffer.alloc(0);

export class MessageReader {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  private later: Buffer[] = [];
  private laterBytes = 0;

  push(chunk: Buffer): void {
    if (this.buffer.length === this.offset && this.later.length === 0) {
      this.buffer = chunk;
      this.offset = 0;
    } else {
      this.later.push(chunk);
      this.laterBytes += chunk.length;
    }
  }

  /** Bytes received and not yet consumed. */
  get buffered(): number {
    return this.buffer.length - this.offset + this.laterBytes;
  }

  /** Makes the first `bytes` unread bytes contiguous; false (and no copy) while fewer have arrived. */
  private gather(bytes: number): boolean {
    const head = this.buffer.length - this.offset;
    if (head >= bytes) return true;
    if (head + this.laterBytes < bytes) return false;
    this.buffer = Buffer.concat([this.buffer.subarray(this.offset), ...this.later]);
    this.offset = 0;
    this.later = [];
    this.laterBytes = 0;
    return true;
  }

  /** The next complete message, or undefined until more bytes arrive. `body` excludes the header. */
  next(maxLength = MAX_MESSAGE_LENGTH): { type: number; body: Buffer } | undefined {
    if (!this.gather(5)) return undefined;
    const length = this.buffer.readInt32BE(this.offset + 1);
    // Checked before the body arrives: a huge announced length must not make us buffer it.
    if (length < 4 || length > maxLength) throw new ProtocolError(`invalid message length ${length}`);
    if (!this.gather(length + 1)) return undefined;
    const type = this.buffer[this.offset];
    const body = this.buffer.subarray(this.offset + 5, this.offset + 1 + length);
    this.offset += length + 1;
    return { type, body };
  }

  /** Takes the startup packet (no type byte) when complete. */
  nextStartup(): Buffer | undefined {
    if (!this.gather(4)) return undefined;
    const length = startupPacketLength(this.buffer.subarray(this.offset))!;
    if (!this.gather(length)) return undefined;
    const packet = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return packet;
  }

  /** The first unread bytes, up to `count` (fewer when fewer have arrived). */
  peek(count: number): Buffer {
    this.gather(Math.min(count, this.buffered));
    return this.buffer.subarray(this.offset, this.offset + count);
  }

  /** Bytes received but not yet consumed (handed to the forwarding path after login). */
  takeRemaining(): Buffer {
    this.gather(this.buffered);
    const rest = this.offset === 0 ? this.buffer : this.buffer.subarray(this.offset);
    this.buffer = EMPTY;
    this.offset = 0;
    return rest;
  }
}

/**
 * Per type byte: 0 = ignore, 1 = report at its header, 2 = report with its complete body, 3 = report
 * once complete, located in the chunk when whole there, else as a copy of the whole message
 * (header included) when it is at most MAX_COLLECTED_BODY, else at its header like 1.
 */
export type Interest = Uint8Array;
export const NOTIFY_HEADER = 1;
export const NOTIFY_BODY = 2;
export const NOTIFY_WHOLE = 3;

export function interestIn(header: number[], body: number[] = [], whole: number[] = []): Interest {
  const interest = new Uint8Array(256);
  for (const t of header) interest[t] = NOTIFY_HEADER;
  for (const t of body) interest[t] = NOTIFY_BODY;
  for (const t of whole) interest[t] = NOTIFY_WHOLE;
  return interest;
}

/**
 * Called for interesting messages. `start` is where the message begins in the current chunk (-1 when
 * it began in an earlier chunk), `end` where it ends (for header notifications of messages whose body
 * continues in later chunks, -1). For NOTIFY_WHOLE types `body` is null when the message lies whole in
 * the chunk at [start, end), else the copied message, header included. Return true to stop scanning.
 */
export type ScanCallback = (type: number, body: Buffer | null, start: number, end: number) => boolean | void;

/** Bodies collected across chunks are capped: interesting messages are small (status, errors). */
const MAX_COLLECTED_BODY = 1 << 20;

/**
 * Finds message boundaries in a byte stream that is forwarded unchanged. It reads only the 5-byte
 * headers (plus the bodies of the few message types asked for), keeps its position across chunks, and
 * allocates only when a header or an interesting body straddles two chunks.
 */
export class MessageScanner {
  /** Body bytes of the current message still to come in later chunks. */
  private remaining = 0;
  private readonly header = Buffer.alloc(5);
  private headerFill = 0;
  private currentType = 0;
  private collected: Buffer | null = null;
  private collectedFill = 0;

  constructor(
    private interest: Interest,
    private readonly maxMessageLength = MAX_MESSAGE_LENGTH,
  ) {}

  /** Changes the types reported; only on a message boundary (e.g. for the pooler's own query). */
  watch(interest: Interest): void {
    this.interest = interest;
  }

  /** True when the scanner sits exactly on a message boundary. */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.headerFill === 0;
  }

  /**
   * Forgets the bytes of a message header that the last chunk ended inside and returns their count:
   * the caller holds those bytes back and scans them again at the start of the next chunk, so that
   * every header it sees lies whole in one chunk (prepared.ts cuts whole 5-byte answers out).
   */
  takePartialHeader(): number {
    const fill = this.headerFill;
    this.headerFill = 0;
    return fill;
  }

  /** Scans `chunk` from `from`; returns the offset where it stopped (chunk.length when done). */
  scan(chunk: Buffer, onMessage: ScanCallback, from = 0): number {
    let pos = from;
    const length = chunk.length;
    while (pos < length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, length - pos);
        if (this.collected) {
          chunk.copy(this.collected, this.collectedFill, pos, pos + take);
          this.collectedFill += take;
        }
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0 && this.collected) {
          const body = this.collected;
          this.collected = null;
          if (onMessage(this.currentType, body, -1, pos)) return pos;
        }
        continue;
      }
      let type: number;
      let messageLength: number;
      let start = pos;
      if (this.headerFill > 0 || length - pos < 5) {
        const take = Math.min(5 - this.headerFill, length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < 5) return pos;
        this.headerFill = 0;
        type = this.header[0];
        messageLength = this.header.readInt32BE(1);
        start = -1; // the header began in an earlier chunk
      } else {
        type = chunk[pos];
        messageLength = chunk.readInt32BE(pos + 1);
        pos += 5;
      }
      if (messageLength < 4 || messageLength > this.maxMessageLength) throw new ProtocolError(`invalid message length ${messageLength}`);
      const bodyLength = messageLength - 4;
      const wanted = this.interest[type];
      if (wanted === 0) {
        const take = Math.min(bodyLength, length - pos);
        pos += take;
        this.remaining = bodyLength - take;
        continue;
      }
      if (wanted === NOTIFY_WHOLE) {
        if (start >= 0 && length - pos >= bodyLength) {
          pos += bodyLength;
          if (onMessage(type, null, start, pos)) return pos;
          continue;
        }
        if (bodyLength <= MAX_COLLECTED_BODY) {
          this.collectSplit(type, messageLength, chunk, pos, start);
          pos = Math.min(length, pos + bodyLength);
          if (this.remaining > 0) continue;
          const message = this.collected!;
          this.collected = null;
          if (onMessage(type, message, -1, pos)) return pos;
          continue;
        }
      }
      if (wanted === NOTIFY_HEADER || wanted === NOTIFY_WHOLE) {
        const take = Math.min(bodyLength, length - pos);
        pos += take;
        this.remaining = bodyLength - take;
        if (onMessage(type, null, start, this.remaining === 0 ? pos : -1)) return pos;
        continue;
      }
      if (length - pos >= bodyLength) {
        const body = chunk.subarray(pos, pos + bodyLength);
        pos += bodyLength;
        if (onMessage(type, body, start, pos)) return pos;
        continue;
      }
      // Interesting body split across chunks: collect it (rare; these messages are small).
      if (bodyLength > MAX_COLLECTED_BODY) throw new ProtocolError(`message too large to inspect (${bodyLength} bytes)`);
      this.currentType = type;
      this.collected = Buffer.allocUnsafe(bodyLength);
      const take = length - pos;
      chunk.copy(this.collected, 0, pos, length);
      this.collectedFill = take;
      this.remaining = bodyLength - take;
      pos = length;
    }
    return pos;
  }

  /** Starts copying a NOTIFY_WHOLE message that is not whole in this chunk (header, then body so far). */
  private collectSplit(type: number, messageLength: number, chunk: Buffer, bodyAt: number, start: number): void {
    const message = Buffer.allocUnsafe(messageLength + 1);
    if (start >= 0) chunk.copy(message, 0, start, bodyAt);
    else this.header.copy(message, 0, 0, 5);
    const take = Math.min(messageLength - 4, chunk.length - bodyAt);
    chunk.copy(message, 5, bodyAt, bodyAt + take);
    this.currentType = type;
    this.collected = message;
    this.collectedFill = 5 + take;
    this.remaining = messageLength - 4 - take;
  }
}

// ---------------------------------------------------------------------------------------------
// Field readers

/** Reads a NUL-terminated string at `offset`; returns the string and the offset after the NUL. */
export function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated string in message');
  return [buf.toString('utf8', offset, end), end + 1];
}

/** ErrorResponse/NoticeResponse body → field code → value (S severity, C SQLSTATE, M message…). */
export function parseErrorFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const code = String.fromCharCode(body[pos]);
    const [value, next] = readCString(body, pos + 1);
    fields.set(code, value);
    pos = next;
  }
  return fields;
}

/** ParameterStatus body → [name, value]. */
export function parseParameterStatus(body: Buffer): [string, string] {
  const [name, next] = readCString(body, 0);
  const [value] = readCString(body, next);
  return [name, value];
}

// ---------------------------------------------------------------------------------------------
// Builders

function message(type: number, bodyLength: number): Buffer {
  const buf = Buffer.allocUnsafe(5 + bodyLength);
  buf[0] = type;
  buf.writeInt32BE(4 + bodyLength, 1);
  return buf;
}

function cstrings(values: string[]): Buffer {
  return Buffer.concat(values.map((v) => Buffer.from(v + '\0', 'utf8')));
}

export interface ErrorFields {
  severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'LOG' | 'INFO' | 'DEBUG';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function errorLike(type: number, fields: ErrorFields): Buffer {
  const parts = [`S${fields.severity}`, `V${fields.severity}`, `C${fields.code}`, `M${fields.message}`];
  if (fields.detail !== undefined) parts.push(`D${fields.detail}`);
  if (fields.hint !== undefined) parts.push(`H${fields.hint}`);
  const body = Buffer.concat([cstrings(parts), Buffer.from([0])]);
  const buf = message(type, body.length);
  body.copy(buf, 5);
  return buf;
}

export function errorResponse(fields: ErrorFields): Buffer {
  return errorLike(Msg.ErrorResponse, fields);
}

export function noticeResponse(fields: ErrorFields): Buffer {
  return errorLike(Msg.NoticeResponse, fields);
}

/** AuthenticationX: `code` from AuthCode, `extra` the method's payload (salt, SASL data…). */
export function authentication(code: number, extra?: Buffer): Buffer {
  const extraLength = extra ? extra.length : 0;
  const buf = message(Msg.Authentication, 4 + extraLength);
  buf.writeInt32BE(code, 5);
  if (extra) extra.copy(buf, 9);
  return buf;
}

/** AuthenticationX carrying `text` (SCRAM's server messages), written straight into the message. */
export function authenticationWithText(code: number, text: string): Buffer {
  const textLength = Buffer.byteLength(text, 'utf8');
  const buf = message(Msg.Authentication, 4 + textLength);
  buf.writeInt32BE(code, 5);
  buf.write(text, 9, 'utf8');
  return buf;
}

export function authenticationSasl(mechanisms: string[]): Buffer {
  return authentication(AuthCode.SASL, Buffer.concat([cstrings(mechanisms), Buffer.from([0])]));
}

export function parameterStatus(name: string, value: string): Buffer {
  const body = cstrings([name, value]);
  const buf = message(Msg.ParameterStatus, body.length);
  body.copy(buf, 5);
  return buf;
}

export function backendKeyData(processId: number, secretKey: number): Buffer {
  const buf = message(Msg.BackendKeyData, 8);
  buf.writeInt32BE(processId, 5);
  buf.writeInt32BE(secretKey, 9);
  return buf;
}

/**
 * The end of a login: `first` (SASLFinal, AuthenticationOk), the ParameterStatus block, BackendKeyData
 * and ReadyForQuery 'I', written into one buffer (one write, and no buffer per message).
 */
export function greeting(first: readonly Buffer[], statuses: Buffer, processId: number, secretKey: number): Buffer {
  let length = statuses.length + 13 + 6;
  for (const part of first) length += part.length;
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  for (const part of first) at += part.copy(buf, at);
  at += statuses.copy(buf, at);
  buf[at] = Msg.BackendKeyData;
  buf.writeInt32BE(12, at + 1);
  buf.writeInt32BE(processId, at + 5);
  buf.writeInt32BE(secretKey, at + 9);
  at += 13;
  buf[at] = Msg.ReadyForQuery;
  buf.writeInt32BE(5, at + 1);
  buf[at + 5] = 0x49; // 'I'
  return buf;
}

export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  const buf = message(Msg.ReadyForQuery, 1);
  buf[5] = status.charCodeAt(0);
  return buf;
}

export function negotiateProtocolVersion(newestMinor: number, unrecognized: string[]): Buffer {
  const names = cstrings(unrecognized);
  const buf = message(Msg.NegotiateProtocolVersion, 8 + names.length);
  buf.writeInt32BE(PROTOCOL_3_0 + newestMinor, 5);
  buf.writeInt32BE(unrecognized.length, 9);
  names.copy(buf, 13);
  return buf;
}

/** Frontend: StartupMessage for protocol 3.0. */
export function startupMessage(params: Record<string, string>): Buffer {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(params)) pairs.push(k, v);
  const body = Buffer.concat([cstrings(pairs), Buffer.from([0])]);
  const buf = Buffer.allocUnsafe(8 + body.length);
  buf.writeInt32BE(buf.length, 0);
  buf.writeInt32BE(PROTOCOL_3_0, 4);
  body.copy(buf, 8);
  return buf;
}

function codeOnlyPacket(code: number): Buffer {
  const buf = Buffer.allocUnsafe(8);
  buf.writeInt32BE(8, 0);
  buf.writeInt32BE(code, 4);
  return buf;
}

export function sslRequest(): Buffer {
  return codeOnlyPacket(SSL_REQUEST_CODE);
}

export function cancelRequest(processId: number, secretKey: number): Buffer {
  const buf = Buffer.allocUnsafe(16);
  buf.writeInt32BE(16, 0);
  buf.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  buf.writeInt32BE(processId, 8);
  buf.writeInt32BE(secretKey, 12);
  return buf;
}

export function query(sql: string): Buffer {
  const text = Buffer.from(sql + '\0', 'utf8');
  const buf = message(Msg.Query, text.length);
  text.copy(buf, 5);
  return buf;
}

export function terminate(): Buffer {
  return message(Msg.Terminate, 0);
}

/** Frontend PasswordMessage (cleartext or md5 response). */
export function passwordMessage(password: string): Buffer {
  const text = Buffer.from(password + '\0', 'utf8');
  const buf = message(Msg.Password, text.length);
  text.copy(buf, 5);
  return buf;
}

export function saslInitialResponse(mechanism: string, data: Buffer): Buffer {
  const name = Buffer.from(mechanism + '\0', 'utf8');
  const buf = message(Msg.Password, name.length + 4 + data.length);
  name.copy(buf, 5);
  buf.writeInt32BE(data.length, 5 + name.length);
  data.copy(buf, 9 + name.length);
  return buf;
}

export function saslResponse(data: Buffer): Buffer {
  const buf = message(Msg.Password, data.length);
  data.copy(buf, 5);
  return buf;
}

/** Parses SASLInitialResponse: mechanism name and the initial client data (-1 length = none). */
export function parseSaslInitialResponse(body: Buffer): { mechanism: string; data: Buffer } {
  const [mechanism, next] = readCString(body, 0);
  if (next + 4 > body.length) throw new ProtocolError('malformed SASLInitialResponse');
  const length = body.readInt32BE(next);
  const data = length < 0 ? EMPTY : body.subarray(next + 4, next + 4 + length);
  return { mechanism, data };
}

/** The SQLSTATE an error carries (ServerLoginError, AuthError…), or `fallback` (socket errors). */
export function sqlstateOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : fallback;
}
