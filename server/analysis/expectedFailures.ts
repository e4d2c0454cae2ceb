// Statements a test expects the server to refuse. A security test may send a `SET ROLE` the login must not be
// allowed, and pass only when PostgreSQL rejects it; a refused statement changes nothing on the connection, so it
// leaves no session state for a pooler to hand on. Only the test's own words say so, around the query call:
// - the promise is asserted to reject: `await expect(db.query('SET ROLE admin')).rejects.toThrow(…)`, chai's
//   `expect(q).to.be.rejected` / `rejectedWith(…)` (also after `eventually`), `assert.rejects(q)`, `t.rejects(q)`,
//   `assert.isRejected(q)`, also with the query in an arrow function handed to them (`assert.rejects(() => q)`), and
//   node's `rejects(q)` imported by name from `assert`/`node:assert` (`import { rejects } from 'node:assert'`); the query
//   may be held in a const first whose every use is such an assertion (`const p = db.prepare(…); await rejects(p, /x/)`);
// - the query is awaited in a `try` block with a `catch` clause, and the very next statement of that block fails the
//   test: `expect(true).toBe(false)`, `expect.fail(…)`, `assert.fail(…)`, `fail(…)`, `t.fail(…)`, `expect.unreachable(…)`,
//   `assert(false)`, `assert.ok(false)`. If the statement succeeded, the test would fail. For one element of a case
//   table a loop sends (caseTables.ts), that next statement may be `if (c.error) t.fail(…)`: the elements whose own
//   `error` is set are asserted to fail (elementExpectedToFail).
// Only in test code (inProcess.ts's TEST_PATH).
import ts from 'typescript';
import { calleeName, chainHeadedBy, membersUpToFirstCall } from './assertionChains';
import { conditionFor, mentionsVariable, type CaseElement } from './caseTables';

/** A matcher chain that says the promise rejects: jest/vitest's `.rejects`, chai-as-promised's `rejected`/`rejectedWith`. */
const REJECTS_MEMBER = /^(?:rejects|rejected|rejectedWith)$/;
/** Assertion functions taking a promise (or a function returning one) that must reject. */
const REJECTS_CALL = /^(?:assert\.rejects|assert\.isRejected|t\.rejects|t\.throwsAsync|expect\.rejects)$/;
/** A call that fails the test outright. */
const FAIL_CALL = /^(?:fail|expect\.fail|expect\.unreachable|assert\.fail|t\.fail|chai\.assert\.fail|should\.fail)$/;

/** node's assert module, whose `rejects` a test may import by name. */
const ASSERT_MODULE = /^(?:node:)?assert(?:\/strict)?$/;

/** Whether the query at `node` (a call, or a template or string inside one) is one the test expects to be refused. */
export function expectedToFail(node: ts.Node): boolean {
  const query = queryExpression(node);
  return assertedToReject(query) || awaitedBeforeFailure(query) || heldForRejection(query);
}

/** The local names a file binds to node's `assert.rejects` (`import { rejects } from 'node:assert'`, `{ rejects as r }`). */
const importedRejects = new WeakMap<ts.SourceFile, ReadonlySet<string>>();
function rejectsNames(source: ts.SourceFile): ReadonlySet<string> {
  let names = importedRejects.get(source);
  if (!names) {
    const found = new Set<string>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !ASSERT_MODULE.test(statement.moduleSpecifier.text)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements) if ((element.propertyName ?? element.name).text === 'rejects') found.add(element.name.text);
    }
    names = found;
    importedRejects.set(source, names);
  }
  return names;
}

/** `rejects(q)` where `rejects` is node's, imported by name. */
function isImportedRejects(call: ts.CallExpression): boolean {
  return ts.isIdentifier(call.expression) && rejectsNames(call.getSourceFile()).has(call.expression.text);
}

/**
 * `const p = db.prepare(…); await rejects(p, /badtable/)`: the query's promise kept in a const of a block, every use
 * of which (at least one) is handed to an assertion that it rejects.
 */
function heldForRejection(query: ts.Expression): boolean {
  const declaration = query.parent;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.initializer !== query || !ts.isIdentifier(declaration.name)) return false;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return false;
  const block = list.parent?.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return false;
  const name = declaration.name.text;
  const uses: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name && node !== declaration.name) uses.push(node);
    ts.forEachChild(node, visit);
  };
  visit(block);
  return uses.length > 0 && uses.every((use) => assertedToReject(use));
}

/** The outermost expression standing for the query: its call, through `await`, parentheses and the call's arguments. */
export function queryExpression(node: ts.Node): ts.Expression {
  let current = node;
  for (;;) {
    const parent: ts.Node = current.parent;
    if (!parent) break;
    if (ts.isCallExpression(parent) && (parent.expression === current || parent.arguments.includes(current as ts.Expression))
      && !isAssertionCall(parent)) current = parent;
    else if (ts.isTaggedTemplateExpression(parent) && parent.template === current) current = parent;
    else if (ts.isTemplateSpan(parent) || ts.isTemplateExpression(parent)) current = parent;
    else if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) current = parent;
    // `db.query(…).then(…)`: still the query's promise.
    else if (ts.isPropertyAccessExpression(parent) && parent.expression === current && /^(?:then|catch|finally)$/.test(parent.name.text)
      && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) current = parent.parent;
    else break;
  }
  return current as ts.Expression;
}

/** `expect(…)` and the assertion functions: the query's climb stops there. */
function isAssertionCall(call: ts.CallExpression): boolean {
  const name = calleeName(call);
  return name === 'expect' || REJECTS_CALL.test(name) || isImportedRejects(call);
}

/** `expect(q).rejects…`, `expect(q).to.be.rejected…`, `assert.rejects(q)`, `assert.rejects(() => q)`. */
function assertedToReject(query: ts.Expression): boolean {
  let argument: ts.Node = query;
  // `() => q`, `async () => { await q; }` handed to the assertion: the function's only statement.
  const fn = enclosingFunctionOfOnlyStatement(query);
  if (fn) argument = fn;
  const call = argument.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(argument as ts.Expression)) return false;
  const name = calleeName(call);
  if (REJECTS_CALL.test(name) || isImportedRejects(call)) return call.arguments[0] === argument;
  if (name !== 'expect' || call.arguments[0] !== argument) return false;
  // Up the matcher chain: `.rejects`, `.to.be.rejected`, `.to.eventually.be.rejectedWith`.
  return membersUpToFirstCall(chainHeadedBy(call)).some((member) => REJECTS_MEMBER.test(member));
}

/** The arrow or function expression whose body is the query alone (`() => q`, `async () => { await q; }`). */
function enclosingFunctionOfOnlyStatement(query: ts.Expression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  let node: ts.Node = query;
  if (ts.isAwaitExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isArrowFunction(parent) && parent.body === node) return parent;
  const statement = ts.isExpressionStatement(parent) || ts.isReturnStatement(parent) ? parent : undefined;
  const block = statement?.parent;
  const fn = block && ts.isBlock(block) && block.statements.length === 1 ? block.parent : undefined;
  return fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn : undefined;
}

/** `try { await q; expect(true).toBe(false); } catch { … }`: the query is awaited, and the next statement fails the test. */
function awaitedBeforeFailure(query: ts.Expression): boolean {
  const next = statementAfterAwaitedTry(query);
  return next !== undefined && failsTheTest(next);
}

/** The statement right after the query awaited in a `try` block that has a `catch` clause; undefined for any other query. */
function statementAfterAwaitedTry(query: ts.Expression): ts.Statement | undefined {
  const awaited = query.parent;
  if (!awaited || !ts.isAwaitExpression(awaited)) return undefined;
  const statement = ts.isExpressionStatement(awaited.parent) ? awaited.parent
    : ts.isVariableDeclaration(awaited.parent) && awaited.parent.initializer === awaited ? awaited.parent.parent.parent : undefined;
  const block = statement?.parent;
  if (!statement || !block || !ts.isBlock(block) || !ts.isTryStatement(block.parent) || block.parent.tryBlock !== block || !block.parent.catchClause) return undefined;
  return block.statements[block.statements.indexOf(statement as ts.Statement) + 1];
}

/**
 * A case table's element (caseTables.ts) whose statement the test asserts to fail: the query is awaited in a `try` block
 * with a `catch` clause, and the very next statement of that block is `if (c.error) <fails the test>` (or a block opening
 * with one) whose condition the element's own literal makes true (`{ query: 'LISTEN x', error: 'LISTEN statement' }`).
 * An element for which that condition cannot be decided is taken as asserted: the table says nothing of it.
 */
export function elementExpectedToFail(node: ts.Node, element: CaseElement): boolean {
  const next = statementAfterAwaitedTry(queryExpression(node));
  if (!next || !ts.isIfStatement(next) || !mentionsVariable(next.expression, element.variable)) return false;
  const then = next.thenStatement;
  const first = ts.isBlock(then) ? then.statements[0] : then;
  if (!first || !failsTheTest(first)) return false;
  return conditionFor(next.expression, element) !== false;
}

function failsTheTest(statement: ts.Statement): boolean {
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return false;
  const call = statement.expression;
  const name = calleeName(call);
  if (FAIL_CALL.test(name)) return true;
  const first = call.arguments[0];
  // `assert(false)`, `assert.ok(false, 'should have failed')`.
  if ((name === 'assert' || name === 'assert.ok') && first !== undefined && first.kind === ts.SyntaxKind.FalseKeyword) return true;
  // `expect(true).toBe(false)`, `expect(false).toBe(true)`, also `toEqual`/`toStrictEqual`.
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !/^(?:toBe|toEqual|toStrictEqual)$/.test(callee.name.text)) return false;
  const subject = callee.expression;
  if (!ts.isCallExpression(subject) || calleeName(subject) !== 'expect' || subject.arguments.length !== 1 || call.arguments.length !== 1) return false;
  const actual = subject.arguments[0].kind;
  const expected = call.arguments[0].kind;
  return (actual === ts.SyntaxKind.TrueKeyword && expected === ts.SyntaxKind.FalseKeyword) || (actual === ts.SyntaxKind.FalseKeyword && expected === ts.SyntaxKind.TrueKeyword);
}
