// A driver's class imported under another name (`import { Client as PgClient } from 'pg'`) is still that class: a test's
// `new PgClient({ connectionString: process.env.DATABASE_URL })` on a URL the repository's test environment (`.env.test`)
// points at this machine is one session of the suite's own database, as `new Client(…)` is, so its LISTEN gets no
// finding. A class of the same local name from another module, and a renamed Pool, are not read as a driver's client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('renamed-driver-client-imports', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const listenerTest = (importLine: string, maker: string) => [
  "import { beforeEach, afterEach, it } from 'vitest';",
  importLine,
  `let listener: ${maker};`,
  'beforeEach(async () => {',
  `  listener = new ${maker}({ connectionString: process.env.DATABASE_URL });`,
  '  await listener.connect();',
  "  await listener.query('LISTEN changes');",
  '});',
  'afterEach(async () => { await listener.end(); });',
  "it('hears a change', async () => {});",
];

function writeRepository(): void {
  repo.write('package.json', '{ "name": "app", "dependencies": { "pg": "^8.0.0" } }');
  repo.write('.env.test', 'DATABASE_URL=postgresql://app:app@localhost:5432/app_test');
  repo.mkdir('.git');
}

test("a test's LISTEN on pg's Client imported under another name, on the test environment's local URL, gets no finding", () => {
  writeRepository();
  assert.deepEqual(findingsOf('tests/renamed.test.ts', listenerTest("import { Client as PgClient } from 'pg';", 'PgClient')), []);
  assert.deepEqual(findingsOf('tests/plain.test.ts', listenerTest("import { Client } from 'pg';", 'Client')), []);
});

test('a renamed pg Pool, or a class of that name from a module of the project, keeps the LISTEN finding', () => {
  writeRepository();
  repo.write('tests/bus.ts', 'export class Listener { connect() {} query(text: string) {} end() {} }');
  assert.deepEqual(findingsOf('tests/pool.test.ts', listenerTest("import { Pool as PgClient } from 'pg';", 'PgClient')), ['listen LISTEN changes']);
  assert.deepEqual(findingsOf('tests/own.test.ts', listenerTest("import { Listener as PgClient } from './bus';", 'PgClient')), ['listen LISTEN changes']);
});
