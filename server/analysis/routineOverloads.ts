// Overloaded routines (one name, several parameter lists) in the index of routines whose bodies create session state
// (stateFunctions.ts), and which of them a call may reach (stateFunctionCalls.ts). A call reaches an overload only as
// PostgreSQL's function resolution allows: one whose parameter count (with its defaults and named parameters) does not
// fit the call is never called, and where every argument's type is known — an explicit cast (`x::app.job`), a constant
// of a type (`42`, `true`), the calling routine's own parameter or declared PL/pgSQL variable — the one overload whose
// parameter types are exactly those is the one called (its "exact match"). Anything else may be any of the overloads
// that fit: the call is then reported only when every one of them would be. Never a guess about implicit casts.
import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import type { RoutineOverload, RoutineParameter } from './types';

type Json = Record<string, unknown>;

/** The input parameters of a CREATE FUNCTION/PROCEDURE statement (OUT and TABLE columns left out), or undefined when it does not parse. */
export function routineParameters(definition: string): RoutineParameter[] | undefined {
  const statement = parsedStatement(definition)?.CreateFunctionStmt as Json | undefined;
  if (!statement) return undefined;
  const parameters: RoutineParameter[] = [];
  for (const item of (statement.parameters as Json[] | undefined) ?? []) {
    const parameter = item.FunctionParameter as Json | undefined;
    if (!parameter) return undefined;
    if (parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_TABLE') continue;
    const name = typeof parameter.name === 'string' ? parameter.name : undefined;
    parameters.push({
      ...(name !== undefined ? { name } : {}),
      type: typeName(parameter.argType as Json | undefined),
      hasDefault: parameter.defexpr !== undefined,
      variadic: parameter.mode === 'FUNC_PARAM_VARIADIC',
    });
  }
  return parameters;
}

/** Whether two parameter lists are one signature (same input types in order): a later definition replaces the earlier. */
export function sameSignature(a: readonly RoutineParameter[], b: readonly RoutineParameter[]): boolean {
  return a.length === b.length && a.every((parameter, i) => parameter.type !== undefined && sameType(parameter.type, b[i].type));
}

/** The types a routine's body can name: its parameters (by name and `$n`) and the variables its PL/pgSQL blocks declare. */
export class TypeEnvironment {
  private readonly types = new Map<string, string | undefined>();

  constructor(definition: string, readonly parameters: readonly RoutineParameter[] | undefined) {
    parameters?.forEach((parameter, i) => {
      this.types.set(`$${i + 1}`, parameter.type);
      if (parameter.name !== undefined) this.types.set(parameter.name, parameter.type);
    });
    for (const [name, type] of declaredVariables(definition)) {
      // One name declared in two blocks with two types: which one a statement sees depends on where it is.
      this.types.set(name, this.types.has(name) && this.types.get(name) !== type ? undefined : type);
    }
  }

  typeOf(name: string): string | undefined {
    return this.types.get(name);
  }
}

/** An empty environment: a statement run now, outside any routine, names no variables. */
const NO_VARIABLES = { typeOf: (): undefined => undefined, parameters: undefined };

/**
 * The overloads a call with these argument texts may reach (each as written inside the parentheses; `name => value` for
 * a named one), under `qualifier` (the schema it names, '' for none). `environment` gives the calling routine's names.
 */
export function reachableOverloads(overloads: readonly RoutineOverload[], qualifier: string, args: readonly string[],
  environment: Pick<TypeEnvironment, 'typeOf'> = NO_VARIABLES): RoutineOverload[] {
  const written = args.length === 1 && args[0].trim() === '' ? [] : args.map(argument);
  const fitting = overloads.filter((overload) => (qualifier === '' || overload.schema === undefined || overload.schema === qualifier)
    && fits(overload.parameters, written));
  if (fitting.length < 2 || written.some((arg) => arg.name !== undefined) || fitting.some((o) => o.parameters?.some((p) => p.variadic))) return fitting;
  const types = written.map((arg) => expressionType(arg.value, environment));
  if (types.some((type) => type === undefined)) return fitting;
  // PostgreSQL's first choice: the one routine whose parameters are exactly the arguments' types.
  const possiblyExact = fitting.filter((o) => o.parameters === undefined || types.every((type, i) => o.parameters![i].type === undefined || sameType(type!, o.parameters![i].type)));
  const exact = possiblyExact.length === 1 && possiblyExact[0].parameters?.every((p, i) => i >= types.length || p.type !== undefined) ? possiblyExact : undefined;
  return exact ?? fitting;
}

/** Whether an overload's parameters can take the call's arguments (unknown parameters: it may). */
function fits(parameters: readonly RoutineParameter[] | undefined, args: readonly { name?: string }[]): boolean {
  if (parameters === undefined) return true;
  const positional = args.findIndex((arg) => arg.name !== undefined);
  const count = positional < 0 ? args.length : positional;
  const variadic = parameters.some((p) => p.variadic);
  if (count > parameters.length && !variadic) return false;
  const named = new Set<string>();
  for (const arg of args.slice(count)) {
    const at = parameters.findIndex((p) => p.name === arg.name);
    if (at < count || named.has(arg.name!)) return false;
    named.add(arg.name!);
  }
  return parameters.every((p, i) => i < count || p.hasDefault || p.variadic || (p.name !== undefined && named.has(p.name)));
}

/** One argument as written: `name => value` (or the older `name := value`) or a value. */
function argument(text: string): { name?: string; value: string } {
  const named = /^\s*("?)([\w$]+)\1\s*(?:=>|:=)/.exec(text);
  if (!named) return { value: text };
  return { name: named[1] ? named[2] : named[2].toLowerCase(), value: text.slice(named[0].length) };
}

/** The type an argument expression surely has: a cast's, a typed constant's, or a known name's; undefined otherwise. */
function expressionType(expression: string, environment: Pick<TypeEnvironment, 'typeOf'>): string | undefined {
  const target = (parsedStatement(`SELECT ${expression}`)?.SelectStmt as Json | undefined)?.targetList as Json[] | undefined;
  const value = target?.length === 1 ? (target[0].ResTarget as Json | undefined)?.val as Json | undefined : undefined;
  if (!value) return undefined;
  if (value.TypeCast) return typeName((value.TypeCast as Json).typeName as Json | undefined);
  const constant = value.A_Const as Json | undefined;
  if (constant) return 'boolval' in constant ? 'bool' : 'ival' in constant ? 'int4' : undefined; // a quoted literal is of unknown type
  const param = value.ParamRef as Json | undefined;
  if (param) return environment.typeOf(`$${String(param.number)}`);
  const fields = (value.ColumnRef as Json | undefined)?.fields as Json[] | undefined;
  const name = fields?.length === 1 ? ((fields[0].String as Json | undefined)?.sval as string | undefined) : undefined;
  return name === undefined ? undefined : environment.typeOf(name);
}

/** The variables a PL/pgSQL routine declares, with their types (undefined when not a type name: `%TYPE`, `%ROWTYPE`). */
function declaredVariables(definition: string): [string, string | undefined][] {
  if (!/\blanguage\s+'?plpgsql\b/i.test(definition)) return [];
  let parsed: Json;
  try {
    parsed = parsePlPgSQLSync(definition) as unknown as Json;
  } catch {
    return [];
  }
  const variables: [string, string | undefined][] = [];
  for (const fn of (parsed.plpgsql_funcs as Json[] | undefined) ?? []) {
    for (const datum of (((fn.PLpgSQL_function as Json | undefined)?.datums as Json[] | undefined) ?? [])) {
      const variable = (datum.PLpgSQL_var ?? datum.PLpgSQL_rec) as Json | undefined;
      // Declared in a DECLARE section (a line number); the routine's parameters and FOUND have none.
      if (!variable || variable.lineno === undefined || typeof variable.refname !== 'string') continue;
      const written = ((variable.datatype as Json | undefined)?.PLpgSQL_type as Json | undefined)?.typname;
      variables.push([variable.refname, typeof written === 'string' ? writtenType(written) : undefined]);
    }
  }
  return variables;
}

/** A type written as text (`double precision`, `app.job`), as the parser names it; undefined when it is no plain type name. */
function writtenType(text: string): string | undefined {
  if (/%|;/.test(text)) return undefined;
  const target = (parsedStatement(`SELECT NULL::${text}`)?.SelectStmt as Json | undefined)?.targetList as Json[] | undefined;
  const cast = ((target?.[0]?.ResTarget as Json | undefined)?.val as Json | undefined)?.TypeCast as Json | undefined;
  return cast ? typeName(cast.typeName as Json | undefined) : undefined;
}

/** A TypeName node as one string: its names joined with `.` (`pg_catalog.` left off), `[]` for an array. */
function typeName(node: Json | undefined): string | undefined {
  if (!node || node.pct_type) return undefined;
  const names = ((node.names as Json[] | undefined) ?? []).map((n) => (n.String as Json | undefined)?.sval);
  if (names.length === 0 || names.some((n) => typeof n !== 'string')) return undefined;
  const parts = (names as string[])[0] === 'pg_catalog' ? (names as string[]).slice(1) : (names as string[]);
  return parts.join('.') + (node.arrayBounds ? '[]' : '');
}

/** Two type names of one type: equal, or one unqualified and the other qualified with the same name. */
function sameType(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  if (a === b) return true;
  const last = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  return (!a.includes('.') || !b.includes('.')) && last(a) === last(b);
}

function parsedStatement(text: string): Json | undefined {
  try {
    const tree = parseSync(text) as { stmts?: { stmt?: Json }[] };
    return tree.stmts?.length === 1 ? tree.stmts[0].stmt : undefined;
  } catch {
    return undefined;
  }
}
