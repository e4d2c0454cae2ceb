// A PL/pgSQL body that creates a temporary table and then surely reaches a RAISE that throws undoes the table:
// the error rolls back the subtransaction of the EXCEPTION block around both (or the caller's transaction), so
// nothing is left in the session. Test frameworks written in PL/pgSQL use the shape to undo a test's work. A RAISE
// that only reports, one on a path of its own, or one inside a block of its own that catches it leaves the table.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

const routine = (inner: string[]): string => [
  'CREATE FUNCTION check_scratch() RETURNS void AS $$',
  'DECLARE n int;',
  'BEGIN',
  ...inner,
  'END;',
  '$$ LANGUAGE plpgsql;',
].join('\n');

test('a temp table made in an EXCEPTION block that always ends in a thrown RAISE it catches is rolled back: no finding', () => {
  const undone = routine([
    '  BEGIN',
    '    CREATE TEMPORARY TABLE scratch (id int);',
    '    INSERT INTO scratch VALUES (1);',
    '    IF (SELECT count(*) FROM scratch) <> 1 THEN',
    "      RAISE NOTICE 'unexpected count';",
    '    END IF;',
    "    RAISE EXCEPTION 'undo' USING errcode = 'P0001';",
    '  EXCEPTION',
    "    WHEN sqlstate 'P0001' THEN RAISE NOTICE 'rolled back';",
    '  END;',
  ]);
  assert.deepEqual(rules(undone), []);
  // A RAISE with no level throws too (EXCEPTION is the default), as does one in an enclosing block after the inner one ends.
  assert.deepEqual(rules(routine(['  CREATE TEMP TABLE scratch (id int);', "  RAISE 'always fails';"])), []);
  assert.deepEqual(rules(routine(['  BEGIN', '    CREATE TEMP TABLE scratch (id int);', '  END;', "  RAISE SQLSTATE '22012';"])), []);
});

test('a temp table whose RAISE only reports, sits on one branch, or is caught by a block of its own is still flagged', () => {
  assert.deepEqual(rules(routine(['  CREATE TEMP TABLE scratch (id int);', "  RAISE NOTICE 'made it';"])), ['temp-table']);
  assert.deepEqual(rules(routine(['  CREATE TEMP TABLE scratch (id int);', '  IF n > 0 THEN', "    RAISE EXCEPTION 'too many';", '  END IF;'])), ['temp-table']);
  assert.deepEqual(rules(routine([
    '  CREATE TEMP TABLE scratch (id int);',
    '  BEGIN',
    "    RAISE EXCEPTION 'inner';",
    '  EXCEPTION WHEN others THEN NULL;',
    '  END;',
  ])), ['temp-table']);
  // The RAISE is in the handler: the body reaches it only after an error in the block that made the table.
  assert.deepEqual(rules(routine([
    '  BEGIN',
    '    CREATE TEMP TABLE scratch (id int);',
    '  EXCEPTION WHEN others THEN',
    '    RAISE;',
    '  END;',
  ])), ['temp-table']);
  // Returning first skips the RAISE.
  assert.deepEqual(rules(routine(['  CREATE TEMP TABLE scratch (id int);', '  RETURN;', "  RAISE EXCEPTION 'unreached';"])), ['temp-table']);
});
