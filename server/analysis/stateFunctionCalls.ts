// Calls of functions whose bodies create session state (the workspace index, stateFunctions.ts): a
// `SELECT tenant_enter('acme')` leaves the setting its function sets, so the call gets the finding
// the body has, with related information pointing at the body. Runs for .sql files and for the SQL
// embedded in TS/JS alike (both go through PlacedFacts). Not a call that never reaches that body in the
// caller's session: one inside a job scheduler's command string (pg_cron runs the command later, on a
// connection of its own), or a script's call of the definition the script itself made before it (an
// upgrade script creating an older version of the routine and calling it at once). In a script that runs in its own
// session (psql), only the calls inside the routines it creates count: a procedure calling a function that returns
// holding a session lock leaves the lock on whatever connection runs the procedure.
import type { AnalysisOptions, Finding, LocalFlag, RoutineOverload, SettingParameter, StateFunction, WrittenSetting } from './types';
import { passedConstant } from './embeddedSettingPairs';
import { TypeEnvironment, reachableOverloads, routineParameters, sameSignature } from './routineOverloads';
import { rolledBackStatements, runsInOwnSession, severityFor, type PlacedFacts } from './context';
import type { Suppressions } from './suppression';
import { DOLLAR_QUOTE_TAG, skipNonCode } from './splitter';
import { leadingTrivia } from './sqlTrivia';
import { SCHEMA_PLACEHOLDER, SESSION_STATE_RULES, definedRoutine, definedRoutineSchema, indexedRoutineNames, schemaRoutineKey } from './routineDefinitions';
import { ADVISORY_SESSION } from './vocabulary';
import { isSnapshotCopy } from './schemaSnapshots';
import { callArguments, passedArgument, writtenBoolean } from './sqlBoolean';
import { callerClosing } from './routineConnections';
import type { Closing } from './bodyConnections';
import { droppedAfterCall } from './routineTempTables';

/**
 * Built-in functions that create session state, with the argument counts they take. A project's routine of the same
 * name (a `public.set_config(name, value)` wrapper) is reached only by a call with another count, or qualified with its
 * schema: pg_catalog is searched first, so `set_config(k, v, false)` in any body calls the built-in, which the body's own
 * analysis reads.
 */
const BUILTIN_ARGUMENT_COUNTS: ReadonlyMap<string, readonly number[]> = new Map([
  ['set_config', [3]],
  ...Object.entries(ADVISORY_SESSION).filter(([, replacement]) => replacement !== null).map(([name]): [string, number[]] => [name, [1, 2]]),
]);

const patterns = new WeakMap<ReadonlyMap<string, StateFunction>, RegExp>();

/** A schema qualifier before a routine's name: a (quoted) name and its dot, or a template's placeholder for one (`{schema}.`). */
const QUALIFIER = String.raw`(?:(?:"(?:[^"]|"")+"|[\w$]+)\s*\.\s*|${SCHEMA_PLACEHOLDER})`;

/** `name(`, optionally schema-qualified (also by a template's `{schema}.`) or quoted, for every indexed name (one regex per index). */
function callPattern(index: ReadonlyMap<string, StateFunction>): RegExp {
  let pattern = patterns.get(index);
  if (!pattern) {
    const names = indexedRoutineNames(index.keys()).map((name) => name.replace(/[$]/g, '\\$')).join('|');
    pattern = new RegExp(String.raw`(?<![\w$."{])${QUALIFIER}?("?)(${names})\1\s*\(`, 'gi');
    patterns.set(index, pattern);
  }
  return pattern;
}

/** The name is being defined, dropped, altered or commented on (`FUNCTION name(`, `FUNCTION IF EXISTS name(`), not called. */
const NAMED_AS_OBJECT = new RegExp(String.raw`\b(?:function|procedure|routine)\s+(?:if\s+exists\s+)?${QUALIFIER}?"?$`, 'i');
/**
 * The name is a table's, written before a column list (`CREATE TABLE commit (`, `REFERENCES commit(id)`, `INSERT INTO
 * log (…)`, `COPY items (…)`): a relation that shares a stateful routine's name, not a call of it.
 */
const NAMED_AS_RELATION = new RegExp(String.raw`\b(?:table\s+(?:if\s+not\s+exists\s+)?(?:only\s+)?|references\s+|into\s+|copy\s+)${QUALIFIER}?"?$`, 'i');
/**
 * A statement that only names routines, with their argument types, as the objects it acts on: `DROP FUNCTION [IF
 * EXISTS] a(text), b(uuid)`, `ALTER FUNCTION`, `COMMENT ON FUNCTION`, `GRANT EXECUTE ON FUNCTION a(int), b(int) TO
 * r`, `REVOKE … ON PROCEDURE`, `SECURITY LABEL … ON FUNCTION`, `ALTER EXTENSION e ADD FUNCTION`. Every name of its
 * list is an object, none a call (the later ones follow a comma, not the keyword).
 */
const NAMES_ROUTINES = /^(?:(?:drop|alter)\s+|comment\s+on\s+|security\s+label\s+(?:for\s+\S+\s+)?on\s+|(?:grant|revoke)\s[^;]*?\bon\s+|alter\s+extension\s+\S+\s+(?:add|drop)\s+)(?:function|procedure|routine|aggregate)\s/i;

/** The state a ROLLBACK undoes: a plain SET is transactional, and a temporary table made in the block is dropped. */
const ROLLBACK_UNDOES: ReadonlySet<string> = new Set(['session-set', 'temp-table']);

export function applyStateFunctionCalls(statements: readonly PlacedFacts[], options: AnalysisOptions, suppressions: Suppressions): Finding[] {
  const index = options.stateFunctions;
  if (!index || index.size === 0 || options.testScript) return [];
  // A script run in its own session (psql, an installer) keeps the calls in the bodies it creates: they run later, in
  // the sessions of whoever calls the routine. Its own statements run now, in that script's session.
  const ownSession = runsInOwnSession(statements, options);
  const pattern = callPattern(index);
  const findings: Finding[] = [];
  /** What the statements so far defined, by name: whether that definition's body creates session state. */
  const defined = new Map<string, boolean>();
  let rolledBack: Set<number> | undefined;
  for (const [position, statement] of statements.entries()) {
    const text = statement.text;
    // A template's statement (`CREATE PROCEDURE {schema}.load() …`, `CALL {schema}.load()`) calls what it names once filled in.
    if (!text || statement.facts.dialect || (statement.facts.syntaxError && !statement.facts.templated && !statement.facts.repairedTemplate)) continue;
    const definition = definedRoutine(text);
    // …except a routine it creates in pg_temp: only that same session can call it, so its body's calls run there too.
    if (ownSession && (definition === undefined || definedRoutineSchema(text) === 'pg_temp')) continue;
    // A schema snapshot's copy of a routine the project defines elsewhere: that definition's calls carry the findings.
    if (definition !== undefined && isSnapshotCopy(definition, options)) continue;
    if (!NAMES_ROUTINES.test(text.slice(leadingTrivia(text)))) {
      // A body runs later, when the last definition of all holds; a statement run now calls what the statements before it defined.
      // A call run now inside a block that ends in ROLLBACK: the rollback undoes the SET or temporary table its body made.
      const undone = definition === undefined && (rolledBack ??= rolledBackStatements(statements)).has(position);
      const calls = callFindings(statement, text, index, pattern, definition === undefined ? defined : undefined, definition, options, suppressions);
      findings.push(...(undone ? calls.filter((finding) => !ROLLBACK_UNDOES.has(finding.rule)) : calls));
    }
    if (definition !== undefined) defined.set(definition, statement.facts.candidates.some((c) => c.storedCode === true && SESSION_STATE_RULES.has(c.rule)));
  }
  return findings;
}

/**
 * The findings at the calls of indexed functions in one statement's code. `definedBefore` (for a statement run now)
 * holds what the statements before it defined: a call of a routine whose last definition there creates no session
 * state reaches that definition, not the indexed one. `definition`, for a statement that creates a routine: a call of
 * that same name in its body adds nothing to the body's own finding (a recursive call, or a built-in the routine
 * shadows and wraps: `set_config(name, value)` calling `set_config(name, value, false)`).
 */
function callFindings(statement: PlacedFacts, text: string, index: ReadonlyMap<string, StateFunction>, pattern: RegExp,
  definedBefore: ReadonlyMap<string, boolean> | undefined, definition: string | undefined, options: AnalysisOptions, suppressions: Suppressions): Finding[] {
  const findings: Finding[] = [];
  let notCode: number[] | undefined;
  let environment: TypeEnvironment | undefined;
  let leavesConnection = false;
  for (const match of text.matchAll(pattern)) {
    const at = match.index + match[0].indexOf(match[2]);
    notCode ??= textAndComments(text);
    const before = text.slice(Math.max(0, at - 80), at);
    if (NAMED_AS_OBJECT.test(before) || NAMED_AS_RELATION.test(before) || within(notCode, at)) continue;
    const name = match[2].toLowerCase();
    if (definedBefore?.get(name) === false || callsBuiltin(text, match, name)) continue;
    const indexed = indexedRoutine(index, match, name);
    if (!indexed || (name === definition && !indexed.overloads)) continue;
    const from = match.index! + match[0].length;
    const sites = indexed.overloads
      ? overloadCalled(indexed.overloads, text, match, name === definition, () => (environment ??= new TypeEnvironment(text, definition === undefined ? [] : routineParameters(text))))
      : leftState(indexed, text, from);
    if (sites.length === 0 || inOtherSchema(match, sites[0])) continue;
    const start = statement.start + at;
    for (const site of sites) {
      // A connection the caller's body closes again, itself or through the project's closing routine (routineConnections.ts).
      const connection = site.opensConnection && callerClosing(text, { start: match.index!, nameAt: at, from }, site.opensConnection, options.closingRoutines);
      if (connection && connection.closing === 'every way out') continue;
      // A wrapper's call after an earlier call that left a connection open: the body's finding is that first call's
      // (wrappers reuse the connection the body opened: `connect_if_not(db)`, then `remote_indexes(db)`).
      if (site.opensThroughCall && leavesConnection) continue;
      if (connection) leavesConnection = true;
      // Temporary tables the caller's body drops again right after the call (routineTempTables.ts).
      if (site.leavesTables && droppedAfterCall(text, from, site.leavesTables)) continue;
      const severity = severityFor(site.rule, options);
      if (!severity || suppressions.isSuppressed(site.rule, start)) continue;
      const finding: Finding = {
        rule: site.rule, severity, start, end: start + match[2].length,
        message: `${site.name}() creates session state in its body (${site.rule}): ${site.message}`,
        related: [{ message: `${site.name}() creates the session state here`, start: 0, end: 0, location: { file: site.file, range: site.range } }],
      };
      const written = site.settingParameter && writtenByCall(text, from, site.settingParameter);
      if (written) finding.writtenSetting = written;
      if (connection) leftOpenByCall(finding, connection);
      findings.push(finding);
    }
  }
  return findings;
}

/**
 * What a call of a routine that leaves a named dblink connection open leaves to the caller's own callers: the
 * connection, by the caller's name for it; nothing when the caller's body closes it on its normal path (only an error
 * leaves it open, as with a dblink_connect the body closes on its normal path only: bodyConnections.ts).
 */
function leftOpenByCall(finding: Finding, connection: { opened?: string; closing: Closing }): void {
  if (connection.closing === 'normal path') finding.errorPathOnly = true;
  else finding.leftConnection = connection.opened ?? '';
}

/**
 * The state a call whose `(` ends just before `from` leaves from one routine's body: the first finding of each rule
 * the body has (`otherRules`), less a set_config whose is_local the call passes as true.
 */
function leftState(site: StateFunction, text: string, from: number): StateFunction[] {
  return [site, ...(site.otherRules ?? [])].filter((rule) => !(rule.localFlag && passesTrue(text, from, rule.localFlag)));
}

/**
 * The state a call leaves when every overload it may reach (routineOverloads.ts) creates state at this call: the
 * first overload's first finding, with each other rule of its body that every other overload it may reach has too;
 * none when one may be stateless — or, in a body of a routine of the same name (`ownName`), may be that routine
 * itself (a recursive call adds nothing to the body's own finding).
 */
function overloadCalled(overloads: readonly RoutineOverload[], text: string, match: RegExpMatchArray, ownName: boolean,
  environment: () => TypeEnvironment): StateFunction[] {
  const from = match.index! + match[0].length;
  const args = callArguments(text, from);
  if (!args) return [];
  const reached = reachableOverloads(overloads, callQualifier(match), args, environment());
  const left = reached.map((o) => (o.site ? leftState(o.site, text, from) : []));
  if (reached.length === 0 || left.some((sites) => sites.length === 0)) return [];
  if (ownName) {
    const own = environment().parameters;
    if (own === undefined || reached.some((o) => o.parameters === undefined || sameSignature(o.parameters, own))) return [];
  }
  const [first, ...rest] = left[0];
  return [first, ...rest.filter((site) => left.every((sites) => sites.some((other) => other.rule === site.rule)))];
}

/**
 * Whether the call whose `(` ends just before `from` passes true (written as SQL writes a boolean: `true`, `'on'`,
 * `'t'::boolean`) for the routine's false-defaulting is_local parameter, by position or by name
 * (`set_session_config('app.user', $1, true)`, `…, is_local => true)`): that call's set_config is transaction-local, and
 * the session keeps nothing. A value decided at run time (`$3`, a column) may be false: still the routine's finding.
 */
function passesTrue(text: string, from: number, flag: LocalFlag): boolean {
  const argument = passedArgument(text, from, flag);
  return argument !== undefined && writtenBoolean(argument) === true;
}

/**
 * The custom setting a call of a routine that sets it from a parameter writes, with the constant the call passes for
 * that parameter (NULL as `''`; none for a value decided at run time): read as a module's setters and clears are
 * (embeddedSettingPairs.ts). Undefined when the call leaves the parameter to its default.
 */
function writtenByCall(text: string, from: number, parameter: SettingParameter): WrittenSetting | undefined {
  const argument = passedArgument(text, from, parameter);
  return argument === undefined ? undefined : { name: parameter.setting, value: passedConstant(argument), byRoutineCall: true };
}

/**
 * The indexed routine a call of `name` may reach: for a call qualified with a schema whose definition of the name a
 * later one in another schema hides, that schema's (stateFunctions.ts); otherwise the name's last definition, which
 * inOtherSchema then checks against the qualifier.
 */
function indexedRoutine(index: ReadonlyMap<string, StateFunction>, match: RegExpMatchArray, name: string): StateFunction | undefined {
  const qualifier = callQualifier(match);
  return (qualifier !== '' ? index.get(schemaRoutineKey(qualifier, name)) : undefined) ?? index.get(name);
}

/** The schema a call matched by callPattern is qualified with, lower case ('' when unqualified, or qualified with a template's `{schema}`: any schema). */
function callQualifier(match: RegExpMatchArray): string {
  const qualifier = match[0].slice(0, match[0].indexOf(match[2])).replace(/["\s.]/g, '').toLowerCase();
  return qualifier.startsWith('{') ? '' : qualifier;
}

/**
 * Whether the call names a schema other than the one the indexed definition names (`request.user_id()` against
 * `create function aula_secure.user_id(…)`): another routine of the same name. An unqualified call, or a definition
 * that names no schema, may be either: search_path decides, so it still counts.
 */
function inOtherSchema(match: RegExpMatchArray, site: StateFunction): boolean {
  const qualifier = callQualifier(match);
  return qualifier !== '' && site.schema !== undefined && qualifier !== site.schema;
}

/** Whether a call matched by callPattern reaches the built-in of that name: unqualified (or pg_catalog's) with the built-in's argument count. */
function callsBuiltin(text: string, match: RegExpMatchArray, name: string): boolean {
  const counts = BUILTIN_ARGUMENT_COUNTS.get(name);
  if (!counts) return false;
  const qualifier = callQualifier(match);
  if (qualifier !== '' && qualifier !== 'pg_catalog') return false;
  return qualifier === 'pg_catalog' || counts.includes(argumentCount(text, match.index! + match[0].length));
}

/** The number of top-level arguments of the call whose `(` ends just before `from` (literals and comments stepped over). */
function argumentCount(text: string, from: number): number {
  let depth = 1;
  let commas = 0;
  let any = false;
  for (let j = from; j < text.length; ) {
    const skipped = skipNonCode(text, j);
    if (skipped >= 0) {
      j = Math.max(skipped, j + 1);
      any = true;
      continue;
    }
    const c = text[j];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (--depth === 0) break;
    } else if (c === ',' && depth === 1) commas++;
    if (c > ' ' && depth >= 1) any = true;
    j++;
  }
  return any ? commas + 1 : 0;
}

const DOLLAR_TAG = new RegExp(DOLLAR_QUOTE_TAG, 'y');

/**
 * A job scheduler's call whose string arguments are commands it runs later on a connection of its own, never in
 * the caller's session: pg_cron's `cron.schedule(…)`, `cron.schedule_in_database(…)` and `cron.alter_job(…)`,
 * pg_timetable's `timetable.add_job(…)`.
 */
const SCHEDULER_CALL = /\b(?:cron\s*\.\s*(?:schedule|schedule_in_database|alter_job)|timetable\s*\.\s*add_job)\s*\(/gi;

/**
 * The ranges of a statement that are no code, as [start, end) pairs: string literals (a RAISE message
 * naming a function, `'… tenant_enter(…) …'`) and comments. A dollar-quoted function body is code (its
 * calls run), so only its delimiters are stepped over and its own literals and comments are found too; a
 * dollar-quoted command handed to a job scheduler (`cron.schedule('nightly', '0 3 * * *', $job$ CALL …; $job$)`)
 * is a literal like any other.
 */
function textAndComments(text: string): number[] {
  const ranges: number[] = [];
  const scheduled = schedulerArguments(text);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && !/[\w$]/.test(text[i - 1] ?? ' ')) {
      DOLLAR_TAG.lastIndex = i;
      if (!DOLLAR_TAG.test(text)) continue;
      if (within(scheduled, i)) {
        const end = skipNonCode(text, i);
        ranges.push(i, end);
        i = end - 1;
      } else {
        i = DOLLAR_TAG.lastIndex - 1;
      }
      continue;
    }
    if (c !== "'" && c !== '-' && c !== '/') continue;
    const end = skipNonCode(text, i);
    if (end < 0) continue;
    ranges.push(i, end);
    i = end - 1;
  }
  return ranges;
}

/** The argument lists of the job scheduler calls in a statement, as [start, end) pairs (parentheses matched, literals and comments stepped over). */
function schedulerArguments(text: string): number[] {
  if (!/\b(?:cron|timetable)\b/i.test(text)) return [];
  const ranges: number[] = [];
  for (const match of text.matchAll(SCHEDULER_CALL)) {
    const open = match.index + match[0].length - 1;
    if (within(ranges, open)) continue;
    let depth = 1;
    let j = open + 1;
    while (j < text.length && depth > 0) {
      const skipped = skipNonCode(text, j);
      if (skipped >= 0) {
        j = skipped;
        continue;
      }
      if (text[j] === '(') depth++;
      else if (text[j] === ')') depth--;
      j++;
    }
    ranges.push(open, j);
  }
  return ranges;
}

function within(ranges: readonly number[], at: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (ranges[k] <= at && at < ranges[k + 1]) return true;
  return false;
}
