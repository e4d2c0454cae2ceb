// A SQL file whose first statement is a transaction-scoped setting (SET LOCAL, set_config(…, true)) is
// written to run inside a transaction its runner opens (an extension script's source, a migration, an
// installer's one-message script): SET LOCAL there is not flagged until the file ends a transaction itself.
// A SET LOCAL later in a file that opened otherwise is still flagged.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql, undefined, 'install.sql').map((f) => f.rule);

test('a file opening with SET LOCAL or set_config(…, true) runs inside its runner\'s transaction: no set-local-outside-transaction', () => {
  assert.deepEqual(rules('\n-- installer header\nset local search_path = pg_catalog, pg_temp;\ncreate schema if not exists tools;\nset local lock_timeout = 0;\n'), []);
  assert.deepEqual(rules("/* library */\nSELECT set_config('search_path', 'lib', true);\nCREATE TABLE lib.items (id int);\n"), []);
  // Session state is still session state: a plain SET in such a file keeps its finding.
  assert.deepEqual(rules('SET LOCAL search_path = app;\nSET statement_timeout = 0;\n'), ['session-set']);
});

test('SET LOCAL is still flagged after another opening statement, or after the file itself ends a transaction', () => {
  assert.deepEqual(rules('CREATE TABLE items (id int);\nSET LOCAL lock_timeout = 0;\n'), ['set-local-outside-transaction']);
  assert.deepEqual(rules("SELECT set_config('a.b', 'c', false);\nSET LOCAL lock_timeout = 0;\n"), ['session-set', 'set-local-outside-transaction']);
  assert.deepEqual(rules('SET LOCAL lock_timeout = 0;\nCOMMIT;\nSET LOCAL lock_timeout = 0;\n'), ['set-local-outside-transaction']);
  // Mentioned in a comment only: the file opens with what follows it.
  assert.deepEqual(rules('-- SET LOCAL x = 1;\nSELECT 1;\nSET LOCAL lock_timeout = 0;\n'), ['set-local-outside-transaction']);
  // A migration tool's annotations say how the file runs (goose NO TRANSACTION: outside one).
  assert.deepEqual(rules("-- +goose NO TRANSACTION\n-- +goose Up\nSET LOCAL lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON t (c);\n"), ['set-local-outside-transaction']);
  // Query text with no file (what the pooler reads) is not a file its runner wraps.
  assert.deepEqual(analyzeSql('SET LOCAL lock_timeout = 0;\nSELECT 1;\n').map((f) => f.rule), ['set-local-outside-transaction']);
});

test('an opening set_config(…, true) that names its result column (AS ctx, or a bare alias) still opens the file inside its runner\'s transaction', () => {
  assert.deepEqual(rules("-- sets who is asking\nSELECT set_config('app.member_id', $1::text, true) AS member_ctx;\n"), []);
  assert.deepEqual(rules("select set_config('app.member_id', $1, true) member_ctx;\nselect set_config('app.org_id', $2, true) \"org ctx\";\n"), []);
});

test('an aliased set_config(…, true) after another opening statement, or only in the opening comment, is still flagged', () => {
  assert.deepEqual(rules("CREATE TABLE members (id int);\nSELECT set_config('app.member_id', $1, true) AS member_ctx;\n"), ['set-local-outside-transaction']);
  assert.deepEqual(rules("-- SELECT set_config('app.member_id', $1, true) AS member_ctx;\nSELECT 1;\nSELECT set_config('app.member_id', $1, true) AS member_ctx;\n"), ['set-local-outside-transaction']);
});
