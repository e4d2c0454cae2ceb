import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, splitStatements, SqlAnalyzer } from '../../../server/analysis/index';

before(() => initAnalysis());

const REALISTIC = `-- Schema for the café app 😀; semicolons; in comments
/* outer /* nested; */ still comment; */
CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'a;b', "weird;col" int);
INSERT INTO users(name) VALUES (E'it\\'s; fine'), ('o''brien;');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.updated_at := now(); -- ; inside
  RETURN NEW;
END
$body$;
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;
  SELECT 1;
END;
DO $$ BEGIN PERFORM 1; END $$;
SET search_path = app;
SELECT $$dollar; text$$, $tag$ a $$ b; $tag$;
`;

test('splits at top-level semicolons only', () => {
  const texts = splitStatements(REALISTIC).map((s) => s.text.split('\n')[0].slice(0, 20));
  assert.deepEqual(texts, [
    'CREATE TABLE users (',
    'INSERT INTO users(na',
    'CREATE FUNCTION touc',
    'CREATE FUNCTION add(',
    'DO $$ BEGIN PERFORM ',
    'SET search_path = ap',
    'SELECT $$dollar; tex',
  ]);
  assert.deepEqual(analyzeSql(REALISTIC).map((f) => f.rule), ['session-set']);
});

/** The span's text is the document's, except characters blanked to spaces (psql parts). */
function isBlankedFrom(spanText: string, documentText: string): boolean {
  if (spanText.length !== documentText.length) return false;
  for (let k = 0; k < spanText.length; k++) if (spanText[k] !== documentText[k] && spanText[k] !== ' ') return false;
  return true;
}

test('span offsets point into the document', () => {
  for (const span of splitStatements(REALISTIC)) assert.equal(REALISTIC.slice(span.start, span.end), span.text);
});

test('random truncations and splices of a realistic file never throw', () => {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 300; i++) {
    const cut = random(REALISTIC.length + 1);
    const text = i % 2 === 0 ? REALISTIC.slice(0, cut) : REALISTIC.slice(0, cut) + REALISTIC.slice(random(REALISTIC.length));
    const spans = splitStatements(text);
    // A cut can leave a backslash outside quotes (a psql meta-command, blanked): the rest is the document's text.
    for (const span of spans) assert.ok(isBlankedFrom(span.text, text.slice(span.start, span.end)), span.text);
    assert.doesNotThrow(() => analyzeSql(text));
  }
});

test('unterminated quotes, comments and dollar quotes swallow the rest without throwing', () => {
  assert.equal(splitStatements("SELECT 'abc; LISTEN x;").length, 1);
  assert.equal(splitStatements('SELECT 1; /* open; LISTEN x;').length, 1, 'an open comment is not a statement');
  assert.equal(splitStatements('SELECT $q$ open; LISTEN x;').length, 1);
  assert.deepEqual(analyzeSql("SELECT 'abc; LISTEN x;").map((f) => f.rule), ['syntax-error']);
});

test('SqlAnalyzer reuses cached statements and gives the same findings after an edit', () => {
  const analyzer = new SqlAnalyzer();
  const before = 'LISTEN a;\nSELECT 1;\nBEGIN;\nSET x.y = 1;\nCOMMIT;';
  assert.deepEqual(analyzer.analyze(before), analyzeSql(before));
  const after = 'LISTEN a;\nSELECT 12;\nBEGIN;\nSET x.y = 1;\nCOMMIT;';
  const findings = analyzer.analyze(after);
  assert.deepEqual(findings, analyzeSql(after));
  assert.equal(after.slice(findings[1].start, findings[1].end), 'SET x.y = 1');
  assert.ok(findings[1].fix, 'block context is recomputed over cached statements');
});

test("a rule's parenthesised action list is one statement: its inner semicolons do not split it", () => {
  const script = [
    'CREATE RULE archive_on_delete AS ON DELETE TO invoices DO ALSO (',
    '  INSERT INTO invoices_archive SELECT old.*;',
    '  UPDATE ledger SET open_count = open_count - 1 WHERE ledger.id = old.ledger_id;',
    ');',
    'create rule notify_both as on insert to jobs do instead (notify queue_a; notify queue_b);',
    'SET search_path = billing;',
  ].join('\n');
  const firstWords = splitStatements(script).map((s) => s.text.trim().split(/\s+/).slice(0, 3).join(' '));
  assert.deepEqual(firstWords, ['CREATE RULE archive_on_delete', 'create rule notify_both', 'SET search_path =']);
  assert.deepEqual(analyzeSql(script).map((f) => f.rule), ['session-set'], 'no syntax error, and the SET after the rules is still read');
});

test('only a list right after DO, ALSO or INSTEAD keeps semicolons: other parentheses, and a mistyped action, do not', () => {
  const others = [
    'INSERT INTO tags (name) VALUES (\'do\') ON CONFLICT DO NOTHING;',
    'CREATE TRIGGER t INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();',
    'SELECT also (1);',
    'SET search_path = app;',
  ].join('\n');
  assert.equal(splitStatements(others).length, 4);
  const typo = 'CREATE RULE r AS ON INSERT TO t DO INSTEAD (UPDAT t SET a = 1; DELETE FROM t);\nLISTEN jobs;';
  assert.deepEqual(analyzeSql(typo).map((f) => f.rule), ['syntax-error', 'listen']);
});
