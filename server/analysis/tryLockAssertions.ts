// A session try-lock a test asserts was NOT acquired: `const { rows } = await rival.query("SELECT
// pg_try_advisory_lock(42) AS locked"); expect(rows[0].locked).toBe(false)`. A test proving that another holder has the
// lock passes only when the call returns false, and a try-lock that returns false takes nothing: no lock stays on the
// server connection for a pooler to hand on. The same shape as a statement the test asserts must fail
// (expectedFailures.ts). Only the test's own words say so: the statement is that one call (with an optional alias), its
// result is kept in a const, and a later statement of the same block asserts the column false. Only in test code.
import ts from 'typescript';
import { calleeName, queryExpression } from './expectedFailures';

/** `SELECT pg_try_advisory_lock(…) [AS alias]` and nothing else; group 1 the alias. */
const LONE_TRY_LOCK = /^\s*select\s+pg_try_advisory_lock(?:_shared)?\s*\((?:[^()]|\([^()]*\))*\)(?:\s+as\s+"?(\w+)"?)?\s*(?:;\s*)?$/i;
/** Matchers saying false: jest/vitest's `toBe(false)`, `toEqual(false)`, `toStrictEqual(false)`; `toBeFalsy()`, chai's `.false`. */
const FALSE_MATCHER = /^(?:toBe|toEqual|toStrictEqual|equal|equals|eql)$/;
const NODE_ASSERT_EQUAL = /^(?:assert\.)?(?:equal|strictEqual|deepEqual|deepStrictEqual|is)$|^t\.(?:is|equal|false)$/;

/** Whether the query at `node` (its call, or the SQL string inside it) is a lone try-lock whose result the test asserts false. */
export function assertedNotAcquired(node: ts.Node): boolean {
  const text = sqlText(node);
  const lone = text === undefined ? undefined : LONE_TRY_LOCK.exec(text);
  if (!lone) return false;
  const column = (lone[1] ?? 'pg_try_advisory_lock').toLowerCase();
  const result = keptResult(queryExpression(node));
  if (!result) return false;
  const { names, statement } = result;
  const block = statement.parent;
  if (!ts.isBlock(block)) return false;
  const later = block.statements.slice(block.statements.indexOf(statement) + 1);
  return later.some((next) => assertsColumnFalse(next, names, column));
}

function sqlText(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) return node.arguments[0].text;
  return undefined;
}

/** `const res = await q` or `const { rows } = await q`: the names holding the result, and their statement. */
function keptResult(query: ts.Expression): { names: Set<string>; statement: ts.Statement } | undefined {
  const awaited = query.parent;
  const declaration = awaited && ts.isAwaitExpression(awaited) ? awaited.parent : undefined;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.initializer !== awaited) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
  const names = new Set<string>();
  if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
  else if (ts.isObjectBindingPattern(declaration.name)) {
    for (const element of declaration.name.elements) if (ts.isIdentifier(element.name)) names.add(element.name.text);
  }
  return names.size > 0 ? { names, statement: list.parent as ts.Statement } : undefined;
}

/** `expect(rows[0].locked).toBe(false)`, `.toBeFalsy()`, `.to.be.false`, `assert.equal(res.rows[0].locked, false)`, `assert.ok(!rows[0].locked)`. */
function assertsColumnFalse(statement: ts.Statement, names: ReadonlySet<string>, column: string): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  const reads = (value: ts.Expression | undefined): boolean => value !== undefined && readsColumn(value, names, column);
  let expression: ts.Expression = statement.expression;
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'false') expression = expression.expression;
  const chain: string[] = [];
  while (ts.isPropertyAccessExpression(expression) || ts.isCallExpression(expression)) {
    if (ts.isCallExpression(expression)) {
      const name = calleeName(expression);
      if (name === 'expect') return reads(expression.arguments[0]) && saysFalse(chain, statement.expression);
      if (NODE_ASSERT_EQUAL.test(name)) return reads(expression.arguments[0]) && (name === 't.false' || expression.arguments[1]?.kind === ts.SyntaxKind.FalseKeyword);
      if (name === 'assert' || name === 'assert.ok') {
        const first = expression.arguments[0];
        return first !== undefined && ts.isPrefixUnaryExpression(first) && first.operator === ts.SyntaxKind.ExclamationToken && reads(first.operand);
      }
      if (name === 'assert.isFalse') return reads(expression.arguments[0]);
      expression = expression.expression;
    } else {
      chain.push(expression.name.text);
      expression = expression.expression;
    }
  }
  return false;
}

/** The matcher chain after `expect(…)` says false: `.toBe(false)` (not after `.not`), `.toBeFalsy()`, `.to.be.false`. */
function saysFalse(chain: readonly string[], whole: ts.Expression): boolean {
  if (chain.includes('not')) return false;
  if (ts.isPropertyAccessExpression(whole) && whole.name.text === 'false') return true;
  if (!ts.isCallExpression(whole) || !ts.isPropertyAccessExpression(whole.expression)) return false;
  const matcher = whole.expression.name.text;
  if (matcher === 'toBeFalsy') return true;
  return FALSE_MATCHER.test(matcher) && whole.arguments.length === 1 && whole.arguments[0].kind === ts.SyntaxKind.FalseKeyword;
}

/** `rows[0].locked`, `res.rows[0].locked`, `rows[0]['locked']` rooted at one of the result's names. */
function readsColumn(value: ts.Expression, names: ReadonlySet<string>, column: string): boolean {
  const last = ts.isPropertyAccessExpression(value) ? value.name.text
    : ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression) ? value.argumentExpression.text : undefined;
  if (last === undefined || last.toLowerCase() !== column) return false;
  let root: ts.Expression = value;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
  return ts.isIdentifier(root) && names.has(root.text);
}
