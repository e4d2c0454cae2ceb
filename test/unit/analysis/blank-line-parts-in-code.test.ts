// A .sql text whose statements lack their `;` is read in parts only where a statement keyword opens a line of code after
// a blank line (detect.ts statementsWithoutSemicolons): a line of a routine's dollar-quoted body, of a string or of a
// block comment is no such place, so the error reported is PostgreSQL's own for the whole text.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const errors = (sql: string, file = 'db/routines.sql'): string[] => analyzeSql(sql, undefined, file)
  .filter((f) => f.rule === 'syntax-error').map((f) => `${sql.slice(0, f.start).split('\n').length}: ${f.message}`);

const routine = (name: string) => [
  `create or replace function public.${name}(order_id uuid) returns text language plpgsql as`,
  '$$',
  'declare',
  '  shipped text;',
  'begin',
  '  select state into shipped from orders where id = order_id;',
  '',
  '  update orders',
  '     set seen = now()',
  '   where id = order_id;',
  '',
  '  return shipped;',
  'end;',
  '$$',
];

test('two routines with no semicolon between them: PostgreSQL\'s error at the second CREATE, not an unterminated dollar quote in the first body', () => {
  const sql = [...routine('mark_seen'), '/* the next routine */', ...routine('mark_seen_again'), ''].join('\n');
  assert.deepEqual(errors(sql), ['16: syntax error at or near "create"']);
  // A block comment of several lines between them, and a trailing comment: the same.
  const commented = [...routine('mark_seen'), '/*', ' * the next routine', ' */', ...routine('mark_seen_again'), '', '/*', 'select 1', '*/', ''].join('\n');
  assert.deepEqual(errors(commented), ['18: syntax error at or near "create"']);
});

test('lines of a string or a block comment are no parts either; statements of code after a blank line still are', () => {
  const inString = ["insert into notes (body) values ('first line", '', "select is what this note says')", 'select 2', ''].join('\n');
  assert.deepEqual(errors(inString), ['4: syntax error at or near "select"']);
  // Query-log style: each blank-line part of code is a statement of its own, and each parses.
  assert.deepEqual(errors([...routine('mark_seen'), '', 'select mark_seen(gen_random_uuid())', '', 'select 1', ''].join('\n'), 'log/queries.sql'), []);
});
