// Statements sent to a connection pooler's admin console (the virtual database the pooler answers itself) change
// the pooler, not a PostgreSQL session: no pooling findings there, whatever a template fills in.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** A maintenance script that tunes the pooler through a client made from `options`, then works on the app database. */
const tune = (options: string, preamble = '') => [
  "import pg from 'pg';",
  preamble,
  'export async function tune(key: string, value: string) {',
  `  const console = new pg.Client(${options});`,
  '  await console.connect();',
  '  await console.query(`SET ${key} = ${value}`);',
  "  await console.query('SET default_pool_size = 40');",
  '  await console.end();',
  '}',
  'export async function work(app: pg.Client) {',
  "  await app.query('SET statement_timeout = 0');",
  '}',
  '',
].join('\n');

/** The findings' texts: the app client's SET is always one. */
const found = (text: string) => embeddedFindings(text).map(([rule, at]) => `${rule}: ${at}`);
const APP_ONLY = ['session-set: SET statement_timeout = 0'];

test('SETs sent to a pooler console by name (pgbouncer, pgcat), or admin/console on the pooler port 6432, are not flagged', () => {
  for (const options of [
    "'postgresql://ops:secret@bouncer.internal:6432/pgbouncer'",
    "{ connectionString: 'postgres://pgcat-host/pgcat' }",
    "{ connectionString: CONSOLE_URL }",
    "{ host: 'localhost', port: 6432, database: 'admin', user: 'admin' }",
    "'host=127.0.0.1 port=6432 dbname=console user=odyssey'",
  ]) {
    const text = tune(options, "const CONSOLE_URL = 'postgresql://admin:pw@127.0.0.1:6432/admin';");
    assert.deepEqual(found(text), APP_ONLY, options);
  }
  // A postgres.js client of the console, used as a tag.
  const tagged = "import postgres from 'postgres';\nconst pooler = postgres('postgres://u@localhost:6432/pgbouncer', { prepare: false });\nexport const pause = (db: string) => pooler`SET server_lifetime = 10`;\n";
  assert.deepEqual(found(tagged), []);
});

test('a client of an application database keeps its findings, admin and console included off the pooler port', () => {
  const hole = 'session-set: SET ${key} = ${value}';
  for (const options of [
    "'postgresql://app:secret@db.internal:5432/orders'",
    "'postgresql://app:secret@db.internal/admin'",
    "{ host: 'localhost', database: 'console' }",
    "{ connectionString: process.env.DATABASE_URL }",
    'settings',
  ]) {
    assert.deepEqual(found(tune(options)), [hole, ...APP_ONLY], options);
  }
});

test('a console named only through an escape, in another case or with the port in hex is still seen (the file text check lets it through)', () => {
  for (const options of [
    "'postgresql://ops:secret@bouncer.internal:6432/pg\\x62ouncer'",
    "{ host: 'localhost', port: 0x1920, database: 'Console' }",
    "'host=127.0.0.1 port=6432 dbname=ADMIN user=odyssey'",
    "{ database: `admin`, port: '6432' }",
  ]) {
    assert.deepEqual(found(tune(options)), APP_ONLY, options);
  }
});

// The connection string is read by the one reader of connection strings (poolerEndpoints.ts): `admin` and `console`
// are the console only when every server the string may reach is on the pooler's port, a host list's and a URL's
// `?port=` too (libpq tries each host; a driver may take the query's port or the authority's).
test('admin or console is the pooler console only when every server the string may reach is on the pooler port', () => {
  const hole = 'session-set: SET ${key} = ${value}';
  for (const options of [
    "'postgresql://ops:pw@db.internal:5432,bouncer.internal:6432/admin'",
    "'host=bouncer.internal,db.internal port=6432,5432 dbname=console'",
    "'postgresql://ops@bouncer.internal:6432/admin?port=5432'",
    "'host=db.internal,bouncer.internal port=5432,6432 dbname=console'",
    "'postgresql://ops@bouncer.internal/admin?port=6432'",
  ]) {
    assert.deepEqual(found(tune(options)), [hole, ...APP_ONLY], options);
  }
  for (const options of [
    "'postgresql://ops@[::1]:6432/admin'",
    "'postgresql://ops@bouncer-a.internal:6432,bouncer-b.internal:6432/console'",
    "'postgresql://ops@bouncer.internal:6432/?dbname=admin'",
    "'postgresql://ops@db.internal:5432,bouncer.internal:6432/pgbouncer'",
  ]) {
    assert.deepEqual(found(tune(options)), APP_ONLY, options);
  }
});
