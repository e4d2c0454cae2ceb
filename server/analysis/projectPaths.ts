// Where a file sits inside its repository. What a path's folder names say (`mysql/`, `dialects/postgres/`) is the
// project's own word only below its root: the folders a user keeps the checkout in (`~/src/mysql-tools/app`, a
// `postgres/` folder of clones) say nothing about its files, and must not make the editor (which sees absolute paths)
// judge a file otherwise than `poolsafe lint .` run in the repository (which sees paths from its root).
//
// Every answer here is of the real folders: a start given relative to the working directory (the CLI's `test/db.ts`
// from `poolsafe lint .`) is resolved first, or a walk up from it would stop at `.` and never reach a root above the
// folder the CLI was run in (a package of a monorepo).
import { dirname, join, relative, resolve, sep } from 'node:path';
import { foldersUp, pathExists } from './folderEntries';
import { TimedCache } from './timedCache';

/**
 * How many folders up from a file's folder its repository's root is looked for, and the most any reader walks up
 * (foldersUpToRoot caps its walks here): a walk that went further than the root was looked for would pass a root too
 * far up to be found, into the folders holding the checkout.
 */
export const ROOT_LEVELS = 15;
/** Bound on the start folders whose root is kept. */
const MAX_KEPT_START_FOLDERS = 20_000;

/**
 * The repository's root at or above `start`: the nearest folder holding `.git` (a folder, or the file of a worktree or
 * submodule); without one (a downloaded archive, a folder before `git init`), the nearest holding `.github`, which
 * GitHub reads only at a repository's root. Inside a checkout a lower `.github` (a vendored project's, a template's) is
 * no root: GitHub runs only the root's workflows. The one notion of root of every reader of a project's own files.
 */
export function repositoryRoot(start: string): string | undefined {
  const folder = resolve(start);
  return rootsByStart.get(folder, () => findRepositoryRoot(folder));
}

/**
 * How long the language server trusts a root it found: about one analysis of a file, which asks for it a hundred
 * times, and less than the time a person takes to run `git init` above an open file and edit it again, so that the
 * new repository counts at the file's next analysis.
 */
export const ROOT_CACHE_MS = 1_000;

/**
 * Kept per real start folder (one key whatever working directory the caller's path was relative to): for the rest of
 * a one-shot run, whose tree is settled (timedCache.ts), and for ROOT_CACHE_MS in the language server.
 */
const rootsByStart = new TimedCache<string | undefined>(ROOT_CACHE_MS, MAX_KEPT_START_FOLDERS);

function findRepositoryRoot(start: string): string | undefined {
  const up = foldersUp(start, ROOT_LEVELS);
  // Each probe kept for a one-shot run too (pathExists): the start folders of a tree share the folders above them.
  return up.find((folder) => pathExists(join(folder, '.git'))) ?? up.find((folder) => pathExists(join(folder, '.github')));
}

/**
 * The start folder and those above it, `levels` at most (and ROOT_LEVELS at most), that are not above its repository's
 * root (repositoryRoot): the folders a reader of a project's own files looks in (a notes file in the folder holding the
 * repository is none of them), resolved. All of them when there is no root within ROOT_LEVELS: a README is no sure sign
 * of the root there — a `db/README.md` would hide the root's `docs/` pages.
 */
export function foldersUpToRoot(start: string, levels: number): string[] {
  const folder = resolve(start);
  const up = foldersUp(folder, Math.min(levels, ROOT_LEVELS));
  const rootIndex = up.indexOf(repositoryRoot(folder) ?? '');
  return rootIndex < 0 ? up : up.slice(0, rootIndex + 1);
}

/**
 * Whether `folder` is the repository's root of `start` or a folder inside it (true where there is no root): for a
 * reader that looks beside or above a folder it walked to (a role's owner folder, a sqitch plan's folder, a migrations
 * folder's lock file), so that what it reads is the project's own.
 */
export function insideRepository(folder: string, start: string): boolean {
  const root = repositoryRoot(start);
  const path = resolve(folder);
  return root === undefined || path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/**
 * The file's path from its repository's root (`db/mysql/schema.sql`) when it has one; otherwise the path as given.
 * A relative path is resolved too: run from the folder above the checkout (`poolsafe lint oracle-work`), it starts
 * with the checkout's own name, which the editor's absolute path, cut at the root, does not have.
 */
export function pathInProject(fileName: string): string {
  const file = resolve(fileName);
  const root = repositoryRoot(dirname(file));
  return root === undefined ? fileName : relative(root, file).split(sep).join('/');
}
