// Query configs and SQL that reach the driver through a helper of the same file: a method or function whose
// parameter becomes (part of) what its own query call sends. The configs its callers build are read as if
// they were written at the query call itself.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

/** A store class whose `send` helper rebuilds the config it is given; `keepName` says how the rebuilt name is made. */
const storeWithHelper = (rebuiltName: string): string => [
  'class Store {',
  '  constructor(pool) { this.pool = pool; }',
  '  send(config) {',
  `    const rebuilt = { ${rebuiltName}text: config.text, values: config.values };`,
  '    return this.pool.connect().then((conn) => conn.query(rebuilt).finally(() => conn.release()));',
  '  }',
  '  find(id) {',
  "    return this.send({ name: 'store-find', text: 'SELECT * FROM items WHERE id = $1', values: [id] });",
  '  }',
  '  purge(before) {',
  "    const config = { name: 'store-purge', text: 'DELETE FROM items WHERE at < $1', values: [before] };",
  '    return this.send(config);',
  '  }',
  '  count() {',
  "    return this.send({ text: 'SELECT count(*) FROM items' });",
  '  }',
  '}',
  'module.exports = Store;',
].join('\n');

test("a helper that rebuilds its caller's config with the caller's name sends every named config its callers pass", () => {
  assert.deepEqual(found(storeWithHelper('name: `store:${config.name}`, ')), [
    'protocol-prepared-statement `store:${config.name}`',
    "protocol-prepared-statement 'store-find'",
    "protocol-prepared-statement 'store-purge'",
  ]);
});

test("a helper that rebuilds the config from its text alone drops the caller's name: no finding at the callers", () => {
  assert.deepEqual(found(storeWithHelper('')), []);
});

test('a function that sends its parameter as it is makes the named configs of its callers findings; unnamed ones are none', () => {
  const text = [
    'const run = (pool, config) => pool.query(config);',
    'export async function load(pool, id) {',
    "  await run(pool, { name: 'load-one', text: 'SELECT * FROM t WHERE id = $1', values: [id] });",
    "  await run(pool, { text: 'SELECT * FROM t' });",
    "  await run(pool, { name: '', text: 'SELECT 1' });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ["protocol-prepared-statement 'load-one'"]);
});

test('an object literal passed to a function that sends something else is no query config', () => {
  const text = [
    'function log(pool, entry) {',
    "  return pool.query('INSERT INTO log (msg) VALUES ($1)', [entry.text]);",
    '}',
    "export const note = (pool) => log(pool, { name: 'audit', text: 'user signed in' });",
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});

test('SQL one function stores in a property written once and another destructures and sends is read at its writing', () => {
  const text = [
    'export function plan(role, settings) {',
    '  const steps = {};',
    '  if (role) steps.becomeSql = `SET ROLE ${role}`;',
    "  steps.tuneSql = 'SELECT ' + settings.map((s) => `set_config('${s.key}', '${s.value}', false)`).join(', ');",
    '  return steps;',
    '}',
    'export async function runPlanned(query, steps, main) {',
    '  const { becomeSql, tuneSql: tune } = steps;',
    '  await query(becomeSql);',
    '  await query(tune);',
    '  return main();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['session-set SET ROLE ${role}', 'session-set set_config']);
});

test('a property written more than once, or a destructured name with a default, stands for no known SQL', () => {
  const text = [
    'export function plan(role, local) {',
    "  const steps = { becomeSql: 'SELECT 1' };",
    '  if (role) steps.becomeSql = `SET ROLE ${role}`;',
    '  return steps;',
    '}',
    'export async function runPlanned(query, steps) {',
    '  const { becomeSql } = steps;',
    "  const { resetSql = 'RESET ROLE' } = steps;",
    '  await query(becomeSql);',
    '  await query(steps.becomeSql);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});

test('a function that gives up with return undefined still returns its SQL to the query that sends it', () => {
  const text = [
    'const restoreSql = (saved) => {',
    '  const keys = Object.keys(saved);',
    '  if (keys.length === 0) return undefined;',
    "  return 'SELECT ' + keys.map((k) => `set_config('${k}', '${saved[k]}', false)`).join(', ');",
    '};',
    'export async function restore(client, saved) {',
    '  const sql = restoreSql(saved);',
    '  if (sql) await client.query(sql);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['session-set set_config']);
});

test('a function that returns SQL or another value (not undefined or null) is not followed', () => {
  const text = [
    'const restoreSql = (saved) => {',
    "  if (!saved) return 'SELECT 1';",
    "  return `SELECT set_config('app.user', '${saved}', false)`;",
    '};',
    'export const restore = (client, saved) => client.query(restoreSql(saved));',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});

test('a postgres.js client made, compared, handed along and ended in one synchronous function that waits for nothing prepares nothing', () => {
  const text = [
    "import postgres from 'postgres';",
    "import { chooseClient } from '../src/choose';",
    "test('keeps the given client', () => {",
    "  const given = postgres('postgres://nowhere:5432/db');",
    "  const options = { client: given, url: 'postgres://other:5432/db' };",
    '  assert.equal(chooseClient(options), given);',
    '  assert.equal(chooseClient({ client: given }), given);',
    '  given.end();',
    '});',
  ].join('\n');
  assert.deepEqual(found(text, 'choose.test.ts'), []);
});

test('a postgres.js client that may send a query before it ends (awaited, tagged, returned, kept, not ended) still prepares by default', () => {
  const body = (lines: string[], asynchronous = false): string => [
    "import postgres from 'postgres';",
    "import { chooseClient, Repo } from '../src/choose';",
    `export const make = ${asynchronous ? 'async ' : ''}() => {`,
    "  const db = postgres('postgres://app:5432/db');",
    ...lines,
    '};',
  ].join('\n');
  const cases = [
    body(['  assert.equal(await chooseClient({ client: db }), db);', '  db.end();'], true),
    body(['  chooseClient({ client: db }).then(() => db.end());']),
    body(['  const rows = ids.map((id) => db`SELECT ${id}`);', '  db.end();']),
    body(['  const repo = new Repo(db);', '  db.end();', '  return repo;']),
    body(['  globalThis.db = db;', '  db.end();']),
    body(['  assert.equal(chooseClient({ client: db }), db);']),
    body(['  setTimeout(() => chooseClient(db), 10);', '  db.end();']),
  ];
  for (const text of cases) assert.deepEqual(found(text, 'choose.ts').map((f) => f.split(' ')[0]), ['protocol-prepared-statement'], text);
});

test("a method that gives up with an empty string returns its SET: read on its own like any SQL-returning method", () => {
  const text = [
    'export class Platform {',
    '  useSchema(table) {',
    "    if (!table.schema) return '';",
    '    return `SET search_path TO ${table.schema}`;',
    '  }',
    '  label(table) {',
    "    if (!table.schema) return '';",
    '    return `Set the schema to ${table.schema}`;',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), ['session-set SET search_path TO ${table.schema}']);
});

test("a query config's own key read elsewhere (q.text) is not taken for the one config the file writes", () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'async function setLocal(client, name, value) {',
    "  await client.query('BEGIN');",
    "  await client.query({ text: 'SELECT set_config($1, $2, true)', values: [name, value] });",
    '}',
    'export function open(q) {',
    '  return pool.query(new Cursor(q.text, q.values));',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.ts'), []);
});

/** A database class whose `exec` helper turns `$name` placeholders into positional ones before sending. */
const rewritingHelper = (sendLine: string): string => [
  "import pg from 'pg';",
  'function positional(text: string, named: Record<string, unknown>) {',
  '  const keys = Object.keys(named);',
  "  return { sql: text.replace(/\\$(\\w+)/g, (_, k) => '$' + (keys.indexOf(k) + 1)), args: keys.map((k) => named[k]) };",
  '}',
  'export class Warehouse {',
  '  private pool = new pg.Pool();',
  '  async exec(conn: pg.PoolClient, text: string, named: Record<string, unknown>) {',
  sendLine,
  '  }',
  '  async checkout(tenant: string) {',
  '    const conn = await this.pool.connect();',
  '    const scoped = `SET search_path TO ${pg.escapeIdentifier(tenant)}, public`;',
  '    await this.exec(conn, scoped, {});',
  "    await this.exec(conn, 'SELECT * FROM shelves WHERE id = $id', { id: 1 });",
  "    await this.exec(conn, 'shelf report', {});",
  '    return conn;',
  '  }',
  '}',
].join('\n');

test('a helper that rewrites its text parameter before sending it (named placeholders to positional, trim) still sends what its callers pass', () => {
  const viaDestructuring = '    const { sql, args } = positional(text, named);\n    return conn.query(sql, args);';
  assert.deepEqual(found(rewritingHelper(viaDestructuring), 'f.ts'), ['session-set SET search_path TO ${pg.escapeIdentifier(tenant)}, public']);
  const inPlace = '    return conn.query(text.trim(), Object.values(named));';
  assert.deepEqual(found(rewritingHelper(inPlace), 'f.ts'), ['session-set SET search_path TO ${pg.escapeIdentifier(tenant)}, public']);
});

test('a helper whose query text is built from something other than its text parameter does not make its callers\' strings SQL', () => {
  // The text argument only names a log line; the query is a fixed statement built from the other parameter.
  const unrelated = "    console.log(text);\n    const { sql, args } = positional('SELECT * FROM audit WHERE tag = $tag', named);\n    return conn.query(sql, args);";
  assert.deepEqual(found(rewritingHelper(unrelated), 'f.ts'), []);
});

// Statements made one per item and held in a const before they are joined (a LISTEN per channel) are read like
// `items.map(…).join(';')` written in place: one element stands for them all.
test('a mapped list of statements held in a const, then joined and sent through a method helper, is read', () => {
  const subscriber = (statement: string) => [
    "import { Client } from 'pg';",
    'export class Channels {',
    '  private client = new Client(process.env.DATABASE_URL);',
    '  async listen(...channels: string[]) {',
    `    const statements = channels.map((channel) => \`${statement} \${this.client.escapeIdentifier(channel)}\`);`,
    "    if (statements.length > 0) await this.query(statements.join(';'));",
    '  }',
    '  async query(text: string, params?: unknown[]) { return this.client.query(text, params); }',
    '}',
  ].join('\n');
  assert.deepEqual(found(subscriber('LISTEN'), 'channels.ts'), ['listen LISTEN ${this.client.escapeIdentifier(channel)}']);
  assert.deepEqual(found(subscriber('NOTIFY'), 'channels.ts'), []);
});
