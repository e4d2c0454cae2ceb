// A .sql file whose opening comment tells a person to run it by hand — in a hosted SQL editor or console, in psql
// or a desktop client, "manually on your database" — is a one-off script pasted or run in a session of its own
// (handRunScripts.ts). Its SET or temporary table is no pooling hazard; the same text without such a comment, with
// the instruction further down, or in a migrations folder keeps its findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { hasHandRunHeader } from '../../../server/analysis/handRunScripts';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const BODY = "SET search_path TO billing, public;\nCREATE TEMP TABLE stale_invoices AS SELECT id FROM invoices WHERE paid_at IS NULL;\nUPDATE invoices SET flagged = true WHERE id IN (SELECT id FROM stale_invoices);\n";
const rules = (text: string, path: string) => analyzeSql(text, undefined, path).map((f) => f.rule);

test('opening comments that send a person to a console, psql or a client make the file its own session', (t) => {
  const root = scratchRepository('hand-run', t).writeAll({});
  const headers = [
    '-- Run this whole file in the Supabase SQL Editor once.\n',
    '-- ==========\n-- Backfill stale invoices\n-- ==========\n-- Paste into the SQL console of your hosting provider and execute.\n',
    '/*\n  One-off repair.\n  Usage: psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f repair.sql\n*/\n',
    '-- Execute manually, after the deploy, from pgAdmin or DBeaver.\n',
    '-- Run this SQL on your staging database before the import.\n',
    '-- Nightly cleanup.\n-- This script must be run in psql as the table owner.\n',
    // The order qualified by an adverb before its verb.
    '-- ==========\n-- One-off repairs, not part of any migration.\n-- Only execute these manually, once you know why.\n-- ==========\n',
    '-- Then run it in the SQL editor of the reporting replica.\n',
  ];
  for (const header of headers) {
    assert.equal(hasHandRunHeader(header + BODY), true, header);
    assert.deepEqual(rules(header + BODY, join(root, 'scripts', 'backfill.sql')), [], header);
  }
});

test('no instruction, an instruction below the first statement, a plain description, or a migrations folder keep the findings', (t) => {
  const root = scratchRepository('hand-run-not', t).writeAll({});
  const flagged = ['session-set', 'temp-table'];
  const description = '-- Marks unpaid invoices; the billing worker runs this every night.\n';
  assert.equal(hasHandRunHeader(description + BODY), false);
  assert.equal(hasHandRunHeader('-- Trigger helpers; the check runs in the database on every insert.\n' + BODY), false);
  assert.equal(hasHandRunHeader('-- Query the admin dashboard runs to list stale invoices.\n' + BODY), false);
  // An adverb before a verb that is no order, or an order naming no place a person runs it.
  assert.equal(hasHandRunHeader('-- Only runs inside the nightly job, in its own transaction.\n' + BODY), false);
  assert.equal(hasHandRunHeader('-- Then execute the rest once the billing worker has started.\n' + BODY), false);
  assert.deepEqual(rules(description + BODY, join(root, 'sql', 'flag_unpaid.sql')), flagged);
  assert.deepEqual(rules(BODY + '-- Run this in the SQL editor.\n', join(root, 'sql', 'flag_unpaid.sql')), flagged);
  const migration = '-- Run this in the SQL editor if the CLI is unavailable.\n' + BODY;
  assert.deepEqual(rules(migration, join(root, 'db', 'migrations', '0007_flag_unpaid.sql')), flagged);
  assert.deepEqual(rules(migration, join(root, 'prisma', 'migrations', '20250101000000_flag_unpaid', 'migration.sql')), flagged);
});

test('a folder whose other scripts say to run them by hand speaks for a file without a comment', (t) => {
  const header = '-- Run this in the Neon SQL console.\n';
  const root = scratchRepository('hand-run-folder', t).writeAll({
    'ops/sql/seed_plans.sql': header + "INSERT INTO plans VALUES ('free');\n",
    'ops/sql/reset_demo.sql': header + 'DELETE FROM demo_accounts;\n',
  });
  assert.deepEqual(rules(BODY, join(root, 'ops', 'sql', 'flag_unpaid.sql')), []);
});

// A scratch file of checks and one-off fixes someone runs in a console: a top-level SHOW hands its value to a reader,
// which no application does through its pool (code asks current_setting() in a query whose result it uses).
const SCRATCH = "-- look at the encodings first\nSHOW server_encoding;\nSHOW client_encoding;\nSET search_path TO billing, public;\nCREATE TEMP TABLE stale AS SELECT id FROM invoices WHERE paid_at IS NULL;\nSELECT count(*) FROM stale;\n";

test('a top-level SHOW marks a scratch script run by hand: its SET and temp table are its own session', (t) => {
  const root = scratchRepository('hand-run-show', t).writeAll({});
  assert.deepEqual(rules(SCRATCH, join(root, 'server', 'sql_queries', 'queries.sql')), []);
  // SHOW ALL, SHOW TIME ZONE and a quoted custom setting, in any case, after a block comment.
  for (const show of ['show all;', 'SHOW TIME ZONE;', '/* which tenant? */ SHOW "app.tenant";', 'Show transaction isolation level;']) {
    assert.deepEqual(rules(BODY + show + '\n', join(root, 'notes', 'checks.sql')), [], show);
  }
});

test('without a top-level SHOW, or with one only in a body, a comment or a string, or in a migration, the findings stay', (t) => {
  const root = scratchRepository('hand-run-show-not', t).writeAll({});
  const flagged = ['session-set', 'temp-table'];
  const path = join(root, 'server', 'sql_queries', 'queries.sql');
  assert.deepEqual(rules(BODY, path), flagged);
  assert.deepEqual(rules('-- SHOW search_path;\n' + BODY, path), flagged);
  assert.deepEqual(rules(BODY + "SELECT 'show search_path;\nshow all' AS hint;\n", path), flagged);
  const body = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nSHOW search_path;\nEND $$;\n";
  assert.deepEqual(rules(body + BODY, path), flagged);
  // A SHOW that is part of another statement's words is none: `SHOW` alone, or a word after the name that no SHOW takes.
  assert.equal(rules(BODY.replace('UPDATE', 'SHOW x UPDATE'), path).includes('session-set'), true);
  assert.deepEqual(rules(SCRATCH, join(root, 'db', 'migrations', '0007_backfill.sql')), flagged);
  assert.deepEqual(rules('-- name: Encoding :one\nSHOW client_encoding;\n-- name: SetPath :exec\nSET search_path TO billing;\n', path), ['session-set']);
});
