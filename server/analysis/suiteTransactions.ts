// Per-test transactions a test suite's hooks keep a client in, read once for every shape (session 35): the
// `beforeEach` hooks that run before a test are read in the order they run, each hook's statements in written order
// (nested blocks and callbacks included, an error's `catch` left out; a function the hook declares and calls by name
// read where it is called). A BEGIN, START TRANSACTION or SAVEPOINT sent on a
// client (a literal a method sends, or a client method: `startTransaction()`, `begin()`) opens a transaction on it;
// a COMMIT or ROLLBACK, a new client put in its variable (`client = await pool.connect()`), or a function of the
// project the client is handed to that sends a COMMIT or ROLLBACK (`await settle(client)`) leaves it outside. When the hooks leave it open, a query a test
// sends on it starts inside that transaction ('open'); when an `afterEach` also sends ROLLBACK (or ROLLBACK TO
// SAVEPOINT) on it and none sends COMMIT, inside one rolled back after the test ('rolledBack'): a SET LOCAL there
// reaches the test's later queries, and whatever the test leaves (a plain SET, a temporary table) ends with the
// rollback. A test that puts another client in the variable, anywhere in it, sends on that one, outside.
// The hooks are read where they apply: the test file's own (at its top level, or in a block around the test: a
// `describe` body, outermost first), after the top-level hooks of a setup file a test runner's configuration names
// (Vitest's `setupFiles`, Jest's `setupFilesAfterEnv`, Mocha's `--file`; testSetupFiles.ts), which wrap every test of
// the suite. A setup file whose top-level code registers `beforeEach` can only be one the runner loads among the tests
// (a `globalSetup` runs outside them, where no hook can be registered). A client is one variable however the code
// reaches it: by its name, through a function returning it (`getTestClient()`), a const (or a `let` given nothing else) holding either, or an import of
// them; a pool is no such client (BEGIN and ROLLBACK on it may take two connections), a client checked out of one is.
// What runs in each test: a test's callback (`it`, `test`), and a function declared outside the framework's calls or by
// name in a `describe` body (a helper the tests call), and a `beforeEach`/`afterEach` hook's callback, read with the hooks
// that run before it (hooksAroundHook). Code at a module's top level, in `describe` and `beforeAll`/`afterAll` runs
// outside the per-test transaction, or is not known to run inside it. A query sent through
// a local function that only forwards to a client's query runs where that function is called (the `site` below).
import ts from 'typescript';
import { resolve } from 'node:path';
import { isAssignmentExpression, walkDescendants } from './astWalk';
import { calleeText, Flow, flowOfModule, outermostWrapper, unwrap } from './embeddedFlow';
import { fileImports } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { ModuleFacts, parsedModule } from './parsedModules';
import { CLIENT_TRANSACTION_BEGIN, CLIENT_TRANSACTION_END, COMMITS, OPENS_TRANSACTION, ROLLS_BACK_ANY, calledFunction, functionOfModule, literalText, textSentBy } from './rolledBackCallbacks';
import { isPoolVariable } from './poolFactories';
import { splitStatements } from './splitter';
import { boundaryHelperCall, type HelperBoundary } from './boundaryHelpers';
import { isTestCode, testSetupFiles } from './testSetupFiles';
import { topLevelFunction, type TopLevelFunction } from './topLevelFunctions';

export const SETUP_HOOK = 'beforeEach';
export const TEARDOWN_HOOK = 'afterEach';
/** Framework calls whose callback is a test. */
const TEST_CALLS = new Set(['it', 'test', 'specify']);
/** Framework calls whose callback declares a suite: its body runs once, while the tests are collected. */
const SUITE_CALLS = new Set(['describe', 'context', 'suite']);
/** Framework calls whose callback runs outside a test's own transaction (or is not known to run inside it). */
const OUTSIDE_TEST_CALLS = new Set([...SUITE_CALLS, 'beforeAll', 'afterAll', 'before', 'after', SETUP_HOOK, TEARDOWN_HOOK]);
/** Modifiers between a framework call's name and its arguments (`it.only(…)`, `test.concurrent.each(table)(…)`). */
const MODIFIERS = new Set(['only', 'skip', 'concurrent', 'sequential', 'serial', 'fails', 'failing', 'each', 'skipIf', 'runIf']);
/** A rollback to a savepoint (`ROLLBACK TO SAVEPOINT sp_1`, `ROLLBACK TO sp_1`): the transaction goes on. */
const ROLLS_BACK_TO_SAVEPOINT = /^\s*rollback\s+(?:(?:work|transaction)\s+)?to\b/i;
/** How many names, consts and getters deep a client is followed. */
const MAX_DEPTH = 4;

/**
 * Where a test's query on a client starts, as the suite's per-test hooks leave that client: `'rolledBack'` inside a
 * transaction the `beforeEach` hooks began and an `afterEach` rolls back (never commits), `'open'` inside one they began
 * and leave open, undefined when neither is known (no such hooks, a client they do not reach, code outside a test).
 */
export type PerTestTransaction = 'open' | 'rolledBack';

const perTestTransactions = new WeakMap<ts.Node, PerTestTransaction | null>();
/** The same, per call of a local function that forwards to the client's query (the call is where the query runs). */
const perTestForwardedCalls = new WeakMap<ts.Node, PerTestTransaction | null>();

/**
 * Where `receiver`, the client a query is sent on, starts when the query runs in a test (PerTestTransaction). `site` is
 * where the query runs when that is not where the client is written: the call of a local function that only forwards
 * its arguments to `receiver`'s query (`const query = (text, params) => client.query(text, params)`, declared in the
 * `describe` body; `await query('SET LOCAL ROLE member')` in a test runs there, on the suite's client).
 */
export function perTestTransaction(receiver: ts.Expression, source: ts.SourceFile, fileName: string | undefined, flow: Flow, site: ts.Node = receiver): PerTestTransaction | undefined {
  const cache = site === receiver ? perTestTransactions : perTestForwardedCalls;
  let known = cache.get(site);
  if (known === undefined) cache.set(site, (known = readPerTestTransaction(receiver, site, source, fileName, flowOfModule(source, flow)) ?? null));
  return known ?? undefined;
}

function readPerTestTransaction(receiver: ts.Expression, site: ts.Node, source: ts.SourceFile, fileName: string | undefined, flow: Flow): PerTestTransaction | undefined {
  const test = eachTestRun(site);
  const hook = test ? undefined : enclosingEachHook(site);
  const run = test ?? hook?.body;
  if (!run) return undefined;
  // The hooks that may apply, asked before the client is followed: most files have none.
  const around = applicableHooks(run, source, fileName, flow);
  const hooks = hook ? hooksAroundHook(around, hook) : around;
  if (!hooks.some((each) => each.setup)) return undefined;
  const key = clientKey(receiver, source, flow);
  // A test that puts another client in the variable (`client = await pool.connect()`, in a branch or after the query)
  // sends on that one, outside whatever the hooks began on the old one. A hook that itself begins, ends or replaces
  // the client's transaction is read by the hook reader alone (the suite's own BEGIN and ROLLBACK hooks).
  if (key === undefined || assignedKeys(run, source, flow).has(key)) return undefined;
  if (hook && !hookReadsAlone(hook, around, key)) return undefined;
  let open = false;
  for (const hook of hooks) if (hook.setup) open = hookEvents(hook).reduce((state, event) => event.key !== key ? state : opensAfter(event.kind, state), open);
  if (!open) return undefined;
  const teardown = hooks.filter((hook) => !hook.setup).flatMap((hook) => hookEvents(hook)).filter((event) => event.key === key);
  const rolledBack = teardown.some((event) => event.kind === 'rollback' || event.kind === 'rollbackToSavepoint') && !teardown.some((event) => event.kind === 'commit');
  return rolledBack ? 'rolledBack' : 'open';
}

/**
 * The `beforeEach` or `afterEach` hook whose callback a query runs in, when that hook is the innermost framework callback
 * around it: it runs once per test, as the test does. Only through callbacks the hook hands calls (`.then(…)`); a
 * function it returns (a teardown) or declares runs elsewhere: none.
 */
function enclosingEachHook(node: ts.Node): { body: ts.FunctionLikeDeclaration; setup: boolean } | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (!ts.isFunctionLike(current)) continue;
    const call = current.parent;
    if (!call || !ts.isCallExpression(call) || !call.arguments.includes(current as ts.Expression)) return undefined;
    const name = frameworkCallName(call);
    if (name === SETUP_HOOK || name === TEARDOWN_HOOK) return { body: current as ts.FunctionLikeDeclaration, setup: name === SETUP_HOOK };
    if (name !== undefined && (OUTSIDE_TEST_CALLS.has(name) || TEST_CALLS.has(name))) return undefined;
  }
  return undefined;
}

/**
 * The hooks that run around a query of the hook `hook` (of those that apply where it is written, `around`): a
 * `beforeEach` runs after the `beforeEach` hooks registered before it (an outer block's, then its own block's in
 * written order) and before every `afterEach`; an `afterEach` runs after every `beforeEach` and before the `afterEach`
 * hooks of the blocks around its own (the runners' orders agree on those: an inner block's run first).
 */
function hooksAroundHook(around: Hook[], hook: { body: ts.FunctionLikeDeclaration; setup: boolean }): Hook[] {
  const at = around.findIndex((each) => each.body === hook.body);
  if (at < 0) return [];
  if (hook.setup) return [...around.slice(0, at).filter((each) => each.setup), ...around.filter((each) => !each.setup)];
  const block = blockOfHook(hook.body);
  return around.filter((each) => each.setup || blockOfHook(each.body) !== block);
}

/**
 * Whether the hooks around leave the client's transaction to the hook `hook` as the suite's BEGIN and ROLLBACK hooks
 * left it: the hook itself sends no BEGIN, COMMIT or ROLLBACK on it nor puts another client in its variable, and, for an
 * `afterEach`, no other `afterEach` of its own block does (the runners differ on which of those runs first).
 */
function hookReadsAlone(hook: { body: ts.FunctionLikeDeclaration; setup: boolean }, around: Hook[], key: string): boolean {
  const block = blockOfHook(hook.body);
  const concerned = around.filter((each) => each.body === hook.body || (!hook.setup && !each.setup && blockOfHook(each.body) === block));
  return concerned.some((each) => each.body === hook.body) && !concerned.some((each) => hookEvents(each).some((event) => event.key === key));
}

/** The block (a `describe` body, a module) whose statement registers a hook. */
function blockOfHook(body: ts.Node): ts.Node | undefined {
  for (let current = body.parent; current; current = current.parent) if (ts.isBlock(current) || ts.isSourceFile(current)) return current;
  return undefined;
}

/** Whether the client is inside a transaction after an event of a `beforeEach` hook (`open`: before it). */
function opensAfter(kind: HookEventKind, open: boolean): boolean {
  if (kind === 'begin') return true;
  // A COMMIT or ROLLBACK ends it (sent by the hook or a helper it hands the client to); a new client is outside it.
  if (kind === 'commit' || kind === 'rollback' || kind === 'assign') return false;
  return open;
}

/**
 * The function a query runs in once per test: the callback of a test call (`it`, `test.each(table)`) around it, or,
 * outside any framework call, its outermost function (a helper the tests call), also one a `describe` body declares by
 * name (`const withRole = async () => …`, `function seed() {…}`) rather than hands to a call. None for code at a module's
 * top level, in `describe` itself (or a callback it hands a call: `cases.forEach(…)` runs as the tests are collected),
 * `beforeAll`/`afterAll` or the hooks.
 */
function eachTestRun(node: ts.Node): ts.SignatureDeclaration | undefined {
  let outermost: ts.SignatureDeclaration | undefined;
  for (let current = node.parent; current; current = current.parent) {
    if (!ts.isFunctionLike(current)) continue;
    const inner = outermost;
    outermost = current;
    const call = current.parent;
    if (!call || !ts.isCallExpression(call) || !call.arguments.includes(current as ts.Expression)) continue;
    const name = frameworkCallName(call);
    if (name !== undefined && TEST_CALLS.has(name)) return current;
    if (name !== undefined && SUITE_CALLS.has(name)) return inner !== undefined && declaredByName(inner) ? inner : undefined;
    if (name !== undefined && OUTSIDE_TEST_CALLS.has(name)) return undefined;
  }
  return outermost;
}

/** A function declaration, or a function written as a variable's value (`const withRole = async () => …`). */
function declaredByName(fn: ts.SignatureDeclaration): boolean {
  if (ts.isFunctionDeclaration(fn)) return true;
  const held = outermostWrapper(fn);
  return ts.isVariableDeclaration(held.parent) && held.parent.initializer === held;
}

/** `it`, `test.only`, `it.each(table)`, `test.beforeEach` (Playwright): the framework's name for the call. */
function frameworkCallName(call: ts.CallExpression): string | undefined {
  let callee = call.expression;
  if (ts.isCallExpression(callee)) callee = callee.expression;
  while (ts.isPropertyAccessExpression(callee) && MODIFIERS.has(callee.name.text)) callee = callee.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** A framework hook's callback, with the module it is written in (a setup file's or the test file's). */
interface Hook {
  setup: boolean;
  body: ts.FunctionLikeDeclaration;
  source: ts.SourceFile;
  flow: Flow;
}

/**
 * The `beforeEach`/`afterEach` hooks that run around each run of `run`, in the order they run: a setup file's top-level
 * hooks (registered before the test file's), then those among the statements of each block around `run` (the file,
 * then each `describe` body down to the test's own), outermost first, each block's in written order.
 */
function applicableHooks(run: ts.Node, source: ts.SourceFile, fileName: string | undefined, flow: Flow): Hook[] {
  const hooks: Hook[] = [];
  if (fileName && isTestCode(fileName)) for (const file of testSetupFiles(fileName)) hooks.push(...(setupFileHooks.of(file) ?? []));
  if (!registersSetupHook(source)) return hooks;
  const blocks: (ts.Block | ts.SourceFile)[] = [];
  for (let current = run.parent; current; current = current.parent) if (ts.isBlock(current) || ts.isSourceFile(current)) blocks.unshift(current);
  for (const block of blocks) hooks.push(...blockHooks(block, source, flow));
  return hooks;
}

/** Per tree, whether its text names a `beforeEach` (asked for each client a query is sent on). */
const namesSetupHook = new WeakMap<ts.SourceFile, boolean>();

/** Whether the file's text names a `beforeEach`: read once per tree, not once per client of a file of thousands of queries. */
function registersSetupHook(source: ts.SourceFile): boolean {
  let names = namesSetupHook.get(source);
  if (names === undefined) namesSetupHook.set(source, (names = source.text.includes(SETUP_HOOK)));
  return names;
}

const hooksOfBlock = new WeakMap<ts.Node, Hook[]>();

function blockHooks(block: ts.Block | ts.SourceFile, source: ts.SourceFile, flow: Flow): Hook[] {
  let hooks = hooksOfBlock.get(block);
  if (!hooks) hooksOfBlock.set(block, (hooks = hooksAmong(block.statements, source, flow)));
  return hooks;
}

/** A setup file's top-level hooks (read only when its text registers a `beforeEach`). */
const setupFileHooks = new ModuleFacts<Hook[]>((read) => read.text.includes(SETUP_HOOK) ? hooksAmong(read.source.statements, read.source, flowOfModule(read.source)) : []);

function hooksAmong(statements: readonly ts.Statement[], source: ts.SourceFile, flow: Flow): Hook[] {
  const hooks: Hook[] = [];
  for (const statement of statements) {
    const call = ts.isExpressionStatement(statement) ? unwrap(statement.expression) : undefined;
    if (!call || !ts.isCallExpression(call)) continue;
    const name = frameworkCallName(call);
    if (name !== SETUP_HOOK && name !== TEARDOWN_HOOK) continue;
    for (const argument of call.arguments) {
      if (!ts.isFunctionLike(argument)) continue;
      hooks.push({ setup: name === SETUP_HOOK, body: argument, source, flow });
      // A function a `beforeEach` returns is Vitest's teardown of that test: it runs after the test, as an `afterEach`.
      if (name === SETUP_HOOK) for (const cleanup of returnedFunctions(argument)) hooks.push({ setup: false, body: cleanup, source, flow });
    }
  }
  return hooks;
}

/** The functions a hook returns (`return async () => { … }`, `() => () => …`), written in place, not inside a callback of it. */
function returnedFunctions(hook: ts.FunctionLikeDeclaration): ts.FunctionLikeDeclaration[] {
  const body = hook.body;
  if (!body) return [];
  const returned: ts.Expression[] = [];
  if (!ts.isBlock(body)) returned.push(body);
  else walkDescendants(body, (node) => {
    if (ts.isFunctionLike(node)) return false;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    return true;
  });
  return returned.map((value) => unwrap(value)).filter((value): value is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(value) || ts.isFunctionExpression(value));
}

type HookEventKind = 'begin' | 'commit' | 'rollback' | 'rollbackToSavepoint' | 'assign';
/** What a helper of the project handed the client leaves it at (`await openTx(client)`; boundaryHelpers.ts). */
const HELPER_BOUNDARY_EVENTS: Record<HelperBoundary, HookEventKind> = { BEGIN: 'begin', COMMIT: 'commit', ROLLBACK: 'rollback' };
interface HookEvent {
  kind: HookEventKind;
  key: string;
}

const eventsOfHook = new WeakMap<ts.Node, HookEvent[]>();

/**
 * What a hook does to each client, in written order (nested blocks and callbacks included, an error's `catch` left
 * out; a function it declares and calls by name read at each call): a BEGIN, START TRANSACTION or SAVEPOINT (a literal a method sends, or a client method: `startTransaction()`,
 * `begin()`, or a helper of the project handed the client that sends one: `await openTx(client)`), a COMMIT or
 * ROLLBACK (to a savepoint or not), a new client put in its variable, or the client handed to any other function of
 * the project that sends a COMMIT or ROLLBACK (`await settle(client)`, which may end the transaction). Handed to anything else (a seed
 * helper, `drizzle(client)`), the client is not known to have its transaction ended.
 */
function hookEvents(hook: Hook): HookEvent[] {
  let events = eventsOfHook.get(hook.body);
  if (events) return events;
  events = [];
  const { source, flow } = hook;
  const read = new Set<ts.Node>();
  const push = (kinds: readonly HookEventKind[], client: ts.Expression): void => {
    read.add(unwrap(client));
    const key = kinds.length > 0 ? clientKey(client, source, flow) : undefined;
    if (key !== undefined) for (const kind of kinds) events!.push({ kind, key });
  };
  // A returned function runs after the test (a teardown, read with the `afterEach` hooks), not in the hook's order.
  const teardowns = new Set<ts.Node>(hook.setup ? returnedFunctions(hook.body) : []);
  // A function the hook names and calls (`async function begin() {…}`, `const begin = async () => …`) runs where it is
  // called, not where it is written: read at each call, once per call chain.
  const called = calledLocalFunctions(hook.body);
  const calledBodies = new Set<ts.Node>(called.values());
  const running = new Set<ts.Node>();
  const visit = (node: ts.Node): boolean => {
    if (ts.isCatchClause(node) || teardowns.has(node) || (ts.isFunctionLike(node) && builtOnly(node, hook.body))) return false;
    if (ts.isFunctionLike(node) && calledBodies.has(node)) return false;
    const local = ts.isCallExpression(node) && ts.isIdentifier(node.expression) ? called.get(node.expression.text) : undefined;
    if (local?.body && !running.has(local)) {
      running.add(local);
      walkDescendants(local.body, visit);
      running.delete(local);
    }
    const handed = ts.isCallExpression(node) ? boundaryHelperCall(node) : undefined;
    if (handed) push([HELPER_BOUNDARY_EVENTS[handed.boundary]], handed.client);
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) push(boundariesSent(node, node.expression.name.text), node.expression.expression);
    else if (isAssignmentExpression(node)) push(['assign'], node.left);
    else if ((ts.isIdentifier(node) || isGetterCall(node)) && !read.has(node) && handedToHelperEnding(node as ts.Expression)) push(['commit'], node as ts.Expression);
    return true;
  };
  walkDescendants(hook.body, visit);
  eventsOfHook.set(hook.body, events);
  return events;
}

/**
 * The functions a hook declares by name (a function declaration, or a const holding a function written in place) and
 * calls by that name in its own body, by name. A name given twice is not known to be one function: left out.
 */
function calledLocalFunctions(hook: ts.Node): Map<string, ts.FunctionLikeDeclaration> {
  const declared = new Map<string, ts.FunctionLikeDeclaration | null>();
  const calls = new Set<string>();
  walkDescendants(hook, (node) => {
    const held = ts.isFunctionDeclaration(node) && node.name ? { name: node.name.text, fn: node as ts.FunctionLikeDeclaration }
      : ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (ts.isArrowFunction(unwrap(node.initializer)) || ts.isFunctionExpression(unwrap(node.initializer)))
        ? { name: node.name.text, fn: unwrap(node.initializer) as ts.FunctionLikeDeclaration } : undefined;
    if (held) declared.set(held.name, declared.has(held.name) ? null : held.fn);
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) calls.add(node.expression.text);
    return true;
  });
  const called = new Map<string, ts.FunctionLikeDeclaration>();
  for (const [name, fn] of declared) if (fn && calls.has(name)) called.set(name, fn);
  return called;
}

/**
 * Whether a function written inside a hook is only built there, never run by it: held in a name the hook never uses
 * again (`const undo = () => conn.query('ROLLBACK');`, a function declaration never called), put in a property for
 * others to call (`context.undo = async () => …`, the hook itself never naming that property again), or a bare expression. What it sends is not the hook's. A callback
 * handed to a call, a function called in place, returned (a teardown) or held in a name the hook uses still counts.
 */
function builtOnly(fn: ts.SignatureDeclaration, hook: ts.Node): boolean {
  let node: ts.Node = fn;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isExpressionStatement(parent)) return true;
  if (isAssignmentExpression(parent) && parent.right === node) {
    // A property the hook itself calls afterwards (`ctx.commit = () => …; await ctx.commit()`) runs it.
    if (ts.isPropertyAccessExpression(parent.left)) return !(ts.isIdentifier(parent.left.name) && namedElsewhere(parent.left.name, hook));
    return ts.isElementAccessExpression(parent.left);
  }
  const name = ts.isFunctionDeclaration(fn) ? fn.name : ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name) ? parent.name : undefined;
  return name !== undefined && !namedElsewhere(name, hook);
}

/** Whether `body` holds an identifier spelled as `name` other than `name` itself (a use, or a shadowing name: either way, not surely unused). */
function namedElsewhere(name: ts.Identifier, body: ts.Node): boolean {
  let found = false;
  walkDescendants(body, (node) => {
    if (ts.isIdentifier(node) && node !== name && node.text === name.text) found = true;
    return !found;
  }, () => found);
  return found;
}

/**
 * The transaction boundaries a method call on a client sends, in order: a client method's, or each statement of the
 * text it sends that is one (`'BEGIN; DELETE FROM users; COMMIT'` begins and commits: it leaves no transaction open).
 */
function boundariesSent(call: ts.CallExpression, method: string): HookEventKind[] {
  // A call handed a function runs it in a transaction of its own (`sql.begin(async (tx) => …)`, `sql.begin('read write',
  // fn)`): its text is an option, and its transaction ends with the callback. The hook reader alone asks this first:
  // textsSentOn reads a callback-style `client.query('BEGIN', (error) => …)` as the BEGIN it sends.
  if (call.arguments.some((argument) => ts.isFunctionLike(argument))) return [];
  if (CLIENT_TRANSACTION_BEGIN.test(method) && call.arguments.length === 0) return ['begin'];
  if (CLIENT_TRANSACTION_END.test(method) && call.arguments.length === 0) return [method.startsWith('commit') ? 'commit' : 'rollback'];
  const text = textSentBy(call, literalOrOpening);
  // Most texts a hook sends are no boundary: only one that starts with a statement of a transaction is split.
  if (text === undefined || statementBoundary(text) === undefined) return [];
  return splitStatements(text).map((statement) => statementBoundary(statement.text)).filter((kind) => kind !== undefined);
}

/**
 * A literal text (textsSentOn's reading), or the head of a template with holes (`SAVEPOINT ${name}`, `BEGIN ISOLATION
 * LEVEL ${level}`): a hook's boundary is told by how its text starts, where textsSentOn's readers judge a whole text
 * (a lone ROLLBACK, one statement and nothing else), which a template's holes leave unknown.
 */
function literalOrOpening(argument: ts.Expression): string | undefined {
  const value = unwrap(argument);
  return literalText(value) ?? (ts.isTemplateExpression(value) ? value.head.text : undefined);
}

function statementBoundary(text: string): HookEventKind | undefined {
  if (OPENS_TRANSACTION.test(text)) return 'begin';
  if (COMMITS.test(text)) return 'commit';
  if (ROLLS_BACK_TO_SAVEPOINT.test(text)) return 'rollbackToSavepoint';
  return ROLLS_BACK_ANY.test(text) ? 'rollback' : undefined;
}

/** `getTestClient()`: a call of a name with no arguments, which may hand out the suite's client. */
function isGetterCall(node: ts.Node): boolean {
  return ts.isCallExpression(node) && node.arguments.length === 0 && ts.isIdentifier(node.expression);
}

/**
 * Whether `node` is an argument of a call of a function of the project (of this file, or imported by name) that sends a
 * COMMIT or ROLLBACK itself: a helper that may end the transaction the hook began on the client it is handed.
 */
function handedToHelperEnding(node: ts.Expression): boolean {
  const outer = outermostWrapper(node);
  const call = outer.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(outer as ts.Expression) || !ts.isIdentifier(call.expression)) return false;
  const helper = calledFunction(call);
  return helper?.body !== undefined && endsTransaction(helper.body);
}

/**
 * Whether a function's body sends COMMIT or ROLLBACK (a literal, or a client method such as `commit()`), an error's
 * `catch` left out as in the hook itself: a ROLLBACK there runs only when the hook fails, before no test.
 */
function endsTransaction(body: ts.Node): boolean {
  let found = false;
  walkDescendants(body, (node) => {
    if (ts.isCatchClause(node)) return false;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const boundaries = boundariesSent(node, node.expression.name.text);
      if (boundaries.includes('commit') || boundaries.includes('rollback')) found = true;
    }
    return true;
  }, () => found);
  return found;
}

const assignedInRun = new WeakMap<ts.Node, ReadonlySet<string>>();

/** The clients whose variables a test's run assigns anywhere in it (`client = new Client(url)`). */
function assignedKeys(run: ts.Node, source: ts.SourceFile, flow: Flow): ReadonlySet<string> {
  let keys = assignedInRun.get(run);
  if (keys) return keys;
  const found = new Set<string>();
  walkDescendants(run, (node) => {
    if (!isAssignmentExpression(node)) return;
    const key = clientKey(node.left, source, flow);
    if (key !== undefined) found.add(key);
  });
  assignedInRun.set(run, (keys = found));
  return keys;
}

/**
 * The module-level variable a client expression reaches, as `file#name`: the variable itself, a const holding it, a
 * function of the project returning it (`getTestClient()`), or an import of either. Undefined for a parameter, anything
 * else, or a pool.
 */
function clientKey(expression: ts.Expression, source: ts.SourceFile, flow: Flow, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const value = unwrap(expression);
  if (ts.isCallExpression(value)) {
    if (value.arguments.length > 0 || !ts.isIdentifier(value.expression)) return undefined;
    const getter = topLevelFunction(source, value.expression.text) ?? importedFunction(source, value.expression.text);
    return getter && returnedClientKey(getter, depth);
  }
  if (!ts.isIdentifier(value)) return undefined;
  const binding = flow.bindingOf(value);
  if (!binding) return importedVariableKey(source, value.text, depth);
  if ('parameterOf' in binding) return undefined;
  const declaration = binding.variable;
  return aliasedClientKey(declaration, source, flow, depth) ?? variableKey(declaration, source, flow);
}

/**
 * The client a variable stands for when every value it is given reaches one client (`const c = client;`, also a `let c
 * = client;` never given another, or given the same one again): it is that client under another name. Undefined when it
 * is given nothing, something else, or two clients.
 */
function aliasedClientKey(declaration: ts.VariableDeclaration, source: ts.SourceFile, flow: Flow, depth: number): string | undefined {
  const values = flow.heldValues(declaration);
  if (values === undefined || values.length === 0) return undefined;
  const keys = new Set(values.map((value) => clientKey(value, source, flow, depth + 1)));
  return keys.size === 1 ? [...keys][0] : undefined;
}

/** The client every `return` of a getter hands out (`return _client;`, `() => client`), when they all agree. */
function returnedClientKey(getter: TopLevelFunction, depth: number): string | undefined {
  const source = getter.getSourceFile();
  const flow = flowOfModule(source);
  const returned: ts.Expression[] = [];
  if (getter.body && !ts.isBlock(getter.body)) returned.push(getter.body);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    node.forEachChild(visit);
  };
  if (getter.body && ts.isBlock(getter.body)) getter.body.forEachChild(visit);
  const keys = new Set(returned.map((value) => clientKey(value, source, flow, depth + 1)));
  return keys.size === 1 ? [...keys][0] : undefined;
}

function importedFunction(source: ts.SourceFile, name: string): TopLevelFunction | undefined {
  const imported = fileImports(source).get(name);
  return imported && imported.name !== 'default' ? functionOfModule(source, imported.specifier, imported.name) : undefined;
}

/** A variable another module of the project declares at its top level and this file imports (`import { db } from './setup'`). */
function importedVariableKey(source: ts.SourceFile, name: string, depth: number): string | undefined {
  const imported = fileImports(source).get(name);
  if (!imported || imported.name === 'default') return undefined;
  const file = resolveModule(resolve(source.fileName), imported.specifier);
  const other = file === undefined ? undefined : parsedModule(file);
  if (!other) return undefined;
  for (const statement of other.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === imported.name);
    if (declaration) return clientKey(declaration.name as ts.Identifier, other, flowOfModule(other), depth + 1);
  }
  return undefined;
}

/**
 * `file#name` of a module-level variable holding one client (`file#name@offset` of one a block declares, a `describe`'s
 * `let runner`); undefined for a pool (poolFactories.ts' isPoolVariable): named one (`pool`, `testPool`; not
 * `poolClient`), or given only pools (`new Pool()`, a project function's `getPool()` returning one; not `await
 * pool.connect()`, nor a pool capped at one connection, whose one session the suite's tests take in turn).
 */
function variableKey(declaration: ts.VariableDeclaration, source: ts.SourceFile, flow: Flow): string | undefined {
  if (!ts.isIdentifier(declaration.name) || isPoolVariable(declaration, (module) => flowOfModule(module, module === source ? flow : undefined), 'test')) return undefined;
  const key = `${resolve(source.fileName)}#${declaration.name.text}`;
  return isModuleLevel(declaration) ? key : `${key}@${declaration.getStart(source)}`;
}

function isModuleLevel(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent);
}
