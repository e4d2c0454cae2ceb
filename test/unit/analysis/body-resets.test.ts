// A PL/pgSQL body that changes a setting for its own work and puts the default back with RESET — written out, or run
// as dynamic SQL whose literal names the setting (`EXECUTE format('RESET work_mem')`, `EXECUTE 'SET work_mem TO
// DEFAULT'`) — leaves nothing on the connection (bodyDefaultRestores.ts dropResetSets). A RETURN that may end the run
// between them keeps the change's finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A PL/pgSQL procedure `reports.rebuild(size)` with the statements as its body. */
const procedure = (statements: string): string => `CREATE PROCEDURE reports.rebuild(size text) LANGUAGE plpgsql AS $body$
BEGIN
  ${statements}
END
$body$;
`;

/** Findings as `rule line`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

test('a dynamic RESET of the setting the body changed undoes the change', () => {
  const formatted = "EXECUTE format('SET work_mem = %L', size);\n  EXECUTE 'REFRESH MATERIALIZED VIEW reports.totals';\n  EXECUTE format('reset work_mem');";
  assert.deepEqual(found(procedure(formatted)), []);
  const plain = "SET maintenance_work_mem = '1GB';\n  CREATE INDEX ON reports.rows (day);\n  EXECUTE 'RESET maintenance_work_mem;';";
  assert.deepEqual(found(procedure(plain)), []);
  const all = "EXECUTE 'SET work_mem = ' || quote_literal(size);\n  PERFORM reports.fill();\n  EXECUTE format('RESET ALL');";
  assert.deepEqual(found(procedure(all)), []);
});

test('a dynamic SET … TO DEFAULT is a restore, not a session SET of its own', () => {
  assert.deepEqual(found(procedure("EXECUTE format('SET search_path TO default');")), []);
  const pair = "SET search_path = reports, public;\n  PERFORM reports.fill();\n  EXECUTE 'SET search_path = DEFAULT';";
  assert.deepEqual(found(procedure(pair)), []);
});

test('a call of a procedure whose body resets what it set carries no session-set finding', () => {
  const body = "EXECUTE format('SET default_tablespace = %s', size);\n  EXECUTE 'CREATE TABLE reports.archive (id int)';\n  EXECUTE format('RESET default_tablespace');";
  const stateFunctions = stateFunctionIndex([{ path: '/db/reports.sql', text: procedure(body) }]);
  assert.deepEqual(analyzeSql("CALL reports.rebuild('fast');\n", { stateFunctions }).map((f) => f.rule), []);
  const leaky = stateFunctionIndex([{ path: '/db/reports.sql', text: procedure(body.replace("EXECUTE format('RESET default_tablespace');", '')) }]);
  assert.deepEqual(analyzeSql("CALL reports.rebuild('fast');\n", { stateFunctions: leaky }).map((f) => f.rule), ['session-set']);
});

test('a RESET that names no setting, another setting, or comes before the SET undoes nothing', () => {
  const variable = "SET work_mem = '256MB';\n  PERFORM reports.fill();\n  EXECUTE 'RESET ' || quote_ident(size);";
  assert.deepEqual(found(procedure(variable)), ['session-set 3']);
  const other = "EXECUTE format('SET work_mem = %L', size);\n  EXECUTE format('RESET statement_timeout');";
  assert.deepEqual(found(procedure(other)), ['session-set 3']);
  const before = "EXECUTE format('RESET work_mem');\n  SET work_mem = '256MB';";
  assert.deepEqual(found(procedure(before)), ['session-set 4']);
});

test('a RETURN that may end the run between the SET and the RESET keeps the SET', () => {
  const early = "SET work_mem = '256MB';\n  IF size = 'none' THEN\n    RETURN;\n  END IF;\n  RESET work_mem;";
  assert.deepEqual(found(procedure(early)), ['session-set 3']);
  const dynamicEarly = "SET work_mem = '256MB';\n  IF size = 'none' THEN\n    RETURN;\n  END IF;\n  EXECUTE format('RESET work_mem');";
  assert.deepEqual(found(procedure(dynamicEarly)), ['session-set 3']);
  const inHandler = "SET work_mem = '256MB';\n  BEGIN\n    PERFORM reports.fill();\n  EXCEPTION WHEN others THEN\n    RETURN;\n  END;\n  RESET work_mem;";
  assert.deepEqual(found(procedure(inHandler)), ['session-set 3']);
});

test('a RETURN that a RESET of its own precedes, a SET and RESET in one loop pass, or under one condition, leave nothing', () => {
  const guarded = "SET work_mem = '256MB';\n  IF size = 'none' THEN\n    RESET work_mem;\n    RETURN;\n  END IF;\n  PERFORM reports.fill();\n  RESET work_mem;";
  assert.deepEqual(found(procedure(guarded)), []);
  const loop = "FOR i IN 1..3 LOOP\n    PERFORM reports.step(i);\n    IF i = 2 THEN\n      EXECUTE format('SET work_mem = %L', size);\n      PERFORM reports.fill(i);\n      EXECUTE format('RESET work_mem');\n    END IF;\n  END LOOP;";
  assert.deepEqual(found(procedure(loop)), []);
  // The same loop without its RESET leaves the change.
  assert.deepEqual(found(procedure(loop.replace("EXECUTE format('RESET work_mem');", ''))), ['session-set 6']);
  // A COMMIT between them ends the transaction, not the call: the RESET still runs on the same connection.
  const sameCondition = "IF size IS NOT NULL THEN\n    PERFORM set_config('work_mem', size, false);\n  END IF;\n  COMMIT;\n  IF size IS NOT NULL THEN\n    RESET work_mem;\n  END IF;";
  assert.deepEqual(found(procedure(sameCondition)), []);
  assert.deepEqual(found(procedure(sameCondition.replace('RESET work_mem;', 'NULL;'))), ['session-set 4']);
});

// Session 36 (mend41a): a RESET only an EXCEPTION handler runs is not on the path that ran the SET without an error.
test("a RESET only in an exception handler leaves the normal path's SET, however the RESET is written", () => {
  for (const reset of ['RESET work_mem;', "EXECUTE 'RESET work_mem';", "EXECUTE format('RESET work_mem');"]) {
    const innerBlock = `SET work_mem = '256MB';\n  BEGIN\n    PERFORM reports.fill();\n  EXCEPTION WHEN others THEN\n    ${reset}\n    RAISE;\n  END;`;
    assert.deepEqual(found(procedure(innerBlock)), ['session-set 3'], reset);
    // The body's own block: its handler runs only when the body fails.
    const bodyBlock = `SET work_mem = '256MB';\n  PERFORM reports.fill();\nEXCEPTION WHEN others THEN\n  ${reset}\n  RAISE;`;
    assert.deepEqual(found(procedure(bodyBlock)), ['session-set 3'], reset);
  }
});

test('a RESET on the normal path still undoes the SET when a handler resets too; a SET and RESET both in one handler leave nothing', () => {
  const both = "SET work_mem = '256MB';\n  BEGIN\n    PERFORM reports.fill();\n  EXCEPTION WHEN others THEN\n    RESET work_mem;\n    RETURN;\n  END;\n  RESET work_mem;";
  assert.deepEqual(found(procedure(both)), []);
  const withinHandler = "PERFORM reports.fill();\nEXCEPTION WHEN others THEN\n  SET work_mem = '1GB';\n  PERFORM reports.repair();\n  RESET work_mem;";
  assert.deepEqual(found(procedure(withinHandler)), []);
});
