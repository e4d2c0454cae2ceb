// A helper the file keeps to itself whose client parameter every call hands a client inside the caller's own BEGIN …
// COMMIT (awaited, ROLLBACK in the catch): its queries run inside that transaction on the one connection, before the
// COMMIT, so a SET of a built-in parameter and its restore to the default in the helper's `finally` pair up as they
// would in the caller (uncalledHelpers.ts handedOnlyTransactionClients). A call outside the block, one not awaited,
// a helper that is exported, handed on as a value, or whose restore is not on every path keeps the SET's finding. The
// restore in the `finally` keeps none of its own there either: it puts back, after the `try`'s own change on the same
// client, the value every connection starts with (settingRestores.ts finallySettingRestores); nor does one outside a
// `finally`, which leaves wherever it lands as a new connection is (context.ts, a kept default).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string): string[] => embeddedFindings(text, 'server/purge.js').map(([rule, at]) => `${rule} ${at}`);

const REPLICA = `session-set SET session_replication_role = replica`;

/** A module with `purgeRows(conn, tables)` (its body: `helperBody`) and a route handler that calls it as `callSite` says. */
const purgeModule = ({ helperBody = RESTORED_IN_FINALLY, callSite = IN_TRANSACTION, exported = '', extra = '' } = {}) => `const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

${exported}async function purgeRows(conn, tables) {
${helperBody}
}

async function handlePurge(tables) {
  const db = await pool.connect();
  try {
${callSite}
  } catch (e) {
    await db.query('ROLLBACK');
    throw e;
  } finally {
    db.release();
  }
}
${extra}
module_api.register(handlePurge);
`;

const RESTORED_IN_FINALLY = `  await conn.query('SET session_replication_role = replica');
  try {
    for (const t of tables) await conn.query('DELETE FROM ' + t);
  } finally {
    await conn.query('SET session_replication_role = origin');
  }`;

const IN_TRANSACTION = `    await db.query('BEGIN');
    const removed = await purgeRows(db, tables);
    await db.query('COMMIT');
    return removed;`;

test("a SET and its restore in the finally of a helper every call of which hands it a client inside the caller's BEGIN … COMMIT leave nothing", () => {
  assert.deepEqual(found(purgeModule()), []);
  // Called twice in the transaction, and from a second handler's own transaction.
  const twice = `    await db.query('BEGIN');
    await purgeRows(db, tables);
    await (purgeRows(db, ['audit_log']));
    await db.query('COMMIT');`;
  const second = `async function nightly() {
  const c = await pool.connect();
  await c.query('BEGIN');
  try {
    await purgeRows(c, ['sessions']);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
  } finally {
    c.release();
  }
}
module_api.schedule(nightly);`;
  assert.deepEqual(found(purgeModule({ callSite: twice, extra: second })), []);
});

test("the SET's finding stays when a call is outside the block, not awaited, or after the COMMIT", () => {
  const noBegin = `    const removed = await purgeRows(db, tables);
    return removed;`;
  assert.deepEqual(found(purgeModule({ callSite: noBegin })), [REPLICA]);
  const notAwaited = `    await db.query('BEGIN');
    purgeRows(db, tables);
    await db.query('COMMIT');`;
  assert.deepEqual(found(purgeModule({ callSite: notAwaited })), [REPLICA]);
  const afterCommit = `    await db.query('BEGIN');
    await db.query('COMMIT');
    await purgeRows(db, tables);`;
  assert.deepEqual(found(purgeModule({ callSite: afterCommit })), [REPLICA]);
  // A second call, from code that hands it a client outside any transaction.
  const other = `async function quick(tables) {
  const c = await pool.connect();
  await purgeRows(c, tables);
  c.release();
}
module_api.register(quick);`;
  assert.deepEqual(found(purgeModule({ extra: other })), [REPLICA]);
});

test("the SET's finding stays for an exported helper or one handed on as a value; a restore not on every path keeps both", () => {
  assert.deepEqual(found(purgeModule({ exported: 'export ' })), [REPLICA]);
  assert.deepEqual(found(purgeModule({ extra: 'module_api.expose(purgeRows);' })), [REPLICA]);
  const branchRestore = `  await conn.query('SET session_replication_role = replica');
  for (const t of tables) await conn.query('DELETE FROM ' + t);
  if (tables.length > 1) await conn.query('SET session_replication_role = origin');`;
  assert.deepEqual(found(purgeModule({ helperBody: branchRestore })), [REPLICA]);
  // Never restored: the caller's COMMIT keeps the role on the connection.
  const noRestore = `  await conn.query('SET session_replication_role = replica');
  for (const t of tables) await conn.query('DELETE FROM ' + t);`;
  assert.deepEqual(found(purgeModule({ helperBody: noRestore })), [REPLICA]);
});
