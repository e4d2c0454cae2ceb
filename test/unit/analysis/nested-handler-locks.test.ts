// A session advisory lock a PL/pgSQL body (a DO block, a function) takes and releases on its normal path is guarded
// against errors only by a handler that an error after the lock reaches: the EXCEPTION section of the block that holds
// the lock, or of a block around it, with an unlock of that key there. A nested block later in the body whose handler
// catches a named condition for its own statements (`BEGIN CREATE TYPE …; EXCEPTION WHEN duplicate_object THEN NULL;
// END;`) catches nothing the rest of the body raises: the lock keeps its finding. Transaction-level locks stay silent.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** Each finding's rule and 1-based line. */
const found = (sql: string): [string, number][] => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);

/** A migration's DO block: lock, an idempotent sub-block, more DDL, unlock (lock on line 3). */
const migration = (subBlockHandler: string, outerHandler = '', lock = 'pg_advisory_lock', unlock = 'pg_advisory_unlock') => `DO $$
BEGIN
  PERFORM ${lock}(4711);
  BEGIN
    CREATE TYPE ticket_state AS ENUM ('open', 'closed');
  ${subBlockHandler}
  END;
  ALTER TABLE tickets ADD COLUMN IF NOT EXISTS state ticket_state;
  PERFORM ${unlock}(4711);
${outerHandler}END $$;
`;

test("a nested block's handler for its own statements does not guard the lock of the block around it", () => {
  assert.deepEqual(found(migration('EXCEPTION WHEN duplicate_object THEN NULL;')), [['advisory-lock', 3]]);
  // Also when it catches everything: it only catches what its own statements raise.
  assert.deepEqual(found(migration('EXCEPTION WHEN OTHERS THEN NULL;')), [['advisory-lock', 3]]);
  // A nested block's handler that unlocks does not guard what fails after that block either.
  assert.deepEqual(found(migration('EXCEPTION WHEN OTHERS THEN PERFORM pg_advisory_unlock(4711); RAISE;')), [['advisory-lock', 3]]);
  const message = analyzeSql(migration('EXCEPTION WHEN duplicate_object THEN NULL;'))[0].message;
  assert.match(message, /only when it reaches its unlock/);
});

test('a handler of the block that holds the lock, or of one around it, that unlocks guards it', () => {
  const outer = 'EXCEPTION WHEN OTHERS THEN\n  PERFORM pg_advisory_unlock(4711);\n  RAISE;\n';
  assert.deepEqual(found(migration('EXCEPTION WHEN duplicate_object THEN NULL;', outer)), []);
  // The lock taken in an inner block, the unlock in the handler of the block around it.
  const around = `DO $$
BEGIN
  BEGIN
    PERFORM pg_advisory_lock(4711);
    UPDATE tickets SET state = 'open';
  END;
  PERFORM pg_advisory_unlock(4711);
EXCEPTION WHEN OTHERS THEN
  PERFORM pg_advisory_unlock_all();
  RAISE;
END $$;
`;
  assert.deepEqual(found(around), []);
  // A lock taken in the DECLARE section's initializer is held by the block that section opens.
  const declared = `CREATE FUNCTION sweep() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  got boolean := pg_try_advisory_lock(4711);
BEGIN
  DELETE FROM tickets WHERE state = 'closed';
  PERFORM pg_advisory_unlock(4711);
EXCEPTION WHEN OTHERS THEN
  PERFORM pg_advisory_unlock(4711);
  RAISE;
END $$;
`;
  assert.deepEqual(found(declared), []);
  // Without any handler, or with the outer handler not unlocking, the lock is flagged, the unlock is not.
  assert.deepEqual(found(migration('')), [['advisory-lock', 3]]);
  assert.deepEqual(found(migration('EXCEPTION WHEN duplicate_object THEN NULL;', 'EXCEPTION WHEN OTHERS THEN\n  RAISE;\n')), [['advisory-lock', 3]]);
});

test('a lock taken inside a handler is not guarded by that same handler list', () => {
  const inHandler = `DO $$
BEGIN
  UPDATE tickets SET state = 'open';
EXCEPTION
  WHEN unique_violation THEN
    PERFORM pg_advisory_lock(4711);
    UPDATE tickets SET state = 'closed';
    PERFORM pg_advisory_unlock(4711);
  WHEN OTHERS THEN
    PERFORM pg_advisory_unlock(4711);
    RAISE;
END $$;
`;
  assert.deepEqual(found(inHandler), [['advisory-lock', 6]]);
});

test('transaction-level locks stay silent whatever the handlers', () => {
  assert.deepEqual(found(migration('EXCEPTION WHEN duplicate_object THEN NULL;', '', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock')), []);
});
