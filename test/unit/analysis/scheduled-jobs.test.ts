// A routine a SQL file registers with TimescaleDB's job scheduler (add_job) runs in the scheduler's own
// background-worker session: session state its body creates reaches no pooled connection. A routine the
// file also calls, or one it does not register, keeps its findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const JOB = `CREATE OR REPLACE PROCEDURE ops.nightly_rollup(job_id int, config jsonb) LANGUAGE plpgsql AS $$
BEGIN
  LOAD 'auto_explain';
  PERFORM set_config('auto_explain.log_min_duration', '5s', false);
  CALL ops.rollup_all();
END $$;
GRANT EXECUTE ON PROCEDURE ops.nightly_rollup(int, jsonb) TO ops_role;
`;

const rules = (sql: string): string[] => analyzeSql(sql, undefined, '/app/db/jobs.sql').map((f) => f.rule);

test('a procedure registered with add_job and called nowhere else in the file leaves no finding in its body', () => {
  assert.deepEqual(rules(`${JOB}SELECT add_job('ops.nightly_rollup', '1 hour');\n`), []);
  // By bare name, with the proc => form, and from a DO block.
  assert.deepEqual(rules(`${JOB}SELECT add_job(proc => 'nightly_rollup', schedule_interval => '1 hour');\n`), []);
  assert.deepEqual(rules(`${JOB}DO $$ BEGIN PERFORM public.add_job('ops.nightly_rollup', '30 min'); END $$;\n`), []);
});

test('the same procedure without a job registration, or also called by the file, keeps its findings', () => {
  assert.deepEqual(rules(JOB), ['load', 'session-set']);
  assert.deepEqual(rules(`${JOB}SELECT add_job('ops.nightly_rollup', '1 hour');\nCALL ops.nightly_rollup(0, '{}');\n`), ['load', 'session-set']);
  // Another routine's registration does not cover it.
  assert.deepEqual(rules(`${JOB}SELECT add_job('ops.hourly_cleanup', '1 hour');\n`), ['load', 'session-set']);
});
