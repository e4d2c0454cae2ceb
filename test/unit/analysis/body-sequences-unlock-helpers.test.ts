// One function call runs on one server connection: a currval after the nextval (or the INSERT whose
// serial default drew the value) earlier in the same body reads this call's value, while a currval with
// nothing before it in the body still reads whatever an earlier, possibly pooled, call left. And a
// function whose body only releases an advisory lock creates no session state: its calls are no finding,
// while a helper that takes the lock still propagates to its calls.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';

before(async () => {
  await initAnalysis();
});

const rulesOf = (sql: string): string[] => analyzeSql(sql).map((finding) => finding.rule);

test('currval after an INSERT that drew from the serial in the same plpgsql body is no finding', () => {
  const sql = `create function add_member(who text) returns int language plpgsql as $$
declare new_id int;
begin
  insert into members (label) values (who);
  new_id := currval('members_id_seq');
  return new_id;
end $$;`;
  assert.deepEqual(rulesOf(sql).filter((r) => r === 'currval'), []);
});

test('currval after nextval of the same sequence earlier in a SQL-language body is no finding', () => {
  const sql = `create function pair_ids() returns table(a bigint, b bigint) language sql as $$
  select nextval('pairs_seq');
  select currval('pairs_seq'), 0::bigint;
$$;`;
  assert.deepEqual(rulesOf(sql).filter((r) => r === 'currval'), []);
});

test('currval with no nextval or INSERT before it in the body is still a finding', () => {
  const sql = `create function last_member() returns int language plpgsql as $$
declare v int;
begin
  v := currval('members_id_seq');
  return v;
end $$;`;
  assert.deepEqual(rulesOf(sql).filter((r) => r === 'currval'), ['currval']);
});

test('currval of another sequence than the one nextval drew in the body is still a finding', () => {
  const sql = `create function mixed() returns bigint language plpgsql as $$
declare v bigint;
begin
  perform nextval('orders_seq');
  v := currval('invoices_seq');
  return v;
end $$;`;
  assert.deepEqual(rulesOf(sql).filter((r) => r === 'currval'), ['currval']);
});

test('currval before the INSERT in the body is still a finding', () => {
  const sql = `create function early() returns int language plpgsql as $$
declare v int;
begin
  v := currval('members_id_seq');
  insert into members (label) values ('x');
  return v;
end $$;`;
  assert.deepEqual(rulesOf(sql).filter((r) => r === 'currval'), ['currval']);
});

const HELPERS = `create function job_lock(k int) returns boolean language plpgsql as $$
declare got boolean;
begin
  select pg_try_advisory_lock(42, k) into got;
  return got;
end $$;
create function job_unlock(k int) returns void language plpgsql as $$
begin
  perform pg_advisory_unlock(42, k);
end $$;
create function job_unlock_everything() returns void language sql as $$ select pg_advisory_unlock_all() $$;
`;

test('a function whose body only unlocks is not indexed as creating session state; the locking one is', () => {
  const index = stateFunctionIndex([{ path: '/db/locks.sql', text: HELPERS }]);
  assert.deepEqual([...index.keys()].sort(), ['job_lock']);
  assert.equal(index.get('job_lock')!.rule, 'advisory-lock');
});

test('calls of an unlock helper are no finding, calls of the lock helper still are', () => {
  const stateFunctions = stateFunctionIndex([{ path: '/db/locks.sql', text: HELPERS }]);
  const caller = `create procedure run_jobs() language plpgsql as $$
begin
  if job_lock(3) then
    perform job_unlock(3);
    perform job_unlock_everything();
  end if;
end $$;`;
  const called = analyzeSql(caller, { stateFunctions }).filter((finding) => finding.related?.some((r) => r.location));
  assert.deepEqual(called.map((finding) => [finding.rule, caller.slice(finding.start, finding.end)]), [['advisory-lock', 'job_lock']]);
});

test('a helper that unlocks and also takes another lock still propagates to its calls', () => {
  const text = `create function swap_lock() returns void language plpgsql as $$
begin
  perform pg_advisory_unlock(1);
  perform pg_advisory_lock(2);
end $$;`;
  const index = stateFunctionIndex([{ path: '/db/swap.sql', text }]);
  assert.equal(index.get('swap_lock')?.rule, 'advisory-lock');
  assert.match(index.get('swap_lock')!.message, /pg_advisory_lock takes/);
});
