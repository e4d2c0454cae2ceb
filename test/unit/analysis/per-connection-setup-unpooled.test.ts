// Per-connection setup on a server no pooler fronts: pg's pool hands its 'connect' handler each new connection
// once, before any query, and knex's `searchPath` option sends `SET search_path` on each connection knex opens.
// On a server the test code reaches directly (its local test database, a server it started) every connection gets
// the setting and keeps it: nothing leaks and nothing is missing. Behind a transaction pooler both break, so a pool
// of the application's database keeps these findings, and a SET sent through the pool itself (not in the handler)
// stays a finding on any pool (each query may take another connection).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('per-connection-setup-unpooled', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

const suite = (url: string) => [
  "import pg from 'pg';",
  "import makeKnex from 'knex';",
  "describe('reconnects', () => {",
  "  it('times idle sessions out', async () => {",
  `    const pool = new pg.Pool({ connectionString: ${url} });`,
  "    pool.on('connect', (conn) => {",
  "      void conn.query(\"SET idle_session_timeout = '2s'\");",
  '    });',
  "    await pool.query('SET statement_timeout = 1000');",
  `    const db = makeKnex({ client: 'pg', connection: ${url}, searchPath: ['inventory', 'public'] });`,
  '  });',
  '});',
];

test("a pool 'connect' handler's SET and knex's searchPath on the test's local database get no finding; a SET through the pool does", () => {
  repo.write('local/package.json', '{"name": "local"}');
  const file = repo.write('local/test/reconnect.test.ts', suite("'postgres://app:app@localhost:5432/app_test'"));
  assert.deepEqual(findingsOf(file), ['session-set 9']);
});

test("the same handler and option on the application's database URL keep their findings", () => {
  repo.write('pooled/package.json', '{"name": "pooled"}');
  const file = repo.write('pooled/test/reconnect.test.ts', suite('process.env.DATABASE_URL'));
  assert.deepEqual(findingsOf(file), ['session-set 7', 'session-set 9', 'session-set 10']);
});

test("a handler of another event than 'connect' is not per-connection setup", () => {
  repo.write('other/package.json', '{"name": "other"}');
  const lines = suite("'postgres://app:app@localhost:5432/app_test'").map((line) => line.replace("pool.on('connect'", "pool.on('release'"));
  const file = repo.write('other/test/reconnect.test.ts', lines);
  assert.deepEqual(findingsOf(file), ['session-set 7', 'session-set 9']);
});
