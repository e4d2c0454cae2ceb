// A driver's own tagged-template query methods (deno-postgres's client.queryArray`…`), and type-only
// test files (tsd / Vitest typecheck `*.test-d.ts`), which are never run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('queryArray`…` and queryObject`…` send their template: a temp table and a session SET TIME ZONE are found, also with the template on the next line', () => {
  const text = [
    "import { Client } from './driver.ts';",
    'export async function fill(client: Client) {',
    '  await client.queryArray`CREATE TEMP TABLE scratch (x int)`;',
    '  await client.queryArray`INSERT INTO scratch VALUES (1)`;',
    '  const { rows } = await client',
    "    .queryArray`SET TIME ZONE 'Asia/Tokyo'`;",
    '  return client.queryObject<{ x: number }>',
    '    `SELECT x FROM scratch`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['temp-table CREATE TEMP TABLE scratch (x int)', "session-set SET TIME ZONE 'Asia/Tokyo'"]);
});

test('a temp table made in a transaction handle that commits outlives it; one made ON COMMIT DROP does not', () => {
  const kept = [
    "import { Client } from './driver.ts';",
    'export async function run(client: Client) {',
    "  const tx = client.createTransaction('load');",
    '  await tx.begin();',
    '  await tx.queryArray`CREATE TEMP TABLE staging (id int)`;',
    '  await tx.queryArray`INSERT INTO staging VALUES (1)`;',
    '  await tx.commit();',
    '}',
  ].join('\n');
  assert.deepEqual(found(kept), ['temp-table CREATE TEMP TABLE staging (id int)']);
  const dropped = kept.replace('(id int)`', '(id int) ON COMMIT DROP`');
  assert.deepEqual(found(dropped), []);
});

test('a plain query`…` member is read only in a file that surely talks to PostgreSQL', () => {
  const body = 'export const scope = (db) => db.query`SET search_path TO tenant_a`;';
  assert.deepEqual(found(`import pg from 'pg';\n${body}`), ['session-set SET search_path TO tenant_a']);
  assert.deepEqual(found(body), []);
});

test('query-member tags holding a sentence, a GraphQL document, a lone hole or broken SQL give nothing (no syntax errors either)', () => {
  const text = [
    "import pg from 'pg';",
    'export const a = (ui) => ui.queryArray`Set the time zone first`;',
    'export const b = (api) => api.query`query { listen { id } }`;',
    'export const c = (db, statement) => db.queryObject`${statement}`;',
    'export const d = (db) => db.queryArray`SELECT FROM WHERE`;',
    'export const e = (db) => db.execute`LISTEN`;',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('type-only test files (*.test-d.ts, *.spec-d.tsx) get no findings; the same code in a test that runs does', () => {
  const text = [
    "import postgres from 'postgres';",
    // Not a loopback host: in a test file that would be the suite's local test database (localTestDatabases.ts).
    "const sql = postgres('postgres://db.internal/app');",
    'export const check = () => sql`SET search_path TO tenant_a`;',
  ].join('\n');
  assert.deepEqual(found(text, 'client.test-d.ts'), []);
  assert.deepEqual(found(text, 'client.spec-d.tsx'), []);
  assert.deepEqual(found(text, 'client.test.ts').map((f) => f.split(' ')[0]).sort(), ['protocol-prepared-statement', 'session-set']);
});

test('an ORM\'s $-prefixed raw members (db.$query`…`, db.$queryArrays`…`) send their template, also where the file names no driver; not in a MySQL file', () => {
  const body = [
    'export async function tenant(db) {',
    "  await db.$query`SELECT set_config('app.tenant', 'acme', false)`;",
    "  await db.$queryArrays`SET statement_timeout = 0`;",
    "  return db.$query`SELECT set_config('app.scoped', 'x', true)`;",
    '}',
  ].join('\n');
  const expected = ['session-set set_config', 'session-set SET statement_timeout = 0'];
  assert.deepEqual(found(`import pg from 'pg';\n${body}`), expected);
  assert.deepEqual(found(`import { orm } from './orm';\n${body}`), expected);
  assert.deepEqual(found(`import mysql from 'mysql2/promise';\n${body}`), []);
});

test('a $-prefixed member named otherwise ($exec) or whose template opens no statement ($queryKey`users …`, prose) gives nothing', () => {
  const text = [
    "export const a = (store) => store.$queryKey`users ${1}`;",
    "export const b = (db) => db.$exec`SET search_path TO x`;",
    "export const c = (db) => db.$query`Set up the tenant first`;",
  ].join('\n');
  assert.deepEqual(found(text), []);
});
