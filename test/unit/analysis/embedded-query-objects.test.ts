// Queries reached through objects and helpers that carry their text or their statement name: subclasses of
// pg's Query / pg-cursor's Cursor given a named config, a choice between a named and an unnamed query object,
// runtimes' `{ sql }` configs in files that talk to PostgreSQL, `sql.raw(text)` helpers, and a `${…}` hole
// standing for the statement a PREPARE names.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a cursor subclass given a named config, also as one branch of a choice, is a protocol-level prepared statement', () => {
  const imported = [
    "import PgCursor from 'pg-cursor';",
    "import { StatementCursor } from './statement-cursor';",
    'export function open(conn, text: string, label?: string) {',
    '  return conn.query(label ? new StatementCursor({ name: label, text, values: [] }) : new PgCursor(text, []));',
    '}',
  ].join('\n');
  assert.deepEqual(found(imported), ['protocol-prepared-statement label']);
  // A subclass declared in the file, under a name that does not say cursor, held in a const first.
  const local = [
    "import { Query } from 'pg';",
    'class Reusable extends Query {}',
    'export function run(conn, text: string) {',
    "  const q = new Reusable({ name: 'by_id', text });",
    '  return conn.query(q);',
    '}',
  ].join('\n');
  assert.deepEqual(found(local), ["protocol-prepared-statement 'by_id'"]);
});

test('query objects without a name, with an empty name, or classes that are no query objects prepare nothing', () => {
  const text = [
    "import PgCursor from 'pg-cursor';",
    "import { StatementCursor } from './statement-cursor';",
    "import { Job } from './jobs';",
    'export function open(conn, queue, text: string, slow: boolean) {',
    '  conn.query(slow ? new StatementCursor({ text, values: [] }) : new PgCursor(text, []));',
    "  conn.query(new StatementCursor({ name: '', text }));",
    "  queue.execute(new Job({ name: 'nightly', text: 'send the report' }));",
    "  return conn.query(new StatementCursor('by_id', text));",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a runtime connection\'s execute({ sql }) is read as SQL in a file importing PostgreSQL code: session set_config is flagged', () => {
  const text = [
    "import { BaseRuntime } from '@acme/postgres/runtime';",
    'export class RoleRuntime extends BaseRuntime {',
    '  async bind(role: string) {',
    '    const conn = await this.acquire();',
    "    await conn.execute({ sql: 'SELECT set_config($1, $2, false)', params: ['role', role] });",
    "    await conn.execute({ sql: 'SELECT count(*) FROM items', params: [] });",
    '    return conn;',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
  // The same call under a name that does not run SQL sends nothing.
  assert.deepEqual(found(text.replace(/conn\.execute\(/g, 'conn.describe(')), []);
});

test('{ sql } objects in a file with no PostgreSQL import (plans handed to a fake in a unit test) are not read', () => {
  const text = [
    "import { makeRuntime } from '../src/runtime';",
    'export async function check() {',
    '  const raw = await makeRuntime().rawConnection();',
    "  await raw.query({ sql: 'SET LOCAL role = $1', params: ['viewer'] });",
    "  await raw.execute({ sql: 'SET search_path TO audit' });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('sql.raw(text) sends its text: a PREPARE held in a const and run on a pool is flagged, whatever statement a hole stands for', () => {
  const text = [
    "import { sql } from '@acme/sql-client';",
    'export async function parameterTypes(pool, query: string) {',
    '  const id = `probe_${Date.now()}`;',
    '  const prepareText = `prepare ${id} as ${query}`;',
    '  await pool.query(sql.raw(prepareText));',
    "  return pool.any(sql.raw('select 1'));",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['prepared-statement prepare ${id} as ${query}']);
  // Text sent raw that holds no hazard, and a raw() of something unknown, give nothing.
  assert.deepEqual(found(text.replace('prepare ${id} as ${query}', 'select ${id}, ${query}')), []);
  assert.deepEqual(found(text.replace('sql.raw(prepareText)', 'sql.raw(makeText())')), []);
});

test('a hole where only a statement fits lets the rest of the template be read; a hole for a value or a keyword is unchanged', () => {
  const text = [
    'export async function run(client, query: string, level: string) {',
    '  await client.query(`PREPARE plan_a AS ${query}`);',
    '  await client.query(`BEGIN ISOLATION LEVEL ${level}`);',
    '  await client.query(`SELECT * FROM t WHERE id = ${query}`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['prepared-statement PREPARE plan_a AS ${query}']);
});
