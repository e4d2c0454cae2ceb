// auth_query: secrets of users the pooler has no entry for, looked up on the server (PgBouncer's
// auth_user + auth_query). The query runs over the extended protocol with the user name as a bound
// parameter, so no user name can change the SQL. One connection per server database is kept and
// reused; lookups on it run one at a time.
import { userSecret, type UserSecret, AuthError } from './auth';
import type { DatabaseTarget, PoolerConfig } from './config';
import { Msg, MessageReader, parseErrorFields } from './protocol';
import { ServerConnection, type ServerLink } from './server';

const MSG_DATA_ROW = 0x44; // D

/** One auth_user connection and the lookup currently running on it. */
class LookupConnection implements ServerLink {
  private readonly reader = new MessageReader();
  private current: { rows: (string | null)[][]; error?: string; done: (error?: Error) => void } | null = null;
  /** Lookups wait their turn here: the protocol answers one Sync at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  closed = false;

  constructor(readonly server: ServerConnection) {
    server.link = this;
  }

  /** Runs `sql` with `$1 = user`; resolves with the rows as text (null for SQL NULL). */
  run(sql: string, user: string, timeoutMs: number): Promise<(string | null)[][]> {
    const result = this.queue.then(() => this.runNow(sql, user, timeoutMs));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private runNow(sql: string, user: string, timeoutMs: number): Promise<(string | null)[][]> {
    if (this.closed) return Promise.reject(new Error('auth_query connection closed'));
    return new Promise((resolve, reject) => {
      const rows: (string | null)[][] = [];
      const timer = setTimeout(() => this.server.close('auth_query timed out'), timeoutMs);
      this.current = {
        rows,
        done: (error) => {
          clearTimeout(timer);
          this.current = null;
          if (error) reject(error);
          else resolve(rows);
        },
      };
      this.server.write(extendedQuery(sql, [user]));
    });
  }

  onServerData(chunk: Buffer): void {
    this.reader.push(Buffer.from(chunk)); // the server may read into a reused buffer
    for (let message = this.reader.next(); message; message = this.reader.next()) {
      const current = this.current;
      if (!current) continue; // ParameterStatus or notices between lookups
      if (message.type === MSG_DATA_ROW) current.rows.push(parseDataRow(message.body));
      else if (message.type === Msg.ErrorResponse) current.error ??= parseErrorFields(message.body).get('M') ?? 'error';
      else if (message.type === Msg.ReadyForQuery) current.done(current.error ? new AuthError(`auth_query failed: ${current.error}`, '08P01') : undefined);
    }
  }

  onServerDrain(): void {}

  onServerClosed(_server: ServerConnection, reason: string): void {
    this.closed = true;
    this.current?.done(new AuthError(`auth_query connection lost: ${reason}`, '08P01'));
  }
}

export class AuthQuery {
  private readonly connections = new Map<string, Promise<LookupConnection>>();

  constructor(
    private readonly config: () => PoolerConfig,
    private readonly nextServerId: () => number,
  ) {}

  /** The secret auth_query (run as `authUser`) returns for `user` on `target`'s server; undefined when no row/no password. */
  async lookup(target: DatabaseTarget, authUser: string, user: string): Promise<UserSecret | undefined> {
    const config = this.config();
    const timeoutMs = Math.max(1, config.server_connect_timeout) * 1000;
    const connection = await this.connectionFor(target, authUser);
    const rows = await connection.run(config.auth_query, user, timeoutMs);
    const row = rows[0];
    // PostgreSQL's rule: a user without a password (NULL) cannot log in with one.
    if (!row || row.length < 2 || row[1] === null || row[1] === '') return undefined;
    return userSecret(user, row[1]);
  }

  private connectionFor(target: DatabaseTarget, authUser: string): Promise<LookupConnection> {
    const config = this.config();
    const key = `${target.host}\0${target.port}\0${target.dbname}\0${authUser}`;
    const cached = this.connections.get(key);
    if (cached) return cached;
    const password = config.users.get(authUser)?.password ?? (target.user === authUser ? target.password : undefined);
    const login: DatabaseTarget = { ...target, user: authUser, password, scramKeys: undefined };
    const opening = ServerConnection.connect(this.nextServerId(), login, config.server_connect_timeout * 1000).then((server) => {
      const connection = new LookupConnection(server);
      server.onClose = () => {
        if (this.connections.get(key) === opening) this.connections.delete(key);
      };
      return connection;
    });
    this.connections.set(key, opening);
    opening.catch(() => this.connections.delete(key)); // the next login tries again
    return opening;
  }

  /** Closes the lookup connections (pooler shutdown). */
  close(): void {
    for (const opening of this.connections.values()) opening.then((c) => c.server.close('pooler is shutting down'), () => {});
    this.connections.clear();
  }
}

function parseDataRow(body: Buffer): (string | null)[] {
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
