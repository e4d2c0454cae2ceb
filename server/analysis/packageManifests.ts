// What a project's package.json says, read without the TypeScript compiler (moduleResolution.ts, which loads it,
// re-exports these): the plain .sql analysis asks them too (projectMigrators.ts).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isFile } from './folderEntries';
import { ROOT_LEVELS, foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

const MAX_CACHED_FOLDERS = 256;
/** How many folders above a file its package.json is looked for: as far as its repository's root is. */
const PACKAGE_JSON_LEVELS = ROOT_LEVELS;

/** A JSON file's value; undefined when it cannot be read or parsed. */
export function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const packageDependencyNames = new TimedCache<ReadonlySet<string>>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);

/** The folder of the file's own package.json (the nearest one above it, within its repository), if any. */
export function packageFolder(file: string): string | undefined {
  return foldersUpToRoot(dirname(resolve(file)), PACKAGE_JSON_LEVELS).find((candidate) => isFile(join(candidate, 'package.json')));
}

/** The fields of package.json that name the packages a package depends on. */
export type DependencyField = 'dependencies' | 'devDependencies' | 'peerDependencies';
const EVERY_DEPENDENCY_FIELD: readonly DependencyField[] = ['dependencies', 'devDependencies', 'peerDependencies'];

/**
 * The packages the file's own package.json (the nearest one above it) depends on: by default those of `dependencies`,
 * `devDependencies` and `peerDependencies`; `fields` narrows that (`['dependencies']`: what the package runs with).
 */
export function packageDependencies(file: string, fields: readonly DependencyField[] = EVERY_DEPENDENCY_FIELD): ReadonlySet<string> {
  const folder = packageFolder(file);
  if (!folder) return new Set();
  return packageDependencyNames.get(`${folder}\0${fields.join(',')}`, () => {
    const manifest = readJson(join(folder, 'package.json'));
    const names = new Set<string>();
    for (const field of fields) {
      const listed = manifest?.[field];
      if (listed && typeof listed === 'object') for (const name of Object.keys(listed)) names.add(name);
    }
    return names;
  });
}

/** Whether the file's own package.json names an entry point other packages import it by (`main`, `module`, `exports`). */
export function packagePublishesEntryPoint(file: string): boolean {
  const folder = packageFolder(file);
  const manifest = folder ? readJson(join(folder, 'package.json')) : undefined;
  return ['main', 'module', 'exports'].some((field) => manifest?.[field] !== undefined);
}
