// A package loaded where it is needed (`const { SQL } = await import('bun')` inside the function that connects, as
// code does that runs on more than one runtime or keeps a driver optional) binds its exports as an import
// declaration would, only in a narrower scope. The analysis reads such names file-wide, as it reads imports.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { walkDescendants } from './astWalk';

/** A name bound to a package's export (`exported`), or to the whole module object (`exported` undefined). */
export interface DynamicBinding {
  local: string;
  exported: string | undefined;
  /** Loaded by `require` (whose whole module is a CommonJS package's export itself) rather than `import()` (a namespace). */
  required: boolean;
}

/**
 * The names a file binds to `specifier`'s exports by loading it at run time, anywhere in the file:
 * `const { SQL, sql: db } = await import('bun')`, `const SQL = (await import('bun')).SQL`, `const bun = await import('bun')`
 * (the module object), `import('bun').then(({ SQL }) => …)`, and the same with `require('bun')`. A rest element or a
 * nested pattern binds nothing here.
 */
export function dynamicImportBindings(source: ts.SourceFile, specifier: string): DynamicBinding[] {
  // Cheap refusal: most files load nothing at run time.
  if (!source.text.includes('import(') && !source.text.includes('require(')) return [];
  if (!source.text.includes(specifier)) return [];
  const found: DynamicBinding[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || !loads(node, specifier)) return true;
    bindingsOfLoad(node, found);
    return true;
  });
  return found;
}

/** `import('m')` or `require('m')` with this literal specifier. */
function loads(call: ts.CallExpression, specifier: string): boolean {
  const argument = call.arguments[0];
  if (call.arguments.length !== 1 || !argument || !ts.isStringLiteralLike(argument) || argument.text !== specifier) return false;
  return call.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(call.expression) && call.expression.text === 'require');
}

function bindingsOfLoad(load: ts.CallExpression, found: DynamicBinding[]): void {
  const isImport = load.expression.kind === ts.SyntaxKind.ImportKeyword;
  let value: ts.Node = load;
  let sawAwait = false;
  while (value.parent && (ts.isParenthesizedExpression(value.parent) || ts.isAwaitExpression(value.parent) || ts.isAsExpression(value.parent) || ts.isNonNullExpression(value.parent))) {
    value = value.parent;
    if (ts.isAwaitExpression(value)) sawAwait = true;
  }
  // `import(m)` without `await` is a promise: only its `.then(({ SQL }) => …)` binds exports.
  const awaited = !isImport || sawAwait;
  const parent = value.parent;
  if (isImport && !awaited && ts.isPropertyAccessExpression(parent) && parent.name.text === 'then' && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
    const callback = parent.parent.arguments[0];
    const module = callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) ? callback.parameters[0] : undefined;
    if (module) bindPattern(module.name, found, false);
    return;
  }
  if (!awaited) return;
  if (ts.isVariableDeclaration(parent) && parent.initializer === value) {
    bindPattern(parent.name, found, !isImport);
    return;
  }
  // `const SQL = (await import('bun')).SQL`: one export, under the declared name.
  if (ts.isPropertyAccessExpression(parent) && parent.expression === value) {
    const holder = declarationHolding(parent);
    if (holder && ts.isIdentifier(holder.name)) found.push({ local: holder.name.text, exported: parent.name.text, required: !isImport });
  }
}

/** The variable declaration whose initializer is `node` (through parentheses, type assertions and `!`). */
function declarationHolding(node: ts.Expression): ts.VariableDeclaration | undefined {
  let value: ts.Node = node;
  while (value.parent && (ts.isParenthesizedExpression(value.parent) || ts.isAsExpression(value.parent) || ts.isNonNullExpression(value.parent))) value = value.parent;
  const parent = value.parent;
  return parent && ts.isVariableDeclaration(parent) && parent.initializer === value ? parent : undefined;
}

function bindPattern(name: ts.BindingName, found: DynamicBinding[], required: boolean): void {
  if (ts.isIdentifier(name)) {
    found.push({ local: name.text, exported: undefined, required });
    return;
  }
  if (!ts.isObjectBindingPattern(name)) return;
  for (const element of name.elements) {
    if (element.dotDotDotToken || !ts.isIdentifier(element.name)) continue;
    const key = element.propertyName ?? element.name;
    if (ts.isIdentifier(key) || ts.isStringLiteral(key)) found.push({ local: element.name.text, exported: key.text, required });
  }
}

/** `(await import('m')).member` or `require('m').member` read in place: the module `m`, when the load is one. */
export function loadedModuleOf(expression: ts.Expression): string | undefined {
  const value = unwrap(expression);
  if (!ts.isCallExpression(value)) return undefined;
  const argument = value.arguments[0];
  if (value.arguments.length !== 1 || !argument || !ts.isStringLiteralLike(argument)) return undefined;
  const isImport = value.expression.kind === ts.SyntaxKind.ImportKeyword;
  // A bare `import('m').SQL` reads a member of the promise: nothing. Only an awaited import is the module.
  if (isImport && !ts.isAwaitExpression(awaitedFrom(expression))) return undefined;
  return isImport || (ts.isIdentifier(value.expression) && value.expression.text === 'require') ? argument.text : undefined;
}

/** The first non-parenthesis node of `expression` going inwards. */
function awaitedFrom(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  return current;
}
