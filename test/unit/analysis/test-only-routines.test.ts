// Routines a project installs for its own tests (named `test_…`) and that only its test scripts call run in the test
// suite's session, on the database the suite tests against: the session state their bodies leave is no pooling hazard.
// A test-named routine anything else calls, or that no test script calls, keeps its findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const INSTALL = [
  'CREATE PROCEDURE test_queue_roundtrip() LANGUAGE plpgsql AS $$',
  'BEGIN',
  "  SET SESSION plpgsql.check_asserts TO true;",
  "  PERFORM set_config('search_path', 'jobs, public', false);",
  'END;',
  '$$;',
  'CREATE FUNCTION jobs.claim_next() RETURNS void LANGUAGE plpgsql AS $$',
  'BEGIN',
  "  PERFORM set_config('jobs.worker', 'on', false);",
  'END;',
  '$$;',
].join('\n');

/** A scratch extension whose pg_regress suite (sql/<name>.sql beside expected/<name>.out) is given, with other files. */
function extension(t: Cleanup, regressionScript: string, others: Record<string, string> = {}): string {
  const repository = scratchRepository('test-only', t);
  repository.writeAll({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'jobs.control': "default_version = '1.0'\n",
    'jobs--1.0.sql': INSTALL,
    'sql/roundtrip.sql': regressionScript,
    'expected/roundtrip.out': 'CREATE EXTENSION jobs;\n',
    ...others,
  });
  return repository.path('jobs--1.0.sql');
}

const findingLines = (file: string) => analyzeSql(INSTALL, undefined, file).map((f) => ruleLine(INSTALL, f));

test('a test-named routine only the pg_regress suite calls leaves its session state in the suite\'s session: not flagged', (t) => {
  const file = extension(t, 'CREATE EXTENSION jobs;\nCALL test_queue_roundtrip();\n', { 'README.md': 'Run `CALL test_queue_roundtrip();` to check the install.\n' });
  assert.deepEqual(findingLines(file), ['session-set 9']);
});

test('a test-named routine a program, a shell script or a non-test SQL file also calls keeps its findings', (t) => {
  const callers: Record<string, string> = {
    'worker/main.py': 'cursor.execute("CALL test_queue_roundtrip()")\n',
    'bin/check.sh': 'psql -c "CALL test_queue_roundtrip()"\n',
    'db/healthcheck.sql': 'CALL test_queue_roundtrip();\n',
  };
  for (const [path, text] of Object.entries(callers)) {
    const file = extension(t, 'CREATE EXTENSION jobs;\nCALL test_queue_roundtrip();\n', { [path]: text });
    assert.deepEqual(findingLines(file), ['session-set 3', 'session-set 4', 'session-set 9'], path);
  }
});

test('a test-named routine no test script calls, and a routine only tests call that is not named as a test, keep their findings', (t) => {
  const uncalled = extension(t, 'CREATE EXTENSION jobs;\nSELECT 1;\n');
  assert.deepEqual(findingLines(uncalled), ['session-set 3', 'session-set 4', 'session-set 9']);
  const notNamedAsTest = extension(t, 'CREATE EXTENSION jobs;\nSELECT jobs.claim_next();\n');
  assert.deepEqual(findingLines(notNamedAsTest), ['session-set 3', 'session-set 4', 'session-set 9']);
});

test('two files of one project defining test-named routines: each leaves out its own mentions, not the other\'s', (t) => {
  const seeding = [
    'CREATE FUNCTION test_seed.test_fill_queue() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    "  PERFORM set_config('jobs.seeding', 'on', false);",
    '  CALL test_queue_roundtrip();',
    'END;',
    '$$;',
  ].join('\n');
  // The suite calls the seeding routine (schema-qualified by a test-named schema) and the install's routine.
  const file = extension(t, 'CREATE EXTENSION jobs;\nSELECT test_seed.test_fill_queue();\nCALL test_queue_roundtrip();\n', { 'seed/fill.sql': seeding });
  const seedingFile = file.replace(/jobs--1\.0\.sql$/, 'seed/fill.sql');
  // The seeding file is no test script, and it calls the install's routine: that keeps its findings.
  assert.deepEqual(findingLines(file), ['session-set 3', 'session-set 4', 'session-set 9']);
  // Only the suite calls the seeding routine: its own file's call of the other routine is no call of it.
  assert.deepEqual(analyzeSql(seeding, undefined, seedingFile).map((f) => f.rule), []);
});
