// potygen's and pgtyped's spread parameters (`IN $$ids`, `VALUES $$rows(a, b)`) are a tool's template syntax, not
// the dollar quote PostgreSQL's lexer reads there: no syntax error, and the statement filled in keeps its findings.
// `$$` stays a dollar quote wherever a string can stand, and a real mistake is still reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { spreadParameterSpans, withSpreadsFilled } from '../../../server/analysis/spreadParameters';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (sql: string, file = 'queries/items.query.sql'): [string, string][] =>
  analyzeSql(sql, {}, file).map((f) => [f.rule, sql.slice(f.start, f.end)]);
const rules = (sql: string): string[] => found(sql).map(([rule]) => rule);

test('a spread after IN or VALUES, with or without a pick list, gives no syntax error', () => {
  assert.deepEqual(found('SELECT id, name FROM shops WHERE region = 2 AND id IN $$shopIds\n'), []);
  assert.deepEqual(found('INSERT INTO orders (shop_id, total)\nVALUES\n  $$orders(\n    shopId,\n    total\n  )\nON CONFLICT DO NOTHING\nRETURNING id\n'), []);
  // In a CTE's VALUES, with potygen's required marks and casts in the pick list.
  const cte = [
    'WITH payload (id, label, starts_on) AS (',
    '  VALUES',
    '    $$entries("id"!::int, "label"!, "startsOn"::varchar(10))',
    ')',
    'UPDATE entries AS e SET label = p.label FROM payload AS p',
    '-- a spread cannot go straight into FROM: (VALUES $$entries(id, label)) AS p(id, label)',
    'WHERE e.id = p.id::int',
  ].join('\n');
  assert.deepEqual(found(cte), []);
  // Inside a parenthesised list, where nothing later could close it as a string.
  assert.deepEqual(found('SELECT table_name FROM information_schema.tables WHERE (table_schema, table_name) IN ($$tables(schema, name))\n'), []);
  assert.deepEqual(found('SELECT table_name FROM information_schema.tables WHERE ((table_schema, table_name)) IN (($$tables(schema, name)))\n'), []);
});

test('the statement with its spreads filled in keeps its findings, also beside the tool\'s $name parameters', () => {
  assert.deepEqual(found('SELECT pg_advisory_lock(id) FROM jobs WHERE id IN $$ids\n'), [['advisory-lock', 'pg_advisory_lock']]);
  assert.deepEqual(found('WITH k (id) AS (VALUES $$keys(id)) SELECT pg_advisory_lock(k.id) FROM k WHERE k.id > $floor\n'),
    [['advisory-lock', 'pg_advisory_lock']]);
});

test('a spread in a sql tag of potygen or pgtyped gives no syntax error; a tag that does not parse otherwise still does', () => {
  const file = (query: string): string => ["import pg from 'pg';", "import { sql } from '@potygen/potygen';", `export const q = sql\`${query}\`;`].join('\n');
  assert.deepEqual(embeddedFindings(file('SELECT "flag" FROM all_types WHERE id IN $$ids')), []);
  assert.deepEqual(embeddedFindings(file('SELECT "flag" FROM WHERE id IN $$ids')).map(([rule]) => rule), ['syntax-error']);
});

test('real dollar quotes are still strings, and parse as before', () => {
  assert.deepEqual(rules("SELECT $$Dianne's horse$$, $tag$a $$ b$tag$ FROM t WHERE label IN ($$a$$, $$b$$)\n"), []);
  assert.deepEqual(rules('CREATE FUNCTION one() RETURNS int AS $$select 1$$ LANGUAGE sql;\nDO $$begin perform one(); end$$;\n'), []);
  // The advisory lock inside a string is text, not a call.
  assert.deepEqual(rules("SELECT id FROM t WHERE note IN ($$pg_advisory_lock(1)$$)\n"), []);
});

test('a real syntax error is still reported, in ordinary SQL and beside a spread', () => {
  // An unterminated dollar quote where a string can stand: PostgreSQL's reading, not a spread.
  assert.deepEqual(rules('SELECT $$abc\n'), ['syntax-error']);
  assert.deepEqual(rules('CREATE FUNCTION one() RETURNS int AS $$select 1; LANGUAGE sql;\n'), ['syntax-error']);
  // A string after VALUES, closed: no spread (the name runs into the closing `$$`).
  assert.deepEqual(rules('INSERT INTO t VALUES $$x$$\n'), ['syntax-error']);
  // In a list, a later `$$` may close it: read as PostgreSQL does.
  assert.deepEqual(rules('SELECT ($$abc, 1) FROM t WHERE b = $$\n'), ['syntax-error']);
  // An unterminated dollar quote in a function's arguments, with nothing later to close it: a forgotten `$$`, not a spread.
  assert.deepEqual(rules('SELECT concat($$Hello, name) FROM users\n'), ['syntax-error']);
  assert.deepEqual(rules('SELECT g(1, $$abc) FROM t\n'), ['syntax-error']);
  assert.deepEqual(rules('SELECT id FROM t WHERE id IN (SELECT f($$abc) FROM u)\n'), ['syntax-error']);
  // A mistake elsewhere in a statement with a spread.
  assert.deepEqual(rules('SELECT id FROM WHERE id IN $$ids\n'), ['syntax-error']);
  assert.deepEqual(rules('INSERT INTO orders (a, b) VALUES $$orders(a, b) RETURNING\n'), ['syntax-error']);
});

test('spreads are found outside strings and comments, and filled in at the same length', () => {
  const sql = "SELECT '$$no' FROM t /* IN $$no */ WHERE a IN $$ids AND b IN (VALUES $$rows(x, \"y\"!::varchar(3))) AND c = $$text$$";
  const spans = spreadParameterSpans(sql).map(([start, end]) => sql.slice(start, end));
  assert.deepEqual(spans, ['$$ids', '$$rows(x, "y"!::varchar(3))']);
  const filled = withSpreadsFilled(sql)!;
  assert.equal(filled.length, sql.length);
  assert.match(filled, /a IN \(z__\) AND b IN \(VALUES \(z_+\)\) AND c = \$\$text\$\$$/);
  assert.equal(withSpreadsFilled('SELECT $$a$$'), undefined);
});
