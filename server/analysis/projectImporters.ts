// Which files of a project import a given file: the reverse of moduleResolution.ts, for facts that depend on
// how a module's exports are used elsewhere (postgresJsWrappers.ts: whether any importer runs a transaction
// on an exported drizzle database). The project's source files are listed and their import specifiers
// read once per project root (bounded in count and size, cached for a while); only specifiers that could
// name the file (their last segment is its name, or its folder's for an index file) are resolved.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { folderEntries } from './folderEntries';
import { SKIPPED_FOLDERS, SOURCE_EXTENSIONS, isFile, projectRoot, resolveModule } from './moduleResolution';

const CACHE_MS = 30_000;
const MAX_PROJECTS = 8;
const MAX_FILES = 20_000;
const MAX_FOLDERS = 20_000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** `from '…'`, `import '…'`, `import('…')`, `require('…')`: every way a file can name another. */
const SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(['"])([^'"\n]{1,300})\1/g;
const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/** A project's source files with the specifiers each names; undefined when the project is too big to list. */
type ProjectIndex = Map<string, string[]> | undefined;

const projects = new Map<string, { at: number; index: ProjectIndex }>();

/**
 * The files of `file`'s project that import it (by any specifier resolving to it), or undefined when that
 * cannot be known (no project root, or more files than the bounds allow).
 */
export function importersOf(file: string): string[] | undefined {
  if (!isAbsolute(file) || !isFile(file)) return undefined;
  const root = projectRoot(file);
  const index = root === undefined ? undefined : projectIndex(root);
  if (!index) return undefined;
  const names = namesOf(file);
  const importers: string[] = [];
  for (const [candidate, specifiers] of index) {
    if (candidate === file) continue;
    if (specifiers.some((s) => names.has(lastSegment(s)) && resolveModule(candidate, s) === file)) importers.push(candidate);
  }
  return importers;
}

/** The last segment a specifier naming the file may end in: its name with or without extension, or its folder's for an index. */
function namesOf(file: string): Set<string> {
  const name = basename(file);
  const stem = name.replace(/\.[cm]?[jt]sx?$/, '');
  const names = new Set([name, stem, `${stem}.js`, `${stem}.mjs`, `${stem}.cjs`]);
  if (stem === 'index') names.add(basename(dirname(file))).add('.').add('..');
  return names;
}

function lastSegment(specifier: string): string {
  const trimmed = specifier.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

function projectIndex(root: string): ProjectIndex {
  const cached = projects.get(root);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.index;
  const index = listProject(root);
  if (projects.size >= MAX_PROJECTS) projects.delete(projects.keys().next().value!);
  projects.set(root, { at: Date.now(), index });
  return index;
}

/** Every source file under the root (dependencies, build output and hidden folders skipped) with its specifiers. */
function listProject(root: string): ProjectIndex {
  const index = new Map<string, string[]>();
  const queue = [root];
  for (let visited = 0; queue.length > 0; visited++) {
    if (visited >= MAX_FOLDERS) return undefined;
    const folder = queue.shift()!;
    for (const entry of folderEntries(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) queue.push(path);
      } else if (entry.isFile() && SOURCE_EXTENSIONS.some((e) => entry.name.endsWith(e)) && !DECLARATION_FILE.test(entry.name)) {
        if (index.size >= MAX_FILES) return undefined;
        const specifiers = specifiersOf(path);
        if (specifiers.length > 0) index.set(path, specifiers);
      }
    }
  }
  return index;
}

function specifiersOf(file: string): string[] {
  try {
    if (statSync(file).size > MAX_FILE_BYTES) return [];
    return specifiersIn(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}


/** The module specifiers a file's text names, in any form (import, export … from, import(), require()). */
export function specifiersIn(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[2]);
}
