// The readers of shell commands (psqlRuns.ts, makefiles.ts) know a SQL file by the one list of SQL file extensions
// (sqlFileNames.ts): a `.pgsql` or `.psql` script that a shell script, a Makefile, a package.json script or a loop hands
// to psql runs in psql's own session, as a `.sql` one does. The extension is part of the name the command gives: a
// command naming another file, or globbing another extension, leaves the script's findings in place.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script whose preamble leaves session state behind: a search path, a custom setting, a scratch table. */
const LEAVES_STATE = "SET search_path = billing, public;\nSET app.region = 'eu';\nCREATE TEMP TABLE staged_invoices (id bigint);\n";
const STATE_RULES = ['session-set', 'session-set', 'temp-table'];

/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'api/server.py': 'import psycopg\n' };

const rules = (root: string, ...path: string[]): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a .pgsql or .psql file that a shell script, a Makefile or a package.json script runs with psql -f is a session script', (t) => {
  const root = scratchRepository('psql-pgsql-named', t).writeAll({
    ...APPLICATION,
    'scripts/bootstrap.sh': '#!/bin/sh\nset -e\npsql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f database/schema.pgsql\n',
    Makefile: 'seed:\n\tpsql $(DB_URL) --file=fixtures/demo.psql\n',
    'package.json': JSON.stringify({ scripts: { 'db:reports': 'psql $DATABASE_URL -1 -f reporting/views.PGSQL' } }),
  });
  assert.deepEqual(rules(root, 'database', 'schema.pgsql'), []);
  assert.deepEqual(rules(root, 'fixtures', 'demo.psql'), []);
  assert.deepEqual(rules(root, 'reporting', 'views.PGSQL'), []);
});

test('.pgsql files a loop, a find pipeline, a variable or a runner script hands psql are session scripts', (t) => {
  const root = scratchRepository('psql-pgsql-forms', t).writeAll({
    ...APPLICATION,
    'bin/load.sh': [
      '#!/usr/bin/env bash',
      'for part in db/init/*.pgsql; do psql "$URL" -f "$part"; done',
      'find db/views -name "*.psql" | sort | xargs cat | psql "$URL"',
      'GRANTS=${ROOT}/db/roles/grants.pgsql',
      'psql "$URL" -f "$GRANTS"',
    ].join('\n'),
    'scripts/run-sql.sh': '#!/bin/sh\npsql "$DATABASE_URL" -f "$1"\n',
    'README.md': 'Load the audit tables:\n\n    ./scripts/run-sql.sh db/audit/tables.pgsql\n',
  });
  assert.deepEqual(rules(root, 'db', 'init', '01_accounts.pgsql'), []);
  assert.deepEqual(rules(root, 'db', 'views', 'monthly.psql'), []);
  assert.deepEqual(rules(root, 'db', 'roles', 'grants.pgsql'), []);
  assert.deepEqual(rules(root, 'db', 'audit', 'tables.pgsql'), []);
});

test('a command naming a file of another extension, or globbing one, does not make a .pgsql file a session script', (t) => {
  const root = scratchRepository('psql-pgsql-other', t).writeAll({
    ...APPLICATION,
    // psql runs schema.sql, not schema.pgsql; the loop takes `.sql` files only; the find keeps `.sql` files only.
    'scripts/bootstrap.sh': [
      '#!/bin/sh',
      'psql "$URL" -f database/schema.sql',
      'for part in db/init/*.sql; do psql "$URL" -f "$part"; done',
      'find db/views -name "*.sql" | xargs cat | psql "$URL"',
    ].join('\n'),
    // Formatted, not run.
    Makefile: 'fmt:\n\tpg_format -i queries/report.pgsql\n',
  });
  assert.deepEqual(rules(root, 'database', 'schema.pgsql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'init', '01_accounts.pgsql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db', 'views', 'monthly.psql'), STATE_RULES);
  assert.deepEqual(rules(root, 'queries', 'report.pgsql'), STATE_RULES);
});

test('a Makefile that runs psql through a variable on a .psql file, or pastes .pgsql sources into a PGXS script, reads them as SQL', (t) => {
  const root = scratchRepository('make-pgsql', t).writeAll({
    ...APPLICATION,
    Makefile: 'CLIENT := psql -X -v ON_ERROR_STOP=1\nreset:\n\t$(CLIENT) -d scratch -f maintenance/reset.psql\n',
    'ext/ledgerx/Makefile': [
      'EXTENSION = ledgerx',
      'DATA = ledgerx--1.0.sql',
      'include $(shell pg_config --pgxs)',
      'ledgerx--1.0.sql: $(wildcard src/*.pgsql)',
      '\tcat $^ > $@',
      'report.pgsql: draft/summary.pgsql',
      '\tcat draft/summary.pgsql > $@',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'maintenance', 'reset.psql'), []);
  assert.deepEqual(rules(root, 'ext', 'ledgerx', 'src', 'accounts.pgsql'), []);
  // Pasted into a file the module does not install: the source keeps its findings.
  assert.deepEqual(rules(root, 'ext', 'ledgerx', 'draft', 'summary.pgsql'), STATE_RULES);
});

test('a folder whose other .pgsql/.psql scripts mostly run in psql is a folder of session scripts, for a file of any of the three names', (t) => {
  const root = scratchRepository('psql-pgsql-folder', t).writeAll({
    ...APPLICATION,
    'admin/sql/grants.pgsql': '\\set ON_ERROR_STOP on\nGRANT SELECT ON invoices TO auditor;\n',
    'admin/sql/vacuum.psql': '\\echo vacuuming\nVACUUM ANALYZE invoices;\n',
    'admin/sql/roles.pgsql': "\\set ON_ERROR_STOP on\nCREATE ROLE auditor;\n",
    // Unmarked neighbours of application SQL: no majority of session scripts.
    'api/sql/report.pgsql': 'SELECT 1;\n',
    'api/sql/totals.psql': 'SELECT 2;\n',
    'api/sql/grants.pgsql': '\\set ON_ERROR_STOP on\nGRANT SELECT ON invoices TO auditor;\n',
  });
  // An upgrade script beside them carries no mark of its own: the folder's majority speaks for it.
  assert.deepEqual(rules(root, 'admin', 'sql', 'upgrade-4-5.pgsql'), []);
  assert.deepEqual(rules(root, 'admin', 'sql', 'upgrade-4-5.sql'), []);
  assert.deepEqual(rules(root, 'api', 'sql', 'refresh.pgsql'), STATE_RULES);
});
