// pg_trgm's set_limit(real) changes the session's pg_trgm.similarity_threshold, as a plain SET of it does: a session
// setting that behind a transaction pooler stays on one server connection. Found in SQL and in TS/JS (a pool's
// connection hook); a rollback undoes it as it undoes a SET; a routine of another argument count is another function.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const lines = (sql: string) => analyzeSql(sql).map((f) => ruleLine(sql, f, 'line rule'));

test('SELECT set_limit(x) is a session setting; inside a rolled-back transaction, or a set_limit of two arguments, it is not', () => {
  const sql = [
    'SELECT set_limit(0.45);',
    'SELECT name FROM towns WHERE name % $1;',
    'BEGIN; SELECT set_limit(0.2); ROLLBACK;',
    'SELECT quota.set_limit(7, 100);',
  ].join('\n');
  assert.deepEqual(lines(sql), ['1 session-set']);
});

test("set_limit in a knex pool's afterCreate hook is found on the pooled connection", () => {
  const text = [
    "const knex = require('knex');",
    'module.exports = knex({',
    "  client: 'pg',",
    '  connection: process.env.DATABASE_URL,',
    '  pool: { afterCreate(conn, done) { conn.query("SELECT set_limit(0.1)", (err) => done(err, conn)); } },',
    '});',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'db.js'), [['session-set', 'set_limit']]);
});
