// A folder may hold entries that are no files: a named pipe a tool tails, a socket. Opening a named pipe for reading
// waits until something writes to it, so a reader that opens every entry whose name looks like a script or a page
// would never return (the lint, or the editor's analysis, hangs). Only regular files, and links that lead to one, are
// read (folderEntries.ts). Each check runs in a child process under a time budget: a hang there fails the test instead
// of stopping the suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scratchRepository } from '../../helpers/scratch';

const NAMED_PIPES = process.platform === 'win32' ? 'named pipes are made by mkfifo, which Windows lacks' : false;
/** How long a child may take: an analysis of a few files ends in a second or two. */
const BUDGET_MS = 30_000;
const ANALYSIS = join(__dirname, '..', '..', '..', 'server', 'analysis');

/** What `script` prints in a child Node (`analysis` is the analysis folder), or a failure when it outlives the budget. */
function inChild(script: string, ...args: string[]): unknown {
  const run = spawnSync(process.execPath, ['-e', script, ANALYSIS, ...args], { encoding: 'utf8', timeout: BUDGET_MS });
  assert.equal(run.signal, null, `the child did not end within ${BUDGET_MS} ms`);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const LEAVES_STATE = "SET app.tenant = 'north';\nCREATE TEMP TABLE carried_rows (id bigint);\n";
const STATE_RULES = ['session-set', 'temp-table'];

/** Prints the rules found in each SQL file named after the analysis folder, with the file's own text. */
const RULES_OF_FILES = `
const [analysis, ...files] = process.argv.slice(1);
const { analyzeSql, initAnalysis } = require(analysis + '/index.js');
const { readFileSync } = require('node:fs');
initAnalysis().then(() => {
  console.log(JSON.stringify(files.map((file) => analyzeSql(readFileSync(file, 'utf8'), undefined, file).map((f) => f.rule).sort())));
});`;

test('named pipes among a project\'s scripts and pages are not read, and the psql runs beside them still count', { skip: NAMED_PIPES }, (t) => {
  const repository = scratchRepository('named-pipes', t);
  const root = repository.writeAll({
    'service/main.go': 'package main\n',
    'scripts/apply.sh': '#!/bin/bash\ncd db/steps\nfor f in *.sql; do psql "$DATABASE_URL" -f "$f"; done\n',
    'db/steps/001_tenant.sql': LEAVES_STATE,
    'db/reports/monthly.sql': LEAVES_STATE,
  });
  // Extensionless names (read for a #! line), a page's name (read for the commands it shows), in the root and in a
  // command folder.
  for (const pipe of ['events', 'scripts/tail-log', 'NOTES.txt', 'scripts/usage.md']) execFileSync('mkfifo', [repository.path(pipe)]);
  const found = inChild(RULES_OF_FILES, join(root, 'db', 'steps', '001_tenant.sql'), join(root, 'db', 'reports', 'monthly.sql'));
  // The script's loop runs the steps with psql; nothing runs the report, which keeps its findings.
  assert.deepEqual(found, [[], STATE_RULES]);
});

test('a file\'s opening and its bounded text are read from regular files and links to them only', { skip: NAMED_PIPES }, (t) => {
  const repository = scratchRepository('named-pipe-readers', t);
  const script = repository.write('bin/reset', '#!/bin/sh\npsql -f db/reset.sql\n');
  symlinkSync(script, repository.path('bin', 'reset-link'));
  const pipe = repository.path('bin', 'follow');
  execFileSync('mkfifo', [pipe]);
  const READ_EACH = `
const [analysis, ...paths] = process.argv.slice(1);
const { boundedText, fileHead } = require(analysis + '/folderEntries.js');
console.log(JSON.stringify(paths.map((path) => [fileHead(path, 9) ?? null, boundedText(path, 1024) ?? null])));`;
  const read = inChild(READ_EACH, script, repository.path('bin', 'reset-link'), pipe, repository.path('bin'));
  const whole = '#!/bin/sh\npsql -f db/reset.sql\n';
  assert.deepEqual(read, [['#!/bin/sh', whole], ['#!/bin/sh', whole], [null, null], [null, null]]);
});
