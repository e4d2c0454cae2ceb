// Objects a project writes around its database client, whose methods send their callers' text: what a factory
// returns (`db(client).exec(sql)`, `const d = makeDb(pool); d.exec(sql)`), an instance of a class of the project
// (`new Executor(conn).run(sql)`, `executor.run(sql)` where `executor = new Executor(conn)`, a parameter or field
// declared as one), an object literal of helpers (`repo.send(sql)`), and a method a class inherits from a base class
// of another module (`this.perform(sql)`). Each is found in this file or in a module of the project it imports
// (a relative path, a tsconfig alias, a workspace package; default and named exports, `module.exports`, `export { x }`
// re-exports), a few steps and files deep. The method itself is judged by the caller (embedded.ts's queryHelper:
// which parameter it sends as text, on which receiver); this module says which of the caller's expressions that
// receiver is: the factory's argument a closure sends on, the constructor argument a field was filled from, a name of
// the caller's own file — so the statement is judged on the client the wrapper really sends on (a pool, one held
// connection, a transaction's client, a test database's client), as a direct call on it is.
import ts from 'typescript';
import { callsByName, hasModifier, walkDescendants } from './astWalk';
import { Flow, fieldValues, memberName, singleReturn, unwrap } from './embeddedFlow';
import { ModuleFacts } from './parsedModules';
import { fileImports, type ImportedName } from './ownServerHelpers';
import { projectModulePath } from './moduleResolution';
import { capsAtOneConnection } from './poolFactories';
import { declaredClientKind } from './poolParameters';
import { isNullish } from './postgresJsUses';
import { callerFiles, parsed } from './callerFiles';
import { isCommonJsExports, isModuleExports, topLevelFunction } from './topLevelFunctions';

/** How many names, calls, exports and base classes one object is followed through (files included). */
const MAX_STEPS = 6;
/** A module without a query call holds no wrapper method; one without `class`, `return` or exports makes none. */
const MIGHT_WRAP = /\.\s*(?:query|querySync|execute|unsafe|raw)\s*\(|\bclass\b|\breturn\b|\bexport\b|\bexports\b/;

type FunctionWithBody = ts.FunctionLikeDeclaration;

/** A file the object is followed in: the caller's own (`local`) or a module of the project. */
interface Context {
  source: ts.SourceFile;
  flow: Flow;
  fileName: string;
  local: boolean;
}

/** An object a wrapper made: an object literal or an instance of a class, and the caller's arguments its maker was given. */
interface Made {
  ctx: Context;
  object?: ts.ObjectLiteralExpression;
  cls?: ts.ClassLikeDeclaration;
  /** The factory function whose parameters `args` fill (for an object literal it returns). */
  factory?: FunctionWithBody;
  /** For each parameter of the factory (or of the class's constructor): the caller's expression given there, if known. */
  args?: readonly (ts.Expression | undefined)[];
}

/** A method of a wrapper object, with the file it is declared in, and the caller's expression for a receiver it sends on. */
export interface WrapperMethod {
  fn: FunctionWithBody;
  flow: Flow;
  /** The caller's expression standing for `receiver` (an expression of the method's own file), if there is one. */
  receiverFor(receiver: ts.Expression): ts.Expression | undefined;
  /** Whether `receiver` is a pool the wrapper's factory makes for each object (`const sql = postgres(url)` in its body), or a field of its class holding one. */
  pooled(receiver: ts.Expression): boolean;
}

const modules = new ModuleFacts<Context | undefined>((read) => (MIGHT_WRAP.test(read.text) ? { source: read.source, flow: new Flow(read.source), fileName: read.path, local: false } : undefined));

/** Resolves, for one file, the wrapper objects its calls are made on. */
export class WrapperObjects {
  private readonly own: Context;
  private readonly made = new Map<ts.Node | string, Made | null>();

  constructor(source: ts.SourceFile, flow: Flow, fileName: string) {
    this.own = { source, flow, fileName, local: true };
  }

  /** The method `object.name` calls, when `object` is a wrapper object this file or a module of the project makes. */
  methodOf(callee: ts.PropertyAccessExpression): WrapperMethod | undefined {
    const made = this.objectMade(callee.expression);
    if (!made) return undefined;
    const found = methodIn(made, callee.name.text, 0);
    if (!found) return undefined;
    return { fn: found.fn, flow: found.ctx.flow, receiverFor: (receiver) => receiverFor(receiver, found.ctx, found.made), pooled: (receiver) => factoryPool(receiver, found.ctx, found.made) || classFieldPool(receiver, found.ctx, found.made) };
  }

  /**
   * The function a call's callee stands for when a factory of the project made it: `run(…)` where `const run =
   * makeRunner(pool)` and `makeRunner` returns a closure (an arrow, a function, one of its own inner functions), or
   * `makeRunner(pool)(…)` itself.
   */
  closureOf(callee: ts.Expression): WrapperMethod | undefined {
    let value = unwrap(callee);
    if (ts.isIdentifier(value)) {
      const binding = this.own.flow.bindingOf(value);
      const held = binding && 'variable' in binding ? this.own.flow.heldValues(binding.variable) : undefined;
      if (held?.length !== 1) return undefined;
      value = unwrap(held[0]);
    }
    if (!ts.isCallExpression(value)) return undefined;
    const call = value;
    const found = functionOf(call.expression, this.own, 0);
    const returned = found && singleReturn(found.fn);
    const inner = returned && unwrap(returned);
    const fn = inner && (isFunctionWithBody(inner) ? inner : ts.isIdentifier(inner) ? found.ctx.flow.localFunction(inner) : undefined);
    if (!found || !fn) return undefined;
    const made: Made = { ctx: found.ctx, factory: found.fn, args: found.fn.parameters.map((_, i) => call.arguments[i]) };
    return { fn, flow: found.ctx.flow, receiverFor: (receiver) => receiverFor(receiver, found.ctx, made), pooled: (receiver) => factoryPool(receiver, found.ctx, made) };
  }

  private objectMade(object: ts.Expression): Made | undefined {
    const value = unwrap(object);
    // An object made in place (`db(c).exec(…)`) is judged at each call; a name once per declaration or import.
    let key: ts.Node | string = value;
    if (ts.isIdentifier(value)) {
      const binding = this.own.flow.bindingOf(value);
      if (binding) key = 'variable' in binding ? binding.variable : binding.parameter;
      else if (fileImports(this.own.source).has(value.text)) key = `import:${value.text}`;
      else return undefined; // a global (`console`, `JSON`)
    }
    let made = this.made.get(key);
    if (made === undefined) {
      made = objectOf(value, this.own, 0) ?? null;
      this.made.set(key, made);
    }
    return made ?? undefined;
  }
}

/** The module of the project a name of `ctx` is imported from, and the name it exports there. */
function importedModule(ctx: Context, name: string): { ctx: Context; name: string } | undefined {
  const imported = fileImports(ctx.source).get(name);
  return imported ? moduleExport(ctx, imported) : undefined;
}

function moduleExport(ctx: Context, imported: ImportedName): { ctx: Context; name: string } | undefined {
  if (!/^[.@~#/]/.test(imported.specifier) && !imported.specifier.includes('/')) return undefined;
  const path = projectModulePath(ctx.fileName, imported.specifier);
  if (!path || path === ctx.fileName || /[/\\]node_modules[/\\]/.test(path)) return undefined;
  const module = modules.of(path);
  return module ? { ctx: module, name: imported.name } : undefined;
}

/** What a value is: an object literal, an instance of a class of the project, or what a factory of the project returns. */
function objectOf(expression: ts.Expression, ctx: Context, steps: number): Made | undefined {
  if (steps > MAX_STEPS) return undefined;
  let value = unwrap(expression);
  while (ts.isAwaitExpression(value)) value = unwrap(value.expression);
  if (ts.isObjectLiteralExpression(value)) return { ctx, object: value };
  if (ts.isNewExpression(value)) {
    const found = classOf(value.expression, ctx, steps + 1);
    return found && { ctx: found.ctx, cls: found.cls, args: ctx.local ? value.arguments ?? [] : undefined };
  }
  if (ts.isCallExpression(value)) return factoryResult(value, ctx, steps + 1);
  if (value.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClassOf(value);
    return owner && { ctx, cls: owner };
  }
  if (ts.isPropertyAccessExpression(value) && value.expression.kind === ts.SyntaxKind.ThisKeyword) return fieldObject(value, ctx, steps + 1);
  if (!ts.isIdentifier(value)) return undefined;
  const binding = ctx.flow.bindingOf(value);
  if (binding && 'variable' in binding) {
    const held = ctx.flow.heldValues(binding.variable);
    if (held?.length === 1) return objectOf(held[0], ctx, steps + 1);
    if (held?.length === 0 && binding.variable.type) return typed(binding.variable.type, ctx, steps + 1);
    return undefined;
  }
  if (binding) return binding.parameter.type ? typed(binding.parameter.type, ctx, steps + 1) : undefined;
  const elsewhere = importedModule(ctx, value.text);
  return elsewhere && exportedObject(elsewhere.ctx, elsewhere.name, steps + 1);
}

/**
 * `this.executor` in a class: what the class puts in that field when it puts one thing there (`this.executor = new
 * Executor(pool)`, an initializer), else an instance of the class the field or the constructor's parameter property is
 * declared as (`constructor(private executor: Executor)`).
 */
function fieldObject(member: ts.PropertyAccessExpression, ctx: Context, steps: number): Made | undefined {
  const owner = enclosingClassOf(member);
  if (!owner) return undefined;
  const name = member.name.text;
  const values = fieldValues(owner, name);
  if (values.length === 1) return objectOf(values[0], ctx, steps);
  if (values.length > 1) return undefined;
  const field = owner.members.find((m) => ts.isPropertyDeclaration(m) && memberName(m) === name) as ts.PropertyDeclaration | undefined;
  const parameter = constructorOf(owner)?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.getModifiers(p)?.some(isParameterPropertyModifier));
  const type = field?.type ?? parameter?.type;
  return type ? typed(type, ctx, steps) : undefined;
}

/** A name declared with a class of the project as its type (`executor: Executor`): an instance, made by code not seen. */
function typed(type: ts.TypeNode, ctx: Context, steps: number): Made | undefined {
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return undefined;
  const found = classOf(type.typeName, ctx, steps);
  return found && { ctx: found.ctx, cls: found.cls };
}

/** The object a call of a factory returns (`db(client)`): its one returned object literal, or the instance it returns. */
function factoryResult(call: ts.CallExpression, ctx: Context, steps: number): Made | undefined {
  const found = functionOf(call.expression, ctx, steps);
  if (!found) return undefined;
  const returned = singleReturn(found.fn);
  if (!returned) return undefined;
  let value = unwrap(returned);
  while (ts.isAwaitExpression(value)) value = unwrap(value.expression);
  const args = ctx.local ? call.arguments : undefined;
  // What the factory's own parameters stand for, in the caller's file.
  const given = (expression: ts.Expression): ts.Expression | undefined => {
    const inner = unwrap(expression);
    const binding = ts.isIdentifier(inner) ? found.ctx.flow.bindingOf(inner) : undefined;
    if (!binding || !('parameterOf' in binding) || binding.parameterOf !== found.fn || !args) return undefined;
    return args[found.fn.parameters.indexOf(binding.parameter)];
  };
  if (ts.isObjectLiteralExpression(value)) return { ctx: found.ctx, object: value, factory: found.fn, args: found.fn.parameters.map((_, i) => args?.[i]) };
  if (ts.isNewExpression(value)) {
    const cls = classOf(value.expression, found.ctx, steps + 1);
    return cls && { ctx: cls.ctx, cls: cls.cls, args: (value.arguments ?? []).map(given) };
  }
  return registeredObject(value, found.ctx, steps + 1);
}

/**
 * What a registry function returns (`getAdapter(name)` returning `adapters.get(name)`, directly or through a const of
 * its body), where `adapters` is a `new Map()` of the module's top level that only the module reads and fills: the
 * object every `adapters.set(key, value)` puts there — a value made in place, or the argument each call of the module's
 * registering function passes (`registerAdapter('default', createPostgresAdapter(url))`). Every one must be the same
 * kind of object (one object literal or class); a registering function another module may call makes it unknown.
 */
function registeredObject(returned: ts.Expression, ctx: Context, steps: number): Made | undefined {
  let value = unwrap(returned);
  if (ts.isIdentifier(value)) {
    const binding = ctx.flow.bindingOf(value);
    const local = binding && 'variable' in binding && (binding.variable.parent.flags & ts.NodeFlags.Const) !== 0 ? binding.variable.initializer : undefined;
    if (!local) return undefined;
    value = unwrap(local);
  }
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression) || value.expression.name.text !== 'get' || !ts.isIdentifier(value.expression.expression)) return undefined;
  const stored = registryValues(value.expression.expression, ctx);
  if (!stored || stored.length === 0) return undefined;
  let first: Made | undefined;
  for (const entry of stored) {
    const made = objectOf(entry, ctx, steps + 1);
    if (!made || (first && (made.object ?? made.cls) !== (first.object ?? first.cls))) return undefined;
    first ??= made;
  }
  return first;
}

/** Read-only uses of a registry map besides `set`. */
const MAP_READS = new Set(['get', 'has', 'keys', 'values', 'entries', 'forEach', 'size']);

/** The values put into a module's own top-level `new Map()` (registeredObject), or undefined when it may hold others. */
function registryValues(map: ts.Identifier, ctx: Context): ts.Expression[] | undefined {
  const binding = ctx.flow.bindingOf(map);
  const declaration = binding && 'variable' in binding ? binding.variable : undefined;
  const statement = declaration?.parent.parent;
  if (!declaration || !statement || !ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent) || hasModifier(statement, ts.SyntaxKind.ExportKeyword)) return undefined;
  const made = declaration.initializer && unwrap(declaration.initializer);
  if (!made || !ts.isNewExpression(made) || !ts.isIdentifier(made.expression) || made.expression.text !== 'Map' || (made.arguments?.length ?? 0) > 0) return undefined;
  const values: ts.Expression[] = [];
  let known = true;
  walkDescendants(ctx.source, (node) => {
    if (!ts.isIdentifier(node) || node.text !== map.text || node === declaration.name) return;
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== node) {
      known = false;
      return;
    }
    if (MAP_READS.has(access.name.text)) return;
    const call = access.parent;
    if (access.name.text !== 'set' || !ts.isCallExpression(call) || call.expression !== access || call.arguments.length !== 2) {
      known = false;
      return;
    }
    const passed = passedValues(call.arguments[1], ctx);
    if (passed) values.push(...passed);
    else known = false;
  }, () => !known);
  return known ? values : undefined;
}

/**
 * The values a name stored into a registry stands for: the expression itself, or, for a parameter of a top-level function
 * of the module, the argument at its place in each call of that function in the module (none from other modules).
 */
function passedValues(stored: ts.Expression, ctx: Context): ts.Expression[] | undefined {
  const value = unwrap(stored);
  const binding = ts.isIdentifier(value) ? ctx.flow.bindingOf(value) : undefined;
  if (!binding || !('parameterOf' in binding)) return [value];
  const register = binding.parameterOf;
  if (!ts.isFunctionDeclaration(register) || !register.name || !ts.isSourceFile(register.parent)) return undefined;
  const name = register.name.text;
  const index = register.parameters.indexOf(binding.parameter);
  if (hasModifier(register, ts.SyntaxKind.ExportKeyword) && calledElsewhere(ctx.fileName, name)) return undefined;
  // The module's calls by name are indexed once per tree (astWalk.ts), not walked again for each stored value.
  const calls = (callsByName(ctx.source).get(name) ?? []).filter((call) => ctx.flow.localFunction(call.expression) === register);
  return calls.flatMap((call) => (call.arguments[index] ? [call.arguments[index]] : []));
}

/** Whether a file of the project importing `path` mentions `name` (it may call the exported function). */
function calledElsewhere(path: string, name: string): boolean {
  return callerFiles(path).some((file) => file !== path && (parsed(file)?.source.text.includes(name) ?? true));
}

/** The function a callee names, in `ctx` or exported by a module of the project it imports. */
function functionOf(callee: ts.Expression, ctx: Context, steps: number): { fn: FunctionWithBody; ctx: Context } | undefined {
  if (!ts.isIdentifier(callee) || steps > MAX_STEPS) return undefined;
  const local = ctx.flow.localFunction(callee);
  if (local) return { fn: local, ctx };
  if (ctx.flow.bindingOf(callee)) return undefined;
  const imported = importedValue(ctx, callee.text, steps);
  return imported && isFunctionWithBody(imported.value) ? { fn: imported.value, ctx: imported.ctx } : undefined;
}

/** The class a name stands for, in `ctx` or exported by a module of the project it imports. */
function classOf(name: ts.Expression, ctx: Context, steps: number): { cls: ts.ClassLikeDeclaration; ctx: Context } | undefined {
  if (!ts.isIdentifier(name) || steps > MAX_STEPS) return undefined;
  const local = ctx.flow.localClass(name);
  if (local) return { cls: local, ctx };
  if (ctx.flow.bindingOf(name)) return undefined;
  const imported = importedValue(ctx, name.text, steps);
  return imported && ts.isClassLike(imported.value) ? { cls: imported.value, ctx: imported.ctx } : undefined;
}

/** What a name of `ctx` imported from a module of the project stands for there (exportedValue). */
function importedValue(ctx: Context, name: string, steps: number): { value: ts.Node; ctx: Context } | undefined {
  const elsewhere = importedModule(ctx, name);
  return exportedValue(elsewhere && exportedNode(elsewhere.ctx, elsewhere.name, steps + 1));
}

/** An exported node's value: a variable's initializer (unwrapped), else the declaration or expression itself. */
function exportedValue(exported: { node: Exported; ctx: Context } | undefined): { value: ts.Node; ctx: Context } | undefined {
  if (!exported) return undefined;
  const value = ts.isVariableDeclaration(exported.node) ? exported.node.initializer && unwrap(exported.node.initializer) : exported.node;
  return value && { value, ctx: exported.ctx };
}

/**
 * The function the module at `path` exports under `name` (`default` for its default export), and the flow of the file
 * declaring it (importedQueryHelpers.ts's helpers): what exportedNode finds when it is a function (re-exports followed),
 * else a method of the object literal or class instance the module exports whole (`module.exports = { exec(sql) {…} }`,
 * `export default new Db()`, methodIn: inherited ones too), else a function declared at its top level by that name
 * (topLevelFunctions.ts: exported or not, CommonJS `exports.name = …` too).
 */
export function exportedFunction(path: string, name: string): { fn: FunctionWithBody; flow: Flow } | undefined {
  const ctx = modules.of(path);
  if (!ctx) return undefined;
  const exported = exportedValue(exportedNode(ctx, name, 0));
  if (exported && isFunctionWithBody(exported.value)) return { fn: exported.value, flow: exported.ctx.flow };
  // `module.exports = { name() {…} }`: exportedNode gives the object literal holding the method.
  const whole = exported && ts.isObjectLiteralExpression(exported.value) ? { ctx: exported.ctx, object: exported.value } : exportedObject(ctx, 'default', 0);
  const method = whole && methodIn(whole, name, 0);
  if (method) return { fn: method.fn, flow: method.ctx.flow };
  const local = topLevelFunction(ctx.source, name);
  return local && { fn: local, flow: ctx.flow };
}

/**
 * The class the module at `path` exports under `name` (re-exports followed, as exportedFunction's), with the flow of
 * the file declaring it (proxyTargets.ts: a static method that hands back its argument).
 */
export function exportedClass(path: string, name: string): { declaration: ts.ClassDeclaration; flow: Flow } | undefined {
  const ctx = modules.of(path);
  const exported = ctx && exportedNode(ctx, name, 0);
  return exported && ts.isClassDeclaration(exported.node) ? { declaration: exported.node, flow: exported.ctx.flow } : undefined;
}

/**
 * The top-level variable the module at `path` exports under `name` (re-exports followed, as exportedFunction's), with
 * the flow of the file declaring it, which reads every value the variable is given there (embedded.ts's imported pools).
 */
export function exportedVariable(path: string, name: string): { declaration: ts.VariableDeclaration; flow: Flow } | undefined {
  const ctx = modules.of(path);
  const exported = ctx && exportedNode(ctx, name, 0);
  return exported && ts.isVariableDeclaration(exported.node) ? { declaration: exported.node, flow: exported.ctx.flow } : undefined;
}

/** The object a module exports under `name` (an object literal, an instance, a factory's result). */
function exportedObject(ctx: Context, name: string, steps: number): Made | undefined {
  const exported = exportedNode(ctx, name, steps);
  if (!exported) return undefined;
  const node = exported.node;
  if (ts.isVariableDeclaration(node)) {
    if (!ts.isIdentifier(node.name)) return undefined;
    return objectOf(node.name, exported.ctx, steps + 1);
  }
  return ts.isExpression(node) && !ts.isClassLike(node) && !isFunctionWithBody(node) ? objectOf(node, exported.ctx, steps + 1) : undefined;
}

type Exported = ts.VariableDeclaration | ts.FunctionDeclaration | ts.ClassDeclaration | ts.Expression;

/**
 * What a module exports under `name` (`default` for its default export): a top-level function, class or variable
 * declared with `export` (or exported by `export { local as name }`), `export default …`, `module.exports = …` (a
 * property of the object literal given to it for a name), `exports.name = …`, or the same re-exported from another
 * module (`export { name } from './x'`, `export * from './x'`).
 */
function exportedNode(ctx: Context, name: string, steps: number): { node: Exported; ctx: Context } | undefined {
  if (steps > MAX_STEPS) return undefined;
  const topLevel = (local: string): Exported | undefined => {
    for (const statement of ctx.source.statements) {
      if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === local) return statement;
      if (ts.isVariableStatement(statement)) {
        const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === local);
        if (declaration) return declaration;
      }
    }
    return undefined;
  };
  const local = (expression: ts.Expression): Exported => {
    const value = unwrap(expression);
    return (ts.isIdentifier(value) && topLevel(value.text)) || value;
  };
  const followed: ImportedName[] = [];
  for (const statement of ctx.source.statements) {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && exported && (isDefault ? name === 'default' : statement.name?.text === name)) return { node: statement, ctx };
    if (ts.isVariableStatement(statement) && exported) {
      const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
      if (declaration) return { node: declaration, ctx };
    }
    if (ts.isExportAssignment(statement) && !statement.isExportEquals && name === 'default') return { node: local(statement.expression), ctx };
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        const element = clause.elements.find((e) => e.name.text === name);
        if (!element) continue;
        const original = (element.propertyName ?? element.name).text;
        if (!specifier) {
          const found = topLevel(original);
          if (found) return { node: found, ctx };
          // `import { Executor } from './executor'; export { Executor }`: what the module re-exports from its own import.
          const module = importedModule(ctx, original);
          return module && exportedNode(module.ctx, module.name, steps + 1);
        }
        followed.unshift({ specifier, name: original });
      } else if (!clause && specifier) followed.push({ specifier, name });
    }
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = statement.expression;
      if (isModuleExports(left)) {
        if (name === 'default') return { node: local(right), ctx };
        const object = unwrap(right);
        if (ts.isObjectLiteralExpression(object)) {
          const property = object.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
          if (property && ts.isPropertyAssignment(property)) return { node: local(property.initializer), ctx };
          if (property && ts.isShorthandPropertyAssignment(property)) return { node: local(property.name), ctx };
          if (property && ts.isMethodDeclaration(property)) return { node: object, ctx };
        }
      } else if (ts.isPropertyAccessExpression(left) && left.name.text === name && isCommonJsExports(left.expression)) {
        return { node: local(right), ctx };
      }
    }
  }
  for (const imported of followed) {
    const module = moduleExport(ctx, imported);
    const found = module && exportedNode(module.ctx, module.name, steps + 1);
    if (found) return found;
  }
  return undefined;
}

/** A method of the object (a property holding a function) or of the class, or one it inherits from a base class. */
function methodIn(made: Made, name: string, steps: number): { fn: FunctionWithBody; ctx: Context; made: Made } | undefined {
  if (steps > MAX_STEPS) return undefined;
  if (made.object) {
    for (const property of made.object.properties) {
      if (!property.name || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) || property.name.text !== name) continue;
      if (ts.isMethodDeclaration(property) && property.body) return { fn: property, ctx: made.ctx, made };
      const value = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      if (value && isFunctionWithBody(value)) return { fn: value, ctx: made.ctx, made };
      const named = value && ts.isIdentifier(value) ? made.ctx.flow.localFunction(value) : undefined;
      return named ? { fn: named, ctx: made.ctx, made } : undefined;
    }
    return undefined;
  }
  const cls = made.cls;
  if (!cls) return undefined;
  const member = cls.members.find((m) => memberName(m) === name);
  if (member) {
    if (ts.isMethodDeclaration(member) && member.body) return { fn: member, ctx: made.ctx, made };
    const value = ts.isPropertyDeclaration(member) && member.initializer ? unwrap(member.initializer) : undefined;
    return value && isFunctionWithBody(value) ? { fn: value, ctx: made.ctx, made } : undefined;
  }
  const base = baseClass(cls, made.ctx, steps + 1);
  // A subclass without a constructor of its own is made with its base's: the same arguments fill it.
  return base && methodIn({ ctx: base.ctx, cls: base.cls, args: constructorOf(cls) ? undefined : made.args }, name, steps + 1);
}

function baseClass(cls: ts.ClassLikeDeclaration, ctx: Context, steps: number): { cls: ts.ClassLikeDeclaration; ctx: Context } | undefined {
  const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  return base ? classOf(base, ctx, steps) : undefined;
}

function constructorOf(cls: ts.ClassLikeDeclaration): ts.ConstructorDeclaration | undefined {
  return cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
}

/**
 * The caller's expression for a receiver the method sends on: a parameter of the factory that made the object (a
 * closure over `db(client)`'s `client`), a field the constructor fills from one of its parameters (`constructor(private
 * conn)`, `this.conn = conn`), or a name declared at the top level of the caller's own file.
 */
function receiverFor(receiver: ts.Expression, ctx: Context, made: Made): ts.Expression | undefined {
  const value = unwrap(receiver);
  if (ts.isIdentifier(value)) {
    const binding = ctx.flow.bindingOf(value);
    if (binding && 'parameterOf' in binding) {
      return made.factory && binding.parameterOf === made.factory ? made.args?.[made.factory.parameters.indexOf(binding.parameter)] : undefined;
    }
    // A module-level client of the caller's own file (`const pool = new Pool()` used by `const repo = { send(q) { … pool.query(q) } }`).
    return ctx.local && binding && ts.isSourceFile(binding.variable.parent.parent.parent) ? value : undefined;
  }
  if (!ts.isPropertyAccessExpression(value) || value.expression.kind !== ts.SyntaxKind.ThisKeyword || !made.cls || !made.args) return undefined;
  const constructor = constructorOf(made.cls);
  if (!constructor) return undefined;
  const field = value.name.text;
  const index = constructor.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === field && ts.getModifiers(p)?.some(isParameterPropertyModifier));
  if (index >= 0) return made.args[index];
  const values = fieldValues(made.cls, field);
  const only = values.length === 1 ? unwrap(values[0]) : undefined;
  const binding = only && ts.isIdentifier(only) ? ctx.flow.bindingOf(only) : undefined;
  return binding && 'parameterOf' in binding && binding.parameterOf === constructor ? made.args[constructor.parameters.indexOf(binding.parameter)] : undefined;
}

/** Drivers' pool makers, by the module they are imported from and the name it exports them under. */
const POOL_MAKERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['postgres', new Set(['default'])],
  ['pg', new Set(['Pool'])],
  ['pg-pool', new Set(['default'])],
]);

/**
 * A client the wrapper's factory makes in its own body and its methods send on (`function createDb(url) { const sql =
 * postgres(url, { max: 10 }); return { query: (q) => sql.unsafe(q) } }`): a pool of the driver — postgres.js's client,
 * pg's `new Pool(…)` — not capped at one connection. Each query the object sends may take another of its connections,
 * so a `BEGIN` sent through one method call opens nothing for the next.
 */
function factoryPool(receiver: ts.Expression, ctx: Context, made: Made): boolean {
  const value = unwrap(receiver);
  if (!made.factory || !ts.isIdentifier(value)) return false;
  const binding = ctx.flow.bindingOf(value);
  if (!binding || !('variable' in binding) || !binding.variable.initializer || (binding.variable.parent.flags & ts.NodeFlags.Const) === 0) return false;
  // Declared in the factory's own body: one client per object the factory makes.
  let owner: ts.Node | undefined = binding.variable.parent;
  while (owner && !ts.isFunctionLike(owner)) owner = owner.parent;
  if (owner !== made.factory) return false;
  return makesDriverPool(binding.variable.initializer, ctx);
}

/** A driver's pool made there (POOL_MAKERS: postgres.js's client, pg's `new Pool(…)`), not capped at one connection. */
function makesDriverPool(value: ts.Expression, ctx: Context): boolean {
  const creation = unwrap(value);
  if (!ts.isCallExpression(creation) && !ts.isNewExpression(creation)) return false;
  const callee = creation.expression;
  const maker = ts.isIdentifier(callee) ? fileImports(ctx.source).get(callee.text)
    : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? namespaceMember(ctx, callee.expression.text, callee.name.text) : undefined;
  if (!maker || !POOL_MAKERS.get(maker.specifier)?.has(maker.name)) return false;
  return !(creation.arguments ?? []).some(capsAtOneConnection);
}

/**
 * A field of the wrapper's class its methods send on (`this.pool.query(text)`) that holds a pool: declared as one
 * (`private pool: Pool | null`, poolParameters.ts declaresPool), or, with no type written, given nothing but a driver's
 * pool made in the class (`this.pool = new Pool(…)` in an `initialize()`; an emptying `null` or `undefined` aside).
 * Each call of the method may then run on another of its connections, as through a factory's pool (factoryPool).
 */
function classFieldPool(receiver: ts.Expression, ctx: Context, made: Made): boolean {
  const value = unwrap(receiver);
  if (!made.cls || !ts.isPropertyAccessExpression(value) || value.expression.kind !== ts.SyntaxKind.ThisKeyword) return false;
  const field = value.name.text;
  const declaration = made.cls.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && memberName(m) === field);
  const declared = declaredClientKind(declaration?.type);
  if (declared !== undefined) return declared === 'pool';
  const given = fieldValues(made.cls, field).filter((value) => !isNullish(unwrap(value)));
  return given.length > 0 && given.every((value) => makesDriverPool(value, ctx));
}

/** `pg.Pool` where `import pg from 'pg'` (or `const pg = require('pg')`): the module's export `member`. */
function namespaceMember(ctx: Context, local: string, member: string): ImportedName | undefined {
  const imported = fileImports(ctx.source).get(local);
  return imported && imported.name === 'default' ? { specifier: imported.specifier, name: member } : undefined;
}

function isParameterPropertyModifier(modifier: ts.ModifierLike): boolean {
  return modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword
    || modifier.kind === ts.SyntaxKind.PublicKeyword || modifier.kind === ts.SyntaxKind.ReadonlyKeyword;
}

/** The class whose instance `this` at `node` is: the enclosing class, seen through arrows, not through a nested `function` or object literal. */
export function enclosingClassOf(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current = node.parent;
  // `this` in an arrow is its enclosing function's; in a nested `function`, not the class's.
  while (current && !ts.isClassLike(current)) {
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current) || ts.isObjectLiteralExpression(current)) return undefined;
    current = current.parent;
  }
  return current;
}

function isFunctionWithBody(node: ts.Node): node is FunctionWithBody {
  return (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body !== undefined;
}

