// A project's own function that sends one transaction statement on the client it is handed (`openTx(client)` sending
// BEGIN, `closeTx(client)` sending COMMIT, `abandonTx(client)` sending ROLLBACK): a caller's call stands in that
// client's sequence as the statement itself, so a SET LOCAL between opening and closing helpers is inside a
// transaction, and one before the opening call or after the closing one is alone. The helper may be in the same file
// or imported (ES import, CommonJS require, a namespace). A helper that sends only in a branch, hands the caller's text
// on, or runs a callback is not read this way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'f.js') => embeddedRules(text, file);
const ALONE = 'set-local-outside-transaction';

const HELPERS = `const { Pool } = require('pg');
const pool = new Pool();
async function openTx(client) {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  trackState(client, 'open');
}
const closeTx = async (client) => { await client.query('COMMIT'); };
const abandonTx = async (client) => {
  try {
    await client.query('ROLLBACK');
  } catch (failure) {
    console.warn('rollback failed', failure);
  }
};
`;

const CALLER = `async function chargeCard(orderId) {
  const client = await pool.connect();
  try {
    await openTx(client);
    await client.query("SET LOCAL lock_timeout = '2s'");
    await client.query('UPDATE orders SET paid = true WHERE id = $1', [orderId]);
    await closeTx(client);
  } catch (error) {
    await abandonTx(client);
    throw error;
  } finally {
    client.release();
  }
}
`;

test('helpers of the same file that send BEGIN and COMMIT on their parameter open and close the caller\'s transaction', () => {
  assert.deepEqual(found(HELPERS + CALLER), []);
  // Written as a one-line arrow returning the query.
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, "const openTx = (c) => c.query('begin');\n") + CALLER), []);
});

test('a SET LOCAL before the opening helper, or after the closing or rolling-back one, is still alone', () => {
  const before = CALLER.replace("    await openTx(client);\n    await client.query(\"SET LOCAL lock_timeout = '2s'\");", "    await client.query(\"SET LOCAL lock_timeout = '2s'\");\n    await openTx(client);");
  assert.deepEqual(found(HELPERS + before), [ALONE]);
  const after = CALLER.replace("    await closeTx(client);", "    await closeTx(client);\n    await client.query(\"SET LOCAL lock_timeout = '2s'\");");
  assert.deepEqual(found(HELPERS + after), [ALONE]);
  const rolledBack = `async function retry() {
  const client = await pool.connect();
  await openTx(client);
  await abandonTx(client);
  await client.query("SET LOCAL statement_timeout = '5s'");
  client.release();
}
`;
  assert.deepEqual(found(HELPERS + rolledBack), [ALONE]);
});

test('a helper that begins only in a branch or after an early return opens nothing for the caller; nor one that commits after the caller\'s text or callback', () => {
  const caller = CALLER.replace(/openTx\(client\)/, 'openTx(client, flag)');
  const branch = "async function openTx(client, flag) {\n  if (flag) await client.query('BEGIN');\n}\n";
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, branch) + caller), [ALONE]);
  const early = "async function openTx(client, flag) {\n  if (!flag) return;\n  await client.query('BEGIN');\n}\n";
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, early) + caller), [ALONE]);
  // Sends BEGIN, the text its caller gives, then COMMIT; or runs a callback between them: the caller's later SET LOCAL is alone.
  const forwards = "async function openTx(client, text) {\n  await client.query('BEGIN');\n  await client.query(text);\n  await client.query('COMMIT');\n}\n";
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, forwards) + CALLER.replace('openTx(client)', "openTx(client, 'SELECT 1')")), [ALONE]);
  // The caller's text handed on with the client to another helper: that text is still read (a session SET), not skipped.
  const handsOn = "function send(conn, sql) {\n  return conn.query(sql);\n}\nasync function openTx(client, text) {\n  await client.query('BEGIN');\n  await send(client, text);\n  await client.query('COMMIT');\n}\n";
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, handsOn) + CALLER.replace('openTx(client)', "openTx(client, 'SET datestyle = ISO')")), ['session-set', ALONE]);
  const callback = "async function openTx(client, work) {\n  await client.query('BEGIN');\n  await work(client);\n  await client.query('COMMIT');\n}\n";
  assert.deepEqual(found(HELPERS.replace(/async function openTx[\s\S]*?\n}\n/, callback) + CALLER.replace('openTx(client)', 'openTx(client, prepare)')), [ALONE]);
  // A pool handed to the helper: its BEGIN and the SET LOCAL may reach two connections.
  assert.deepEqual(found(HELPERS + "async function onPool() {\n  await openTx(pool);\n  await pool.query(\"SET LOCAL lock_timeout = '2s'\");\n}\n"), [ALONE]);
});

function imported(t: Cleanup, helpers: string, caller: string): string[] {
  const repo = scratchRepository('boundary-helpers', t);
  repo.writeAll({ 'package.json': JSON.stringify({ name: 'shop' }), 'src/db/tx.js': helpers });
  return embeddedRules(caller, repo.write('src/routes/pay.js', caller));
}

test('helpers imported from a module of the project by require, by name or as a namespace', (t) => {
  const exporting = `${HELPERS}module.exports = { pool, openTx, closeTx, abandonTx };\n`;
  assert.deepEqual(imported(t, exporting, `const { pool, openTx, closeTx, abandonTx } = require('../db/tx');\n${CALLER}`), []);
  const esm = `${HELPERS.replace("const { Pool } = require('pg');", "import { Pool } from 'pg';")}export { pool, openTx, closeTx, abandonTx };\n`;
  assert.deepEqual(imported(t, esm, `import { pool, openTx, closeTx, abandonTx } from '../db/tx.js';\n${CALLER}`), []);
  const namespace = CALLER.replace(/(openTx|closeTx|abandonTx)\(/g, 'tx.$1(').replace('pool.connect', 'tx.pool.connect');
  assert.deepEqual(imported(t, exporting, `const tx = require('../db/tx');\n${namespace}`), []);
  // The SET LOCAL sent before the imported opening helper is still alone.
  const before = CALLER.replace("    await openTx(client);\n    await client.query(\"SET LOCAL lock_timeout = '2s'\");", "    await client.query(\"SET LOCAL lock_timeout = '2s'\");\n    await openTx(client);");
  assert.deepEqual(imported(t, exporting, `const { pool, openTx, closeTx, abandonTx } = require('../db/tx');\n${before}`), [ALONE]);
});

test('an imported helper is read whatever spells its statement: a blank escape before it, escaped letters, a template; also through a barrel', (t) => {
  // The caller's lookup skips a module whose text has no literal starting with a transaction word (boundaryHelpers.ts's
  // maySendBoundary) and re-exports nothing: these spellings and a barrel of `export *` must still be read.
  const esm = (helpers: string): string => `${helpers.replace("const { Pool } = require('pg');", "import { Pool } from 'pg';")}export { pool, openTx, closeTx, abandonTx };\n`;
  const caller = `import { pool, openTx, closeTx, abandonTx } from '../db/tx.js';\n${CALLER}`;
  // `export` on each declaration, not an `export { … }` list: a list may re-export, and would have the module read anyway.
  const exportedInline = (helpers: string): string => helpers.replace("const { Pool } = require('pg');", "import { Pool } from 'pg';").replace(/^(const|async function) (pool|openTx|closeTx|abandonTx)\b/gm, 'export $1 $2');
  // Every transaction literal of the module is spelled the case's way (the warning's text too, which opens with a
  // transaction word), so that the escaped case has no plainly written one left for the lookup to find.
  for (const [begin, commit, rollback] of [["'\\n  BEGIN'", "'\\tCOMMIT'", "'\\rROLLBACK'"], ["'\\u0042EGIN'", "'\\x43OMMIT'", "'\\x52OLLBACK'"], ['`BEGIN`', '`\\\nCOMMIT`', '`ROLLBACK`']]) {
    const helpers = exportedInline(HELPERS.replace("'BEGIN ISOLATION LEVEL REPEATABLE READ'", begin).replace("'COMMIT'", commit).replace("'ROLLBACK'", rollback).replace("'rollback failed'", "'could not undo'"));
    assert.deepEqual(imported(t, helpers, caller), [], `${begin} ${commit}`);
  }
  const repo = scratchRepository('boundary-helpers', t);
  repo.writeAll({ 'package.json': JSON.stringify({ name: 'shop' }), 'src/db/tx.js': esm(HELPERS), 'src/db/index.js': "export * from './tx.js';\n" });
  const viaBarrel = `import { pool, openTx, closeTx, abandonTx } from '../db/index.js';\n${CALLER}`;
  assert.deepEqual(embeddedRules(viaBarrel, repo.write('src/routes/pay.js', viaBarrel)), []);
  // A helper whose module sends no transaction statement at all opens nothing: the SET LOCAL is alone.
  assert.deepEqual(imported(t, esm(HELPERS.replace("'BEGIN ISOLATION LEVEL REPEATABLE READ'", "'SELECT 1'")), caller), [ALONE]);
});

test('a test\'s beforeEach that opens the transaction through such a helper leaves the test\'s client inside it', () => {
  const suite = `${HELPERS}
let client;
beforeAll(async () => { client = await pool.connect(); });
beforeEach(async () => { await openTx(client); });
it('reads as the tenant', async () => {
  await client.query("SET LOCAL app.tenant = 'a'");
});
`;
  assert.deepEqual(found(suite, 'tenant.test.js'), []);
  assert.deepEqual(found(suite.replace('await openTx(client);', 'await openTx(client);\n  await closeTx(client);'), 'tenant.test.js'), [ALONE]);
});
