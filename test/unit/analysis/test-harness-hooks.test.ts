// A test-database helper's per-test hooks (`await db.beforeEach()` … `db.afterEach()`) wrap each test in a
// transaction: SET LOCAL right after the setup hook on that object is not known to be lost.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const suite = (setup: string, teardown = 'afterEach(() => db.afterEach());') => `import { connect } from 'some-test-db';
import type { TestDb } from 'some-test-db';
describe('orders', () => {
  let db: TestDb;
  beforeAll(async () => { db = await connect(); });
  ${setup}
  ${teardown}
  it('lists', async () => { await db.query('select 1'); });
});`;

test('SET LOCAL after an imported helper\'s beforeEach() in the framework hook, with its afterEach() paired, is no finding', () => {
  const text = suite(`beforeEach(async () => {
    await db.beforeEach();
    await db.query("set local timezone to '+04:00'");
    await db.query("select set_config('jwt.claims.role', 'member', true)");
  });`);
  assert.deepEqual(embeddedRules(text, 'orders.test.ts'), []);
});

test('without the paired afterEach(), or before the setup hook runs, SET LOCAL is still outside a transaction', () => {
  const unpaired = suite(`beforeEach(async () => {
    await db.beforeEach();
    await db.query("set local timezone to '+04:00'");
  });`, 'afterEach(() => db.close());');
  assert.deepEqual(embeddedRules(unpaired, 'orders.test.ts'), ['set-local-outside-transaction']);
  const beforeHook = suite(`beforeEach(async () => {
    await db.query("set local timezone to '+04:00'");
    await db.beforeEach();
  });`);
  assert.deepEqual(embeddedRules(beforeHook, 'orders.test.ts'), ['set-local-outside-transaction']);
});

test('the hook opens nothing for another object, nor outside the test framework\'s beforeEach', () => {
  const otherObject = suite(`beforeEach(async () => {
    await db.beforeEach();
    await admin.query("set local timezone to '+04:00'");
  });`);
  assert.deepEqual(embeddedRules(otherObject, 'orders.test.ts'), ['set-local-outside-transaction']);
  const plainFunction = suite(`async function prepare() {
    await db.beforeEach();
    await db.query("set local timezone to '+04:00'");
  }`);
  assert.deepEqual(embeddedRules(plainFunction, 'orders.test.ts'), ['set-local-outside-transaction']);
});

test('a helper class in the same file counts only when its beforeEach() sends BEGIN or a SAVEPOINT (directly or through its own methods)', () => {
  const helper = (body: string) => `import { Client } from 'pg';
class TestDb {
  client = new Client();
  async begin() { await this.client.query('BEGIN'); }
  async truncate() { await this.client.query('TRUNCATE orders'); }
  async beforeEach() { ${body} }
  async afterEach() { await this.client.query('ROLLBACK'); }
  query(text) { return this.client.query(text); }
}
const db = new TestDb();
beforeEach(async () => {
  await db.beforeEach();
  await db.query("SET LOCAL lock_timeout = '1s'");
});
afterEach(() => db.afterEach());`;
  assert.deepEqual(embeddedRules(helper('await this.begin();'), 'db.test.ts'), []);
  assert.deepEqual(embeddedRules(helper("await this.client.query('SAVEPOINT each_test');"), 'db.test.ts'), []);
  assert.deepEqual(embeddedRules(helper('await this.truncate();'), 'db.test.ts'), ['set-local-outside-transaction']);
});

/**
 * A TypeORM suite: a runner the suite holds, a `beforeEach` hook around the tests (`hook`'s body), and a test sending
 * `SET LOCAL` on `sentOn` after `first` (statements of the test before it).
 */
const runnerSuite = (hook: string, { sentOn = 'runner', first = '', outerHook = '' } = {}) => `import { DataSource, QueryRunner } from 'typeorm';
describe('stock', () => {
  let source: DataSource;
  let runner: QueryRunner;
  let other: QueryRunner;
  beforeAll(async () => { source = await new DataSource({ type: 'postgres' }).initialize(); other = source.createQueryRunner(); });
  ${outerHook}
  describe('per shelf', () => {
    beforeEach(async () => {
      ${hook}
    });
    afterEach(async () => { await runner.rollbackTransaction(); await runner.release(); });
    it('counts', async () => {
      ${first}
      await ${sentOn}.query('SET LOCAL search_path TO stock_a, public');
    });
  });
});`;

const OPENS_RUNNER = 'runner = source.createQueryRunner();\n      await runner.connect();\n      await runner.startTransaction();';

test("SET LOCAL in a test, on a runner the suite's beforeEach leaves in a transaction it began, is inside that transaction", () => {
  assert.deepEqual(embeddedRules(runnerSuite(OPENS_RUNNER), 'stock.spec.ts'), []);
  // A literal BEGIN on a driver's client, the hook in the suite around the test's own, and a modified test call.
  const literal = `import { Client } from 'pg';
const client = new Client();
beforeAll(() => client.connect());
beforeEach(async () => { await client.query('BEGIN'); });
afterEach(() => client.query('ROLLBACK'));
describe('orders', () => {
  test.only('sees its own timeout', async () => {
    await client.query("SET LOCAL lock_timeout = '1s'");
  });
});`;
  assert.deepEqual(embeddedRules(literal, 'orders.test.ts'), []);
  // The hook an arrow whose body is the call, after an outer suite's hook made the runner (hooks run outermost first).
  const arrow = runnerSuite('', { outerHook: 'beforeEach(async () => { runner = source.createQueryRunner(); });' }).replace('beforeEach(async () => {\n      \n    });', 'beforeEach(() => runner.startTransaction());');
  assert.deepEqual(embeddedRules(arrow, 'stock.spec.ts'), []);
});

test('the SET LOCAL stays outside a transaction when the hook ends what it began, begins on another object or replaces the runner after, or the test ends it first', () => {
  const ends = `${OPENS_RUNNER}\n      await runner.commitTransaction();`;
  assert.deepEqual(embeddedRules(runnerSuite(ends), 'stock.spec.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(runnerSuite(OPENS_RUNNER, { sentOn: 'other' }), 'stock.spec.ts'), ['set-local-outside-transaction']);
  const replaced = `${OPENS_RUNNER}\n      runner = source.createQueryRunner();`;
  assert.deepEqual(embeddedRules(runnerSuite(replaced), 'stock.spec.ts'), ['set-local-outside-transaction']);
  assert.deepEqual(embeddedRules(runnerSuite(OPENS_RUNNER, { first: 'await runner.rollbackTransaction();' }), 'stock.spec.ts'), ['set-local-outside-transaction']);
  // A hook that runs once (beforeAll) leaves the transaction to the first test only.
  const once = runnerSuite("runner = source.createQueryRunner();").replace('let other: QueryRunner;', 'let other: QueryRunner;\n  beforeAll(() => runner.startTransaction());');
  assert.deepEqual(embeddedRules(once, 'stock.spec.ts'), ['set-local-outside-transaction']);
});

test("a beforeEach hook of a sibling suite, or one written in a helper function, does not run before the test", () => {
  const sibling = runnerSuite('runner = source.createQueryRunner();', { outerHook: `describe('per aisle', () => {\n    beforeEach(async () => { await runner.startTransaction(); });\n  });` });
  assert.deepEqual(embeddedRules(sibling, 'stock.spec.ts'), ['set-local-outside-transaction']);
  // The outer suite's hook begins, then the test's own suite replaces the runner.
  const replacedInner = runnerSuite('runner = source.createQueryRunner();', { outerHook: 'beforeEach(() => runner.startTransaction());' });
  assert.deepEqual(embeddedRules(replacedInner, 'stock.spec.ts'), ['set-local-outside-transaction']);
  const helper = runnerSuite('runner = source.createQueryRunner();', { outerHook: 'async function open() { await runner.startTransaction(); }' });
  assert.deepEqual(embeddedRules(helper, 'stock.spec.ts'), ['set-local-outside-transaction']);
});
