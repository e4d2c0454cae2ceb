// The one bounded walk over a project's folders (folderEntries.ts's walkFolders), which every reader of a whole
// project uses (its importers, its workspace packages, its .sql definitions, whether it holds a program): nearest
// folders first, dependency, build and hidden folders left out unless the walker says otherwise, cut at its bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { walkFolders } from '../../../server/analysis/folderEntries';
import { scratchRepository } from '../../helpers/scratch';

const FILES = {
  'top.txt': 'a',
  'app/one.txt': 'b',
  'app/deep/two.txt': 'c',
  'app/deep/deeper/three.txt': 'd',
  'lib/four.txt': 'e',
  'node_modules/pkg/index.js': 'f',
  'build/out.js': 'g',
  '.cache/x.txt': 'h',
  '.github/workflows/ci.yml': 'i',
};

test('the walk visits every folder once, each before any folder deeper than it, and skips dependency, build and hidden folders by default', (t) => {
  const repository = scratchRepository('folder-walk-order', t);
  repository.writeAll(FILES);
  const seen: Array<[string, number]> = [];
  const end = walkFolders(repository.path(), 100, (folder, _entries, depth) => void seen.push([relative(repository.path(), folder) || '.', depth]));
  assert.equal(end, 'complete');
  assert.deepEqual(seen.map(([folder]) => folder).sort(), ['.', 'app', 'app/deep', 'app/deep/deeper', 'lib']);
  assert.deepEqual(seen.map(([, depth]) => depth), [...seen.map(([, depth]) => depth)].sort((a, b) => a - b), 'breadth first');
  assert.deepEqual(Object.fromEntries(seen), { '.': 0, app: 1, lib: 1, 'app/deep': 2, 'app/deep/deeper': 3 });
});

test('a walker chooses the folders it enters (a hidden one it needs; none below a depth)', (t) => {
  const repository = scratchRepository('folder-walk-enter', t);
  repository.writeAll(FILES);
  const seen: string[] = [];
  const end = walkFolders(repository.path(), 100, (folder) => void seen.push(relative(repository.path(), folder) || '.'),
    (name, depth) => depth <= 2 && (name === '.github' || !name.startsWith('.')) && name !== 'node_modules');
  assert.equal(end, 'complete');
  assert.deepEqual(seen.sort(), ['.', '.github', '.github/workflows', 'app', 'app/deep', 'build', 'lib']);
});

test('the walk ends at its bound in folders, or when its visitor stops it, and says which', (t) => {
  const repository = scratchRepository('folder-walk-bounds', t);
  repository.writeAll(FILES);
  let visited = 0;
  assert.equal(walkFolders(repository.path(), 2, () => void visited++), 'bounded');
  assert.equal(visited, 2);
  assert.equal(walkFolders(repository.path(), 5, () => undefined), 'complete', 'exactly as many folders as the bound');
  visited = 0;
  assert.equal(walkFolders(repository.path(), 100, () => ++visited < 3), 'stopped');
  assert.equal(visited, 3);
  assert.equal(walkFolders(repository.path('missing'), 100, (_folder, entries) => entries.length === 0), 'complete', 'an unreadable folder has no entries');
});
