// A statement a helper writes in the arm of a test of its own parameter that none of the file's calls takes: `if (userId)
// SET …; else RESET …` in a test helper every call of which hands a user (`setCurrentUser(client, users.first)`) never
// runs its RESET, so that RESET puts back nothing the helper's SET leaves on the connection (embedded.ts reads an undo
// there as no undo). Read only for a function of this file alone (not exported, its name written only where it is
// called: freshHelperClients.ts argumentsAtEveryCall), a test of a parameter nothing assigns for presence (`p`, `!p`,
// `p !== null`, `p == undefined`, …) as an `if` with an `else` or a `?:`, and arguments that are surely present.
import ts from 'typescript';
import { enclosingFunction } from './astWalk';
import { neverAssigned } from './codeBranches';
import { isEmptyValue, unwrap, type Flow } from './embeddedFlow';
import { argumentsAtEveryCall } from './freshHelperClients';

/** How many consts in a row an argument is followed through (`const who = 'u1'; actAs(c, who)`). */
const MAX_CONST_HOPS = 3;

/** Whether `node` sits, within its function, in an arm of a presence test of the function's parameter that no call of the file takes. */
export function onArmNoCallTakes(node: ts.Node, flow: Flow): boolean {
  const fn = enclosingFunction(node);
  if (!fn) return false;
  for (let child: ts.Node = node, parent = node.parent; parent && parent !== fn; child = parent, parent = parent.parent) {
    const arm = armOf(parent, child);
    if (arm && absentArmNoCallTakes(arm.condition, arm.whenTrue, fn, flow)) return true;
  }
  return false;
}

/** The condition of an `if` with an `else` or of a `?:`, when `child` is one of its arms, and whether it is the arm taken when the condition holds. */
function armOf(parent: ts.Node, child: ts.Node): { condition: ts.Expression; whenTrue: boolean } | undefined {
  if (ts.isIfStatement(parent) && parent.elseStatement && child !== parent.expression) return { condition: parent.expression, whenTrue: child === parent.thenStatement };
  if (ts.isConditionalExpression(parent) && child !== parent.condition) return { condition: parent.condition, whenTrue: child === parent.whenTrue };
  return undefined;
}

/** Whether the arm (taken when `condition` is `whenTrue`) is the one a presence test of `fn`'s parameter takes for an absent value, and every call passes a present one. */
function absentArmNoCallTakes(condition: ts.Expression, whenTrue: boolean, fn: ts.SignatureDeclaration, flow: Flow): boolean {
  const test = presenceTest(condition);
  if (!test || whenTrue === test.presentWhenTrue) return false;
  const binding = flow.bindingOf(test.name);
  if (!binding || !('parameterOf' in binding) || binding.parameterOf !== fn || !neverAssigned(fn.getSourceFile(), test.name.text)) return false;
  const passed = argumentsAtEveryCall(fn, fn.parameters.indexOf(binding.parameter), fn.getSourceFile());
  return passed !== undefined && passed.every((argument) => surelyPresent(argument, flow, 0));
}

const EQUAL = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken]);
const NOT_EQUAL = new Set([ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/** A test of one name for a value: `name`, `!name`, `name !== null`, `undefined == name`, …; and whether it holds when the value is there. */
function presenceTest(condition: ts.Expression): { name: ts.Identifier; presentWhenTrue: boolean } | undefined {
  const test = unwrap(condition);
  if (ts.isIdentifier(test)) return { name: test, presentWhenTrue: true };
  if (ts.isPrefixUnaryExpression(test) && test.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = presenceTest(test.operand);
    return inner && { name: inner.name, presentWhenTrue: !inner.presentWhenTrue };
  }
  if (!ts.isBinaryExpression(test)) return undefined;
  const operator = test.operatorToken.kind;
  if (!EQUAL.has(operator) && !NOT_EQUAL.has(operator)) return undefined;
  const [name, other] = isEmptyValue(test.right) ? [unwrap(test.left), test.right] : [unwrap(test.right), test.left];
  if (!ts.isIdentifier(name) || !isEmptyValue(other)) return undefined;
  return { name, presentWhenTrue: NOT_EQUAL.has(operator) };
}

/**
 * A value that is there and truthy whichever test reads it: a non-empty string or template, a non-zero number, `true`, an
 * object, array, function or `new`; a property read (`users.first`: a fixture's field, where a test that means "nobody"
 * writes `null`); a const holding one. A variable, a parameter, a call's result or a choice may be absent.
 */
function surelyPresent(argument: ts.Expression, flow: Flow, hops: number): boolean {
  const value = unwrap(argument);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text !== '';
  if (ts.isTemplateExpression(value)) return value.head.text !== '' || value.templateSpans.some((span) => span.literal.text !== '');
  if (ts.isNumericLiteral(value)) return Number(value.text) !== 0;
  if (value.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (ts.isObjectLiteralExpression(value) || ts.isArrayLiteralExpression(value) || ts.isNewExpression(value) || ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return true;
  if (ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value)) return !ts.isOptionalChain(value);
  const held = ts.isIdentifier(value) && hops < MAX_CONST_HOPS ? flow.constInitializer(value) : undefined;
  return held !== undefined && surelyPresent(held, flow, hops + 1);
}
