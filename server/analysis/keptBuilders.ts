// A function that returns SQL text (a "builder": `scopeSql(opts)` joining the SETs it pushes, `roleSql(r)` returning one
// `SET ROLE …`) is read on its own, where no call decides, because its callers may be in other files (embedded.ts
// inspectSqlBuilder). A builder its module keeps to itself has no such callers: the calls of it in its own file are all
// there is. This module finds those calls, so that the builder's text can be judged by the client each call's text is
// sent on (docs/embedded-sql.md, "Read on their own, where no call decides").
import ts from 'typescript';
import type { Flow } from './embeddedFlow';
import { hasModifier, walkDescendants } from './astWalk';

/** `require(`, `module.exports`, `exports.x`: a CommonJS module, whose top-level functions are not globals. */
const COMMONJS = /\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w/;

/**
 * Every call of `fn` in its file, when the file keeps it to itself: a function declaration, or a function or arrow
 * bound to a variable, in a module (ES or CommonJS: a browser script's top-level function is a global any other script
 * may call) that does not export it, and every other use of its name in the file is a call of it by that name (not
 * handed on as a value, `[scopeSql].map(…)`, `module.exports = { scopeSql }`, `export { scopeSql }`, nor a key or
 * member of the same spelling, which may name it elsewhere). Undefined when the function has no call, or may have one
 * the file does not show; methods, object properties and class fields are never kept (an instance's method is called
 * through any object of the class).
 */
export function keptBuilderCalls(fn: ts.SignatureDeclaration, source: ts.SourceFile, flow: Flow): ts.CallExpression[] | undefined {
  const name = declaredName(fn);
  if (!name || !(ts.isExternalModule(source) || COMMONJS.test(source.text))) return undefined;
  const calls: ts.CallExpression[] = [];
  let unknown = false;
  walkDescendants(source, (node) => {
    if (unknown) return false;
    if (!ts.isIdentifier(node) || node.text !== name.text || node === name) return;
    const call = node.parent;
    if (ts.isCallExpression(call) && call.expression === node && flow.localFunction(node) === fn) calls.push(call);
    else unknown = true;
  }, () => unknown);
  return !unknown && calls.length > 0 ? calls : undefined;
}

/** The name a function is declared by, when it is neither exported nor a member: `function f`, `const f = () => …`. */
function declaredName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name && !exported(fn) ? fn.name : undefined;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const declaration = fn.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== fn || !ts.isIdentifier(declaration.name)) return undefined;
  const statement = declaration.parent?.parent;
  return statement && ts.isVariableStatement(statement) && !exported(statement) ? declaration.name : undefined;
}

function exported(node: ts.FunctionDeclaration | ts.VariableStatement): boolean {
  return hasModifier(node, ts.SyntaxKind.ExportKeyword) || hasModifier(node, ts.SyntaxKind.DefaultKeyword);
}
