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
