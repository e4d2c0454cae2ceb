// A body that calls the project's routine opening a named dblink connection and, later in the same body, the project's
// routine closing that connection leaves nothing open, as a dblink_connect … dblink_disconnect pair in one body does —
// when the closing routine surely closes it and nothing between the two calls leaves the body early.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { closingRoutineIndex } from '../../../server/analysis/routineConnections';

const LIBRARY = String.raw`create function link.open_random() returns text language plpgsql as $$
declare
  handle text;
begin
  if current_setting('link.enabled', true) <> 'on' then
    raise exception 'remote sync is off';
  end if;
  handle := 'link_' || floor(random() * 1000)::text;
  perform dblink_connect(handle, current_setting('link.dsn'));
  return handle;
end $$;
create function link.open_fixed() returns void language plpgsql as $$
begin
  perform dblink_connect('archive', current_setting('link.dsn'));
end $$;
create function link.open_named(conn text, dsn text) returns void language plpgsql as $$
begin
  perform dblink_connect(conn, dsn);
end $$;
create function link.finish(conn text, outcome text) returns text language plpgsql as $$
begin
  if outcome = 'ok' then
    perform dblink_exec(conn, 'commit');
  else
    perform dblink_exec(conn, 'rollback');
  end if;
  perform dblink_disconnect(conn);
  return 'done';
end $$;
create function link.close_fixed() returns void language plpgsql as $$
begin
  perform dblink_disconnect('archive');
end $$;
create function link.close_if_open(conn text) returns void language plpgsql as $$
begin
  if conn = any(dblink_get_connections()) then
    perform dblink_disconnect(conn);
  end if;
end $$;
create function link.close_checked(conn text) returns void language plpgsql as $$
begin
  if conn is null then
    raise exception 'no connection';
  end if;
  perform dblink_disconnect(conn);
end $$;
`;

let OPTIONS: Partial<AnalysisOptions>;
before(async () => {
  await initAnalysis();
  const documents = [{ path: '/w/db/link.sql', text: LIBRARY }];
  OPTIONS = { stateFunctions: stateFunctionIndex(documents), closingRoutines: closingRoutineIndex(documents) };
});

/** The called names of a caller's session-extension findings. */
function openedAt(body: string): string[] {
  const sql = `create function sync.push() returns text language plpgsql as $body$\ndeclare\n  v text;\nbegin\n${body}\nend;\n$body$;\n`;
  return analyzeSql(sql, OPTIONS, '/w/db/sync.sql').filter((f) => f.rule === 'session-extension').map((f) => sql.slice(f.start, f.end));
}

test('the closing index holds routines whose body surely disconnects a parameter or a written name, not one that may skip it', () => {
  const index = closingRoutineIndex([{ path: '/w/db/link.sql', text: LIBRARY }]);
  assert.deepEqual([...index.keys()].sort(), ['close_fixed', 'finish']);
  assert.deepEqual(index.get('finish'), { schema: 'link', closes: { parameter: 1, name: 'conn' } });
  assert.deepEqual(index.get('close_fixed'), { schema: 'link', closes: { fixed: "'archive'" } });
  // A later file's definition of the same name without the disconnect replaces it.
  const replaced = closingRoutineIndex([{ path: '/w/db/link.sql', text: LIBRARY },
    { path: '/w/db/patch.sql', text: 'create or replace function link.finish(conn text, outcome text) returns text language sql as $$ select 1 $$;' }]);
  assert.equal(replaced.has('finish'), false);
});

test('a connection the body opens through one project routine and closes through another, nothing leaving between, is no finding', () => {
  // The opener returns a fresh name, kept in a variable the closer is handed.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform dblink_exec(v, 'insert into t values (1)');\n  perform link.finish(v, 'ok');\n  return v;"), []);
  assert.deepEqual(openedAt("  if v is null then\n    select * into v from link.open_random();\n  end if;\n  for i in 1..3 loop\n    perform dblink_exec(v, 'select 1');\n  end loop;\n  perform link.finish(v, 'ok');\n  return v;"), []);
  // A name both routines write, and a name the caller passes to both.
  assert.deepEqual(openedAt("  perform link.open_fixed();\n  perform dblink_exec('archive', 'select 1');\n  perform link.close_fixed();\n  return 'x';"), []);
  assert.deepEqual(openedAt("  perform link.open_named('sync', 'host=replica');\n  perform link.finish('sync', 'ok');\n  return 'x';"), []);
  // A close in an EXCEPTION handler after the open covers the way out between.
  assert.deepEqual(openedAt("  v := link.open_random();\n  if v = '' then return v; end if;\n  perform link.finish(v, 'ok');\n  return v;\nexception when others then\n  perform link.finish(v, 'error');\n  raise;"), []);
});

test('the opening call keeps its finding when the body may leave before the close, or the close may not close that connection', () => {
  // A RETURN or a RAISE between the two calls.
  assert.deepEqual(openedAt("  v := link.open_random();\n  if v = '' then return v; end if;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  if v = '' then raise exception 'empty'; end if;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  // Another connection is closed, or the returned name is not kept.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform link.finish('other', 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  perform link.open_random();\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  perform link.open_named('sync', 'host=replica');\n  perform link.finish('async', 'ok');\n  return 'x';"), ['open_named']);
  // The closing routine may skip its disconnect (a branch, a RAISE before it), or comes before the open, or is absent.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform link.close_if_open(v);\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform link.close_checked(v);\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  perform link.close_fixed();\n  perform link.open_fixed();\n  return 'x';"), ['open_fixed']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  return v;"), ['open_random']);
});

test('a closing call only a branch, a loop or an EXCEPTION handler of the caller runs does not close the connection the normal path leaves open', () => {
  // Closed only when a condition holds, or only in a loop that may not run.
  assert.deepEqual(openedAt("  perform link.open_fixed();\n  perform dblink_exec('archive', 'select 1');\n  if v is not null then\n    perform link.close_fixed();\n  end if;\n  return 'x';"), ['open_fixed']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  for i in 1..0 loop\n    perform link.finish(v, 'ok');\n  end loop;\n  return v;"), ['open_random']);
  // Closed only when an error is caught: a run that succeeds keeps it open.
  assert.deepEqual(openedAt("  perform link.open_fixed();\n  perform dblink_exec('archive', 'select 1');\n  return 'x';\nexception when others then\n  perform link.close_fixed();\n  raise;"), ['open_fixed']);
  // A close after the branch closes, the branch's own close aside.
  assert.deepEqual(openedAt("  perform link.open_fixed();\n  if v is not null then\n    perform link.close_fixed();\n    perform link.open_fixed();\n  end if;\n  perform link.close_fixed();\n  return 'x';"), []);
});

test('a variable holding an opened name and assigned again before the close: the close closes only the newest connection', () => {
  // The first connection's name is lost when the variable takes the second one's.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform dblink_exec(v, 'select 1');\n  v := link.open_random();\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  select * into v from link.open_random();\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  v := link.open_random();\n  for v in select name from pending loop\n    perform dblink_exec(v, 'select 1');\n  end loop;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  // Each connection closed before the variable is reused: none.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform link.finish(v, 'ok');\n  v := link.open_random();\n  perform link.finish(v, 'ok');\n  return v;"), []);
  // Comparing the variable is no assignment.
  assert.deepEqual(openedAt("  v := link.open_random();\n  perform dblink_exec(v, 'select 1') where v = 'x';\n  perform link.finish(v, 'ok');\n  return v;"), []);
});

test('an assignment in another arm of the branch that opens the connection is no reassignment: no run passes both', () => {
  // The variable takes the opened name in one arm and a name from elsewhere in the others; the close after the branch
  // closes whichever the run took.
  assert.deepEqual(openedAt("  if current_setting('link.given', true) is null then\n    v := link.open_random();\n  else\n    v := current_setting('link.given');\n  end if;\n  perform dblink_exec(v, 'select 1');\n  perform link.finish(v, 'ok');\n  return v;"), []);
  assert.deepEqual(openedAt("  if v is null then\n    select * into v from link.open_random();\n  elsif v = '' then\n    v := 'spare';\n  else\n    select name into v from links limit 1;\n  end if;\n  perform link.finish(v, 'ok');\n  return v;"), []);
  assert.deepEqual(openedAt("  case when v is null then\n    v := link.open_random();\n  when v = '' then\n    v := 'spare';\n  else\n    null;\n  end case;\n  perform link.finish(v, 'ok');\n  return v;"), []);
});

test('an assignment the run may pass after the open still replaces the opened name, whatever branch it sits in', () => {
  // After the branch, or in a branch nested in the open's own arm.
  assert.deepEqual(openedAt("  if v is null then\n    v := link.open_random();\n  else\n    v := 'given';\n  end if;\n  v := 'spare';\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  if v is null then\n    v := link.open_random();\n    if v = '' then\n      v := 'spare';\n    end if;\n  end if;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  // A loop around the branch: a later pass takes the other arm after this pass opened.
  assert.deepEqual(openedAt("  for i in 1..2 loop\n    if i = 1 then\n      v := link.open_random();\n    else\n      v := 'spare';\n    end if;\n  end loop;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  // A handler runs after the block's statements that ran before the error, the open among them.
  assert.deepEqual(openedAt("  begin\n    v := link.open_random();\n    perform dblink_exec(v, 'select 1');\n  exception when others then\n    v := 'spare';\n  end;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
  assert.deepEqual(openedAt("  begin\n    v := link.open_random();\n    perform dblink_exec(v, 'select 1');\n  exception when unique_violation then\n    null;\n  when others then\n    v := 'spare';\n  end;\n  perform link.finish(v, 'ok');\n  return v;"), ['open_random']);
});

/** A library whose `link.done` has two overloads: one argument disconnects it, two arguments only log. */
const OVERLOADED = (order: 'logging first' | 'closing first') => {
  const logging = "create function link.done(conn text, note text) returns void language plpgsql as $$\nbegin\n  insert into link_log values (conn, note);\nend $$;\n";
  const closing = "create function link.done(conn text) returns void language plpgsql as $$\nbegin\n  perform dblink_disconnect(conn);\nend $$;\n";
  const open = "create function link.start() returns text language plpgsql as $$\ndeclare\n  h text := md5(random()::text);\nbegin\n  perform dblink_connect(h, 'dbname=remote');\n  return h;\nend $$;\n";
  return open + (order === 'logging first' ? logging + closing : closing + logging);
};

test('a closing routine with overloads closes only through the overload the call reaches', () => {
  for (const order of ['logging first', 'closing first'] as const) {
    const documents = [{ path: '/w/db/link.sql', text: OVERLOADED(order) }];
    const options = { stateFunctions: stateFunctionIndex(documents), closingRoutines: closingRoutineIndex(documents) };
    const opened = (body: string) => {
      const sql = `create function sync.pull() returns void language plpgsql as $body$\ndeclare\n  v text;\nbegin\n${body}\nend;\n$body$;\n`;
      return analyzeSql(sql, options, '/w/db/sync.sql').filter((f) => f.rule === 'session-extension').map((f) => sql.slice(f.start, f.end));
    };
    // Two arguments reach the logging overload: the connection stays open.
    assert.deepEqual(opened("  v := link.start();\n  perform link.done(v, 'finished');"), ['start'], order);
    // One argument reaches the disconnecting one.
    assert.deepEqual(opened('  v := link.start();\n  perform link.done(v);'), [], order);
  }
});
