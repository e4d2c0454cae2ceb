// Queries a unit test sends to a mocked driver or a mocked client reach no database, so no pooler: they get no
// pooling findings. The same queries on a real client of the test, outside test code, or under a mock that keeps
// the real driver, keep theirs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file: string) => embeddedFindings(text, file).map(([rule]) => rule);

const SENDS = `
describe('tenant setup', () => {
  it('switches schema', async () => {
    await pool.query('SET search_path TO tenant_a, public');
    await pool.query('SELECT pg_advisory_lock(7)');
    expect(pool.query).toHaveBeenCalledTimes(2);
  });
});
`;
const REAL_POOL = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n";
const FLAGGED = ['session-set', 'advisory-lock'];

test('a test file that mocks the PostgreSQL driver module sends nothing to a database', () => {
  assert.deepEqual(found(`${REAL_POOL}jest.mock('pg');\n${SENDS}`, 'test/tenant.test.ts'), []);
  const factory = "vi.mock('pg', () => ({ Pool: vi.fn(() => ({ query: vi.fn(), release: vi.fn() })) }));\n";
  assert.deepEqual(found(`import { vi } from 'vitest';\n${REAL_POOL}${factory}${SENDS}`, 'src/__tests__/tenant.spec.ts'), []);
  // postgres.js mocked for an ESM suite.
  const esm = "jest.unstable_mockModule('postgres', () => ({ default: jest.fn(() => sql) }));\nconst sql = Object.assign(jest.fn(), { unsafe: jest.fn() });\n";
  assert.deepEqual(found(`${esm}it('sets', async () => { await sql.unsafe('SET ROLE auditor'); });\n`, 'tests/role.test.mjs'), []);
});

test('a client whose query method the test casts to, configures as, or replaces by a mock is a double', () => {
  const cast = "    (pool.query as jest.Mock).mockResolvedValue({ rows: [] });\n";
  assert.deepEqual(found(REAL_POOL + SENDS.replace("  it('switches schema', async () => {\n", `  it('switches schema', async () => {\n${cast}`), 'test/tenant.test.ts'), []);
  const typed = "const mockedQuery = vi.mocked(pool.query);\n";
  assert.deepEqual(found(REAL_POOL + typed + SENDS, 'test/tenant.test.ts'), []);
  const replaced = "pool.query = jest.fn().mockResolvedValue({ rows: [] });\n";
  assert.deepEqual(found(REAL_POOL + replaced + SENDS, 'test/tenant.test.ts'), []);
  const spied = "beforeEach(() => { jest.spyOn(pool, 'query').mockImplementation(async () => ({ rows: [] })); });\n";
  assert.deepEqual(found(REAL_POOL + spied + SENDS, 'test/tenant.test.ts'), []);
  const literal = "const pool = { query: vi.fn(async () => ({ rows: [] })), connect: vi.fn() };\n";
  assert.deepEqual(found(literal + SENDS, 'test/tenant.test.ts'), []);
});

test('real clients in tests, mocks that keep the real driver, other modules mocked, and code outside tests keep their findings', () => {
  assert.deepEqual(found(REAL_POOL + SENDS, 'test/tenant.test.ts'), FLAGGED);
  // The real driver passed through the mock factory.
  assert.deepEqual(found(`${REAL_POOL}jest.mock('pg', () => ({ ...jest.requireActual('pg'), native: null }));\n${SENDS}`, 'test/tenant.test.ts'), FLAGGED);
  // Another module mocked (a logger), the pool real.
  assert.deepEqual(found(`${REAL_POOL}jest.mock('../src/logger');\n${SENDS}`, 'test/tenant.test.ts'), FLAGGED);
  // A spy that still calls through to the real method.
  assert.deepEqual(found(`${REAL_POOL}jest.spyOn(pool, 'query');\n${SENDS}`, 'test/tenant.test.ts'), FLAGGED);
  // Another client is the mock; the queries go to the real pool.
  assert.deepEqual(found(`${REAL_POOL}const fake = { query: jest.fn() };\n${SENDS}`, 'test/tenant.test.ts'), FLAGGED);
  // Not a test file: whatever names a mock there, the pool is the application's.
  assert.deepEqual(found(`${REAL_POOL}jest.mock('pg');\n${SENDS}`, 'src/tenant.ts'), FLAGGED);
});

// A double the test hands on: from a pool of mock functions held by names, through a checkout, a beforeEach
// assignment, a local factory and a local function's parameter.
const LOCK = "'SELECT pg_try_advisory_lock(42)'";
const lockedOn = (client: string) => `    await ${client}.query(${LOCK});\n`;

test('a double handed on through names, checkouts, factories and parameters stays a double', () => {
  const pool = "import type { Pool } from 'pg';\nconst fakeQuery = jest.fn();\nconst fakeConnect = jest.fn();\nconst fakePool = { query: fakeQuery, connect: fakeConnect } as unknown as Pool;\n";
  const checkout = `it('locks', async () => {\n    const conn = await fakePool.connect();\n${lockedOn('conn')}});\n`;
  assert.deepEqual(found(pool + checkout, 'src/__tests__/jobs.test.ts'), []);
  const later = "let conn: { query: jest.Mock };\nbeforeEach(() => { conn = { query: jest.fn() }; });\n";
  assert.deepEqual(found(`${later}it('locks', async () => {\n${lockedOn('conn')}});\n`, 'src/__tests__/jobs.test.ts'), []);
  const handed = "const one = { query: jest.fn(async () => ({ rows: [] })) };\nconst makeFake = () => ({ query: jest.fn(), release: jest.fn() });\n"
    + `const run = async (c: any) => {\n${lockedOn('c')}};\n`;
  assert.deepEqual(found(`${handed}it('runs', async () => { await run(one); await run(makeFake()); });\n`, 'src/__tests__/jobs.test.ts'), []);
});

test('a real client handed on the same ways keeps its finding', () => {
  const real = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\nconst fake = { query: jest.fn() };\n";
  // A name that holds the double first and the real pool later.
  assert.deepEqual(found(`${real}let conn: any = fake;\nbeforeEach(() => { conn = pool; });\nit('locks', async () => {\n${lockedOn('conn')}});\n`, 'src/__tests__/jobs.test.ts'), ['advisory-lock']);
  const run = `const run = async (c: any) => {\n${lockedOn('c')}};\n`;
  // One call passes the real pool: the parameter is not surely a double.
  assert.deepEqual(found(`${real}${run}it('runs', async () => { await run(fake); await run(pool); });\n`, 'src/__tests__/jobs.test.ts'), ['advisory-lock']);
  // The function is handed on, so its callers are not all seen.
  assert.deepEqual(found(`${real}${run}it('runs', async () => { await run(fake); await withRetry(run); });\n`, 'src/__tests__/jobs.test.ts'), ['advisory-lock']);
  // A local factory that returns the real pool.
  assert.deepEqual(found(`${real}const make = () => pool;\nit('locks', async () => {\n${lockedOn('make()')}});\n`, 'src/__tests__/jobs.test.ts'), ['advisory-lock']);
  // Outside test code, a mock-looking object is the application's own.
  assert.deepEqual(found(`const one = { query: jest.fn() };\n${run}run(one);\n`, 'src/jobs.ts'), ['advisory-lock']);
});

// A local factory builds the fake pool from mock functions and returns it inside a bundle (`return { pool, isLocked }`);
// the test destructures the pool out of the factory's result and takes a connection with `.then((c) => …)`.
const FAKE_POOL_FACTORY = `function makeStubPool() {
  let held = false;
  const pool = {
    connect: vi.fn(async () => ({ query: vi.fn(async () => { held = true; return { rows: [{ ok: true }] }; }), release: vi.fn() })),
  };
  return { pool, isHeld: () => held };
}
`;

test('a pool a local factory builds from mock functions, destructured from its result and checked out with .then, is a double', () => {
  const taken = `it('is busy', async () => {\n  const { pool } = makeStubPool();\n  await pool.connect().then((c) => c.query(${LOCK}));\n});\n`;
  assert.deepEqual(found(`import { vi, it } from 'vitest';\n${FAKE_POOL_FACTORY}${taken}`, 'src/__tests__/reconcile.test.ts'), []);
  const renamed = `it('is busy', async () => {\n  const { pool: stub } = makeStubPool();\n  const conn = await stub.connect();\n${lockedOn('conn')}});\n`;
  assert.deepEqual(found(`import { vi, it } from 'vitest';\n${FAKE_POOL_FACTORY}${renamed}`, 'src/__tests__/reconcile.test.ts'), []);
});

test('a real pool taken the same ways in a test keeps its lock finding', () => {
  const real = "import { vi, it } from 'vitest';\nimport { Pool } from 'pg';\nconst spy = vi.fn();\n";
  const factory = "function makePool() {\n  const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n  return { pool, spy };\n}\n";
  const taken = `it('is busy', async () => {\n  const { pool } = makePool();\n  await pool.connect().then((c) => c.query(${LOCK}));\n});\n`;
  assert.deepEqual(found(real + factory + taken, 'src/__tests__/reconcile.test.ts'), ['advisory-lock']);
  // The bundle's other member is the double; the pool destructured is real.
  const mixed = "function makePool() {\n  const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n  return { pool, fake: { connect: vi.fn() } };\n}\n";
  assert.deepEqual(found(real + mixed + taken, 'src/__tests__/reconcile.test.ts'), ['advisory-lock']);
  // The fake pool destructured at the top, a real pool of the same name declared nearer the lock.
  const inline = "const makeInlinePool = () => ({ pool: { connect: vi.fn(), query: vi.fn() } });\n";
  const shadowed = `const { pool } = makeInlinePool();\nit('locks', async () => {\n  const pool = await getPool();\n  await pool.connect().then((c) => c.query(${LOCK}));\n});\n`;
  assert.deepEqual(found(`import { vi, it } from 'vitest';\nimport { getPool } from '../db';\n${inline}${shadowed}`, 'src/__tests__/reconcile.test.ts'), ['advisory-lock']);
  // A .then callback on a checkout of the application's pool, imported by the test.
  const imported = "import { vi, it } from 'vitest';\nimport { pool } from '../db';\nconst spy = vi.fn();\n";
  assert.deepEqual(found(`${imported}it('locks', async () => {\n  await pool.connect().then((c) => c.query(${LOCK}));\n});\n`, 'src/__tests__/reconcile.test.ts'), ['advisory-lock']);
});

/** A suite whose `sends` (a test body) may use a mock client, a mock pool, a real pool, and the project's `inTransaction`. */
const PLACEHOLDER_SUITE = (sends: string) => `import { Pool, PoolClient } from 'pg';
import { inTransaction, onOwnPool } from '../src/tx';
const realPool = new Pool({ connectionString: process.env.DATABASE_URL });
describe('orders', () => {
  let fakeClient: jest.Mocked<Partial<PoolClient>>;
  let fakePool: jest.Mocked<Partial<Pool>>;
  beforeEach(() => {
    fakeClient = { query: jest.fn().mockResolvedValue({ rows: [] }), release: jest.fn() };
    fakePool = { connect: jest.fn().mockResolvedValue(fakeClient as PoolClient) };
  });
  it('runs', async () => {
${sends}
  });
});
`;

test('placeholder text a test sends to a double, also through the connection a project helper checks out of a double pool, gets no syntax error', (t) => {
  const repo = scratchRepository('double-placeholders', t);
  repo.write('package.json', '{"name": "orders"}');
  repo.write('src/tx.ts', [
    "import { Pool, PoolClient } from 'pg';",
    'const ownPool = new Pool();',
    'export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {',
    '  const client = await pool.connect();',
    '  try {',
    "    await client.query('BEGIN');",
    '    const result = await work(client);',
    "    await client.query('COMMIT');",
    '    return result;',
    "  } catch (error) { await client.query('ROLLBACK'); throw error; } finally { client.release(); }",
    '}',
    'export async function onOwnPool<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {',
    '  const client = await ownPool.connect();',
    '  try { return await work(client); } finally { client.release(); }',
    '}',
  ]);
  const lint = (name: string, sends: string) => {
    const text = PLACEHOLDER_SUITE(sends);
    return analyze(text, 'typescript', {}, repo.write(`tests/${name}.test.ts`, text)).map((f) => f.rule);
  };
  assert.deepEqual(lint('direct', "    await fakeClient.query!('INSERT INTO orders ...');"), []);
  assert.deepEqual(lint('checkout', "    const c = await fakePool.connect!();\n    await c.query('INSERT INTO items ...');"), []);
  assert.deepEqual(lint('helper', "    await inTransaction(fakePool as Pool, async (client) => {\n      await client.query('INSERT INTO orders ...');\n      await client.query('SELECT pg_advisory_lock(1)');\n    });"), []);
  // The same text on a real pool, or through a helper that lends a connection of another pool than the one handed, is parsed.
  assert.deepEqual(lint('real', "    await realPool.query('INSERT INTO orders ...');"), ['syntax-error']);
  assert.deepEqual(lint('real-helper', "    await inTransaction(realPool, async (client) => {\n      await client.query('INSERT INTO orders ...');\n    });"), ['syntax-error']);
  assert.deepEqual(lint('own-pool', "    await onOwnPool(fakePool as Pool, async (client) => {\n      await client.query('INSERT INTO orders ...');\n      await client.query('SELECT pg_advisory_lock(1)');\n    });"), ['syntax-error', 'advisory-lock']);
});
