// What a Makefile's own variables hold, read from its text: the commands its recipes run through a variable
// (`PSQL = psql -q`, then `$(PSQL) -f final/upgrade.sql`: psqlRuns.ts reads that as a psql run), and the files a PGXS
// Makefile pastes with `cat` into the SQL script it installs (`cat $(SOURCES) > $@` for a DATA_built script or an
// extension's `<ext>--<version>.sql`: CREATE EXTENSION, or an administrator with psql, loads that script in an
// installer's session, each source whole), and the files a recipe pastes into a file psql runs (`@cat $(FUNCTIONS) >>
// $(BUILD)`, then `psql $(DB) < $(BUILD)`: sourcesOfPsqlBuiltFiles). Variables set elsewhere (an included file, the command line, the
// environment) are not known: their uses stay as written.
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { CACHE_MS, TimedCache } from './timedCache';
import { escapeRegExp } from './regexText';
import { isSqlFileName } from './sqlFileNames';

/** A Makefile by name (also GNU make's own name, and an included `.mk` part). */
export const MAKEFILE = /^(?:[Mm]akefile|GNUmakefile|[\w.-]+\.mk)$/;
/**
 * A variable's assignment on a line of its own (after `export` or `override`): `NAME = value`, `NAME := …`, `NAME ::= …`,
 * `NAME :::= …`, `NAME ?= …` (only if not yet set), `NAME += …` (appended to the value before), `NAME != command` (the
 * command's output). Groups: the name, the operator before `=`, the value with its comment.
 */
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+|override[ \t]+)*([A-Za-z_][\w.-]*)[ \t]*(:{0,3}|[?+!])=([^\n]*)$/;
/** A conditional directive, which may stand among a rule's recipe lines without ending them. */
const CONDITIONAL_DIRECTIVE = /^[ \t]*(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b/;
/** A use of a variable: `$(NAME)` or `${NAME}`. */
const USE = /\$(?:\(([A-Za-z_][\w.-]*)\)|\{([A-Za-z_][\w.-]*)\})/g;
/** A command whose first word is psql, by name or by a path ending in `/psql` (`$(PG_BINDIR)/psql -X`). */
const PSQL_FIRST_WORD = /^["']?(?:\S*\/)?psql["']?(?:\s|$)/;
/** How many times variables set from variables are followed (`PSQL = $(PSQL_BIN) -X`, `PSQL_BIN = psql`). */
const MAX_ROUNDS = 4;

/**
 * A Makefile's text as its recipes run it: each use of a variable whose value is a psql command (`$(PSQL)`, `${PSQL}`,
 * set by `PSQL = psql -q`, `PSQL := /usr/bin/psql`, `PSQL ?= psql`, or from another such variable) written as `psql`,
 * so that the readers of psql commands see them. Any of the variable's values will do: a Makefile sets one in each
 * branch of a conditional, and any of them may run.
 */
export function withPsqlVariablesWritten(makefile: string): string {
  if (!makefile.includes('=')) return makefile;
  const values = variableValues(makefile);
  const psqlNames = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const found = [...values].filter(([name, options]) => !psqlNames.has(name)
      && options.some((value) => PSQL_FIRST_WORD.test(writtenAs(value, psqlNames, 'psql'))));
    if (found.length === 0) break;
    for (const [name] of found) psqlNames.add(name);
  }
  return psqlNames.size === 0 ? makefile : writtenAs(makefile, psqlNames, 'psql');
}

/** The text with each use of the named variables replaced by `value`. */
function writtenAs(text: string, names: ReadonlySet<string>, value: string): string {
  return text.replace(USE, (use, name?: string, braced?: string) => (names.has(name ?? braced ?? '') ? value : use));
}

/**
 * The values a Makefile assigns each of its variables, read as make reads them: continuation lines joined, a comment
 * (from a `#` that is not escaped as `\#` nor inside a `$(…)` reference) left out, a tab-led line of a rule's recipe
 * no assignment (it is a shell command). `+=` appends its words to the value before, with a space; `?=` sets a
 * variable only if it has no value yet; `!=` sets the output of a command, written `$(shell command)` (unknown here);
 * `=`, `:=`, `::=` and `:::=` set it. A variable assigned more than once keeps each value apart, since a Makefile sets
 * one in each branch of a conditional and which runs is not known here. A target's own assignment (`seed: PGPORT =
 * 6543`) is one more value here, which some recipe may see; chainVariableValues says which run of which recipe.
 */
export function variableValues(makefile: string): Map<string, string[]> {
  return withAssigned(new Map(), assignments(makefile));
}

/** How many rules deep the targets that need a recipe's target are followed. */
const MAX_CALLER_DEPTH = 8;
/** How many ways of running one recipe are read (recipeChains). */
const MAX_RUNS = 32;

/**
 * The ways make may run the recipe of a rule with the given targets (recipeTargetsAt), each a chain of targets from
 * the goal asked for down to the recipe's own: each target asked for itself (`make seed`: [seed]), and as a
 * prerequisite of each target that needs it, directly or through others (`make test` with `test: seed`: [test,
 * seed]). GNU make gives a target's own variables (`test: PGPORT = 5432`) to its prerequisites too, when built through
 * it, so each chain is one run with its own values (chainVariableValues). A line outside a recipe has one run, [].
 * Special targets (`.PHONY: seed`) run nothing. At most MAX_RUNS chains, MAX_CALLER_DEPTH callers deep.
 */
export function recipeChains(makefile: string, targets: readonly string[]): string[][] {
  if (targets.length === 0) return [[]];
  const rules = ruleHeads(makefile);
  const runs: string[][] = targets.map((target) => [target]);
  let reached = runs;
  for (let depth = 0; depth < MAX_CALLER_DEPTH && reached.length > 0 && runs.length < MAX_RUNS; depth++) {
    reached = reached.flatMap((chain) => callersOf(rules, chain[0]).filter((caller) => !chain.includes(caller)).map((caller) => [caller, ...chain]));
    runs.push(...reached.slice(0, MAX_RUNS - runs.length));
  }
  return runs;
}

/** The targets (special ones left out) whose rules name the target among their prerequisites. */
function callersOf(rules: ReadonlyArray<{ targets: string[]; prerequisites: string[] }>, target: string): string[] {
  return [...new Set(rules.filter(({ prerequisites }) => prerequisites.includes(target))
    .flatMap(({ targets }) => targets).filter((caller) => !SPECIAL_TARGET.test(caller)))];
}

/** One of make's special targets (`.PHONY`, `.SECONDARY`, `.NOTPARALLEL`): it names targets, it runs no recipe of its own. */
const SPECIAL_TARGET = /^\.[A-Z_]+$/;

/**
 * The values a Makefile's variables hold in one run of a recipe (a chain of recipeChains), as GNU make gives them: the
 * global assignments, then each target's own along the chain from the goal down, a target's own value winning over
 * the one it inherits (its first plain assignment replaces it; `+=` appends to it). A `private` assignment holds in
 * its own target's recipe only, not in its prerequisites'.
 */
export function chainVariableValues(makefile: string, chain: readonly string[]): Map<string, string[]> {
  const found = assignments(makefile);
  const values = withAssigned(new Map(), found.filter(({ targets }) => targets === undefined));
  chain.forEach((target, index) => {
    const inherited = index < chain.length - 1;
    const own = found.filter((assignment) => assignment.targets?.includes(target) && !(inherited && assignment.private));
    const replaced = new Set<string>();
    for (const assignment of own) {
      if (SETS.test(assignment.operator) && !replaced.has(assignment.name)) {
        values.delete(assignment.name);
        replaced.add(assignment.name);
      }
      withAssigned(values, [assignment]);
    }
  });
  return values;
}

/** The operators that set a variable whatever it held (`=`, `:=`, `::=`, `:::=`, `!=`), not `+=` or `?=`. */
const SETS = /^(?::{0,3}|!)$/;

/** The values after the assignments, applied in order to `values` (changed in place). */
function withAssigned(values: Map<string, string[]>, found: readonly MakeAssignment[]): Map<string, string[]> {
  for (const { name, operator, value } of found) {
    const before = values.get(name) ?? [];
    if (operator === '+') values.set(name, before.length === 0 ? [value] : before.map((earlier) => [earlier, value].filter((part) => part !== '').join(' ')));
    else if (operator === '?') values.set(name, before.length === 0 ? [value] : before);
    else values.set(name, [...before, operator === '!' ? `$(shell ${value})` : value]);
  }
  return values;
}

/** A Makefile's rules (not its target-specific assignments): each rule line's targets and prerequisites (order-only ones too). */
function ruleHeads(makefile: string): Array<{ targets: string[]; prerequisites: string[] }> {
  return logicalLines(makefile).flatMap((line) => {
    const rule = line.startsWith('\t') || targetAssignment(line) !== null ? null : RULE.exec(line);
    return rule === null ? [] : [{ targets: words(rule[1]), prerequisites: words(rule[2].split(';')[0]).filter((word) => word !== '|') }];
  });
}

/** The words of a text split at blanks. */
function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

/**
 * The targets whose recipe holds the offset's line (a tab-led line below their rule, blank, comment and conditional
 * lines among the recipe's lines); none for a line outside a recipe.
 */
export function recipeTargetsAt(makefile: string, offset: number): string[] {
  const lines = logicalLines(makefile.slice(0, offset));
  if (!lines[lines.length - 1].startsWith('\t')) return [];
  for (let index = lines.length - 2; index >= 0; index--) {
    const line = lines[index];
    if (line.startsWith('\t') || line.trim() === '' || line.trimStart().startsWith('#') || CONDITIONAL_DIRECTIVE.test(line)) continue;
    const rule = targetAssignment(line) === null ? RULE.exec(line) : null;
    return rule === null ? [] : words(rule[1]);
  }
  return [];
}

/**
 * The variables a Makefile sets with `?=` only (`PGURL ?= postgres://localhost/app`): the environment's value, when
 * the variable is set there, wins over the Makefile's, which is a default as the shell's `${PGURL:-…}` is.
 */
export function environmentDefaultNames(makefile: string): Set<string> {
  const operators = new Map<string, Set<string>>();
  for (const { name, operator } of assignments(makefile)) if (operator !== '+') operators.set(name, (operators.get(name) ?? new Set()).add(operator));
  return new Set([...operators].filter(([, used]) => used.size === 1 && used.has('?')).map(([name]) => name));
}

/** A `define` block's first line (after `export`/`override`), with its variable and operator (`define NAME :=`). */
const DEFINE = /^[ \t]*(?:export[ \t]+|override[ \t]+)*define[ \t]+([A-Za-z_][\w.-]*)[ \t]*(?:(:{0,3}|[?+!])=[ \t]*)?$/;
/** The line that ends a `define` block. */
const ENDEF = /^[ \t]*endef\b/;

interface MakeAssignment {
  name: string;
  operator: string;
  value: string;
  /** A target's own assignment (`seed test: PGPORT = 6543`): its targets, in whose recipes (and prerequisites') it holds. */
  targets?: string[];
  /** `seed: private PGPORT = 6543`: it holds in its target's own recipe only, not in its prerequisites'. */
  private?: boolean;
}

/**
 * A Makefile's variable assignments in order (variableValues), each with its operator before `=` and its value without
 * comment. A `define NAME … endef` block sets NAME to its lines (nested blocks included), none of which is an
 * assignment of its own; a target's own assignment (`seed: PGPORT = 6543`, `a b: override X := 1`) keeps its targets.
 */
function assignments(makefile: string): MakeAssignment[] {
  const found: MakeAssignment[] = [];
  let inRecipe = false;
  const lines = logicalLines(makefile);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.startsWith('\t') && inRecipe) continue;
    const define = DEFINE.exec(line);
    if (define !== null) {
      const end = defineEnd(lines, index);
      found.push({ name: define[1], operator: define[2] ?? '', value: lines.slice(index + 1, end).join('\n') });
      index = end;
      inRecipe = false;
      continue;
    }
    const global = ASSIGNMENT.exec(line);
    const own = global === null ? targetAssignment(line) : null;
    const assignment = global ?? own?.assignment ?? null;
    if (assignment === null) {
      if (RULE.test(line)) inRecipe = true;
      else if (line.trim() !== '' && !line.trimStart().startsWith('#') && !CONDITIONAL_DIRECTIVE.test(line)) inRecipe = false;
      continue;
    }
    inRecipe = false;
    found.push({ name: assignment[1], operator: assignment[2], value: withoutMakeComment(assignment[3]).trim(), ...(own ? { targets: own.targets, ...(own.private && { private: true }) } : {}) });
  }
  return found;
}

/** The index of the `endef` that closes the `define` on line `start` (nested blocks counted), or the last line. */
function defineEnd(lines: readonly string[], start: number): number {
  let depth = 1;
  for (let index = start + 1; index < lines.length; index++) {
    if (DEFINE.test(lines[index])) depth++;
    else if (ENDEF.test(lines[index]) && --depth === 0) return index;
  }
  return lines.length - 1;
}

/**
 * A rule line whose prerequisites are an assignment (a target-specific variable; `private` also allowed): ASSIGNMENT's
 * groups, and the rule's targets.
 */
function targetAssignment(line: string): { assignment: RegExpExecArray; targets: string[]; private: boolean } | null {
  const rule = RULE.exec(line);
  const isPrivate = rule !== null && PRIVATE.test(rule[2]);
  const assignment = rule === null ? null : ASSIGNMENT.exec(rule[2].replace(PRIVATE, ''));
  return assignment === null ? null : { assignment, targets: words(rule![1]), private: isPrivate };
}

/** The `private` modifier of a target's own assignment. */
const PRIVATE = /^[ \t]*private[ \t]+/;

/** A Makefile line's text up to its comment: a `#` not escaped (`\#`, kept as `#`) and outside `$(…)`/`${…}`. */
function withoutMakeComment(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && text[i + 1] === '#') {
      out += '#';
      i++;
      continue;
    }
    if (char === '#' && depth === 0) break;
    if (char === '$' && text[i + 1] === '$') {
      out += '$$';
      i++;
      continue;
    }
    if (char === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      out += text.slice(i, i + 2);
      depth++;
      i++;
      continue;
    }
    if ((char === '(' || char === '{') && depth > 0) depth++;
    else if ((char === ')' || char === '}') && depth > 0) depth--;
    out += char;
  }
  return out;
}

/**
 * The text with each use of a variable the Makefile assigns replaced by all its values, those set from variables
 * followed MAX_ROUNDS deep; uses of other variables stay as written.
 */
function expanded(text: string, values: ReadonlyMap<string, string[]>): string {
  let result = text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = result.replace(USE, (use, name?: string, braced?: string) => values.get(name ?? braced ?? '')?.join(' ') ?? use);
    if (next === result) break;
    result = next;
  }
  return result;
}

/**
 * The words of a Makefile's list, variables expanded and a `$(wildcard …)` or `$(shell ls …)` read as the globs it
 * holds (ls's own options left out: they name no file).
 */
function wordsOf(text: string, values: ReadonlyMap<string, string[]>): string[] {
  return expanded(text, values).replace(/\$\(wildcard[ \t]([^)]*)\)/g, '$1')
    .replace(/\$\(shell[ \t]+ls[ \t]([^)]*)\)/g, (_listing, paths: string) => words(paths).filter((word) => !word.startsWith('-')).join(' '))
    .split(/\s+/).filter((word) => word !== '');
}

/**
 * The values of a Makefile's variables as its recipes see them: its own assignments, and make's `CURDIR`, the folder
 * make runs in (the Makefile's, unless it is run with `-C` from elsewhere), written `.` so that `${CURDIR}/build.sql`
 * reads as the path below it that it is.
 */
function recipeVariableValues(makefile: string): Map<string, string[]> {
  const values = variableValues(makefile);
  if (!values.has('CURDIR')) values.set('CURDIR', ['.']);
  return values;
}

/** A path of a Makefile's words as one below its folder: `./build.sql` and `build.sql` alike. */
function belowMakefile(word: string): string {
  return word.replace(/["']/g, '').replace(/^(?:\.\/)+/, '');
}

/** What a recipe's `cat` writes: the rule's targets, the file written, and the SQL files pasted into it (variables expanded). */
interface CatIntoFile {
  targets: string[];
  built: string;
  /** Whether the file written is one of the rule's targets (`> $@`, or a target by name). */
  intoTarget: boolean;
  sources: string[];
}

/**
 * Each recipe line's `cat` of files into a file (CAT_INTO_FILE: `@cat $(FUNCTIONS) >> $(BUILD)`, `cat $^ > $@`), the
 * Makefile's variables expanded: the file written (`$@` is the rule's first target) as a path below the Makefile's
 * folder, and the SQL files (sqlFileNames.ts) pasted, `$^`/`$+` standing for the rule's prerequisites and `$<` for the
 * first. A glob stays a glob (`scripts/functions/*.sql`).
 */
function catsIntoFiles(makefile: string, values: ReadonlyMap<string, string[]>): CatIntoFile[] {
  const found: CatIntoFile[] = [];
  const lines = logicalLines(makefile);
  for (let i = 0; i < lines.length; i++) {
    const rule = RULE.exec(lines[i]);
    if (rule === null) continue;
    const targets = wordsOf(rule[1], values);
    const prerequisites = wordsOf(rule[2].split(';')[0], values);
    for (i++; i < lines.length && lines[i].startsWith('\t'); i++) {
      for (const [, argumentsText, output] of lines[i].matchAll(CAT_INTO_FILE)) {
        const into = output.replace(/["']/g, '');
        const written = into === '$@' ? targets.slice(0, 1) : wordsOf(into, values);
        const pasted = wordsOf(argumentsText, values).flatMap((word) => (word === '$^' || word === '$+' ? prerequisites : word === '$<' ? prerequisites.slice(0, 1) : [word]));
        if (written.length === 0) continue;
        const intoTarget = into === '$@' || written.some((word) => targets.includes(word));
        found.push({ targets, built: belowMakefile(written[0]), intoTarget, sources: pasted.filter(isSqlFileName).map(belowMakefile) });
      }
    }
    i--;
  }
  return found;
}

/**
 * The SQL files (paths or globs below the Makefile's folder) a Makefile's recipes paste with `cat` into a file that
 * psql runs (`FUNCTIONS=$(shell ls scripts/functions/*.sql)`, `@cat $(FUNCTIONS) >> $(BUILD)`): one the Makefile's own
 * psql commands read (`psqlArguments`, as written: `psql $(DB) < $(BUILD)`, `-f $(BUILD)`), both sides with the
 * Makefile's variables expanded, or one `isRunElsewhere` says is run (a Dockerfile's copy into the postgres image's
 * init folder). psql runs the built file in its own session, each source pasted whole into it.
 */
export function sourcesOfPsqlBuiltFiles(makefile: string, psqlArguments: readonly string[], isRunElsewhere: (built: string) => boolean): string[] {
  if (!makefile.includes('cat')) return [];
  const values = recipeVariableValues(makefile);
  const run = new Set(psqlArguments.flatMap((argument) => wordsOf(argument, values)).map(belowMakefile));
  return catsIntoFiles(makefile, values).filter(({ built }) => isSqlFileName(built) && (run.has(built) || isRunElsewhere(built)))
    .flatMap(({ sources }) => sources);
}

/** A PGXS Makefile: it includes PostgreSQL's extension build rules (`include $(PGXS)`, `include $(shell pg_config --pgxs)`). */
const INCLUDES_PGXS = /^[ \t]*-?include[ \t]+(?:\$[({]PGXS[)}]|\$\(shell[^)\n]*--pgxs\))/m;
/** A rule's first line: its targets, then its prerequisites (a variable's assignment has `=` after the colon). */
const RULE = /^([^\s#:=][^:=\n]*)::?(?!=)([^\n]*)$/;
/**
 * A `cat` of files into a file in a recipe (also silenced or its errors ignored: `@cat`, `-cat`): its arguments, and
 * where its output goes (`> $@`, `>> out.sql`).
 */
const CAT_INTO_FILE = /(?:^|[\s;&|(])[@+-]*cat[ \t]([^\n;|&<>]*)>>?[ \t]*(\S+)/g;
/** How many folders above a source its Makefile may be (`sql/part.sql` below the module's folder). */
const MAKEFILE_LEVELS = 2;

const sourcesByFolder = new TimedCache<string[]>(CACHE_MS);

/**
 * Whether a PGXS Makefile in the file's folder or up to MAKEFILE_LEVELS above pastes the file with `cat` into the SQL
 * script the module installs: a DATA or DATA_built file (or the `.in` file PGXS builds one from), or a file named as an
 * extension script is (`$(EXTENSION)--$(EXTVERSION).sql: $(wildcard sql/*.sql)` then `cat $^ > $@`). PostgreSQL's
 * CREATE EXTENSION, or an administrator with psql for a module older than extensions, loads that script in the
 * installing session: the sources' own session state is the installer's business.
 */
export function isPgxsScriptSource(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), MAKEFILE_LEVELS).some((folder) => {
    const below = relative(folder, file).split(sep).join('/');
    return pgxsSourcesIn(folder).some((pattern) => new RegExp(`^${pattern}$`).test(below));
  });
}

/** The sources (patterns of paths below the folder) the PGXS Makefiles of a folder paste into installed scripts. */
function pgxsSourcesIn(folder: string): string[] {
  return sourcesByFolder.get(folder, () => folderEntries(folder).filter((entry) => MAKEFILE.test(entry.name)).flatMap((entry) => {
    const text = boundedText(join(folder, entry.name), 256 * 1024);
    return text !== undefined && INCLUDES_PGXS.test(text) ? pastedIntoInstalledScripts(text).map(pathPattern) : [];
  }));
}

/**
 * The SQL file paths (sqlFileNames.ts) a PGXS Makefile's recipes `cat` into a script the module installs (variables
 * expanded). An extension script keeps CREATE EXTENSION's own `.sql` name (isNamedAsExtensionScript); a DATA script,
 * which an administrator runs with psql, and the sources may have any SQL file name.
 */
function pastedIntoInstalledScripts(makefile: string): string[] {
  const values = variableValues(makefile);
  const installed = ['DATA', 'DATA_built'].flatMap((name) => wordsOf((values.get(name) ?? []).join(' '), values))
    .filter(isSqlFileName).map((word) => word.replace(/^\.\//, ''));
  const isInstalled = (target: string): boolean => {
    const path = target.replace(/^\.\//, '').replace(/\.in$/, '');
    return installed.includes(path) || isNamedAsExtensionScript(basename(path));
  };
  return catsIntoFiles(makefile, values).filter(({ targets, intoTarget }) => intoTarget && targets.some(isInstalled))
    .flatMap(({ sources }) => sources);
}

/** Whether a file name is an extension's install or update script's (`<ext>--<version>.sql`, `<ext>--<from>--<to>.sql`). */
function isNamedAsExtensionScript(name: string): boolean {
  const dashes = name.indexOf('--');
  return dashes > 0 && /\.sql$/i.test(name) && dashes + '--'.length < name.length - '.sql'.length;
}

/**
 * A path of a Makefile's, relative to its folder, as a pattern of paths below it: a glob's `*` and a variable left
 * unexpanded each stand for any part of one name.
 */
function pathPattern(path: string): string {
  return path.replace(/^(?:\.\/)+/, '').split(/\$\([^)]*\)|\$\{[^}]*\}|\*/).map(escapeRegExp).join('[^/]*');
}

/** A Makefile's logical lines, as make reads them: a backslash-newline joins the next line with a blank. */
function logicalLines(makefile: string): string[] {
  return makefile.replace(/\\\r?\n/g, ' ').split('\n');
}
