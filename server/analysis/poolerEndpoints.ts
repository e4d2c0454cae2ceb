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

/**
 * A text (a file, a compose service, a value) that names a pooler may put one in front of the server it reaches:
 * nothing is sure then. Pgpool-II is named in its own spellings only (`pgpool`, `Pgpool-II`, `PGPOOL_…`), not by camel-case names of a pg pool (`pgPool`, `getPgPool`).
 */
export function namesPooler(text: string): boolean {
  return /pgbouncer|pgcat|pgdog|supavisor|odyssey|pooler/i.test(text) || /(?:pgpool|Pgpool|PGPOOL)(?![a-z])/.test(text);
}

/**
 * A PostgreSQL URL's host list and query (`postgres://user:pw@host:6543/db?pgbouncer=true`; libpq's several hosts:
 * `postgres://u@h1:5432,h2:6543/db`).
 */
const POSTGRES_URL = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;
/** One host of a URL's host list, and its port: `host`, `host:6543`, `[::1]:5432`. */
const URL_HOST = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/;
/** A libpq key/value connection string opens with a keyword and `=` (`host=db port=5432 dbname=app`). */
const KEY_VALUE_STRING = /^\s*\w+\s*=/;
/** Supabase's shared pooler, Supavisor (`aws-0-<region>.pooler.supabase.com`): session mode on 5432, transaction mode on 6543. */
const SUPABASE_POOLER_HOST = /^[a-z0-9-]+\.pooler\.supabase\.com$/i;
/** The port Supavisor runs session mode on. */
const SUPAVISOR_SESSION_PORT = '5432';
/** A Neon host's pooled endpoint: its first label ends in `-pooler` (`ep-cool-name-123-pooler.us-east-2.aws.neon.tech`). */
const NEON_POOLER_HOST = /^[a-z0-9-]+-pooler\.[a-z0-9.-]+\.neon\.tech$/i;

/** One server a connection string names: its host and port as written (undefined: none written, libpq's default). */
export interface Endpoint {
  host?: string;
  port?: string;
}

/** What a connection string writes of where it connects. */
export interface ConnectionParts {
  /** A URL, or libpq's key/value form (whose values are taken as written: no percent-escapes). */
  form: 'url' | 'keywords';
  /** The (first) host as written (a URL's, brackets and percent-escapes kept: `[::1]`, `%2Frun%2Fpostgresql`; '' when a URL names none). */
  host?: string;
  /** The (first) host's port as written; undefined when none is written or it is empty (libpq's default, 5432). */
  port?: string;
  /**
   * Every server the string names, in order: libpq tries each of several hosts (`h1:5432,h2:6543` in a URL, `host=h1,h2
   * port=5432,6543`, one port for all when only one is written), and any of them may be the one it reaches.
   */
  endpoints: readonly Endpoint[];
  /** A URL's query parameters, percent-decoded, a repeated one's last value (`?host=/run/postgresql&pgbouncer=true`); none in a key/value string. */
  parameters: ReadonlyMap<string, string>;
  /** The database named: a URL's path (percent-decoded) or its `?dbname=`, a key/value string's `dbname`; undefined when none is. */
  database?: string;
}

/**
 * The one reading of a connection string's text: a PostgreSQL URL (`postgres://user:pw@host:6543/db?…`), or libpq's
 * key/value form (`host=… port=…`, values optionally single-quoted, keywords in any case). Undefined for other text.
 */
export function connectionParts(text: string): ConnectionParts | undefined {
  const url = POSTGRES_URL.exec(text);
  if (url) {
    const endpoints = url[1].split(',').map((written): Endpoint => {
      const [, host = '', port] = URL_HOST.exec(written) ?? [];
      return { host, port: port || undefined };
    });
    const parameters = queryParameters(url[3] ?? '');
    const database = parameters.get('dbname') ?? (url[2].length > 1 ? decoded(url[2].slice(1)) : undefined);
    return { form: 'url', ...endpoints[0], endpoints, parameters, ...(database !== undefined && { database }) };
  }
  if (!KEY_VALUE_STRING.test(text)) return undefined;
  const values = keywordValues(text);
  const endpoints = pairedEndpoints(values.get('host'), values.get('port'));
  const database = values.get('dbname');
  return { form: 'keywords', ...endpoints[0], endpoints, parameters: new Map(), ...(database !== undefined && { database }) };
}

/**
 * One `keyword = value` pair of libpq's key/value form, where the last one ended (blanks skipped; the keyword starts a
 * word): the value bare (to the next blank) or single-quoted (to the closing quote), a backslash escaping the next
 * character in both.
 */
const KEYWORD_PAIR = /(?<!\S)([^\s=]+)\s*=\s*(?:'((?:[^'\\]|\\[\s\S])*)'?|((?:[^\s\\]|\\[\s\S])*))/y;
/** A word that is no `keyword = value` pair: stepped over. */
const OTHER_WORD = /\S+/y;
const BLANKS = /\s*/y;

/**
 * A key/value string's keywords (lower case) and values, as libpq tokenises it: a keyword written inside a quoted value
 * (`application_name='seed port=5432'`) is part of that value. A keyword's last value wins (`host=a host=b` reaches b),
 * as a URL's repeated query parameter does. libpq refuses a string with a word that is no pair; it is stepped over here.
 */
function keywordValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  const from = (pattern: RegExp, at: number): RegExpExecArray | null => {
    pattern.lastIndex = at;
    return pattern.exec(text);
  };
  for (let at = BLANKS.lastIndex = 0; at < text.length; ) {
    at += from(BLANKS, at)?.[0].length ?? 0;
    const pair = from(KEYWORD_PAIR, at);
    if (pair) {
      const value = (pair[2] ?? pair[3]).replace(/\\([\s\S])/g, '$1');
      // An empty value is libpq's default, as if the keyword were not written.
      if (value === '') values.delete(pair[1].toLowerCase());
      else values.set(pair[1].toLowerCase(), value);
    }
    const taken = pair?.[0].length || from(OTHER_WORD, at)?.[0].length;
    if (!taken) break;
    at += taken;
  }
  return values;
}

/**
 * Every server a driver may read the string as reaching: each of its hosts (libpq tries several), and, where a URL's
 * `?host=`/`?port=` lists stand before its authority's (libpq, node-postgres: `postgres://localhost:5432/app?host=
 * pool.internal&port=6543` reaches pool.internal:6543), those too, paired as libpq pairs them. A driver that reads
 * only the authority reaches one of the first. A verdict that a string reaches only one kind of server asks of each.
 */
export function possibleEndpoints(parts: ConnectionParts): readonly Endpoint[] {
  const hostList = parts.parameters.get('host');
  const portList = parts.parameters.get('port');
  if (hostList === undefined && portList === undefined) return parts.endpoints;
  return [...parts.endpoints, ...pairedEndpoints(hostList ?? parts.endpoints.map((endpoint) => endpoint.host ?? '').join(','),
    portList ?? parts.endpoints.map((endpoint) => endpoint.port ?? '').join(','))];
}

/** A URL part percent-decoded; undefined when its escapes are malformed (libpq refuses the URL). */
export function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** libpq's comma-separated host and port lists paired (`host=h1,h2 port=5432,6543`): one port written stands for every host. */
function pairedEndpoints(hostList: string | undefined, portList: string | undefined): Endpoint[] {
  const hosts = hostList?.split(',') ?? [undefined];
  const ports = portList?.split(',') ?? [];
  const count = Math.max(hosts.length, ports.length);
  return Array.from({ length: count }, (_, i) => ({ host: hosts[i], port: (ports.length === 1 ? ports[0] : ports[i]) || undefined }));
}

/**
 * The ports a connection string names for any of its servers, its URL's `?port=` list too (`?host=a,b&port=5432,6543`):
 * libpq may reach any of them.
 */
export function endpointPorts(parts: ConnectionParts): string[] {
  const parameterPorts = parts.parameters.get('port')?.split(',') ?? [];
  return [...parts.endpoints.map((endpoint) => endpoint.port), ...parameterPorts].filter((port): port is string => port !== undefined && port !== '');
}

/** Whether a connection string names a pooler's port (POOLER_PORTS) for any of its servers. */
export function namesPoolerPort(text: string): boolean {
  const parts = connectionParts(text.trim());
  return parts !== undefined && endpointPorts(parts).some((port) => POOLER_PORTS.has(port));
}

/**
 * A URL's query as libpq reads it: `&`-separated `key=value` pairs, percent-decoded (a pair that does not decode is
 * left out). A repeated key keeps its last value (`?host=a&host=b` reaches b), as libpq (each value replaces the one
 * before), node-postgres' pg-connection-string (its search parameters copied in order; its older url.parse reading
 * took the last of a repeated key's values) and postgres.js (its search parameters reduced in order) all read it.
 */
function queryParameters(query: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const pair of query.split('&')) {
    const [key, value = ''] = pair.split(/=(.*)/s, 2);
    try {
      const decodedKey = decodeURIComponent(key);
      if (decodedKey !== '') parameters.set(decodedKey, decodeURIComponent(value));
    } catch {
      // A malformed escape (`%ZZ`): libpq refuses the URL; the pair says nothing here.
    }
  }
  return parameters;
}

/**
 * Whether a connection string (a URL, or libpq's `host=… port=…`) says by itself that it reaches a transaction pooler:
 * port 6543, `pgbouncer=true` among its parameters, or a Neon pooled host. Parts the caller could not read (an
 * unresolved variable) are no evidence either way.
 */
export function showsTransactionPooler(connection: string): boolean {
  const parts = connectionParts(connection.trim());
  if (parts === undefined) return false;
  const isNeonPooler = (name: string | undefined): boolean => name !== undefined && NEON_POOLER_HOST.test(name);
  const parameterHosts = parts.parameters.get('host')?.split(',') ?? [];
  return endpointPorts(parts).includes(TRANSACTION_POOLER_PORT) || parts.parameters.get('pgbouncer') === 'true'
    || parts.endpoints.some((endpoint) => isNeonPooler(endpoint.host)) || parameterHosts.some(isNeonPooler);
}

/**
 * Whether a server is a pooler in session mode, which keeps each client connection on one server connection for the
 * connection's whole life (so its session state, prepared statements and locks stay with it): Supavisor's
 * `*.pooler.supabase.com` with port 5432 written out. A port left out is taken from the environment (`PGPORT`) by libpq
 * and node-postgres, so only a written one counts.
 */
export function isSessionModePooler(endpoint: Endpoint): boolean {
  return endpoint.host !== undefined && SUPABASE_POOLER_HOST.test(endpoint.host) && endpoint.port === SUPAVISOR_SESSION_PORT;
}
