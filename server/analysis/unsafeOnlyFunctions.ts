// A postgres.js client handed to a function of the project (`await runMigrations(sql)`) prepares nothing there
// when that function only ever sends text through it with `unsafe(text)` (postgres.js' `unsafe` does not
// prepare unless asked) or tagged queries run with `.simple()` (the simple query protocol, which names no
// statement), ends it, reads what it was configured with (`sql.options`, to open another connection
// with the same settings: a replication session) or hands it on to another such function of its own file. The
// function is one of the file's own, or one a relative or aliased import (or a destructuring require) names (read from disk, bounded, cached
// briefly), also through the project's re-exports (`export * from './remote'` in a barrel `index.ts`, `export { f }
// from './f'`, a local function exported by an `export { f }` list); anything else done with the parameter — a tag,
// unsafe() asking to prepare, passing it elsewhere, storing it — may prepare, and the answer is false. One place to
// store it is read: a constructor of a class of the project (`new Session(query, client)`) that keeps the client in a
// parameter property only the class's own code reads, whose every reading sends nothing prepared (isHandedToUnsafeOnlyClass).
import ts from 'typescript';
import { hasModifier } from './astWalk';
import { fileImports } from './ownServerHelpers';
import { memberName, objectProperty } from './embeddedFlow';
import { classOfModule, functionOfModule, topLevelClass } from './rolledBackCallbacks';
import { topLevelFunction, type TopLevelFunction } from './topLevelFunctions';

/** How many functions a client is followed through (`subscribe(db)` handing it to `sessionFor(db)`). */
const MAX_HANDOFFS = 3;
/** Members read without sending anything: what the client was configured with, its type parsers and serializers. */
const INERT_MEMBERS = new Set(['options', 'serializers', 'parsers', 'types']);

/** Whether `id` is an argument of a call to a project function that only sends unprepared text through it. */
export function isPassedToUnsafeOnlyFunction(id: ts.Identifier, handoffs = 0): boolean {
  const call = id.parent;
  if (handoffs >= MAX_HANDOFFS || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return false;
  const index = call.arguments.indexOf(id);
  if (index < 0) return false;
  const target = functionNamed(call.expression.text, id.getSourceFile());
  const parameter = target?.parameters[index];
  return parameter !== undefined && ts.isIdentifier(parameter.name) && target?.body !== undefined && usesOnlyUnsafe(parameter.name.text, target.body, handoffs + 1);
}

/**
 * The file's own top-level function of that name (topLevelFunctions.ts), or the one an import of it names, also through the project's
 * re-exports (a barrel `index.ts` of `export * from './remote'`: rolledBackCallbacks.ts's functionOfModule). CommonJS
 * names it the same way: `const { deletePerTenant } = require('./reset.js')` reaches the module's function as an
 * `import { deletePerTenant }` would. Also read by postgresJsOneShot.ts.
 */
export function functionNamed(name: string, source: ts.SourceFile): TopLevelFunction | undefined {
  const own = topLevelFunction(source, name);
  if (own) return own;
  const imported = fileImports(source).get(name);
  if (!imported || imported.name === 'default') return undefined;
  return functionOfModule(source, imported.specifier, imported.name);
}

/**
 * Every use of `name` in the body is `name.unsafe(text)` (not asking to prepare), a tagged query run with
 * `.simple()`, `name.end()`, a read of an inert member (`name.options`) or a handoff to another such function or
 * class; at least one.
 */
function usesOnlyUnsafe(name: string, body: ts.Node, handoffs: number): boolean {
  return (unpreparedUses(name, body, handoffs) ?? 0) > 0;
}

/** How many uses of `name` the body has when every one prepares nothing (usesOnlyUnsafe); undefined when one may. */
function unpreparedUses(name: string, body: ts.Node, handoffs: number): number | undefined {
  let uses = 0;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (ts.isIdentifier(node) && node.text === name && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      uses++;
      if (!isUnpreparedUse(node, handoffs)) safe = false;
    }
    node.forEachChild(visit);
  };
  visit(body);
  return safe ? uses : undefined;
}

/** One mention of a client (a name, or `this.client`) that prepares nothing: see usesOnlyUnsafe. */
function isUnpreparedUse(use: ts.Expression, handoffs: number): boolean {
  return isUnsafeOrEnd(use) || readsInertMember(use) || isSimpleQueryTag(use)
    || (ts.isIdentifier(use) && isPassedToUnsafeOnlyFunction(use, handoffs)) || isHandedToUnsafeOnlyClass(use, handoffs);
}

/** How many classes up a client's field is looked for in the base classes (`class Session extends Template`). */
const MAX_BASES = 3;

/**
 * `new Session(query, client, …)`: the client handed to the constructor of a class of the project (the file's own, or
 * one an import names, through re-exports) that keeps it in a `private` or `protected` parameter property. Only the
 * class's own code reads such a field (the instance made here is of this very class, so no subclass's code runs on
 * it), and every reading of it there (`this.client.unsafe(query, params)`, also on another instance), like every use of the parameter in the
 * constructor, must prepare nothing; no base class may declare or read a member of that name, and `this` may not be
 * read whole (`const { client } = this`, `this[key]`, `inspect(this)`, `return this`): fieldReadsUnprepared. Also read by postgresJsUses.ts for a client handed over directly.
 */
export function isHandedToUnsafeOnlyClass(use: ts.Expression, handoffs = 0): boolean {
  const made = use.parent;
  if (handoffs >= MAX_HANDOFFS || !ts.isNewExpression(made) || !ts.isIdentifier(made.expression) || !made.arguments) return false;
  const index = made.arguments.indexOf(use);
  if (index < 0 || made.arguments.slice(0, index).some(ts.isSpreadElement)) return false;
  const owner = classNamed(made.expression.text, use.getSourceFile());
  const constructor = owner?.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  const parameter = constructor?.parameters[index];
  if (!owner || !constructor?.body || !parameter || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken || !ts.isParameterPropertyDeclaration(parameter, constructor)) return false;
  if (!hasModifier(parameter, ts.SyntaxKind.PrivateKeyword) && !hasModifier(parameter, ts.SyntaxKind.ProtectedKeyword)) return false;
  const field = parameter.name.text;
  return unpreparedUses(field, constructor.body, handoffs + 1) !== undefined && fieldReadsUnprepared(owner, field, handoffs + 1)
    && basesLeaveField(owner, field, 0);
}

/**
 * A class of the project by the name a file uses for it: the file's own top-level class, or the one its import (or
 * require) names. Also read by transactionHooks.ts.
 */
export function classNamed(name: string, source: ts.SourceFile): ts.ClassDeclaration | undefined {
  const own = topLevelClass(source, name);
  if (own) return own;
  const imported = fileImports(source).get(name);
  return imported && imported.name !== 'default' ? classOfModule(source, imported.specifier, imported.name) : undefined;
}

/**
 * Every reading of the field in the class prepares nothing. The class's code sees a private member on any instance of
 * it, so `this.<field>`, `other.<field>` and `other['<field>']` are all read, whatever the receiver, nested classes
 * included. `this` may be read only to reach one of its members (`this.<member>`): handed whole to a function,
 * returned, listed, destructured or indexed, it can reach the field from code not read here (another module's
 * `job['db']`). A computed `other[key]` on another instance is not followed.
 */
function fieldReadsUnprepared(owner: ts.ClassLikeDeclaration, field: string, handoffs: number): boolean {
  let safe = true;
  const visit = (node: ts.Node, ownThis: boolean): void => {
    if (!safe) return;
    if (node.kind === ts.SyntaxKind.ThisKeyword) safe = !ownThis || readsMemberOfThis(node);
    else if (namesMember(node, field)) safe = isUnpreparedUse(node, handoffs);
    node.forEachChild((child) => visit(child, ownThis && !ts.isClassLike(child)));
  };
  visit(owner, true);
  return safe;
}

/** `this.<member>`: `this` read only as the receiver of a named member. */
function readsMemberOfThis(self: ts.Node): boolean {
  const access = self.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === self;
}

/** `<receiver>.<member>` or `<receiver>['<member>']`, whatever the receiver. */
function namesMember(node: ts.Node, member: string): node is ts.PropertyAccessExpression | ts.ElementAccessExpression {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === member;
  return ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === member;
}

/** No class the owner extends (each found in the project) declares a member named `field` or reads `this.<field>`. */
function basesLeaveField(owner: ts.ClassDeclaration, field: string, depth: number): boolean {
  const base = owner.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (!base) return true;
  if (depth >= MAX_BASES || !ts.isIdentifier(base)) return false;
  const found = classNamed(base.text, owner.getSourceFile());
  const declares = found?.members.some((m) => memberName(m) === field || (ts.isConstructorDeclaration(m) && m.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === field && ts.isParameterPropertyDeclaration(p, m))));
  if (!found || declares || !fieldReadsUnprepared(found, field, MAX_HANDOFFS)) return false;
  return basesLeaveField(found, field, depth + 1);
}

/** Query methods that return the same query, still unsent (`.simple()` also turns prepare off). */
const LAZY_MODIFIERS = new Set(['simple', 'raw', 'values']);

/**
 * `name\`…\`.simple()` (among other lazy modifiers: `.simple().values()`): postgres.js' simple() sets
 * `prepare: false` and sends the text with the simple query protocol, which names no statement.
 */
export function isSimpleQueryTag(id: ts.Expression): boolean {
  const tagged = id.parent;
  if (!ts.isTaggedTemplateExpression(tagged) || tagged.tag !== id) return false;
  let outer: ts.Node = tagged;
  let simple = false;
  for (;;) {
    while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
    const access = outer.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== outer || !LAZY_MODIFIERS.has(access.name.text)) break;
    const call = access.parent;
    if (!ts.isCallExpression(call) || call.expression !== access || call.arguments.length > 0) break;
    simple ||= access.name.text === 'simple';
    outer = call;
  }
  return simple;
}

/** `name.options` read as a value (not called, not assigned to). */
function readsInertMember(id: ts.Expression): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || !INERT_MEMBERS.has(access.name.text)) return false;
  const user = access.parent;
  if (ts.isCallExpression(user) && user.expression === access) return false;
  return !(ts.isBinaryExpression(user) && user.left === access && user.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && user.operatorToken.kind <= ts.SyntaxKind.LastAssignment);
}

function isUnsafeOrEnd(id: ts.Expression): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || !ts.isCallExpression(access.parent) || access.parent.expression !== access) return false;
  const call = access.parent;
  if (access.name.text === 'end') return true;
  if (access.name.text !== 'unsafe' || call.arguments.some(ts.isSpreadElement)) return false;
  const options = call.arguments.find((a, i) => i > 0 && ts.isObjectLiteralExpression(a)) as ts.ObjectLiteralExpression | undefined;
  const prepare = options && objectProperty(options, 'prepare');
  return prepare === undefined || prepare.kind === ts.SyntaxKind.FalseKeyword;
}
