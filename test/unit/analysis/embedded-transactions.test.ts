// Transaction context across calls: one client object is one connection, a pool is not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string, file?: string) => embeddedRules(text, file);

test('begin (any case, or START TRANSACTION) on a client, then SET LOCAL / set_config(…, true) on it is safe', () => {
  for (const begin of ['begin', 'BEGIN', 'Begin', 'START TRANSACTION', 'begin isolation level serializable']) {
    const text = `async function f(pool) {
  const client = await pool.connect();
  await client.query('${begin}');
  await client.query("SET LOCAL statement_timeout = '5s'");
  await client.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  await client.query('commit');
  client.release();
}`;
    assert.deepEqual(rules(text), [], begin);
  }
});

test('SET LOCAL after COMMIT, or on another client object than the one that began, is outside a transaction', () => {
  const afterCommit = "async function f(c) { await c.query('BEGIN'); await c.query('COMMIT'); await c.query('SET LOCAL lock_timeout = 1'); }";
  assert.deepEqual(rules(afterCommit), ['set-local-outside-transaction']);
  const other = "async function f(a, b) { await a.query('BEGIN'); await b.query('SET LOCAL lock_timeout = 1'); await a.query('COMMIT'); }";
  assert.deepEqual(rules(other), ['set-local-outside-transaction']);
});

test('BEGIN on a pool does not open a transaction for the next pool call (each call may take another connection)', () => {
  const text = `import { Pool } from 'pg';
const db = new Pool();
async function f() {
  await db.query('BEGIN');
  await db.query("SELECT set_config('app.user', $1, true)", [id]);
  await db.query('COMMIT');
}
async function g(ctx) {
  await ctx.pool.query('BEGIN');
  await ctx.pool.query("SET LOCAL statement_timeout = 1000");
  await ctx.pool.query('COMMIT');
}`;
  assert.deepEqual(rules(text), ['set-local-outside-transaction', 'set-local-outside-transaction']);
  // One pool.query with the whole transaction in one text is fine.
  assert.deepEqual(rules("await pool.query(\"BEGIN; SET LOCAL statement_timeout = 1000; SELECT 1; COMMIT\");"), []);
});

test('callbacks of functions named …Transaction run inside a transaction; commitTransaction(cb) is not one', () => {
  const inside = "sideEffectWithPgClientTransaction(executor, $a, async (client) => { await client.query(\"select set_config('app.a', $1, true)\", [a]); });";
  assert.deepEqual(rules(inside), []);
  const commit = "commitTransaction(async (client) => { await client.query(\"select set_config('app.a', $1, true)\", [a]); });";
  assert.deepEqual(rules(commit), ['set-local-outside-transaction']);
});

test('transaction callbacks stay open transactions for their own client, not for a pool used inside them', () => {
  assert.deepEqual(rules("await db.transaction(async (tx) => { await tx.execute(sql`SET LOCAL app.t = '1'`); });"), []);
  assert.deepEqual(rules("await knex.transaction(async (trx) => { await pool.query(\"SET LOCAL app.t = '1'\"); });"), ['set-local-outside-transaction']);
});

test('a transaction callback\'s parameter is the transaction even when it shadows a pool of the same name', () => {
  const inside = [
    "import postgres from 'postgres';",
    'const sql = postgres({ prepare: false });',
    'export const read = () => sql.begin((sql) => [',
    "  sql`select set_config('app.user', 'alice', true)`,",
    "  sql`select current_setting('app.user')`,",
    ']);',
  ].join('\n');
  assert.deepEqual(rules(inside), []);
  // On the pool itself, outside the callback, the setting is lost when the statement ends.
  const outside = [
    "import postgres from 'postgres';",
    'const sql = postgres({ prepare: false });',
    "export const lost = () => sql`select set_config('app.user', 'alice', true)`;",
  ].join('\n');
  assert.deepEqual(rules(outside), ['set-local-outside-transaction']);
});

test('PREPARE … DEALLOCATE within one query string is safe; a PREPARE left for a later call, or a file\'s separate statements, is not', () => {
  const oneMessage = [
    'export async function complete(client, ids) {',
    '  await client.query({ text: `prepare done (bigint) as delete from jobs where id = $1;',
    '${ids.map((id) => `execute done(${id});`).join("\\n")}',
    'deallocate done;` });',
    "  await client.query('prepare one as select 1; execute one; deallocate all');",
    '}',
  ].join('\n');
  assert.deepEqual(rules(oneMessage, 'f.js'), []);
  const acrossCalls = [
    'export async function later(client) {',
    "  await client.query('prepare two as select 1; execute two');",
    "  await client.query('deallocate two');",
    "  await client.query('prepare three as select 1; deallocate four');",
    '}',
  ].join('\n');
  assert.deepEqual(rules(acrossCalls, 'f.js'), ['prepared-statement', 'prepared-statement', 'prepared-statement', 'prepared-statement', 'prepared-statement']);
  // psql sends a file's statements one by one: each may run on another server connection.
  assert.deepEqual(analyzeSql('prepare five as select 1;\nexecute five;\ndeallocate five;\n').map((f) => f.rule), ['prepared-statement', 'prepared-statement', 'prepared-statement']);
});

test('a handle returned by beginTransaction()/transaction() (no callback) is inside its transaction; the object it came from is not', () => {
  const handle = [
    'export async function purge(pool, bucket) {',
    '  const tnx = await pool.acquire().beginTransaction();',
    "  await tnx.query(\"SELECT set_config('storage.allow_delete', 'true', true)\");",
    '  const trx = existing ? outer : await knex.transaction();',
    "  await trx.raw(\"SELECT set_config('app.user', 'x', true)\");",
    '}',
  ].join('\n');
  assert.deepEqual(rules(handle, 'f.js'), []);
  const notHandle = [
    'export async function purge(db) {',
    '  const tnx = await db.beginTransaction();',
    "  await db.query(\"SELECT set_config('storage.allow_delete', 'true', true)\");",
    '  const ran = await db.transaction(async (t) => t.query("SELECT 1"));',
    "  await ran.query(\"SELECT set_config('app.user', 'x', true)\");",
    '}',
  ].join('\n');
  assert.deepEqual(rules(notHandle, 'f.js'), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});
