// A routine that passes one of its own parameters as set_config's is_local argument
// (`set_config('app.token', v, is_local)`) makes a session-level setting whenever it is called without
// that argument, when the parameter's DEFAULT is false: the routine's ordinary call leaks the setting to
// the next client of the server connection, just as set_config(…, false) does.
import type { LocalFlag } from './types';

type Json = Record<string, unknown>;

/** The routine's parameters that default to false, by each reference to them (lower-case name and `$n`). */
export type SessionFlags = ReadonlyMap<string, LocalFlag>;

/** The references (lower-case name and `$n`) to the routine's parameters that default to false. */
export function falseDefaultParameters(createFunction: Json): SessionFlags {
  const flags = new Map<string, LocalFlag>();
  let position = 0;
  for (const item of (createFunction.parameters as Json[] | undefined) ?? []) {
    const parameter = item.FunctionParameter as Json | undefined;
    if (!parameter || parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_TABLE') continue;
    position++;
    if (!defaultsToFalse(parameter.defexpr as Json | undefined)) continue;
    const name = typeof parameter.name === 'string' ? parameter.name.toLowerCase() : undefined;
    const flag: LocalFlag = name === undefined ? { position } : { position, name };
    flags.set(`$${position}`, flag);
    if (name !== undefined) flags.set(name, flag);
  }
  return flags;
}

/** All the routine's input parameters, by each reference to them (lower-case name and `$n`). */
export function inputParameters(createFunction: Json): SessionFlags {
  const inputs = new Map<string, LocalFlag>();
  let position = 0;
  for (const item of (createFunction.parameters as Json[] | undefined) ?? []) {
    const parameter = item.FunctionParameter as Json | undefined;
    if (!parameter || parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_TABLE') continue;
    position++;
    if (parameter.mode === 'FUNC_PARAM_VARIADIC') continue;
    const name = typeof parameter.name === 'string' ? parameter.name.toLowerCase() : undefined;
    const reference: LocalFlag = name === undefined ? { position } : { position, name };
    inputs.set(`$${position}`, reference);
    if (name !== undefined) inputs.set(name, reference);
  }
  return inputs;
}

/** `DEFAULT false`, also written `= false` or `DEFAULT false::boolean`. */
function defaultsToFalse(expression: Json | undefined): boolean {
  const constant = ((expression?.TypeCast as Json | undefined)?.arg as Json | undefined ?? expression)?.A_Const as Json | undefined;
  return constant !== undefined && 'boolval' in constant && (constant.boolval as { boolval?: boolean }).boolval !== true;
}

/** The one of `flags` a call argument refers to (`is_local`, `$3`), if it is a reference to one. */
export function referredFlag(argument: Json, flags: SessionFlags | undefined): LocalFlag | undefined {
  if (!flags || flags.size === 0) return undefined;
  const param = argument.ParamRef as Json | undefined;
  if (param) return flags.get(`$${String(param.number)}`);
  const fields = ((argument.ColumnRef as Json | undefined)?.fields as Json[] | undefined) ?? [];
  const name = fields.length === 1 ? ((fields[0].String as Json | undefined)?.sval as string | undefined) : undefined;
  return name === undefined ? undefined : flags.get(name.toLowerCase());
}
