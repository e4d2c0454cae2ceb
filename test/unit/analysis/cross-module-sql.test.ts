// SQL whose query call is out of sight of the file that writes it, or several calls away from it: exported from
// a module (CommonJS or ESM, alone, in an object or in an array) and sent by the modules that import it; handed
// to a runner of another project module (`helpers.query(client, sql)`); forwarded through a chain of the
// file's own helpers; collected into a list of statements a function returns for its caller to run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'f.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('CommonJS exports of statements are read where they are written; plain reads and notifications are not findings', () => {
  const text = [
    "exports.reserveTicket = 'SELECT pg_advisory_lock($1)';",
    "exports.ticketsOpen = 'SELECT * FROM tickets WHERE closed IS NULL';",
    "module.exports.freeTicket = 'SELECT pg_advisory_unlock($1)';",
    "exports.wake = 'NOTIFY tickets';",
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_advisory_lock', 'advisory-lock pg_advisory_unlock']);
});

test('an object of statements given to module.exports or export default has each property read', () => {
  const commonJs = [
    'module.exports = {',
    "  subscribe: 'LISTEN ticket_events',",
    "  publish: 'NOTIFY ticket_events',",
    "  title: 'Set up the ticket queue',",
    '};',
  ].join('\n');
  assert.deepEqual(found(commonJs), ['listen LISTEN ticket_events']);
  const esm = [
    'export default {',
    "  pinSchema: 'SET search_path TO billing',",
    "  count: 'SELECT count(*) FROM invoices',",
    '};',
  ].join('\n');
  assert.deepEqual(found(esm, 'f.ts'), ['session-set SET search_path TO billing']);
});

test('an exported array of statements has each element read; one inside a function or not exported is not', () => {
  const exported = "export const bootstrap = ['SET statement_timeout = 0', 'SELECT 1'];";
  assert.deepEqual(found(exported, 'f.ts'), ['session-set SET statement_timeout = 0']);
  const local = "const bootstrap = ['SET statement_timeout = 0', 'SELECT 1'];\nexport const size = bootstrap.length;";
  assert.deepEqual(found(local, 'f.ts'), []);
  const nested = "export function make() {\n  exports.later = 'SELECT pg_advisory_lock(1)';\n}";
  assert.deepEqual(found(nested), []);
});

test('a concatenation of many lines is followed to its end', () => {
  const lines = ['"SELECT id, "'];
  for (let i = 0; i < 14; i += 1) lines.push(`"  col${i}, "`);
  const sent = (lock: string) => [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    `const pick = ${[...lines, `"  ${lock}(id) AS got "`, '"FROM jobs LIMIT 1"'].join(' +\n  ')};`,
    'module.exports.next = () => pool.query(pick);',
  ].join('\n');
  assert.deepEqual(found(sent('pg_try_advisory_lock')), ['advisory-lock pg_try_advisory_lock']);
  assert.deepEqual(found(sent('pg_try_advisory_xact_lock')), []);
});

test("a runner exported by another module of the project sends the text its callers give after the client", () => {
  const text = (from: string, statement: string) => [
    `const db = require('${from}');`,
    'class Feed {',
    '  constructor(client) { this.client = client; }',
    `  start() { return db.query(this.client, '${statement}'); }`,
    "  label() { return db.query(this.client, 'feed started'); }",
    '}',
    'module.exports = Feed;',
  ].join('\n');
  assert.deepEqual(found(text('./db', 'LISTEN feed_changes')), ['listen LISTEN feed_changes']);
  assert.deepEqual(found(text('../lib/run', 'NOTIFY feed_changes')), []);
  // A package, not a module of the project: what its `query` does is not known.
  assert.deepEqual(found(text('feed-sdk', 'LISTEN feed_changes')), []);
});

test("ESM imports of a project module work the same, and the module's own query(sql) calls keep their reading", () => {
  const text = [
    "import * as store from './store';",
    "import conn from '../conn';",
    'export async function watch(client) {',
    "  await store.runQuery(client, 'LISTEN orders');",
    "  await conn.query('SET search_path TO shop');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['listen LISTEN orders', 'session-set SET search_path TO shop']);
});

test("text forwarded through a chain of the file's own helpers is sent where the last one sends it", () => {
  const chain = (last: string) => [
    'class Subscriber {',
    '  constructor(connection) { this.connection = connection; }',
    '  watch(channel) { return this.command(`LISTEN ${channel}`); }',
    '  command(text) { if (!this.ready) throw new Error("not ready"); return this.enqueue(text); }',
    `  enqueue(text) { return new Promise((resolve) => { ${last}; resolve(); }); }`,
    '}',
    'module.exports = Subscriber;',
  ].join('\n');
  assert.deepEqual(found(chain('this.connection.query(text)')), ['listen LISTEN ${channel}']);
  // The last helper logs the text and sends something else: nothing of the callers reaches a query.
  assert.deepEqual(found(chain("console.log(text); this.connection.query('SELECT 1')")), []);
});

test('helpers calling each other in a cycle end without a finding or a hang', () => {
  const text = [
    'function a(conn, text) { return b(conn, text); }',
    'function b(conn, text) { return a(conn, text); }',
    "export const go = (conn) => a(conn, 'LISTEN nowhere');",
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});

test("the statements a named function collects into the array it returns are read; a callback's or a list of words is not", () => {
  const text = [
    'export function buildScript(changes, role) {',
    '  const statements: string[] = [];',
    '  if (role) statements.push(`SET ROLE "${role}"`);',
    "  statements.unshift('SET LOCAL lock_timeout = 0');",
    '  for (const change of changes) statements.push(change.sql);',
    "  statements.push('SELECT 1');",
    '  return statements;',
    '}',
    'export function headers() {',
    "  const names = ['set', 'listen'];",
    "  names.push('Set up');",
    '  return names;',
    '}',
    "export const perItem = (items) => items.map(() => { const out = []; out.push('SET x.y = 1'); return out; });",
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['session-set SET ROLE "${role}"']);
});

test('a list a function returns as written (test cases\' setup, a table of fixtures) is not followed; the same strings pushed into a built list are', () => {
  const literal = [
    'const timeZoneSetup = (zone: string): readonly string[] => [',
    '  `SET TimeZone = \'${zone}\'`,',
    "  'SET extra_float_digits = 3',",
    '];',
    'export function sessionFor(kind: string) { return [\'SET ROLE tester\', `SET app.kind = \'${kind}\'`]; }',
    "export const cases = [{ name: 'utc', setup: timeZoneSetup('UTC') }];",
  ].join('\n');
  assert.deepEqual(found(literal, 'f.ts'), []);
  // A declared list returned without any push is data too.
  assert.deepEqual(found("export function roles() { const list = ['SET ROLE tester']; return list; }", 'f.ts'), []);
  const built = "export function roles(extra: boolean) { const list = ['SET ROLE tester']; if (extra) list.push('SELECT 1'); return list; }";
  assert.deepEqual(found(built, 'f.ts'), ['session-set SET ROLE tester']);
});

test("a function another module of the project exports that sends its parameter as a query makes its callers' text a query", (t) => {
  const project = scratchRepository('imported-helpers', t);
  project.write('lib/db.js', [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    'exports.exec = function (text, values) { return pool.query(text, values); };',
    "exports.audit = function (text) { console.log(text); return pool.query('SELECT 1'); };",
  ]);
  project.write('lib/store.ts', [
    'class Store { perform(client: any, sql: string) { return client.query(sql); } }',
    'export default new Store();',
    'export const send = async (conn: any, sql: string) => conn.query(sql.trim());',
  ]);
  const common = [
    "const db = require('./lib/db');",
    "const { exec, audit } = require('./lib/db');",
    "db.exec('LISTEN jobs');",
    "exec('SELECT pg_advisory_lock(1)');",
    "audit('LISTEN nothing');",
    "db.audit('SET search_path TO nowhere');",
  ].join('\n');
  const inFile = (text: string, name: string) => embeddedFindings(text, project.write(name, text)).map(([rule, at]) => `${rule} ${at}`);
  assert.deepEqual(inFile(common, 'app.js'), ['listen LISTEN jobs', 'advisory-lock pg_advisory_lock']);
  const esm = [
    "import store, { send } from './lib/store';",
    'export async function go(c: any) {',
    "  await store.perform(c, 'SET ROLE admin');",
    "  await send(c, 'LISTEN t');",
    "  await send(c, 'NOTIFY t');",
    '}',
  ].join('\n');
  assert.deepEqual(inFile(esm, 'app.ts'), ['session-set SET ROLE admin', 'listen LISTEN t']);
  // The same calls with no such module on disk (a package, or a file that does not exist) send nothing known.
  assert.deepEqual(inFile(esm.replace("'./lib/store'", "'./lib/missing'"), 'other.ts'), []);
});

test("an imported helper is found by the same reading of a module's exports as a wrapper object (wrapperObjects.ts exportedFunction): export lists, default objects, re-exports", (t) => {
  const project = scratchRepository('imported-helper-exports', t);
  project.write('db/run.ts', 'const run = (conn: any, text: string) => conn.query(text);\nexport { run };\n');
  project.write('db/repo.js', [
    'const send = (client, text) => client.query(text);',
    'export default { send, lock(client, key) { return client.query(`SELECT pg_advisory_lock(${key})`); } };',
  ]);
  // A module that sends queries of its own and re-exports another's helper.
  project.write('db/index.ts', "export { run as perform } from './run';\nexport const ping = (conn: any) => conn.query('SELECT 1');\n");
  const caller = [
    "import { run } from './db/run';",
    "import repo from './db/repo';",
    "import { perform } from './db/index';",
    'export async function go(c: any) {',
    "  await run(c, 'LISTEN a');",
    "  await repo.send(c, 'SET ROLE admin');",
    "  await perform(c, 'LISTEN b');",
    "  await run(c, 'SELECT 2');",
    '}',
  ].join('\n');
  const file = project.write('app.ts', caller);
  assert.deepEqual(embeddedFindings(caller, file).map(([rule, at]) => `${rule} ${at}`), ['listen LISTEN a', 'session-set SET ROLE admin', 'listen LISTEN b']);
});
