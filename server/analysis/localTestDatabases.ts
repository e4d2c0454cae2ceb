// Test code's local database: in a test file (inProcess.ts's TEST_PATH) a connection string, or a host, that
// points at this machine — `postgres://app:app@localhost:5432/app_test`, `host=127.0.0.1 dbname=t`, a host
// `localhost` / `127.x.x.x` / `::1` — reaches the PostgreSQL the test suite runs beside it (a compose service, a
// container the harness starts, a developer's server), with no transaction pooler between unless one listens on
// a pooler's port (PgBouncer's 6432, Supabase's 6543). ownServerClients.ts treats such values, and values built
// from environment variables with such a literal default (`process.env.TEST_PG_HOST ?? '127.0.0.1'`), like the
// URL of a server the code started itself, when the variable is one the suite keeps for its test database (its name
// says test); the application's own `DATABASE_URL` with a local default is production's setting too. Outside test
// code a local default proves nothing about production. What the repository's test environment says of a variable with
// no literal in the code (a CI workflow's env, `.env.test`) is read by testEnvironment.ts.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { environmentName } from './environmentReads';
import { nameWords } from './directUrls';
import { POOLER_PORTS, connectionParts } from './poolerEndpoints';

/** Loopback hosts: `localhost`, IPv4 127/8, IPv6 `::1` (bracketed in URLs). */
export const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;
/** A hole of a template, as put into its skeleton text. */
const HOLE = /^\u0000(\d+)\u0000$/;

/** What a connection string's text says of its host: a loopback host, a hole (by index) that stands for it, or neither. */
export type HostPart = { kind: 'loopback' } | { kind: 'hole'; index: number; portHole?: number } | { kind: 'other'; host?: string; port?: string };

/**
 * The host of a PostgreSQL URL (`postgres://user:pw@host:port/db?…`) or key/value connection string
 * (`host=… port=…`), or of a bare host, in `text`, where template holes are written `\0<n>\0`.
 */
export function hostPart(text: string): HostPart {
  const parts = connectionParts(text);
  if (parts !== undefined) return parts.host !== undefined ? judgeHost(parts.host, parts.port) : { kind: 'other' };
  // A bare string keeps no host name: it may be a user's or a database's name (`user: 'postgres'`), which must not be
  // read as a compose service called `postgres`. Only a URL or a `host=` string names a service's host.
  const bare = judgeHost(text, undefined);
  return bare.kind === 'other' ? { kind: 'other' } : bare;
}

/**
 * The Unix-socket directory a connection string names as its host, and its port as written (undefined: none, which
 * is PostgreSQL's 5432): `postgres://u@/db?host=/run/postgresql&port=5432`, `postgres://%2Frun%2Fpostgresql:5432/db`,
 * `host=/run/postgresql port=5432 dbname=t`. Undefined for a host name, or a directory the text does not write out.
 */
export function socketHost(text: string): { directory: string; port?: string } | undefined {
  const parts = connectionParts(text);
  if (parts === undefined) return undefined;
  // A URL's `?host=`/`?port=` parameters stand before its authority's; its host is percent-decoded (`%2Frun%2Fpostgresql`).
  const directory = parts.parameters.get('host') ?? (parts.form === 'url' ? decoded(parts.host ?? '') : parts.host);
  const port = parts.parameters.get('port') ?? parts.port;
  if (directory === undefined || !/^\/[\w./-]*$/.test(directory) || (port !== undefined && !/^\d+$/.test(port))) return undefined;
  return { directory: withoutTrailingSlashes(directory), ...(port !== undefined && { port }) };
}

/** A URL part percent-decoded; undefined when its escapes are malformed. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A directory's path without the slashes that may end it (`/run/postgresql/` is `/run/postgresql`; `/` stays). */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}

/** The host judged; another host keeps its name and port as written (a compose service's name: composeFiles.ts). */
function judgeHost(host: string, port: string | undefined): HostPart {
  if (port !== undefined && POOLER_PORTS.has(port)) return { kind: 'other' };
  const portHole = port !== undefined ? HOLE.exec(port) : null;
  const hole = HOLE.exec(host);
  if (hole) return { kind: 'hole', index: Number(hole[1]), ...(portHole && { portHole: Number(portHole[1]) }) };
  return LOOPBACK_HOST.test(host) ? { kind: 'loopback' } : { kind: 'other', host, ...(port !== undefined && { port }) };
}

/** A template's text with each hole written `\0<n>\0` (n: the hole's index), and its hole expressions. */
export function templateSkeleton(template: ts.TemplateExpression): { text: string; holes: ts.Expression[] } {
  let text = template.head.text;
  const holes: ts.Expression[] = [];
  for (const span of template.templateSpans) {
    text += `\u0000${holes.length}\u0000${span.literal.text}`;
    holes.push(span.expression);
  }
  return { text, holes };
}

/**
 * The same skeleton for a string built with `+` (`base + '?application_name=t'`, `'postgres://u@' + host + ':5432/t'`):
 * string parts as text, templates as their skeletons, anything else a hole. Undefined without a string part.
 */
export function concatenationSkeleton(sum: ts.BinaryExpression): { text: string; holes: ts.Expression[] } | undefined {
  let text = '';
  let strings = 0;
  const holes: ts.Expression[] = [];
  const add = (part: ts.Expression): void => {
    const value = unwrap(part);
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      add(value.left);
      add(value.right);
    } else if (ts.isStringLiteralLike(value)) {
      text += value.text;
      strings++;
    } else if (ts.isTemplateExpression(value)) {
      const inner = templateSkeleton(value);
      text += inner.text.replace(/\u0000(\d+)\u0000/g, (_, n: string) => `\u0000${holes.length + Number(n)}\u0000`);
      holes.push(...inner.holes);
      strings++;
    } else {
      text += `\u0000${holes.length}\u0000`;
      holes.push(part);
    }
  };
  add(sum);
  return strings > 0 ? { text, holes } : undefined;
}

/**
 * An environment variable the suite keeps for its test database: its name has a word saying so
 * (`TEST_DATABASE_URL`, `DATABASE_URL_TEST`, `APP_TEST_PG_HOST`, `PGHOST_TESTING`, `E2E_DATABASE_URL`). The application's own setting
 * (`DATABASE_URL`, `PGHOST`) read by a test with a local default is the setting production uses too, pooler and all.
 */
export function readsTestEnvironment(expression: ts.Expression): boolean {
  const name = environmentName(expression);
  return name !== undefined && (nameWords(name).some((word) => TEST_WORDS.has(word)) || END_TO_END.test(name));
}
const TEST_WORDS = new Set(['test', 'tests', 'testing', 'spec', 'integration']);
/** An end-to-end suite's variable (`E2E_DATABASE_URL`, `PG_URL_E2E`): read whole, as nameWords splits `E2E` at its digit. */
const END_TO_END = /(?:^|[^a-z\d])e2e(?:[^a-z\d]|$)/i;
