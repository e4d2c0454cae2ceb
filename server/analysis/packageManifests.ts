// What a project's package.json says, read without the TypeScript compiler (moduleResolution.ts, which loads it,
// re-exports these): the plain .sql analysis asks them too (projectMigrators.ts), and the shell-script reading of
// package scripts (prismaMigrate.ts). A folder's `scripts` are read here once for every reader of them
// (packageScripts: prismaMigrate.ts, projectMigrators.ts, testEnvironment.ts, testSetupFiles.ts, testRunnerScope.ts).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, isFile, walkFolders } from './folderEntries';
import { ROOT_LEVELS, foldersUpToRoot } from './projectPaths';
import { CACHE_MS, PROJECT_CACHE_MS, TimedCache } from './timedCache';

const MAX_CACHED_FOLDERS = 256;
const MAX_WORKSPACE_FOLDERS = 5000;
const MAX_WORKSPACE_DEPTH = 6;
/** A package.json bigger than this is no hand-written manifest: its scripts are not read. */
const MAX_MANIFEST_BYTES = 256 * 1024;
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

const scriptsByFolder = new TimedCache<ReadonlyMap<string, string>>(CACHE_MS, MAX_CACHED_FOLDERS);

/**
 * The scripts of the package.json in `folder` itself (not one further up): name → command, in the file's order, only
 * those whose command is a string. Empty when the folder has none, or it cannot be read or parsed. Cached per folder.
 */
export function packageScripts(folder: string): ReadonlyMap<string, string> {
  return scriptsByFolder.get(folder, () => {
    const text = boundedText(join(folder, 'package.json'), MAX_MANIFEST_BYTES);
    let scripts: unknown;
    try {
      scripts = text === undefined ? undefined : (JSON.parse(text) as { scripts?: unknown } | null)?.scripts;
    } catch {
      scripts = undefined;
    }
    if (!scripts || typeof scripts !== 'object') return new Map();
    return new Map(Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  });
}

const workspaces = new TimedCache<Map<string, string>>(PROJECT_CACHE_MS);

/** The folder of the package named `name` in the workspace (pnpm, npm or yarn) the file belongs to. */
export function workspacePackage(file: string, name: string): string | undefined {
  const root = workspaceRoot(dirname(file));
  if (!root) return undefined;
  return workspaces.get(root, () => packagesUnder(root)).get(name);
}

const roots = new TimedCache<string | undefined>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);

/** The nearest folder above that declares a workspace (pnpm-workspace.yaml, or package.json `workspaces`), cached per folder. */
export function workspaceRoot(start: string): string | undefined {
  const declaresWorkspaces = (manifest: string): boolean => isFile(manifest) && readJson(manifest)?.workspaces !== undefined;
  // Not past the file's repository root: a workspace file above the checkout (a home folder's, a CI runner's) is no
  // workspace of this project.
  return roots.get(start, () => foldersUpToRoot(start, ROOT_LEVELS).find((folder) => isFile(join(folder, 'pnpm-workspace.yaml')) || declaresWorkspaces(join(folder, 'package.json'))));
}

/** Package name → folder, for the package.json files under a workspace root (bounded walk). */
function packagesUnder(root: string): Map<string, string> {
  const packages = new Map<string, string>();
  // A walk cut by its bound keeps the packages it found.
  walkFolders(root, MAX_WORKSPACE_FOLDERS, (folder, entries) => {
    if (!entries.some((entry) => entry.isFile() && entry.name === 'package.json')) return;
    const name = readJson(join(folder, 'package.json'))?.name;
    if (typeof name === 'string' && !packages.has(name)) packages.set(name, folder);
  }, (name, depth) => depth <= MAX_WORKSPACE_DEPTH && !name.startsWith('.') && !SKIPPED_FOLDERS.has(name));
  return packages;
}
