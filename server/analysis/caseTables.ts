// A case table walked by a loop: `const cases = [{ query: 'SET …', error: null }, …]` and
// `for (const c of cases) { … client.query(c.query) … }`. Each element's property is one text the loop sends
// (embeddedFlow.ts's loopSentTexts reads them). What this module adds is what the loop's body says of each element, as
// far as it is written with the element's own literal values:
// - conditions on one property of the element (`c.error`, `!c.error`), which an object literal's literal value decides
//   (null/undefined/false/''/0 or the property left out are false; any other literal, an object or an array is true);
//   anything else about the element (a call, a comparison, a variable's value) is not known;
// - whether the query call runs for an element: the `if`/`?:`/`&&`/`||` branches between the loop and the call whose
//   condition names the loop's variable (`if (c.error) { await t.rejects(q) } else { await q }`);
// - whether a test asserts an element's statement fails (ruling 12, docs/corpus.md): expectedFailures.ts's awaited
//   query in a `try` with a `catch`, followed by `if (c.error) t.fail(…)`.
import ts from 'typescript';
import { objectProperty, unwrap } from './embeddedFlow';

/** One element of a case table and the loop variable that stands for it. */
export interface CaseElement {
  object: ts.ObjectLiteralExpression;
  variable: string;
}

/** Whether a literal value is truthy; undefined when the value is not a literal this module decides. */
function literalTruth(value: ts.Expression | undefined): boolean | undefined {
  if (value === undefined) return false;
  const node = unwrap(value);
  switch (node.kind) {
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.FalseKeyword:
      return false;
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.ObjectLiteralExpression:
    case ts.SyntaxKind.ArrayLiteralExpression:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TemplateExpression:
      return true;
  }
  if (ts.isIdentifier(node) && node.text === 'undefined') return false;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text !== '';
  if (ts.isNumericLiteral(node)) return Number(node.text) !== 0;
  return undefined;
}

/** Whether an expression names the element's variable anywhere (a property name of another object does not). */
export function mentionsVariable(node: ts.Node, variable: string): boolean {
  if (ts.isIdentifier(node)) {
    const parent = node.parent;
    if (node.text !== variable) return false;
    return !((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node));
  }
  return ts.forEachChild(node, (child) => mentionsVariable(child, variable) || undefined) === true;
}

/**
 * The value of a condition for one element: `c.error`, `!c.error` (parenthesized, negated again) with the element's
 * literal value of that property. Undefined for any other condition naming the element (`c.query.startsWith('SET')`,
 * `c.error === expected`), or one whose property is not a literal.
 */
export function conditionFor(condition: ts.Expression, element: CaseElement): boolean | undefined {
  const node = unwrap(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = conditionFor(node.operand, element);
    return inner === undefined ? undefined : !inner;
  }
  if (!ts.isPropertyAccessExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== element.variable || !ts.isIdentifier(node.name)) return undefined;
  return literalTruth(objectProperty(element.object, node.name.text));
}

/**
 * Whether the loop's body reaches `node` (the query's text argument) for this element: every `if`, `?:`, `&&`, `||`
 * between them whose condition names the element's variable is decided by the element (conditionFor). A branch whose
 * condition does not name the variable is taken as it is today (any element may reach it). Undefined when one naming the
 * variable cannot be decided, or a `switch` on it stands between them.
 */
export function reachedFor(node: ts.Node, loop: ts.ForOfStatement, element: CaseElement): boolean | undefined {
  for (let child = node, parent = node.parent; parent && child !== loop.statement; child = parent, parent = parent.parent) {
    let condition: ts.Expression | undefined;
    let whenTrue = true;
    if (ts.isIfStatement(parent) && child !== parent.expression) {
      condition = parent.expression;
      whenTrue = child === parent.thenStatement;
    } else if (ts.isConditionalExpression(parent) && child !== parent.condition) {
      condition = parent.condition;
      whenTrue = child === parent.whenTrue;
    } else if (ts.isBinaryExpression(parent) && child === parent.right
      && (parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || parent.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      condition = parent.left;
      whenTrue = parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
    } else if (ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      if (mentionsVariable(parent.parent.parent.expression, element.variable)) return undefined;
      continue;
    }
    if (!condition || !mentionsVariable(condition, element.variable)) continue;
    const holds = conditionFor(condition, element);
    if (holds === undefined) return undefined;
    if (holds !== whenTrue) return false;
  }
  return true;
}
