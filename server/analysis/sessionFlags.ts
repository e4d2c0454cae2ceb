// A routine that passes one of its own parameters as set_config's is_local argument
// (`set_config('app.token', v, is_local)`) makes a session-level setting whenever it is called without
// that argument, when the parameter's DEFAULT is false: the routine's ordinary call leaks the setting to
// the next client of the server connection, just as set_config(…, false) does.
type Json = Record<string, unknown>;

/** The references (lower-case name and `$n`) to the routine's parameters that default to false. */
export function falseDefaultParameters(createFunction: Json): Set<string> {
  const flags = new Set<string>();
  let position = 0;
  for (const item of (createFunction.parameters as Json[] | undefined) ?? []) {
    const parameter = item.FunctionParameter as Json | undefined;
    if (!parameter || parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_TABLE') continue;
    position++;
    if (!defaultsToFalse(parameter.defexpr as Json | undefined)) continue;
    flags.add(`$${position}`);
    if (typeof parameter.name === 'string') flags.add(parameter.name.toLowerCase());
  }
  return flags;
}

/** `DEFAULT false`, also written `= false` or `DEFAULT false::boolean`. */
function defaultsToFalse(expression: Json | undefined): boolean {
  const constant = ((expression?.TypeCast as Json | undefined)?.arg as Json | undefined ?? expression)?.A_Const as Json | undefined;
  return constant !== undefined && 'boolval' in constant && (constant.boolval as { boolval?: boolean }).boolval !== true;
}

/** Whether a call argument is a reference to one of `flags` (`is_local`, `$3`). */
export function refersToFlag(argument: Json, flags: ReadonlySet<string> | undefined): boolean {
  if (!flags || flags.size === 0) return false;
  const param = argument.ParamRef as Json | undefined;
  if (param) return flags.has(`$${String(param.number)}`);
  const fields = ((argument.ColumnRef as Json | undefined)?.fields as Json[] | undefined) ?? [];
  const name = fields.length === 1 ? ((fields[0].String as Json | undefined)?.sval as string | undefined) : undefined;
  return name !== undefined && flags.has(name.toLowerCase());
}
