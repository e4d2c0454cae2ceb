// A session try-lock a test asserts was NOT acquired: `const { rows } = await rival.query("SELECT
// pg_try_advisory_lock(42) AS locked"); expect(rows[0].locked).toBe(false)`. A test proving that another holder has the
// lock passes only when the call returns false, and a try-lock that returns false takes nothing: no lock stays on the
// server connection for a pooler to hand on. The same shape as a statement the test asserts must fail
// (expectedFailures.ts). Only the test's own words say so: the statement is that one call (with an optional alias), its
// result is kept in a const, and a later statement of the same block asserts the column false — or the first row or the
// rows equal by contents to the column false (`expect(rows).toEqual([{ locked: false }])`). Only in test code.
// A script's probe reads the same way (probeEndsIfAcquired): the same lone call kept in a const, then, with nothing but
// consts between, an `if` on the column (or a const holding it: `const held = rows[0]?.locked ?? true`) whose branch
// ends the program (`process.exit(1)`): the script goes on only when the try returned false. An acquired path that goes
// on (a `return`, a throw, which a caller may catch and go on holding the lock, more work after) keeps it.
import ts from 'typescript';
import { assertionChain, type ChainLink } from './assertionChains';
import { queryExpression } from './expectedFailures';

/** `SELECT pg_try_advisory_lock(…) [AS alias]` and nothing else; group 1 the alias. */
const LONE_TRY_LOCK = /^\s*select\s+pg_try_advisory_lock(?:_shared)?\s*\((?:[^()]|\([^()]*\))*\)(?:\s+as\s+"?(\w+)"?)?\s*(?:;\s*)?$/i;
/** Matchers saying the value is false: jest/vitest's `toBe(false)`, `toEqual(false)`, `toStrictEqual(false)`, chai's `equal(false)`. */
const FALSE_MATCHER = /^(?:toBe|toEqual|toStrictEqual|equal|equals|eql)$/;
/** Matchers comparing the row (or rows) with an object by its contents: jest/vitest's, chai's `eql` (`equal` after `deep`), `include`. */
const CONTENT_MATCHER = /^(?:toEqual|toStrictEqual|toMatchObject|eql|eqls)$/;
const CHAI_INCLUDE = /^(?:include|includes|contain|contains)$/;
/** Matchers naming a property and its value: `toHaveProperty('locked', false)`, chai's `.property('locked', false)`. */
const PROPERTY_MATCHER = /^(?:toHaveProperty|property)$/;
const NODE_ASSERT_EQUAL = /^(?:assert\.)?(?:equal|strictEqual|deepEqual|deepStrictEqual|is)$|^t\.(?:is|equal|false)$/;
/** node:assert, ava and tap assertions comparing by contents (`assert.deepStrictEqual(rows[0], { locked: false })`, `t.like`). */
const NODE_ASSERT_CONTENTS = /^(?:assert\.)?(?:deepEqual|deepStrictEqual)$|^t\.(?:deepEqual|like|same|strictSame)$/;

/** Whether the query at `node` (its call, or the SQL string inside it) is a lone try-lock whose result the test asserts false. */
export function assertedNotAcquired(node: ts.Node): boolean {
  const probe = loneTryLockProbe(node);
  return probe !== undefined && probe.later.some((next) => assertsColumnFalse(next, probe.names, probe.column));
}

/**
 * Whether the query at `node` is a lone try-lock whose acquired path ends the program
 * (see the file comment): `if (rows[0].locked) { console.error('FAIL'); process.exit(1); }`, directly after the
 * query or after consts only (`const held = rows[0]?.locked ?? true; if (held) process.exit(1)`).
 */
export function probeEndsIfAcquired(node: ts.Node): boolean {
  const probe = loneTryLockProbe(node);
  if (!probe) return false;
  const holders = new Set<string>();
  for (const next of probe.later) {
    if (ts.isIfStatement(next)) return isAcquiredTest(next.expression, probe.names, holders, probe.column) && endsProgram(next);
    if (!ts.isVariableStatement(next)) return false;
    for (const declaration of next.declarationList.declarations) {
      const value = declaration.initializer && stripped(declaration.initializer);
      if ((next.declarationList.flags & ts.NodeFlags.Const) && ts.isIdentifier(declaration.name) && value && truthyWhenAcquired(value, probe.names, holders, probe.column)) {
        holders.add(declaration.name.text);
      }
    }
  }
  return false;
}

/** A lone try-lock query at `node`, its column, the names its result is kept in, and the statements after it in its block. */
function loneTryLockProbe(node: ts.Node): { column: string; names: ReadonlySet<string>; later: readonly ts.Statement[] } | undefined {
  const text = sqlText(node);
  const lone = text === undefined ? undefined : LONE_TRY_LOCK.exec(text);
  if (!lone) return undefined;
  const result = keptResult(queryExpression(node));
  if (!result) return undefined;
  const { names, statement } = result;
  const block = statement.parent;
  if (!ts.isBlock(block)) return undefined;
  return { column: (lone[1] ?? 'pg_try_advisory_lock').toLowerCase(), names, later: block.statements.slice(block.statements.indexOf(statement) + 1) };
}

/**
 * The query's text: a string, or a template with its holes written as parameters (a `Prisma.sql` template's `hashtext(${name})`
 * reads `hashtext($1)`), given as is or as a call's first argument.
 */
function sqlText(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => `$1${span.literal.text}`).join('');
  if (ts.isTaggedTemplateExpression(node)) return sqlText(node.template);
  if (ts.isCallExpression(node) && node.arguments.length > 0) {
    const first = node.arguments[0];
    return ts.isStringLiteralLike(first) || ts.isTemplateExpression(first) || ts.isTaggedTemplateExpression(first) ? sqlText(first) : undefined;
  }
  return undefined;
}

function stripped(value: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(value) || ts.isNonNullExpression(value)) value = value.expression;
  return value;
}

/** `rows[0].locked`, a const holding it, either with a fallback (`?? true`, `|| false`): true whenever the column is. */
function truthyWhenAcquired(value: ts.Expression, names: ReadonlySet<string>, holders: ReadonlySet<string>, column: string): boolean {
  const plain = stripped(value);
  if (ts.isBinaryExpression(plain) && (plain.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || plain.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return truthyWhenAcquired(plain.left, names, holders, column);
  }
  return (ts.isIdentifier(plain) && holders.has(plain.text)) || readsColumn(plain, names, column);
}

/** An `if` condition true exactly on the acquired path: the column or its holder, alone or compared `=== true`. */
function isAcquiredTest(condition: ts.Expression, names: ReadonlySet<string>, holders: ReadonlySet<string>, column: string): boolean {
  const plain = stripped(condition);
  const readsAcquired = (value: ts.Expression): boolean => {
    const inner = stripped(value);
    return (ts.isIdentifier(inner) && holders.has(inner.text)) || readsColumn(inner, names, column);
  };
  if (ts.isBinaryExpression(plain) && (plain.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || plain.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken)) {
    return plain.right.kind === ts.SyntaxKind.TrueKeyword && readsAcquired(plain.left);
  }
  return readsAcquired(plain);
}

/**
 * Whether an `if`'s branch (with no `else`) ends the program: its last statement `process.exit(…)`, with no `return`,
 * `break` or `continue` before it.
 */
function endsProgram(check: ts.IfStatement): boolean {
  if (check.elseStatement) return false;
  const statements = ts.isBlock(check.thenStatement) ? check.thenStatement.statements : [check.thenStatement];
  const last = statements[statements.length - 1];
  if (!last || statements.some((statement) => ts.isReturnStatement(statement) || ts.isBreakOrContinueStatement(statement))) return false;
  if (!ts.isExpressionStatement(last)) return false;
  const call = stripped(last.expression);
  return ts.isCallExpression(call) && call.expression.getText().replace(/\s/g, '') === 'process.exit';
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

/**
 * `expect(rows[0].locked).toBe(false)`, `.toBeFalsy()`, `.to.be.false`, `assert.equal(res.rows[0].locked, false)`,
 * `assert.ok(!rows[0].locked)`; or the row or rows compared by contents with the column false:
 * `expect(rows[0]).toEqual({ locked: false })`, `expect(rows).toEqual([{ locked: false }])`, `.toMatchObject(…)`,
 * `.toHaveProperty('locked', false)`, `assert.deepStrictEqual(rows[0], { locked: false })`.
 */
function assertsColumnFalse(statement: ts.Statement, names: ReadonlySet<string>, column: string): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  const chain = assertionChain(statement.expression);
  if (!chain) return false;
  const [actual, expected] = chain.head.arguments;
  const reads = (value: ts.Expression | undefined): boolean => value !== undefined && readsColumn(value, names, column);
  const { name } = chain;
  if (name === 'expect') return reads(actual) ? saysFalse(chain.links) : saysRowFalse(chain.links, resultPart(actual, names), column);
  if (NODE_ASSERT_EQUAL.test(name) && reads(actual)) return name === 't.false' || expected?.kind === ts.SyntaxKind.FalseKeyword;
  if (NODE_ASSERT_CONTENTS.test(name)) return equalsColumnFalse(expected, resultPart(actual, names), column);
  if (name === 'assert' || name === 'assert.ok') return actual !== undefined && ts.isPrefixUnaryExpression(actual) && actual.operator === ts.SyntaxKind.ExclamationToken && reads(actual.operand);
  return name === 'assert.isFalse' && reads(actual);
}

/** The matcher chain after `expect(column)` says false: `.toBe(false)` (not after `.not`), `.toBeFalsy()`, `.to.be.false`. */
function saysFalse(links: readonly ChainLink[]): boolean {
  const matcher = links[links.length - 1];
  if (!matcher || links.some((link) => link.name === 'not')) return false;
  if (!matcher.call) return matcher.name === 'false';
  if (matcher.name === 'toBeFalsy') return true;
  const values = matcher.call.arguments;
  return FALSE_MATCHER.test(matcher.name) && values.length === 1 && values[0].kind === ts.SyntaxKind.FalseKeyword;
}

/** The matcher chain after `expect(row)` or `expect(rows)` compares by contents with the column false (see assertsColumnFalse). */
function saysRowFalse(links: readonly ChainLink[], part: ResultPart | undefined, column: string): boolean {
  const matcher = links[links.length - 1];
  if (!part || !matcher?.call || links.some((link) => link.name === 'not')) return false;
  const values = matcher.call.arguments;
  if (PROPERTY_MATCHER.test(matcher.name)) {
    return part === 'first row' && values.length === 2 && ts.isStringLiteralLike(values[0]) && values[0].text.toLowerCase() === column && values[1].kind === ts.SyntaxKind.FalseKeyword;
  }
  const byContents = CONTENT_MATCHER.test(matcher.name) || (/^equals?$/.test(matcher.name) && links.some((link) => link.name === 'deep'))
    || (part === 'first row' && CHAI_INCLUDE.test(matcher.name));
  return byContents && values.length === 1 && equalsColumnFalse(values[0], part, column);
}

/** What of the query's result an assertion reads: its rows (`rows`, `res.rows`) or its first row (`rows[0]`, `res.rows[0]`). */
type ResultPart = 'rows' | 'first row';

function resultPart(value: ts.Expression | undefined, names: ReadonlySet<string>): ResultPart | undefined {
  if (value === undefined) return undefined;
  if (ts.isElementAccessExpression(value)) {
    const index = value.argumentExpression;
    return ts.isNumericLiteral(index) && index.text === '0' && isRows(value.expression, names) ? 'first row' : undefined;
  }
  return isRows(value, names) ? 'rows' : undefined;
}

/** `rows` (a name the result is kept in) or `res.rows`. */
function isRows(value: ts.Expression, names: ReadonlySet<string>): boolean {
  if (ts.isPropertyAccessExpression(value) && value.name.text === 'rows') value = value.expression;
  return ts.isIdentifier(value) && names.has(value.text);
}

/** `{ locked: false }` for the first row, `[{ locked: false }]` (the one row) for the rows. */
function equalsColumnFalse(expected: ts.Expression | undefined, part: ResultPart | undefined, column: string): boolean {
  if (expected === undefined || part === undefined) return false;
  if (part === 'first row') return objectWithColumnFalse(expected, column);
  return ts.isArrayLiteralExpression(expected) && expected.elements.length === 1 && objectWithColumnFalse(expected.elements[0], column);
}

function objectWithColumnFalse(value: ts.Expression, column: string): boolean {
  return ts.isObjectLiteralExpression(value) && value.properties.some((property) => ts.isPropertyAssignment(property)
    && (ts.isIdentifier(property.name) || ts.isStringLiteralLike(property.name)) && property.name.text.toLowerCase() === column
    && property.initializer.kind === ts.SyntaxKind.FalseKeyword);
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
