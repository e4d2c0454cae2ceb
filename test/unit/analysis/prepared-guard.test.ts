// A routine that checks pg_prepared_statements before it DEALLOCATEs a statement only deallocates one that
// exists on its own server connection: no prepared-statement finding. Without that lookup (or for another
// name) the DEALLOCATE may run where the statement does not exist, and still is one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

const routine = (body: string): string =>
  `CREATE FUNCTION reports.refresh_plan() RETURNS void LANGUAGE plpgsql AS $fn$\nBEGIN\n${body}\nEND;\n$fn$;\n`;

test('a DEALLOCATE guarded by a pg_prepared_statements lookup of its name is no finding', () => {
  assert.deepEqual(rules(routine(
    "  IF (SELECT count(*) FROM pg_prepared_statements WHERE name = 'monthly_totals') > 0 THEN\n    DEALLOCATE monthly_totals;\n  END IF;")), []);
  assert.deepEqual(rules(routine(
    "  IF EXISTS (SELECT FROM pg_prepared_statements p WHERE p.name IN ('Daily_Totals', 'weekly')) THEN\n    RAISE NOTICE 'dropping';\n    DEALLOCATE daily_totals;\n  END IF;")), []);
});

test('a DEALLOCATE without the lookup, or of a name the lookup does not check, is still a finding', () => {
  assert.deepEqual(rules(routine('  DEALLOCATE monthly_totals;')), ['prepared-statement']);
  assert.deepEqual(rules(routine(
    "  IF (SELECT count(*) FROM pg_prepared_statements WHERE name = 'weekly_totals') > 0 THEN\n    DEALLOCATE monthly_totals;\n  END IF;")), ['prepared-statement']);
  // DEALLOCATE ALL drops statements the lookup never checked.
  assert.deepEqual(rules(routine(
    "  IF (SELECT count(*) FROM pg_prepared_statements WHERE name = 'monthly_totals') > 0 THEN\n    DEALLOCATE ALL;\n  END IF;")), ['prepared-statement']);
});
