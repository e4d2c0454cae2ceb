// SQL that runs in its own session, not through the application's pool: pg_dump/pg_restore output and
// the files .poolsafe.json names in "sessionScripts". Only syntax errors are reported there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, analyzeSql, initAnalysis, loadConfigFile, looksLikePgDump, parseConfig } from '../../../server/analysis/index';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const PREAMBLE = `SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
`;
const BODY = 'CREATE TABLE public.items (id integer NOT NULL);\nSET search_path TO "$user", public;\n';

test('pg_dump output with its header comment is recognised and not flagged', () => {
  const dump = `--\n-- PostgreSQL database dump\n--\n\n-- Dumped by pg_dump version 16.2\n\n${PREAMBLE}${BODY}`;
  assert.ok(looksLikePgDump(dump));
  assert.deepEqual(analyzeSql(dump), []);
});

test('a dump without its header (Rails structure.sql) is recognised by its preamble', () => {
  assert.ok(looksLikePgDump(PREAMBLE + BODY));
  assert.deepEqual(analyzeSql(PREAMBLE + BODY), []);
  // Older pg_dump: no set_config line, but the same opening SETs.
  assert.deepEqual(analyzeSql("SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET search_path = public, pg_catalog;\n"), []);
});

test('a dump still gets syntax errors (syntax checking stays in session scripts)', () => {
  assert.deepEqual(analyzeSql(`${PREAMBLE}CREATE TABLE broken (id int,);\n`).map((f) => f.rule), ['syntax-error']);
});

test('one SET statement_timeout in an application file is not a dump: it is flagged', () => {
  assert.ok(!looksLikePgDump('SET statement_timeout = 0;\nSELECT * FROM orders;\n'));
  assert.deepEqual(analyzeSql('SET statement_timeout = 0;\nSELECT * FROM orders;\n').map((f) => f.rule), ['session-set']);
  // Without pg_dump's own set_config line, its SETs have to open the file; further down they are application SQL.
  const sets = "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n";
  assert.ok(looksLikePgDump(sets));
  assert.deepEqual(analyzeSql(`SELECT 1;\n${sets}`).map((f) => f.rule), ['session-set', 'session-set', 'session-set']);
});

test('sessionScripts globs in .poolsafe.json are resolved against the config file folder', (t) => {
  const repo = scratchRepository('session', t);
  const root = repo.root;
  repo.mkdir('db/migrate');
  const { options, errors } = loadConfigFile(repo.write('.poolsafe.json', '{"sessionScripts":["db/migrate/**","*.psql"]}'));
  assert.deepEqual(errors, []);
  const sql = 'SET lock_timeout = 0;\nCREATE TEMP TABLE scratch (id int);\nSELECT id, FROM t;';
  assert.deepEqual(analyzeSql(sql, options, join(root, 'db', 'migrate', '001_init.sql')).map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql(sql, options, join(root, 'tools', 'fix.psql')).map((f) => f.rule), ['syntax-error']);
  // Files the globs do not name (and files outside the config's folder) are application SQL.
  assert.deepEqual(analyzeSql(sql, options, join(root, 'app', 'queries.sql')).map((f) => f.rule), ['session-set', 'temp-table', 'syntax-error']);
  assert.deepEqual(analyzeSql(sql, options, join(root, '..', 'elsewhere', 'db', 'migrate', 'x.sql')).map((f) => f.rule), ['session-set', 'temp-table', 'syntax-error']);
  // The editor's incremental analysis and TS/JS files follow the same globs.
  assert.deepEqual(new IncrementalSqlDocument(join(root, 'db', 'migrate', '002.sql')).analyze(sql, options).map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyze("await client.query('LISTEN jobs');", 'typescript', options, join(root, 'db', 'migrate', 'seed.ts')), []);
});

test('a sessionScripts value that is not a list of strings is reported, and the rest of the config applies', () => {
  const { options, errors } = parseConfig('{"sessionScripts":"db/**","rules":{"listen":"off"}}', 'cfg.json');
  assert.match(errors.join('\n'), /cfg\.json: sessionScripts must be an array of glob strings/);
  assert.deepEqual(options, { rules: { listen: 'off' } });
});

test('a file that a psql script in its folder (or the folder above) includes with \\ir or \\i runs in psql too', (t) => {
  const repo = scratchRepository('include', t);
  const root = repo.root;
  repo.mkdir('scripts/more');
  repo.write('scripts/load.sql', "\\set ON_ERROR_STOP on\n\\ir schema.sql\n\\i 'more/data.sql'\n");
  const sql = 'SET client_min_messages TO warning;\nLISTEN jobs;';
  assert.deepEqual(analyzeSql(sql, undefined, join(root, 'scripts', 'schema.sql')), []);
  assert.deepEqual(analyzeSql(sql, undefined, join(root, 'scripts', 'more', 'data.sql')), []);
  // A neighbour no script includes is application SQL.
  assert.deepEqual(analyzeSql(sql, undefined, join(root, 'scripts', 'queries.sql')).map((f) => f.rule), ['session-set', 'listen']);
});

test('functions a session script creates run later in the application\'s sessions: their bodies keep their findings', () => {
  const dump = `${PREAMBLE}CREATE FUNCTION public.as_tenant(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('app.tenant', t, false);
END $$;
DO $$ BEGIN PERFORM set_config('app.loading', 'on', false); END $$;
LISTEN dump_loaded;
`;
  const findings = analyzeSql(dump);
  assert.deepEqual(findings.map((f) => f.rule), ['session-set']);
  assert.equal(dump.slice(findings[0].start, findings[0].end), 'set_config');
  assert.ok(dump.lastIndexOf('set_config', findings[0].start) < dump.indexOf('DO $$'));
});

const SESSION_STATE = "LOAD 'auto_explain';\nSET auto_explain.log_min_duration = 0;\nCREATE TEMP TABLE scratch (id int);\n";
const SESSION_STATE_RULES = ['load', 'session-set', 'temp-table'];

const AS_USER = `CREATE FUNCTION as_user(r text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET ROLE %I', r);
END $$;
`;

test('a pg_regress input script (sql/<name>.sql beside expected/<name>.out or <name>_<n>.out) runs in its own psql session', (t) => {
  const root = scratchRepository('regress', t).writeAll({ 'expected/settings.out': '', 'expected/variant_1.out': '' });
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'sql', 'settings.sql')), []);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'sql', 'variant.sql')), []);
  // No expected output of that name, or not in a sql/ folder: application SQL.
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'sql', 'other.sql')).map((f) => f.rule), SESSION_STATE_RULES);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'settings.sql')).map((f) => f.rule), SESSION_STATE_RULES);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'sql', 'variant_x.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});

test('a regression script beside its expected output (<name>_expected, <name>.expected, <name>.out) runs in its own session, test folder or not', (t) => {
  const root = scratchRepository('expected-output', t).writeAll({
    'checks/core/geometry_expected': '', 'loader/Basic.select.expected': '', 'checks/timeouts.out': '', 'checks/core/notes.txt': '',
  });
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'checks', 'core', 'geometry.sql')), []);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'loader', 'Basic.select.sql')), []);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'checks', 'timeouts.sql')), []);
  assert.deepEqual(analyzeSql('DROP TABLE;\n', undefined, join(root, 'checks', 'timeouts.sql')).map((f) => f.rule), ['syntax-error']);
  // A neighbour with no expected output of its own name (another extension, a prefix only) is application SQL.
  for (const path of [['checks', 'core', 'notes.sql'], ['checks', 'core', 'geometry_more.sql'], ['loader', 'Basic.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)).map((f) => f.rule), SESSION_STATE_RULES, path.join('/'));
  }
});

test('a statement a regression test feeds PostgreSQL to record its error (the expected output holds that ERROR line) gets no syntax-error; other mistakes do', (t) => {
  const failing = 'MERGE INTO target t BOGUSWORD USING source s ON t.id = s.id WHEN MATCHED THEN DELETE;\n';
  const output = `${failing}ERROR:  syntax error at or near "BOGUSWORD"\nLINE 1: MERGE INTO target t BOGUSWORD USING source s ON t.id = s.i...\n                            ^\n`;
  const root = scratchRepository('expected-errors', t).writeAll({
    'expected/merge_errors.out': output, 'expected/merge_ok.out': 'SELECT 1;\n', 'checks/merge_beside.out': output,
  });
  for (const path of [['sql', 'merge_errors.sql'], ['checks', 'merge_beside.sql']]) {
    assert.deepEqual(analyzeSql(failing, undefined, join(root, ...path)), [], path.join('/'));
    // A mistake the expected output does not record is still reported.
    assert.deepEqual(analyzeSql('SELECT id, FROM t;\n', undefined, join(root, ...path)).map((f) => f.rule), ['syntax-error'], path.join('/'));
  }
  // The same statement in a test whose expected output records no such error, or in application SQL.
  assert.deepEqual(analyzeSql(failing, undefined, join(root, 'sql', 'merge_ok.sql')).map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql(failing, undefined, join(root, 'merge_errors.sql')).map((f) => f.rule), ['syntax-error']);
  // The editor's incremental analysis agrees.
  const document = new IncrementalSqlDocument(join(root, 'sql', 'merge_errors.sql'));
  assert.deepEqual(document.analyze(failing), []);
});

test('input/<name>.sql beside expected/<name>.out is a regression suite\'s input, like sql/<name>.sql', (t) => {
  const root = scratchRepository('suites', t).writeAll({ 'parser/expected/cursor.out': '', 'parser/expected/notes.txt': '' });
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'parser', 'input', 'cursor.sql')), []);
  // No output of that name: application SQL.
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'parser', 'input', 'notes.sql')).map((f) => f.rule), SESSION_STATE_RULES);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'parser', 'queries', 'cursor.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});

test('SQL a compose file mounts, or a Dockerfile copies, into /docker-entrypoint-initdb.d runs in psql at the container\'s first start', (t) => {
  const root = scratchRepository('docker-init', t).writeAll({
    'deploy/docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro\n      - "./initdb:/docker-entrypoint-initdb.d"\n      - ./seed.sql:/srv/seed.sql\n',
    'image/Dockerfile': 'FROM postgres:16\nCOPY --chown=postgres schema.sql roles.sql /docker-entrypoint-initdb.d/\nCOPY scripts/*.sql /docker-entrypoint-initdb.d/\n',
  });
  for (const path of [['deploy', 'init.sql'], ['deploy', 'initdb', '01-roles.sql'], ['image', 'schema.sql'], ['image', 'roles.sql'], ['image', 'scripts', 'extra.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)), [], path.join('/'));
  }
  // Mounted elsewhere (the app reads it), not named, or beside no container file: application SQL.
  for (const path of [['deploy', 'seed.sql'], ['deploy', 'queries.sql'], ['image', 'app.sql'], ['other', 'init.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)).map((f) => f.rule), SESSION_STATE_RULES, path.join('/'));
  }
});

test('SQL the repository\'s scripts run with psql -f / --file / < (shell, CI config, Makefile, package.json) runs in psql\'s own session', (t) => {
  const root = scratchRepository('psql-runs', t).writeAll({
    'run_checks.sh': '#!/bin/sh\nsu - postgres -c "psql -X -d ${DB} -f "${here}"/.ci/seed_db.sql"\npg_dump -f dump/out.sql app\n',
    '.gitlab-ci.yml': 'test:\n  script:\n    - psql -h db -U ci --file=ci/fixture.sql app\n',
    '.github/workflows/ci.yml': 'steps:\n  - run: psql "$DATABASE_URL" < ./db/baseline.sql\n',
    'Makefile': 'reset:\n\tpsql $(DB_URL) -v ON_ERROR_STOP=1 -f ./scripts/reset.sql\n',
    'api/package.json': '{"scripts":{"db:load":"psql app -f sql/load.sql && node seed.js"}}\n',
  });
  for (const path of [['.ci', 'seed_db.sql'], ['ci', 'fixture.sql'], ['db', 'baseline.sql'], ['scripts', 'reset.sql'], ['api', 'sql', 'load.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)), [], path.join('/'));
  }
  // Written by pg_dump -f, another file of the same folder, a name that only ends alike, or a folder no script reaches: application SQL.
  for (const path of [['dump', 'out.sql'], ['.ci', 'queries.sql'], ['db', 'old_baseline.sql'], ['api', 'load.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)).map((f) => f.rule), SESSION_STATE_RULES, path.join('/'));
  }
});

test('SQL in a __fixtures__ folder is test input (a parser sample, a test database fixture): only syntax errors', () => {
  for (const path of ['__fixtures__/upstream/settings.sql', 'packages/deparser/__fixtures__/kitchen/settings.sql', 'C:\\repo\\__fixtures__\\settings.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path), [], path);
  }
  assert.deepEqual(analyzeSql('DROP TABLE;\n', undefined, '__fixtures__/errors.sql').map((f) => f.rule), ['syntax-error']);
  // Folders that only look alike hold application SQL.
  for (const path of ['src/__fixtures/settings.sql', 'db/my__fixtures__/settings.sql', 'settings.__fixtures__.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path).map((f) => f.rule), SESSION_STATE_RULES, path);
  }
});

test('a test folder\'s SQL input beside its recorded result (<name>.yml, .yaml, .json, .sql.snap) is test input: only syntax errors', (t) => {
  const root = scratchRepository('expected', t).writeAll({
    'test/fixtures/dialect/settings.yml': 'file: []', 'test/fixtures/dialect/errors.yaml': '', 'spec/cases/listen.json': '{}',
    'db/settings.yml': '', 'test/fixtures/other.yml': '', 'tests/specs/timeouts/basic.sql.snap': '', 'db/basic.sql.snap': '',
  });
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'tests', 'specs', 'timeouts', 'basic.sql')), [], 'an insta snapshot named after the file');
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'db', 'basic.sql')).map((f) => f.rule), SESSION_STATE_RULES);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'test', 'fixtures', 'dialect', 'settings.sql')), []);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'spec', 'cases', 'listen.sql')), []);
  assert.deepEqual(analyzeSql('DROP TABLE;\n', undefined, join(root, 'test', 'fixtures', 'dialect', 'errors.sql')).map((f) => f.rule), ['syntax-error']);
  // Outside a test folder, or with no result of the same name, it is application SQL.
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'db', 'settings.sql')).map((f) => f.rule), SESSION_STATE_RULES);
  // A test folder's SQL with no recorded result is still test SQL (its own statements have no findings), but
  // not a test of a tool's output: the functions it creates keep theirs.
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'test', 'fixtures', 'settings.sql')).map((f) => f.rule), ['session-set']);
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'test', 'fixtures', 'dialect', 'settings.sql')), []);
});

test('a test folder\'s SQL input whose snapshot test records its output in a snapshots folder of the test tree is test input, functions too', (t) => {
  // A formatter's inputs under tests/cases/, its insta snapshots under tests/snapshots/ (module prefix, a width suffix).
  const root = scratchRepository('snapshots', t).writeAll({
    'tests/snapshots/long/format__reports_120.snap': '', 'tests/snapshots/long/format__weird@grants.sql.snap': '',
    'crate/test/__snapshots__/printer__short.snap': '', 'tests/snapshots/long/format__other_120.snap.new': '',
    'db/snapshots/format__seed.snap': '',
  });
  for (const path of ['tests/cases/long/reports.sql', 'tests/long/grants.sql', 'crate/test/fixtures/short.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, path)), [], path);
    // Never run: the functions it defines are not the application's either.
    assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, path)), [], path);
  }
  // No snapshot named after it (a pending .snap.new, a name that only ends like it), or no test folder: not a snapshot test's input.
  for (const path of ['tests/cases/long/other.sql', 'tests/cases/long/ports.sql']) {
    assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, path)).map((f) => f.rule), ['session-set'], path);
  }
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'db', 'seed.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});

test('SQL an Ansible role or playbook folder ships to its hosts (files/, templates/) runs there in its own session; its functions keep their findings', (t) => {
  const root = scratchRepository('ansible', t).writeAll({
    // A playbook folder marked by ansible.cfg, one marked by its own roles, and a role's own folders.
    'ops/ansible.cfg': '[defaults]\n', 'deploy/roles/db/tasks/main.yml': '- name: load\n',
    'site/roles/cache/tasks/main.yml': '', 'site/roles/cache/defaults/main.yml': '',
    // Look-alikes: a roles folder of access definitions (no tasks), and an app's own files folder.
    'app/roles/admin/grants.yml': '', 'web/files/.keep': '',
  });
  for (const path of ['ops/files/baseline.sql', 'ops/files/sql/upgrade/v2.sql', 'deploy/templates/init.sql', 'site/roles/cache/files/warm.sql',
    'site/roles/cache/templates/tune.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, path)), [], path);
  }
  // The functions such a script creates are called later by the application: they keep their findings.
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'ops', 'files', 'baseline.sql')).map((f) => f.rule), ['session-set']);
  for (const path of ['app/files/report.sql', 'app/roles/admin/files/grant.sql', 'web/files/report.sql', 'ops/db/files.sql', 'ops/sql/baseline.sql',
    'ops/files/a/b/c/d/deep.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, path)).map((f) => f.rule), SESSION_STATE_RULES, path);
  }
});

test('a pgTAP test (SELECT plan(n) or no_plan()) runs in its own session (pg_prove), wherever it is', () => {
  assert.deepEqual(analyzeSql(`BEGIN;\nSELECT plan(3);\n${SESSION_STATE}SELECT * FROM finish();\nROLLBACK;\n`), []);
  assert.deepEqual(analyzeSql(`select tap.no_plan();\n${SESSION_STATE}`), []);
  // A function of the application that merely has "plan" in its name says nothing.
  assert.deepEqual(analyzeSql(`SELECT plan_route(3);\n${SESSION_STATE}`).map((f) => f.rule), SESSION_STATE_RULES);
  assert.deepEqual(analyzeSql(`SELECT plan FROM subscriptions;\n${SESSION_STATE}`).map((f) => f.rule), SESSION_STATE_RULES);
});

test('functions a test script creates live in its test database: no findings, unlike those of other session scripts', (t) => {
  assert.deepEqual(analyzeSql(`SELECT plan(1);\n${AS_USER}SELECT as_user('alice');\n`), []);
  // A fixture that a pgTAP test includes is part of the test; one a plain psql script includes is not.
  const root = scratchRepository('fixture', t).writeAll({
    'tests/run.sql': 'BEGIN;\nSELECT no_plan();\n\\ir helpers.sql\nSELECT * FROM finish();\nROLLBACK;\n',
    'setup/load.sql': '\\ir helpers.sql\n',
  });
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'tests', 'helpers.sql')), []);
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'setup', 'helpers.sql')).map((f) => f.rule), ['session-set']);
});

test('a file of pg_prove test functions (RETURNS SETOF TEXT returning pgTAP assertions) is a test script, even when psql includes it', (t) => {
  const suite = `CREATE OR REPLACE FUNCTION test_reader_role() RETURNS SETOF TEXT AS $$
BEGIN
  SET ROLE reader;
  CREATE TEMP TABLE seen (id int);
  RETURN NEXT is(current_user::text, 'reader', 'the role switched');
END;
$$ LANGUAGE plpgsql;
`;
  const root = scratchRepository('tapfns', t).writeAll({ 'db/startup.sql': '\\ir suite_functions.sql\n' });
  assert.deepEqual(analyzeSql(suite, undefined, join(root, 'db', 'suite_functions.sql')), []);
  assert.deepEqual(analyzeSql(suite.replace('is(', 'throws_ok('), undefined, 'tests/suite.sql'), []);
  // A suite's setup that installs pgTAP is part of the tests too.
  assert.deepEqual(analyzeSql(`CREATE EXTENSION IF NOT EXISTS pgtap;\n${AS_USER}`, undefined, join(root, 'db', 'setup.sql')), []);
  // An application function returning SETOF TEXT from its own helpers is no test: its SET ROLE stays flagged.
  const app = suite.replace('is(current_user::text', 'is_reader(current_user::text');
  assert.deepEqual(analyzeSql(app, undefined, join(root, 'db', 'app_functions.sql')).map((f) => f.rule), ['session-set', 'temp-table']);
});

test('a fixture a pg_regress script includes with \\i (resolved from the suite folder) is part of the test', (t) => {
  const root = scratchRepository('regress-include', t).writeAll({
    'suite/expected/search.out': '',
    'suite/sql/search.sql': '\\i common/search_setup.sql\nSELECT 1;\n',
  });
  assert.deepEqual(analyzeSql(AS_USER + SESSION_STATE, undefined, join(root, 'suite', 'common', 'search_setup.sql')), []);
  // A neighbour folder's file that no script includes stays application SQL.
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'suite', 'common', 'unused.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});

test('SQL in a benchmark folder is the benchmark\'s input, sent on its own connection: no session findings', () => {
  const variant = 'SET work_mem = \'256MB\';\nSET enable_seqscan = off;\nSELECT id FROM docs ORDER BY score DESC LIMIT 10;\n';
  for (const path of ['benchmarks/queries/top10.sql', 'tools/Benchmark/datasets/q.sql', 'C:\\repo\\benchmarks\\q.sql']) {
    assert.deepEqual(analyzeSql(variant, undefined, path), [], path);
  }
  // Folders or files that only mention benchmarks are application SQL; so is a folder merely named `bench`.
  for (const path of ['src/benchmarking/q.sql', 'db/benchmarks.sql', 'db/bench_queries/q.sql', 'bench/q1.sql', 'bench/.data/mixed.sql']) {
    assert.deepEqual(analyzeSql(variant, undefined, path).map((f) => f.rule), ['session-set', 'session-set'], path);
  }
});

test('SQL in a test folder is loaded by the test harness on its own connection: its statements have no session findings, its functions keep theirs', (t) => {
  for (const path of ['test/schema.sql', 'tests/fixtures/seed.sql', 'packages/db/__tests__/setup.sql', 'spec/support/data.sql',
    'internal/testdata/dump.sql', 'regress/sql/cases.sql', 'e2e/seed.sql', 'C:\\repo\\tests\\seed.sql',
    'integration/sql/cases/017_group_by.sql', 'integration-tests/data/seed.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path), [], path);
    // A function the test schema creates is the application's own, called later through its pool.
    assert.deepEqual(analyzeSql(AS_USER, undefined, path).map((f) => f.rule), ['session-set'], path);
  }
  // Folders whose names only contain "test", and application folders, hold application SQL.
  for (const path of ['db/schema.sql', 'src/contest/rules.sql', 'latest/setup.sql', 'db/testing_helpers.sql', 'tests.sql', 'fixtures.sql',
    'src/integrations/billing/queries.sql', 'db/integration.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path).map((f) => f.rule), SESSION_STATE_RULES, path);
  }
  // sqlc's query files are the queries its generated code sends on the app's pool, also as test data.
  const root = scratchRepository('sqlc-tests', t).writeAll({ 'testdata/locks/sqlc.json': '{"version": "2", "sql": [{"engine": "postgresql"}]}' });
  const query = '-- name: Lock :exec\nSELECT pg_advisory_lock($1);\n';
  assert.deepEqual(analyzeSql(query, undefined, join(root, 'testdata', 'locks', 'query.sql')).map((f) => f.rule), ['advisory-lock']);
  assert.deepEqual(analyzeSql(query, undefined, join(root, 'testdata', 'other', 'query.sql')), []);
});

test('a .sql example or sample script (examples/, samples/) runs in its own session; annotated query files there, and other folders, keep their findings', () => {
  const rulesIn = (path: string, text: string) => analyzeSql(text, undefined, path).map((f) => f.rule);
  assert.deepEqual(rulesIn('/proj/examples/semantic_search.sql', SESSION_STATE), []);
  assert.deepEqual(rulesIn('/proj/docs/samples/chain.sql', SESSION_STATE), []);
  // Functions an example creates still run later in other sessions.
  assert.deepEqual(rulesIn('/proj/examples/roles.sql', AS_USER), ['session-set']);
  // Query collections (sqlc/yesql names, pgtyped annotations) are sent by the application.
  assert.deepEqual(rulesIn('/proj/examples/queries.sql', `-- name: SlowMode :exec\n${SESSION_STATE}`), SESSION_STATE_RULES);
  assert.deepEqual(rulesIn('/proj/example/src/books.sql', `/* @name SlowMode */\n${SESSION_STATE}`), SESSION_STATE_RULES);
  // An example in a name that merely contains the word is no example folder.
  assert.deepEqual(rulesIn('/proj/example_app/db/setup.sql', SESSION_STATE), SESSION_STATE_RULES);
});

test('a file a pg_regress template (sql/<name>.sql.in) includes through a psql variable built from a path pattern is part of the test', (t) => {
  const template = "\\set NAME joins\nSELECT format('include/%s_setup.sql', :'NAME') AS \"SETUP_FILE\"\n\\gset\n\\ir :SETUP_FILE\n";
  const root = scratchRepository('regress-template', t).writeAll({
    'suite/expected/joins-16.out': '',
    'suite/sql/joins.sql.in': template,
    'other/sql/joins.sql.in': template.replace('\\ir :SETUP_FILE', 'SELECT 1;'),
    'other/expected/joins.out': '',
  });
  assert.deepEqual(analyzeSql(AS_USER + SESSION_STATE, undefined, join(root, 'suite', 'sql', 'include', 'joins_setup.sql')), []);
  // A file the pattern does not match, and one a template only names without including a variable, keep their findings.
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'suite', 'sql', 'include', 'joins_query.sql')).map((f) => f.rule), ['session-set']);
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'other', 'sql', 'include', 'joins_setup.sql')).map((f) => f.rule), ['session-set']);
});

test('a folder whose other scripts mostly run in their own session (psql -f from a script, psql meta-commands, container init) is a folder of session scripts', (t) => {
  const root = scratchRepository('script-folder', t).writeAll({
    'share/setup.sh': '#!/bin/sh\npsql --set ON_ERROR_STOP=on -f "$SQL_DIR/demo-data.sql"\n',
    'share/sql/demo-data.sql': '\\echo loading demo data\nINSERT INTO items VALUES (1);\n',
    'share/sql/grants.sql': '\\set ON_ERROR_STOP on\nGRANT SELECT ON items TO viewer;\n',
    'share/sql/cleanup.sql': 'DELETE FROM items;\n',
    // One run by psql among app queries, and a migrations folder beside psql scripts: no majority, or a tool's folder.
    'ops/run.sh': '#!/bin/sh\npsql -f "$DIR/db/seed.sql"\n',
    'ops/db/seed.sql': 'INSERT INTO items VALUES (2);\n',
    'ops/db/report.sql': 'SELECT 1;\n',
    'ops/db/totals.sql': 'SELECT 2;\n',
    'tool/migrations/0001_init.sql': '\\set ON_ERROR_STOP on\nSELECT 1;\n',
    'tool/migrations/0002_more.sql': '\\echo more\nSELECT 2;\n',
  });
  // The folder's upgrade script, run by hand beside them: its session state is its own.
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'share', 'sql', 'upgrade-2-3.sql')), []);
  // The function it creates still runs later in the application's sessions.
  assert.deepEqual(analyzeSql(AS_USER, undefined, join(root, 'share', 'sql', 'upgrade-2-3.sql')).map((f) => f.rule), ['session-set']);
  for (const path of [['ops', 'db', 'report.sql'], ['tool', 'migrations', '0003_next.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, ...path)).map((f) => f.rule), SESSION_STATE_RULES, path.join('/'));
  }
  // A query collection among such scripts is still the application's.
  assert.deepEqual(analyzeSql(`-- name: ListItems :many\n${SESSION_STATE}`, undefined, join(root, 'share', 'sql', 'queries.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});

test('a psql file argument quoted whole with a variable in it ("$DIR/x.sql") names the file', (t) => {
  const root = scratchRepository('psql-quoted', t).writeAll({ 'tools/load.sh': '#!/bin/sh\npsql -X -f "$SQL_DIR/sql/load_demo.sql"\n' });
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'tools', 'sql', 'load_demo.sql')), []);
  assert.deepEqual(analyzeSql(SESSION_STATE, undefined, join(root, 'tools', 'sql', 'demo.sql')).map((f) => f.rule), SESSION_STATE_RULES);
});
