// A postgres.js client handed to a function of the project (`await runMigrations(sql)`) prepares nothing there
// when that function only ever sends text through it with `unsafe(text)` (postgres.js' `unsafe` does not
// prepare unless asked) or tagged queries run with `.simple()` (the simple query protocol, which names no
// statement), ends it, reads what it was configured with (`sql.options`, to open another connection
// with the same settings: a replication session) or hands it on to another such function of its own file. The
// function is one of the file's own, or one a relative or aliased import (or a destructuring require) names (read from disk, bounded, cached
// briefly), also through the project's re-exports (`export * from './remote'` in a barrel `index.ts`, `export { f }
// from './f'`, a local function exported by an `export { f }` list); anything else done with the parameter — a tag,
// unsafe() asking to prepare, passing it elsewhere, storing it — may prepare, and the answer is false.
import ts from 'typescript';
import { importedNames, requiredNames } from './ownServerHelpers';
import { objectProperty } from './embeddedFlow';
import { functionOfModule } from './rolledBackCallbacks';
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
  const imported = importedNames(source).get(name) ?? requiredNames(source).get(name);
  if (!imported || imported.name === 'default') return undefined;
  return functionOfModule(source, imported.specifier, imported.name);
}

/**
 * Every use of `name` in the body is `name.unsafe(text)` (not asking to prepare), a tagged query run with
 * `.simple()`, `name.end()`, a read of an inert member (`name.options`) or a handoff to another such function; at least one.
 */
function usesOnlyUnsafe(name: string, body: ts.Node, handoffs: number): boolean {
  let uses = 0;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (ts.isIdentifier(node) && node.text === name && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      uses++;
      if (!isUnsafeOrEnd(node) && !readsInertMember(node) && !isSimpleQueryTag(node) && !isPassedToUnsafeOnlyFunction(node, handoffs)) safe = false;
    }
    node.forEachChild(visit);
  };
  visit(body);
  return safe && uses > 0;
}

/** Query methods that return the same query, still unsent (`.simple()` also turns prepare off). */
const LAZY_MODIFIERS = new Set(['simple', 'raw', 'values']);

/**
 * `name\`…\`.simple()` (among other lazy modifiers: `.simple().values()`): postgres.js' simple() sets
 * `prepare: false` and sends the text with the simple query protocol, which names no statement.
 */
export function isSimpleQueryTag(id: ts.Identifier): boolean {
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
function readsInertMember(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || !INERT_MEMBERS.has(access.name.text)) return false;
  const user = access.parent;
  if (ts.isCallExpression(user) && user.expression === access) return false;
  return !(ts.isBinaryExpression(user) && user.left === access && user.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && user.operatorToken.kind <= ts.SyntaxKind.LastAssignment);
}

function isUnsafeOrEnd(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || !ts.isCallExpression(access.parent) || access.parent.expression !== access) return false;
  const call = access.parent;
  if (access.name.text === 'end') return true;
  if (access.name.text !== 'unsafe' || call.arguments.some(ts.isSpreadElement)) return false;
  const options = call.arguments.find((a, i) => i > 0 && ts.isObjectLiteralExpression(a)) as ts.ObjectLiteralExpression | undefined;
  const prepare = options && objectProperty(options, 'prepare');
  return prepare === undefined || prepare.kind === ts.SyntaxKind.FalseKeyword;
}
