// Reading a folder, or a small file, without failing on one that vanished or cannot be read, and the one bounded walk
// over a project's folders: shared by the walks over a workspace (workspaceCatalog.ts and psqlOnlyProjects.ts, in the
// main bundle; moduleResolution.ts and projectImporters.ts, in the TS/JS bundle), so it imports nothing of either (timedCache.ts imports nothing).
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { TimedCache, settleTree } from './timedCache';

/** `start` and the folders above it, nearest first: `levels` above at most, fewer where the file system's root comes first. */
export function foldersUp(start: string, levels: number): string[] {
  const folders = [start];
  for (let folder = start; folders.length <= levels; ) {
    const parent = dirname(folder);
    if (parent === folder) break;
    folders.push((folder = parent));
  }
  return folders;
}

/** Listings a one-shot run keeps at most (the oldest read is dropped first). */
const MAX_LISTINGS = 4_000;
/** The listings kept since keepFolderListings(); undefined (the default, the language server's): each is read when asked for. */
let kept: TimedCache<readonly Dirent[]> | undefined;

/**
 * Has folderEntries keep each folder's listing once read, for the rest of the process: for a one-shot run over a
 * tree that does not change under it (`poolsafe lint`), where the probes around each SQL file (its folder, the
 * folders above and beside it) ask for the same folders once per file, thousands of times in a repository's
 * migrations. The language server never calls it: a file created beside the document counts at its next analysis.
 * Affects this copy of the module: each bundle has its own (index.ts's keepFolderListings turns it on in the CLI's
 * bundle and in the TS/JS analysis's, dist/embedded.js).
 */
export function keepFolderListings(shared?: KeptListings): void {
  kept ??= shared ?? new TimedCache<readonly Dirent[]>(Infinity, MAX_LISTINGS);
  settleTree();
}

/** The listings a one-shot run keeps, by folder. */
export type KeptListings = TimedCache<readonly Dirent[]>;

/**
 * This copy's kept listings (undefined before keepFolderListings), for the other bundle's copy to keep its listings in
 * too (index.ts hands the CLI bundle's to dist/embedded.js's): each copy read the same folders again (~35 ms of
 * readdir each on bench/lint.mjs's tree).
 */
export function keptListings(): KeptListings | undefined {
  return kept;
}

/**
 * Keeps a folder's listing that another reader of the run made (the CLI's walk over the files to lint, `cli/files.ts`),
 * as folderEntries would read it: the entries of readdirSync with file types, in the file system's order, unmodified
 * from then on. Only in a one-shot run, whose tree is settled; a listing already kept is left as it is.
 */
export function keepListing(folder: string, entries: readonly Dirent[]): void {
  if (kept && !kept.fresh(folder)) kept.set(folder, entries);
}

/**
 * Whether keepFolderListings was called in this copy of the module: a one-shot run over a tree that does not change
 * under it, whose other readers may trust what they read once too (parsedModules.ts).
 */
export function isOneShotRun(): boolean {
  return kept !== undefined;
}

/**
 * `answer`, with each answer kept (up to `maxKeys` keys) in a one-shot run (isOneShotRun): for a fact of the tree asked
 * for many times per file, whose reading the run's unchanging tree makes the same every time. The language server,
 * whose files change while it runs, asks `answer` afresh.
 */
export function keptInOneShotRun<T>(answer: (key: string) => T, maxKeys: number): (key: string) => T {
  let answers: TimedCache<T> | undefined;
  return (key) => {
    if (!isOneShotRun()) return answer(key);
    answers ??= new TimedCache<T>(Infinity, maxKeys);
    return answers.get(key, () => answer(key));
  };
}

/** A folder's entries; none when it cannot be read. Shared when kept (keepFolderListings): callers must not modify the array. */
export function folderEntries(folder: string): readonly Dirent[] {
  return kept ? kept.get(folder, () => listing(folder)) : listing(folder);
}

function listing(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Whether a path is a file, or a symbolic link that leads to one; false where it is missing or cannot be read. */
export function isFile(path: string): boolean {
  if (surelyMissing(path)) return false;
  // A kept listing's entry of that very name tells a file or a folder without a stat (a symbolic link, or an entry of
  // unknown type, is asked of the file system: where it leads is not in the listing).
  const entry = keptEntry(path);
  if (entry?.isFile()) return true;
  if (entry?.isDirectory()) return false;
  return statIsFile(path);
}

/** Paths whose stat a one-shot run keeps: a module's candidate paths and the package.json above each folder. */
const MAX_KEPT_STATS = 20_000;

/**
 * The file system's answer for isFile, kept in a one-shot run (keptInOneShotRun): the same candidates (`x.ts`,
 * `x/index.ts`, a package.json in each folder above) are probed for file after file, and most are missing. A missing
 * path answers without an exception (throwIfNoEntry): no error object and stack trace per failed probe.
 */
const statIsFile = keptInOneShotRun((path: string): boolean => {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // not a folder on the way (ENOTDIR), no permission
  }
}, MAX_KEPT_STATS);

/** Paths whose existence a one-shot run keeps (the `.git` and `.github` probes of each folder above a file). */
const MAX_KEPT_PROBES = 20_000;

/**
 * Whether anything is at the path (existsSync), kept in a one-shot run (keptInOneShotRun): for probes the files of a
 * repository repeat folder after folder (projectPaths.ts's root markers above every file's folder). The language server
 * asks afresh, so a `.git` created above an open file counts at its next analysis.
 */
export const pathExists = keptInOneShotRun((path: string): boolean => existsSync(path), MAX_KEPT_PROBES);

/** Each kept listing's entries by name, made when first asked. */
const entriesOfListing = new WeakMap<readonly Dirent[], ReadonlyMap<string, Dirent>>();

/**
 * The entry of a kept listing (keepFolderListings, one already read) named as the path's last part, exactly (a name in
 * another case is asked of the file system, which may ignore case). None for a path ending in a separator: `file/` is
 * no file, though its entry is one.
 */
function keptEntry(path: string): Dirent | undefined {
  if (path.endsWith('/') || path.endsWith(sep)) return undefined;
  const entries = kept?.fresh(dirname(path))?.value;
  if (entries === undefined) return undefined;
  let byName = entriesOfListing.get(entries);
  if (byName === undefined) entriesOfListing.set(entries, (byName = new Map(entries.map((entry) => [entry.name, entry]))));
  return byName.get(basename(path));
}

/** The names in each kept listing, made when first asked (a listing is kept whole and never changes). */
const namesOfListing = new WeakMap<readonly Dirent[], ReadonlySet<string>>();

/**
 * Whether the kept listing of the path's folder (keepFolderListings, one already read) holds no entry of its name: in a
 * one-shot run the path is then surely missing, told without asking the file system (a probe for a file that is not
 * there — a package.json, a config, a script above every file — costs a failed stat and its exception otherwise).
 * False when no listing of the folder is kept: the file system answers.
 */
function surelyMissing(path: string): boolean {
  const entries = kept?.fresh(dirname(path))?.value;
  if (entries === undefined) return false;
  let names = namesOfListing.get(entries);
  // In lower case: on a file system that ignores case, `README.MD` answers a probe for `readme.md`.
  if (names === undefined) namesOfListing.set(entries, (names = new Set(entries.map((entry) => entry.name.toLowerCase()))));
  return !names.has(basename(path).toLowerCase());
}

/** Dependency, build and cache folders: no walk of a project's own files enters them. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', 'vendor', 'dist', 'build', 'out', 'target', 'coverage', '__pycache__']);

/** How a walk ended: every folder visited, cut by its folder bound, or stopped by its visitor. */
export type WalkEnd = 'complete' | 'bounded' | 'stopped';

/**
 * Walks `root` and the folders under it breadth first (nearest first; a folder's sub-folders in the order the file
 * system lists them), giving `visit` each folder's entries and its depth (the root's is 0). A sub-folder is entered
 * when `enter` allows it (by default: not hidden and not in SKIPPED_FOLDERS). At most `maxFolders` folders are
 * visited; `visit` returning false stops the walk. Linear in the folders listed.
 */
export function walkFolders(
  root: string,
  maxFolders: number,
  visit: (folder: string, entries: readonly Dirent[], depth: number) => boolean | void,
  enter: (name: string, depth: number) => boolean = (name) => !name.startsWith('.') && !SKIPPED_FOLDERS.has(name),
): WalkEnd {
  const queue: Array<{ folder: string; depth: number }> = [{ folder: root, depth: 0 }];
  for (let next = 0; next < queue.length; next++) {
    if (next >= maxFolders) return 'bounded';
    const { folder, depth } = queue[next];
    const entries = folderEntries(folder);
    if (visit(folder, entries, depth) === false) return 'stopped';
    for (const entry of entries) if (entry.isDirectory() && enter(entry.name, depth + 1)) queue.push({ folder: join(folder, entry.name), depth: depth + 1 });
  }
  return 'complete';
}

/**
 * Whether a folder's entry is a file, or a symbolic link that leads to one (isFile): the entries a walk reads. A named
 * pipe, a socket or a device is none: opening a pipe for reading waits for a writer that may never come.
 */
export function isFileEntry(folder: string, entry: Dirent): boolean {
  return entry.isFile() || (entry.isSymbolicLink() && isFile(join(folder, entry.name)));
}

/**
 * `read(descriptor, size)` on the path opened for reading when it is a regular file (a link is followed); undefined
 * when it is not one (a named pipe, a socket, a device, a folder), vanished or cannot be read. The path is opened
 * without waiting and then asked what it is, so a named pipe with no writer is neither waited on nor read.
 */
function readRegularFile<T>(path: string, read: (descriptor: number, size: number) => T): T | undefined {
  if (surelyMissing(path)) return undefined;
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = fstatSync(descriptor);
    return stats.isFile() ? read(descriptor, stats.size) : undefined;
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** A file's bytes when it is at most `maxBytes` long; undefined when it is bigger, vanished, unreadable or no regular file. */
export function boundedBytes(path: string, maxBytes: number): Buffer | undefined {
  return readRegularFile(path, (descriptor, size) => (size > maxBytes ? undefined : readFileSync(descriptor)));
}

/**
 * A file's first `maxBytes` bytes as text (UTF-8), whatever its size: enough to tell what it is by its opening (a
 * script's `#!` line) without reading it whole. Undefined when it vanished, cannot be read or is no regular file.
 */
export function fileHead(path: string, maxBytes: number): string | undefined {
  return readRegularFile(path, (descriptor) => {
    const head = Buffer.alloc(maxBytes);
    return head.toString('utf8', 0, readSync(descriptor, head, 0, maxBytes, 0));
  });
}

/** A file's text (UTF-8) when it is at most `maxBytes` long; undefined when it is bigger, vanished or unreadable. */
export function boundedText(path: string, maxBytes: number): string | undefined {
  return boundedBytes(path, maxBytes)?.toString('utf8');
}
