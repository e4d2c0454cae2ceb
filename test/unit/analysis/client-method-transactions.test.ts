// Two more ways code holds one connection. A transaction begun by a method of the client object itself, with no
// callback and no handle taken from it (TypeORM's `await runner.startTransaction()`, MikroORM's `await em.begin()`),
// covers the queries sent through that object afterwards. pg-promise's `db.task(cb)` lends the callback one
// connection but opens no transaction: a SET LOCAL sent there on its own reaches nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/scout/payroll.ts').map(([rule, at]) => `${rule} ${at}`);

test('queries after a begin method of the same client object are inside its transaction', () => {
  const text = [
    "import { DataSource } from 'typeorm';",
    "import { MikroORM } from '@mikro-orm/postgresql';",
    "const source = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });",
    'export async function runPayroll() {',
    '  const runner = source.createQueryRunner();',
    '  await runner.connect();',
    "  await runner.startTransaction('SERIALIZABLE');",
    "  await runner.query(\"SET LOCAL lock_timeout = '4s'\");",
    "  await runner.query('UPDATE salaries SET paid = true');",
    '  await runner.commitTransaction();',
    '  await runner.release();',
    '}',
    'const orm = await MikroORM.init({ clientUrl: process.env.DATABASE_URL });',
    'export async function closeMonth() {',
    '  const em = orm.em.fork();',
    '  await em.begin();',
    "  await em.execute(\"SELECT set_config('payroll.month', '2026-11', true)\");",
    '  await em.commit();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('without the begin call, or when the begin call hands out another object, the setting is lost', () => {
  const text = [
    "import { DataSource } from 'typeorm';",
    "import { MikroORM } from '@mikro-orm/postgresql';",
    "const source = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });",
    'export async function quick() {',
    '  const runner = source.createQueryRunner();',
    "  await runner.query(\"SET LOCAL lock_timeout = '5s'\");",
    '  await runner.release();',
    '}',
    'const orm = await MikroORM.init({ clientUrl: process.env.DATABASE_URL });',
    'export async function other() {',
    '  const em = orm.em.fork();',
    '  const trx = await em.getConnection().begin();',
    "  await em.execute(\"SET LOCAL lock_timeout = '6s'\");",
    '  await em.getConnection().commit(trx);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL lock_timeout = '5s'",
    "set-local-outside-transaction SET LOCAL lock_timeout = '6s'",
  ]);
});

test("a pg-promise task lends one connection without a transaction; tx and a handed-in client stay as they were", () => {
  const text = [
    "import pgPromise from 'pg-promise';",
    'const pgp = pgPromise();',
    'const db = pgp(process.env.DATABASE_URL!);',
    'export async function export_() {',
    "  await db.task('export', async (t) => { await t.none(\"SET LOCAL statement_timeout = '1min'\"); await t.any('SELECT * FROM ledger'); });",
    "  await db.tx(async (t) => { await t.none(\"SET LOCAL statement_timeout = '2min'\"); await t.any('SELECT * FROM ledger'); });",
    '}',
    'export async function withClient(t: any) {',
    "  await t.none(\"SET LOCAL statement_timeout = '3min'\");",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["set-local-outside-transaction SET LOCAL statement_timeout = '1min'"]);
});
