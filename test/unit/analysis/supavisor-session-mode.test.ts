// Supabase's shared pooler (Supavisor, `*.pooler.supabase.com`) runs session mode on port 5432: each client
// connection keeps one server connection for its whole life, so a postgres.js client's named statements, a SET or a
// LISTEN stay where they were made. Port 6543 is its transaction mode. Only when every server a written-out string may
// reach keeps the session is the client's traffic read as unpooled.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/edge/handler.ts').map(([rule, at]) => `${rule} ${at}`);
const PREPARES = ['protocol-prepared-statement postgres'];

/** A handler on a postgres.js pool made from `url` (an expression), re-running one query per request. */
const handler = (url: string, declarations = '') => [
  "import postgres from 'postgres';",
  declarations,
  `const sql = postgres(${url}, { max: 10 });`,
  'export async function handle(id: string) {',
  '  return sql`SELECT name FROM items WHERE id = ${id}`;',
  '}',
].join('\n');

const SESSION = 'postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';

test('a pool on Supavisor session mode (port 5432 written out) prepares on connections it keeps', () => {
  assert.deepEqual(found(handler(`'${SESSION}'`)), []);
  assert.deepEqual(found(handler('DB', `const DB = '${SESSION}?sslmode=require';`)), []);
});

test('a let holding only such literals counts; one reassigned from elsewhere does not', () => {
  assert.deepEqual(found(handler('dsn', `let dsn = '${SESSION}';`)), []);
  assert.deepEqual(found(handler('dsn', `let dsn = '${SESSION}';\nif (process.env.REGION) dsn = '${SESSION.replace('eu-central-1', 'us-east-1')}';`)), []);
  assert.deepEqual(found(handler('dsn', `let dsn = '${SESSION}';\nif (process.env.DB) dsn = process.env.DB;`)), PREPARES);
  assert.deepEqual(found(handler('dsn', `let dsn = '${SESSION}';\ndsn += '&options=x';`)), PREPARES);
});

test('connection options naming the session-mode host and port count too', () => {
  const options = "{ host: 'aws-0-eu-central-1.pooler.supabase.com', port: 5432, database: 'postgres' }";
  assert.deepEqual(found(handler(options)), []);
});

test('transaction mode, an unwritten port, pgbouncer=true or another server on the list keep the finding', () => {
  assert.deepEqual(found(handler(`'${SESSION.replace(':5432', ':6543')}'`)), PREPARES);
  // No port: libpq and node-postgres take PGPORT from the environment, which may be the transaction port.
  assert.deepEqual(found(handler(`'${SESSION.replace(':5432', '')}'`)), PREPARES);
  assert.deepEqual(found(handler(`'${SESSION}?pgbouncer=true'`)), PREPARES);
  assert.deepEqual(found(handler(`'${SESSION}?port=6543'`)), PREPARES);
  assert.deepEqual(found(handler(`'${SESSION.replace(':5432', ':5432,pool.example.net:5432')}'`)), PREPARES);
  // Another provider's pooler host on 5432 is no Supavisor session mode.
  assert.deepEqual(found(handler("'postgresql://u:pw@ep-cool-1-pooler.us-east-2.aws.neon.tech:5432/app'")), PREPARES);
  assert.deepEqual(found(handler("'postgresql://u:pw@pooler.supabase.com.example.org:5432/app'")), PREPARES);
  assert.deepEqual(found(handler("{ host: 'aws-0-eu-central-1.pooler.supabase.com', port: 6543 }")), PREPARES);
  assert.deepEqual(found(handler("{ host: 'aws-0-eu-central-1.pooler.supabase.com' }")), PREPARES);
});

test('a Supabase direct host with pgbouncer=true says it is a transaction pooler: the finding stays', () => {
  assert.deepEqual(found(handler("'postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres?pgbouncer=true'")), PREPARES);
});

// A `let` is read by its own binding (the flow's scopes), not by the first declaration of its name in the file: another
// function's local of the same name neither lends the pool its literal nor takes it away.
test("another function's local of the same name is not the pool's let", () => {
  const localSession = `function resetDemo() {\n  let dsn = '${SESSION}';\n  return postgres(dsn, { max: 1, prepare: false });\n}`;
  assert.deepEqual(found(handler('dsn', `${localSession}\nlet dsn = process.env.DATABASE_URL!;`)), PREPARES);
  const localElsewhere = 'function reconnect() {\n  let dsn;\n  dsn = process.env.OTHER_URL!;\n  return postgres(dsn, { max: 1, prepare: false });\n}';
  assert.deepEqual(found(handler('dsn', `${localElsewhere}\nlet dsn = '${SESSION}';`)), []);
});
