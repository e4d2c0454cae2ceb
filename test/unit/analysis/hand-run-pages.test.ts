// A page beside SQL files that tells the reader to run them by hand on a database (a feature folder's setup notes:
// "Run the sql files on the PgObserver database"): each runs in the session of the person's client, never through the
// application's pool, so the session state it sets is its own (handRunScripts.ts). Files the page does not cover —
// another folder's, a migrations folder's, or those of a page that only describes them — keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const SETUP = 'SET role TO monitor_owner;\nSET search_path TO monitor, public;\nCREATE TABLE IF NOT EXISTS monitor.samples (id bigint);\n';
/** An application beside the scripts, and the README that marks the project's root: no psql-only project (psqlOnlyProjects.ts). */
const APPLICATION = { 'README.md': '# Monitor\n', 'app/main.py': 'import psycopg\n' };

const rules = (root: string, ...path: string[]): string[] => analyzeSql(SETUP, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a page telling the reader to run its folder\'s sql files on the database covers them', (t) => {
  const root = scratchRepository('page-run-sql', t).writeAll({
    ...APPLICATION,
    'features/timeline/FEAT_DESC.md': 'Timeline\n===\n\nSetup\n-----\n\n* Run the "sql" files on the PgObserver database\n* Set up the Crons\n',
    'features/blocking/FEAT_DESC.md': 'Setup\n-----\n\n* Run the "sql" files from the "host_setup" on the DB cluster that you want to monitor\n',
  });
  assert.deepEqual(rules(root, 'features', 'timeline', '10_create_tables.sql'), []);
  assert.deepEqual(rules(root, 'features', 'blocking', 'host_setup', '00_create_schema.sql'), []);
  // The page of the blocking feature names host_setup only: another folder of it, or a folder below, is not covered.
  assert.deepEqual(rules(root, 'features', 'blocking', 'pgo_setup', '15_tables.sql'), ['session-set', 'session-set']);
  assert.deepEqual(rules(root, 'features', 'timeline', 'more', '20_views.sql'), ['session-set', 'session-set']);
});

test('a page that describes the SQL files, or one over a migrations folder, covers none', (t) => {
  const root = scratchRepository('page-run-sql-other', t).writeAll({
    ...APPLICATION,
    // No instruction to run them by hand: the application runs these.
    'db/queries/README.md': 'The sql files here hold the queries the service runs on the database.\n',
    // An instruction that names no SQL files.
    'db/loaders/README.md': '* Run the service on your database host\n',
    'db/migrations/README.md': '* Run the sql files on your database\n',
  });
  for (const folder of ['queries', 'loaders', 'migrations']) {
    assert.deepEqual(rules(root, 'db', folder, 'x.sql'), ['session-set', 'session-set'], folder);
  }
});

test('"this folder" is the page\'s own folder, and a path names a folder below the page however deep', (t) => {
  const root = scratchRepository('page-run-sql-paths', t).writeAll({
    ...APPLICATION,
    'tools/monitor/NOTES.md': '* Run the sql files in this folder on the monitored database\n',
    'docs/SETUP.md': '* Run the sql files from `db/setup` on your database\n',
  });
  assert.deepEqual(rules(root, 'tools', 'monitor', '01_schema.sql'), []);
  // Not a folder called "this".
  assert.deepEqual(rules(root, 'tools', 'monitor', 'this', '01_schema.sql'), ['session-set', 'session-set']);
  // docs/SETUP.md names db/setup from the repository's docs folder: only a page of a folder above db/setup counts.
  assert.deepEqual(rules(root, 'db', 'setup', '01_schema.sql'), ['session-set', 'session-set']);
});

test('a page of the repository\'s root naming a folder by its path covers that folder\'s files only', (t) => {
  const root = scratchRepository('page-run-sql-root', t).writeAll({
    ...APPLICATION,
    'README.md': '# Monitor\n\n* Run the sql files from `db/setup` on your database\n',
  });
  assert.deepEqual(rules(root, 'db', 'setup', '01_schema.sql'), []);
  assert.deepEqual(rules(root, 'db', 'other', '01_schema.sql'), ['session-set', 'session-set']);
  assert.deepEqual(rules(root, 'db', 'setup', 'more', '01_schema.sql'), ['session-set', 'session-set']);
});
