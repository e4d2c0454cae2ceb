// ClickHouse's mutations (`ALTER TABLE t DELETE WHERE …`, `ALTER TABLE t UPDATE col = … WHERE …`, either with
// `ON CLUSTER c`) are statements of another engine: PostgreSQL's ALTER TABLE has no DELETE or UPDATE action, so a .sql
// file of them gets no syntax error. A PostgreSQL user's mistyped ALTER TABLE (`DELETE COLUMN`) still does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

test('a cleanup script of ClickHouse DELETE mutations with subqueries gets no syntax error', () => {
  const script = [
    '-- drop the rows written before the backfill',
    'ALTER TABLE metric_events_month',
    "DELETE WHERE entity_type = 'Model'",
    '    AND version < 4',
    '    AND created_at < (SELECT min(created_at) FROM metric_events_month WHERE version = 4);',
    '',
  ].join('\n');
  assert.deepEqual(analyzeSql(script, undefined, 'apps/events/scripts/sql/cleanup.sql'), []);
});

test('DELETE and UPDATE mutations, on a cluster or not, are read as ClickHouse statements', () => {
  for (const statement of [
    'ALTER TABLE events DELETE WHERE ts < now() - 86400',
    "ALTER TABLE IF EXISTS db.events ON CLUSTER main DELETE WHERE kind = 'test'",
    "ALTER TABLE events UPDATE status = 'done', retries = 0 WHERE id IN (1, 2)",
    'ALTER TABLE `events` ON CLUSTER main UPDATE score = score * 2 WHERE 1',
  ]) assert.equal(dialectOfStatement(statement), 'clickhouse', statement);
});

test('PostgreSQL ALTER TABLE statements, well-formed or mistyped, are not read as ClickHouse', () => {
  for (const statement of [
    'ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE',
    'ALTER TABLE events DROP COLUMN legacy',
    'ALTER TABLE events ALTER COLUMN status SET DEFAULT 0',
    'ALTER TABLE events DELETE COLUMN legacy',
    'ALTER TABLE events UPDATE SET status = 1',
  ]) assert.equal(dialectOfStatement(statement), undefined, statement);
  assert.deepEqual(analyzeSql('ALTER TABLE events DELETE COLUMN legacy;\n', undefined, 'db/migrations/0007.sql').map((f) => f.rule), ['syntax-error']);
});
