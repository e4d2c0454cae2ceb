// Session advisory locks called through a query builder's SQL-function helper (Kysely's eb.fn, Sequelize's and
// Objection's fn) or written as a select-list fragment (a Kysely sql fragment, knex.raw inside select): the builder
// sends SELECT name(args), so the lock is read as that statement on the client the builder chain starts from.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'job.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test("Kysely's eb.fn naming a session lock and its unlock, each in its own query on the shared database, are both findings", () => {
  const text = [
    "import { Kysely } from 'kysely';",
    'declare const store: Kysely<any>;',
    'export async function rebuildIndex(shard: number) {',
    "  const row = await store.selectNoFrom((b) => b.fn<boolean>('pg_try_advisory_lock', [b.val(shard)]).as('got')).executeTakeFirst();",
    '  if (!row?.got) return;',
    '  try {',
    "    await store.deleteFrom('index_rows').where('shard', '=', shard).execute();",
    '  } finally {',
    "    await store.selectNoFrom((b) => b.fn('pg_advisory_unlock', [b.val(shard)]).as('gone')).execute();",
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_unlock']);
});

test("Sequelize's and Objection's fn helpers naming a session lock are findings; other functions through them are not", () => {
  const text = [
    "const { fn } = require('objection');",
    "const { Sequelize } = require('sequelize');",
    'const orm = new Sequelize(process.env.APP_DB);',
    "exports.claim = (Report, id) => Report.findAll({ attributes: [[orm.fn('pg_advisory_lock', 7, id), 'held']] });",
    "exports.free = (Report) => Report.query().select(fn('pg_advisory_unlock_all'));",
    "exports.total = (Report) => Report.findAll({ attributes: [[orm.fn('count', orm.col('id')), 'n']] });",
  ].join('\n');
  assert.deepEqual(found(text, 'reports.js'), ['advisory-lock pg_advisory_lock', 'advisory-lock pg_advisory_unlock_all']);
});

test('a lock fragment in a select list (Kysely sql fragment, knex.raw) is read as the SELECT that runs it', () => {
  const text = [
    "import { Kysely, sql } from 'kysely';",
    "import makeKnex from 'knex';",
    'declare const store: Kysely<any>;',
    "const kx = makeKnex({ client: 'pg', connection: process.env.APP_DB });",
    'export const first = (n: number) => store.selectNoFrom(sql<boolean>`pg_try_advisory_lock(${n})`.as(\'got\')).execute();',
    "export const second = (n: number) => kx.select(kx.raw('pg_advisory_lock_shared(?) as held', [n]));",
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_lock_shared']);
});

test('transaction-level locks through the helpers, and a lock and its unlock in one Kysely transaction, leave no unlock finding', () => {
  const text = [
    "import { Kysely } from 'kysely';",
    'declare const store: Kysely<any>;',
    'export async function once(tag: string) {',
    '  await store.transaction().execute(async (tx) => {',
    "    await tx.selectNoFrom((b) => b.fn('pg_try_advisory_xact_lock', [b.fn('hashtext', [b.val(tag)])]).as('got')).execute();",
    '  });',
    '}',
    'export async function paired(key: number) {',
    '  await store.transaction().execute(async (tx) => {',
    "    await tx.selectNoFrom((b) => b.fn('pg_advisory_lock', [b.val(key)]).as('a')).execute();",
    "    await tx.updateTable('runs').set({ done: true }).execute();",
    "    await tx.selectNoFrom((b) => b.fn('pg_advisory_unlock', [b.val(key)]).as('b')).execute();",
    '  });',
    '}',
  ].join('\n');
  // The lock is still one (an error before the unlock leaves it held); its unlock on the same transaction is not.
  assert.deepEqual(found(text), ['advisory-lock pg_advisory_lock']);
});
