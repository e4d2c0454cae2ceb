// A transaction-local setting sent alone is lost wherever it goes: PostgreSQL warns and ends it with its own
// statement on a direct connection, in PGlite and on a server the code started, as behind a pooler. Clients that
// reach no pooler lose their pooling findings (a session SET, a session lock) but keep this one; a pooler's admin
// console, which is no PostgreSQL session, keeps none.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string): string[] => embeddedFindings(text).map(([rule]) => rule);

test('SET LOCAL or set_config(…, true) alone on PGlite or a direct connection is reported; session state there is not', () => {
  assert.deepEqual(rules(`import { PGlite } from '@electric-sql/pglite';
const local = new PGlite();
export async function seed(user: string) {
  await local.query("SELECT set_config('seed.user', $1, true)", [user]);
  await local.query('SET search_path TO seed');
  await local.query('SELECT pg_advisory_lock(3)');
}`), ['set-local-outside-transaction']);
  assert.deepEqual(rules(`import { Client } from 'pg';
export async function migrate() {
  const direct = new Client({ connectionString: process.env.DIRECT_URL });
  await direct.connect();
  await direct.query('SET LOCAL lock_timeout = 5000');
  await direct.query('SET search_path TO app');
  await direct.query('LISTEN schema_changes');
}`), ['set-local-outside-transaction']);
});

test('inside a transaction on those clients, or on a pooler admin console, SET LOCAL is not reported', () => {
  assert.deepEqual(rules(`import { PGlite } from '@electric-sql/pglite';
const local = new PGlite();
export async function seed(user: string) {
  await local.transaction(async (tx) => {
    await tx.query("SELECT set_config('seed.user', $1, true)", [user]);
  });
}`), []);
  assert.deepEqual(rules(`import { Client } from 'pg';
export async function migrate() {
  const direct = new Client({ connectionString: process.env.DIRECT_URL });
  await direct.connect();
  await direct.query('BEGIN');
  await direct.query('SET LOCAL lock_timeout = 5000');
  await direct.query('COMMIT');
  const console = new Client({ connectionString: 'postgresql://admin:secret@127.0.0.1:6432/pgbouncer' });
  await console.query('SET LOCAL verbose = 1');
}`), []);
});
