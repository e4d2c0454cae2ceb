// PostgreSQL refuses to change the session's identity inside a SECURITY DEFINER function (`SET ROLE`, `SET SESSION
// AUTHORIZATION`, `set_config('role', …)`: "cannot set parameter "role" within security-definer function"): the call
// fails and leaves nothing on the pooled connection. Other settings such a function changes still stay.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

before(async () => {
  await initAnalysis();
});

/** Each finding as `rule line` (1-based). */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

const routine = (security: string, statements: string): string => `create or replace function become_owner(who text) returns void
language plpgsql ${security} as $fn$
begin
${statements}
end $fn$;`;

const IDENTITY = `  set role owner_role;
  perform set_config('role', who, false);
  set session authorization owner_role;`;

test('identity changes inside a SECURITY DEFINER function are refused at run time: no finding, and no indexed state for its callers', () => {
  assert.deepEqual(found(routine('security definer', IDENTITY)), []);
  // Written before the language, or as a procedure.
  const procedure = `create procedure switch_owner() security definer language plpgsql as $p$ begin set role owner_role; end $p$;`;
  assert.deepEqual(found(procedure), []);
  assert.deepEqual([...stateFunctionIndex([{ path: '/work/db/owner.sql', text: routine('security definer', IDENTITY) }]).keys()], []);
});

test('the same changes in an invoker\'s function, and other settings in a definer\'s, are still findings', () => {
  assert.deepEqual(found(routine('security invoker', IDENTITY)), ['session-set 4', 'session-set 5', 'session-set 6']);
  assert.deepEqual(found(routine('', IDENTITY)).length, 3);
  // A definer's function may still leave its search_path or a custom setting behind.
  assert.deepEqual(found(routine('security definer', "  set search_path = app;\n  perform set_config('app.owner', who, false);")), ['session-set 4', 'session-set 5']);
});
