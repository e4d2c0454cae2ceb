// A module of the project that hands on postgres.js itself (`import postgres from 'postgres'; export { postgres }`,
// `export { default as pg } from 'postgres'`, `module.exports = { postgres }`) and postgres.js's client type under a
// name of its own (`export type Db = ReturnType<typeof postgres>`): a call of that export where it is imported makes a
// postgres.js client (prepared by default), and a parameter declared with that type is one (its listen() sends LISTEN).
// A module's own function that happens to be called `postgres`, `export * from 'postgres'` (which hands on no default
// export), Neon's `neon` handed on, or a type of another driver gets none of that.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('postgres-js-re-exports', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

test("the driver called through a project module's namespace or a name imported from it makes a client that prepares by default", () => {
  repo.write('ledger/src/db/index.ts', [
    "import postgres from 'postgres';",
    'export { postgres };',
    'export function defaults(extra: postgres.Options<never> = {}) { return { idle_timeout: 20, ...extra }; }',
  ]);
  const made = findingsOf('ledger/src/pools.ts', [
    "import * as db from './db';",
    'export const ledger = db.postgres(process.env.DATABASE_URL!, db.defaults({ max: 8 }));',
  ]);
  assert.equal(made.length, 1);
  assert.match(made[0], /^protocol-prepared-statement db\.postgres$/);

  repo.write('audit/src/driver.ts', ["export { default as postgres, type Sql } from 'postgres';"]);
  const named = findingsOf('audit/src/store.ts', [
    "import { postgres } from './driver';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export const rows = () => sql`select id from audit_log`;',
  ]);
  assert.equal(named.length, 1);
  assert.match(named[0], /^protocol-prepared-statement postgres$/);

  repo.write('billing/lib/database.js', [
    "const postgres = require('postgres');",
    'module.exports = { postgres };',
  ]);
  const required = findingsOf('billing/lib/invoices.ts', [
    "const { postgres } = require('./database');",
    'export const invoices = postgres(process.env.DATABASE_URL);',
  ]);
  assert.equal(required.length, 1);
  assert.match(required[0], /^protocol-prepared-statement postgres$/);
});

test('listen() on a parameter declared with the client type a project module exports is a LISTEN on the pool', () => {
  repo.write('relay/src/db/index.ts', [
    "import postgres from 'postgres';",
    'export type Db<T extends Record<string, postgres.PostgresType> = {}> = ReturnType<typeof postgres<T>>;',
    "export type { Sql as Handle } from 'postgres';",
  ]);
  assert.deepEqual(findingsOf('relay/src/db/events.ts', [
    "import type { Db } from '.';",
    "import * as db from './index';",
    'export async function follow(conn: Db, channel: string, onEvent: (p: string) => void) {',
    '  return conn.listen(channel, onEvent);',
    '}',
    'export async function followAll(handle: db.Handle, onEvent: (p: string) => void) {',
    "  return handle.listen('all', onEvent);",
    '}',
  ]), ['listen conn.listen(channel, onEvent)', "listen handle.listen('all', onEvent)"]);
});

test("a project's own function named postgres, a star re-export of the driver, options that turn preparing off, or another driver's type get no finding", () => {
  repo.write('depot/src/db.ts', [
    "import { Pool } from 'pg';",
    "import type postgresJs from 'postgres';",
    'export function postgres(url: string) { return new Pool({ connectionString: url }); }',
    'export type Conn = Pool;',
    'export type Unused = postgresJs.Options<never>;',
  ]);
  assert.deepEqual(findingsOf('depot/src/app.ts', [
    "import * as db from './db';",
    "import type { Conn } from './db';",
    'export const pool = db.postgres(process.env.DATABASE_URL!);',
    'export function watch(conn: Conn, channel: string, fn: () => void) { return conn.listen(channel, fn); }',
  ]), []);

  repo.write('kiosk/src/db.ts', ["export * from 'postgres';"]);
  assert.deepEqual(findingsOf('kiosk/src/app.ts', [
    "import * as db from './db';",
    'export const sql = db.postgres(process.env.DATABASE_URL!);',
  ]), []);

  // Neon's HTTP function handed on the same way is no postgres.js factory: it prepares nothing.
  repo.write('atlas/src/db.ts', ["import { neon } from '@neondatabase/serverless';", 'import postgres from \'postgres\';', 'export { neon };', 'export const opts: postgres.Options<never> = {};']);
  assert.deepEqual(findingsOf('atlas/src/app.ts', [
    "import * as db from './db';",
    'export const query = db.neon(process.env.DATABASE_URL!);',
    'export const rows = () => query`select 1`;',
  ]), []);

  repo.write('press/src/db.ts', ["import postgres from 'postgres';", 'export { postgres };']);
  assert.deepEqual(findingsOf('press/src/app.ts', [
    "import * as db from './db';",
    'export const sql = db.postgres(process.env.DATABASE_URL!, { prepare: false });',
  ]), []);
});
