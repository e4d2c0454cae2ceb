// Which files a directory lint collects (cli/files.ts): .gitignore files apply within their own
// repository only; a nested repository (a folder with its own .git) follows its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { collectFiles, languageOf } from '../../../cli/files';

/** A scratch tree of the given files (a path ending in `/` is an empty folder). */
function tree(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-files-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    if (path.endsWith('/')) mkdirSync(join(root, path), { recursive: true });
    else writeFileSync(join(root, path), text);
  }
  return root;
}

const collected = (root: string, dir: string): string[] =>
  collectFiles([join(root, dir)]).files.map((file) => relative(root, file).split(sep).join('/')).sort();

const OUTER = {
  '.git/': '',
  '.gitignore': '*.sql\n',
  'app/q.sql': 'LISTEN a;',
  'app/run.ts': '',
  'tools/dbkit/.git/': '',
  'tools/dbkit/schema.sql': 'LISTEN b;',
  'tools/dbkit/.gitignore': 'scratch/\n',
  'tools/dbkit/scratch/x.sql': 'LISTEN c;',
};

test('an enclosing repository\'s .gitignore does not apply inside a nested repository; the nested one\'s own does', (t) => {
  const root = tree(t, OUTER);
  // Linted from the outer root, and from the nested repository's root.
  assert.deepEqual(collected(root, '.'), ['app/run.ts', 'tools/dbkit/schema.sql']);
  assert.deepEqual(collected(root, 'tools/dbkit'), ['tools/dbkit/schema.sql']);
});

test('within one repository, an ancestor folder\'s .gitignore still applies to a subfolder linted on its own', (t) => {
  const root = tree(t, OUTER);
  assert.deepEqual(collected(root, 'app'), ['app/run.ts']);
  // The same folder without the .git that made it a nested repository inherits the outer rules.
  rmSync(join(root, 'tools/dbkit/.git'), { recursive: true });
  assert.deepEqual(collected(root, '.'), ['app/run.ts']);
  assert.deepEqual(collected(root, 'tools/dbkit'), []);
});

test('a directory lint skips symbolic links that lead nowhere and lints those that lead to a file', (t) => {
  const root = tree(t, { 'db/real.sql': 'LISTEN a;', 'static/': '' });
  symlinkSync(join(root, 'node_modules', 'lib', 'bundle.js'), join(root, 'static', 'bundle.js'));
  symlinkSync(join(root, 'db', 'real.sql'), join(root, 'static', 'alias.sql'));
  const result = collectFiles([root]);
  assert.deepEqual(result.files.map((file) => relative(root, file).split(sep).join('/')).sort(), ['db/real.sql', 'static/alias.sql']);
  assert.deepEqual(result.problems, []);
  // Named on the command line, the dangling link is still a problem the user is told about.
  assert.equal(collectFiles([join(root, 'static', 'bundle.js')]).problems.length, 1);
});

test('a folder named relative to the working directory keeps its paths as written and gets the same .gitignore rules', (t) => {
  const root = tree(t, {
    ...OUTER,
    'app/.gitignore': 'generated/\nlocal-*.ts\n',
    'app/generated/api.ts': '',
    'app/local-notes.ts': '',
    'app/jobs/worker.ts': '',
  });
  const cwd = process.cwd();
  t.after(() => process.chdir(cwd));
  process.chdir(root);
  // The root's *.sql and app's own rules (a folder, a name pattern) apply below app/, however the folder is named.
  for (const named of ['app', './app', 'app/', join(root, 'app')]) {
    const expected = ['app/jobs/worker.ts', 'app/run.ts'].map((file) => (named.startsWith(root) ? join(root, file) : file));
    assert.deepEqual(collectFiles([named]).files.sort(), expected, named);
  }
  // From inside the folder: '.' and the ancestor's rules.
  process.chdir(join(root, 'app'));
  assert.deepEqual(collectFiles(['.']).files.sort(), ['jobs/worker.ts', 'run.ts']);
});

test('a directory lint takes `.pgsql` and `.psql` files as SQL, and no other extension with `sql` in it', (t) => {
  const root = tree(t, {
    '.git/': '',
    'db/schema.pgsql': 'SET search_path = app;',
    'db/seed.psql': 'LISTEN a;',
    'db/legacy.sql': 'LISTEN b;',
    'db/data.sqlite': '',
    'db/notes.mysql': '',
  });
  assert.deepEqual(collected(root, 'db'), ['db/legacy.sql', 'db/schema.pgsql', 'db/seed.psql']);
  for (const name of ['db/schema.pgsql', 'db/seed.psql', 'db/legacy.sql']) assert.equal(languageOf(join(root, name)), 'sql', name);
  assert.equal(languageOf(join(root, 'db/data.sqlite')), undefined);
});

// Last in this file: it turns on the one-shot keeping of listings for the rest of the process.
test("a one-shot run keeps the walk's folder listings as read, so the analysis does not list those folders again; by default nothing is kept", (t) => {
  const root = tree(t, { 'db/b.sql': 'LISTEN b;', 'db/a.sql': 'LISTEN a;', 'db/seed/': '', 'src/q.ts': '' });
  const { folderEntries, keepFolderListings } = require('../../../server/analysis/folderEntries') as typeof import('../../../server/analysis/folderEntries');
  // The module object the walk and folderEntries.ts call through (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  const original = fs.readdirSync;
  const listed: string[] = [];
  t.mock.method(fs, 'readdirSync', function (this: unknown, ...args: Parameters<typeof fs.readdirSync>) {
    listed.push(String(args[0]));
    return original.apply(this, args as never);
  });
  const db = join(root, 'db');
  const files = collected(root, '.');
  assert.deepEqual(files, ['db/a.sql', 'db/b.sql', 'src/q.ts']);
  folderEntries(db);
  assert.equal(listed.filter((folder) => folder === db).length, 2, 'the language server (no one-shot run) lists the folder afresh');

  keepFolderListings();
  listed.length = 0;
  assert.deepEqual(collected(root, '.'), files);
  const entries = folderEntries(db);
  assert.deepEqual(listed.filter((folder) => folder === db).length, 1, 'listed by the walk only');
  // As folderEntries would have read it: the file system's order, not the walk's sorted one.
  assert.deepEqual(entries.map((entry) => [entry.name, entry.isDirectory()]), (original(db, { withFileTypes: true })).map((entry) => [entry.name, entry.isDirectory()]));
});
