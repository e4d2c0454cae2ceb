// A test's single connection on an environment variable that nothing in the repository sets: a driver's Client, a
// LISTEN library's subscriber (pg-listen, pg-pubsub), a postgres.js client or a pool capped at one connection. The
// variable is then the developer's own test database (the suite creates tables, notifies itself, truncates), so the
// pooler-only findings go — unless some file of the repository (an env file, an example env, a compose file) points
// that variable at a pooler or at another machine. Pools keep their findings: what a pool's connection keeps of its
// session reaches the next test's queries without any pooler. Application code keeps its findings whatever is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-single-connections', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A subscriber spec: pg-listen's subscriber made from `url` in a hook, LISTEN through it on line 6. */
const subscriberSpec = (url: string, importLine = "import makeSubscriber from 'pg-listen';") => [
  importLine,
  'let feed: ReturnType<typeof makeSubscriber>;',
  `beforeEach(async () => { feed = makeSubscriber({ connectionString: ${url} }); await feed.connect(); });`,
  'afterEach(() => feed.close());',
  "it('hears its own notification', async () => {",
  "  await feed.listenTo('stock_moved');",
  "  await feed.notify('stock_moved', { sku: 'A-1' });",
  '});',
];

/** A spec sending a session SET on line 3 through `made`. */
const setSpec = (importLine: string, made: string, send = "await db.query('SET search_path TO stock, public')") => [
  importLine,
  `const db = ${made};`,
  `it('reads stock', async () => { ${send}; });`,
];

test('a LISTEN library subscriber in a test, on a variable nothing in the repository sets, is the test database', () => {
  repo.write('a/package.json', '{"name": "a"}');
  const spec = repo.write('a/test/feed.test.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(spec), []);
  // Required under another name, in a file named for tests outside a test folder.
  const required = repo.write('a/src/feed.spec.ts', subscriberSpec("process.env['STOCK_DB_URL']", "const makeSubscriber = require('pg-listen');"));
  assert.deepEqual(findingsOf(required), []);
  // pg-pubsub's subscriber holds one connection too.
  const pubsub = repo.write('a/test/pubsub.test.ts', [
    "import PGPubsub from 'pg-pubsub';",
    'const bus = new PGPubsub(process.env.STOCK_DB_URL);',
    "it('hears', () => bus.addChannel('stock_moved', (payload) => payload));",
  ]);
  assert.deepEqual(findingsOf(pubsub), []);
});

test('the same subscriber keeps its finding in application code, and where the repository points the variable at a pooler or another machine', () => {
  repo.write('b/package.json', '{"name": "b"}');
  const app = repo.write('b/src/feed.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(app), ['listen 6']);

  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.env.example', ['# copy to .env', 'STOCK_DB_URL=postgres://stock:secret@localhost:6543/stock']);
  const pooled = repo.write('c/test/feed.test.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(pooled), ['listen 6']);

  repo.write('d/package.json', '{"name": "d"}');
  repo.write('d/.env', 'STOCK_DB_URL="postgresql://stock:secret@stock-primary.eu-west-1.example-cloud.com:5432/stock"');
  const remote = repo.write('d/test/feed.test.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(remote), ['listen 6']);

  repo.write('e/package.json', '{"name": "e"}');
  repo.write('e/docker-compose.yml', ['services:', '  api:', '    environment:', '      STOCK_DB_URL: postgres://stock:secret@pgbouncer:5432/stock']);
  const bouncer = repo.write('e/test/feed.test.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(bouncer), ['listen 6']);
});

test("an example env file, a development env file or the app's compose service pointing at this machine leave the test database local", () => {
  repo.write('f/package.json', '{"name": "f"}');
  repo.write('f/.env.example', ['STOCK_DB_URL=postgresql://USER:PASSWORD@HOST:5432/stock', '# STOCK_DB_URL=postgres://stock@stock.pooler.example-cloud.com:6543/stock']);
  repo.write('f/.env.development', 'STOCK_DB_URL=postgres://stock:stock@127.0.0.1:5432/stock_dev');
  repo.write('f/docker-compose.yml', ['services:', '  stock-db:', '    image: postgres:17', '  api:', '    environment:', '      - STOCK_DB_URL=postgres://stock:stock@stock-db:5432/stock']);
  const spec = repo.write('f/test/feed.test.ts', subscriberSpec('process.env.STOCK_DB_URL'));
  assert.deepEqual(findingsOf(spec), []);
});

test("a driver's Client, and postgres.js or knex capped at one connection, on an unset variable are the test database; pools are not", () => {
  repo.write('g/package.json', '{"name": "g"}');
  const client = repo.write('g/test/client.test.ts', setSpec("import pg from 'pg';", 'new pg.Client({ connectionString: process.env.STOCK_DB_URL })'));
  assert.deepEqual(findingsOf(client), []);
  const oneConnection = repo.write('g/test/one.test.ts', setSpec("import postgres from 'postgres';", 'postgres(process.env.STOCK_DB_URL!, { max: 1 })', "await db.unsafe('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(oneConnection), []);
  const knexOne = repo.write('g/test/knex.test.ts', setSpec("import knex from 'knex';", "knex({ client: 'pg', connection: process.env.STOCK_DB_URL, pool: { min: 0, max: 1 } })", "await db.raw('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(knexOne), []);
  // knex imported under a name of the file's own choosing is still knex; its pool of four stays a pool.
  const knexRenamed = repo.write('g/test/knex-renamed.test.ts', setSpec("import makeKnex from 'knex';", "makeKnex({ client: 'pg', connection: process.env.STOCK_DB_URL, pool: { min: 1, max: 1 } })", "await db.raw('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(knexRenamed), []);
  const knexRenamedPool = repo.write('g/test/knex-renamed-pool.test.ts', setSpec("import makeKnex from 'knex';", "makeKnex({ client: 'pg', connection: process.env.STOCK_DB_URL, pool: { min: 1, max: 4 } })", "await db.raw('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(knexRenamedPool), ['session-set 3']);

  // Ten connections by default, or a pg pool: a later test may run on a connection the SET changed, or on one it did not.
  const tenConnections = repo.write('g/test/ten.test.ts', setSpec("import postgres from 'postgres';", 'postgres(process.env.STOCK_DB_URL!)', "await db.unsafe('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(tenConnections), ['session-set 3']);
  const pool = repo.write('g/test/pool.test.ts', setSpec("import pg from 'pg';", 'new pg.Pool({ connectionString: process.env.STOCK_DB_URL })'));
  assert.deepEqual(findingsOf(pool), ['session-set 3']);
  const knexPool = repo.write('g/test/knexpool.test.ts', setSpec("import knex from 'knex';", "knex({ client: 'pg', connection: process.env.STOCK_DB_URL, pool: { min: 0, max: 4 } })", "await db.raw('SET search_path TO stock, public')"));
  assert.deepEqual(findingsOf(knexPool), ['session-set 3']);
  // The same single Client in the application's code is production's.
  const app = repo.write('g/src/client.ts', setSpec("import pg from 'pg';", 'new pg.Client({ connectionString: process.env.STOCK_DB_URL })'));
  assert.deepEqual(findingsOf(app), ['session-set 3']);
});

/**
 * A TypeORM spec: a DataSource on `url` (after `edits` of the URL object), a QueryRunner held from it and handed to a
 * helper that sets the tenant (line 12, a line later per edit) and clears it again (a setting left on a runner of the
 * DataSource's pool of several would reach its next runner, even on the test database).
 */
const runnerSpec = (url: string, edits: string[] = [], send = 'source.createQueryRunner()') => [
  "import { DataSource } from 'typeorm';",
  'let source: DataSource;',
  'beforeAll(async () => {',
  `  const target = new URL(${url});`,
  ...edits,
  "  source = new DataSource({ type: 'postgres', url: target.toString() });",
  '  await source.initialize();',
  '});',
  'async function scope(runner: ReturnType<DataSource["createQueryRunner"]>, tenant: string) {',
  '  await runner.query(',
  '    `',
  '      SELECT',
  "        set_config('app.tenant', $1, false)",
  '    `,',
  '    [tenant],',
  '  );',
  "  await runner.query(\"SELECT set_config('app.tenant', '', false)\");",
  '}',
  "it('sees its own tenant', async () => {",
  `  const runner = ${send};`,
  '  await runner.connect();',
  "  await scope(runner, 't1');",
  '  await runner.release();',
  '});',
];

test('a connection held out of a pool made from an unset variable is one session of the test database, also a TypeORM QueryRunner on a URL the test edits', () => {
  repo.write('h/package.json', '{"name": "h"}');
  const held = repo.write('h/test/held.test.ts', [
    "import pg from 'pg';",
    'const pool = new pg.Pool({ connectionString: process.env.STOCK_DB_URL });',
    "it('reads stock', async () => { const c = await pool.connect(); await c.query('SET search_path TO stock, public'); await c.query('RESET search_path'); c.release(); });",
  ]);
  assert.deepEqual(findingsOf(held), []);
  // The database and role changed in a parsed URL (`new URL(…)`), the runner handed to a helper typed for it.
  const runner = repo.write('h/test/runner.spec.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string', ['  target.pathname = `/stock_${Date.now()}`;', "  target.username = 'stock_app';"]));
  assert.deepEqual(findingsOf(runner), []);
  // A helper given the DataSource itself, which holds a runner out of it: every call passes the test's DataSource.
  const seeded = (call: string) => [
    "import { DataSource } from 'typeorm';",
    'const source = new DataSource({ type: "postgres", url: new URL(process.env.STOCK_ADMIN_URL!).toString() });',
    'const other = new DataSource({ type: "postgres", url: "postgres://stock@stock.db.example-cloud.com/stock" });',
    'async function seed(target: DataSource) {',
    '  const r = target.createQueryRunner();',
    "  await r.query(\"SELECT set_config('app.tenant', 'seed', false)\");",
    "  await r.query(\"SELECT set_config('app.tenant', '', false)\");",
    '  await r.release();',
    '}',
    `beforeEach(() => ${call});`,
  ];
  assert.deepEqual(findingsOf(repo.write('h/test/seed.spec.ts', seeded('seed(source)'))), []);
  assert.deepEqual(findingsOf(repo.write('h/test/seed-other.spec.ts', seeded('Promise.all([seed(source), seed(other)])'))), ['session-set 6']);
});

test('a held connection keeps its finding when the pool itself sends the SET, the URL is moved, the variable points at a pooler, or in application code', () => {
  repo.write('i/package.json', '{"name": "i"}');
  // The DataSource's own query may run on any of its connections.
  const pooled = repo.write('i/test/pooled.spec.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string', [], 'source'));
  assert.deepEqual(findingsOf(pooled), ['session-set 12']);
  // The host or port rewritten: not where the variable points.
  const moved = repo.write('i/test/moved.spec.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string', ["  target.hostname = 'stock.db.example-cloud.com';"]));
  assert.deepEqual(findingsOf(moved), ['session-set 13']);
  const port = repo.write('i/test/port.spec.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string', ["  target.port = '6432';"]));
  assert.deepEqual(findingsOf(port), ['session-set 13']);
  // The same code in the application's modules.
  const app = repo.write('i/src/runner.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string'));
  assert.deepEqual(findingsOf(app), ['session-set 12']);
  // The repository points the variable at a pooler.
  repo.write('j/package.json', '{"name": "j"}');
  repo.write('j/.env.example', 'STOCK_ADMIN_URL=postgres://stock:secret@localhost:6432/stock');
  const bouncer = repo.write('j/test/runner.spec.ts', runnerSpec('process.env.STOCK_ADMIN_URL as string'));
  assert.deepEqual(findingsOf(bouncer), ['session-set 12']);
  const heldBouncer = repo.write('j/test/held.test.ts', [
    "import pg from 'pg';",
    'const pool = new pg.Pool({ connectionString: process.env.STOCK_ADMIN_URL });',
    "it('reads stock', async () => { const c = await pool.connect(); await c.query('SET search_path TO stock, public'); c.release(); });",
  ]);
  assert.deepEqual(findingsOf(heldBouncer), ['session-set 3']);
});

/**
 * A spec with a postgres.js pool of two connections made from `url` (line 3), whose lookup query runs in a loop (its
 * named statement is sent again), and a session SET on line 6.
 */
const pairSpec = (url: string) => [
  "import postgres from 'postgres';",
  'let db: ReturnType<typeof postgres>;',
  `beforeAll(() => { db = postgres(${url}, { max: 2, idle_timeout: 1 }); });`,
  "it('finds every shelf', async () => {",
  "  for (const shelf of ['a', 'b', 'c']) await db`select count(*) from stock where shelf = ${shelf}`;",
  "  await db.unsafe('SET search_path TO stock, public');",
  '});',
];

test("prepared statements of a test's postgres.js pool on a variable an env file sets to this machine get no finding; its session SET keeps one", () => {
  repo.write('k/package.json', '{"name": "k"}');
  // The only env file points the variable at this machine (as an example env file of the application).
  repo.write('k/.env.example', 'STOCK_DB_URL=postgres://stock:stock@localhost:5432/stock');
  assert.deepEqual(findingsOf(repo.write('k/test/pair.test.ts', pairSpec('process.env.STOCK_DB_URL!'))), ['session-set 6']);
  // Read into a const first; the env file two folders up.
  repo.write('l/.env.development', 'STOCK_DB_URL=postgres://stock:stock@127.0.0.1:5432/stock_dev');
  repo.write('l/pkg/package.json', '{"name": "pkg"}');
  const named = pairSpec('STOCK_DB_URL!');
  named.splice(1, 0, 'const STOCK_DB_URL = process.env.STOCK_DB_URL;');
  assert.deepEqual(findingsOf(repo.write('l/pkg/test/pair.test.ts', named)), ['session-set 7']);
});

test("the same pool keeps its prepared-statement finding where no file sets the variable, a file points it at a pooler or another machine, and in application code", () => {
  // Set nowhere: a manual test's variable may name a hosted database (a single connection would be read as the test database).
  repo.write('r/package.json', '{"name": "r"}');
  assert.deepEqual(findingsOf(repo.write('r/test/pair.test.ts', pairSpec('process.env.STOCK_DB_URL!'))), ['protocol-prepared-statement 3', 'session-set 6']);
  repo.write('m/package.json', '{"name": "m"}');
  repo.write('m/.env.example', 'STOCK_DB_URL=postgres://stock:stock@localhost:6543/stock');
  assert.deepEqual(findingsOf(repo.write('m/test/pair.test.ts', pairSpec('process.env.STOCK_DB_URL!'))), ['protocol-prepared-statement 3', 'session-set 6']);
  repo.write('n/package.json', '{"name": "n"}');
  repo.write('n/.env', 'STOCK_DB_URL=postgres://stock:stock@stock.db.example-cloud.com:5432/stock');
  assert.deepEqual(findingsOf(repo.write('n/test/pair.test.ts', pairSpec('process.env.STOCK_DB_URL!'))), ['protocol-prepared-statement 3', 'session-set 6']);
  repo.write('o/package.json', '{"name": "o"}');
  repo.write('o/.env.example', 'STOCK_DB_URL=postgres://stock:stock@localhost:5432/stock');
  assert.deepEqual(findingsOf(repo.write('o/src/pair.ts', pairSpec('process.env.STOCK_DB_URL!'))), ['protocol-prepared-statement 3', 'session-set 6']);
});

/**
 * A test helper making a one-connection postgres.js client (line 4) from the parts of `new URL(url)` (after `edits`),
 * SET ROLE on line 11 (each a line later per edit); the client is returned, so its statements may run again.
 */
const partsSpec = (url: string, edits: string[] = [], host = "target.searchParams.get('host') ?? target.hostname") => [
  "import postgres from 'postgres';",
  'export async function reader() {',
  `  const target = new URL(${url});`,
  ...edits,
  '  const sql = postgres({',
  `    host: ${host},`,
  '    port: Number(target.port),',
  '    username: target.username,',
  '    database: target.pathname.slice(1),',
  '    max: 1,',
  '  });',
  "  await sql.unsafe('set role stock_reader');",
  '  return sql;',
  '}',
];

test("a test's one-connection client built from the parts of a URL on an unset variable is the test database: its search parameters read, an empty default", () => {
  repo.write('p/package.json', '{"name": "p"}');
  assert.deepEqual(findingsOf(repo.write('p/test/reader.ts', partsSpec("process.env.STOCK_DB_URL ?? ''"))), []);
  assert.deepEqual(findingsOf(repo.write('p/test/plain.ts', partsSpec('process.env.STOCK_DB_URL!', [], 'target.hostname'))), []);
});

test("the client built from a URL's parts keeps its finding when the URL's search parameters or host are changed, a remote default is given, or in application code", () => {
  repo.write('q/package.json', '{"name": "q"}');
  const moved = ['protocol-prepared-statement 5', 'session-set 12'];
  assert.deepEqual(findingsOf(repo.write('q/test/set.ts', partsSpec("process.env.STOCK_DB_URL ?? ''", ["  target.searchParams.set('host', 'stock.db.example-cloud.com');"]))), moved);
  assert.deepEqual(findingsOf(repo.write('q/test/host.ts', partsSpec("process.env.STOCK_DB_URL ?? ''", ["  target.hostname = 'stock.db.example-cloud.com';"]))), moved);
  const kept = ['protocol-prepared-statement 4', 'session-set 11'];
  assert.deepEqual(findingsOf(repo.write('q/test/remote.ts', partsSpec("process.env.STOCK_DB_URL ?? 'postgres://stock@stock.db.example-cloud.com/stock'"))), kept);
  assert.deepEqual(findingsOf(repo.write('q/src/reader.ts', partsSpec("process.env.STOCK_DB_URL ?? ''"))), kept);
});

/** A spec whose DataSource is the one its `initialize()` resolves to, locking through `sender` on line 8. */
const initializedSpec = (sender: string, url = 'process.env.STOCK_ADMIN_URL') => [
  "import { DataSource, QueryRunner } from 'typeorm';",
  'let source: DataSource;',
  'let runner: QueryRunner;',
  'beforeAll(async () => {',
  `  source = await new DataSource({ type: 'postgres', url: ${url} }).initialize();`,
  '  runner = source.createQueryRunner();',
  '});',
  `it('waits for the lock', async () => { await ${sender}.query('SELECT pg_try_advisory_lock(42)'); });`,
];

test("a DataSource awaited from its own initialize() is that DataSource: a runner held out of it on the test database is one session", () => {
  repo.write('s/package.json', '{"name": "s"}');
  assert.deepEqual(findingsOf(repo.write('s/test/lock.spec.ts', initializedSpec('runner'))), []);
  // A variable the CI workflow sets to this machine.
  repo.write('s/.github/workflows/ci.yml', ['jobs:', '  test:', '    services:', '      postgres:', '        image: postgres:16', '    steps:',
    '      - run: npm test', '        env:', '          STOCK_CI_URL: postgres://postgres:postgres@localhost:5432/ci']);
  assert.deepEqual(findingsOf(repo.write('s/test/ci-lock.spec.ts', initializedSpec('runner', 'process.env.STOCK_CI_URL'))), []);
});

test("the initialized DataSource's own query stays a pool's, and the runner keeps its finding in application code or on a pooler", () => {
  repo.write('t/package.json', '{"name": "t"}');
  assert.deepEqual(findingsOf(repo.write('t/test/pool.spec.ts', initializedSpec('source'))), ['advisory-lock 8']);
  assert.deepEqual(findingsOf(repo.write('t/src/lock.ts', initializedSpec('runner'))), ['advisory-lock 8']);
  repo.write('t/.env.example', 'STOCK_ADMIN_URL=postgres://stock:secret@localhost:6432/stock');
  assert.deepEqual(findingsOf(repo.write('t/test/bouncer.spec.ts', initializedSpec('runner'))), ['advisory-lock 8']);
});

/**
 * A spec whose arrow helper sets the tenant (line 5) on a TypeORM runner the suite holds in `runner`, and whose test
 * sends `undo` on `undoOn` (a setting put back, or not).
 */
const heldRunnerSpec = (undo: string, undoOn = 'runner') => [
  "import { DataSource, type QueryRunner } from 'typeorm';",
  'let runner: QueryRunner;',
  'let spare: QueryRunner;',
  'const asTenant = (tenant: string) =>',
  "  runner.query(`SELECT set_config('app.tenant', $1, false)`, [tenant]);",
  'beforeAll(async () => {',
  "  const source = new DataSource({ type: 'postgres', url: process.env.STOCK_ADMIN_URL });",
  '  await source.initialize();',
  '  runner = source.createQueryRunner();',
  '  spare = source.createQueryRunner();',
  '});',
  "it('sees its tenant', async () => {",
  "  await asTenant('t1');",
  "  await runner.query('SET ROLE stock_app');",
  `  await ${undoOn}.query('${undo}');`,
  '});',
];

test("a setting a spec's helper sends on the suite's held runner is put back by the file's undo on that same runner variable", () => {
  repo.write('tq/package.json', '{"name": "j"}');
  assert.deepEqual(findingsOf(repo.write('tq/test/tenant.spec.ts', heldRunnerSpec('RESET ROLE'))), []);
  // No undo at all, or one on another runner: the setting goes back to the pool with the runner.
  assert.deepEqual(findingsOf(repo.write('tq/test/kept.spec.ts', heldRunnerSpec('SELECT 1'))), ['session-set 5', 'session-set 14']);
  assert.deepEqual(findingsOf(repo.write('tq/test/spare.spec.ts', heldRunnerSpec('RESET ROLE', 'spare'))), ['session-set 5', 'session-set 14']);
});
