// A postgres.js client that the code querying it does not create beside the query: a client another module of the
// project exports and this file uses as a tag under any name (`import { store } from './pg'`; ``store`…` ``), or the
// client a function hands out (`const conn = getConnection()`, ``openPool()`…` ``), whether that function is this
// file's or another module's (read from disk, ESM or CommonJS). Its templates are queries on that pool, so a
// transaction-local setting sent alone is lost and a session lock stays on one server connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('handed-out-clients', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'protocol-prepared-statement').map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

test('a client handed out by a getter of another module, or exported by it under any name, tags queries on a pool', () => {
  repo.write('billing/src/storage/pg.ts', [
    "import postgres from 'postgres';",
    'let pool: postgres.Sql | undefined;',
    'function ensure() {',
    '  pool ??= postgres(process.env.BILLING_DB!, { prepare: false });',
    '  return pool;',
    '}',
    'export function getConnection() { return ensure(); }',
    "export const store = postgres(process.env.BILLING_DB!, { prepare: false });",
    'export const openPool = () => postgres(process.env.BILLING_DB!, { prepare: false });',
  ]);
  assert.deepEqual(findingsOf('billing/src/tenancy.ts', [
    "import { getConnection, store, openPool } from './storage/pg';",
    'export async function scope(account: string) {',
    '  const conn = getConnection();',
    '  await conn`SET LOCAL billing.account = ${account}`;',
    "  await store`SELECT set_config('billing.account', ${account}, true)`;",
    '  await openPool()`SELECT pg_advisory_lock(42)`;',
    '}',
  ]), [
    'set-local-outside-transaction SET LOCAL billing.account = ${account}',
    'set-local-outside-transaction set_config',
    'advisory-lock pg_advisory_lock',
  ]);
});

test("a CommonJS module's exported client factory, and a getter of the file itself, hand out clients too", () => {
  repo.write('kiosk/lib/connection.js', [
    "const postgres = require('postgres');",
    'let cached = null;',
    'function connection() {',
    '  if (!cached) cached = postgres(process.env.KIOSK_URL, { prepare: false });',
    '  return cached;',
    '}',
    'module.exports = { connection };',
  ]);
  assert.deepEqual(findingsOf('kiosk/app/session.ts', [
    "const { connection } = require('../lib/connection');",
    'export async function mark(id: string) {',
    '  const db = await connection();',
    "  await db`SELECT set_config('kiosk.visitor', ${id}, true)`;",
    '}',
  ]), ['set-local-outside-transaction set_config']);
  assert.deepEqual(findingsOf('kiosk/app/local.ts', [
    "import postgres from 'postgres';",
    'const shared = postgres(process.env.KIOSK_URL!, { prepare: false });',
    'const current = () => shared;',
    'export async function hold() {',
    '  const db = current();',
    '  await db`SET LOCAL lock_timeout = 1000`;',
    '}',
  ]), ['set-local-outside-transaction SET LOCAL lock_timeout = 1000']);
});

test('BEGIN sent as a template on a handed-out pool opens nothing for the next template', () => {
  repo.write('depot/db.ts', [
    "import postgres from 'postgres';",
    'export default function database() { return postgres(process.env.DEPOT_URL!, { prepare: false }); }',
  ]);
  assert.deepEqual(findingsOf('depot/jobs.ts', [
    "import database from './db';",
    'export async function run() {',
    '  const db = database();',
    '  await db`BEGIN`;',
    '  await db`SET LOCAL work_mem = 65536`;',
    '}',
  ]), ['set-local-outside-transaction SET LOCAL work_mem = 65536']);
});

test("a handed-out client's transaction callback, other handed-out objects and other tags are not flagged", () => {
  repo.write('atlas/src/db.ts', [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'const client = postgres(process.env.ATLAS_URL!, { prepare: false });',
    'export const orm = drizzle(client);',
    'export const getOrm = () => orm;',
    'export const getClient = () => client;',
    "export function clientOrOrm(raw: boolean) { if (raw) return client; return orm; }",
  ]);
  repo.write('atlas/src/markup.ts', ['export const html = (parts: TemplateStringsArray) => parts.join("");']);
  assert.deepEqual(findingsOf('atlas/src/report.ts', [
    "import { getOrm, getClient, clientOrOrm } from './db';",
    "import { html } from './markup';",
    'export async function render(region: string) {',
    '  const db = getClient();',
    '  await db.begin(async (tx) => { await tx`SET LOCAL atlas.region = ${region}`; });',
    '  const orm = getOrm();',
    '  await orm`SET LOCAL atlas.region = ${region}`;',
    '  const maybe = clientOrOrm(true);',
    '  await maybe`SET LOCAL atlas.region = ${region}`;',
    '  return html`<p>SET LOCAL ${region}</p>`;',
    '}',
  ]), []);
});

test('a function every return of which hands out a postgres.js client hands out a client, as a choice of two does', () => {
  repo.write('replica/src/db.ts', [
    "import postgres from 'postgres';",
    'const client = postgres(process.env.ATLAS_URL!, { prepare: false });',
    "export function either(read: boolean) { if (read) return client; return postgres(process.env.ATLAS_RO!, { prepare: false }); }",
  ]);
  assert.deepEqual(findingsOf('replica/src/report.ts', [
    "import { either } from './db';",
    'export async function render(region: string) {',
    '  const maybe = either(true);',
    '  await maybe`SET LOCAL atlas.region = ${region}`;',
    '}',
  ]), ['set-local-outside-transaction SET LOCAL atlas.region = ${region}']);
});

// A variable declared with postgres.js's client type and filled in later by a function (a leader-election lock
// connection kept for the process) tags queries on the client it will hold; a variable of another type does not.
test("a variable declared with postgres.js's client type, assigned later, tags its queries", () => {
  const leader = (type: string) => [
    "import postgres from 'postgres';",
    `let lockClient: ${type} = null;`,
    'export async function becomeLeader() {',
    "  lockClient = postgres(process.env.DATABASE_URL!, { max: 1 });",
    '  return lockClient<{ locked: boolean }[]>`SELECT pg_try_advisory_lock(${42}) AS locked`;',
    '}',
  ];
  assert.deepEqual(findingsOf('src/leader.ts', leader('ReturnType<typeof postgres> | null')), ['advisory-lock pg_try_advisory_lock']);
  assert.deepEqual(findingsOf('src/leader2.ts', leader('postgres.Sql | null')), ['advisory-lock pg_try_advisory_lock']);
  assert.deepEqual(findingsOf('src/leader3.ts', leader('Map<string, number> | null')), []);
});

test("a getter of the file returning the assignment that fills its cache hands out the postgres.js client", () => {
  assert.deepEqual(findingsOf('depot/src/locks.ts', [
    "import postgres from 'postgres';",
    'let client: postgres.Sql | undefined;',
    'function db() { return client ||= postgres(process.env.DEPOT_DB!); }',
    'export async function guard() {',
    '  await db()`SELECT pg_advisory_lock(7)`;',
    '}',
  ]), ['advisory-lock pg_advisory_lock']);
});
