// PostgreSQL's lexer reads a comment as whitespace anywhere between two tokens. The bundled parser (libpg-query)
// returns comments as tokens of their own, which its one-token look-ahead (WITH TIME, WITHOUT TIME, NOT IN, NULLS
// FIRST, FORMAT JSON, U&"…" UESCAPE '…') does not skip: such a comment is valid SQL and must not be a syntax error,
// while a real mistake in the same statement still is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { withLookaheadCommentsBlanked } from '../../../server/analysis/lookaheadComments';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

test('comments inside a type name (TIME (3) WITH /* … */ TIME ZONE, TIMESTAMP WITHOUT -- … ⏎ TIME ZONE) get no syntax error', () => {
  const sql = [
    'CREATE TABLE shifts (',
    '  starts TIME /*m*/ ( /*n*/ 3 /*o*/ ) /*p*/ WITH /*q*/ TIME /*r*/ ZONE,',
    '  logged TIMESTAMP WITHOUT -- local clock',
    '  TIME ZONE',
    ');',
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('a comment before or inside a UESCAPE clause of a Unicode name or string gets no syntax error', () => {
  const sql = [
    `CREATE TABLE U&"d!0061tum" /* mid */ UESCAPE '!' (id int);`,
    `CREATE TABLE notes (U&"c!006fl" /* c */ UESCAPE '!' int);`,
    `CREATE TABLE notes2 (U&"c!006fl" UESCAPE /* c */ '!' int);`,
    `SELECT U&'d!0061' -- escape follows`,
    `  UESCAPE '!';`,
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('a comment between NOT and IN/LIKE/BETWEEN, NULLS and FIRST, WITH and ORDINALITY, FORMAT and JSON gets no syntax error', () => {
  const sql = [
    'SELECT id FROM orders WHERE status NOT /* open ones */ IN (1, 2);',
    "SELECT id FROM orders WHERE note NOT -- no drafts\n LIKE 'draft%';",
    'SELECT id FROM orders WHERE total NOT /*c*/ BETWEEN 1 AND 2;',
    'SELECT id FROM orders ORDER BY shipped_at NULLS /*c*/ FIRST;',
    'SELECT * FROM unnest(ARRAY[1, 2]) WITH /*c*/ ORDINALITY;',
    "SELECT json_object('a': '{}' FORMAT /*c*/ JSON);",
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('a real mistake in a statement with such a comment is still a syntax error, reported where it is', () => {
  const findings = analyzeSql('CREATE TABLE shifts (starts TIME WITH /*q*/ TIME ZONE,, ends date);');
  assert.deepEqual(findings.map((f) => f.rule), ['syntax-error']);
  assert.match(findings[0].message, /","/);
  assert.deepEqual(rules('CREATE TABLE shifts (starts TIME WITH /*q*/ TIMEZONE);'), ['syntax-error']);
  assert.deepEqual(rules("SELECT U&'d!0061' UESCAPE /* c */ 5;"), ['syntax-error']);
  assert.deepEqual(rules('SELECT id FROM orders WHERE status NOT /* c */ INN (1, 2);'), ['syntax-error']);
});

test('such a statement keeps its pooling findings', () => {
  assert.deepEqual(rules("CREATE TEMP TABLE staged (seen TIMESTAMP WITHOUT /* local */ TIME ZONE);"), ['temp-table']);
});

test('comments on both sides of UESCAPE are blanked together: the second is read with the first already whitespace', () => {
  assert.deepEqual(rules("SELECT U&'d!0061' /* a */ UESCAPE /* b */ '!';"), []);
  const crlf = "SELECT U&'d!0061' -- a\r\n UESCAPE -- b\r\n '!'";
  assert.equal(withLookaheadCommentsBlanked(crlf), "SELECT U&'d!0061'      \n UESCAPE      \n '!'");
});
