// pg_advisory_unlock of a key that the same file only ever takes with the transaction-level lock family
// releases nothing and leaves no session state: no finding. As soon as the file also takes a session
// lock, or the unlock's key is not one of the transaction-level keys, the unlock stays a finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const lockFindings = (sql: string): number => analyzeSql(sql).filter((finding) => finding.rule === 'advisory-lock').length;

const claimJob = `create or replace function claim_job(job_key bigint) returns boolean language plpgsql as $$
begin
  return (select pg_try_advisory_xact_lock(job_key));
end $$;`;

const finishJob = (unlockKey: string): string => `create or replace function finish_job(job_key bigint, other_key bigint) returns void language plpgsql as $$
begin
  update jobs set done = true where id = job_key;
  perform pg_advisory_unlock(${unlockKey});
end $$;`;

test('unlock of a key the file only takes with pg_try_advisory_xact_lock is no finding', () => {
  assert.equal(lockFindings(`${claimJob}\n${finishJob('job_key')}`), 0);
});

test('unlock of a key that no transaction-level lock in the file takes is still a finding', () => {
  assert.equal(lockFindings(`${claimJob}\n${finishJob('other_key')}`), 1);
});

test('unlock is still a finding when the file also takes a session lock', () => {
  const sessionLock = `create function hold_job(job_key bigint) returns void language sql as $$ select pg_advisory_lock(job_key) $$;`;
  // The session lock itself is a finding too: two in all.
  assert.equal(lockFindings(`${claimJob}\n${sessionLock}\n${finishJob('job_key')}`), 2);
});

test('unlock with no transaction-level lock anywhere in the file is still a finding', () => {
  assert.equal(lockFindings(finishJob('job_key')), 1);
});

test('embedded SQL: unlock of a key taken only by an xact lock in another template of the file is no finding', () => {
  const source = `import { Pool } from 'pg';
const pool = new Pool();
export const take = (key: number) => pool.query(\`select pg_advisory_xact_lock(\${key})\`);
export const drop = (key: number) => pool.query(\`select pg_advisory_unlock(\${key})\`);
`;
  assert.deepEqual(analyze(source, 'typescript').filter((f) => f.rule === 'advisory-lock'), []);
});

test('embedded SQL: unlock of a key the file takes with a session lock stays a finding', () => {
  const source = `import { Pool } from 'pg';
const pool = new Pool();
export const peek = (key: number) => pool.query(\`select pg_advisory_xact_lock(\${key})\`);
export const take = (key: number) => pool.query(\`select pg_advisory_lock(\${key})\`);
export const drop = (key: number) => pool.query(\`select pg_advisory_unlock(\${key})\`);
`;
  assert.equal(analyze(source, 'typescript').filter((f) => f.rule === 'advisory-lock').length, 2);
});
