// A routine definition still being written — a parameter list or result type that does not parse, or a dollar-quoted
// body left open at the end of the file — keeps its syntax error, and its body is read for what the routine means to
// do: a temporary table it leaves, a session SET. A routine whose header parses and whose body closes is no draft,
// whatever fails after its body.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** Each finding as `<rule> <line>`. */
function findingsOf(sql: string): string[] {
  return analyze(sql, 'sql', {}, 'routines.sql').map((f) => `${f.rule} ${sql.slice(0, f.start).split('\n').length}`);
}

const leavesTempTable = [
  'BEGIN',
  "  EXECUTE 'CREATE TEMPORARY TABLE ' || _name || ' (id int)';",
  '  RETURN _name;',
];

test("a draft routine's header that does not parse, or its body left open, still has its body read", () => {
  const badHeader = [
    'CREATE OR REPLACE FUNCTION stage_rows(_ids int?[], _name text) RETURNS text AS $$',
    ...leavesTempTable,
    'END;',
    '$$ LANGUAGE plpgsql;',
  ].join('\n');
  assert.deepEqual(findingsOf(badHeader), ['syntax-error 1', 'temp-table 3']);
  const openBody = ['CREATE FUNCTION stage_rows(_name text) RETURNS text AS $body$', ...leavesTempTable, ''].join('\n');
  const found = findingsOf(openBody);
  assert.equal(found[0], 'syntax-error 1');
  assert.deepEqual(found.slice(1), ['temp-table 3']);
  const both = ['CREATE FUNCTION stage_rows(_ids text? int?[]) RETURNS regclass? AS $$', "  SET search_path TO staging;", ''].join('\n');
  assert.deepEqual(findingsOf(both).filter((f) => !f.startsWith('syntax-error')), ['session-set 2']);
});

test('an error after the header of a routine whose body closes, or a statement that is no routine, reads nothing more', () => {
  const brokenTrailer = [
    'CREATE FUNCTION stage_rows(_name text) RETURNS text AS $$',
    ...leavesTempTable,
    'END;',
    '$$ LANGUAGE plpgsql STABEL;',
  ].join('\n');
  assert.deepEqual(findingsOf(brokenTrailer).filter((f) => !f.startsWith('syntax-error')), []);
  const notRoutine = ['CREATE TABLE staged (id int?, AS $$', 'SET search_path TO staging;', ''].join('\n');
  assert.deepEqual(findingsOf(notRoutine).filter((f) => !f.startsWith('syntax-error')), []);
});
