// A migrations folder whose project page says no tool applies it — a person runs each file by hand in a SQL client the
// page names (psql) — holds hand-run session scripts (corpus ruling lab55d 1, on lab52c 2's client-page reading): a
// top-level SET or temp table there is that person's session's business, not a pool's. Only a paragraph that names the
// folder, says its files are applied by hand, says nothing applies them automatically and names the client counts: a
// page offering a hand run beside the tool, one naming another folder, or one naming no client leaves the folder a
// migration tool's (ruling 6), and its findings stay.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A migration that sets a lock timeout for the session and leaves a temp table behind. */
const MIGRATION = "SET lock_timeout = '5s';\nALTER TABLE account DROP COLUMN IF EXISTS fee;\nCREATE TEMP TABLE fixes AS SELECT 1 AS id;\n";
const KEPT = ['session-set', 'temp-table'];
/** A Prisma project whose package.json still runs `prisma migrate deploy` (the lead kept the ruling despite it). */
const PRISMA_PROJECT = {
  'package.json': JSON.stringify({ scripts: { 'db:deploy': 'prisma migrate deploy --schema packages/db/prisma/schema.prisma' } }),
  'packages/db/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
};
const MIGRATION_PATH = ['packages', 'db', 'prisma', 'migrations', '20260101000000_drop_fee', 'migration.sql'];

const rules = (root: string, path: readonly string[] = MIGRATION_PATH): string[] =>
  analyzeSql(MIGRATION, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a page saying a named migrations folder is never auto-run but applied by hand in psql makes its files session scripts', (t) => {
  const root = scratchRepository('hand-applied-migrations', t).writeAll({
    ...PRISMA_PROJECT,
    'CLAUDE.md': '# Notes\n\n### Database\n\n**We do NOT use `prisma migrate deploy`. Migrations are applied manually.**\n'
      + '- Files in `packages/db/prisma/migrations/` are kept for review and are never auto-run.\n'
      + '- Each environment is updated by a human running the SQL directly (psql, retool).\n',
  });
  assert.deepEqual(rules(root), []);
  // A migration whose own folder's name says migration is still one of the folder the page names.
  assert.deepEqual(rules(root, ['packages', 'db', 'prisma', 'migrations', '20260102000000_add_migration_log', 'migration.sql']), []);
});

test('a page in a docs folder naming the migrations folder from the root counts the same', (t) => {
  const root = scratchRepository('hand-applied-migrations-docs', t).writeAll({
    ...PRISMA_PROJECT,
    'docs/database.md': 'Migrations in packages/db/prisma/migrations are applied by hand with psql; they are not run automatically.\n',
  });
  assert.deepEqual(rules(root), []);
});

test('a page offering a hand run beside the migration tool keeps the migrations\' findings', (t) => {
  const root = scratchRepository('hand-applied-migrations-optional', t).writeAll({
    ...PRISMA_PROJECT,
    'README.md': 'Run `npm run db:deploy` to apply `packages/db/prisma/migrations/`.\n'
      + 'If you prefer, migrations can be applied manually: run each file with psql.\n',
  });
  assert.deepEqual(rules(root), KEPT);
});

test('a hand-run paragraph naming another folder, or naming no client, keeps the migrations\' findings', (t) => {
  const otherFolder = scratchRepository('hand-applied-migrations-other', t).writeAll({
    ...PRISMA_PROJECT,
    'README.md': 'Files in `db/legacy/migrations/` are never auto-run: they are applied manually with psql.\n',
  });
  assert.deepEqual(rules(otherFolder), KEPT);
  const noClient = scratchRepository('hand-applied-migrations-no-client', t).writeAll({
    ...PRISMA_PROJECT,
    'README.md': 'Files in `packages/db/prisma/migrations/` are never auto-run: they are applied manually.\n',
  });
  assert.deepEqual(rules(noClient), KEPT);
});

test('the hand-run words spread over separate paragraphs mark nothing', (t) => {
  const root = scratchRepository('hand-applied-migrations-split', t).writeAll({
    ...PRISMA_PROJECT,
    'README.md': 'Migrations live in `packages/db/prisma/migrations/`.\n\nSome scripts are applied manually with psql.\n\n'
      + 'Seeds are never auto-run.\n',
  });
  assert.deepEqual(rules(root), KEPT);
});

test('one page read for several migrations folders marks only the folder it names', (t) => {
  const root = scratchRepository('hand-applied-migrations-two-folders', t).writeAll({
    'README.md': 'Files in `db/reporting/migrations/` are never auto-run: they are applied manually with psql.\n',
  });
  // Asked in turn under the same root: the page's paragraph is kept for the root, and still names one folder only.
  assert.deepEqual(rules(root, ['db', 'reporting', 'migrations', '001_init.sql']), []);
  assert.deepEqual(rules(root, ['db', 'billing', 'migrations', '001_init.sql']), KEPT);
  assert.deepEqual(rules(root, ['db', 'reporting', 'migrations', '002_more.sql']), []);
});
