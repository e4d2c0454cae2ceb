// A PL/pgSQL block with an EXCEPTION section runs in a subtransaction: when its own handler catches an error, the
// subtransaction rolls back, and PostgreSQL puts back every setting a SET changed inside it. A self-test routine that
// sets something and then always raises a condition its own block catches (`RAISE transaction_rollback; EXCEPTION
// WHEN transaction_rollback THEN END;`) leaves no setting behind (bodyFlow.ts). A RAISE that may not run, one the
// handler does not catch, a handler only in an outer block, or a SET before the block keeps the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (text: string) => analyzeSql(text, undefined, 'sql/settings--1.0.sql').map((f) => f.rule);

/** A procedure whose body is `statements`, as an extension's install script defines one. */
const procedure = (statements: string) => `CREATE PROCEDURE check_db_setting()\n  LANGUAGE plpgsql\n  AS $$\n${statements}\n$$;\n`;

test('a SET its own block undoes with a RAISE the block always reaches and its handler catches leaves nothing', () => {
  const bodies = [
    // The extension's self-test: set, check, then roll the whole block back on purpose.
    "BEGIN\n  EXECUTE 'ALTER DATABASE ' || current_database() || ' SET app.mode = ''foo''';\n  SET app.settings.mode = 'bar';\n  ASSERT current_setting('app.settings.mode') = 'bar';\n  RAISE transaction_rollback;\nEXCEPTION\n  WHEN transaction_rollback THEN\nEND;",
    // A handler list naming the condition among others, or WHEN OTHERS.
    "BEGIN\n  SET search_path TO audit;\n  PERFORM audit.probe();\n  RAISE division_by_zero;\nEXCEPTION WHEN unique_violation OR division_by_zero THEN\n  NULL;\nEND;",
    "BEGIN\n  SET work_mem = '1GB';\n  RAISE EXCEPTION 'undo the probe';\nEXCEPTION WHEN others THEN\n  RAISE NOTICE 'probe rolled back';\nEND;",
    // By SQLSTATE on both sides, and by RAISE … USING ERRCODE with the name the handler lists.
    "BEGIN\n  SET statement_timeout = 0;\n  RAISE SQLSTATE '40000';\nEXCEPTION WHEN SQLSTATE '40000' THEN\nEND;",
    "BEGIN\n  SET statement_timeout = 0;\n  RAISE 'roll back' USING ERRCODE = 'transaction_rollback';\nEXCEPTION WHEN transaction_rollback THEN\nEND;",
    // The SET inside an IF that ends before the RAISE: the block still rolls back whatever ran in it.
    "BEGIN\n  IF current_user = 'admin' THEN\n    SET role_mode.on = 'yes';\n  END IF;\n  RAISE transaction_rollback;\nEXCEPTION WHEN transaction_rollback THEN\nEND;",
  ];
  for (const body of bodies) assert.deepEqual(rules(procedure(body)), [], body);
});

test('a RAISE that may not run or is not caught there, an outer handler only, or a SET before the block keeps the finding', () => {
  const bodies = [
    // Conditional: the run that skips the RAISE keeps the setting.
    "BEGIN\n  SET app.settings.mode = 'bar';\n  IF current_setting('app.check', true) = 'on' THEN\n    RAISE transaction_rollback;\n  END IF;\nEXCEPTION WHEN transaction_rollback THEN\nEND;",
    // A RETURN before the RAISE.
    "BEGIN\n  SET app.settings.mode = 'bar';\n  RETURN;\n  RAISE transaction_rollback;\nEXCEPTION WHEN transaction_rollback THEN\nEND;",
    // The handler catches another condition.
    "BEGIN\n  SET app.settings.mode = 'bar';\n  RAISE transaction_rollback;\nEXCEPTION WHEN division_by_zero THEN\nEND;",
    // WHEN OTHERS does not catch an assertion failure or a cancel.
    "BEGIN\n  SET app.settings.mode = 'bar';\n  RAISE query_canceled;\nEXCEPTION WHEN others THEN\nEND;",
    // The SET and RAISE in an inner block with no handler; only the outer block has one.
    "BEGIN\n  BEGIN\n    SET app.settings.mode = 'bar';\n    RAISE transaction_rollback;\n  END;\nEXCEPTION WHEN transaction_rollback THEN\nEND;",
    // The SET before the block whose handler catches the RAISE: that rollback does not reach it.
    "BEGIN\n  SET app.settings.mode = 'bar';\n  BEGIN\n    RAISE transaction_rollback;\n  EXCEPTION WHEN transaction_rollback THEN\n  END;\nEND;",
    // The RAISE inside a handler of the SET's block: that block's handlers do not catch it.
    "BEGIN\n  PERFORM 1 / 0;\nEXCEPTION WHEN division_by_zero THEN\n  SET app.settings.mode = 'bar';\n  RAISE transaction_rollback;\nEND;",
  ];
  for (const body of bodies) assert.deepEqual(rules(procedure(body)), ['session-set'], body);
});
