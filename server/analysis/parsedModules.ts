// A project's other modules, read from disk when a fact of the file being analysed depends on what one of them
// defines: a function it rolls back or only sends unsafe text through (rolledBackCallbacks.ts,
// unsafeOnlyFunctions.ts), a query helper (importedQueryHelpers.ts) or a postgres.js client (importedPostgresJsClients.ts)
// it exports, a helper that starts a server of its own (ownServerHelpers.ts), a class whose methods send LISTEN
// (listenLibraries.ts), and the files that import a module or that it imports (callerFiles.ts, for directUrls.ts, ownServerClients.ts,
// postgresJsUses.ts). One reader and one cache for all of them, so a module several facts ask about is read and parsed
// once: read again when its modification time changes and at least every 10 s, at most 64 modules. A module is
// read when it is at most 512 KB, or at most as large as its reader allows (the files read for a subscriber's URL or a
// client's callers: 1 MB); its size is known from the same `stat`, so a reader with a smaller bound never reads a
// larger file. Its syntax tree is made at the first reader that asks for it: most readers first test the text for a
// code word, and most modules never need parsing. What a reader derives from a module (ModuleFacts) lives as long as
// the module's read, so a changed module's facts are derived again and an evicted one's are dropped.
// A one-shot lint (folderEntries.ts's isOneShotRun: nothing changes under it) keeps more modules, up to 1,024 and 2 MB
// of text, and trusts a module read less than 10 s ago without asking the disk for its time again. One lookup of a
// name through a package's barrel (`export * from` a hundred modules) reads more modules than the language server
// keeps: vendure's lint read and parsed its 655 modules 22,918 times; and a file calling imported helpers thousands
// of times had a `stat` per call (ts-sql-query: 333,000).
import ts from 'typescript';
import { statSync } from 'node:fs';
import { boundedText, isOneShotRun } from './folderEntries';
import { CACHE_MS, TimedCache } from './timedCache';
import { SHELL_SCRIPT_NAME } from './shellScriptNames';

const MAX_FILE_BYTES = 512 * 1024;
/** The largest bound a reader may ask for. */
const MAX_READER_BYTES = 1 << 20;
/** Modules the language server keeps. */
const MAX_MODULES = 64;
/** Modules a one-shot run keeps, and their text's size at the most (syntax trees take ~20-30 times their text). */
const MAX_ONE_SHOT_MODULES = 1_024;
const MAX_ONE_SHOT_BYTES = 2 << 20;

/** One read of a module: its text, and its syntax tree (with parent links) once a reader needed it. */
export class ModuleRead {
  private tree?: ts.SourceFile;

  constructor(readonly path: string, readonly text: string) {}

  get source(): ts.SourceFile {
    return (this.tree ??= ts.createSourceFile(this.path, this.text, ts.ScriptTarget.Latest, true, scriptKindOf(this.path)));
  }
}

/** A module's size and time as last seen; its read once a reader within bounds asked (null: it could not be read). */
interface Entry { mtimeMs: number; size: number; read?: ModuleRead | null }

let reads: TimedCache<Entry> | undefined;

/** The cache of reads, made at the first read: by then a one-shot run has said so (it does before it analyses anything). */
function readCache(): TimedCache<Entry> {
  return (reads ??= isOneShotRun()
    ? new TimedCache<Entry>(CACHE_MS, MAX_ONE_SHOT_MODULES, Date.now, { weigh: (entry) => (entry.size > MAX_READER_BYTES ? 0 : entry.size), max: MAX_ONE_SHOT_BYTES })
    : new TimedCache<Entry>(CACHE_MS, MAX_MODULES));
}

/**
 * The module at `file` as last read from disk; undefined when it cannot be read or is larger than `maxBytes`
 * (512 KB unless the reader says otherwise, 1 MB at most).
 */
export function moduleRead(file: string, maxBytes = MAX_FILE_BYTES): ModuleRead | undefined {
  const cache = readCache();
  let entry = cache.fresh(file)?.value;
  if (!entry || !isOneShotRun()) {
    let mtimeMs: number;
    let size: number;
    try {
      ({ mtimeMs, size } = statSync(file));
    } catch {
      return undefined;
    }
    if (!entry || entry.mtimeMs !== mtimeMs) cache.set(file, (entry = { mtimeMs, size }));
  }
  if (entry.size > Math.min(maxBytes, MAX_READER_BYTES)) return undefined;
  if (entry.read === undefined) {
    const text = boundedText(file, MAX_READER_BYTES);
    entry.read = text === undefined ? null : new ModuleRead(file, text);
  }
  return entry.read ?? undefined;
}

/** The syntax tree (with parent links) of the module at `file`; undefined when it cannot be read or is too large. */
export function parsedModule(file: string, maxBytes = MAX_FILE_BYTES): ts.SourceFile | undefined {
  return moduleRead(file, maxBytes)?.source;
}

/** What one reader derives from a module (`derive`, at most once per read of it), kept as long as that read. */
export class ModuleFacts<T> {
  private readonly byRead = new WeakMap<ModuleRead, { facts: T }>();

  constructor(private readonly derive: (read: ModuleRead) => T) {}

  /** The facts of the module at `file`; undefined when it cannot be read or is too large. */
  of(file: string): T | undefined {
    const read = moduleRead(file);
    if (!read) return undefined;
    let derived = this.byRead.get(read);
    if (!derived) this.byRead.set(read, (derived = { facts: this.derive(read) }));
    return derived.facts;
  }
}

/**
 * How TypeScript reads a file of that name: `.tsx` as TSX, `.jsx` as JSX, `.js`/`.cjs`/`.mjs` as JavaScript, and
 * anything else (`.ts`, `.mts`, `.cts`, `.vue`, no name at all) as TypeScript; the extension in any case. The one
 * source of this choice for every syntax tree the analysis makes (the file analysed and the modules it reads).
 */
export function scriptKindOf(fileName: string | undefined): ts.ScriptKind {
  if (!fileName) return ts.ScriptKind.TS;
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(fileName)) return ts.ScriptKind.JSX;
  // A shell script's code is the JavaScript it hands to node (nodeHeredocs.ts).
  if (/\.[cm]?js$/i.test(fileName) || SHELL_SCRIPT_NAME.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
