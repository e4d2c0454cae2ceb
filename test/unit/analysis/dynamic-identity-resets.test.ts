// A PL/pgSQL body that switches the session's identity with dynamic SQL (`EXECUTE 'SET SESSION AUTHORIZATION ' ||
// who`, `EXECUTE format('SET ROLE %I', who)`) names the setting as the static SET does — SET's own spellings take no
// TO — so the RESET that puts it back before the body returns pairs with it, also when the block has an EXCEPTION
// handler that returns (the handler runs after the block's rollback undid the SET).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { dynamicResets } from '../../../server/analysis/dynamicSql';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A PL/pgSQL function `jobs.run_as(job, who)` whose body holds the statements from line 3 on. */
const routine = (statements: string): string => `CREATE FUNCTION jobs.run_as(job text, who text) RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  ${statements}
END
$body$;
`;

/** Findings as `rule line`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

const HANDLER = '\nEXCEPTION WHEN others THEN\n  RAISE NOTICE \'job % failed\', job;\n  RETURN -1;';

test('a dynamic SET SESSION AUTHORIZATION undone by RESET SESSION AUTHORIZATION before RETURN leaves nothing', () => {
  const reset = "EXECUTE 'SET SESSION AUTHORIZATION ' || quote_ident(who);\n  EXECUTE 'SELECT ' || job || '()';\n  RESET SESSION AUTHORIZATION;\n  RETURN 0;";
  assert.deepEqual(found(routine(reset)), []);
  assert.deepEqual(found(routine(reset + HANDLER)), []);
  const byDefault = "EXECUTE format('SET SESSION AUTHORIZATION %I', who);\n  PERFORM jobs.step(job);\n  EXECUTE 'SET SESSION AUTHORIZATION DEFAULT';\n  RETURN 0;";
  assert.deepEqual(found(routine(byDefault + HANDLER)), []);
});

test('a dynamic SET ROLE undone by RESET ROLE or SET ROLE NONE leaves nothing', () => {
  assert.deepEqual(found(routine("EXECUTE format('SET ROLE %I', who);\n  PERFORM jobs.step(job);\n  RESET ROLE;\n  RETURN 0;")), []);
  assert.deepEqual(found(routine("EXECUTE 'SET ROLE ' || who;\n  PERFORM jobs.step(job);\n  EXECUTE 'SET ROLE NONE';\n  RETURN 0;")), []);
});

test("a call of the routine that resets the identity it switched carries nothing; one that does not reset carries it", () => {
  const body = "EXECUTE 'SET SESSION AUTHORIZATION ' || who;\n  EXECUTE 'SELECT ' || job || '()';\n  RESET SESSION AUTHORIZATION;\n  RETURN 0;" + HANDLER;
  const caller = "CREATE FUNCTION jobs.tick() RETURNS void LANGUAGE plpgsql AS $t$\nDECLARE r int;\nBEGIN\n  r := jobs.run_as('nightly', 'worker');\nEND $t$;\n";
  const resetting = stateFunctionIndex([{ path: '/db/jobs.sql', text: routine(body) }]);
  assert.deepEqual(analyzeSql(caller, { stateFunctions: resetting }).map((f) => f.rule), []);
  const leaving = stateFunctionIndex([{ path: '/db/jobs.sql', text: routine(body.replace('RESET SESSION AUTHORIZATION;\n  ', '')) }]);
  assert.deepEqual(analyzeSql(caller, { stateFunctions: leaving }).map((f) => f.rule), ['session-set']);
});

test('an identity switch left in place, reset only after a RETURN, or reset as another setting keeps its finding', () => {
  assert.deepEqual(found(routine("EXECUTE 'SET SESSION AUTHORIZATION ' || who;\n  RETURN 0;" + HANDLER)), ['session-set 3']);
  const early = "EXECUTE 'SET SESSION AUTHORIZATION ' || who;\n  IF job IS NULL THEN\n    RETURN 1;\n  END IF;\n  RESET SESSION AUTHORIZATION;\n  RETURN 0;";
  assert.deepEqual(found(routine(early)), ['session-set 3']);
  // RESET ROLE puts back the role only, never the session's user.
  assert.deepEqual(found(routine("EXECUTE 'SET SESSION AUTHORIZATION ' || who;\n  RESET ROLE;\n  RETURN 0;")), ['session-set 3']);
  assert.deepEqual(found(routine("EXECUTE 'SET TIME ZONE ' || quote_literal(who);\n  RESET ROLE;\n  RETURN 0;")), ['session-set 3']);
});

// `SET TIME ZONE DEFAULT` and `SET TIME ZONE LOCAL` are PostgreSQL's resets of the time zone, written as SET's own spelling.
test('a dynamic SET TIME ZONE DEFAULT or LOCAL puts the time zone back, after a dynamic or static SET TIME ZONE', () => {
  for (const reset of ['DEFAULT', 'LOCAL', 'default']) {
    const body = `EXECUTE 'SET TIME ZONE ' || quote_literal(who);\n  PERFORM jobs.step(job);\n  EXECUTE 'SET TIME ZONE ${reset}';\n  RETURN 0;`;
    assert.deepEqual(found(routine(body)), [], reset);
  }
  assert.deepEqual(found(routine("SET TIME ZONE 'UTC';\n  PERFORM jobs.step(job);\n  EXECUTE 'SET SESSION TIME ZONE DEFAULT';\n  RETURN 0;")), []);
  // Another zone is no reset: both SETs stay.
  assert.deepEqual(found(routine("EXECUTE 'SET TIME ZONE ' || quote_literal(who);\n  EXECUTE 'SET TIME ZONE ''UTC''';\n  RETURN 0;")), ['session-set 3', 'session-set 4']);
});

// PostgreSQL's RESET takes TIME ZONE as two words, like SET (`RESET TIME ZONE` = `RESET timezone`).
test('a dynamic RESET TIME ZONE names the time zone as every other reset of it does', () => {
  for (const reset of ["EXECUTE 'RESET TIME ZONE'", "EXECUTE 'reset  time\tzone;'", "EXECUTE 'RESET timezone'", "EXECUTE 'SET TIME ZONE DEFAULT'"]) {
    assert.deepEqual(dynamicResets(reset), ['timezone'], reset);
  }
  // A zone named after it is a SET, not a reset.
  assert.equal(dynamicResets("EXECUTE 'RESET TIME ZONE UTC'"), undefined);
});
