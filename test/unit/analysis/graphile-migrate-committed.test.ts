// graphile-migrate's committed migrations (`--! Previous: sha1:…` / `--! Hash: sha1:…` at the top) are applied by the
// migrator over its own connection: pg_dump lines pasted into one (`SET default_tablespace = '';` before a table) do not
// make it dump output run in a session of its own, so its top-level SETs keep their findings (ruling 6).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const lines = (sql: string): number[] => analyzeSql(sql, undefined, '/repo/migrations/committed/000004.sql').map((f) => sql.slice(0, f.start).split('\n').length);

const BODY = [
  "SET search_path TO 'ledger';",
  'DROP TABLE IF EXISTS ledger.entries;',
  "SET default_tablespace = '';",
  '',
  'SET default_table_access_method = heap;',
  '',
  'CREATE TABLE ledger.entries (id text NOT NULL);',
  '',
];

test('a committed graphile-migrate migration with pasted pg_dump lines keeps its top-level SET findings', () => {
  const committed = ['--! Previous: sha1:0123456789abcdef0123456789abcdef01234567', '--! Hash: sha1:89abcdef0123456789abcdef0123456789abcdef', '', ...BODY].join('\n');
  assert.deepEqual(lines(committed), [4, 6, 8]);
  // Without graphile-migrate's header, the pair of pg_dump lines reads as a piece cut out of a dump: a session of its own.
  assert.deepEqual(lines(BODY.join('\n')), []);
});
