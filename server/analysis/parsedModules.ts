// Syntax trees of a project's other modules, read from disk when a fact of the file being analysed depends on a
// function one of them defines (rolledBackCallbacks.ts, unsafeOnlyFunctions.ts). One cache for every such reader:
// a module up to 512 KB, its tree kept 10 s, at most 64 trees.
import ts from 'typescript';
import { boundedText } from './folderEntries';
import { TimedCache } from './timedCache';

const MAX_FILE_BYTES = 512 * 1024;
const CACHE_MS = 10_000;
const trees = new TimedCache<ts.SourceFile | undefined>(CACHE_MS, 64);

/** The syntax tree (with parent links) of the module at `file`; undefined when it cannot be read or is too large. */
export function parsedModule(file: string): ts.SourceFile | undefined {
  return trees.get(file, () => {
    const text = boundedText(file, MAX_FILE_BYTES);
    return text === undefined ? undefined : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
  });
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
