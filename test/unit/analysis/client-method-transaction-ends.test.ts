// A transaction a client object begins with a method of its own ends with one too: TypeORM's query runner
// (`startTransaction()` … `commitTransaction()` / `rollbackTransaction()`), MikroORM's entity manager (`begin()` …
// `commit()` / `rollback()`), a driver connection's `beginTransaction()` … `commit()`, Kysely's controlled
// transaction (`await trx.commit().execute()`). Between the two calls the client's queries share one transaction
// (a session lock and its unlock there run on one server connection); after the end they do not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/fix/warehouse.ts').map(([rule, at]) => `${rule} ${at}`);

const TYPEORM = [
  "import { DataSource } from 'typeorm';",
  "const source = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });",
];

test('an unlock the runner sends before its commitTransaction releases the lock it took in that transaction', () => {
  const text = [
    ...TYPEORM,
    'export async function restock(key: number) {',
    '  const runner = source.createQueryRunner();',
    '  await runner.connect();',
    '  await runner.startTransaction();',
    '  try {',
    "    await runner.query('SELECT pg_advisory_lock($1)', [key]);",
    "    await runner.query('UPDATE shelves SET filled = true');",
    "    await runner.query('SELECT pg_advisory_unlock($1)', [key]);",
    '    await runner.commitTransaction();',
    '  } catch (error) {',
    '    await runner.rollbackTransaction();',
    '    throw error;',
    '  } finally {',
    '    await runner.release();',
    '  }',
    '}',
  ].join('\n');
  // The lock stays a finding (an error before the unlock leaves it held); the unlock is not one.
  assert.deepEqual(found(text), ['advisory-lock pg_advisory_lock']);
});

test('an unlock sent after the runner committed, or on another runner, is still flagged', () => {
  const text = [
    ...TYPEORM,
    'export async function restockLate(key: number) {',
    '  const runner = source.createQueryRunner();',
    '  await runner.startTransaction();',
    "  await runner.query('SELECT pg_advisory_lock($1)', [key]);",
    '  await runner.commitTransaction();',
    "  await runner.query('SELECT pg_advisory_unlock($1)', [key]);",
    '}',
    'export async function restockElsewhere(key: number) {',
    '  const first = source.createQueryRunner();',
    '  const second = source.createQueryRunner();',
    '  await first.startTransaction();',
    "  await first.query('SELECT pg_try_advisory_lock($1)', [key]);",
    "  await second.query('SELECT pg_advisory_unlock($1)', [key]);",
    '  await first.commitTransaction();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'advisory-lock pg_advisory_lock',
    'advisory-lock pg_advisory_unlock',
    'advisory-lock pg_try_advisory_lock',
    'advisory-lock pg_advisory_unlock',
  ]);
});

test('SET LOCAL after the client ended its transaction reaches nothing; before the end it is inside it', () => {
  const text = [
    ...TYPEORM,
    "import { MikroORM } from '@mikro-orm/postgresql';",
    'export async function audit() {',
    '  const runner = source.createQueryRunner();',
    '  await runner.startTransaction();',
    "  await runner.query(\"SET LOCAL statement_timeout = '10s'\");",
    '  await runner.commitTransaction();',
    "  await runner.query(\"SET LOCAL statement_timeout = '11s'\");",
    '}',
    'const orm = await MikroORM.init({ clientUrl: process.env.DATABASE_URL });',
    'export async function tally() {',
    '  const em = orm.em.fork();',
    '  await em.begin();',
    "  await em.execute(\"SELECT set_config('tally.day', 'mon', true)\");",
    '  await em.rollback();',
    "  await em.execute(\"SELECT set_config('tally.day', 'tue', true)\");",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL statement_timeout = '11s'",
    'set-local-outside-transaction set_config',
  ]);
});

test('a plain SET that the client rolls back leaves nothing; one it commits stays on the connection', () => {
  const text = [
    ...TYPEORM,
    'export async function dryRun() {',
    '  const runner = source.createQueryRunner();',
    '  await runner.startTransaction();',
    "  await runner.query('SET search_path TO staging');",
    "  await runner.query('DELETE FROM orders');",
    '  await runner.rollbackTransaction();',
    '}',
    'export async function realRun() {',
    '  const runner = source.createQueryRunner();',
    '  await runner.startTransaction();',
    "  await runner.query('SET search_path TO live');",
    "  await runner.query('DELETE FROM orders');",
    '  await runner.commitTransaction();',
    '}',
    'export async function rollsBackOnlyOnError() {',
    '  const runner = source.createQueryRunner();',
    '  await runner.startTransaction();',
    '  try {',
    "    await runner.query('SET search_path TO archive');",
    '    await runner.commitTransaction();',
    '  } catch {',
    '    await runner.rollbackTransaction();',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET search_path TO live', 'session-set SET search_path TO archive']);
});

test("a driver connection's beginTransaction … commit, and Kysely's trx.commit().execute(), end the transaction", () => {
  const text = [
    "import pg from 'pg';",
    "import { Kysely, PostgresDialect, sql } from 'kysely';",
    'const pool = new pg.Pool();',
    'const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });',
    'export async function viaConnection(conn: any) {',
    '  await conn.beginTransaction();',
    "  await conn.query('SELECT pg_advisory_lock(7)');",
    "  await conn.query('SELECT pg_advisory_unlock(7)');",
    '  await conn.commit();',
    "  await conn.query(\"SET LOCAL work_mem = '64MB'\");",
    '}',
    'export async function viaKysely() {',
    '  const trx = await db.startTransaction().execute();',
    "  await sql`SET LOCAL work_mem = '32MB'`.execute(trx);",
    '  await trx.commit().execute();',
    "  await sql`SET LOCAL work_mem = '16MB'`.execute(trx);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'advisory-lock pg_advisory_lock',
    "set-local-outside-transaction SET LOCAL work_mem = '64MB'",
    "set-local-outside-transaction SET LOCAL work_mem = '16MB'",
  ]);
});
