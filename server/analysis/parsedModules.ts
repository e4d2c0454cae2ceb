// A project's other modules, read from disk when a fact of the file being analysed depends on what one of them
// defines: a function it rolls back or only sends unsafe text through (rolledBackCallbacks.ts,
// unsafeOnlyFunctions.ts), a query helper (importedQueryHelpers.ts) or a postgres.js client (importedPostgresJsClients.ts)
// it exports. One reader and one cache for all of them, so a module several facts ask about is read and parsed
// once: a module up to 512 KB, read again when its modification time changes and at least every 10 s, at most
// 64 modules. Its syntax tree is made at the first reader that asks for it: most readers first test the text for
// a code word, and most modules never need parsing. What a reader derives from a module (ModuleFacts) lives as
// long as the module's read, so a changed module's facts are derived again and an evicted one's are dropped.
import ts from 'typescript';
import { statSync } from 'node:fs';
import { boundedText } from './folderEntries';
import { TimedCache } from './timedCache';

const MAX_FILE_BYTES = 512 * 1024;
const CACHE_MS = 10_000;
const MAX_MODULES = 64;

/** One read of a module: its text, and its syntax tree (with parent links) once a reader needed it. */
export class ModuleRead {
  private tree?: ts.SourceFile;

  constructor(readonly path: string, readonly text: string) {}

  get source(): ts.SourceFile {
    return (this.tree ??= ts.createSourceFile(this.path, this.text, ts.ScriptTarget.Latest, true, scriptKindOf(this.path)));
  }
}

const reads = new TimedCache<{ mtimeMs: number; read: ModuleRead | undefined }>(CACHE_MS, MAX_MODULES);

/** The module at `file` as last read from disk; undefined when it cannot be read or is too large. */
export function moduleRead(file: string): ModuleRead | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = reads.fresh(file)?.value;
  if (cached && cached.mtimeMs === mtimeMs) return cached.read;
  const text = boundedText(file, MAX_FILE_BYTES);
  const read = text === undefined ? undefined : new ModuleRead(file, text);
  reads.set(file, { mtimeMs, read });
  return read;
}

/** The syntax tree (with parent links) of the module at `file`; undefined when it cannot be read or is too large. */
export function parsedModule(file: string): ts.SourceFile | undefined {
  return moduleRead(file)?.source;
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
  if (/\.[cm]?js$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
