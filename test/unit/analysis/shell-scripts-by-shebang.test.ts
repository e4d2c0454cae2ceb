// A shell script in all but its extension — a `#!` shell line on a file named without an extension, or an autoconf
// template (`x.in`, `x.sh.in`) that configure writes out as the script — runs psql as a `.sh` file does (psqlRuns.ts);
// and a shell loop over a bare glob (`for f in $(ls *.sql)`) lists the folder the script last `cd`s to.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves session state behind: a custom setting and a scratch table. */
const LEAVES_STATE = "SET app.tenant = 'north';\nCREATE TEMP TABLE carried_rows (id bigint);\n";
const STATE_RULES = ['session-set', 'temp-table'];

/** An application beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'service/main.go': 'package main\n' };

const rules = (root: string, ...path: string[]): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path)).map((f) => f.rule).sort();

/** An installer template in the manner of autoconf: installed paths and the psql binary are filled in by configure. */
const INSTALLER_TEMPLATE = [
  '#!/bin/bash',
  'export PGHOST=@DBHOST@',
  'apply_changes () {',
  '    changes=@datadir@/@PACKAGE@/changes/',
  '    cd $changes',
  '    for step in `ls *.sql | sort -V`',
  '    do',
  '        @PGBINDIR@/psql --set ON_ERROR_STOP=1 @DBNAME@ -f $step > /tmp/apply.log 2>&1 || break',
  '    done',
  '}',
  'apply_changes',
].join('\n');

test('an autoconf-templated shell script (a shell #! line, a .in name) runs the files its loop over the folder it cds to hands psql', (t) => {
  const root = scratchRepository('shebang-template', t).writeAll({ ...APPLICATION, 'ledger-admin.in': INSTALLER_TEMPLATE });
  assert.deepEqual(rules(root, 'changes', '3.1-3.2.sql'), []);
  assert.deepEqual(rules(root, 'changes', '3.2-4.0-data.sql'), []);
  // A folder the loop does not list keeps its findings.
  assert.deepEqual(rules(root, 'reports', 'monthly.sql'), STATE_RULES);
});

test('extensionless scripts with a shell #! line (also through env, or configure\'s @SHELL@) and .sh.in templates are command files', (t) => {
  const root = scratchRepository('shebang-forms', t).writeAll({
    ...APPLICATION,
    'bin/reset-db': '#!/usr/bin/env bash\nset -euo pipefail\npsql "$ADMIN_URL" -f db/reset.sql\n',
    'bin/seed.in': '#!@SHELL@\n@bindir@/psql -d @DBNAME@ -f db/seed.sql\n',
    'scripts/grants.sh.in': 'psql -d @DBNAME@ --file=db/grants.sql\n',
    'scripts/fixtures': '#! /bin/sh -e\nfor f in db/fixtures/*.sql; do psql -f "$f"; done\n',
    // Alpine's and BusyBox's ash, and MirBSD's ksh.
    'bin/apply-roles': '#!/bin/ash\nset -e\npsql "$DATABASE_URL" -f db/roles.sql\n',
    'bin/apply-grants': '#!/usr/bin/env mksh\npsql "$DATABASE_URL" -f db/grants-extra.sql\n',
  });
  for (const path of [['db', 'reset.sql'], ['db', 'seed.sql'], ['db', 'grants.sql'], ['db', 'fixtures', 'users.sql'], ['db', 'roles.sql'], ['db', 'grants-extra.sql']]) {
    assert.deepEqual(rules(root, ...path), [], path.join('/'));
  }
});

test('an extensionless or .in file that is no shell script (another interpreter, no #! line) runs nothing', (t) => {
  const root = scratchRepository('shebang-others', t).writeAll({
    ...APPLICATION,
    // A Python program that prints a hint; a template of a notice; a plain note without an extension.
    'bin/hint': '#!/usr/bin/env python3\nprint("then run: psql -f db/hint.sql")\n',
    'notice.in': 'Upgrade with: psql -d @DBNAME@ -f db/notice.sql\n',
    'scripts/NOTES': 'psql -f db/notes.sql\n',
    // A shell's name inside a longer one is no shell (`#!/opt/bin/shellcheck`).
    'scripts/lint': '#!/opt/bin/shellcheck\npsql -f db/lint.sql\n',
    // A name ending in `sh` that is no shell (`#!/usr/bin/env flash`).
    'scripts/burn': '#!/usr/bin/env flash\npsql -f db/burn.sql\n',
  });
  for (const path of [['db', 'hint.sql'], ['db', 'notice.sql'], ['db', 'notes.sql'], ['db', 'lint.sql'], ['db', 'burn.sql']]) {
    assert.deepEqual(rules(root, ...path), STATE_RULES, path.join('/'));
  }
});

test('a loop over a bare glob lists the folder of the script\'s last cd (a literal folder, or a variable set once); otherwise no folder', (t) => {
  const root = scratchRepository('bare-glob-cd', t).writeAll({
    ...APPLICATION,
    'scripts/migrate.sh': '#!/bin/sh\ncd db/steps\nfor f in $(ls *.sql); do psql -f "$f"; done\n',
    // The variable is set twice: which folder the loop lists is unknown.
    'scripts/either.sh': '#!/bin/sh\nDIR=/srv/blue/patches\n[ -n "$GREEN" ] && DIR=/srv/green/patches\ncd "$DIR"\nfor f in *.sql; do psql -f "$f"; done\n',
    // No cd before the loop: the glob could list any folder's files.
    'scripts/here.sh': '#!/bin/sh\nfor f in *.sql; do psql -f "$f"; done\ncd db/later\n',
  });
  assert.deepEqual(rules(root, 'db', 'steps', '001_accounts.sql'), []);
  assert.deepEqual(rules(root, 'db', 'patches', '001_fix.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'later', '001_late.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'queries', 'report.sql'), STATE_RULES);
});

test('a repository of SQL scripts whose only runner is an extensionless shell script naming psql is a psql-only project', (t) => {
  const files = { 'checks/clerk.sql': LEAVES_STATE, 'loadall': '#!/bin/bash\nfor f in "$@"; do psql -d lab < "$f"; done\n' };
  const repository = scratchRepository('shebang-psql-only', t);
  repository.mkdir('.git');
  repository.writeAll(files);
  assert.deepEqual(rules(repository.path('.'), 'checks', 'clerk.sql'), []);
  // The same file without its #! line is no script: nothing says how the checks run.
  const plain = scratchRepository('shebang-psql-only-plain', t);
  plain.mkdir('.git');
  plain.writeAll({ ...files, loadall: 'for f in "$@"; do psql -d lab < "$f"; done\n' });
  assert.deepEqual(rules(plain.path('.'), 'checks', 'clerk.sql'), STATE_RULES);
});

// A `cd` changes the folder of the shell that runs it: in a subshell or a command substitution, only until its `)`; in
// a function's body, only when the function runs. A bare glob after either lists some other folder, unknown here.
test('a cd in a subshell, a command substitution or a function the loop is not in does not say which folder a bare glob lists', (t) => {
  const loop = 'for f in *.sql; do psql "$DATABASE_URL" -f "$f"; done\n';
  const root = scratchRepository('bare-glob-cd-scopes', t).writeAll({
    ...APPLICATION,
    'scripts/subshell.sh': `#!/bin/sh\n( cd db/listed && ls -1 *.sql > /tmp/listed.txt )\n${loop}`,
    'scripts/substitution.sh': `#!/bin/sh\nHERE=$(cd db/resolved && pwd)\necho "$HERE"\n${loop}`,
    'scripts/uncalled.sh': `#!/bin/bash\nshow_steps() {\n  cd db/shown\n  ls *.sql\n}\n${loop}`,
    // A function that changes folder and is called first: the loop lists its folder, but the reading stops at the call.
    'scripts/called.sh': `#!/bin/bash\ngo_steps() {\n  cd db/called\n}\ngo_steps\n${loop}`,
    'scripts/piped.sh': '#!/bin/sh\n(cd db/piped && ls)\nfind . -name \'*.sql\' | sort | xargs cat | psql "$DATABASE_URL"\n',
  });
  for (const folder of ['listed', 'resolved', 'shown', 'called', 'piped']) {
    assert.deepEqual(rules(root, 'db', folder, '001_step.sql'), STATE_RULES, folder);
  }
});

test('a cd and a loop in the same subshell, or with a case pattern or a substitution between them, list the cd\'s folder', (t) => {
  const root = scratchRepository('bare-glob-cd-same-scope', t).writeAll({
    ...APPLICATION,
    'scripts/inside.sh': '#!/bin/sh\n(cd db/inside && for f in *.sql; do psql -f "$f"; done)\n',
    'scripts/cased.sh': '#!/bin/sh\ncd db/cased\ncase "$1" in\n  up) for f in *.sql; do psql -f "$f"; done ;;\n  *) echo "usage: $0 up" ;;\nesac\n',
    'scripts/stamped.sh': '#!/bin/sh\ncd db/stamped\nSTAMP=$(date +%s)\nfor f in *.sql; do psql -v stamp="$STAMP" -f "$f"; done\n',
    'scripts/piped.sh': '#!/bin/sh\n(cd db/piped && find . -name \'*.sql\' | sort | xargs cat | psql "$DATABASE_URL")\n',
  });
  for (const folder of ['inside', 'cased', 'stamped', 'piped']) assert.deepEqual(rules(root, 'db', folder, '001_step.sql'), [], folder);
});

// Only a subshell's own parentheses end it: a `)` escaped or inside double quotes is text, and a `$( … )` inside double
// quotes is a substitution whose `)` closes it alone. A plain cd before such a line still holds at the loop.
test('an escaped or double-quoted parenthesis closes no subshell: the top-level cd before it is the folder a bare glob lists', (t) => {
  const loop = 'for f in *.sql; do psql "$DATABASE_URL" -f "$f"; done\n';
  const root = scratchRepository('bare-glob-cd-quoted-parenthesis', t).writeAll({
    ...APPLICATION,
    'scripts/stripped.sh': `#!/bin/bash\ncd db/stripped\nls *.sql | tr -d ")"\n${loop}`,
    'scripts/escaped.sh': `#!/bin/bash\ncd db/escaped\necho step one\\)\n${loop}`,
    'scripts/stamped.sh': `#!/bin/bash\ncd db/stamped\necho "ok $(date))"\n${loop}`,
    'scripts/outer.sh': `#!/bin/bash\ncd db/outer\n( cd nested && ls "(x" )\nX="$(cd "$(dirname "$0")" && pwd)"\n${loop}`,
  });
  // outer.sh: the subshell's `cd nested` and the substitution's cd end with them (else the loop would list db/outer/nested).
  for (const folder of ['stripped', 'escaped', 'stamped', 'outer']) assert.deepEqual(rules(root, 'db', folder, '001_step.sql'), [], folder);
});

// A generated script of hundreds of cd/loop pairs: the folder each loop lists is read in one pass over the script, not
// by a scan back from every loop over every cd (which took minutes for a script near the file-size cap).
test('a large generated script of cds and loops is read in about linear time', (t) => {
  const loop = 'for f in *.sql; do psql "$DATABASE_URL" -f "$f"; done\n';
  const pairs = Array.from({ length: 900 }, (_, i) => `cd /srv/step${i}\n( cd db/other && ls )\n${loop}`);
  const script = `#!/bin/bash\nset -e\n${pairs.join('')}cd "$ROOT"\ncd db/last\n${loop}`;
  const root = scratchRepository('bare-glob-cd-many', t).writeAll({ ...APPLICATION, 'scripts/apply.sh': script });
  const started = process.hrtime.bigint();
  assert.deepEqual(rules(root, 'db', 'last', '001_step.sql'), []);
  assert.deepEqual(rules(root, 'db', 'other', '001_step.sql'), STATE_RULES);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The one-pass reading takes about a second here, the scan back from each loop about a minute.
  assert.ok(seconds < 15, `${seconds.toFixed(1)} s`);
});
