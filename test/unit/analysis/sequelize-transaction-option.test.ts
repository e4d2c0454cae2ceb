// Sequelize runs `sequelize.query(text, { transaction: t })` on the connection of transaction `t`, inside it,
// whichever way `t` was obtained (a managed callback's parameter, `await sequelize.transaction()`, a function's
// parameter). A transaction-local setting there lasts until that transaction ends; without the option, or with
// `transaction: null`, the query runs alone on some pooled connection.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/scout/ledger.ts').map(([rule, at]) => `${rule} ${at}`);
const HEAD = "import { Sequelize, QueryTypes, Transaction } from 'sequelize';\nconst db = new Sequelize(process.env.DATABASE_URL!);\n";

test('SET LOCAL and set_config(…, true) sent with a transaction option are inside that transaction', () => {
  const text = HEAD + [
    'export async function credit(account: string) {',
    '  await db.transaction(async (tx) => {',
    "    await db.query(\"SET LOCAL lock_timeout = '3s'\", { transaction: tx });",
    '    await db.query("UPDATE accounts SET balance = balance + 1 WHERE id = $1", { bind: [account], transaction: tx });',
    '  });',
    '}',
    'export async function audit(user: string) {',
    '  await db.transaction(async (transaction) => {',
    "    await db.query(\"SELECT set_config('audit.user', $1, true)\", { bind: [user], transaction, type: QueryTypes.SELECT });",
    '  });',
    '}',
    'export async function manual() {',
    '  const handle = await db.transaction();',
    "  await db.query(\"SET LOCAL statement_timeout = '10s'\", { transaction: handle });",
    '  await handle.commit();',
    '}',
    'export async function within(outer: Transaction) {',
    "  await db.query(\"SET LOCAL search_path TO ledger\", { transaction: outer });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('without a transaction option, with transaction: null, or for a session SET, the findings stay', () => {
  const text = HEAD + [
    'export async function loose(tx: Transaction) {',
    "  await db.query(\"SET LOCAL lock_timeout = '3s'\", { type: QueryTypes.RAW });",
    "  await db.query(\"SET LOCAL lock_timeout = '4s'\", { transaction: null });",
    '  await db.query("SET search_path TO ledger", { transaction: tx });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL lock_timeout = '3s'",
    "set-local-outside-transaction SET LOCAL lock_timeout = '4s'",
    'session-set SET search_path TO ledger',
  ]);
});
