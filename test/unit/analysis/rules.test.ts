import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type AnalysisOptions, type Finding } from '../../../server/analysis/index';
import { applyFix } from '../../helpers/fixes';

before(() => initAnalysis());

function rules(sql: string, options?: Partial<AnalysisOptions>): string[] {
  return analyzeSql(sql, options).map((f) => f.rule);
}

function only(sql: string, rule: string, options?: Partial<AnalysisOptions>): Finding {
  const findings = analyzeSql(sql, options).filter((f) => f.rule === rule);
  assert.equal(findings.length, 1, `expected one ${rule} in ${sql}, got ${JSON.stringify(findings)}`);
  return findings[0];
}

test('session SET, RESET, SET ROLE, SET SESSION AUTHORIZATION are findings', () => {
  assert.deepEqual(rules('SET search_path = a; SET ROLE r; SET SESSION AUTHORIZATION u;'), ['session-set', 'session-set', 'session-set']);
});

test('SET inside a transaction block still leaks; its fix is SET LOCAL', () => {
  const sql = 'BEGIN; SET statement_timeout = 5; COMMIT;';
  assert.equal(applyFix(sql, only(sql, 'session-set')), 'BEGIN; SET LOCAL statement_timeout = 5; COMMIT;');
  assert.equal(only('SET x.y = 1;', 'session-set').fix, undefined, 'no SET LOCAL fix outside a block: it would do nothing');
});

test('set_config\'s is_local written as a quoted boolean (\'f\', \'off\', \'no\', \'0\', \'false\'::boolean) is read as PostgreSQL reads it', () => {
  for (const flag of ["'f'", "'off'", "'No'", "'0'", "' false '", "'false'::boolean"]) {
    const sql = `SELECT set_config('app.user', '1', ${flag});`;
    const cast = flag.endsWith('::boolean') ? '::boolean' : '';
    assert.equal(applyFix(sql, only(sql, 'session-set')), `SELECT set_config('app.user', '1', true${cast});`, flag);
  }
  // Quoted true values are transaction-scoped, and an input PostgreSQL refuses ('o' is ambiguous) is no setting at all.
  for (const flag of ["'t'", "'on'", "'yes'", "'1'", "'o'", "'maybe'"]) {
    assert.deepEqual(rules(`BEGIN; SELECT set_config('app.user', '1', ${flag}); COMMIT;`), [], flag);
  }
  const body = "CREATE FUNCTION open_session(uid text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM set_config('app.subject', uid, 'f');\nEND $$;";
  assert.deepEqual(rules(body), ['session-set']);
});

test('set_config(..., false) is a finding fixed to true; set_config(..., true) in a block is safe', () => {
  const sql = "SELECT set_config('app.user', '1', false);";
  assert.equal(applyFix(sql, only(sql, 'session-set')), "SELECT set_config('app.user', '1', true);");
  assert.deepEqual(rules("BEGIN; SELECT set_config('a.b', '1', true); COMMIT;"), []);
});

test('SET LOCAL outside a transaction block is unnecessary; inside it is safe', () => {
  const finding = only("SET LOCAL work_mem = '1MB';", 'set-local-outside-transaction');
  assert.equal(finding.unnecessary, true);
  assert.deepEqual(rules("BEGIN; SET LOCAL work_mem = '1MB'; COMMIT;"), []);
  assert.deepEqual(rules("START TRANSACTION; SET LOCAL a.b = 1; END;"), []);
});

test('safe settings: SET TRANSACTION, ALTER ROLE/DATABASE SET, function-level SET, NOTIFY, pg_notify', () => {
  assert.deepEqual(rules(`SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
ALTER ROLE r SET search_path = a; ALTER DATABASE d SET work_mem = '1MB';
CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = a AS $$ SELECT 1 $$;
NOTIFY ch, 'x'; SELECT pg_notify('ch', 'x');`), []);
});

test('strings and comments never match', () => {
  assert.deepEqual(rules(`-- SET search_path = a; LISTEN x
/* PREPARE p AS SELECT 1; */ SELECT 'SET x = 1; LISTEN y', E'it\\'s; LOAD', $q$ pg_advisory_lock(1); $q$;`), []);
});

test('prepared statements: PREPARE, EXECUTE, DEALLOCATE; PL/pgSQL dynamic EXECUTE is not one', () => {
  assert.deepEqual(rules('PREPARE p AS SELECT 1; EXECUTE p; DEALLOCATE p;'), ['prepared-statement', 'prepared-statement', 'prepared-statement']);
  assert.deepEqual(rules(`CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; END $$;`), []);
});

test('temp tables: without ON COMMIT DROP, SELECT INTO TEMP; fix adds ON COMMIT DROP inside a block', () => {
  assert.deepEqual(rules('CREATE TEMP TABLE t(a int); SELECT 1 INTO TEMP u; CREATE TEMP VIEW v AS SELECT 1;'), ['temp-table', 'temp-table', 'temp-table']);
  assert.deepEqual(rules('BEGIN; CREATE TEMP TABLE t(a int) ON COMMIT DROP; COMMIT;'), []);
  const sql = 'BEGIN; CREATE TEMPORARY TABLE t(a int); COMMIT;';
  assert.equal(applyFix(sql, only(sql, 'temp-table')), 'BEGIN; CREATE TEMPORARY TABLE t(a int) ON COMMIT DROP; COMMIT;');
  assert.deepEqual(rules('CREATE TABLE t(a int);'), []);
});

test('currval/lastval unless nextval of the same sequence earlier in the statement or block', () => {
  assert.deepEqual(rules("SELECT currval('s'); SELECT lastval();"), ['currval', 'currval']);
  assert.deepEqual(rules("SELECT nextval('s'), currval('s');"), []);
  assert.deepEqual(rules("BEGIN; SELECT nextval('s'); SELECT currval('s'); COMMIT;"), []);
  assert.deepEqual(rules("BEGIN; SELECT nextval('s'); COMMIT; SELECT currval('s');"), ['currval']);
  assert.deepEqual(rules("BEGIN; SELECT nextval('other'); SELECT currval('s'); COMMIT;"), ['currval']);
  // An INSERT can call nextval through a serial default: currval later in the same block is safe…
  assert.deepEqual(rules("BEGIN; INSERT INTO orders (customer_id) VALUES (1); SELECT currval('orders_id_seq'); COMMIT;"), []);
  // …but not before it, nor after the block ended, nor after an INSERT outside any block.
  assert.deepEqual(rules("BEGIN; SELECT currval('orders_id_seq'); INSERT INTO orders DEFAULT VALUES; COMMIT;"), ['currval']);
  assert.deepEqual(rules("BEGIN; INSERT INTO orders DEFAULT VALUES; COMMIT; SELECT currval('orders_id_seq');"), ['currval']);
  assert.deepEqual(rules("INSERT INTO orders DEFAULT VALUES; SELECT currval('orders_id_seq');"), ['currval']);
});

test('advisory locks: session variants are findings with xact fixes; unlock has no fix; xact variants safe', () => {
  const sql = 'SELECT pg_advisory_lock(1), pg_try_advisory_lock_shared(2);';
  const findings = analyzeSql(sql).filter((f) => f.rule === 'advisory-lock');
  assert.equal(findings.length, 2);
  assert.equal(applyFix(sql, findings[0]), 'SELECT pg_advisory_xact_lock(1), pg_try_advisory_lock_shared(2);');
  assert.equal(applyFix(sql, findings[1]), 'SELECT pg_advisory_lock(1), pg_try_advisory_xact_lock_shared(2);');
  assert.equal(only('SELECT pg_advisory_unlock(1);', 'advisory-lock').fix, undefined);
  assert.deepEqual(rules('BEGIN; SELECT pg_advisory_xact_lock(1); COMMIT;'), []);
});

test('LISTEN/UNLISTEN, WITH HOLD cursors, LOAD, dblink_connect named, pgv_set', () => {
  assert.deepEqual(rules("LISTEN ch; DECLARE c CURSOR WITH HOLD FOR SELECT 1; LOAD 'auto_explain';"), ['listen', 'cursor-with-hold', 'load']);
  assert.deepEqual(rules('BEGIN; DECLARE c CURSOR FOR SELECT 1; COMMIT;'), []);
  assert.deepEqual(rules("SELECT dblink_connect('c', 'dbname=x'); SELECT pgv_set('p', 'v', 1);"), ['session-extension', 'session-extension']);
});

test('function and DO bodies run in the caller session, with positions inside the body', () => {
  const sql = `CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_lock(42);
  PERFORM set_config('a.b', 'c', false);
END $$;
DO $$ BEGIN CREATE TEMP TABLE z(a int); END $$;
CREATE FUNCTION h() RETURNS void LANGUAGE sql BEGIN ATOMIC SELECT pg_advisory_lock(1); SELECT 1; END;`;
  const findings = analyzeSql(sql);
  assert.deepEqual(findings.map((f) => [f.rule, sql.slice(f.start, f.end)]), [
    ['advisory-lock', 'pg_advisory_lock'], ['session-set', 'set_config'],
    ['temp-table', 'CREATE TEMP TABLE z(a int)'], ['advisory-lock', 'pg_advisory_lock'],
  ]);
});

test('transaction blocks: AND CHAIN keeps the block open, PREPARE TRANSACTION ends it', () => {
  assert.deepEqual(rules('BEGIN; COMMIT AND CHAIN; SET LOCAL a.b = 1; COMMIT;'), []);
  assert.deepEqual(rules("BEGIN; PREPARE TRANSACTION 'x'; SET LOCAL a.b = 1;"), ['set-local-outside-transaction']);
  assert.deepEqual(rules('BEGIN; ROLLBACK; SET LOCAL a.b = 1;'), ['set-local-outside-transaction']);
});

test('pool modes: session mode fires nothing, statement mode flags multi-statement transactions', () => {
  const sql = "BEGIN; SET a.b = 1; PREPARE p AS SELECT 1; LISTEN c; COMMIT;";
  assert.deepEqual(rules(sql, { poolMode: 'session' }), []);
  assert.deepEqual(rules(sql, { poolMode: 'statement' }), ['statement-mode-transaction', 'session-set', 'prepared-statement', 'listen']);
  assert.deepEqual(rules(sql), ['session-set', 'prepared-statement', 'listen']);
});

test('per-rule severity override and off', () => {
  assert.equal(only('LISTEN c;', 'listen', { rules: { listen: 'error' } }).severity, 'error');
  assert.deepEqual(rules('LISTEN c; LOAD \'x\';', { rules: { listen: 'off' } }), ['load']);
});

test('suppression comments', () => {
  assert.deepEqual(rules('-- poolsafe-disable-next-line listen\nLISTEN c; LOAD \'x\';\nLISTEN d;'), ['load', 'listen']);
  assert.deepEqual(rules('-- poolsafe-disable-next-line\nLISTEN c; LOAD \'x\';'), []);
  assert.deepEqual(rules('/* poolsafe-disable listen */ LISTEN a;\nLISTEN b;\n/* poolsafe-enable listen */ LISTEN c;'), ['listen']);
});

test('syntax errors: one per broken statement, at the error, never hiding others', () => {
  const sql = 'SELEC 1;\nLISTEN c;\nSELECT FROM WHERE;';
  const findings = analyzeSql(sql);
  assert.deepEqual(findings.map((f) => f.rule), ['syntax-error', 'listen', 'syntax-error']);
  assert.equal(sql.slice(findings[0].start, findings[0].end), 'SELEC');
  assert.equal(sql.slice(findings[2].start, findings[2].end), 'WHERE');
  assert.equal(findings[0].severity, 'warning');
});

test('currval after a nextval in another transaction points at that nextval', () => {
  const sql = "SELECT nextval('s');\nSELECT currval('s');";
  const finding = only(sql, 'currval');
  assert.equal(finding.related?.length, 1);
  assert.equal(sql.slice(finding.related![0].start, finding.related![0].end), 'nextval');
});

test('SET SESSION x becomes SET LOCAL x; SET ROLE gets SET LOCAL ROLE', () => {
  const sql = 'BEGIN; SET SESSION work_mem = 1; SET ROLE r; COMMIT;';
  const [first, second] = analyzeSql(sql);
  assert.equal(applyFix(sql, first), 'BEGIN; SET LOCAL work_mem = 1; SET ROLE r; COMMIT;');
  assert.equal(applyFix(sql, second), 'BEGIN; SET SESSION work_mem = 1; SET LOCAL ROLE r; COMMIT;');
});

test('PL/pgSQL EXECUTE of a variable is dynamic SQL, not a prepared statement', () => {
  assert.deepEqual(rules(`DO $$ DECLARE p text := 'SELECT 1'; BEGIN EXECUTE p; EXECUTE p USING 1; END $$;`), []);
});
