// A test file that names a pooler may put one in front of the server it starts (a test of pooling itself), so its
// clients are not read as reaching that server directly. A pooler named only in the message of an error a stub throws,
// or in what an assertion expects of a response, starts nothing: the suite's own container stays its own. A pooler
// named in a comment, a test title, a URL or any other string still makes the file unsure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());
const repo = scratchRepository('pooler-named-in-messages', { after });

function rulesOf(file: string): string[] {
  return analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((finding) => finding.rule);
}

/** A suite that starts a PostgreSQL container, opens a three-connection postgres.js pool on it, and adds `extra` lines. */
const suite = (extra: string[]) => [
  "import postgres from 'postgres';",
  "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
  'let sql: postgres.Sql;',
  'beforeAll(async () => {',
  "  const server = await new PostgreSqlContainer('postgres:17').start();",
  '  sql = postgres(server.getConnectionUri(), { max: 3 });',
  '});',
  "it('lists invoices per customer', async () => {",
  '  for (const customer of [1, 2]) await sql`SELECT id FROM invoices WHERE customer = ${customer}`;',
  '});',
  ...extra,
].join('\n');

function write(folder: string, extra: string[]): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  return repo.write(`${folder}/test/invoices.test.ts`, suite(extra));
}

test("a pooler named only in a stub's error message or an assertion's expectation leaves the container the suite's own", () => {
  assert.deepEqual(rulesOf(write('plain', [])), []);
  const stubbed = [
    "it('hides the driver error from the page', async () => {",
    "  const failing = { query: () => Promise.reject(new Error('server closed the connection: pgbouncer cannot connect')) };",
    '  const page = await renderStatus(failing);',
    "  expect(page).not.toContain('pgbouncer');",
    '  expect(page).toMatch(/supavisor|pooler/i);',
    "  await expect(renderStatus(failing)).rejects.toThrow(`pooler`);",
    '});',
  ];
  assert.deepEqual(rulesOf(write('stubbed', stubbed)), []);
  assert.deepEqual(rulesOf(write('own-error', ["const outage = new UpstreamError('pgbouncer is down');"])), []);
});

test('a pooler named in a comment, a title, a URL or another string keeps the finding', () => {
  const flagged = ['protocol-prepared-statement'];
  assert.deepEqual(rulesOf(write('comment', ['// CI runs this file again through pgbouncer on 6432'])), flagged);
  assert.deepEqual(rulesOf(write('title', ["it('counts through the pgbouncer', () => {});"])), flagged);
  assert.deepEqual(rulesOf(write('url', ["const bouncer = 'postgres://app@pgbouncer:6432/app';"])), flagged);
  // The matcher's receiver is no expectation: a URL handed to `expect` itself still names the pooler.
  assert.deepEqual(rulesOf(write('expected-value', ["expect(process.env.PGBOUNCER_URL).toBeDefined();"])), flagged);
});
