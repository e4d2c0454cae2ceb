// pg_dump output kept beside the SQL a project builds its schema from (a snapshot for reading, or for a CI check that
// it is up to date): its copies of the project's routines report nothing — the project's own definition carries the
// body's finding and its calls' findings. A routine only the dump defines, and a dump applied as a migration of its own,
// keep theirs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { sourceRoutineNames } from '../../../server/analysis/schemaSnapshots';
import { runLint } from '../../../cli/lint';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A migration creating a routine that leaves a temporary table in the session, and a trigger routine that calls it. */
const MIGRATION = `CREATE FUNCTION ledger.open_scratch() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS scratch_rows (id bigint);
END $$;
CREATE FUNCTION ledger.after_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger.open_scratch();
  RETURN NULL;
END $$;
`;

/** The same two routines as pg_dump writes them, plus one the project's sources do not define. */
const DUMP = `--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE FUNCTION ledger.open_scratch() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS scratch_rows (id bigint);
END $$;

CREATE FUNCTION ledger.after_posting() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM ledger.open_scratch();
  RETURN NULL;
END $$;
`;
const DUMP_ONLY = `
CREATE FUNCTION ledger.report_scratch() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE report_rows (id bigint);
END $$;
`;

const MIGRATION_FILE = '/work/ledger/migrations/0003_scratch.sql';
const options = (sources: Iterable<{ path: string; text: string }>): Partial<AnalysisOptions> => ({
  stateFunctions: stateFunctionIndex([{ path: MIGRATION_FILE, text: MIGRATION }]),
  sourceRoutines: sourceRoutineNames(sources),
});
const rulesAtLines = (sql: string, opts: Partial<AnalysisOptions>, file: string): [string, number][] =>
  analyzeSql(sql, opts, file).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);

test("a pg_dump snapshot's copies of routines the project's migrations define report nothing: neither the body nor its calls", () => {
  const withSources = options([{ path: MIGRATION_FILE, text: MIGRATION }]);
  assert.deepEqual(rulesAtLines(DUMP, withSources, '/work/ledger/migrations/ledger-dump.sql'), []);
  assert.deepEqual(rulesAtLines(DUMP, withSources, '/work/ledger/docs/schema.sql'), []);
  // The migration itself still reports the temporary table and the call.
  assert.deepEqual(rulesAtLines(MIGRATION, withSources, MIGRATION_FILE), [['temp-table', 3], ['temp-table', 7]]);
});

test("a dump's routine no other .sql file defines, a dump applied as a migration or carrying data, and a dump with no sources beside it keep their findings", () => {
  const withSources = options([{ path: MIGRATION_FILE, text: MIGRATION }]);
  // Only the dump defines report_scratch: its body is the one place the hazard shows.
  assert.deepEqual(rulesAtLines(DUMP + DUMP_ONLY, withSources, '/work/ledger/db/schema.sql'), [['temp-table', 27]]);
  // A version-named dump (file or folder) is a migration: it re-creates the routines as the live definition.
  const kept: [string, number][] = [['temp-table', 12], ['temp-table', 19]];
  assert.deepEqual(rulesAtLines(DUMP, withSources, '/work/ledger/migrations/20240105120000_remote_schema.sql'), kept);
  assert.deepEqual(rulesAtLines(DUMP, withSources, '/work/ledger/migrations/1610000000000_squashed_dump/up.sql'), kept);
  // A dump that carries table data (COPY … FROM stdin, or --inserts lines) is made to be loaded: an installer's or a
  // restore's, whose routines are live definitions too.
  const withData = `${DUMP}\nCOPY ledger.accounts (id, name) FROM stdin;\n1\tcash\n\\.\n`;
  assert.deepEqual(rulesAtLines(withData, withSources, '/work/ledger/install/install_db.sql'), kept);
  const withInserts = `${DUMP}\nINSERT INTO ledger.accounts VALUES (1, 'cash');\n`;
  assert.deepEqual(rulesAtLines(withInserts, withSources, '/work/ledger/install/install_db.sql'), kept);
  // No sources known (another dump does not count as one).
  assert.deepEqual(rulesAtLines(DUMP, options([{ path: '/work/ledger/other-dump.sql', text: DUMP }]), '/work/ledger/db/schema.sql'), kept);
});

test('sourceRoutineNames reads the routines of .sql files that are not pg_dump output, unqualified and in lower case (quoted ones too, as the routine names of a body are read)', () => {
  const names = sourceRoutineNames([
    { path: '/p/a.sql', text: 'create or replace function App.Touch() returns void language sql as $$ select 1 $$;\nCREATE PROCEDURE "Mixed"() LANGUAGE sql AS $$ SELECT 1 $$;' },
    { path: '/p/dump.sql', text: DUMP },
    { path: '/p/app.ts', text: "const q = 'create function from_ts() returns void as $$ select 1 $$ language sql';" },
  ]);
  assert.deepEqual([...names].sort(), ['mixed', 'touch']);
});

test('poolsafe lint: a documentation dump beside the migrations adds no findings; the migrations keep theirs', async (t) => {
  const root = scratchRepository('snapshot', t).writeAll({
    'migrations/0003_scratch/up.sql': MIGRATION,
    'migrations/ledger-dump.sql': DUMP,
  });
  let out = '';
  await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  const findings = (JSON.parse(out).findings as { file: string; rule: string; line: number }[]).map((f) => [f.file.replace(/\\/g, '/').replace(/^.*\/migrations\//, ''), f.rule, f.line]);
  assert.deepEqual(findings, [['0003_scratch/up.sql', 'temp-table', 3], ['0003_scratch/up.sql', 'temp-table', 7]]);
});
