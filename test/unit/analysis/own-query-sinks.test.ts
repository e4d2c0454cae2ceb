// SQL a project sends through sinks of its own rather than a driver's query call: a query tag whose result is run
// later, an ORM's `db.query` tag, a client API's `sql(text)`, pg-promise methods given text that opens with a
// comment, and node-postgres's wire-protocol `parse`. A sink known only by its name is read only for text that is
// unmistakably a PostgreSQL session statement (a session advisory lock, LISTEN, set_config or a SET of a dotted
// setting): other text may be another database's (DuckDB and Redshift have a search_path too).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'jobs/worker.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a project\'s own query tag run later with .exec(client) is read when it takes or frees a session lock', () => {
  const text = [
    "import { query } from './builder';",
    'export async function holdSchedulerLock(db: Handle, key: number) {',
    '  await query`SELECT pg_try_advisory_lock(${key})`.exec(db);',
    '}',
    'export async function dropSchedulerLock(db: Handle, key: number) {',
    '  await query`SELECT pg_advisory_unlock(${key})`.exec(db);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_unlock']);
});

test('an own query tag holding text other databases run too, or no SQL at all, is not read', () => {
  const text = [
    "import { query } from './builder';",
    'export async function prepare(db: Handle) {',
    '  await query`CREATE TEMPORARY TABLE staging (id int)`.exec(db);',
    '  await query`SET NAMES utf8mb4`.exec(db);',
    '  await query`{ viewer { login } }`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('an ORM\'s db.query tag outside a PostgreSQL driver file is read for PostgreSQL session statements only', () => {
  const text = [
    "import type { Store } from '@acme/store';",
    'export const lockImports = async (store: Store) => {',
    '  await store.query`SELECT pg_advisory_lock(${42})`;',
    '  await store.query`CREATE TEMPORARY TABLE seen (id int)`;',
    '  await store.query`SET search_path TO staging`;',
    "  await store.query`SET SESSION \"acme.actor\" TO ${'importer'}`;",
    '};',
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock pg_advisory_lock', 'session-set SET SESSION "acme.actor" TO ${\'importer\'}']);
});

test('a client API function called sql(text) sends a LISTEN; other text through it is not read', () => {
  const text = [
    "import type { SqlApi } from './client';",
    'export async function probe(sql: SqlApi | undefined) {',
    "  const feed = await sql!('LISTEN price_changes', {}, { allowListen: true });",
    "  await sql!('CREATE TEMP TABLE scratch (x int)', {});",
    "  await sql!('SET NAMES latin1', {});",
    '  return feed;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN price_changes']);
});

test('text sent through pg-promise methods is read after the comments it opens with', () => {
  const text = [
    "import type { IDatabase } from 'pg-promise';",
    'export class Watcher {',
    '  constructor(private readonly conn: IDatabase<unknown>) {}',
    '  watch(channel: string) {',
    '    return this.conn.none(`/* watcher: keeps this session */\\nLISTEN $1~`, [channel]);',
    '  }',
    '  lock() {',
    "    return this.conn.one('-- name: take-lock\\nSELECT pg_advisory_lock(7)');",
    '  }',
    '  note() {',
    "    return this.conn.none('-- only a comment\\n' + suffix);",
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen LISTEN $1~', 'advisory-lock pg_advisory_lock']);
});

test('a named Parse through node-postgres\'s wire-protocol connection is a protocol prepared statement', () => {
  const submittable = (name: string, file = "import pg from 'pg';") => [
    file,
    'export class Describe {',
    '  constructor(private readonly text: string, private readonly label: string) {}',
    '  submit(connection: any) {',
    `    connection.parse({ name: ${name}, text: this.text, types: [] });`,
    "    connection.describe({ type: 'S', name: this.label });",
    '    connection.sync();',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(submittable('this.label')), ['protocol-prepared-statement this.label']);
  // The unnamed statement, or a file that is no PostgreSQL code (another parser's parse({ name, text })).
  assert.deepEqual(found(submittable("''")), []);
  assert.deepEqual(found(submittable('this.label', "import { Liquid } from 'liquidjs';")), []);
});
