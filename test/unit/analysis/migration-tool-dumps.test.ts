// A pg_dump file is a script of a session of its own where psql restores it; but where a migration tool applies it as a
// migration over its own connection — Flyway (by its file-name convention), graphile-migrate (an SQL action of a .gmrc
// hook), or the project's own migrator (Prisma's folder beside its schema, node-pg-migrate's migrations folder) — the
// preamble's plain SETs stay on that server connection after the migration: they keep their findings.
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

test("a dump pasted into a migration the project's own migrator applies (Prisma's folder, node-pg-migrate's): flagged", (t) => {
  const repo = scratchRepository('project-migrator-dumps', t);
  repo.mkdir('.git');
  repo.writeAll({
    // `prisma migrate deploy` applies each `migrations/<name>/migration.sql` beside the schema on the datasource's URL.
    'api/package.json': JSON.stringify({ name: 'api', dependencies: { '@prisma/client': '^5' }, devDependencies: { prisma: '^5' } }),
    'api/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    'api/prisma/migrations/20230309002128_first_schema_dump/migration.sql': DUMP,
    // node-pg-migrate applies its migrations folder through the application's URL too.
    'jobs/package.json': JSON.stringify({ name: 'jobs', dependencies: { 'node-pg-migrate': '^7' } }),
    'jobs/migrations/1700000000000_baseline.sql': DUMP,
    // The same dump where no migrator of the project applies it: a Prisma-shaped folder in a project without Prisma,
    // and a copy kept beside the schema.
    'site/package.json': JSON.stringify({ name: 'site', dependencies: { pg: '^8' } }),
    'site/prisma/migrations/20230309002128_first_schema_dump/migration.sql': DUMP,
    'api/prisma/baseline_dump.sql': DUMP,
  });
  for (const file of ['api/prisma/migrations/20230309002128_first_schema_dump/migration.sql', 'jobs/migrations/1700000000000_baseline.sql']) {
    assert.deepEqual(flaggedLines(repo.path(file)), PREAMBLE, file);
  }
  for (const file of ['site/prisma/migrations/20230309002128_first_schema_dump/migration.sql', 'api/prisma/baseline_dump.sql']) {
    assert.deepEqual(flaggedLines(repo.path(file)), [], file);
  }
});
