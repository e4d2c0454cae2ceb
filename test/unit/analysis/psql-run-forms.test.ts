// More ways a repository's scripts hand a `.sql` file to psql, which runs it in its own session (psqlRuns.ts): piped
// into psql, one by one from a shell loop, from a PowerShell or batch script, from a program in a scripts folder.
// Files none of them names keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves session state behind: a preload, a custom setting, a scratch table. */
const LEAVES_STATE = "SET app.region = 'eu';\nCREATE TEMP TABLE staging_rows (id bigint);\nLOAD 'pg_hint_plan';\n";
const STATE_RULES = ['load', 'session-set', 'temp-table'];

/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'app/main.py': 'import psycopg\n' };

const rules = (root: string, ...path: string[]): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a file piped into psql (cat … | psql, also through docker exec) runs in psql\'s session', (t) => {
  const root = scratchRepository('psql-pipe', t).writeAll({
    'scripts/restore.sh': '#!/bin/sh\nset -e\ncat database/baseline.sql | docker compose exec -T pg psql -U owner -d shop\ncat "$ROOT/database/grants.sql" | psql "$ADMIN_URL"\n',
  });
  assert.deepEqual(rules(root, 'database', 'baseline.sql'), []);
  assert.deepEqual(rules(root, 'database', 'grants.sql'), []);
  // Piped elsewhere (a formatter, a file) it is no psql run; a file nothing names keeps its findings.
  const other = scratchRepository('psql-pipe-other', t).writeAll({
    'scripts/check.sh': '#!/bin/sh\ncat database/baseline.sql | pg_format > /tmp/out.sql\npsql "$URL" -c "select 1"\n',
  });
  assert.deepEqual(rules(other, 'database', 'baseline.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'database', 'reports.sql'), STATE_RULES);
});

test('the files a shell loop hands psql one at a time (globs, $(ls …), $(find … -name "*.sql")) run in psql\'s session', (t) => {
  const root = scratchRepository('psql-loop', t).writeAll({
    'bin/setup-db.sh': [
      '#!/usr/bin/env bash',
      'for script in db/bootstrap/*.sql; do',
      '  echo "running $script"',
      '  psql "$DATABASE_ADMIN_URL" -v ON_ERROR_STOP=1 -f "$script"',
      'done',
      'for extra in $(find db/fixtures-dev -name "*.sql" | sort); do',
      '  cat "$extra" | psql "$DATABASE_ADMIN_URL"',
      'done',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'db', 'bootstrap', '010_roles.sql'), []);
  assert.deepEqual(rules(root, 'db', 'fixtures-dev', 'nested', 'accounts.sql'), []);
  // A folder the loops do not list keeps its findings.
  assert.deepEqual(rules(root, 'db', 'queries', 'report.sql'), STATE_RULES);
});

test('a loop whose variable psql does not run, or whose list names no folder, makes no psql run', (t) => {
  const root = scratchRepository('psql-loop-other', t).writeAll({
    // The loop copies the files; psql runs another variable.
    'bin/package.sh': '#!/bin/sh\nfor part in db/bootstrap/*.sql; do cp "$part" dist/; done\npsql "$URL" -f "$MIGRATION"\n',
    // `$name.sql` could be any file of the tree.
    'scripts/apply.sh': '#!/bin/sh\nfor file in $name.sql; do psql -f "$file"; done\n',
  });
  assert.deepEqual(rules(root, 'db', 'bootstrap', '010_roles.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'queries', 'report.sql'), STATE_RULES);
});

test('PowerShell and batch scripts that run psql on a file (backslash paths), and a zsh or lowercase makefile, are command files', (t) => {
  const root = scratchRepository('psql-windows', t).writeAll({
    'scripts/init-db.ps1': '$env:PGPASSWORD = "dev"\n& psql -h localhost -U dev -d shop -f .\\sql\\schema\\base.sql\n',
    'tools/seed.bat': '@echo off\r\npsql -U dev -d shop -f sql\\seed\\demo.sql\r\n',
    'makefile': 'reset:\n\tpsql $(URL) -f sql/reset.sql\n',
    'scripts/local.zsh': 'psql "$URL" --file sql/local.sql\n',
  });
  for (const path of [['sql', 'schema', 'base.sql'], ['sql', 'seed', 'demo.sql'], ['sql', 'reset.sql'], ['sql', 'local.sql']]) {
    assert.deepEqual(rules(root, ...path), [], path.join('/'));
  }
  assert.deepEqual(rules(root, 'sql', 'queries.sql'), STATE_RULES);
});

test('a program in a scripts folder that spawns psql on a file runs it in psql\'s session; the application\'s own sources are not read', (t) => {
  const root = scratchRepository('psql-program', t).writeAll({
    'scripts/setup.ts': "import { execSync } from 'node:child_process';\nexecSync(`psql ${process.env.ADMIN_URL} -1 -f db/install.sql`, { stdio: 'inherit' });\n",
    'tools/load_demo.py': 'import subprocess\nsubprocess.run("psql $ADMIN_URL -f db/demo.sql", shell=True, check=True)\n',
  });
  assert.deepEqual(rules(root, 'db', 'install.sql'), []);
  assert.deepEqual(rules(root, 'db', 'demo.sql'), []);
  // A server module beside the file that merely mentions psql in a message is not a scripts folder's program.
  const app = scratchRepository('psql-program-app', t).writeAll({
    'src/db.ts': "// For a manual reset, run: psql -f sql/bootstrap.sql\nexport const bootstrap = readFileSync('sql/bootstrap.sql', 'utf8');\n",
  });
  assert.deepEqual(rules(app, 'src', 'sql', 'bootstrap.sql'), STATE_RULES);
});

test('a folder\'s data .txt files, listed first, do not crowd its README out of the pages read for psql runs', (t) => {
  const files: Record<string, string> = {
    'db/README.md': '# Schema\n\nFrom this folder: psql -d warehouse -f seed.sql\n',
    // An application's repository (a package manifest beside db/): not a project of psql scripts alone, all of whose
    // scripts run by hand (psqlOnlyProjects.ts, which reads the same pages first: pagesAmong).
    'package.json': '{ "name": "warehouse" }\n',
  };
  for (let i = 0; i < 60; i++) files[`db/words-${String(i).padStart(2, '0')}.txt`] = `lemma ${i}\n`;
  const root = scratchRepository('psql-pages-data', t).writeAll(files);
  // Whatever order the file system lists a folder in: here every .txt file before the README.
  const fs = require('node:fs') as typeof import('node:fs');
  const original = fs.readdirSync;
  t.mock.method(fs, 'readdirSync', function (this: unknown, ...args: Parameters<typeof fs.readdirSync>) {
    const entries = original.apply(this, args as never) as unknown as Array<{ name: string }>;
    return [...entries].sort((a, b) => Number(!a.name.endsWith('.txt')) - Number(!b.name.endsWith('.txt')) || a.name.localeCompare(b.name));
  });
  assert.deepEqual(rules(root, 'db', 'seed.sql'), []);
  // A file the README does not name keeps its findings.
  assert.deepEqual(rules(root, 'db', 'reports.sql'), STATE_RULES);
});

test('psql -f in Markdown inline code names its file: the closing backtick ends the argument', (t) => {
  const root = scratchRepository('psql-inline-code', t).writeAll({
    'README.md': '# Inventory\n\nCreate the schema with `psql "$DATABASE_URL" -f db/schema.sql`, then seed it (`psql -f db/seed.sql`).\n',
    // The application that sends the other files: without it this would be a psql-only project (psqlOnlyProjects.ts).
    'package.json': '{ "name": "inventory", "dependencies": { "pg": "^8.11.0" } }\n',
  });
  assert.deepEqual(rules(root, 'db', 'schema.sql'), []);
  assert.deepEqual(rules(root, 'db', 'seed.sql'), []);
  assert.deepEqual(rules(root, 'db', 'queries.sql'), STATE_RULES);
});

test('a script the documentation or a command file runs with pgbench -f (a weight after @ too) runs on pgbench\'s own connections', (t) => {
  const root = scratchRepository('pgbench-run', t).writeAll({
    'README.md': 'Measure the policy cost:\n\n```sh\npgbench -c 1 -n -T 60 -f load/policies.sql -h localhost postgres\n```\n',
    'Makefile': 'bench:\n\tpgbench --file=load/mixed.sql@9 --file load/writes.sql@1 -T 30 "$(DB)"\n',
  });
  assert.deepEqual(rules(root, 'load', 'policies.sql'), []);
  assert.deepEqual(rules(root, 'load', 'mixed.sql'), []);
  assert.deepEqual(rules(root, 'load', 'writes.sql'), []);
  // A file the pgbench commands do not name, and one only mentioned beside pgbench's initialisation, keep their findings.
  assert.deepEqual(rules(root, 'load', 'seed.sql'), STATE_RULES);
  const other = scratchRepository('pgbench-other', t).writeAll({ 'README.md': 'Run `pgbench -i -s 10` after loading load/seed.sql.\n' });
  assert.deepEqual(rules(other, 'load', 'seed.sql'), STATE_RULES);
});

test('the files a glob pipes into psql\'s standard input (a README\'s `cat sql/schema/*.sql | psql -1 -f -`) run in psql\'s session', (t) => {
  const root = scratchRepository('psql-pipe-glob', t).writeAll({
    ...APPLICATION,
    'README.md': '# Monitor\n\nCreate the schema:\n\n```\ncat sql/schema/*.sql | psql -1 -f - -d metrics_db\n```\n',
    'scripts/load.sh': '#!/bin/sh\ncat "$ROOT"/db/seed/*.sql | docker compose exec -T pg psql -U owner\n',
  });
  assert.deepEqual(rules(root, 'sql', 'schema', '00_schema.sql'), []);
  assert.deepEqual(rules(root, 'db', 'seed', 'accounts.sql'), []);
  // Files the globs do not cover keep their findings.
  assert.deepEqual(rules(root, 'sql', 'helpers', 'cpu_load.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'queries', 'report.sql'), STATE_RULES);
  // A glob piped into another client is no psql run.
  const other = scratchRepository('psql-pipe-glob-other', t).writeAll({
    ...APPLICATION,
    'README.md': '```\ncat sql/schema/*.sql | mysql -u root app\ncat sql/schema/*.sql | sqlite3 app.db\npsql -c "select 1"\n```\n',
  });
  assert.deepEqual(rules(other, 'sql', 'schema', '00_schema.sql'), STATE_RULES);
});

test('`psql -f - < file` runs the redirected file, and `-f -` names none', (t) => {
  const root = scratchRepository('psql-stdin-dash', t).writeAll({
    ...APPLICATION,
    'scripts/init.sh': '#!/bin/sh\npsql -1 -f - -d app < db/bootstrap.sql\n',
  });
  assert.deepEqual(rules(root, 'db', 'bootstrap.sql'), []);
  assert.deepEqual(rules(root, 'db', 'report.sql'), STATE_RULES);
});

test('the files `find … -name "*.sql" | xargs cat | psql` concatenates run in psql\'s session, from the folder the script changed to', (t) => {
  const root = scratchRepository('psql-xargs', t).writeAll({
    ...APPLICATION,
    // Vagrant provisions with vagrant/start.sh; in the machine `/vagrant` is the Vagrantfile's folder.
    Vagrantfile: 'Vagrant.configure("2") do |config|\n  config.vm.provision "shell", path: "vagrant/start.sh"\nend\n',
    'vagrant/start.sh': '#!/bin/bash\ncd /vagrant/sql/schema\npsql -c "CREATE DATABASE app;" postgres\nfind -name \'*.sql\' | sort | xargs cat | psql\n',
    'scripts/seed.sh': '#!/bin/sh\nls db/seed/*.sql | xargs cat | psql "$URL"\nfind db/fixtures -name "*.sql" -print0 | xargs -0 cat | psql "$URL"\n',
  });
  assert.deepEqual(rules(root, 'sql', 'schema', '00_schema.sql'), []);
  assert.deepEqual(rules(root, 'sql', 'schema', 'parts', '01_tables.sql'), []);
  assert.deepEqual(rules(root, 'db', 'seed', 'users.sql'), []);
  assert.deepEqual(rules(root, 'db', 'fixtures', 'orders.sql'), []);
  // Outside the folder searched, the files keep their findings.
  assert.deepEqual(rules(root, 'sql', 'helpers', 'cpu_load.sql'), STATE_RULES);
});

test('a search from an unknown folder, or concatenated into something other than psql, makes no psql run', (t) => {
  const root = scratchRepository('psql-xargs-other', t).writeAll({
    ...APPLICATION,
    // No Vagrantfile: /vagrant is no folder of the repository; `cd "$DIR"` leads anywhere; no `cd` at all: the whole tree.
    'scripts/a.sh': '#!/bin/sh\ncd /vagrant/sql/schema\nfind . -name \'*.sql\' | xargs cat | psql\n',
    'scripts/b.sh': '#!/bin/sh\ncd "$DIR/sql/reports"\nfind -name \'*.sql\' | xargs cat | psql\n',
    'scripts/c.sh': '#!/bin/sh\nfind . -name \'*.sql\' | xargs cat | psql\n',
    // A Makefile recipe line runs in a shell of its own: the `cd` of the line before leads nowhere.
    Makefile: 'load:\n\tcd sql/views\n\tfind -name \'*.sql\' | xargs cat | psql\n',
    'scripts/d.sh': '#!/bin/sh\nfind sql/dump -name \'*.sql\' | xargs cat | mysql app\necho "SET ROLE admin;" | psql\n',
  });
  for (const folder of ['schema', 'reports', 'views', 'dump']) assert.deepEqual(rules(root, 'sql', folder, 'x.sql'), STATE_RULES, folder);
});

test('a file a glob piped into psql leaves out of its folder is not one of the folder\'s psql scripts', (t) => {
  const root = scratchRepository('psql-pipe-glob-left-out', t).writeAll({
    ...APPLICATION,
    'extensions/build.sh': '#!/bin/sh\ncat bundle/0*.sql | psql flat\n',
    'extensions/bundle/000-model.sql': LEAVES_STATE,
    'extensions/bundle/001-functions.sql': LEAVES_STATE,
    'extensions/bundle/002-utils.sql': LEAVES_STATE,
  });
  assert.deepEqual(rules(root, 'extensions', 'bundle', '001-functions.sql'), []);
  // The draft beside them is no part of the run (its folder's majority says nothing of it).
  assert.deepEqual(rules(root, 'extensions', 'bundle', 'new.sql'), STATE_RULES);
});

test('a psql command continued over lines with backslashes runs the file its later line names', (t) => {
  const root = scratchRepository('psql-continued', t).writeAll({
    'scripts/reset.sh': '#!/bin/sh\npsql "$ADMIN_URL" --single-transaction \\\n  -v ON_ERROR_STOP=1 \\\n  -f db/reset.sql\n',
    // No backslash: the second line is a command of its own, psql's file argument it is not.
    'scripts/report.sh': '#!/bin/sh\npsql "$ADMIN_URL" -c "select 1"\nexport REPORT=db/report.sql\n',
    ...APPLICATION,
  });
  assert.deepEqual(rules(root, 'db', 'reset.sql'), []);
  assert.deepEqual(rules(root, 'db', 'report.sql'), STATE_RULES);
});

test('a loop over "$DIR"/[0-9]*.sql, where the script sets DIR to a folder with a literal end, hands psql that folder\'s matching files', (t) => {
  const root = scratchRepository('psql-loop-folder-variable', t).writeAll({
    'scripts/migrate.sh': [
      '#!/usr/bin/env bash',
      'CHANGES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../db/changes" && pwd)"',
      'for change in "$CHANGES"/[0-9][0-9]_*.sql; do',
      '  psql "$URL" -1 -v ON_ERROR_STOP=1 \\',
      '    -f "$change"',
      'done',
    ].join('\n'),
    ...APPLICATION,
  });
  assert.deepEqual(rules(root, 'db', 'changes', '07_add_orders.sql'), []);
  const setLocalLater = 'CREATE TABLE orders (id bigint);\nSET LOCAL lock_timeout = \'2s\';\nALTER TABLE orders ADD COLUMN note text;\n';
  assert.deepEqual(analyzeSql(setLocalLater, undefined, join(root, 'db', 'changes', '08_note.sql')), []);
  // The bracket expression and the folder both hold: a file they do not match keeps its findings.
  assert.deepEqual(rules(root, 'db', 'changes', 'notes.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'other', '07_add_orders.sql'), STATE_RULES);
});

test('a loop over "$DIR"/*.sql names no file where DIR is set to nothing literal, or set more than once', (t) => {
  const root = scratchRepository('psql-loop-folder-variable-unknown', t).writeAll({
    'scripts/from-argument.sh': '#!/bin/sh\nSQL_DIR="$1"\nfor f in "$SQL_DIR"/*.sql; do psql -f "$f"; done\n',
    'scripts/either.sh': '#!/bin/sh\nPARTS=db/blue\n[ -n "$GREEN" ] && PARTS=db/green\nfor f in "$PARTS"/*.sql; do psql -f "$f"; done\n',
    ...APPLICATION,
  });
  assert.deepEqual(rules(root, 'db', 'seed.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'blue', 'seed.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'green', 'seed.sql'), STATE_RULES);
});

// A helper that runs psql on one of its arguments, often in a utilities script the pipeline sources:
// `run_file "$DB" path/x.sql "message"` hands psql the file at the position the helper reads it from.
test('a shell function that runs psql -f on one of its positional arguments ($2, ${2}, or a variable set from it): its callers\' files run in psql\'s session', (t) => {
  const root = scratchRepository('psql-function-position', t).writeAll({
    ...APPLICATION,
    'tools/helpers.sh': [
      '#!/bin/bash',
      'run_file() {',
      '  target_db=$1',
      '  sql_path=$2',
      '  note=$3',
      '  echo "$note"',
      '  psql -h "$PGHOST" -d ${target_db} \\',
      '    -v ON_ERROR_STOP=1 \\',
      '    -f ${sql_path} >> "$LOG"',
      '}',
      'apply() { local db="$1"; psql -d "$db" -1 -f "${2}"; }',
    ].join('\n'),
    'tools/pipeline.sh': [
      '#!/bin/bash',
      '. "$(dirname "$0")/helpers.sh"',
      'run_file "$TARGET" "${ROOT}/sql/prepare.sql" "Prepare the import (may take a while)"',
      'run_file ${TARGET} ${ROOT}/sql/load/rows.sql \\',
      '  "Rows"',
      'apply "$TARGET" sql/finish.sql',
    ].join('\n'),
  });
  for (const path of [['sql', 'prepare.sql'], ['sql', 'load', 'rows.sql'], ['sql', 'finish.sql']]) {
    assert.deepEqual(rules(root, ...path), [], path.join('/'));
  }
  // A file in another position of the call (the database's, the message's) is not what psql runs; nor is a function
  // whose psql file comes from elsewhere (a fixed path, a variable it never sets from its arguments).
  const other = scratchRepository('psql-function-position-other', t).writeAll({
    ...APPLICATION,
    'tools/helpers.sh': '#!/bin/bash\nrun_file() {\n  sql_path=$2\n  psql -d "$1" -f ${sql_path}\n}\nseed() { psql -d "$1" -f "$SEED_FILE"; }\n',
    'tools/pipeline.sh': '#!/bin/bash\n. ./helpers.sh\nrun_file sql/notes.sql "$DB"\nseed sql/seed.sql\n',
  });
  assert.deepEqual(rules(other, 'sql', 'notes.sql'), STATE_RULES);
  assert.deepEqual(rules(other, 'sql', 'seed.sql'), STATE_RULES);
});

test('a Makefile recipe\'s loop, its `$$` the shell\'s `$` and led by make\'s `@`, hands psql the files it lists', (t) => {
  const root = scratchRepository('psql-makefile-loop', t).writeAll({
    Makefile: 'seed:\n\t@for part in db/seeds/*.sql; do \\\n\t\tpsql "$(SHOP_URL)" -X -f $$part || exit 1; \\\n\tdone\n',
    ...APPLICATION,
  });
  assert.deepEqual(rules(root, 'db', 'seeds', 'catalog.sql'), []);
  // What the loop does not list keeps its findings.
  assert.deepEqual(rules(root, 'db', 'reports', 'catalog.sql'), STATE_RULES);
});

test('a loop handing psql each file by its name in another folder ($(basename "$f"): a container\'s mount) runs the loop\'s files', (t) => {
  const root = scratchRepository('psql-loop-basename', t).writeAll({
    Makefile: 'schema:\n\tfor f in schema/*.sql; do docker compose exec -T pg psql -U app -f /schema/$$(basename $$f); done\n',
    'scripts/load.sh': '#!/bin/sh\nfor f in fixtures/*.sql; do\n  docker exec -i pg psql -f "/seed/`basename "$f"`"\ndone\n',
    ...APPLICATION,
  });
  assert.deepEqual(rules(root, 'schema', 'tables.sql'), []);
  assert.deepEqual(rules(root, 'fixtures', 'users.sql'), []);
  // The name of a file that is no loop's names nothing: a variable set elsewhere may be any file.
  const other = scratchRepository('psql-basename-no-loop', t).writeAll({
    'scripts/one.sh': '#!/bin/sh\npsql -f "/seed/$(basename "$SEED")"\n',
    ...APPLICATION,
  });
  assert.deepEqual(rules(other, 'seed', 'users.sql'), STATE_RULES);
});

test('an include echoed or printed into psql (echo "\\i db/x.sql" | psql …) runs that file in psql\'s session', (t) => {
  const root = scratchRepository('psql-echo-include', t).writeAll({
    ...APPLICATION,
    'scripts/load.sh': [
      '#!/bin/sh',
      'echo "\\i database/echoed.sql" | psql -d shop',
      "printf '\\\\set ON_ERROR_STOP on\\n\\\\ir database/printed.sql\\n' | docker exec -i pg psql -U owner",
      'echo "\\i database/to_file.sql" > notes.txt',
      'echo "\\i database/to_grep.sql" | grep sql',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'database', 'echoed.sql'), []);
  assert.deepEqual(rules(root, 'database', 'printed.sql'), []);
  // Printed into a file or another program, the include runs nothing.
  assert.deepEqual(rules(root, 'database', 'to_file.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'database', 'to_grep.sql'), STATE_RULES);
});

test('an include a psql command is given with -c (psql -c "\\i db/x.sql") runs that file in psql\'s session', (t) => {
  const root = scratchRepository('psql-command-include', t).writeAll({
    ...APPLICATION,
    'scripts/load.sh': [
      '#!/bin/sh',
      'psql -d shop -v ON_ERROR_STOP=1 -c "\\i database/commanded.sql"',
      "docker exec -i pg psql -U owner -Xqc '\\ir database/relative.sql' shop",
      'psql "$ADMIN_URL" --command="\\\\include database/doubled.sql"',
      'psql -d shop -c "\\echo database/said.sql"',
      'echo "then run: psql -c \'\\i database/shown.sql\'"',
      'psql -d shop -c "select 1" # psql -c "\\i database/commented.sql"',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'database', 'commanded.sql'), []);
  assert.deepEqual(rules(root, 'database', 'relative.sql'), []);
  assert.deepEqual(rules(root, 'database', 'doubled.sql'), []);
  // Another meta-command names no file it runs; an echo shows the command, a comment runs nothing.
  assert.deepEqual(rules(root, 'database', 'said.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'database', 'shown.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'database', 'commented.sql'), STATE_RULES);
});

test('a script in a sub-folder of a scripts folder (bin/etl/run.sh) that runs psql -f on a file runs it in psql\'s session', (t) => {
  const root = scratchRepository('psql-command-subfolder', t).writeAll({
    ...APPLICATION,
    'bin/etl/run.sh': [
      '#!/bin/bash',
      'declare -r ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"',
      'declare -r REPORT_SQL="${ROOT_DIR}/sql/etl/report.sql"',
      'psql -d "${DBNAME}" -v ON_ERROR_STOP=1 -f "${REPORT_SQL}" > report.txt',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'sql', 'etl', 'report.sql'), []);
  // A file of the same folder the script does not name keeps its findings.
  assert.deepEqual(rules(root, 'sql', 'etl', 'staging.sql'), STATE_RULES);
});

test('a migration keeps its findings though a script in a scripts sub-folder also runs it with psql', (t) => {
  const root = scratchRepository('psql-command-subfolder-migration', t).writeAll({
    ...APPLICATION,
    'scripts/migrations/apply-categories.sh': '#!/bin/sh\npsql "$DATABASE_URL" -f db/migrations/002_categories.sql\n',
  });
  // The application's own migrator may apply the folder on its pool too, whether or not the analysis sees it.
  assert.deepEqual(rules(root, 'db', 'migrations', '002_categories.sql'), STATE_RULES);
});

test('the files a Makefile pastes with cat into a file it feeds psql run in psql\'s session, its variables expanded', (t) => {
  const root = scratchRepository('psql-make-built', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'DB=shopdb',
      'OUT=${CURDIR}/out/schema.sql',
      'ROUTINES=$(shell ls db/routines/*.sql)',
      'BASE=$(CURDIR)/db/base.sql',
      '',
      'install: base routines',
      '\tpsql $(DB) < $(OUT) --quiet',
      'base:',
      '\t@cat $(BASE) >> $(OUT)',
      'routines:',
      '\t@cat $(ROUTINES) >> ${OUT}',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'db', 'base.sql'), []);
  assert.deepEqual(rules(root, 'db', 'routines', 'totals.sql'), []);
  // A file the built file does not paste in keeps its findings.
  assert.deepEqual(rules(root, 'db', 'reports', 'totals.sql'), STATE_RULES);
});

test('the files a Makefile pastes into a file a Dockerfile copies into the postgres image\'s init folder run in psql\'s session', (t) => {
  const root = scratchRepository('psql-make-built-initdb', t).writeAll({
    ...APPLICATION,
    Makefile: 'PARTS=$(wildcard sql/parts/*.sql)\nseed.sql:\n\tcat $(PARTS) > $@\n',
    Dockerfile: 'FROM postgres:16\nCOPY seed.sql /docker-entrypoint-initdb.d/seed.sql\n',
  });
  assert.deepEqual(rules(root, 'sql', 'parts', 'accounts.sql'), []);
});

test('the files a Makefile pastes into a file neither psql nor the postgres image runs keep their findings', (t) => {
  const root = scratchRepository('psql-make-built-unrun', t).writeAll({
    ...APPLICATION,
    // psql runs another file; the bundle is only shipped.
    Makefile: 'PARTS=$(wildcard sql/parts/*.sql)\nBUNDLE=dist/bundle.sql\nbundle:\n\tcat $(PARTS) > $(BUNDLE)\nseed:\n\tpsql -f sql/seed.sql\n',
    Dockerfile: 'FROM node:20\nCOPY dist/bundle.sql /app/bundle.sql\n',
  });
  assert.deepEqual(rules(root, 'sql', 'parts', 'accounts.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql', 'seed.sql'), []);
});
