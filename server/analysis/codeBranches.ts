// The conditional paths a statement of TS/JS code sits on, within its function: the then or else of an
// `if`, a `case` or `default` of a `switch`, a `catch` block, the body of a loop that may run no time
// (`for`, `for … of/in`, `while`; not `do … while`), either side of `?:`, the right of `&&`, `||` and `??`.
// Two query calls on one client are then known to run on the same path or not: a RESET (or a ROLLBACK)
// in the `else` does not undo the SET made in the `then`, nor one made before the `if` (context.ts).
// Early exits (`return`, `throw`) are not followed: what follows them counts as running.
import ts from 'typescript';

export class CodeBranches {
  private readonly ids = new Map<ts.Node, number>();

  /** The ids of the paths `node` sits on, innermost first, up to its function; undefined when on none. */
  of(node: ts.Node): number[] | undefined {
    let found: number[] | undefined;
    for (let child = node, parent = node.parent; parent && !ts.isFunctionLike(parent) && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
      if (opensPath(parent, child)) (found ??= []).push(this.idOf(child));
    }
    return found;
  }

  private idOf(node: ts.Node): number {
    let id = this.ids.get(node);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(node, id);
    }
    return id;
  }
}

const SHORT_CIRCUIT = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

/** Whether `child`, right under `parent`, runs only on some runs of `parent`. */
function opensPath(parent: ts.Node, child: ts.Node): boolean {
  if (ts.isIfStatement(parent)) return child !== parent.expression;
  if (ts.isCaseClause(child) || ts.isDefaultClause(child) || ts.isCatchClause(child)) return true;
  if (ts.isConditionalExpression(parent)) return child !== parent.condition;
  if (ts.isBinaryExpression(parent)) return child === parent.right && SHORT_CIRCUIT.has(parent.operatorToken.kind);
  if (ts.isForStatement(parent) || ts.isForOfStatement(parent) || ts.isForInStatement(parent) || ts.isWhileStatement(parent)) return child === parent.statement;
  return false;
}
