// A one-shot `poolsafe lint` (keepFolderListings) keeps the statements of each text it splits, since the same text is
// split again (a .sql file that defines routines, a query sent from many places): the spans are the same as a fresh
// split's, and a text split twice is split once. The language server, whose texts change with each keystroke, keeps none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepFolderListings } from '../../../server/analysis/folderEntries';
import { splitStatements } from '../../../server/analysis/splitter';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

const SCRIPT = [
  "SET search_path TO app; -- a; comment",
  'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(1); END $$;',
  "\\set id 7",
  "SELECT * FROM t WHERE id = :id;",
  "COPY t FROM stdin;\n1\tx;y\n\\.",
  "INSERT INTO t VALUES ('a;b')",
].join('\n');

test('in a one-shot run a text split again gets the spans of a fresh split, split once; outside one, each split is fresh', async () => {
  await initAnalysis();
  const fresh = splitStatements(SCRIPT);
  assert.notEqual(splitStatements(SCRIPT), fresh, 'the language server splits afresh');
  const findingsBefore = analyzeSql(SCRIPT, {}, 'db/schema.sql');
  keepFolderListings();
  const kept = splitStatements(SCRIPT);
  assert.deepEqual(kept, fresh);
  assert.equal(splitStatements(SCRIPT), kept, 'kept, not split again');
  assert.equal(splitStatements(`${SCRIPT}\n`).length, fresh.length);
  assert.deepEqual(analyzeSql(SCRIPT, {}, 'db/schema.sql'), findingsBefore);
  assert.deepEqual(analyzeSql(SCRIPT, {}, 'db/schema.sql'), findingsBefore);
});

test('a text whose split outweighs what a one-shot run keeps is split afresh each time, and its spans are still right', () => {
  keepFolderListings();
  const statement = 'INSERT INTO audit_log (id, note) VALUES (1, \'kept apart\');\n';
  const huge = statement.repeat(Math.ceil(2_100_000 / statement.length));
  const first = splitStatements(huge);
  assert.notEqual(splitStatements(huge), first, 'not kept: one text would take the whole bound');
  assert.equal(first.length, Math.ceil(2_100_000 / statement.length));
  assert.equal(first[1].text, statement.trim().slice(0, -1));
  // A piece of a larger text is kept, and found again by its content.
  const piece = huge.slice(statement.length, statement.length * 3);
  const kept = splitStatements(piece);
  assert.equal(splitStatements(`${piece}`.slice(0)), kept);
  assert.equal(kept.length, 2);
});
