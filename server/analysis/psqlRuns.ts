// SQL files the repository's own scripts run with psql (`psql -d app -f .ci/fixture.sql`, `psql --file=…`,
// `psql … < seed.sql`) in a shell script, a CI configuration, a Makefile, a Dockerfile or a package.json script —
// beside the file, in a folder above it, or in a scripts folder of one of those (`scripts/install.sh` running
// `psql -1 -f ../sql/schema.sql`, `deploy/first-up.sh` applying `db/migrations/0001_init.sql`): psql sends the file in
// its own session, never through the application's pool, so the session state it sets is that script's own business (a CI fixture's `SET statement_timeout`, an install
// script's `SET search_path`). The same holds for a file the project's documentation tells you to run with psql
// (a README's `psql -d app -f db/setup.sql`), and for a file handed to a runner script — a script that runs psql on
// the file it is given (`psql -f "$1"`) — in a command file or the documentation (`./scripts/run-sql.sh db/setup.sql`),
// and for a file a here-document fed to psql includes (`psql <<EOSQL` … `\i ${DIR}/schema/seed.sql` … `EOSQL`).
// Also the files those command files concatenate into a build file (`cat db/$part.sql >> build/schema.sql`,
// `cat sql/functions/*.sql > all.sql`) where they run psql on a file: the build output is what psql runs, each source
// pasted whole into that one session; and the files a Makefile's recipes paste, its variables expanded
// (`@cat $(FUNCTIONS) >> $(BUILD)`), into a file it feeds psql or a Dockerfile copies into the postgres image's init
// folder (makefiles.ts). And the files piped into psql (`cat db/schema.sql | docker exec -i db psql`, a
// glob's too: `cat sql/schema/*.sql | psql -1 -f -`, or redirected: `psql -f - < db/schema.sql`; through a `sed` or
// `grep` filter, `sed '/^-- migrate:down/,$d' db/migrations/0001_init.sql | psql -1 -f -`), those a pipeline
// lists and concatenates into psql (`find -name '*.sql' | sort | xargs cat | psql`, from the folder the script last
// `cd`s to; a Vagrantfile's provisioning scripts read `/vagrant` as the Vagrantfile's folder), the
// files a shell loop hands psql one by one (`for f in db/init/*.sql; do psql -f "$f"; done`, also `for f in
// "$DIR"/[0-9]*.sql` where the script sets DIR to a folder with a literal end), the files a Windows
// script (PowerShell, batch) runs with psql (`psql -f .\db\seed.sql`), and those a program in a scripts folder
// runs by spawning psql (a setup script's `` execSync(`psql ${url} -f db/schema.sql`) ``), and those a program anywhere in
// the project runs with psql through Bun Shell (`` $`psql -q -f ${psqlFile}` ``, bunShellPsqlRuns.ts). Also the scripts they run
// with pgbench (`pgbench -f bench.sql`), on pgbench's own connections. A Makefile may name psql through a variable of
// its own (`PSQL = psql -q`, then `$(PSQL) -d app -f final/upgrade.sql`): makefiles.ts writes those uses as psql.
// A command continued over lines with backslashes (`psql "$URL" --single-transaction \` then `-f "$f"`) is read as one line.
// A shell function that runs psql with all its arguments (`send_query() { psql -d app "$@"; }`, in the script or in a
// script of the same folder it sources) is psql where it is called (`send_query -qf "$SEED"`); one that runs `psql -f` on
// one of its own arguments (`run_file() { f=$2; psql -d "$1" -f "$f"; }`) runs the file each call passes there; a file argument held
// in a variable the script assigns a `.sql` path (`SEED=${DATA_DIR}/seed.sql`) names that path. A shell script that
// is a regression test — its output recorded as `expected/<name>.out` in its folder or the folder above, as pg_regress
// lays out a suite — makes the files it runs part of that test (isRunByRegressionTest). A "`.sql` file" here is any
// of the SQL file extensions (sqlFileNames.ts): psql runs `db/schema.pgsql` or `seed.psql` as it runs `seed.sql`.
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, fileHead, folderEntries, isFileEntry } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { CACHE_MS, TimedCache } from './timedCache';
import { escapeRegExp } from './regexText';
import { MAKEFILE, sourcesOfPsqlBuiltFiles, withPsqlVariablesWritten } from './makefiles';
import { isDockerInitScript } from './dockerInit';
import { SQL_EXTENSION_SOURCE, isSqlFileName } from './sqlFileNames';
import { type CommandFileText, psqlCommandEnd, psqlConnection } from './psqlConnections';
import { echoedRanges, shellAssignments, withCommentsBlanked, withEchoesBlanked, withoutQuotes } from './shellAssignments';
import { repositorySetsVariable } from './testEnvironment';
import { WINDOWS_SCRIPT, windowsScriptAsShell } from './windowsScripts';
import { subshellParentheses } from './subshellParentheses';
import { SHELL_SCRIPT_NAME } from './shellScriptNames';
import { type TextRange, blankedRanges } from './blankedRanges';
import { isRunByBunShellPsql } from './bunShellPsqlRuns';

/**
 * Files that run commands: shell scripts (also zsh, PowerShell and Windows batch files), CI and compose configurations,
 * Makefiles, Justfiles, Dockerfiles, package.json, and the build files of Vagrant, Jenkins and Rake.
 */
export const COMMAND_FILE = /^(?:[\w.-]+\.(?:sh|bash|zsh|ps1|bat|cmd|ya?ml)|[Mm]akefile|GNUmakefile|[\w.-]+\.mk|Justfile|justfile|Dockerfile[\w.-]*|[\w.-]+\.[Dd]ockerfile|package\.json|Vagrantfile|Jenkinsfile|Rakefile)$/;
/**
 * Names a shell script may have in all but its extension: none at all (`bin/reset-db`, a script installed as a
 * command), or an autoconf template's `.in` (`dbmanager.in`, which configure writes out as `dbmanager`). Their first
 * line tells (SHELL_SHEBANG).
 */
const EXTENSIONLESS_OR_TEMPLATE = /^(?:[^.]+|[^.][\w.-]*\.in)$/;
/**
 * A shell's `#!` line: a path to sh, bash, zsh, ksh, mksh, dash or ash (Alpine's and BusyBox's), directly or through env
 * (`#!/bin/bash -e`, `#! /usr/bin/env bash`), or an autoconf substitution that configure writes as one (`#!@SHELL@`,
 * `#!@BASH@`).
 */
const SHELL_SHEBANG = /^#![ \t]*(?:\S*\/(?:env[ \t]+(?:-\S+[ \t]+)*)?(?:ba|z|k|mk|da|a)?sh|@[A-Z_]*(?:SHELL|BASH)[A-Z_]*@)(?=\s|$)/;
/** How much of a file's opening is read for its `#!` line. */
const SHEBANG_BYTES = 128;

/**
 * Whether a file is a shell script: by its name (SHELL_SCRIPT_NAME), or, named without an extension or as a template
 * (`.in`), by a shell's `#!` on its first line — a script in all but its extension runs its commands as a `.sh` does.
 */
export function isShellScript(path: string): boolean {
  const name = basename(path);
  if (SHELL_SCRIPT_NAME.test(name)) return true;
  return EXTENSIONLESS_OR_TEMPLATE.test(name) && !COMMAND_FILE.test(name) && SHELL_SHEBANG.test(fileHead(path, SHEBANG_BYTES) ?? '');
}

/** Whether a file runs commands: a COMMAND_FILE by its name, or a shell script by its `#!` line or template name (isShellScript). */
export function isCommandFile(path: string): boolean {
  return COMMAND_FILE.test(basename(path)) || isShellScript(path);
}
/**
 * Programs a scripts folder may hold that spawn psql themselves (`execSync(`psql ${url} -f db/schema.sql`)`,
 * `subprocess.run("psql -f db/seed.sql", shell=True)`): read in the COMMAND_FOLDERS only, never in the folder itself,
 * where the application's own sources live.
 */
const SCRIPT_PROGRAM = /^[\w.-]+\.(?:[cm]?[jt]s|py|rb)$/;
/**
 * Where, below a folder, the commands that run its files may live: CI configurations, and the folders projects keep
 * their install, setup, deploy and CI scripts in (a script there names the file by its path from the folder above:
 * `psql -f ../sql/install.sql` from `scripts/`, or `sql/install.sql` when run from the root; a first deploy's
 * `deploy/first-up.sh` applying `db/migrations/0001_init.sql` with psql as the schema's owner).
 */
const COMMAND_FOLDERS = [join('.github', 'workflows'), '.circleci', 'scripts', 'script', 'bin', 'tools', 'ci', '.ci', 'docker', 'ops', 'hack', 'deploy', 'deployment'];
/**
 * A psql command's file argument on one line (also in a Bun Shell template: bunShellPsqlRuns.ts): `-f path`, `-fpath`, `-qf path` (after psql's flags that take no value),
 * `--file path`, `--file=path`, or `< path` (a backtick
 * ends it: a command substitution's, or a program's template string's). `-f -` is psql's standard input, no file: the
 * file is what the command reads there (`psql -f - < schema.sql`, `cat schema.sql | psql -f -`).
 */
export const PSQL_FILE = /\bpsql\b[^\n;|&]*?(?:\s-[aAbeEHlnqsStxXwWz01]*f\s*|\s--file[=\s]\s*|\s<\s*)(?!-(?:[\s;|&)]|$))((?:"[^"\n]*"|'[^'\n]*'|[^\s;|&)"'`])+)/g;
/**
 * A pgbench script argument (`pgbench -c 4 -f bench.sql -T 60`, `--file=bench.sql@10`, its weight left out): pgbench
 * runs the script on connections it opens itself, one per client, as psql does, and never through a pool.
 */
const PGBENCH_COMMAND = /\bpgbench\b[^\n;|&]*/g;
/** One script argument of a pgbench command (it takes several). */
const PGBENCH_FILE = /(?:\s-f\s*|\s--file[=\s]\s*)((?:"[^"\n]*"|'[^'\n]*'|[^\s;|&)"'`@])+)/g;
/** A README, in any case and with any extension (`README.md`, `readme.rst`, `README`, `README.Debian`). */
export const README = /^readme(?:\.[\w-]+)?$/i;
/**
 * Documentation pages, which may show the commands to run or tell the reader to run scripts by hand: Markdown,
 * reStructuredText, AsciiDoc and plain-text pages, a README with any extension, and INSTALL, USAGE or SETUP pages
 * without one (`setup.sh`, `install.sql`, `setup.ts` are scripts, not pages). The one list, for psqlRuns.ts,
 * psqlOnlyProjects.ts and docSnippets.ts.
 */
export const DOC_PAGE = new RegExp(`${README.source}|^(?:install|usage|setup)$|\\.(?:md|markdown|rst|adoc|txt)$`, 'i');
/** Folders, below a command folder's parent, that hold documentation. */
export const DOCUMENT_FOLDERS = ['docs', 'doc'];
/** A psql file argument that is the script's own argument: `$1`…`$9`, `${1}`, `$@`, `$*` (quoted or not). */
const POSITIONAL = /^["']?\$(?:[1-9@*]|\{[1-9@*]\})["']?$/;
/** A psql file argument held in a variable (`"$SQL_FILE"`, `${file}`, a Makefile recipe's `$$f`): its name. */
const VARIABLE_ARGUMENT = /^["']?\$\$?\{?([A-Za-z_]\w*)\}?["']?$/;
/** The line that starts a here-document fed to psql (`psql -v ON_ERROR_STOP=1 <<-EOSQL`): its closing word. */
const PSQL_HEREDOC_START = /\bpsql\b[^<\n]*(?:<[^<\n]+)*<<-?[ \t]*["']?(\w+)/;
/** psql's include meta-commands, `\i`, `\include`, `\ir`, `\include_relative`, each followed by the blanks before its file. */
export const PSQL_INCLUDE_COMMAND = String.raw`\\(?:i|include|ir|include_relative)[ \t]+`;
/** A psql include on a line of its input: `\i path`, `\include path`, `\ir path`, `\include_relative path`. */
const PSQL_INCLUDE = new RegExp(String.raw`^[ \t]*${PSQL_INCLUDE_COMMAND}(\S+)`);
/**
 * A `cat` that appends or writes files to another (`cat a.sql b.sql > all.sql`, `cat db/$f.sql >> $out`): its arguments
 * before the redirection, on one line (each piece matches one way: the arguments are split on blanks afterwards).
 */
const CAT_INTO = /(?:^|[\s;&|(])cat[ \t]([^\n;|&<>]*)>/g;
/**
 * A `cat` whose output is piped on the same line (`cat db/schema.sql | docker exec -i pg psql -U app`): its arguments,
 * and the command it is piped into (which must run psql).
 */
const CAT_PIPED = /(?:^|[\s;&(])cat[ \t]([^\n;|&<>]*)\|([^\n;|&]*)/g;
/**
 * A text filter of the file whose output is piped on the same line (`sed '/^-- migrate:down/,$d' db/x.sql | psql -1 -f -`,
 * `grep -v '^\\' seed.sql | docker exec -i db psql`): the filter, its arguments, and the command it is piped into (which
 * must run psql). psql runs what the filter keeps of the file, in its own session, as with `cat`. Matched on the text with
 * the quoted separators and redirections blanked (filterArguments reads the words), so a sed script's `|` ends nothing.
 */
const FILTER_PIPED = /(?:^|[\s;&(])(?:sed|grep)[ \t]([^\n;|&<>]*)\|([^\n;|&]*)/g;
/** A filter's option that takes the script or pattern as its value: `-e`, `-f`, in a cluster (`-ne`), or as the next word. */
const SCRIPT_OPTION = /^-[A-Za-z]*[ef]$/;
/** A filter's long option that gives the script or pattern (`--expression=…`, `--regexp …`, `--file=…`). */
const LONG_SCRIPT_OPTION = /^--(?:expression|regexp|file)(?:=|$)/;
/** psql as a word of a command. */
const PSQL_WORD = /\bpsql\b/;
/** A glob in a path (`sql/schema/*.sql`): the argument stands for the files it matches, not for one file. */
const GLOB = /[*?[]/;
/** Variables before a glob's first folder (`"$ROOT"/sql/*.sql`, `${DIR}/db/*.sql`): the folder the command runs in, unknown. */
const VARIABLE_PREFIX = /^(?:["']?(?:\$\{\w+\}|\$\w+)["']?\/)+/;
/** A stage of a pipeline that concatenates the file names it reads on its standard input (`xargs cat`, `xargs -0 cat`). */
const XARGS_CAT = /^\s*xargs(?:\s+-\S+)*\s+cat\s*$/;
/** A pipeline's first stage that lists files: `find [folder] … -name '*.sql'` (its folder), or `ls <paths>` (its flags are no `.sql` words). */
const FIND_STAGE = /^\s*find(?:\s+(?!-)["']?([^\s"']+)["']?)?\s/;
const LS_STAGE = /^\s*ls\s(.*)$/;
/** A `cd` to a folder, as a command of its own (`cd /vagrant/sql/schema`, `cd db && …`): its folder. */
const CD_COMMAND = /(?:^|[;&(])[ \t]*(?:cd|pushd)[ \t]+["']?([^\s"';&|)]+)["']?[ \t]*(?=$|[;&|)])/gm;
/**
 * Command files whose commands each run in a shell of their own, one per line (a Makefile's or Justfile's recipe lines, a
 * package.json script, a CI step's `run:`), where a `cd` leads nowhere past its line; scripts and documentation pages keep it.
 */
const LINE_SHELLS = /^(?:[Mm]akefile|GNUmakefile|[\w.-]+\.mk|Justfile|justfile|package\.json|[\w.-]+\.ya?ml|Dockerfile[\w.-]*|[\w.-]+\.[Dd]ockerfile)$/;
/** Vagrant's synced folder, `/vagrant` in the machine: the folder of the Vagrantfile. */
const VAGRANT_FOLDER = /^\/vagrant(?:\/|$)/;
/** The scripts a Vagrantfile provisions the machine with (`config.vm.provision "shell", path: "vagrant/start.sh"`). */
const VAGRANT_PROVISION = /\bprovision\b[^\n]*?\bpath:\s*["']([^"'\n]+)["']/g;
/**
 * A shell `for` loop: its variable and its list (`for f in db/init/*.sql db/seed.sql`, `for f in $(ls sql/*.sql)`,
 * `for f in $(find db -name '*.sql' | sort)`), up to the `;` or end of line before `do`; also a Makefile recipe's line
 * led by make's own prefixes (`@for f in …`: not echoed, `-`: errors ignored, `+`: run even with `make -n`).
 */
const FOR_LOOP = /(?:^|[\s;&(])[@+-]*for\s+([A-Za-z_]\w*)\s+in\s+([^;\n]*)/g;
/** A `find <folder>` in a loop's list (`$(find db -name '*.sql')`): its folder. */
const FIND_FOLDER = /\bfind[ \t]+["']?([^\s"'|;)]+)/g;
/** A `find` test that keeps SQL files (`-name '*.sql'`, `-iname "*.pgsql"`): the extension it keeps. */
const FIND_SQL_NAME = new RegExp(String.raw`-i?name[ \t]+["']?\*(${SQL_EXTENSION_SOURCE})\b`, 'g');
/** A quoted word on one line, whose `;`, `|` and `&` end no command (`psql "$URI" -c "SELECT 1;" -f schema.sql`). */
const QUOTED_WORD = /"[^"\n]*"|'[^'\n]*'/g;
/** Bounds: how far up command files are looked for, how many are read per folder, and their size. */
const FOLDER_LEVELS = 3;
const MAX_FILES_PER_FOLDER = 40;
const MAX_FILE_BYTES = 256 * 1024;

const runsByFolder = new TimedCache<PsqlRuns>(CACHE_MS);
const subfolderRunsByFolder = new TimedCache<PsqlRuns>(CACHE_MS);

/** The files a folder's command files (or its documentation pages) run with psql, named and by patterns. */
interface RunsNamed {
  files: string[];
  /**
   * Paths with variables and globs, each standing for the files it matches (matchesPattern): the `cat` arguments of
   * a build file, read only where the command files also run psql on a file, and the lists of loops that hand psql
   * their variable.
   */
  patterns: string[];
}

/** What a folder's command files and documentation run with psql. */
interface PsqlRuns {
  /** What its command files (scripts, Makefiles, CI files, package.json scripts, programs) run. */
  commands: RunsNamed;
  /** What only its documentation pages show being run (a README's `psql -f db/x.sql`). */
  pages: RunsNamed;
  /** The globs that pick which files of a folder are fed to psql's standard input (`cat bundle/0*.sql | psql`). */
  globs: string[];
  /** The psql file arguments of the shell scripts that are regression tests (isRegressionTestScript). */
  tested: string[];
  /**
   * The files and patterns psql runs on a connection the command file shows to be a transaction pooler's
   * (psqlConnections.ts): not in `files` or `patterns`, since such a run is no session of its own.
   */
  pooled: PooledRun[];
}

/** A file argument (a path, or a pattern when `pattern`) of a psql command through a transaction pooler. */
interface PooledRun { argument: string; pattern: boolean; singleTransaction: boolean }

/**
 * Whether a command file in the file's folder or up to FOLDER_LEVELS above (not above its repository's root: a notes
 * file in the folder that holds the checkout is none of the project's) runs it with psql (or pastes it into a file
 * psql runs) in a session of its own: not where one of them runs it through a transaction pooler (psqlPoolerRun).
 * `'page'` when only a documentation page shows the run (a README's quick start: a person may run it so, or may not),
 * `'command'` when a command file does; undefined when neither does.
 */
export function psqlRunOf(fileName: string): 'command' | 'page' | 'subfolder' | undefined {
  if (!isSqlFileName(fileName) || psqlPoolerRun(fileName) !== undefined) return undefined;
  const file = resolve(fileName);
  const folders = foldersUpToRoot(dirname(file), FOLDER_LEVELS);
  if (folders.some((folder) => runsFile(psqlRunsIn(folder).commands, file, folder)) || isRunByBunShellPsql(file)) return 'command';
  if (folders.some((folder) => runsFile(psqlRunsIn(folder).pages, file, folder))) return 'page';
  return folders.some((folder) => runsFile(subfolderPsqlRunsIn(folder).commands, file, folder)) ? 'subfolder' : undefined;
}

/**
 * Whether a command file or a documentation page runs the file with psql in a session of its own (psqlRunOf); a run
 * only a command folder's sub-folder shows is left to the file's own verdict (ownSession.ts).
 */
export function isRunByPsql(fileName: string): boolean {
  const run = psqlRunOf(fileName);
  return run === 'command' || run === 'page';
}

function runsFile(runs: RunsNamed, file: string, folder: string): boolean {
  return runs.files.some((path) => names(file, folder, path)) || runs.patterns.some((path) => matchesPattern(file, folder, path));
}

/**
 * How psql runs the file where a command file (as isRunByPsql looks for them) runs it on a connection that file shows to
 * be a transaction pooler's (`psql "$PG" -f db/schema.sql` with `PG` a Supavisor URL on port 6543): each autocommit
 * statement may then land on another server connection, so the script is no session of its own. `singleTransaction`
 * when every such run is `psql -1` (the whole file one transaction, on one server connection until it ends).
 * Undefined when no run of the file is seen to go through a transaction pooler.
 */
export function psqlPoolerRun(fileName: string): { singleTransaction: boolean } | undefined {
  if (!isSqlFileName(fileName)) return undefined;
  const file = resolve(fileName);
  const runs = foldersUpToRoot(dirname(file), FOLDER_LEVELS).flatMap((folder) => psqlRunsIn(folder).pooled
    .filter((run) => (run.pattern ? matchesPattern(file, folder, run.argument) : names(file, folder, run.argument))));
  return runs.length > 0 ? { singleTransaction: runs.every((run) => run.singleTransaction) } : undefined;
}

/**
 * Whether a shell script that is a regression test (its output recorded in an `expected/` folder beside it or above
 * it, pg_regress' layout) runs the file with psql: the file is part of that test, loaded on the test's own connection
 * to the database the test sets up, and what it creates lives there.
 */
export function isRunByRegressionTest(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), FOLDER_LEVELS).some((folder) => psqlRunsIn(folder).tested.some((path) => names(file, folder, path)));
}

/**
 * Whether a glob the scripts feed to psql picks files of the file's folder by name but not this one (`cat bundle/0*.sql
 * | psql` and `bundle/new.sql`): the command leaves it out on purpose, so the folder's other files, which psql runs, say
 * nothing of how it runs (scriptFolder.ts asks).
 */
export function isLeftOutByPsqlGlob(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), FOLDER_LEVELS).some((folder) => psqlRunsIn(folder).globs.some((glob) => {
    const path = glob.replace(/["']/g, '').replace(/^(?:\.{0,2}\/)+/, '');
    const slash = path.lastIndexOf('/');
    if (slash < 0 || GLOB.test(path.slice(0, slash)) || path.slice(0, slash).includes('$')) return false;
    const below = file.slice(folder.length + 1).split(sep).join('/');
    const inFolder = dirname(below) === path.slice(0, slash) || dirname(below).endsWith(`/${path.slice(0, slash)}`);
    return inFolder && !matchesPattern(file, folder, path);
  }));
}

/**
 * Whether a `cat` argument, read as a pattern (a variable or `*` stands for any part of a path, `db/$f.sql` for
 * `db/main/guc/settings.sql`), names the file: its whole path below the command file's folder, or its end after a `/`.
 * Only an argument with a literal folder before its first variable or glob counts (`db/$f.sql`, `sql/*.sql`, not
 * `$f.sql`, which could be any file of the tree), or one with none at all.
 */
function matchesPattern(file: string, folder: string, argument: string): boolean {
  const path = argument.replace(/["']/g, '').replace(/^(?:\.{0,2}\/)+/, '');
  if (!isSqlFileName(path)) return false;
  const first = path.search(PATH_PART_PATTERN);
  if (first >= 0 && !path.slice(0, first).includes('/')) return false;
  // A variable or `*` stands for any part of a path; a bracket expression (`[0-9]`), for one character of its set.
  const pattern = path.replace(PATH_PART_PATTERN, (part) => `\0${part}\0`).split('\0')
    .map((piece, index) => (index % 2 === 0 ? escapeRegExp(piece) : isBracketExpression(piece) ? bracketClass(piece) : '.*')).join('');
  const below = file.slice(folder.length + 1).split(sep).join('/');
  return new RegExp(`(?:^|\\/)${pattern}$`).test(below);
}

/**
 * What in a `cat` argument stands for a part of a path: a shell variable (`$f`, `${f}`, `$(cmd)`), `*`, or a glob's
 * bracket expression (`[0-9]`, `[!_]`: one character of a set), the one part that opens with `[`.
 */
const PATH_PART_PATTERN = /\$\{[^}]*\}|\$\(\S*?\)|\$\w+|\*|\[[^\][/]+\]/g;

/** Whether a part PATH_PART_PATTERN matched is a bracket expression. */
function isBracketExpression(part: string): boolean {
  return part.startsWith('[');
}

/** A glob's bracket expression as a regular expression's class (`[!a-z]` → `[^a-z]`), its other characters taken literally. */
function bracketClass(expression: string): string {
  const inside = expression.slice(1, -1);
  const negated = inside.startsWith('!') || inside.startsWith('^');
  const set = (negated ? inside.slice(1) : inside).replace(/[\\\]^]/g, '\\$&');
  return `[${negated ? '^' : ''}${set}]`;
}

/**
 * Whether a psql file argument names the file. The command's working folder is unknown (a script may `cd`,
 * or prefix the path with a variable: `"${root}"/.ci/x.sql`), so the argument's literal tail — after the last
 * variable or quote — must be the end of the file's path below the folder the command file is in.
 */
function names(file: string, folder: string, argument: string): boolean {
  // A closing quote ends the argument (`"$SQLDIR/fixture.sql"`): the tail is what stands before it.
  const tail = argument.replace(/["']$/, '').replace(/^.*(?:\$\{[^}]*\}|\$\(\S*\)|\$\w+|["'])/, '').replace(/^(?:\.{0,2}\/)+/, '');
  if (!isSqlFileName(tail)) return false;
  const below = file.slice(folder.length + 1).split(sep).join('/');
  return below === tail || below.endsWith(`/${tail}`);
}

/** The psql file arguments in the command files of `folder` (and its COMMAND_FOLDERS), read once per CACHE_MS. */
function psqlRunsIn(folder: string): PsqlRuns {
  return runsByFolder.get(folder, () => readPsqlRuns(folder, false));
}

/** The same, the command files of the folders right below the COMMAND_FOLDERS (commandSubfolders) read too. */
function subfolderPsqlRunsIn(folder: string): PsqlRuns {
  return subfolderRunsByFolder.get(folder, () => readPsqlRuns(folder, true));
}

function readPsqlRuns(folder: string, withSubfolders: boolean): PsqlRuns {
  const paths: string[] = [];
  const concatenated: string[] = [];
  const looped: string[] = [];
  const globbed: string[] = [];
  const globs: string[] = [];
  // What documentation pages show, kept apart: a page's run is what a person may do, not what the project does.
  const pagePaths: string[] = [];
  const pagePatterns: string[] = [];
  const tested: string[] = [];
  const pooled: PooledRun[] = [];
  const runners = new Set<string>();
  // Each Makefile's psql file arguments as written (`$(BUILD)`): a file its recipes build with `cat` may be one of them.
  const makefileRuns = new Map<string, string[]>();
  const folders = [folder, ...COMMAND_FOLDERS.map((below) => join(folder, below))];
  const commandFiles = [...folders, ...(withSubfolders ? commandSubfolders(folders.slice(1)) : [])].flatMap(commandFilesIn);
  // A Vagrantfile's provisioning scripts run in the machine whose `/vagrant` is this folder.
  const vagrant = commandFiles.includes(join(folder, 'Vagrantfile'));
  if (vagrant) commandFiles.push(...provisioningScripts(folder));
  const shellScripts = new Set(commandFiles.filter(isShellScript));
  const programs = COMMAND_FOLDERS.flatMap((below) => filesNamed(join(folder, below), SCRIPT_PROGRAM));
  const documents = [...folders, ...DOCUMENT_FOLDERS.map((below) => join(folder, below))].flatMap(pagesIn);
  const texts = new Map<string, string>();
  for (const path of [...commandFiles, ...programs, ...documents]) {
    const text = boundedText(path, MAX_FILE_BYTES); // unreadable: it runs nothing
    if (text === undefined) continue;
    // A Windows script is read as its shell twin (`.\db\seed.sql` is `./db/seed.sql`, `%DIR%` is `${dir}`: windowsScripts.ts);
    // a Makefile's `$(PSQL) -f x.sql` (`PSQL = psql -q`) is psql's.
    if (WINDOWS_SCRIPT.test(path)) texts.set(path, windowsScriptAsShell(path, text));
    else {
      // A command file's comments run nothing (`# psql -f old.sql`); comments go first: a backslash ending one continues nothing.
      const joined = withContinuationsJoined(commandFiles.includes(path) ? withCommandCommentsBlanked(basename(path), text) : text);
      texts.set(path, withBasenamesWritten(MAKEFILE.test(basename(path)) ? withPsqlVariablesWritten(joined) : joined));
    }
  }
  // What a command file's echoes print runs nothing either (`echo "then: psql -f x.sql"`); psqlConnections.ts alone
  // reads the texts as written, where a function's or target's echo prints the connection a command substitution uses.
  const printedBlanked = (path: string, text: string): string => (commandFiles.includes(path) ? withEchoesBlanked(text) : text);
  const live = new Map([...texts].map(([path, text]) => [path, printedBlanked(path, text)]));
  for (const path of commandFiles) {
    const text = live.get(path);
    if (text === undefined || !text.includes('cat')) continue;
    for (const match of text.matchAll(CAT_INTO)) concatenated.push(...sqlWords(match[1]));
  }
  const pageSet = new Set(documents);
  for (const [path, text] of live) if (text.includes('pgbench')) (pageSet.has(path) ? pagePaths : paths).push(...pgbenchScripts(text));
  const wrappers = psqlWrappers([...live].filter(([path]) => shellScripts.has(path)).map(([, text]) => text));
  for (const [path, written] of texts) {
    // The text as written (wrappers as psql) for the connection, and with echoes blanked (same length) for the runs.
    const shown = wrappers.length > 0 && shellScripts.has(path) ? withWrappersWritten(written, wrappers) : written;
    const text = printedBlanked(path, shown);
    if (!text.includes('psql')) continue;
    // The command separators inside quotes become blanks (same length), so a quoted `-c` command does not end the psql command.
    const unquoted = text.replace(QUOTED_WORD, (word) => word.replace(/[;|&]/g, ' '));
    // A Windows script's assignments are read as a shell script's: its text is written as one.
    const commandFile: CommandFileText = {
      text: shown, makefile: MAKEFILE.test(basename(path)), shell: shellScripts.has(path) || WINDOWS_SCRIPT.test(path),
      setElsewhere: (name) => repositorySetsVariable(path, name),
    };
    // Each file argument with where its psql command starts (the `psql` word).
    const piped = [...text.matchAll(CAT_PIPED)].filter((match) => PSQL_WORD.test(match[2]))
      .flatMap((match) => match[1].split(/\s+/).map((argument) => ({ argument, start: match.index! + match[0].length - match[2].length + match[2].search(PSQL_WORD) })));
    piped.push(...filteredIntoPsql(text), ...includesPrintedIntoPsql(shown, text), ...includesCommandedToPsql(unquoted));
    const loops = loopLists(text, vagrant, LINE_SHELLS.test(basename(path)));
    const named: string[] = [];
    const page = pageSet.has(path);
    const ownLooped = page ? pagePatterns : looped;
    const ownGlobbed: string[] = [];
    for (const { argument, start } of [...[...unquoted.matchAll(PSQL_FILE)].map((match) => ({ argument: match[1], start: match.index! })), ...piped]) {
      const variable = VARIABLE_ARGUMENT.exec(argument)?.[1];
      const list = loops.get(variable ?? BASENAME_ARGUMENT.exec(argument)?.[1] ?? '');
      const connection = psqlConnection(commandFile, start, psqlCommandEnd(text, unquoted, start));
      // A run through a transaction pooler goes to `pooled`, the others where they did before.
      const record = (found: readonly string[], pattern: boolean, kept: string[]): void => {
        if (connection.transactionPooler) pooled.push(...found.map((each) => ({ argument: each, pattern, singleTransaction: connection.singleTransaction })));
        else kept.push(...found);
      };
      if (runsItsArgument(argument, text)) runners.add(basename(path));
      else if (list !== undefined) record(list, true, ownLooped);
      else if (GLOB.test(argument)) record([argument.replace(VARIABLE_PREFIX, '')], true, ownGlobbed);
      else record([...(variable !== undefined ? assignedSqlPaths(text, variable) : []), argument], false, named);
    }
    if (MAKEFILE.test(basename(path))) makefileRuns.set(path, named.map(withMakeReferenceClosed));
    named.push(...heredocIncludes(text));
    (page ? pagePaths : paths).push(...named);
    if (isRegressionTestScript(path)) tested.push(...named);
    ownGlobbed.push(...listedIntoPsql(text, vagrant, LINE_SHELLS.test(basename(path))));
    (page ? pagePatterns : globbed).push(...ownGlobbed);
    globs.push(...ownGlobbed);
  }
  if (runners.size > 0) for (const [path, text] of live) (pageSet.has(path) ? pagePaths : paths).push(...runnerArguments(text, runners));
  paths.push(...psqlFunctionFiles([...live].filter(([path]) => shellScripts.has(path)).map(([, text]) => text)));
  const built = commandFiles.filter((path) => MAKEFILE.test(basename(path))).flatMap((path) => psqlBuiltFileSources(folder, path, live.get(path), makefileRuns.get(path) ?? []));
  // A build file's sources count where these command files or pages run psql on some file: the build output, presumably;
  // run as that output is, by a command file, or only by a page (then a migrator the project names may be what applies them).
  const commandsRunFiles = paths.length > 0 || looped.length > 0 || globbed.length > 0 || pooled.length > 0;
  const pagesRunFiles = pagePaths.length > 0 || pagePatterns.length > 0;
  return {
    commands: { files: paths, patterns: [...looped, ...globbed, ...built, ...(commandsRunFiles ? concatenated : [])] },
    pages: { files: pagePaths, patterns: [...pagePatterns, ...(!commandsRunFiles && pagesRunFiles ? concatenated : [])] },
    globs, tested, pooled,
  };
}

/** A psql file argument that ends in a Make variable's reference cut at its `)` (PSQL_FILE ends there: `< $(BUILD`), closed again. */
function withMakeReferenceClosed(argument: string): string {
  return argument.replace(/\$\(([A-Za-z_][\w.-]*)$/, '$$($1)');
}

/**
 * The SQL files a Makefile's recipes paste with `cat` into a file psql runs (makefiles.ts' sourcesOfPsqlBuiltFiles: one
 * the Makefile feeds psql, `psql $(DB) < $(BUILD)`, or one a Dockerfile copies into the postgres image's init folder),
 * as patterns below `folder` (a recipe runs in its Makefile's folder).
 */
function psqlBuiltFileSources(folder: string, makefilePath: string, text: string | undefined, psqlArguments: readonly string[]): string[] {
  if (text === undefined) return [];
  const makefileFolder = dirname(makefilePath);
  const below = relative(folder, makefileFolder).split(sep).join('/');
  return sourcesOfPsqlBuiltFiles(text, psqlArguments, (built) => isDockerInitScript(join(makefileFolder, built)))
    .map((source) => joinFolder(below, source));
}

/**
 * The files a `sed` or `grep` filter pipes into psql on the same line (FILTER_PIPED: `sed '/^-- migrate:down/,$d'
 * db/migrations/0001_init.sql | psql_owner -1 -f -`, a psql wrapper function already written as psql), each with where
 * its psql command starts. The filter's script or pattern is no file: the value of `-e`/`-f`/`--expression=`, or, when
 * none is given, its first word that is no option.
 */
function filteredIntoPsql(text: string): Array<{ argument: string; start: number }> {
  if (!text.includes('sed') && !text.includes('grep')) return [];
  const separatorsBlanked = text.replace(QUOTED_WORD, (word) => word.replace(/[;|&<>]/g, ' '));
  return [...separatorsBlanked.matchAll(FILTER_PIPED)].filter((match) => PSQL_WORD.test(match[2])).flatMap((match) => {
    const argumentsStart = match.index! + match[0].length - match[2].length - 1 - match[1].length;
    const start = match.index! + match[0].length - match[2].length + match[2].search(PSQL_WORD);
    return filterArguments(text.slice(argumentsStart, argumentsStart + match[1].length)).map((argument) => ({ argument, start }));
  });
}

/** A `sed` or `grep` command's input files: its words that are neither options nor the script or pattern. */
function filterArguments(words: string): string[] {
  const all = words.match(SHELL_WORD) ?? [];
  const scriptGiven = all.some((word) => SCRIPT_OPTION.test(word) || LONG_SCRIPT_OPTION.test(word));
  const files: string[] = [];
  let scriptSeen = scriptGiven;
  for (let i = 0; i < all.length; i++) {
    const word = all[i];
    if (word.startsWith('-') && word !== '-') {
      // `-e script`, `--expression script`: the next word is the script, not a file (`--expression=…` holds its own).
      if (SCRIPT_OPTION.test(word) || (LONG_SCRIPT_OPTION.test(word) && !word.includes('='))) i++;
      continue;
    }
    if (!scriptSeen) scriptSeen = true;
    else files.push(word);
  }
  return files;
}

/** A package.json: JSON, which has no comments (its scripts' `#` is the shell's, inside a JSON string). */
const PACKAGE_JSON = 'package.json';
/** A Jenkinsfile: Groovy, with `//` line comments and `/*` block comments; its `sh` steps' scripts have the shell's `#` ones. */
const JENKINSFILE = 'Jenkinsfile';

/**
 * A command file's text (not a Windows script's: windowsScripts.ts reads those) with its comments blanked (same
 * length, line ends kept), by its kind: a commented-out command runs nothing (`# psql -f old.sql`, a Jenkinsfile's
 * `// sh 'psql -f old.sql'`). Shell scripts, Makefiles, CI and compose files, Dockerfiles and Ruby build files open
 * theirs with `#`; a package.json has none.
 */
export function withCommandCommentsBlanked(name: string, text: string): string {
  if (name === PACKAGE_JSON) return text;
  return withCommentsBlanked(name === JENKINSFILE ? withGroovyCommentsBlanked(text) : text);
}

/**
 * A command file's commands without its comments (nor, in a Windows script, what its echoes print): a Windows script as
 * the shell script it stands for (windowsScripts.ts), any other by its kind (withCommandCommentsBlanked). For readers
 * that ask what a command file names (psqlOnlyProjects.ts: whether it names psql).
 */
export function commandsWithoutComments(path: string, text: string): string {
  return WINDOWS_SCRIPT.test(path) ? windowsScriptAsShell(path, text) : withCommandCommentsBlanked(basename(path), text);
}

/**
 * Groovy text with its `//` line comments and `/*` block comments blanked (line ends kept). Quoted strings are read over, a
 * triple-quoted one across lines (`sh \'\'\'` … `\'\'\'`, whose `postgres://…` is no comment). A `/*` never closed is left as it is.
 */
export function withGroovyCommentsBlanked(text: string): string {
  if (!text.includes('//') && !text.includes('/*')) return text;
  const comments: TextRange[] = [];
  for (let i = 0; i < text.length;) {
    const char = text[i];
    if (char === "'" || char === '"') {
      i = groovyStringEnd(text, i);
      continue;
    }
    const comment = text.startsWith('//', i) ? lineEnd(text, i) : text.startsWith('/*', i) ? closedBlockEnd(text, i) : -1;
    if (comment < 0) {
      i++;
      continue;
    }
    comments.push([i, comment]);
    i = comment;
  }
  return blankedRanges(text, comments);
}

/** The index after a Groovy string opening at `open`: a triple-quoted one at its closing triple, another at its line's closing quote (escapes read over). */
function groovyStringEnd(text: string, open: number): number {
  const quote = text[open];
  if (text.startsWith(quote.repeat(3), open)) {
    const close = text.indexOf(quote.repeat(3), open + 3);
    return close < 0 ? text.length : close + 3;
  }
  for (let i = open + 1; i < text.length && text[i] !== '\n'; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return lineEnd(text, open);
}

/** The index of the line end at or after `at` (the text's length on its last line). */
function lineEnd(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end;
}

/** The index after the star-slash that closes the block comment opening at `open`; -1 when none does. */
function closedBlockEnd(text: string, open: number): number {
  const close = text.indexOf('*/', open + 2);
  return close < 0 ? -1 : close + 2;
}

/** A backslash that ends a line: the shell command goes on on the next line (`psql "$URL" --single-transaction \` then `-f "$f"`). */
const LINE_CONTINUATION = /\\\r?\n[ \t]*/g;

/** The text with each continued command on one line, as the shell (and a Makefile recipe's shell) reads it. */
function withContinuationsJoined(text: string): string {
  return text.includes('\\\n') || text.includes('\\\r\n') ? text.replace(LINE_CONTINUATION, ' ') : text;
}

/**
 * The file name of a path in a variable, by command substitution: `$(basename "$f")`, `` `basename $f` ``, each `$` also
 * as a Makefile recipe writes it for the shell, `$$` (the text keeps make's escapes: psqlConnections.ts reads them).
 * Groups: the substitution's own dollar, then its variable (or the backtick form's variable).
 */
const BASENAME_SUBSTITUTION = /(\$\$?)\(\s*basename\s+["']?\$\$?\{?([A-Za-z_]\w*)\}?["']?\s*\)|`\s*basename\s+["']?\$\$?\{?([A-Za-z_]\w*)\}?["']?\s*`/g;
/**
 * A psql file argument ending in the file name of a loop's file (`/migrations/` and the shell's expansion `${f##*` `/}`,
 * `$$` in a Makefile: a folder the loop's files are also found in, a container's mount or a copy of theirs): the loop
 * variable's name.
 */
const BASENAME_ARGUMENT = /\$\$?\{([A-Za-z_]\w*)##\*\/\}["']?$/;

/**
 * The text with each `$(basename "$f")` written as the shell's own expansion of it (`${f##*` `/}`, split here only to
 * keep this comment open), with the same dollar: one word with no blank, so that a psql file argument holding it is
 * read whole.
 */
function withBasenamesWritten(text: string): string {
  if (!text.includes('basename')) return text;
  return text.replace(BASENAME_SUBSTITUTION, (_substitution: string, dollar?: string, variable?: string, backtick?: string) => `${dollar ?? '$'}{${variable ?? backtick}##*/}`);
}

/** A shell function's opening: `name() {`, `function name {`, `function name() {` (the brace may open the next line). */
const SHELL_FUNCTION = /^[ \t]*(?:function[ \t]+([A-Za-z_][\w-]*)(?:[ \t]*\(\s*\))?|([A-Za-z_][\w-]*)[ \t]*\(\s*\))\s*\{/gm;
/** All of a function's arguments, passed on: `"$@"`, `"${@}"`, `$*`. */
const ALL_ARGUMENTS = /\$(?:[@*]|\{[@*]\})/;
/** Bound on a shell function's body read for its psql command. */
const MAX_FUNCTION_BYTES = 4096;

/**
 * The shell functions of the scripts that run psql with all their arguments (`send_query() { psql -U "$U" -d app
 * "${@}"; }`): a call of one (`send_query -qf data.sql`) is that psql command. The body is read up to its closing brace
 * at the start of a line, or on the opening line (a one-line function).
 */
function psqlWrappers(scripts: readonly string[]): string[] {
  const wrappers = new Set<string>();
  for (const script of scripts) {
    if (!script.includes('psql')) continue;
    for (const { name, body } of shellFunctions(script)) {
      const runsAll = body.split('\n').some((line) => PSQL_WORD.test(line) && ALL_ARGUMENTS.test(line));
      if (runsAll && name !== 'psql') wrappers.add(name);
    }
  }
  return [...wrappers];
}

/** A shell function a script defines: its name, its body, and where the body starts and ends in the script. */
interface ShellFunction {
  name: string;
  body: string;
  start: number;
  end: number;
}

/** The functions a shell script defines, each body read up to its closing brace at the start of a line, or on the opening line. */
function shellFunctions(script: string): ShellFunction[] {
  return [...script.matchAll(SHELL_FUNCTION)].map((match) => {
    const start = match.index! + match[0].length;
    const rest = script.slice(start, start + MAX_FUNCTION_BYTES);
    const firstLine = rest.split('\n', 1)[0];
    const end = /;\s*\}[ \t]*$/.test(firstLine) ? firstLine.length : (/^\}/m.exec(rest)?.index ?? rest.length);
    return { name: match[1] ?? match[2], body: rest.slice(0, end), start, end: start + end };
  });
}

/** A function's positional parameter as a psql file argument (`"$2"`, `${2}`), or as a variable's value (`file=$2`): its number. */
const PARAMETER_NUMBER = String.raw`["']?\$(?:([1-9])|\{([1-9])\})["']?`;
/** A shell word on one line: quoted parts and other characters up to a blank (`"Pre - insert"`, `${root}/db/a.sql`). */
const SHELL_WORD = /(?:"[^"\n]*"|'[^'\n]*'|[^\s"';|&<>])+/g;

/**
 * The files the scripts hand psql through a shell function that runs `psql … -f` on one of its own arguments, directly
 * (`load_file() { psql -d "$1" -f "$2"; }`) or through a variable its body sets from it (`file_path=$2`, `local f="${2}"`):
 * the argument at that position in each call of the function in the scripts (`load_file "$DB" "$ROOT"/db/seed.sql "Seed"`).
 * The scripts are those of the folders read, where a script that sources another (`. utils.sh`) usually finds it.
 */
function psqlFunctionFiles(scripts: readonly string[]): string[] {
  const positions = new Map<string, number>();
  for (const script of scripts) {
    if (!script.includes('psql')) continue;
    for (const { name, body } of shellFunctions(script)) {
      const unquoted = body.replace(QUOTED_WORD, (word) => word.replace(/[;|&]/g, ' '));
      for (const match of PSQL_WORD.test(body) ? unquoted.matchAll(PSQL_FILE) : []) {
        const position = parameterPosition(match[1], body);
        if (position !== undefined && name !== 'psql') positions.set(name, position);
      }
    }
  }
  if (positions.size === 0) return [];
  const call = new RegExp(`(?:^|[\\s;&|(\`])(${[...positions.keys()].map(escapeRegExp).join('|')})[ \\t]+([^\\n;|&]*)`, 'gm');
  return scripts.flatMap((script) => [...script.matchAll(call)].map((match) => match[2].match(SHELL_WORD)?.[positions.get(match[1])! - 1] ?? ''))
    .filter((word) => isSqlFileName(word.replace(/["']/g, '')));
}

/** The positional parameter a function's psql file argument is: itself (`"$2"`), or a variable the body sets from one (`file_path=$2`). */
function parameterPosition(argument: string, body: string): number | undefined {
  const direct = new RegExp(`^${PARAMETER_NUMBER}$`).exec(argument);
  if (direct) return Number(direct[1] ?? direct[2]);
  const variable = VARIABLE_ARGUMENT.exec(argument)?.[1];
  const parameter = new RegExp(`^${PARAMETER_NUMBER}$`);
  const assigned = variable === undefined ? undefined : shellAssignments(body, variable).map((value) => parameter.exec(value)).find((found) => found !== null);
  return assigned ? Number(assigned[1] ?? assigned[2]) : undefined;
}

/** The script with each call of a psql wrapper written as psql (`send_query -qf x.sql` → `psql -qf x.sql`). */
function withWrappersWritten(script: string, wrappers: readonly string[]): string {
  const call = new RegExp(`(^|[\\s;&|(\`])(?:${wrappers.map(escapeRegExp).join('|')})(?=[ \\t])`, 'gm');
  return script.replace(call, '$1psql');
}

/** The SQL file paths a script assigns to a variable (`SEED=${DATA_DIR}/seed.sql`, `local f="db/x.pgsql"`), as written. */
function assignedSqlPaths(script: string, variable: string): string[] {
  return shellAssignments(script, variable).map(withoutQuotes).filter(isSqlFileName);
}

/**
 * Whether a shell script is a regression test: its output is recorded as `expected/<name>.out` (or pg_regress'
 * alternative `<name>_<n>.out`) in its own folder or the folder above (`test/script/report.sh` beside
 * `test/expected/report.out`), which a runner compares with what it prints.
 */
function isRegressionTestScript(path: string): boolean {
  if (!isShellScript(path)) return false;
  const name = basename(path).replace(SHELL_SCRIPT_NAME, '');
  const recorded = (out: string): boolean => out === `${name}.out` || (out.startsWith(`${name}_`) && /^_\d+\.out$/.test(out.slice(name.length)));
  return [dirname(path), dirname(dirname(path))].some((folder) => folderEntries(join(folder, 'expected')).some((entry) => recorded(entry.name)));
}

/** The scripts a Vagrantfile in the folder provisions the machine with (shell scripts, by their path from the folder). */
function provisioningScripts(folder: string): string[] {
  const text = boundedText(join(folder, 'Vagrantfile'), MAX_FILE_BYTES);
  if (text === undefined || !text.includes('provision')) return [];
  return [...text.matchAll(VAGRANT_PROVISION)].map((match) => match[1])
    .filter((path) => !path.includes('..') && !path.startsWith('/') && isCommandFile(join(folder, path)))
    .slice(0, MAX_FILES_PER_FOLDER).map((path) => join(folder, path));
}

/**
 * The `.sql` files a pipeline lists and concatenates into psql's standard input, as patterns: `find sql -name '*.sql'
 * | sort | xargs cat | psql` (`sql/*.sql`, the folder searched whole), `ls db/*.sql | xargs cat | psql` (its paths).
 * find's folder is taken from where the script last changed folder to (`cd sql/schema` then `find -name '*.sql'`, or
 * `cd /vagrant/sql/schema` in a Vagrant project, whose `/vagrant` is the Vagrantfile's folder); where that is unknown
 * (no `cd`, a `cd` to a variable or another absolute path) a search of the current folder names no file.
 */
function listedIntoPsql(script: string, vagrant: boolean, shellPerLine: boolean): string[] {
  if (!script.includes('xargs')) return [];
  const listed: string[] = [];
  let lineStart = 0;
  for (const line of script.split('\n')) {
    const at = lineStart;
    lineStart += line.length + 1;
    if (!line.includes('xargs') || !PSQL_WORD.test(line)) continue;
    const stages = line.replace(QUOTED_WORD, (word) => word.replace(/[|]/g, ' ')).split(/(?<!\|)\|(?!\|)/);
    const concatenates = stages.findIndex((stage) => XARGS_CAT.test(stage));
    if (concatenates < 1 || !stages.slice(concatenates + 1).some((stage) => PSQL_WORD.test(stage))) continue;
    // The folder the listing stage runs in: a `cd` before it on its line counts too.
    const cwd = folderBefore(script, at + stages[0].length, vagrant, shellPerLine);
    const first = stages[0].replace(/^.*(?:&&|;)/, '');
    const find = FIND_STAGE.exec(`${first} `);
    const kept = foundExtensions(first);
    if (find !== null && kept.length > 0) {
      const searched = find[1] === undefined || find[1] === '.' ? cwd : /^[$/~]/.test(find[1]) ? undefined : joinFolder(cwd, find[1]);
      if (searched !== undefined && searched !== '') listed.push(...kept.map((extension) => `${searched}/*${extension}`));
      continue;
    }
    const ls = LS_STAGE.exec(first);
    if (ls !== null) listed.push(...sqlWords(ls[1]).filter((word) => !/^["']?[$/~]/.test(word)).map((word) => joinFolder(cwd, word.replace(/["']/g, ''))));
  }
  return listed;
}

/** A `cd` target that is a variable alone (`cd $SQL_DIR`, `cd "${dir}/"`): its name. */
const VARIABLE_TARGET = /^["']?\$\{?([A-Za-z_]\w*)\}?["']?\/?$/;

/**
 * The folder a `cd` leads to from `cwd` (undefined: unknown), as a path below the command file's folder ('' for it). A
 * variable the script sets once to a folder with a literal end (`dir=@datadir@/app/upgrades/`, then `cd $dir`) leads to
 * that end, matched by its tail as psql's file arguments are (variableFolderEnd).
 */
function changedFolder(cwd: string | undefined, target: string, vagrant: boolean, folderEnd: (variable: string) => string | undefined): string | undefined {
  if (VAGRANT_FOLDER.test(target)) return vagrant ? target.replace(VAGRANT_FOLDER, '').replace(/\/$/, '') : undefined;
  const variable = VARIABLE_TARGET.exec(target)?.[1];
  if (variable !== undefined) return folderEnd(variable);
  if (/^[$/~`-]/.test(target) || /\$|(?:^|\/)\.\.(?:\/|$)/.test(target)) return undefined;
  return joinFolder(cwd, target.replace(/\/$/, ''));
}

/** A relative path from a folder (itself relative, or unknown: the path alone, matched by its tail as psql's files are). */
function joinFolder(cwd: string | undefined, path: string): string {
  const relative = path.replace(/^(?:\.\/)+/, '');
  return cwd === undefined || cwd === '' ? relative : `${cwd}/${relative}`;
}

/** The script arguments of the pgbench commands in a text. */
function pgbenchScripts(text: string): string[] {
  return [...text.matchAll(PGBENCH_COMMAND)].flatMap(([command]) => [...command.matchAll(PGBENCH_FILE)].map((match) => match[1]));
}

/** The words of a command's arguments that name SQL files (quoted or not). */
function sqlWords(argumentsText: string): string[] {
  return argumentsText.split(/\s+/).filter((word) => isSqlFileName(word.replace(/["']$/, '')));
}

/** The SQL file extensions a `find` command's name tests keep (`-name '*.sql' -o -name '*.pgsql'`), each once. */
function foundExtensions(command: string): string[] {
  return [...new Set([...command.matchAll(FIND_SQL_NAME)].map((match) => match[1]))];
}

/**
 * The `.sql` patterns of a script's `for` loops, by loop variable: the list's words naming `.sql` files (`db/*.sql`,
 * inside `$(ls …)` too), and `<folder>/*.sql` for a `find <folder> -name '*.sql'` in it. A glob with no folder of its
 * own (`for f in $(ls *.sql)`) lists the folder the script last `cd`s to before the loop, when that is known
 * (folderBefore); otherwise it could be any folder's files and names none (matchesPattern).
 */
function loopLists(script: string, vagrant: boolean, shellPerLine: boolean): Map<string, string[]> {
  const lists = new Map<string, Set<string>>();
  if (!script.includes('for')) return new Map();
  for (const match of script.matchAll(FOR_LOOP)) {
    const [, variable, list] = match;
    const inCwd = (word: string): string => {
      if (!GLOB.test(word) || word.includes('/')) return word;
      const cwd = folderBefore(script, match.index!, vagrant, shellPerLine);
      return cwd === undefined || cwd === '' ? word : `${cwd}/${word.replace(/["']/g, '')}`;
    };
    const words = sqlWords(list.replace(/[`()]/g, ' ')).map((word) => inCwd(withFolderVariableWritten(word, script)));
    for (const extension of foundExtensions(list)) {
      for (const [, found] of list.matchAll(FIND_FOLDER)) words.push(`${found.replace(/\/$/, '')}/*${extension}`);
    }
    // Each pattern once: a script looping over the same glob again and again hands every psql of the variable one list.
    const listed = lists.get(variable) ?? new Set<string>();
    for (const word of words) listed.add(word);
    lists.set(variable, listed);
  }
  return new Map([...lists].map(([variable, words]) => [variable, [...words]]));
}

/**
 * The folder the script last `cd`s to before `at` (changedFolder; on the same line only where each line runs in a shell
 * of its own, LINE_SHELLS), as a path below the command file's folder; undefined when unknown or never changed. A `cd`
 * in a subshell (`( cd db && ls *.sql )`, `$( cd db && pwd )`) closed before `at` changed another shell's folder; one in
 * a shell function's body counts for that body alone: elsewhere it runs only when the function is called, and a call
 * before `at` leaves the folder unknown. The script is read once (folderChanges); each question is a binary search.
 */
function folderBefore(script: string, at: number, vagrant: boolean, shellPerLine: boolean): string | undefined {
  const changes = folderChanges(script, vagrant, shellPerLine);
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (changes[middle].from <= at) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? undefined : changes[low - 1].cwd;
}

/** From `from` on (until the next change), the shell that runs the script's commands there is in folder `cwd`. */
interface FolderChange {
  from: number;
  cwd: string | undefined;
}

/** A shell the script's commands run in: the script's own, a subshell's copy, or a shell function's body (`name`). */
interface ShellFrame {
  kind: 'script' | 'subshell' | 'function';
  name?: string;
  cwd: string | undefined;
}

/** What changes the folder or the shell at a point of a script, in effect from `from` on; `order` breaks ties by position. */
type ShellStep = { from: number; order: number } & (
  | { kind: 'cd'; target: string }
  | { kind: 'open' | 'close' | 'line' }
  | { kind: 'enter' | 'leave' | 'call'; name: string }
);

/** A command word (`go_steps`, `cd`), for finding a shell function's calls. */
const COMMAND_WORD = /(?:^|[\s;&|(`{])([A-Za-z_][\w-]*)(?=$|[\s;&|)`}])/gm;

/** The steps of a script that folderChanges reads: its cds, subshells, function bodies and their calls, and (shellPerLine) its lines. */
function shellSteps(script: string, shellPerLine: boolean): ShellStep[] {
  const steps: ShellStep[] = [];
  for (const match of script.matchAll(CD_COMMAND)) steps.push({ kind: 'cd', target: match[1], from: match.index! + match[0].length, order: match.index! });
  for (const { at, opens } of subshellParentheses(script)) steps.push({ kind: opens ? 'open' : 'close', from: at + 1, order: at });
  const functions = shellFunctions(script);
  for (const { name, start, end } of functions) {
    steps.push({ kind: 'enter', name, from: start, order: start - 1 }, { kind: 'leave', name, from: end, order: end });
  }
  const names = new Set(functions.map((f) => f.name));
  if (names.size > 0) {
    for (const match of script.matchAll(COMMAND_WORD)) {
      if (names.has(match[1])) steps.push({ kind: 'call', name: match[1], from: match.index! + match[0].length, order: match.index! });
    }
  }
  if (shellPerLine) {
    for (let at = script.indexOf('\n'); at >= 0; at = script.indexOf('\n', at + 1)) steps.push({ kind: 'line', from: at + 1, order: at });
  }
  return steps.sort((a, b) => a.from - b.from || a.order - b.order);
}

/**
 * The folder the script's shell is in, from each point where it may change on (folderBefore): one pass over its
 * shellSteps, with a frame per shell — a subshell starts in a copy of its parent's folder and is dropped at its `)`, a
 * function's body runs in a copy of the folder where it is defined, and a call of a function that changed folder (by a
 * `cd` or a call of its own) makes the caller's folder unknown. Kept for the last script asked about: each of its loops
 * and pipelines asks.
 */
function folderChanges(script: string, vagrant: boolean, shellPerLine: boolean): readonly FolderChange[] {
  if (lastFolderChanges.script === script && lastFolderChanges.vagrant === vagrant && lastFolderChanges.shellPerLine === shellPerLine) return lastFolderChanges.changes;
  const folderEnds = new Map<string, string | undefined>();
  const folderEnd = (variable: string): string | undefined => {
    if (!folderEnds.has(variable)) folderEnds.set(variable, variableFolderEnd(variable, script));
    return folderEnds.get(variable);
  };
  const changing = new Set<string>();
  const definedChanging = new Set<string>();
  const frames: ShellFrame[] = [{ kind: 'script', cwd: undefined }];
  const changes: FolderChange[] = [];
  for (const step of shellSteps(script, shellPerLine)) {
    const top = frames[frames.length - 1];
    if (step.kind === 'cd' || (step.kind === 'call' && definedChanging.has(step.name))) {
      top.cwd = step.kind === 'cd' ? changedFolder(top.cwd, step.target, vagrant, folderEnd) : undefined;
      if (top.kind === 'function') changing.add(top.name!);
    } else if (step.kind === 'open') frames.push({ kind: 'subshell', cwd: top.cwd });
    else if (step.kind === 'close' && top.kind === 'subshell') frames.pop();
    else if (step.kind === 'enter') frames.push({ kind: 'function', name: step.name, cwd: top.cwd });
    else if (step.kind === 'leave') {
      // The body's own frame and any subshell left open in it end here (searched from the top: each frame is dropped once).
      let own = frames.length - 1;
      while (own > 0 && !(frames[own].kind === 'function' && frames[own].name === step.name)) own--;
      if (own > 0) frames.length = own;
      if (changing.has(step.name)) definedChanging.add(step.name);
    } else if (step.kind === 'line') frames.splice(0, frames.length, { kind: 'script', cwd: undefined });
    changes.push({ from: step.from, cwd: frames[frames.length - 1].cwd });
  }
  lastFolderChanges = { script, vagrant, shellPerLine, changes };
  return changes;
}
let lastFolderChanges: { script: string; vagrant: boolean; shellPerLine: boolean; changes: readonly FolderChange[] } = { script: '', vagrant: false, shellPerLine: false, changes: [] };

/** A loop word that opens with a variable standing for a folder (`"$MIGRATIONS_DIR"/*.sql`, `${SQL_DIR}/0*.sql`): its name, and the rest. */
const FOLDER_VARIABLE_WORD = /^["']?\$\{?([A-Za-z_]\w*)\}?["']?\/(.+)$/;
/** A command substitution's closing `&& pwd)` (`$(cd "$(dirname "$0")/../migrations" && pwd)`, the folder made absolute). */
const PWD_SUBSTITUTION_END = /&&\s*pwd\s*\)$/;
/**
 * Everything up to the last variable, command substitution, closing parenthesis or autoconf substitution (`@datadir@`,
 * which configure writes into a `.in` template) of a value (`$(dirname "$0")/../db` → `/../db`).
 */
const UP_TO_LAST_EXPANSION = /^.*(?:\$\{[^}]*\}|\$\([^)]*\)|\$\w+|\)|@[A-Za-z_]\w*@)/;
/** A literal folder path, relative (`migrations`, `db/migrations`). */
const LITERAL_FOLDER = /^[\w.-]+(?:\/[\w.-]+)*$/;

/**
 * A loop word whose leading variable the script sets to a folder with a literal end (`MIGRATIONS_DIR="$(cd "$(dirname
 * "$0")/../migrations" && pwd)"`, `SQL_DIR=$ROOT/db/sql`), with that end written in its place (`migrations/*.sql`): the
 * folder the script's own location or a root variable leads to is unknown, its literal end is not, and it is matched
 * by its tail as psql's file arguments are. A variable set to nothing literal, or set more than once, stays (and the
 * word then names no file: matchesPattern).
 */
function withFolderVariableWritten(word: string, script: string): string {
  const [, variable, rest] = FOLDER_VARIABLE_WORD.exec(word) ?? [];
  if (variable === undefined) return word;
  const folder = variableFolderEnd(variable, script);
  return folder === undefined ? word : `${folder}/${rest}`;
}

/**
 * The literal end of the folder a variable holds that the script sets once (`SQL_DIR=$ROOT/db/sql` → `db/sql`,
 * `dir=@datadir@/app/upgrades/` → `app/upgrades`); undefined when it is set more than once or to nothing literal.
 */
function variableFolderEnd(variable: string, script: string): string | undefined {
  const values = shellAssignments(script, variable);
  if (values.length !== 1) return undefined;
  const value = withoutQuotes(values[0]).trim().replace(PWD_SUBSTITUTION_END, '').trim();
  const folder = value.replace(UP_TO_LAST_EXPANSION, '').replace(/^\/+/, '').replace(/^(?:\.{1,2}\/)+/, '').replace(/\/$/, '');
  return LITERAL_FOLDER.test(folder) && !/^\.{1,2}$/.test(folder) ? folder : undefined;
}

/**
 * A psql include in what an echo or printf prints, or in a `-c` command's text, its backslash written once or doubled
 * (`printf '\\ir x.sql\n'`, which prints one; `-c "\\i x.sql"` in double quotes, which the shell makes one): the file,
 * up to a blank, a quote or the next escape (`\n`).
 */
const PRINTED_INCLUDE = new RegExp(String.raw`\\?${PSQL_INCLUDE_COMMAND}([^\s"'\\;]+)`, 'g');

/**
 * The files an `echo` or `printf` piped into psql includes (`echo "\i db/seed.sql" | psql -d app`, `printf
 * '\\set ON_ERROR_STOP on\n\\i db/seed.sql\n' | docker exec -i db psql`): psql reads the printed meta-commands as its
 * input and runs each included file in its session. What an echo prints is shellAssignments.ts' echoedRanges over the
 * text as written (`shown`); only an echo that runs counts: its command word survives in `live`, the text with what
 * printing commands and shown here-documents print blanked (a usage text's `echo '\i x.sql' | psql` runs nothing).
 * Each with where its psql command starts (the `psql` word).
 */
function includesPrintedIntoPsql(shown: string, live: string): { argument: string; start: number }[] {
  if (!shown.includes('\\') || !/echo|printf/.test(shown)) return [];
  return echoedRanges(shown).flatMap(([from, to]) => {
    if (live[from - 1] === ' ' || shown[to] !== '|' || shown[to + 1] === '|') return [];
    const lineEnd = shown.indexOf('\n', to);
    const line = shown.slice(to + 1, lineEnd < 0 ? shown.length : lineEnd);
    const commandEnd = line.replace(QUOTED_WORD, (word) => '_'.repeat(word.length)).search(/[;|&]/);
    const command = commandEnd < 0 ? line : line.slice(0, commandEnd);
    const psqlAt = command.search(PSQL_WORD);
    if (psqlAt < 0) return [];
    const start = to + 1 + psqlAt;
    return [...shown.slice(from, to).matchAll(PRINTED_INCLUDE)].map((include) => ({ argument: include[1], start })).filter(({ argument }) => isSqlFileName(argument));
  });
}

/**
 * A psql command's quoted `-c`/`--command` text (`psql -d app -c "\i db/seed.sql"`, `-qc '\ir x.sql'`,
 * `--command="…"`, after psql's flags that take no value), read where the quoted separators are blanked.
 */
const PSQL_COMMAND_OPTION = /\bpsql\b[^\n;|&]*?\s(?:-[aAbeEHlnqsStxXwWz01]*c\s*|--command[=\s]\s*)(["'])([^\n]*?)\1/g;

/**
 * The files a psql command's `-c` includes (`psql -d app -c "\i db/seed.sql"`): psql runs that meta-command as its one
 * command and the included file in its session, as it runs what an echo prints into it (includesPrintedIntoPsql).
 * Each with where its psql command starts (the `psql` word). `unquoted`: the text with the quoted separators blanked.
 */
function includesCommandedToPsql(unquoted: string): { argument: string; start: number }[] {
  if (!unquoted.includes('\\')) return [];
  return [...unquoted.matchAll(PSQL_COMMAND_OPTION)].flatMap((match) => [...match[2].matchAll(PRINTED_INCLUDE)]
    .map((include) => ({ argument: include[1], start: match.index! })).filter(({ argument }) => isSqlFileName(argument)));
}

/** The files that here-documents fed to psql include (`psql <<EOSQL`, then `\i ${DIR}/seed.sql`, up to `EOSQL`). */
function heredocIncludes(script: string): string[] {
  const lines = script.split('\n');
  const included: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const end = PSQL_HEREDOC_START.exec(lines[i])?.[1];
    if (end === undefined) continue;
    for (i++; i < lines.length && lines[i].trim() !== end; i++) {
      const file = PSQL_INCLUDE.exec(lines[i])?.[1];
      if (file !== undefined) included.push(file);
    }
  }
  return included;
}

/** A variable's value that is, or opens with, one of the script's arguments (`"$1"`, `${1}`, `${1:-seed.sql}`). */
const SET_FROM_ARGUMENT = /^["']?\$(?:[1-9]|\{[1-9][}:])/;

/** Whether a psql file argument is the script's own argument, directly or through a variable set from it (`f="$1"`). */
function runsItsArgument(argument: string, script: string): boolean {
  if (POSITIONAL.test(argument)) return true;
  const variable = VARIABLE_ARGUMENT.exec(argument)?.[1];
  return variable !== undefined && shellAssignments(script, variable).some((value) => SET_FROM_ARGUMENT.test(value));
}

/** The SQL files a text hands to a runner script: `./scripts/run-sql.sh db/setup.sql`, `bash run_sql.sh "x.pgsql"`. */
function runnerArguments(text: string, runners: ReadonlySet<string>): string[] {
  const names = [...runners].map(escapeRegExp).join('|');
  const call = new RegExp(`(?:^|[\\s/\`'"(])(?:${names})\\s+["']?([^\\s"'\`;|&)]+${SQL_EXTENSION_SOURCE})\\b`, 'gim');
  return [...text.matchAll(call)].map((match) => match[1]);
}

/** A plain-text file, and the names that make one a page whatever its extension (`README.txt`, `INSTALL.txt`). */
const TEXT_FILE = /\.txt$/i;
const NAMED_PAGE = /^(?:readme|install|usage|setup)\./i;

/**
 * The documentation pages among `paths` (DOC_PAGE by name), at most `max`, each kind in the order given: a plain-text
 * file by its extension alone (`notes.txt`, but also a data file such as `words.txt` or `requirements.txt`) only after
 * every other page, so that a folder of data files does not leave its README, INSTALL or Markdown pages unread. The one
 * cap of every reader of a project's pages (here, docSnippets.ts, psqlOnlyProjects.ts): each picks the same pages.
 */
export function pagesAmong(paths: readonly string[], max: number): string[] {
  const pages = paths.filter((path) => DOC_PAGE.test(basename(path)));
  const textFile = (path: string): boolean => TEXT_FILE.test(basename(path)) && !NAMED_PAGE.test(basename(path));
  return [...pages.filter((path) => !textFile(path)), ...pages.filter(textFile)].slice(0, max);
}

/** The documentation pages of a folder, at most MAX_FILES_PER_FOLDER (pagesAmong). */
function pagesIn(folder: string): string[] {
  return pagesAmong(folderEntries(folder).map((entry) => join(folder, entry.name)), MAX_FILES_PER_FOLDER);
}

/**
 * The command files of a folder (isCommandFile), at most MAX_FILES_PER_FOLDER: its files and links to files only (a
 * named pipe's opening is never read).
 */
function commandFilesIn(folder: string): string[] {
  return folderEntries(folder).filter((entry) => isFileEntry(folder, entry)).map((entry) => join(folder, entry.name))
    .filter(isCommandFile).slice(0, MAX_FILES_PER_FOLDER);
}

/**
 * The folders right below the command folders (`bin/dwh/`, `scripts/db/`): a project that groups its scripts by part
 * keeps them there, and they name the files they run as the command folder's own scripts do (`psql -f
 * "${ROOT}/sql/dwh/report.sql"`). Their command files are read; their documentation pages are not (a part's README
 * shows what a person may run). Hidden and dependency folders are left out (folderEntries.ts's SKIPPED_FOLDERS). Such a
 * run is told apart (psqlRunOf's `'subfolder'`): a file in a migrations folder keeps its findings (ownSession.ts; a
 * `scripts/migrations/run-x.sh` may feed psql the file the application's migrator also applies on its pool).
 */
function commandSubfolders(commandFolders: readonly string[]): string[] {
  return commandFolders.flatMap((parent) => folderEntries(parent)
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
    .map((entry) => join(parent, entry.name)));
}

/** The files of a folder whose names match `pattern`, at most MAX_FILES_PER_FOLDER. */
function filesNamed(folder: string, pattern: RegExp): string[] {
  return folderEntries(folder).map((entry) => entry.name).filter((name) => pattern.test(name)).slice(0, MAX_FILES_PER_FOLDER)
    .map((name) => join(folder, name));
}
