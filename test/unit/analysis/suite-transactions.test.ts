// A test suite's beforeEach/afterEach hooks that open a transaction on a client before each test and roll it back after:
// a test's SET LOCAL on that client is inside the transaction. The hooks count where they apply: the test file's own
// (top level or an enclosing describe) and a setup file the test runner's configuration names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('suite-transactions', { after });
before(() => initAnalysis());

function rulesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

const hooked = (hooks: string, body: string) => `import { Client } from 'pg';
const conn = new Client({ connectionString: process.env.TEST_DB });
beforeAll(() => conn.connect());
${hooks}
${body}`;

const OPEN_AND_ROLL_BACK = `beforeEach(async () => { await conn.query('BEGIN'); });
afterEach(async () => { await conn.query('ROLLBACK'); });`;
const TEST_BODY = `it('reads as the auditor', async () => {
  await conn.query("SET LOCAL ROLE auditor");
  await conn.query('select * from ledger');
});`;

test("a test's SET LOCAL on the client its file's hooks open a transaction on and roll back is inside that transaction", () => {
  assert.deepEqual(embeddedRules(hooked(OPEN_AND_ROLL_BACK, TEST_BODY), 'ledger.test.ts'), []);
  // A getter of the same file, hooks in the describe around the test, a savepoint and its rollback.
  const getter = `import { Client } from 'pg';
let conn: Client;
function db() { return conn; }
describe('ledger', () => {
  beforeAll(async () => { conn = new Client(); await conn.connect(); });
  beforeEach(async () => { const c = db(); await c.query(\`SAVEPOINT \${'each'}\`); });
  afterEach(() => db().query(\`ROLLBACK TO SAVEPOINT \${'each'}\`));
  it.each([1, 2])('reads %s', async () => {
    await db().query("SET LOCAL app.tenant = '7'");
    await db().query('select 1');
  });
});`;
  assert.deepEqual(embeddedRules(getter, 'ledger.test.ts'), []);
});

test('the hooks must open a transaction on that same client, around a test of theirs', () => {
  const otherClient = `const admin = new Client();
beforeEach(async () => { await admin.query('BEGIN'); });
afterEach(async () => { await admin.query('ROLLBACK'); });`;
  assert.deepEqual(embeddedRules(hooked(otherClient, TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
  // beforeAll runs before any test's transaction is opened; a describe's hooks do not reach a sibling describe's test.
  const inBeforeAll = `beforeAll(async () => { await conn.query("SET LOCAL ROLE auditor"); });`;
  assert.deepEqual(embeddedRules(hooked(OPEN_AND_ROLL_BACK, inBeforeAll), 'ledger.test.ts'), ['set-local-outside-transaction']);
  const sibling = `describe('a', () => {
  beforeEach(async () => { await conn.query('BEGIN'); });
  afterEach(async () => { await conn.query('ROLLBACK'); });
});
describe('b', () => { ${TEST_BODY} });`;
  assert.deepEqual(embeddedRules(hooked('', sibling), 'ledger.test.ts'), ['set-local-outside-transaction']);
});

test('a pool is no client the hooks keep in a transaction (BEGIN and ROLLBACK may take two connections)', () => {
  const text = `import { Pool } from 'pg';
const conn = new Pool();
${OPEN_AND_ROLL_BACK}
${TEST_BODY}`;
  assert.deepEqual(embeddedRules(text, 'ledger.test.ts'), ['set-local-outside-transaction']);
});

/** A setup module keeping one client in a per-test transaction, handed out by a getter and exported by name. */
const SETUP = [
  "import { Client } from 'pg';",
  'let shared: Client | null = null;',
  'export function testClient(): Client {',
  "  if (shared === null) throw new Error('not connected');",
  '  return shared;',
  '}',
  'beforeAll(async () => { shared = new Client({ connectionString: process.env.TEST_DB }); await shared.connect(); });',
  'beforeEach(async () => {',
  '  const c = testClient();',
  "  await c.query('BEGIN');",
  '});',
  "afterEach(async () => { await testClient().query('ROLLBACK'); });",
];

/** A test of the suite and a helper module of it, each sending SET LOCAL on the setup's client (line 3 and line 4). */
function suiteFiles(folder: string): { spec: string; helper: string } {
  const spec = repo.write(`${folder}/tests/orders.test.ts`, [
    "import { testClient } from './setup.ts';",
    "it('lists', async () => {",
    "  await testClient().query('SET LOCAL ROLE clerk');",
    "  await testClient().query('select * from orders');",
    '});',
  ]);
  const helper = repo.write(`${folder}/tests/helpers/tenant.ts`, [
    "import { testClient } from '../setup';",
    'export async function asTenant(id: string, fn: () => Promise<void>) {',
    '  const client = testClient();',
    "  await client.query('SET LOCAL app.tenant = $1', [id]);",
    '  return fn();',
    '}',
  ]);
  return { spec, helper };
}

test("a setup file the runner's configuration names wraps every test of the suite: its client is inside a transaction in each test", () => {
  repo.write('v/package.json', '{"name": "v"}');
  repo.write('v/vitest.config.ts', ["import { defineConfig } from 'vitest/config';", "export default defineConfig({ test: { setupFiles: ['./tests/setup.ts'] } });"]);
  repo.write('v/tests/setup.ts', SETUP);
  const { spec, helper } = suiteFiles('v');
  assert.deepEqual(rulesOf(spec), []);
  assert.deepEqual(rulesOf(helper), []);

  // Jest's setupFilesAfterEnv, exporting the client variable itself.
  repo.write('j/package.json', '{"name": "j"}');
  repo.write('j/jest.config.js', ['module.exports = {', "  setupFilesAfterEnv: ['<rootDir>/test/db.ts'],", '};']);
  repo.write('j/test/db.ts', [
    "import { Client } from 'pg';",
    'export const db = new Client();',
    "beforeEach(() => db.query('START TRANSACTION'));",
    "afterEach(() => db.query('ROLLBACK'));",
  ]);
  const jestSpec = repo.write('j/test/users.spec.ts', [
    "import { db } from './db';",
    "test('as admin', async () => {",
    "  await db.query('SET LOCAL ROLE admin');",
    '});',
  ]);
  assert.deepEqual(rulesOf(jestSpec), []);
});

test('the same setup module no configuration names wraps nothing, and its client outside a test is outside the transaction', () => {
  repo.write('u/package.json', '{"name": "u"}');
  repo.write('u/tests/setup.ts', SETUP);
  const { spec, helper } = suiteFiles('u');
  assert.deepEqual(rulesOf(spec), ['set-local-outside-transaction 3']);
  assert.deepEqual(rulesOf(helper), ['set-local-outside-transaction 4']);

  repo.write('w/package.json', '{"name": "w"}');
  repo.write('w/vitest.config.ts', ["import { defineConfig } from 'vitest/config';", "export default defineConfig({ test: { setupFiles: ['./tests/setup.ts'] } });"]);
  repo.write('w/tests/setup.ts', SETUP);
  const once = repo.write('w/tests/once.test.ts', [
    "import { testClient } from './setup';",
    "beforeAll(async () => { await testClient().query('SET LOCAL ROLE clerk'); });",
  ]);
  assert.deepEqual(rulesOf(once), ['set-local-outside-transaction 2']);
});

/**
 * One reading of the hooks for both file shapes (session 35): a suite of the test file whose `beforeEach` has `hook`
 * as its body and whose `afterEach` rolls back on the same client, and a test whose callback is `body`.
 */
const rolledBackSuite = (hook: string, body = "await reader.query(\"SET LOCAL lock_timeout = '3s'\");") => `import { Client } from 'pg';
let reader = new Client();
let began = false;
let wrapped: unknown;
async function seedShelves(c: Client) { await c.query('INSERT INTO shelves VALUES (1)'); }
async function settle(c: Client) { await c.query('COMMIT'); }
beforeAll(() => reader.connect());
beforeEach(async () => {
  ${hook}
});
afterEach(async () => { await reader.query('ROLLBACK'); });
test('reads the shelves', async () => {
  ${body}
});`;
const BEGIN_READER = "await reader.query('BEGIN');";

test("a hook's BEGIN counts when nothing after it, at any depth of the hook, ends the transaction", () => {
  assert.deepEqual(embeddedRules(rolledBackSuite(`${BEGIN_READER}\n  await reader.query('INSERT INTO shelves VALUES (1)');`), 'shelves.test.ts'), []);
  // Handed to a helper that sends no COMMIT or ROLLBACK, or wrapped by another library: still inside.
  assert.deepEqual(embeddedRules(rolledBackSuite(`${BEGIN_READER}\n  await seedShelves(reader);\n  wrapped = drizzle(reader);`), 'shelves.test.ts'), []);
  // A BEGIN sent once, in a branch, then a savepoint each time.
  const once = "if (!began) { await reader.query('BEGIN'); began = true; }\n  await reader.query('SAVEPOINT each_test');";
  assert.deepEqual(embeddedRules(rolledBackSuite(once), 'shelves.test.ts'), []);
  // An error's catch is no path a test runs after: its ROLLBACK ends nothing the test sees.
  const guarded = `try {\n    ${BEGIN_READER}\n  } catch (error) {\n    await reader.query('ROLLBACK');\n    throw error;\n  }`;
  assert.deepEqual(embeddedRules(rolledBackSuite(guarded), 'shelves.test.ts'), []);
  // A condition reading the client, and a new client put in it before the BEGIN.
  const reconnected = `if (!reader) reader = new Client();\n  ${BEGIN_READER}`;
  assert.deepEqual(embeddedRules(rolledBackSuite(reconnected), 'shelves.test.ts'), []);
});

test('a COMMIT nested in the hook after its BEGIN, a new client put in the variable, or the client handed to a helper that commits, leaves the test outside, afterEach rollback or not', () => {
  const tryCommit = `${BEGIN_READER}\n  try {\n    await reader.query('INSERT INTO shelves VALUES (1)');\n    await reader.query('COMMIT');\n  } finally {\n    began = false;\n  }`;
  assert.deepEqual(embeddedRules(rolledBackSuite(tryCommit), 'shelves.test.ts'), ['set-local-outside-transaction']);
  const ifCommit = `${BEGIN_READER}\n  if (process.env.KEEP_ROWS) { await reader.query('COMMIT'); }`;
  assert.deepEqual(embeddedRules(rolledBackSuite(ifCommit), 'shelves.test.ts'), ['set-local-outside-transaction']);
  const callbackCommit = `${BEGIN_READER}\n  await seedShelves(reader).then(() => reader.query('COMMIT'));`;
  assert.deepEqual(embeddedRules(rolledBackSuite(callbackCommit), 'shelves.test.ts'), ['set-local-outside-transaction']);
  const handed = `${BEGIN_READER}\n  await settle(reader);`;
  assert.deepEqual(embeddedRules(rolledBackSuite(handed), 'shelves.test.ts'), ['set-local-outside-transaction']);
  const replacedInBranch = `${BEGIN_READER}\n  if (process.env.SECOND_DB) reader = new Client({ connectionString: process.env.SECOND_DB });`;
  assert.deepEqual(embeddedRules(rolledBackSuite(replacedInBranch), 'shelves.test.ts'), ['set-local-outside-transaction']);
  // A client method's COMMIT in a branch of a TypeORM runner's hook.
  const runner = `import { DataSource, QueryRunner } from 'typeorm';
let source: DataSource;
let runner: QueryRunner;
beforeEach(async () => {
  runner = source.createQueryRunner();
  await runner.startTransaction();
  if (process.env.PERSIST) await runner.commitTransaction();
});
afterEach(() => runner.rollbackTransaction());
it('counts', async () => { await runner.query('SET LOCAL search_path TO stock'); });`;
  assert.deepEqual(embeddedRules(runner, 'stock.spec.ts'), ['set-local-outside-transaction']);
});

test("a test that puts another client in the suite's variable, anywhere in it, sends on that one, outside the hooks' transaction", () => {
  const reconnects = "reader = new Client({ connectionString: process.env.SECOND_DB });\n  await reader.connect();\n  await reader.query(\"SET LOCAL lock_timeout = '3s'\");";
  assert.deepEqual(embeddedRules(rolledBackSuite(BEGIN_READER, reconnects), 'shelves.test.ts'), ['set-local-outside-transaction']);
  const laterInBranch = "await reader.query(\"SET LOCAL lock_timeout = '3s'\");\n  if (process.env.SECOND_DB) { reader = new Client(); }";
  assert.deepEqual(embeddedRules(rolledBackSuite(BEGIN_READER, laterInBranch), 'shelves.test.ts'), ['set-local-outside-transaction']);
  // Another variable assigned in the test leaves the hooks' client inside.
  const other = "const spare = new Client();\n  began = true;\n  await reader.query(\"SET LOCAL lock_timeout = '3s'\");\n  await spare.connect();";
  assert.deepEqual(embeddedRules(rolledBackSuite(BEGIN_READER, other), 'shelves.test.ts'), []);
  // Reached through a getter, in a describe's hooks: the test's new client is the getter's too.
  const getter = `import { Client } from 'pg';
let conn = new Client();
function db() { return conn; }
describe('ledger', () => {
  beforeEach(() => db().query('BEGIN'));
  afterEach(() => db().query('ROLLBACK'));
  it('reads as the auditor', async () => {
    if (process.env.AUDIT_DB) conn = new Client({ connectionString: process.env.AUDIT_DB });
    await db().query('SET LOCAL ROLE auditor');
  });
});`;
  assert.deepEqual(embeddedRules(getter, 'ledger.test.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(getter.replace('conn = new Client({', 'void new Client({'), 'ledger.test.ts'), []);
});

test("a client checked out of a pool in the setup file's beforeEach is that client, not the pool", () => {
  const setup = (checkout: string) => [
    "import { Pool, PoolClient } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.TEST_DB });',
    'export let tx: PoolClient;',
    'beforeEach(async () => {',
    `  tx = ${checkout};`,
    "  await tx.query('BEGIN');",
    '});',
    "afterEach(async () => { await tx.query('ROLLBACK'); tx.release(); });",
  ];
  const spec = (folder: string): string => repo.write(`${folder}/test/invoices.spec.ts`, [
    "import { tx } from './setup';",
    "test('as billing', async () => {",
    "  await tx.query('SET LOCAL ROLE billing');",
    '});',
  ]);
  const jest = (folder: string): void => {
    repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
    repo.write(`${folder}/jest.config.js`, ['module.exports = {', "  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],", '};']);
  };
  jest('pc');
  repo.write('pc/test/setup.ts', setup('await pool.connect()'));
  assert.deepEqual(rulesOf(spec('pc')), []);
  // A pool made in the hook is still a pool: BEGIN and the test's query may take two connections.
  jest('pp');
  repo.write('pp/test/setup.ts', setup('new Pool()'));
  assert.deepEqual(rulesOf(spec('pp')), ['set-local-outside-transaction 3']);
});

test("a plain SET in a test runs inside the rolled-back per-test transaction whatever the hooks' vocabulary; without the rollback it keeps its finding", () => {
  const runner = (teardown: string) => `import { DataSource, QueryRunner } from 'typeorm';
let source: DataSource;
let runner: QueryRunner;
beforeEach(async () => { runner = source.createQueryRunner(); await runner.startTransaction(); });
${teardown}
it('counts', async () => { await runner.query('SET search_path TO stock'); });`;
  assert.deepEqual(embeddedRules(runner('afterEach(() => runner.rollbackTransaction());'), 'stock.spec.ts'), []);
  assert.deepEqual(embeddedRules(runner('afterEach(() => runner.commitTransaction());'), 'stock.spec.ts'), ['session-set']);
});

// Session 35 (mend39a): a client is told from a pool by the value it is given, not by a word in a name.
const checkedOut = (declared: string, checkout: string, helpers = '') => `import { Pool, PoolClient } from 'pg';
const warehouse = new Pool({ connectionString: process.env.TEST_DB });
${helpers}
describe('stock', () => {
  let ${declared}: PoolClient;
  beforeEach(async () => {
    ${declared} = ${checkout};
    await ${declared}.query('BEGIN');
  });
  afterEach(async () => { await ${declared}.query('ROLLBACK'); ${declared}.release(); });
  it('counts as the clerk', async () => {
    await ${declared}.query("SET LOCAL ROLE clerk");
  });
});`;

test("a client checked out of a pool is that client whatever its name or its getter's name says (poolClient, getPoolClient())", () => {
  assert.deepEqual(embeddedRules(checkedOut('poolClient', 'await warehouse.connect()'), 'stock.test.ts'), []);
  const getter = 'async function getPoolClient(): Promise<PoolClient> { return warehouse.connect(); }';
  assert.deepEqual(embeddedRules(checkedOut('tx', 'await getPoolClient()', getter), 'stock.test.ts'), []);
});

test('a variable named as a pool (its type saying neither), or given only what a pool factory makes (renamed on import too), is a pool: no per-test client', () => {
  const untyped = checkedOut('stockPool', 'await warehouse.connect()').replace('let stockPool: PoolClient;', 'let stockPool;');
  assert.deepEqual(embeddedRules(untyped, 'stock.test.ts'), ['set-local-outside-transaction']);
  // Declared as the checkout it is, the name says nothing (review47a N8: a declared type decides over the name).
  assert.deepEqual(embeddedRules(checkedOut('stockPool', 'await warehouse.connect()'), 'stock.test.ts'), []);
  const renamed = checkedOut('tx', "new PgPool({ connectionString: process.env.TEST_DB })").replace("import { Pool, PoolClient } from 'pg';", "import { Pool, Pool as PgPool, PoolClient } from 'pg';");
  assert.deepEqual(embeddedRules(renamed, 'stock.test.ts'), ['set-local-outside-transaction']);
});

/** A Vitest suite whose `beforeEach` begins on the client and returns `cleanup` (its teardown), with a test sending `body`. */
const returnsCleanup = (cleanup: string, body: string) => `import { beforeEach, test } from 'vitest';
import { Client } from 'pg';
const ledger = new Client();
await ledger.connect();
beforeEach(async () => {
  await ledger.query('BEGIN');
  return ${cleanup};
});
test('posts', async () => {
  ${body}
});`;
const LOCAL_ROLE = 'await ledger.query("SET LOCAL ROLE poster");';
/** A TypeORM runner's `beforeEach` returning `cleanup`, and a test's plain SET on the runner. */
const runnerReturning = (cleanup: string) => `import { beforeEach, test } from 'vitest';
import { DataSource, QueryRunner } from 'typeorm';
let source: DataSource;
let runner: QueryRunner;
beforeEach(async () => {
  runner = source.createQueryRunner();
  await runner.startTransaction();
  return ${cleanup};
});
test('counts', async () => { await runner.query('SET search_path TO stock'); });`;

test("a function a beforeEach returns is the test's teardown: its ROLLBACK rolls the test's transaction back, it does not close it before the test", () => {
  const rollback = "async () => {\n    await ledger.query('ROLLBACK');\n  }";
  assert.deepEqual(embeddedRules(returnsCleanup(rollback, LOCAL_ROLE), 'ledger.test.ts'), []);
  // Rolled back after the test: a plain SET in it goes with the rollback.
  assert.deepEqual(embeddedRules(runnerReturning('() => runner.rollbackTransaction()'), 'stock.spec.ts'), []);
  assert.deepEqual(embeddedRules(returnsCleanup("function () { return ledger.query('ROLLBACK'); }", LOCAL_ROLE), 'ledger.test.ts'), []);
});

test('a returned teardown that commits leaves a plain SET kept; a ROLLBACK the hook runs in place still closes the transaction', () => {
  assert.deepEqual(embeddedRules(runnerReturning('() => runner.commitTransaction()'), 'stock.spec.ts'), ['session-set']);
  const inPlace = returnsCleanup("undefined", LOCAL_ROLE).replace("  return undefined;", "  await Promise.resolve().then(() => ledger.query('ROLLBACK'));");
  assert.deepEqual(embeddedRules(inPlace, 'ledger.test.ts'), ['set-local-outside-transaction']);
});

/** A seed helper of the file sending `onError` in its `catch` and `after` after its insert. */
const seedHelper = (onError: string, after = '') => `async function seedShelf(c: Client, id: number) {
  try {
    await c.query('INSERT INTO shelves VALUES ($1)', [id]);
    ${after}
  } catch (error) {
    ${onError}
    throw error;
  }
}`;

test("a helper's ROLLBACK on its error path ends nothing the test sees; one on its normal path does", () => {
  const suite = (helper: string) => rolledBackSuite(`${BEGIN_READER}\n  await seedShelf(reader, 1);`).replace('beforeAll(', `${helper}\nbeforeAll(`);
  assert.deepEqual(embeddedRules(suite(seedHelper("await c.query('ROLLBACK');")), 'shelves.test.ts'), []);
  assert.deepEqual(embeddedRules(suite(seedHelper("await c.query('ROLLBACK');", "await c.query('COMMIT');")), 'shelves.test.ts'), ['set-local-outside-transaction']);
});

test("a hook's one text that begins and commits leaves no transaction open; one that begins and goes on leaves it open", () => {
  assert.deepEqual(embeddedRules(rolledBackSuite("await reader.query('BEGIN; DELETE FROM shelves; COMMIT;');"), 'shelves.test.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(rolledBackSuite("await reader.query('BEGIN; DELETE FROM shelves;');"), 'shelves.test.ts'), []);
  assert.deepEqual(embeddedRules(rolledBackSuite("await reader.query('START TRANSACTION ISOLATION LEVEL SERIALIZABLE; SAVEPOINT each_test');"), 'shelves.test.ts'), []);
});

test("a let alias of the hooks' client, never given another, is that client; one given another client too is not", () => {
  const aliasInHook = `beforeEach(async () => { let c = conn; await c.query('BEGIN'); });
afterEach(async () => { await conn.query('ROLLBACK'); });`;
  assert.deepEqual(embeddedRules(hooked(aliasInHook, TEST_BODY), 'ledger.test.ts'), []);
  const aliasInTest = `it('reads as the auditor', async () => {
  let viewer = conn;
  await viewer.query("SET LOCAL ROLE auditor");
});`;
  assert.deepEqual(embeddedRules(hooked(OPEN_AND_ROLL_BACK, aliasInTest), 'ledger.test.ts'), []);
  // Given another client as well: not known to be the hooks' client.
  const reassigned = `const spare = new Client();
it('reads as the auditor', async () => {
  let viewer = conn;
  if (process.env.SPARE) viewer = spare;
  await viewer.query("SET LOCAL ROLE auditor");
});`;
  assert.deepEqual(embeddedRules(hooked(OPEN_AND_ROLL_BACK, reassigned), 'ledger.test.ts'), ['set-local-outside-transaction']);
});

test('a function a hook only builds (held and never used, put in a property, or a bare expression) sends nothing of the hook\'s', () => {
  const builtUndo = (built: string): string => `beforeEach(async () => {
  await conn.query('BEGIN');
  ${built}
});
afterEach(async () => { await conn.query('ROLLBACK'); });`;
  // The undo is never run by the hook: the transaction stays open for the test and is rolled back after it.
  for (const built of ["const undo = async () => { await conn.query('COMMIT'); };", "globalThis.undo = () => conn.query('COMMIT');", "function undo() { return conn.query('COMMIT'); }"]) {
    assert.deepEqual(embeddedRules(hooked(builtUndo(built), TEST_BODY), 'ledger.test.ts'), [], built);
  }
  // Called, or handed to a call, it runs: the COMMIT ends the transaction before the test, whose SET LOCAL is then alone.
  for (const run of ["const undo = async () => { await conn.query('COMMIT'); };\n  await undo();", "await Promise.resolve().then(() => conn.query('COMMIT'));", "await (async () => { await conn.query('COMMIT'); })();"]) {
    assert.deepEqual(embeddedRules(hooked(builtUndo(run), TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction'], run);
  }
});

// The hook reads the text a client method sends as textsSentOn does (rolledBackCallbacks.ts's textSentBy): parentheses
// and casts around the literal are no other text.
test("a hook's BEGIN or ROLLBACK written in parentheses or with a cast is read as written bare", () => {
  const wrapped = `beforeEach(async () => { await conn.query(('BEGIN') as string); });
afterEach(async () => { await conn.query(<string>('ROLLBACK')); });`;
  assert.deepEqual(embeddedRules(hooked(wrapped, TEST_BODY), 'ledger.test.ts'), []);
  // Without the rollback the test is still inside the hook's transaction; without the BEGIN it is outside.
  assert.deepEqual(embeddedRules(hooked("beforeEach(async () => { await conn.query(('BEGIN' as const)); });", TEST_BODY), 'ledger.test.ts'), []);
  assert.deepEqual(embeddedRules(hooked("afterEach(async () => { await conn.query(('ROLLBACK')); });", TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
});

test('a function a hook puts in a property and then calls through it is run by the hook; one it only stores is not', () => {
  const stored = (after: string): string => `const ctx: any = {};
beforeEach(async () => {
  await conn.query('BEGIN');
  ctx.finish = () => conn.query('COMMIT');${after}
});
afterEach(async () => { await conn.query('ROLLBACK'); });`;
  // Called by the hook: the COMMIT ends the transaction before the test, whose SET LOCAL is then alone.
  assert.deepEqual(embeddedRules(hooked(stored('\n  await ctx.finish();'), TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
  // Only stored for others: the transaction stays open for the test.
  assert.deepEqual(embeddedRules(hooked(stored(''), TEST_BODY), 'ledger.test.ts'), []);
});

// Session 36 (mend41a): a suite variable given what a function of the project returns is a pool when that function
// hands out a pool (review 41a M2): the hooks' BEGIN and the test's SET LOCAL may then run on two connections.
/** A suite whose `conn` is given `made`, with `helpers` above it, the hooks opening and rolling back, and one test. */
const heldFrom = (made: string, helpers: string) => `import { Pool, Client } from 'pg';
${helpers}
const conn = ${made};
${OPEN_AND_ROLL_BACK}
${TEST_BODY}`;

test('a suite variable a function of the same file hands a pool to is a pool (made in place, or kept in a variable)', () => {
  const madeInPlace = 'function openLedgerPool() { return new Pool({ connectionString: process.env.TEST_DB }); }';
  assert.deepEqual(embeddedRules(heldFrom('openLedgerPool()', madeInPlace), 'ledger.test.ts'), ['set-local-outside-transaction']);
  const cached = `let shared: Pool | undefined;
function shareLedger() {
  if (!shared) shared = new Pool();
  return shared;
}`;
  assert.deepEqual(embeddedRules(heldFrom('shareLedger()', cached), 'ledger.test.ts'), ['set-local-outside-transaction']);
  // The same helpers handing out one client keep the per-test transaction on it.
  assert.deepEqual(embeddedRules(heldFrom('openLedger()', 'function openLedger() { return new Client(); }'), 'ledger.test.ts'), []);
  const cachedClient = cached.replace('Pool | undefined', 'Client | undefined').replace('new Pool()', 'new Client()');
  assert.deepEqual(embeddedRules(heldFrom('shareLedger()', cachedClient), 'ledger.test.ts'), []);
});

test('a suite variable an imported helper hands a pool to is a pool; a helper not found counts by its own name (getPool, not getPoolClient)', () => {
  repo.write('hp/package.json', '{"name": "hp"}');
  repo.write('hp/test/support.js', ["const { Pool, Client } = require('pg');", 'exports.makeLedgerPool = () => new Pool();', 'exports.makeLedgerClient = () => new Client();']);
  const suite = (made: string, required: string): string => repo.write(`hp/test/${required}.test.js`, [
    `const { ${required} } = require('./support');`,
    `const conn = ${made};`,
    OPEN_AND_ROLL_BACK,
    TEST_BODY,
  ]);
  assert.deepEqual(rulesOf(suite('makeLedgerPool()', 'makeLedgerPool')), ['set-local-outside-transaction 6']);
  assert.deepEqual(rulesOf(suite('makeLedgerClient()', 'makeLedgerClient')), []);
  // From a package the analysis does not read: the function's name is all there is.
  const fromPackage = (name: string) => `import { ${name} } from '@acme/test-db';\nconst conn = ${name}();\n${OPEN_AND_ROLL_BACK}\n${TEST_BODY}`;
  assert.deepEqual(embeddedRules(fromPackage('getPool'), 'ledger.test.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(fromPackage('getPoolClient'), 'ledger.test.ts'), []);
});

// Session 37 (mend43a): a pool capped at one connection (`{ max: 1 }`) is one session for a suite, whose tests run one
// after another (ownServerClients.ts reads it so in test code): the hooks' BEGIN holds for the test, made in place or
// by a function of the project. Application code, whose concurrent callers share it, still reads it as a pool.
test('a suite variable given a pool capped at one connection keeps the per-test transaction; application code still reads a pool', () => {
  const capped = 'function openLedger() { return new Pool({ connectionString: process.env.TEST_DB, max: 1 }); }';
  assert.deepEqual(embeddedRules(heldFrom('openLedger()', capped), 'ledger.test.ts'), []);
  assert.deepEqual(embeddedRules(heldFrom('new Pool({ connectionString: process.env.TEST_DB, max: 1 })', ''), 'ledger.test.ts'), []);
  // Two connections allowed: a pool.
  assert.deepEqual(embeddedRules(heldFrom('openLedger()', capped.replace('max: 1', 'max: 2')), 'ledger.test.ts'), ['set-local-outside-transaction']);
  const application = `import { Pool } from 'pg';
${capped}
const conn = openLedger();
export async function settle() {
  await conn.query('BEGIN');
  await conn.query("SET LOCAL statement_timeout = '5s'");
  await conn.query('COMMIT');
}`;
  assert.deepEqual(embeddedRules(application, 'src/ledger.ts'), ['set-local-outside-transaction']);
});

// A function a hook declares and calls by name runs where it is called, not where it is written.
test("a function a hook declares and then calls is read where it is called: its BEGIN after the hook's ROLLBACK opens the test's transaction, its COMMIT after the BEGIN closes it", () => {
  const hook = (lines: string): string => `beforeEach(async () => {\n${lines}\n});\nafterEach(async () => { await conn.query('ROLLBACK'); });`;
  // Declared first, run last: the transaction is open for the test.
  for (const declared of ["  async function begin() { await conn.query('BEGIN'); }", "  const begin = async () => { await conn.query('BEGIN'); };"]) {
    const lines = `${declared}\n  await conn.query('ROLLBACK');\n  await begin();`;
    assert.deepEqual(embeddedRules(hooked(hook(lines), TEST_BODY), 'ledger.test.ts'), [], declared);
  }
  // A commit helper declared above the BEGIN and called after it: the test is outside any transaction.
  const finishing = "  async function finish() { await conn.query('COMMIT'); }\n  await conn.query('BEGIN');\n  await finish();";
  assert.deepEqual(embeddedRules(hooked(hook(finishing), TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
  // Called before the BEGIN, the helper's ROLLBACK clears leftovers and the BEGIN still opens the test's transaction.
  const clearing = "  const clear = () => conn.query('ROLLBACK');\n  await clear();\n  await conn.query('BEGIN');";
  assert.deepEqual(embeddedRules(hooked(hook(clearing), TEST_BODY), 'ledger.test.ts'), []);
});

test('an edit that adds the hooks to a file analysed before is read afresh: whether a file names beforeEach is kept per syntax tree, not per file', () => {
  // The editor analyses the document again after each edit (a new tree): the first answer must not stick to the file.
  assert.deepEqual(embeddedRules(hooked('', TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(hooked(OPEN_AND_ROLL_BACK, TEST_BODY), 'ledger.test.ts'), []);
  assert.deepEqual(embeddedRules(hooked('', TEST_BODY), 'ledger.test.ts'), ['set-local-outside-transaction']);
});

/** A suite checking a client out of its pool before each test, inside a transaction rolled back after it, and a local
 * function that only hands its arguments on to that client's query. */
const forwardingSuite = (wrapper: string, setup: string, tests: string) => `import { Pool, type PoolClient } from 'pg';
describe('grants', () => {
  const pool = new Pool({ connectionString: process.env.TEST_DB });
  let client: PoolClient;
  ${wrapper}
  beforeEach(async () => {
    client = await pool.connect();
    ${setup}
  });
  afterEach(async () => {
    try { await client.query('ROLLBACK'); } finally { client.release(); }
  });
  ${tests}
});`;
const arrowForwarder = (name: string) => `const ${name} = (text: string, params?: unknown[]) => client.query(text, params);`;
const returnForwarder = (name: string) => `const ${name} = (text: string, params?: unknown[]) => {\n    return client.query(text, params);\n  };`;
const wrappedTest = (name: string) => `it('reads as a member', async () => {
    await ${name}('SET LOCAL ROLE member');
    await ${name}("SELECT set_config('app.user', $1, true)", ['u1']);
    await ${name}('select * from grants');
  });`;
const BEGIN = "await client.query('BEGIN');";
const LOST_TWICE = ['set-local-outside-transaction', 'set-local-outside-transaction'];

test("a test's SET LOCAL sent through a local function that only forwards to the hooks' client is inside their transaction", () => {
  // Named as a helper (`run`) or as the driver's own method (`query`), an arrow's body or a lone `return`.
  for (const name of ['run', 'query']) {
    for (const wrapper of [arrowForwarder(name), returnForwarder(name)]) {
      assert.deepEqual(embeddedRules(forwardingSuite(wrapper, BEGIN, wrappedTest(name)), 'grants.test.ts'), [], wrapper);
    }
  }
});

test('the forwarding function keeps the finding on a client the hooks leave outside a transaction, or on the pool itself', () => {
  for (const name of ['run', 'query']) {
    // No BEGIN in beforeEach: each statement runs alone, the SET LOCAL and the set_config are lost.
    assert.deepEqual(embeddedRules(forwardingSuite(arrowForwarder(name), '', wrappedTest(name)), 'grants.test.ts'), LOST_TWICE, name);
    // Forwarding to the pool: BEGIN, the SET LOCAL and ROLLBACK may each take another connection.
    const onPool = `import { Pool } from 'pg';
const pool = new Pool();
const ${name} = (text: string) => pool.query(text);
beforeEach(async () => { await pool.query('BEGIN'); });
afterEach(async () => { await pool.query('ROLLBACK'); });
it('reads as a member', async () => { await ${name}('SET LOCAL ROLE member'); await ${name}('select 1'); });`;
    assert.deepEqual(embeddedRules(onPool, 'grants.test.ts'), ['set-local-outside-transaction'], name);
  }
});

test("a helper a describe body declares by name runs in the tests that call it: its SET LOCAL on the hooks' client is inside their transaction", () => {
  const helpers = `${arrowForwarder('query')}
  const asMember = async () => {
    await query("SELECT set_config('app.user', 'u1', true)");
    await client.query('SET LOCAL ROLE member');
  };
  async function asOwner() { await query('SET LOCAL ROLE owner'); }`;
  const tests = `it('reads as a member', async () => { await asMember(); await query('select * from grants'); });
  it('reads as the owner', async () => { await asOwner(); await query('select * from grants'); });`;
  assert.deepEqual(embeddedRules(forwardingSuite(helpers, BEGIN, tests), 'grants.test.ts'), []);
  // Without the hooks' BEGIN the same helpers lose their settings.
  assert.deepEqual(embeddedRules(forwardingSuite(helpers, '', tests), 'grants.test.ts'), [...LOST_TWICE, 'set-local-outside-transaction']);
  // A callback the describe body hands a call runs while the tests are collected, before any hook: outside.
  const atCollection = `${arrowForwarder('query')}
  ['member'].forEach(async (role) => { await client.query(\`SET LOCAL ROLE \${role}\`); });`;
  assert.deepEqual(embeddedRules(forwardingSuite(atCollection, BEGIN, ''), 'grants.test.ts'), ['set-local-outside-transaction']);
});

test("a nested describe's hooks run inside the transaction an outer beforeEach began and its afterEach rolls back", () => {
  const nested = `${arrowForwarder('query')}
  describe('with the flag on', () => {
    beforeEach(async () => { await query("SELECT set_config('app.flag', 'on', true)"); });
    afterEach(async () => { await client.query("SELECT set_config('app.flag', 'off', true)"); });
    it('reads', async () => { await query('select 1'); });
  });`;
  assert.deepEqual(embeddedRules(forwardingSuite(nested, BEGIN, ''), 'grants.test.ts'), []);
  // Without the outer BEGIN both settings are lost.
  assert.deepEqual(embeddedRules(forwardingSuite(nested, '', ''), 'grants.test.ts'), LOST_TWICE);
  // A beforeEach registered before the one that begins runs outside the transaction.
  const before = `import { Client } from 'pg';
const conn = new Client();
beforeEach(async () => { await conn.query("SET LOCAL ROLE member"); });
${OPEN_AND_ROLL_BACK}
it('reads', async () => { await conn.query('select 1'); });`;
  assert.deepEqual(embeddedRules(before, 'grants.test.ts'), ['set-local-outside-transaction']);
  // An afterEach in the block whose afterEach rolls back is not known to run before that rollback.
  const sameBlock = `import { Client } from 'pg';
const conn = new Client();
${OPEN_AND_ROLL_BACK}
afterEach(async () => { await conn.query("SET LOCAL ROLE member"); });
it('reads', async () => { await conn.query('select 1'); });`;
  assert.deepEqual(embeddedRules(sameBlock, 'grants.test.ts'), ['set-local-outside-transaction']);
});
