// Whether a postgres.js client this file creates sends each of its prepared statements at most once.
//
// postgres.js (v3) names a statement the first time a query text runs on one of its connections and sends
// Parse, Describe, Bind, Execute and Sync for it with no Sync before the Execute, so a pooler keeps that whole
// exchange on one server connection: a first run cannot fail. Only a later run of the same text (same
// connection, same text and parameter types) sends Bind alone and may reach a server connection that never
// parsed it. Outside a transaction postgres.js answers that 26000 by parsing again under a new name (a wasted
// round trip, and one more statement left on that server connection); inside a transaction the error has
// aborted it and reaches the application — for `sql.begin`'s own `commit`, the retried COMMIT of the aborted
// transaction is a silent ROLLBACK. So a client whose every tagged query text runs once in its life, with at
// most one `begin()` (its `commit`/`rollback` run once), and whose transaction sends no text the client also
// sends outside it, never sends a Bind without its Parse: it leaves at most one named statement per text on
// a server connection, and nothing fails. Typical: a one-shot script or a test's throwaway admin client.
//
// "Runs once" is read from the code: the query is written in the client's own scope (the block, function body or
// file that declares it; a function of the file, or one imported by name from a module of the project, that the
// client is handed to (also inside an options object) from a call that runs once; a function called from one place
// only; an IIFE; a `.then`/`.catch`/`.finally` or `new Promise` callback; a test framework's
// `it`/`test`/`describe`/`beforeAll`/`afterAll` callback, which runs once; a function such a handed-to function
// returns, when the caller runs what it got back at most once), not inside a loop, and no other query of the client
// has the same text. A const that holds the client (`const sql = override ?? db()`) is read as the client, and so is a
// `let` filled once per run of its scope (a suite's `beforeAll`: onceFilledVariableRunsOnce). Inside the
// one transaction any repetition is fine (one server connection holds the whole transaction, and its first run parsed
// the text there).
import ts from 'typescript';
import { declaringScope, everyReference, everyReferenceInScope, FALLBACK_OPERATORS, heldUse, isNonPreparingUse, isNullish, isReference, localConstDeclaration, outsideParentheses, variableScope } from './postgresJsUses';
import { isConstDeclaration, isLoop, outermostWrapper } from './embeddedFlow';
import { functionNamed } from './unsafeOnlyFunctions';
import { enclosingFunction, isWithin, walkDescendants } from './astWalk';

/** How many functions deep a client handed to the file's own functions is followed. */
const MAX_DEPTH = 3;
/** Promise callbacks: each runs at most once. */
const PROMISE_CALLBACKS = new Set(['then', 'catch', 'finally']);
/** postgres.js methods whose callback runs once per call, inside the transaction or savepoint they open. */
const TRANSACTION_METHODS = new Set(['begin', 'savepoint']);
/** Test framework calls whose callback runs once (not `beforeEach`/`afterEach`, not `.each`). */
const ONCE_TEST_CALLS = new Set(['describe', 'it', 'test', 'beforeAll', 'afterAll', 'before', 'after', 'suite']);
const ONCE_TEST_MODIFIERS = new Set(['only', 'skip', 'todo']);
/**
 * postgres.js's `sql.notify(channel, payload)` is a tagged query of its own, `select pg_notify(${channel},
 * ${payload})`, on the client's connections: the same text whatever the channel, so it counts as one text.
 */
const NOTIFY_TEXT = '\u0001notify';

/**
 * The code a client's uses are judged in: `root` runs once per run being counted (the client's declaring scope, or the
 * body of a function it is handed to from a call that runs once). `onceReturnsOf` is that function when its caller runs
 * what it returns at most once: a function it returns (`return async () => …`) then runs at most once too.
 */
interface Reach {
  root: ts.Node;
  onceReturnsOf?: ts.SignatureDeclaration;
}

interface Tally {
  /** How many times each query text is written outside the transaction. */
  texts: Map<string, number>;
  /** Texts sent inside the transaction. */
  inTransaction: Set<string>;
  /** The `begin()` calls: at most one of them may run in a run (onlyOneBeginRuns). */
  begins: ts.CallExpression[];
}

/**
 * True when the client made by `creation` (`const sql = postgres(…)`, kept in its scope) is used at least
 * once, every use prepares nothing or runs once as described above, and no statement text repeats.
 */
export function runsEachStatementOnce(creation: ts.CallExpression): boolean {
  const declaration = localConstDeclaration(creation);
  const tally: Tally = { texts: new Map(), inTransaction: new Set(), begins: [] };
  if (!declaration) {
    if (refilledVariableRunsOnce(creation, tally) && eachTextOnce(tally)) return true;
    const fresh: Tally = { texts: new Map(), inTransaction: new Set(), begins: [] };
    return onceFilledVariableRunsOnce(creation, fresh) && eachTextOnce(fresh);
  }
  const name = (declaration.name as ts.Identifier).text;
  const scope = declaringScope(declaration);
  return everyUseRunsOnce(name, scope, declaration.name, tally, 0, { root: scope }) && eachTextOnce(tally);
}

/** At most one transaction, no text written twice outside it, none sent both inside and outside it. */
function eachTextOnce(tally: Tally): boolean {
  if (!onlyOneBeginRuns(tally.begins)) return false;
  for (const count of tally.texts.values()) if (count > 1) return false;
  for (const text of tally.inTransaction) if (tally.texts.has(text)) return false;
  return true;
}

/**
 * Whether at most one of the `begin()` calls (each already known to run at most once) runs in a run: every two of them
 * are on paths that exclude each other (beginsApart). Each `begin()` sends the named `commit` once; two that both run
 * send it twice on the client.
 */
function onlyOneBeginRuns(begins: readonly ts.CallExpression[]): boolean {
  const inOrder = [...begins].sort((a, b) => a.pos - b.pos);
  return inOrder.every((earlier, i) => inOrder.slice(i + 1).every((later) => beginsApart(earlier, later)));
}

/**
 * Two calls of one function of which at most one runs: they sit in different arms of one `if` (`if (unban) { … } else
 * { … }`), or the earlier one sits in an arm that then leaves the function (its last statement a `return`, a `throw` or `process.exit(…)`:
 * `if (unban) { await sql.begin(…); return; }`) and the later one comes after that `if`, where no `catch` or `finally`
 * around the arm could bring the run back to it. An arm that may jump out another way (`break`, `continue`) is not read.
 */
function beginsApart(earlier: ts.Node, later: ts.Node): boolean {
  const fn = enclosingFunction(earlier);
  if (fn === undefined || fn !== enclosingFunction(later)) return false;
  for (let child: ts.Node = earlier, parent = earlier.parent; parent !== fn; child = parent, parent = parent.parent) {
    if (!ts.isIfStatement(parent) || child === parent.expression) continue;
    const other = child === parent.thenStatement ? parent.elseStatement : parent.thenStatement;
    if (other && isWithin(later, other)) return true;
    if (later.pos >= parent.end && armLeaves(child) && !handlerAroundReaches(parent, later, fn)) return true;
  }
  return false;
}

/**
 * An `if` arm that always leaves the function: a `return`/`throw` or `process.exit(…)`, or a block ending in one, with
 * no `break`/`continue` in it (also read by transactionPoolerGuards.ts).
 */
export function armLeaves(arm: ts.Node): boolean {
  const last = ts.isBlock(arm) ? arm.statements[arm.statements.length - 1] : arm;
  if (!last || !(ts.isReturnStatement(last) || ts.isThrowStatement(last) || exitsProcess(last))) return false;
  let jumps = false;
  walkDescendants(arm, (node) => {
    if (ts.isBreakOrContinueStatement(node)) jumps = true;
    return !jumps && !ts.isFunctionLike(node);
  });
  return !jumps;
}

/** `process.exit(…);` as a statement. */
function exitsProcess(statement: ts.Node): boolean {
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return false;
  const callee = statement.expression.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'exit' && ts.isIdentifier(callee.expression) && callee.expression.text === 'process';
}

/** Whether `node` lies in the `catch` or `finally` of a `try` (within `fn`) whose block holds `branch`: it may run after the branch left. */
function handlerAroundReaches(branch: ts.Node, node: ts.Node, fn: ts.Node): boolean {
  for (let parent = branch.parent; parent !== fn; parent = parent.parent) {
    if (!ts.isTryStatement(parent) || !isWithin(branch, parent.tryBlock)) continue;
    if ((parent.catchClause && isWithin(node, parent.catchClause)) || (parent.finallyBlock && isWithin(node, parent.finallyBlock))) return true;
  }
  return false;
}

/**
 * A `let`/`var` (not exported) that a statement of a function fills with a fresh client each time it runs
 * (`lockClient = postgres(url, { max: 1 })`, then ``await lockClient`SELECT pg_try_advisory_lock(…)` ``): each run
 * of that block brings a new client, whose statements are judged as a const's in that block. Every other mention of
 * the variable in its scope must prepare nothing (`lockClient.end()`), test whether it is set, or empty it (`=
 * null`); every use that may prepare must come after the filling statement in the same block, with nothing awaited
 * between them (another run of the function may fill the variable with its own client meanwhile).
 */
function refilledVariableRunsOnce(creation: ts.CallExpression, tally: Tally): boolean {
  const filling = fillingStatement(creation);
  if (!filling) return false;
  const { target, statement } = filling;
  const block = statement.parent as ts.Block;
  return everyMentionOfFilledVariable(target, (node) => node.pos >= statement.end && isInside(node, block)
    && !waitsBetween(block, statement, node) && useRunsOnce(node, { root: block }, tally, 0));
}

/**
 * A `let`/`var` (not exported) whose filling statement runs at most once each time the variable's own scope runs: a
 * test suite's `let admin` filled in its `beforeAll` (or `before`) hook and used there and in its `afterAll`, a
 * script's variable filled in a `main()` called once. Each run of that scope makes its own binding and fills it with
 * at most one client, so the variable names that one client (or nothing) wherever the scope mentions it: its uses are
 * judged as a const's declared there, awaits between them and all. A filling inside a function that may run again (a
 * `beforeEach`, a handler, a function called from two places) is not this; refilledVariableRunsOnce reads it.
 */
function onceFilledVariableRunsOnce(creation: ts.CallExpression, tally: Tally): boolean {
  const filling = fillingStatement(creation);
  const scope = filling && variableScope(filling.target);
  if (!filling || !scope || !runsOnce(filling.statement, { root: scope })) return false;
  return everyMentionOfFilledVariable(filling.target, (node) => useRunsOnce(node, { root: scope }, tally, 0));
}

/** `name = postgres(…);` written as a statement of a block: the variable and that statement. */
function fillingStatement(creation: ts.CallExpression): { target: ts.Identifier; statement: ts.ExpressionStatement } | undefined {
  const filled = outermostWrapper(creation);
  const assignment = filled.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.right !== filled || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(assignment.left)) return undefined;
  const statement = outsideParentheses(assignment).parent;
  if (!ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  return { target: assignment.left, statement };
}

/**
 * Every mention of the filled variable in its scope is the filling itself, its declaration without a value (or
 * `= null`), an emptying (`= null`), a test of whether it is set or a use that prepares nothing — or a use `judgeUse`
 * accepts, of which there is at least one.
 */
function everyMentionOfFilledVariable(target: ts.Identifier, judgeUse: (use: ts.Identifier) => boolean): boolean {
  let uses = 0;
  const safe = everyReferenceInScope(target, (node) => {
    if (node === target) return true;
    const declared = node.parent;
    if (ts.isVariableDeclaration(declared) && declared.name === node) return declared.initializer === undefined || isNullish(declared.initializer);
    if (isAssigned(node)) return isNullish(outermostAssigned(node));
    if (heldUse(node) !== undefined) return true;
    uses += 1;
    return judgeUse(node);
  });
  return safe && uses > 0;
}

/** `name = …` (the identifier on the left of a plain assignment). */
function isAssigned(id: ts.Identifier): boolean {
  const assignment = outsideParentheses(id).parent;
  return ts.isBinaryExpression(assignment) && assignment.left === outsideParentheses(id) && assignment.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
    && assignment.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** The value assigned to the identifier on the left of an assignment (a compound assignment's counts as unknown). */
function outermostAssigned(id: ts.Identifier): ts.Expression {
  const assignment = outsideParentheses(id).parent as ts.BinaryExpression;
  return assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken ? assignment.right : assignment;
}

function isInside(node: ts.Node, ancestor: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

/**
 * Whether the block awaits (or yields) anything after `statement` and before `use` is evaluated: an `await` around the
 * use itself comes after it (`await lockClient\`…\``), one in a function written there does not run there.
 */
function waitsBetween(block: ts.Block, statement: ts.Statement, use: ts.Node): boolean {
  const start = use.getStart();
  let waits = false;
  const visit = (node: ts.Node): void => {
    if (waits || node.end <= statement.end || node.pos >= start || ts.isFunctionLike(node)) return;
    if ((ts.isAwaitExpression(node) || ts.isYieldExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) && !isInside(use, node)) waits = true;
    else node.forEachChild(visit);
  };
  block.forEachChild(visit);
  return waits;
}

/** Every reference to `name` in `within` (but `skip`, its declaration) is a use that runs at most once in `reach`. */
function everyUseRunsOnce(name: string, within: ts.Node, skip: ts.Node | undefined, tally: Tally, depth: number, reach: Reach): boolean {
  let uses = 0;
  const once = everyReference(within, name, (node) => {
    if (node === skip) return true;
    uses += 1;
    return useRunsOnce(node, reach, tally, depth);
  });
  return once && uses > 0;
}

function useRunsOnce(id: ts.Identifier, reach: Reach, tally: Tally, depth: number): boolean {
  if (writesMember(id)) return false;
  if (isNonPreparingUse(id)) return true;
  const parent = id.parent;
  if (ts.isTaggedTemplateExpression(parent) && parent.tag === id) {
    if (!runsOnce(parent, reach)) return false;
    const text = textOf(parent);
    tally.texts.set(text, (tally.texts.get(text) ?? 0) + 1);
    return true;
  }
  const notify = notifyCall(id);
  if (notify) {
    if (!runsOnce(notify, reach)) return false;
    tally.texts.set(NOTIFY_TEXT, (tally.texts.get(NOTIFY_TEXT) ?? 0) + 1);
    return true;
  }
  const begin = transactionCall(id, 'begin');
  if (begin) {
    if (!runsOnce(begin.call, reach)) return false;
    tally.begins.push(begin.call);
    return begin.body === undefined || transactionUsesStayInside(begin.handle, begin.body, tally, depth);
  }
  // A const holding the client (`const sql = override ?? db()`): its uses are the client's, judged where it is.
  const alias = constHolding(id);
  if (alias) return everyUseRunsOnce(alias.name.text, declaringScope(alias.declaration), alias.name, tally, depth, reach);
  // Handed to a function of the file from a call that runs once: that call runs its body once with this
  // client (other calls, from here or from other files, bring other clients). Also inside an options object.
  const handoff = ownFunctionReceiving(id);
  if (handoff && depth < MAX_DEPTH && runsOnce(handoff.call, reach)) {
    const inside: Reach = { root: handoff.body, onceReturnsOf: resultRunsAtMostOnce(handoff.call, reach) ? handoff.target : undefined };
    if (handoff.member === undefined) return everyUseRunsOnce(handoff.parameter, handoff.body, undefined, tally, depth + 1, inside);
    return everyMemberUseRunsOnce(handoff.parameter, handoff.member, tally, depth + 1, inside);
  }
  return false;
}

/**
 * `const name = id`, or `const name = id ?? fallback` (also `||`, through `as`/`!`/parentheses; not exported): the
 * const's name and declaration. What the fallback holds is another value, judged where it is made.
 */
function constHolding(id: ts.Identifier): { name: ts.Identifier; declaration: ts.VariableDeclaration } | undefined {
  let value = outermostWrapper(id);
  const choice = value.parent;
  if (ts.isBinaryExpression(choice) && choice.left === value && FALLBACK_OPERATORS.has(choice.operatorToken.kind)) value = outermostWrapper(choice);
  const declaration = localConstDeclaration(value as ts.Expression);
  if (!declaration || !isConstDeclaration(declaration)) return undefined;
  return { name: declaration.name as ts.Identifier, declaration };
}

/**
 * Whether the value `call` returns is run at most once each time `reach` runs: it is called in place (`make(sql)()`),
 * or kept in a const (not exported) its scope mentions only as the callee of one call that runs once in `reach` (or
 * never). Returned, stored, passed on or called again, it may run any number of times.
 */
function resultRunsAtMostOnce(call: ts.CallExpression, reach: Reach): boolean {
  const result = outermostWrapper(call);
  if (ts.isCallExpression(result.parent) && result.parent.expression === result) return true;
  const declaration = localConstDeclaration(call);
  if (!declaration || !isConstDeclaration(declaration)) return false;
  let calls = 0;
  return everyReference(declaringScope(declaration), (declaration.name as ts.Identifier).text, (node) => {
    if (node === declaration.name) return true;
    const callee = outermostWrapper(node);
    const run = callee.parent;
    calls += 1;
    return calls === 1 && ts.isCallExpression(run) && run.expression === callee && runsOnce(run, reach);
  });
}

/**
 * The client reached the function as the `member` of an options object (`run({ sql, tenant })`, the
 * parameter `options`): every mention of the parameter must read one of its members, and each
 * `options.sql` is a use of the client.
 */
function everyMemberUseRunsOnce(parameter: string, member: string, tally: Tally, depth: number, reach: Reach): boolean {
  let uses = 0;
  const once = everyReference(reach.root, parameter, (node) => {
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== node) return false;
    if (access.name.text !== member) return true;
    uses += 1;
    // The member access stands where the client's name would: the same shapes are read around it.
    return useRunsOnce(access as unknown as ts.Identifier, reach, tally, depth);
  });
  return once && uses > 0;
}

/**
 * Inside the one transaction: tagged queries (any number of times), unprepared uses, nested savepoints and
 * the file's own functions given the transaction. Their texts are collected to be compared with the texts
 * the client sends outside it.
 */
function transactionUsesStayInside(name: string | undefined, body: ts.Node, tally: Tally, depth: number): boolean {
  return name === undefined || everyReference(body, name, (node) => transactionUseStaysInside(node, tally, depth));
}

function transactionUseStaysInside(id: ts.Identifier, tally: Tally, depth: number): boolean {
  if (isNonPreparingUse(id)) return true;
  const parent = id.parent;
  if (ts.isTaggedTemplateExpression(parent) && parent.tag === id) {
    tally.inTransaction.add(textOf(parent));
    return true;
  }
  if (notifyCall(id)) {
    tally.inTransaction.add(NOTIFY_TEXT);
    return true;
  }
  const savepoint = transactionCall(id, 'savepoint');
  if (savepoint) return savepoint.body === undefined || transactionUsesStayInside(savepoint.handle, savepoint.body, tally, depth);
  const handoff = ownFunctionReceiving(id);
  return handoff !== undefined && handoff.member === undefined && depth < MAX_DEPTH && transactionUsesStayInside(handoff.parameter, handoff.body, tally, depth + 1);
}

/** `id.options = …`, `id.x += …`: the client's own state changed, not read (unsafeOnlyFunctions.ts refuses it too). */
function writesMember(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id) return false;
  const user = access.parent;
  return ts.isBinaryExpression(user) && user.left === access && user.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && user.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** `id.notify(channel, payload)`: the call. */
function notifyCall(id: ts.Identifier): ts.CallExpression | undefined {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || access.name.text !== 'notify') return undefined;
  return ts.isCallExpression(access.parent) && access.parent.expression === access ? access.parent : undefined;
}

/**
 * `id.begin(cb)` / `id.begin(mode, cb)` (or `savepoint`) with an inline callback: the call, the callback's
 * body and the name its first parameter gives the transaction. Undefined for any other use (a callback
 * that is not written in place cannot be read).
 */
function transactionCall(id: ts.Identifier, method: string): { call: ts.CallExpression; body?: ts.Node; handle?: string } | undefined {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || access.name.text !== method) return undefined;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return undefined;
  const callback = call.arguments[call.arguments.length - 1];
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return undefined;
  const first = callback.parameters[0];
  if (first && !ts.isIdentifier(first.name)) return undefined;
  return { call, body: callback.body, handle: first ? (first.name as ts.Identifier).text : undefined };
}

/**
 * `f(…, id, …)` or `f({ id, … })` / `f({ key: id })` where `f` is a top-level function of this file, or one a module
 * of the project exports and this file imports by name (unsafeOnlyFunctions.ts's functionNamed): the call,
 * the name the function's parameter gives the client (a destructured `{ key }` too), or the parameter holding
 * the options object and the member that holds the client.
 */
function ownFunctionReceiving(id: ts.Identifier): { call: ts.CallExpression; target: ts.SignatureDeclaration; parameter: string; member?: string; body: ts.Node } | undefined {
  let argument = outsideParentheses(id);
  let key: string | undefined;
  const property = argument.parent;
  if ((ts.isShorthandPropertyAssignment(property) || (ts.isPropertyAssignment(property) && property.initializer === argument))
    && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
    key = property.name.text;
    argument = outsideParentheses(property.parent);
  }
  const call = argument.parent;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
  const index = call.arguments.indexOf(argument as ts.Expression);
  if (index < 0) return undefined;
  const target = functionNamed(call.expression.text, id.getSourceFile());
  const parameter = target?.parameters[index];
  if (!target?.body || !parameter || parameter.dotDotDotToken) return undefined;
  if (key === undefined) return ts.isIdentifier(parameter.name) ? { call, target, parameter: parameter.name.text, body: target.body } : undefined;
  if (ts.isIdentifier(parameter.name)) return { call, target, parameter: parameter.name.text, member: key, body: target.body };
  if (!ts.isObjectBindingPattern(parameter.name)) return undefined;
  for (const element of parameter.name.elements) {
    const from = element.propertyName ?? element.name;
    if (!element.dotDotDotToken && (ts.isIdentifier(from) || ts.isStringLiteral(from)) && from.text === key && ts.isIdentifier(element.name)) {
      return { call, target, parameter: element.name.text, body: target.body };
    }
  }
  return undefined;
}

/**
 * Whether `node` is evaluated at most once each time `reach.root` runs: no loop around it (a `for…of`'s iterated
 * expression and a `for`'s initializer run once), and every function between them runs once per run of
 * the code that calls it (`onceCaller`), the walk going on from that call, or is one that `reach.onceReturnsOf`
 * returns (its one run per run of the root). A function reached as the root itself (`(sql) => async () => …`'s
 * body) is made there, not run there.
 */
export function runsOnce(node: ts.Node, reach: Reach): boolean {
  let child: ts.Node = node;
  let current: ts.Node | undefined = node.parent;
  while (current) {
    if (reach.onceReturnsOf && ts.isFunctionLike(current) && returningFunction(current) === reach.onceReturnsOf) return true;
    if (current === reach.root) return !ts.isFunctionLike(current);
    if (isLoop(current) && !inLoopHeader(current, child)) return false;
    if (ts.isFunctionLike(current)) {
      const call = onceCaller(current);
      if (!call) return false;
      current = call;
    }
    child = current;
    current = current.parent;
  }
  return false;
}

/** The function that returns `fn` as it is written: `return fn` in its own body, or an arrow's expression body. */
function returningFunction(fn: ts.SignatureDeclaration): ts.SignatureDeclaration | undefined {
  const written = outsideParentheses(fn);
  const parent = written.parent;
  if (ts.isArrowFunction(parent) && parent.body === written) return parent;
  if (!ts.isReturnStatement(parent) || parent.expression !== written) return undefined;
  for (let node: ts.Node | undefined = parent.parent; node; node = node.parent) if (ts.isFunctionLike(node)) return node;
  return undefined;
}

export function inLoopHeader(loop: ts.Node, child: ts.Node): boolean {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return loop.expression === child;
  return ts.isForStatement(loop) && loop.initializer === child;
}

/** The call that runs `fn` once each time it is evaluated, if `fn` is known to run no more often than that. */
function onceCaller(fn: ts.SignatureDeclaration): ts.Node | undefined {
  const inline = inlineOnceCaller(fn);
  if (inline) return inline;
  const name = functionName(fn);
  return name ? soleCall(name, fn.getSourceFile()) : undefined;
}

/**
 * The call that runs `fn` once where it is written: an IIFE, a `new Promise` executor, a `.then`/`.catch`/`.finally`,
 * `begin`/`savepoint` or once-running test framework callback (also read by oncePerRun.ts).
 */
export function inlineOnceCaller(fn: ts.SignatureDeclaration): ts.Node | undefined {
  const outer = outsideParentheses(fn);
  const parent = outer.parent;
  if (ts.isCallExpression(parent) && parent.expression === outer) return parent;
  if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'Promise' && parent.arguments?.[0] === outer) return parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(outer as ts.Expression)) {
    const callee = parent.expression;
    if (ts.isPropertyAccessExpression(callee) && (PROMISE_CALLBACKS.has(callee.name.text) || TRANSACTION_METHODS.has(callee.name.text))) return parent;
    if (isOnceTestCall(callee)) return parent;
  }
  return undefined;
}

/** `it(…)`, `test(…)`, `describe.only(…)`, `test.beforeAll(…)`: a test framework call whose callback runs once. */
function isOnceTestCall(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return ONCE_TEST_CALLS.has(callee.text);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || !ONCE_TEST_CALLS.has(callee.expression.text)) return false;
  return ONCE_TEST_MODIFIERS.has(callee.name.text) || ONCE_TEST_CALLS.has(callee.name.text);
}

/** The name a function declaration or a `const f = () => …` gives the function. */
export function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn
    && ts.isIdentifier(fn.parent.name) && (fn.parent.parent.flags & ts.NodeFlags.Const) !== 0) return fn.parent.name.text;
  return undefined;
}

/**
 * The one call of the function `name` when the file mentions it exactly once besides its declaration and
 * that mention is the callee of a call (`main().catch(…)`); undefined when it is exported, passed as a
 * value or called from several places.
 */
function soleCall(name: string, source: ts.SourceFile): ts.CallExpression | undefined {
  const mentions: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (mentions.length > 1) return;
    if (ts.isIdentifier(node) && node.text === name && isReference(node) && !isDeclarationName(node)) mentions.push(node);
    node.forEachChild(visit);
  };
  visit(source);
  if (mentions.length !== 1) return undefined;
  const call = mentions[0].parent;
  return ts.isCallExpression(call) && call.expression === mentions[0] ? call : undefined;
}

function isDeclarationName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return (ts.isFunctionDeclaration(parent) || ts.isVariableDeclaration(parent) || ts.isParameter(parent)) && parent.name === id;
}

/** A query's text as postgres.js keys its statements: the literal parts, holes marked (not their values). */
function textOf(query: ts.TaggedTemplateExpression): string {
  const template = query.template;
  if (ts.isNoSubstitutionTemplateLiteral(template)) return template.rawText ?? template.text;
  return (template.head.rawText ?? template.head.text) + template.templateSpans.map((span) => `\u0000${span.literal.rawText ?? span.literal.text}`).join('');
}
