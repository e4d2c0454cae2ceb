// The functions and views a workspace's .sql files define (migrations, schema files): for the
// write-in-read rule (a query in one file calls a function another file declares STABLE; only with load
// balancing on) and for calls of functions whose bodies create session state (stateFunctions.ts).
// Read from the workspace root; bounded in files, bytes and time, and cached for a short while (the
// editor asks on every keystroke).
import { join, resolve } from 'node:path';
import type { AnalysisOptions, ClosingRoutine, SqlCatalog, StateFunction } from './types';
import { closingRoutineIndex } from './routineConnections';
import { catalogOfDocuments } from './balancing';
import { stateFunctionIndex } from './stateFunctions';
import { sourceRoutineNames } from './schemaSnapshots';
import { isScriptFile, mayDefineRoutine } from './embeddedRoutines';
import { boundedText, walkFolders } from './folderEntries';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { isSqlFileName } from './sqlFileNames';
import { mayHandOnPostgresJs } from './postgresJsModules';

const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1 << 20;
const MAX_TOTAL_BYTES = 64 << 20;
/** TS/JS files read to look for routine definitions in their literals. */
const MAX_SCRIPT_READS = 5000;

/**
 * The functions that create session state join the options; with load balancing on, the functions and
 * views the workspace's .sql files define too (write-in-read).
 */
export function withWorkspaceCatalog(options: Partial<AnalysisOptions>, root: string | undefined): Partial<AnalysisOptions> {
  if (!root) return options;
  const workspace = workspaceDefinitions(root);
  return {
    ...options, stateFunctions: workspace.stateFunctions, sourceRoutines: workspace.sourceRoutines, closingRoutines: workspace.closingRoutines, postgresJsModules: workspace.postgresJsModules,
    ...(options.loadBalancing && { catalog: workspace.catalog }),
  };
}

interface WorkspaceDefinitions {
  catalog: SqlCatalog;
  stateFunctions: ReadonlyMap<string, StateFunction>;
  sourceRoutines: ReadonlySet<string>;
  closingRoutines: ReadonlyMap<string, ClosingRoutine>;
  postgresJsModules: ReadonlySet<string>;
}

const cache = new TimedCache<WorkspaceDefinitions>(PROJECT_CACHE_MS);

/** The catalog of the .sql files under `root` (recursively, skipping dependency, build and hidden folders). */
export function workspaceCatalog(root: string): SqlCatalog {
  return workspaceDefinitions(root).catalog;
}

function workspaceDefinitions(root: string): WorkspaceDefinitions {
  return cache.get(root, () => {
    const postgresJsModules = new Set<string>();
    const files = readSqlFiles(root, postgresJsModules);
    const sqlFiles = files.filter((file) => !isScriptFile(file.path));
    const closingRoutines = closingRoutineIndex(files);
    return { catalog: catalogOfDocuments(sqlFiles.map((file) => file.text)), stateFunctions: stateFunctionIndex(files, closingRoutines), sourceRoutines: sourceRoutineNames(sqlFiles), closingRoutines, postgresJsModules };
  });
}

/**
 * The .sql files under the root, and the TS/JS files whose string literals define routines (embeddedRoutines.ts;
 * at most MAX_SCRIPT_READS of those read to find them), nearest folders first, until a folder starts past the
 * bounds in files or bytes. The scripts read that may hand on postgres.js's factory (postgresJsModules.ts) are added
 * to `postgresJsModules`, from the same read.
 */
function readSqlFiles(root: string, postgresJsModules: Set<string>): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  let bytes = 0;
  let scriptReads = 0;
  walkFolders(root, Infinity, (folder, entries) => {
    if (files.length >= MAX_FILES || bytes >= MAX_TOTAL_BYTES) return false;
    for (const entry of entries) {
      if (entry.name.startsWith('.') || !entry.isFile()) continue;
      const script = isScriptFile(entry.name);
      if (script ? scriptReads >= MAX_SCRIPT_READS : !isSqlFileName(entry.name)) continue;
      const path = join(folder, entry.name);
      if (script) scriptReads++;
      const text = boundedText(path, MAX_FILE_BYTES);
      if (text !== undefined && script && mayHandOnPostgresJs(text)) postgresJsModules.add(resolve(path));
      if (text === undefined || (script && !mayDefineRoutine(text))) continue;
      bytes += text.length;
      files.push({ path, text });
    }
    return true;
  });
  return files;
}

