// A psql command a script only shows runs nothing: one on a commented-out line (`#` in a shell script, a PowerShell
// script, a CI file or a Makefile; `REM`/`::`, also after `&`, in a batch file) or inside what an `echo`, `printf` or
// `Write-Host` prints. The file it names keeps its findings; the live commands beside them still count.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isEchoed, shellAssignments, withCommentsBlanked, withEchoesBlanked } from '../../../server/analysis/shellAssignments';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves a search path and a scratch table behind. */
const LEAVES_STATE = 'SET search_path = ledger, public;\nCREATE TEMP TABLE carry_over (id bigint);\n';
const STATE_RULES = ['session-set', 'temp-table'];
/** An application's source beside the scripts: its project is no psql-only one. */
const APPLICATION = { 'service/worker.py': 'import psycopg\n' };

const rules = (root: string, path: string): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path.split('/'))).map((f) => f.rule).sort();

test('a shell script\'s commented-out psql runs and its echoed psql commands run nothing; its live run still does', (t) => {
  const root = scratchRepository('psql-shown-shell', t).writeAll({
    ...APPLICATION,
    'scripts/rebuild.sh': [
      '#!/usr/bin/env bash',
      '# psql -d books -f sql/retired.sql',
      '    #  for f in sql/archive/*.sql; do psql -d books -f "$f"; done',
      'echo "Next, run: psql -d books -f sql/manual_step.sql"',
      'printf "%s\\n" "psql -d books -f sql/printed.sql" > NOTES',
      'echo To finish: psql -d books -f sql/unquoted_echo.sql',
      'echo "loading" && psql -d books -f sql/live.sql   # psql -d books -f sql/trailing.sql',
    ].join('\n'),
  });
  for (const file of ['sql/retired.sql', 'sql/archive/old.sql', 'sql/manual_step.sql', 'sql/printed.sql', 'sql/unquoted_echo.sql', 'sql/trailing.sql']) {
    assert.deepEqual(rules(root, file), STATE_RULES, file);
  }
  assert.deepEqual(rules(root, 'sql/live.sql'), []);
});

test('an echo piped into psql, or printing the output of a psql run, leaves that psql run standing', (t) => {
  const root = scratchRepository('psql-shown-echo-pipe', t).writeAll({
    ...APPLICATION,
    'scripts/apply.sh': [
      '#!/bin/sh',
      'echo "\\\\set ON_ERROR_STOP on" | psql -d books -f sql/piped.sql',
      'echo "result: $(psql -d books -f sql/substituted.sql)"',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'sql/piped.sql'), []);
  assert.deepEqual(rules(root, 'sql/substituted.sql'), []);
});

test('a CI step\'s commented-out psql line runs nothing', (t) => {
  const root = scratchRepository('psql-shown-ci', t).writeAll({
    ...APPLICATION,
    '.github/workflows/test.yml': [
      'jobs:',
      '  test:',
      '    steps:',
      '      - run: |',
      '          # psql "$DATABASE_URL" -f sql/skipped_fixture.sql',
      '          psql "$DATABASE_URL" -f sql/fixture.sql',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'sql/skipped_fixture.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/fixture.sql'), []);
});

test('a PowerShell script\'s # comments and Write-Host/echo text run nothing; its live psql does', (t) => {
  const root = scratchRepository('psql-shown-powershell', t).writeAll({
    ...APPLICATION,
    'scripts/setup.ps1': [
      '# psql -d books -f sql\\ps_commented.sql',
      'Write-Host "Then run psql -d books -f sql\\ps_hint.sql by hand"',
      'echo "psql -d books -f sql\\ps_echo.sql"',
      'psql -d books -f sql\\ps_live.sql  # psql -d books -f sql\\ps_trailing.sql',
    ].join('\r\n'),
  });
  for (const file of ['sql/ps_commented.sql', 'sql/ps_hint.sql', 'sql/ps_echo.sql', 'sql/ps_trailing.sql']) assert.deepEqual(rules(root, file), STATE_RULES, file);
  assert.deepEqual(rules(root, 'sql/ps_live.sql'), []);
});

test('a batch file\'s echoed psql command and a comment after & run nothing; its live psql does', (t) => {
  const root = scratchRepository('psql-shown-batch', t).writeAll({
    ...APPLICATION,
    'scripts/setup.bat': [
      '@echo off',
      'echo Run psql -d books -f sql\\bat_echo.sql when ready',
      'cd . & rem psql -d books -f sql\\bat_trailing.sql',
      '  @REM psql -d books -f sql\\bat_rem.sql',
      'psql -d books -f sql\\bat_live.sql',
    ].join('\r\n'),
  });
  for (const file of ['sql/bat_echo.sql', 'sql/bat_trailing.sql', 'sql/bat_rem.sql']) assert.deepEqual(rules(root, file), STATE_RULES, file);
  assert.deepEqual(rules(root, 'sql/bat_live.sql'), []);
});

test('an assignment an echo shows sets nothing; one beside the echo, or quoted text naming echo, still does', () => {
  const script = [
    'echo "set it with: DATABASE_URL=postgres://elsewhere:6543/app"',
    'echo export DATABASE_URL=postgres://printed:6543/app',
    'echo done; DATABASE_URL=postgres://local:5432/app',
    'NOTE="echo"; PORT=5432',
  ].join('\n');
  assert.deepEqual(shellAssignments(script, 'DATABASE_URL'), ['postgres://local:5432/app']);
  assert.deepEqual(shellAssignments(script, 'PORT'), ['5432']);
  assert.equal(isEchoed('echo a b', 5), true);
  assert.equal(isEchoed('echo a; b', 8), false);
  assert.equal(isEchoed('x=$(echo a)', 8), false);
});

test('blanking keeps every other character where it was', () => {
  const text = 'psql -f a.sql # b.sql\necho "c.sql" | psql\n"#x" y';
  assert.equal(withCommentsBlanked(text).length, text.length);
  assert.equal(withCommentsBlanked(text), 'psql -f a.sql        \necho "c.sql" | psql\n"#x" y');
  assert.equal(withEchoesBlanked(text), 'psql -f a.sql # b.sql\necho         | psql\n"#x" y');
});
