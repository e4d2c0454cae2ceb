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
