// Transactions begun in the ways four more client libraries offer: Zapatos' helpers named for the isolation
// level (`serializable(pool, cb)`, `repeatableReadRO(pool, cb)`), Kysely's controlled transaction (`await
// db.startTransaction().execute()`, then queries run on it and `commit().execute()`), deno-postgres'
// transaction object (`client.createTransaction(name)`, `begin()`, its own query methods) and Neon's
// `sql.transaction([...])` batch. A transaction-local setting sent there lasts as long as the transaction;
// the same text sent on the pool, the bare client or outside the batch still reaches nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = '/nowhere/scout/billing.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('Zapatos isolation-level helpers run their callback in a transaction', () => {
  const text = [
    "import * as db from 'zapatos/db';",
    "import pg from 'pg';",
    'const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function settle() {',
    "  await db.serializable(pool, async (txn) => { await db.sql`SET LOCAL lock_timeout = '2s'`.run(txn); });",
    "  await db.repeatableReadRO(pool, async (txn) => { await db.sql`SELECT set_config('app.viewer', 'auditor', true)`.run(txn); });",
    "  await db.readCommitted(pool, async (txn) => { await db.sql`SET LOCAL statement_timeout = '9s'`.run(txn); });",
    '}',
    'export async function loose() {',
    "  await db.sql`SET LOCAL lock_timeout = '3s'`.run(pool);",
    '  await db.serializable(pool, async (txn) => { await db.sql`SET search_path TO billing`.run(txn); });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL lock_timeout = '3s'",
    'session-set SET search_path TO billing',
  ]);
});

test("Kysely's controlled transaction is a transaction handle; the Kysely instance is not", () => {
  const text = [
    "import { Kysely, PostgresDialect, sql } from 'kysely';",
    "import pg from 'pg';",
    'const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) });',
    'export async function close(period: string) {',
    '  const trx = await db.startTransaction().execute();',
    "  await sql`SET LOCAL work_mem = '64MB'`.execute(trx);",
    '  await trx.commit().execute();',
    "  const strict = await db.startTransaction().setIsolationLevel('serializable').execute();",
    "  await sql`SELECT set_config('app.period', ${period}, true)`.execute(strict);",
    '  await strict.commit().execute();',
    '}',
    'export async function open() {',
    "  await sql`SET LOCAL work_mem = '32MB'`.execute(db);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["set-local-outside-transaction SET LOCAL work_mem = '32MB'"]);
});

test("deno-postgres' transaction object runs inside its transaction, its client outside", () => {
  const text = [
    "import { Pool } from 'https://deno.land/x/postgres@v0.19.3/mod.ts';",
    "const pool = new Pool(Deno.env.get('DATABASE_URL'), 4, true);",
    'export async function move() {',
    '  const client = await pool.connect();',
    "  const transfer = client.createTransaction('transfer', { isolation_level: 'serializable' });",
    '  await transfer.begin();',
    "  await transfer.queryArray(\"SET LOCAL lock_timeout = '1s'\");",
    '  await transfer.commit();',
    "  await client.queryObject(\"SET LOCAL statement_timeout = '4s'\");",
    '  client.release();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["set-local-outside-transaction SET LOCAL statement_timeout = '4s'"]);
});

test("Neon's transaction batch is one transaction; the same query outside it is alone", () => {
  const text = [
    "import { neon } from '@neondatabase/serverless';",
    'const sql = neon(process.env.DATABASE_URL!);',
    'export async function list(user: string) {',
    "  return sql.transaction([sql`SELECT set_config('app.user', ${user}, true)`, sql`SELECT * FROM invoices`]);",
    '}',
    'export async function both(user: string) {',
    "  return Promise.all([sql`SELECT set_config('app.owner', ${user}, true)`, sql`SELECT * FROM invoices`]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['set-local-outside-transaction set_config']);
});
