// A postgres.js client a module exports (`export const migrator = postgres(url, { max: 1 })`) is used where it is
// imported. When its every use, in its own file and in each file importing it by name, prepares nothing (handed to
// drizzle inside drizzle's `migrate(…)`, which runs once in one transaction; `unsafe(text)`; `.end()`), it sends no
// named statement. A tagged query in one importer, a use through a namespace import, or no importer at all (a
// library's export, for its users) keeps the finding. The files are written to a temporary repository on disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('exported-client', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const CLIENTS = [
  "import postgres from 'postgres';",
  "export const schemaClient = postgres(process.env.DATABASE_URL!, { max: 1 });",
];

const MIGRATE = [
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import { migrate } from 'drizzle-orm/postgres-js/migrator';",
  "import { schemaClient } from './db/clients';",
  "await migrate(drizzle(schemaClient), { migrationsFolder: './drizzle' });",
  'await schemaClient.end();',
];

test("an exported client whose importers only hand it to drizzle's migrator, unsafe() or end() prepares nothing", () => {
  repo.write('alpha/package.json', '{"name": "alpha"}');
  const clients = repo.write('alpha/src/db/clients.ts', CLIENTS);
  repo.write('alpha/src/migrate.ts', MIGRATE);
  repo.write('alpha/src/reset.ts', [
    "import { schemaClient as admin } from './db/clients';",
    "await admin.unsafe('DROP SCHEMA IF EXISTS scratch CASCADE');",
  ]);
  assert.deepEqual(findingsOf(clients), []);
});

test('a tagged query in one importer, a namespace import, or no importer at all keeps the exported client flagged', () => {
  repo.write('beta/package.json', '{"name": "beta"}');
  const tagged = repo.write('beta/src/db/clients.ts', CLIENTS);
  repo.write('beta/src/migrate.ts', MIGRATE);
  repo.write('beta/src/report.ts', [
    "import { schemaClient } from './db/clients';",
    'export const tables = () => schemaClient`SELECT count(*) FROM pg_tables`;',
  ]);
  assert.deepEqual(findingsOf(tagged), ['protocol-prepared-statement postgres']);

  repo.write('gamma/package.json', '{"name": "gamma"}');
  const namespaced = repo.write('gamma/src/db/clients.ts', CLIENTS);
  repo.write('gamma/src/migrate.ts', MIGRATE);
  repo.write('gamma/src/other.ts', [
    "import * as db from './db/clients';",
    "await db.schemaClient.unsafe('SELECT 1');",
  ]);
  assert.deepEqual(findingsOf(namespaced), ['protocol-prepared-statement postgres']);

  repo.write('delta/package.json', '{"name": "delta"}');
  assert.deepEqual(findingsOf(repo.write('delta/src/db/clients.ts', CLIENTS)), ['protocol-prepared-statement postgres']);
});
