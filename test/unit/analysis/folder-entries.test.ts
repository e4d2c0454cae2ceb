// A folder's listing (folderEntries.ts): read afresh each time by default (the language server must see a file
// created beside the document at its next analysis); kept once read after keepFolderListings(), which a one-shot
// `poolsafe lint` calls, since the probes around each SQL file ask for the same folders once per file.
// Node's test runner gives each test file its own process, so turning the keeping on here touches no other file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderEntries, keepFolderListings } from '../../../server/analysis/folderEntries';

test('listings are read afresh until a one-shot run keeps them; then a folder is read once for many askers', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-listing-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'migrations');
  mkdirSync(join(folder, 'seed'), { recursive: true });
  writeFileSync(join(folder, '001.sql'), 'SELECT 1;');
  // The module object folderEntries.ts calls through (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  const read: string[] = [];
  const original = fs.readdirSync;
  t.mock.method(fs, 'readdirSync', function (this: unknown, ...args: Parameters<typeof fs.readdirSync>) {
    read.push(String(args[0]));
    return original.apply(this, args as never);
  });
  const names = (entries: ReturnType<typeof folderEntries>): string[] => entries.map((entry) => entry.name).sort();

  // By default (the language server): a file created after a listing is in the next one.
  assert.deepEqual(names(folderEntries(folder)), ['001.sql', 'seed']);
  writeFileSync(join(folder, 'run.sh'), 'psql -f 001.sql\n');
  assert.deepEqual(names(folderEntries(folder)), ['001.sql', 'run.sh', 'seed']);
  assert.deepEqual(read, [folder, folder]);

  keepFolderListings();
  read.length = 0;
  const first = folderEntries(folder);
  assert.deepEqual(first.map((entry) => [entry.name, entry.isDirectory()]).sort(), [['001.sql', false], ['run.sh', false], ['seed', true]]);
  for (let i = 0; i < 5; i++) assert.equal(folderEntries(folder), first);
  assert.deepEqual(read, [folder]);
  assert.deepEqual(folderEntries(join(root, 'missing')), []);
  assert.deepEqual(folderEntries(join(folder, '001.sql')), [], 'a file is no folder');
});
