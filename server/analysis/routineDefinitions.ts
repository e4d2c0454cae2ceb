// How a statement that creates a function or procedure is recognised, and the name it defines: shared by the
// workspace index of routines whose bodies create session state (stateFunctions.ts) and the finder of their
// calls (stateFunctionCalls.ts), which needs to know what a script itself defined before a call. No parser here.
import { LEADING_SQL_TRIVIA } from './sqlTrivia';
import type { RuleId } from './types';

/** Rules about state a function body leaves in the caller's session. */
export const SESSION_STATE_RULES: ReadonlySet<RuleId> = new Set<RuleId>([
  'session-set', 'prepared-statement', 'temp-table', 'advisory-lock', 'listen', 'cursor-with-hold', 'load', 'session-extension',
]);

/**
 * A template's placeholder standing for the schema, Python str.format's `{schema}` (templatePlaceholders.ts), followed
 * by its dot: `CREATE PROCEDURE {schema}.refresh()` in a file the program formats before sending. The schema it names is unknown.
 */
export const SCHEMA_PLACEHOLDER = String.raw`\{\w+\}\s*\.\s*`;

/** CREATE [OR REPLACE] FUNCTION/PROCEDURE and the routine's (possibly qualified, possibly quoted) name, captured: the one grammar of both patterns below. */
const ROUTINE_HEAD = String.raw`create\s+(?:or\s+replace\s+)?(?:function|procedure)\s+((?:${SCHEMA_PLACEHOLDER})?(?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))*)`;

/** A statement that creates a function or procedure (after the blanks and comments before it), with its name. */
export const ROUTINE_DEFINITION = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}${ROUTINE_HEAD}`, 'i');

/** Every CREATE [OR REPLACE] FUNCTION/PROCEDURE name in a text (a scan: no statement split, no parse; use with matchAll). */
export const ROUTINE_DEFINITIONS = new RegExp(String.raw`\b${ROUTINE_HEAD}`, 'gi');

/** The routine a statement creates: its unqualified name in lower case (quotes removed), or undefined for another statement. */
export function definedRoutine(statement: string): string | undefined {
  const qualified = ROUTINE_DEFINITION.exec(statement)?.[1];
  return qualified === undefined ? undefined : unqualifiedName(qualified);
}

/**
 * The schema a statement creating a routine names for it (`create function app.f()` → `app`), lower case unless quoted;
 * undefined when unqualified, or qualified with a template's placeholder (`{schema}.f`: any schema).
 */
export function definedRoutineSchema(statement: string): string | undefined {
  const qualified = ROUTINE_DEFINITION.exec(statement)?.[1];
  const parts = qualified?.match(/"(?:[^"]|"")+"|[^.\s"]+/g);
  return parts && parts.length > 1 && !parts[parts.length - 2].startsWith('{') ? identifierName(parts[parts.length - 2]) : undefined;
}

/**
 * The state-function index's key (stateFunctions.ts) of one schema's routine that a later definition of its name in
 * another schema hides from the name's own key: the schema, a NUL, the name (no identifier holds a NUL). Only a call
 * qualified with that schema reaches it (stateFunctionCalls.ts).
 */
export function schemaRoutineKey(schema: string, name: string): string {
  return `${schema}\0${name}`;
}

/** The routine name an index key stands for: the key itself, or the name part of a schemaRoutineKey. */
export function indexedRoutineName(key: string): string {
  return key.slice(key.indexOf('\0') + 1);
}

/** The distinct routine names an index's keys stand for (a name and its schemaRoutineKeys count once). */
export function indexedRoutineNames(keys: Iterable<string>): string[] {
  return [...new Set([...keys].map(indexedRoutineName))];
}

/** The last part of a possibly qualified, possibly quoted name, in lower case unless quoted. */
export function unqualifiedName(qualified: string): string {
  const parts = qualified.match(/"(?:[^"]|"")+"|[^.\s"]+/g) ?? [qualified];
  return identifierName(parts[parts.length - 1]);
}

/** One name part as PostgreSQL reads it: quotes removed, lower case. */
function identifierName(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"').toLowerCase() : part.toLowerCase();
}
