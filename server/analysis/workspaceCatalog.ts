// The functions and views a workspace's .sql files define (migrations, schema files), for the
// write-in-read rule: a query in one file calls a function another file declares STABLE. Read from the
// folder of the .poolsafe.json that turns load balancing on; bounded in files, bytes and time, and
// cached for a short while (the editor asks on every keystroke).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisOptions, SqlCatalog } from './types';
import { catalogOfDocuments } from './balancing';

const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1 << 20;
const MAX_TOTAL_BYTES = 64 << 20;
const CACHE_MS = 30_000;
const SKIPPED_FOLDERS = new Set(['node_modules', 'vendor', 'dist', 'build', 'out', 'coverage', 'target']);

/** With load balancing on, the functions and views the workspace's .sql files define join the options (write-in-read). */
export function withWorkspaceCatalog(options: Partial<AnalysisOptions>, root: string | undefined): Partial<AnalysisOptions> {
  return options.loadBalancing && root ? { ...options, catalog: workspaceCatalog(root) } : options;
}

const cache = new Map<string, { at: number; catalog: SqlCatalog }>();

/** The catalog of the .sql files under `root` (recursively, skipping dependency, build and hidden folders). */
export function workspaceCatalog(root: string): SqlCatalog {
  const cached = cache.get(root);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.catalog;
  const catalog = catalogOfDocuments(readSqlFiles(root));
  cache.set(root, { at: Date.now(), catalog });
  return catalog;
}

function* readSqlFiles(root: string): Generator<string> {
  const folders = [root];
  let files = 0;
  let bytes = 0;
  while (folders.length > 0 && files < MAX_FILES && bytes < MAX_TOTAL_BYTES) {
    const folder = folders.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) folders.push(path);
      } else if (entry.isFile() && /\.sql$/i.test(entry.name)) {
        const text = readBounded(path);
        if (text === undefined) continue;
        files++;
        bytes += text.length;
        yield text;
      }
    }
  }
}

function readBounded(path: string): string | undefined {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
