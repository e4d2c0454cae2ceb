// sql-template-strings (and @nearform/sql) build a statement up: `const q = SQL\`… WHERE id IN (\`` opens it, then
// `q.append(…)` adds the list and the closing parenthesis before the query call sends `q`. The opening alone is no whole
// statement, so PostgreSQL's syntax error on it ("at end of input") is not reported; a pooling finding in a complete
// statement the same object carries is (embedded.ts, isContinuedByAppend).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding as its rule and the line it starts on (a syntax error "at end of input" spans no text). */
function found(lines: string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, 'repository.ts').map((f) => ruleLine(text, f));
}

const HEAD = [
  "import SQL from 'sql-template-strings';",
  "import { Pool } from 'pg';",
  'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
];

test('an SQL`…` opening that the code continues with .append(…) before sending it reports no syntax error', () => {
  assert.deepEqual(found([
    ...HEAD,
    'export async function byIds(ids: number[]) {',
    '  const query = SQL`SELECT id FROM items WHERE id IN (`;',
    '  ids.forEach((id, i) => query.append(i ? SQL`, ${id}` : SQL`${id}`));',
    "  query.append(')');",
    '  return (await pool.query(query)).rows;',
    '}',
    'export async function recent(kinds: string[]) {',
    '  let q = SQL`SELECT id FROM items WHERE kind = ANY(`;',
    '  q = q.append(SQL`${kinds})`).append(SQL` ORDER BY id`);',
    '  return pool.query(q);',
    '}',
  ]), []);
});

test('the same opening sent as it is keeps its syntax error; a complete statement continued with .append keeps its pooling finding', () => {
  assert.deepEqual(found([
    ...HEAD,
    'export async function broken() {',
    '  const query = SQL`SELECT id FROM items WHERE id IN (`;',
    '  return pool.query(query);',
    '}',
    // Another variable of the same name, in another function, is continued; this one is not.
    'export async function other(ids: number[]) {',
    '  const query = SQL`SELECT id FROM items WHERE id IN (`;',
    "  query.append(SQL`${ids[0]})`);",
    '  return pool.query(query);',
    '}',
    'export async function scoped(schema: string) {',
    "  const setPath = SQL`SET search_path TO app`;",
    "  setPath.append(SQL`, public`);",
    '  await pool.query(setPath);',
    '}',
  ]), [
    'syntax-error 5',
    'session-set 14',
  ]);
});
