// The linter's caches of facts read from the disk: fresh for their lifetime, read again after it, bounded in keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_MS, PROJECT_CACHE_MS, TimedCache } from '../../../server/analysis/timedCache';
import { repoRoot } from '../../helpers/paths';

/** A computation that counts its runs and answers with the run's number. */
function counter(): { runs: number; next: () => number } {
  const state = { runs: 0, next: () => ++state.runs };
  return state;
}

test('a value is computed once and served from the cache while it is fresh, per key', () => {
  const cache = new TimedCache<number>(60_000);
  const count = counter();
  assert.equal(cache.get('a', count.next), 1);
  assert.equal(cache.get('a', count.next), 1);
  assert.equal(cache.get('b', count.next), 2);
  assert.equal(cache.get('a', count.next), 1);
  assert.equal(count.runs, 2);
});

test('an undefined value is cached like any other (fresh answers a box)', () => {
  const cache = new TimedCache<string | undefined>(60_000);
  let runs = 0;
  assert.equal(cache.get('x', () => (runs++, undefined)), undefined);
  assert.equal(cache.get('x', () => (runs++, 'later')), undefined);
  assert.equal(runs, 1);
  assert.equal(cache.fresh('x')?.value, undefined);
  assert.ok(cache.fresh('x'));
  assert.equal(cache.fresh('y'), undefined);
});

test('a value is fresh for just its lifetime after it was stored, then computed again and the new one stored', () => {
  // A clock of the test's own: what is fresh must not depend on how fast a loaded machine runs the test.
  const clock = { ms: 1_000 };
  const cache = new TimedCache<number>(5, Infinity, () => clock.ms);
  const count = counter();
  assert.equal(cache.get('a', count.next), 1);
  clock.ms += 4;
  assert.equal(cache.fresh('a')?.value, 1);
  assert.equal(cache.get('a', count.next), 1);
  clock.ms += 1; // 5 ms after it was stored: stale
  assert.equal(cache.fresh('a'), undefined);
  assert.equal(cache.get('a', count.next), 2);
  assert.equal(cache.fresh('a')?.value, 2);
  clock.ms += 4; // the new value's lifetime runs from when it was stored
  assert.equal(cache.get('a', count.next), 2);
  assert.equal(count.runs, 2);
});

test('a lifetime of 0 computes every time', () => {
  const cache = new TimedCache<number>(0);
  const count = counter();
  assert.equal(cache.get('a', count.next), 1);
  assert.equal(cache.get('a', count.next), 2);
});

test('a bounded cache drops its oldest stored key to make room, and keeps the others', () => {
  const cache = new TimedCache<number>(60_000, 2);
  const count = counter();
  cache.get('a', count.next);
  cache.get('b', count.next);
  cache.get('c', count.next); // full: 'a' goes
  assert.equal(cache.fresh('a'), undefined);
  assert.equal(cache.fresh('b')?.value, 2);
  assert.equal(cache.fresh('c')?.value, 3);
  assert.equal(cache.get('a', count.next), 4); // computed again; 'b' goes
  assert.equal(cache.fresh('b'), undefined);
  assert.equal(cache.get('c', count.next), 3);
});

test('storing a key again in a full cache replaces its value and drops no other key', () => {
  const cache = new TimedCache<string>(60_000, 2);
  cache.set('first', 'one');
  cache.set('second', 'two');
  cache.set('second', 'two again'); // full, but 'second' is already one of the two keys
  assert.equal(cache.fresh('first')?.value, 'one');
  assert.equal(cache.fresh('second')?.value, 'two again');
  cache.set('first', 'one again'); // the oldest key itself, stored again: kept
  assert.equal(cache.fresh('first')?.value, 'one again');
  assert.equal(cache.fresh('second')?.value, 'two again');
  cache.set('third', 'three'); // a new key: the oldest stored, 'first' (stored again in its place), makes room
  assert.equal(cache.fresh('first'), undefined);
  assert.deepEqual([cache.fresh('second')?.value, cache.fresh('third')?.value], ['two again', 'three']);
});

test('set stores a value from now on, as get does', () => {
  const cache = new TimedCache<boolean>(60_000, 1);
  cache.set('k', true);
  assert.equal(cache.get('k', () => false), true);
  cache.set('other', false);
  assert.equal(cache.fresh('k'), undefined);
  assert.equal(cache.fresh('other')?.value, false);
});

test('the caches of disk facts take their lifetimes from timedCache.ts: no module of the analysis restates one', () => {
  assert.equal(CACHE_MS, 10_000);
  assert.equal(PROJECT_CACHE_MS, 30_000);
  const folder = join(repoRoot, 'server', 'analysis');
  const sources = readdirSync(folder).filter((name) => name.endsWith('.ts') && name !== 'timedCache.ts').map((name) => [name, readFileSync(join(folder, name), 'utf8')]);
  // Neither lifetime written out again, as a constant or in place.
  assert.deepEqual(sources.filter(([, text]) => /\b(?:10|30)_?000\b/.test(text)).map(([name]) => name), []);
  const shared = sources.filter(([, text]) => /new TimedCache<[^(]*>\((?:PROJECT_)?CACHE_MS\b/.test(text)).map(([name]) => name);
  assert.ok(shared.length >= 15, shared.join(', '));
});

test('a cache bounded in weight drops its oldest stored keys until the new value fits, and counts a replaced value once', () => {
  const cache = new TimedCache<string>(60_000, Infinity, Date.now, { weigh: (text) => text.length, max: 10 });
  cache.set('a', 'aaaa');
  cache.set('b', 'bbbb');
  cache.set('a', 'aa'); // replaces 'a' in place: 6 held, nothing dropped
  assert.equal(cache.fresh('a')?.value, 'aa');
  assert.equal(cache.fresh('b')?.value, 'bbbb');
  cache.set('c', 'cccccc'); // 12 > 10: the oldest, 'a', goes (6 + 4 = 10 held)
  assert.equal(cache.fresh('a'), undefined);
  assert.equal(cache.fresh('b')?.value, 'bbbb');
  cache.set('d', 'dddddddddddd'); // heavier than the bound alone: everything else goes, and it is still stored
  assert.equal(cache.fresh('b'), undefined);
  assert.equal(cache.fresh('c'), undefined);
  assert.equal(cache.fresh('d')?.value, 'dddddddddddd');
  cache.set('e', 'e'); // 13 > 10: 'd' goes
  assert.equal(cache.fresh('d'), undefined);
  assert.equal(cache.fresh('e')?.value, 'e');
});
