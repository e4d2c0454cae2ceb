// A migrations folder whose own migrations are written for psql (a `.psql` file) is applied by psql, one session per file (psqlMigrations.ts): its migrations' top-level SETs are their
// session's own; the routines they create keep their findings. Other migrations folders keep theirs (ruling 6).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A migration that sets its schema for the session, and a routine whose body sets the role (run later, by the app). */
const MIGRATION = [
  "SELECT pg_catalog.set_config('search_path', 'ledger', false);",
  'CREATE TABLE entries (id bigint PRIMARY KEY);',
  'CREATE FUNCTION ledger.act_as(r text) RETURNS void LANGUAGE plpgsql AS $$',
  "BEGIN EXECUTE format('SET ROLE %I', r); END $$;",
  '',
].join('\n');

const lines = (root: string, ...path: string[]): number[] =>
  analyzeSql(MIGRATION, undefined, join(root, ...path)).filter((f) => f.rule === 'session-set').map((f) => MIGRATION.slice(0, f.start).split('\n').length);

test('a migrations folder holding a .psql migration runs each file in psql: top-level SETs are no findings', (t) => {
  const root = scratchRepository('psql-migrations', t).writeAll({
    'migrations/20240101000000_base.up.psql': '\\set ON_ERROR_STOP on\nCREATE SCHEMA ledger;\n',
    'migrations/20240102000000_entries.up.sql': MIGRATION,
    'db/migrate/20240101_base.psql': '\\echo base\nCREATE SCHEMA ledger;\n',
    'db/migrate/20240102_entries.sql': MIGRATION,
  });
  // The routine's body still runs in the application's sessions.
  assert.deepEqual(lines(root, 'migrations', '20240102000000_entries.up.sql'), [4]);
  assert.deepEqual(lines(root, 'db', 'migrate', '20240102_entries.sql'), [4]);
});

test('a migrations folder with no .psql file (meta-commands in .sql migrations included), or a .psql script outside a migrations folder, changes nothing', (t) => {
  const root = scratchRepository('driver-migrations', t).writeAll({
    'migrations/20240101000000_base.up.sql': 'CREATE SCHEMA ledger;\n',
    'migrations/20240102000000_entries.up.sql': MIGRATION,
    // Project migrators strip or pass such lines: a meta-command in a .sql migration says nothing of who applies it.
    'db_migrations/001_base.sql': '\\set ON_ERROR_STOP on\nCREATE SCHEMA ledger;\n',
    'db_migrations/002_entries.sql': MIGRATION,
    'reports/setup.psql': '\\set ON_ERROR_STOP on\nCREATE SCHEMA reports;\n',
    'reports/monthly.sql': MIGRATION,
    // A backslash inside SQL text is no meta-command.
    'other_migrations/001.sql': "SELECT E'\\\\set x';\n",
    'other_migrations/002.sql': MIGRATION,
  });
  assert.deepEqual(lines(root, 'migrations', '20240102000000_entries.up.sql'), [1, 4]);
  assert.deepEqual(lines(root, 'db_migrations', '002_entries.sql'), [1, 4]);
  assert.deepEqual(lines(root, 'reports', 'monthly.sql'), [1, 4]);
  assert.deepEqual(lines(root, 'other_migrations', '002.sql'), [1, 4]);
});
