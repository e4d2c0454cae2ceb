// A comment anywhere in a .sql file that shows the file is run in psql marks that file as run by hand in a psql
// session of its own (corpus ruling lab54c 1): a psql command line (`psql -U postgres`), a connect or include
// meta-command quoted for the reader (`\c shop`, `\i seed.sql`), or psql's own report of what the file did when it
// ran there. A comment that only names psql in passing, a psql command line that runs something else (a `--command`,
// a restored dump), a server message with psql nowhere, or a file in a migrations folder keeps its findings
// (handRunScripts.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { hasPsqlMark } from '../../../server/analysis/handRunScripts';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const rules = (text: string, path: string) => analyzeSql(text, undefined, path).map((f) => f.rule);

/** A learner's load script: a table, then the settings its loading calls read back in later statements. */
const LOAD = [
  'CREATE TABLE IF NOT EXISTS shops (id integer PRIMARY KEY, name varchar);',
  'SET DATESTYLE TO iso, DMY;',
  "SET load.folder TO '/home/me/data/';",
  "SELECT current_setting('load.folder') || 'shops.tsv';",
  '',
].join('\n');

/** Lesson notes: prose lines outside any comment, SQL, and a lock taken and released at the top level. */
const NOTES_HEAD = '14 March\n\n/*\nLocks\nTwo writers on one row wait for each other.\n*/\n\nBEGIN;\nUPDATE stock SET qty = 1 WHERE id = 2;\n';
const LOCK = '\nSELECT pg_advisory_lock(777);\nSELECT count(*) FROM stock;\nSELECT pg_advisory_unlock(777);\n';

test('a psql command line or a connect meta-command quoted in a comment marks the file as run in psql', (t) => {
  const root = scratchRepository('psql-mark', t).writeAll({});
  const path = join(root, 'src', 'part1', 'load.sql');
  const heads = [
    "-- Create the database and connect to it\n-- 'psql -U postgres' (log in as postgres)\n-- 'CREATE DATABASE shop;'\n-- '\\c shop' (connect)\n\n",
    '-- psql -d shop -U teacher\n',
    '/* then: \\connect shop */\n',
  ];
  for (const head of heads) {
    assert.equal(hasPsqlMark(head + LOAD), true, head);
    assert.deepEqual(rules(head + LOAD, path), [], head);
  }
  // Below the first statement too: the comment marks its own file wherever it stands.
  assert.deepEqual(rules(LOAD + "-- load the next part with '\\i part2.sql'\n", path), []);
});

test('psql named with its own report of what the file did marks lesson notes as run in psql', (t) => {
  const root = scratchRepository('psql-mark-report', t).writeAll({});
  const path = join(root, 'Day-7', 'Learnings.sql');
  const report = '/*\npsql detects a deadlock\nERROR: deadlock detected\nIt aborts one transaction.\n*/\n';
  assert.equal(hasPsqlMark(NOTES_HEAD + report + LOCK), true);
  assert.deepEqual(rules(NOTES_HEAD + report + LOCK, path).filter((rule) => rule === 'advisory-lock'), []);
  // Told to open another psql session for the second transaction.
  assert.equal(hasPsqlMark('-- Open a different psql instance and check the rows.\n' + LOCK), true);
});

test('psql named in passing, a server message alone, or a migration keep the findings', (t) => {
  const root = scratchRepository('psql-mark-not', t).writeAll({});
  const path = join(root, 'src', 'part1', 'load.sql');
  const passing = [
    '-- complain if script is sourced in psql, rather than via CREATE EXTENSION\n',
    '-- psql - the PostgreSQL interactive terminal, is not needed here\n',
    '-- RLS protects against direct psql access with other roles\n',
    '-- the \\copy command of psql reads the file on the client\n',
    // psql command lines that run something else: a version check, a dump restored from a file or through a pipe.
    `-- psql postgres://postgres@localhost:5432 --command="SELECT setting FROM pg_settings WHERE name = 'server_version'"\n`,
    '-- Restore the dump\n-- psql postgres://postgres@localhost:5432/shop shop < /tmp/shop.dmp\n-- pv shop.sql.gz | zcat | psql -d shop\n',
  ];
  // Below the first statement, where only the marks read anywhere in the file count (an opening comment's `psql … <
  // file` usage line is read on its own, handRunScripts.ts's header).
  const [table, ...rest] = LOAD.split('\n');
  for (const comment of passing) {
    const text = [table, comment + rest.join('\n')].join('\n');
    assert.equal(hasPsqlMark(text), false, comment);
    assert.deepEqual(rules(text, path), ['session-set', 'session-set'], comment);
  }
  // A quoted server error with no word of psql, and a psql report only inside the quoted message.
  const notes = join(root, 'Day-7', 'Learnings.sql');
  for (const comment of ['/*\nERROR: deadlock detected\n*/\n', "/*\nERROR: could not open file\nHINT: use psql's \\copy\n*/\n"]) {
    assert.equal(hasPsqlMark(NOTES_HEAD + comment + LOCK), false, comment);
    assert.equal(rules(NOTES_HEAD + comment + LOCK, notes).includes('advisory-lock'), true, comment);
  }
  // A migration keeps its findings whatever its comment says: its tool applies it.
  const migration = "-- 'psql -U postgres'\n-- '\\c shop'\n" + LOAD;
  assert.deepEqual(rules(migration, join(root, 'db', 'migrations', '0004_load.sql')), ['session-set', 'session-set']);
});
