// PL/v8 routines run SQL in their caller's session through plv8.execute/plv8.prepare, as PL/Python's plpy.execute
// does: the SQL of a string literal handed to them is read as a statement of the body. JavaScript around it is not SQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** [rule, line (1-based)] of each finding. */
const found = (sql: string): [string, number][] => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);

const routine = (lines: string[], language = 'plv8'): string => [
  'CREATE FUNCTION catalog.reindex(p_kind text) RETURNS void AS $js$',
  ...lines,
  `$js$ LANGUAGE ${language};`,
  '',
].join('\n');

test('plv8.execute / plv8.prepare of a literal holding a session statement is a finding at that statement', () => {
  const body = routine([
    "  plv8.execute(\"SET search_path TO 'catalog'\");",
    "  const rows = plv8.execute('SELECT id FROM catalog.items WHERE kind = $1', [p_kind]);",
    "  plv8.execute(`SELECT set_config('catalog.editor', 'batch', false)`);",
    "  const plan = plv8.prepare('LISTEN catalog_changes', []);",
  ]);
  assert.deepEqual(found(body), [['session-set', 2], ['session-set', 4], ['listen', 5]]);
  // Not a PL/v8 body: the same text in another language's body is not read this way.
  assert.deepEqual(found(body.replace('LANGUAGE plv8', 'LANGUAGE plperl')), []);
});

test('comments, accessors, transaction-local settings and text built at run time are not read as session statements', () => {
  const body = routine([
    "  // plv8.execute('SET ROLE admin') is how the old version did it",
    "  /* plv8.execute(\"SET search_path TO old\"); */",
    '  class Item { set code(value) { this._code = value; } }',
    "  plv8.execute('SET LOCAL work_mem = \\'64MB\\'');",
    "  plv8.execute(\"SELECT set_config('catalog.editor', 'batch', true)\");",
    '  plv8.execute(`SET search_path TO ${p_kind}`);',
    "  const statement = 'SET search_path TO ' + p_kind;",
    '  plv8.execute(statement);',
  ]);
  assert.deepEqual(found(body), []);
});
