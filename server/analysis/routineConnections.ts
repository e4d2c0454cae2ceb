// dblink connections the project's own routines open and close. A call of a routine whose body leaves a named
// connection open (`app.open_link()`: a dblink_connect and no disconnect) is the caller's session-extension finding
// (stateFunctionCalls.ts) — unless the same body later calls a routine of the project that surely closes that same
// connection (`app.close_link(link)`, whose body reaches a dblink_disconnect of its parameter on every path) with no
// way out between, or the body's own dblink_disconnect of it: the two calls then pair as `dblink_connect` … `dblink_disconnect` in one body do
// (bodyConnections.ts), one call of the caller running on one server connection. The connection is matched by how the
// caller names it: a name both routines write, the argument its calls pass, or the opener's returned name kept in a
// variable (`v := app.open_link()`, `SELECT * INTO v FROM app.open_link()`) and passed to the closer. A closer that may
// skip its disconnect (in a branch, after a RETURN or a RAISE) closes nothing here.
import type { ClosingOverload, ClosingRoutine, RoutineConnection } from './types';
import { DOLLAR_QUOTE_TAG, splitStatements } from './splitter';
import { ROUTINE_DEFINITIONS, definedRoutine, definedRoutineSchema, unqualifiedName } from './routineDefinitions';
import { reachableOverloads, routineParameters, sameSignature } from './routineOverloads';
import { armsApart, flowEvents, raisesBetween, surelyReaches } from './bodyFlow';
import { connectionClosing, type Closing } from './bodyConnections';
import { callArguments, passedArgument } from './sqlBoolean';
import { replaceLiteralsAndComments } from './templatePlaceholders';
import { embeddedRoutineText, isScriptFile } from './embeddedRoutines';
import { isTestScript } from './ownSession';
import { escapeRegExp } from './regexText';

/** `AS $tag$` or `DO $tag$` opening a routine's or DO block's body. */
const BODY_OPENING = new RegExp(String.raw`\b(?:as|do)\s+(${DOLLAR_QUOTE_TAG})`, 'i');

/** A routine's or DO block's dollar-quoted body, and where it starts in the statement. */
export function dollarQuotedBody(statement: string): { body: string; start: number } | undefined {
  const open = BODY_OPENING.exec(statement);
  if (!open) return undefined;
  const start = open.index + open[0].length;
  const end = statement.indexOf(open[1], start);
  return end < 0 ? undefined : { body: statement.slice(start, end), start };
}

/** A connection's name (or a lock key) as written, compared as bodyConnections.ts compares them: blanks dropped, lower case. */
function connectionKey(written: string): string {
  return written.replace(/\s+/g, '').toLowerCase();
}

const QUOTED_NAME = /^'(?:[^']|'')*'$/;
const VARIABLE = /^[a-z_][\w$]*$/;

/** The input parameter `written` (a name or `$n`, as connectionKey writes it) of a definition, if it is one. */
function parameterNamed(definition: string, written: string): { parameter: number; name?: string } | undefined {
  const positional = /^\$(\d+)$/.exec(written);
  if (positional) return { parameter: Number(positional[1]) };
  if (!VARIABLE.test(written)) return undefined;
  const position = (routineParameters(definition) ?? []).findIndex((parameter) => parameter.name?.toLowerCase() === written);
  return position < 0 ? undefined : { parameter: position + 1, name: written };
}

/** `RETURN <value>;` (not RETURN NEXT/QUERY), in a body's code. */
const RETURNED_VALUE = /\breturn\b(?!\s+(?:next|query)\b)([^;]*);/gi;

/**
 * How callers name the connection a routine's body leaves open with `dblink_connect(<connectArgument>, …)`: a written
 * name, a parameter, or a variable the body returns at every RETURN; undefined when none of these.
 */
export function openedConnection(definition: string, connectArgument: string): RoutineConnection | undefined {
  const written = connectionKey(connectArgument);
  if (QUOTED_NAME.test(written)) return { fixed: written };
  const parameter = parameterNamed(definition, written);
  if (parameter) return parameter;
  const body = dollarQuotedBody(definition);
  if (!body || !VARIABLE.test(written)) return undefined;
  const returned = [...replaceLiteralsAndComments(body.body).matchAll(RETURNED_VALUE)].map((match) => connectionKey(match[1]));
  return returned.length > 0 && returned.every((value) => value === written) ? { returned: true } : undefined;
}

/** The first argument of the call whose name ends at `nameEnd` (its `(` next, after blanks), if the call closes in the text. */
export function firstCallArgument(text: string, nameEnd: number): string | undefined {
  const open = /^\s*\(/.exec(text.slice(nameEnd, nameEnd + 200));
  return open ? callArguments(text, nameEnd + open[0].length)?.[0] : undefined;
}

const DISCONNECT_CALL = /\bdblink_disconnect\s*\(/gi;

/**
 * The connection a routine's body surely closes: a dblink_disconnect of one written name or one of its parameters that
 * every run reaching the body's end passes (not in a branch, not after a RETURN or a RAISE that throws).
 */
function closedConnection(definition: string): ClosingRoutine['closes'] | undefined {
  const body = dollarQuotedBody(definition);
  if (!body) return undefined;
  const code = replaceLiteralsAndComments(body.body);
  const events = flowEvents(body.body);
  // From inside the body's outermost block: its BEGIN is the first block opened.
  const start = events.find((event) => event.block)?.at;
  if (start === undefined) return undefined;
  for (const call of code.matchAll(DISCONNECT_CALL)) {
    const args = callArguments(body.body, call.index! + call[0].length);
    if (args?.length !== 1 || !surelyReaches(events, start, call.index!) || raisesBetween(body.body, start, call.index!)) continue;
    const written = connectionKey(args[0]);
    if (QUOTED_NAME.test(written)) return { fixed: written };
    const parameter = parameterNamed(definition, written);
    if (parameter) return parameter;
  }
  return undefined;
}

/**
 * The workspace's routines whose bodies surely close a dblink connection (`documents` in path order, as the index of
 * state functions reads them: a later definition of a signature replaces an earlier one, a test script defines
 * nothing). A name defined with several parameter lists keeps them all (ClosingRoutine.overloads): a call of an
 * overload that does not disconnect closes nothing.
 */
export function closingRoutineIndex(documents: Iterable<{ path: string; text: string }>): Map<string, ClosingRoutine> {
  const definitions = new Map<string, ClosingOverload[]>();
  for (const { path, text } of [...documents].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const sql = isScriptFile(path) ? embeddedRoutineText(text, path) : text;
    if (sql === undefined || !/\bcreate\b/i.test(sql)) continue;
    if (!/\bdblink_disconnect\b/i.test(sql)) {
      // Only what the file redefines matters: a scan, with no split. Which overload it redefines is not read: none closes.
      if (definitions.size > 0) for (const match of sql.matchAll(ROUTINE_DEFINITIONS)) definitions.delete(unqualifiedName(match[1]));
      continue;
    }
    if (isTestScript(sql, path)) continue;
    for (const span of splitStatements(sql)) {
      const name = definedRoutine(span.text);
      if (name === undefined) continue;
      const closes = /\bdblink_disconnect\b/i.test(span.text) ? closedConnection(span.text) : undefined;
      const schema = definedRoutineSchema(span.text);
      const parameters = routineParameters(span.text);
      const overload: ClosingOverload = { ...(schema !== undefined ? { schema } : {}), ...(parameters ? { parameters } : {}), ...(closes ? { closes } : {}) };
      // A definition of the same signature replaces the earlier one; one whose parameters are unread may be any of them.
      const kept = parameters ? (definitions.get(name) ?? []).filter((other) => other.parameters && !sameSignature(other.parameters, parameters)) : [];
      definitions.set(name, [...kept, overload]);
    }
  }
  const index = new Map<string, ClosingRoutine>();
  for (const [name, overloads] of definitions) {
    const closing = overloads.find((overload) => overload.closes);
    if (!closing?.closes) continue;
    const schema = closing.schema !== undefined ? { schema: closing.schema } : {};
    index.set(name, overloads.length === 1 ? { ...schema, closes: closing.closes } : { ...schema, closes: closing.closes, overloads });
  }
  return index;
}

/**
 * What the call of a closing routine (its `(` ends at `from` in `text`; `qualifier` the schema it names, '' for none)
 * surely closes: the routine's connection, or with overloads, that of the one overload the call can reach when that one
 * surely closes; undefined otherwise.
 */
function closedByCall(closer: ClosingRoutine, text: string, from: number, qualifier: string): ClosingRoutine['closes'] | undefined {
  if (!closer.overloads) return closer.closes;
  const args = callArguments(text, from);
  if (!args) return undefined;
  const reached = reachableOverloads(closer.overloads, qualifier, args);
  return reached.length === 1 ? (reached[0] as ClosingOverload).closes : undefined;
}

/** A qualifier and a name with the `(` of its call, for one set of names. */
function callsOf(names: readonly string[]): RegExp {
  return new RegExp(String.raw`(?<![\w$."])(?:([\w$]+)\s*\.\s*)?(${names.map(escapeRegExp).join('|')})\s*\(`, 'gi');
}

/**
 * How the caller names the connection the call of an opening routine at `call.start` (its qualifier or name; the name at
 * `nameAt`; its `(` ends just before `from`) leaves open, and how surely the caller's body closes it again (see the file
 * comment): by a later call of a closing routine of the project, or by the body's own `dblink_disconnect` of that name,
 * with no way out between ('every way out'), only on the normal path, or not surely. Offsets are the statement's.
 */
export function callerClosing(text: string, call: { start: number; nameAt: number; from: number }, opens: RoutineConnection, closers: ReadonlyMap<string, ClosingRoutine> | undefined): { opened?: string; closing: Closing } {
  const { nameAt, from } = call;
  const { name: opened, body } = callerName(text, call, opens);
  if (!body || opened === undefined) return { opened, closing: 'not surely' };
  const code = replaceLiteralsAndComments(body.body);
  const closes = [...closingCalls(body, code, from, opened, closers ?? new Map()), ...ownDisconnects(body, code, from, opened)];
  // A variable holding the opened name that is assigned again before a close: that close closes another connection.
  // An assignment in another arm of the branch that opens is not on the way (`IF … THEN v := open(); ELSE v := p; END IF`).
  const openEnd = Math.max(from - body.start, code.indexOf(';', from - body.start));
  const events = flowEvents(body.body);
  const reassigned = (close: number) => assignmentsBetween(code, opened, openEnd, close)
    .some((assignment) => !armsApart(events, nameAt - body.start, assignment, close));
  const pairing = VARIABLE.test(opened) ? closes.filter((close) => !reassigned(close - body.start)) : closes;
  return { opened, closing: pairing.length > 0 ? connectionClosing(code, body.start, nameAt, pairing) : 'not surely' };
}

/** Where the body calls a closing routine of the project on the connection `opened` after `from` (statement offsets, at the name). */
function closingCalls(body: { body: string; start: number }, code: string, from: number, opened: string, closers: ReadonlyMap<string, ClosingRoutine>): number[] {
  if (closers.size === 0) return [];
  const closes: number[] = [];
  for (const call of code.matchAll(callsOf([...closers.keys()]))) {
    const at = body.start + call.index!;
    const closer = closers.get(call[2].toLowerCase());
    if (at <= from || !closer || (call[1] !== undefined && closer.schema !== undefined && !closer.overloads && call[1].toLowerCase() !== closer.schema)) continue;
    const argumentsAt = call.index! + call[0].length;
    const connection = closedByCall(closer, body.body, argumentsAt, call[1]?.toLowerCase() ?? '');
    if (!connection) continue;
    const closed = 'fixed' in connection ? connection.fixed : passedArgument(body.body, argumentsAt, { position: connection.parameter, name: connection.name });
    if (closed !== undefined && connectionKey(closed) === opened) closes.push(at + call[0].indexOf(call[2]));
  }
  return closes;
}

/** Where the body's own `dblink_disconnect(<opened>)` calls after `from` are (statement offsets). */
function ownDisconnects(body: { body: string; start: number }, code: string, from: number, opened: string): number[] {
  return [...code.matchAll(DISCONNECT_CALL)].filter((call) => {
    const args = callArguments(body.body, call.index! + call[0].length);
    return body.start + call.index! > from && args?.length === 1 && connectionKey(args[0]) === opened;
  }).map((call) => body.start + call.index!);
}

const BLOCK_WORD = /\b(?:begin|then|else|loop)\b/gi;

/** The head of the statement holding a call (code up to the call's start): after the last `;` or block word before it. */
function statementHead(code: string, callStart: number): string {
  const after = code.lastIndexOf(';', callStart - 1) + 1;
  const before = code.slice(after, callStart);
  let start = 0;
  for (const word of before.matchAll(BLOCK_WORD)) start = word.index! + word[0].length;
  return before.slice(start);
}

/**
 * How the caller names what the call of a routine at `call.start` hands back or is passed (connectionKey's form: a
 * connection, a lock key), or undefined when not known; the body the call sits in, when in one.
 */
function callerName(text: string, call: { start: number; nameAt: number; from: number }, names: RoutineConnection): { name?: string; body?: { body: string; start: number } } {
  const found = dollarQuotedBody(text);
  const body = found !== undefined && call.start >= found.start && call.nameAt < found.start + found.body.length ? found : undefined;
  return { name: openedName(text, body, call, names), body };
}

/** How the caller names the connection the call opens (connectionKey's form), or undefined when not known. */
function openedName(text: string, body: { body: string; start: number } | undefined, call: { start: number; nameAt: number; from: number }, opens: RoutineConnection): string | undefined {
  const { nameAt, from } = call;
  if ('fixed' in opens) return opens.fixed;
  if ('parameter' in opens) {
    const passed = passedArgument(text, from, { position: opens.parameter, name: opens.name });
    return passed === undefined ? undefined : connectionKey(passed);
  }
  if (!body) return undefined;
  // The returned name: kept in the variable the statement assigns the call's result to.
  const code = replaceLiteralsAndComments(body.body);
  const head = statementHead(code, call.start - body.start);
  const statementEnd = code.indexOf(';', from - body.start);
  const statement = head + code.slice(nameAt - body.start, statementEnd < 0 ? undefined : statementEnd);
  const assigned = /^\s*([a-z_][\w$]*)\s*:?=\s*$/i.exec(head)?.[1]
    ?? (/^\s*select\b/i.test(statement) ? /\binto\s+(?:strict\s+)?([a-z_][\w$]*)\b(?!\s*[,.])/i.exec(statement)?.[1] : undefined);
  return assigned?.toLowerCase();
}

/**
 * Where the body (`code`, literals and comments blanked) assigns the variable `name` between two body offsets:
 * `name := …` (or a statement `name = …`), `SELECT/FETCH/EXECUTE … INTO … name`, or a FOR loop over it.
 */
function assignmentsBetween(code: string, name: string, from: number, to: number): number[] {
  const variable = escapeRegExp(name);
  // One template, so the regex-safety test reads the whole pattern (a name stands where `${variable}` is).
  const assignment = new RegExp(String.raw`(?<![\w$.])${variable}\s*:=|(?:^|;|\b(?:begin|then|else|loop)\b)\s*${variable}\s*=(?!=)|\binto\s+(?:strict\s+)?(?:[\w$]+\s*,\s*)*${variable}(?![\w$])|\bfor\s+(?:[\w$]+\s*,\s*)*${variable}\s+in\b`, 'gi');
  // At the variable itself, not at the `;` or block word a `name = …` statement is matched after.
  const written = new RegExp(String.raw`(?<![\w$])${variable}(?![\w$])`, 'i');
  return [...code.slice(from, to).matchAll(assignment)].map((match) => from + match.index! + Math.max(0, match[0].search(written)));
}
