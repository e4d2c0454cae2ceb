// `rollback(savepoint)` on a transaction object rolls back to that savepoint and keeps the transaction open
// (deno-postgres's Transaction, pgsql-test's client); only `rollback()` or `rollback(error)` ends it. What the
// transaction created before the savepoint, and what it sends after the partial rollback, belongs to the
// transaction that later commits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/ledger/src/batches.ts').map(([rule, at]) => `${rule} ${at}`);

const HEADER = [
  "import { Client } from 'jsr:@db/postgres';",
  'const client = new Client(Deno.env.get("DATABASE_URL"));',
];

test('a temp table made before a savepoint outlives the commit that follows a rollback to that savepoint', () => {
  const text = [
    ...HEADER,
    'export async function stageBatch() {',
    '  const tx = client.createTransaction("stage");',
    '  await tx.begin();',
    '  await tx.queryArray`CREATE TEMP TABLE staged_rows (n int)`;',
    '  const checkpoint = await tx.savepoint("before_fill");',
    '  await tx.queryArray`INSERT INTO staged_rows VALUES (1)`;',
    '  await tx.rollback(checkpoint);',
    '  await tx.commit();',
    '}',
    'export async function stageByName() {',
    '  const tx = client.createTransaction("named");',
    '  await tx.begin();',
    '  await tx.queryArray`CREATE TEMP TABLE named_rows (n int)`;',
    '  await tx.savepoint("mark");',
    '  await tx.rollback("mark");',
    '  await tx.commit();',
    '}',
    'export async function stageByObject(savepointName: string) {',
    '  const tx = client.createTransaction("object");',
    '  await tx.begin();',
    '  await tx.queryArray`CREATE TEMP TABLE object_rows (n int)`;',
    '  await tx.rollback({ savepoint: savepointName });',
    '  await tx.commit();',
    '}',
    // rollback() without a savepoint ends the transaction, and drops what it created.
    'export async function abandon() {',
    '  const tx = client.createTransaction("abandon");',
    '  await tx.begin();',
    '  await tx.queryArray`CREATE TEMP TABLE scratch_rows (n int)`;',
    '  await tx.rollback();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'temp-table CREATE TEMP TABLE staged_rows (n int)',
    'temp-table CREATE TEMP TABLE named_rows (n int)',
    'temp-table CREATE TEMP TABLE object_rows (n int)',
  ]);
});

test('SET LOCAL after a rollback to a savepoint is inside the open transaction; after rollback(error) it reaches nothing', () => {
  const text = [
    ...HEADER,
    'export async function retryStep(step: string) {',
    '  const tx = client.createTransaction("retry");',
    '  await tx.begin();',
    '  const savepoint = await tx.savepoint("attempt");',
    '  await tx.queryArray`UPDATE steps SET tries = tries + 1 WHERE id = ${step}`;',
    '  await tx.rollback(savepoint);',
    "  await tx.queryArray`SET LOCAL lock_timeout = '2s'`;",
    '  await tx.queryArray`UPDATE steps SET done = true WHERE id = ${step}`;',
    '  await tx.commit();',
    '}',
    // knex-style rollback(error): the error is the reason, not a savepoint; the transaction has ended.
    'export async function fail(reason: Error) {',
    '  const tx = client.createTransaction("fail");',
    '  await tx.begin();',
    '  await tx.rollback(reason);',
    "  await tx.queryArray`SET LOCAL lock_timeout = '3s'`;",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["set-local-outside-transaction SET LOCAL lock_timeout = '3s'"]);
});
