// A COMMIT or ROLLBACK inside a branch ends the transaction on that branch's runs only. The common shape is an
// early exit: `BEGIN; if (denied) { ROLLBACK; release; return … }; SELECT set_config(…, true)`: the setting after
// the branch runs only when the branch did not, so it is inside the transaction. Early exits are not followed
// (codeBranches.ts), so any end on a path of its own leaves what follows the branch possibly inside the block:
// no set-local-outside-transaction finding there. An end on every run, or on the same path as the setting, still
// leaves it outside.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/app/src/tenancy.ts').map(([rule, at]) => `${rule} ${at}`);

const HEAD = ["import { Pool } from 'pg';", 'const pool = new Pool({ connectionString: process.env.DATABASE_URL });'];

test('a setting after a branch that rolls back and returns early is inside the transaction', () => {
  const text = [
    ...HEAD,
    'export async function scoped(tenant: string, member: boolean, res: any) {',
    '  const conn = await pool.connect();',
    "  await conn.query('BEGIN');",
    '  if (!member) {',
    "    await conn.query('ROLLBACK');",
    '    conn.release();',
    '    return res.status(403).end();',
    '  }',
    "  await conn.query(\"SELECT set_config('app.tenant', $1, true)\", [tenant]);",
    "  await conn.query('SET LOCAL statement_timeout = 5000');",
    '  return conn;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('the same early exit inside a callback that captures the checked-out client, and inside try/catch', () => {
  const text = [
    ...HEAD,
    'export async function wrapped(store: any, tenant: string, allowed: boolean) {',
    '  const conn = await pool.connect();',
    '  store.run({ conn }, async () => {',
    '    try {',
    "      await conn.query('BEGIN');",
    '      if (!allowed) { await conn.query(\'ROLLBACK\'); throw new Error(\'denied\'); }',
    "      await conn.query(\"SELECT set_config('app.tenant', $1, true)\", [tenant]);",
    '    } catch (error) {',
    "      await conn.query('ROLLBACK');",
    '    }',
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a setting after an end on every run, or on the ending branch itself, is still outside the transaction', () => {
  const text = [
    ...HEAD,
    'export async function afterCommit(tenant: string) {',
    '  const conn = await pool.connect();',
    "  await conn.query('BEGIN');",
    "  await conn.query('COMMIT');",
    "  await conn.query(\"SELECT set_config('app.after_commit', $1, true)\", [tenant]);",
    '}',
    'export async function onTheEndingBranch(tenant: string, denied: boolean) {',
    '  const conn = await pool.connect();',
    "  await conn.query('BEGIN');",
    '  if (denied) {',
    "    await conn.query('ROLLBACK');",
    "    await conn.query(\"SELECT set_config('app.on_branch', $1, true)\", [tenant]);",
    '    return;',
    '  }',
    "  await conn.query('COMMIT');",
    '}',
    'export async function wholeBlockInBranch(tenant: string, wanted: boolean) {',
    '  const conn = await pool.connect();',
    '  if (wanted) {',
    "    await conn.query('BEGIN');",
    "    await conn.query('COMMIT');",
    '  }',
    "  await conn.query(\"SELECT set_config('app.after_branch_block', $1, true)\", [tenant]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'set-local-outside-transaction set_config',
    'set-local-outside-transaction set_config',
    'set-local-outside-transaction set_config',
  ]);
});
