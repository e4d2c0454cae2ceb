// Statements without trigger words get only a syntax check (syntaxCheck.ts): one at a time in the
// editor, several to a parser call in a one-shot analysis (the CLI). Both must find the same errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, SqlAnalyzer } from '../../../server/analysis/index';
import { addStatementsThatParse } from '../../../server/analysis/syntaxCheck';

before(() => initAnalysis());

const rulesAt = (sql: string): [string, number][] => analyzeSql(sql).map((f) => [f.rule, f.start]);

test('a lexer error in a statement without trigger words is a syntax error, as a grammar error is', () => {
  assert.deepEqual(rulesAt('SELECT 123abc FROM users;'), [['syntax-error', 7]]);
  const unterminated = "SELECT id FROM users WHERE name = 'x";
  assert.deepEqual(rulesAt(unterminated), [['syntax-error', unterminated.indexOf("'")]]);
});

test('the same statements written correctly are not syntax errors', () => {
  assert.deepEqual(rulesAt("SELECT 123 AS abc FROM users;\nSELECT id FROM users WHERE name = 'x';"), []);
});

test('in a long file checked in batches, each broken statement is reported at its place, as the editor reports it', () => {
  const statements = Array.from({ length: 70 }, (_, n) => `SELECT id, name FROM users WHERE id = ${n} AND note = 'n°${n}';`);
  statements[5] = 'SELECT id, FROM orders;';
  statements[40] = 'SELECT 7abc FROM orders;';
  statements[41] = 'INSERT INTO orders (id) VALUES (1);';
  const sql = statements.join('\n');
  const oneShot = analyzeSql(sql);
  assert.deepEqual(oneShot.map((f) => f.rule), ['syntax-error', 'syntax-error']);
  assert.equal(oneShot[0].start, sql.indexOf('FROM orders;'));
  assert.equal(oneShot[1].start, sql.indexOf('7abc'));
  assert.deepEqual(oneShot, new SqlAnalyzer().analyze(sql));
});

test('statements joined for one syntax check are trusted together only when all of them parse', () => {
  const parsing = new Set<string>();
  addStatementsThatParse(['SELECT 1', "SELECT 'x' FROM t"], parsing);
  assert.deepEqual([...parsing], ['SELECT 1', "SELECT 'x' FROM t"]);
  const broken = new Set<string>();
  addStatementsThatParse(['SELECT 1', 'SELECT FROM FROM'], broken);
  assert.equal(broken.size, 0);
});

test('a statement whose open quote swallows the separator after it makes the batch untrusted, though the joined text parses', () => {
  // Joined, these read SELECT '…' AS x: one statement where two were given.
  const parsing = new Set<string>();
  addStatementsThatParse(["SELECT 'a", "SELECT ' AS x"], parsing);
  assert.equal(parsing.size, 0);
});
