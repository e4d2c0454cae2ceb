// The files that may call what a module exports: the module itself and the project's files that import it, directly
// or through a barrel that re-exports it (callerFiles), and each of them parsed (parsed). Facts that follow a value
// into the callers of an exported function or class read them here: a URL parameter (directUrls.ts), a client's
// callers (ownServerClients.ts, postgresJsUses.ts, wrapperObjects.ts), an emitter handed to a LISTEN helper
// (listenLibraries.ts), a helper's calls (uncalledHelpers.ts), an imported type (httpOnlyClients.ts).
// projectImporters.ts finds the importers; parsedModules.ts reads and caches each file.
import type ts from 'typescript';
import { importersOf } from './projectImporters';
import { moduleRead } from './parsedModules';

/** The largest file read as a caller (parsedModules.ts allows a reader up to this). */
const MAX_FILE_BYTES = 1 << 20;
/** Files callerFiles lists at the most: a list this long may have left callers out. */
export const MAX_CALLER_FILES = 40;

/** A parsed file and its path. */
export interface FileView { source: ts.SourceFile; path: string }

/** The file and the files that import it, directly or through a barrel that re-exports it (bounded). */
export function callerFiles(path: string): string[] {
  const files = [path];
  const direct = importersOf(path);
  if (!direct) return files;
  for (const importer of direct) {
    if (files.length >= MAX_CALLER_FILES) break;
    files.push(importer);
    const text = moduleRead(importer, MAX_FILE_BYTES)?.text ?? '';
    if (/^[^\S\r\n\u2028\u2029]*export\s+(?:\*|\{[^}]*\})\s+from\s/m.test(text)) for (const next of importersOf(importer) ?? []) if (files.length < MAX_CALLER_FILES && !files.includes(next)) files.push(next);
  }
  return files;
}

/** A file of the project, parsed (parsedModules.ts's read: cached while it is fresh and unchanged; bounded in size). */
export function parsed(path: string): FileView | undefined {
  return moduleRead(path, MAX_FILE_BYTES);
}
