// A V8 code cache for the CLI's largest bundle, dist/embedded.js (the TypeScript compiler and the TS/JS
// analysis, ~6.8 MB): compiling it, and then each of its functions on first call, is a fixed cost of every
// `poolsafe lint` that meets a TS/JS file. The bytecode V8 compiled during one run is saved once, after the run,
// and the next runs start from it (vm.Script's cachedData / createCachedData: public Node APIs).
//
// Where: $XDG_CACHE_HOME/poolsafe, else ~/.cache/poolsafe — a folder of this user's own (created with mode
// 0700; used only when it is a real folder owned by the user, closed to others), never shared between users.
// A cache file is named by a hash of the bundle's bytes, the Node and V8 versions, the architecture and the
// V8 flags, and holds a checksum of its payload: a file of another build, a truncated or altered one, or one
// V8 rejects (cachedDataRejected) is ignored and replaced after the run. Files are written to a temporary
// name and renamed into place, so a reader never sees half a file. POOLSAFE_CODE_CACHE=off turns it off.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync,
  renameSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** The environment variable that turns the cache off (`off`, `0`, `false` or `no`). */
export const CODE_CACHE_ENV = 'POOLSAFE_CODE_CACHE';

/** Start of every cache file; bump the digit when the layout changes. */
const MAGIC = Buffer.from('PSV8CC1\n');
const KEY_BYTES = 64; // hex SHA-256 of what the cache is valid for
const CHECKSUM_BYTES = 32; // SHA-256 of the payload
const HEADER_BYTES = MAGIC.length + KEY_BYTES + CHECKSUM_BYTES;
/** Larger files are not read (V8's cache of embedded.js is a few MB). */
const MAX_CACHE_BYTES = 256 * 2 ** 20;
/** Caches of one bundle kept (other Node versions or builds used side by side); older ones are removed. */
const KEPT_PER_BUNDLE = 4;
/** A temporary file this old was left by a run that died while writing. */
const STALE_TEMPORARY_MS = 10 * 60_000;

/**
 * The CommonJS wrapper Node puts around a module, on a line of its own (lineOffset -1 keeps the bundle's line
 * numbers in stack traces).
 */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const WRAPPER_TAIL = '\n})';

/** The folder the caches live in, or undefined when turned off or where users cannot be told apart (no uid). */
export function codeCacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(?:0|off|false|no)$/i.test(env[CODE_CACHE_ENV]?.trim() ?? '')) return undefined;
  if (typeof process.getuid !== 'function') return undefined;
  const xdg = env.XDG_CACHE_HOME;
  try {
    return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'poolsafe');
  } catch {
    return undefined; // no home folder
  }
}

/** Creates `folder` (mode 0700) or checks it: a real folder (no link), owned by this user, which others cannot enter. */
export function ensurePrivateFolder(folder: string): boolean {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stats = lstatSync(folder);
    if (!stats.isDirectory() || stats.uid !== process.getuid!()) return false;
    // The user's own folder left open (an older umask, a copy): closed again. Each file is checked for its owner too.
    if ((stats.mode & 0o077) !== 0) chmodSync(folder, 0o700);
    return true;
  } catch {
    return false;
  }
}

/** What a cache is valid for: the bundle's bytes, the Node and V8 versions, the architecture and the V8 flags. */
export function cacheKey(bundle: Buffer): string {
  return createHash('sha256')
    .update(`poolsafe code cache\0${process.version}\0${process.versions.v8}\0${process.arch}\0${process.execArgv.join(' ')}\0`)
    .update(bundle)
    .digest('hex');
}

/** The payload of a cache file when it is this user's regular file, made for `key`, and intact; otherwise undefined. */
export function readCacheFile(file: string, key: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.uid !== process.getuid!() || stats.size <= HEADER_BYTES || stats.size > MAX_CACHE_BYTES) return undefined;
    const data = Buffer.allocUnsafe(stats.size);
    let read = 0;
    while (read < data.length) {
      const n = readSync(fd, data, read, data.length - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    if (data.toString('latin1', MAGIC.length, MAGIC.length + KEY_BYTES) !== key) return undefined;
    const payload = data.subarray(HEADER_BYTES);
    const checksum = data.subarray(MAGIC.length + KEY_BYTES, HEADER_BYTES);
    return createHash('sha256').update(payload).digest().equals(checksum) ? payload : undefined;
  } catch {
    return undefined; // missing, unreadable or a link: compile as usual
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a cache file atomically (a temporary file of this process renamed into place), mode 0600; false when it could not. */
export function writeCacheFile(file: string, key: string, payload: Buffer): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const checksum = createHash('sha256').update(payload).digest();
    writeFileSync(temporary, Buffer.concat([MAGIC, Buffer.from(key, 'latin1'), checksum, payload]), { flag: 'wx', mode: 0o600 });
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
    return false;
  }
}

/** Removes the caches of `bundleName` beyond the newest KEPT_PER_BUNDLE, and temporary files left by runs that died. */
function prune(folder: string, bundleName: string): void {
  const caches: { path: string; mtimeMs: number }[] = [];
  const now = Date.now();
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(`${bundleName}-`)) continue;
    const path = join(folder, name);
    try {
      const { mtimeMs } = statSync(path);
      if (name.endsWith('.v8cache')) caches.push({ path, mtimeMs });
      else if (name.endsWith('.tmp') && now - mtimeMs > STALE_TEMPORARY_MS) unlinkSync(path);
    } catch {
      // removed meanwhile
    }
  }
  caches.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of caches.slice(KEPT_PER_BUNDLE)) {
    try {
      unlinkSync(path);
    } catch {
      // removed meanwhile
    }
  }
}

/** A bundle loaded without a usable cache: its cache is written by saveCodeCaches. */
interface Unsaved {
  script: Script;
  file: string;
  key: string;
  folder: string;
  bundleName: string;
}

const unsaved: Unsaved[] = [];

/** How the last bundle was loaded (for tests and diagnostics). */
export type CacheUse = 'off' | 'used' | 'missing' | 'rejected';
export let lastCacheUse: CacheUse | undefined;

/**
 * Loads a self-contained CommonJS bundle (it requires only Node's built-in modules or paths beside it) the way
 * require() would, compiling it from the code cache when one was saved for these exact bytes.
 */
export function requireWithCodeCache(path: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const bytes = readFileSync(path);
  const folder = codeCacheFolder(env);
  const usable = folder !== undefined && ensurePrivateFolder(folder);
  const key = usable ? cacheKey(bytes) : undefined;
  const bundleName = basename(path, '.js');
  const file = usable ? join(folder, `${bundleName}-${key!.slice(0, 32)}.v8cache`) : undefined;
  const cachedData = file ? readCacheFile(file, key!) : undefined;
  const script = new Script(WRAPPER_HEAD + bytes.toString('utf8') + WRAPPER_TAIL, { filename: path, lineOffset: -1, cachedData });
  lastCacheUse = !file ? 'off' : !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  if (file && lastCacheUse !== 'used') unsaved.push({ script, file, key: key!, folder: folder!, bundleName });
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  const module = { exports: {} as unknown, id: path, filename: path, loaded: false };
  wrapper.call(module.exports, module.exports as object, createRequire(path), module, path, dirname(path));
  module.loaded = true;
  return module.exports;
}

/**
 * Saves the caches of the bundles loaded without one. Call it once the work is done: the cache then holds the
 * bytecode of every function the run compiled, not only the bundle's top level.
 */
export function saveCodeCaches(): void {
  for (const { script, file, key, folder, bundleName } of unsaved.splice(0)) {
    if (writeCacheFile(file, key, script.createCachedData())) {
      try {
        prune(folder, bundleName);
      } catch {
        // the folder vanished: nothing to prune
      }
    }
  }
}
