// A session SET undone (RESET, RESET ALL, SET … TO DEFAULT) before its transaction ends never reaches
// another client: not a session-set finding. Undone in a later transaction, or outside one, it still is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

test('SET … then RESET (of the name, ALL, or SET … TO DEFAULT) inside one transaction block leaks nothing', () => {
  assert.deepEqual(rules('BEGIN;\nSET ROLE reporting;\nSELECT * FROM invoices;\nRESET ROLE;\nCOMMIT;\n'), []);
  assert.deepEqual(rules("BEGIN;\nSET search_path TO tenant_7;\nSET work_mem = '64MB';\nSELECT 1;\nRESET ALL;\nCOMMIT;\n"), []);
  assert.deepEqual(rules('START TRANSACTION;\nSET statement_timeout = 100;\nSELECT 1;\nSET statement_timeout TO DEFAULT;\nEND;\n'), []);
  // SET … TO DEFAULT alone restores the default, as RESET does: nothing to report.
  assert.deepEqual(rules('SET search_path TO DEFAULT;\n'), []);
});

test('a SET undone only after COMMIT, or for another setting, still leaks', () => {
  assert.deepEqual(rules('BEGIN;\nSET ROLE reporting;\nCOMMIT;\nRESET ROLE;\n'), ['session-set']);
  assert.deepEqual(rules('BEGIN;\nSET ROLE reporting;\nSET search_path TO app;\nRESET ROLE;\nCOMMIT;\n'), ['session-set']);
  assert.deepEqual(rules('SET ROLE reporting;\nSET search_path TO app;\nSELECT 1;\nRESET ROLE;\n'), ['session-set']);
});

test('a SQL file that sets, outside any block, what it undoes later (a script that cleans up its session) leaks nothing; one that does not still does', () => {
  const script = `SET statement_timeout TO 0;
SET app.rebuild_all = false;
DO $$
BEGIN
  IF current_setting('app.rebuild_all')::boolean THEN
    SET app.rebuild_all = true;
  END IF;
  PERFORM rebuild_reports();
END $$;
RESET app.rebuild_all;
RESET statement_timeout;
`;
  assert.deepEqual(rules(script), []);
  assert.deepEqual(rules('SET ROLE reporting;\nSELECT 1;\nRESET ALL;\n'), []);
  // Without the clean-up at the end, each SET (the one in the DO block too) is reported.
  assert.deepEqual(rules(script.replace(/^RESET .*\n/gm, '')), ['session-set', 'session-set', 'session-set']);
  // A RESET before the SET undoes nothing.
  assert.deepEqual(rules('RESET ROLE;\nSET ROLE reporting;\nSELECT 1;\n'), ['session-set']);
});

test('a function body that undoes its SET before returning leaks nothing; one that does not still does', () => {
  const body = (statements: string) => `CREATE FUNCTION as_reporter() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ${statements}
END $$;\n`;
  assert.deepEqual(rules(body('SET ROLE reporting; PERFORM refresh_totals(); RESET ROLE;')), []);
  assert.deepEqual(rules(body('SET ROLE reporting; PERFORM refresh_totals();')), ['session-set']);
});

test('a function body that puts back the setting it saved from current_setting leaks nothing: neither the restore nor the SET that surely reaches it is a finding', () => {
  const fn = (declare: string, statements: string) => `CREATE FUNCTION in_tenant(tenant text) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  ${declare}
BEGIN
  ${statements}
  RETURN 1;
END $fn$;\n`;
  const lines = (sql: string) => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);
  // Saved with SELECT … INTO, put back by dynamic SQL.
  const dynamic = fn('previous_path text;', "SELECT current_setting('search_path') INTO previous_path;\n  EXECUTE format('SET search_path TO %s', tenant);\n  PERFORM count_rows();\n  EXECUTE format('SET search_path TO %s', previous_path);");
  assert.deepEqual(lines(dynamic), []);
  // Saved with :=, put back by set_config: the same.
  const setConfig = fn('old_path text;', "old_path := current_setting('search_path');\n  PERFORM set_config('search_path', tenant, false);\n  PERFORM set_config('search_path', old_path, false);");
  assert.deepEqual(lines(setConfig), []);
  // A RETURN between the SET and the restore skips the restore: the SET (line 6) leaks.
  const early = fn('old_path text;', "old_path := current_setting('search_path');\n  PERFORM set_config('search_path', tenant, false);\n  IF tenant = '' THEN RETURN 0; END IF;\n  PERFORM set_config('search_path', old_path, false);");
  assert.deepEqual(lines(early), [['session-set', 6]]);
});

test('a SET from a variable that does not hold the same setting\'s earlier value is still a finding', () => {
  const fn = (statements: string) => `CREATE FUNCTION in_tenant(tenant text) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  kept text;
BEGIN
  ${statements}
  RETURN 1;
END $fn$;\n`;
  // Saved from another setting.
  assert.deepEqual(rules(fn("kept := current_setting('work_mem');\n  EXECUTE format('SET search_path TO %s', tenant);\n  EXECUTE format('SET search_path TO %s', kept);")), ['session-set', 'session-set']);
  // Overwritten before the restore.
  assert.deepEqual(rules(fn("kept := current_setting('search_path');\n  kept := tenant || ', public';\n  PERFORM set_config('search_path', tenant, false);\n  PERFORM set_config('search_path', kept, false);")), ['session-set', 'session-set']);
  // A plain variable never saved.
  assert.deepEqual(rules(fn("PERFORM set_config('search_path', tenant, false);\n  PERFORM set_config('search_path', kept, false);")), ['session-set', 'session-set']);
});

test('embedded: SET and RESET in one query string, or in one transaction on one client, leak nothing; across plain calls they do', () => {
  const found = (text: string) => embeddedFindings(text, 'f.js').map(([rule, at]) => `${rule} ${at}`);
  assert.deepEqual(found("await client.query('SET ROLE reporting; SELECT * FROM invoices; RESET ROLE');"), []);
  assert.deepEqual(found("async function f(pool) { const c = await pool.connect(); await c.query('BEGIN'); await c.query('SET ROLE reporting'); await c.query('RESET ROLE'); await c.query('COMMIT'); }"), []);
  assert.deepEqual(found("async function f(pool) { const c = await pool.connect(); await c.query('SET ROLE reporting'); await c.query('RESET ROLE'); }"), ['session-set SET ROLE reporting']);
});

test('embedded: a SET sent before a BEGIN, in an earlier message, is not undone by a RESET inside that later transaction', () => {
  const found = (text: string) => embeddedFindings(text, 'f.js').map(([rule, at]) => `${rule} ${at}`);
  const text = "async function f(pool) { const c = await pool.connect(); await c.query('SET ROLE reporting'); await c.query('BEGIN'); await c.query('RESET ROLE'); await c.query('COMMIT'); }";
  assert.deepEqual(found(text), ['session-set SET ROLE reporting']);
  // In the same message as the BEGIN, it runs on the same server connection as the RESET.
  assert.deepEqual(found("await client.query('SET ROLE reporting; BEGIN; RESET ROLE; COMMIT');"), []);
});

test('a saved setting put back is no finding also when the save opens an IF … THEN branch; the SET before the restore still is', () => {
  const body = (restore: string): string => `DO $$
DECLARE keep text;
BEGIN
  IF to_regclass('ledger') IS NOT NULL THEN
    -- a comment before the save
    keep := current_setting('search_path');
    SET search_path = pg_temp;
    PERFORM build_ledger_parts();
    ${restore};
  END IF;
END $$;`;
  const sql = body("EXECUTE format('SET search_path = %s', keep)");
  assert.deepEqual(analyzeSql(sql).filter((f) => f.rule === 'session-set'), []);
  // Putting back another variable's value is no restore of the saved one: both stay findings.
  const other = body("EXECUTE format('SET search_path = %s', 'public')");
  assert.equal(analyzeSql(other).filter((f) => f.rule === 'session-set').length, 2);
});

const doBlock = (statements: string): string => `DO $$
DECLARE keep text;
BEGIN
  ${statements}
END $$;`;
const sessionSets = (sql: string) => analyzeSql(sql).filter((f) => f.rule === 'session-set').map((f) => sql.slice(f.start, f.end).split('\n')[0]);
const SAVE = "keep := current_setting('search_path');";
const RESTORE = "PERFORM set_config('search_path', keep, false);";

test('a SET between a save and its restore leaks nothing when control surely passes from it to the restore (an error rolls the SET back)', () => {
  // Restored after the END IF of the branch holding the SET, after an inner IF and CASE, after a loop.
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  IF is_cluster() THEN\n    SET search_path = pg_temp;\n    PERFORM split_tables();\n  END IF;\n  ${RESTORE}`)), []);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  IF now() > '2020-01-01' THEN PERFORM a(); ELSE PERFORM b(); END IF;\n  FOR i IN 1..3 LOOP PERFORM c(i); END LOOP;\n  PERFORM CASE WHEN true THEN 1 ELSE 2 END;\n  RAISE NOTICE 'done';\n  ${RESTORE}`)), []);
  // DROP TABLE IF EXISTS opens no block.
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  DROP TABLE IF EXISTS scratch;\n  ${RESTORE}`)), []);
});

test('a SET whose restore control may skip stays a finding: restore in an inner branch, in the other branch, after an EXIT or COMMIT, or a SET made before the save', () => {
  const leaked = ['SET search_path = pg_temp'];
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  IF is_cluster() THEN\n    ${RESTORE}\n  END IF;`)), leaked);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  IF is_cluster() THEN\n    SET search_path = pg_temp;\n  ELSE\n    ${RESTORE}\n  END IF;`)), leaked);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  LOOP\n    SET search_path = pg_temp;\n    EXIT WHEN ready();\n    ${RESTORE}\n  END LOOP;`)), leaked);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  COMMIT;\n  ${RESTORE}`)), leaked);
  // Set before the save: the restore puts back pg_temp itself.
  assert.deepEqual(sessionSets(doBlock(`SET search_path = pg_temp;\n  ${SAVE}\n  ${RESTORE}`)), leaked);
});

test('a setting saved in the DECLARE section (:=, = or DEFAULT, also CONSTANT) and put back by set_config leaks nothing; put back into another setting it does', () => {
  const procedure = (declare: string, statements: string) => `CREATE PROCEDURE route(target text) LANGUAGE plpgsql AS $fn$
DECLARE
  hits int;
  ${declare}
BEGIN
  ${statements}
END $fn$;\n`;
  const lines = (sql: string) => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);
  const restore = "PERFORM set_config('search_path', target, true);\n  hits := 0;\n  PERFORM set_config('search_path', entry_path, false);";
  assert.deepEqual(lines(procedure("entry_path text := current_setting('search_path');", restore)), []);
  assert.deepEqual(lines(procedure("entry_path CONSTANT text DEFAULT current_setting('search_path', true);", restore)), []);
  // The SET after the save surely reaches the restore: neither is a finding.
  assert.deepEqual(lines(procedure("entry_path character varying = current_setting('search_path');",
    "PERFORM set_config('search_path', target, false);\n  PERFORM set_config('search_path', entry_path, false);")), []);
  // Saved from another setting: writing it into search_path is new session state.
  assert.deepEqual(lines(procedure("entry_path text := current_setting('work_mem');", restore)), [['session-set', 8]]);
});
