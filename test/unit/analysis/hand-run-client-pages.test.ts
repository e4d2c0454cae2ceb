// A project page that tells the reader to run SQL files it names, in a client the page names (pgAdmin's query tool,
// DBeaver, DataGrip, psql…), marks those files as hand-run: each runs in the session the person's client opens, never
// through the application's pool, so a temp table or SET at its top level is that session's business
// (handRunScripts.ts). The application beside them does not change that. A page that names a client only as
// something installed, one that names no client, files the instruction does not name, and a migrations folder's
// files keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves a temp table and a session setting behind. */
const SCRIPT = 'SET search_path TO shop, public;\nCREATE TEMP TABLE furniture_prices AS SELECT 1 AS price;\n';
const KEPT = ['session-set', 'temp-table'];
/** A program beside the scripts (a CSV loader), with its manifest: no program-less project (psqlOnlyProjects.ts). */
const LOADER = { 'load_csv.py': 'import pandas\n', 'requirements.txt': 'pandas\n' };
const LOGIN = '- Open localhost:5050, log in to pgAdmin and add the server.\n';

const rules = (root: string, ...path: string[]): string[] => analyzeSql(SCRIPT, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a README telling the reader to run named .sql files, in a client it names, marks those files hand-run', (t) => {
  const root = scratchRepository('client-page-run', t).writeAll({
    ...LOADER,
    'README.md': `# Retail\n\n${LOGIN}- Run the query in \`sp_fill_prices.sql\` file in the retail database to create the procedure. `
      + 'Call the procedure using queries in `run_fill_prices.sql` file.\n',
  });
  assert.deepEqual(rules(root, 'sql', 'sp_fill_prices.sql'), []);
  assert.deepEqual(rules(root, 'sql', 'run_fill_prices.sql'), []);
});

test('a docs page naming a file by its path and DBeaver in the instruction marks that file', (t) => {
  const root = scratchRepository('client-page-run-docs', t).writeAll({
    ...LOADER,
    'README.md': '# Reports\n',
    'docs/reports.md': '1. Execute `db/reports/monthly.sql` in DBeaver\'s SQL editor against the reporting database.\n',
  });
  assert.deepEqual(rules(root, 'db', 'reports', 'monthly.sql'), []);
  // The path names db/reports/monthly.sql, not a file of that name elsewhere.
  assert.deepEqual(rules(root, 'db', 'sales', 'monthly.sql'), KEPT);
  // A path is the file's path from the page's level, not the end of a longer one.
  assert.deepEqual(rules(root, 'other', 'db', 'reports', 'monthly.sql'), KEPT);
});

test('a routine body in a hand-run file keeps its finding: callers of the routine run it in their sessions', (t) => {
  const root = scratchRepository('client-page-run-body', t).writeAll({
    ...LOADER,
    'README.md': `${LOGIN}- Run the query in \`sp_fill_prices.sql\` in the retail database.\n`,
  });
  const body = "CREATE PROCEDURE fill_prices() LANGUAGE plpgsql AS $$\nBEGIN\n  CREATE TEMP TABLE prices AS SELECT 1 AS price;\nEND;\n$$;\n";
  assert.deepEqual(analyzeSql(body, undefined, join(root, 'sql', 'sp_fill_prices.sql')).map((f) => f.rule), ['temp-table']);
});

test('a README naming pgAdmin only as installed or started, or naming no client, marks nothing', (t) => {
  const installed = scratchRepository('client-page-installed', t).writeAll({
    ...LOADER,
    'README.md': '# Retail\n\nTools: Docker | pgAdmin\n\n- docker compose up starts postgres and pgAdmin.\n- The loader fills `sales.sql`\'s tables.\n',
  });
  assert.deepEqual(rules(installed, 'sql', 'sales.sql'), KEPT);
  const noClient = scratchRepository('client-page-no-client', t).writeAll({
    ...LOADER,
    'README.md': '# Retail\n\n- Run the query in `sales.sql` in the retail database.\n',
  });
  assert.deepEqual(rules(noClient, 'sql', 'sales.sql'), KEPT);
});

test('files the instruction does not name, and a named file in a migrations folder, keep their findings', (t) => {
  const root = scratchRepository('client-page-unnamed', t).writeAll({
    ...LOADER,
    'README.md': `${LOGIN}- Run the query in \`sp_fill_prices.sql\` in the retail database.\n- Run \`001_init.sql\` in pgAdmin.\n`,
  });
  assert.deepEqual(rules(root, 'sql', 'other_prices.sql'), KEPT);
  assert.deepEqual(rules(root, 'sql', 'fill_prices.sql'), KEPT);
  assert.deepEqual(rules(root, 'db', 'migrations', '001_init.sql'), KEPT);
});

test('a named file that a script runs with psql through a transaction pooler keeps its findings', (t) => {
  const root = scratchRepository('client-page-pooler', t).writeAll({
    ...LOADER,
    'README.md': `${LOGIN}- Run the query in \`schema.sql\` in the retail database.\n`,
    'scripts/deploy.sh': '#!/bin/sh\npsql "postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres" -f sql/schema.sql\n',
  });
  assert.deepEqual(rules(root, 'sql', 'schema.sql'), KEPT);
});
