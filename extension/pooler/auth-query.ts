// auth_query: secrets of users the pooler has no entry for, looked up on the server (PgBouncer's
// auth_user + auth_query). The query runs over the extended protocol with the user name as a bound
// parameter, so no user name can change the SQL. One connection per server database is kept and
// reused; lookups on it run one at a time.
import { userSecret, type UserSecret, AuthError } from './auth';
import type { DatabaseTarget, PoolerConfig } from './config';
import { ServerConnection } from './server';
import { SqlConnection } from './sqlConnection';

export class AuthQuery {
  private readonly connections = new Map<string, Promise<SqlConnection>>();

  constructor(
    private readonly config: () => PoolerConfig,
    private readonly nextServerId: () => number,
  ) {}

  /** The secret auth_query (run as `authUser`) returns for `user` on `target`'s server; undefined when no row/no password. */
  async lookup(target: DatabaseTarget, authUser: string, user: string): Promise<UserSecret | undefined> {
    const config = this.config();
    const timeoutMs = Math.max(1, config.server_connect_timeout) * 1000;
    const connection = await this.connectionFor(target, authUser);
    const rows = await connection.run(config.auth_query, [user], timeoutMs).catch((error: Error) => {
      throw new AuthError(`auth_query failed: ${error.message}`, '08P01');
    });
    const row = rows[0];
    // PostgreSQL's rule: a user without a password (NULL) cannot log in with one.
    if (!row || row.length < 2 || row[1] === null || row[1] === '') return undefined;
    return userSecret(user, row[1]);
  }

  private connectionFor(target: DatabaseTarget, authUser: string): Promise<SqlConnection> {
    const config = this.config();
    const key = `${target.host}\0${target.port}\0${target.dbname}\0${authUser}`;
    const cached = this.connections.get(key);
    if (cached) return cached;
    const password = config.users.get(authUser)?.password ?? (target.user === authUser ? target.password : undefined);
    const login: DatabaseTarget = { ...target, user: authUser, password, scramKeys: undefined };
    const opening = ServerConnection.connect(this.nextServerId(), login, config.server_connect_timeout * 1000).then((server) => {
      const connection = new SqlConnection(server);
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
