// Statements after an unconditional `return`, `throw`, `break` or `continue` in the same block never run, so what they
// would send reaches no server: a retired script that returns at its top keeps its old LISTEN and SET below as dead
// code. A jump inside an `if`, code after the block that holds the jump, and a function declared after a return (hoisted,
// still callable) keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[], file = '/nowhere/ops/scripts/retired.js') => embeddedFindings(lines.join('\n'), file).map(([rule, at]) => `${rule} ${at}`);

test('what follows an unconditional return, throw, break or continue in its block is not read', () => {
  assert.deepEqual(found([
    "const { Client } = require('pg');",
    'async function subscribe() {',
    "  console.log('feed retired');",
    '  return;',
    '  const client = new Client({ connectionString: process.env.DATABASE_URL });',
    '  await client.connect();',
    "  await client.query('LISTEN order_events');",
    '}',
    'async function tune(pool, mode) {',
    "  throw new Error('no longer supported');",
    "  await pool.query('SET statement_timeout = 0');",
    '}',
    'async function each(pool, kinds) {',
    '  for (const kind of kinds) {',
    '    continue;',
    "    await pool.query(`SELECT set_config('app.kind', $1, false)`, [kind]);",
    '  }',
    '  switch (kinds.length) {',
    "    case 0: break; await pool.query('SET work_mem = 1');",
    '  }',
    '}',
    'module.exports = { subscribe, tune, each };',
  ]), []);
});

test('a conditional jump, the code after its block, and a function declared after a return keep their findings', () => {
  assert.deepEqual(found([
    "const { Client } = require('pg');",
    'async function subscribe(enabled) {',
    '  const client = new Client({ connectionString: process.env.DATABASE_URL });',
    '  await client.connect();',
    '  if (!enabled) return;',
    "  await client.query('LISTEN order_events');",
    '  try {',
    '    return await listenMore();',
    '  } finally {',
    "    await client.query('SET statement_timeout = 0');",
    '  }',
    '  async function listenMore() {',
    "    await client.query('LISTEN refund_events');",
    '  }',
    '}',
    'module.exports = { subscribe };',
  ]), ["listen LISTEN order_events", 'session-set SET statement_timeout = 0', 'listen LISTEN refund_events']);
});

test("a script's top-level return or throw leaves the rest of the file unread; code above it, and a function declared below it, keep their findings", () => {
  assert.deepEqual(found([
    "const { Client } = require('pg');",
    "console.log('feed retired');",
    'return;',
    'const client = new Client({ connectionString: process.env.DATABASE_URL });',
    "client.connect().then(() => client.query('LISTEN order_events'));",
  ]), []);
  assert.deepEqual(found([
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    "throw new Error('use the new exporter');",
    "pool.query('SET statement_timeout = 0');",
  ], '/nowhere/ops/scripts/retired.cjs'), []);
  assert.deepEqual(found([
    "const { Client } = require('pg');",
    'const client = new Client({ connectionString: process.env.DATABASE_URL });',
    "client.connect().then(() => client.query('LISTEN order_events'));",
    'if (process.argv.includes("--once")) return;',
    "client.query('LISTEN refund_events');",
    'return;',
    'function later(pool) {',
    "  return pool.query('SET work_mem = 1');",
    '}',
  ]), ['listen LISTEN order_events', 'listen LISTEN refund_events', 'session-set SET work_mem = 1']);
});
