// A DO block runs where it stands in a script, in the script's session: a temporary table it drops is gone from that
// session then, whichever earlier statement — a top-level CREATE or another DO block — made it. The drop counts as a
// routine body's own drops do (also inside an IF); one that a RETURN may skip, or a drop that comes before the table is
// made, or a function that only defines a drop, undoes nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

/** A DO block that parks rows in a temp table for a later step of the same script. */
const PARK = [
  'DO $$',
  'BEGIN',
  '  CREATE TEMP TABLE IF NOT EXISTS parked_grants (grant_sql text);',
  "  INSERT INTO parked_grants SELECT 'GRANT SELECT ON ' || tablename || ' TO reader' FROM pg_tables;",
  'END $$;',
  'ALTER TABLE ledger DROP COLUMN legacy_total;',
].join('\n');

const laterBlock = (body: string) => `${PARK}\nDO $$\nDECLARE g record;\nBEGIN\n${body}\nEND $$;\n`;

test('a temp table made by a DO block and dropped by a later DO block of the script is no finding', () => {
  assert.deepEqual(rules(laterBlock('  FOR g IN SELECT grant_sql FROM parked_grants LOOP EXECUTE g.grant_sql; END LOOP;\n  DROP TABLE parked_grants;')), []);
  // Guarded by a test of its own existence, as the body's own drops are read.
  assert.deepEqual(rules(laterBlock("  IF to_regclass('pg_temp.parked_grants') IS NOT NULL THEN\n    DROP TABLE IF EXISTS parked_grants;\n  END IF;")), []);
  // A top-level temp table dropped by a later DO block.
  assert.deepEqual(rules('CREATE TEMP TABLE staged_ids (id int);\nINSERT INTO staged_ids VALUES (1);\nDO $$ BEGIN DROP TABLE staged_ids; END $$;\n'), []);
});

test('a DO block that drops another table, drops after a RETURN, or drops before the table is made undoes nothing', () => {
  assert.deepEqual(rules(laterBlock('  DROP TABLE IF EXISTS parked_roles;')), ['temp-table']);
  assert.deepEqual(rules(laterBlock("  IF current_setting('app.keep', true) = 'on' THEN\n    RETURN;\n  END IF;\n  DROP TABLE parked_grants;")), ['temp-table']);
  assert.deepEqual(rules(`DO $$ BEGIN DROP TABLE IF EXISTS parked_grants; END $$;\n${PARK}\n`), ['temp-table']);
  // A function that would drop it is only defined here: nothing runs.
  const defined = `${PARK}\nCREATE FUNCTION tidy() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE parked_grants; END $$;\n`;
  assert.deepEqual(rules(defined), ['temp-table']);
});

// An EXCEPTION section runs only when an error is caught in its block: a drop there is not on the path that succeeds,
// which leaves the table in the session (as a RESET only a handler runs leaves its setting, bodyFlow.ts).
const STAGED = 'CREATE TEMP TABLE picked_rows (id bigint);\nINSERT INTO picked_rows SELECT id FROM invoices WHERE overdue;\n';

test('a drop that only a DO block\'s EXCEPTION handler runs leaves the script\'s temp table', () => {
  const onFailure = 'DO $$\nBEGIN\n  UPDATE invoices SET reminded = true WHERE id IN (SELECT id FROM picked_rows);\n'
    + 'EXCEPTION WHEN undefined_table THEN\n  DROP TABLE IF EXISTS picked_rows;\nEND $$;\n';
  assert.deepEqual(rules(STAGED + onFailure), ['temp-table']);
  // The handler of an inner block, with nothing dropped after it.
  const inner = "DO $$\nBEGIN\n  BEGIN\n    RAISE NOTICE 'checking';\n  EXCEPTION WHEN others THEN\n    DROP TABLE picked_rows;\n  END;\nEND $$;\n";
  assert.deepEqual(rules(STAGED + inner), ['temp-table']);
});

test('a DO block\'s drop on its normal path still undoes the temp table, with or after a handler', () => {
  const both = 'DO $$\nBEGIN\n  DROP TABLE picked_rows;\nEXCEPTION WHEN others THEN\n  DROP TABLE IF EXISTS picked_rows;\nEND $$;\n';
  assert.deepEqual(rules(STAGED + both), []);
  // The inner block's handler ends at its END: the drop after it runs on every path.
  const after = "DO $$\nBEGIN\n  BEGIN\n    RAISE NOTICE 'checking';\n  EXCEPTION WHEN others THEN\n    NULL;\n  END;\n  DROP TABLE picked_rows;\nEND $$;\n";
  assert.deepEqual(rules(STAGED + after), []);
});

/** A function whose body makes a temp table, with `tail` after its use. */
const routine = (tail: string) => [
  'CREATE FUNCTION remind_overdue() RETURNS void LANGUAGE plpgsql AS $$',
  'BEGIN',
  '  CREATE TEMP TABLE picked_rows (id bigint);',
  '  INSERT INTO picked_rows SELECT id FROM invoices WHERE overdue;',
  '  UPDATE invoices SET reminded = true WHERE id IN (SELECT id FROM picked_rows);',
  tail,
  'END $$;',
].join('\n');

test('a routine body\'s drop that only its EXCEPTION handler runs leaves the table; one on the normal path does not', () => {
  assert.deepEqual(rules(routine('EXCEPTION WHEN others THEN\n  DROP TABLE IF EXISTS picked_rows;\n  RAISE;')), ['temp-table']);
  assert.deepEqual(rules(routine('  DROP TABLE picked_rows;\nEXCEPTION WHEN others THEN\n  DROP TABLE IF EXISTS picked_rows;\n  RAISE;')), []);
  // A table made and dropped inside the same handler.
  const inHandler = [
    'CREATE FUNCTION fall_back() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  PERFORM 1 FROM invoices LIMIT 1;',
    'EXCEPTION WHEN others THEN',
    '  CREATE TEMP TABLE spare_rows (id bigint);',
    '  DROP TABLE spare_rows;',
    'END $$;',
  ].join('\n');
  assert.deepEqual(rules(inHandler), []);
});
