// A psql command a script only shows runs nothing: one on a commented-out line (`#` in a shell script, a PowerShell
// script, a CI file or a Makefile; `REM`/`::`, also after `&`, in a batch file) or inside what an `echo`, `printf` or
// `Write-Host` prints. The file it names keeps its findings; the live commands beside them still count.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isEchoed, shellAssignments, withCommentsBlanked, withEchoesBlanked } from '../../../server/analysis/shellAssignments';
import { withGroovyCommentsBlanked } from '../../../server/analysis/psqlRuns';
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

test('a here-document only printed (cat <<NOTE to the terminal or to stderr) and an echo quoted over several lines show psql commands; they run nothing', (t) => {
  const root = scratchRepository('psql-shown-heredoc', t).writeAll({
    ...APPLICATION,
    'scripts/usage.sh': [
      '#!/bin/sh',
      'usage() {',
      "  cat <<'NOTE'",
      'To load the catalogue by hand:',
      '  psql -d books -f sql/heredoc_shown.sql',
      'NOTE',
      '}',
      'cat >&2 <<-HINT',
      '\tpsql -d books -f sql/heredoc_stderr.sql',
      '\tHINT',
      'echo "usage:',
      '  psql -d books -f sql/echo_multiline.sql',
      '"',
      "printf 'then:\\n  psql -d books -f sql/printf_multiline.sql\\n",
      "' >&2; psql -d books -f sql/after_printf.sql",
      'psql -d books -f sql/heredoc_after.sql',
    ].join('\n'),
  });
  for (const file of ['sql/heredoc_shown.sql', 'sql/heredoc_stderr.sql', 'sql/echo_multiline.sql', 'sql/printf_multiline.sql']) {
    assert.deepEqual(rules(root, file), STATE_RULES, file);
  }
  // The commands after the printed text still run.
  assert.deepEqual(rules(root, 'sql/after_printf.sql'), []);
  assert.deepEqual(rules(root, 'sql/heredoc_after.sql'), []);
});

test('a here-document a shell or psql reads, or one written to a file, is no printed text: its psql commands still count', (t) => {
  const root = scratchRepository('psql-heredoc-run', t).writeAll({
    ...APPLICATION,
    'scripts/remote.sh': [
      '#!/bin/sh',
      'ssh db-host bash <<EOF',
      'psql -d books -f sql/over_ssh.sql',
      'EOF',
      'cat <<EOF | sh',
      'psql -d books -f sql/piped_to_shell.sql',
      'EOF',
      'cat > /tmp/load.sh <<EOF',
      'psql -d books -f sql/written_script.sql',
      'EOF',
      'sh /tmp/load.sh',
      'echo "$(psql -d books -f sql/substituted_multiline.sql',
      ')"',
      // review43b N5: a here-document `cat` prints into a command substitution, a blank after `$(`, is a value.
      'LOAD=$( cat <<EOF',
      'psql -d books -f sql/substituted_heredoc.sql',
      'EOF',
      ')',
      'sh -c "$LOAD"',
    ].join('\n'),
  });
  for (const file of ['sql/over_ssh.sql', 'sql/piped_to_shell.sql', 'sql/written_script.sql', 'sql/substituted_multiline.sql', 'sql/substituted_heredoc.sql']) {
    assert.deepEqual(rules(root, file), [], file);
  }
});

test('a Jenkinsfile\'s // and /* */ comments run nothing; its live sh steps, and // inside a string (a URL), still do', (t) => {
  const root = scratchRepository('psql-shown-jenkins', t).writeAll({
    ...APPLICATION,
    Jenkinsfile: [
      'pipeline {',
      '  stages {',
      "    stage('db') {",
      '      steps {',
      "        // sh 'psql -d books -f sql/jenkins_slashed.sql'",
      "        sh 'psql -d books -f sql/jenkins_live.sql' // sh 'psql -d books -f sql/jenkins_trailing.sql'",
      '        /*',
      "        sh 'psql -d books -f sql/jenkins_block.sql'",
      '        */',
      "        sh '''",
      '          # psql -d books -f sql/jenkins_shell_comment.sql',
      '          psql "postgres://ci@localhost:5432/books" -f sql/jenkins_url.sql',
      "        '''",
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n'),
  });
  for (const file of ['sql/jenkins_slashed.sql', 'sql/jenkins_trailing.sql', 'sql/jenkins_block.sql', 'sql/jenkins_shell_comment.sql']) {
    assert.deepEqual(rules(root, file), STATE_RULES, file);
  }
  assert.deepEqual(rules(root, 'sql/jenkins_live.sql'), []);
  assert.deepEqual(rules(root, 'sql/jenkins_url.sql'), []);
});

test('printed text over several lines: a quote closed at a word\'s end on a later line holds them; a stray quote holds only its own line', () => {
  const spanning = 'echo "first\npsql -f a.sql"; psql -f b.sql';
  assert.equal(withEchoesBlanked(spanning), 'echo       \n              ; psql -f b.sql');
  // `Don't` leaves a quote open that the shell would close at the next `'`, inside a live command's argument: no word end there.
  const stray = "echo Don't stop\npsql -c 'select 1' -f c.sql";
  assert.equal(withEchoesBlanked(stray), "echo           \npsql -c 'select 1' -f c.sql");
  assert.equal(isEchoed(spanning, spanning.indexOf('a.sql')), true);
  assert.equal(isEchoed(spanning, spanning.indexOf('b.sql')), false);
  // A here-document a `cat` writes to a file or pipes on is kept; one it prints is blanked, its closing word kept.
  const heredocs = 'cat > run.sh <<EOF\npsql -f d.sql\nEOF\ncat <<"EOF"\npsql -f e.sql\nEOF\nX=$(cat <<EOF\npsql -f f.sql\nEOF\n)';
  assert.equal(withEchoesBlanked(heredocs), heredocs.replace('psql -f e.sql', ' '.repeat(13)));
});

test('Groovy comments: // and /* */ blanked in place; quoted text, triple-quoted over lines too, read over', () => {
  const groovy = "sh 'psql postgres://h/db -f a.sql' // b.sql\n/* c.sql\n*/ sh \"\"\"\n// d.sql\n\"\"\"\nx = '//' /* e.sql";
  assert.equal(withGroovyCommentsBlanked(groovy), "sh 'psql postgres://h/db -f a.sql'         \n        \n   sh \"\"\"\n// d.sql\n\"\"\"\nx = '//' /* e.sql");
});

// Session 37 (mend43b, review43b S3): an include echoed into psql is read by the one echo reader, and only where the
// echo runs: one a usage here-document or a multi-line echo only prints runs nothing.
test('an include echoed into psql inside printed text (a usage here-document, a multi-line echo) runs nothing; a live one does', (t) => {
  const root = scratchRepository('psql-shown-echo-pipe', t).writeAll({
    ...APPLICATION,
    'scripts/setup.sh': [
      '#!/bin/sh',
      'usage() {',
      '  cat <<EOF',
      'Usage: $0 <url>',
      "  echo '\\i sql/usage_heredoc.sql' | psql -h localhost books",
      'EOF',
      '}',
      'echo "or by hand:',
      "  echo '\\i sql/usage_echo.sql' | psql -d books",
      '"',
      "echo '\\i sql/live_pipe.sql' | psql -h localhost books",
    ].join('\n'),
  });
  for (const file of ['sql/usage_heredoc.sql', 'sql/usage_echo.sql']) assert.deepEqual(rules(root, file), STATE_RULES, file);
  assert.deepEqual(rules(root, 'sql/live_pipe.sql'), []);
});
