// A server connection the pooler uses for its own queries (auth_query lookups, replica health and
// delay checks, function volatility): one query at a time, over the extended protocol with bound
// text parameters, rows returned as text.
import { Msg, MessageReader, parseErrorFields } from './protocol';
import type { ServerConnection, ServerLink } from './server';

const MSG_DATA_ROW = 0x44; // D

/** The server answered the query with an error (as opposed to the connection failing). */
export class SqlError extends Error {
  constructor(message: string, readonly severity: string) {
    super(message);
  }
}

function sqlError(body: Buffer): SqlError {
  const fields = parseErrorFields(body);
  return new SqlError(fields.get('M') ?? 'error', fields.get('S') ?? 'ERROR');
}

/** One server connection of the pooler's own and the query currently running on it. */
export class SqlConnection implements ServerLink {
  private readonly reader = new MessageReader();
  private current: { rows: (string | null)[][]; error?: SqlError; done: (error?: Error) => void } | null = null;
  /** Lookups wait their turn here: the protocol answers one Sync at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  closed = false;

  constructor(readonly server: ServerConnection) {
    server.link = this;
  }

  /** Runs `sql` with `params` bound as $1…; resolves with the rows as text (null for SQL NULL). */
  run(sql: string, params: string[], timeoutMs: number): Promise<(string | null)[][]> {
    const result = this.queue.then(() => this.runNow(sql, params, timeoutMs));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private runNow(sql: string, params: string[], timeoutMs: number): Promise<(string | null)[][]> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const rows: (string | null)[][] = [];
      const timer = setTimeout(() => this.server.close('query timed out'), timeoutMs);
      this.current = {
        rows,
        done: (error) => {
          clearTimeout(timer);
          this.current = null;
          if (error) reject(error);
          else resolve(rows);
        },
      };
      this.server.write(extendedQuery(sql, params));
    });
  }

  onServerData(chunk: Buffer): void {
    this.reader.push(Buffer.from(chunk)); // the server may read into a reused buffer
    for (let message = this.reader.next(); message; message = this.reader.next()) {
      const current = this.current;
      if (!current) continue; // ParameterStatus or notices between lookups
      if (message.type === MSG_DATA_ROW) current.rows.push(parseDataRow(message.body));
      else if (message.type === Msg.ErrorResponse) current.error ??= sqlError(message.body);
      else if (message.type === Msg.ReadyForQuery) current.done(current.error);
    }
  }

  onServerDrain(): void {}

  onServerClosed(_server: ServerConnection, reason: string): void {
    this.closed = true;
    this.current?.done(new Error(`connection lost: ${reason}`));
  }
}

/** Text columns of one DataRow (null for SQL NULL). */
export function parseDataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const values: (string | null)[] = [];
  let pos = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(pos);
    pos += 4;
    if (length < 0) {
      values.push(null);
      continue;
    }
    values.push(body.toString('utf8', pos, pos + length));
    pos += length;
  }
  return values;
}

function message(type: string, parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function int16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeInt16BE(value);
  return buf;
}

function int32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32BE(value);
  return buf;
}

const cstring = (text: string) => Buffer.from(text + '\0', 'utf8');

/** Parse + Bind (text parameters) + Execute + Sync on the unnamed statement and portal. */
function extendedQuery(sql: string, params: string[]): Buffer {
  const values = params.flatMap((value) => {
    const bytes = Buffer.from(value, 'utf8');
    return [int32(bytes.length), bytes];
  });
  return Buffer.concat([
    message('P', [cstring(''), cstring(sql), int16(0)]),
    message('B', [cstring(''), cstring(''), int16(0), int16(params.length), ...values, int16(0)]),
    message('E', [cstring(''), int32(0)]),
    message('S', []),
  ]);
}
