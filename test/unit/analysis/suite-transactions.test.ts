// A test suite's beforeEach/afterEach hooks that open a transaction on a client before each test and roll it back after:
// a test's SET LOCAL on that client is inside the transaction. The hooks count where they apply: the test file's own
// (top level or an enclosing describe) and a setup file the test runner's configuration names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('suite-transactions', { after });
before(() => initAnalysis());

function rulesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
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
