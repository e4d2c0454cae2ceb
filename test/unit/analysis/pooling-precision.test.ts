// Pooling rules flag what breaks behind a transaction pooler, and not what is safe on purpose.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

test('set_config(…, true) read in the same statement, or set in a CTE of the query that needs it, is not flagged', () => {
  assert.deepEqual(rules("SELECT set_config('app.user', '42', true), current_setting('app.user');"), []);
  assert.deepEqual(rules("WITH ctx AS (SELECT set_config('app.tenant', 't1', true)) SELECT * FROM orders, ctx;"), []);
  assert.deepEqual(rules("SELECT set_config('app.user', '42', true) FROM users WHERE id = 1;"), []);
  assert.deepEqual(rules("INSERT INTO audit (who) SELECT set_config('app.actor', 'x', true);"), []);
});

test('set_config(…, true) alone, or only with other set_config calls, is lost when the statement ends: flagged', () => {
  assert.deepEqual(rules("SELECT set_config('app.user', '42', true);"), ['set-local-outside-transaction']);
  assert.deepEqual(rules("SELECT set_config('a.b', '1', true), set_config('a.c', '2', true);"), ['set-local-outside-transaction', 'set-local-outside-transaction']);
  assert.deepEqual(rules('SET LOCAL statement_timeout = 5;'), ['set-local-outside-transaction']);
  // set_config(…, false) in the same kind of statement is a session change wherever it sits.
  assert.deepEqual(rules("SELECT set_config('app.user', '42', false), current_setting('app.user');"), ['session-set']);
});

test('UNLISTEN and RESET leave nothing behind: not flagged; LISTEN and SET still are', () => {
  assert.deepEqual(rules('UNLISTEN *;\nUNLISTEN jobs;\nRESET search_path;\nRESET ALL;\nRESET ROLE;'), []);
  assert.deepEqual(rules('LISTEN jobs;\nSET ROLE app;'), ['listen', 'session-set']);
  const [listen] = analyzeSql('LISTEN jobs;');
  assert.match(listen.message, /^LISTEN registers/);
});
