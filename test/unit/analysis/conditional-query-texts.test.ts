// A query's text argument may be a choice: `tryLock ? 'SELECT pg_try_advisory_lock(…)' : 'SELECT pg_advisory_lock(…)'`,
// a fallback (`custom ?? 'SELECT …'`, `custom || 'SELECT …'`), or a const bound to one of them. The call may send any
// of its texts, so each is read as its own statement on the call's client, on the arm of the choice it is written in,
// and reported where it is written. An arm that is no known text (a parameter) or no SQL adds nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** Each finding as `rule line:text`, the line counted from 1. */
function found(lines: string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'javascript', {}, '/nowhere/app/lib/locks.js')
    .map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}:${text.slice(f.start, f.end)}`);
}

const HEAD = ["const { Pool } = require('pg');", 'const pool = new Pool({ connectionString: process.env.DATABASE_URL });'];

test('both arms of a conditional text are read, each reported on its own line', () => {
  const findings = found([
    ...HEAD,
    'async function withLock(client, keys, tryLock) {',
    '  await client.query(',
    '    tryLock',
    "      ? 'SELECT pg_try_advisory_lock($1, $2)'",
    "      : 'SELECT pg_advisory_lock($1, $2)',",
    '    keys',
    '  );',
    '}',
  ]);
  assert.deepEqual(findings, ['advisory-lock 6:pg_try_advisory_lock', 'advisory-lock 7:pg_advisory_lock']);
});

test('the text a fallback sends and the arms of a const bound to a conditional are read too', () => {
  const findings = found([
    ...HEAD,
    'async function fallback(client, custom) {',
    "  await client.query(custom ?? 'SELECT pg_advisory_lock(42)');",
    "  await client.query(custom || 'SELECT pg_advisory_lock(43)');",
    '}',
    'async function bound(client, tryLock) {',
    "  const text = tryLock ? 'SELECT pg_try_advisory_lock(7)' : 'SELECT pg_advisory_lock(7)';",
    '  await client.query(text);',
    '}',
  ]);
  assert.deepEqual(findings, ['advisory-lock 4:pg_advisory_lock', 'advisory-lock 5:pg_advisory_lock', 'advisory-lock 8:pg_try_advisory_lock', 'advisory-lock 8:pg_advisory_lock']);
});

test('an arm that is a parameter or no SQL adds nothing: only the SQL arm is reported', () => {
  const findings = found([
    ...HEAD,
    'async function mixed(client, cond, other) {',
    "  await client.query(cond ? 'SELECT pg_advisory_lock(8)' : other);",
    "  await client.query(cond ? 'nothing to lock here' : 'SELECT pg_advisory_lock(9)');",
    "  await client.query(cond ? 'SELECT 1' : 'SELECT 2');",
    '}',
  ]);
  assert.deepEqual(findings, ['advisory-lock 4:pg_advisory_lock', 'advisory-lock 5:pg_advisory_lock']);
});

test('a SET LOCAL on one arm inside a transaction gives nothing; a session SET on each arm is reported on each', () => {
  const findings = found([
    ...HEAD,
    'async function scoped(cond) {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query(cond ? \"SET LOCAL statement_timeout = '5s'\" : 'SELECT 1');",
    "  await client.query('COMMIT');",
    '  client.release();',
    '}',
    'async function path(client, cond) {',
    "  await client.query(cond",
    "    ? 'SET search_path TO tenant_a'",
    "    : 'SET search_path TO tenant_b');",
    '}',
  ]);
  assert.deepEqual(findings, ['session-set 12:SET search_path TO tenant_a', 'session-set 13:SET search_path TO tenant_b']);
});

test('a choice of COMMIT or ROLLBACK ends the transaction on every run; the session SET before it stays on the commit arm', () => {
  const findings = found([
    ...HEAD,
    'async function apply(commit) {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query(\"SET LOCAL statement_timeout = '5s'\");",
    "  await client.query('SET search_path TO staging');",
    "  await client.query(commit ? 'COMMIT' : 'ROLLBACK');",
    "  await client.query(\"SET LOCAL lock_timeout = '5s'\");",
    '  client.release();',
    '}',
  ]);
  assert.deepEqual(findings, ['session-set 7:SET search_path TO staging', "set-local-outside-transaction 9:SET LOCAL lock_timeout = '5s'"]);
});
