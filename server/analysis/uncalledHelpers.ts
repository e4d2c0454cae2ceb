// A client a function is handed as a parameter comes from a caller that may have begun a transaction on it, so where
// the function's first query runs is unknown, and a `set_config(…, true)` or `SET LOCAL` it sends is not known to be
// lost (embedded.ts, handleStart). That holds whether or not any code of the project calls the function: an exported
// helper nothing calls (`setTenantContext(client, id)` that no module imports) may be meant for a transaction's handle,
// and the rule document keeps it silent (session 50, the held-out-60 ruling lab60b review 1 in docs/corpus.md; session 28 had read ruling 10 as
// reporting it). Only callers can say otherwise: an exported helper whose parameter is declared a Kysely instance
// (`db: Kysely<DB>`, not a `Transaction<DB>`), where being inside a transaction is the object itself
// (`db.transaction().execute(async (trx) => …)` hands out the transaction), and which is called (at least once) only
// with values made outside any transaction (a stand-in a unit test builds, a `new Kysely(…)`), starts outside one.
// A parameter declared as (or as possibly) a pool (`target: Pool`, `lease: PoolClient | Pool`) is no handed client in
// that sense: each query it sends may take another connection, so an exported function nothing calls keeps its
// finding there (ruling 10 for a pool, as before).
// A pg client is different: its transaction is what was sent on it before, so a call that hands one on may be inside
// a BEGIN the caller sent, whatever the value is.
// Only a file whose text can hold a transaction-scoped statement (`set_config`, `SET LOCAL`) asks: the answer changes
// nothing else, and it reads the project's importers of the file.
//
// The same reading of a helper's callers tells a test helper whose client parameter is only ever handed a client inside
// a transaction that is always rolled back (handedOnlyRolledBackClients): `becomeUser(client, id)` sending a plain
// `SET ROLE`, every call of which passes the client of a `withRollback(async (client) => …)` callback
// (rolledBackCallbacks.ts), or a client parameter of another such helper. The SET is undone by the ROLLBACK with the
// rest of the transaction, as it is when the callback sends it itself.
//
// And, outside test code too, a helper the file keeps to itself whose client parameter every call hands a client inside
// the caller's own transaction block (handedOnlyTransactionClients): `await clearTables(client, …)` written after the
// caller's `client.query('BEGIN')` and before its COMMIT (ROLLBACK in the catch). The helper's queries then run inside
// that transaction, on its one connection, before it ends: a SET and its restore there pair up as in the caller itself.
import ts from 'typescript';
import { resolve } from 'node:path';
import { enclosingFunction, hasModifier, walkDescendants } from './astWalk';
import { unwrap, Flow, isBatchTransaction, outermostWrapper } from './embeddedFlow';
import { typeNameMatches } from './declaredTypes';
import { mayDeclarePool } from './poolParameters';
import { MAX_CALLER_FILES, callerFiles, parsed } from './callerFiles';
import { importersOf } from './projectImporters';
import { importedNames, requiredNames } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { callsWithTransactionHandle, commitsOn, runsInRolledBackTransaction, sentInsideTransaction, textsSentOn } from './rolledBackCallbacks';
import { isTestCode } from './testSetupFiles';

/** The words a transaction-scoped statement needs (`SET LOCAL`, `set_config(…, true)`, detect.ts). */
const TRANSACTION_SCOPED_WORD = /\bset_config\b|\bset\s+local\b/i;
/** Kysely's database class: a `Transaction` is one too, so only the values callers pass tell them apart. */
const KYSELY_CLASS = /^Kysely$/;
/** A name or expression that says transaction (`trx`, `tx`, `db.startTransaction()`, `transactionDb`). */
const SAYS_TRANSACTION = /transaction|^trx$|^tx$/i;
/** The same words anywhere in an expression's text (`trx.withSchema('s')` is the transaction still). */
const MENTIONS_TRANSACTION = /transaction|\btrx\b|\btx\b/i;

/**
 * Whether the calls the project shows of `fn` (at least one) all hand `parameter` — declared a Kysely instance — a value
 * made outside any transaction, or whether `parameter` is declared as (possibly) a pool and nothing calls the exported
 * `fn` (see the file comment). A plain client parameter, called or not, is the caller's: false.
 */
export function handsNoTransaction(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined): boolean {
  let answer = answers.get(parameter);
  if (answer === undefined) answers.set(parameter, (answer = judge(fn, parameter, source, fileName)));
  return answer;
}

/** One answer per parameter: every query group sent through it asks. */
const answers = new WeakMap<ts.ParameterDeclaration, boolean>();

function judge(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined): boolean {
  if (!fileName || !TRANSACTION_SCOPED_WORD.test(source.text)) return false;
  const kysely = typeNameMatches(parameter.type, KYSELY_CLASS);
  const pool = !kysely && mayDeclarePool(parameter.type);
  if (!kysely && !pool) return false;
  const name = exportedFunctionName(fn);
  const index = fn.parameters.indexOf(parameter);
  if (!name || index < 0 || parameter.dotDotDotToken || exportedUnderAnotherName(source, name.text)) return false;
  // A parameter its author names or types for a transaction (`trx: Kysely<DB>`) is meant to be handed one.
  if (SAYS_TRANSACTION.test(parameter.name.getText()) || (parameter.type && SAYS_TRANSACTION.test(parameter.type.getText()))) return false;
  let calls = 0;
  const passes = argumentAt(index, (argument, flowOf) => {
    calls++;
    return kysely && madeOutsideTransaction(argument, flowOf);
  });
  if (!callsPass(source, new Set([name.text]), name, passes) || !importersAllPass(fileName, name.text, passes)) return false;
  // A Kysely nothing hands a value is its callers' to come (ruling 10 does not reach a handed client); a pool nothing
  // calls keeps its finding (ruling 10).
  return pool ? calls === 0 : calls > 0;
}

/**
 * Whether every other file of the project that imports the module calls `name` passing an argument at `index` that passes.
 * `tests` says how a test file is read: as any other, or by its calls alone (TestReading).
 */
function importersAllPass(fileName: string, name: string, passes: CallTest, tests: TestReading = 'asAnyFile', reading: MentionReading = 'everyMention'): boolean {
  const self = resolve(fileName);
  if (importersOf(self) === undefined) return false; // the project's importers cannot be known
  const files = callerFiles(self).filter((file) => file !== self);
  if (files.length >= MAX_CALLER_FILES - 1) return false;
  const listed = new Set(files);
  return files.every((file) => (tests === 'byCalls' && isTestCode(file) ? testCallsPass(file, name, passes) : importerPasses(file, self, listed, name, passes, reading)));
}

/**
 * Whether the module also exports the function under a name its callers would write instead (`export default`,
 * `export { f as g }`): such calls do not hold the function's own name, so they cannot be found by it.
 */
function exportedUnderAnotherName(source: ts.SourceFile, name: string): boolean {
  return source.statements.some((statement) => {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) return hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isExportAssignment(statement)) return ts.isIdentifier(statement.expression) && statement.expression.text === name;
    return ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)
      && statement.exportClause.elements.some((e) => (e.propertyName ?? e.name).text === name && e.name.text !== name);
  });
}

/** The name of a top-level function declared with `export`, or of an exported const holding an arrow or function expression. */
function exportedFunctionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  const top = topLevelFunction(fn);
  return top && hasModifier(top.statement, ts.SyntaxKind.ExportKeyword) ? top.name : undefined;
}

/**
 * A top-level function declaration, or a top-level const holding an arrow or function expression: its name and the
 * statement that declares it (whose modifiers say whether it is exported).
 */
function topLevelFunction(fn: ts.SignatureDeclaration): { name: ts.Identifier; statement: ts.Statement } | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name && ts.isSourceFile(fn.parent) ? { name: fn.name, statement: fn } : undefined;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const holder = fn.parent;
  if (!ts.isVariableDeclaration(holder) || holder.initializer !== fn || !ts.isIdentifier(holder.name)) return undefined;
  const statement = holder.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) ? { name: holder.name, statement } : undefined;
}

/**
 * Whether every mention of `locals` in `file` (but `declared`, import lists and `export { … }` lists) is a call of the
 * function that passes; a mention that is no call (the function handed on as a value) does not. Read `callsOnly`, every
 * call written with the name (`name(…)`, `module.name(…)`) must pass and other mentions are passed over (testCallsPass).
 */
function callsPass(file: ts.SourceFile, locals: ReadonlySet<string>, declared: ts.Identifier | undefined, passes: CallTest, reading: MentionReading = 'everyMention'): boolean {
  let flow: Flow | undefined;
  const flowOf = (): Flow => (flow ??= new Flow(file));
  let allPass = true;
  walkDescendants(file, (node) => {
    if (!allPass) return false;
    if (!ts.isIdentifier(node) || !locals.has(node.text) || node === declared) return true;
    if (reading === 'callsOnly') {
      const callee = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : node;
      if (ts.isCallExpression(callee.parent) && callee.parent.expression === callee) allPass = passes(callee.parent, flowOf);
      return true;
    }
    // `export { f }` of an imported `f`: this module hands it on, and its own importers are not read.
    if (ts.isExportSpecifier(node.parent) && declared === undefined) return (allPass = false);
    if (!isReference(node) || (reading === 'valueMentions' && ts.isTypeQueryNode(node.parent))) return true;
    const call = node.parent;
    if (!ts.isCallExpression(call) || call.expression !== node) return (allPass = false);
    allPass = passes(call, flowOf);
    return true;
  });
  return allPass;
}

/** An identifier that refers to a binding: not a property name after a dot, an object key, nor a name in an import or export list. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  return !(ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isExportSpecifier(parent) || ts.isNamespaceImport(parent));
}

/**
 * How a file's mentions of the function are read (callsPass): each must be a passing call (`everyMention`); the same,
 * with a `typeof f` in a type passed over (`valueMentions`: `ReturnType<typeof createDb>` hands the function nothing);
 * or only the calls are read (`callsOnly`).
 */
type MentionReading = 'everyMention' | 'valueMentions' | 'callsOnly';

/** A test of a call of the function, given the flow of the function the call is written in. */
type CallTest = (call: ts.CallExpression, flow: () => Flow) => boolean;

/** A test of an argument a call passes, given the flow of the function it is written in. */
type ArgumentTest = (argument: ts.Expression, flow: () => Flow) => boolean;

/** The call test of the argument at `index`: a call without one there (or with a spread before it) does not pass. */
function argumentAt(index: number, passes: ArgumentTest): CallTest {
  return (call, flow) => {
    const argument = call.arguments[index];
    return argument !== undefined && !call.arguments.slice(0, index + 1).some(ts.isSpreadElement) && passes(argument, flow);
  };
}

/**
 * How a test file among a module's importers is read: as any other file, or by its calls of the function alone
 * (`byCalls`), for a question where a test's other mentions say nothing (testCallsPass).
 */
type TestReading = 'asAnyFile' | 'byCalls';

/**
 * Whether every call a test file writes of a function named `name` — `name(…)` or `module.name(…)`, whatever import
 * brought it — passes. Its other mentions are passed over: a mock factory's key, `expect(mod.name).toBeDefined()`, the
 * destructuring of a dynamic import. They hand the function no argument, and what the application passes it is read
 * in the application's own files.
 */
function testCallsPass(file: string, name: string, passes: CallTest): boolean {
  const view = parsed(file);
  if (!view) return false;
  return !view.source.text.includes(name) || callsPass(view.source, new Set([name]), undefined, passes, 'callsOnly');
}

/**
 * Whether the calls an importer of `self` makes of its export `name` all pass. A file that does not mention the name
 * makes none; a barrel that only re-exports it is read through its own importers (callerFiles lists them); a file
 * that mentions it without importing it by name from `self` (a namespace import, another function of that name)
 * cannot be read, and does not pass.
 */
function importerPasses(file: string, self: string, listed: ReadonlySet<string>, name: string, passes: CallTest, reading: MentionReading): boolean {
  const view = parsed(file);
  if (!view) return false;
  // A barrel of a barrel (`export * from './tenant'`, itself re-exporting self): its importers are a level callerFiles
  // does not list, so their calls cannot be read.
  if (reexportsAllFrom(view.source, file, listed)) return false;
  if (!view.source.text.includes(name)) return true;
  const locals = new Set<string>();
  for (const [local, imported] of [...importedNames(view.source), ...requiredNames(view.source)]) {
    if (imported.name !== name) continue;
    const from = resolveModule(file, imported.specifier);
    if (from === self || (from !== undefined && from !== file && reexportsUnderOwnName(from, self, name))) locals.add(local);
  }
  if (locals.size === 0) return onlyReexports(view.source, file, self, name);
  return callsPass(view.source, locals, undefined, passes, reading);
}

/** Whether module `barrel` re-exports `self`'s export `name` under the same name (`export { name } from './self'`, `export * from './self'`). */
function reexportsUnderOwnName(barrel: string, self: string, name: string): boolean {
  const view = parsed(barrel);
  return view !== undefined && view.source.statements.some((statement) => ts.isExportDeclaration(statement) && !statement.isTypeOnly
    && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)
    && (!statement.exportClause || (ts.isNamedExports(statement.exportClause) && statement.exportClause.elements.some((e) => !e.isTypeOnly && e.name.text === name && (e.propertyName ?? e.name).text === name)))
    && resolveModule(barrel, statement.moduleSpecifier.text) === self);
}

/** Whether the module has an `export * from` (or `export * as ns from`) a module of `files`. */
function reexportsAllFrom(source: ts.SourceFile, file: string, files: ReadonlySet<string>): boolean {
  return source.statements.some((statement) => ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined
    && ts.isStringLiteral(statement.moduleSpecifier) && (!statement.exportClause || ts.isNamespaceExport(statement.exportClause))
    && files.has(resolveModule(file, statement.moduleSpecifier.text) ?? ''));
}

/** `export { name } from './self'` (or `export * from`): the module's only mentions of `name` hand it on to its importers. */
function onlyReexports(source: ts.SourceFile, file: string, self: string, name: string): boolean {
  let reexports = false;
  let other = false;
  walkDescendants(source, (node) => {
    if (other) return false;
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (resolveModule(file, node.moduleSpecifier.text) === self) {
        // Under another name (`export { name as scope }`) or as a namespace (`export * as db`), its importers' calls do
        // not hold the name: they cannot be read.
        const clause = node.exportClause;
        if (clause && (ts.isNamespaceExport(clause) || clause.elements.some((e) => (e.propertyName ?? e.name).text === name && e.name.text !== name))) other = true;
        else reexports = true;
      }
      return false; // its names are re-exports, no binding of this module
    }
    if (ts.isIdentifier(node) && node.text === name) other = true;
    return true;
  });
  return reexports && !other;
}

/**
 * A value made outside any transaction: a name bound to a `const` (not a parameter, which a caller fills) whose value
 * is made in the file without a word of transactions (`createMockDb()`, `new Kysely<DB>(…)`).
 */
function madeOutsideTransaction(argument: ts.Expression, flowOf: () => Flow): boolean {
  const value = unwrap(argument);
  if (!ts.isIdentifier(value) || SAYS_TRANSACTION.test(value.text)) return false;
  const binding = flowOf().bindingOf(value);
  if (!binding || 'parameterOf' in binding) return false;
  const declaration = binding.variable;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !declaration.initializer) return false;
  if (declaration.type && SAYS_TRANSACTION.test(declaration.type.getText())) return false;
  const made = unwrap(declaration.initializer);
  return (ts.isCallExpression(made) || ts.isNewExpression(made)) && !MENTIONS_TRANSACTION.test(made.getText());
}

/** How many helpers deep a client handed on from helper to helper is followed. */
const MAX_HELPER_DEPTH = 3;

/**
 * Whether `parameter` of `fn` — a top-level function of the file — is only ever bound to a client inside a transaction
 * its caller always rolls back: every mention of the function calls it (at least one call), passing there the client
 * parameter of a callback that runsInRolledBackTransaction accepts and that sends no COMMIT on it, or a client parameter
 * of another such helper. A function the file does not export is called in the file only; an exported one in the
 * project's importers too (callerFiles, bounded). Test code only: a library's export has callers to come (ruling 10),
 * and the question, asked of each client parameter, reads the whole file.
 */
export function handedOnlyRolledBackClients(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined, depth = 0): boolean {
  let answer = rolledBackAnswers.get(parameter);
  if (answer !== undefined) return answer;
  if (depth >= MAX_HELPER_DEPTH) return false;
  rolledBackAnswers.set(parameter, false); // a cycle back to it proves nothing
  answer = judgeRolledBack(fn, parameter, source, fileName, depth);
  rolledBackAnswers.set(parameter, answer);
  return answer;
}

const rolledBackAnswers = new WeakMap<ts.ParameterDeclaration, boolean>();

function judgeRolledBack(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined, depth: number): boolean {
  const index = fn.parameters.indexOf(parameter);
  if (!fileName || !isTestCode(fileName) || index < 0 || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name)) return false;
  const calls = countCallsIfAllPass(fn, source, fileName, argumentAt(index, (argument, flowOf) => rolledBackClient(argument, flowOf, depth)));
  return calls !== undefined && calls > 0;
}

/**
 * A client (a name) that is the first parameter of a callback running inside a rolled-back transaction, sending no
 * COMMIT on it (`withRollback(async (client) => { await becomeUser(client, id); … })`), or a client parameter of
 * another helper every call of which hands it such a client.
 */
function rolledBackClient(argument: ts.Expression, flowOf: () => Flow, depth: number): boolean {
  const value = unwrap(argument);
  if (!ts.isIdentifier(value)) return false;
  const binding = flowOf().bindingOf(value);
  if (!binding || !('parameterOf' in binding)) return false;
  const { parameterOf: owner, parameter } = binding;
  const call = owner.parent;
  if (call && ts.isCallExpression(call) && call.arguments.includes(owner as ts.Expression)) {
    return owner.parameters[0] === parameter && 'body' in owner && owner.body !== undefined && !commitsOn(value.text, owner.body)
      && runsInRolledBackTransaction(call, call.arguments.indexOf(owner as ts.Expression));
  }
  const file = owner.getSourceFile();
  return handedOnlyRolledBackClients(owner, parameter, file, file.fileName, depth + 1);
}

/**
 * Words of a statement that opens a transaction block, or of a driver's transaction call (`db.transaction(`,
 * `sql.begin(`): a file without one opens no transaction for a helper to run inside.
 */
const OPENS_BLOCK_WORD = /\bbegin\b|\bstart\s+transaction\b|transaction\s*\(/i;

/**
 * Whether `parameter` of `fn` — a top-level function the file keeps to itself (exported neither by a modifier nor by a
 * list, a default export or CommonJS) — is only ever handed a client inside its caller's transaction block: every
 * mention of the function is an awaited call (at least one) passing there a name on which the function around the call
 * sent BEGIN before the call and COMMIT or ROLLBACK after it, with no end between (sentInsideTransaction, the reading of
 * a helper that runs its callback between its BEGIN and COMMIT), or passing first the handle of the driver's transaction
 * callback the call is written in (`db.transaction(async (tx) => { await setTimeouts(tx); … })`). Awaited, the helper's
 * queries all reach the connection before the caller's COMMIT does.
 */
export function handedOnlyTransactionClients(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile): boolean {
  let answer = transactionAnswers.get(parameter);
  if (answer === undefined) transactionAnswers.set(parameter, (answer = judgeHandedTransaction(fn, parameter, source)));
  return answer;
}

const transactionAnswers = new WeakMap<ts.ParameterDeclaration, boolean>();

function judgeHandedTransaction(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile): boolean {
  const index = fn.parameters.indexOf(parameter);
  const top = topLevelFunction(fn);
  if (!top || index < 0 || parameter.dotDotDotToken || !OPENS_BLOCK_WORD.test(source.text)) return false;
  const { name } = top;
  if (hasModifier(top.statement, ts.SyntaxKind.ExportKeyword) || exportedUnderAnotherName(source, name.text) || exportsByList(source, name.text)) return false;
  let calls = 0;
  const passes = (argument: ts.Expression): boolean => {
    calls++;
    const call = argument.parent;
    const client = unwrap(argument);
    const around = enclosingFunction(call);
    const body = around && 'body' in around ? around.body : undefined;
    if (!ts.isCallExpression(call) || !isAwaited(call) || !ts.isIdentifier(client)) return false;
    // `await setTimeouts(tx)` written directly in a driver's transaction callback (`db.transaction(async (tx) => …)`),
    // handing on that callback's handle.
    if (call.arguments[0] === argument && callsWithTransactionHandle(call)) return true;
    return body !== undefined && sentInsideTransaction(call, textsSentOn(client.text, body));
  };
  return callsPass(source, new Set([name.text]), name, argumentAt(index, passes)) && calls > 0;
}

/** `await f(…)` (through parentheses): the call's promise is settled before the statement after it runs. */
function isAwaited(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return ts.isAwaitExpression(node.parent);
}

/** Whether the module exports `name` by a list (`export { name }`), a default export, or CommonJS (`module.exports`, `exports.name`). */
function exportsByList(source: ts.SourceFile, name: string): boolean {
  return /\bexports\b/.test(source.text) || source.statements.some((statement) => (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name)
    || (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)
      && statement.exportClause.elements.some((e) => (e.propertyName ?? e.name).text === name)));
}

/**
 * Whether every call of `fn` — a top-level function — hands `parameter` a value (at least one call; for `member`, an
 * object literal holding that field: `setTenant(t, client)`, `run(sql, { client })`): then a `tx ?? pool` choice inside
 * never picks the pool, and the client is the caller's, inside its transaction or not (embedded.ts, alternativesStart).
 * A function the file does not export is called in the file only; an exported one in the project's importers too.
 */
export function alwaysHandedArgument(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, member: string | undefined, source: ts.SourceFile, fileName: string | undefined): boolean {
  return alwaysHandedMatching(fn, parameter, source, fileName, (argument) => handsValue(argument, member));
}

/**
 * Whether every call of `fn` — a top-level function — hands `parameter` an argument that `passes` (at least one call;
 * an exported function's calls in the project's importers too): `createDb(env.HYPERDRIVE.connectionString)` for a
 * URL parameter (hyperdriveBindings.ts). `reading` says how other mentions of the function count (MentionReading).
 */
export function alwaysHandedMatching(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined, passes: (argument: ts.Expression) => boolean, reading: MentionReading = 'everyMention'): boolean {
  const index = fn.parameters.indexOf(parameter);
  const calls = index < 0 || parameter.dotDotDotToken ? undefined : countCallsIfAllPass(fn, source, fileName, argumentAt(index, (argument) => passes(argument)), 'asAnyFile', reading);
  return calls !== undefined && calls > 0;
}

/**
 * Whether no call of `fn` — a top-level function — hands `parameter` (which has no default) a value: every call leaves
 * it out or passes `undefined`/`null` (at least one call, or, for an exported function, none at all: ruling 10, what a
 * caller to come writes is not known, and leaving the optional transaction out is the helper's own default). A test file among its importers is read by its calls
 * alone (a mocked module's key or a dynamic import's destructuring hands nothing). Then
 * `tx || db` inside always picks `db` (embedded.ts, alternativesStart). Read only where a transaction-scoped statement
 * can be (TRANSACTION_SCOPED_WORD): the answer changes nothing else, and it reads the project's importers.
 */
export function neverHandedArgument(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, source: ts.SourceFile, fileName: string | undefined): boolean {
  const index = fn.parameters.indexOf(parameter);
  if (index < 0 || parameter.initializer || parameter.dotDotDotToken || !TRANSACTION_SCOPED_WORD.test(source.text)) return false;
  const leavesOut: CallTest = (call) => {
    if (call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return false;
    const argument = call.arguments[index];
    return argument === undefined || !handsValue(argument, undefined);
  };
  const calls = countCallsIfAllPass(fn, source, fileName, leavesOut, 'byCalls');
  return calls !== undefined && (calls > 0 || exportedFunctionName(fn) !== undefined);
}

/**
 * How many calls of `fn` — a top-level function — there are when every one passes `passes`; undefined when one does
 * not, or when some cannot be read (a mention that is no call, another exported name). A function the file does not
 * export is called in the file only; an exported one in the project's importers too (callerFiles, bounded; `tests`
 * says how a test file among them is read).
 */
function countCallsIfAllPass(fn: ts.SignatureDeclaration, source: ts.SourceFile, fileName: string | undefined, passes: CallTest, tests: TestReading = 'asAnyFile', reading: MentionReading = 'everyMention'): number | undefined {
  const top = topLevelFunction(fn);
  if (!top) return undefined;
  const { name } = top;
  const exported = hasModifier(top.statement, ts.SyntaxKind.ExportKeyword);
  if (exportedUnderAnotherName(source, name.text) || (!exported && exportsByList(source, name.text))) return undefined;
  let calls = 0;
  const counted: CallTest = (call, flow) => {
    calls++;
    return passes(call, flow);
  };
  if (!callsPass(source, new Set([name.text]), name, counted, reading)) return undefined;
  if (exported && (!fileName || !importersAllPass(fileName, name.text, counted, tests, reading))) return undefined;
  return calls;
}

/** An argument that is a value (not `undefined` or `null`), or for `member` an object literal that sets that field. */
function handsValue(argument: ts.Expression, member: string | undefined): boolean {
  const value = unwrap(argument);
  const empty = (node: ts.Expression): boolean => node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined');
  if (member === undefined) return !empty(value);
  if (!ts.isObjectLiteralExpression(value)) return false;
  return value.properties.some((property) => (ts.isShorthandPropertyAssignment(property) && property.name.text === member)
    || (ts.isPropertyAssignment(property) && property.name.getText() === member && !empty(unwrap(property.initializer))));
}

/**
 * Whether every call of `fn` — a top-level function that returns a lazy query it does not send (Prisma's
 * `prisma.$executeRawUnsafe(text)` un-awaited: a PrismaPromise, sent only when awaited or run in a batch) — is an
 * element of a batch transaction's array (`prisma.$transaction([setRole(prisma), …, action])`), at least one: its
 * statement then runs inside that one transaction. A function the file does not export is called in the file only; an
 * exported one in the project's importers too (callerFiles, bounded). A call in test code is passed over: a unit test
 * that calls the helper alone (on a mock) says nothing of where the application sends it.
 */
export function sentOnlyInBatchTransactions(fn: ts.SignatureDeclaration, source: ts.SourceFile, fileName: string | undefined): boolean {
  if (!fileName) return false;
  let batched = 0;
  const passes = (call: ts.CallExpression): boolean => {
    if (isTestCode(call.getSourceFile().fileName)) return true;
    // The call as the array holds it (`f(x) as PrismaPromise<number>`); an awaited one has been sent already.
    const element = outermostWrapper(call, { throughAwait: false });
    if (!ts.isArrayLiteralExpression(element.parent) || !isBatchTransaction(element.parent)) return false;
    batched++;
    return true;
  };
  return countCallsIfAllPass(fn, source, fileName, passes) !== undefined && batched > 0;
}
