// A function parameter that every caller in the file fills with a client's bound query method
// (`const originalQuery = runner.query.bind(runner); … await this.applyTenant(runner, originalQuery)`): a call of the
// parameter (`originalQuery('SELECT set_config(…)', [id])`) sends on that client whatever the parameter is named.
// Only calls the file can all see are read: a function whose name is handed elsewhere, or a method that is not private
// (another module may call it with anything), is not followed.
import ts from 'typescript';
import { boundMethod, unwrap, type Flow } from './embeddedFlow';
import { argumentsPassed } from './testDoubles';
import { isPrivateMember } from './classMembers';
import { walkDescendants } from './astWalk';

/** How many functions deep a handed query method is followed (`apply(q)` → `reset(q)`). */
const MAX_FORWARDS = 3;

/**
 * Whether every call of `fn` in its file passes, as `parameter`, a method bound to its object (`x.query.bind(x)`, written
 * there, held by a name, or itself such a parameter of the caller) whose name `isQueryMethod` accepts.
 */
export function handedBoundQueryMethod(parameter: ts.ParameterDeclaration, fn: ts.SignatureDeclaration, flow: Flow, isQueryMethod: (name: string) => boolean, depth = 0): boolean {
  if (depth > MAX_FORWARDS || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return false;
  const index = fn.parameters.indexOf(parameter);
  const passed = ts.isMethodDeclaration(fn) ? privateMethodArguments(fn, index) : argumentsPassed(fn, index, flow);
  return passed !== undefined && passed.length > 0 && passed.every((argument) => isBoundQueryMethod(argument, flow, isQueryMethod, depth));
}

function isBoundQueryMethod(argument: ts.Expression, flow: Flow, isQueryMethod: (name: string) => boolean, depth: number): boolean {
  const value = unwrap(argument);
  const bindsQueryMethod = (held: ts.Expression): boolean => {
    const bound = boundMethod(unwrap(held));
    return bound?.receiver !== undefined && isQueryMethod(bound.method.name.text);
  };
  if (bindsQueryMethod(value)) return true;
  const binding = ts.isIdentifier(value) ? flow.bindingOf(value) : undefined;
  if (!binding) return false;
  if ('variable' in binding) return flow.everyHeldValue(binding.variable, bindsQueryMethod);
  return handedBoundQueryMethod(binding.parameter, binding.parameterOf, flow, isQueryMethod, depth + 1);
}

/**
 * What every `this.method(…)` of a private method passes as its `index`th argument; undefined when the method is read
 * other than as such a call's callee (handed somewhere), when a call spreads its arguments or leaves the argument out.
 */
function privateMethodArguments(method: ts.MethodDeclaration, index: number): ts.Expression[] | undefined {
  const owner = method.parent;
  if (!ts.isClassLike(owner) || !isPrivateMember(method) || index < 0) return undefined;
  const name = method.name;
  if (!ts.isIdentifier(name) && !ts.isPrivateIdentifier(name)) return undefined;
  const passed: ts.Expression[] = [];
  let handed = false;
  walkDescendants(owner, (node) => {
    if (!ts.isPropertyAccessExpression(node) || node.name.text !== name.text) return;
    const call = node.parent;
    const argument = ts.isCallExpression(call) && call.expression === node && node.expression.kind === ts.SyntaxKind.ThisKeyword
      && !call.arguments.some(ts.isSpreadElement) ? call.arguments[index] : undefined;
    if (argument) passed.push(argument);
    else handed = true;
  }, () => handed);
  return handed ? undefined : passed;
}
