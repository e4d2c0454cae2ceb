// A SET sent on a transaction callback's client and undone by its RESET later in the same callback, on that client,
// leaves nothing on the connection: the library commits only after the callback, and a throw in between rolls the
// SET back with the transaction. pg-promise's query methods (`none`, `any`, `result`…) take a whole `RESET …` too
// (`RESET TIME ZONE`, a quoted custom name).
// A `return` between the two leaves the callback (and commits) with the setting in place: the SET stays flagged, as
// it does when the RESET is conditional, on another client, after the callback, or of another setting.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/pantry/stock.ts').map(([rule, at]) => `${rule} ${at}`);
const PG_PROMISE = "import pgPromise from 'pg-promise';\nconst pgp = pgPromise();\nconst store = pgp(process.env.DATABASE_URL!);\n";

test('a SET undone by its RESET later in the same pg-promise transaction callback is no finding', () => {
  const text = PG_PROMISE + [
    'export async function restock(owner: string, item: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET ROLE $1~', [owner]);",
    "    await t.none('UPDATE shelves SET qty = qty + 1 WHERE item = $1', [item]);",
    "    await t.none('RESET ROLE');",
    '  });',
    '}',
    'export async function relabel(kitchen: string) {',
    "  await store.tx('relabel', async (t) => {",
    "    if (!kitchen) return 0;",
    "    await t.any(\"SELECT set_config('pantry.kitchen', $1, false)\", [kitchen]);",
    "    if (kitchen === 'closed') throw new Error('closed');",
    "    const counts = [1, 2].map((n) => { return n * 2; });",
    "    await t.result('UPDATE labels SET kitchen = $1', [kitchen]);",
    "    await t.none('RESET pantry.kitchen;');",
    '    return counts;',
    '  });',
    '}',
    'export async function weigh(unit: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET search_path TO $1~', [unit]);",
    "    if (unit === 'g') { await t.none('RESET search_path'); return 'grams'; }",
    "    return t.none('RESET search_path');",
    '  });',
    '}',
    'export async function count(owner: string, quick: boolean) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET ROLE $1~', [owner]);",
    '    try {',
    "      if (quick) return t.one('SELECT count(*) FROM shelves');",
    "      return await t.one('SELECT sum(qty) FROM shelves');",
    '    } finally {',
    "      await t.none('RESET ROLE');",
    '    }',
    '  });',
    '}',
    'export async function stamp(zone: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET TIME ZONE $1', [zone]);",
    "    await t.none('UPDATE shelves SET checked_at = now()');",
    "    await t.none('RESET TIME ZONE;');",
    '  });',
    '}',
    'export async function shelve(kitchen: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET \"pantry\".\"kitchen\" = $1', [kitchen]);",
    "    await t.none('/* undo */ RESET \"pantry\".\"kitchen\"');",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a RESET skipped by a return, only in a branch, on another client, after the callback or of another setting keeps the SET flagged', () => {
  const text = PG_PROMISE + [
    'export async function early(owner: string, full: boolean) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET ROLE $1~', [owner]);",
    "    if (full) return 'full';",
    "    await t.none('RESET ROLE');",
    '  });',
    '}',
    'export async function swallowed(owner: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET SESSION AUTHORIZATION $1~', [owner]);",
    "    try { await t.none('DELETE FROM shelves'); } catch { return false; }",
    "    await t.none('RESET SESSION AUTHORIZATION');",
    '  });',
    '}',
    'export async function maybe(unit: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET search_path TO $1~', [unit]);",
    "    if (unit !== 'kg') await t.none('RESET search_path');",
    '  });',
    '}',
    'export async function elsewhere(unit: string) {',
    '  await store.tx(async (t) => {',
    "    await t.none('SET work_mem = $1', [unit]);",
    "    await store.none('RESET work_mem');",
    '  });',
    "  await store.none('RESET work_mem');",
    '}',
    'export async function later(unit: string) {',
    '  await store.tx(async (t) => {',
    "    await t.none('SET lock_timeout = $1', [unit]);",
    '    const undo = async () => { await t.none(\'RESET lock_timeout\'); };',
    "    await t.none('RESET statement_timeout');",
    '  });',
    '}',
    'export async function whole(owner: string) {',
    '  return store.tx(async (t) => {',
    "    await t.none('SET ROLE $1~', [owner]);",
    "    await t.none('RESET ALL');",
    '  });',
    '}',
    'export async function untransacted(unit: string) {',
    '  return store.task(async (t) => {',
    "    await t.none('SET search_path TO $1~', [unit]);",
    "    await t.none('RESET search_path');",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'session-set SET ROLE $1~',
    'session-set SET SESSION AUTHORIZATION $1~',
    'session-set SET search_path TO $1~',
    'session-set SET work_mem = $1',
    'session-set SET lock_timeout = $1',
    'session-set SET ROLE $1~',
    'session-set SET search_path TO $1~',
  ]);
});

test('the return is weighed the same on a knex transaction callback', () => {
  const text = "import knex from 'knex';\nconst kx = knex({ client: 'pg' });\n" + [
    'export async function straight(item: string) {',
    '  await kx.transaction(async (trx) => {',
    "    await trx.raw('SET ROLE stocker');",
    "    await trx.raw('UPDATE shelves SET qty = 0 WHERE item = ?', [item]);",
    "    await trx.raw('RESET ROLE');",
    '  });',
    '}',
    'export async function bail(item: string) {',
    '  await kx.transaction(async (trx) => {',
    "    await trx.raw('SET ROLE stocker');",
    "    if (!item) return;",
    "    await trx.raw('RESET ROLE');",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE stocker']);
});
