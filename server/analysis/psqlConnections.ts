// Where a psql command of a command file connects, as far as that file shows it: its connection arguments (the first
// positional argument or `-d`/`--dbname`, `-h`/`--host`, `-p`/`--port`), with the variables they name written out
// from the same file — a shell script's assignment (`PG="$(pgurl)"`), the output of one of its functions (`pgurl() {
// echo "postgresql://…:6543/postgres"; }`), an environment variable's default (`${DATABASE_URL:-postgres://…}`, unless
// the repository sets the variable elsewhere: variableValue), a Makefile's variable (`PGURL = …`, makefiles.ts
// variableValues) or the output of one of its targets (`"$$($(MAKE) --no-print-directory pgurl)"`).
// psqlRuns.ts asks whether that connection is a transaction pooler's (poolerEndpoints.ts): then the script psql runs
// is no session of its own, since each of its autocommit statements may land on another server connection. What the
// file does not show (a variable set twice, or from a command's output, a positional argument) is left a hole, which
// is no evidence: a psql command whose connection is not read stays a session of its own.
import { escapeRegExp } from './regexText';
import { isCommentedOut, shellAssignments } from './shellAssignments';
import { chainVariableValues, environmentDefaultNames, recipeChains, recipeTargetsAt } from './makefiles';
import { TRANSACTION_POOLER_PORT, showsTransactionPooler } from './poolerEndpoints';
import { closingParenthesis } from './parentheses';

/** The command file a psql command is in: its text (continued lines joined) and how its variables are written. */
export interface CommandFileText {
  text: string;
  /** A Makefile: `$(NAME)` is a make variable, `$$` a shell `$`, and a target's output may be asked for (`$(MAKE) target`). */
  makefile: boolean;
  /** A shell script: its assignments and functions are read. Other files (CI, documents, programs) show literals and defaults only. */
  shell: boolean;
  /**
   * Whether the repository's env files or CI configuration set an environment variable (testEnvironment.ts): a default
   * the command file gives it (`${DATABASE_URL:-…}`, a Makefile's `PGURL ?= …`) is then not surely what runs.
   */
  setElsewhere?: (name: string) => boolean;
  /**
   * A Makefile as one run of a recipe reads it (inRecipeOf): the chain of targets from the goal make was asked for
   * down to the recipe's own (makefiles.ts recipeChains), whose own variable assignments hold there, and the whole file.
   */
  recipe?: { chain: readonly string[]; of: CommandFileText };
}

/** What stands for a part of a connection the file does not show. */
const HOLE = '\u0001';
/** How many variables deep a connection is followed. */
const MAX_DEPTH = 4;
/** psql's options that take a value (in the next word, or glued to a short option: `-fschema.sql`, `-vX=1`). */
const VALUE_SHORT_OPTIONS = new Set(['c', 'd', 'f', 'F', 'h', 'L', 'o', 'p', 'P', 'R', 'T', 'U', 'v']);
const VALUE_LONG_OPTIONS = new Set(['command', 'dbname', 'file', 'field-separator', 'host', 'log-file', 'output', 'port', 'pset', 'record-separator', 'table-attr', 'username', 'set', 'variable']);
/** psql's options that make the whole run one transaction. */
const SINGLE_TRANSACTION = /^(?:-[a-zA-Z]*1[a-zA-Z]*|--single-transaction)$/;

/** What a psql command says of its connection. */
export interface PsqlConnection {
  /** The connection it names reaches a transaction pooler (port 6543, `pgbouncer=true`, a Neon `-pooler` host). */
  transactionPooler: boolean;
  /** `-1` / `--single-transaction`: psql runs the whole file in one transaction. */
  singleTransaction: boolean;
}

/** The connection of the psql command that starts at `start` (its `psql` word) and ends at `end` in the file. */
export function psqlConnection(file: CommandFileText, start: number, end: number): PsqlConnection {
  if (isCommentedOut(file.text, start)) return { transactionPooler: false, singleTransaction: false };
  const words = shellWords(file.text.slice(start, end)).slice(1);
  const connection = connectionWords(words);
  // A Makefile recipe may run several ways (`make seed`, or `make test` through `test: seed` with test's own port):
  // each is a real run, so the command goes through a pooler if any of them does.
  const runs = file.makefile ? recipeRuns(file, recipeTargetsAt(file.text, start)) : [file];
  const transactionPooler = runs.some((run) => reachesTransactionPooler(connection, run));
  return { transactionPooler, singleTransaction: words.some((word) => SINGLE_TRANSACTION.test(word)) };
}

/** Whether psql's connection arguments, written out as the file (or one run of a Makefile recipe) shows them, reach a transaction pooler. */
function reachesTransactionPooler(connection: { database?: string; host?: string; port?: string }, file: CommandFileText): boolean {
  const written = (word: string | undefined): string | undefined => (word === undefined ? undefined : expanded(word, file, 0));
  const database = written(connection.database);
  const host = written(connection.host);
  const port = written(connection.port);
  return (database !== undefined && showsTransactionPooler(database)) || (port?.split(',').includes(TRANSACTION_POOLER_PORT) ?? false)
    || (host !== undefined && !host.includes(HOLE) && showsTransactionPooler(`host=${host}`));
}

/** The Makefile as each run of the recipe of the targets reads it (makefiles.ts recipeChains), the chains read once per file. */
function recipeRuns(file: CommandFileText, targets: readonly string[]): CommandFileText[] {
  const base = file.recipe?.of ?? file;
  return lookedUp(base, `runs ${targets.join(' ')}`, () => recipeChains(base.text, targets)).map((chain) => inRecipeOf(file, chain));
}

/** Where a psql command's text ends: the end of its line, a command separator outside quotes, or the next psql command. */
export function psqlCommandEnd(text: string, unquoted: string, start: number): number {
  const lineEnd = text.indexOf('\n', start);
  const limit = lineEnd < 0 ? text.length : lineEnd;
  const separator = /[;|&]/.exec(unquoted.slice(start, limit));
  const next = /\bpsql\b/.exec(text.slice(start + 4, limit));
  return Math.min(limit, separator ? start + separator.index : limit, next ? start + 4 + next.index : limit);
}

/** A command's words, quotes kept, a `$(…)` or backquoted substitution one piece of its word. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < command.length; i++) {
    const char = command[i];
    if (/\s/.test(char)) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    const close = char === '"' || char === "'" || char === '`' ? command.indexOf(char, i + 1) : char === '$' && command[i + 1] === '(' ? (closingParenthesis(command, i + 1) ?? -1) : -1;
    const piece = close > i ? command.slice(i, close + 1) : char;
    word += piece;
    i += piece.length - 1;
  }
  if (word) words.push(word);
  return words;
}

/** psql's connection arguments among its words: the database (first positional argument, or `-d`), host and port. */
function connectionWords(words: readonly string[]): { database?: string; host?: string; port?: string } {
  const found: { database?: string; host?: string; port?: string } = {};
  const take = (option: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (option === 'd' || option === 'dbname') found.database ??= value;
    else if (option === 'h' || option === 'host') found.host ??= value;
    else if (option === 'p' || option === 'port') found.port ??= value;
  };
  let positional = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.startsWith('--')) {
      const [name, value] = word.slice(2).split(/=(.*)/s, 2);
      if (VALUE_LONG_OPTIONS.has(name)) take(name, value ?? words[++i]);
    } else if (word.startsWith('-') && word.length > 1) {
      const at = [...word.slice(1)].findIndex((letter) => VALUE_SHORT_OPTIONS.has(letter));
      if (at >= 0) take(word[at + 1], word.length > at + 2 ? word.slice(at + 2) : words[++i]);
    } else if (positional++ === 0) found.database ??= word;
  }
  return found;
}

/** A word with its quotes removed and the variables and substitutions the file shows written out (HOLE for the rest). */
function expanded(word: string, file: CommandFileText, depth: number): string {
  const shellText = file.makefile ? makeExpanded(word, file, depth) : word;
  return shellExpanded(shellText, file, depth).replace(/["']/g, '');
}

/** A Makefile recipe's text as the shell gets it: `$$` a `$`, `$(MAKE)` make, a variable its one value, other functions holes. */
function makeExpanded(text: string, file: CommandFileText, depth: number): string {
  const DOLLAR = '\u0002';
  let out = text.replace(/\$\$/g, DOLLAR);
  for (let round = 0; round < MAX_DEPTH && /\$[({]/.test(out); round++) {
    out = out.replace(/\$[({]([A-Za-z_][\w.-]*)[)}]/g, (_, name: string) => {
      if (name === 'MAKE') return 'make';
      const values = lookedUp(file, 'make variables', () => chainVariableValues(file.text, file.recipe?.chain ?? []));
      const value = depth < MAX_DEPTH && !overriddenDefault(file, name) ? oneValue(values.get(name) ?? []) : undefined;
      return value === undefined ? HOLE : makeExpanded(value, file, depth + 1);
    }).replace(/\$\([^()]*\)|\$\{[^{}]*\}/g, HOLE);
  }
  return out.split(DOLLAR).join('$');
}

/** Shell text with its variables and command substitutions written out where the file shows them. */
function shellExpanded(text: string, file: CommandFileText, depth: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$' && text[i] !== '`') {
      out += text[i];
      continue;
    }
    const close = text[i] === '`' ? text.indexOf('`', i + 1) : text[i + 1] === '(' ? (closingParenthesis(text, i + 1) ?? -1) : -1;
    if (close > i) {
      out += substitutionOutput(text.slice(i + (text[i] === '`' ? 1 : 2), close), file, depth);
      i = close;
      continue;
    }
    // `${NAME}`, `${NAME:-default}` (also `-`, `:=`, `=`, `:+`, `+`, `:?`, `?`), `$NAME`, a special parameter, or another
    // braced expansion (`${#NAME}`, `${NAME%.sql}`: a hole).
    const variable = /^\$(?:\{([A-Za-z_]\w*)(?:(:?[-=+?])([^}]*))?\}|([A-Za-z_]\w*)|[\d@*#?$!-]|\{[^}]*\})/.exec(text.slice(i));
    if (!variable) {
      out += '$';
      continue;
    }
    const name = variable[1] ?? variable[4];
    out += name === undefined ? HOLE : variableValue(name, variable[2]?.replace(':', ''), variable[3], file, depth);
    i += variable[0].length - 1;
  }
  return out;
}

/**
 * A shell variable's value: the one the script assigns it, else the default the expansion gives (`${NAME:-default}`,
 * `${NAME:=default}`). A default is what runs where nothing sets the variable — a developer's shell, a CI job that sets
 * nothing — so it counts as the connection, unless the repository's env files or CI configuration set the variable:
 * then which of the two runs is not shown, as with a variable set twice, and the connection is a hole (no evidence,
 * the same reading as a variable the file neither sets nor defaults). `${NAME:+word}` (word only when set) and
 * `${NAME:?message}` (no default) show no value of their own.
 */
function variableValue(name: string, operator: string | undefined, fallback: string | undefined, file: CommandFileText, depth: number): string {
  if (depth >= MAX_DEPTH) return HOLE;
  const assigned = file.shell ? lookedUp(file, `shell ${name}`, () => shellAssignments(file.text, name)) : [];
  if (assigned.length > 0) {
    const value = oneValue(assigned);
    return value === undefined || operator === '+' ? HOLE : expanded(value, file, depth + 1);
  }
  if (fallback === undefined || operator === '+' || operator === '?' || isSetElsewhere(file, name)) return HOLE;
  return expanded(fallback, file, depth + 1);
}

/** Whether a Makefile variable's value is an environment default (`PGURL ?= …`) that the repository sets elsewhere. */
function overriddenDefault(file: CommandFileText, name: string): boolean {
  return lookedUp(file, 'make defaults', () => environmentDefaultNames(file.text)).has(name) && isSetElsewhere(file, name);
}

/** Whether the repository's env files or CI configuration set the environment variable (CommandFileText.setElsewhere). */
function isSetElsewhere(file: CommandFileText, name: string): boolean {
  return file.setElsewhere !== undefined && lookedUp(file, `environment ${name}`, () => file.setElsewhere!(name));
}

/** What a command substitution prints, where it is a function of the script or a target of the Makefile that echoes one line. */
function substitutionOutput(command: string, file: CommandFileText, depth: number): string {
  if (depth >= MAX_DEPTH) return HOLE;
  const words = shellWords(command.trim());
  if (file.makefile && words[0] === 'make') {
    const targets = words.slice(1).filter((word) => !word.startsWith('-'));
    // `make -C elsewhere target`, `make -f other.mk target`: another Makefile's target.
    if (targets.length !== 1 || words.some((word) => /^-[Cf]|^--(?:directory|file|makefile)/.test(word))) return HOLE;
    const echoed = lookedUp(file, `target ${targets[0]}`, () => targetEcho(file.text, targets[0]));
    // The echo runs in that target's recipe, asked for as a goal of its own: with its own variables.
    return echoed === undefined ? HOLE : expanded(echoed, inRecipeOf(file, [targets[0]]), depth + 1);
  }
  if (file.shell && words.length === 1) {
    const echoed = lookedUp(file, `function ${words[0]}`, () => functionEcho(file.text, words[0]));
    return echoed === undefined ? HOLE : expanded(echoed, file, depth + 1);
  }
  return HOLE;
}

/** What each command file's text was found to say of a name (assignments, an echoed line): each is read once per file. */
const LOOKUPS = new WeakMap<CommandFileText, Map<string, unknown>>();

/** Each Makefile's text as each run of its recipes reads it (by its chain of targets), made once per file and chain. */
const RECIPES = new WeakMap<CommandFileText, Map<string, CommandFileText>>();

/**
 * A Makefile's text as one run of a recipe reads it (a chain of targets, goal first): a make variable holds the values
 * the chain's own assignments give it there (makefiles.ts chainVariableValues), not those of a target off the chain
 * (`check: PGPORT = 5432` is not load's port unless check needs load).
 */
function inRecipeOf(file: CommandFileText, chain: readonly string[]): CommandFileText {
  const base = file.recipe?.of ?? file;
  let recipes = RECIPES.get(base);
  if (!recipes) RECIPES.set(base, (recipes = new Map()));
  const key = chain.join(' ');
  let recipe = recipes.get(key);
  if (!recipe) recipes.set(key, (recipe = { ...base, recipe: { chain, of: base } }));
  return recipe;
}

/** A lookup in the file's text by `find`, made once per file and key (`shell NAME`, `make NAME`, `target url`). */
function lookedUp<T>(file: CommandFileText, key: string, find: () => T): T {
  let found = LOOKUPS.get(file);
  if (!found) LOOKUPS.set(file, (found = new Map()));
  if (!found.has(key)) found.set(key, find());
  return found.get(key) as T;
}

/** The one value among a variable's assignments (all the same text), or undefined. */
function oneValue(values: readonly string[]): string | undefined {
  return values.length > 0 && values.every((value) => value === values[0]) ? values[0] : undefined;
}

/** The words a Makefile target's recipe echoes, where its recipe has one `echo` line; undefined otherwise. */
function targetEcho(makefile: string, target: string): string | undefined {
  const head = new RegExp(`^${escapeRegExp(target)}[ \\t]*:(?!=)`, 'm').exec(makefile);
  if (!head) return undefined;
  // The recipe: the tab-led lines after the rule's line (comment lines among them), up to the first other line.
  const lines = makefile.slice(head.index).split('\n').slice(1);
  const end = lines.findIndex((line) => !line.startsWith('\t') && !/^[ \t]*#/.test(line));
  const recipe = (end < 0 ? lines : lines.slice(0, end)).map((line) => line.trim().replace(/^[@+-]+/, '')).filter((line) => line && !line.startsWith('#'));
  return singleEcho(recipe);
}

/** The words a shell function of the script echoes, where its body has one `echo` line; undefined otherwise. */
function functionEcho(script: string, name: string): string | undefined {
  const opening = new RegExp(`^[ \\t]*(?:function[ \\t]+)?${escapeRegExp(name)}(?:[ \\t]*\\(\\s*\\))?\\s*\\{`, 'm').exec(script);
  if (!opening) return undefined;
  const rest = script.slice(opening.index + opening[0].length);
  const end = /^\}/m.exec(rest)?.index ?? -1;
  if (end < 0) return undefined;
  return singleEcho(rest.slice(0, end).split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')));
}

/** The arguments of the one `echo` (or `printf`) line among some command lines; undefined when there are none or several. */
function singleEcho(lines: readonly string[]): string | undefined {
  const echoes = lines.filter((line) => /^(?:echo|printf)\b/.test(line));
  if (echoes.length !== 1) return undefined;
  // A one-line function's echo ends with its closing brace (`echo "$URL"; }`).
  const words = echoes[0].replace(/^(?:echo(?:[ \t]+-[neE]+)*|printf)[ \t]+/, '').trimEnd();
  return words.replace(/\}$/, '').trimEnd().replace(/;$/, '').trimEnd();
}
