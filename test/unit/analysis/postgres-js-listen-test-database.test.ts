// postgres.js's `sql.listen(channel, fn)` opens a connection of its own for the LISTEN, whatever the client's pool size:
// only a pooler between breaks it. A test's client on the test environment's own database (a variable `.env.test` sets
// to this machine) is no pool for that purpose, as for a driver's own prepare/listen API: its LISTEN is no hazard. The
// same client in application code, or on a variable the test environment points at another host, keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('postgres-js-listen-test-database', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A setup module holding a postgres.js client filled in by a start-up function and listening on it (line 7). */
const setupModule = [
  "import postgres from 'postgres';",
  'export let events: postgres.Sql | null = null;',
  'export async function startEvents() {',
  '  events = postgres(process.env.TEST_DATABASE_URL!);',
  '  const seen: string[] = [];',
  "  for (const channel of ['order_placed', 'order_paid'])",
  '    await events.listen(channel, (payload) => seen.push(payload));',
  '  return seen;',
  '}',
];

test("a postgres.js LISTEN on a test client of the test environment's own database is no hazard", () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/.env.test', 'TEST_DATABASE_URL=postgres://app:app@localhost:5432/shop_test');
  assert.deepEqual(findingsOf(repo.write('a/tests/setup.ts', setupModule)), []);
});

test('the same LISTEN in application code, or on a test variable the environment points at another host, keeps its finding', () => {
  repo.write('b/package.json', '{"name": "b"}');
  repo.write('b/.env.test', 'TEST_DATABASE_URL=postgres://app:app@localhost:5432/shop_test');
  assert.deepEqual(findingsOf(repo.write('b/src/events.ts', setupModule)), ['protocol-prepared-statement 4', 'listen 7']);
  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.env.test', 'TEST_DATABASE_URL=postgres://app:app@shop-db.example.com:6543/shop_test');
  assert.deepEqual(findingsOf(repo.write('c/tests/setup.ts', setupModule)), ['protocol-prepared-statement 4', 'listen 7']);
});
