// What marks a .sql file as a psql script when nothing else does: meta-commands that come only after its last
// statement (an init script that sets its schema and then includes its parts), and, for a folder of numbered setup
// scripts, siblings that use psql's quoted variables or open by creating the database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, splitStatements } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const SETS_SCHEMA = "CREATE SCHEMA ledger;\nSET search_path TO ledger;\n";

test('meta-commands after the last statement make the file a psql script: its SET is its own session\'s', () => {
  for (const tail of ['\\ir tables/accounts.sql\n\\ir tables/entries.sql\n', '\\echo ledger schema ready\n', '\\q\n', '-- parts\n\\i parts/all.sql']) {
    assert.deepEqual(analyzeSql(SETS_SCHEMA + tail).map((f) => f.rule), [], tail);
    assert.equal(splitStatements(SETS_SCHEMA + tail).at(-1)!.afterMetaCommand, true, tail);
  }
});

test('without a meta-command, or with a backslash only inside a string or a comment, the SET is still flagged', () => {
  for (const tail of ['', "SELECT E'\\\\ir not a command';\n", '-- \\ir commented out\n']) {
    assert.deepEqual(analyzeSql(SETS_SCHEMA + tail).map((f) => f.rule), ['session-set'], JSON.stringify(tail));
  }
  assert.equal(splitStatements(SETS_SCHEMA).at(-1)!.afterMetaCommand, undefined);
});

test('numbered setup scripts beside ones that use psql variables or create the database run whole in their own session', (t) => {
  const variables = scratchRepository('setup-folder-variables', t).writeAll({
    'setup/01_database.sql': 'CREATE DATABASE :"dbname";\n',
    'setup/02_schema.sql': SETS_SCHEMA,
    'setup/03_owner.sql': "CREATE ROLE ledger_owner LOGIN PASSWORD :'owner_password';\n",
  });
  assert.deepEqual(analyzeSql(SETS_SCHEMA, undefined, `${variables}/setup/02_schema.sql`).map((f) => f.rule), []);

  const bootstrap = scratchRepository('setup-folder-bootstrap', t).writeAll({
    'db/0_create.sql': 'DROP DATABASE IF EXISTS ledger;\nCREATE DATABASE ledger;\n',
    'db/1_schema.sql': SETS_SCHEMA,
    'db/2_grants.sql': "GRANT USAGE ON SCHEMA ledger TO :\"reader\";\n",
  });
  assert.deepEqual(analyzeSql(SETS_SCHEMA, undefined, `${bootstrap}/db/1_schema.sql`).map((f) => f.rule), []);
});

test('one such sibling, bare :name placeholders, or a migrations folder keep the finding', (t) => {
  const one = scratchRepository('setup-folder-one', t).writeAll({
    'sql/01_owner.sql': "CREATE ROLE o LOGIN PASSWORD :'pw';\n",
    'sql/02_schema.sql': SETS_SCHEMA,
    'sql/03_tables.sql': 'CREATE TABLE ledger.accounts (id int);\n',
  });
  assert.deepEqual(analyzeSql(SETS_SCHEMA, undefined, `${one}/sql/02_schema.sql`).map((f) => f.rule), ['session-set']);

  const placeholders = scratchRepository('setup-folder-placeholders', t).writeAll({
    'queries/a.sql': 'SELECT * FROM accounts WHERE id = :id;\n',
    'queries/b.sql': 'UPDATE accounts SET name = :name WHERE id = :id;\n',
    'queries/c.sql': SETS_SCHEMA,
  });
  assert.deepEqual(analyzeSql(SETS_SCHEMA, undefined, `${placeholders}/queries/c.sql`).map((f) => f.rule), ['session-set']);

  const migrations = scratchRepository('setup-folder-migrations', t).writeAll({
    'migrations/001_database.sql': 'CREATE DATABASE :"dbname";\n',
    'migrations/002_schema.sql': SETS_SCHEMA,
    'migrations/003_owner.sql': "CREATE ROLE o LOGIN PASSWORD :'pw';\n",
  });
  assert.deepEqual(analyzeSql(SETS_SCHEMA, undefined, `${migrations}/migrations/002_schema.sql`).map((f) => f.rule), ['session-set']);
});
