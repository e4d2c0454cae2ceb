// PostgreSQL that runs inside the process (PGlite, WebAssembly): one session, never behind a pooler, so
// session state in it is no hazard (its SQL is still PostgreSQL: syntax errors stay). The TS/JS analysis
// (embedded.ts) asks this file which code talks to such a database: values created from or declared as
// PGlite's classes, branches that run only when the code's own dialect test says PGlite, and test files
// that start their own PGlite socket server for their clients. A pooled client next to them keeps its findings.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { IN_PROCESS_DATABASE_CLASSES, IN_PROCESS_DATABASE_TYPES } from './clientHandles';

const PGLITE_CLASS = new RegExp(`^(?:${IN_PROCESS_DATABASE_CLASSES.join('|')})$`);
export const PGLITE_TYPE = new RegExp(`^(?:${IN_PROCESS_DATABASE_TYPES.join('|')})$`);
/** A string naming PGlite as the dialect or driver in use (`dialect === 'pglite'`, `'pglite_test'`). */
const PGLITE_NAME = /^pglite(?:$|[_-])/i;
/** Dialect names of server PostgreSQL: code for when a *dialect* is not one of these is not pooled PostgreSQL's. */
const SERVER_POSTGRES_NAME = /^(?:postgres|postgresql|pg)$/i;
const DIALECT_NAME = /dialect$/i;
/** pglite-socket's server: a test that starts one serves its clients from its own in-process database. */
const PGLITE_SERVER_CLASS = /\bnew\s+PGLiteSocket(?:Server|Handler)\s*\(/i;
export { TEST_PATH } from './testPath';
import { TEST_PATH } from './testPath';

/**
 * Methods only PGlite's instances have (raw wire-protocol exchange, data-directory dumps, multi-tab leadership):
 * a value the code calls one of them on is PGlite, whatever another file declared it as.
 */
const PGLITE_ONLY_METHOD = /^(?:execProtocol|execProtocolRaw|execProtocolStream|dumpDataDir|syncToFs|refreshArrayTypes|onLeaderChange)$/;

/** A cheap gate: files that never name PGlite nor call a method only it has need none of this file's walks. */
export function mayUsePglite(text: string): boolean {
  return /pglite|\.(?:execProtocol|dumpDataDir|syncToFs|refreshArrayTypes|onLeaderChange)/i.test(text);
}

/** The objects this file calls a PGlite-only method on (`db.execProtocolRaw(message)`: `db`). */
export function pgliteMethodReceivers(source: ts.SourceFile): ts.Expression[] {
  const receivers: ts.Expression[] = [];
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && PGLITE_ONLY_METHOD.test(node.expression.name.text)) {
      receivers.push(node.expression.expression);
    }
    return true;
  });
  return receivers;
}

/** A test file that starts a PGlite socket server: its clients connect to it, not through a pooler. */
export function startsOwnPgliteServer(text: string, fileName: string | undefined): boolean {
  return fileName !== undefined && TEST_PATH.test(fileName) && PGLITE_SERVER_CLASS.test(text);
}

/** `new PGlite(…)`, `PGlite.create(…)` (through await and parentheses). */
export function createsPglite(expression: ts.Expression): boolean {
  const value = unwrap(expression);
  if (ts.isNewExpression(value)) return ts.isIdentifier(value.expression) && PGLITE_CLASS.test(value.expression.text);
  return ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'create'
    && ts.isIdentifier(value.expression.expression) && PGLITE_CLASS.test(value.expression.expression.text);
}

/**
 * The statements and expressions that run only when the code's own test says the database is PGlite:
 * the `then` of `if (dialect === 'pglite')` (or `=== 'pglite' || === 'pglite_test'`), the `else` of
 * `if (db.$dialect === 'postgres')`, a `case 'pglite':` clause, and the same arms of `?:`.
 */
export function inProcessBranches(source: ts.SourceFile): ts.Node[] {
  const branches: ts.Node[] = [];
  walkDescendants(source, (node) => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const [condition, whenTrue, whenFalse] = ts.isIfStatement(node)
        ? [node.expression, node.thenStatement, node.elseStatement] : [node.condition, node.whenTrue, node.whenFalse];
      if (impliesPglite(condition, true)) branches.push(whenTrue);
      else if (whenFalse && impliesPglite(condition, false)) branches.push(whenFalse);
    } else if (ts.isCaseBlock(node)) {
      node.clauses.forEach((clause, index) => {
        if (ts.isCaseClause(clause) && isPgliteName(clause.expression) && !fallsInto(node.clauses[index - 1])) branches.push(clause);
      });
    }
    return true;
  });
  return branches;
}

/** Whether the previous clause runs on into this one (empty, or not ending in break/return/throw/continue). */
function fallsInto(previous: ts.CaseOrDefaultClause | undefined): boolean {
  if (!previous) return false;
  const last = previous.statements[previous.statements.length - 1];
  return !last || !(ts.isBreakStatement(last) || ts.isReturnStatement(last) || ts.isThrowStatement(last) || ts.isContinueStatement(last));
}

function isPgliteName(node: ts.Expression): boolean {
  return ts.isStringLiteralLike(node) && PGLITE_NAME.test(node.text);
}

/** `x.dialect === 'postgres'` (either side): a test that the dialect is server PostgreSQL. */
function isServerDialectTest(left: ts.Expression, right: ts.Expression): boolean {
  const [named, literal] = ts.isStringLiteralLike(right) ? [left, right] : [right, left];
  const name = ts.isPropertyAccessExpression(named) ? named.name.text : ts.isIdentifier(named) ? named.text : '';
  return ts.isStringLiteralLike(literal) && SERVER_POSTGRES_NAME.test(literal.text) && DIALECT_NAME.test(name);
}

/** Whether `condition` having the value `outcome` means the database is PGlite (or, for a dialect test, not server PostgreSQL). */
function impliesPglite(condition: ts.Expression, outcome: boolean): boolean {
  if (ts.isParenthesizedExpression(condition)) return impliesPglite(condition.expression, outcome);
  if (ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken) return impliesPglite(condition.operand, !outcome);
  if (!ts.isBinaryExpression(condition)) return false;
  const { left, right, operatorToken: { kind } } = condition;
  switch (kind) {
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken: {
      const equal = kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken ? outcome : !outcome;
      return equal ? isPgliteName(left) || isPgliteName(right) : isServerDialectTest(left, right);
    }
    // a || b is true when either is (each must imply it), false when both are (one implying it is enough); && the other way round.
    case ts.SyntaxKind.BarBarToken:
      return outcome ? impliesPglite(left, true) && impliesPglite(right, true) : impliesPglite(left, false) || impliesPglite(right, false);
    case ts.SyntaxKind.AmpersandAmpersandToken:
      return outcome ? impliesPglite(left, true) || impliesPglite(right, true) : impliesPglite(left, false) && impliesPglite(right, false);
    case ts.SyntaxKind.InstanceOfKeyword:
      return outcome && ts.isIdentifier(right) && PGLITE_CLASS.test(right.text);
    default:
      return false;
  }
}
