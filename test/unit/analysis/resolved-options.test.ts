// resolveOptions gives back the options it made itself instead of copying them again (a TS/JS file's SQL is
// analysed group by group with one file's options), so no analysis may change resolved options it was given.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis, resolveOptions } from '../../../server/analysis/index';

before(() => initAnalysis());

test('resolved options come back as they are; a changed copy is resolved on its own', () => {
  const resolved = resolveOptions({ poolMode: 'session', rules: { 'temp-table': 'off' } });
  assert.equal(resolveOptions(resolved), resolved);
  const copy = resolveOptions({ ...resolved, poolMode: 'transaction' });
  assert.notEqual(copy, resolved);
  assert.equal(copy.poolMode, 'transaction');
  assert.equal(resolved.poolMode, 'session');
  assert.equal(copy.rules['temp-table'], 'off');
  // The mark is not an enumerable property: spreads and JSON (worker threads, settings) never carry it.
  assert.deepEqual(Object.keys(resolveOptions({})), Object.keys({ ...resolveOptions({}) }));
  assert.equal(JSON.stringify(resolved), JSON.stringify({ ...resolved }));
});

test('a file for a PostgreSQL-compatible engine leaves the resolved options it was given unchanged', () => {
  const options = resolveOptions({});
  // A setting PostgreSQL has no parameter for: ignored there, but a session variable of CockroachDB.
  const setsVariable = (engine: string): string => [
    "import { Pool } from 'pg';",
    `// Connects to ${engine}.`,
    'const pool = new Pool();',
    "export const relax = () => pool.query('SET experimental_enable_hash_sharded_indexes = on');",
    '',
  ].join('\n');
  assert.deepEqual(analyze(setsVariable('CockroachDB'), 'typescript', options, 'src/db.ts').map((f) => f.rule), ['session-set']);
  assert.equal(options.compatibleEngine, undefined);
  // The next file, linted with the same options, is PostgreSQL's again.
  assert.deepEqual(analyze(setsVariable('the primary'), 'typescript', options, 'src/other.ts').map((f) => f.rule), []);
});
