// A schema-design tool's export (Navicat's "Data Transfer", pgModeler, …) is loaded by hand in a session of its own,
// unless the project's own migrator applies it: a file in a migrations folder that db-migrate, node-pg-migrate or a
// program of the project sends on the application's URL is a migration whatever tool exported it (corpus ruling 6),
// and its top-level SETs outlive it on the pooled server connection (ownSession.ts, projectMigrators.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const NAVICAT_HEADER = '/*\n Navicat PostgreSQL Data Transfer\n\n Source Server Type    : PostgreSQL\n Target Server Type    : PostgreSQL\n*/\n\n';
const PGMODELER_HEADER = '-- Database generated with pgModeler (PostgreSQL Database Modeler).\n\n';
const BODY = "SET search_path TO 'ledger';\n\nDROP TABLE IF EXISTS \"entries\";\nCREATE TABLE \"entries\" (\"id\" int4 NOT NULL);\n";
/** A db-migrate migration in its `sql-file` form: it reads its `sqls/` file and hands the text to runSql. */
const DB_MIGRATE_UP = [
  "const fs = require('fs');",
  "const path = require('path');",
  'exports.up = function (db) {',
  "  const text = fs.readFileSync(path.join(__dirname, 'sqls', '20240101000000-ledger-up.sql'), 'utf8');",
  '  return db.runSql(text);',
  '};',
].join('\n');

function rulesAt(t: Cleanup, files: Record<string, string>, text: string, path: string[]): string[] {
  const repo = scratchRepository('model-exports', t);
  repo.mkdir('.git');
  const root = repo.writeAll(files);
  return analyzeSql(text, undefined, join(root, ...path)).map((f) => f.rule);
}

test("a Navicat export that db-migrate applies from its migrations folder keeps its top-level SET's finding", (t) => {
  const files = { 'package.json': '{ "dependencies": { "pg": "^8", "db-migrate": "^0.11" } }\n', 'migrations/20240101000000-ledger.js': DB_MIGRATE_UP };
  assert.deepEqual(rulesAt(t, files, NAVICAT_HEADER + BODY, ['migrations', 'sqls', '20240101000000-ledger-up.sql']), ['session-set']);
  // Any tool's export: a pgModeler one that node-pg-migrate applies is a migration too.
  const nodePgMigrate = { 'package.json': '{ "dependencies": { "pg": "^8", "node-pg-migrate": "^7" } }\n' };
  assert.deepEqual(rulesAt(t, nodePgMigrate, PGMODELER_HEADER + BODY, ['migrations', '001_ledger.sql']), ['session-set']);
});

test('a Navicat export nothing of the project applies stays a hand-loaded script: no finding', (t) => {
  // Outside any migrations folder, beside a migrator.
  const migrator = { 'package.json': '{ "dependencies": { "pg": "^8", "db-migrate": "^0.11" } }\n', 'migrations/20240101000000-ledger.js': DB_MIGRATE_UP };
  assert.deepEqual(rulesAt(t, migrator, NAVICAT_HEADER + BODY, ['db', 'ledger.sql']), []);
  // In a migrations folder no migrator and no program of the project applies.
  const none = { 'package.json': '{ "dependencies": { "pg": "^8" } }\n' };
  assert.deepEqual(rulesAt(t, none, NAVICAT_HEADER + BODY, ['migrations', '001_ledger.sql']), []);
});
