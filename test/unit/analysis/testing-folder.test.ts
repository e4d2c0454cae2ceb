// A `testing/` folder is a test folder (ownSession.ts TEST_FOLDER): a Go or Python project keeps the SQL its tests load
// there (`testing/pre_load.sql`, `SET session_replication_role = replica;` before a fixture import), on the test's own
// connection to a throwaway database. Folders and files whose names only contain the word stay the application's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** A fixture loader's opening: foreign-key triggers off for the import, a scratch table. */
const FIXTURE_LOAD = 'SET session_replication_role = replica;\nCREATE TEMP TABLE import_ids (id bigint);\n';
/** A function the fixture schema creates: the application's own, called later through its pool. */
const SWITCHES_ROLE = "CREATE FUNCTION act_as(r text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  EXECUTE format('SET ROLE %I', r);\nEND $$;\n";

const rules = (text: string, path: string): string[] => analyzeSql(text, undefined, path).map((f) => f.rule).sort();

test('SQL in a testing/ folder is test input: its statements have no session findings, its functions keep theirs', () => {
  for (const path of ['testing/pre_load.sql', 'pkg/anonymizer/testing/seed.sql', 'Testing/data/rows.sql']) {
    assert.deepEqual(rules(FIXTURE_LOAD, path), [], path);
    assert.deepEqual(rules(SWITCHES_ROLE, path), ['session-set'], path);
  }
});

test('a file or folder whose name only contains "testing" holds application SQL', () => {
  for (const path of ['db/testing_grants.sql', 'load-testing/setup.sql', 'ab_testing/schema.sql', 'testing.sql']) {
    assert.deepEqual(rules(FIXTURE_LOAD, path), ['session-set', 'temp-table'], path);
  }
});
