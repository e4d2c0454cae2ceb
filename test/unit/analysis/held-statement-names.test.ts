// Named statements and LISTEN subscriptions whose hazard is not written at the query call itself: a query config
// kept in a class field, an object's member or a factory's return and copied into the call with a spread; a
// statement built by a helper or class named for a prepared statement; postgres.js unsafe() with a computed
// `prepare`; and a subscribe call on the project's own LISTEN/NOTIFY class imported by a relative path.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'store.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a named config kept in a class field (either branch of a choice) and spread into the query call is a prepared statement at its name', () => {
  const text = [
    "import { Pool } from 'pg';",
    'export class Inbox {',
    '  private pool = new Pool();',
    '  private take: { name: string; text: string };',
    '  private peek = { name: "inbox-peek", text: "SELECT * FROM inbox LIMIT 1" };',
    '  constructor(oldestFirst: boolean) {',
    '    this.take = oldestFirst',
    '      ? { name: "inbox-take-oldest", text: "DELETE FROM inbox WHERE id = (SELECT min(id) FROM inbox) RETURNING *" }',
    '      : { name: "inbox-take-any", text: "DELETE FROM inbox WHERE id = (SELECT id FROM inbox LIMIT 1) RETURNING *" };',
    '  }',
    '  next(box: string) { return this.pool.query({ ...this.take, values: [box] }); }',
    '  look() { return this.pool.query(this.peek); }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement "inbox-peek"',
    'protocol-prepared-statement "inbox-take-oldest"',
    'protocol-prepared-statement "inbox-take-any"',
  ]);
});

test('a class field read by destructuring `this`, under its own name or another, is the field: its named config is flagged', () => {
  const text = [
    "import { Client } from 'pg';",
    'export class Lookup {',
    '  private readonly plain: { name?: string; text: string };',
    '  private readonly asArrays: { name?: string; text: string; rowMode: string };',
    '  private readonly unnamed = { text: "SELECT 1" };',
    '  constructor(private client: Client, statementName: string | undefined, text: string) {',
    '    this.plain = { name: statementName, text };',
    "    this.asArrays = { name: statementName, text, rowMode: 'array' };",
    '  }',
    '  async rows(params: unknown[]) {',
    '    const { client, asArrays: config } = this;',
    '    return client.query(config, params);',
    '  }',
    '  async objects(params: unknown[]) {',
    '    const { plain, unnamed } = this;',
    '    await this.client.query(unnamed);',
    '    return this.client.query(plain, params);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement statementName',
    'protocol-prepared-statement statementName',
  ]);
});

test('a named config from a const object\'s member or from a factory of the file, spread or passed whole, is flagged', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "const STATEMENTS = { byEmail: { name: 'user-by-email', text: 'SELECT * FROM users WHERE email = $1' } };",
    "function countOf(table: string) { return { name: `count-${table}`, text: `SELECT count(*) FROM ${table}` }; }",
    'export const byEmail = (email: string) => pool.query({ ...STATEMENTS.byEmail, values: [email] });',
    "export const total = () => pool.query(countOf('orders'));",
  ].join('\n');
  assert.deepEqual(found(text), [
    "protocol-prepared-statement 'user-by-email'",
    'protocol-prepared-statement `count-${table}`',
  ]);
});

test('spread configs without a name, or whose name a later property empties, prepare nothing', () => {
  const text = [
    "import { Pool } from 'pg';",
    'export class Report {',
    '  private pool = new Pool();',
    "  private base = { text: 'SELECT * FROM sales WHERE day = $1' };",
    "  private cached = { name: 'sales-by-day', text: 'SELECT * FROM sales WHERE day = $1' };",
    '  private settings = { host: "db", port: 5432 };',
    '  day(d: string) { return this.pool.query({ ...this.base, values: [d] }); }',
    "  fresh(d: string) { return this.pool.query({ ...this.cached, name: '', values: [d] }); }",
    '  other() { return this.pool.query({ ...this.settings, text: "SELECT 1" }); }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a statement built by a class or helper named for a prepared statement, with a name and SQL, is flagged where it is made', () => {
  const text = [
    "const { PreparedStatement } = require('pg-promise');",
    "const kit = require('queue-kit');",
    "const findJob = new PreparedStatement('find-job', 'SELECT * FROM jobs WHERE id = $1');",
    "const ackJob = new PreparedStatement({ name: 'ack-job', text: 'UPDATE jobs SET done = true WHERE id = $1' });",
    "const purge = kit.Statements.makePreparedStatement('purge-jobs', `DELETE FROM ${'jobs'} WHERE done`);",
    'module.exports = { findJob, ackJob, purge };',
  ].join('\n');
  assert.deepEqual(found(text, 'queries.js'), [
    "protocol-prepared-statement 'find-job'",
    "protocol-prepared-statement 'ack-job'",
    "protocol-prepared-statement 'purge-jobs'",
  ]);
});

test('prepared-statement helpers given no name, an empty name, a sentence or no SQL give nothing', () => {
  const text = [
    "const { PreparedStatement } = require('pg-promise');",
    "const kit = require('queue-kit');",
    "const a = new PreparedStatement('', 'SELECT 1');",
    "const b = new PreparedStatement({ text: 'SELECT 2' });",
    "const c = kit.describePreparedStatement('what this statement does', 'SELECT 3');",
    "const d = kit.logPreparedStatement('find-job', lastResult);",
    "const e = kit.toPreparedStatement('SELECT 4', ['x']);",
    'module.exports = { a, b, c, d, e };',
  ].join('\n');
  assert.deepEqual(found(text, 'queries.js'), []);
});

test('unsafe() whose prepare option is true when nothing is configured (a test of the query\'s data, a default of true) is flagged', () => {
  const text = [
    "import type postgres from 'postgres';",
    'export const makeRunner = ({ sql, cacheStatements = true }: { sql: postgres.Sql; cacheStatements?: boolean }) => ({',
    '  run: (text: string, key?: string) => {',
    '    const prepare = key !== undefined;',
    '    return sql.unsafe(text, [], { prepare });',
    '  },',
    '  runCached: (text: string, key?: string) => sql.unsafe(text, [], { prepare: cacheStatements && key !== undefined }),',
    '});',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement prepare',
    'protocol-prepared-statement cacheStatements && key !== undefined',
  ]);
});

test('unsafe() whose prepare is the caller\'s setting (no default), a pool-mode switch or false by default is not flagged', () => {
  const text = [
    "import type postgres from 'postgres';",
    'export const makeRunner = ({ sql, usePrepared, cacheStatements = false, mode }: { sql: postgres.Sql; usePrepared: boolean; cacheStatements?: boolean; mode: string }) => ({',
    '  a: (text: string) => sql.unsafe(text, [], { prepare: usePrepared }),',
    '  b: (text: string, key?: string) => sql.unsafe(text, [], { prepare: cacheStatements && key !== undefined }),',
    "  c: (text: string) => sql.unsafe(text, [], { prepare: mode !== 'transaction' }),",
    '});',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('postgres(): a prepare option held in a const or a parameter default that is true is flagged; one without default is not', () => {
  const text = [
    "import postgres from 'postgres';",
    'const PREPARE = true;',
    'export const a = postgres(process.env.DB_URL, { prepare: PREPARE });',
    'export const b = ({ url, prepare = true }: { url: string; prepare?: boolean }) => postgres(url, { prepare });',
    'export const c = ({ url, prepare }: { url: string; prepare: boolean }) => postgres(url, { prepare });',
  ].join('\n');
  assert.deepEqual(found(text), ['protocol-prepared-statement PREPARE', 'protocol-prepared-statement prepare']);
});

const OWN_SUBSCRIBER = [
  "import { Client } from 'pg';",
  'export class Feed {',
  '  private client = new Client();',
  '  async addChannel(channel: string, fn?: (payload: unknown) => void) {',
  '    await this.client.query(`LISTEN "${channel}"`);',
  '  }',
  '  async listenTo(channel: string) {',
  '    console.log("listening to", channel);',
  '  }',
  '  async listen(channel: string) {',
  "    await this.client.query('LISTEN ' + channel);",
  '  }',
  '}',
  '',
].join('\n');

test('a subscribe call on the project\'s own LISTEN class, imported by a relative path, is a listen finding when that method sends LISTEN (not its commoner listen())', (t) => {
  const repo = scratchRepository('own-subscriber', t);
  repo.writeAll({ 'package.json': '{ "name": "feed" }\n', 'src/index.ts': OWN_SUBSCRIBER });
  const spec = [
    "import { Feed } from '..';",
    'let feed: Feed;',
    'export async function subscribe() {',
    "  await feed.addChannel('orders', (payload) => console.log(payload));",
    "  await feed.listenTo('orders');",
    "  await feed.listen('orders');",
    '}',
  ].join('\n');
  const file = repo.write('src/test/feed.test.ts', spec);
  const findings = embeddedFindings(spec, file).map(([rule, at]) => `${rule} ${at}`);
  assert.deepEqual(findings, ["listen feed.addChannel('orders', (payload) => console.log(payload))"]);
});

test('the same call on a relative class whose method sends no LISTEN, or on a class the file does not import, gives nothing', (t) => {
  const repo = scratchRepository('own-subscriber-none', t);
  repo.writeAll({
    'package.json': '{ "name": "feed" }\n',
    'src/index.ts': OWN_SUBSCRIBER.replace('`LISTEN "${channel}"`', '`NOTIFY "${channel}"`'),
    'src/other.ts': OWN_SUBSCRIBER,
  });
  const spec = [
    "import { Feed } from '..';",
    "import { Queue } from '../other';",
    'const feed = new Feed();',
    'const queue = new Queue();',
    "export const go = async () => { await feed.addChannel('orders'); await queue.addChannel('orders'); };",
  ].join('\n');
  const file = repo.write('src/test/feed.test.ts', spec);
  assert.deepEqual(embeddedFindings(spec, file), []);
});

test('postgres(): prepare read from a field of the class is what the class puts there (a true default flags, none or false does not)', () => {
  const store = (fill: string, field = '  private readonly prepare: boolean;') => [
    "import postgres from 'postgres';",
    'export class Store {',
    field,
    '  private readonly sql;',
    '  constructor(options: { url: string; prepare?: boolean }) {',
    fill,
    '    this.sql = postgres(options.url, { max: 4, prepare: this.prepare });',
    '  }',
    '}',
  ].join('\n');
  // The caller's option, else true: named statements unless someone turns them off.
  assert.deepEqual(found(store('    this.prepare = options.prepare ?? true;')), ['protocol-prepared-statement this.prepare']);
  // A constructor parameter property with a true default reads the same.
  assert.deepEqual(found([
    "import postgres from 'postgres';",
    'export class Store {',
    '  constructor(private readonly url: string, private readonly prepare = true) {}',
    '  connect() { return postgres(this.url, { prepare: this.prepare }); }',
    '}',
  ].join('\n')), ['protocol-prepared-statement this.prepare']);
  // The caller decides (no default), the class turns it off, or two values disagree: no finding.
  assert.deepEqual(found(store('    this.prepare = options.prepare ?? false;')), []);
  assert.deepEqual(found(store('    this.prepare = options.prepare;')), []);
  assert.deepEqual(found(store('    this.prepare = options.prepare ?? true;', '  private prepare = false;')), []);
  assert.deepEqual(found([
    "import postgres from 'postgres';",
    'export class Store {',
    '  constructor(private readonly url: string, private readonly prepare: boolean) {}',
    '  connect() { return postgres(this.url, { prepare: this.prepare }); }',
    '}',
  ].join('\n')), []);
});
