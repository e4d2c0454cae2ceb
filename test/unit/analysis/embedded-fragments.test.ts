// SQL fragments, holes and driver placeholders in TS/JS: no syntax errors on pieces of queries, and
// a hole that stands for a value, a name, a list, a clause or a whole statement hides nothing else.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = embeddedFindings;

test('fragments in tagged templates (where clauses, conditions, joins, Prisma pieces) are not syntax errors', () => {
  const text = [
    "import { sql } from 'drizzle-orm';",
    'await db.select().from(users).where(sql`true`);',
    'const cond = sql`${users.id} = 1`;',
    'const more = sql`AND status = ${status}`;',
    "const list = sql.join([sql`a = 1`, sql`b = 2`], sql` AND `);",
    'const order = sql.raw(`ORDER BY created_at DESC`);',
    'const p = Prisma.sql`WHERE id IN (${Prisma.join(ids)})`;',
    'const q = sql`SELECT * FROM t WHERE ${cond} ${more}`;',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a whole statement that does not parse is reported in a file that surely talks to PostgreSQL', () => {
  const pg = "import { Pool } from 'pg';\n";
  assert.deepEqual(found(pg + 'await sql`SELECT * FROM WHERE id = 1`;').map(([r]) => r), ['syntax-error']);
  assert.deepEqual(found(pg + "await client.query('SELECT * FROM WHERE id = 1');").map(([r]) => r), ['syntax-error']);
  assert.deepEqual(found("await client.query('SELECT * FROM WHERE id = 1');", 'src/dialects/postgres/query.ts').map(([r]) => r), ['syntax-error']);
  // …but not when the same text is an argument of a builder method (a fragment), or is a clause.
  assert.deepEqual(found(pg + 'qb.where(sql`SELECT * FROM WHERE id = 1`);'), []);
  assert.deepEqual(found(pg + 'await sql`WHERE WHERE`;'), []);
});

test('a file that also sends another dialect\'s statements reports no syntax errors, even with a PostgreSQL import', () => {
  const text = [
    "import { MikroORM } from '@mikro-orm/postgresql';",
    "await orm.schema.execute('CREATE TABLE t (id int PRIMARY KEY AUTO_INCREMENT)');",
    "await orm.schema.execute('CREATE INDEX i ON t (name) INVISIBLE');",
    "await orm.schema.execute('SET search_path TO app');",
  ].join('\n');
  assert.deepEqual(found(text).map(([r]) => r), ['session-set']);
  // Without the other dialect's statement, the broken one is reported.
  assert.deepEqual(found(text.replace(' AUTO_INCREMENT', '')).map(([r]) => r), ['syntax-error', 'session-set']);
});

test('a hole glued to a word (`begin${options}`) is no syntax error, and the statement still counts as a BEGIN', () => {
  const text = [
    "import { Pool } from 'pg';",
    'async function f(session, config) {',
    '  await session.execute(sql`begin${config ? sql` isolation level serializable` : undefined}`);',
    "  await session.execute(sql`SET LOCAL lock_timeout = '1s'`);",
    "  await session.execute(sql`commit`);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('multi-dialect code (no PostgreSQL driver import or path) gets pooling findings but no syntax errors', () => {
  const text = "await knex.raw('CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY)');\nawait knex.raw('SHOW FULL PROCESSLIST');\nawait knex.raw('SET search_path TO app');";
  assert.deepEqual(found(text, 'test/integration/misc.spec.js').map(([r]) => r), ['session-set']);
});

test('a hole standing for a schema or table name, a list, or a value parses, and findings inside still appear', () => {
  assert.deepEqual(found('await sql`CREATE TEMP TABLE ${name} (a int)`;'), [['temp-table', 'CREATE TEMP TABLE ${name} (a int)']]);
  assert.deepEqual(found('await sql`SELECT pg_advisory_lock(1) FROM ${sql(schema)}.jobs WHERE id IN ${sql(ids)}`;'), [['advisory-lock', 'pg_advisory_lock']]);
  assert.deepEqual(found('await client.query(`SET search_path TO ${schema}, public`);'), [['session-set', 'SET search_path TO ${schema}, public']]);
});

test('a hole standing for a whole statement or a clause does not drop the other statements of the template', () => {
  const text = 'await sql`BEGIN; ${body}; SELECT pg_advisory_lock(7); ${more} COMMIT`;';
  assert.deepEqual(found(text), [['advisory-lock', 'pg_advisory_lock']]);
  const clause = 'await sql`SELECT pg_advisory_lock(${id}) FROM jobs ${where} ${orderBy}`;';
  assert.deepEqual(found(clause), [['advisory-lock', 'pg_advisory_lock']]);
});

test('driver placeholders ($n, ?, ??, :name, @name, pg-promise ${prop}) parse as values or names', () => {
  assert.deepEqual(found("await knex.raw('SELECT pg_advisory_lock(?) FROM ?? WHERE id = ?', [1, 't', 2]);"), [['advisory-lock', 'pg_advisory_lock']]);
  assert.deepEqual(found("await sequelize.query('SELECT pg_advisory_lock(:key) WHERE a = :a', { replacements });"), [['advisory-lock', 'pg_advisory_lock']]);
  assert.deepEqual(found("await ds.query('SELECT pg_advisory_lock(@key)');"), [['advisory-lock', 'pg_advisory_lock']]);
  assert.deepEqual(found("await db.query('SELECT pg_advisory_lock(${key}) FROM ${table:name}', { key, table });"), [['advisory-lock', 'pg_advisory_lock']]);
  // No syntax errors for placeholders that are not PostgreSQL.
  assert.deepEqual(found("await knex.raw('UPDATE ?? SET a = ? WHERE id = ?', ['t', 1, 2]);"), []);
  // PostgreSQL's own `?` (jsonb) and `::` casts are kept as they are.
  assert.deepEqual(found("await client.query(\"SELECT data ? 'k', x::text, pg_advisory_lock(1) FROM t\");"), [['advisory-lock', 'pg_advisory_lock']]);
});

test('SET of a hole-named column is an UPDATE fragment, not a session SET; SET of a real setting with a hole value is', () => {
  assert.deepEqual(found('const assignment = sql`SET ${sql(column)} = ${value}`;'), []);
  assert.deepEqual(found('await sql`SET statement_timeout = ${ms}`;').map(([r]) => r), ['session-set']);
});

test('a hole standing for the rest of a statement (`EXPLAIN (FORMAT JSON) ${query}`) is no syntax error; a real error before a hole still is', () => {
  const explain = [
    "import pg from 'pg';",
    'export async function plan(pool, query) {',
    '  return pool.query(`EXPLAIN (FORMAT JSON) ${query}`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(explain), []);
  const broken = [
    "import pg from 'pg';",
    'export async function plan(pool, query) {',
    '  return pool.query(`SELECT * FROM WHERE id = ${query}`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(broken).map(([rule]) => rule), ['syntax-error']);
});

test('pgtyped parameters ($name, $name!, $$list) in a sql template are values, not syntax errors; dollar quotes are not parameters', () => {
  const file = (query: string): string => ["import pg from 'pg';", "import { sql } from '@pgtyped/runtime';", `export const q = sql\`${query}\`;`].join('\n');
  assert.deepEqual(found(file('SELECT u.* FROM users u GROUP BY u.id HAVING count(u.id) > $minCount!::int')), []);
  assert.deepEqual(found(file('SELECT * FROM users WHERE id IN $$ids AND name = $name')), []);
  assert.deepEqual(found(file('SELECT pg_advisory_lock($key!)')), [['advisory-lock', 'pg_advisory_lock']]);
  // A dollar-quoted string is no parameter: the call inside it is text.
  assert.deepEqual(found(file('SELECT $q$pg_advisory_lock(1)$q$ AS note, pg_advisory_lock($key)')).map(([rule]) => rule), ['advisory-lock']);
});

test('pgtyped parameters written with blanks ($ id !, $$ ids !), as a formatter leaves them, are values too; a broken statement around them is still reported', () => {
  const file = (query: string): string => ["import pg from 'pg';", "import { sql } from '@pgtyped/runtime';", `export const q = sql\`${query}\`;`].join('\n');
  assert.deepEqual(found(file('SELECT * FROM titles t WHERE t.id = $ titleId ! OR t.slug = $ titleId !')), []);
  assert.deepEqual(found(file("SELECT * FROM titles t WHERE ('all' IN $$ kinds\n  OR t.kind IN $$ kinds) AND t.owner = $ owner !")), []);
  assert.deepEqual(found(file('SELECT * FROM titles WHERE id IN $$ ids ! AND year >= $ fromYear')), []);
  assert.deepEqual(found(file('SELECT pg_advisory_lock($ key !)')), [['advisory-lock', 'pg_advisory_lock']]);
  // `!=` after a parameter is the operator, not a required marker.
  assert.deepEqual(found(file('SELECT * FROM titles WHERE slug != $ slug')), []);
  assert.deepEqual(found(file('SELECT * FROM WHERE id = $ titleId !')).map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found(file('SELECT * FROM titles WHERE id IN $$ ids ! AND AND year = $ fromYear')).map(([rule]) => rule), ['syntax-error']);
});

test('a query call\'s text opening with a statement-only keyword reports its syntax error; one opening with a clause word (SET, VALUES, TABLE, DO, END) does not', () => {
  const file = (sql: string) => `import pg from 'pg';\nawait client.query(${JSON.stringify(sql)});\n`;
  for (const sql of ['CREATE TABLE t (a int,)', 'SELECT id, FROM t', 'REINDEX TABLE', 'DISCARD everything']) {
    assert.deepEqual(found(file(sql)).map(([rule]) => rule), ['syntax-error'], sql);
  }
  for (const sql of ['SET a = b = c', 'VALUES (1,)', 'TABLE t WHERE', 'DO UPDATE SET a = 1', 'END IF']) {
    assert.deepEqual(found(file(sql)).filter(([rule]) => rule === 'syntax-error'), [], sql);
  }
});

test('a tag in a hole of another template is a piece of it, and ALTER TABLE actions are no statement of their own', () => {
  const storage = (...body: string[]) => [
    "import { Pool } from 'pg';",
    "import { sql } from './sql';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export class Storage {',
    '  async query(q) { return pool.query(q); }',
    '  async rebuild(table, columns) {',
    ...body.map((line) => `    ${line}`),
    '  }',
    '}',
  ].join('\n');
  // The nested fragment is the ALTER TABLE's action list: it opens with DROP, but is no statement.
  assert.deepEqual(found(storage(
    'await this.query(sql`',
    '  ALTER TABLE ${{ identifier: table }}',
    '  ${columns.map(({ name, type }) => sql`',
    '    DROP COLUMN IF EXISTS ${{ identifier: name }},',
    '    ADD COLUMN ${{ identifier: name }} ${{ literal: type }}',
    '  `)}',
    '`);',
  )), []);
  // Returned from an arrow's block in the hole, it is a piece too (a DELETE's words, not a DELETE).
  assert.deepEqual(found(storage('await this.query(sql`SELECT * FROM t WHERE ${columns.map((c) => { return sql`DELETE FROM WHERE`; })}`);')), []);
  // Awaited on its own line of that block, a tag is a statement the block runs, and is read as one.
  assert.deepEqual(found(storage('await this.query(sql`SELECT ${await Promise.all(columns.map(async (c) => { await sql`SELECT * FROM WHERE id = 1`; return c; }))}`);')).map(([r]) => r), ['syntax-error']);
  // Written on their own, texts opening with an ALTER TABLE action are no statement either.
  assert.deepEqual(found(storage('const drop = sql`DROP CONSTRAINT IF EXISTS c1, ADD CONSTRAINT c1 CHECK (x > 0)`;')), []);
  assert.deepEqual(found(storage('const alter = sql`ALTER COLUMN a TYPE text, ALTER COLUMN a SET NOT NULL`;')), []);
  // A statement sent from inside a hole is still one; a DROP TABLE or an ALTER TABLE that does not parse is still an error.
  assert.deepEqual(found(storage('await this.query(sql`SELECT ${await this.query(sql`SELECT * FROM WHERE id = 1`)}`);')).map(([r]) => r), ['syntax-error']);
  assert.deepEqual(found(storage('await this.query(sql`DROP TABLE users CASCADE RESTRICT`);')).map(([r]) => r), ['syntax-error']);
  assert.deepEqual(found(storage('await this.query(sql`ALTER TABLE users DROP COLUMN`);')).map(([r]) => r), ['syntax-error']);
});
