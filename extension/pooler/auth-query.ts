// auth_query: secrets of users the pooler has no entry for, looked up on the server (PgBouncer's
// auth_user + auth_query). The query runs over the extended protocol with the user name as a bound
// parameter, so no user name can change the SQL. One connection per server database is kept and
// reused; lookups on it run one at a time.
import { userSecret, type UserSecret, AuthError } from './auth';
import type { DatabaseTarget, PoolerConfig } from './config';
import { ServerConnection, logServerLoginFailure } from './server';
import { SqlConnection, SqlError } from './sqlConnection';
import { logLine } from './log';

/** PgBouncer's answer to a client whose login hit a configuration problem (auth_query, auth_dbname). */
export const CONFIG_ERROR = 'bouncer config error';

export class AuthQuery {
  private readonly connections = new Map<string, Promise<SqlConnection>>();

  constructor(
    private readonly config: () => PoolerConfig,
    private readonly nextSocketId: () => number,
  ) {}

  /**
   * Runs `sql` (auth_query, `$1` = `user`) as `authUser` on `target`'s server. Resolves with the
   * user's secret (one without any password form when the row's password is NULL or empty: such a
   * user cannot log in with a password, as in PostgreSQL), or null when no row names the user.
   * An error from the query itself is logged and reported as PgBouncer's "bouncer config error".
   */
  async lookup(target: DatabaseTarget, authUser: string, sql: string, user: string): Promise<UserSecret | null> {
    const config = this.config();
    const timeoutMs = Math.max(1, config.server_connect_timeout) * 1000;
    const connection = await this.connectionFor(target, authUser);
    const rows = await connection.run(sql, [user], timeoutMs).catch((error: Error) => {
      if (!(error instanceof SqlError)) throw new AuthError(`auth_query failed: ${error.message}`, '08P01');
      logLine(`error in auth_query: ${error.severity} ${error.message}`);
      throw new AuthError(CONFIG_ERROR, '08P01');
    });
    const row = rows[0];
    if (!row) return null;
    if (row.length < 2 || row[1] === null || row[1] === '') return { name: user };
    return userSecret(user, row[1]);
  }

  private connectionFor(target: DatabaseTarget, authUser: string): Promise<SqlConnection> {
    const config = this.config();
    const key = `${target.host}\0${target.port}\0${target.dbname}\0${authUser}`;
    const cached = this.connections.get(key);
    if (cached) return cached;
    // The auth_user's auth_file entry (plaintext or md5), else the database's own password for it.
    const secret = config.users.get(authUser);
    const password = secret?.password ?? (target.user === authUser ? target.password : undefined);
    const login: DatabaseTarget = { ...target, user: authUser, password, secret, scramKeys: undefined };
    const opening = ServerConnection.connect(this.nextSocketId(), login, config.server_connect_timeout * 1000).then((server) => {
      const connection = new SqlConnection(server);
      server.onClose = () => {
        if (this.connections.get(key) === opening) this.connections.delete(key);
      };
      return connection;
    });
    this.connections.set(key, opening);
    opening.catch((error: Error) => {
      logServerLoginFailure(error);
      this.connections.delete(key); // the next login tries again
    });
    return opening;
  }

  /** Closes the lookup connections (pooler shutdown). */
  close(): void {
    for (const opening of this.connections.values()) opening.then((c) => c.server.close('pooler is shutting down'), () => {});
    this.connections.clear();
  }
}
