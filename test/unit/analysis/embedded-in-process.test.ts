// PostgreSQL inside the process (PGlite) is one session no pooler stands in front of: queries sent to it
// get no pooling findings (syntax errors stay), even in a file that also talks to a pooled server, whose
// queries keep theirs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'src/db.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);
const imports = "import { Pool } from 'pg';\nimport { PGlite } from '@electric-sql/pglite';\n";

test('queries on a PGlite instance (created, awaited from PGlite.create, or declared PGlite/PGliteInterface) get no pooling findings; the pool next to it keeps its own', () => {
  const text = imports + [
    'const pool = new Pool();',
    'const lite = new PGlite();',
    'export async function run(pg: PGliteInterface, other: PGlite) {',
    '  const made = await PGlite.create();',
    "  await lite.query('SET ROLE app');",
    "  await made.exec('LISTEN jobs');",
    "  await pg.query('PREPARE q AS SELECT 1');",
    "  await other.query('CREATE TEMP TABLE t (id int)');",
    "  await pool.query('SET ROLE pooled');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE pooled']);
});

test('a PGlite transaction callback\'s parameter, a name taken from a PGlite value, and a class member declared PGlite are PGlite too; other members and callbacks are not', () => {
  const text = imports + [
    'export async function live(pg: PGliteInterface) {',
    '  await pg.transaction(async (tx) => {',
    "    await tx.exec('PREPARE live_get AS SELECT * FROM v');",
    "    await tx.query('EXECUTE live_get');",
    '  });',
    '  const alias = pg;',
    "  await alias.query('LISTEN changes');",
    '}',
    'class Store {',
    '  constructor(private readonly pg: PGlite, private readonly db: Pool) {}',
    "  async run() { await this.pg.query('LISTEN a'); await this.db.query('LISTEN b'); }",
    '}',
    'export async function pooled(pool: Pool) {',
    "  await pool.connect(async (err, client) => { await client.query('LISTEN c'); });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN b', 'listen LISTEN c']);
});

test('a branch the code runs only for PGlite (dialect === \'pglite\', || \'pglite_test\', case \'pglite\':, the else of a dialect === \'postgres\' test) gets no pooling findings; its other arm does', () => {
  const text = imports + [
    'export async function start(driver: Driver, dialect: string, db: Db) {',
    "  if (driver.dialect === 'pglite') await driver.instance.query('LISTEN live');",
    "  else await driver.instance.query('LISTEN live_pg');",
    "  if (dialect === 'pglite' || dialect === 'pglite_test') await db.execute('SET search_path TO app');",
    "  if (db.$dialect === 'postgres') {",
    "    await db.execute('CREATE TEMP TABLE a (x int) ON COMMIT DROP');",
    '  } else {',
    "    await db.execute('CREATE TEMP TABLE IF NOT EXISTS b (x int)');",
    '  }',
    '  switch (dialect) {',
    "    case 'pglite': await db.execute('LISTEN s1'); break;",
    "    case 'postgres': await db.execute('LISTEN s2'); break;",
    '  }',
    "  const sent = dialect !== 'pglite' ? db.execute('LISTEN t1') : db.execute('LISTEN t2');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN live_pg', 'listen LISTEN s2', 'listen LISTEN t1']);
});

test('tests that do not say PGlite keep their findings: another driver name, a dialect test on a non-dialect name, a case that falls through from another', () => {
  const text = imports + [
    'export async function start(driver: string, kind: string, db: Db) {',
    "  if (driver === 'postgres') await db.execute('LISTEN a'); else await db.execute('LISTEN b');",
    "  if (kind === 'pglitely' || driver === 'pglite') await db.execute('LISTEN c');",
    "  if (driver === 'pglite' && kind === 'x') await db.execute('LISTEN d'); else await db.execute('LISTEN e');",
    '  switch (driver) {',
    "    case 'pg':",
    "    case 'pglite': await db.execute('LISTEN f'); break;",
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN a', 'listen LISTEN b', 'listen LISTEN c', 'listen LISTEN e', 'listen LISTEN f']);
});

test('PGlite\'s own sources, which import the class relatively, are recognised by its name', () => {
  const text = "import { PGlite } from '../dist/index.js';\nconst db = new PGlite();\nawait db.query('SET ROLE no_such_user;');\n";
  assert.deepEqual(found(text, 'tests/user.test.ts'), []);
  assert.deepEqual(found(text.replace('new PGlite()', 'new Database()'), 'tests/user.test.ts'), ['session-set SET ROLE no_such_user']);
});

test('SQL sent to PGlite still gets syntax errors', () => {
  const text = imports + "const lite = new PGlite();\nawait lite.query('SELECT FROM WHERE');\n";
  assert.deepEqual(found(text).map((f) => f.split(' ')[0]), ['syntax-error']);
});

test('a test that starts its own PGlite socket server talks to it, not to a pooler; the same clients elsewhere keep their findings', () => {
  const text = [
    "import { Client } from 'pg';",
    "import postgres from 'postgres';",
    "import { PGLiteSocketServer } from '../src';",
    'const server = new PGLiteSocketServer({ db, port: 5499 });',
    'const client = new Client({ port: 5499 });',
    "await client.query('LISTEN test_channel');",
    'const sql = postgres({ port: 5499 });',
  ].join('\n');
  assert.deepEqual(found(text, 'packages/socket/tests/query-with-node-pg.test.ts'), []);
  // Not a test (a server that only serves PGlite to others), or no server started: the clients are the app's.
  assert.deepEqual(found(text, 'src/serve.ts').map((f) => f.split(' ')[0]), ['listen', 'protocol-prepared-statement']);
  // (With no host at all a test's client would reach this machine's test database, and so would one on a variable nothing
  // points elsewhere: here the host is another machine's.)
  const noServer = text.replace('const server = new PGLiteSocketServer({ db, port: 5499 });\n', '').replaceAll('{ port: 5499 }', "{ host: 'db.internal.example.com', port: 5499 }");
  assert.deepEqual(found(noServer, 'tests/clients.test.ts').map((f) => f.split(' ')[0]), ['listen', 'protocol-prepared-statement']);
});

test('a value the file hands raw wire-protocol messages to (execProtocolRaw) or dumps the data directory of is PGlite, whatever file made it; a client without such calls keeps its findings', () => {
  const text = [
    "import { Client } from 'pg';",
    "import { openBrowserDatabase } from './local';",
    'export async function relay(id: string, frames: Uint8Array[]) {',
    '  const local = await openBrowserDatabase(id);',
    '  for (const frame of frames) await local.execProtocolRaw(frame);',
    "  await local.query('set search_path to public');",
    '}',
    'export async function backup(store: { open(): Promise<unknown> }, handle: any) {',
    '  await handle.dumpDataDir();',
    "  await handle.query('SET ROLE owner');",
    '}',
    'export async function remote(client: Client) {',
    "  await client.query('set search_path to public');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set search_path to public']);
});
