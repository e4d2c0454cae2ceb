// Test-database helpers with per-test hooks: `await db.beforeEach()` inside a test framework's
// `beforeEach(…)` callback, paired with `db.afterEach()` in its `afterEach`, is how such helpers wrap each
// test in a transaction (BEGIN and a SAVEPOINT before, a rollback after), so a `SET LOCAL` sent on that
// object right after the hook is not known to be lost. Where the helper's class is in the same file, its
// method must be seen to send BEGIN / START TRANSACTION / SAVEPOINT; a helper defined elsewhere cannot be
// read here, and the hook pair is what it is known by.
import ts from 'typescript';
import { calleeText } from './embeddedFlow';
import { escapeRegExp } from './regexText';
import { OPENS_TRANSACTION } from './rolledBackCallbacks';
import { SETUP_HOOK, TEARDOWN_HOOK } from './suiteTransactions';

/** How many calls of `this.method()` deep a hook's body is followed (`beforeEach` → `begin` → query). */
const MAX_METHOD_DEPTH = 3;

/**
 * Whether `call` is `receiver.beforeEach()` run by a test framework's `beforeEach` hook, on an object whose
 * `afterEach()` the file also calls, and whose class (when this file defines one with that method) begins a
 * transaction in it.
 */
export function opensPerTestTransaction(call: ts.CallExpression, receiver: ts.Expression, source: ts.SourceFile): boolean {
  if (calleeText(call.expression) !== SETUP_HOOK || call.arguments.length > 0 || !insideFrameworkHook(call)) return false;
  const key = receiver.getText(source);
  if (!callsTeardown(source.text, key)) return false;
  const ownHooks = methodsNamed(source, SETUP_HOOK);
  return ownHooks.length === 0 || ownHooks.some((method) => sendsTransactionStart(method, 0));
}

/** The call sits in a function passed to the framework's `beforeEach(…)` (`beforeEach(async () => { … })`, `test.beforeEach(…)`). */
function insideFrameworkHook(call: ts.CallExpression): boolean {
  for (let node: ts.Node | undefined = call.parent; node; node = node.parent) {
    if (!ts.isFunctionLike(node)) continue;
    const hook = node.parent;
    return hook !== undefined && ts.isCallExpression(hook) && hook.arguments.includes(node as ts.Expression) && calleeText(hook.expression) === SETUP_HOOK;
  }
  return false;
}

function callsTeardown(text: string, key: string): boolean {
  const escaped = escapeRegExp(key);
  return new RegExp(`(?<![\\w$.])${escaped}\\s*\\.\\s*${TEARDOWN_HOOK}\\s*\\(`).test(text);
}

/** Method declarations of this file's classes and object literals with that name. */
function methodsNamed(source: ts.SourceFile, name: string): ts.MethodDeclaration[] {
  if (!source.text.includes(`${name}(`)) return [];
  const found: ts.MethodDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isMethodDeclaration(node) && node.name.getText(source) === name && node.body) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The method's body sends BEGIN or a SAVEPOINT itself, or through `this.other()` of the same class. */
function sendsTransactionStart(method: ts.MethodDeclaration, depth: number): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) && OPENS_TRANSACTION.test(node.text)) found = true;
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.kind === ts.SyntaxKind.ThisKeyword && depth < MAX_METHOD_DEPTH) {
      const callee = siblingMethod(method, node.expression.name.text);
      if (callee && callee !== method && sendsTransactionStart(callee, depth + 1)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  if (method.body) visit(method.body);
  return found;
}

function siblingMethod(method: ts.MethodDeclaration, name: string): ts.MethodDeclaration | undefined {
  const owner = method.parent;
  if (!ts.isClassLike(owner) && !ts.isObjectLiteralExpression(owner)) return undefined;
  const members: readonly ts.Node[] = ts.isClassLike(owner) ? owner.members : owner.properties;
  for (const member of members) {
    if (ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member;
  }
  return undefined;
}
