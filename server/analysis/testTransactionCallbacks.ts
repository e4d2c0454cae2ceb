// A test's callback that a helper of the project's test setup runs inside a transaction the helper opens around the
// call, handing it the transaction's handle and, beside it, an object built on that handle: the application under test
// (`(test) => function () { return root.transacting((tx) => test.call(this, client(app(tx)), tx)); }`, a test written
// `it('…', helper(async (api, { db }) => { await api.post(…); await db.oneFirst(sql`select currval(…)`); }))`). What the
// test sends through that object (a request whose INSERT draws a sequence) runs in the same transaction, on the same
// connection, where the linter does not see it: after the first use of the object, the transaction may have drawn any
// sequence, so a currval/lastval on the handle reads this transaction's value (embedded.ts adds the mark, context.ts
// reads it as it reads an INSERT earlier in the block). Test code only, both the test and the helper: nothing in the
// corpus shows the shape in application code, and a helper handing its callback only the handle leaves every query of
// the transaction in view (a currval with no nextval before it there still reads another transaction's value).
import ts from 'typescript';
import { calledFunction } from './rolledBackCallbacks';
import { calleeText, isTransactionWrapper, unwrap } from './embeddedFlow';
import { boundNames, walkDescendants } from './astWalk';
import { TEST_PATH } from './testPath';

/** What a test callback a helper runs in its transaction is handed: the parameters given the handle and those given objects built on it. */
export interface TestTransactionCallback {
  /** Names bound by the callback's parameters that receive the transaction's handle itself (`tx`, or `db` of `{ db }`). */
  readonly clientNames: ReadonlySet<string>;
  /** Where (file offsets, in the callback's body) the callback first uses an object built on the handle. */
  readonly appUses: readonly number[];
}

/** A container's `transacting(cb)`: beside a driver's (isTransactionWrapper), a wrapper whose callback runs in a transaction. */
const TRANSACTING = 'transacting';

/**
 * The callback `callback`, argument `index` of `call`, in a test file, run by a helper of a test file inside a transaction
 * the helper opens around every call of it, handed the handle and an object built on it: its client and app parameters.
 */
export function testTransactionCallback(call: ts.CallExpression, index: number, callback: ts.SignatureDeclaration & { body?: ts.ConciseBody }, fileName: string | undefined): TestTransactionCallback | undefined {
  if (!fileName || !TEST_PATH.test(fileName) || callback.parameters.length < 2 || !callback.body) return undefined;
  const helper = calledFunction(call, (text) => text.includes('transact'));
  if (!helper?.body || !TEST_PATH.test(helper.getSourceFile().fileName)) return undefined;
  const parameter = helper.parameters[index];
  if (!parameter || !ts.isIdentifier(parameter.name)) return undefined;
  const handed = handedPositions(helper.body, parameter.name.text);
  if (!handed) return undefined;
  const clientNames = new Set<string>();
  const appNames = new Set<string>();
  callback.parameters.forEach((p, at) => {
    if (at === handed.client) for (const name of boundNames(p.name)) clientNames.add(name);
    if (handed.apps.includes(at)) for (const name of boundNames(p.name)) appNames.add(name);
  });
  if (clientNames.size === 0 || appNames.size === 0) return undefined;
  const appUses: number[] = [];
  walkDescendants(callback.body, (node) => {
    if (ts.isIdentifier(node) && appNames.has(node.text) && isReference(node)) appUses.push(node.getStart());
    return undefined;
  });
  return appUses.length > 0 ? { clientNames, appUses } : undefined;
}

/**
 * Where, in every call the helper's body makes of its callback parameter `name` (`name(…)`, `name.call(this, …)`), the
 * handle goes and where the objects built on it go: each call must sit in the callback of a transaction wrapper, hand
 * that callback's first parameter (the handle) as one argument, at the same place in every call, and expressions
 * holding it (`app(tx)`) as others.
 */
function handedPositions(body: ts.ConciseBody, name: string): { client: number; apps: number[] } | undefined {
  const calls: ts.CallExpression[] = [];
  walkDescendants(body, (node) => {
    if (ts.isCallExpression(node) && callsName(node, name)) calls.push(node);
    return undefined;
  });
  let found: { client: number; apps: number[] } | undefined;
  for (const call of calls) {
    const handle = transactionHandleAround(call, body);
    if (!handle) return undefined;
    const args = ts.isPropertyAccessExpression(call.expression) ? call.arguments.slice(1) : [...call.arguments];
    const client = args.findIndex((a) => { const v = unwrap(a); return ts.isIdentifier(v) && v.text === handle; });
    const apps = args.map((a, at) => (at !== client && !ts.isIdentifier(unwrap(a)) && mentions(a, handle) ? at : -1)).filter((at) => at >= 0);
    if (client < 0 || apps.length === 0) return undefined;
    if (found && (found.client !== client || found.apps.join() !== apps.join())) return undefined;
    found = { client, apps };
  }
  return found;
}

/** `name(…)` or `name.call(thisArg, …)`. */
function callsName(call: ts.CallExpression, name: string): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === name;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'call' && ts.isIdentifier(callee.expression) && callee.expression.text === name;
}

/**
 * The name of the handle a transaction wrapper hands the function `call` is written in (its first parameter), when that
 * function is the wrapper's callback argument, written within the helper's body.
 */
function transactionHandleAround(call: ts.Node, body: ts.Node): string | undefined {
  let fn: ts.Node | undefined = call.parent;
  while (fn && fn !== body && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn || fn === body || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
  const wrapper = fn.parent;
  if (!wrapper || !ts.isCallExpression(wrapper) || !wrapper.arguments.includes(fn)) return undefined;
  if (!isTransactionWrapper(wrapper) && calleeText(wrapper.expression) !== TRANSACTING) return undefined;
  const first = fn.parameters[0];
  return first && ts.isIdentifier(first.name) ? first.name.text : undefined;
}

/** Whether an identifier spelling `name` occurs in `node` (a property name after a dot aside). */
function mentions(node: ts.Node, name: string): boolean {
  let seen = false;
  walkDescendants(node, (n) => {
    if (ts.isIdentifier(n) && n.text === name && isReference(n)) seen = true;
    return undefined;
  }, () => seen);
  return seen;
}

/** An identifier that names a value here: not a property name after a dot, an object key, or a declaration's name. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isBindingElement(parent) || ts.isParameter(parent) || ts.isVariableDeclaration(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  return true;
}
