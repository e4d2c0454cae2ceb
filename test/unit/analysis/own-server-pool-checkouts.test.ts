// Ruling 13's limit (pools stay pools): a session setting sent through a pool of several connections of the suite's own
// database — a connection checked out of it and released, a postgres.js client of ten — reaches the pool's next
// checkout even with no pooler in front, so it keeps its session-set finding. What only a pooler breaks (named prepared
// statements) and a single connection's session state (a driver's Client, a pool capped at one connection) stay exempt
// there, and so do locks and LISTEN on a checkout. Files are written to a scratch repository: the analysis reads the
// repository (its test environment, helpers) from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-checkouts', { after });
before(() => initAnalysis());

/** The rule and SQL text of each finding of a file written at `path` in the scratch repository. */
function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A vitest suite on a local database (the environment's URL, else this machine's), with a pool made with `poolOptions`. */
function localSuite(poolOptions: string, body: string[]): string[] {
  return [
    "import { Pool, Client, PoolClient } from 'pg';",
    "const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres:postgres@localhost:54322/postgres';",
    'let pool: Pool;',
    'let admin: Client;',
    'beforeAll(async () => {',
    `  pool = new Pool({ connectionString: DATABASE_URL${poolOptions} });`,
    '  admin = new Client({ connectionString: DATABASE_URL });',
    '  await admin.connect();',
    '});',
    ...body,
  ];
}

test('a session SET on a checkout of a pg pool of several connections of the local test database keeps its finding, also in a helper every caller hands a checkout', () => {
  const body = [
    'async function actAs(client: Client | PoolClient, who: string) {',
    '  await client.query(`SET app.user_id = ${who}`);',
    '}',
    "it('reads as the member', async () => {",
    '  const member = await pool.connect();',
    "  await member.query('SET ROLE authenticated');",
    "  await actAs(member, 'u1');",
    "  await member.query('SELECT * FROM documents');",
    '  member.release();',
    '});',
  ];
  assert.deepEqual(findingsOf('checkouts/tests/ten.test.ts', localSuite('', body)),
    ['session-set SET app.user_id = ${who}', 'session-set SET ROLE authenticated']);
  // The same checkout of a pool capped at one connection is the one session the test keeps: no finding.
  assert.deepEqual(findingsOf('checkouts/tests/one.test.ts', localSuite(', max: 1', body)), []);
});

test("a single connection of the local test database keeps its session SET exempt, and a checkout's lock, LISTEN and named statement stay exempt", () => {
  assert.deepEqual(findingsOf('checkouts/tests/single.test.ts', localSuite('', [
    "it('sets up as the owner', async () => {",
    "  await admin.query('SET ROLE owner');",
    '  const held = await pool.connect();',
    "  await held.query('SELECT pg_advisory_lock(42)');",
    "  await held.query('LISTEN jobs');",
    "  await held.query({ name: 'doc-by-id', text: 'SELECT * FROM documents WHERE id = $1', values: [1] });",
    '  held.release();',
    '});',
  ])), []);
});

test('a postgres.js client of ten on a container the test starts keeps its session SET finding; capped at one connection it does not, and neither keeps a prepared-statement finding', () => {
  const suite = (options: string) => [
    "import postgres from 'postgres';",
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    "it('runs as the reader', async () => {",
    '  const container = await new PostgreSqlContainer().start();',
    `  const sql = postgres(container.getConnectionUri()${options});`,
    "  await sql.unsafe('SET ROLE reader');",
    '  await sql`SELECT * FROM documents WHERE id = ${1}`;',
    '});',
  ];
  assert.deepEqual(findingsOf('checkouts/tests/pgjs-ten.test.ts', suite('')), ['session-set SET ROLE reader']);
  assert.deepEqual(findingsOf('checkouts/tests/pgjs-one.test.ts', suite(', { max: 1 }')), []);
});

test("a one-connection postgres.js client made from the URL of a helper's returned object keeps its session SET exempt, though the object also holds a pool of several and an ORM over it; a client of ten on that URL keeps its finding", () => {
  // Where the client connects is read from the object (its URL): the object's pool of four is the same server, whatever its size.
  assert.deepEqual(findingsOf('checkouts/tests/helper-object.test.ts', [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
    'async function startDb() {',
    '  const container = await new PostgreSqlContainer().start();',
    '  const url = container.getConnectionUri();',
    '  const client = postgres(url, { max: 4 });',
    '  return { container, client, db: drizzle(client), url };',
    '}',
    'let t: Awaited<ReturnType<typeof startDb>>;',
    'beforeAll(async () => { t = await startDb(); });',
    'function asOwner(password: string) {',
    '  const u = new URL(t.url);',
    '  u.password = password;',
    '  return postgres(u.toString(), { max: 1 });',
    '}',
    "it('reads as the owner', async () => {",
    "  const owner = asOwner('pw');",
    "  await owner.unsafe('SET ROLE table_owner');",
    '  const shared = postgres(t.url);',
    "  await shared.unsafe('SET ROLE table_reader');",
    '});',
  ]), ['session-set SET ROLE table_reader']);
});

test('a checkout of a pool of several of the local test database that puts its settings back before the release (RESET, a clear to an empty value) keeps its SETs exempt', () => {
  assert.deepEqual(findingsOf('checkouts/tests/reset.test.ts', localSuite('', [
    "it('reads as the member, then puts the session back', async () => {",
    '  const member = await pool.connect();',
    '  try {',
    "    await member.query('SET ROLE authenticated');",
    "    await member.query(\"SELECT set_config('app.school_id', $1, false)\", ['s1']);",
    "    await member.query('SELECT * FROM documents');",
    '  } finally {',
    "    await member.query(\"SELECT set_config('app.school_id', '', false)\");",
    "    await member.query('RESET ROLE');",
    '    member.release();',
    '  }',
    '});',
  ])), []);
});

/** A suite whose helper sets (or, given null, resets) the acting user on the checkout it is handed; `calls` are the test's calls of it. */
function helperSuite(helper: string[], calls: string[]): string[] {
  return localSuite('', [
    ...helper,
    "it('reads as the member', async () => {",
    '  const member = await pool.connect();',
    ...calls.map((call) => `  ${call}`),
    "  await member.query('SELECT * FROM documents');",
    '  member.release();',
    '});',
  ]);
}

const IF_ELSE_HELPER = [
  'async function actAs(client: PoolClient, who: string | null) {',
  '  if (who) {',
  '    await client.query(`SET app.user_id = ${who}`);',
  '  } else {',
  "    await client.query('RESET app.user_id');",
  '  }',
  '}',
];

const TERNARY_HELPER = [
  'async function inTenant(client: PoolClient, tenant: number | null) {',
  "  await (tenant !== null ? client.query(`SET app.tenant_id = ${tenant}`) : client.query('RESET app.tenant_id'));",
  '}',
];

test("a helper's session SET on a checkout of a pool of several keeps its finding when its RESET sits in the other arm of a test of its parameter that no call of the file takes", () => {
  assert.deepEqual(findingsOf('checkouts/tests/arm-if.test.ts', helperSuite(IF_ELSE_HELPER, ['await actAs(member, users.first);', "await actAs(member, 'u2');"])),
    ['session-set SET app.user_id = ${who}']);
  assert.deepEqual(findingsOf('checkouts/tests/arm-ternary.test.ts', helperSuite(TERNARY_HELPER, ['await inTenant(member, 1);', 'await inTenant(member, 2);'])),
    ['session-set SET app.tenant_id = ${tenant}']);
});

test("a helper's session SET stays exempt when a call of the file takes its RESET arm (null), when the RESET follows the SET on its own arm, or when the helper is exported", () => {
  assert.deepEqual(findingsOf('checkouts/tests/arm-null-call.test.ts', helperSuite(IF_ELSE_HELPER, ["await actAs(member, 'u1');", 'await actAs(member, null);'])), []);
  assert.deepEqual(findingsOf('checkouts/tests/arm-ternary-null.test.ts', helperSuite(TERNARY_HELPER, ['await inTenant(member, 1);', 'await inTenant(member, null);'])), []);
  // A value the test holds in a variable it may set to null is not known to take the SET's arm.
  assert.deepEqual(findingsOf('checkouts/tests/arm-let.test.ts', helperSuite(IF_ELSE_HELPER, ["let who: string | null = 'u1';", 'await actAs(member, who);', 'who = null;'])), []);
  assert.deepEqual(findingsOf('checkouts/tests/arm-same.test.ts', helperSuite([
    'async function actAs(client: PoolClient, who: string | null) {',
    '  if (who) {',
    '    await client.query(`SET app.user_id = ${who}`);',
    "    await client.query('SELECT * FROM documents');",
    "    await client.query('RESET app.user_id');",
    '  }',
    '}',
  ], ["await actAs(member, 'u1');"])), []);
  assert.deepEqual(findingsOf('checkouts/tests/arm-exported.test.ts', helperSuite(['export ' + IF_ELSE_HELPER[0], ...IF_ELSE_HELPER.slice(1)], ["await actAs(member, 'u1');"])), []);
});
