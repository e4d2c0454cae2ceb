// What a connection string's text says of its host: this machine (a loopback host), a template hole standing for the
// host, a Unix-socket directory, or another host by its name. Plain text reading, no TypeScript: the eager bundles
// (cli.js, server.js, lintWorker.js, pooler.js) read env, compose and CI files with it (testEnvironment.ts,
// composeFiles.ts, reached from psqlRuns.ts), and the compiler is loaded only with dist/embedded.js (esbuild.mjs
// fails a build whose eager bundle includes it). localTestDatabases.ts reads code's connection strings with it.
import { POOLER_PORTS, connectionParts, decoded, possibleEndpoints } from './poolerEndpoints';

/** Loopback hosts: `localhost`, IPv4 127/8, IPv6 `::1` (bracketed in URLs). */
export const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;
/** A hole of a template, as put into its skeleton text. */
const HOLE = /^\u0000(\d+)\u0000$/;

/** What a connection string's text says of its host: a loopback host, a hole (by index) that stands for it, or neither. */
export type HostPart = { kind: 'loopback' } | { kind: 'hole'; index: number; portHole?: number } | { kind: 'other'; host?: string; port?: string };

/**
 * Each server a connection string may reach judged alone: every host of a list, and a URL's `?host=`/`?port=` ones
 * (possibleEndpoints), for a caller that asks of each whether it is one of its own (this machine, a compose service:
 * `postgres://u@pg:5432,localhost:5432/t`, or a template hole standing for the host: `postgres://u@${host}/t`). In
 * `text`, template holes are written `\0<n>\0`. A text that is no connection string is judged as a bare host, which
 * keeps no name: it may be a user's or a database's (`user: 'postgres'`), which must not be read as a compose service
 * called `postgres`. Only a URL or a `host=` string names a service's host.
 */
export function serverParts(text: string): HostPart[] {
  const parts = connectionParts(text);
  if (parts === undefined) {
    const bare = judgeHost(text, undefined);
    return [bare.kind === 'other' ? { kind: 'other' } : bare];
  }
  return parts.host === undefined ? [{ kind: 'other' }] : possibleEndpoints(parts).map((endpoint) => judgeHost(endpoint.host ?? '', endpoint.port));
}

/** A PostgreSQL URL written out whole: no `$VAR`, `${…}`, backtick or `{{ … }}` template left in it. */
const WRITTEN_URL = /^postgres(?:ql)?:\/\/[^$`{]*$/;

/**
 * A value given a URL variable that is a URL written out whole whose servers are all this machine
 * (`postgresql://app@localhost:5433/app`): the one test of "set locally" for the migration CLIs' commands
 * (prismaMigrate.ts, nodePgMigrateCli.ts).
 */
export function isWrittenLocalUrl(value: string): boolean {
  return WRITTEN_URL.test(value) && reachesOnlyThisMachine(value);
}

/**
 * Whether every server a connection string (or a bare host) may reach is this machine, none on a pooler's port
 * (serverParts): `postgres://u@localhost:5432,127.0.0.1:5433/t` is; `postgres://u@localhost/t?host=db.example.com`
 * is not.
 */
export function reachesOnlyThisMachine(text: string): boolean {
  return serverParts(text).every((server) => server.kind === 'loopback');
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
