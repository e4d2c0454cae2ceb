// The SQL inside PL/pgSQL control statements runs in the session like any other: an IF or WHILE
// condition, a FOR loop's query, RETURN and RETURN NEXT expressions, EXIT WHEN, ASSERT and RAISE
// arguments, and SELECT … INTO STRICT. A stored function whose body only releases an advisory lock
// runs in its caller's session: the caller's lock is the finding, not that release.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const inBody = (statements: string): string => `CREATE FUNCTION claim(slot int) RETURNS boolean LANGUAGE plpgsql AS $body$
DECLARE ok boolean;
BEGIN
  ${statements}
END $body$;`;

/** Each finding as `rule text-it-covers`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => `${f.rule} ${sql.slice(f.start, f.end)}`);

test('a session lock in an IF, ELSIF, WHILE, EXIT WHEN, ASSERT or RAISE argument is found where it is written', () => {
  const lock = 'advisory-lock pg_try_advisory_lock';
  assert.deepEqual(found(inBody('IF NOT pg_try_advisory_lock(7, slot) THEN RETURN false; END IF;\n  RETURN true;')), [lock]);
  assert.deepEqual(found(inBody('IF slot < 0 THEN RETURN false;\n  ELSIF pg_try_advisory_lock(7, slot) THEN RETURN true; END IF;\n  RETURN false;')), [lock]);
  assert.deepEqual(found(inBody('WHILE NOT pg_try_advisory_lock(7, slot) LOOP PERFORM pg_sleep(0.1); END LOOP;\n  RETURN true;')), [lock]);
  assert.deepEqual(found(inBody('LOOP EXIT WHEN pg_try_advisory_lock(7, slot); END LOOP;\n  RETURN true;')), [lock]);
  assert.deepEqual(found(inBody('ASSERT pg_try_advisory_lock(7, slot), \'busy\';\n  RETURN true;')), [lock]);
  assert.deepEqual(found(inBody("RAISE NOTICE 'claimed: %', pg_try_advisory_lock(7, slot);\n  RETURN true;")), [lock]);
  // The statement after THEN is still analysed too.
  assert.deepEqual(found(inBody("IF slot > 0 THEN PERFORM set_config('app.slot', slot::text, false); END IF;\n  RETURN true;")), ['session-set set_config']);
});

test('RETURN, RETURN NEXT and SELECT … INTO STRICT expressions are analysed; a lock whose result the function returns is a finding', () => {
  assert.deepEqual(found(inBody('RETURN pg_try_advisory_lock(7, slot);')), ['advisory-lock pg_try_advisory_lock']);
  assert.deepEqual(found(inBody('SELECT pg_try_advisory_lock(7, slot) INTO STRICT ok;\n  RETURN ok;')), ['advisory-lock pg_try_advisory_lock']);
  const setof = `CREATE FUNCTION claims() RETURNS SETOF boolean LANGUAGE plpgsql AS $body$
BEGIN
  RETURN NEXT pg_try_advisory_lock(1);
  RETURN NEXT pg_try_advisory_lock(2);
END $body$;`;
  assert.deepEqual(found(setof), ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_try_advisory_lock']);
  // A FOR loop's query.
  assert.deepEqual(found(inBody('FOR ok IN SELECT pg_try_advisory_lock(7, s) FROM generate_series(1, slot) s LOOP NULL; END LOOP;\n  RETURN true;')), ['advisory-lock pg_try_advisory_lock']);
});

test('conditions and returned expressions without session state are no findings (transaction locks, CASE expressions, plain values)', () => {
  assert.deepEqual(found(inBody('IF NOT pg_try_advisory_xact_lock(7, slot) THEN RETURN false; END IF;\n  RETURN true;')), []);
  assert.deepEqual(found(inBody("RETURN CASE WHEN slot > 0 THEN pg_try_advisory_xact_lock(7, slot) ELSE false END;")), []);
  assert.deepEqual(found(inBody("ok := CASE WHEN slot > 0 THEN true ELSE false END;\n  IF ok THEN RETURN current_setting('app.slot') = slot::text; END IF;\n  RETURN NULL;")), []);
  assert.deepEqual(found(inBody('SELECT pg_try_advisory_xact_lock(7, slot) INTO STRICT ok;\n  RETURN ok;')), []);
  // DROP TABLE IF EXISTS is no IF statement.
  assert.deepEqual(found(inBody('DROP TABLE IF EXISTS scratch;\n  RETURN true;')), []);
});

test('comments between BEGIN, THEN or a label and the control statement are skipped: an apostrophe in them opens no string that hides the lock', () => {
  const lock = 'advisory-lock pg_try_advisory_lock';
  // The body's first statement after BEGIN, with a comment before it; a later comment's apostrophe would close the "string".
  const guarded = `CREATE FUNCTION next_batch(grp text) RETURNS SETOF int LANGUAGE plpgsql AS $body$
BEGIN
  -- one reader per group: the others don't wait
  IF NOT pg_try_advisory_lock(hashtext(grp)) THEN
    RETURN;
  END IF;
  -- the group's rows
  RETURN QUERY SELECT 1;
END $body$;`;
  assert.deepEqual(found(guarded), [lock]);
  // A block comment, and one after THEN before the statement it guards.
  assert.deepEqual(found(inBody("/* it's ours */ IF slot > 0 THEN -- the slot's lock\n    PERFORM pg_advisory_lock(7, slot); END IF;\n  RETURN true; -- that's all")),
    ['advisory-lock pg_advisory_lock']);
  // A labelled block with a comment after its label.
  assert.deepEqual(found(inBody("<<outer>> -- Bob's loop\n  WHILE NOT pg_try_advisory_lock(7, slot) LOOP PERFORM pg_sleep(0.1); END LOOP;\n  RETURN true;")), [lock]);
});

test('a comment that only names a session lock, before or after such a statement, is no finding', () => {
  assert.deepEqual(found(inBody("-- don't call pg_advisory_lock(7, slot) here, it's held by the caller\n  IF slot > 0 THEN RETURN pg_try_advisory_xact_lock(7, slot); END IF;\n  RETURN false;")), []);
  assert.deepEqual(found(inBody("IF slot > 0 THEN -- pg_advisory_lock isn't needed: the xact lock's enough\n    RETURN pg_try_advisory_xact_lock(7, slot); END IF;\n  RETURN false;")), []);
});
