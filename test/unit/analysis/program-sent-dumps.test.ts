// A pg_dump file is a script of a session of its own where psql restores it; but where a program of the project reads
// it and hands its text to a driver's query call (a migration's `knex.raw`, a setup script's `pool.query`), its
// preamble's SETs go out on a connection of the application's pool and outlive the dump there: they keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isSentByProgram } from '../../../server/analysis/programSentDumps';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const DUMP = `--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET client_min_messages = warning;

CREATE TABLE public.orders (id bigint PRIMARY KEY);
`;
/** The preamble's lines: what a dump sent through the pool is flagged on. */
const PREAMBLE = [5, 6, 7];

const flaggedLines = (file: string): number[] => analyzeSql(DUMP, {}, file).filter((f) => f.rule === 'session-set').map((f) => DUMP.slice(0, f.start).split('\n').length);

test("a migration beside the dump that reads it and sends it with knex.raw: the preamble's settings are flagged", (t) => {
  const repo = scratchRepository('sent-dump-migration', t);
  repo.mkdir('.git');
  repo.writeAll({
    'api/migrations/001_base.sql': DUMP,
    'api/migrations/001_base.ts': [
      "import { readFile } from 'node:fs/promises';",
      "import { join } from 'node:path';",
      'export async function up(knex) {',
      "  const text = await readFile(join(__dirname, './001_base.sql'), 'utf8');",
      '  await knex.raw(text);',
      '}',
    ],
  });
  assert.equal(isSentByProgram(repo.path('api/migrations/001_base.sql')), true);
  assert.deepEqual(flaggedLines(repo.path('api/migrations/001_base.sql')), PREAMBLE);
});

test('a setup script in a sibling folder naming the dump by path.join pieces and sending it with pool.query', (t) => {
  const repo = scratchRepository('sent-dump-script', t);
  repo.mkdir('.git');
  repo.writeAll({
    'db/schema/core.sql': DUMP,
    'tools/bootstrap.js': [
      "const { readFileSync } = require('fs');",
      "const { join } = require('path');",
      "const ddl = readFileSync(join(__dirname, '..', 'db', 'schema', 'core.sql'), 'utf8');",
      'pool.query(ddl).then(() => pool.end());',
    ],
    // From the working folder (the project's root), by its path there.
    'db/schema/seed.sql': DUMP,
    'tools/seed.py': [
      'import psycopg',
      'with psycopg.connect(url) as conn:',
      '    conn.execute(open("db/schema/seed.sql").read())',
    ],
  });
  assert.deepEqual(flaggedLines(repo.path('db/schema/core.sql')), PREAMBLE);
  assert.deepEqual(flaggedLines(repo.path('db/schema/seed.sql')), PREAMBLE);
});

test('a dump restored by a program that shells out to psql, read by test code, or only named, stays its own session', (t) => {
  const repo = scratchRepository('unsent-dump', t);
  repo.mkdir('.git');
  repo.writeAll({
    // psql restores it, though the same program queries the database afterwards.
    'db/restore.sql': DUMP,
    'db/restore.ts': [
      "import { execSync } from 'node:child_process';",
      "const dumpFile = join(__dirname, 'restore.sql');",
      'execSync(`psql "$DATABASE_URL" -f ${dumpFile}`);',
      "await pool.query('SELECT 1');",
    ],
    // A test loads it into its own database.
    'db/fixture.sql': DUMP,
    'db/fixture.test.ts': ["const sql = readFileSync(join(__dirname, 'fixture.sql'), 'utf8');", 'await client.query(sql);'],
    // Another file's name ends with this one's; a bare name from another folder is that folder's file.
    'db/orders.sql': DUMP,
    'db/old_orders.ts': ["const sql = readFileSync(join(__dirname, 'old_orders.sql'), 'utf8');", 'await knex.raw(sql);'],
    'scripts/load.ts': ["const sql = readFileSync(join(__dirname, 'orders.sql'), 'utf8');", 'await knex.raw(sql);'],
    // Read to be parsed, never sent.
    'db/tables.sql': DUMP,
    'db/list-tables.ts': ["const text = readFileSync(join(__dirname, 'tables.sql'), 'utf8');", 'console.log(text.match(/CREATE TABLE \\S+/g));'],
  });
  for (const dump of ['db/restore.sql', 'db/fixture.sql', 'db/orders.sql', 'db/tables.sql']) {
    assert.equal(isSentByProgram(repo.path(dump)), false, dump);
    assert.deepEqual(flaggedLines(repo.path(dump)), [], dump);
  }
});

test('a dump kept as `.pgsql` or `.psql`: flagged where the app reads and sends it, its own session where psql restores it', (t) => {
  const repo = scratchRepository('sent-dump-extensions', t);
  repo.mkdir('.git');
  repo.writeAll({
    'structure.pgsql': DUMP,
    'install.js': [
      "const fs = require('fs');",
      "fs.readFile('./structure.pgsql', 'utf8', async (err, ddl) => {",
      '  const client = await connect();',
      '  await client.query(ddl);',
      '});',
    ],
    'seeds/base.psql': DUMP,
    'seeds/load.ts': [
      "const text = readFileSync(join(__dirname, 'base.psql'), 'utf8');",
      'await pool.query(text);',
    ],
    // psql restores this one, and nothing else reads it.
    'restore/full.pgsql': DUMP,
    'restore/run.ts': ["execSync(`psql \"$DATABASE_URL\" -f ${join(__dirname, 'full.pgsql')}`);", "await pool.query('SELECT 1');"],
    // Not a SQL file's name: no reader counts.
    'notes/dump.txt': DUMP,
    'notes/load.ts': ["const text = readFileSync(join(__dirname, 'dump.txt'), 'utf8');", 'await pool.query(text);'],
  });
  for (const sent of ['structure.pgsql', 'seeds/base.psql']) {
    assert.equal(isSentByProgram(repo.path(sent)), true, sent);
    assert.deepEqual(flaggedLines(repo.path(sent)), PREAMBLE, sent);
  }
  for (const own of ['restore/full.pgsql', 'notes/dump.txt']) {
    assert.equal(isSentByProgram(repo.path(own)), false, own);
    assert.deepEqual(flaggedLines(repo.path(own)), [], own);
  }
});

test("a project's own migrator that lists the dump's folder and sends each file it reads: the dump's preamble is flagged", (t) => {
  const repo = scratchRepository('migrator-listed-dump', t);
  repo.mkdir('.git');
  repo.writeAll({
    'app/schema/0001_squashed.sql': DUMP,
    'app/schema/0002_tags.sql': 'CREATE TABLE public.tags (id bigint);\n',
    'app/runSchema.ts': [
      "import { readdirSync, readFileSync } from 'node:fs';",
      "import { join } from 'node:path';",
      "const schemaFolder = join(__dirname, 'schema');",
      "const names = readdirSync(schemaFolder).filter((n) => n.endsWith('.sql')).sort();",
      'for (const name of names) {',
      "  const statements = readFileSync(join(schemaFolder, name), 'utf8');",
      '  const conn = await pool.connect();',
      "  await conn.query('BEGIN');",
      '  await conn.query(statements);',
      "  await conn.query('COMMIT');",
      '  conn.release();',
      '}',
    ],
    // Python, listing a folder named from the project's root in the listing call itself.
    'store/ddl/base.sql': DUMP,
    'tools/apply.py': [
      'import os, psycopg',
      'for entry in sorted(os.listdir("store/ddl")):',
      '    with open(os.path.join("store/ddl", entry)) as handle:',
      '        body = handle.read()',
      '    cursor.execute(body)',
    ],
  });
  for (const dump of ['app/schema/0001_squashed.sql', 'store/ddl/base.sql']) {
    assert.equal(isSentByProgram(repo.path(dump)), true, dump);
    assert.deepEqual(flaggedLines(repo.path(dump)), PREAMBLE, dump);
  }
});

test('a folder a program lists but restores with psql, only lists, or lists in test code: its dump stays a session of its own', (t) => {
  const repo = scratchRepository('migrator-unsent-dump', t);
  repo.mkdir('.git');
  repo.writeAll({
    // Listed, then each file handed to psql.
    'restore/base.sql': DUMP,
    'restore/run.ts': [
      "const folder = join(__dirname, 'restore');",
      'for (const name of readdirSync(folder)) {',
      "  const text = readFileSync(join(folder, name), 'utf8');",
      '  execSync(`psql "$DATABASE_URL" -f ${join(folder, name)}`);',
      '}',
      "await pool.query('SELECT 1');",
    ],
    // Listed and read to print names and sizes; the query it runs sends no file's text.
    'catalog/base.sql': DUMP,
    'catalog/report.ts': [
      "const dir = join(__dirname, 'catalog');",
      'for (const name of readdirSync(dir)) {',
      "  const text = readFileSync(join(dir, name), 'utf8');",
      '  console.log(name, text.length);',
      '}',
      "await pool.query('SELECT count(*) FROM applied');",
    ],
    // A test suite's loader: a throwaway test database.
    'fixtures/base.sql': DUMP,
    'fixtures/load.test.ts': [
      "const dir = join(__dirname, 'fixtures');",
      'for (const name of readdirSync(dir)) {',
      "  const sql = readFileSync(join(dir, name), 'utf8');",
      '  await client.query(sql);',
      '}',
    ],
  });
  for (const dump of ['restore/base.sql', 'catalog/base.sql', 'fixtures/base.sql']) {
    assert.equal(isSentByProgram(repo.path(dump)), false, dump);
    assert.deepEqual(flaggedLines(repo.path(dump)), [], dump);
  }
});

test('a migrator that matches a glob pattern in the dump\'s folder (pathlib, glob.sync, fast-glob, filepath.Glob) and sends each file it reads', (t) => {
  const repo = scratchRepository('migrator-globbed-dump', t);
  repo.mkdir('.git');
  repo.writeAll({
    // pathlib: the folder is the receiver of .glob / .rglob, built with `/` from the project's root.
    'warehouse/ddl/0001_full.sql': DUMP,
    'ops/load_ddl.py': [
      'from pathlib import Path',
      'import psycopg',
      'DDL = Path(__file__).resolve().parent.parent / "warehouse" / "ddl"',
      'def load(conn):',
      '    for script in sorted(DDL.rglob("*.sql")):',
      '        conn.execute(script.read_text())',
    ],
    // glob.sync with the folder in the pattern itself.
    'sql/setup/0001_full.sql': DUMP,
    'bin/setup.js': [
      "const fs = require('fs');",
      "const glob = require('glob');",
      "for (const match of glob.sync('sql/setup/*.sql')) {",
      "  const ddl = fs.readFileSync(match, 'utf8');",
      '  await client.query(ddl);',
      '}',
    ],
    // fast-glob with pieces joined and the pattern as the last piece.
    'store/init/0001_full.sql': DUMP,
    'bin/init.mjs': [
      "import fg from 'fast-glob';",
      "import { readFile } from 'node:fs/promises';",
      "const entries = await fg(path.join(root, 'store', 'init', '*.sql'));",
      'for (const entry of entries) {',
      "  const text = await readFile(entry, 'utf8');",
      '  await sql.unsafe(text);',
      '}',
    ],
    // Go: filepath.Glob, the body read with its error and sent as string(body).
    'schema/pg/0001_full.sql': DUMP,
    'tools/apply.go': [
      'package main',
      'func apply(db *sql.DB) {',
      '\tpaths, _ := filepath.Glob("schema/pg/*.sql")',
      '\tfor _, p := range paths {',
      '\t\tbody, err := os.ReadFile(p)',
      '\t\tcheck(err)',
      '\t\tif _, err := db.ExecContext(ctx, string(body)); err != nil { panic(err) }',
      '\t}',
      '}',
    ],
  });
  for (const dump of ['warehouse/ddl/0001_full.sql', 'sql/setup/0001_full.sql', 'store/init/0001_full.sql', 'schema/pg/0001_full.sql']) {
    assert.equal(isSentByProgram(repo.path(dump)), true, dump);
    assert.deepEqual(flaggedLines(repo.path(dump)), PREAMBLE, dump);
  }
});

test("a migrator's folder constant at the module's top, far above the function that lists it, is the folder listed", (t) => {
  const repo = scratchRepository('migrator-far-constant', t);
  repo.mkdir('.git');
  const padding = Array.from({ length: 30 }, (_, n) => `function helper${n}() { return ${n}; }`);
  repo.writeAll({
    'db/baseline/0001_full.sql': DUMP,
    'scripts/baseline.js': [
      "const { readdirSync, readFileSync } = require('fs');",
      "const { join } = require('path');",
      "const BASELINE_DIR = join(__dirname, '..', 'db', 'baseline');",
      ...padding,
      'async function run(pool) {',
      '  for (const name of readdirSync(BASELINE_DIR).sort()) {',
      "    const text = readFileSync(join(BASELINE_DIR, name), 'utf8');",
      '    await pool.query(text);',
      '  }',
      '}',
    ],
  });
  assert.equal(isSentByProgram(repo.path('db/baseline/0001_full.sql')), true);
  assert.deepEqual(flaggedLines(repo.path('db/baseline/0001_full.sql')), PREAMBLE);
});

test('a globbed folder restored with psql, a far constant given another value before the listing, or a far local: no migrator', (t) => {
  const repo = scratchRepository('migrator-globbed-unsent', t);
  repo.mkdir('.git');
  const padding = Array.from({ length: 30 }, (_, n) => `function helper${n}() { return ${n}; }`);
  repo.writeAll({
    'restore/full/0001_full.sql': DUMP,
    'ops/restore.py': [
      'from pathlib import Path',
      'DUMPS = Path("restore") / "full"',
      'for dump in sorted(DUMPS.glob("*.sql")):',
      '    text = dump.read_text()',
      '    subprocess.run(["psql", url, "-c", text])',
      'cursor.execute("SELECT 1")',
    ],
    // The folder name is given another folder before the listing reads it.
    'archive/old/0001_full.sql': DUMP,
    'scripts/archive.js': [
      "let ARCHIVE_DIR = join(__dirname, '..', 'archive', 'old');",
      'ARCHIVE_DIR = process.env.ARCHIVE_DIR;',
      ...padding,
      'for (const name of readdirSync(ARCHIVE_DIR)) {',
      "  const text = readFileSync(join(ARCHIVE_DIR, name), 'utf8');",
      '  await pool.query(text);',
      '}',
    ],
    // A function's local, far above a listing in another function that names the same word.
    'vendor/full/0001_full.sql': DUMP,
    'scripts/vendor.js': [
      'function describe() {',
      "  const dir = join(__dirname, '..', 'vendor', 'full');",
      '  console.log(dir);',
      '}',
      ...padding,
      'async function load(dir) {',
      '  for (const name of readdirSync(dir)) {',
      "    const text = readFileSync(join(dir, name), 'utf8');",
      '    await pool.query(text);',
      '  }',
      '}',
    ],
  });
  for (const dump of ['restore/full/0001_full.sql', 'archive/old/0001_full.sql', 'vendor/full/0001_full.sql']) {
    assert.equal(isSentByProgram(repo.path(dump)), false, dump);
    assert.deepEqual(flaggedLines(repo.path(dump)), [], dump);
  }
});
