// A function created in pg_temp lives in the server connection's temporary schema, as a temporary table does:
// called by a later query on what may be another server connection, it is not there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis, analyze } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const rulesAndLines = (text: string, file = 'report.ts') =>
  embeddedFindings(text, file).map(([rule, at]) => `${rule} ${text.slice(0, text.indexOf(at)).split('\n').length}`);

const header = ["import { Pool } from 'pg';", 'const pool = new Pool({ connectionString: process.env.DATABASE_URL });'];

test('a pg_temp function made by one query and called by a later one on the same client is flagged at its CREATE', () => {
  const text = [...header,
    'export async function totals() {',
    '  const client = await pool.connect();',
    "  await client.query('CREATE OR REPLACE FUNCTION pg_temp.to_cents(n numeric) RETURNS bigint LANGUAGE sql AS $$ SELECT (n * 100)::bigint $$');",
    "  const result = await client.query('SELECT pg_temp.to_cents(amount) FROM invoices');",
    '  client.release();',
    '  return result;',
    '}',
  ].join('\n');
  assert.deepEqual(rulesAndLines(text), ['temp-table 5']);
});

test('a pg_temp function made and called in one message, in one transaction, or never called later is not flagged', () => {
  const oneMessage = [...header,
    'export async function totals() {',
    "  return pool.query('CREATE FUNCTION pg_temp.double(i int) RETURNS int LANGUAGE sql AS $$ SELECT i * 2 $$; SELECT pg_temp.double(21);');",
    '}',
  ].join('\n');
  assert.deepEqual(rulesAndLines(oneMessage), []);
  const oneTransaction = [...header,
    'export async function totals() {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query('CREATE FUNCTION pg_temp.double(i int) RETURNS int LANGUAGE sql AS $$ SELECT i * 2 $$');",
    "  await client.query('SELECT pg_temp.double(21)');",
    "  await client.query('COMMIT');",
    '  client.release();',
    '}',
  ].join('\n');
  assert.deepEqual(rulesAndLines(oneTransaction), []);
  const neverCalled = [...header,
    'export async function setup() {',
    "  await pool.query('CREATE FUNCTION pg_temp.double(i int) RETURNS int LANGUAGE sql AS $$ SELECT i * 2 $$');",
    "  await pool.query('SELECT public.double(21)');",
    '}',
  ].join('\n');
  assert.deepEqual(rulesAndLines(neverCalled), []);
});

test('a SQL script that makes a pg_temp helper and calls it is one session: not flagged', () => {
  const sql = [
    'CREATE FUNCTION pg_temp.slugify(t text) RETURNS text LANGUAGE sql AS $$ SELECT lower(t) $$;',
    'UPDATE articles SET slug = pg_temp.slugify(title);',
  ].join('\n');
  assert.deepEqual(analyze(sql, 'sql', {}, 'backfill.sql').map((f) => f.rule), []);
});

test('called again after the transaction that made it has ended, it is flagged', () => {
  const text = [...header,
    'export async function totals() {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query('CREATE FUNCTION pg_temp.double(i int) RETURNS int LANGUAGE sql AS $$ SELECT i * 2 $$');",
    "  await client.query('COMMIT');",
    "  await client.query('SELECT pg_temp.double(21)');",
    '}',
  ].join('\n');
  assert.deepEqual(rulesAndLines(text), ['temp-table 6']);
});

// A routine's body runs in its caller's session: a pg_temp function it makes stays there after the call's transaction,
// like a temporary table the body makes, unless the body drops it.
const sqlRulesAndLines = (sql: string) =>
  analyze(sql, 'sql', {}, 'schema.sql').map((f) => ruleLine(sql, f));

test('a routine body that makes a pg_temp function, directly or with EXECUTE, is flagged where the CREATE is written', () => {
  const direct = [
    'CREATE FUNCTION shop.open_session() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  CREATE FUNCTION pg_temp.shop_currency() RETURNS text LANGUAGE sql RETURN $q$EUR$q$;',
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(sqlRulesAndLines(direct), ['temp-table 3']);
  const dynamic = [
    'CREATE PROCEDURE shop.open_worker(label text) LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  EXECUTE format(',
    "    'CREATE OR REPLACE FUNCTION pg_temp.worker_label() RETURNS text LANGUAGE sql RETURN %L', label);",
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(sqlRulesAndLines(dynamic), ['temp-table 4']);
  const keywordOnNextLine = [
    'CREATE PROCEDURE shop.open_worker(label text) LANGUAGE plpgsql AS $$',
    'BEGIN',
    "  EXECUTE format('",
    '      CREATE FUNCTION pg_temp.worker_label()',
    "          RETURNS text LANGUAGE sql RETURN %L', label);",
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(sqlRulesAndLines(keywordOnNextLine), ['temp-table 4']);
});

test('a routine body that drops the pg_temp function it made, or makes an ordinary function, is not flagged', () => {
  const dropped = [
    'CREATE FUNCTION shop.reprice() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  CREATE FUNCTION pg_temp.cents(n numeric) RETURNS bigint LANGUAGE sql RETURN (n * 100)::bigint;',
    '  UPDATE shop.items SET price_cents = pg_temp.cents(price);',
    '  DROP FUNCTION pg_temp.cents(numeric);',
    "  EXECUTE 'CREATE FUNCTION pg_temp.halve(n int) RETURNS int LANGUAGE sql RETURN n / 2';",
    "  EXECUTE 'DROP FUNCTION IF EXISTS pg_temp.halve(int)';",
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(sqlRulesAndLines(dropped), []);
  const ordinary = [
    'CREATE FUNCTION shop.install() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    "  EXECUTE 'CREATE OR REPLACE FUNCTION shop.cents(n numeric) RETURNS bigint LANGUAGE sql RETURN (n * 100)::bigint';",
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(sqlRulesAndLines(ordinary), []);
});
