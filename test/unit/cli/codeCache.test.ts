// The CLI's V8 code cache (cli/codeCache.ts): written once in the user's private cache folder, reused by the
// next load of the same bundle, and ignored (then replaced) when it is stale, corrupt, truncated or rejected
// by V8; never read from a folder or file that is not the user's own; off with POOLSAFE_CODE_CACHE=off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as codeCache from '../../../cli/codeCache';

const { cacheKey, readCacheFile, requireWithCodeCache, saveCodeCaches, writeCacheFile } = codeCache;

/** A scratch folder holding a small CommonJS bundle and an empty XDG cache home. */
function scratch(t: { after: (fn: () => void) => void }, body = BUNDLE): { bundle: string; env: NodeJS.ProcessEnv; folder: string } {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-code-cache-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const bundle = join(root, 'dist', 'analysis.js');
  mkdirSync(join(root, 'dist'));
  writeFileSync(bundle, body);
  const home = join(root, 'xdg');
  return { bundle, env: { XDG_CACHE_HOME: home }, folder: join(home, 'poolsafe') };
}

/** A bundle with functions that run (their bytecode goes into the cache) and uses of the CommonJS wrapper's names. */
const BUNDLE = `"use strict";
function total(values) { let sum = 0; for (const v of values) sum += v * 2; return sum; }
exports.total = total;
exports.folder = __dirname;
exports.own = require('node:path').basename(__filename);
module.exports.strict = (function () { return this === undefined; })();
`;

const cacheFiles = (folder: string): string[] => readdirSync(folder).filter((name) => name.endsWith('.v8cache')).sort();

interface Loaded {
  total: (values: number[]) => number;
  folder: string;
  own: string;
  strict: boolean;
}

function load(bundle: string, env: NodeJS.ProcessEnv): { exports: Loaded; use: string | undefined } {
  const exports = requireWithCodeCache(bundle, env) as Loaded;
  return { exports, use: codeCache.lastCacheUse };
}

test('the first load writes a cache into the private folder once the run is done; the next load uses it', (t) => {
  const { bundle, env, folder } = scratch(t);
  const first = load(bundle, env);
  assert.equal(first.use, 'missing');
  assert.equal(first.exports.total([1, 2, 3]), 12);
  assert.deepEqual([first.exports.folder, first.exports.own, first.exports.strict], [join(bundle, '..'), 'analysis.js', true]);
  assert.deepEqual(cacheFiles(folder), [], 'nothing is written before saveCodeCaches');
  saveCodeCaches();
  const [file] = cacheFiles(folder);
  assert.match(file, /^analysis-[0-9a-f]{32}\.v8cache$/);
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  assert.equal(statSync(join(folder, file)).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(folder), [file], 'no temporary file is left behind');

  const second = load(bundle, env);
  assert.equal(second.use, 'used');
  assert.equal(second.exports.total([5]), 10);
  const written = statSync(join(folder, file)).mtimeMs;
  saveCodeCaches();
  assert.equal(statSync(join(folder, file)).mtimeMs, written, 'a cache that was used is not written again');
});

test('a changed bundle gets a cache of its own: the stale one is never read for it', (t) => {
  const { bundle, env, folder } = scratch(t);
  load(bundle, env);
  saveCodeCaches();
  const [old] = cacheFiles(folder);
  // Same length, other bytes: V8's own check compares lengths only, the file name carries a hash of the bytes.
  writeFileSync(bundle, BUNDLE.replace('v * 2', 'v * 3'));
  const changed = load(bundle, env);
  assert.equal(changed.use, 'missing');
  assert.equal(changed.exports.total([1, 2, 3]), 18);
  saveCodeCaches();
  assert.equal(cacheFiles(folder).length, 2);
  assert.ok(cacheFiles(folder).includes(old));
  assert.equal(load(bundle, env).use, 'used');
});

test('a corrupt or truncated cache file is ignored, the bundle compiles as usual, and the file is replaced', (t) => {
  const { bundle, env, folder } = scratch(t);
  load(bundle, env);
  saveCodeCaches();
  const path = join(folder, cacheFiles(folder)[0]);
  const good = readFileSync(path);

  const flipped = Buffer.from(good);
  flipped[flipped.length - 5] ^= 0xff;
  writeFileSync(path, flipped);
  const corrupt = load(bundle, env);
  assert.equal(corrupt.use, 'missing');
  assert.equal(corrupt.exports.total([2]), 4);
  saveCodeCaches();
  assert.equal(load(bundle, env).use, 'used', 'replaced by a good one');

  for (const bytes of [readFileSync(path).subarray(0, 20), readFileSync(path).subarray(0, readFileSync(path).length - 1), Buffer.alloc(0)]) {
    writeFileSync(path, bytes);
    const truncated = load(bundle, env);
    assert.equal(truncated.use, 'missing');
    assert.equal(truncated.exports.total([4]), 8);
  }
  saveCodeCaches();
  assert.equal(load(bundle, env).use, 'used');
});

test('a cache V8 rejects is reported as rejected, the bundle still loads, and the cache is rewritten', (t) => {
  const { bundle, env, folder } = scratch(t);
  const other = scratch(t, `${BUNDLE}exports.more = 1;\n`);
  load(other.bundle, other.env);
  saveCodeCaches();
  const foreign = readCacheFile(join(other.folder, cacheFiles(other.folder)[0]), cacheKey(readFileSync(other.bundle)))!;
  assert.ok(foreign.length > 0);
  // Well-formed, under this bundle's key, but compiled from other source: V8's own checks refuse it.
  const key = cacheKey(readFileSync(bundle));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, `analysis-${key.slice(0, 32)}.v8cache`);
  assert.ok(writeCacheFile(path, key, foreign));
  const rejected = load(bundle, env);
  assert.equal(rejected.use, 'rejected');
  assert.equal(rejected.exports.total([1]), 2);
  saveCodeCaches();
  assert.equal(load(bundle, env).use, 'used');
});

test('POOLSAFE_CODE_CACHE=off turns the cache off: nothing is read or written', (t) => {
  const { bundle, env, folder } = scratch(t);
  for (const value of ['off', '0', 'false', 'NO']) {
    const off = load(bundle, { ...env, POOLSAFE_CODE_CACHE: value });
    assert.equal(off.use, 'off');
    assert.equal(off.exports.total([1]), 2);
  }
  saveCodeCaches();
  assert.throws(() => readdirSync(folder), /ENOENT/);
  assert.equal(load(bundle, { ...env, POOLSAFE_CODE_CACHE: 'on' }).use, 'missing');
});

test('the cache folder defaults to ~/.cache/poolsafe; a relative XDG_CACHE_HOME is ignored, as the XDG spec says', () => {
  assert.match(codeCache.codeCacheFolder({})!, /[\\/]\.cache[\\/]poolsafe$/);
  assert.match(codeCache.codeCacheFolder({ XDG_CACHE_HOME: 'relative/cache' })!, /[\\/]\.cache[\\/]poolsafe$/);
  assert.equal(codeCache.codeCacheFolder({ XDG_CACHE_HOME: '/var/tmp/u1' }), join('/var/tmp/u1', 'poolsafe'));
});

test('a cache folder that is a link, or open to others, is not trusted as found', (t) => {
  const { bundle, env, folder } = scratch(t);
  // A link in the folder's place (it could lead into a folder someone else controls): not used.
  const elsewhere = join(folder, '..', 'elsewhere');
  mkdirSync(elsewhere, { recursive: true, mode: 0o700 });
  symlinkSync(elsewhere, folder);
  assert.equal(load(bundle, env).use, 'off');
  saveCodeCaches();
  assert.deepEqual(readdirSync(elsewhere), []);
  rmSync(folder);

  // The user's own folder left open to others: closed (0700) before use.
  mkdirSync(folder, { mode: 0o700 });
  chmodSync(folder, 0o777);
  assert.equal(load(bundle, env).use, 'missing');
  assert.equal(statSync(folder).mode & 0o777, 0o700);
});

test('a cache folder or file owned by another user is never read', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, (t) => {
  const { bundle, env, folder } = scratch(t);
  load(bundle, env);
  saveCodeCaches();
  const path = join(folder, cacheFiles(folder)[0]);
  chownSync(path, 4242, 4242);
  assert.equal(load(bundle, env).use, 'missing', "another user's file in the folder");
  chownSync(path, 0, 0);
  assert.equal(load(bundle, env).use, 'used');
  chownSync(folder, 4242, 4242);
  assert.equal(load(bundle, env).use, 'off', "another user's folder");
});
