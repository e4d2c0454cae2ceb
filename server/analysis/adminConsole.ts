// Clients of a connection pooler's admin console: the virtual database the pooler answers itself — PgBouncer's
// `pgbouncer`, pgcat's `pgcat` (or `pgbouncer`), PgDog's `admin`, Odyssey's `console` — where `SHOW POOLS`,
// `RELOAD` and `SET default_pool_size = 20` change or show the pooler, never a PostgreSQL session. Statements sent
// there are no pooling hazard, whatever setting name a template fills in. A client counts when the code makes it
// (`new Client(…)`, `new pg.Pool(…)`, `postgres(…)`, held in a const, or a let with one reaching value) from a
// connection string written in the file (directly or through consts) whose database is one of these, or from
// options naming such a `database`. `admin` and `console` are ordinary database names too: they count only with
// the port poolers listen on by default, 6432, written beside them.
import ts from 'typescript';
import { literalText, objectProperty, unwrap, type Flow } from './embeddedFlow';
import { connectionParts, possibleEndpoints } from './poolerEndpoints';

/** Databases only a pooler's console is called. */
const CONSOLE_DATABASES = new Set(['pgbouncer', 'pgcat']);
/** Console databases whose names an application database may have too: only on the pooler's port. */
const CONSOLE_DATABASES_ON_POOLER_PORT = new Set(['admin', 'console']);
/** The port PgBouncer, pgcat, PgDog and Odyssey listen on by default. */
const POOLER_PORT = '6432';
/** How many consts a client, or its connection string, is followed through. */
const MAX_DEPTH = 4;

/** Whether queries on `receiver` go to a pooler's admin console (see above). */
export function connectsToAdminConsole(receiver: ts.Expression, flow: Flow): boolean {
  let value = unwrap(receiver);
  for (let depth = 0; ts.isIdentifier(value) && depth < MAX_DEPTH; depth++) {
    const initializer = flow.constantInitializer(value);
    if (!initializer) return false;
    value = unwrap(initializer);
  }
  if (!ts.isNewExpression(value) && !ts.isCallExpression(value)) return false;
  const first = value.arguments?.[0];
  return first !== undefined && namesConsole(first, flow);
}

/**
 * Whether a file's text may make a console client (connectsToAdminConsole reads only this file's literals, through its
 * consts): a console database's name is then written in it, `pgbouncer` or `pgcat`, or `admin` or `console` at the
 * start of a literal or after a URL's `/` or a `dbname=` (the port beside them is not looked for: a number may be
 * written as `0x1920`). An escape may spell any letter (`'pg\x62ouncer'`, `'\admin'`): a file with a backslash may.
 * Most files name none, and their queries' receivers are then not traced to their creation.
 */
export function mayNameAdminConsole(text: string): boolean {
  return text.includes('\\') || CONSOLE_NAME_IN_TEXT.test(text);
}

const CONSOLE_NAME_IN_TEXT = new RegExp(`${[...CONSOLE_DATABASES].join('|')}|(?:['"\x60/]|=\\s*)(?:${[...CONSOLE_DATABASES_ON_POOLER_PORT].join('|')})`, 'i');

/** A connection string, or options (`{ connectionString }`, `{ database, port }`), that reach a console. */
function namesConsole(argument: ts.Expression, flow: Flow): boolean {
  const value = unwrap(argument);
  if (!ts.isObjectLiteralExpression(value)) {
    const text = literalText(value, flow, 0);
    return text !== undefined && connectionStringNamesConsole(text);
  }
  const url = objectProperty(value, 'connectionString') ?? objectProperty(value, 'url') ?? objectProperty(value, 'connection');
  if (url) return namesConsole(url, flow);
  const database = objectProperty(value, 'database');
  const port = objectProperty(value, 'port');
  const name = database && literalText(database, flow, 0);
  return name !== undefined && isConsole(name, [port && literalText(port, flow, 0)]);
}


/**
 * `postgresql://user:pw@host:6432/pgbouncer?…`, or libpq's `host=… port=6432 dbname=pgbouncer`, read by the one reader
 * of connection strings (connectionParts): its database, and the port of every server it may reach (a host list's,
 * a URL's `?port=`), each of which must be the pooler's for `admin` or `console`.
 */
function connectionStringNamesConsole(text: string): boolean {
  const parts = connectionParts(text.trim());
  return parts?.database !== undefined && isConsole(parts.database, possibleEndpoints(parts).map((endpoint) => endpoint.port));
}

/** A console database: by its name alone, or `admin`/`console` with every port it may be reached on the pooler's. */
function isConsole(database: string, ports: readonly (string | undefined)[]): boolean {
  const name = database.toLowerCase();
  return CONSOLE_DATABASES.has(name) || (CONSOLE_DATABASES_ON_POOLER_PORT.has(name) && ports.length > 0 && ports.every((port) => port === POOLER_PORT));
}
