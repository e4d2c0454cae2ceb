// A SQL scratch file may keep, as a note beside its queries, the lines of the application's own code (Visual Basic
// here) that build one of them into a string: the parser stops on such a line, and that is no syntax error of the
// file's SQL. A real mistake, or a line that only looks like one, is still reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stopsOnQueryBuildingLine } from '../../../server/analysis/foreignCodeLines';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql, {}, 'reports/Scripts.sql').map((f) => f.rule);

test('the lines of another program that build a query string give no syntax error', () => {
  const assignments = [
    'SELECT code, name',
    'FROM stores',
    'WHERE open',
    '',
    '',
    '  sql=" SELECT stores.code, stores.name "',
    '  sql=sql+" FROM stores"',
    '  sql=sql+" where open=true "',
    '',
    'SELECT code FROM stores WHERE code = $1',
  ].join('\n');
  assert.deepEqual(rules(assignments), []);
  const continued = [
    'SELECT 1',
    '',
    '',
    '"WITH ids AS (SELECT UNNEST(STRING_TO_ARRAY(\'1,2,3\', \',\')) AS id) " + _',
    '"SELECT STRING_AGG(id, \',\') FROM ids " + _',
    '',
    'SELECT 2;',
  ].join('\n');
  assert.deepEqual(rules(continued), []);
});

test('a real mistake is still reported, also before or beside a line that only looks like one', () => {
  assert.deepEqual(rules('SELECT code FROM WHERE open\n\n  sql=" SELECT code FROM stores "\n'), ['syntax-error']);
  // A quoted name followed by an operator is PostgreSQL; the mistake is on the next line.
  assert.deepEqual(rules('SELECT "unit price" +\n  FROM lines;\n'), ['syntax-error']);
  // A quoted name with a blank but no query text in it.
  assert.deepEqual(rules('SELECT a FROM t WHERE\n  label = "Total amount" "x";\n'), ['syntax-error']);
});

test('the line the parser stops on decides', () => {
  const text = 'SELECT 1\n  q += " WHERE id = 2 "\n';
  assert.equal(stopsOnQueryBuildingLine(text, text.indexOf('q +=')), true);
  assert.equal(stopsOnQueryBuildingLine(text, 3), false);
  assert.equal(stopsOnQueryBuildingLine('x = "selected items"', 0), false);
  assert.equal(stopsOnQueryBuildingLine('"order date" +', 0), false);
});
