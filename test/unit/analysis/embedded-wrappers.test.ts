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

test('TypeORM migration classes and untyped knex migrations run in their migrator\'s transaction: a scratch table dropped before up() returns leaks nothing', () => {
  const typeorm = (extra: string) => [
    "import { MigrationInterface, QueryRunner } from 'typeorm';",
    'export class MergeDuplicateTags1700000000000 implements MigrationInterface {',
    extra,
    '  public async up(queryRunner: QueryRunner): Promise<void> {',
    '    await queryRunner.query(`CREATE TEMPORARY TABLE tag_pairs AS SELECT min(id) AS keep, name FROM tags GROUP BY name`);',
    '    await queryRunner.query(`UPDATE posts SET tag_id = p.keep FROM tag_pairs p WHERE posts.tag_name = p.name`);',
    '    await queryRunner.query(`DROP TABLE tag_pairs`);',
    "    await queryRunner.query(`SET LOCAL lock_timeout = '2s'`);",
    '  }',
    '  public async down(): Promise<void> {}',
    '}',
  ].join('\n');
  assert.deepEqual(found(typeorm(''), 'src/migrations/1700000000000-MergeDuplicateTags.ts'), []);
  // Plain JS: the runner is recognised by its name.
  const js = [
    'module.exports = class Backfill1700000000001 {',
    '  async up(queryRunner) {',
    "    await queryRunner.query('CREATE TEMP TABLE todo AS SELECT id FROM orders WHERE total IS NULL');",
    "    await queryRunner.query('DROP TABLE todo');",
    '  }',
    '};',
  ].join('\n');
  assert.deepEqual(found(js, 'migrations/1700000000001-Backfill.js'), []);
  const knexJs = [
    'exports.up = async function (knex) {',
    "  await knex.raw('CREATE TEMP TABLE moved (id int)');",
    "  await knex.raw('INSERT INTO archive SELECT * FROM items WHERE id IN (SELECT id FROM moved)');",
    "  await knex.raw('DROP TABLE moved');",
    '};',
    "exports.down = (knex) => knex.raw('SELECT 1');",
  ].join('\n');
  assert.deepEqual(found(knexJs, 'db/migrations/20240101_move.js'), []);
});

test('a TypeORM migration that opts out of its transaction, keeps its scratch table, or sets a session value is still flagged; so is a Sequelize migration', () => {
  const typeorm = (extra: string, body: string) => [
    "import { MigrationInterface, QueryRunner } from 'typeorm';",
    'export class Reindex1700000000002 implements MigrationInterface {',
    extra,
    '  async up(queryRunner: QueryRunner): Promise<void> {',
    body,
    '  }',
    '  async down(queryRunner: QueryRunner): Promise<void> {}',
    '}',
  ].join('\n');
  const scratch = "    await queryRunner.query('CREATE TEMP TABLE ids (id int)');\n    await queryRunner.query('DROP TABLE ids');";
  assert.deepEqual(found(typeorm('  transaction = false;', scratch), 'src/migrations/a.ts'), ['temp-table CREATE TEMP TABLE ids (id int)']);
  assert.deepEqual(found(typeorm('', "    await queryRunner.query('CREATE TEMP TABLE ids (id int)');"), 'src/migrations/b.ts'), ['temp-table CREATE TEMP TABLE ids (id int)']);
  // A plain SET inside the migration's transaction outlives its COMMIT.
  assert.deepEqual(found(typeorm('', "    await queryRunner.query('SET search_path TO reporting');"), 'src/migrations/c.ts'), ['session-set SET search_path TO reporting']);
  // A method named up on some other class, whose parameter is no query runner: not a migration.
  const other = "export class Cache { async up(conn: Connection) { await conn.query('CREATE TEMP TABLE ids (id int)'); await conn.query('DROP TABLE ids'); } }";
  assert.deepEqual(found(other, 'src/cache.ts'), ['temp-table CREATE TEMP TABLE ids (id int)']);
  // sequelize-cli and umzug open no transaction around a migration.
  const sequelize = [
    'module.exports = {',
    '  async up(queryInterface) {',
    "    await queryInterface.sequelize.query('CREATE TEMP TABLE ids (id int)');",
    "    await queryInterface.sequelize.query('DROP TABLE ids');",
    '  },',
    '};',
  ].join('\n');
  assert.deepEqual(found(sequelize, 'migrations/20240101-ids.js'), ['temp-table CREATE TEMP TABLE ids (id int)']);
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

// prostgles-types exports `SQLHandler`, the type of a prostgles client's `db.sql(query, params, options)`: the server
// runs the text on its pool of the connected database. Code handed that function on its own calls it by a bare name.
test('a function declared with prostgles\' SQLHandler type is db.sql: its text is read as sent on the pool', () => {
  const handler = (signature: string, call: string) => [
    "import type { SQLHandler } from 'prostgles-types';",
    `export const listFiles = async (${signature}) => {`,
    `  return await ${call}('set statement_timeout to 200; SELECT pg_ls_dir($1) AS path', [dir], { returnType: 'rows' });`,
    '};',
  ].join('\n');
  assert.deepEqual(found(handler('sql: SQLHandler, dir: string', 'sql'), 'f.ts'), ['session-set set statement_timeout to 200']);
  assert.deepEqual(found(handler('run: SQLHandler | undefined, dir: string', 'run!'), 'f.ts'), ['session-set set statement_timeout to 200']);
  const renamed = handler('q: Handler, dir: string', 'q').replace('{ SQLHandler }', '{ SQLHandler as Handler }');
  assert.deepEqual(found(renamed, 'f.ts'), ['session-set set statement_timeout to 200']);
});

test('a bare call of a function typed otherwise, or with a SQLHandler of another module, is not read as prostgles\' db.sql', () => {
  const handler = (importLine: string, type: string) => [
    importLine,
    `export const listFiles = async (sql: ${type}, dir: string) => {`,
    "  return await sql('set statement_timeout to 200; SELECT pg_ls_dir($1) AS path', [dir]);",
    '};',
  ].join('\n');
  assert.deepEqual(found(handler("import type { SQLHandler } from './local-types';", 'SQLHandler'), 'f.ts'), []);
  assert.deepEqual(found(handler("import type { Runner } from 'prostgles-types';", 'Runner'), 'f.ts'), []);
  assert.deepEqual(found(handler('type SQLHandler = (text: string, args?: unknown[]) => Promise<unknown>;', 'SQLHandler'), 'f.ts'), []);
});

test('prostgles\' returnType \'default-with-rollback\' runs the text in a transaction rolled back after it: a temp view or a SET there is undone', () => {
  const call = (receiverAndMethod: string, options: string) => [
    "import type { SQLHandler } from 'prostgles-types';",
    'export const columnsOf = async (sql: SQLHandler, db: { sql: SQLHandler }, query: string) => {',
    `  return await ${receiverAndMethod}(\`CREATE TEMP VIEW probe AS \${query}; SET search_path = probe_schema; SELECT * FROM probe LIMIT 0\`, {}, ${options});`,
    '};',
  ].join('\n');
  const rollback = "{ returnType: 'default-with-rollback' }";
  const kept = ['temp-table CREATE TEMP VIEW probe AS ${query}', 'session-set SET search_path = probe_schema'];
  assert.deepEqual(found(call('sql', rollback), 'f.ts'), []);
  assert.deepEqual(found(call('db.sql', rollback), 'f.ts'), []);
  assert.deepEqual(found(call('sql', "{ returnType: 'rows' }"), 'f.ts'), kept);
  assert.deepEqual(found(call('db.sql', '{}'), 'f.ts'), kept);
  // A rollback does not release a session advisory lock.
  const lock = "import type { SQLHandler } from 'prostgles-types';\nexport const hold = (sql: SQLHandler) => sql('SELECT pg_advisory_lock(7)', {}, { returnType: 'default-with-rollback' });";
  assert.deepEqual(found(lock, 'f.ts'), ['advisory-lock pg_advisory_lock']);
  // The option is prostgles' own: another method given it keeps its findings.
  assert.deepEqual(found(call('db.none', rollback), 'f.ts'), kept);
});
