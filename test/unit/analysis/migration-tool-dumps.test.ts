// A pg_dump file is a script of a session of its own where psql restores it; but where Flyway (by its file-name
// convention) or graphile-migrate (an SQL action of a .gmrc hook) applies it as a migration over its own connection,
// the preamble's plain SETs stay on that server connection after the migration: they keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isAppliedByMigrationTool, isFlywayMigration, isGraphileMigrateAction } from '../../../server/analysis/migrationToolDumps';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const DUMP = `--
-- PostgreSQL database dump
--

SET lock_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET row_security = off;

CREATE TABLE public.invoices (id bigint PRIMARY KEY);
`;
const PREAMBLE = [5, 6, 7];

const flaggedLines = (file: string): number[] => analyzeSql(DUMP, {}, file).filter((f) => f.rule === 'session-set').map((f) => DUMP.slice(0, f.start).split('\n').length);

test("Flyway-named dumps in a migrations folder, or below a Flyway config: the preamble's settings are flagged", (t) => {
  const repo = scratchRepository('flyway-dumps', t);
  repo.mkdir('.git');
  repo.writeAll({
    'src/main/resources/db/migration/V1__initial_dump.sql': DUMP,
    'src/main/resources/db/migration/V2_1__more.sql': DUMP,
    'database/migrations/B3__baseline.sql': DUMP,
    'database/migrations/R__reporting_views.sql': DUMP,
    'warehouse/flyway.toml': '[flyway]\nlocations = ["filesystem:sql"]\n',
    'warehouse/sql/V7.3__snapshot.sql': DUMP,
  });
  for (const file of ['src/main/resources/db/migration/V1__initial_dump.sql', 'src/main/resources/db/migration/V2_1__more.sql',
    'database/migrations/B3__baseline.sql', 'database/migrations/R__reporting_views.sql', 'warehouse/sql/V7.3__snapshot.sql']) {
    assert.equal(isFlywayMigration(repo.path(file)), true, file);
    assert.deepEqual(flaggedLines(repo.path(file)), PREAMBLE, file);
  }
});

test("names that are not Flyway's, or a Flyway name outside any migrations folder or Flyway project: still a session of its own", (t) => {
  const repo = scratchRepository('not-flyway-dumps', t);
  repo.mkdir('.git');
  repo.writeAll({
    // A Supabase CLI migration: a timestamp and one underscore.
    'supabase/migrations/20240105120000_remote_schema.sql': DUMP,
    // Single underscore, no description, or a lower-case prefix: not Flyway's convention.
    'db/migrations/V1_baseline.sql': DUMP,
    'db/migrations/V1__.sql': DUMP,
    'db/migrations/v1__baseline.sql': DUMP,
    // A Flyway-looking name in a folder of dumps no tool applies.
    'backups/V1__nightly.sql': DUMP,
    'structure.sql': DUMP,
  });
  for (const file of ['supabase/migrations/20240105120000_remote_schema.sql', 'db/migrations/V1_baseline.sql', 'db/migrations/V1__.sql',
    'db/migrations/v1__baseline.sql', 'backups/V1__nightly.sql', 'structure.sql']) {
    assert.equal(isAppliedByMigrationTool(repo.path(file)), false, file);
    assert.deepEqual(flaggedLines(repo.path(file)), [], file);
  }
});

test("a dump a .gmrc hook names as an SQL action (string or {\"_\": \"sql\"} form, custom migrationsFolder): flagged", (t) => {
  const repo = scratchRepository('gmrc-action-dumps', t);
  repo.mkdir('.git');
  repo.writeAll({
    '.gmrc': [
      '{',
      '  /* where the committed migrations live */',
      '  "migrationsFolder": "./db/gm",',
      '  "afterReset": [',
      '    // "unused.sql",',
      '    "base_schema.sql",',
      '    { "_": "sql", "file": "extras/roles.sql" },',
      '    { "_": "command", "command": "psql -f db/gm/by_psql.sql" },',
      '  ],',
      '}',
    ],
    'db/gm/base_schema.sql': DUMP,
    'db/gm/extras/roles.sql': DUMP,
    'db/gm/unused.sql': DUMP,
    'db/gm/by_psql.sql': DUMP,
    'db/gm/snapshot.sql': DUMP,
  });
  for (const file of ['db/gm/base_schema.sql', 'db/gm/extras/roles.sql']) {
    assert.equal(isGraphileMigrateAction(repo.path(file)), true, file);
    assert.deepEqual(flaggedLines(repo.path(file)), PREAMBLE, file);
  }
  // Commented out, run by a command action through psql, or written by pg_dump and never applied.
  for (const file of ['db/gm/unused.sql', 'db/gm/by_psql.sql', 'db/gm/snapshot.sql']) {
    assert.equal(isGraphileMigrateAction(repo.path(file)), false, file);
    assert.deepEqual(flaggedLines(repo.path(file)), [], file);
  }
});

test('a .gmrc.js naming an afterAllMigrations file in the default migrations folder; the same name elsewhere is not it', (t) => {
  const repo = scratchRepository('gmrc-js-action', t);
  repo.mkdir('.git');
  repo.writeAll({
    '.gmrc.js': ['module.exports = {', "  afterAllMigrations: ['grants.sql'],", '};'],
    'migrations/grants.sql': DUMP,
    'other/grants.sql': DUMP,
  });
  assert.deepEqual(flaggedLines(repo.path('migrations/grants.sql')), PREAMBLE);
  assert.deepEqual(flaggedLines(repo.path('other/grants.sql')), []);
});
