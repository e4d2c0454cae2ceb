// A one-shot `poolsafe lint` settles the tree before it analyses anything (keepFolderListings): from then on nothing
// a cache read goes stale. Its lifetimes are for the language server, whose files change while it runs; in a lint
// run they made a large repository read, parse and derive its modules again every few seconds for minutes. Node's test
// runner gives each test file its own process, so settling the tree here touches no other file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimedCache } from '../../../server/analysis/timedCache';
import { keepFolderListings } from '../../../server/analysis/folderEntries';

test('once a one-shot run has settled the tree, a value older than its lifetime is still fresh and never computed again', () => {
  let now = 0;
  const cache = new TimedCache<string>(10_000, Infinity, () => now);
  let computed = 0;
  const read = () => cache.get('packages/core/src/db.ts', () => `read ${++computed}`);
  assert.equal(read(), 'read 1');
  now = 10_001;
  assert.equal(read(), 'read 2', 'before the run settles the tree, a value past its lifetime is read again (the editor)');

  keepFolderListings();
  now = 10_001 + 60 * 60 * 1000;
  assert.equal(read(), 'read 2', 'an hour later, the settled tree is not read again');
  assert.equal(cache.fresh('packages/core/src/db.ts')?.value, 'read 2');
  assert.equal(computed, 2);
});

test('a settled tree keeps each cache\'s bound on keys: the oldest key still makes room', () => {
  keepFolderListings();
  const cache = new TimedCache<number>(10_000, 2, () => 0);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  assert.equal(cache.fresh('a'), undefined);
  assert.deepEqual([cache.fresh('b')?.value, cache.fresh('c')?.value], [2, 3]);
});
