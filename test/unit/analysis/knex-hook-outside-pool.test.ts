// knex runs a connection hook only from its pool settings: `afterCreate` is read from the config's `pool` object
// (knex's client builds the pool from `config.pool` alone). The same hook written beside `pool`, on the config itself,
// is an option knex does not know: it is never called, so the statements inside it reach no server.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** A knex call on a PostgreSQL config whose `afterCreate` is written as `hookPlace` says (inside `pool`, or beside it). */
function knexConfig(hookPlace: 'pool' | 'config', client = "'pg'"): string {
  const hook = 'afterCreate: function (conn, done) { conn.query("SET timezone = \'UTC\'", (err) => done(err, conn)); },';
  return [
    "const db = require('knex')({",
    `  client: ${client},`,
    '  connection: process.env.DATABASE_URL,',
    hookPlace === 'pool' ? `  pool: { min: 0, max: 10, ${hook} },` : '  pool: { min: 0, max: 10 },',
    hookPlace === 'config' ? `  ${hook}` : '',
    '});',
    'module.exports = db;',
  ].join('\n');
}

test('a SET in an afterCreate written beside pool on a knex config is not reported: knex never calls that hook', () => {
  assert.deepEqual(embeddedFindings(knexConfig('config'), 'db.js'), []);
  assert.deepEqual(embeddedFindings(knexConfig('config', 'process.env.DB_DRIVER'), 'db.js'), []);
});

test("a SET in the pool's afterCreate hook of the same knex config is still reported", () => {
  assert.deepEqual(embeddedFindings(knexConfig('pool'), 'db.js').map(([rule]) => rule), ['session-set']);
});

test('a top-level afterCreate in a method shorthand is never called either; set_limit in it is not reported', () => {
  const text = [
    "import knex from 'knex';",
    'export const db = knex({',
    "  client: 'pg',",
    '  connection: process.env.DATABASE_URL,',
    '  afterCreate(conn: any, done: any) { conn.query("SELECT set_limit(0.01)", (err: Error) => done(err, conn)); },',
    '});',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'db.ts'), []);
});

test('an afterCreate that names a function is still read: the function may be called elsewhere', () => {
  const text = [
    "const knex = require('knex');",
    'function setZone(conn, done) { conn.query("SET timezone = \'UTC\'", (err) => done(err, conn)); }',
    "module.exports = knex({ client: 'pg', connection: process.env.DATABASE_URL, afterCreate: setZone });",
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'db.js').map(([rule]) => rule), ['session-set']);
});

test('an afterCreate beside the options of a call that is not knex is still read', () => {
  const text = [
    "const { createPool } = require('./pool');",
    'module.exports = createPool({',
    '  connectionString: process.env.DATABASE_URL,',
    '  afterCreate: function (conn, done) { conn.query("SET timezone = \'UTC\'", (err) => done(err, conn)); },',
    '});',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'db.js').map(([rule]) => rule), ['session-set']);
});

// knex calls `pool.afterCreate(connection, done)` with the driver's own connection (for PostgreSQL a node-postgres
// Client), which has no `raw` method: `conn.raw(…)` there throws, or is skipped by an `if (conn.raw)` guard, and sends
// nothing. The driver's `conn.query(…)` is sent, and so is a `raw` call on the knex instance itself.

/** A TypeScript module importing knex whose pool config's afterCreate runs `body` (its parameters: `link`, `done`). */
function poolHookModule(body: string[], knexImport = "import knex from 'knex';"): string {
  return [
    knexImport,
    'export const poolSettings = {',
    '  min: 1,',
    '  max: 8,',
    '  afterCreate: async (link: any, done: (err: Error | null, link?: any) => void) => {',
    ...body.map((line) => `    ${line}`),
    '    done(null, link);',
    '  },',
    '};',
    "export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: poolSettings });",
  ].join('\n');
}

test("raw(…) on the connection an afterCreate hook is handed sends nothing: the driver's connection has no raw method", () => {
  const guarded = poolHookModule(['if (link.raw) {', "  await link.raw(\"SET lock_timeout = '3s'\");", '  await link.raw(`SET work_mem = \'16MB\'; SET jit = off;`);', '}']);
  assert.deepEqual(embeddedFindings(guarded, 'pool.ts'), []);
  const unguarded = poolHookModule(["await link.raw(\"SET idle_in_transaction_session_timeout = '20s'\");"]);
  assert.deepEqual(embeddedFindings(unguarded, 'pool.ts'), []);
});

test("the hook connection's own query(…), and raw(…) on the knex instance, are still reported", () => {
  const driverQuery = poolHookModule(["await link.query(\"SET lock_timeout = '3s'\");"]);
  assert.deepEqual(embeddedFindings(driverQuery, 'pool.ts').map(([rule]) => rule), ['session-set']);
  const onKnex = poolHookModule(["await db.raw(\"SET lock_timeout = '3s'\");"]);
  assert.deepEqual(embeddedFindings(onKnex, 'pool.ts').map(([rule]) => rule), ['session-set']);
});

test('raw(…) on an afterCreate parameter in a file that does not import knex is still reported', () => {
  const text = poolHookModule(["await link.raw(\"SET lock_timeout = '3s'\");"], "import { knex } from './shared-db';\nimport { Pool } from 'pg';");
  assert.deepEqual(embeddedFindings(text, 'pool.ts').map(([rule]) => rule), ['session-set']);
});
