// A file's top-level functions by name: the one reader of them for the analysis's helpers followed into the same
// file or a module of the project (rolledBackCallbacks.ts's helpers that roll back or open a transaction around a
// callback, wrapperObjects.ts's exported functions, unsafeOnlyFunctions.ts's functions a postgres.js client is handed to,
// drizzleDatabaseUses.ts's functions a drizzle database is handed to). Read in one pass over the file's statements and kept per
// syntax tree: a pass per lookup was quadratic in a long module's size, since a lookup is asked for every call
// that takes a callback.
import ts from 'typescript';
import { hasModifier } from './astWalk';
import { unwrap } from './embeddedFlow';

export type TopLevelFunction = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

const functionsOf = new WeakMap<ts.SourceFile, Map<string, TopLevelFunction>>();

/**
 * The function the file declares at its top level by `name`, exported or not: `function name(…) {…}` (an overload
 * signature without a body is passed over for the implementation), a variable bound to an arrow or function
 * expression (also through parentheses and type assertions: `const name = (async () => {…}) as Handler`), or one
 * assigned to `exports.name` / `module.exports.name` (CommonJS). `default` is the function of `export default
 * function [name](…) {…}` (what a default import of the module names). The first statement that binds the name
 * decides, as a search from the top would.
 */
export function topLevelFunction(source: ts.SourceFile, name: string): TopLevelFunction | undefined {
  let functions = functionsOf.get(source);
  if (!functions) functionsOf.set(source, (functions = topLevelFunctions(source)));
  return functions.get(name);
}

function topLevelFunctions(source: ts.SourceFile): Map<string, TopLevelFunction> {
  const functions = new Map<string, TopLevelFunction>();
  const add = (name: string, value: ts.Node): void => {
    if (!functions.has(name) && (ts.isFunctionDeclaration(value) || ts.isArrowFunction(value) || ts.isFunctionExpression(value))) functions.set(name, value);
  };
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.body) {
      if (statement.name) add(statement.name.text, statement);
      if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) add('default', statement);
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) add(declaration.name.text, unwrap(declaration.initializer));
      }
    }
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = statement.expression;
      if (ts.isPropertyAccessExpression(left) && isCommonJsExports(left.expression)) add(left.name.text, unwrap(right));
    }
  }
  return functions;
}

/**
 * The statement at the file's top level that declares a function: the function's own `function f(…) {…}`, or the variable
 * statement whose declaration holds it (`const f = (…) => …`); undefined for one declared anywhere else (nested, a
 * method, a callback). The one reading of "a top-level function" and, with isExportedTopLevel, of "an exported one".
 */
export function topLevelStatement(fn: ts.SignatureDeclaration): ts.FunctionDeclaration | ts.VariableStatement | undefined {
  const statement = ts.isVariableDeclaration(fn.parent) ? fn.parent.parent.parent : fn;
  return ts.isSourceFile(statement.parent) && (ts.isFunctionDeclaration(statement) || ts.isVariableStatement(statement)) ? statement : undefined;
}

/** A top-level function or const arrow declared with `export` (`export function f`, `export const f = (…) => …`). */
export function isExportedTopLevel(fn: ts.SignatureDeclaration): boolean {
  const statement = topLevelStatement(fn);
  return statement !== undefined && hasModifier(statement, ts.SyntaxKind.ExportKeyword);
}

/** `exports` or `module.exports`: what a CommonJS module's named exports are assigned to (`exports.name = …`). */
export function isCommonJsExports(node: ts.Expression): boolean {
  return (ts.isIdentifier(node) && node.text === 'exports') || isModuleExports(node);
}

/** `module.exports`. */
export function isModuleExports(node: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'exports' && ts.isIdentifier(node.expression) && node.expression.text === 'module';
}
