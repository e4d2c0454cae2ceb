// A session advisory lock released later in the same transaction block (or the same multi-statement query)
// on the same client: the unlock runs on the server connection that holds the lock, so it is no finding.
// The lock still is one, saying why: an error before the unlock leaves it held (session locks survive ROLLBACK).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis, analyze } from '../../../server/analysis/index';

before(() => initAnalysis());

const header = ["import { Pool } from 'pg';", 'const pool = new Pool({ connectionString: process.env.DATABASE_URL });'];

function findings(body: string[]): { rule: string; line: number; message: string }[] {
  const text = [...header, 'export async function rebuild() {', '  const client = await pool.connect();', ...body, '  client.release();', '}'].join('\n');
  return analyze(text, 'typescript', {}, 'rebuild.ts').map((f) => ({ rule: f.rule, line: text.slice(0, f.start).split('\n').length, message: f.message }));
}

test('lock and unlock of one key inside one transaction on one client: only the lock, for its error path', () => {
  const found = findings([
    "  await client.query('BEGIN');",
    "  await client.query('SELECT pg_advisory_lock(4242)');",
    "  await client.query('UPDATE stats SET total = total + 1');",
    "  await client.query('SELECT pg_advisory_unlock(4242)');",
    "  await client.query('COMMIT');",
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 6']);
  assert.match(found[0].message, /survive ROLLBACK/);
});

test('an unlock in a later transaction, of another key, or with no transaction between the calls stays a finding', () => {
  const laterTransaction = findings([
    "  await client.query('BEGIN');",
    "  await client.query('SELECT pg_advisory_lock(4242)');",
    "  await client.query('COMMIT');",
    "  await client.query('BEGIN');",
    "  await client.query('SELECT pg_advisory_unlock(4242)');",
    "  await client.query('COMMIT');",
  ]);
  assert.deepEqual(laterTransaction.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 6', 'advisory-lock 9']);
  assert.doesNotMatch(laterTransaction[0].message, /survive ROLLBACK/);
  const otherKey = findings([
    "  await client.query('BEGIN');",
    "  await client.query('SELECT pg_advisory_lock(1)');",
    "  await client.query('SELECT pg_advisory_unlock(2)');",
    "  await client.query('COMMIT');",
  ]);
  assert.deepEqual(otherKey.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 6', 'advisory-lock 7']);
  const noTransaction = findings([
    "  await client.query('SELECT pg_advisory_lock(7)');",
    "  await client.query('SELECT pg_advisory_unlock(7)');",
  ]);
  assert.deepEqual(noTransaction.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 5', 'advisory-lock 6']);
});

test('lock and unlock in one multi-statement query run on one server connection: the unlock is no finding', () => {
  const found = findings(["  await client.query('SELECT pg_advisory_lock(9); REFRESH MATERIALIZED VIEW totals; SELECT pg_advisory_unlock(9);');"]);
  assert.deepEqual(found.map((f) => f.rule), ['advisory-lock']);
  assert.match(found[0].message, /survive ROLLBACK/);
});
