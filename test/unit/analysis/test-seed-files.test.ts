// A `.sql` seed a test beside its folder loads (`__tests__/x.test.ts` reading `'../sql'` + `'schema.sql'`)
// runs on the test harness's own connection to its throwaway database: no session findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const { write, path } = scratchRepository('seed', { after });
before(() => initAnalysis());

const SEED = "SET client_min_messages TO WARNING;\nBEGIN;\nCREATE SCHEMA app;\nCOMMIT;\nSET search_path = app;\n";

test('a seed a sibling test folder loads by folder and name is linted as its own session', () => {
  write('plugin-a/__tests__/search.test.ts', "const sql = (f: string) => join(__dirname, '../sql', f);\nseed.sqlfile([sql('schema.sql')]);\n");
  assert.deepEqual(analyzeSql(SEED, {}, write('plugin-a/sql/schema.sql', SEED)), []);
  write('plugin-b/test/setup.spec.js', "await loadFile(path.resolve(__dirname, '../db/seed.sql'));\n");
  assert.deepEqual(analyzeSql(SEED, {}, write('plugin-b/db/seed.sql', SEED)), []);
});

test('the same file is the application\'s when no test names it, when a test names only another file, or when it is a migration', () => {
  write('app-a/src/server.ts', "const text = readFileSync(join(__dirname, '../sql/schema.sql'), 'utf8');\n");
  assert.deepEqual(analyzeSql(SEED, {}, write('app-a/sql/schema.sql', SEED)).map((f) => f.rule), ['session-set', 'session-set']);
  write('app-b/__tests__/queries.test.ts', "const file = join(__dirname, '../sql', 'fixtures.sql');\n");
  assert.deepEqual(analyzeSql(SEED, {}, write('app-b/sql/schema.sql', SEED)).map((f) => f.rule), ['session-set', 'session-set']);
  write('app-c/test/migrate.test.ts', "await runFile(join(__dirname, '../migrations/001_init.sql'));\n");
  assert.deepEqual(analyzeSql(SEED, {}, write('app-c/migrations/001_init.sql', SEED)).map((f) => f.rule), ['session-set', 'session-set']);
});

test('an unreadable source in the test folder (a dangling link, a folder named like a source) hides only itself, not the test that loads the seed', () => {
  write('plugin-c/__tests__/seed.test.ts', "await loadFile(join(__dirname, '../sql', 'schema.sql'));\n");
  symlinkSync(path('plugin-c', '__tests__', 'missing.ts'), path('plugin-c', '__tests__', 'broken.test.ts'));
  mkdirSync(path('plugin-c', '__tests__', 'fixtures.ts'));
  assert.deepEqual(analyzeSql(SEED, {}, write('plugin-c/sql/schema.sql', SEED)), []);
});
