// A .sql file of named queries (sqlc/yesql/PugSQL/aiosql `-- name: x`, pgtyped `/* @name x */`) is no
// script: the application sends each query on its own, often inside a transaction it opened itself, and
// the yesql family needs no semicolon between queries (the `-- name:` header separates them).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string, file = 'queries.sql'): string[] => analyzeSql(sql, undefined, file).map((f) => `${f.rule}:${sql.slice(0, f.start).split('\n').length}`);

test('SET LOCAL and set_config(…, true) in a named query are not flagged: the caller may send it inside its transaction', () => {
  const sqlc = [
    '-- name: ListOrders :many',
    'SELECT * FROM orders WHERE owner = $1;',
    '',
    '-- name: ScopeToTenant :exec',
    "SELECT set_config('app.tenant', $1, true);",
    '',
    '-- name: ShortTimeout :exec',
    "SET LOCAL statement_timeout = '2s';",
  ].join('\n');
  assert.deepEqual(rules(sqlc), []);
  const pgtyped = "/* @name listOrders */\nSELECT * FROM orders;\n\n/* @name scope */\nSELECT set_config('app.tenant', :tenant, true);\n";
  assert.deepEqual(rules(pgtyped), []);
});

test('session state in a named query is still flagged, and a plain script keeps its SET LOCAL finding', () => {
  const sqlc = "-- name: ListOrders :many\nSELECT * FROM orders;\n\n-- name: PinTenant :exec\nSELECT set_config('app.tenant', $1, false);\n";
  assert.deepEqual(rules(sqlc), ['session-set:5']);
  assert.deepEqual(rules("SELECT * FROM orders;\nSELECT set_config('app.tenant', '7', true);\n", 'script.sql'), ['set-local-outside-transaction:2']);
});

test('yesql-style queries without semicolons, separated by a blank line and a -- name: header, are no syntax error', () => {
  const yesql = [
    '-- name: touch-order',
    'UPDATE orders',
    'SET seen = true',
    'WHERE id = $1',
    '',
    '-- name: add-order',
    '-- inserts one row',
    'INSERT INTO orders (owner) VALUES ($1)',
    '',
    '-- name: pin-role',
    'SET ROLE $1',
  ].join('\n');
  assert.deepEqual(rules(yesql), ['session-set:11']);
});

test('a real syntax error inside one of those queries is still reported', () => {
  const broken = '-- name: touch-order\nUPDATE orders SET seen = true WHERE id = $1\n\n-- name: add-order\nINSERT INTO orders (owner VALUES ($1)\n';
  assert.deepEqual(rules(broken), ['syntax-error:5']);
  // Without the blank line, two statements run together are one statement: the error stays.
  assert.deepEqual(rules('SELECT 1\nSELECT 2\n', 'script.sql'), ['syntax-error:2']);
});

test('scratch queries without semicolons, separated by a blank line and whole-line /* … */ comments, are no syntax error; a block comment with code after it on its line is no separator', () => {
  const scratch = [
    'select *',
    'from stock.adjustments',
    'where day = current_date',
    '',
    '/*****************************/',
    'WITH totals AS (SELECT 1 AS n)',
    'SELECT n FROM totals',
    '',
    '/* orders of one week */',
    '/*********/',
    'SELECT * FROM orders',
  ].join('\n');
  assert.deepEqual(rules(scratch, 'queries.sql'), []);
  // The comment shares its line with code: that code runs on from the statement before, which is one broken statement.
  assert.deepEqual(rules('select *\nfrom stock\n\n/* x */ 1\nSELECT 2\n', 'queries.sql').map((r) => r.split(':')[0]), ['syntax-error']);
  // A comment that opens on the line and closes on a later one is no whole-line comment either.
  assert.deepEqual(rules('select *\nfrom stock\n\n/* from here\n*/\nSELECT 2\n', 'queries.sql').map((r) => r.split(':')[0]), ['syntax-error']);
});
