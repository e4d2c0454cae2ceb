// A shell script that hands node its program on a here-document (`node <<'NODE'` … `NODE`, as a container's entrypoint
// migrating the schema before it starts the server) runs that JavaScript: its SQL is read as a JavaScript file's is,
// reported on the script's own lines. A document for another program, stdin for a script node is given, or a document
// the shell expands before node reads it is not read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { nodeHeredocPrograms } from '../../../server/analysis/nodeHeredocs';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('node-heredoc-programs', { after });
before(() => initAnalysis());

/** A program that migrates under a session advisory lock on one pg Client, unlocking in `finally`. */
const LOCKED_MIGRATION = [
  "const { Client } = require('pg');",
  'const db = new Client({ connectionString: process.env.DATABASE_URL });',
  'async function main() {',
  '  await db.connect();',
  '  try {',
  "    await db.query('SELECT pg_advisory_lock(77)');",
  "    await db.query('CREATE TABLE IF NOT EXISTS audit_log (id bigint)');",
  '  } finally {',
  "    await db.query('SELECT pg_advisory_unlock(77)').catch(() => {});",
  '    await db.end();',
  '  }',
  '}',
  'main();',
];
/** The same migration under a transaction-level lock, released at COMMIT. */
const XACT_LOCKED_MIGRATION = [
  "const { Client } = require('pg');",
  'const db = new Client({ connectionString: process.env.DATABASE_URL });',
  'async function main() {',
  '  await db.connect();',
  "  await db.query('BEGIN');",
  "  await db.query('SELECT pg_advisory_xact_lock(77)');",
  "  await db.query('CREATE TABLE IF NOT EXISTS audit_log (id bigint)');",
  "  await db.query('COMMIT');",
  '  await db.end();',
  '}',
  'main();',
];

/** The script's findings as `rule line text` (1-based lines of the script). */
function findingsOf(path: string, lines: readonly string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, text);
  return analyze(text, 'shellscript', {}, file).map((f) => ruleLine(text, f, 'rule line text'));
}

/** A script that runs `opener`, the program, the closing word, then starts the server. */
function script(opener: string, program: readonly string[], closing = 'NODE'): string[] {
  return ['#!/bin/sh', 'set -e', 'echo "migrating..."', opener, ...program, closing, 'exec node server.js'];
}

test("a node <<'NODE' program's session advisory lock and its unlock are reported on the script's lines", () => {
  assert.deepEqual(findingsOf('app/entrypoint.sh', script("node <<'NODE'", LOCKED_MIGRATION)), [
    'advisory-lock 10 pg_advisory_lock',
    'advisory-lock 13 pg_advisory_unlock',
  ]);
});

test('node given its program on stdin in other forms (exec, env, a path, nodejs, `-`, options, variables, redirections, $(…)) is read too', () => {
  const openers = [
    'exec node - <<"NODE"',
    '/usr/bin/env node --input-type=commonjs <<\\NODE',
    'DATABASE_URL="$MIGRATION_URL" /usr/local/bin/node -r dotenv/config <<\'NODE\' >> "$LOG" 2>&1',
    "if ! out=$(node <<'NODE'",
    "  node - <<-'NODE'",
    "nodejs <<'NODE'",
  ];
  for (const [i, opener] of openers.entries()) {
    assert.deepEqual(findingsOf(`forms/run${i}.sh`, script(opener, LOCKED_MIGRATION)).map((f) => f.split(' ').slice(0, 2).join(' ')), ['advisory-lock 10', 'advisory-lock 13'], opener);
  }
});

test('an unquoted word is read when the document holds nothing the shell expands; not when it does ($, backquotes, backslashes)', () => {
  assert.deepEqual(findingsOf('plain/entrypoint.sh', script('node <<NODE', LOCKED_MIGRATION)).length, 2);
  // `$1` is the script's first argument by the time node reads it: not the text written.
  const expanded = LOCKED_MIGRATION.map((line) => line.replace('pg_advisory_lock(77)', 'pg_advisory_lock($1)'));
  assert.deepEqual(findingsOf('expanded/entrypoint.sh', script('node <<NODE', expanded)), []);
});

test('the same program on a here-document for another program (python, cat, a file it writes, psql) is not read as JavaScript', () => {
  for (const opener of ["python3 <<'NODE'", "cat <<'NODE'", "cat > migrate.js <<'NODE'", "tee migrate.js <<'NODE' >/dev/null", "echo node <<'NODE'", "docker compose exec -T app sh <<'NODE'", 'psql "$DATABASE_URL" <<\'NODE\'']) {
    assert.deepEqual(findingsOf('other/entrypoint.sh', script(opener, LOCKED_MIGRATION)), [], opener);
  }
});

test('a document that is stdin for a script node runs, or beside inline code, a check or a test run, is not its program', () => {
  for (const opener of ["node migrate.js <<'NODE'", "node <<'NODE' migrate.js", "node -e 'require(\"./migrate\")' <<'NODE'", "node --check <<'NODE'", "node --test <<'NODE'"]) {
    assert.deepEqual(findingsOf('stdin/entrypoint.sh', script(opener, LOCKED_MIGRATION)), [], opener);
  }
});

test('a commented-out node here-document, and one written inside another document, open no program', () => {
  assert.deepEqual(findingsOf('commented/entrypoint.sh', ['#!/bin/sh', "# node <<'NODE'", ...LOCKED_MIGRATION, 'NODE']), []);
  const written = ['#!/bin/sh', "cat > run.sh <<'OUTER'", "node <<'NODE'", ...LOCKED_MIGRATION, 'NODE', 'OUTER'];
  assert.deepEqual(findingsOf('written/entrypoint.sh', written), []);
});

test('a node here-document program under a transaction-level advisory lock reports nothing', () => {
  assert.deepEqual(findingsOf('xact/entrypoint.sh', script("node <<'NODE'", XACT_LOCKED_MIGRATION)), []);
});

test('two node programs in one script are read each on its own, at their own lines', () => {
  const lines = ['#!/bin/sh', "node <<'A'", ...XACT_LOCKED_MIGRATION, 'A', "node <<'B'", ...LOCKED_MIGRATION, 'B'];
  assert.deepEqual(findingsOf('two/entrypoint.sh', lines).map((f) => f.split(' ').slice(0, 2).join(' ')), ['advisory-lock 21', 'advisory-lock 24']);
});

test("each program of a long script with many node documents holds about the script's size, not tens of bytes per character", () => {
  // A deploy script of ~250 KB with 38 node documents held ~300 MB of programs when each character was blanked on its own.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const filler = Array.from({ length: 4000 }, (_, i) => `echo "step ${i} of the deployment, with a line of ordinary length"`);
  const lines = ['#!/bin/sh'];
  for (let i = 0; i < 20; i++) lines.push(...filler.slice(i * 200, (i + 1) * 200), "node <<'NODE'", ...LOCKED_MIGRATION, 'NODE');
  const text = lines.join('\n');
  gc();
  const before = process.memoryUsage().heapUsed;
  const programs = nodeHeredocPrograms(text);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  assert.equal(programs.length, 20);
  assert.ok(programs.every((program) => program.length === text.length));
  // 20 flat one-byte copies of a ~70 KB script weigh ~1.5 MB; blanked a character at a time, ~40 MB.
  assert.ok(held < 10 * 1024 * 1024, `the programs hold ${Math.round(held / 1024)} KB`);
});

test("a script whose other lines end \\r\\n keeps its node program's findings on the script's lines", () => {
  // The opener and closing word end `\n` (a closing word followed by `\r` closes nothing); the rest end `\r\n`.
  const lines = script("node <<'NODE'", LOCKED_MIGRATION.map((line) => `${line}\r`)).map((line, i) => (i < 3 || i === 18 ? `${line}\r` : line));
  assert.deepEqual(findingsOf('crlf/entrypoint.sh', lines), ['advisory-lock 10 pg_advisory_lock', 'advisory-lock 13 pg_advisory_unlock']);
});
