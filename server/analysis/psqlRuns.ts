// SQL files the repository's own scripts run with psql (`psql -d app -f .ci/fixture.sql`, `psql --file=…`,
// `psql … < seed.sql`) in a shell script, a CI configuration, a Makefile or a package.json script: psql
// sends the file in its own session, never through the application's pool, so the session state it sets is
// that script's own business (a CI fixture's `SET statement_timeout`).
import { dirname, join, resolve, sep } from 'node:path';
import { boundedText, folderEntries, foldersUp } from './folderEntries';
import { TimedCache } from './timedCache';

/** Files that run commands: shell scripts, CI and compose configurations, Makefiles, Justfiles, package.json. */
const COMMAND_FILE = /^(?:[\w.-]+\.(?:sh|bash|ya?ml)|Makefile|GNUmakefile|[\w.-]+\.mk|Justfile|justfile|package\.json)$/;
/** Where CI configurations live below a repository's root. */
const CI_FOLDERS = [join('.github', 'workflows'), '.circleci'];
/** A psql command's file argument on one line: `-f path`, `-fpath`, `--file path`, `--file=path`, or `< path`. */
const PSQL_FILE = /\bpsql\b[^\n;|&]*?(?:\s-f\s*|\s--file[=\s]\s*|\s<\s*)((?:"[^"\n]*"|'[^'\n]*'|[^\s;|&)"'])+)/g;
/** Bounds: how far up command files are looked for, how many are read per folder, and their size. */
const FOLDER_LEVELS = 3;
const MAX_FILES_PER_FOLDER = 40;
const MAX_FILE_BYTES = 256 * 1024;
const CACHE_MS = 10_000;

const runsByFolder = new TimedCache<string[]>(CACHE_MS);

/** Whether a command file in the file's folder or up to FOLDER_LEVELS above runs it with psql. */
export function isRunByPsql(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  return foldersUp(dirname(file), FOLDER_LEVELS).some((folder) => psqlRunsIn(folder).some((path) => names(file, folder, path)));
}

/**
 * Whether a psql file argument names the file. The command's working folder is unknown (a script may `cd`,
 * or prefix the path with a variable: `"${root}"/.ci/x.sql`), so the argument's literal tail — after the last
 * variable or quote — must be the end of the file's path below the folder the command file is in.
 */
function names(file: string, folder: string, argument: string): boolean {
  // A closing quote ends the argument (`"$SQLDIR/fixture.sql"`): the tail is what stands before it.
  const tail = argument.replace(/["']$/, '').replace(/^.*(?:\$\{[^}]*\}|\$\(\S*\)|\$\w+|["'])/, '').replace(/^(?:\.{0,2}\/)+/, '');
  if (!/\.sql$/i.test(tail)) return false;
  const below = file.slice(folder.length + 1).split(sep).join('/');
  return below === tail || below.endsWith(`/${tail}`);
}

/** The psql file arguments in the command files of `folder` (and its CI folders), read once per CACHE_MS. */
function psqlRunsIn(folder: string): string[] {
  return runsByFolder.get(folder, () => readPsqlRuns(folder));
}

function readPsqlRuns(folder: string): string[] {
  const paths: string[] = [];
  for (const path of [folder, ...CI_FOLDERS.map((ci) => join(folder, ci))].flatMap(commandFilesIn)) {
    const text = boundedText(path, MAX_FILE_BYTES); // unreadable: it runs nothing
    if (text === undefined || !text.includes('psql')) continue;
    for (const match of text.matchAll(PSQL_FILE)) paths.push(match[1]);
  }
  return paths;
}

function commandFilesIn(folder: string): string[] {
  return folderEntries(folder).map((entry) => entry.name).filter((name) => COMMAND_FILE.test(name)).slice(0, MAX_FILES_PER_FOLDER)
    .map((name) => join(folder, name));
}
