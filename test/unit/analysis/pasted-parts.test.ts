// A SQL file whose code stands whole in a merged file beside it that a setup script runs with psql: the project keeps
// its scripts as parts and commits their merge, and psql runs the parts' statements in the merged file's session.
// A part that is not in the merge, one too short to tell, a merge nothing runs with psql, and a migrations folder's
// file keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { codeLines } from '../../../server/analysis/pastedParts';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'service/main.py': 'import psycopg\n' };
const STATE_RULES = ['session-set', 'temp-table'];

/** A part: a transaction of its own that sets a search path and fills a scratch table. */
const parcels = [
  '-- Parcel limits, step 2',
  'BEGIN;',
  'SET search_path = cadastre, public;',
  '',
  'CREATE TEMP TABLE edge_points AS',
  '  SELECT parcel_id, geom FROM boundary_points;',
  'UPDATE parcels p SET edge_count = (SELECT count(*) FROM edge_points e WHERE e.parcel_id = p.id);',
  'DROP TABLE IF EXISTS stale_edges;',
  'COMMIT;',
].join('\n');

/** Another part, with Windows line ends. */
const owners = [
  'BEGIN;',
  'SET search_path = cadastre;',
  'CREATE TEMP TABLE owner_rows (id bigint, name text);',
  'INSERT INTO owner_rows SELECT id, name FROM owners;',
  'UPDATE owners SET name = trim(name);',
  'DELETE FROM owner_rows WHERE name IS NULL;',
  'END;',
].join('\r\n');

/** The merge: both parts, blank lines, their own BEGIN/COMMIT and a comment dropped, headers added, indentation changed. */
const merged = [
  '-- merged scripts: run with psql --single-transaction',
  '-- Script name: parcels',
  'SET search_path = cadastre, public;',
  'CREATE TEMP TABLE edge_points AS',
  'SELECT parcel_id, geom FROM boundary_points;',
  'UPDATE parcels p SET edge_count = (SELECT count(*) FROM edge_points e WHERE e.parcel_id = p.id);',
  '--',
  'DROP TABLE IF EXISTS stale_edges;',
  '-- Script name: owners',
  'SET search_path = cadastre;',
  'CREATE TEMP TABLE owner_rows (id bigint, name text);',
  'INSERT INTO owner_rows SELECT id, name FROM owners;',
  'UPDATE owners SET name = trim(name);',
  'DELETE FROM owner_rows WHERE name IS NULL;',
].join('\n');

/** A part changed since the merge: one statement differs. */
const edited = owners.replace('trim(name)', 'upper(trim(name))');

const batch = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;
const setup = batch('@echo off', 'set script_path=./db', 'psql -d "%conn%" -v ON_ERROR_STOP=1 --single-transaction --file=%script_path%/merged.sql');

const rules = (root: string, path: string, text: string): string[] => [...new Set(analyzeSql(text, undefined, join(root, ...path.split('/'))).map((f) => f.rule))].sort();

test('a part whose code stands whole in a psql-run merge beside it runs in psql\'s session', (t) => {
  const root = scratchRepository('pasted-parts', t).writeAll({ ...APPLICATION, 'setup.bat': setup, 'db/parcels.sql': parcels, 'db/owners.sql': owners, 'db/merged.sql': merged });
  assert.deepEqual(rules(root, 'db/parcels.sql', parcels), []);
  assert.deepEqual(rules(root, 'db/owners.sql', owners), []);
});

test('a part that differs from the merge, is too short to tell, or sits elsewhere keeps its findings; so does a part of a merge psql does not run', (t) => {
  const root = scratchRepository('pasted-parts-not', t).writeAll({
    ...APPLICATION,
    'setup.bat': setup,
    'db/merged.sql': merged,
    'db/owners.sql': edited,
    'other/parcels.sql': parcels,
    'archive/draft_merge.sql': merged,
    'archive/parcels.sql': parcels,
    'db/migrations/0002_parcels.sql': parcels,
  });
  assert.deepEqual(rules(root, 'db/owners.sql', edited), STATE_RULES);
  // Two lines of the merge's code: as likely a copy by chance as a part.
  const short = 'SET search_path = cadastre;\nCREATE TEMP TABLE owner_rows (id bigint, name text);\n';
  assert.deepEqual(rules(root, 'db/short.sql', short), STATE_RULES);
  // The merge is in another folder than the part.
  assert.deepEqual(rules(root, 'other/parcels.sql', parcels), STATE_RULES);
  // No script runs archive/draft_merge.sql.
  assert.deepEqual(rules(root, 'archive/parcels.sql', parcels), STATE_RULES);
});

test('a migrations folder\'s file keeps its findings, whatever merge beside it psql runs', (t) => {
  const root = scratchRepository('pasted-parts-migrations', t).writeAll({
    ...APPLICATION,
    'setup.bat': batch('psql -d app -f db/migrations/all.sql'),
    'db/migrations/all.sql': merged,
  });
  assert.deepEqual(rules(root, 'db/migrations/0002_parcels.sql', parcels), STATE_RULES);
});

test('codeLines drops blank lines, comment lines and lone transaction-control lines, and trims the rest', () => {
  assert.deepEqual(codeLines('  -- note\r\nBEGIN;\r\n  SET a.b = 1;\r\n\r\nstart transaction;\nCOMMIT WORK;\n  end;\nselect 1; -- kept\n'), ['SET a.b = 1;', 'select 1; -- kept']);
});
