// Session advisory-lock function names that reach a query as text rather than written in it: a choice
// between a session and a transaction-level name, a raw insert in a sql`…` tag, and a helper whose
// parameter is spliced in as the called function. The finding lands on the literal holding the name.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const locks = (text: string): string[] => embeddedFindings(text).filter(([rule]) => rule === 'advisory-lock').map(([, at]) => at);

const header = "import { Pool } from 'pg';\nconst pool = new Pool();\n";

test('a choice between a transaction-level and a session lock name spliced into the query flags the session name', () => {
  const text = `${header}export async function hold(forever: boolean, id: number) {
  const lockFunction = forever ? 'pg_advisory_xact_lock' : 'pg_advisory_lock';
  await pool.query(\`SELECT \${lockFunction}(\${id})\`);
}`;
  assert.deepEqual(locks(text), ['pg_advisory_lock']);
});

test('a choice between two transaction-level lock names is no finding', () => {
  const text = `${header}export async function hold(shared: boolean, id: number) {
  const lockFunction = shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await pool.query(\`SELECT \${lockFunction}(\${id})\`);
}`;
  assert.deepEqual(locks(text), []);
});

test('a session lock name inserted raw into a sql tag (sql.raw) is a finding', () => {
  const text = `import { sql } from 'slonik';
declare const db: { query(q: unknown): Promise<unknown> };
export async function hold(mode: string, id: number) {
  const lockFunction = mode === 'session' ? 'pg_try_advisory_lock' : 'pg_try_advisory_xact_lock';
  await db.query(sql\`SELECT \${sql.raw(lockFunction)}(\${id}) AS ok\`);
}`;
  assert.deepEqual(locks(text), ['pg_try_advisory_lock']);
});

test('a transaction-level name inserted raw, or a session name bound as a value, is no finding', () => {
  const text = `import { sql } from 'slonik';
declare const db: { query(q: unknown): Promise<unknown> };
export async function hold(id: number) {
  const lockFunction = 'pg_advisory_xact_lock';
  await db.query(sql\`SELECT \${sql.raw(lockFunction)}(\${id})\`);
  const label = 'pg_advisory_lock';
  await db.query(sql\`INSERT INTO audit (what) VALUES (\${label})\`);
}`;
  assert.deepEqual(locks(text), []);
});

test("each caller's session lock name passed to a helper that splices it in as the called function is a finding", () => {
  const text = `${header}const call = (client: Pool, fn: string, id: number) => client.query(\`SELECT \${fn}(\${id})\`);
export const grab = (id: number) => call(pool, 'pg_advisory_lock', id);
export const release = (id: number) => call(pool, 'pg_advisory_unlock', id);
export const peek = (id: number) => call(pool, 'pg_advisory_xact_lock', id);`;
  assert.deepEqual(locks(text).sort(), ['pg_advisory_lock', 'pg_advisory_unlock']);
});

test('a lock name passed to a helper that uses it as a value, not as the called function, is no finding', () => {
  const text = `${header}const record = (client: Pool, what: string) => client.query(\`INSERT INTO audit (what) VALUES ('\${what}')\`);
export const note = () => record(pool, 'pg_advisory_lock');`;
  assert.deepEqual(locks(text), []);
});

test("a caller's session lock name concatenated into the query by a helper ('SELECT ' + fn + '(' + key + ')') is a finding", () => {
  const text = `${header}function take(client: Pool, fn: string, key: number) {
  return new Promise((done) => { client.query('SELECT ' + fn + '(' + key + ')', done); });
}
const SESSION_LOCK = 'pg_advisory_lock';
export const a = (key: number) => take(pool, 'pg_try_advisory_lock', key);
export const b = (key: number, shared: boolean) => take(pool, shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_lock_shared', key);
export const c = (key: number) => take(pool, SESSION_LOCK, key);`;
  assert.deepEqual(locks(text).sort(), ['pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock']);
});

test('transaction-level names concatenated in by a helper, or a name concatenated where no call follows, are no finding', () => {
  const text = `${header}function take(client: Pool, fn: string, key: number) {
  return client.query('SELECT ' + fn + '(' + key + ')');
}
function label(client: Pool, column: string) {
  return client.query('SELECT ' + column + ' FROM locks');
}
export const a = (key: number) => take(pool, 'pg_advisory_xact_lock', key);
export const b = (key: number) => take(pool, 'pg_try_advisory_xact_lock', key);
export const c = () => label(pool, 'pg_advisory_lock');`;
  assert.deepEqual(locks(text), []);
});
