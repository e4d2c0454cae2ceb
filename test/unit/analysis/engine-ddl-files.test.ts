// A library that stores its jobs (or sessions, or locks) in any SQL database ships one DDL file per engine side by
// side: `store_postgres.sql` beside `store_hsqldb.sql`, `store_informix.sql`, `store_solid.sql`. Only the PostgreSQL one
// is ours to judge. The others are known by the engine named in the file name, or, where the name is not one the
// linter can take as an engine's (a `solid` folder may as well be a SolidJS app's), by a type PostgreSQL lacks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfPath, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding as `rule line` (1-based line of its start). */
const rulesOf = (text: string, path: string): string[] => analyzeSql(text, undefined, path).map((f) => ruleLine(text, f));

test('DDL files named for HSQLDB, Informix, Cloudscape, SAP DB, PointBase, CUBRID or Sybase are not PostgreSQL: no syntax errors there', () => {
  const hsqldb = 'DROP TABLE store_jobs IF EXISTS;\nCREATE TABLE store_jobs (name VARCHAR(80) NOT NULL, PRIMARY KEY (name));\n';
  const informix = 'CREATE TABLE store_jobs (\n  name VARCHAR(80) NOT NULL,\n  PRIMARY KEY (name) CONSTRAINT pk_store_jobs\n) IN jobs_space;\n';
  for (const path of ['src/resources/store/tables_hsqldb.sql', 'src/resources/store/tables_hsqldb_old.sql', 'db/informix/store.sql', 'store/tables_cloudscape.sql',
    'store/tables_sapdb.sql', 'store/tables_pointbase.sql', 'store/tables_cubrid.sql', 'store/tables_sybase.sql']) {
    assert.ok(dialectOfPath(path), path);
    assert.deepEqual(rulesOf(hsqldb + informix, path), [], path);
  }
  // The same text in the PostgreSQL file of the set is PostgreSQL's to judge: both statements are mistakes there.
  assert.deepEqual(rulesOf(hsqldb + informix, 'store/tables_postgres.sql').map((f) => f.split(' ')[0]), ['syntax-error', 'syntax-error']);
});

test('a statement PostgreSQL rejects that uses the VARBINARY type (LONG VARBINARY; PostgreSQL has no such type) is another engine\'s: no syntax error, whatever the path', () => {
  const solid = 'CREATE TABLE store_blobs (\n  name VARCHAR(80) NOT NULL,\n  payload LONG VARBINARY,\n  PRIMARY KEY (name)\n);\n';
  assert.deepEqual(rulesOf(solid, 'store/tables_solid.sql'), []);
  assert.deepEqual(rulesOf(solid, 'schema.sql'), []);
  // A mistake in PostgreSQL's own DDL is still reported: a missing comma, and bytea where VARBINARY stood.
  assert.deepEqual(rulesOf('CREATE TABLE store_blobs (\n  name text NOT NULL\n  payload bytea\n);\n', 'schema.sql'), ['syntax-error 3']);
  // The file is that engine's as a whole (as with SQL Server's NVARCHAR): its SET is not PostgreSQL's either. Without
  // the other engine's statement the SET is reported.
  assert.deepEqual(rulesOf(solid + 'SET search_path TO store;\n', 'schema.sql'), []);
  assert.deepEqual(rulesOf('SET search_path TO store;\n', 'schema.sql'), ['session-set 1']);
});

test("a `solid` folder or file name (a SolidJS app's) does not by itself mark SQL as another engine's", () => {
  assert.equal(dialectOfPath('apps/solid/db/schema.sql'), undefined);
  assert.deepEqual(rulesOf('CREATE TABLE t (id int\n);\nCREATE TABLE u (id int,, x int);\n', 'apps/solid/db/schema.sql').map((f) => f.split(' ')[0]), ['syntax-error']);
});
