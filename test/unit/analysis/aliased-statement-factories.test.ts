// A prepared-statement class or query-object class called under a local alias: a const holding the member
// (`require('pg-promise').PreparedStatement`, `pgp.PreparedStatement`), a renamed destructuring or a renamed import
// is the class it was taken from, so the statements it builds are read as the class's own would be.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'statements.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a const holding the required module\'s PreparedStatement builds named statements under that alias', () => {
  const text = [
    "const Stmt = require('pg-promise').PreparedStatement;",
    'module.exports = {',
    "  byId: new Stmt('order-by-id', 'SELECT * FROM orders WHERE id = $1'),",
    "  all: new Stmt('orders-all', 'SELECT * FROM orders'),",
    '};',
  ].join('\n');
  assert.deepEqual(found(text), [
    "protocol-prepared-statement 'order-by-id'",
    "protocol-prepared-statement 'orders-all'",
  ]);
});

test('a renamed destructuring, a renamed import and a const holding the initialised library\'s member are the class too', () => {
  const destructured = [
    "const { PreparedStatement: Named } = require('pg-promise');",
    "exports.count = new Named({ name: 'count-orders', text: 'SELECT count(*) FROM orders' });",
  ].join('\n');
  assert.deepEqual(found(destructured), ["protocol-prepared-statement 'count-orders'"]);
  const imported = [
    "import { PreparedStatement as Named } from 'pg-promise';",
    "export const latest = new Named('latest-order', 'SELECT * FROM orders ORDER BY id DESC LIMIT 1');",
  ].join('\n');
  assert.deepEqual(found(imported, 'statements.ts'), ["protocol-prepared-statement 'latest-order'"]);
  const member = [
    "const pgp = require('pg-promise')();",
    'const Named = pgp.PreparedStatement;',
    'const Alias = Named;',
    "exports.first = new Alias('first-order', 'SELECT * FROM orders LIMIT 1');",
  ].join('\n');
  assert.deepEqual(found(member), ["protocol-prepared-statement 'first-order'"]);
});

test('an alias of another class, a parameter of the same name and a let given another value later build no named statement', () => {
  const otherClass = [
    "const { ParameterizedQuery: Query } = require('pg-promise');",
    "exports.byId = new Query('SELECT * FROM orders WHERE id = $1');",
  ].join('\n');
  assert.deepEqual(found(otherClass), []);
  const shadowed = [
    "const Named = require('pg-promise').PreparedStatement;",
    "exports.build = (Named) => new Named('order-by-id', 'SELECT * FROM orders WHERE id = $1');",
  ].join('\n');
  assert.deepEqual(found(shadowed), []);
  const reassigned = [
    "let Named = require('pg-promise').PreparedStatement;",
    'Named = makeQuery;',
    "exports.byId = new Named('order-by-id', 'SELECT * FROM orders WHERE id = $1');",
  ].join('\n');
  assert.deepEqual(found(reassigned), []);
});

test('a class or function declared under the alias\'s name in an inner scope is that local one, not the factory', () => {
  const text = [
    "const pgp = require('pg-promise')();",
    'const Named = pgp.PreparedStatement;',
    "exports.byId = new Named('order-by-id', 'SELECT * FROM orders WHERE id = $1');",
    'exports.report = (db) => {',
    '  class Named { constructor(label, text) { this.label = label; this.text = text; } }',
    "  const q = new Named('monthly-report', 'SELECT * FROM report');",
    '  return db.any(q.text);',
    '};',
    'exports.summary = (db) => {',
    '  function Named(label, text) { return { label, text }; }',
    "  return db.any(new Named('daily-summary', 'SELECT * FROM summary').text);",
    '};',
    'exports.inner = () => {',
    "  if (true) return new Named('inner-order', 'SELECT * FROM orders LIMIT 1');",
    '};',
  ].join('\n');
  assert.deepEqual(found(text), ["protocol-prepared-statement 'order-by-id'", "protocol-prepared-statement 'inner-order'"]);
});

test('an aliased class keeps the unnamed statement unflagged, and one sent at once is flagged once, at its name', () => {
  const unnamed = [
    "const Named = require('pg-promise').PreparedStatement;",
    "exports.plain = new Named({ name: '', text: 'SELECT 1' });",
  ].join('\n');
  assert.deepEqual(found(unnamed), []);
  const sent = [
    "const pgp = require('pg-promise')();",
    'const db = pgp(process.env.DATABASE_URL);',
    'const Named = pgp.PreparedStatement;',
    "exports.byId = (id) => db.one(new Named({ name: 'order-by-id', text: 'SELECT * FROM orders WHERE id = $1', values: [id] }));",
  ].join('\n');
  const direct = sent.replace('const Named = pgp.PreparedStatement;\n', '').replace('new Named(', 'new pgp.PreparedStatement(');
  assert.deepEqual(found(sent), found(direct));
  assert.deepEqual(found(sent), ["protocol-prepared-statement 'order-by-id'"]);
});

test('a hyphenated statement name opening with a statement keyword (update-…, delete-…) is a name; SQL as the name is not', () => {
  const text = [
    "const { PreparedStatement } = require('pg-promise');",
    "exports.rename = new PreparedStatement('update-order-note', 'UPDATE orders SET note = $1 WHERE id = $2');",
    "exports.drop = new PreparedStatement('delete-order', 'DELETE FROM orders WHERE id = $1');",
    "exports.sqlFirst = new PreparedStatement('DELETE FROM orders', 'DELETE FROM orders WHERE id = $1');",
    "exports.minus = new PreparedStatement('select-1', 'SELECT 1');",
  ].join('\n');
  assert.deepEqual(found(text), [
    "protocol-prepared-statement 'update-order-note'",
    "protocol-prepared-statement 'delete-order'",
  ]);
});
