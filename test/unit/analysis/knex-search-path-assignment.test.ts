// knex's `searchPath` given after the config object was built (`config.searchPath = [schema]`, often under an `if` on
// an environment variable) is the same option: when that config variable is the one handed to knex(…) for PostgreSQL,
// knex sends SET search_path on each new connection, a session-set reported at the assignment. An assignment to a
// config nothing hands to knex, to a config for another database, or of a value that sets no path is not reported, nor
// one written after the knex(…) call: knex copies the option when it builds its client, so a later write changes nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[], file = 'server/database/knex.js') =>
  embeddedFindings(lines.join('\n'), file).map(([rule, at]) => `${rule} ${at}`);

/** A knex config for `client`, its searchPath assigned under an `if`, then `handOff` (the last line). */
const module = (client: string, assigned: string, handOff: string) => [
  "const knex = require('knex');",
  'const knexConfig = {',
  `  client: '${client}',`,
  '  connection: process.env.DATABASE_URL,',
  '  pool: { min: 0, max: 20 },',
  '};',
  'if (process.env.DATABASE_SCHEMA) {',
  `  knexConfig.searchPath = ${assigned};`,
  '}',
  handOff,
];

test('a searchPath assigned to the config variable later handed to knex for pg is a session-set at the assignment', () => {
  assert.deepEqual(found(module('pg', '[process.env.DATABASE_SCHEMA]', 'module.exports = knex(knexConfig);')),
    ['session-set knexConfig.searchPath = [process.env.DATABASE_SCHEMA]']);
});

test('the same assignment to a config that is only exported, never handed to knex in the file, is not reported', () => {
  assert.deepEqual(found(module('pg', '[process.env.DATABASE_SCHEMA]', 'module.exports = knexConfig;')), []);
});

test('an assigned searchPath on a config for MySQL is not reported', () => {
  assert.deepEqual(found(module('mysql2', '[process.env.DATABASE_SCHEMA]', 'module.exports = knex(knexConfig);')), []);
});

test('an assigned searchPath that sets no path (undefined, an empty list) is not reported', () => {
  for (const nothing of ['undefined', '[]']) {
    assert.deepEqual(found(module('pg', nothing, 'module.exports = knex(knexConfig);')), [], nothing);
  }
});

test('a searchPath assigned to another object than the config handed to knex is not reported', () => {
  const lines = module('pg', '[process.env.DATABASE_SCHEMA]', 'module.exports = knex(knexConfig);')
    .map((line) => line.replace('knexConfig.searchPath', 'reportConfig.searchPath'));
  lines.splice(1, 0, "const reportConfig = { client: 'pg', connection: process.env.REPORT_URL };");
  assert.deepEqual(found(lines), []);
});

test('a searchPath assigned after the config was handed to knex is not reported: knex read the config when it was built', () => {
  const lines = [
    "const knex = require('knex');",
    "const knexConfig = { client: 'pg', connection: process.env.DATABASE_URL };",
    'const db = knex(knexConfig);',
    'knexConfig.searchPath = [process.env.DATABASE_SCHEMA];',
    'module.exports = db;',
  ];
  assert.deepEqual(found(lines), []);
});

test('a searchPath written with brackets before the knex call is reported like the dotted one', () => {
  const lines = [
    "const knex = require('knex');",
    "const knexConfig = { client: 'pg', connection: process.env.DATABASE_URL };",
    "knexConfig['searchPath'] = [process.env.DATABASE_SCHEMA];",
    'module.exports = knex(knexConfig);',
  ];
  assert.deepEqual(found(lines), ["session-set knexConfig['searchPath'] = [process.env.DATABASE_SCHEMA]"]);
});
