// drizzle's `sql.raw(text)` handed straight to a query call (`trx.execute(sql.raw(text))`) is sent by that call, on
// its client, as a `sql` template there is. A helper whose transaction parameter sends `SET LOCAL` that way is inside
// its callers' transaction (declared with a transaction type) or unknown (an untyped parameter): no finding. The
// statement sent on the database itself, outside any transaction, keeps its finding, as does a helper some call hands
// the database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[]) => embeddedFindings(lines.join('\n'), '/nowhere/tables/lib/table/timeouts.ts').map(([rule, at]) => `${rule} ${at}`);

const imports = ["import { sql } from 'drizzle-orm';", "import { db } from '@/db';", "import type { DbTransaction } from './planner';"];

test('SET LOCALs a helper sends through sql.raw on its transaction-typed parameter: no finding', () => {
  assert.deepEqual(found([
    ...imports,
    'export async function setTableTimeouts(trx: DbTransaction, statementMs = 10_000) {',
    '  await trx.execute(sql.raw(`SET LOCAL statement_timeout = \'${statementMs}ms\'`));',
    "  await trx.execute(sql.raw(`SET LOCAL lock_timeout = '3000ms'`));",
    '}',
  ]), []);
});

/** A file-local helper whose parameter is declared as part of the database, called with a db.transaction handle. */
const writeHelperInTransaction = [
  "async function setWriteTimeouts(trx: Pick<typeof db, 'execute'>): Promise<void> {",
  "  await trx.execute(sql.raw(`SET LOCAL lock_timeout = '2000ms'`));",
  '}',
  'export async function write() {',
  '  await db.transaction(async (tx) => {',
  '    await setWriteTimeouts(tx);',
  '  });',
];

test('SET LOCAL through sql.raw on a parameter (`Pick<typeof db, …>`) of a helper this file only calls with a db.transaction handle: no finding', () => {
  assert.deepEqual(found([
    ...imports,
    ...writeHelperInTransaction,
    '}',
  ]), []);
});

test('SET LOCAL through sql.raw on the database itself keeps its finding', () => {
  assert.deepEqual(found([
    ...imports,
    'export async function setTimeouts() {',
    "  await db.execute(sql.raw(`SET LOCAL statement_timeout = '5s'`));",
    '}',
  ]), ["set-local-outside-transaction SET LOCAL statement_timeout = '5s'"]);
});

test('the same helper also called with the database, outside a transaction, keeps its findings', () => {
  assert.deepEqual(found([
    ...imports,
    ...writeHelperInTransaction,
    '  await setWriteTimeouts(db);',
    '}',
  ]), ["set-local-outside-transaction SET LOCAL lock_timeout = '2000ms'"]);
});
