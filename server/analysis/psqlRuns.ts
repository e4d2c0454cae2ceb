// SQL files the repository's own scripts run with psql (`psql -d app -f .ci/fixture.sql`, `psql --file=…`,
// `psql … < seed.sql`) in a shell script, a CI configuration, a Makefile, a Dockerfile or a package.json script —
// beside the file, in a folder above it, or in a scripts folder of one of those (`scripts/install.sh` running
// `psql -1 -f ../sql/schema.sql`): psql sends the file in its own session, never through the application's pool,
// so the session state it sets is that script's own business (a CI fixture's `SET statement_timeout`, an install
// script's `SET search_path`).
import { dirname, join, resolve, sep } from 'node:path';
import { boundedText, folderEntries, foldersUp } from './folderEntries';
import { TimedCache } from './timedCache';

/** Files that run commands: shell scripts, CI and compose configurations, Makefiles, Justfiles, Dockerfiles, package.json. */
export const COMMAND_FILE = /^(?:[\w.-]+\.(?:sh|bash|ya?ml)|Makefile|GNUmakefile|[\w.-]+\.mk|Justfile|justfile|Dockerfile[\w.-]*|[\w.-]+\.[Dd]ockerfile|package\.json)$/;
/**
 * Where, below a folder, the commands that run its files may live: CI configurations, and the folders projects keep
 * their install, setup and CI scripts in (a script there names the file by its path from the folder above:
 * `psql -f ../sql/install.sql` from `scripts/`, or `sql/install.sql` when run from the root).
 */
const COMMAND_FOLDERS = [join('.github', 'workflows'), '.circleci', 'scripts', 'script', 'bin', 'tools', 'ci', '.ci', 'docker', 'ops', 'hack'];
/** A psql command's file argument on one line: `-f path`, `-fpath`, `--file path`, `--file=path`, or `< path`. */
const PSQL_FILE = /\bpsql\b[^\n;|&]*?(?:\s-f\s*|\s--file[=\s]\s*|\s<\s*)((?:"[^"\n]*"|'[^'\n]*'|[^\s;|&)"'])+)/g;
/** A quoted word on one line, whose `;`, `|` and `&` end no command (`psql "$URI" -c "SELECT 1;" -f schema.sql`). */
const QUOTED_WORD = /"[^"\n]*"|'[^'\n]*'/g;
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

/** The psql file arguments in the command files of `folder` (and its COMMAND_FOLDERS), read once per CACHE_MS. */
function psqlRunsIn(folder: string): string[] {
  return runsByFolder.get(folder, () => readPsqlRuns(folder));
}

function readPsqlRuns(folder: string): string[] {
  const paths: string[] = [];
  for (const path of [folder, ...COMMAND_FOLDERS.map((below) => join(folder, below))].flatMap(commandFilesIn)) {
    const text = boundedText(path, MAX_FILE_BYTES); // unreadable: it runs nothing
    if (text === undefined || !text.includes('psql')) continue;
    // The command separators inside quotes become blanks (same length), so a quoted `-c` command does not end the psql command.
    const unquoted = text.replace(QUOTED_WORD, (word) => word.replace(/[;|&]/g, ' '));
    for (const match of unquoted.matchAll(PSQL_FILE)) paths.push(match[1]);
  }
  return paths;
}

function commandFilesIn(folder: string): string[] {
  return folderEntries(folder).map((entry) => entry.name).filter((name) => COMMAND_FILE.test(name)).slice(0, MAX_FILES_PER_FOLDER)
    .map((name) => join(folder, name));
}
