// Driver placeholders that stand for a name (knex's `:name:` and `??`, pg-promise's `$1~`, `$1:name`, `${name~}`),
// which make a LISTEN or a session SET of a name chosen at run time, and named query configs that are one of
// several alternatives of a choice (`?:`, `||`, `??`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test("knex's :name: binding for a SET's parameter is still a session SET, whatever the name turns out to be", () => {
  const text = [
    'export async function applySettings(db, settings) {',
    '  for (const { key, val } of settings) {',
    "    await db.raw('SET :key: = :val:', { key, val });",
    '  }',
    "  await db.raw('SET ?? TO ?', ['lock_timeout', '5s']);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET :key: = :val:', 'session-set SET ?? TO ?']);
});

test("knex's :name: bindings for columns and tables, a :value::cast, an UPDATE's SET and a SET LOCAL on a caller's client are not session SETs", () => {
  const text = [
    "import pg from 'pg';",
    'export async function report(knex, trx) {',
    "  await knex.raw('SELECT :field: FROM :source: WHERE id = :id', { field: 'total', source: 'orders', id: 7 });",
    "  await knex.raw('SELECT :amount::numeric AS n', { amount: '3.5' });",
    "  await knex.raw('UPDATE orders SET :field: = :amount WHERE id = 1', { field: 'total', amount: 2 });",
    "  await trx.raw('SET LOCAL :key: = :val', { key: 'work_mem', val: '32MB' });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test("pg-promise's SQL-name filters make LISTEN and SET of a name known only at run time findings, also through none()/oneOrNone()", () => {
  const text = [
    "const pgp = require('pg-promise')();",
    'const db = pgp(process.env.DB_URL);',
    'async function subscribe(topic, schema) {',
    '  const held = await db.connect({ direct: true });',
    "  await held.none('LISTEN $1~', topic);",
    "  await held.oneOrNone('LISTEN ${topic:name}', { topic });",
    "  await held.none('SET search_path TO $1:name', [schema]);",
    "  await held.none('SET $<setting~> = $<amount>', { setting: 'work_mem', amount: '64MB' });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'listen LISTEN $1~', 'listen LISTEN ${topic:name}', 'session-set SET search_path TO $1:name', 'session-set SET $<setting~> = $<amount>',
  ]);
});

test("pg-promise's name filters in other statements, the ~ regular-expression operator and a sentence starting with Set are no findings nor syntax errors", () => {
  const text = [
    "const pgp = require('pg-promise')();",
    'const db = pgp(process.env.DB_URL);',
    'async function lookup(table, column, pattern, ui) {',
    "  await db.any('SELECT $2~ FROM $1~ WHERE id = $3', [table, column, 1]);",
    "  await db.any('SELECT * FROM accounts WHERE handle ~ $1', [pattern]);",
    "  await db.any('SELECT * FROM accounts WHERE $1~\\'^adm\\'', [column]);",
    "  await ui.one('Set $1~ as the default');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('each named query config a choice may send is a protocol-level prepared statement, at its own name', () => {
  const text = [
    "import pg from 'pg';",
    'const pool = new pg.Pool();',
    "const byId = { name: 'user_by_id', text: 'SELECT * FROM users WHERE id = $1' };",
    'export async function load(key, many, override) {',
    "  await pool.query(many ? { name: 'users_by_ids', text: 'SELECT * FROM users WHERE id = ANY($1)', values: [key] }",
    "    : { name: 'user_by_key', text: 'SELECT * FROM users WHERE key = $1', values: [key] });",
    "  await pool.query(override ?? { name: 'default_users', text: 'SELECT * FROM users' });",
    "  await pool.query(override || (many ? byId : { name: 'first_user', text: 'SELECT * FROM users LIMIT 1' }));",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), [
    "protocol-prepared-statement 'user_by_id'",
    "protocol-prepared-statement 'users_by_ids'",
    "protocol-prepared-statement 'user_by_key'",
    "protocol-prepared-statement 'default_users'",
    "protocol-prepared-statement 'first_user'",
  ]);
});

test('a choice between unnamed configs, an empty name, a config behind && and a choice of plain strings prepare nothing', () => {
  const text = [
    "import pg from 'pg';",
    'const pool = new pg.Pool();',
    'export async function load(key, many, enabled) {',
    "  await pool.query(many ? { text: 'SELECT * FROM users' } : { name: '', text: 'SELECT 1' });",
    "  await pool.query(enabled && { name: 'guarded', text: 'SELECT 2' });",
    "  await pool.query(many ? 'SELECT * FROM users' : 'SELECT 1');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});
