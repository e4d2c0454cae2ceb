// Where a file sits inside its repository. What a path's folder names say (`mysql/`, `dialects/postgres/`) is the
// project's own word only below its root: the folders a user keeps the checkout in (`~/src/mysql-tools/app`, a
// `postgres/` folder of clones) say nothing about its files, and must not make the editor (which sees absolute paths)
// judge a file otherwise than `poolsafe lint .` run in the repository (which sees paths from its root).
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { foldersUp } from './folderEntries';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/** How many folders up from a file's folder its repository's `.git` is looked for. */
const GIT_LEVELS = 8;
const gitRoots = new TimedCache<string | undefined>(PROJECT_CACHE_MS);

/** The nearest folder at or above `start` holding `.git` (a folder, or the file of a worktree or submodule). */
export function gitRoot(start: string): string | undefined {
  return gitRoots.get(start, () => foldersUp(start, GIT_LEVELS).find((folder) => existsSync(join(folder, '.git'))));
}

/**
 * The start folder and those above it, `levels` at most, that are not above its repository's root (the folder holding
 * `.git`): the folders a reader of a project's own files looks in (a notes file in the folder holding the repository
 * is none of them). All of them when there is no `.git` (a downloaded archive, a folder before `git init`): a README is
 * no sure sign of the root there — a `db/README.md` would hide the root's `docs/` pages.
 */
export function foldersUpToRoot(start: string, levels: number): string[] {
  const up = foldersUp(start, levels);
  const rootIndex = up.indexOf(gitRoot(start) ?? '');
  return rootIndex < 0 ? up : up.slice(0, rootIndex + 1);
}

/**
 * The file's path from its repository's root (`db/mysql/schema.sql`) when it has one; otherwise the path as given.
 * A relative path is resolved too: run from the folder above the checkout (`poolsafe lint oracle-work`), it starts
 * with the checkout's own name, which the editor's absolute path, cut at the root, does not have.
 */
export function pathInProject(fileName: string): string {
  const file = resolve(fileName);
  const root = gitRoot(dirname(file));
  return root === undefined ? fileName : relative(root, file).split(sep).join('/');
}
