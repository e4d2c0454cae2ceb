// Which secret a client's login is checked against (PgBouncer's set_pool): the auth_file entry, else
// an auth_query lookup on the authentication database, else none. With none, the exchange still runs,
// against a secret that never verifies (PgBouncer's mock authentication), so a wrong password and an
// unknown user or database look alike to a prober.
import { AuthError, type UserSecret } from './auth';
import { CONFIG_ERROR, type AuthQuery } from './auth-query';
import { isAdminDatabase, reservedAuthDbnameMessage, resolveDatabase, type DatabaseTarget, type PoolerConfig } from './config';
import { logLine } from './log';

export interface LoginSecret {
  /** undefined: a user the pooler does not know (mock authentication). */
  secret: UserSecret | undefined;
  /** Whether auth_type trust admits the user. */
  trusted: boolean;
  /** The secret came from auth_query: the server login of a database without user= uses it. */
  lookedUp: boolean;
}

export interface LoginHost {
  readonly config: PoolerConfig;
  readonly authQuery: AuthQuery;
  readonly disabledDatabases: ReadonlySet<string>;
}

/**
 * `target` is what `database` resolves to; undefined for the admin console or for a database that
 * does not exist, whose login is mocked and refused only once authentication has succeeded.
 * Answers at once unless auth_query must be asked (a login then costs no promise).
 */
export function findLoginSecret(host: LoginHost, database: string, target: DatabaseTarget | undefined, user: string): LoginSecret | Promise<LoginSecret> {
  const config = host.config;
  const known = config.users.get(user);
  if (known) return { secret: known, trusted: true, lookedUp: false };
  const authUser = target?.auth_user || config.auth_user;
  // Nothing to look a user up with, or no server to look on (an unknown database): mock.
  if (!authUser || (!target && !isAdminDatabase(database))) {
    // auth_type trust also admits a database's forced user (user=), which PgBouncer registers as known.
    return { secret: undefined, trusted: target !== undefined && user === target.user, lookedUp: false };
  }
  return lookUp(host, database, target, authUser, user);
}

async function lookUp(host: LoginHost, database: string, target: DatabaseTarget | undefined, authUser: string, user: string): Promise<LoginSecret> {
  const config = host.config;
  const authDatabase = authDatabaseFor(host, database, target);
  const found = await host.authQuery.lookup(authDatabase, authUser, target?.auth_query ?? config.auth_query, user);
  // PgBouncer tells the client "no such user" here; PoolSafe mocks this miss too, so auth_query
  // cannot be used to find out which users exist.
  if (!found) return { secret: undefined, trusted: false, lookedUp: false };
  return { secret: found, trusted: true, lookedUp: true };
}

/**
 * Where auth_query runs: the database's auth_dbname, else the global one, else the client's own
 * database. The admin console is never one (it has no server to run a query on).
 */
function authDatabaseFor(host: LoginHost, database: string, target: DatabaseTarget | undefined): DatabaseTarget {
  const name = target?.auth_dbname || host.config.auth_dbname;
  if (!name) return target ?? reservedAuthDatabase(database);
  if (isAdminDatabase(name)) return reservedAuthDatabase(name);
  const found = resolveDatabase(host.config, name);
  if (!found) {
    logLine(`authentication database "${name}" is not configured.`);
    throw new AuthError(CONFIG_ERROR, '08P01');
  }
  if (host.disabledDatabases.has(found.name)) throw new AuthError(`authentication database "${name}" is disabled`, '08P01');
  return found;
}

function reservedAuthDatabase(name: string): never {
  logLine(reservedAuthDbnameMessage(name));
  throw new AuthError(CONFIG_ERROR, '08P01');
}
