// The file system probes a one-shot `poolsafe lint` keeps (folderEntries.ts's isFile and pathExists, and through them
// projectPaths.ts's repository root): the language server asks afresh, so a file or a `.git` created after a first
// answer counts at the next analysis (a repository root, kept by the language server for ROOT_CACHE_MS, once that has
// passed); after keepFolderListings() each path is asked of the disk once.
// Node's test runner gives each test file its own process, so turning the keeping on here touches no other file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFile, keepFolderListings, pathExists } from '../../../server/analysis/folderEntries';
import { ROOT_CACHE_MS, repositoryRoot } from '../../../server/analysis/projectPaths';

test('a created file is seen at once and a created .git once the root cache has passed, until a one-shot run keeps the probes; then each path is asked once', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-probes-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'app', 'src');
  mkdirSync(folder, { recursive: true });
  const packageJson = join(root, 'app', 'package.json');

  // The language server's answers: fresh at every question.
  assert.equal(isFile(packageJson), false);
  writeFileSync(packageJson, '{}');
  assert.equal(isFile(packageJson), true, 'a file created after a first probe is seen');
  assert.notEqual(repositoryRoot(folder), join(root, 'app'));
  mkdirSync(join(root, 'app', '.git'));
  await new Promise((resolve) => setTimeout(resolve, ROOT_CACHE_MS + 50));
  assert.equal(repositoryRoot(folder), join(root, 'app'), 'a repository created above a folder counts at the next analysis');
  assert.equal(pathExists(join(root, 'app', '.git')), true);

  // A one-shot run: the tree does not change under it, so each probe is kept.
  keepFolderListings();
  // The module object folderEntries.ts calls through (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  const stats: string[] = [];
  const originalStat = fs.statSync;
  t.mock.method(fs, 'statSync', function (this: unknown, ...args: Parameters<typeof fs.statSync>) {
    stats.push(String(args[0]));
    return originalStat.apply(this, args as never);
  });
  const missing = join(root, 'lib', 'index.ts'); // no listing of lib/ is kept: the disk answers, once
  for (let i = 0; i < 3; i++) assert.equal(isFile(missing), false);
  assert.deepEqual(stats, [missing]);
  const marker = join(root, 'other', '.git');
  assert.equal(pathExists(marker), false);
  mkdirSync(marker, { recursive: true });
  assert.equal(pathExists(marker), false, 'kept for the run: nothing changes under a one-shot lint');
});
