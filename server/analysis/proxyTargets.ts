// A JavaScript `Proxy` the project writes around a client (`new Proxy(client, { get(target, key) { … } })`: a guard that
// checks each query's text first, a logger, a tracer) sends what it forwards on its target, so the target's connection
// is the server it reaches, whatever its traps add. The readings that follow a client through a wrapper returning its
// argument (ownServerClients.ts: a test's local database, a started server) read such a Proxy as its target:
//   - `new Proxy(x, handler)` written in place, with the global `Proxy` (not a name the file declares or imports) and a
//     handler of the project — an object literal or a function written there, or a name or a call of a name the file
//     declares or imports from a file of the project; a handler a package supplies, or a parameter's (what callers give),
//     is not read, since its traps may send elsewhere;
//   - a call of a function of the project (of the file, imported from a file of the project, or a class's static method,
//     of a class of the file or imported so) every return of which is one of its parameters as it is, or such a Proxy of
//     it, or that parameter with members of object literals copied in (`Object.assign(db, { execute })`, the global
//     `Object`), and which never assigns that parameter: the call is its argument there (`Guard.wrap(client, options)`).
// Only a verdict that the target reaches such a server is taken from it: otherwise the call is judged as before. A pool
// a function of the project returns in an object is followed through such calls too (poolFactories.ts returnedMemberIsPool).
import ts from 'typescript';
import { type Flow, returnedValues, unwrap } from './embeddedFlow';
import { importedNames, type ImportedName } from './importedNames';
import { requiredNames } from './ownServerHelpers';
import { projectModulePath } from './moduleResolution';
import { exportedClass, exportedFunction } from './wrapperObjects';
import { hasModifier, walkDescendants } from './astWalk';

type FunctionWithBody = ts.FunctionLikeDeclaration;

/** The file a Proxy or a wrapper is read in: its tree, flow and path (for the imports of a handler). */
export interface ProxyFile {
  source: ts.SourceFile;
  flow: Flow;
  fileName: string | undefined;
}

/** The target of `new Proxy(target, handler)` written with the global Proxy and a handler of the project; otherwise undefined. */
export function proxyTarget(expression: ts.Expression, file: ProxyFile): ts.Expression | undefined {
  const value = unwrap(expression);
  if (!ts.isNewExpression(value) || !ts.isIdentifier(value.expression) || value.expression.text !== 'Proxy') return undefined;
  const args = value.arguments ?? [];
  if (args.length !== 2 || args.some(ts.isSpreadElement)) return undefined;
  if (!isGlobal(value.expression, file)) return undefined;
  return isProjectHandler(args[1], file) ? args[0] : undefined;
}

/**
 * The argument a call hands back (the function's every return is that parameter, or a project Proxy of it: file
 * description above); undefined when the callee is not such a function of the project, or the argument is not written.
 */
export function passedThrough(call: ts.CallExpression, file: ProxyFile): ts.Expression | undefined {
  const found = calledFunction(call.expression, file);
  if (!found) return undefined;
  const index = returnedParameter(found.fn, found.file);
  const argument = index === undefined ? undefined : call.arguments[index];
  return argument && !ts.isSpreadElement(argument) && !call.arguments.slice(0, index).some(ts.isSpreadElement) ? argument : undefined;
}

/** returnedParameter's answers, per function (a file's calls of one function ask it once). */
const returnedParameters = new WeakMap<FunctionWithBody, number | null>();

/** The index of the parameter every return of `fn` hands back, itself or in a project Proxy; undefined when none does. */
function returnedParameter(fn: FunctionWithBody, file: ProxyFile): number | undefined {
  let index = returnedParameters.get(fn);
  if (index === undefined) {
    index = readReturnedParameter(fn, file) ?? null;
    returnedParameters.set(fn, index);
  }
  return index ?? undefined;
}

function readReturnedParameter(fn: FunctionWithBody, file: ProxyFile): number | undefined {
  if (fn.parameters.length === 0) return undefined;
  const returned = returnedValues(fn);
  if (returned.length === 0) return undefined;
  let index: number | undefined;
  for (const value of returned) {
    const target = unwrap(proxyTarget(value, file) ?? assignedTarget(value, file) ?? value);
    if (!ts.isIdentifier(target)) return undefined;
    const at = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === target.text && !p.dotDotDotToken);
    // A name a nested scope declares again is another value: the parameter must be what the name means there.
    const binding = file.flow.bindingOf(target);
    if (at < 0 || !binding || !('parameter' in binding) || binding.parameter !== fn.parameters[at]) return undefined;
    if (index !== undefined && index !== at) return undefined;
    index = at;
  }
  return index !== undefined && !assigns(fn, (fn.parameters[index].name as ts.Identifier).text) ? index : undefined;
}

/**
 * The object `Object.assign(target, { … })` hands back, its first argument itself, when `Object` is the global one and
 * every object copied into it is an object literal written there (the project's own members, as a handler of a project
 * Proxy is: `Object.assign(db, { execute: async (q) => rows(await execute(q)) })`); undefined otherwise.
 */
function assignedTarget(expression: ts.Expression, file: ProxyFile): ts.Expression | undefined {
  const value = unwrap(expression);
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression) || value.expression.name.text !== 'assign') return undefined;
  const owner = value.expression.expression;
  if (!ts.isIdentifier(owner) || owner.text !== 'Object' || !isGlobal(owner, file)) return undefined;
  const [target, ...copied] = value.arguments;
  return target && !ts.isSpreadElement(target) && copied.length > 0 && copied.every((c) => ts.isObjectLiteralExpression(unwrap(c))) ? target : undefined;
}

/** Whether the function's body assigns a name `name` (`db = other`, `db ??= …`): the parameter may no longer be the argument. */
function assigns(fn: FunctionWithBody, name: string): boolean {
  let found = false;
  if (!fn.body) return false;
  walkDescendants(fn.body, (node) => {
    if (found) return false;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const left = unwrap(node.left);
      if (ts.isIdentifier(left) && left.text === name) found = true;
    }
    return true;
  });
  return found;
}

/** The function of the project a callee names, with the file it is written in. */
function calledFunction(callee: ts.Expression, file: ProxyFile): { fn: FunctionWithBody; file: ProxyFile } | undefined {
  const value = unwrap(callee);
  const local = file.flow.localFunction(value);
  if (local) return { fn: local, file };
  if (ts.isIdentifier(value)) {
    if (file.flow.bindingOf(value) || file.flow.nearestDeclaration(value)) return undefined;
    const path = projectImport(value, file);
    const found = path && exportedFunction(path.path, path.imported.name);
    return found ? { fn: found.fn, file: { source: found.fn.getSourceFile(), flow: found.flow, fileName: path.path } } : undefined;
  }
  // `Guard.wrap(…)`: a static method of a class of the file, or of one a file of the project exports.
  if (!ts.isPropertyAccessExpression(value) || !ts.isIdentifier(value.expression)) return undefined;
  const owner = value.expression;
  const method = value.name.text;
  const declared = file.flow.localClass(owner);
  if (declared) {
    const fn = staticMethod(declared, method);
    return fn && { fn, file };
  }
  if (file.flow.bindingOf(owner) || file.flow.nearestDeclaration(owner)) return undefined;
  const path = projectImport(owner, file);
  const exported = path && exportedClass(path.path, path.imported.name);
  const fn = exported && staticMethod(exported.declaration, method);
  return fn ? { fn, file: { source: fn.getSourceFile(), flow: exported!.flow, fileName: path!.path } } : undefined;
}

/** A class's static method `name` with a body (past its overload signatures). */
function staticMethod(declaration: ts.ClassLikeDeclaration, name: string): ts.MethodDeclaration | undefined {
  return declaration.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.body !== undefined
    && hasModifier(m, ts.SyntaxKind.StaticKeyword) && ts.isIdentifier(m.name) && m.name.text === name);
}

/** The file of the project a name is imported (or required) from, when its module is one. */
function projectImport(name: ts.Identifier, file: ProxyFile): { path: string; imported: ImportedName } | undefined {
  if (!file.fileName) return undefined;
  const imported = namesOf(file.source).get(name.text);
  if (!imported) return undefined;
  const path = projectModulePath(file.fileName, imported.specifier);
  return path === undefined ? undefined : { path, imported };
}

/** Whether `Proxy` here is the global one: no declaration, parameter or import of the file gives the name. */
function isGlobal(name: ts.Identifier, file: ProxyFile): boolean {
  if (file.flow.bindingOf(name) || file.flow.nearestDeclaration(name) || file.flow.localClass(name)) return false;
  return !namesOf(file.source).has(name.text);
}

/** The names a file imports or requires at its top level, read once per tree. */
const boundNames = new WeakMap<ts.SourceFile, Map<string, ImportedName>>();
function namesOf(source: ts.SourceFile): Map<string, ImportedName> {
  let names = boundNames.get(source);
  if (!names) {
    names = new Map([...requiredNames(source), ...importedNames(source)]);
    boundNames.set(source, names);
  }
  return names;
}

/**
 * A handler of the project: an object literal or a function written in place, or a name (or a call or `new` of a name)
 * the file declares — not a parameter — or imports from a file of the project.
 */
function isProjectHandler(handler: ts.Expression, file: ProxyFile): boolean {
  const value = unwrap(handler);
  if (ts.isObjectLiteralExpression(value) || ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return true;
  const name = ts.isCallExpression(value) || ts.isNewExpression(value) ? unwrap(value.expression) : value;
  if (!ts.isIdentifier(name)) return false;
  const binding = file.flow.bindingOf(name);
  if (binding) return 'variable' in binding && !initializedFromPackage(binding.variable, file);
  if (file.flow.nearestDeclaration(name) || file.flow.localClass(name) || file.flow.localFunction(name)) return true;
  return projectImport(name, file) !== undefined;
}

/**
 * A variable given a package's value where it is declared: the name its initializer starts from (`tracer.handler`,
 * `makeTraps(options)`, `require('tracer').traps`) is imported or required from a module that is no file of the project.
 */
function initializedFromPackage(declaration: ts.VariableDeclaration, file: ProxyFile): boolean {
  let current = declaration.initializer && unwrap(declaration.initializer);
  for (let steps = 0; current && steps < 8; steps++) {
    if (ts.isCallExpression(current) && ts.isIdentifier(current.expression) && current.expression.text === 'require') {
      const specifier = current.arguments[0];
      return !(specifier && ts.isStringLiteralLike(specifier) && file.fileName && projectModulePath(file.fileName, specifier.text) !== undefined);
    }
    if (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current) || ts.isNewExpression(current) || ts.isElementAccessExpression(current)) {
      current = unwrap(current.expression);
      continue;
    }
    if (!ts.isIdentifier(current) || file.flow.bindingOf(current) || file.flow.nearestDeclaration(current)) return false;
    return namesOf(file.source).has(current.text) && projectImport(current, file) === undefined;
  }
  return false;
}
