// A helper handed a client is silent about SET LOCAL (its callers may have begun a transaction), unless the helper
// is the file's own (not exported, named only where it is called) and every call hands it a connection the caller
// has just taken from the pool, with nothing sent on it before: then the helper's SET LOCAL runs outside any
// transaction and ends with its own message.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string): string[] => embeddedFindings(text, 'db.js').map(([rule, at]) => `${rule} ${at}`);

const helper = [
  "const { Pool } = require('pg');",
  'const pool = new Pool();',
  'const applyContext = async (client, ctx) => {',
  '  const parts = [];',
  "  if (ctx.user) parts.push(`SET LOCAL app.user_id = '${ctx.user}';`);",
  "  if (ctx.org) parts.push(`SET LOCAL app.org_id = '${ctx.org}';`);",
  "  await client.query(parts.join(' '));",
  '};',
];

test('a file-only helper whose every call hands it a connection just taken from the pool: its settings-only SET LOCAL is flagged', () => {
  const text = [
    ...helper,
    'async function contextClient(ctx) {',
    '  const client = await pool.connect();',
    '  try {',
    '    await applyContext(client, ctx);',
    '    return client;',
    '  } catch (error) {',
    '    client.release();',
    '    throw error;',
    '  }',
    '}',
    'module.exports = { contextClient };',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL app.user_id = '${ctx.user}'",
    "set-local-outside-transaction SET LOCAL app.org_id = '${ctx.org}'",
  ]);
  // A function declaration, called by two callers that each take their own connection.
  const declared = [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    "async function setTimeouts(conn) { await conn.query(\"SET LOCAL statement_timeout = '5s'\"); }",
    'export async function a() { const conn = await pool.connect(); await setTimeouts(conn); return conn; }',
    'export async function b() { const c = await pool.connect(); await setTimeouts(c); await c.query("SELECT 1"); c.release(); }',
  ].join('\n');
  assert.deepEqual(found(declared), ["set-local-outside-transaction SET LOCAL statement_timeout = '5s'"]);
});

test('the helper stays silent when it is exported, passed around, or handed a client that has already been used or may be in a transaction', () => {
  const caller = (lines: string[]): string => [...helper, 'async function contextClient(ctx) {', ...lines, '}', 'module.exports = { contextClient };'].join('\n');
  // BEGIN sent before the call: the helper runs inside the caller's transaction.
  assert.deepEqual(found(caller(["  const client = await pool.connect();", "  await client.query('BEGIN');", '  await applyContext(client, ctx);', '  return client;'])), []);
  // A parameter of the caller (not a connection it took).
  assert.deepEqual(found(caller(['  await applyContext(ctx.client, ctx);'])), []);
  // In a loop: a later turn sends on a client an earlier turn used.
  assert.deepEqual(found(caller(['  const client = await pool.connect();', '  for (const c of ctx.list) await applyContext(client, c);', '  return client;'])), []);
  // Exported, or handed out as a value: callers elsewhere decide.
  const exported = [...helper, 'module.exports = { applyContext };'].join('\n');
  assert.deepEqual(found(exported), []);
  const asValue = [...helper, 'async function run(ctx) { const client = await pool.connect(); await applyContext(client, ctx); }', 'export const hooks = [applyContext];'].join('\n');
  assert.deepEqual(found(asValue), []);
  // One caller of two hands it a client of a transaction.
  const mixed = [
    ...helper,
    'async function one(ctx) { const client = await pool.connect(); await applyContext(client, ctx); return client; }',
    'async function two(tx, ctx) { await applyContext(tx, ctx); }',
    'module.exports = { one, two };',
  ].join('\n');
  assert.deepEqual(found(mixed), []);
});
