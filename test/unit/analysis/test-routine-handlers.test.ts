// A unit-test routine (of a schema named for tests) that sets something inside a block with an EXCEPTION section, to
// check that what follows fails, leaves nothing: the expected error rolls the block back, the SET with it, and the
// routine runs in the test suite's own session (rulings 4 and 12). Elsewhere such a SET keeps its finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

const routine = (name: string, body: string[]): string => [
  `CREATE OR REPLACE PROCEDURE ${name}()`,
  'LANGUAGE plpgsql AS $proc$',
  'BEGIN',
  ...body,
  'END;',
  '$proc$;',
  '',
].join('\n');

const EXPECTS_REFUSAL = [
  '  SET ROLE clerk_north;',
  "  UPDATE south.invoices SET total = 0 WHERE id = 7;",
  "  CALL checks.record('clerk_cannot_edit_south', false);",
  'EXCEPTION',
  '  WHEN others THEN',
  "    CALL checks.record('clerk_cannot_edit_south', true);",
];

test('a test routine whose SET sits in a block with handlers is no finding', () => {
  assert.deepEqual(rules(routine('unit_tests.clerk_cannot_edit_south', EXPECTS_REFUSAL)), []);
  assert.deepEqual(rules(routine('tests.clerk_cannot_edit_south', EXPECTS_REFUSAL)), []);
  // Inside an IF of the block, the block's handlers still catch the error.
  const inBranch = ['  IF true THEN', ...EXPECTS_REFUSAL.slice(0, 2), '  END IF;', ...EXPECTS_REFUSAL.slice(2)];
  assert.deepEqual(rules(routine('testing.clerk_cannot_edit_south', inBranch)), []);
});

test('the same SET in an application routine, in a block without handlers, or in a handler itself keeps its finding', () => {
  assert.deepEqual(rules(routine('billing.clerk_cannot_edit_south', EXPECTS_REFUSAL)), ['session-set']);
  assert.deepEqual(rules(routine('unit_tests.clerk_edits_north', EXPECTS_REFUSAL.slice(0, 3))), ['session-set']);
  // A block with handlers nested after the SET does not cover it.
  const nested = ['  SET ROLE clerk_north;', '  BEGIN', '    UPDATE south.invoices SET total = 0;', '  EXCEPTION WHEN others THEN NULL;', '  END;'];
  assert.deepEqual(rules(routine('unit_tests.clerk_nested', nested)), ['session-set']);
  const inHandler = ['  UPDATE south.invoices SET total = 0;', 'EXCEPTION', '  WHEN others THEN', '    SET ROLE auditor;'];
  assert.deepEqual(rules(routine('unit_tests.clerk_handler', inHandler)), ['session-set']);
});
