// A throwaway repository on disk, for tests of analysis that reads other files of a project (importers,
// config files, control files, expected outputs) from where the CLI and the editor would find them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT_LEVELS } from '../../server/analysis/projectPaths';

/** What a file is written from: its text, or its lines (joined with '\n', no newline added at the end). */
export type FileText = string | readonly string[];

export interface ScratchRepository {
  /** The repository's folder (absolute). */
  readonly root: string;
  /** The absolute path of `path`, a path relative to the root ('/'-separated, or several parts). */
  path(...parts: string[]): string;
  /** Writes one file, making its folders; returns its absolute path. */
  write(path: string, text: FileText): string;
  /** Writes each file of `files` (relative path → text), making their folders; returns the root. */
  writeAll(files: Readonly<Record<string, FileText>>): string;
  /** Makes a folder (and its parents) with no file in it; returns its absolute path. */
  mkdir(path: string): string;
  /** Removes the repository and everything in it. */
  remove(): void;
}

/** Where a repository's removal is registered: a test's context (`t`), or `{ after }` of node:test for the whole file. */
export interface Cleanup {
  after(fn: () => void): void;
}

/**
 * Empty folders between the temporary folder and a scratch repository: one more than the analysis ever walks up from
 * a file (ROOT_LEVELS), so that no folder above the temporary folder is looked in. A machine may hold a `.git`, a
 * package.json or a `.github` there (a CI runner's checkout around its temporary folder, a home folder kept in git):
 * each would become the scratch repository's root or its project's manifest and decide the test's outcome.
 */
const LEVELS_OUT_OF_REACH = ROOT_LEVELS + 1;

/**
 * Makes an empty repository `poolsafe-<name>` inside a folder of its own under the system's temporary folder. Given
 * `cleanup`, it is removed when that test (or file) ends; without it, the caller calls remove().
 * The repository's parent folder is empty on purpose: the analysis looks at the folder above a repository (a program's
 * file there makes a README below it a sub-project's), so whatever other programs left in the temporary folder must not
 * decide a test's outcome. The folders above it, out to LEVELS_OUT_OF_REACH, are empty too, for the same reason.
 */
export function scratchRepository(name: string, cleanup?: Cleanup): ScratchRepository {
  const holder = mkdtempSync(join(tmpdir(), `poolsafe-${name}-`));
  const padding = Array.from({ length: LEVELS_OUT_OF_REACH - 1 }, (_, index) => `${index + 1}`);
  const root = join(holder, ...padding, `poolsafe-${name}`);
  mkdirSync(root, { recursive: true });
  const path = (...parts: string[]): string => join(root, ...parts);
  const write = (relative: string, text: FileText): string => {
    const file = path(relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof text === 'string' ? text : text.join('\n'));
    return file;
  };
  const repository: ScratchRepository = {
    root,
    path,
    write,
    writeAll(files) {
      for (const [relative, text] of Object.entries(files)) write(relative, text);
      return root;
    },
    mkdir(relative) {
      const folder = path(relative);
      mkdirSync(folder, { recursive: true });
      return folder;
    },
    remove() {
      rmSync(holder, { recursive: true, force: true });
    },
  };
  cleanup?.after(() => repository.remove());
  return repository;
}

/** A scratch repository with a `.git` folder (the analysis finds the repository's root by it) and `files` written in it. */
export function scratchGitRepository(name: string, cleanup: Cleanup, files: Readonly<Record<string, FileText>>): ScratchRepository {
  const repo = scratchRepository(name, cleanup);
  repo.mkdir('.git');
  repo.writeAll(files);
  return repo;
}
