// Neon's HTTP query function (`neon(url)` of `@neondatabase/serverless`) used as a tag under any name: made in the
// file, handed out by a function of the file, or exported by a module of the project (a client, or a function that
// caches and returns one). Each template it tags is an HTTP request of its own, so a session `set_config(…, false)` is
// left on whichever pooled connection ran it and a lone `set_config(…, true)` ends with its request. A tag that is not
// Neon's (another package's `neon`, a renderer's tag) stays unread, and a Neon client is never a listener.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('neon-http-tags', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)} ${text.slice(0, f.start).split('\n').length}`);
}

test('a neon() client made in the file under another name tags SQL', () => {
  assert.deepEqual(findingsOf('billing/src/tenant.ts', [
    "import { neon as httpQuery } from '@neondatabase/serverless';",
    'export async function enterTenant(tenant: string) {',
    '  const http = httpQuery(process.env.DATABASE_URL!);',
    "  await http`SELECT set_config('app.tenant', ${tenant}, false)`;",
    '}',
  ]), ['session-set set_config 4']);
});

test('a neon() client a module of the project caches and hands out tags SQL where a caller uses it', () => {
  repo.write('ledger/lib/database/connection.ts', [
    "import { neon } from '@neondatabase/serverless';",
    'let cached: ReturnType<typeof neon> | null = null;',
    'export function httpClient(): ReturnType<typeof neon> {',
    '  if (!cached) {',
    "    if (!process.env.DATABASE_URL) throw new Error('missing url');",
    '    cached = neon(process.env.DATABASE_URL);',
    '  }',
    '  return cached;',
    '}',
    'export const shared = neon(process.env.DATABASE_URL!);',
  ]);
  assert.deepEqual(findingsOf('ledger/lib/auth/scope.ts', [
    "import { httpClient, shared } from '../database/connection';",
    'export async function scopeTo(account: string) {',
    '  const q = httpClient();',
    "  await q`SELECT set_config('ledger.account', ${account}, false)`;",
    '}',
    'export async function unscope() {',
    '  const q = httpClient();',
    "  await q`SELECT set_config('ledger.account', '', true)`;",
    "  await shared`SELECT set_config('ledger.role', '', true)`;",
    '}',
  ]), [
    'session-set set_config 4',
    'set-local-outside-transaction set_config 8',
    'set-local-outside-transaction set_config 9',
  ]);
});

test('a CommonJS module handing out a required neon() client', () => {
  repo.write('jobs/db.js', [
    "const { neon } = require('@neondatabase/serverless');",
    'function client() { return neon(process.env.DATABASE_URL); }',
    'module.exports = { client };',
  ]);
  assert.deepEqual(findingsOf('jobs/nightly.js', [
    "const { client } = require('./db');",
    'async function run(owner) {',
    '  const conn = client();',
    "  await conn`SELECT set_config('jobs.owner', ${owner}, false)`;",
    '}',
    'module.exports = { run };',
  ]), ['session-set set_config 4']);
});

test('a tag of another package named neon, or a project function returning something else, is not SQL', () => {
  repo.write('site/lib/render.ts', [
    "import { neon } from 'glow-effects';",
    'export function styled() { return neon({ color: "pink" }); }',
  ]);
  assert.deepEqual(findingsOf('site/lib/page.ts', [
    "import { neon } from 'glow-effects';",
    "import { styled } from './render';",
    'export function banner(name: string) {',
    '  const glow = neon({ color: "blue" });',
    '  const s = styled();',
    "  return [glow`SELECT set_config('x.y', ${name}, false)`, s`SELECT set_config('x.y', ${name}, false)`];",
    '}',
  ]), []);
});

test('listen() on an imported neon() client is no LISTEN (the HTTP function has none)', () => {
  repo.write('feed/src/db.ts', [
    "import { neon } from '@neondatabase/serverless';",
    'export const sql = neon(process.env.DATABASE_URL!);',
  ]);
  assert.deepEqual(findingsOf('feed/src/watch.ts', [
    "import { sql } from './db';",
    'export async function watch() {',
    "  await sql.listen('orders', () => undefined);",
    '}',
  ]), []);
});

test('a function returning the assignment that fills its cache (`??=`, `||=`, `=`) hands out the neon() client', () => {
  repo.write('atlas/lib/pg.ts', [
    "import { neon } from '@neondatabase/serverless';",
    'let memo: ReturnType<typeof neon> | undefined;',
    'let spare: ReturnType<typeof neon> | undefined;',
    'let last: ReturnType<typeof neon> | undefined;',
    'export function reader() { return memo ??= neon(process.env.READ_URL!); }',
    'export const writer = () => (spare ||= neon(process.env.WRITE_URL!));',
    'export function fresh() { return (last = neon(process.env.DATABASE_URL!)); }',
  ]);
  assert.deepEqual(findingsOf('atlas/app/scope.ts', [
    "import { reader, writer, fresh } from '../lib/pg';",
    'export async function pin(team: string) {',
    "  await reader()`SELECT set_config('atlas.team', ${team}, false)`;",
    '  const w = writer();',
    "  await w`SELECT set_config('atlas.team', ${team}, false)`;",
    "  await fresh()`SELECT set_config('atlas.team', ${team}, false)`;",
    '}',
  ]), ['session-set set_config 3', 'session-set set_config 5', 'session-set set_config 6']);
});

test("a cache filled by assignment with a value that is not neon()'s hands out nothing known", () => {
  repo.write('atlas/lib/other.ts', [
    "import { neon } from '@neondatabase/serverless';",
    "import { render } from './render';",
    'let memo: unknown;',
    'export function styled() { return memo ??= render(); }',
    'export const unused = neon;',
  ]);
  assert.deepEqual(findingsOf('atlas/app/page.ts', [
    "import { styled } from '../lib/other';",
    'export async function show(team: string) {',
    "  await styled()`SELECT set_config('atlas.team', ${team}, false)`;",
    '}',
  ]), []);
});
