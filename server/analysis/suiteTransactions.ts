// Per-test transactions a test suite's hooks keep a client in: a `beforeEach` hook that sends BEGIN (or a SAVEPOINT) on
// a client, and an `afterEach` hook that sends ROLLBACK (or ROLLBACK TO SAVEPOINT) on the same client and never COMMIT,
// wrap each test in a transaction rolled back after it. A query a test sends on that client runs inside it: a SET LOCAL
// there reaches the test's later queries, and whatever the test leaves (a plain SET, a temporary table) ends with the
// rollback. The hooks are read where they apply: the test file's own (at its top level, or in a `describe` around the
// test), and the top-level hooks of a setup file a test runner's configuration names (Vitest's `setupFiles`, Jest's
// `setupFilesAfterEnv`, Mocha's `--file`; testSetupFiles.ts), which wrap every test of the suite. A setup file whose
// top-level code registers `beforeEach` can only be one the runner loads among the tests (a `globalSetup` runs outside
// them, where no hook can be registered). A client is one module-level variable however the code reaches it: by its
// name, through a function returning it (`getTestClient()`), a const holding either, or an import of them; a pool is no
// such client (BEGIN and ROLLBACK on it may take two connections).
// What runs in each test: a test's callback (`it`, `test`), and a function declared outside the framework's calls (a
// helper the tests call). Code at a module's top level, in `describe`, `beforeAll`/`afterAll` and the hooks themselves
// runs outside the per-test transaction, or is not known to run inside it.
import ts from 'typescript';
import { resolve } from 'node:path';
import { Flow, isConstDeclaration, unwrap } from './embeddedFlow';
import { importedNames, requiredNames } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { ModuleFacts, parsedModule } from './parsedModules';
import { COMMITS, functionOfModule } from './rolledBackCallbacks';
import { isTestCode, testSetupFiles } from './testSetupFiles';
import { topLevelFunction, type TopLevelFunction } from './topLevelFunctions';

const SETUP_HOOK = 'beforeEach';
const TEARDOWN_HOOK = 'afterEach';
/** Framework calls whose callback is a test. */
const TEST_CALLS = new Set(['it', 'test', 'specify']);
/** Framework calls whose callback runs outside a test's own transaction (or is not known to run inside it). */
const OUTSIDE_TEST_CALLS = new Set(['describe', 'context', 'suite', 'beforeAll', 'afterAll', 'before', 'after', SETUP_HOOK, TEARDOWN_HOOK]);
/** Modifiers between a framework call's name and its arguments (`it.only(…)`, `test.concurrent.each(table)(…)`). */
const MODIFIERS = new Set(['only', 'skip', 'concurrent', 'sequential', 'serial', 'fails', 'each', 'skipIf', 'runIf']);
/** Text that opens a transaction or a savepoint (the start of a literal sent on the client; BEGINS holds no savepoint). */
const OPENS = /^\s*(?:begin\b|start\s+transaction\b|savepoint\b)/i;
/** A rollback, also to a savepoint (`ROLLBACK TO SAVEPOINT sp_1`; ROLLS_BACK is a whole ROLLBACK only). */
const ROLLS_BACK_TEST = /^\s*(?:rollback|abort)\b/i;
/** A pool's name or its constructor's (`new Pool(…)`, `createPool(…)`). */
const POOL_WORD = /pool/i;
/** How many names, consts and getters deep a client is followed. */
const MAX_DEPTH = 4;

/**
 * Whether `receiver`, the client a query is sent on, is one the suite's per-test hooks keep inside a transaction they
 * roll back, and the query runs in a test.
 */
export function inPerTestTransaction(receiver: ts.Expression, source: ts.SourceFile, fileName: string | undefined, flow: Flow): boolean {
  if (!runsInEachTest(receiver)) return false;
  // The hooks that may apply, asked before the client is followed: most files have none.
  const wrapped = source.text.includes(SETUP_HOOK) ? enclosingSuiteBlocks(receiver).map((block) => blockClients(block, source, flow)) : [];
  if (fileName && isTestCode(fileName)) for (const file of testSetupFiles(fileName)) wrapped.push(setupFileClients.of(file) ?? new Set());
  if (!wrapped.some((clients) => clients.size > 0)) return false;
  const key = clientKey(receiver, source, flowFor(source, flow));
  return key !== undefined && wrapped.some((clients) => clients.has(key));
}

/** The query runs in a test: in a test's callback, or in a function outside the framework's calls; not at the top level. */
function runsInEachTest(node: ts.Node): boolean {
  let inFunction = false;
  for (let current = node.parent; current; current = current.parent) {
    if (!ts.isFunctionLike(current)) continue;
    inFunction = true;
    const call = current.parent;
    if (!call || !ts.isCallExpression(call) || !call.arguments.includes(current as ts.Expression)) continue;
    const name = frameworkCallName(call);
    if (name !== undefined && TEST_CALLS.has(name)) return true;
    if (name !== undefined && OUTSIDE_TEST_CALLS.has(name)) return false;
  }
  return inFunction;
}

/** `it`, `test.only`, `it.each(table)`, `test.beforeEach` (Playwright): the framework's name for the call. */
function frameworkCallName(call: ts.CallExpression): string | undefined {
  let callee = call.expression;
  if (ts.isCallExpression(callee)) callee = callee.expression;
  while (ts.isPropertyAccessExpression(callee) && MODIFIERS.has(callee.name.text)) callee = callee.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** The file and the `describe` callbacks around `node` (innermost first): where hooks that apply to it are registered. */
function enclosingSuiteBlocks(node: ts.Node): ts.Node[] {
  const blocks: ts.Node[] = [];
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isSourceFile(current)) blocks.push(current);
    else if (ts.isFunctionLike(current) && 'body' in current && current.body && ts.isBlock(current.body)) {
      const call = current.parent;
      if (call && ts.isCallExpression(call) && frameworkCallName(call) === 'describe') blocks.push(current.body);
    }
  }
  return blocks;
}

const clientsOfBlock = new WeakMap<ts.Node, ReadonlySet<string>>();

function blockClients(block: ts.Node, source: ts.SourceFile, flow: Flow): ReadonlySet<string> {
  let clients = clientsOfBlock.get(block);
  if (!clients) clientsOfBlock.set(block, (clients = source.text.includes(SETUP_HOOK) ? wrappedClients(statementsOf(block), source, flowFor(source, flow)) : new Set()));
  return clients;
}

function statementsOf(block: ts.Node): readonly ts.Statement[] {
  return ts.isSourceFile(block) || ts.isBlock(block) ? block.statements : [];
}

/** A setup file's clients its top-level hooks wrap (read only when its text registers a `beforeEach`). */
const setupFileClients = new ModuleFacts<ReadonlySet<string>>((read) => {
  if (!read.text.includes(SETUP_HOOK)) return new Set();
  return wrappedClients(read.source.statements, read.source, flowFor(read.source));
});

/** The keys of the clients on which hooks among `statements` open a transaction before each test and roll it back after. */
function wrappedClients(statements: readonly ts.Statement[], source: ts.SourceFile, flow: Flow): ReadonlySet<string> {
  const opened = new Set<string>();
  const rolledBack = new Set<string>();
  const committed = new Set<string>();
  for (const statement of statements) {
    const call = ts.isExpressionStatement(statement) ? unwrap(statement.expression) : undefined;
    if (!call || !ts.isCallExpression(call)) continue;
    const hook = frameworkCallName(call);
    if (hook !== SETUP_HOOK && hook !== TEARDOWN_HOOK) continue;
    for (const argument of call.arguments) {
      if (!ts.isFunctionLike(argument)) continue;
      for (const { receiver, text } of literalsSent(argument)) {
        const key = clientKey(receiver, source, flow);
        if (key === undefined) continue;
        if (hook === SETUP_HOOK && OPENS.test(text)) opened.add(key);
        else if (hook === TEARDOWN_HOOK && ROLLS_BACK_TEST.test(text)) rolledBack.add(key);
        else if (hook === TEARDOWN_HOOK && COMMITS.test(text)) committed.add(key);
      }
    }
  }
  return new Set([...opened].filter((key) => rolledBack.has(key) && !committed.has(key)));
}

/** Method calls in `body` whose first argument is a literal (or a template's opening text): `client.query('BEGIN')`. */
function literalsSent(body: ts.Node): { receiver: ts.Expression; text: string }[] {
  const sent: { receiver: ts.Expression; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const first = node.arguments[0];
      const text = first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) ? first.text : ts.isTemplateExpression(first) ? first.head.text : undefined);
      if (text !== undefined) sent.push({ receiver: node.expression.expression, text });
    }
    node.forEachChild(visit);
  };
  visit(body);
  return sent;
}

const flows = new WeakMap<ts.SourceFile, Flow>();

/** The flow of names of `source` (the analysed file's own, when given). */
function flowFor(source: ts.SourceFile, own?: Flow): Flow {
  let flow = flows.get(source);
  if (!flow) flows.set(source, (flow = own ?? new Flow(source)));
  return flow;
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
  const held = isConstDeclaration(declaration) && declaration.initializer ? clientKey(declaration.initializer, source, flow, depth + 1) : undefined;
  if (held !== undefined) return held;
  return isModuleLevel(declaration) ? variableKey(declaration, source, flow) : undefined;
}

/** The client every `return` of a getter hands out (`return _client;`, `() => client`), when they all agree. */
function returnedClientKey(getter: TopLevelFunction, depth: number): string | undefined {
  const source = getter.getSourceFile();
  const flow = flowFor(source);
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
  const imported = importedNames(source).get(name) ?? requiredNames(source).get(name);
  return imported && imported.name !== 'default' ? functionOfModule(source, imported.specifier, imported.name) : undefined;
}

/** A variable another module of the project declares at its top level and this file imports (`import { db } from './setup'`). */
function importedVariableKey(source: ts.SourceFile, name: string, depth: number): string | undefined {
  const imported = importedNames(source).get(name) ?? requiredNames(source).get(name);
  if (!imported || imported.name === 'default') return undefined;
  const file = resolveModule(resolve(source.fileName), imported.specifier);
  const other = file === undefined ? undefined : parsedModule(file);
  if (!other) return undefined;
  for (const statement of other.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === imported.name);
    if (declaration) return clientKey(declaration.name as ts.Identifier, other, flowFor(other), depth + 1);
  }
  return undefined;
}

function isModuleLevel(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent);
}

/** `file#name` of a module-level variable holding one client; undefined for a pool (by its name or any value it is given). */
function variableKey(declaration: ts.VariableDeclaration, source: ts.SourceFile, flow: Flow): string | undefined {
  if (!ts.isIdentifier(declaration.name) || POOL_WORD.test(declaration.name.text)) return undefined;
  const values = flow.heldValues(declaration) ?? [];
  const madePool = values.some((held) => {
    const value = unwrap(held);
    return (ts.isNewExpression(value) || ts.isCallExpression(value)) && POOL_WORD.test(value.expression.getText(source));
  });
  return madePool ? undefined : `${resolve(source.fileName)}#${declaration.name.text}`;
}
