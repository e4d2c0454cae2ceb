// sql`…` templates a unit test only renders to text and compares (toSQL, makeSQL, compile), or only hands to an expect
// matcher as the expected value (the template itself, or the text and values of the query object it makes), are never
// sent: no pooling findings. A template that is also sent, or rendered for anything but an assertion, or awaited through
// expect(…) itself, still counts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'render.test.ts').map(([rule]) => rule);

test('a SET LOCAL template only rendered into an assertion, inline or through a const, is no finding', () => {
  const text = [
    "import { sql } from 'some-orm';",
    "it('renders', () => {",
    '  const q = sql`SET LOCAL search_path TO ${sql.ref(schema)}`;',
    '  expect(q.toSQL({ values: [] })).toBe(\'SET LOCAL search_path TO "s"\');',
    "  assert.equal(sql`SET LOCAL statement_timeout = 5`.makeSQL(), 'SET LOCAL statement_timeout = 5');",
    '});',
  ].join('\n');
  assert.deepEqual(rules(text), []);
});

test('a template that is sent as well as rendered, or rendered for another use, keeps its findings', () => {
  const text = [
    "import { sql } from 'some-orm';",
    'export async function run(db, schema) {',
    '  const q = sql`SET LOCAL search_path TO ${schema}`;',
    '  expect(q.toSQL()).toBeTruthy();',
    '  await db.query(q);',
    '  const text = sql`SET LOCAL statement_timeout = 5`.toSQL();',
    '  await db.query(text);',
    '}',
  ].join('\n');
  assert.deepEqual(rules(text), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});

test('a template that is only the expected argument of an expect matcher (toHaveBeenCalledWith on a mock), inline or through a const, is no finding', () => {
  const text = [
    "import { sql } from 'drizzle-orm';",
    "it('sets the tenant for the transaction', async () => {",
    '  const trx = { execute: vi.fn() };',
    "  await runForTenant(trx, 'acme');",
    "  expect(trx.execute).toHaveBeenCalledWith(sql`SELECT set_config('app.tenant', ${'acme'}, true)`);",
    '  expect(trx.execute).toHaveBeenNthCalledWith(1, (sql`SET LOCAL statement_timeout = 5`));',
    '  const wanted = sql`SET LOCAL role = tenant_user`;',
    '  expect(trx.execute).toHaveBeenLastCalledWith(wanted);',
    '});',
  ].join('\n');
  assert.deepEqual(rules(text), []);
});

test('a template an expect awaits, or one also sent, keeps its findings', () => {
  const text = [
    "import postgres from 'postgres';",
    "import { sql as q } from 'drizzle-orm';",
    'const sql = postgres(process.env.DATABASE_URL, { prepare: false });',
    "it('locks', async () => {",
    '  await expect(sql`SELECT pg_advisory_lock(7)`).resolves.toBeDefined();',
    '  expect(await db.execute(q`SET LOCAL statement_timeout = 5`)).toBeDefined();',
    '  const role = q`SET LOCAL role = tenant_user`;',
    '  expect(db.execute).toHaveBeenCalledWith(role);',
    '  await db.execute(role);',
    '});',
  ].join('\n');
  assert.deepEqual(rules(text), ['advisory-lock', 'set-local-outside-transaction', 'set-local-outside-transaction']);
});

test("a query object whose text and values a test only compares with a stub's call (sinon-chai's calledWith) is no finding; sent as well, it keeps it", () => {
  const compared = [
    "import { SQL } from 'sql-template-strings';",
    "it('opens the connection and takes the lock', async () => {",
    '  await connection.open();',
    '  const expectedLockSQL = SQL`SELECT pg_advisory_lock(${42})`;',
    '  expect(queryStub).to.have.been.calledWith(expectedLockSQL?.text, expectedLockSQL?.values);',
    '  expect(queryStub).to.have.been.calledWith(expectedLockSQL.sql);',
    '});',
  ];
  assert.deepEqual(rules(compared.join('\n')), []);
  const sent = [...compared.slice(0, -1), '  await client.query(expectedLockSQL.text, expectedLockSQL.values);', '});'];
  assert.deepEqual(rules(sent.join('\n')), ['advisory-lock']);
});
