// The conditional paths a statement of TS/JS code sits on, within its function: the then or else of an
// `if`, a `case` or `default` of a `switch`, a `catch` block, the body of a loop that may run no time
// (`for`, `for … of/in`, `while`; not `do … while`), either side of `?:`, the right of `&&`, `||` and `??`.
// Two query calls on one client are then known to run on the same path or not: a RESET (or a ROLLBACK)
// in the `else` does not undo the SET made in the `then`, nor one made before the `if` (context.ts).
// Early exits (`return`, `throw`) are not followed: what follows them counts as running.
// Some paths are the arms of a choice that takes one of them on every run (an `if` with an `else`, the two sides
// of `?:`, the clauses of a `switch` with a `default`): an undo written in every arm runs whichever is taken
// (branchArms.ts). A path's id says which choice and arm it is; other paths are choices of no arm.
import ts from 'typescript';
import { ARM_SPACE, armId } from './branchArms';

export class CodeBranches {
  private readonly ids = new Map<ts.Node, number>();
  private readonly choices = new Map<ts.Node, number>();

  /** The ids of the paths `node` sits on, innermost first, up to its function; undefined when on none. */
  of(node: ts.Node): number[] | undefined {
    let found: number[] | undefined;
    for (let child = node, parent = node.parent; parent && !ts.isFunctionLike(parent) && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
      if (opensPath(parent, child)) (found ??= []).push(this.idOf(child, parent));
    }
    return found;
  }

  private idOf(node: ts.Node, parent: ts.Node): number {
    let id = this.ids.get(node);
    if (id === undefined) {
      const arm = armOf(parent, node);
      let choice = this.choices.get(arm ? parent : node);
      if (choice === undefined) {
        choice = this.choices.size;
        this.choices.set(arm ? parent : node, choice);
      }
      id = armId(choice, arm?.arm ?? 0, arm?.arms ?? 0);
      this.ids.set(node, id);
    }
    return id;
  }
}

/** The arm `child` is of the choice `parent` makes on every run, if it makes one. */
function armOf(parent: ts.Node, child: ts.Node): { arm: number; arms: number } | undefined {
  if (ts.isIfStatement(parent)) return parent.elseStatement ? { arm: child === parent.thenStatement ? 0 : 1, arms: 2 } : undefined;
  if (ts.isConditionalExpression(parent)) return { arm: child === parent.whenTrue ? 0 : 1, arms: 2 };
  if (ts.isCaseBlock(parent) && parent.clauses.some(ts.isDefaultClause) && parent.clauses.length < ARM_SPACE) {
    return { arm: parent.clauses.indexOf(child as ts.CaseOrDefaultClause), arms: parent.clauses.length };
  }
  return undefined;
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
