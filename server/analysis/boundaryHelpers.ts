// Helpers of the project that leave the client they are handed at a transaction boundary: `const beginTransaction =
// async (client) => { await client.query('BEGIN') }`, `const commit = (c) => c.query('COMMIT')`, a `rollback(client)`
// sending ROLLBACK in a `try`. A caller's `await beginTransaction(conn)` stands in conn's sequence as the BEGIN the
// helper sends (embedded.ts), so its `SET LOCAL` on conn after it is inside the transaction, and after `commit(conn)`
// outside again. The helper is one of the file's top-level functions or one a module of the project exports, found
// as rolledBackCallbacks.ts finds its callback helpers (calledFunction). Only helpers that send no text of their
// caller's and call no callback are read here: a helper that sends the caller's text inside its own BEGIN … COMMIT is
// a query helper (localQueryHelpers.ts), one that runs a callback between them a transaction helper
// (rolledBackCallbacks.ts's runsInHelperTransaction).
import ts from 'typescript';
import { BEGINS, COMMITS, ROLLS_BACK, calledFunction, textsSentOn } from './rolledBackCallbacks';
import type { TopLevelFunction } from './topLevelFunctions';
import { FUNCTION_END, runsOnEveryPathTo } from './everyPath';

export type HelperBoundary = 'BEGIN' | 'COMMIT' | 'ROLLBACK';

/** One statement and nothing else (`BEGIN`, `BEGIN ISOLATION LEVEL SERIALIZABLE;`): not `BEGIN; …; COMMIT` in one string. */
const LONE_STATEMENT = /^[\w\s]*;?$/;

/** The argument a call hands such a helper as its client, and the boundary the helper leaves that client at. */
export function boundaryHelperCall(call: ts.CallExpression): { client: ts.Expression; boundary: HelperBoundary } | undefined {
  // Most calls hand no client by name (`rows.map(…)`, `format('…')`): their callee is never looked up.
  if (!call.arguments.some(ts.isIdentifier) || call.arguments.some((argument) => ts.isFunctionLike(argument) || ts.isSpreadElement(argument))) return undefined;
  const helper = calledFunction(call, maySendBoundary);
  if (!helper) return undefined;
  let found = boundaries.get(helper);
  if (found === undefined) boundaries.set(helper, (found = leftBoundary(helper) ?? null));
  const client = found ? call.arguments[found.clientIndex] : undefined;
  return found && client ? { client, boundary: found.boundary } : undefined;
}

/**
 * The start of a string literal whose text starts with a word a transaction statement starts with (BEGINS, COMMITS,
 * ROLLS_BACK): its quote, blanks or blank escapes (`'\nBEGIN'`), the word. A module whose text has none, nor an escape
 * that could spell one (`\u0062egin`, `\x62`, an octal, a line continuation), sends no such literal: no helper of it
 * leaves a boundary (leftBoundary reads only literals), so calledFunction need not parse it to find the helper.
 */
const BOUNDARY_LITERAL = /['"`](?:\s|\\[bfnrtv0])*(?:begin|start|commit|end|rollback|abort)\b/i;
const SPELLING_ESCAPE = /\\(?:u|x|[0-7]|\r|\n|\u2028|\u2029)/;

function maySendBoundary(text: string): boolean {
  return BOUNDARY_LITERAL.test(text) || SPELLING_ESCAPE.test(text);
}

const boundaries = new WeakMap<TopLevelFunction, { clientIndex: number; boundary: HelperBoundary } | null>();

/**
 * The one parameter the helper sends transaction statements on, and the last of them, when that one runs on every
 * path through the helper that returns (everyPath.ts: not in an `if`, a loop, a `catch` or a callback; no `return`
 * before it).
 */
function leftBoundary(helper: TopLevelFunction): { clientIndex: number; boundary: HelperBoundary } | undefined {
  const body = helper.body;
  if (!body) return undefined;
  const sending = helper.parameters.flatMap((parameter, clientIndex) => {
    if (!ts.isIdentifier(parameter.name)) return [];
    const sent = textsSentOn(parameter.name.text, body).filter((each) => boundaryOf(each.text) !== undefined);
    return sent.length > 0 ? [{ clientIndex, last: sent[sent.length - 1]! }] : [];
  });
  if (sending.length !== 1) return undefined;
  const { clientIndex, last } = sending[0]!;
  if (handsOnParameters(helper, clientIndex) || !runsOnEveryPathTo(last.node, FUNCTION_END, helper)) return undefined;
  return { clientIndex, boundary: boundaryOf(last.text)! };
}

function boundaryOf(text: string): HelperBoundary | undefined {
  if (!LONE_STATEMENT.test(text.trim())) return undefined;
  if (BEGINS.test(text)) return 'BEGIN';
  if (COMMITS.test(text)) return 'COMMIT';
  return ROLLS_BACK.test(text) ? 'ROLLBACK' : undefined;
}

/**
 * The helper calls one of its parameters (a callback) or hands one other than the client to a call (a text it sends,
 * or forwards to another helper with the client: `send(client, text)`): what its caller's argument does there is read
 * elsewhere (localQueryHelpers.ts), and a boundary put in the caller's sequence at the call would stand before or
 * after it. Handing the client itself on (`setState(client, { open: true })`) is bookkeeping.
 */
function handsOnParameters(helper: TopLevelFunction, clientIndex: number): boolean {
  const client = (helper.parameters[clientIndex]!.name as ts.Identifier).text;
  const others = new Set(helper.parameters.flatMap((p) => (ts.isIdentifier(p.name) && p.name.text !== client ? [p.name.text] : [])));
  const named = (node: ts.Expression, names: ReadonlySet<string>): boolean => ts.isIdentifier(node) && names.has(node.text);
  let hands = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && (named(node.expression, others) || node.arguments.some((argument) => named(argument, others)))) hands = true;
    if (!hands) node.forEachChild(visit);
  };
  if (helper.body) visit(helper.body);
  return hands;
}
