// Whether a statement of a TypeScript/JavaScript function runs on every path through it up to a point: before every
// normal end of the function (boundaryHelpers.ts: the BEGIN or COMMIT a helper leaves its caller's client at), or
// before a later node of it whenever that node runs (localQueryHelpers.ts: the BEGIN a query helper sends before its
// caller's text). One reading serves both: on the way up from the statement to the block that also holds the point,
// nothing may make it conditional. Paths that throw are not paths here, as everywhere the linter reads code in order:
// a statement in a `try` block runs on every path that goes on after it.
import ts from 'typescript';
import { enclosingFunction, isWithin } from './astWalk';

/** The normal end of the function: each `return` of its own, and the end of its body. */
export const FUNCTION_END = 'end';

/**
 * Whether `node` (a call, say) runs on every path through `fn` that reaches `point`: a later node of `fn` itself (not
 * of a function inside it), or FUNCTION_END. Between `node` and the block holding both it and `point` (for
 * FUNCTION_END, `fn`'s body) only awaits, parentheses, expression, declaration and return statements, blocks and a
 * `try` block: not an `if`, a loop, a `catch` or `finally`, a `case`, a callback. Before FUNCTION_END, `fn` must also
 * have no `return` before `node` (a path that leaves without reaching it); before a node, such a path does not reach it.
 */
export function runsOnEveryPathTo(node: ts.Node, point: ts.Node | typeof FUNCTION_END, fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body || !isWithin(node, body)) return false;
  const toEnd = point === FUNCTION_END;
  if (!toEnd && (node.end > point.pos || enclosingFunction(point) !== fn)) return false;
  let child = node;
  // Up to the outermost node that holds `node` but not `point`: a statement of the block around both.
  while (child !== body && (toEnd || !isWithin(point, child.parent))) {
    const parent = child.parent;
    if (ts.isTryStatement(parent) ? parent.tryBlock !== child : !STRAIGHT_LINE.has(parent.kind)) return false;
    child = parent;
  }
  return toEnd ? !returnsBefore(node, body) : ts.isBlock(child.parent);
}

/** Nodes that run what they hold whenever they run, in order. */
const STRAIGHT_LINE = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.AwaitExpression, ts.SyntaxKind.ParenthesizedExpression, ts.SyntaxKind.ExpressionStatement, ts.SyntaxKind.Block,
  ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.VariableDeclarationList, ts.SyntaxKind.VariableStatement,
]);

/** A `return` of the function's own (not a nested function's) before `node`: a path that leaves without reaching it. */
function returnsBefore(node: ts.Node, body: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found || child.pos >= node.pos || ts.isFunctionLike(child)) return;
    if (ts.isReturnStatement(child) && child.end <= node.pos) found = true;
    else child.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}
