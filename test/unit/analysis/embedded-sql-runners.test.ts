// SQL sent through drivers and wrappers named for running SQL: pgwire-style `{ statement }` configs, methods
// and functions named as SQL runners (`executeRaw`, `runSql`, `runQuery`, `all` in a PostgreSQL file),
// element texts joined from `map`/`Array.from`, postgres.js `unsafe(…, { prepare: true })`, `listen(channel)`
// on any client that tags SQL in a PostgreSQL file, and tags declared with a PostgreSQL-named type.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a { statement } query config is read by its text, written in place or returned by a getter', () => {
  const inPlace = [
    "import * as wire from 'some-wire-driver';",
    'export async function subscribe(conn: wire.Connection, topics: string[]) {',
    '  for (const topic of topics) await conn.query({ statement: `LISTEN ${topic}` });',
    "  await conn.query({ statement: 'SET lock_timeout = 500', params: [] });",
    '}',
  ].join('\n');
  assert.deepEqual(found(inPlace), ['listen LISTEN ${topic}', 'session-set SET lock_timeout = 500']);
  const getter = [
    'export class Store {',
    '  constructor(private readonly tenant?: string) {}',
    '  get pathStatement() {',
    '    if (!this.tenant) return;',
    '    return { statement: `SET search_path TO ${this.tenant}` };',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(getter), ['session-set SET search_path TO ${this.tenant}']);
});

test('a { statement } that is no SQL (a policy, a sentence) or holds no hazard is not flagged', () => {
  const text = [
    "export const allow = (iam) => iam.execute({ statement: 'listen to the customer first' });",
    "export const grant = (iam) => iam.query({ statement: { effect: 'Allow', action: 'set' } });",
    "export const count = (conn) => conn.query({ statement: 'SELECT count(*) FROM jobs' });",
    'export const label = () => ({ statement: "Set the default role" });',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('methods named for running SQL text (executeRaw, executeUnprepared, runSql, runQuery) are read as wrappers', () => {
  const text = [
    'export function unlockAll(conn) {',
    "  return conn.executeRaw('SELECT pg_advisory_unlock_all()', []);",
    '}',
    'export function useSchema(driver, schema) {',
    "  return driver.runSql('SET search_path TO ' + schema);",
    '}',
    'export const wait = (conn) => conn.executeUnprepared(`LISTEN jobs`, [], undefined);',
    "export const tz = (db) => db.runQuery('SET TIME ZONE UTC');",
  ].join('\n');
  assert.deepEqual(found(text, 'f.js'), [
    'advisory-lock pg_advisory_unlock_all', "session-set SET search_path TO ' + schema", 'listen LISTEN jobs', 'session-set SET TIME ZONE UTC',
  ]);
});

test('runner methods with a non-statement text, a mistyped statement, or a SET LOCAL inside a transaction give nothing', () => {
  const text = [
    "export const log = (conn) => conn.executeRaw('Set up the lock table');",
    "export const broken = (conn) => conn.executeRaw('SELECT FROM WHERE');",
    "export const path = (conn) => conn.runSql('/tmp/schema.sql');",
    'export async function scoped(db) {',
    '  await db.transaction(async (tx) => {',
    "    await tx.executeRaw(\"SET LOCAL statement_timeout = '5s'\");",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'f.js'), []);
});

test('all() with a session SET is read in a file that surely talks to PostgreSQL, not elsewhere; exec() is not', () => {
  const body = [
    'module.exports = {',
    '  useSchema(schema) {',
    "    return this.all('SET search_path TO ' + schema);",
    '  },',
    '  quote(name) {',
    "    return this.runSql(util.format('SET search_path TO %s', name));",
    '  },',
    '  inProcess(role) {',
    '    return this.exec(`SET ROLE ${role}`);',
    '  },',
    '};',
  ];
  const withPg = ["const pg = require('pg');", "const util = require('util');", ...body].join('\n');
  const both = ["session-set SET search_path TO ' + schema", 'session-set SET search_path TO %s'];
  assert.deepEqual(found(withPg, 'driver.js'), both);
  // No PostgreSQL driver, no PostgreSQL path: `all` may be any other database's.
  assert.deepEqual(found(["const util = require('util');", ...body].join('\n'), 'driver.js'), ['session-set SET search_path TO %s']);
  // A PostgreSQL path is enough (a test of the PostgreSQL driver).
  assert.deepEqual(found(["const util = require('util');", ...body].join('\n'), 'test/pg_driver.js'), both);
});

test('a function defined elsewhere and named for running a query is read as a wrapper, through its connection argument', () => {
  const text = [
    "import { rquery, dbQuery } from './run.js';",
    "import { connect } from 'some-wire-driver';",
    'export async function snapshotConnection(options) {',
    '  const conn = await connect(options);',
    '  await rquery(conn, `set session idle_session_timeout = 0`);',
    "  await dbQuery(conn, 'LISTEN changes');",
    '  return conn;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set session idle_session_timeout = 0', 'listen LISTEN changes']);
});

test('a local function with a query-like name is read by what it does, and other names are no runners', () => {
  const text = [
    "const runQuery = (parts) => parts.join(' ');",
    "export const a = () => runQuery(['SET', 'ROLE', 'admin']);",
    "export const b = () => runQuery('SET ROLE admin');",
    "export const c = () => formatSql('SET ROLE admin');",
    "export const d = () => parseQuery('LISTEN jobs');",
    "export const e = () => isQuery('SET ROLE admin');",
    "export const f = () => toQuery('SET ROLE admin');",
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('texts joined from map() or Array.from() are read from the element each callback makes', () => {
  const text = [
    'const locks = (keys: Map<number, string>) =>',
    '  Array.from(keys.entries(), ([key, alias]) => `pg_try_advisory_lock(${key}) AS "${alias}"`).join(", ");',
    'const names = (ids: number[]) => ids.map((id) => `GET_LOCK(${id}, 0)`).join(", ");',
    'export async function take(conn, keys, ids) {',
    '  await conn.query(`SELECT ${locks(keys)}`);',
    '  await conn.query(`SELECT ${names(ids)}`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_try_advisory_lock']);
});

test('postgres.js unsafe(…, { prepare: true }) is a named prepared statement; prepare: false or no options is not', () => {
  const text = [
    "import postgres from 'postgres';",
    'const sql = postgres(url, { prepare: false });',
    'export const describe = (text: string) => sql.unsafe(text, [], { prepare: true }).describe();',
    'export const run = (text: string) => sql.unsafe(text, [], { prepare: false });',
    'export const plain = (text: string) => sql.unsafe(text);',
  ].join('\n');
  assert.deepEqual(found(text), ['protocol-prepared-statement true']);
  // A client preparing by default has its own finding: the option adds none.
  assert.deepEqual(found(text.replace('postgres(url, { prepare: false })', 'postgres(url)')), ['protocol-prepared-statement postgres']);
  // The client comes from elsewhere: the option alone says it.
  assert.deepEqual(found('export const d = (db: Db, q: string) => db.unsafe(q, [], { prepare: true });'), ['protocol-prepared-statement true']);
});

test('listen(channel) on a client that tags SQL in a PostgreSQL file sends LISTEN; an HTTP server or a non-tag does not', () => {
  const text = [
    "import { Pool } from 'pg';",
    "import { SqlClient } from 'some-framework/sql';",
    'export function* watch(channel: string) {',
    '  const sql = yield* SqlClient;',
    '  const rows = yield* sql<{ n: number }>`SELECT 1 AS n`;',
    '  return sql.listen(channel);',
    '}',
    'export function serve(app, port: number) {',
    '  app.listen(port);',
    "  app.listen('/tmp/app.sock');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen sql.listen(channel)']);
  // The framework's PostgreSQL entry point says it as well as the driver does.
  assert.deepEqual(found(text.replace("import { Pool } from 'pg';", "import { PgClient } from '@effect/sql-pg';")), ['listen sql.listen(channel)']);
  // Without a PostgreSQL driver or path the tag may be any database's.
  assert.deepEqual(found(text.replace("import { Pool } from 'pg';\n", '')), []);
});

test('a tag declared with a PostgreSQL-named type sends SQL: its SET ROLE is flagged, also after a comment and among other statements', () => {
  const text = [
    "import type { PostgresDB } from './types';",
    'let db: PostgresDB;',
    'export async function setUp(make: () => Promise<PostgresDB>) {',
    '  db = await make();',
    '  await db /* sql */ `',
    '    CREATE ROLE reader;',
    '    SET ROLE reader;',
    '  `.simple();',
    '  await db`SET statement_timeout = 1000`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE reader', 'session-set SET statement_timeout = 1000']);
  // Another type name (an HTML or GraphQL tag) sends nothing.
  assert.deepEqual(found(text.replace(/PostgresDB/g, 'HtmlTag')), []);
});
