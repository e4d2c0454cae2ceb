// Conditions in application code that hold only when the code runs under its test suite: `isTest`,
// `process.env.NODE_ENV === 'test'`, or a conjunction with one of them (`isTest && !config.DATABASE_URL`). A value
// chosen only under such a condition (`isTest ? 'sqlite3' : 'pg'`) is never the one a deployed application uses.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { RUN_ENVIRONMENT_NAME } from './runEnvironment';

/** A flag named for a test run (`isTest`, `IS_TEST`, `isTesting`). */
const TEST_FLAG_NAME = /^is_?test(?:ing)?$/i;

/** The environment name of a test run. */
const TEST_ENVIRONMENT = 'test';

/** The name an identifier or property read ends in (`isTest`, `config.NODE_ENV`, `process.env['NODE_ENV']`). */
function readName(node: ts.Expression): string | undefined {
  const value = unwrap(node);
  if (ts.isIdentifier(value)) return value.text;
  if (ts.isPropertyAccessExpression(value)) return value.name.text;
  if (ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression)) return value.argumentExpression.text;
  return undefined;
}

/** `NODE_ENV === 'test'` (either side, `==` too). */
function comparesEnvironmentToTest(condition: ts.BinaryExpression): boolean {
  const kind = condition.operatorToken.kind;
  if (kind !== ts.SyntaxKind.EqualsEqualsEqualsToken && kind !== ts.SyntaxKind.EqualsEqualsToken) return false;
  const isTestText = (side: ts.Expression): boolean => { const text = unwrap(side); return ts.isStringLiteralLike(text) && text.text === TEST_ENVIRONMENT; };
  const namesEnvironment = (side: ts.Expression): boolean => RUN_ENVIRONMENT_NAME.test(readName(side) ?? '');
  return (isTestText(condition.right) && namesEnvironment(condition.left)) || (isTestText(condition.left) && namesEnvironment(condition.right));
}

/** Whether `condition` can be true only in a test run: a test check, or a conjunction one side of which is. */
export function holdsOnlyInTests(condition: ts.Expression): boolean {
  const value = unwrap(condition);
  if (TEST_FLAG_NAME.test(readName(value) ?? '')) return true;
  if (!ts.isBinaryExpression(value)) return false;
  if (value.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return holdsOnlyInTests(value.left) || holdsOnlyInTests(value.right);
  return comparesEnvironmentToTest(value);
}

/** The arm of `test ? a : b` taken only in test runs (`isTest ? a : b` → a; `!isTest ? a : b` → b), if either is. */
export function testOnlyArm(choice: ts.ConditionalExpression): ts.Expression | undefined {
  const condition = unwrap(choice.condition);
  if (holdsOnlyInTests(condition)) return choice.whenTrue;
  const negated = ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken;
  return negated && holdsOnlyInTests(condition.operand) ? choice.whenFalse : undefined;
}
