// A routine that leaves a named dblink connection open through a call of another project routine (a "connect if not
// connected" wrapper) leaves it open too: its callers carry the finding, two routine calls deep (a wrapper of a wrapper is
// not followed). A wrapper that closes the connection again, or a caller that closes it itself or through the project's
// closing routine, leaves nothing open.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { closingRoutineIndex } from '../../../server/analysis/routineConnections';

const LIBRARY = String.raw`create function remote.attach(target name) returns void language plpgsql as $$
declare
  server_name text;
begin
  select srvname into server_name from remote.targets where db = target;
  perform dblink_connect(target, server_name);
end $$;
create function remote.attach_once(target name) returns void language plpgsql as $$
begin
  if dblink_get_connections() is null or not (target = any(dblink_get_connections())) then
    perform remote.attach(target);
  end if;
end $$;
create function remote.attach_archive() returns void language plpgsql as $$
begin
  perform remote.attach_once('archive');
end $$;
create function remote.probe(target name) returns boolean language plpgsql as $$
begin
  perform remote.attach_once(target);
  perform dblink_disconnect(target);
  return true;
end $$;
create function remote.detach(target name) returns void language plpgsql as $$
begin
  perform dblink_disconnect(target);
end $$;
`;

let OPTIONS: Partial<AnalysisOptions>;
let INDEX: ReturnType<typeof stateFunctionIndex>;
before(async () => {
  await initAnalysis();
  const documents = [{ path: '/w/db/remote.sql', text: LIBRARY }];
  const closingRoutines = closingRoutineIndex(documents);
  INDEX = stateFunctionIndex(documents, closingRoutines);
  OPTIONS = { stateFunctions: INDEX, closingRoutines };
});

/** The called names of a caller's session-extension findings. */
function openedAt(body: string): string[] {
  const sql = `create function jobs.refresh(db name) returns void language plpgsql as $body$\nbegin\n${body}\nend;\n$body$;\n`;
  return analyzeSql(sql, OPTIONS, '/w/db/jobs.sql').filter((f) => f.rule === 'session-extension').map((f) => sql.slice(f.start, f.end));
}

test('a routine whose body leaves a connection open through another routine\'s call is indexed, with how its callers name it', () => {
  assert.deepEqual(INDEX.get('attach_once')?.opensConnection, { parameter: 1, name: 'target' });
  // A wrapper of the wrapper is not followed: its callers are three calls from the connect.
  assert.equal(INDEX.has('attach_archive'), false);
  // A wrapper that closes the connection again in its own body leaves nothing: not indexed.
  assert.equal(INDEX.has('probe'), false);
});

test('a call of the wrapper whose only disconnect is in an EXCEPTION handler, or commented out, leaves the connection open', () => {
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  insert into jobs.log select * from dblink(db, 'select 1') as t(x int);
exception when others then
  perform dblink_disconnect(db);
  raise;`), ['attach_once']);
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  -- perform dblink_disconnect(db);`), ['attach_once']);
});

test('a body that left the connection open already holds the finding: a later wrapper call on it adds none', () => {
  assert.deepEqual(openedAt(`  perform remote.attach(db);
  perform remote.attach_once(db);`), ['attach']);
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  perform remote.attach_once(db);`), ['attach_once']);
});

test('a call of the wrapper that the caller closes again, itself or through the closing routine, is no finding', () => {
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  perform dblink_exec(db, 'vacuum');
  perform dblink_disconnect(db);`), []);
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  perform remote.detach(db);`), []);
  assert.deepEqual(openedAt('  perform remote.probe(db);'), []);
});

test('the closing call must close the connection the wrapper opened: another name keeps the finding', () => {
  assert.deepEqual(openedAt(`  perform remote.attach_once(db);
  perform dblink_disconnect('other');`), ['attach_once']);
});

test('a wrapper a pgTAP test script defines is no routine of the application: it is not indexed', () => {
  const documents = [{ path: '/w/db/remote.sql', text: LIBRARY }, { path: '/w/db/test/remote_test.sql', text: String.raw`begin;
select plan(1);
create function check_target() returns text language plpgsql as $$
begin
  perform remote.attach('target_db');
  return 'target_db';
end $$;
select is(check_target(), 'target_db');
select * from finish();
rollback;
` }];
  const closingRoutines = closingRoutineIndex(documents);
  assert.equal(stateFunctionIndex(documents, closingRoutines).has('check_target'), false);
  // The same definition outside a test script is a wrapper.
  const application = [{ path: '/w/db/remote.sql', text: LIBRARY }, { path: '/w/db/check.sql', text: String.raw`create function check_target(db name) returns text language plpgsql as $$
begin
  perform remote.attach(db);
  return db;
end $$;
` }];
  assert.deepEqual(stateFunctionIndex(application, closingRoutineIndex(application)).get('check_target')?.opensConnection, { parameter: 1, name: 'db' });
});
