// Where a file sits inside its repository. What a path's folder names say (`mysql/`, `dialects/postgres/`) is the
// project's own word only below its root: the folders a user keeps the checkout in (`~/src/mysql-tools/app`, a
// `postgres/` folder of clones) say nothing about its files, and must not make the editor (which sees absolute paths)
// judge a file otherwise than `poolsafe lint .` run in the repository (which sees paths from its root).
import { dirname, join, relative, resolve, sep } from 'node:path';
import { foldersUp, keptInOneShotRun, pathExists } from './folderEntries';

/** How many folders up from a file's folder its repository's root is looked for. */
const ROOT_LEVELS = 8;
/** Bound on the start folders whose root a one-shot run keeps. */
const MAX_KEPT_START_FOLDERS = 20_000;

/**
 * The repository's root at or above `start`: the nearest folder holding `.git` (a folder, or the file of a worktree or
 * submodule); without one (a downloaded archive, a folder before `git init`), the nearest holding `.github`, which
 * GitHub reads only at a repository's root. Inside a checkout a lower `.github` (a vendored project's, a template's) is
 * no root: GitHub runs only the root's workflows. The one notion of root of every reader of a project's own files.
 */
export function repositoryRoot(start: string): string | undefined {
  return keptRepositoryRoot(start);
}

/**
 * Kept for the rest of a one-shot run (asked for every file, by every reader that walks up); the language server looks
 * afresh at each analysis, so a repository created above an open file (`git init`) counts at once.
 */
const keptRepositoryRoot = keptInOneShotRun((start: string): string | undefined => {
  const up = foldersUp(start, ROOT_LEVELS);
  // Each probe kept too (pathExists): the start folders of a tree share the folders above them.
  return up.find((folder) => pathExists(join(folder, '.git'))) ?? up.find((folder) => pathExists(join(folder, '.github')));
}, MAX_KEPT_START_FOLDERS);

/**
 * The start folder and those above it, `levels` at most, that are not above its repository's root (repositoryRoot):
 * the folders a reader of a project's own files looks in (a notes file in the folder holding the repository is none of
 * them). All of them when there is no root: a README is no sure sign of the root there — a `db/README.md` would hide
 * the root's `docs/` pages.
 */
export function foldersUpToRoot(start: string, levels: number): string[] {
  const up = foldersUp(start, levels);
  const rootIndex = up.indexOf(repositoryRoot(start) ?? '');
  return rootIndex < 0 ? up : up.slice(0, rootIndex + 1);
}

/**
 * Whether `folder` is the repository's root of `start` or a folder inside it (true where there is no root): for a
 * reader that looks beside or above a folder it walked to (a role's owner folder, a sqitch plan's folder, a migrations
 * folder's lock file), so that what it reads is the project's own.
 */
export function insideRepository(folder: string, start: string): boolean {
  const root = repositoryRoot(start);
  return root === undefined || folder === root || folder.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
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
