// Code that runs only when the code itself says the pooler is not in transaction mode: the branch of an `if`
// (or `?:`) whose condition compares a pool mode with 'transaction' and holds only when it differs
// (`process.env.PGMODE != 'transaction'`, `mode === 'session'`), or a flag set from such a comparison (a const,
// or a property of a const object: `const options = { prepare: env.POOL_MODE !== 'transaction' }` and then
// `if (options.prepare)`). A test suite run against a pooler in several modes keeps its session-only tests
// there; pooling findings inside that branch describe what the code already avoids. Syntax errors stay.
import ts from 'typescript';
import { walkDescendants } from './astWalk';

/** The pooler mode that breaks session state, and the modes that keep it. */
const TRANSACTION_MODE = /^transaction$/i;
const SESSION_MODE = /^session$/i;
/** A name for the pooler's mode (`PGMODE`, `POOL_MODE`, `poolMode`, `pooler_mode`, `PGBOUNCER_POOL_MODE`), not any mode (a lock's `mode === 'session'`). */
const MODE_NAME = /(?:pool(?:er)?|pg|bouncer)_?mode/i;
/** How many consts a flag is followed through. */
const MAX_DEPTH = 3;

/** Whether an expression holds only when the pool mode is not transaction (true), only when it is (false), or neither. */
function holdsOutsideTransactionMode(expression: ts.Expression, source: ts.SourceFile, depth = 0): boolean | undefined {
  const value = ts.isParenthesizedExpression(expression) ? expression.expression : expression;
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = holdsOutsideTransactionMode(value.operand, source, depth);
    return inner === undefined ? undefined : !inner;
  }
  if (ts.isBinaryExpression(value)) return comparesMode(value);
  if (depth >= MAX_DEPTH) return undefined;
  const initializer = flagInitializer(value, source);
  return initializer && holdsOutsideTransactionMode(initializer, source, depth + 1);
}

/** `x != 'transaction'` → true, `x === 'transaction'` → false, `x === 'session'` → true; anything else undefined. */
function comparesMode(comparison: ts.BinaryExpression): boolean | undefined {
  const kind = comparison.operatorToken.kind;
  const equal = kind === ts.SyntaxKind.EqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsEqualsToken;
  const unequal = kind === ts.SyntaxKind.ExclamationEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  if (!equal && !unequal) return undefined;
  const literal = [comparison.left, comparison.right].find(ts.isStringLiteralLike);
  const other = literal === comparison.left ? comparison.right : comparison.left;
  // The other side must name the pooler's mode: 'transaction' and 'session' alone are common words (a payment's
  // kind, an advisory lock's scope).
  if (!literal || !MODE_NAME.test(other.getText())) return undefined;
  if (TRANSACTION_MODE.test(literal.text)) return unequal;
  if (SESSION_MODE.test(literal.text)) return equal;
  return undefined;
}

/** The initializer of a const flag (`prepare`), or of a property of a const object literal (`options.prepare`). */
function flagInitializer(flag: ts.Expression, source: ts.SourceFile): ts.Expression | undefined {
  if (ts.isIdentifier(flag)) return constInitializer(flag.text, source);
  if (!ts.isPropertyAccessExpression(flag) || !ts.isIdentifier(flag.expression)) return undefined;
  const object = constInitializer(flag.expression.text, source);
  if (!object || !ts.isObjectLiteralExpression(object)) return undefined;
  const property = object.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText(source) === flag.name.text);
  return property && ts.isPropertyAssignment(property) ? property.initializer : undefined;
}

/** A top-level `const name = …` of the file (the flags such suites set once, at the top). */
function constInitializer(name: string, source: ts.SourceFile): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

/** The branches of the file that run only outside transaction pool mode. */
export function outsideTransactionModeBranches(source: ts.SourceFile): ts.Node[] {
  if (!/['"`](?:transaction|session)['"`]/i.test(source.text)) return [];
  const branches: ts.Node[] = [];
  walkDescendants(source, (node) => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const [condition, then, otherwise] = ts.isIfStatement(node) ? [node.expression, node.thenStatement, node.elseStatement] : [node.condition, node.whenTrue, node.whenFalse];
      const holds = holdsOutsideTransactionMode(condition, source);
      if (holds === true) branches.push(then);
      else if (holds === false && otherwise) branches.push(otherwise);
    }
    return true;
  });
  return branches;
}
