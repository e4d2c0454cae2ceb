// node-postgres runs a query config that has a name and values but no text (`{ name: 'add-order', values }`) as the
// statement it parsed earlier under that name on the same connection: only Bind and Execute are sent, which is the
// named prepared statement itself. Such a config is flagged at its name like one with a text. Objects of that shape
// that hold keys node-postgres does not take (another library's argument), that have no values, or whose name is empty
// (the unnamed statement) are not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

test('a config naming a statement without its text, after one that parsed it, is a named prepared statement too', () => {
  const text = [
    "const { Client } = require('pg');",
    'const shop = new Client(process.env.SHOP_URL);',
    'async function addOrders(first, second) {',
    "  await shop.query({ name: 'add-order', text: 'INSERT INTO orders(sku, qty) VALUES ($1, $2)', values: first });",
    "  await shop.query({ name: 'add-order', values: second, rowMode: 'array' });",
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'orders.js'), [
    ['protocol-prepared-statement', "'add-order'"],
    ['protocol-prepared-statement', "'add-order'"],
  ]);
  const held = [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    "const ADD = 'add-order';",
    "const parse = { name: ADD, text: 'INSERT INTO orders(sku) VALUES ($1)', values: ['a'] };",
    'async function again(sku) {',
    '  await pool.query(parse);',
    '  const rerun = { name: ADD, values: [sku] };',
    '  await pool.query(rerun);',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(held, 'again.js'), [
    ['protocol-prepared-statement', 'ADD'],
    ['protocol-prepared-statement', 'ADD'],
  ]);
});

test('a name-and-values object with other keys, without values, or with an empty name is no named statement', () => {
  const text = [
    "const { Client } = require('pg');",
    'const shop = new Client(process.env.SHOP_URL);',
    'async function run(values) {',
    "  await shop.query('SELECT 1');",
    "  await search.query({ name: 'orders', values, index: 'shop' });",
    "  await shop.query({ name: 'orders' , filter: values });",
    "  await shop.query({ name: '', values });",
    "  await registry.query({ name: 'orders' });",
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'others.js'), []);
});
