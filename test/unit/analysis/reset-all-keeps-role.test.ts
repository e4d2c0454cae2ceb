// RESET ALL leaves the role (SET ROLE), the session user (SET SESSION AUTHORIZATION) and the random seed as they are:
// PostgreSQL marks those parameters GUC_NO_RESET_ALL. Only a reset of their own (RESET ROLE, SET ROLE NONE, RESET
// SESSION AUTHORIZATION, SET SESSION AUTHORIZATION DEFAULT) or DISCARD ALL, which runs SET SESSION AUTHORIZATION DEFAULT
// and RESET ALL, puts them back. DISCARD ALL undoes a plain SET too (undo.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Findings as `rule line`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

/** A transaction block that takes on a role (or another identity), reads, and ends with `undo` before its COMMIT. */
const block = (take: string, undo: string): string => `BEGIN;\n${take};\nSELECT count(*) FROM ledger.entries;\n${undo};\nCOMMIT;\n`;

test('a SET ROLE or SET SESSION AUTHORIZATION followed by RESET ALL in its transaction keeps its finding', () => {
  assert.deepEqual(found(block('SET ROLE auditor', 'RESET ALL')), ['session-set 2']);
  assert.deepEqual(found(block('SET SESSION AUTHORIZATION batch_user', 'RESET ALL')), ['session-set 2']);
  assert.deepEqual(found(block("SET seed = 0.25", 'RESET ALL')), ['session-set 2']);
  // A script that cleans up with RESET ALL still leaves the role it took on.
  assert.deepEqual(found('SET ROLE auditor;\nSELECT count(*) FROM ledger.entries;\nRESET ALL;\n'), ['session-set 1']);
  // Only the role is kept: the search_path set beside it is put back.
  assert.deepEqual(found(block('SET ROLE auditor;\nSET search_path TO ledger', 'RESET ALL')), ['session-set 2']);
});

test('a plain SET followed by RESET ALL in its transaction or script still leaks nothing', () => {
  assert.deepEqual(found(block("SET work_mem = '256MB'", 'RESET ALL')), []);
  assert.deepEqual(found('SET statement_timeout = 0;\nSELECT count(*) FROM ledger.entries;\nRESET ALL;\n'), []);
});

test("the role's own resets undo SET ROLE: RESET ROLE, SET ROLE NONE, and a reset of the session user", () => {
  assert.deepEqual(found(block('SET ROLE auditor', 'RESET ROLE')), []);
  assert.deepEqual(found(block('SET ROLE auditor', 'SET ROLE NONE')), []);
  assert.deepEqual(found(block('SET ROLE auditor', 'SET ROLE TO DEFAULT')), []);
  assert.deepEqual(found(block('SET ROLE auditor', 'RESET SESSION AUTHORIZATION')), []);
  assert.deepEqual(found(block('SET SESSION AUTHORIZATION batch_user', 'SET SESSION AUTHORIZATION DEFAULT')), []);
  // SET ROLE NONE alone goes back to the session user: nothing to report.
  assert.deepEqual(found('SET ROLE NONE;\n'), []);
  // A role of its own still is a SET ROLE, and RESET ROLE does not undo a SET SESSION AUTHORIZATION.
  assert.deepEqual(found(block('SET ROLE auditor', "SET ROLE 'viewer'")), ['session-set 2', 'session-set 4']);
  assert.deepEqual(found(block('SET SESSION AUTHORIZATION batch_user', 'RESET ROLE')), ['session-set 2']);
});

test('DISCARD ALL at the end of a script undoes its SET ROLE, SET SESSION AUTHORIZATION and plain SETs', () => {
  const script = (take: string) => `${take};\nSELECT count(*) FROM ledger.entries;\nDISCARD ALL;\n`;
  assert.deepEqual(found(script('SET ROLE auditor')), []);
  assert.deepEqual(found(script('SET SESSION AUTHORIZATION batch_user')), []);
  assert.deepEqual(found(script('SET search_path TO ledger')), []);
  // DISCARD ALL before the SET undoes nothing of it.
  assert.deepEqual(found('DISCARD ALL;\nSET ROLE auditor;\nSELECT 1;\n'), ['session-set 2']);
});

test('a routine body that takes on a role and ends with RESET ALL, written out or dynamic, leaves the role on the connection', () => {
  const body = (undo: string) => `CREATE FUNCTION ledger.audit_count() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE n bigint;
BEGIN
  SET ROLE auditor;
  SELECT count(*) INTO n FROM ledger.entries;
  ${undo}
  RETURN n;
END
$fn$;
`;
  assert.deepEqual(found(body('RESET ALL;')), ['session-set 4']);
  assert.deepEqual(found(body("EXECUTE 'RESET ALL';")), ['session-set 4']);
  assert.deepEqual(found(body('RESET ROLE;')), []);
});

test('embedded: RESET ALL in the same transaction does not undo SET ROLE; RESET ROLE does', () => {
  const findings = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at}`);
  const audit = (undo: string) => `export async function countAsAuditor(pool: Pool) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET ROLE auditor');
    const { rows } = await c.query('SELECT count(*) FROM ledger.entries');
    await c.query('${undo}');
    await c.query('COMMIT');
    return rows[0];
  } finally {
    c.release();
  }
}`;
  assert.deepEqual(findings(audit('RESET ALL')), ['session-set SET ROLE auditor']);
  assert.deepEqual(findings(audit('RESET ROLE')), []);
  // One query string: the same.
  const oneString = (undo: string) => `export const countAsAuditor = (pool: Pool) =>
  pool.query('SET ROLE auditor; SELECT count(*) FROM ledger.entries; ${undo}');`;
  assert.deepEqual(findings(oneString('RESET ALL')).map((f) => f.split(' ')[0]), ['session-set']);
  assert.deepEqual(findings(oneString('RESET ROLE')), []);
});
