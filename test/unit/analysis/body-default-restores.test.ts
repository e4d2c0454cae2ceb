// A routine that turns a built-in switch for its own run (`SET client_min_messages = warning`, dynamic SQL naming the
// setting, or set_config(…, false)) and sets it back to the default servers keep (`… TO notice`) on every path before
// returning leaves nothing on the connection (bodyDefaultRestores.ts). A way out between the two keeps the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A PL/pgSQL routine `quietly(level)` with the statements as its body, before a final RETURN. */
const routine = (statements: string): string => `CREATE FUNCTION jobs.quietly(level text) RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  ${statements}
  RETURN 'done';
END
$body$;
`;

/** Findings as `rule line`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

test('a static, dynamic or set_config change of client_min_messages put back to notice on every path leaves nothing', () => {
  assert.deepEqual(found(routine('SET client_min_messages = warning;\n  PERFORM jobs.sweep();\n  SET client_min_messages TO notice;')), []);
  assert.deepEqual(found(routine("EXECUTE 'SET client_min_messages TO ' || quote_literal(level);\n  PERFORM jobs.sweep();\n  SET client_min_messages TO notice;")), []);
  assert.deepEqual(found(routine("PERFORM set_config('client_min_messages', level, false);\n  PERFORM jobs.sweep();\n  PERFORM set_config('client_min_messages', 'notice', false);")), []);
});

test('errors caught inside the run, or a handler that puts the default back before it returns, keep every path restored', () => {
  // The inner handler only logs and carries on: control still comes out to the restore.
  const loop = "EXECUTE 'SET client_min_messages TO ' || level;\n  FOR i IN 1..3 LOOP\n    BEGIN\n      PERFORM jobs.step(i);\n    EXCEPTION WHEN others THEN\n      RAISE WARNING 'step % failed', i;\n    END;\n  END LOOP;\n  SET client_min_messages TO notice;";
  assert.deepEqual(found(routine(loop)), []);
  // The handler returns, but restores first.
  const guarded = "SET client_min_messages = error;\n  BEGIN\n    PERFORM jobs.sweep();\n  EXCEPTION WHEN others THEN\n    SET client_min_messages TO notice;\n    RETURN 'failed';\n  END;\n  SET client_min_messages TO notice;";
  assert.deepEqual(found(routine(guarded)), []);
});

test('a RETURN, or a handler that returns without restoring, between the SET and the restore keeps the SET and the restore', () => {
  const early = "EXECUTE 'SET client_min_messages TO ' || level;\n  IF level = 'panic' THEN\n    RETURN 'skipped';\n  END IF;\n  SET client_min_messages TO notice;";
  assert.deepEqual(found(routine(early)), ['session-set 3', 'session-set 7']);
  const handler = "SET client_min_messages = error;\n  BEGIN\n    PERFORM jobs.sweep();\n  EXCEPTION WHEN others THEN\n    RETURN 'failed';\n  END;\n  SET client_min_messages TO notice;";
  assert.deepEqual(found(routine(handler)), ['session-set 3', 'session-set 9']);
  // One handler of two restores: the other still returns with the setting changed.
  const oneOfTwo = "SET client_min_messages = error;\n  BEGIN\n    PERFORM jobs.sweep();\n  EXCEPTION WHEN division_by_zero THEN\n    SET client_min_messages TO notice;\n    RETURN 'zero';\n  WHEN others THEN\n    RETURN 'failed';\n  END;\n  SET client_min_messages TO notice;";
  assert.deepEqual(found(routine(oneOfTwo)), ['session-set 3', 'session-set 7', 'session-set 12']);
});

test('a restore only in a branch, to another value, or of a setting roles and providers set, is no restore', () => {
  assert.deepEqual(found(routine("SET client_min_messages = warning;\n  IF level = 'x' THEN\n    SET client_min_messages TO notice;\n  END IF;")),
    ['session-set 3', 'session-set 5']);
  assert.deepEqual(found(routine('SET client_min_messages = warning;\n  SET client_min_messages TO error;')), ['session-set 3', 'session-set 4']);
  assert.deepEqual(found(routine("SET search_path = jobs;\n  SET search_path = public;")), ['session-set 3', 'session-set 4']);
  // Alone, the default is still a session SET.
  assert.deepEqual(found(routine('SET client_min_messages TO notice;')), ['session-set 3']);
});

test("a call of the routine gets no session-set finding once its body restores, and keeps its temporary table's", () => {
  const body = "EXECUTE 'SET client_min_messages TO ' || level;\n  CREATE TEMP TABLE run_log (line text);\n  SET client_min_messages TO notice;";
  const stateFunctions = stateFunctionIndex([{ path: '/db/jobs.sql', text: routine(body) }]);
  const call = "SELECT jobs.quietly('warning');\n";
  assert.deepEqual(analyzeSql(call, { stateFunctions }).map((f) => f.rule), ['temp-table']);
  // Without the restore the call carries both kinds.
  const leaky = stateFunctionIndex([{ path: '/db/jobs.sql', text: routine(body.replace('SET client_min_messages TO notice;', '')) }]);
  assert.deepEqual(analyzeSql(call, { stateFunctions: leaky }).map((f) => f.rule), ['session-set', 'temp-table']);
});
