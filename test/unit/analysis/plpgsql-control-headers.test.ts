// A PL/pgSQL statement that follows a FOR/WHILE header's LOOP in the same span is read, however long the
// header's query is; words inside the header's literals do not end it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const rulesOf = (sql: string): string[] => analyzeSql(sql).map((finding) => finding.rule);

const body = (statement: string): string => `create function tidy() returns void language plpgsql as $$
declare rec record;
begin
  ${statement}
end $$;`;

test('the first statement after a long FOR … LOOP header is analysed', () => {
  const sql = body(`for rec in select distinct owner_name, owner_kind from registered_owners where active order by owner_name loop
    perform set_config('app.owner', rec.owner_name, false);
  end loop;`);
  assert.deepEqual(rulesOf(sql), ['session-set']);
});

test('the first statement after a long WHILE … LOOP header is analysed', () => {
  const sql = body(`while exists (select 1 from registered_owners where owner_name = current_user and active and owner_kind = 'x') loop
    perform pg_advisory_lock(7);
  end loop;`);
  assert.deepEqual(rulesOf(sql), ['advisory-lock']);
});

test('a LOOP inside a header literal does not end the header; a transaction-scoped statement after it is no finding', () => {
  const sql = body(`for rec in select 'loop' as word, owner_name, owner_kind from registered_owners where active order by 1 loop
    perform set_config('app.owner', rec.owner_name, true);
  end loop;`);
  assert.deepEqual(rulesOf(sql), []);
});
