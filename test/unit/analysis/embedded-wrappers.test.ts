// Wrapper APIs that take whole statements (pg-promise's methods, node-pg-migrate's builder), and
// node-pg-migrate migrations, which run in a transaction unless they opt out.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('pg-promise and node-pg-migrate methods that take a whole statement are read', () => {
  const text = [
    "const pgp = require('pg-promise')();",
    'const db = pgp(process.env.DATABASE_URL);',
    "export const wait = () => db.none('LISTEN job_created');",
    "export const tryLock = (conn) => conn.select(`SELECT pg_try_advisory_lock(${KEY}) AS locked`);",
    "export const unlock = (conn) => conn.one('SELECT pg_advisory_unlock(42)');",
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN job_created', 'advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_unlock']);
});

test('the same method names with other arguments (column lists, sentences, callbacks) are not SQL, and wrapper text gets no syntax errors', () => {
  const text = [
    "import pg from 'pg';",
    "export const cols = (knex) => knex.select('set_config', 'listen').from('settings');",
    "export const label = (ui) => ui.one('Set role for this user');",
    'export const ids = (rows) => rows.map((r) => r.id);',
    "export const broken = (db) => db.none('SELECT FROM WHERE');",
  ].join('\n');
  assert.deepEqual(found(text), []);
  // Inside pg-promise's tx callback SET LOCAL is fine.
  assert.deepEqual(found("db.tx(async (t) => { await t.none(\"SET LOCAL statement_timeout = '2s'\"); await t.any('SELECT 1'); });"), []);
});

test('a node-pg-migrate migration runs in a transaction: a temp table without ON COMMIT DROP is flagged with the fix; SET ROLE … RESET ROLE is not', () => {
  const temp = "exports.up = (pgm) => {\n  pgm.sql('CREATE TEMPORARY TABLE staging (id int)');\n};\n";
  const findings = analyze(temp, 'javascript', {}, 'migrations/001_staging.js');
  assert.deepEqual(findings.map((f) => [f.rule, f.fix?.title]), [['temp-table', 'Add ON COMMIT DROP (drops the table at the end of this transaction)']]);
  const role = [
    'export async function up(pgm) {',
    "  await pgm.db.query('SET ROLE owner');",
    "  await pgm.db.query('SELECT * FROM accounts');",
    "  await pgm.db.query('RESET ROLE');",
    '}',
  ].join('\n');
  assert.deepEqual(found(role, 'migrations/002_policies.mjs'), []);
});

test('a migration that opts out with pgm.noTransaction(), or an up() that is no migration, gets its SET ROLE flagged', () => {
  const optOut = [
    'export const up = async (pgm) => {',
    '  pgm.noTransaction();',
    "  await pgm.db.query('SET ROLE owner');",
    "  await pgm.db.query('RESET ROLE');",
    '};',
  ].join('\n');
  assert.deepEqual(found(optOut), ['session-set SET ROLE owner']);
  const notMigration = "export async function up(pool) { const c = await pool.connect(); await c.query('SET ROLE owner'); await c.query('RESET ROLE'); }";
  assert.deepEqual(found(notMigration), ['session-set SET ROLE owner']);
});

test('ORM and driver methods that take whole statements (Lucid rawQuery, deno-postgres queryArray/queryObject, pg-boss executeSql) are read', () => {
  const text = [
    "import pg from 'pg';",
    'export class Locks {',
    '  constructor(private client: Client) {}',
    "  take(key: string) { return this.client.rawQuery(`SELECT PG_TRY_ADVISORY_LOCK('${key}') AS locked`); }",
    "  scope(db: Db) { return db.queryArray('SET search_path TO tenant_a'); }",
    "  rows(db: Db) { return db.queryObject('LISTEN tenants'); }",
    "  prep(boss: Boss) { return boss.executeSql('PREPARE lookup AS SELECT 1'); }",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['advisory-lock PG_TRY_ADVISORY_LOCK', 'session-set SET search_path TO tenant_a', 'listen LISTEN tenants', 'prepared-statement PREPARE lookup AS SELECT 1']);
});

test('the same methods given a sentence, a column list or broken text give nothing (no syntax errors either)', () => {
  const text = [
    "import pg from 'pg';",
    "export const a = (ui) => ui.rawQuery('Set the search path first');",
    "export const b = (q) => q.queryObject({ text: 'x' });",
    "export const c = (db) => db.executeSql('SELECT FROM WHERE');",
    "export const d = (db) => db.rawQuery('set_config, listen');",
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a Kysely or knex migration (first parameter declared Kysely/Knex) runs in its migrator\'s transaction: SET LOCAL holds, a temp table dropped in it leaks nothing', () => {
  const kysely = [
    "import { type Kysely, sql } from 'kysely';",
    'export async function up(db: Kysely<any>): Promise<void> {',
    "  await sql`SET LOCAL lock_timeout = '5s'`.execute(db);",
    '  await db.executeQuery(sql`CREATE TEMP TABLE cp_vals AS SELECT id FROM logs`.compile(db));',
    '  await db.executeQuery(sql`UPDATE logs SET cp = 1 FROM cp_vals WHERE cp_vals.id = logs.id`.compile(db));',
    '  await db.executeQuery(sql`DROP TABLE IF EXISTS cp_vals CASCADE`.compile(db));',
    '}',
    'export const migrations = { m1: { async down(db: Kysely<unknown>) { await sql`SET LOCAL lock_timeout = 0`.execute(db); } } };',
  ].join('\n');
  assert.deepEqual(found(kysely, 'src/db/migrations/001.ts'), []);
  const knex = "import type { Knex } from 'knex';\nexport async function up(knex: Knex) { await knex.raw('CREATE TEMP TABLE ids (id int)'); await knex.raw('DROP TABLE ids'); }";
  assert.deepEqual(found(knex, 'migrations/001.ts'), []);
});

test('in a Kysely/knex migration a session SET and a temp table kept past the migration are flagged; knex\'s transaction: false opts out', () => {
  const kysely = [
    "import { type Kysely, sql } from 'kysely';",
    'export async function up(db: Kysely<any>): Promise<void> {',
    '  await sql`SET statement_timeout = 0`.execute(db);',
    '  await sql`CREATE TEMP TABLE kept (id int)`.execute(db);',
    '}',
    "export async function backfill(db: Kysely<any>) { await sql`SET LOCAL lock_timeout = '5s'`.execute(db); }",
  ].join('\n');
  // backfill's db is a parameter: its caller may have begun a transaction, so its SET LOCAL is not known to be lost.
  assert.deepEqual(found(kysely, 'src/db/migrations/001.ts'), ['session-set SET statement_timeout = 0', 'temp-table CREATE TEMP TABLE kept (id int)']);
  // Without the transaction, the two calls may run on two server connections.
  const optOut = "import type { Knex } from 'knex';\nexport const config = { transaction: false };\nexport async function up(knex: Knex) { await knex.raw('CREATE TEMP TABLE ids (id int)'); await knex.raw('DROP TABLE ids'); }";
  assert.deepEqual(found(optOut, 'migrations/002.ts'), ['temp-table CREATE TEMP TABLE ids (id int)']);
});

test('Kysely: sql`…`.execute(db) runs on db — SET LOCAL on a module-level Kysely is lost, on a transaction callback\'s trx or a parameter it is not', () => {
  const source = [
    "import { Kysely, sql } from 'kysely';",
    'const db = new Kysely<any>({ dialect });',
    "export async function outside() { await sql`SET LOCAL lock_timeout = '5s'`.execute(db); }",
    "export async function inside() { await db.transaction().execute(async (trx) => { await sql`SET LOCAL lock_timeout = '5s'`.execute(trx); }); }",
    "export async function helper(conn: Kysely<any>) { await sql`SET LOCAL lock_timeout = '5s'`.execute(conn); }",
  ].join('\n');
  assert.deepEqual(found(source, 'src/jobs.ts'), ["set-local-outside-transaction SET LOCAL lock_timeout = '5s'"]);
});

test('Prisma $transaction([…]) runs its array of queries in one transaction: SET LOCAL/set_config(…, true) there hold; a session SET there and SET LOCAL outside the batch are flagged', () => {
  const source = [
    "import { PrismaClient } from '@prisma/client';",
    'const prisma = new PrismaClient();',
    'export async function notes(userId: string) {',
    '  await prisma.$transaction([prisma.$executeRaw`SET LOCAL app.user_id = ${userId}`, prisma.$queryRaw`SELECT * FROM notes`]);',
    "  await prisma.$transaction([prisma.$executeRawUnsafe(`SELECT set_config('app.user_id', $1, true)`, userId), prisma.note.findMany()]);",
    '  await prisma.$transaction([prisma.$executeRaw`SET search_path = tenant`, prisma.$queryRaw`SELECT 1`]);',
    "  await prisma.$executeRaw`SET LOCAL app.user_id = 'x'`;",
    '}',
  ].join('\n');
  assert.deepEqual(found(source, 'src/notes.ts'), ['session-set SET search_path = tenant', "set-local-outside-transaction SET LOCAL app.user_id = 'x'"]);
});
