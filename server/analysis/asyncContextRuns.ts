// node's AsyncLocalStorage (`als.run(store, callback)`) calls its callback once, there and then, with the store set for
// the asynchronous work the callback starts. A closure handed to it is not a helper that may run anywhere in its
// function's sequence: it runs at the `run` call. So a client the function took itself, used in that callback, starts
// where the function's own sequence is at the call: outside any transaction when nothing sent on it before then can
// have opened one (a `select set_config(…, true)` sent alone there is lost before the next query; held-out-56 MagSuite).
import ts from 'typescript';
import { enclosingFunction } from './astWalk';
import { isConstDeclaration, unwrap, type Flow } from './embeddedFlow';
import { fileImports } from './ownServerHelpers';
import { sendsOnlyOutsideTransaction } from './rolledBackCallbacks';

/** The modules node's AsyncLocalStorage is loaded from. */
const ASYNC_HOOKS_MODULES = new Set(['async_hooks', 'node:async_hooks']);
const ASYNC_LOCAL_STORAGE = 'AsyncLocalStorage';
const RUN_METHOD = 'run';
/** `run(store, callback, ...args)`: the callback is the second argument. */
const CALLBACK_INDEX = 1;

/**
 * Whether `use` (a client `declaration` holds, used in a closure) sits in a callback the declaring function hands
 * directly to an AsyncLocalStorage's `run`, outside any loop of that function, and every mention of the client between
 * its declaration and the callback sends it a literal text that opens no transaction (sendsOnlyOutsideTransaction): the
 * callback then starts outside a transaction. A `BEGIN` the function sends first, or the client handed to any call
 * before the `run`, leaves it unknown.
 */
export function runsInContextOutsideTransaction(use: ts.Identifier, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  const callback = enclosingFunction(use);
  const declaredIn = enclosingFunction(declaration);
  if (!callback || !declaredIn || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
  const call = callback.parent;
  if (!ts.isCallExpression(call) || call.arguments[CALLBACK_INDEX] !== callback || !isAsyncLocalStorageRun(call, flow)) return false;
  if (enclosingFunction(call) !== declaredIn || inLoopWithin(call, declaredIn)) return false;
  return sendsOnlyOutsideTransaction(declaredIn, use.text, declaration.end, callback.pos);
}

/** `store.run(…)` where `store` is a const of this file made with `new AsyncLocalStorage()` from node's async_hooks. */
function isAsyncLocalStorageRun(call: ts.CallExpression, flow: Flow): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== RUN_METHOD || !ts.isIdentifier(callee.expression)) return false;
  const binding = flow.bindingOf(callee.expression);
  if (!binding || !('variable' in binding) || !isConstDeclaration(binding.variable)) return false;
  const made = binding.variable.initializer && unwrap(binding.variable.initializer);
  if (!made || !ts.isNewExpression(made) || !ts.isIdentifier(made.expression)) return false;
  const imported = fileImports(call.getSourceFile()).get(made.expression.text);
  return imported !== undefined && imported.name === ASYNC_LOCAL_STORAGE && ASYNC_HOOKS_MODULES.has(imported.specifier);
}

/** Whether `node` sits in a loop of `fn`'s own body: it may run again after whatever the loop sends later. */
function inLoopWithin(node: ts.Node, fn: ts.Node): boolean {
  for (let current = node.parent; current && current !== fn; current = current.parent) {
    if (ts.isIterationStatement(current, false)) return true;
  }
  return false;
}
