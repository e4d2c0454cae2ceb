// The values a test table hands one parameter of the callback its runner calls once per row:
// `it.each(rows)(title, (a, b) => …)` (also `describe`/`test`/`suite`/`bench` and their modifiers: `test.concurrent.each`,
// `it.skip.each`; Jest, Vitest, Bun). An array row is spread into the callback's parameters, any other row is handed
// whole as the first; an object row's property is read by a destructured parameter (`({ url }) => …`). Read only where
// every row is written out: the table is an array literal in place, or held in a `const` of the file whose every use is
// such a `.each(…)` argument, with no spread row or spread cell before the parameter's; the parameter is a plain name (or
// a plain name destructured from an object row), with no default, never assigned in the callback, after no rest
// parameter. Anything else is not known (undefined). drizzleDatabaseUses.ts follows a table's cell the other way, into
// the callback.
import ts from 'typescript';
import { walkDescendants } from './astWalk';
import { isConstDeclaration, objectProperty, outermostWrapper, unwrap, type Flow } from './embeddedFlow';

/** Functions of Jest, Vitest, Bun and Mocha-style runners whose `.each(table)` runs a callback per row. */
export const TABLE_RUNNERS = /^(?:describe|test|it|suite|bench|context|fdescribe|xdescribe|fit|xit|xtest)$/;

/**
 * What `name` (bound by `parameter` of `fn`) is in each row of the test table `fn` runs for: the row's expression for
 * it, or undefined where the row gives it none (a missing cell or property: the callback gets `undefined`). Undefined
 * as a whole when `fn` is not such a callback or its table cannot be read row by row.
 */
export function tableParameterValues(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, name: string, flow: Flow): (ts.Expression | undefined)[] | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const index = fn.parameters.indexOf(parameter);
  if (index < 0 || parameter.initializer || fn.parameters.slice(0, index + 1).some((p) => p.dotDotDotToken)) return undefined;
  const rows = tableRows(fn, flow);
  if (!rows || assignedIn(fn, name)) return undefined;
  let key: string | undefined;
  if (ts.isObjectBindingPattern(parameter.name)) {
    const element = parameter.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name);
    const property = element && !element.dotDotDotToken && !element.initializer ? element.propertyName ?? element.name : undefined;
    if (!property || !(ts.isIdentifier(property) || ts.isStringLiteral(property))) return undefined;
    key = property.text;
  } else if (!ts.isIdentifier(parameter.name) || parameter.name.text !== name) {
    return undefined;
  }
  const values: (ts.Expression | undefined)[] = [];
  for (const row of rows) {
    const bare = unwrap(row);
    let cell: ts.Expression | undefined;
    if (ts.isArrayLiteralExpression(bare)) {
      if (bare.elements.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
      cell = bare.elements[index];
      if (cell && ts.isOmittedExpression(cell)) cell = undefined;
    } else {
      cell = index === 0 ? row : undefined;
    }
    if (key === undefined) {
      values.push(cell);
      continue;
    }
    const object = cell && unwrap(cell);
    if (!object || !ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return undefined;
    values.push(objectProperty(object, key));
  }
  return values;
}

/** The rows of the table `fn` is the per-row callback of: `X.each(table)(title, fn)` with the table written out. */
function tableRows(fn: ts.ArrowFunction | ts.FunctionExpression, flow: Flow): readonly ts.Expression[] | undefined {
  const written = outermostWrapper(fn);
  const run = written.parent;
  if (!ts.isCallExpression(run) || !run.arguments.slice(1).includes(written as ts.Expression)) return undefined;
  if (run.arguments.slice(1).filter((a) => ts.isArrowFunction(unwrap(a)) || ts.isFunctionExpression(unwrap(a))).length !== 1) return undefined;
  const each = unwrap(run.expression);
  if (!ts.isCallExpression(each) || !isTableRunner(each.expression) || each.arguments.length !== 1) return undefined;
  let table = unwrap(each.arguments[0]);
  if (ts.isIdentifier(table)) {
    const binding = flow.bindingOf(table);
    const declaration = binding && 'variable' in binding ? binding.variable : undefined;
    if (!declaration || !isConstDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return undefined;
    if (!onlyRunAsTable(declaration, declaration.name.text, flow)) return undefined;
    table = unwrap(declaration.initializer);
  }
  if (!ts.isArrayLiteralExpression(table) || table.elements.some(ts.isSpreadElement)) return undefined;
  return table.elements;
}

/** `describe.each`, `test.concurrent.each`, `it.skip.each`: `.each` on a runner's name. */
function isTableRunner(callee: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'each') return false;
  let root: ts.Expression = callee.expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  return ts.isIdentifier(root) && TABLE_RUNNERS.test(root.text);
}

/** Every mention of the const in its file is a runner's `.each(name)` argument (not pushed to, exported, read by index). */
function onlyRunAsTable(declaration: ts.VariableDeclaration, name: string, flow: Flow): boolean {
  let safe = true;
  walkDescendants(declaration.getSourceFile(), (node) => {
    if (!safe) return false;
    if (!ts.isIdentifier(node) || node.text !== name || node === declaration.name) return true;
    const parent = node.parent;
    if ((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node)) return true;
    const binding = ts.isExportSpecifier(parent) ? undefined : flow.bindingOf(node);
    if (binding && !('variable' in binding && binding.variable === declaration)) return true; // another value of the name
    const at = outermostWrapper(node);
    const call = at.parent;
    if (!(ts.isCallExpression(call) && call.arguments.length === 1 && call.arguments[0] === at && isTableRunner(call.expression))) safe = false;
    return true;
  });
  return safe;
}

/** Whether the name is assigned (or incremented) anywhere in the function. */
function assignedIn(fn: ts.Node, name: string): boolean {
  let assigned = false;
  walkDescendants(fn, (node) => {
    if (assigned) return false;
    const target = ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      ? node.left
      : (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
        ? node.operand
        : undefined;
    if (target && ts.isIdentifier(unwrap(target)) && (unwrap(target) as ts.Identifier).text === name) assigned = true;
    return true;
  });
  return assigned;
}
