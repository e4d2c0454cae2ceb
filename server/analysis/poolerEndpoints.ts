// What a connection's own text says of a pooler in front of it: the one list of the ports poolers listen on, and
// the marks that make a connection string a transaction pooler's. Two questions with different bars:
//   - "may a pooler be in front?" (a test database is local only if not; a provider host is direct only if not):
//     any pooler's port, PgBouncer's 6432 too, whatever mode it runs in;
//   - "is it a transaction pooler?" (a psql script run on it is no session of its own: psqlRuns.ts): only what says
//     transaction mode by itself. Supabase's transaction port 6543 (Supavisor, and the dedicated PgBouncer), Prisma's
//     `pgbouncer=true` (set for a PgBouncer in transaction mode), Neon's `-pooler` host (its PgBouncer runs in
//     transaction mode). Not 6432, whose PgBouncer runs in session mode unless configured otherwise, nor a
//     `*.pooler.supabase.com` host alone, whose port 5432 is Supavisor's session mode.

/** Ports poolers listen on by default (PgBouncer 6432, Supabase's transaction pooler 6543). */
export const POOLER_PORTS: ReadonlySet<string> = new Set(['6432', '6543']);
/** A pooler's port as a whole number in a text (`…:6543/postgres`, `port=6432`). */
export const POOLER_PORT_TEXT = new RegExp(`\\b(?:${[...POOLER_PORTS].join('|')})\\b`);
/** The port of Supabase's transaction-mode pooler. */
export const TRANSACTION_POOLER_PORT = '6543';

/** A PostgreSQL URL's host, port and query (`postgres://user:pw@host:6543/db?pgbouncer=true`). */
const POSTGRES_URL = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?[^?#]*(?:\?([^#]*))?/i;
/** A Neon host's pooled endpoint: its first label ends in `-pooler` (`ep-cool-name-123-pooler.us-east-2.aws.neon.tech`). */
const NEON_POOLER_HOST = /^[a-z0-9-]+-pooler\.[a-z0-9.-]+\.neon\.tech$/i;

/**
 * Whether a connection string (a URL, or libpq's `host=… port=…`) says by itself that it reaches a transaction pooler:
 * port 6543, `pgbouncer=true` among its parameters, or a Neon pooled host. Parts the caller could not read (an
 * unresolved variable) are no evidence either way.
 */
export function showsTransactionPooler(connection: string): boolean {
  const url = POSTGRES_URL.exec(connection.trim());
  if (url) {
    const parameters = new URLSearchParams(url[3] ?? '');
    return url[2] === TRANSACTION_POOLER_PORT || parameters.get('port') === TRANSACTION_POOLER_PORT
      || parameters.get('pgbouncer') === 'true' || NEON_POOLER_HOST.test(url[1]) || NEON_POOLER_HOST.test(parameters.get('host') ?? '');
  }
  const keyValue = (key: string): string | undefined => new RegExp(`(?:^|\\s)${key}\\s*=\\s*'?([^'\\s]+)`, 'i').exec(connection)?.[1];
  if (!/^\s*\w+\s*=/.test(connection)) return false;
  const host = keyValue('host');
  return keyValue('port') === TRANSACTION_POOLER_PORT || (host !== undefined && NEON_POOLER_HOST.test(host));
}
