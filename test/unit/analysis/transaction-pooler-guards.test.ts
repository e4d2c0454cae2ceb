// A postgres.js client made only after the code refused its URL on the transaction pooler's port (transactionPoolerGuards.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const RULE = 'protocol-prepared-statement';
const prepared = (code: string) => analyze(code, 'typescript', {}, 'reports/warehouse.ts').filter((f) => f.rule === RULE).length;
const opener = (guard: string, made = 'postgres(url, { max: 3 })') => `import postgres from 'postgres';
export function openWarehouse() {
  const url = process.env.WAREHOUSE_DATABASE_URL;
  if (!url) throw new Error('WAREHOUSE_DATABASE_URL is required');
${guard}
  const sql = ${made};
  return sql;
}`;

test('a client made after the code throws, returns or exits on a URL on the transaction pooler port is not flagged', () => {
  // The port read off the parsed URL in the test itself.
  assert.equal(prepared(opener("  if (new URL(url).port === '6543') throw new Error('the transaction pooler is refused: use :5432');")), 0);
  // Through a const parsed in an IIFE, a block that ends by throwing, the number on the left.
  assert.equal(prepared(opener(`  const port = (() => {
    try { return new URL(url).port || '5432'; } catch { return ''; }
  })();
  if (6543 == port || !port) {
    console.error('refusing the transaction pooler');
    throw new Error('use a session connection');
  }`)), 0);
  // The URL's text searched for the port; a process.exit leaves too.
  assert.equal(prepared(opener("  if (url.includes(':6543')) {\n    console.error('session pooler only');\n    process.exit(1);\n  }")), 0);
});

test('a guard that does not keep every path to the client off the transaction pooler port keeps the finding', () => {
  // No guard at all.
  assert.equal(prepared(opener('')), 1);
  // It only warns and goes on to the client.
  assert.equal(prepared(opener("  if (new URL(url).port === '6543') console.warn('prepared statements may fail here');")), 1);
  // Another port is refused (PgBouncer's 6432 says nothing of the 6543 pooler), or another URL is tested.
  assert.equal(prepared(opener("  if (new URL(url).port === '6432') throw new Error('no PgBouncer');")), 1);
  assert.equal(prepared(opener("  if (new URL(process.env.APP_URL!).port === '6543') throw new Error('no pooler');")), 1);
  // `&&` tests the port only together with another condition: a pooler URL may pass.
  assert.equal(prepared(opener("  if (strict && new URL(url).port === '6543') throw new Error('no pooler');")), 1);
  // The guard sits in a branch the client's path may skip.
  assert.equal(prepared(opener("  if (checked) {\n    if (new URL(url).port === '6543') throw new Error('no pooler');\n  }")), 1);
  // A URL that may change after the guard (a let).
  assert.equal(prepared(`import postgres from 'postgres';
export function openWarehouse() {
  let url = process.env.WAREHOUSE_DATABASE_URL!;
  if (new URL(url).port === '6543') throw new Error('no pooler');
  url = process.env.FALLBACK_URL!;
  return postgres(url);
}`), 1);
});
