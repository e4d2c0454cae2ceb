// SQL that reaches the driver through an object the project writes around its client (wrapperObjects.ts): a
// factory's returned object (`gateway(conn).send(text)`), an instance of its own class, an object literal of helpers,
// a closure a factory returns, a method inherited from a base class of another module — in the same file or imported
// (default and named exports, CommonJS, re-exports). The statement is judged on the client the wrapper really sends on
// (the factory's or the constructor's argument): a pool, one held connection inside BEGIN … COMMIT, a test's local database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test("a method of the object a factory returns sends its caller's text on the factory's client", () => {
  const text = [
    "import { Pool, PoolClient } from 'pg';",
    'function gateway(conn: Pool | PoolClient) {',
    '  return {',
    '    async send(statement: string, ...params: unknown[]) { await conn.query(statement, params); },',
    '    async first(statement: string) { const r = await conn.query(statement); return r.rows[0]; },',
    '  };',
    '}',
    'export async function signIn(ctx: { conn: PoolClient }) {',
    "  await gateway(ctx.conn).send('SET ROLE member');",
    "  const g = gateway(ctx.conn);",
    "  await g.first('SELECT pg_advisory_lock(7)');",
    "  await g.send('SELECT 1');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE member', 'advisory-lock pg_advisory_lock']);
});

test("a method of the project's own class, made in place, held in a name or at the top level, sends on what its constructor was given", () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'class Runner {',
    '  constructor(private readonly db: Pool) {}',
    '  async perform(statement: string) { return this.db.query(statement); }',
    '}',
    'class Sender {',
    '  private db: Pool;',
    '  constructor(db: Pool) { this.db = db; }',
    '  async push(statement: string) { return this.db.query(statement); }',
    '}',
    'const shared = new Runner(pool);',
    'export async function a() { await new Runner(pool).perform("SET search_path TO ledger"); }',
    'export async function b() { const s = new Sender(pool); await s.push("SET TIME ZONE \'UTC\'"); }',
    'export async function c() { await shared.perform("LISTEN ledger_events"); }',
  ].join('\n');
  assert.deepEqual(found(text).map((f) => f.split(' ')[0]), ['session-set', 'session-set', 'listen']);
});

test("a field holding the project's wrapper, filled in the constructor or declared as its class, sends through it", () => {
  const text = [
    "import { Pool } from 'pg';",
    'class Executor { constructor(private readonly db: Pool) {} run(statement: string) { return this.db.query(statement); } }',
    'class Reports {',
    '  private executor: Executor;',
    '  constructor(pool: Pool) { this.executor = new Executor(pool); }',
    "  async scope() { await this.executor.run('SET search_path TO reports'); }",
    '}',
    'class Audit {',
    '  constructor(private readonly executor: Executor) {}',
    "  async scope() { await this.executor.run('SET ROLE auditor'); }",
    "  async read() { await this.executor.run('SELECT 1'); }",
    '}',
    'export { Reports, Audit };',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET search_path TO reports', 'session-set SET ROLE auditor']);
});

test('an object literal of helpers and a closure a factory returns send their text too', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'const store = {',
    '  run(statement: string) { return pool.query(statement); },',
    '  go: async (statement: string) => { const started = Date.now(); try { return await pool.query(statement); } finally { console.log(Date.now() - started); } },',
    '};',
    'function timed(db: Pool) { return async (statement: string) => { console.time(statement); const r = await db.query(statement); console.timeEnd(statement); return r; }; }',
    'const exec = timed(pool);',
    'export async function main() {',
    "  await store.run('SET search_path TO a');",
    "  await store.go('SET search_path TO b');",
    "  await exec('SET search_path TO c');",
    "  await timed(pool)('SET search_path TO d');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET search_path TO a', 'session-set SET search_path TO b', 'session-set SET search_path TO c', 'session-set SET search_path TO d']);
});

test("a method that does not send its parameter, or an object the project does not make, is not followed", () => {
  const text = [
    "import { Pool } from 'pg';",
    "import { makeGateway } from 'some-gateway-package';",
    'const pool = new Pool();',
    'const log = { send(statement: string) { console.log(statement); return pool.query("SELECT 1"); } };',
    'class Cache { constructor(private db: Pool) {} put(key: string) { return this.db.query("SELECT $1::text", [key]); } }',
    'export async function main() {',
    "  await log.send('SET search_path TO a');",
    "  await new Cache(pool).put('SET search_path TO b');",
    "  await makeGateway(pool).send('SET search_path TO c');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('the statement takes the kind of the client the wrapper sends on: one held connection in a transaction, or a pool', () => {
  const text = [
    "import { Pool, PoolClient } from 'pg';",
    'class Runner { constructor(private readonly db: Pool | PoolClient) {} perform(statement: string) { return this.db.query(statement); } }',
    'const gateway = (db: Pool | PoolClient) => ({ send: (statement: string) => db.query(statement) });',
    'export async function transfer(pool: Pool) {',
    '  const held = await pool.connect();',
    '  const runner = new Runner(held);',
    "  await runner.perform('BEGIN');",
    "  await runner.perform(\"SET LOCAL statement_timeout = '5s'\");",
    "  await runner.perform('COMMIT');",
    "  await gateway(held).send('BEGIN');",
    "  await gateway(held).send(\"SET LOCAL lock_timeout = '1s'\");",
    "  await gateway(held).send('COMMIT');",
    '  held.release();',
    "  await gateway(pool).send('BEGIN');",
    "  await gateway(pool).send(\"SET LOCAL lock_timeout = '2s'\");",
    "  await gateway(pool).send('COMMIT');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["set-local-outside-transaction SET LOCAL lock_timeout = '2s'"]);
});

test("wrappers imported from other modules of the project: a default-exported factory, a re-exported class, CommonJS objects, an inherited method", (t) => {
  const project = scratchRepository('wrapper-objects', t);
  project.write('src/db/gateway.ts', [
    "import { Pool, PoolClient } from 'pg';",
    'export default function gateway(conn: Pool | PoolClient) {',
    '  return { async send(statement: string, ...params: unknown[]) { await conn.query(statement, params); } };',
    '}',
  ]);
  project.write('src/db/runner.ts', [
    "import { Pool } from 'pg';",
    'export class Runner { constructor(protected db: Pool) {} async perform(statement: string) { return this.db.query(statement); } }',
  ]);
  project.write('src/db/index.ts', ["export { Runner } from './runner';", "export { default as gateway } from './gateway';"]);
  project.write('lib/store.js', [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    'const store = { run(statement) { return pool.query(statement); } };',
    'module.exports = { store };',
  ]);
  const caller = [
    "import { Pool, PoolClient } from 'pg';",
    "import gateway from './db/gateway';",
    "import { Runner, gateway as viaIndex } from './db';",
    "import { Runner as Base } from './db/runner';",
    "const { store } = require('../lib/store');",
    'class Accounts extends Base { async scope() { await this.perform("SET search_path TO accounts"); } }',
    'export async function go(conn: PoolClient, pool: Pool) {',
    "  await gateway(conn).send('SET ROLE reader');",
    "  await viaIndex(conn).send('SET ROLE writer');",
    "  await new Runner(pool).perform('LISTEN jobs');",
    "  await store.run('SELECT pg_advisory_lock(3)');",
    '  return Accounts;',
    '}',
  ].join('\n');
  const file = project.write('src/app.ts', caller);
  assert.deepEqual(embeddedFindings(caller, file).map(([rule, at]) => `${rule} ${at}`), [
    'session-set SET search_path TO accounts',
    'session-set SET ROLE reader',
    'session-set SET ROLE writer',
    'listen LISTEN jobs',
    'advisory-lock pg_advisory_lock',
  ]);
});

test("a test's wrapper around a client of the suite's local test database sends nothing a pooler breaks; around another host it does", (t) => {
  const project = scratchRepository('wrapper-objects-test-db', t);
  project.write('.env.test', 'TEST_DATABASE_URL=postgres://app:secret@localhost:5432/app_test\n');
  const suite = (variable: string) => [
    "import { Client } from 'pg';",
    'class Executor { constructor(private readonly conn: Client) {} async execute(statement: string) { return this.conn.query(statement); } }',
    'const wrap = (conn: Client) => ({ send: (statement: string) => conn.query(statement) });',
    "test('scoped', async () => {",
    `  const client = new Client({ connectionString: process.env.${variable} });`,
    '  await client.connect();',
    '  const executor = new Executor(client);',
    "  await executor.execute('SET search_path TO scratch');",
    "  await wrap(client).send('SET search_path TO scratch');",
    '});',
  ].join('\n');
  const local = suite('TEST_DATABASE_URL');
  assert.deepEqual(embeddedFindings(local, project.write('test/schema.test.ts', local)), []);
  // A single test connection on a variable nothing sets is the developer's own database too (fix19a's policy): the
  // shared one is a variable the repository's .env points at another machine.
  project.write('.env', 'SHARED_DATABASE_URL=postgres://app:secret@db.staging.example.com:5432/app\n');
  const shared = suite('SHARED_DATABASE_URL');
  assert.deepEqual(embeddedFindings(shared, project.write('test/shared.test.ts', shared)).map(([rule]) => rule), ['session-set', 'session-set']);
});
