// A routine definition still being written — a parameter list or result type that does not parse, or a dollar-quoted
// body left open at the end of the file — keeps its syntax error, and its body is read for what the routine means to
// do: a temporary table it leaves, a session SET. A routine whose header parses and whose body closes is no draft,
// whatever fails after its body.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding as `<rule> <line>`. */
function findingsOf(sql: string): string[] {
  return analyze(sql, 'sql', {}, 'routines.sql').map((f) => ruleLine(sql, f));
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

test("a draft routine's header that names its language before AS, or a body tag with digits, still has its body read", () => {
  const languageFirst = [
    'CREATE OR REPLACE FUNCTION stage_rows(_ids int?[], _name text) RETURNS text LANGUAGE plpgsql AS $$',
    ...leavesTempTable,
    'END;',
    '$$;',
  ].join('\n');
  assert.deepEqual(findingsOf(languageFirst), ['syntax-error 1', 'temp-table 3']);
  const quotedLanguage = languageFirst.replace('LANGUAGE plpgsql', "LANGUAGE 'plpgsql'");
  assert.deepEqual(findingsOf(quotedLanguage), ['syntax-error 1', 'temp-table 3']);
  const digitTag = [
    'CREATE OR REPLACE FUNCTION stage_rows(_ids int?[], _name text) RETURNS text AS $fn1$',
    ...leavesTempTable,
    'END;',
    '$fn1$ LANGUAGE plpgsql;',
  ].join('\n');
  assert.deepEqual(findingsOf(digitTag), ['syntax-error 1', 'temp-table 3']);
  // Left open, with the language before AS: the body is closed with its tag only.
  const openLanguageFirst = ['CREATE FUNCTION stage_rows(_name text) RETURNS text LANGUAGE plpgsql AS $b2$', ...leavesTempTable, ''].join('\n');
  const found = findingsOf(openLanguageFirst);
  assert.equal(found[0], 'syntax-error 1');
  assert.deepEqual(found.slice(1), ['temp-table 3']);
});

test("a parameter or result column called language is no LANGUAGE clause: the open draft's body is still closed as PL/pgSQL", () => {
  // i18n schemas name columns `language`: inside the parentheses it is a name, not the routine's language.
  const body = ['BEGIN', '  SET search_path = app;', '  CREATE TEMP TABLE scratch (id int);'];
  const parameter = ['CREATE FUNCTION set_locale(account int, language text) RETURNS void AS $$', ...body, ''].join('\n');
  assert.deepEqual(findingsOf(parameter), ['syntax-error 1', 'session-set 3', 'temp-table 4']);
  const resultColumn = ['CREATE FUNCTION locales() RETURNS TABLE(code text, language text) AS $$', ...body, ''].join('\n');
  assert.deepEqual(findingsOf(resultColumn), ['syntax-error 1', 'session-set 3', 'temp-table 4']);
  // The clause itself, after the list, still names the language the body is read in (here PL/v8, which no guess gives).
  const clauseAfter = ['CREATE FUNCTION set_locale(language text) RETURNS void LANGUAGE plv8 AS $$', "  plv8.execute('SET search_path = app');", ''].join('\n');
  assert.deepEqual(findingsOf(clauseAfter), ['syntax-error 1', 'session-set 2']);
});
