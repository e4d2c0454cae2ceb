// The dev database the pooler fronts: URL handling without vscode (password split off for
// SecretStorage, redaction, the connection string apps use through the pooler, .env defaults).

/** A URL with the password removed, and that password (undefined when the URL had none). */
export interface SplitTarget {
  url: string;
  password: string | undefined;
}

function parsePostgresUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error('not a URL: expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// or postgresql:// URL (got ${url.protocol}//…)`);
  }
  if (!url.hostname) throw new Error('the URL has no host: expected postgres://user:password@host:5432/database');
  return url;
}

/** Checks a target URL; returns undefined when usable, else the reason (for the input box). */
export function validateTargetUrl(text: string): string | undefined {
  try {
    parsePostgresUrl(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Splits the password off so only the URL lands in settings and the password in SecretStorage. */
export function splitPassword(text: string): SplitTarget {
  const url = parsePostgresUrl(text);
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.password = '';
  return { url: url.toString(), password };
}

export function withPassword(text: string, password: string | undefined): string {
  const url = parsePostgresUrl(text);
  if (password !== undefined && password !== '') url.password = encodeURIComponent(password);
  return url.toString();
}

/** The same URL with any password shown as `***` (for tooltips, logs, notifications). */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Key under which SecretStorage keeps the password of one login (user at host:port). */
export function secretKeyFor(text: string): string {
  const url = parsePostgresUrl(text);
  return `poolsafe.password:${decodeURIComponent(url.username)}@${url.hostname}:${url.port || '5432'}`;
}

/**
 * What the application should connect to: the pooler's address with the target's user, database
 * and query options (clients log in to PoolSafe with the target's own credentials).
 */
export function poolerConnectionString(target: string, host: string, port: number, password?: string): string {
  const url = parsePostgresUrl(target);
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = String(port);
  url.password = password ? encodeURIComponent(password) : '';
  // sslmode applies between the pooler and the server; the pooler itself listens without TLS.
  url.searchParams.delete('sslmode');
  url.searchParams.delete('sslrootcert');
  return url.toString();
}

/** Parses a dotenv file: KEY=value lines, `export` prefixes, quotes, # comments. */
export function parseDotEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(rawLine);
    if (!match) continue;
    values.set(match[1], unquoteDotEnvValue(match[2]));
  }
  return values;
}

function unquoteDotEnvValue(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if (quote === '"' || quote === "'" || quote === '`') {
    const end = value.indexOf(quote, 1);
    if (end > 0) {
      const inner = value.slice(1, end);
      return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
    }
  }
  // Unquoted: an inline comment starts at ` #`.
  return value.replace(/\s+#.*$/, '');
}

/** The URL to offer first: DATABASE_URL from the environment, else from the workspace .env. */
export function defaultTargetUrl(env: NodeJS.ProcessEnv, dotEnvText: string | undefined): string | undefined {
  const candidates = [env.DATABASE_URL, dotEnvText === undefined ? undefined : parseDotEnv(dotEnvText).get('DATABASE_URL')];
  return candidates.find((value) => value !== undefined && value !== '' && validateTargetUrl(value) === undefined);
}
