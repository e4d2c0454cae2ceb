// PostgreSQL makes a table, view or sequence temporary when its name is qualified with the session's temporary
// schema (`CREATE TABLE pg_temp.batch …`), though no TEMP is written: it is the same session object as
// `CREATE TEMP TABLE batch …`, and behind a transaction pooler it outlives the transaction the same way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);
const found = (text: string): string[] => embeddedFindings(text, 'jobs.ts').map(([rule, at]) => `${rule} ${at}`);

test('a table, view or sequence created in pg_temp (no TEMP keyword) is a temporary object', () => {
  assert.deepEqual(rules('CREATE TABLE pg_temp.pending_rows (id bigint, payload jsonb);'), ['temp-table']);
  assert.deepEqual(rules('CREATE UNLOGGED TABLE IF NOT EXISTS pg_temp.pending_rows (id bigint);'), ['temp-table']);
  assert.deepEqual(rules('CREATE TABLE pg_temp.snapshot AS SELECT * FROM accounts;'), ['temp-table']);
  assert.deepEqual(rules('SELECT id, total INTO pg_temp.totals FROM orders;'), ['temp-table']);
  assert.deepEqual(rules('CREATE VIEW pg_temp.open_orders AS SELECT * FROM orders WHERE open;'), ['temp-table']);
  assert.deepEqual(rules('CREATE SEQUENCE pg_temp.row_numbers;'), ['temp-table']);
  // Through a pool in application code, at the statement.
  assert.deepEqual(found("await pool.query('CREATE TABLE pg_temp.pending_rows (id bigint)');"), ['temp-table CREATE TABLE pg_temp.pending_rows (id bigint)']);
});

test('a pg_temp table dropped at commit, dropped in the same message, or a table of an ordinary schema is no finding', () => {
  const inTransaction = 'BEGIN;\nCREATE TABLE pg_temp.pending_rows (id bigint) ON COMMIT DROP;\nINSERT INTO pending_rows VALUES (1);\nCOMMIT;';
  assert.deepEqual(rules(inTransaction), []);
  // The same transaction without ON COMMIT DROP leaves the table on the server connection.
  assert.deepEqual(rules(inTransaction.replace(' ON COMMIT DROP', '')), ['temp-table']);
  assert.deepEqual(found("await pool.query('CREATE TABLE pg_temp.pending_rows (id bigint); INSERT INTO pending_rows SELECT id FROM queue; DROP TABLE pg_temp.pending_rows');"), []);
  // Dropped by a later call instead, which may reach another server connection: the create is still flagged.
  assert.deepEqual(found("await pool.query('CREATE TABLE pg_temp.pending_rows (id bigint)');\nawait pool.query('DROP TABLE pg_temp.pending_rows');"),
    ['temp-table CREATE TABLE pg_temp.pending_rows (id bigint)']);
  assert.deepEqual(rules('CREATE TABLE app.pending_rows (id bigint);'), []);
  assert.deepEqual(rules('CREATE VIEW reporting.open_orders AS SELECT * FROM orders WHERE open;'), []);
  // A quoted "PG_TEMP" is another schema, not the temporary one.
  assert.deepEqual(rules('CREATE TABLE "PG_TEMP".pending_rows (id bigint);'), []);
});
