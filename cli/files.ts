// Which files `poolsafe lint` looks at: named files as given; directories recursed for SQL, TS/JS, shell scripts and
// container YAML (compose files, Kubernetes and Helm YAML), Dockerfiles, Procfiles and Fly.io configs (fly.toml),
// skipping node_modules, .git, whatever the repository's .gitignore files exclude and, unless asked not
// to, vendored folders and minified files by name (server/generatedFiles.ts; bundles are judged by their
// text when read, in lint.ts).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve, sep, extname } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { DocumentLanguage } from '../server/analysis/index';
import { DEFAULT_IGNORED_DIRECTORIES, isDefaultIgnoredName } from '../server/generatedFiles';
import { isFileEntry, keepListing } from '../server/analysis/folderEntries';
import { SQL_FILE_EXTENSIONS } from '../server/analysis/sqlFileNames';
import { SHELL_SCRIPT_NAME } from '../server/analysis/shellScriptNames';
import { isContainerYaml } from '../server/analysis/containerCommands';
import { isDockerfile } from '../server/analysis/dockerInit';
import { isFlyConfig, isProcfile } from '../server/analysis/platformCommands';

const LANGUAGE_BY_EXTENSION: Record<string, DocumentLanguage> = {
  ...Object.fromEntries(SQL_FILE_EXTENSIONS.map((extension) => [extension, 'sql' as const])),
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
  '.tsx': 'typescriptreact',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
  '.jsx': 'javascriptreact',
};
const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);

export function languageOf(path: string): DocumentLanguage | undefined {
  if (path.endsWith('.d.ts')) return undefined;
  // A shell script by name: read for the programs it hands to node (nodeHeredocs.ts).
  if (SHELL_SCRIPT_NAME.test(path)) return 'shellscript';
  // A compose file, Kubernetes or Helm YAML: read for the commands its containers run (containerCommands.ts).
  if (isContainerYaml(path)) return 'yaml';
  // A Procfile or a Fly.io config, read for the commands the hosting platform runs (platformCommands.ts).
  if (isProcfile(path)) return 'procfile';
  if (isFlyConfig(path)) return 'toml';
  // A Dockerfile, read for the commands its image starts with (dockerfileCommands.ts); not a program so named (`dockerfile.js`).
  return LANGUAGE_BY_EXTENSION[extname(path).toLowerCase()] ?? (isDockerfile(path) ? 'dockerfile' : undefined);
}

export interface FileProblem {
  path: string;
  message: string;
}

/** A .gitignore file's rules apply to paths relative to the folder it sits in. */
interface IgnoreScope {
  /** The folder's absolute path followed by a separator: the paths the rules apply to start with it. */
  prefix: string;
  rules: Ignore;
}

/** The rules of `dir`'s .gitignore (`dir` absolute); `listed`: the walk saw the name in the folder's listing, so no probe is needed. */
function readIgnoreFile(dir: string, listed = false): IgnoreScope | undefined {
  const file = join(dir, '.gitignore');
  if (!listed && !existsSync(file)) return undefined;
  try {
    return { prefix: dir.endsWith(sep) ? dir : dir + sep, rules: ignore().add(readFileSync(file, 'utf8')) };
  } catch {
    return undefined;
  }
}

/** A repository's root (or a nested repository's, a submodule's): the folder holding `.git`. */
function isRepositoryRoot(dir: string): boolean {
  return existsSync(join(dir, '.git'));
}

/**
 * The .gitignore files of `dir`'s ancestors up to the repository root (the folder holding .git). None for
 * a repository's own root: git reads no .gitignore above it, even when an enclosing repository holds it.
 */
function ancestorScopes(dir: string): IgnoreScope[] {
  if (isRepositoryRoot(dir)) return [];
  const chain: string[] = [];
  let current = dirname(dir);
  for (;;) {
    chain.unshift(current);
    if (isRepositoryRoot(current)) break;
    const parent = dirname(current);
    if (parent === current) return []; // not inside a repository: parent .gitignore files do not apply
    current = parent;
  }
  return chain.map((folder) => readIgnoreFile(folder)).filter((s): s is IgnoreScope => s !== undefined);
}

/**
 * Whether a .gitignore of `scopes` excludes the path (`absolute`: its absolute path). The path relative to each
 * scope's folder is a slice of the absolute one (path.relative resolved both paths again for every entry of every
 * folder walked: ~1/4 of the walk's time in a repository of 9,000 folders).
 */
function isIgnored(absolute: string, isDirectory: boolean, scopes: IgnoreScope[]): boolean {
  for (const scope of scopes) {
    if (!absolute.startsWith(scope.prefix) || absolute.length === scope.prefix.length) continue;
    const slice = absolute.slice(scope.prefix.length);
    const rel = sep === '/' ? slice : slice.split(sep).join('/');
    if (scope.rules.ignores(isDirectory ? `${rel}/` : rel)) return true;
  }
  return false;
}

export interface CollectedFiles {
  files: string[];
  /** Files named on the command line: linted even when they look generated. */
  named: Set<string>;
  problems: FileProblem[];
}

/**
 * Expands the command-line paths into the files to lint, in a stable order. Where `defaultIgnore(dir)`
 * holds for a directory given, vendored folders and minified names found under it are skipped.
 */
export function collectFiles(inputs: string[], defaultIgnore: (dir: string) => boolean = () => true): CollectedFiles {
  const files: string[] = [];
  const named = new Set<string>();
  const problems: FileProblem[] = [];
  /** `dir` as the user wrote it (the files' paths are printed from it), `absolute` resolved (the .gitignore rules read that). */
  const walk = (dir: string, absolute: string, scopes: IgnoreScope[], skipGenerated: boolean): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ path: dir, message: `cannot read directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      return;
    }
    // The analysis lists the folders of the files it reads again (folderEntries.ts): in a one-shot run it keeps this listing
    // instead, as read (the walk below goes through a sorted copy).
    keepListing(absolute, entries);
    // A nested repository (a folder with its own .git) follows its own .gitignore files, not the enclosing one's.
    const inherited = entries.some((entry) => entry.name === '.git') ? [] : scopes;
    const own = entries.some((entry) => entry.name === '.gitignore') ? readIgnoreFile(absolute, true) : undefined;
    const active = own ? [...inherited, own] : inherited;
    const within = absolute.endsWith(sep) ? absolute : absolute + sep;
    // A symbolic link is linted when it leads to a file. Checkouts often hold links into folders that exist only after a
    // build or an install (`static/x.js -> ../node_modules/x/x.js`): those lead nowhere, hold nothing the user wrote, and
    // must not fail the lint of the whole tree. A file named on the command line still does.
    for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const skipped = ALWAYS_SKIPPED.has(entry.name) || (skipGenerated && DEFAULT_IGNORED_DIRECTORIES.has(entry.name));
        const inside = within + entry.name;
        if (!skipped && !isIgnored(inside, true, active)) walk(path, inside, active, skipGenerated);
      } else if (isFileEntry(dir, entry) && languageOf(path) && !(skipGenerated && isDefaultIgnoredName(path)) && !isIgnored(within + entry.name, false, active)) {
        files.push(path);
      }
    }
  };
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input);
    } catch (error) {
      problems.push({ path: input, message: `cannot read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}` });
      continue;
    }
    if (stats.isDirectory()) {
      const dir = input.replace(/[/\\]+$/, '') || input;
      const absolute = resolve(dir);
      walk(dir, absolute, ancestorScopes(absolute), defaultIgnore(dir));
    } else if (languageOf(input)) {
      files.push(input);
      named.add(input);
    } else problems.push({ path: input, message: 'not a SQL, TypeScript, JavaScript, shell script, container YAML file, Dockerfile, Procfile or Fly.io config' });
  }
  return { files: [...new Set(files)], named, problems };
}
