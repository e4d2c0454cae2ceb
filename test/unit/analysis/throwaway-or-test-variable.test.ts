// An integration test that runs on the URL of a variable named for its test database, or, when that is unset, on a
// PostgreSQL container it starts itself, takes the variable as a stand-in for its throwaway server: the pool it makes
// from either is the suite's own database, with no pooler for postgres.js's prepared statements. The application's own
// variable in that place, a test variable the repository points at a pooler, the variable without the container, and
// the same code outside test code keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());
const repo = scratchRepository('throwaway-or-test-variable', { after });

function rulesOf(file: string): string[] {
  return analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((finding) => finding.rule);
}

/** A suite whose beforeAll opens a four-connection postgres.js pool on `read`, or on a container it starts when that is unset. */
const suite = (read: string, fallback = true) => [
  "import postgres from 'postgres';",
  `const givenUrl = ${read};`,
  'let sql: postgres.Sql;',
  'beforeAll(async () => {',
  '  let url = givenUrl;',
  ...(fallback ? [
    '  if (url === undefined) {',
    "    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');",
    "    const server = await new PostgreSqlContainer('postgres:16').start();",
    '    url = server.getConnectionUri();',
    '  }',
  ] : []),
  '  sql = postgres(url, { max: 4 });',
  '});',
  "it('counts per region', async () => {",
  "  for (const region of ['eu', 'us']) await sql`SELECT count(*) FROM orders WHERE region = ${region}`;",
  '});',
].join('\n');

function write(folder: string, path: string, text: string, files: Record<string, string> = {}): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  for (const [name, content] of Object.entries(files)) repo.write(`${folder}/${name}`, content);
  return repo.write(`${folder}/${path}`, text);
}

test("a test's pool on its test-named variable or, when unset, on a container it starts is the suite's own database", () => {
  assert.deepEqual(rulesOf(write('bracket', 'test/orders.test.ts', suite("process.env['TEST_DATABASE_URL']"))), []);
  assert.deepEqual(rulesOf(write('dotted', 'test/orders.test.ts', suite('process.env.INTEGRATION_PG_URL'))), []);
});

test('the application variable, a test variable pointed at a pooler, no container, or application code keep the finding', () => {
  const flagged = ['protocol-prepared-statement'];
  assert.deepEqual(rulesOf(write('app-variable', 'test/orders.test.ts', suite('process.env.DATABASE_URL'))), flagged);
  const pooled = { '.env.test': 'TEST_DATABASE_URL=postgres://app:pw@localhost:6543/app\n' };
  assert.deepEqual(rulesOf(write('pooled', 'test/orders.test.ts', suite('process.env.TEST_DATABASE_URL'), pooled)), flagged);
  assert.deepEqual(rulesOf(write('no-container', 'test/orders.test.ts', suite('process.env.TEST_DATABASE_URL', false))), flagged);
  assert.deepEqual(rulesOf(write('app-code', 'src/orders.ts', suite('process.env.TEST_DATABASE_URL'))), flagged);
});
