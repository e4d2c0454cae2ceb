// Callbacks that run inside a transaction their caller always rolls back: a test helper such as
// `withClient(async (client) => …)` that sends BEGIN on a client, hands that client to the callback, and
// sends ROLLBACK on it in a `finally` (or after the call, with no COMMIT on the client anywhere). A plain
// SET (not LOCAL) the callback sends on that client is undone by the rollback and reaches no other client
// (context.ts). The helper is a function of the same file, or one a relative or aliased import (`import`,
// `require`, `const { f } = require(…)` or `await import(…)`, `const m = require(…)` called as `m.f(…)`) names, read from disk
// (bounded, cached briefly); a helper that hands the callback on to another such helper's callback counts
// too (`(setup) => withClient(async (c) => { await setup(c); … })`), and so does one that hands its callback on whole
// (`(fn) => withClient(TEST_URL, fn)`). A test helper taking such a callback's client as a parameter is read by
// uncalledHelpers.ts's handedOnlyRolledBackClients. A helper that hands its caller closures over its own client instead
// of the client (`const as = async () => client.query('SET ROLE r'); return await fn({ as })`, between its BEGIN and
// its finally's ROLLBACK) is read by rolledBackClosureClients.
// The same reading tells callbacks that run inside a transaction block the helper opens and ends on the client
// it hands them, whatever its name (`withTenant(id, async (client) => …)` sending BEGIN, then the callback, then
// COMMIT): runsInHelperTransaction. Its helper may also sit in a package of the workspace (`@app/db`), reached
// through the package's re-exports, or hand its own callback on whole (`(id, fn) => withTenant(id, fn)`), also to a
// driver's transaction call (`db.transaction(fn)`, or `fn(tx)` in `db.transaction(async (tx) => …)`).
// The opposite reading, runsOnFreshConnection, tells callbacks a helper hands a connection it has just taken from a
// pool and has sent nothing on (`withConn(async (conn) => …)` doing `pool.connect()`, the call, `release()`): they
// start outside any transaction, as the helper's own first query would.
import ts from 'typescript';
import { resolve } from 'node:path';
import { fileImports } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { moduleRead, type ModuleRead } from './parsedModules';
import { calleeText, flowOfModule, isTransactionWrapper, outermostWrapper, unwrap } from './embeddedFlow';
import { declaredClientKind } from './poolParameters';
import { POOL_NAME, isPoolVariable } from './poolFactories';
import { boundNames, enclosingFunction, isWithin, variableDeclaredIn, walkDescendants } from './astWalk';
import { TAKES_CONNECTION, holdsConnectionMethod } from './freshHelperClients';
import { QUERY_METHODS } from './localQueryHelpers';
import { topLevelFunction, type TopLevelFunction } from './topLevelFunctions';
import { neverAssigned } from './codeBranches';

/** How many helpers deep a callback is followed (a test's setup handed to a schema helper, then to the client helper). */
const MAX_DEPTH = 3;
/** A statement that begins a transaction (a SAVEPOINT does not: a helper sending one runs inside its caller's). */
export const BEGINS = /^\s*(?:begin|start\s+transaction)\b/i;
/**
 * A statement that begins a transaction or a savepoint: a test hook sending either before each test leaves the test
 * inside a transaction (a SAVEPOINT inside one a hook before it began, or the test harness's own).
 */
export const OPENS_TRANSACTION = new RegExp(`${BEGINS.source}|^\\s*savepoint\\b`, 'i');
export const ROLLS_BACK = /^\s*(?:rollback|abort)\s*(?:;\s*)?$/i;
/** A rollback of any kind, also to a savepoint (`ROLLBACK TO SAVEPOINT sp_1`): where an end may be, read as one. */
export const ROLLS_BACK_ANY = /^\s*(?:rollback|abort)\b/i;
export const COMMITS = /^\s*(?:commit|end)\b/i;
/**
 * A transaction begun and ended by methods of the client object the queries go through: TypeORM's
 * `queryRunner.startTransaction()` … `commitTransaction()` / `rollbackTransaction()`, MikroORM's `em.begin()` …
 * `em.commit()` / `em.rollback()`, a driver connection's `beginTransaction()` … `commit()`.
 */
export const CLIENT_TRANSACTION_BEGIN = /^(begin|startTransaction|beginTransaction)$/;
export const CLIENT_TRANSACTION_END = /^(commit|commitTransaction|rollback|rollbackTransaction)$/;

type FunctionLike = TopLevelFunction;

/**
 * Whether the function passed as argument `index` of `call` runs inside a transaction the called helper always rolls
 * back. A helper that commits instead when a flag parameter is on (`withDb(fn, commit = false)` ending `if (commit)
 * COMMIT else ROLLBACK`) rolls back at a call that leaves the flag off (flagsOffAt); `offInCaller` names the flags known
 * off in the function `call` is written in, when that function is itself a helper handing its callback on.
 */
export function runsInRolledBackTransaction(call: ts.CallExpression, index: number, depth = 0, offInCaller: OffFlags = NO_FLAGS): boolean {
  if (depth >= MAX_DEPTH) return false;
  const helper = calledFunction(call);
  if (!helper?.body || helper.parameters.length <= index) return false;
  const off = flagsOffAt(call, helper, offInCaller);
  const runsIn = (inner: ts.CallExpression, at: number, innerDepth: number): boolean => runsInRolledBackTransaction(inner, at, innerDepth, off);
  return callsWithinRollback(helper, index, off) || handsOnTo(helper, index, depth, runsIn) || passesOnWhole(helper, index, depth, runsIn);
}

/**
 * A helper's parameters known to be off at one call of it, each with how: `false` stays off whatever a receiving
 * parameter's default, while `unset` (undefined, or left out) makes a receiving parameter take its default.
 */
type OffFlags = ReadonlyMap<string, 'false' | 'unset'>;
const NO_FLAGS: OffFlags = new Map();

/**
 * The helper's parameters that are off at `call`: the call passes `false` there, or a flag off in the function it is
 * written in (`offInCaller`), or passes `undefined` or nothing, which JavaScript replaces by the parameter's default:
 * off only when that default is absent, `undefined` or `false` (`keep = true` left out COMMITs). A parameter the
 * helper assigns, or one a spread argument may fill, is not known.
 */
function flagsOffAt(call: ts.CallExpression, helper: FunctionLike, offInCaller: OffFlags): OffFlags {
  const off = new Map<string, 'false' | 'unset'>();
  const spreadAt = call.arguments.findIndex((argument) => ts.isSpreadElement(argument));
  helper.parameters.forEach((parameter, index) => {
    if (!ts.isIdentifier(parameter.name) || parameter.dotDotDotToken || (spreadAt >= 0 && spreadAt <= index)) return;
    const argument = call.arguments[index];
    const passed = argument === undefined ? 'unset' : offValue(unwrap(argument), offInCaller);
    const value = passed === 'unset' ? defaultOffValue(parameter) : passed;
    if (value !== undefined && !assignsName(helper, parameter.name.text)) off.set(parameter.name.text, value);
  });
  return off;
}

/** How an argument is off: `false` written out or a caller's false flag; `undefined` or a caller's unset flag. */
function offValue(given: ts.Expression, offInCaller: OffFlags): 'false' | 'unset' | undefined {
  if (given.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  if (!ts.isIdentifier(given)) return undefined;
  return given.text === 'undefined' ? 'unset' : offInCaller.get(given.text);
}

/** What a parameter left unset holds: its default when that is `false` or `undefined`, unset with no default, else on. */
function defaultOffValue(parameter: ts.ParameterDeclaration): 'false' | 'unset' | undefined {
  return parameter.initializer === undefined ? 'unset' : offValue(unwrap(parameter.initializer), NO_FLAGS);
}

/** Whether the function's body assigns `name` (`commit = true`, `commit ||= …`): then its value at the call says nothing. */
function assignsName(helper: FunctionLike, name: string): boolean {
  let assigned = false;
  if (helper.body) {
    walkDescendants(helper.body, (node) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
        && ts.isIdentifier(unwrap(node.left)) && (unwrap(node.left) as ts.Identifier).text === name) assigned = true;
      if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand) && node.operand.text === name
        && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) assigned = true;
      return undefined;
    }, () => assigned);
  }
  return assigned;
}

/**
 * Whether `node` runs only when one of the `off` flags is on: it sits in the arm a test of the flag alone picks when
 * the flag is on (`if (commit) …`, the `else` of `if (!commit)`, `commit ? … : …`, `commit && …`, `!commit || …`),
 * within `around`.
 */
function runsOnlyWhenOn(node: ts.Node, around: ts.Node, off: OffFlags): boolean {
  if (off.size === 0) return false;
  for (let child: ts.Node = node, parent = node.parent; parent && child !== around; child = parent, parent = parent.parent) {
    if (ts.isIfStatement(parent) && child !== parent.expression) {
      if (flagArm(parent.expression, off) === (child === parent.thenStatement)) return true;
    } else if (ts.isConditionalExpression(parent) && child !== parent.condition) {
      if (flagArm(parent.condition, off) === (child === parent.whenTrue)) return true;
    } else if (ts.isBinaryExpression(parent) && child === parent.right) {
      const operator = parent.operatorToken.kind;
      if (operator === ts.SyntaxKind.AmpersandAmpersandToken && flagArm(parent.left, off) === true) return true;
      if (operator === ts.SyntaxKind.BarBarToken && flagArm(parent.left, off) === false) return true;
    }
  }
  return false;
}

/**
 * For a test of an off flag alone: true when it is the flag itself (`commit`), false when it is its negation
 * (`!commit`), undefined for any other test.
 */
function flagArm(test: ts.Expression, off: OffFlags): boolean | undefined {
  const value = unwrap(test);
  if (ts.isIdentifier(value)) return off.has(value.text) ? true : undefined;
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = unwrap(value.operand);
    return ts.isIdentifier(inner) && off.has(inner.text) ? false : undefined;
  }
  return undefined;
}

/**
 * Whether the function passed as argument `index` of `call` runs inside a transaction block the called helper
 * opens on the client it hands it: BEGIN sent on that client before the call (with no COMMIT or ROLLBACK between),
 * and COMMIT or ROLLBACK after it. A lock and its unlock the callback sends on that client are one transaction's.
 */
export function runsInHelperTransaction(call: ts.CallExpression, index: number, depth = 0): boolean {
  if (depth >= MAX_DEPTH) return false;
  const helper = calledFunction(call);
  // A driver's own transaction call a helper hands the callback to, or calls it from (`db.transaction(fn)`,
  // `db.transaction(async (tx) => fn(tx))`): read as its callback is where the call is written (embedded.ts).
  if (!helper) return depth > 0 && isTransactionWrapper(call);
  if (!helper.body || helper.parameters.length <= index) return false;
  return callsWithinTransaction(helper, index) || handsOnTo(helper, index, depth, runsInHelperTransaction)
    || passesOnWhole(helper, index, depth, runsInHelperTransaction);
}

/**
 * Whether the function passed as argument `index` of `call` is handed, as its first argument, a connection the called
 * helper has just taken from a pool (`const conn = await pool.connect(); return await cb(conn);`), with nothing sent on
 * it before the call but texts that open no transaction, nothing else done with it, and no loop around the call: its first query on that client runs outside any
 * transaction. A helper that begins a transaction first, commits or rolls one back after the call, hands over a client
 * it was given, or cannot be read, says nothing: its callback may be inside a transaction.
 */
export function runsOnFreshConnection(call: ts.CallExpression, index: number, depth = 0): boolean {
  if (depth >= MAX_DEPTH) return false;
  const helper = calledFunction(call);
  if (!helper?.body || helper.parameters.length <= index) return false;
  return everyCallOnClient(helper, index, (callbackCall, sent, body) => !endsTransactionAfter(callbackCall, sent) && takenJustBeforeCall(callbackCall, body))
    || passesOnWhole(helper, index, depth, runsOnFreshConnection);
}

/**
 * The parameter of the called helper whose pool lends the function passed as argument `index` of `call` its connection:
 * every call of that callback in the helper's own body hands it, as its first argument, a const the helper declared once
 * with a connection checked out of one of its parameters (`const client = await pool.connect(); … await fn(client)`),
 * a parameter it never reassigns. Undefined when some call hands anything else, or the helper cannot be read. A test
 * reads it to know that a double pool handed there lends the callback a double (testDoubles.ts).
 */
export function connectionLentFrom(call: ts.CallExpression, index: number): number | undefined {
  const helper = calledFunction(call);
  if (!helper?.body || helper.parameters.length <= index) return undefined;
  const calls = callbackCalls(helper, index);
  const sources = new Set(calls.map((callbackCall) => checkedOutParameter(helper, callbackCall)));
  const [only] = sources;
  return calls.length > 0 && sources.size === 1 ? only : undefined;
}

/** The index of the helper's parameter the callback call's first argument was checked out of (connectionLentFrom). */
function checkedOutParameter(helper: FunctionLike, callbackCall: ts.CallExpression): number | undefined {
  const client = callbackCall.arguments[0];
  if (!client || !ts.isIdentifier(client) || functionAround(callbackCall) !== helper || !declaresConst(helper, client.text)) return undefined;
  const initializer = bodyDeclarations(helper).get(client.text)![0]!.initializer;
  const taken = initializer && unwrap(initializer);
  if (!taken || !ts.isCallExpression(taken) || taken.arguments.length > 0 || !ts.isPropertyAccessExpression(taken.expression) || !TAKES_CONNECTION.test(taken.expression.name.text)) return undefined;
  const pool = unwrap(taken.expression.expression);
  if (!ts.isIdentifier(pool) || bodyDeclarations(helper).has(pool.text) || !neverAssigned(helper.getSourceFile(), pool.text)) return undefined;
  const parameter = helper.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === pool.text);
  return parameter >= 0 ? parameter : undefined;
}

/**
 * The helper sends COMMIT or ROLLBACK on the lent connection after the callback: it expects a transaction to be open
 * there, so one was begun where the connection was taken (a project function `connect()` that checks out a client and
 * sends BEGIN on it, say), and the callback may well run inside it.
 */
function endsTransactionAfter(callbackCall: ts.CallExpression, sent: readonly SentText[]): boolean {
  return sent.some((each) => each.node.pos >= callbackCall.end && (COMMITS.test(each.text) || ROLLS_BACK.test(each.text)));
}

/**
 * The callback call's first argument names a variable of the function around it, declared once there (no parameter
 * of that name) with a connection-taking method call (`await pool.connect()`; a bare `connect()` is a function of the
 * project, which may do more than check a connection out), only sent texts that open no transaction between its
 * declaration and the call, and no loop in that function holds the call (an earlier turn could have begun a transaction on it).
 */
function takenJustBeforeCall(callbackCall: ts.CallExpression, body: ts.ConciseBody): boolean {
  const client = callbackCall.arguments[0] as ts.Identifier;
  const around = functionAround(callbackCall);
  if (!around || around.parameters.some((p) => !ts.isIdentifier(p.name) || p.name.text === client.text)) return false;
  const declarations: ts.VariableDeclaration[] = [];
  walkDescendants(body, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === client.text) declarations.push(node);
  });
  const declaration = declarations.length === 1 ? declarations[0]! : undefined;
  const taken = declaration?.initializer && unwrap(declaration.initializer);
  if (!declaration || !taken || !ts.isCallExpression(taken) || !takesConnectionItself(taken)) return false;
  if (declaration.end > callbackCall.pos || enclosingFunction(declaration) !== around) return false;
  for (let node: ts.Node = callbackCall; node !== around; node = node.parent) {
    if (ts.isIterationStatement(node, false)) return false;
  }
  return sendsOnlyOutsideTransaction(body, client.text, declaration.end, client.getStart());
}

/**
 * A call that takes a connection and does nothing more: a pool's connection-taking method (`pool.connect()`), or a
 * const holding it (`originalConnect()` on `const originalConnect = pool.connect.bind(pool)`). A bare `connect()` of
 * the project may do more than check a connection out.
 */
function takesConnectionItself(taken: ts.CallExpression): boolean {
  const callee = taken.expression;
  return ts.isPropertyAccessExpression(callee) ? TAKES_CONNECTION.test(calleeText(callee)) : holdsConnectionMethod(callee, flowOfModule(taken.getSourceFile()));
}

/**
 * A text that may open a transaction anywhere in it: one naming `BEGIN`, `START TRANSACTION` or `SAVEPOINT`. Nothing
 * else opens one, so a text of several statements without those words (`RESET ROLE; SELECT 1`) leaves the connection
 * outside any transaction.
 */
const MAY_OPEN_TRANSACTION = /\b(?:begin|start\s+transaction|savepoint)\b/i;

/**
 * Whether every mention of the client `name` within `scope` from `from` up to `to` sends it a literal text that opens
 * no transaction (`await client.query('RESET ROLE')`, `client.query("SELECT set_config('app.x', '', true)")`): after
 * them the connection is still outside any transaction. Any other use (handed to a call, released, a text not known
 * here) may have begun one, or lent the connection out.
 */
export function sendsOnlyOutsideTransaction(scope: ts.Node, name: string, from: number, to: number): boolean {
  let other = false;
  walkDescendants(scope, (node) => {
    if (node.end <= from || node.pos >= to) return false;
    if (ts.isIdentifier(node) && node.text === name && node.getStart() >= from && node.getStart() < to && !sendsNoBegin(node)) other = true;
    return undefined;
  }, () => other);
  return !other;
}

/** `use` is the receiver of a query method call with a literal text that opens no transaction. */
function sendsNoBegin(use: ts.Identifier): boolean {
  const access = use.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== use || !QUERY_METHODS.test(access.name.text)) return false;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return false;
  const text = textSentBy(call);
  return text !== undefined && !MAY_OPEN_TRANSACTION.test(text);
}

/** Every call of the callback is made between a BEGIN and a COMMIT/ROLLBACK sent on the client it is handed. */
function callsWithinTransaction(helper: FunctionLike, index: number): boolean {
  return everyCallOnClient(helper, index, sentInsideTransaction);
}

/**
 * Whether `call` sits between a BEGIN and a COMMIT/ROLLBACK among the texts `all` sent on one client (textsSentOn): the
 * last of them sent before the call is a BEGIN, and one sent after it ends the transaction.
 */
export function sentInsideTransaction(call: ts.Node, all: readonly SentText[]): boolean {
  const sent = all.filter((s) => BEGINS.test(s.text) || COMMITS.test(s.text) || ROLLS_BACK.test(s.text));
  const before = sent.filter((s) => s.node.end <= call.pos);
  const opened = before.length > 0 && BEGINS.test(before[before.length - 1]!.text);
  return opened && sent.some((s) => s.node.pos >= call.end && !BEGINS.test(s.text));
}

/**
 * Whether the helper calls the callback at least once, and every call hands it a client (a name) that `judge`
 * accepts, given the literal texts sent on that client in the function around the call (textsSentOn) and its body.
 */
function everyCallOnClient(helper: FunctionLike, index: number, judge: (call: ts.CallExpression, sent: SentText[], body: ts.ConciseBody) => boolean): boolean {
  const calls = callbackCalls(helper, index);
  return calls.length > 0 && calls.every((call) => {
    const client = call.arguments[0];
    const around = functionAround(call);
    return client !== undefined && ts.isIdentifier(client) && around?.body !== undefined && !declaredAsPool(around, client.text)
      && judge(call, textsSentOn(client.text, around.body), around.body);
  });
}

/**
 * The helper hands its callback parameter itself to another helper (`return withTenant(id, fn)`, `(fn) =>
 * withClient(TEST_URL, fn)`): judged there, by `runsIn`.
 */
function passesOnWhole(helper: FunctionLike, index: number, depth: number, runsIn: (call: ts.CallExpression, index: number, depth: number) => boolean): boolean {
  const names = callbackNames(helper, index);
  const handed: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.some((a) => ts.isIdentifier(a) && names.has(a.text))) handed.push(node);
    node.forEachChild(visit);
  };
  if (names.size > 0 && helper.body) visit(helper.body);
  return handed.length > 0 && callbackCalls(helper, index).length === 0
    && handed.every((call) => runsIn(call, call.arguments.findIndex((a) => ts.isIdentifier(a) && names.has(a.text)), depth + 1));
}

/** The names the helper's parameter `index` goes by in its body (the parameter, and variables assigned it: `fn = url`). */
function callbackNames(helper: FunctionLike, index: number): Set<string> {
  const names = new Set<string>();
  const parameter = helper.parameters[index];
  if (!parameter || !ts.isIdentifier(parameter.name)) return names;
  names.add(parameter.name.text);
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && ts.isIdentifier(node.right) && node.right.text === parameter.name.getText()) names.add(node.left.text);
    node.forEachChild(visit);
  };
  if (helper.body) visit(helper.body);
  return names;
}

/** Calls of the callback in the helper's body (`fn(client)`, `await fn(client)`). */
function callbackCalls(helper: FunctionLike, index: number): ts.CallExpression[] {
  const names = callbackNames(helper, index);
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && names.has(node.expression.text)) calls.push(node);
    node.forEachChild(visit);
  };
  if (names.size > 0 && helper.body) visit(helper.body);
  return calls;
}

/**
 * Every call of the callback hands it a client on which the function around the call sent BEGIN before it,
 * and sends ROLLBACK after it on every path (in a `finally` around the call, or as a later statement of its
 * body), never COMMIT — but in an arm that only a flag the call leaves off opens (`off`, flagsOffAt).
 */
function callsWithinRollback(helper: FunctionLike, index: number, off: OffFlags): boolean {
  return everyCallOnClient(helper, index, (call, all, body) => betweenBeginAndRollback(call, all, body, off));
}

/**
 * `call` comes after a BEGIN among the texts `all` sent on one client in the function whose body is `body`, and a
 * ROLLBACK follows it on every path (in a `finally` around it, or a later statement of that body), with no COMMIT on the
 * client anywhere — but in an arm only a flag left off at this call opens (`off`, flagsOffAt).
 */
function betweenBeginAndRollback(call: ts.Node, all: readonly SentText[], body: ts.Node, off: OffFlags): boolean {
  // What runs only when a flag this call leaves off is on (its COMMIT, say) is not sent at this call.
  const sent = all.filter((s) => !runsOnlyWhenOn(s.node, body, off));
  if (sent.some((s) => COMMITS.test(s.text))) return false;
  const begun = sent.some((s) => BEGINS.test(s.text) && s.node.end <= call.pos);
  const rollbacks = sent.filter((s) => ROLLS_BACK.test(s.text));
  return begun && (rollbacks.some((s) => inFinallyAround(s.node, call) || laterStatementOf(s.node, call, body))
    || rollbacks.some((s) => rolledBackInTryAndCatch(s.node, call, rollbacks)));
}

/**
 * `rollback` is a later statement of the `try` block that holds `call` (no `return`, `break` or `continue` between
 * them; a `throw` there goes to the `catch`), and the `catch` of that `try` sends one of `rollbacks` on every path
 * before it leaves (catchRollsBack): a run that ends well meets the first, one that throws the second, so every way
 * out of the call meets a ROLLBACK (`try { BEGIN; const r = await fn(c); ROLLBACK; return r; } catch (e) { ROLLBACK;
 * throw e; }`). A helper that COMMITs on its success path was refused before (betweenBeginAndRollback).
 */
function rolledBackInTryAndCatch(rollback: ts.CallExpression, call: ts.Node, rollbacks: readonly SentText[]): boolean {
  const block = unconditionalStatement(rollback)?.parent;
  const attempt = block?.parent;
  if (!block || !ts.isBlock(block) || !attempt || !ts.isTryStatement(attempt) || attempt.tryBlock !== block || !attempt.catchClause || !isWithin(call, block)) return false;
  const statements = block.statements;
  const at = statements.findIndex((s) => isWithin(rollback, s));
  const from = statements.findIndex((s) => isWithin(call, s));
  if (from < 0 || at <= from || statements.slice(from, at).some((s) => leavesEarly(s, false))) return false;
  return catchRollsBack(attempt.catchClause.block, rollbacks);
}

/**
 * The catch block sends one of `rollbacks` as a statement of its own, or of a `try` block that is one of its statements
 * (a rollback guarded against its own failure), with nothing before it that may leave the block (`throw`, `return`).
 */
function catchRollsBack(handler: ts.Block, rollbacks: readonly SentText[]): boolean {
  const runsFirst = (statements: ts.NodeArray<ts.Statement>, statement: ts.Statement): boolean =>
    !statements.slice(0, statements.indexOf(statement)).some((s) => leavesEarly(s, true));
  return rollbacks.some(({ node }) => {
    const statement = unconditionalStatement(node);
    const block = statement?.parent;
    if (!statement || !block || !ts.isBlock(block)) return false;
    if (block === handler) return runsFirst(handler.statements, statement);
    const guard = block.parent;
    return ts.isTryStatement(guard) && guard.tryBlock === block && guard.parent === handler
      && runsFirst(block.statements, statement) && runsFirst(handler.statements, guard);
  });
}

/**
 * The expression statement a query call is sent by whenever the statement runs (`await client.query('ROLLBACK');`,
 * also `await client.query('ROLLBACK').catch(…)`): none when a function, a condition (`?:`, `&&`, `||`, `??`) or
 * another statement stands between them.
 */
function unconditionalStatement(node: ts.Node): ts.ExpressionStatement | undefined {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (ts.isExpressionStatement(parent)) return parent;
    if (ts.isFunctionLike(parent) || ts.isStatement(parent) || (ts.isConditionalExpression(parent) && child !== parent.condition)) return undefined;
    if (ts.isBinaryExpression(parent) && child === parent.right && CONDITIONAL_OPERATORS.has(parent.operatorToken.kind)) return undefined;
  }
  return undefined;
}

const CONDITIONAL_OPERATORS = new Set<ts.SyntaxKind>([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

/**
 * A statement that holds a `return`, `break` or `continue` (and, when `throws` counts, a `throw`) of the function it is
 * in, nested functions aside.
 */
function leavesEarly(statement: ts.Statement, throws: boolean): boolean {
  let leaves = false;
  const visit = (node: ts.Node): void => {
    if (leaves || ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) || (throws && ts.isThrowStatement(node)) || ts.isBreakStatement(node) || ts.isContinueStatement(node)) leaves = true;
    else node.forEachChild(visit);
  };
  visit(statement);
  return leaves;
}

/**
 * The clients a closure sends on inside the transaction of the function around it that always rolls back — a test
 * helper's `seed`/`as`/`q` closures, made after its `BEGIN` on its own client and handed to its caller's callback (`return
 * await fn({ as, q })`), its `finally` sending ROLLBACK. The closure runs only through calls of that function written
 * between the BEGIN and the ROLLBACK and awaited there: called itself (`await as(null)`), or handed, also as a property
 * of an object literal, to a callback the function was given (a parameter of it) — written in place as that argument
 * or kept in a `const` mentioned no other way. A client counts when the closure sends on it without declaring it and
 * the function around declares it (a `const` or a parameter) and sends BEGIN on it before each of those calls and
 * ROLLBACK after each on every path, COMMIT nowhere (the closures included). Returned, stored, handed to anything but
 * the caller's callback, or called without waiting, the closure may run after the ROLLBACK: none.
 */
export function rolledBackClosureClients(closure: ts.SignatureDeclaration): string[] {
  if (!ts.isArrowFunction(closure) && !ts.isFunctionExpression(closure)) return [];
  const helper = functionAround(closure);
  if (!helper?.body || !ts.isBlock(helper.body)) return [];
  const body = helper.body;
  const clients = capturedClients(closure, helper);
  if (clients.length === 0) return [];
  const runs = closureRuns(closure, helper);
  if (!runs || runs.length === 0) return [];
  return clients.filter((client) => {
    const sent = textsSentOn(client, body);
    return runs.every((call) => betweenBeginAndRollback(call, sent, body, NO_FLAGS));
  });
}

/**
 * Receivers of the closure's method calls (`client.query(…)`, receiverKey) that the closure does not declare and that
 * the function around it declares, as a `const` of its own body or a parameter.
 */
function capturedClients(closure: ts.FunctionLikeDeclaration, helper: FunctionLike): string[] {
  const receivers = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const key = receiverKey(node.expression.expression);
      if (key !== undefined && !key.startsWith('this.')) receivers.add(key);
    }
    node.forEachChild(visit);
  };
  if (closure.body) visit(closure.body);
  return [...receivers].filter((name) => !declaresName(closure, name) && !declaredAsPool(helper, name)
    && (helper.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name) || declaresConst(helper, name)));
}

/**
 * Whether the function declares `name` as a pool, on which each statement may take another server connection, so a
 * BEGIN, what follows it and the ROLLBACK need not share one session: a parameter typed as one (`db: Pool`, `prisma:
 * PrismaClient`) or, its type saying nothing of the kind, named one, or a `const` given only pools (`new Pool(…)`;
 * poolFactories' reading, where a pool capped at one connection is one session). A checkout (`await pool.connect()`), a `Client`, a `PoolClient` — or a
 * client of unknown kind on which the function itself sends BEGIN and ROLLBACK, as its author means it — is one.
 */
function declaredAsPool(fn: FunctionLike, name: string): boolean {
  const parameter = fn.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
  if (parameter) {
    // A declared type decides over the name: `pool: PoolClient` is one connection, `db: Pool` a pool.
    const declared = declaredClientKind(parameter.type);
    return declared !== undefined ? declared === 'pool' : POOL_NAME.test(name);
  }
  const declarations = (bodyDeclarations(fn).get(name) ?? [])
    .filter((node): node is ts.VariableDeclaration => ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && enclosingFunction(node) === fn);
  // A variable the function declares: by its type, else its name or values (isPoolVariable); another's: by the name.
  return declarations.length > 0 ? declarations.some((node) => isPoolVariable(node, flowOfModule, 'test')) : POOL_NAME.test(name);
}

/**
 * Every variable and parameter declared in a function's body (its nested functions included), by each name it binds:
 * read once per function. Each closure of a helper asks about the helper's names, and a long helper holds hundreds of
 * closures; walking the helper's body for each of them made a 32 MB repository's lint take seconds more.
 */
const declarationsByFunction = new WeakMap<ts.Node, ReadonlyMap<string, readonly (ts.VariableDeclaration | ts.ParameterDeclaration)[]>>();

function bodyDeclarations(fn: ts.FunctionLikeDeclaration | FunctionLike): ReadonlyMap<string, readonly (ts.VariableDeclaration | ts.ParameterDeclaration)[]> {
  let byName = declarationsByFunction.get(fn);
  if (byName) return byName;
  const found = new Map<string, (ts.VariableDeclaration | ts.ParameterDeclaration)[]>();
  if (fn.body) walkDescendants(fn.body, (node) => {
    if (!ts.isVariableDeclaration(node) && !ts.isParameter(node)) return undefined;
    for (const name of boundNames(node.name)) {
      const list = found.get(name);
      if (list) list.push(node);
      else found.set(name, [node]);
    }
    return undefined;
  });
  byName = found;
  declarationsByFunction.set(fn, byName);
  return byName;
}

/** A parameter or a variable declared anywhere in the function (its nested functions included: a stricter answer). */
function declaresName(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  return fn.parameters.some((p) => boundNames(p.name).includes(name)) || bodyDeclarations(fn).has(name);
}

/** The function declares `name` once, in a `const` of its own (not of a function inside it). */
function declaresConst(fn: FunctionLike, name: string): boolean {
  const found = bodyDeclarations(fn).get(name) ?? [];
  const only = found.length === 1 ? found[0]! : undefined;
  return only !== undefined && ts.isVariableDeclaration(only) && ts.isIdentifier(only.name) && enclosingFunction(only) === fn
    && ts.isVariableDeclarationList(only.parent) && (only.parent.flags & ts.NodeFlags.Const) !== 0;
}

/**
 * The calls of `helper` through which the closure may run (closureRolledBackClients), or undefined when it may run some
 * other way.
 */
function closureRuns(closure: ts.ArrowFunction | ts.FunctionExpression, helper: FunctionLike): ts.CallExpression[] | undefined {
  const written = outermostWrapper(closure);
  const declaration = written.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== written) {
    const call = handingCall(written, helper);
    return call && [call];
  }
  if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(declaration.parent) || (declaration.parent.flags & ts.NodeFlags.Const) === 0) return undefined;
  const name = declaration.name.text;
  const calls: ts.CallExpression[] = [];
  let other = false;
  walkDescendants(helper.body!, (node) => {
    if (other || !ts.isIdentifier(node) || node.text !== name || node === declaration.name) return undefined;
    const property = node.parent;
    if ((ts.isPropertyAccessExpression(property) && property.name === node) || (ts.isPropertyAssignment(property) && property.name === node)) return undefined;
    const use = outermostWrapper(node);
    const direct = use.parent;
    const call = ts.isCallExpression(direct) && direct.expression === use && awaitedIn(direct, helper) ? direct : handingCall(use, helper);
    if (call) calls.push(call);
    else other = true;
    return undefined;
  }, () => other);
  return other ? undefined : calls;
}

/**
 * The awaited call of one of the helper's parameters (its caller's callback) that `value` is an argument of, directly or
 * as a property of an object literal argument (`await fn({ as, q })`).
 */
function handingCall(value: ts.Node, helper: FunctionLike): ts.CallExpression | undefined {
  let argument = value;
  const property = value.parent;
  if ((ts.isShorthandPropertyAssignment(property) && property.name === value) || (ts.isPropertyAssignment(property) && property.initializer === value)) {
    argument = outermostWrapper(property.parent);
  }
  const call = argument.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(argument as ts.Expression) || !ts.isIdentifier(call.expression)) return undefined;
  const callee = call.expression.text;
  const isParameter = helper.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === callee);
  return isParameter && awaitedIn(call, helper) ? call : undefined;
}

/** `await call(…)` (parentheses and casts aside), written in the helper's own body, not in a function inside it. */
function awaitedIn(call: ts.CallExpression, helper: FunctionLike): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent;
  return ts.isAwaitExpression(node.parent) && enclosingFunction(call) === helper;
}

/**
 * The helper calls the callback inside a function it passes to another helper whose callbacks run in a
 * rolled-back transaction (or, for runsInHelperTransaction, in a transaction), handing it that function's
 * client (`withClient(async (c) => setup(c))`).
 */
function handsOnTo(helper: FunctionLike, index: number, depth: number, runsIn: (call: ts.CallExpression, index: number, depth: number) => boolean): boolean {
  const calls = callbackCalls(helper, index);
  return calls.length > 0 && calls.every((call) => handsOwnClientInto(call, depth, runsIn));
}

/**
 * `fn(c)` written directly in a function passed to a call (`withClient(async (c) => { await fn(c); })`), handing `fn` that
 * function's first parameter: whether `runsIn` says the function passed there runs in the transaction (handsOnTo).
 */
function handsOwnClientInto(call: ts.CallExpression, depth: number, runsIn: (call: ts.CallExpression, index: number, depth: number) => boolean): boolean {
  // `fn(tx as ScopedTx)`: a cast or parentheses hand the same handle.
  const client = call.arguments[0] && unwrap(call.arguments[0]);
  const around = functionAround(call);
  const outer = around?.parent;
  if (!client || !ts.isIdentifier(client) || !around || !outer || !ts.isCallExpression(outer)) return false;
  const position = outer.arguments.indexOf(around as ts.Expression);
  const first = around.parameters[0];
  return position >= 0 && first !== undefined && ts.isIdentifier(first.name) && first.name.text === client.text && runsIn(outer, position, depth + 1);
}

/**
 * `hook(tx, …)` written directly in a callback of a driver's transaction call (`db.transaction(async (tx) => { await
 * hook(tx, ctx); … })`) or of a project helper's transaction (runsInHelperTransaction), handing `hook` that callback's
 * handle: the hook runs inside the transaction, on it (transactionHooks.ts).
 */
export function callsWithTransactionHandle(call: ts.CallExpression): boolean {
  return handsOwnClientInto(call, 0, runsInHelperTransaction);
}

/** Whether `body` sends a literal COMMIT (or END) on `client`: what it sent before in a transaction would then stay. */
export function commitsOn(client: string, body: ts.Node): boolean {
  return textsSentOn(client, body).some((s) => COMMITS.test(s.text));
}

/** A text sent on a client, with the call that sends it. */
export type SentText = { text: string; node: ts.CallExpression };

/** The text naming a client, for the simple shapes only: `conn`, `this.client` (casts and parentheses aside). */
export function receiverKey(receiver: ts.Expression): string | undefined {
  const bare = unwrap(receiver);
  if (ts.isIdentifier(bare)) return bare.text;
  return ts.isPropertyAccessExpression(bare) && bare.expression.kind === ts.SyntaxKind.ThisKeyword ? `this.${bare.name.text}` : undefined;
}

/** What a string literal or a template without holes holds (casts and parentheses aside). */
export function literalText(argument: ts.Expression): string | undefined {
  const value = unwrap(argument);
  return ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) ? value.text : undefined;
}

/**
 * The texts sent as the first argument of a method call on the client `client` names (receiverKey) in `body`,
 * callbacks included, in source order (`client.query('begin')`): literals, or whatever else `readText` reads there
 * (a const's literal value).
 */
export function textsSentOn(client: string, body: ts.Node, readText: ReadText = literalText): SentText[] {
  const sent: SentText[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && receiverKey(node.expression.expression) === client) {
      const text = textSentBy(node, readText);
      if (text !== undefined) sent.push({ text, node });
    }
    node.forEachChild(visit);
  };
  visit(body);
  return sent;
}

/** How a caller reads a query's text argument: literalText, or a reading that also knows a const's value or a template's head. */
export type ReadText = (argument: ts.Expression) => string | undefined;

/**
 * The text a method call sends on its receiver (`client.query('begin')`): its first argument, read by `readText`. The
 * one reading of a sent text for textsSentOn and for a test suite's hooks (suiteTransactions.ts), which key the
 * receiver each their own way.
 */
export function textSentBy(call: ts.CallExpression, readText: ReadText = literalText): string | undefined {
  const first = call.arguments[0];
  return first && readText(first);
}

/** `node` sits in the `finally` block of a `try` whose `try` block holds `call`. */
function inFinallyAround(node: ts.Node, call: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isTryStatement(current) && current.finallyBlock && isWithin(node, current.finallyBlock) && isWithin(call, current.tryBlock)) return true;
    if (ts.isFunctionLike(current)) return false;
  }
  return false;
}

/** `node` is (inside) a statement of the function's own body that comes after the one holding `call`. */
function laterStatementOf(node: ts.Node, call: ts.Node, body: ts.Node): boolean {
  if (!ts.isBlock(body)) return false;
  const statement = body.statements.find((s) => isWithin(node, s));
  const callStatement = body.statements.find((s) => isWithin(call, s));
  return statement !== undefined && callStatement !== undefined && statement.pos > callStatement.pos && ts.isExpressionStatement(statement);
}

/** The function (declared, arrow or expression) a node is in; none when the nearest one is a method, accessor or constructor. */
function functionAround(node: ts.Node): FunctionLike | undefined {
  const around = enclosingFunction(node);
  return around && (ts.isFunctionDeclaration(around) || ts.isArrowFunction(around) || ts.isFunctionExpression(around)) ? around : undefined;
}

/**
 * The function a call names: one of this file's top-level functions, or one an import names. Also used by directUrls.ts.
 * `mayDeclare`, when given, is a test of a module's text that every module declaring a function the caller can use
 * passes: a module that fails it and re-exports nothing is not parsed, and yields none (see declarationOfModule).
 */
export function calledFunction(call: ts.CallExpression, mayDeclare?: (text: string) => boolean): FunctionLike | undefined {
  const source = call.getSourceFile();
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return topLevelFunction(source, callee.text) ?? importedFunction(source, callee.text, mayDeclare);
  // `helpers.withClient(…)` on `const helpers = require('./helpers')` or `import * as helpers from './helpers'`.
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const specifier = namespaceSpecifier(source, callee.expression.text);
    return specifier === undefined ? undefined : functionOfModule(source, specifier, callee.name.text, mayDeclare);
  }
  return undefined;
}

/** The function a module of the project exports under the name this file imports it by (not a default import). */
export function importedFunction(source: ts.SourceFile, name: string, mayDeclare?: (text: string) => boolean): FunctionLike | undefined {
  const imported = fileImports(source).get(name);
  return imported && imported.name !== 'default' ? functionOfModule(source, imported.specifier, imported.name, mayDeclare) : undefined;
}

/**
 * The function a module of the project (a relative path, a tsconfig alias, a workspace package) exports by
 * name, also through its re-exports (`export { withTenant } from './db.js'`, `export * from './db'`): a barrel
 * `index.ts` in between is followed. Also used by unsafeOnlyFunctions.ts and drizzleDatabaseUses.ts.
 */
export function functionOfModule(source: ts.SourceFile, specifier: string, name: string, mayDeclare?: (text: string) => boolean): FunctionLike | undefined {
  return declarationOfModule(source, specifier, name, topLevelFunction, mayDeclare);
}

/** The top-level variable a module of the project exports by name, found as functionOfModule finds a function (builderCallerChoices.ts). */
export function variableOfModule(source: ts.SourceFile, specifier: string, name: string): ts.VariableDeclaration | undefined {
  return declarationOfModule(source, specifier, name, (module, wanted) => variableDeclaredIn(module.statements, wanted));
}

/** The class a module of the project exports by name, found as functionOfModule finds a function (unsafeOnlyFunctions.ts). */
export function classOfModule(source: ts.SourceFile, specifier: string, name: string): ts.ClassDeclaration | undefined {
  return declarationOfModule(source, specifier, name, topLevelClass);
}

/** The file's top-level class declared under `name` (exported or not). */
export function topLevelClass(source: ts.SourceFile, name: string): ts.ClassDeclaration | undefined {
  return source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name);
}

/**
 * Code that may re-export from another module (`export * from`, `export { a } from`, `export type { a } from`; also
 * `export { a }` without one, or a comment after `export`): a module without it is never followed further (`export
 * type Row = …`, `export function` are not re-exports). Keywords take no escapes.
 */
const MAY_REEXPORT = /\bexport\s*(?:\/[*/]|(?:type\b\s*)?(?:\/[*/]|\*|\{))/;

/**
 * What `find` reads under `name` in the module `specifier` names, or in a module it re-exports that name from. With
 * `mayDeclare`, a module whose text fails it and that may re-export nothing (MAY_REEXPORT) yields undefined unparsed:
 * what it declares the caller could not use, and it leads nowhere else (session 52: calls handing a client to a
 * helper parsed 494 of awcms-mini's modules to learn that none of them sends a transaction statement).
 */
function declarationOfModule<T>(source: ts.SourceFile, specifier: string, name: string, find: (module: ts.SourceFile, name: string) => T | undefined, mayDeclare?: (text: string) => boolean, depth = 0): T | undefined {
  if (specifier.startsWith('node:') || depth >= MAX_DEPTH) return undefined;
  const file = resolveModule(resolve(source.fileName), specifier);
  if (!file) return undefined;
  const read = moduleRead(file);
  if (!read || (mayDeclare && !passes(read, mayDeclare))) return undefined;
  const other = read.source;
  const own = find(other, name);
  if (own) return own;
  for (const statement of other.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    const element = clause && ts.isNamedExports(clause) ? clause.elements.find((e) => e.name.text === name && !e.isTypeOnly) : undefined;
    if (clause && !element) continue;
    const found = declarationOfModule(other, statement.moduleSpecifier.text, element ? (element.propertyName ?? element.name).text : name, find, mayDeclare, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Each read's answers to the `mayDeclare` tests (declarationOfModule), or MAY_REEXPORT: asked per call of a module's function. */
const testsPassed = new WeakMap<ModuleRead, Map<(text: string) => boolean, boolean>>();

function passes(read: ModuleRead, mayDeclare: (text: string) => boolean): boolean {
  let answers = testsPassed.get(read);
  if (!answers) testsPassed.set(read, (answers = new Map()));
  let passed = answers.get(mayDeclare);
  if (passed === undefined) answers.set(mayDeclare, (passed = mayDeclare(read.text) || MAY_REEXPORT.test(read.text)));
  return passed;
}

/** The module a namespace name stands for: `const m = require('./m')` or `import * as m from './m'`. */
function namespaceSpecifier(source: ts.SourceFile, name: string): string | undefined {
  return topLevelNamespaces(source).get(name);
}

function requireSpecifier(node: ts.Expression): string | undefined {
  if (!ts.isCallExpression(node) || calleeText(node.expression) !== 'require' || !ts.isIdentifier(node.expression)) return undefined;
  const first = node.arguments[0];
  return first && ts.isStringLiteral(first) ? first.text : undefined;
}

const namespacesOf = new WeakMap<ts.SourceFile, Map<string, string | undefined>>();

/**
 * The file's namespace names: each name's module, or undefined, as its first namespace import or initialised
 * declaration says (namespaceSpecifier). Read in one pass over its statements and kept per tree: asked per call that
 * takes a callback (`rows.map((r) => …)`), a pass each time was quadratic in a long module's size. The first
 * statement that binds a name decides it, as a search from the top would.
 */
function topLevelNamespaces(source: ts.SourceFile): Map<string, string | undefined> {
  let namespaces = namespacesOf.get(source);
  if (namespaces) return namespaces;
  namespaces = new Map<string, string | undefined>();
  const add = (name: string, specifier: string | undefined): void => {
    if (!namespaces!.has(name)) namespaces!.set(name, specifier);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name.text, statement.moduleSpecifier.text);
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) add(declaration.name.text, requireSpecifier(declaration.initializer));
      }
    }
  }
  namespacesOf.set(source, namespaces);
  return namespaces;
}
