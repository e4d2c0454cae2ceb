// Calls of an overloaded routine name, one overload of which creates session state: the call gets that state's
// finding only when it can reach no other overload (argument count, named parameters, or exactly matching argument
// types), or when every overload it may reach creates state too (routineOverloads.ts, stateFunctionCalls.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';

before(() => initAnalysis());

/** A session-state overload taking a job row, and a stateless one taking a table oid that hands on to it. */
const OVERLOADS = String.raw`create type jobs.job as (id int, channel text);
create procedure jobs.open_runner(jobs.job, label text default '') language plpgsql as $$
begin
  create temporary table seen_jobs (id int);
end $$;
create procedure jobs.open_runner(regclass, label text default '') language plpgsql as $$
begin
  raise notice 'opening %', $1;
end $$;
`;
const FILE = '/srv/db/runner.sql';

/** The lines of the findings a caller text gets at its calls (related information into the definitions' file). */
function callLines(definitions: string, caller: string): number[] {
  const options = { stateFunctions: stateFunctionIndex([{ path: FILE, text: definitions }]) };
  return analyzeSql(caller, options).filter((f) => f.related?.some((r) => r.location))
    .map((f) => caller.slice(0, f.start).split('\n').length);
}

test('a stateless overload defined after a stateful one of the same name does not hide it', () => {
  const index = stateFunctionIndex([{ path: FILE, text: OVERLOADS }]);
  assert.equal(index.get('open_runner')?.rule, 'temp-table');
  assert.equal(index.get('open_runner')?.overloads?.length, 2);
  // Redefined with the same parameter types, the later definition replaces the earlier.
  const replaced = OVERLOADS + "create or replace procedure jobs.open_runner(jobs.job, label text default '') language sql as $$ select 1 $$;\n";
  assert.equal(stateFunctionIndex([{ path: FILE, text: replaced }]).get('open_runner'), undefined);
});

test('a call whose arguments exactly match the stateful overload gets its finding', () => {
  // A body's declared variable and its own parameter give the argument types: (jobs.job, text) is the first overload.
  const caller = String.raw`create procedure jobs.start(target regclass, label text) language plpgsql as $$
declare
  j jobs.job := (select row(1, 'c')::jobs.job);
begin
  call jobs.open_runner(j, label);
end $$;
`;
  assert.deepEqual(callLines(OVERLOADS, caller), [5]);
  // An explicit cast, with the defaulted parameter left out.
  assert.deepEqual(callLines(OVERLOADS, "CALL jobs.open_runner(NULL::jobs.job);\n"), [1]);
  // The same, from the body of the other overload of that name: it calls its sibling, not itself.
  const sibling = OVERLOADS.replace("raise notice 'opening %', $1;", () => 'call jobs.open_runner(NULL::jobs.job, label);');
  const findings = analyzeSql(sibling, { stateFunctions: stateFunctionIndex([{ path: FILE, text: sibling }]) })
    .filter((f) => f.related?.some((r) => r.location));
  assert.deepEqual(findings.map((f) => sibling.slice(0, f.start).split('\n').length), [8]);
});

test('a call that may reach the stateless overload, or the calling routine itself, gets no finding', () => {
  // Untyped arguments: either overload may be meant.
  const caller = String.raw`create procedure jobs.start(target regclass, label text) language plpgsql as $$
begin
  call jobs.open_runner(target, label);
  call jobs.open_runner('jobs.queue', label);
  call jobs.open_runner(some_lookup(), label);
end $$;
`;
  assert.deepEqual(callLines(OVERLOADS, caller), []);
  // Exactly the stateless overload's types.
  assert.deepEqual(callLines(OVERLOADS, "CALL jobs.open_runner('jobs.queue'::regclass, 'x'::text);\n"), []);
  // The stateful overload's own body calling the name with its own parameter types: a recursive call.
  const recursive = OVERLOADS.replace('create temporary table seen_jobs (id int);', () => 'create temporary table seen_jobs (id int);\n  call jobs.open_runner($1, label);');
  const findings = analyzeSql(recursive, { stateFunctions: stateFunctionIndex([{ path: FILE, text: recursive }]) })
    .filter((f) => f.related?.some((r) => r.location));
  assert.deepEqual(findings, []);
});

test('an argument count or a parameter name only one overload takes picks it; overloads all with state report any call', () => {
  const byCount = String.raw`create function app.enter(t text) returns void language plpgsql as $$ begin perform set_config('app.t', t, false); end $$;
create function app.enter(t text, r text, d date) returns void language sql as $$ select 1 $$;
`;
  assert.deepEqual(callLines(byCount, "SELECT app.enter($1);\nSELECT app.enter($1, $2, $3);\n"), [1]);
  // Two overloads taking one text and an optional number of different names: only a named argument tells them apart.
  const byName = byCount.replace('app.enter(t text)', 'app.enter(t text, tries int default 0)').replace('app.enter(t text, r text, d date)', "app.enter(t text, delay interval default '1 s')");
  assert.deepEqual(callLines(byName, "SELECT app.enter($1, tries => 3);\nSELECT app.enter($1, delay => '2 s');\nSELECT app.enter($1);\n"), [1]);
  const bothStateful = byCount.replace('language sql as $$ select 1 $$', () => 'language plpgsql as $$ begin perform pg_advisory_lock(1); end $$');
  assert.deepEqual(callLines(bothStateful, "SELECT app.enter($1);\nSELECT app.enter($1, $2, $3);\nSELECT app.enter(x);\n"), [1, 2, 3]);
});

test('the overload a call reaches gives a finding for each kind of state its body makes; several reachable give the kinds they share', () => {
  const several = OVERLOADS.replace('create temporary table seen_jobs (id int);', () => "perform set_config('jobs.round', '0', false);\n  create temporary table seen_jobs (id int);\n  execute 'LISTEN ' || quote_ident(($1).channel);");
  const rules = (definitions: string, caller: string) => analyzeSql(caller, { stateFunctions: stateFunctionIndex([{ path: FILE, text: definitions }]) })
    .filter((f) => f.related?.some((r) => r.location)).map((f) => f.rule);
  // The body of the regclass overload calling the job overload, which sets, creates a temporary table and listens.
  const sibling = several.replace("raise notice 'opening %', $1;", () => 'call jobs.open_runner(NULL::jobs.job, label);');
  assert.deepEqual(rules(sibling, sibling), ['session-set', 'temp-table', 'listen']);
  // Either overload may be reached, both with state: the first one's first kind, and the kinds the other has too.
  const both = several.replace("raise notice 'opening %', $1;", () => 'create temporary table other_jobs (id int);');
  assert.deepEqual(rules(both, "CALL jobs.open_runner($1);\n"), ['session-set', 'temp-table']);
});
