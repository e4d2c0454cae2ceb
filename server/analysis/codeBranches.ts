// The conditional paths a statement of TS/JS code sits on, within its function: the then or else of an
// `if`, a `case` or `default` of a `switch`, a `catch` block, the body of a loop that may run no time
// (`for`, `for … of/in`, `while`; not `do … while`), either side of `?:`, the right of `&&`, `||` and `??`.
// Two query calls on one client are then known to run on the same path or not: a RESET (or a ROLLBACK)
// in the `else` does not undo the SET made in the `then`, nor one made before the `if` (context.ts).
// Early exits (`return`, `throw`) are not followed: what follows them counts as running (a `return` between a SET and
// its undo is weighed apart: embedded.ts's noteLeave, context.ts's PlacedFacts.leaves).
// Some paths are the arms of a choice that takes one of them on every run (an `if` with an `else`, the two sides
// of `?:`, the clauses of a `switch` with a `default`): an undo written in every arm runs whichever is taken
// (branchArms.ts). A path's id says which choice and arm it is; other paths are choices of no arm.
// Two `if`s of one block that test the same thing of a name nothing reassigns (`if (dialect === 'postgres') SET …`,
// then, after other work, `if (dialect === 'postgres') SET … = DEFAULT`) take the same arm on every run: their arms
// are one path each, so an undo in the second runs whenever the statement of the first did.
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

  /** The id of the path `node` itself opens right under its parent (an arm of `?:`, the right of `??`), if it opens one. */
  opened(node: ts.Node): number | undefined {
    const parent = node.parent;
    return parent && opensPath(parent, node) ? this.idOf(node, parent) : undefined;
  }

  private idOf(node: ts.Node, parent: ts.Node): number {
    // The then (or else) of an `if` testing what an earlier `if` of the same block tested is the same path.
    if (ts.isIfStatement(parent)) {
      const earlier = sameTestBefore(parent);
      if (earlier) return this.idOf(node === parent.thenStatement ? earlier.thenStatement : earlier.elseStatement!, earlier);
    }
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

/** The operators of a test that reads a name and compares it with a literal. */
const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/**
 * An earlier `if` of the same block, with an `else` exactly when this one has one, whose condition is the same
 * test (the same text) of one name that nothing in the file assigns: both take the same arm on every run.
 */
function sameTestBefore(statement: ts.IfStatement): ts.IfStatement | undefined {
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return undefined;
  const name = testedName(statement.expression);
  if (!name) return undefined;
  const text = statement.expression.getText();
  const source = statement.getSourceFile();
  for (const sibling of block.statements) {
    if (sibling === statement) return undefined;
    if (ts.isIfStatement(sibling) && !sibling.elseStatement === !statement.elseStatement && sibling.expression.getText() === text) {
      return neverAssigned(source, name) ? sibling : undefined;
    }
  }
  return undefined;
}

/** The one name a condition tests: `name`, `!name`, or `name === literal` (either side; also `!==`, `==`, `!=`). */
function testedName(condition: ts.Expression): string | undefined {
  let test = condition;
  while (ts.isParenthesizedExpression(test)) test = test.expression;
  if (ts.isPrefixUnaryExpression(test) && test.operator === ts.SyntaxKind.ExclamationToken) test = test.operand;
  if (ts.isIdentifier(test)) return test.text;
  if (!ts.isBinaryExpression(test) || !EQUALITY.has(test.operatorToken.kind)) return undefined;
  const [name, other] = ts.isIdentifier(test.left) ? [test.left, test.right] : [test.right, test.left];
  return ts.isIdentifier(name) && isLiteral(other) ? name.text : undefined;
}

function isLiteral(node: ts.Expression): boolean {
  return ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
    || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword;
}

/** Whether no assignment, increment, `var` initializer or `for … of/in` in the file writes a name spelled `name` (a `const`/`let` declaration is no write: both `if`s read the one binding of their block). */
export function neverAssigned(source: ts.SourceFile, name: string): boolean {
  let written = false;
  const visit = (node: ts.Node): void => {
    if (written) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && writesName(node.left, name)) written = true;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) && writesName(node.operand, name)) written = true;
    else if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.name) && node.name.text === name && !(ts.getCombinedNodeFlags(node) & ts.NodeFlags.BlockScoped)) written = true; // `var name = …` again
    else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer) && writesName(node.initializer, name)) written = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return !written;
}

/** Whether an assignment target writes `name` (itself, or inside a destructuring pattern). */
function writesName(target: ts.Node, name: string): boolean {
  if (ts.isIdentifier(target)) return target.text === name;
  if (ts.isParenthesizedExpression(target)) return writesName(target.expression, name);
  if (ts.isArrayLiteralExpression(target) || ts.isObjectLiteralExpression(target)) {
    let found = false;
    target.forEachChild((child) => { found ||= writesName(child, name); });
    return found;
  }
  if (ts.isShorthandPropertyAssignment(target)) return target.name.text === name;
  if (ts.isPropertyAssignment(target)) return writesName(target.initializer, name);
  if (ts.isSpreadElement(target) || ts.isSpreadAssignment(target)) return writesName(target.expression, name);
  return false;
}
