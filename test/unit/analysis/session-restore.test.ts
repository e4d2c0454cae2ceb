// A session SET undone (RESET, RESET ALL, SET … TO DEFAULT) before its transaction ends never reaches
// another client: not a session-set finding. Undone in a later transaction, or outside one, it still is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

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
  assert.deepEqual(rules('SET search_path TO reporting;\nSELECT 1;\nRESET ALL;\n'), []);
  // RESET ALL leaves the role (PostgreSQL's GUC_NO_RESET_ALL); DISCARD ALL puts it back (reset-all-keeps-role.test.ts).
  assert.deepEqual(rules('SET ROLE reporting;\nSELECT 1;\nDISCARD ALL;\n'), []);
  // Without the clean-up at the end, each SET (the one in the DO block too) is reported.
  assert.deepEqual(rules(script.replace(/^RESET .*\n/gm, '')), ['session-set', 'session-set', 'session-set']);
  // A RESET before the SET undoes nothing.
  assert.deepEqual(rules('RESET ROLE;\nSET ROLE reporting;\nSELECT 1;\n'), ['session-set']);
});

test("a script's RESET ALL at its end (supabase db pull's) undoes its own top-level SETs, not a SET in the body of a function it creates", () => {
  const dumped = `SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE OR REPLACE FUNCTION dev.load_rows(p jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
  BEGIN
    SET search_path TO '';
    INSERT INTO dev.rows SELECT * FROM jsonb_array_elements(p);
  END;
  $_$;
RESET ALL;
`;
  // The body's plain SET overrides the function's own SET clause and stays in each caller's session.
  const found = analyzeSql(dumped).map((f) => ruleLine(dumped, f));
  assert.deepEqual(found, ['session-set 8']);
  // The same body SET undone inside the body (RESET before END) leaks nothing; nor do the script's own SETs.
  assert.deepEqual(rules(dumped.replace("    INSERT INTO", "    RESET search_path;\n    INSERT INTO")), []);
  // A temporary table a body creates is not dropped by a DROP the script runs at its top level either.
  const temp = `CREATE FUNCTION stage() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE staging (id int);
END $$;
DROP TABLE staging;
`;
  assert.deepEqual(rules(temp), ['temp-table']);
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

test('a restore after a loop whose handler goes on with CONTINUE, or whose body ends early with EXIT, is still reached; a labelled EXIT or a RETURN may skip it', () => {
  const retry = `FOR part IN SELECT name FROM parts LOOP
    BEGIN
      PERFORM attach(part.name);
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'skipped %', part.name;
      CONTINUE;
    END;
  END LOOP;`;
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  ${retry}\n  ${RESTORE}`)), []);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  WHILE true LOOP\n    EXIT WHEN ready();\n    EXIT;\n  END LOOP;\n  ${RESTORE}`)), []);
  const leaked = ['SET search_path = pg_temp'];
  // EXIT of a loop entered before the SET (named by its label), or a RETURN inside the loop, leaves past the restore.
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  <<outer>> LOOP\n  SET search_path = pg_temp;\n  FOR i IN 1..3 LOOP\n    EXIT outer WHEN i = 2;\n  END LOOP;\n  ${RESTORE}\n  END LOOP;`)), leaked);
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  FOR i IN 1..3 LOOP\n    RETURN;\n  END LOOP;\n  ${RESTORE}`)), leaked);
});

test('COMMIT or ROLLBACK as a name (a table commit, a column rollback) is no transaction end between a SET and its restore', () => {
  const names = "PERFORM count(*) FROM vcs.commit c JOIN vcs.rollback r ON r.commit_id = c.id;\n  INSERT INTO audit (action) SELECT 'x' FROM commit;";
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  ${names}\n  ${RESTORE}`)), []);
  // The statements still end the transaction, and the SET outlives it.
  assert.deepEqual(sessionSets(doBlock(`${SAVE}\n  SET search_path = pg_temp;\n  ${names}\n  ROLLBACK;\n  ${RESTORE}`)), ['SET search_path = pg_temp']);
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

test('a transaction that ends in ROLLBACK (or ABORT) takes its session SETs and temporary tables with it; one that commits does not', () => {
  assert.deepEqual(rules('BEGIN;\nSET search_path TO staging;\nSELECT count(*) FROM orders;\nROLLBACK;\n'), []);
  assert.deepEqual(rules("START TRANSACTION;\nSELECT set_config('app.user_id', '42', false);\nCREATE TEMP TABLE scratch (id int);\nABORT;\n"), []);
  assert.deepEqual(rules('BEGIN;\nSET ROLE auditor;\nSELECT 1;\nCOMMIT;\n'), ['session-set']);
  // Set before the transaction began: the rollback does not reach it.
  assert.deepEqual(rules('SET ROLE auditor;\nBEGIN;\nSELECT 1;\nROLLBACK;\n'), ['session-set']);
  // ROLLBACK AND CHAIN keeps the transaction going: still undone by the rollback itself.
  assert.deepEqual(rules('BEGIN;\nSET ROLE auditor;\nCOMMIT;\nBEGIN;\nROLLBACK;\n'), ['session-set']);
});

test('embedded: a session SET between BEGIN and a ROLLBACK that always runs (after a try/catch, in finally) leaks nothing', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const afterCatch = `export async function dryRun(pool: Pool, schema: string, statement: string) {
  const conn = await pool.connect();
  try {
    await conn.query('BEGIN');
    await conn.query(\`SET search_path TO \${schema}\`);
    await conn.query(statement);
  } catch (error) {
    console.warn(error);
  }
  await conn.query('ROLLBACK');
  conn.release();
}`;
  assert.deepEqual(found(afterCatch), []);
  const inFinally = `export async function asViewer(db: Pool) {
  const c = await db.connect();
  await c.query('begin');
  try {
    await c.query('set role viewer');
    return await c.query('select * from reports');
  } finally {
    await c.query('rollback');
    c.release();
  }
}`;
  assert.deepEqual(found(inFinally), []);
  // The same with COMMIT in place of the rollback: the role outlives the transaction.
  assert.deepEqual(found(inFinally.replace("'rollback'", "'commit'")), ['session-set set role viewer']);
});

test('embedded: a ROLLBACK on one path only (a branch, a catch) does not undo the SET the committing path keeps', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const choice = (end: string) => `export async function apply(pool: Pool, dryRun: boolean) {
  const c = await pool.connect();
  await c.query('BEGIN');
  await c.query("SET search_path TO billing");
  await c.query('UPDATE invoices SET paid = true');
  ${end}
  c.release();
}`;
  const leaked = ['session-set SET search_path TO billing'];
  assert.deepEqual(found(choice("if (dryRun) await c.query('ROLLBACK'); else await c.query('COMMIT');")), leaked);
  assert.deepEqual(found(choice("dryRun ? await c.query('ROLLBACK') : await c.query('COMMIT');")), leaked);
  assert.deepEqual(found(choice("switch (dryRun) { case true: await c.query('ROLLBACK'); break; default: await c.query('COMMIT'); }")), leaked);
  assert.deepEqual(found(choice("try { await c.query('COMMIT'); } catch { await c.query('ROLLBACK'); }")), leaked);
  // A rollback after the branch runs on every path.
  assert.deepEqual(found(choice("if (dryRun) console.log('dry run'); await c.query('ROLLBACK');")), []);
});

test('embedded: a ROLLBACK, or a RESET, written in every arm of an if/else, a ?: or a switch with a default undoes the SET made before it', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const trial = (tail: string) => `export async function preview(pool: Pool, mode: string) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query("SET search_path TO staging");
    await c.query('UPDATE prices SET amount = amount * 1.1');
    ${tail}
  } finally {
    c.release();
  }
}`;
  assert.deepEqual(found(trial("if (mode === 'quiet') { await c.query('ROLLBACK'); } else { console.log('done'); await c.query('ROLLBACK'); }")), []);
  assert.deepEqual(found(trial("mode ? await c.query('ROLLBACK') : await c.query('ROLLBACK');")), []);
  assert.deepEqual(found(trial("switch (mode) { case 'a': await c.query('ROLLBACK'); break; case 'b': await c.query('ABORT'); break; default: await c.query('ROLLBACK'); }")), []);
  assert.deepEqual(found(trial("if (mode === 'a') await c.query('ROLLBACK'); else if (mode === 'b') await c.query('ROLLBACK'); else await c.query('ROLLBACK');")), []);
  assert.deepEqual(found(trial("if (mode) await c.query('RESET search_path'); else await c.query('RESET ALL');\n    await c.query('COMMIT');")), []);
});

test('embedded: an undo missing from one arm (an if without else, a switch without default, an arm that commits, a nested if without else) leaves the SET', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const trial = (tail: string) => `export async function preview(pool: Pool, mode: string, deep: boolean) {
  const c = await pool.connect();
  await c.query('BEGIN');
  await c.query("SET search_path TO staging");
  ${tail}
  c.release();
}`;
  const leaked = ['session-set SET search_path TO staging'];
  assert.deepEqual(found(trial("if (mode) await c.query('ROLLBACK'); else await c.query('COMMIT');")), leaked);
  assert.deepEqual(found(trial("switch (mode) { case 'a': await c.query('ROLLBACK'); break; case 'b': await c.query('ROLLBACK'); break; }\n  await c.query('COMMIT');")), leaked);
  assert.deepEqual(found(trial("if (mode) { if (deep) await c.query('ROLLBACK'); } else await c.query('ROLLBACK');\n  await c.query('COMMIT');")), leaked);
  assert.deepEqual(found(trial("if (mode) await c.query('RESET search_path'); else await c.query('SELECT 1');\n  await c.query('COMMIT');")), leaked);
  // A BEGIN between the arms starts another transaction: the second ROLLBACK is that one's.
  assert.deepEqual(found(trial("if (mode) { await c.query('COMMIT'); } else { await c.query('COMMIT'); await c.query('BEGIN'); await c.query('ROLLBACK'); }")), leaked);
});

test('embedded: a RESET in the other branch of an if/else does not undo the SET of this one, nor a SET before the if', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const perRequest = `export function withTenant(db: Db, tenant: string | undefined, work: (tx: Tx) => Promise<void>) {
  return db.transaction(async (tx) => {
    if (tenant) {
      await tx.execute(sql\`set app.tenant = \${tenant}\`);
    } else {
      await tx.execute(sql\`reset app.tenant\`);
    }
    return work(tx);
  });
}`;
  assert.deepEqual(found(perRequest), ['session-set set app.tenant = ${tenant}']);
  // The branches the other way round: same.
  const flipped = `export function withTenant(db: Db, tenant: string | undefined, work: (tx: Tx) => Promise<void>) {
  return db.transaction(async (tx) => {
    if (!tenant) await tx.execute(sql\`reset app.tenant\`);
    else await tx.execute(sql\`set app.tenant = \${tenant}\`);
    return work(tx);
  });
}`;
  assert.deepEqual(found(flipped), ['session-set set app.tenant = ${tenant}']);
  // A RESET only when a flag is set does not undo a SET made on every path.
  const conditionalReset = `export async function report(pool: Pool, keep: boolean) {
  const c = await pool.connect();
  await c.query('BEGIN');
  await c.query('SET ROLE analyst');
  await c.query('SELECT * FROM totals');
  if (!keep) await c.query('RESET ROLE');
  await c.query('COMMIT');
}`;
  assert.deepEqual(found(conditionalReset), ['session-set SET ROLE analyst']);
  assert.deepEqual(found(conditionalReset.replace("if (!keep) await c.query('RESET ROLE');", "keep || await c.query('RESET ROLE');")), ['session-set SET ROLE analyst']);
});

test('embedded: a RESET after the if/else, or in the same branch as its SET, still undoes it', () => {
  const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const text = (tail: string) => `export async function scoped(pool: Pool, role: string | undefined, rows: string[]) {
  const c = await pool.connect();
  await c.query('BEGIN');
  if (role) {
    await c.query(\`SET ROLE \${role}\`);
    ${tail.startsWith('inner') ? "await c.query('SELECT 1'); await c.query('RESET ROLE');" : ''}
  } else {
    await c.query('SELECT 2');
  }
  for (const row of rows) await c.query('INSERT INTO seen VALUES ($1)', [row]);
  ${tail === 'after' ? "await c.query('RESET ROLE');" : ''}
  await c.query('COMMIT');
}`;
  assert.deepEqual(found(text('after')), []);
  assert.deepEqual(found(text('inner')), []);
  assert.deepEqual(found(text('none')), ['session-set SET ROLE ${role}']);
});

test('a file of named queries (sqlc, yesql, PgTyped) is no script: a later RESET query does not undo what a set_config(…, false) or SET query leaves', () => {
  const sqlc = "-- name: UseAccount :exec\nSELECT set_config('app.account', $1, false);\n\n-- name: ForgetAccount :exec\nRESET app.account;\n";
  assert.deepEqual(rules(sqlc), ['session-set']);
  const yesql = '-- name: enter-reporting!\nSET ROLE reporting;\n\n-- name: leave-reporting!\nRESET ROLE;\n';
  assert.deepEqual(rules(yesql), ['session-set']);
  const pgtyped = "/* @name SetZone */\nSET TIME ZONE 'UTC';\n\n/* @name ClearZone */\nRESET TIME ZONE;\n";
  assert.deepEqual(rules(pgtyped), ['session-set']);
  // The same statements as a plain script, run top to bottom in one session, clean up after themselves.
  assert.deepEqual(rules(sqlc.replace(/^-- name.*\n/gm, '').replace('$1', "'7'")), []);
});

// PostgreSQL restores a parameter named in a routine's own SET clause at exit only over the body's SET LOCAL (or
// set_config(…, true)); a plain SET, or set_config(…, false), of that parameter in the body overrides the clause and
// stays after the call (CREATE FUNCTION's documentation; checked on PostgreSQL 15).
test('a routine\'s SET clause does not undo a plain SET of the same parameter in its body: still flagged', () => {
  const withClause = (body: string): string =>
    `CREATE FUNCTION refresh_totals() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ledger, pg_temp AS $$\nBEGIN\n  ${body}\n  UPDATE totals SET n = n + 1;\nEND $$;\n`;
  assert.deepEqual(rules(withClause('SET search_path TO ledger_archive, public;')), ['session-set']);
  assert.deepEqual(rules(withClause("PERFORM set_config('search_path', 'ledger_archive', false);")), ['session-set']);
  // Transaction-local forms end with the routine (the clause) or with the caller's transaction: nothing to report.
  assert.deepEqual(rules(withClause('SET LOCAL search_path TO ledger_archive, public;')), []);
  assert.deepEqual(rules(withClause("PERFORM set_config('search_path', 'ledger_archive', true);")), []);
});

test('a setting saved from the pg_settings view (SELECT setting INTO v FROM pg_settings WHERE name = …) and put back leaks nothing; another name or column does', () => {
  const fn = (statements: string) => `CREATE FUNCTION table_ddl(tbl text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  saved_path text;
BEGIN
  ${statements}
  RETURN tbl;
END $fn$;\n`;
  const lines = (sql: string) => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);
  const plain = fn("SELECT setting INTO saved_path FROM pg_settings WHERE name = 'search_path';\n  EXECUTE 'SET search_path = public';\n  PERFORM describe(tbl);\n  EXECUTE 'SET search_path = ' || saved_path;");
  assert.deepEqual(lines(plain), []);
  const quoted = fn("SELECT replace(setting, '$user', '\"$user\"') INTO saved_path FROM pg_catalog.pg_settings WHERE name = 'search_path';\n  PERFORM set_config('search_path', 'public', false);\n  PERFORM set_config('search_path', saved_path, false);");
  assert.deepEqual(lines(quoted), []);
  // Saved from another setting's row, or another column (its default, not the session's value): the SETs leak.
  const other = fn("SELECT setting INTO saved_path FROM pg_settings WHERE name = 'work_mem';\n  EXECUTE 'SET search_path = public';\n  EXECUTE 'SET search_path = ' || saved_path;");
  assert.deepEqual(lines(other), [['session-set', 6], ['session-set', 7]]);
  const column = fn("SELECT boot_val INTO saved_path FROM pg_settings WHERE name = 'search_path';\n  EXECUTE 'SET search_path = public';\n  EXECUTE 'SET search_path = ' || saved_path;");
  assert.deepEqual(lines(column), [['session-set', 6], ['session-set', 7]]);
});
