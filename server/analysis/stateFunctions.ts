// The functions a workspace's .sql files define whose bodies create session state (set_config(…,
// false), SET without LOCAL, pg_advisory_lock, LISTEN, PREPARE, CREATE TEMP TABLE, dynamic EXECUTE of
// those): found by the same analysis that flags the bodies. Their calls become findings too
// (stateFunctionCalls.ts). A later definition of the same name replaces an earlier one, so a
// migration that fixes a function clears it (files in path order, definitions in file order).
import type { ClosingRoutine, Finding, RoutineConnection, RoutineOverload, RuleId, SettingParameter, StateFunction } from './types';
import { firstCallArgument, openedConnection } from './routineConnections';
import { createdTemporaryTable } from './routineTempTables';
import { routineParameters, sameSignature } from './routineOverloads';
import { analyzeSqlPieces, factsOfOnly } from './pieces';
import { LineIndex } from './positions';
import { splitStatements } from './splitter';
import { isTestScript } from './ownSession';
import { releasesAdvisoryLock } from './detect';
import { embeddedRoutineText, isScriptFile } from './embeddedRoutines';
import { escapeRegExp } from './regexText';
import { ROUTINE_DEFINITION as DEFINITION, SESSION_STATE_RULES, definedRoutine, definedRoutineSchema, indexedRoutineNames, schemaRoutineKey } from './routineDefinitions';


/**
 * Each function or procedure one SQL text defines, with the state its body creates (undefined: none).
 * A test script's functions live in its test database only: they define nothing the application calls.
 */
export function definedFunctions(text: string, file: string, openers?: ConnectionOpeners): { name: string; site?: StateFunction; definition: string }[] {
  if (!/\bcreate\b/i.test(text) || !/\b(?:function|procedure)\b/i.test(text) || isTestScript(text, file)) return [];
  const spans = splitStatements(text).filter((span) => DEFINITION.test(span.text));
  if (spans.length === 0) return [];
  // Only the definitions are parsed: the findings read are those inside them, from their bodies (stored
  // code: no transaction context applies), and a 1 MB file with one function is not analysed twice over.
  // The whole text still goes through, for its suppression comments and psql-script detection.
  const definitionFacts = factsOfOnly((statement) => DEFINITION.test(statement));
  const bodyFindings = analyzeSqlPieces([text], undefined, false, definitionFacts).filter((finding) => SESSION_STATE_RULES.has(finding.rule));
  const findings = openers ? [...bodyFindings, ...connectionLeavingCalls(text, openers, definitionFacts)].sort((a, b) => a.start - b.start) : bodyFindings;
  const lines = new LineIndex(text);
  return spans.map((span) => {
    const name = definedRoutine(span.text)!;
    // A body that only releases an advisory lock (an unlock helper) leaves no state behind, nor does one that
    // leaves a dblink connection open only when it fails midway: their calls are no finding.
    // A connection left open through another routine's call counts when the body's callers can name it (its parameter, a
    // written name, the name it returns): a handle kept in a local variable is the body's own to close, which is not read.
    const inside = findings.filter((finding) => finding.start >= span.start && finding.start < span.end && !releasesLock(text, finding) && !finding.errorPathOnly
      && (finding.leftConnection === undefined || openedConnection(span.text, finding.leftConnection) !== undefined));
    if (inside.length === 0) return { name, definition: span.text };
    const schema = definedRoutineSchema(span.text);
    // The first finding of each rule: a call leaves every kind of state the body makes, one finding per kind.
    const sites = inside.filter((finding, i) => inside.findIndex((other) => other.rule === finding.rule) === i).map((finding) => {
      const range = { start: lines.positionAt(finding.start), end: lines.positionAt(finding.end) };
      const site: StateFunction = { name, schema, rule: finding.rule, message: finding.message, file, range };
      if (finding.localFlag) site.localFlag = finding.localFlag;
      if (finding.rule === 'session-set') {
        const settingParameter = soleSettingParameter(inside, span.text);
        if (settingParameter) site.settingParameter = settingParameter;
      }
      if (finding.rule === 'session-extension') {
        const opensConnection = soleOpenedConnection(inside, text, span.text);
        if (opensConnection) site.opensConnection = opensConnection;
        if (finding.leftConnection) site.opensThroughCall = true;
      }
      if (finding.rule === 'temp-table') {
        const leavesTables = namedTemporaryTables(inside, text);
        if (leavesTables) site.leavesTables = leavesTables;
      }
      return site;
    });
    const [site, ...otherRules] = sites;
    if (otherRules.length > 0) site.otherRules = otherRules;
    return { name, site, definition: span.text };
  });
}

/** The routines whose calls leave a named dblink connection open (by name), as one pass of the index reads them. */
interface ConnectionOpeners {
  stateFunctions: ReadonlyMap<string, StateFunction>;
  closingRoutines?: ReadonlyMap<string, ClosingRoutine>;
}

/**
 * How many routine calls deep a named dblink connection is followed from a caller: to the routine that connects
 * through one wrapper (`connect_if_not()` calling `open_link()`), not through a wrapper of a wrapper, whose callers
 * mostly run long after the connection was opened (a scheduler's entry point).
 */
const MAX_CONNECTION_DEPTH = 2;

/**
 * The index of `documents` (path order): .sql files, and TS/JS files whose string literals define routines. With the
 * workspace's closing routines, a routine whose body leaves a named dblink connection open through a call of an
 * indexed routine (a "connect if not connected" wrapper, not closing it again) is indexed too, its calls the callers'
 * findings: the connection stays open however many calls deep its dblink_connect sits.
 */
export function stateFunctionIndex(documents: Iterable<{ path: string; text: string }>, closingRoutines?: ReadonlyMap<string, ClosingRoutine>): Map<string, StateFunction> {
  const files = [...documents].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map(({ path, text }) => {
    const script = isScriptFile(path);
    return { path, script, sql: script ? embeddedRoutineText(text, path) : text };
  });
  let definitions = files.map(({ path, sql }) => (sql === undefined ? [] : definedFunctions(sql, path)));
  let index = indexOf(files, definitions);
  for (let depth = 1; depth < MAX_CONNECTION_DEPTH; depth++) {
    const openers = connectionOpeners(index);
    if (openers.size === 0) break;
    const callsAnOpener = new RegExp(String.raw`(?<![\w$])(?:${indexedRoutineNames(openers.keys()).map(escapeRegExp).join('|')})\s*\(`, 'i');
    definitions = files.map(({ path, sql }, i) => (sql !== undefined && callsAnOpener.test(sql)
      ? definedFunctions(sql, path, { stateFunctions: openers, closingRoutines }) : definitions[i]));
    const next = indexOf(files, definitions);
    const unchanged = sameOpeners(openers, connectionOpeners(next));
    index = next;
    if (unchanged) break;
  }
  return index;
}

/**
 * The index the files' definitions make (path order; see stateFunctionIndex), by name: the last definition of each name,
 * which an unqualified call reaches. Where several schemas define a name, each in files of its own (`ledger.stage()` in
 * one, `audit.stage()` in a later one), PostgreSQL keeps them side by side: a later definition replaces only its own
 * schema's (or, naming no schema, every one), and a stateful one that the name's last definition hides stays under its
 * schemaRoutineKey, for the calls qualified with its schema.
 */
function indexOf(files: readonly { script: boolean; sql: string | undefined }[], definitions: readonly ReturnType<typeof definedFunctions>[]): Map<string, StateFunction> {
  const index = new Map<string, StateFunction>();
  /** Per name, the last definition of each schema that named one (its state, if any) since one that named none. */
  const bySchema = new Map<string, Map<string, StateFunction | undefined>>();
  for (const [i, { script, sql }] of files.entries()) {
    // A TS/JS file's definitions are those its string literals hold (embeddedRoutines.ts). They add state-creating
    // routines, and never clear one: a literal that only looks like a definition, or one in code that never runs, must
    // not hide a .sql file's.
    if (sql === undefined) continue;
    for (const { name, schema, site } of withOverloads(definitions[i])) {
      if (site) index.set(name, site);
      else if (script) continue;
      else index.delete(name);
      const schemas = bySchema.get(name);
      if (schema === undefined) bySchema.delete(name);
      else if (schemas) schemas.set(schema, site);
      else bySchema.set(name, new Map([[schema, site]]));
    }
  }
  for (const [name, schemas] of bySchema) {
    for (const [schema, site] of schemas) if (site && index.get(name) !== site) index.set(schemaRoutineKey(schema, name), site);
  }
  return index;
}

/**
 * The indexed routines whose calls leave one named dblink connection open that callers can name (opensConnection),
 * each with that finding alone. A name with overloads is left out: which of them a wrapper calls is not followed.
 */
function connectionOpeners(index: ReadonlyMap<string, StateFunction>): Map<string, StateFunction> {
  const openers = new Map<string, StateFunction>();
  for (const [name, site] of index) {
    const opening = site.overloads ? undefined : [site, ...(site.otherRules ?? [])].find((rule) => rule.rule === 'session-extension' && rule.opensConnection);
    if (!opening) continue;
    const { otherRules: _rules, overloads: _overloads, ...alone } = opening;
    openers.set(name, alone);
  }
  return openers;
}

function sameOpeners(a: ReadonlyMap<string, StateFunction>, b: ReadonlyMap<string, StateFunction>): boolean {
  return a.size === b.size && [...a].every(([name, site]) => JSON.stringify(b.get(name)?.opensConnection) === JSON.stringify(site.opensConnection));
}

/**
 * The calls in a text's routine bodies of routines that leave a named dblink connection open and that the body does
 * not close again (stateFunctionCalls.ts reads them, pairing each with the body's closes): what the body leaves open.
 */
function connectionLeavingCalls(text: string, openers: ConnectionOpeners, definitionFacts: ReturnType<typeof factsOfOnly>): Finding[] {
  return analyzeSqlPieces([text], openers, false, definitionFacts).filter((finding) => finding.rule === 'session-extension' && finding.leftConnection);
}

/**
 * One file's definitions, one per name: where the file defines a name with several parameter lists (overloads, which
 * PostgreSQL keeps side by side), the last stateful one carries them all (`overloads`), and a stateless one no longer
 * hides a stateful overload. A later definition of the same parameter types replaces the earlier, as CREATE OR REPLACE
 * does; so does any later definition of its schema, in the next file (a migration that changes a routine's parameters
 * drops the old one: indexOf), or when a definition's parameters cannot be read. Each with the schema that all of the
 * file's definitions of the name name, if they name one.
 */
function withOverloads(definitions: { name: string; site?: StateFunction; definition: string }[]): { name: string; schema?: string; site?: StateFunction }[] {
  const byName = new Map<string, { site?: StateFunction; definition: string }[]>();
  for (const { name, site, definition } of definitions) {
    const list = byName.get(name);
    if (list) list.push({ site, definition });
    else byName.set(name, [{ site, definition }]);
  }
  const result: { name: string; schema?: string; site?: StateFunction }[] = [];
  for (const [name, list] of byName) {
    const last = list[list.length - 1];
    const schemas = new Set(list.map(({ definition }) => definedRoutineSchema(definition)));
    const schema = schemas.size === 1 ? [...schemas][0] : undefined;
    if (list.length === 1) {
      result.push({ name, ...(schema !== undefined ? { schema } : {}), site: last.site });
      continue;
    }
    const overloads: RoutineOverload[] = [];
    let readable = true;
    for (const { site, definition } of list) {
      const parameters = routineParameters(definition);
      if (parameters === undefined) {
        readable = false;
        break;
      }
      const schema = definedRoutineSchema(definition);
      const same = overloads.findIndex((o) => o.schema === schema && sameSignature(o.parameters!, parameters));
      if (same >= 0) overloads.splice(same, 1);
      overloads.push({ ...(schema !== undefined ? { schema } : {}), parameters, ...(site ? { site } : {}) });
    }
    const stateful = readable ? overloads.filter((o) => o.site !== undefined) : [];
    const named = schema !== undefined ? { schema } : {};
    if (!readable || overloads.length === 1 || stateful.length === 0) result.push({ name, ...named, site: readable && overloads.length === 1 ? overloads[0].site : last.site });
    else result.push({ name, ...named, site: { ...stateful[stateful.length - 1].site!, overloads } });
  }
  return result;
}

/**
 * The custom setting a body sets from one of its parameters, when that `set_config(…, false)` is the body's only session
 * setting and the body gives the parameter no other value first: what a call passing NULL for that parameter clears
 * (embeddedSettingPairs.ts).
 */
function soleSettingParameter(bodyFindings: readonly Finding[], definition: string): SettingParameter | undefined {
  const sets = bodyFindings.filter((finding) => finding.rule === 'session-set');
  const parameter = sets.length === 1 ? sets[0].settingParameter : undefined;
  if (!parameter || (parameter.name !== undefined && assignsTo(definition, parameter.name))) return undefined;
  return parameter;
}

/** The temporary tables a body's temp-table findings create, when each names its table whole (routineTempTables.ts). */
function namedTemporaryTables(bodyFindings: readonly Finding[], text: string): string[] | undefined {
  const tables = bodyFindings.filter((finding) => finding.rule === 'temp-table').map((finding) => createdTemporaryTable(text, finding.start));
  return tables.every((table): table is string => table !== undefined) ? [...new Set(tables)] : undefined;
}

/**
 * The dblink connection a body leaves open, when its every session-extension finding is a dblink_connect of one
 * connection (routineConnections.ts): what a call of a closing routine may close after a call of this one.
 */
function soleOpenedConnection(bodyFindings: readonly Finding[], text: string, definition: string): RoutineConnection | undefined {
  const connects = bodyFindings.filter((finding) => finding.rule === 'session-extension');
  // A dblink_connect's first argument, or the name a call of a routine that leaves one open gives it (stateFunctionCalls.ts).
  const names = connects.map((finding) => (/^dblink_connect(?:_u)?$/i.test(text.slice(finding.start, finding.end)) ? firstCallArgument(text, finding.end) : finding.leftConnection || undefined));
  const first = names[0];
  if (first === undefined || names.some((name) => name === undefined || name.replace(/\s+/g, '') !== first.replace(/\s+/g, ''))) return undefined;
  return openedConnection(definition, first);
}

/** Whether a body may give its parameter another value before using it (`p := coalesce(p, 'anon')`, `SELECT … INTO p`). */
function assignsTo(definition: string, parameter: string): boolean {
  const name = escapeRegExp(parameter);
  return new RegExp(String.raw`(?<![\w$."])"?${name}"?[ \t]*:=|^[ \t]*"?${name}"?[ \t]*=|\binto\s+(?:strict\s+)?"?${name}"?(?![\w$])`, 'im').test(definition);
}

/** Whether the finding is at a call of a function that releases an advisory lock (the finding's range is the called name). */
function releasesLock(text: string, finding: { rule: RuleId | string; start: number; end: number }): boolean {
  return finding.rule === 'advisory-lock' && releasesAdvisoryLock(text.slice(finding.start, finding.end));
}
