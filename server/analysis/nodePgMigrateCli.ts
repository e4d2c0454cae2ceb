// node-pg-migrate's command-line tool, run by a program of the project through child_process or execa
// (`spawnSync('pnpm', ['-w', 'exec', 'node-pg-migrate', 'up'])`, `execSync('npx node-pg-migrate up -m migrations')`;
// libraryLocks.ts finds the call and its words): its `up`, `down` and `redo` commands hand the options to the same
// runner the library exports, which sends `pg_try_advisory_lock(…)` (`pg_advisory_lock` in `--advisory-lock-mode wait`)
// before the migrations and `pg_advisory_unlock(…)` as a later statement, unless given `--no-lock` (`--lock false` in the
// versions that read it with yargs). Behind a transaction pooler the lock stays on whichever server connection ran it,
// and the next run fails with "Another migration is already running". Labelled at the call (docs/corpus.md, lab63f 1:
// the session-27 library-lock ruling, as Prisma Migrate's CLI is read; read in salsita/node-pg-migrate src/cli, 10.0.0-alpha.2).
//
// The URL is the one in the environment variable `--database-url-var` (`-d`) names, `DATABASE_URL` by default (a
// `config` package's or `--config-file`'s `db` only where that variable is unset). Not read: a command with
// `--config-file`/`-f` (as Prisma's `--config` is not); `create` (which writes a file and connects nowhere); test code
// and files whose path names development or testing (prismaMigrate.ts's words); a run in a compose service; and a
// variable that names a direct URL, has a pooled sibling in the project's env example, or that the command line, the
// call's `env` option or the file itself sets only to a URL of this machine or to a direct or test one. A command the
// program computes from its own arguments (`...process.argv.slice(2)`) is read with the arguments its package's
// scripts run it with (`node scripts/migrate.js up`): the same words, in the computed word's place.
import { dirname, resolve } from 'node:path';
import { foldersUpToRoot } from './projectPaths';
import { hasPooledSibling, nameWords, namesDirectUrl } from './urlNames';
import { isWrittenLocalUrl } from './connectionHosts';
import { withoutQuotes } from './shellAssignments';
import { TEST_PATH } from './testPath';
import { envExamples, namedForDevelopment, namedForDevelopmentWords } from './prismaMigrate';

/** The module key of the CLI's lock among the libraries' (libraryLocks.ts, embedded.ts's messages). */
export const NODE_PG_MIGRATE_CLI = 'node-pg-migrate CLI';
export const NODE_PG_MIGRATE_CLI_MESSAGE = "node-pg-migrate's command-line tool (up, down, redo) takes a session advisory lock (pg_try_advisory_lock) before the migrations and unlocks it in a later statement, on the URL in DATABASE_URL (or the variable --database-url-var names): behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one), and the next run fails with 'Another migration is already running'. Point that variable at a direct (session) connection for migrating, or pass --no-lock where nothing else migrates at once.";

/** Whether a program's text may start node-pg-migrate's CLI: its name, as a command or a path to its bin. */
export function mayRunNodePgMigrate(text: string): boolean {
  return text.includes('node-pg-migrate');
}

/** The CLI as a word: `node-pg-migrate`, `node-pg-migrate@8`, `node_modules/.bin/node-pg-migrate`, `…/bin/node-pg-migrate.js`. */
const CLI_WORD = /^(?:[\w.@~-]*\/)*node-pg-migrate(?:@[\w.^~-]+)?(?:\.[cm]?js)?$/;
/** Whether a word of a command line is the CLI (CLI_WORD): its name, or a path to its bin. */
export function namesNodePgMigrateCli(word: string): boolean {
  return CLI_WORD.test(word);
}
/** The commands that migrate (through the runner and its lock); `create` writes a file and connects nowhere. */
const LOCKING_COMMANDS: ReadonlySet<string> = new Set(['up', 'down', 'redo']);
/** Options that change where the CLI connects to what is not read here (a JSON or module config file). */
const CONFIG_FILE_OPTIONS: ReadonlySet<string> = new Set(['-f', '--config-file']);
const URL_VAR_OPTIONS: ReadonlySet<string> = new Set(['-d', '--database-url-var']);
const DEFAULT_URL_VAR = 'DATABASE_URL';
/** An assignment before the command (`DATABASE_URL=$DIRECT_URL npx node-pg-migrate up`). */
const ASSIGNMENT = /^([A-Za-z_]\w*)=(.*)$/s;
/** A command run in a service of a compose file, whose URL the compose file sets (not read), as prismaMigrate.ts reads it. */
const COMPOSE_WORDS = /^docker(?:-compose)?$/;
const ENV_LEVELS = 6;

/**
 * One word of a command line a program starts: its text, or undefined for a value the program computes (a variable,
 * a template's hole, a spread of something not written out).
 */
export type CommandWord = string | undefined;

/** What else the program shows about the run: values it gives the URL's variable (the call's `env`, `process.env.NAME = …`), and whether it spells a migrating command. */
export interface ProgramContext {
  /** The values the program sets a variable to before the run, as written (`process.env.DIRECT_URL`, a URL literal), undefined where unknown. */
  readonly assigned: (name: string) => readonly (string | undefined)[];
  /** Whether the program holds `up`, `down` or `redo` as a string of its own (`process.argv[2] ?? 'up'`). */
  readonly spellsLockingCommand: boolean;
  /**
   * The argument lists the package's scripts run the program with (`node scripts/migrate.js down 1` → `down`, `1`),
   * where it reads its command line (spawnedScripts.ts packageScriptArguments): what it passes on in a computed word.
   */
  readonly scriptArguments: ReadonlyArray<readonly string[]>;
}

/** What a CLI's words after its name say: whether they name a migrating command, hold a computed word, and the URL's variable. */
interface CliArguments {
  readonly locking: boolean;
  readonly computed: boolean;
  readonly urlVar: string;
}

/**
 * Whether a command line (its words; a shell line's words split at blanks) runs node-pg-migrate's CLI in a migrating
 * command that takes its lock through a pooler (see the file comment). A command the program computes (`[...base,
 * action]`, a hole where no option precedes it) counts as migrating where the program spells one of them, or where a
 * script of its package runs it with one as its first argument.
 */
export function nodePgMigrateLocksPooled(fileName: string, words: readonly CommandWord[], program: ProgramContext): boolean {
  if (TEST_PATH.test(fileName) || namedForDevelopment(fileName)) return false;
  const at = words.findIndex((word) => word !== undefined && CLI_WORD.test(word));
  if (at < 0) return false;
  const before = words.slice(0, at);
  if (before.some((word) => word !== undefined && (COMPOSE_WORDS.test(word) || namedForDevelopmentWords(word)))) return false;
  const read = cliArguments(words.slice(at + 1));
  if (!read) return false;
  if (read.locking || (read.computed && program.spellsLockingCommand)) return variableMayBePooled(fileName, read.urlVar, before, program);
  if (!read.computed) return false;
  // The program's own arguments fill the computed word: a package script running it with a migrating command first,
  // read with what else it passes (`--no-lock`, `-f`, `-d DIRECT_URL` still say no lock through a pooler).
  return program.scriptArguments.some((passed) => {
    const script = LOCKING_COMMANDS.has(passed[0] ?? '') ? cliArguments(passed) : undefined;
    return script !== undefined && variableMayBePooled(fileName, script.urlVar === DEFAULT_URL_VAR ? read.urlVar : script.urlVar, before, program);
  });
}

/** Reads a CLI's words after its name (see CliArguments); undefined where they say it takes no lock through a pooler here (`create`, `--no-lock`, a config file). */
function cliArguments(after: readonly CommandWord[]): CliArguments | undefined {
  let locking = false;
  let computed = false;
  let urlVar = DEFAULT_URL_VAR;
  for (let i = 0; i < after.length; i++) {
    const word = after[i];
    if (word === undefined) {
      const previous = after[i - 1];
      if (!(previous !== undefined && previous.startsWith('-') && !previous.startsWith('--no-') && !previous.includes('='))) computed = true;
      continue;
    }
    const [option, inline] = word.split(/=(.*)/s);
    if (word === 'create') return undefined;
    if (LOCKING_COMMANDS.has(word)) locking = true;
    else if (word === '--no-lock' || (option === '--lock' && /^(?:false|0)$/.test(inline ?? after[i + 1] ?? ''))) return undefined;
    else if (CONFIG_FILE_OPTIONS.has(option)) return undefined;
    else if (URL_VAR_OPTIONS.has(option)) {
      const named = inline ?? after[++i];
      if (named === undefined) return undefined;
      urlVar = named;
    }
  }
  return { locking, computed, urlVar };
}

/**
 * Whether the URL the variable holds may go through a pooler: not where its name says it is direct or for tests, the
 * project's env example lists a pooled sibling, or every value the command line or the program sets it to is a URL
 * of this machine or names a direct or test URL.
 */
function variableMayBePooled(fileName: string, name: string, before: readonly CommandWord[], program: ProgramContext): boolean {
  if (namesDirectUrl(name) || nameWords(name).includes('test')) return false;
  const envText = foldersUpToRoot(dirname(resolve(fileName)), ENV_LEVELS).flatMap(envExamples).join('\n');
  if (hasPooledSibling(name, envText)) return false;
  const set = [...before.flatMap((word) => {
    const assignment = word === undefined ? null : ASSIGNMENT.exec(word);
    return assignment && assignment[1] === name ? [assignment[2]] : [];
  }), ...program.assigned(name)];
  return set.length === 0 || !set.every((value) => value !== undefined && notPooledValue(value));
}

/** A value given the URL's variable that is no pooler's: a URL of this machine, or a variable named direct or for tests (`$DIRECT_URL`, `process.env.TEST_DATABASE_URL`). */
function notPooledValue(value: string): boolean {
  const written = withoutQuotes(value);
  if (isWrittenLocalUrl(written)) return true;
  const names = [...written.matchAll(/\$\{?(\w+)|process\.env\.(\w+)/g)].map((match) => match[1] ?? match[2]);
  return names.length > 0 && names.every((variable) => namesDirectUrl(variable) || nameWords(variable).includes('test'));
}
