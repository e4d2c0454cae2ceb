// A client a function is handed as a parameter comes from a caller that may have begun a transaction on it, so
// where the function's first query runs is unknown (embedded.ts, handleStart). Not when the function is the file's
// own — not exported, its name written only where it is called — and every call hands it a connection its caller
// has just taken (`const client = await pool.connect(); await setContext(client, ctx);`, or through a const holding
// the pool's own connect method; nothing sent on the client before the call but literal texts that open no
// transaction, no loop around the call that could send something on an earlier turn): then the function's first
// query on it runs outside any transaction, as the caller's own first query would.
import ts from 'typescript';
import { callsByName, enclosingFunction, hasModifier, identifierMentions } from './astWalk';
import { boundMethod, calleeText, unwrap, type Flow } from './embeddedFlow';
import { sendsOnlyOutsideTransaction } from './rolledBackCallbacks';

/** Calls that take a connection of their own from a pool (pg's `pool.connect()`, mysql-style `getConnection()`, generic-pool's `acquire()`, postgres.js's `reserve()`). */
export const TAKES_CONNECTION = /^(?:connect|acquire|getConnection|reserve)$/;

/** Whether every call of `fn` (a function of this file only) hands `parameter` a connection its caller has just taken. */
export function freshAtEveryCall(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, flow: Flow, source: ts.SourceFile): boolean {
  let fresh = answers.get(parameter);
  if (fresh === undefined) answers.set(parameter, (fresh = judge(fn, parameter, flow, source)));
  return fresh;
}

/** One answer per parameter: every query group sent through it asks. */
const answers = new WeakMap<ts.ParameterDeclaration, boolean>();

function judge(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, flow: Flow, source: ts.SourceFile): boolean {
  const passed = parameter.dotDotDotToken ? undefined : argumentsAtEveryCall(fn, fn.parameters.indexOf(parameter), source);
  return passed !== undefined && passed.every((argument) => takenJustBefore(argument, argument.parent as ts.CallExpression, flow));
}

/**
 * What every call of `fn` passes as its `index`th argument, when `fn` is a function of this file only (not exported, its
 * name written only where it is called) that the file calls, each call writing that argument out (no spread before it);
 * else undefined: some caller's value is not in the file.
 */
export function argumentsAtEveryCall(fn: ts.SignatureDeclaration, index: number, source: ts.SourceFile): ts.Expression[] | undefined {
  const calls = index < 0 ? undefined : callsOfOwnFunction(fn, source);
  if (!calls) return undefined;
  const passed: ts.Expression[] = [];
  for (const call of calls) {
    const argument = call.arguments[index];
    if (argument === undefined || call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
    passed.push(argument);
  }
  return passed;
}

/**
 * Every call of `fn`, when `fn` is a function of this file only (not exported, its name written only where it is called)
 * that the file calls at least once; else undefined: it may be called, or handed on, where the file does not show.
 */
export function callsOfOwnFunction(fn: ts.SignatureDeclaration, source: ts.SourceFile): readonly ts.CallExpression[] | undefined {
  const name = ownFunctionName(fn);
  if (!name) return undefined;
  const calls = callsByName(source).get(name.text) ?? [];
  return calls.length > 0 && identifierMentions(source, name.text) === calls.length + 1 ? calls : undefined;
}

/** The name of a function declared on its own or held in a const (`const f = async (client) => …`), when nothing exports it. */
function ownFunctionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name && !hasModifier(fn, ts.SyntaxKind.ExportKeyword) ? fn.name : undefined;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const holder = fn.parent;
  if (!ts.isVariableDeclaration(holder) || holder.initializer !== fn || !ts.isIdentifier(holder.name)) return undefined;
  const list = holder.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
  return ts.isVariableStatement(list.parent) && !hasModifier(list.parent, ts.SyntaxKind.ExportKeyword) ? holder.name : undefined;
}

/**
 * Whether `argument` is a const of the calling function holding a connection it took itself, only sent texts that open
 * no transaction between its declaration and this call, and the call sits in no loop inside that function.
 */
function takenJustBefore(argument: ts.Expression, call: ts.CallExpression, flow: Flow): boolean {
  const value = unwrap(argument);
  if (!ts.isIdentifier(value)) return false;
  const binding = flow.bindingOf(value);
  if (!binding || !('variable' in binding)) return false;
  const declaration = binding.variable;
  const list = declaration.parent;
  if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return false;
  const taken = declaration.initializer && unwrap(declaration.initializer);
  if (!taken || !ts.isCallExpression(taken) || !takesConnection(taken, flow)) return false;
  const owner = enclosingFunction(declaration);
  if (!owner || enclosingFunction(call) !== owner) return false;
  for (let node: ts.Node = call; node !== owner; node = node.parent) {
    if (ts.isIterationStatement(node, false)) return false;
  }
  return sendsOnlyOutsideTransaction(owner, value.text, declaration.end, value.getStart());
}

/** A call that takes a connection of its own: a connection-taking method (`pool.connect()`), or a const holding one. */
function takesConnection(taken: ts.CallExpression, flow: Flow): boolean {
  return TAKES_CONNECTION.test(calleeText(taken.expression)) || holdsConnectionMethod(taken.expression, flow);
}

/**
 * Whether `callee` is a const holding a pool's own connection-taking method, bound or not (`const originalConnect =
 * pool.connect.bind(pool)`, kept before a wrapper replaces `pool.connect`): calling it takes a connection. Also read
 * for a lent callback's connection (rolledBackCallbacks.ts).
 */
export function holdsConnectionMethod(callee: ts.Expression, flow: Flow): boolean {
  const held = flow.constInitializer(callee);
  const method = held && (boundMethod(held)?.method ?? held);
  return method !== undefined && ts.isPropertyAccessExpression(method) && TAKES_CONNECTION.test(method.name.text);
}
