// A template hole after a construct that PostgreSQL's grammar rejects in one of its own checks rather than at a token:
// `make_interval(days => ${n}) ${clause}` with the trailing clause read as a value is a typed literal whose type has a
// named modifier, refused at `days`, before the hole that caused it. The hole is then tried as the other things it may
// stand for (here nothing: an optional clause), so no syntax error is reported on valid code.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'rollup.ts').map(([rule]) => rule);
const sending = (sql: string) => [
  "import { sql } from 'drizzle-orm';",
  "import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';",
  'export async function days(db: PostgresJsDatabase, windowDays: number, floor: any) {',
  `  return db.execute(sql\`${sql}\`);`,
  '}',
].join('\n');

test('make_interval with a named argument before a trailing clause hole is no syntax error', () => {
  assert.deepEqual(rules(sending('SELECT day FROM ledger WHERE ts >= now() - make_interval(days => ${windowDays}) ${floor}')), []);
  assert.deepEqual(rules(sending('SELECT day FROM ledger WHERE ts >= make_interval(days => 2) ${floor} ORDER BY day')), []);
});

test('what such a statement does is still read: a session set_config in it is reported', () => {
  assert.deepEqual(
    rules(sending("SELECT set_config('app.tenant', 'a', false), day FROM ledger WHERE ts >= now() - make_interval(days => ${windowDays}) ${floor}")),
    ['session-set'],
  );
});

test('a construct the grammar rejects whatever the holes after it stand for is still a syntax error', () => {
  assert.deepEqual(rules(sending("SELECT day FROM ledger WHERE ts >= make_interval(days => 2) '1 day' ${floor}")), ['syntax-error']);
  assert.deepEqual(rules(sending('SELECT day FROM ledger WHERE WHERE ts >= now() ${floor}')), ['syntax-error']);
});
