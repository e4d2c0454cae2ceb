// node-pg-migrate's runner, given a `schema` option, sends `SET search_path TO …` on the client it migrates with, as
// a statement of its own before the migrations (whatever noLock says). Behind a transaction pooler the migrations may
// run on other server connections without that path, and the path stays on the one it reached: a library-made
// session-set at the option, judged on the runner's client or URL as its advisory lock is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const findings = (text: string, file = 'src/db/migrate.ts') =>
  analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);

const runnerWith = (options: string): string => [
  "import { runner } from 'node-pg-migrate';",
  `export const migrateUp = () => runner({ ${options}, dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' });`,
].join('\n');

test('a schema option makes the runner set the session search path: reported at the option, beside its lock', () => {
  assert.deepEqual(findings(runnerWith("databaseUrl: process.env.DATABASE_URL, schema: 'billing'")),
    ["advisory-lock runner({ databaseUrl: process.env.DATABASE_URL, schema: 'billing', dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' })", "session-set schema: 'billing'"]);
  // With its lock turned off it still sends the SET; a list, a value from the environment, options in a const.
  assert.deepEqual(findings(runnerWith("databaseUrl: process.env.DATABASE_URL, noLock: true, schema: ['billing', 'public']")), ["session-set schema: ['billing', 'public']"]);
  assert.deepEqual(findings(runnerWith('databaseUrl: process.env.DATABASE_URL, noLock: true, schema: process.env.DB_SCHEMA')), ['session-set schema: process.env.DB_SCHEMA']);
  const inConst = [
    "const pgm = require('node-pg-migrate');",
    "const schema = process.env.PGSCHEMA;",
    "const settings = { databaseUrl: process.env.DATABASE_URL, noLock: true, schema, dir: 'migrations', direction: 'up', migrationsTable: 'pgmigrations' };",
    'module.exports = () => pgm.runner(settings);',
  ].join('\n');
  assert.deepEqual(findings(inConst, 'src/db/migrate.js'), ['session-set schema']);
  // The runner reads an empty list as public, which it still sets.
  assert.deepEqual(findings(runnerWith('databaseUrl: process.env.DATABASE_URL, noLock: true, schema: []')), ['session-set schema: []']);
  const [finding] = analyze(runnerWith("databaseUrl: process.env.DATABASE_URL, noLock: true, schema: 'billing'"), 'typescript', {}, 'src/db/migrate.ts');
  assert.match(finding.message, /node-pg-migrate's schema option makes its runner send SET search_path/);
});

test('no SET where the schema sends nothing, where only migrationsSchema is given, or on an unpooled server', () => {
  for (const value of ["''", 'undefined', 'null']) {
    assert.deepEqual(findings(runnerWith(`databaseUrl: process.env.DATABASE_URL, noLock: true, schema: ${value}`)), [], value);
  }
  // migrationsSchema only places the runner's own table, in schema-qualified SQL.
  assert.deepEqual(findings(runnerWith("databaseUrl: process.env.DATABASE_URL, noLock: true, migrationsSchema: 'meta', createMigrationsSchema: true")), []);
  // A documented direct URL, and a test's local database: no pooler in between, as for the lock.
  assert.deepEqual(findings(runnerWith("databaseUrl: process.env.DIRECT_URL, schema: 'billing'")), []);
  assert.deepEqual(findings(runnerWith("databaseUrl: 'postgres://postgres:postgres@localhost:5432/app_test', schema: 'billing'"), 'test/migrations.test.ts'), []);
  // Another library's schema option, or an object that never reaches the runner.
  assert.deepEqual(findings("import { runner } from 'node-pg-migrate';\nexport const table = { schema: 'billing', name: 'orders' };\nexport const up = () => runner({ databaseUrl: process.env.DIRECT_URL, dir: 'm', direction: 'up', migrationsTable: 't' });"), []);
});

test('schema: false or 0 is false to the runner, which tests the option for truth before sending SET', () => {
  for (const value of ['false', '0', '(0)', 'false as const']) {
    assert.deepEqual(findings(runnerWith(`databaseUrl: process.env.DATABASE_URL, noLock: true, schema: ${value}`)), [], value);
  }
});
