// Which statement texts make the pooler ask the server about session state afterwards (audit.ts),
// and how the server's answer is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAudit, runsHiddenCode } from '../../../extension/pooler/audit';

const BUILTINS = new Set(['count', 'now', 'set_config', 'lower', 'generate_series', 'numeric', 'pg_advisory_lock']);

function hidden(text: string, builtins: ReadonlySet<string> | null = BUILTINS): boolean {
  const bytes = Buffer.from(text, 'utf8');
  return runsHiddenCode(bytes, 0, bytes.length, builtins);
}

test('calls of functions that are not built in, DO, CALL and EXECUTE run code the text does not show', () => {
  for (const text of [
    "select tenant_enter('acme')",
    "SELECT app.tenant_enter($1)",
    'select * from my_rows(3)',
    'select 1 from t join my_rows(3) r on true',
    'select "TenantEnter"(1)',
    "DO $$ begin perform 1; end $$",
    'call refresh_all()',
    'CALL p',
    'execute stmt(1)',
    'select 1; do $$ begin end $$',
    '/* app: billing */ EXECUTE stmt',
    '-- refresh\nDO $$ begin perform 1 end $$',
    "select 'a;b'; EXECUTE stmt",
    "select query_to_xml('select f()', true, true, '')",
  ]) assert.equal(hidden(text), true, text);
});

test('built-in calls, column lists, type modifiers and quoted text need no question', () => {
  for (const text of [
    'select abalance from pgbench_accounts where aid = $1',
    'select count(*), now() from t where id in (1, 2)',
    'insert into pgbench_history (tid, bid, aid, delta, mtime) values ($1, $2, $3, $4, CURRENT_TIMESTAMP)',
    'select cast(x as numeric(10, 2)) from t',
    "select 'my_func(1)' as text",
    'with cte (a) as (select 1) select * from cte',
    'create table t (id int references other (id))',
    'create function f(x int) returns int language sql as $$ select 1 $$',
    "select set_config('a.b', 'c', false)",
    'update t set (a, b) = (1, 2) where exists (select 1)',
    'SELECT abalance FROM pgbench_accounts WHERE aid = 12345;',
    'select 1;\n ;',
    "select 'a; do it' from t",
    'select 1 -- ; do\n',
  ]) assert.equal(hidden(text), false, text);
});

test('before the built-in names are known, any call is worth a question', () => {
  assert.equal(hidden('select count(*) from t', null), true);
  assert.equal(hidden('select 1 from t', null), false);
});

test("the server's answer: the pooler's own settings and statements are not findings", () => {
  const answer = readAudit(
    [['setting', 'work_mem'], ['setting', 'timezone'], ['setting', 'search_path'], ['prepared', 'POOLSAFE_3'], ['prepared-sql', 'mine'],
      ['lock', 'exclusive(77)'], ['builtin', 'now'], ['listen', null]],
    { appliedSettings: new Set(['search_path']), ownStatements: true },
  );
  assert.deepEqual(answer.found, [
    { kind: 'setting', rule: 'session-set', name: 'work_mem' },
    { kind: 'prepared', rule: 'prepared-statement', name: 'mine' },
    { kind: 'lock', rule: 'advisory-lock', name: 'exclusive(77)' },
  ]);
  assert.deepEqual([...answer.builtins!], ['now']);
});
