// A driver's own API that keeps state on one server connection without SQL written for it: postgrejs's
// prepare(text) / listen(channel, fn) and ts-postgres's prepare(text), on a receiver made from the driver.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { analyze } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'jobs.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('postgrejs: prepare(text) on a pool it creates, listen(channel, fn) on a typed and an acquired connection', () => {
  const text = [
    "import { Connection, Pool } from 'postgrejs';",
    'const pool = new Pool({ host: process.env.PGHOST });',
    'let feed: Connection;',
    'export async function run() {',
    "  const byId = await pool.prepare('select * from orders where id = $1');",
    '  await byId.execute({ params: [1] });',
    "  await feed",
    "    .listen('orders', (msg) => console.log(msg));",
    "  pool.acquire().then(async (conn) => conn.listen('audit', onAudit));",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement prepare',
    'listen listen',
    'listen listen',
  ]);
  // A chained call is reported on the line of its `.listen(`, not of the receiver above it.
  const lines = analyze(text, 'typescript', {}, 'jobs.ts').map((f) => text.slice(0, f.start).split('\n').length);
  assert.deepEqual(lines, [5, 8, 9]);
});

test('ts-postgres: prepare of a text or a query object on its Client is a named statement', () => {
  const text = [
    "import { Client } from 'ts-postgres';",
    'export async function load(client: Client) {',
    "  const one = await client.prepare('select $1::int as i');",
    "  const two = await client.prepare({ text: 'insert into t values ($1)' });",
    '  await one.execute([1]); await two.execute([2]);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement prepare',
    'protocol-prepared-statement prepare',
  ]);
});

test('prepare and listen of other objects give nothing: express app.listen, an ORM prepare, a driver not imported', () => {
  const text = [
    "import express from 'express';",
    "import { Pool } from 'postgrejs';",
    'const app = express();',
    "app.listen(3000, () => console.log('up'));",
    "server.listen('/tmp/app.sock', () => undefined);",
    "const stmt = db.prepare('select 1');",
    'const pool = new Pool();',
    "pool.listen(3000);",
  ].join('\n');
  assert.deepEqual(found(text), []);
  const unrelated = [
    "import { Client } from 'other-db';",
    'const client = new Client();',
    "client.prepare('select 1');",
    "client.listen('ch', () => 1);",
  ].join('\n');
  assert.deepEqual(found(unrelated), []);
});

test('sql-template-strings: SQL`…`.setName(name) sent to a query is a named statement; a name only read back, or no name, is not', () => {
  const text = [
    "const SQL = require('sql-template-strings');",
    "const { Client } = require('pg');",
    'const client = new Client(process.env.DATABASE_URL);',
    'export async function byId(id) {',
    "  await client.query(SQL`SELECT * FROM users WHERE id = ${id}`.setName('user_by_id'));",
    '  await client.query(SQL`SELECT * FROM users WHERE id = ${id}`);',
    "  return SQL`SELECT 1`.setName('probe').name;",
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'users.js'), ["protocol-prepared-statement SQL`SELECT * FROM users WHERE id = ${id}`.setName('user_by_id')"]);
});

test("a driver's own package: its tests import the driver from its own source, and a Client typed so prepares by name", (t) => {
  const repo = scratchRepository('own-driver', t);
  const spec = [
    "import { test } from './fixtures.js';",
    "import { Client } from '../src/index.js';",
    'async function insertTwice(client: Client) {',
    "  const stmt = await client.prepare('insert into items values ($1)');",
    '  await stmt.execute([1]); await stmt.execute([2]);',
    '}',
    "test('select', async ({ db }) => { await db.prepare('select 1'); });",
  ].join('\n');
  repo.mkdir('driver/test');
  repo.write('driver/package.json', JSON.stringify({ name: 'ts-postgres' }));
  // The Client-typed receiver is the driver's; `db`, typed nowhere in the file, is not taken for one.
  assert.deepEqual(found(spec, repo.path('driver', 'test', 'insert.test.ts')), ['protocol-prepared-statement prepare']);
  // The driver's own source implements the API (a pool forwarding prepare to a connection): not its user.
  const forwarding = [
    "import { Connection } from './connection.js';",
    'export class Pool {',
    '  async prepare(sql: string) {',
    '    const conn: Connection = await this.acquire();',
    '    return conn.prepare(sql);',
    '  }',
    '}',
  ].join('\n');
  repo.mkdir('driver/src');
  assert.deepEqual(found(forwarding, repo.path('driver', 'src', 'pool.ts')), []);
  assert.deepEqual(found(forwarding, repo.path('driver', 'examples', 'pool.ts')), ['protocol-prepared-statement prepare']);
  // The same text in an application's package: its own Client class is not the driver's.
  repo.mkdir('app/test');
  repo.write('app/package.json', JSON.stringify({ name: 'orders-service' }));
  assert.deepEqual(found(spec, repo.path('app', 'test', 'insert.test.ts')), []);
});

test("pg-native: prepare(name, text, n, cb) / prepareSync(name, text, n) on its Client parse a named statement that execute() runs later", () => {
  const text = [
    "const Client = require('pg-native');",
    'const client = new Client();',
    'client.connectSync(process.env.DATABASE_URL);',
    "client.prepare('by_id', 'SELECT * FROM users WHERE id = $1', 1, (err) => {",
    "  client.execute('by_id', [1], done);",
    '});',
    "client.prepareSync('boom', 'SELECT $1::text AS name', 1);",
    "client.executeSync('boom', ['Brian']);",
  ].join('\n');
  assert.deepEqual(found(text, 'worker.js'), ['protocol-prepared-statement prepare', 'protocol-prepared-statement prepareSync']);
  // An import of the module under another capitalised name, and a TypeScript default import, are its Client too.
  const typed = [
    "import Native from 'pg-native';",
    'export class Store {',
    '  private conn = new Native();',
    '  load() { this.conn.prepareSync(`user_${1}`, QUERY, 1); }',
    '}',
  ].join('\n');
  assert.deepEqual(found(typed, 'store.ts'), ['protocol-prepared-statement prepareSync']);
});

test('pg-native: the unnamed statement, a prepare of another shape or of another object, and pg-native code in the test folder on PG* defaults give nothing', (t) => {
  const text = [
    "const Client = require('pg-native');",
    "const Libpq = require('libpq');",
    'const client = new Client();',
    "client.prepareSync('', 'SELECT 1', 0);",
    "client.prepare('SELECT 1');",
    'const db = openOther();',
    "db.prepare('by_id', 'SELECT 1', 0, done);",
    "db.prepareSync('by_id', 'SELECT 1', 0);",
  ].join('\n');
  assert.deepEqual(found(text, 'worker.js'), []);
  // Without pg-native imported, a Client's prepare(name, text, n) is another library's.
  assert.deepEqual(found(text.replace("require('pg-native')", "require('other-db')"), 'worker.js'), []);
  // pg-native's own package: its bench scripts (development code) keep the finding, its tests on PG* defaults do not (ruling 4).
  const repo = scratchRepository('pg-native', t);
  repo.write('package.json', JSON.stringify({ name: 'pg-native' }));
  const own = [
    "var Client = require('../')",
    'var client = new Client()',
    'client.connectSync()',
    "client.prepareSync('boom', 'SELECT $1::text as name', 1)",
    "client.executeSync('boom', ['Brian'])",
  ].join('\n');
  repo.mkdir('bench');
  assert.deepEqual(found(own, repo.path('bench', 'leaks.js')), ['protocol-prepared-statement prepareSync']);
  repo.mkdir('test');
  assert.deepEqual(found(own, repo.path('test', 'prepare.js')), []);
  // The package's own source implements the API on libpq: not a user of it.
  assert.deepEqual(found(own, repo.path('lib', 'client.js')), []);
});

test("@effect/sql-pg: PgClient's listen(channel), called or handed uncalled to a pipe or a flatMap, sends LISTEN", () => {
  const text = [
    "import { PgClient } from '@effect/sql-pg';",
    "import { Effect, Stream, pipe } from 'effect';",
    'export const follow = (db: PgClient.PgClient, topic: string) =>',
    '  pipe(topic, db.listen, Stream.runForEach((payload) => Effect.log(payload)));',
    "export const audits = (db: PgClient.PgClient) => Effect.succeed('audit').pipe(Effect.map(db.listen));",
    'export const orders = Effect.gen(function* () {',
    '  const sql = yield* PgClient.PgClient;',
    "  return sql.listen('orders');",
    '});',
  ].join('\n');
  assert.deepEqual(found(text), ['listen listen', 'listen listen', 'listen listen']);
  const lines = analyze(text, 'typescript', {}, 'jobs.ts').map((f) => text.slice(0, f.start).split('\n').length);
  assert.deepEqual(lines, [4, 5, 8]);
});

test("@effect/sql-pg: another object's listen, a listen not from its PgClient, and listen names passed around elsewhere give nothing", () => {
  const text = [
    "import { PgClient } from '@effect/sql-pg';",
    "import { HttpServer } from './http';",
    "import { Effect, pipe } from 'effect';",
    'export const layer = PgClient.layer({ url: process.env.DATABASE_URL });',
    'export const serve = (server: HttpServer, port: number) => pipe(port, server.listen);',
    "export const hear = (bus: { listen: (c: string) => void }) => bus.listen('orders');",
    'export const both = (db: PgClient.PgClient) => db.notify(\'orders\', \'{}\');',
  ].join('\n');
  assert.deepEqual(found(text), []);
  // Without the import, a PgClient-typed name is another library's.
  assert.deepEqual(found([
    "import { PgClient } from './own-client';",
    "export const follow = (db: PgClient, topic: string) => pipe(topic, db.listen);",
    "export const once = (db: PgClient) => db.listen('orders');",
  ].join('\n')), []);
});
