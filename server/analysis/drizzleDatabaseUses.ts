// Whether a drizzle database made on a postgres.js client may ever run a transaction (postgresJsWrappers.ts
// explains why that decides if the client prepares anything). The database is followed wherever it goes in
// its file — a `const`, a `let` assigned once per branch, a global cache property (`globalForDb.db = …`),
// `export const db = dbConnection`, `export default`, `export { db }` — and, once exported, into every file of
// the project that imports it (relative paths, tsconfig path aliases, workspace packages; re-exports are
// followed). It never runs one when every use anywhere reads a member other than `transaction`/`$client`
// (`db.select()`, `db.execute(…)`, `db.query.users.findMany()`), tests it (`if (!cache.db)`), or hands it to
// drizzle's migrator once; a database passed to a function of the file or of the project (or to each function a
// local const chooses between), also as a property of an options object (`makeClient({ db })`), is followed into
// that function's parameter, one given to a class's constructor into the methods the file calls on the instance (an
// instance handed on: into every member, the database kept in private fields),
// one a function returns (a factory: `async function tenantDb(id) { … return drizzle(client); }`, `const getDb = () =>
// db`) into every call of that function, here and in the importers of its export, and a factory given to a function
// that only calls it and hands back what it made (`lazySingleton(() => makeDb(url))`) into that function's call; a case
// of a test table (`describe.each(cases)(title, (endpoint, makeDb) => …)`, `for (const [e, makeDb] of cases)`) into
// the callback's parameter (or the loop's name) it is bound to; a dynamic `import('./db')`
// destructured (`const { db } = await import('./db')`) or read by member counts as a named import. A use returned
// from a method or from a function that is not followed, stored elsewhere, passed to anything else, imported as a
// namespace or required may run transactions anywhere; so may an export no file of the project imports (a
// library's, for its users). A database put into an object a function returns (a request context) is not followed
// to its readers: it is accepted only in a project no file of which mentions a transaction, or, for a maker written in
// place where a dependency's function asks for it, when none of the files the server's file loads does (contextStaysSafe). A database
// NestJS injects into a class (nestDrizzlePostgres.ts finds the injections) is judged in every member of that class,
// kept in private fields only (injectedDatabaseNeverRunsTransaction); so is one a class makes and keeps in a private
// field of its own (`this.db = drizzle(client)` in its constructor: classFieldStaysSafe).
import ts from 'typescript';
import { enclosingClass, flowOfModule, isConstDeclaration, memberName, objectProperty, outermostWrapper, unwrap } from './embeddedFlow';
import { hasEntryGuard, runsOncePerRun } from './oncePerRun';
import { runsOnce } from './postgresJsOneShot';
import { resolve } from 'node:path';
import { importedNames, loadedBinding } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { bindingScopeOf, hasModifier, isExportedVariable, rebindsBelow, variableDeclaredIn } from './astWalk';
import { importClosureMayMention, importersOf, projectMayMention } from './projectImporters';
import { everyImporterPasses } from './exportImporters';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { boundedText } from './folderEntries';
import { scriptKindOf } from './parsedModules';
import { classOfModule, functionOfModule } from './rolledBackCallbacks';
import { topLevelFunction } from './topLevelFunctions';
import { TABLE_RUNNERS } from './testTableValues';

const DRIZZLE_MIGRATOR_MODULE = 'drizzle-orm/postgres-js/migrator';
/**
 * Library functions that take a database and never open a transaction on it: drizzle's `is(db, PgDatabase)` (an
 * instanceof check), drizzle-seed's `seed(db, schema)` and `reset(db, schema)`, which send their rows and
 * `truncate` with `db.insert`/`db.update`/`db.execute` (no version of drizzle-seed calls `transaction`), and Auth.js's
 * `DrizzleAdapter(db)`, whose PostgreSQL adapter reads and writes its tables with `db.select`/`insert`/`update`/`delete`
 * alone (no published version, 0.2 to 1.11, calls `transaction`).
 */
const DRIZZLE_INERT = new Set(['drizzle-orm:is', 'drizzle-seed:seed', 'drizzle-seed:reset', '@auth/drizzle-adapter:DrizzleAdapter']);
/**
 * Better Auth's drizzle adapter (`drizzleAdapter(db, { provider: 'pg' })`): it queries through the database's own members
 * and opens `db.transaction` only when its options say `transaction: true` (the option defaults to false).
 */
const BETTER_AUTH_DRIZZLE_ADAPTER = new Set(['better-auth/adapters/drizzle:drizzleAdapter', '@better-auth/drizzle-adapter:drizzleAdapter']);
/** Database members that run a transaction on the client, or hand the client itself out. */
const TRANSACTION_MEMBERS = new Set(['transaction', '$client']);
/** Members of a promise a factory returns (settledStaysSafe). */
const PROMISE_MEMBERS = new Set(['then', 'catch', 'finally']);
/** Names and exports a database may pass through before the answer is "may run one". */
const MAX_HOPS = 256;
const MAX_FILES = 400;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Text that may run a transaction on a database (`db.transaction(`, `db.$client`). */
const MENTIONS_TRANSACTION = /\.\s*(?:transaction|\$client)\b/;
const MAX_CACHED = 64;
/** The word `transaction` (any case, not inside a longer name) or `$client`, anywhere in a file (contextStaysSafe). */
const PROJECT_TRANSACTION_WORD = /(?<!\w)(?:transaction|\$client)(?![\w$])/i;

/** One file's view: its syntax tree and the names drizzle's `migrate` is imported under. */
interface FileView { source: ts.SourceFile; migrate: Set<string> }

/**
 * One question's walk. Its texts and trees are its own, not parsedModules.ts's: it may read up to MAX_FILES importers of
 * up to 2 MB once each, which through that 64-module cache would evict every other fact's modules for nothing.
 */
interface Walk { seen: Set<string>; hops: number; migrations: number; files: Map<string, FileView | undefined>; texts: Map<string, string | undefined>; oneRun?: OneRun }

/**
 * A script's database walked for the one-off reading (oneTransactionPerRun): transactions are counted instead of
 * refused. `body` is the function body the walk is in when it followed the database into a function (undefined in the
 * database's own file), `once` whether the call that entered it runs at most once per run, `entries` numbers those
 * entries (the same function entered twice runs twice: its uses are judged again).
 */
interface OneRun { root: ts.SourceFile; transactions: number; body?: ts.Node; once: boolean; entries: number }

/** True when the database `call` (`drizzle(client, …)`) makes is never given a transaction, in this file or any importer. */
export function drizzleNeverRunsTransaction(call: ts.CallExpression): boolean {
  const view = viewOf(call.getSourceFile());
  if (isMigrateArgument(call, view)) return true; // `migrate(drizzle(client), …)`: one transaction, nothing else
  const walk = startWalk(view);
  return (valueStaysSafe(call, view, walk) && walk.migrations <= 1) || oneTransactionPerRun(call, view);
}

/**
 * The one-off reading: a database a script (a file with a CommonJS entry guard, `if (require.main === module)`) keeps in
 * a top-level `const` of its own (not exported) whose uses run at most one transaction (or one migration) in a run of
 * the process — each transaction written where it runs once per run (oncePerRun.ts), also inside a function it is
 * handed to from a call that runs once. That transaction's `commit` is named once and never sent again (a seed that
 * empties the tables in one transaction, then only queries).
 */
function oneTransactionPerRun(call: ts.CallExpression, view: FileView): boolean {
  const holder = outermostWrapper(call).parent;
  if (!hasEntryGuard(view.source) || !ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || !isConstDeclaration(holder) || isExportedVariable(holder) || !ts.isSourceFile(scopeOf(holder))) return false;
  return runsAtMostOneTransaction(call, view, { root: view.source, transactions: 0, once: true, entries: 0 });
}

/** A walk of the database's uses from `view`'s file, none seen yet; in the one-off reading when given `oneRun`. */
function startWalk(view: FileView, oneRun?: OneRun): Walk {
  return { seen: new Set(), hops: 0, migrations: 0, files: new Map([[view.source.fileName, view]]), texts: new Map(), oneRun };
}

/** The one-off reading's verdict: the uses stay safe, with at most one transaction or migration in `oneRun`'s run. */
function runsAtMostOneTransaction(call: ts.CallExpression, view: FileView, oneRun: OneRun): boolean {
  const walk = startWalk(view, oneRun);
  return valueStaysSafe(call, view, walk) && walk.migrations + oneRun.transactions <= 1;
}

/**
 * A database made afresh where it is handed to a function, with a client of its own (`await
 * cleanDatabase(drizzle(postgres(url)))`: the caller vouches that the client is made in the call, not shared): each
 * evaluation of that argument makes a new client, used by one run of the function, so the one-off reading holds per
 * evaluation however often the call runs: the function's uses run at most one transaction (or one migration) in that run,
 * each written where it runs once per call (no loop), the database not handed on to where that cannot be told.
 */
export function freshDatabaseRunsOneTransaction(call: ts.CallExpression): boolean {
  const value = outermostWrapper(call);
  const handoff = value.parent;
  if (!ts.isCallExpression(handoff) || handoff.expression === value || !handoff.arguments.includes(value as ts.Expression)) return false;
  const view = viewOf(call.getSourceFile());
  // The walk's own run is the handoff itself: its function is entered once per evaluation of the database.
  return runsAtMostOneTransaction(call, view, { root: view.source, transactions: 0, once: true, entries: 0, body: handoff.parent });
}

/** `db.transaction(…)` in the one-off reading: counted when the call runs at most once per run where the walk is. */
function transactionRunsOnce(member: ts.PropertyAccessExpression, oneRun: OneRun): boolean {
  const call = member.parent;
  if (!ts.isCallExpression(call) || call.expression !== member) return false;
  const once = oneRun.body === undefined ? call.getSourceFile() === oneRun.root && runsOncePerRun(call) : oneRun.once && runsOnce(call, { root: oneRun.body });
  if (once) oneRun.transactions += 1;
  return once;
}

/** Follows the database into a function's body (`enter`) from `call`, noting whether that call runs once per run. */
function enteredOnce(call: ts.CallExpression, body: ts.Node | undefined, oneRun: OneRun, enter: () => boolean): boolean {
  const outer = { body: oneRun.body, once: oneRun.once };
  oneRun.once = outer.body === undefined ? call.getSourceFile() === oneRun.root && runsOncePerRun(call) : outer.once && runsOnce(call, { root: outer.body });
  oneRun.body = body;
  oneRun.entries += 1;
  try {
    return enter();
  } finally {
    oneRun.body = outer.body;
    oneRun.once = outer.once;
  }
}

function viewOf(source: ts.SourceFile): FileView {
  const migrate = new Set<string>();
  for (const [local, imported] of importedNames(source)) if (imported.specifier === DRIZZLE_MIGRATOR_MODULE && imported.name === 'migrate') migrate.add(local);
  return { source, migrate };
}

/** Where the value of `node` goes: into a name, an export, a choice between databases; anything else is not followed. */
function valueStaysSafe(node: ts.Node, view: FileView, walk: Walk): boolean {
  const value = outermostWrapper(node);
  const parent = value.parent;
  if (ts.isConditionalExpression(parent) && parent.condition !== value) return valueStaysSafe(parent, view, walk);
  if (ts.isBinaryExpression(parent) && isChoice(parent.operatorToken.kind)) return valueStaysSafe(parent, view, walk);
  if (ts.isVariableDeclaration(parent) && parent.initializer === value && ts.isIdentifier(parent.name)) {
    const name = parent.name.text;
    return nameStaysSafe(name, scopeOf(parent), view, walk) && (!isExportedVariable(parent) || exportStaysSafe(view.source.fileName, name, walk));
  }
  if (ts.isBinaryExpression(parent) && parent.right === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = parent.left;
    if (ts.isIdentifier(target)) {
      // The variable assigned is the one declared nearest (a function's own `let db` rather than the file's).
      const scope = bindingScopeOf(target);
      const declaration = ts.isSourceFile(scope) ? topLevelDeclaration(view.source, target.text) : undefined;
      return nameStaysSafe(target.text, scope, view, walk) && (!declaration || !isExportedVariable(declaration) || exportStaysSafe(view.source.fileName, target.text, walk));
    }
    // `this.db = drizzle(client)` in the class's constructor or a method: the field, read in every member of the class.
    if (isThisMember(target)) return classFieldStaysSafe(target, view, walk);
    // `globalForDb.db = drizzle(…)`: the same property read anywhere in this file.
    return ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression) && nameStaysSafe(`${target.expression.text}.${target.name.text}`, view.source, view, walk);
  }
  if (ts.isExportAssignment(parent) && !parent.isExportEquals) return exportStaysSafe(view.source.fileName, 'default', walk);
  // `private db = drizzle(postgres(url))`: a field the class makes it in.
  if (ts.isPropertyDeclaration(parent) && parent.initializer === value) return classFieldStaysSafe(parent, view, walk);
  // `Promise.resolve(db)`: a promise of the database, which `await` and `.then` hand back (useStaysSafe).
  if (ts.isCallExpression(parent) && isPromiseResolve(parent)) return valueStaysSafe(parent, view, walk);
  if (ts.isCallExpression(parent) && parent.expression !== value) return argumentStaysSafe(parent, parent.arguments.indexOf(value as ts.Expression), view, walk);
  // `createQueueClient({ db, schema })`: a property of an options object handed to a function of the project.
  if ((ts.isShorthandPropertyAssignment(parent) && parent.name === value) || (ts.isPropertyAssignment(parent) && parent.initializer === value)) return optionStaysSafe(parent, view, walk);
  if (ts.isNewExpression(parent) && parent.expression !== value) return constructedStaysSafe(parent, parent.arguments!.indexOf(value as ts.Expression), view, walk);
  // `const cases = [["pooler", (url) => drizzle({ client: postgres(url) })], …]`: a case of a test table.
  if (ts.isArrayLiteralExpression(parent)) return tableCellStaysSafe(value as ts.Expression, parent, view, walk);
  const factory = returningFunction(value);
  if (factory) return factoryStaysSafe(factory, view, walk);
  return false;
}

/** `Promise.resolve(value)` of the global `Promise`: a promise settled with the value (drizzle's database has no `then` of its own to adopt). */
function isPromiseResolve(call: ts.CallExpression): boolean {
  const callee = call.expression;
  return call.arguments.length === 1 && ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve'
    && ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise';
}

/** The function `value` is the result of: `return value;` in its body, or an arrow function's expression body. */
function returningFunction(value: ts.Node): ts.FunctionLikeDeclaration | undefined {
  const parent = value.parent;
  if (ts.isArrowFunction(parent) && parent.body === value) return parent;
  if (!ts.isReturnStatement(parent)) return undefined;
  let node: ts.Node = parent;
  while (node.parent && !ts.isFunctionLike(node)) node = node.parent;
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) ? node : undefined;
}

/**
 * A factory that returns the database (`async function tenantDb(id) { … return drizzle(client); }`, `const getDb = () =>
 * db`): every call of it, in this file or (exported) in the project's importers, is followed like the database itself
 * (`const db = await tenantDb(id); db.select()…`: useStaysSafe follows a call of a followed name into its result).
 * Each call makes or hands out a database; none may run a transaction.
 */
function factoryStaysSafe(factory: ts.FunctionLikeDeclaration, view: FileView, walk: Walk): boolean {
  // `const f = () => …`: followed through its name (`export default …` and an argument as valueStaysSafe goes).
  const holder = ts.isFunctionDeclaration(factory) ? undefined : outermostWrapper(factory).parent;
  if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && !isExportedVariable(holder) && !isReferenced(holder.name.text, scopeOf(holder))) return false;
  if (!ts.isFunctionDeclaration(factory)) return valueStaysSafe(factory, view, walk);
  if (!factory.name) return hasModifier(factory, ts.SyntaxKind.DefaultKeyword) && exportStaysSafe(view.source.fileName, 'default', walk);
  const name = factory.name.text;
  const exported = hasModifier(factory, ts.SyntaxKind.ExportKeyword);
  const isDefault = exported && hasModifier(factory, ts.SyntaxKind.DefaultKeyword);
  // A factory nobody calls is not followed: it keeps the finding (an exported one is there for callers to come, who
  // may run transactions). An export counts as called when an importer names it (a barrel's importers are not read).
  if (!isReferenced(name, factory.parent) && (!exported || (!isDefault && !importersName(view.source.fileName, name, walk)))) return false;
  return nameStaysSafe(name, factory.parent, view, walk) && (!exported || exportStaysSafe(view.source.fileName, isDefault ? 'default' : name, walk));
}

/** Whether a file of the project that imports `fileName` mentions `name` (the export it would call). */
function importersName(fileName: string, name: string, walk: Walk): boolean {
  const word = new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`);
  return (importersOf(resolve(fileName)) ?? []).some((importer) => word.test(readText(importer, walk) ?? ''));
}

/** Whether a name is read anywhere in a scope (not only declared). */
function isReferenced(name: string, scope: ts.Node): boolean {
  let found = false;
  const shadows = shadowing(scope, name);
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (isReferenceTo(node, name)) found = true;
    else if (!shadows(node)) node.forEachChild(visit);
  };
  scope.forEachChild(visit);
  return found;
}

/**
 * A database given to `new Repository(…, db)`, a class of this file or of the project, held in a `const` that
 * the file uses only to call methods (`repo.queueDeletion(…)`): the database is safe when the class keeps it
 * in fields (`private db: Database`, `this.db = db`, `this.billing = new Billing(db)`) and the methods called —
 * with the methods of `this` and of such member objects they call in turn — use those fields safely. Methods
 * nobody calls here may run transactions: they never run on this database. An instance that goes where its calls are
 * not known (`createEngine(config, { store })`) is read as an injected database is (privateInstanceStaysSafe).
 */
function constructedStaysSafe(made: ts.NewExpression, index: number, view: FileView, walk: Walk): boolean {
  const methods = methodsCalledOn(made);
  return methods ? classStaysSafe({ made, index, methods }, view, walk) : privateInstanceStaysSafe(made, index, view, walk);
}

/**
 * The methods called on the instance `made` creates, when a `const` (not exported) holds it and every use of that
 * name calls a method (`repo.queueDeletion(…)`); undefined when the instance may go anywhere.
 */
function methodsCalledOn(made: ts.NewExpression): Set<string> | undefined {
  const holder = outermostWrapper(made).parent;
  if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || isExportedVariable(holder)) return undefined;
  const methods = new Set<string>();
  const name = holder.name.text;
  let other = false;
  const shadows = shadowing(scopeOf(holder), name);
  const visit = (node: ts.Node): void => {
    if (isReferenceTo(node, name)) {
      const member = node.parent;
      if (ts.isPropertyAccessExpression(member) && ts.isCallExpression(member.parent) && member.parent.expression === member) methods.add(member.name.text);
      else if (node !== holder.name) other = true;
    } else if (!shadows(node)) node.forEachChild(visit);
  };
  scopeOf(holder).forEachChild(visit);
  return other ? undefined : methods;
}

/**
 * A database given to a class's constructor whose instance is handed on (`createEngine(config, { store })`), so any of
 * its methods may run: read as a database NestJS injects (injectedDatabaseNeverRunsTransaction) — every member of the
 * class walked, each field or member object holding the database private (no code outside the class reaches it), no
 * file of the project reading it by its quoted name or extending the class (readAroundPrivacy).
 */
function privateInstanceStaysSafe(made: ts.NewExpression, index: number, view: FileView, walk: Walk): boolean {
  const found = constructedClass(made, index, view, walk);
  const parameter = found?.cls.members.find(ts.isConstructorDeclaration)?.parameters[index];
  const holders = found && parameter && heldDatabaseStaysSafe(found, parameter, { everyMethod: true }, walk);
  return holders !== undefined && keptPrivately(found!.cls, holders) && !readAroundPrivacy(found!.cls, holders, found!.view);
}

/** An object made with the database as its `index`th argument, and the methods called on it. */
interface Instance { made: ts.NewExpression; index: number; methods: Set<string> }

/** Whether the database argument of an instance stays safe inside its class when only its `methods` are called. */
function classStaysSafe({ made, index, methods }: Instance, view: FileView, walk: Walk): boolean {
  const found = constructedClass(made, index, view, walk);
  const parameter = found?.cls.members.find(ts.isConstructorDeclaration)?.parameters[index];
  return found !== undefined && parameter !== undefined && heldDatabaseStaysSafe(found, parameter, { methods }, walk) !== undefined;
}

/** The class `made` constructs (by name, classNamed), when the database is its `index`th argument with no spread before it. */
function constructedClass(made: ts.NewExpression, index: number, view: FileView, walk: Walk): { view: FileView; cls: ts.ClassDeclaration } | undefined {
  if (++walk.hops > MAX_HOPS || !ts.isIdentifier(made.expression) || index < 0 || made.arguments!.slice(0, index).some(ts.isSpreadElement)) return undefined;
  return classNamed(made.expression.text, view, walk);
}

/** Where a class keeps the database it was given: its fields, and its member objects made with it. */
interface Holders { fields: Set<string>; members: Map<string, Instance> }

/**
 * Whether the database a class receives — through a constructor parameter, (`everyMethod`) injected into a property, or
 * made by the class into a field of its own (`madeInField` when that is where the field is declared) —
 * stays safe in the class: each use of the parameter or of a field holding the database reads a member other than
 * `transaction`/`$client`, and `this` only reaches members. Only the `methods` named are walked (with those of `this` they
 * call), or, when the instance goes where its calls are not known (`everyMethod`: a NestJS provider), every member.
 * Returns where the class keeps the database, undefined when a use is not safe.
 */
function heldDatabaseStaysSafe(found: { view: FileView; cls: ts.ClassDeclaration }, held: ts.ParameterDeclaration | ts.PropertyDeclaration,
  called: { methods: Set<string> } | { everyMethod: true }, walk: Walk, madeInField = false): Holders | undefined {
  const ctor = found.cls.members.find(ts.isConstructorDeclaration);
  if (found.cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword)) return undefined;
  let databaseName: string | undefined;
  const fields = new Set<string>();
  if (ts.isParameter(held)) {
    if (!ctor?.body || held.parent !== ctor || !ts.isIdentifier(held.name) || held.dotDotDotToken) return undefined;
    databaseName = held.name.text;
    if (ts.isParameterPropertyDeclaration(held, ctor)) fields.add(held.name.text);
  } else {
    // A field given another value where it is declared does not hold the database, unless the class makes it there.
    if ((held.initializer && !madeInField) || !(ts.isIdentifier(held.name) || ts.isPrivateIdentifier(held.name))) return undefined;
    fields.add(held.name.text);
  }
  const members = new Map<string, Instance>();
  // The constructor's body first (where fields and member objects are set), then the members that run on `this`.
  const bodies: { node: ts.Node; inConstructor: boolean }[] = ctor?.body ? [{ node: ctor.body, inConstructor: true }] : [];
  for (const member of found.cls.members) {
    if (ts.isPropertyDeclaration(member) && member.initializer && !ts.isFunctionLike(unwrap(member.initializer))) bodies.push({ node: member, inConstructor: true });
    else if ('everyMethod' in called && member !== ctor && !ts.isPropertyDeclaration(member)) bodies.push({ node: member, inConstructor: false });
    else if ('everyMethod' in called && ts.isPropertyDeclaration(member) && member.initializer) bodies.push({ node: member, inConstructor: false });
  }
  const queued = 'methods' in called ? [...called.methods] : [];
  for (const name of queued) {
    const method = methodNamed(found.cls, name);
    if (!method) return undefined;
    bodies.push({ node: method, inConstructor: false });
  }
  let safe = true;
  const visitUse = (node: ts.Node, inConstructor: boolean): void => {
    if (!safe) return;
    if (node.kind === ts.SyntaxKind.ThisKeyword) {
      const member = node.parent;
      if (!ts.isPropertyAccessExpression(member) || member.expression !== node) { safe = false; return; }
      const key = member.name.text;
      if (fields.has(key)) safe = databaseUseSafe(member, fields, members, inConstructor);
      else if (members.has(key) && !(ts.isPropertyAccessExpression(member.parent) && ts.isCallExpression(member.parent.parent) && member.parent.parent.expression === member.parent)) {
        if (!isAssignedBy(member)) safe = false;
      } else if (members.has(key)) members.get(key)!.methods.add((member.parent as ts.PropertyAccessExpression).name.text);
      else {
        // Another method runs on the same fields: it must be called here (so it is checked), not handed out.
        const method = methodNamed(found.cls, key);
        if (method && !(ts.isCallExpression(member.parent) && member.parent.expression === member)) safe = false;
        else if (method && 'methods' in called && !queued.includes(key)) {
          queued.push(key);
          bodies.push({ node: method, inConstructor: false });
        }
      }
      return;
    }
    if (inConstructor && databaseName !== undefined && ts.isIdentifier(node) && node.text === databaseName && isValueReference(node) && node !== held.name) {
      safe = databaseUseSafe(node, fields, members, true);
      return;
    }
    if (ts.isClassLike(node)) return;
    node.forEachChild((child) => visitUse(child, inConstructor));
  };
  for (let i = 0; i < bodies.length && safe; i++) visitUse(bodies[i].node, bodies[i].inConstructor);
  if (!safe) return undefined;
  for (const member of members.values()) if (!classStaysSafe(member, found.view, walk)) return undefined;
  return { fields, members };
}

/**
 * Whether the drizzle database a NestJS module provides, injected into a class (`constructor(@Inject('DB') private
 * readonly db: PostgresJsDatabase<…>)`, or `@Inject('DB') private db` as a property), never runs a transaction there.
 * NestJS may hand the instance to any other provider, which may call any of its methods: every member of the class is
 * walked, and each field or member object holding the database must be private (`private`, `#db`), so no code outside
 * the class can reach it (a class extending another, whose code may see the field, is not read).
 */
export function injectedDatabaseNeverRunsTransaction(cls: ts.ClassDeclaration, held: ts.ParameterDeclaration | ts.PropertyDeclaration): boolean {
  const view = viewOf(cls.getSourceFile());
  const walk = startWalk(view);
  const holders = heldDatabaseStaysSafe({ view, cls }, held, { everyMethod: true }, walk);
  return holders !== undefined && keptPrivately(cls, holders);
}

/** Each field and member object of the class holding the database is private (isPrivateMember). */
function keptPrivately(cls: ts.ClassDeclaration, holders: Holders): boolean {
  return [...holders.fields, ...holders.members.keys()].every((name) => isPrivateMember(cls, name));
}

/**
 * A database the class keeps in a field it fills itself: `this.db = drizzle(client)` in its constructor or a method
 * (also in an arrow function there, whose `this` is the instance), or `private db = drizzle(…)` where the field is
 * declared. Any of its methods may be called from anywhere, so every member of the class is walked as for an injected
 * database (heldDatabaseStaysSafe), each field or member object holding it declared private (or `#`). TypeScript lets a
 * quoted name past `private` (`tool['db']`) and a subclass is not read: no file of the project may read the field so,
 * nor extend the class. A field the class does not declare (plain JavaScript) is public: not followed.
 */
function classFieldStaysSafe(holder: ts.PropertyAccessExpression | ts.PropertyDeclaration, view: FileView, walk: Walk): boolean {
  const cls = ts.isPropertyDeclaration(holder) ? holder.parent : instanceClassOf(holder);
  if (!cls || !ts.isClassDeclaration(cls) || !cls.name) return false;
  const name = ts.isPropertyDeclaration(holder) ? memberName(holder) : holder.name.text;
  const declaration = cls.members.find((member): member is ts.PropertyDeclaration => ts.isPropertyDeclaration(member) && memberName(member) === name);
  if (name === undefined || !declaration || hasModifier(declaration, ts.SyntaxKind.StaticKeyword)) return false;
  const holders = heldDatabaseStaysSafe({ view, cls }, declaration, { everyMethod: true }, walk, declaration === holder);
  return holders !== undefined && keptPrivately(cls, holders) && !readAroundPrivacy(cls, holders, view);
}

/**
 * The class whose instance `this` is in `this.db = …`: the nearest function around it that is not an arrow is a
 * constructor, method or accessor of that class (not static, whose `this` is the class itself).
 */
function instanceClassOf(member: ts.PropertyAccessExpression): ts.ClassLikeDeclaration | undefined {
  let fn: ts.Node | undefined = member.parent;
  while (fn && !(ts.isFunctionLike(fn) && !ts.isArrowFunction(fn))) fn = fn.parent;
  if (!fn || !(ts.isConstructorDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isAccessor(fn)) || hasModifier(fn, ts.SyntaxKind.StaticKeyword)) return undefined;
  return fn.parent && ts.isClassLike(fn.parent) && enclosingClass(member) === fn.parent ? fn.parent : undefined;
}

/** Some file of the project may read a `private` field holding the database by its quoted name, or extend the class. */
function readAroundPrivacy(cls: ts.ClassDeclaration, holders: Holders, view: FileView): boolean {
  const quoted = [...holders.fields, ...holders.members.keys()].filter((name) => !name.startsWith('#')).map(escapeName);
  const pattern = new RegExp(`\\bextends\\s+${escapeName(cls.name!.text)}\\b${quoted.map((name) => `|\\[\\s*['"\`]${name}['"\`]\\s*\\]`).join('')}`);
  return projectMayMention(resolve(view.source.fileName), pattern);
}

function escapeName(name: string): string {
  return name.replace(/\$/g, '\\$');
}

/** A member of the class no code outside it can read: a `#name`, or one declared `private` (a property, a constructor parameter property). */
function isPrivateMember(cls: ts.ClassDeclaration, name: string): boolean {
  if (name.startsWith('#')) return true;
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  const declarations: (ts.PropertyDeclaration | ts.ParameterDeclaration)[] = [
    ...cls.members.filter(ts.isPropertyDeclaration),
    ...(ctor?.parameters.filter((p) => ts.isParameterPropertyDeclaration(p, ctor)) ?? []),
  ];
  const named = declarations.filter((d) => ts.isIdentifier(d.name) && d.name.text === name);
  return named.length > 0 && named.every((d) => hasModifier(d, ts.SyntaxKind.PrivateKeyword));
}

/**
 * One use of the database inside a class: a member other than `transaction`/`$client` (`this.db.select()`), a
 * truthiness test, a field set in the constructor (`this.db = db`), or a member object made with it
 * (`this.billing = new Billing(this.db)`, followed into the methods called on `this.billing`). Nothing else.
 */
function databaseUseSafe(use: ts.Expression, fields: Set<string>, members: Map<string, Instance>, inConstructor: boolean): boolean {
  const value = outermostWrapper(use);
  const parent = value.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === value) return !TRANSACTION_MEMBERS.has(parent.name.text);
  if (isTruthinessTest(value)) return true;
  // `this.db = drizzle(client)`: a write gives the field a value (judged where it is made), reading nothing of it.
  if (ts.isBinaryExpression(parent) && parent.left === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  if (!inConstructor) return false;
  if (ts.isBinaryExpression(parent) && parent.right === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && isThisMember(parent.left)) {
    fields.add(parent.left.name.text);
    return true;
  }
  const made = ts.isNewExpression(parent) && parent.expression !== value ? parent : undefined;
  const assignment = made && outermostWrapper(made).parent;
  if (!made || !assignment || !ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !isThisMember(assignment.left)) return false;
  members.set(assignment.left.name.text, { made, index: made.arguments!.indexOf(value as ts.Expression), methods: new Set() });
  return true;
}

function isThisMember(node: ts.Expression): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword;
}

/** `this.billing = …`: the write that sets a member object. */
function isAssignedBy(member: ts.PropertyAccessExpression): boolean {
  const parent = member.parent;
  return ts.isBinaryExpression(parent) && parent.left === member && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** A method, an accessor, or a property holding a function, of the class. */
function methodNamed(cls: ts.ClassDeclaration, name: string): ts.Node | undefined {
  return cls.members.find((m) => m.name !== undefined && ts.isIdentifier(m.name) && m.name.text === name
    && (ts.isMethodDeclaration(m) || ts.isAccessor(m) ? m.body !== undefined : ts.isPropertyDeclaration(m) && m.initializer !== undefined && ts.isFunctionLike(unwrap(m.initializer))));
}

/**
 * A class declared at the top of this file, or exported by name from a file of the project this file imports it from,
 * also through the project's barrel files (`export * from './pg-run-store.js'` in a workspace package's index.ts), as
 * calledFunction finds a function.
 */
function classNamed(name: string, view: FileView, walk: Walk): { view: FileView; cls: ts.ClassDeclaration } | undefined {
  const imported = importedNames(view.source).get(name);
  let target: FileView | undefined = view;
  if (imported) {
    const file = resolveModule(resolve(view.source.fileName), imported.specifier);
    target = file === undefined ? undefined : readView(file, walk);
    name = imported.name;
  }
  const cls = target?.source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s)
    && (s.name?.text === name || (name === 'default' && hasModifier(s, ts.SyntaxKind.DefaultKeyword))));
  if (target && cls) return { view: target, cls };
  const reexported = imported && imported.name !== 'default' ? classOfModule(view.source, imported.specifier, imported.name) : undefined;
  return reexported && { view: viewOf(reexported.getSourceFile()), cls: reexported };
}

/**
 * A database passed to a function: drizzle's own `is(db, PgDatabase)` looks at it, drizzle-seed's `seed`/`reset`
 * query it without a transaction (DRIZZLE_INERT); a function of this file or
 * of the project (imported by name, also through barrel re-exports) is followed into the parameter it is given
 * (`DrizzleAdapter(db)`).
 */
function argumentStaysSafe(call: ts.CallExpression, index: number, view: FileView, walk: Walk): boolean {
  if (index < 0 || call.arguments.slice(0, index).some(ts.isSpreadElement) || !ts.isIdentifier(call.expression)) return false;
  const imported = importedNames(view.source).get(call.expression.text);
  if (imported && DRIZZLE_INERT.has(`${imported.specifier}:${imported.name}`)) return true;
  if (imported && BETTER_AUTH_DRIZZLE_ADAPTER.has(`${imported.specifier}:${imported.name}`)) return index === 0 && leavesTransactionsOff(call.arguments[1]);
  const targets = calledFunctions(call.expression, view, walk);
  return targets !== undefined && targets.every((target) => {
    const parameter = target.fn.parameters[index];
    if (parameter === undefined || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return false;
    // `lazySingleton(() => makeDb(url))`: a function that only calls the factory it is given and hands back what it
    // made (`let instance; return () => (instance ??= factory())`) hands the database to its caller: followed there.
    if (handsBackCalls(target.fn, parameter.name.text)) return valueStaysSafe(call, view, walk);
    const name = parameter.name.text;
    const follow = () => nameStaysSafe(name, target.fn, target.view, walk);
    return walk.oneRun ? enteredOnce(call, target.fn.body, walk.oneRun, follow) : follow();
  });
}

/** Options written in the call that do not turn the adapter's transactions on: no `transaction`, or `transaction: false`; no spread. */
function leavesTransactionsOff(options: ts.Expression | undefined): boolean {
  const written = options && unwrap(options);
  if (!written || !ts.isObjectLiteralExpression(written) || written.properties.some(ts.isSpreadAssignment)) return false;
  const transaction = objectProperty(written, 'transaction');
  return transaction === undefined || unwrap(transaction).kind === ts.SyntaxKind.FalseKeyword;
}

/**
 * Whether a function's parameter (a factory) is only called, and what each call makes is only handed back: returned
 * by the function, or by a function it returns (`return () => { instance ??= factory(); return instance; }`),
 * through `??`/`||`/`?:` and locals of the function that hold it and are read only so. The function itself never
 * uses what the factory makes: whatever is done with it, its caller does.
 */
function handsBackCalls(fn: ts.FunctionLikeDeclaration, parameter: string): boolean {
  if (!fn.body) return false;
  const holders = new Set<string>();
  const returnedFrom = (node: ts.Node): boolean => {
    let owner: ts.Node | undefined = node.parent;
    while (owner && !ts.isFunctionLike(owner)) owner = owner.parent;
    return owner === fn || (owner !== undefined && (ts.isArrowFunction(owner) || ts.isFunctionExpression(owner)) && handedBack(owner));
  };
  const handedBack = (expression: ts.Node): boolean => {
    const value = outermostWrapper(expression);
    const parent = value.parent;
    if (ts.isReturnStatement(parent)) return returnedFrom(parent);
    if (ts.isArrowFunction(parent) && parent.body === value) return parent === fn || handedBack(parent);
    if (ts.isConditionalExpression(parent)) return parent.condition !== value && handedBack(parent);
    if (ts.isBinaryExpression(parent) && isChoice(parent.operatorToken.kind)) return handedBack(parent);
    if (ts.isBinaryExpression(parent) && parent.right === value && isAssignment(parent.operatorToken.kind) && ts.isIdentifier(parent.left)) {
      if (!isLocalOf(fn, parent.left.text)) return false;
      holders.add(parent.left.text);
      return ts.isExpressionStatement(parent.parent) || handedBack(parent);
    }
    return false;
  };
  const calls = referencesIn(fn.body, parameter);
  if (calls.length === 0 || !calls.every((reference) => {
    const use = outermostWrapper(reference);
    return ts.isCallExpression(use.parent) && use.parent.expression === use && handedBack(use.parent);
  })) return false;
  // Each local holding what the factory made is written, tested or handed back, nothing else.
  const checked = new Set<string>();
  for (let pending = [...holders]; pending.length > 0; pending = [...holders].filter((h) => !checked.has(h))) {
    for (const holder of pending) {
      checked.add(holder);
      const misused = referencesIn(fn.body, holder).some((reference) => {
        const use = outermostWrapper(reference);
        const parent = use.parent;
        const written = ts.isBinaryExpression(parent) && parent.left === use && isAssignment(parent.operatorToken.kind);
        return !(written && (ts.isExpressionStatement(parent.parent) || handedBack(parent))) && !isTruthinessTest(use) && !handedBack(use);
      });
      if (misused) return false;
    }
  }
  return true;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

/** A `let`/`var` the function declares in its own body (not a parameter, not a variable of the code around it). */
function isLocalOf(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  const body = fn.body;
  return body !== undefined && ts.isBlock(body) && variableDeclaredIn(body.statements, name) !== undefined;
}

/**
 * Where a value in a test table is: the `cell`th element of its row (an array row, spread into the callback's
 * parameters), or the row itself (a table of single values or of objects, handed whole as the first), or (`key`)
 * a property of an object row.
 */
interface TableSlot { cell?: number; key?: string }


/**
 * A cell of a test table: `describe.each(cases)(title, (endpoint, makeDb) => …)` calls the callback once per row with
 * the row's elements as its arguments (Jest, Vitest, Bun), and `for (const [endpoint, makeDb] of cases)` binds them
 * alike; a table of single values hands each value whole. The cell's argument is followed in the callback (or loop).
 */
function tableCellStaysSafe(cell: ts.Expression, row: ts.ArrayLiteralExpression, view: FileView, walk: Walk): boolean {
  const index = row.elements.indexOf(cell);
  if (index < 0 || row.elements.slice(0, index + 1).some(ts.isSpreadElement)) return false;
  const table = outermostWrapper(row).parent;
  if (ts.isArrayLiteralExpression(table)) return tableRowStaysSafe(table, table.elements.indexOf(outermostWrapper(row) as ts.Expression), { cell: index }, view, walk);
  return tableRowStaysSafe(row, index, {}, view, walk);
}

/** The `row`th row of a table written in place: where its cell goes when the table is run (`.each`) or looped over. */
function tableRowStaysSafe(table: ts.ArrayLiteralExpression, row: number, slot: TableSlot, view: FileView, walk: Walk): boolean {
  if (row < 0 || table.elements.some(ts.isSpreadElement)) return false;
  const value = outermostWrapper(table);
  const holder = value.parent;
  if (ts.isCallExpression(holder) && holder.arguments[0] === value) return eachStaysSafe(holder, slot, view, walk);
  if (ts.isForOfStatement(holder) && holder.expression === value) return loopStaysSafe(holder, slot, view, walk);
  if (!ts.isVariableDeclaration(holder) || holder.initializer !== value || !ts.isIdentifier(holder.name) || isExportedVariable(holder)) return false;
  // `const cases = [...]`: every use of it runs or loops over the table.
  const uses = referencesIn(scopeOf(holder), holder.name.text);
  return uses.length > 0 && uses.every((use) => {
    const at = outermostWrapper(use);
    const parent = at.parent;
    if (ts.isCallExpression(parent) && parent.arguments[0] === at && parent.arguments.length === 1) return eachStaysSafe(parent, slot, view, walk);
    return ts.isForOfStatement(parent) && parent.expression === at && loopStaysSafe(parent, slot, view, walk);
  });
}

/** `describe.each(table)(title, (…) => …)` (also `test.concurrent.each`, `it.skip.each`): the callback's parameter for the slot. */
function eachStaysSafe(each: ts.CallExpression, slot: TableSlot, view: FileView, walk: Walk): boolean {
  if (!ts.isPropertyAccessExpression(each.expression) || each.expression.name.text !== 'each') return false;
  let root: ts.Expression = each.expression.expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  if (!ts.isIdentifier(root) || !TABLE_RUNNERS.test(root.text)) return false;
  const run = outermostWrapper(each).parent;
  if (!ts.isCallExpression(run) || run.expression !== outermostWrapper(each)) return false;
  const callbacks = run.arguments.slice(1).map(unwrap).filter((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
  if (callbacks.length !== 1) return false;
  const fn = callbacks[0];
  const index = slot.cell ?? 0;
  if (fn.parameters.slice(0, index + 1).some((p) => p.dotDotDotToken)) return false;
  if (slot.key !== undefined) return parameterOptionStaysSafe({ view, fn }, index, slot.key, walk);
  const parameter = fn.parameters[index];
  // A parameter the callback does not declare never receives the cell.
  return parameter === undefined || (ts.isIdentifier(parameter.name) && nameStaysSafe(parameter.name.text, fn, view, walk));
}

/** `for (const [endpoint, makeDb] of cases)`, `for (const { makeDb } of cases)`, `for (const makeDb of factories)`. */
function loopStaysSafe(loop: ts.ForOfStatement, slot: TableSlot, view: FileView, walk: Walk): boolean {
  const list = loop.initializer;
  if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1) return false;
  const name = list.declarations[0].name;
  if (slot.key !== undefined) return ts.isObjectBindingPattern(name) && patternStaysSafe(name, slot.key, loop, view, walk);
  if (slot.cell === undefined) return ts.isIdentifier(name) && nameStaysSafe(name.text, loop, view, walk);
  if (!ts.isArrayBindingPattern(name)) return false;
  if (name.elements.slice(0, slot.cell + 1).some((e) => ts.isBindingElement(e) && e.dotDotDotToken)) return false;
  const element = name.elements[slot.cell];
  if (element === undefined || ts.isOmittedExpression(element)) return true;
  return ts.isIdentifier(element.name) && nameStaysSafe(element.name.text, loop, view, walk);
}


type Target = { view: FileView; fn: ts.FunctionLikeDeclaration };

/**
 * The functions a name calls: a function of this file or of the project (calledFunction), or each one a local const
 * chooses between (`const claim = canSkipLocked ? claimPostgres : claimSqlite`); undefined when one is not known.
 */
function calledFunctions(callee: ts.Identifier, view: FileView, walk: Walk): Target[] | undefined {
  const chosen = localConstInitializer(callee);
  if (chosen === undefined) {
    const target = calledFunction(callee, view, walk);
    return target && [target];
  }
  const value = unwrap(chosen);
  const names = ts.isConditionalExpression(value) ? [unwrap(value.whenTrue), unwrap(value.whenFalse)] : [value];
  const targets: Target[] = [];
  for (const name of names) {
    const target = ts.isIdentifier(name) && localConstInitializer(name) === undefined ? calledFunction(name, view, walk) : undefined;
    if (!target) return undefined;
    targets.push(target);
  }
  return targets;
}

/** The initializer of a `const` (not a function) declared by that name in a block enclosing the use. */
function localConstInitializer(use: ts.Identifier): ts.Expression | undefined {
  for (let node: ts.Node | undefined = use.parent; node; node = node.parent) {
    if (!ts.isBlock(node)) continue;
    for (const statement of node.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === use.text && declaration.initializer && !ts.isFunctionLike(unwrap(declaration.initializer))) return declaration.initializer;
      }
    }
  }
  return undefined;
}

/**
 * The function of this file or of the project (imported by name, also through barrel re-exports, or loaded where it is
 * needed: `const { inspect } = await import('../src/db/inspect')`, as scripts do once their environment is read) a
 * name calls.
 */
function calledFunction(callee: ts.Identifier, view: FileView, walk: Walk): Target | undefined {
  // The destructuring that binds the name where it is called: each function's `const { apply } = await import(…)`
  // binds its own module's `apply`. A destructuring of anything else (`const { apply } = ctx`) is no function followed.
  const destructured = flowOfModule(view.source).destructuringOf(callee);
  const loaded = destructured && loadedBinding(destructured, callee.text);
  if (destructured && !loaded) return undefined;
  // A name both loaded and declared at the top level: which one this call reaches is not read here.
  if (loaded && topLevelFunction(view.source, callee.text)) return undefined;
  const imported = importedNames(view.source).get(callee.text) ?? loaded;
  let target = imported ? importedFunction(view.source.fileName, imported.specifier, imported.name, walk) : { view, fn: topLevelFunction(view.source, callee.text) };
  if (imported && !target?.fn) {
    // Exported through the project's barrel files (`export * from './adapter'` in an index.ts), or by an export list.
    const fn = functionOfModule(view.source, imported.specifier, imported.name);
    if (fn?.body) target = { view: viewOf(fn.getSourceFile()), fn };
  }
  return target?.fn ? { view: target.view, fn: target.fn } : undefined;
}

/**
 * A database given as a property of an object literal written in the call of a function of the project
 * (`createQueueClient({ db, schema })`, `{ db: database }`): followed into that function's parameter — a destructuring
 * pattern's element for the property (`({ db, schema }) => …`), or, for a parameter named whole (`config`), every
 * `config.db` read and every `const { db } = config` in the function. The parameter used any other way (handed on
 * whole, spread, a rest element) may carry the database anywhere.
 */
function optionStaysSafe(property: ts.ShorthandPropertyAssignment | ts.PropertyAssignment, view: FileView, walk: Walk): boolean {
  if (!ts.isIdentifier(property.name) && !ts.isStringLiteral(property.name)) return false;
  const key = property.name.text;
  const object = outermostWrapper(property.parent);
  const call = object.parent;
  // `[{ name: 'pooler', makeDb: (url) => drizzle(…) }, …]`: a row of a test table, handed whole to its callback.
  if (ts.isArrayLiteralExpression(call)) return tableRowStaysSafe(call, call.elements.indexOf(object as ts.Expression), { key }, view, walk);
  // `return { session, db, headers }`: a request context (tRPC's createContext), read wherever the framework hands it.
  const contextMaker = returningFunction(object);
  if (contextMaker) return contextStaysSafe(contextMaker, view);
  if (!ts.isCallExpression(call) || call.expression === object || !ts.isIdentifier(call.expression)) return false;
  const index = call.arguments.indexOf(object as ts.Expression);
  if (index < 0 || call.arguments.slice(0, index).some(ts.isSpreadElement)) return false;
  const targets = calledFunctions(call.expression, view, walk);
  return targets !== undefined && targets.every((target) => parameterOptionStaysSafe(target, index, key, walk));
}

/**
 * A database that is a property of an object a function returns: a request context, which the framework hands to
 * handlers anywhere in the project (`({ ctx }) => ctx.db.select()`, `({ ctx: { db } }) => …`) by no name this walk can
 * follow. It runs no transaction when no source file of the project mentions one at all (PROJECT_TRANSACTION_WORD: a
 * `.transaction(…)` or `$client` on any receiver, or a library's `transaction: true` option; a migrator handed the
 * context's database runs its one transaction per run, as migrate(db) anywhere does). A maker written in place for a
 * dependency (handedInPlaceToDependency) is read by the code its file loads only: the mention is looked for there.
 */
function contextStaysSafe(maker: ts.FunctionLikeDeclaration, view: FileView): boolean {
  const file = resolve(view.source.fileName);
  if (!projectMayMention(file, PROJECT_TRANSACTION_WORD)) return true;
  // Made only where a framework asks for it: its readers are in the code this file loads.
  return handedInPlaceToDependency(maker, view) && !importClosureMayMention(file, PROJECT_TRANSACTION_WORD);
}

/**
 * A context maker written in place as an argument of a dependency's function, or as a property of an object written
 * there (`trpcServer({ createContext: () => ({ db }), router })`, `trpcServer` from '@hono/trpc-server'): no code of the
 * project can call it, and the framework hands what it makes only to what the same call gives it (the router), whose
 * code is this file's or is loaded by it. A maker declared apart (an exported `createContext`) may be called anywhere.
 */
function handedInPlaceToDependency(maker: ts.FunctionLikeDeclaration, view: FileView): boolean {
  if (!ts.isArrowFunction(maker) && !ts.isFunctionExpression(maker)) return false;
  let holder: ts.Node = outermostWrapper(maker);
  if (ts.isPropertyAssignment(holder.parent) && holder.parent.initializer === holder) holder = outermostWrapper(holder.parent.parent as ts.Expression);
  const call = holder.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.some((argument) => argument === holder)) return false;
  let callee = call.expression;
  while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
  const imported = ts.isIdentifier(callee) ? importedNames(view.source).get(callee.text) : undefined;
  return imported !== undefined && !imported.specifier.startsWith('.') && resolveModule(view.source.fileName, imported.specifier) === undefined;
}

/** The property `key` of the object given to a function's `index`th parameter, used safely in the function (optionStaysSafe). */
function parameterOptionStaysSafe(target: Target, index: number, key: string, walk: Walk): boolean {
  const parameter = target.fn.parameters[index];
  if (!parameter || parameter.dotDotDotToken) return false;
  if (ts.isObjectBindingPattern(parameter.name)) return patternStaysSafe(parameter.name, key, target.fn, target.view, walk);
  if (!ts.isIdentifier(parameter.name)) return false;
  const name = parameter.name.text;
  const taken: { pattern: ts.ObjectBindingPattern; scope: ts.Node }[] = [];
  let other = false;
  const visit = (node: ts.Node): void => {
    if (other) return;
    if (ts.isIdentifier(node) && node.text === name && isValueReference(node)) {
      const use = outermostWrapper(node);
      const parent = use.parent;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === use) return; // `config.db` (followed below) or another member
      if (ts.isVariableDeclaration(parent) && parent.initializer === use && ts.isObjectBindingPattern(parent.name)) taken.push({ pattern: parent.name, scope: scopeOf(parent) });
      else other = true;
      return;
    }
    if (!shadows(node)) node.forEachChild(visit);
  };
  const shadows = shadowing(target.fn, name);
  target.fn.body?.forEachChild(visit);
  return !other && nameStaysSafe(`${name}.${key}`, target.fn, target.view, walk)
    && taken.every(({ pattern, scope }) => patternStaysSafe(pattern, key, scope, target.view, walk));
}

/** The local a destructuring pattern binds the property `key` to, used safely in `scope`; a rest element may hold it. */
function patternStaysSafe(pattern: ts.ObjectBindingPattern, key: string, scope: ts.Node, view: FileView, walk: Walk): boolean {
  for (const element of pattern.elements) {
    if (element.dotDotDotToken) return false;
    const named = element.propertyName ?? element.name;
    if (!(ts.isIdentifier(named) || ts.isStringLiteral(named)) || named.text !== key) continue;
    return ts.isIdentifier(element.name) && nameStaysSafe(element.name.text, scope, view, walk);
  }
  return true;
}

/** The function a file of the project exports under a name (`export function f`, `export const f = (…) => …`, `export default function`). */
function importedFunction(importer: string, specifier: string, name: string, walk: Walk): { view: FileView; fn: ts.FunctionLikeDeclaration | undefined } | undefined {
  const file = resolveModule(resolve(importer), specifier);
  const view = file === undefined ? undefined : readView(file, walk);
  return view && { view, fn: topLevelFunction(view.source, name) };
}

/** Every read of a name (`db`) or of a property path (`cache.db`) in a scope is a safe use. */
function nameStaysSafe(key: string, scope: ts.Node, view: FileView, walk: Walk): boolean {
  const seenKey = `${view.source.fileName}\u0000${key}\u0000${scope.pos}\u0000${walk.oneRun?.entries ?? ''}`;
  if (walk.seen.has(seenKey)) return true;
  walk.seen.add(seenKey);
  if (++walk.hops > MAX_HOPS) return false;
  return referencesIn(scope, key).every((reference) => useStaysSafe(reference, view, walk));
}

/** Every read of a name (`db`) or of a property path (`cache.db`) in a scope, outside the scopes within that declare it again. */
function referencesIn(scope: ts.Node, key: string): ts.Expression[] {
  const references: ts.Expression[] = [];
  const shadows = shadowing(scope, key);
  const visit = (node: ts.Node): void => {
    if (isReferenceTo(node, key)) references.push(node as ts.Expression);
    else if (!shadows(node)) node.forEachChild(visit);
  };
  scope.forEachChild(visit);
  return references;
}

/**
 * The scopes below `scope` in which a name (`db`, or the holder of a property path: `cache` of `cache.db`) means
 * another value: when `scope` itself declares it, any scope binding it again (rebindsBelow: a function's own `const
 * db`, a parameter, a loop variable); otherwise a function whose parameter has the name (`(db) => db.transaction(…)`).
 */
function shadowing(scope: ts.Node, key: string): (node: ts.Node) => boolean {
  const dot = key.indexOf('.');
  return rebindsBelow(scope, dot < 0 ? key : key.slice(0, dot))
    ?? ((node) => ts.isFunctionLike(node) && node.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === key));
}

function isReferenceTo(node: ts.Node, key: string): boolean {
  const dot = key.indexOf('.');
  if (dot < 0) return ts.isIdentifier(node) && node.text === key && isValueReference(node);
  return ts.isPropertyAccessExpression(node) && node.name.text === key.slice(dot + 1) && ts.isIdentifier(node.expression) && node.expression.text === key.slice(0, dot);
}

function useStaysSafe(reference: ts.Expression, view: FileView, walk: Walk): boolean {
  const use = outermostWrapper(reference);
  const parent = use.parent;
  if (ts.isBinaryExpression(parent) && parent.left === use && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true; // a write
  if (ts.isPropertyAccessExpression(parent) && parent.expression === use && PROMISE_MEMBERS.has(parent.name.text)) return settledStaysSafe(parent, view, walk);
  if (ts.isPropertyAccessExpression(parent) && parent.expression === use && walk.oneRun && parent.name.text === 'transaction') return transactionRunsOnce(parent, walk.oneRun);
  if (ts.isPropertyAccessExpression(parent) && parent.expression === use) return !TRANSACTION_MEMBERS.has(parent.name.text);
  if (isMigrateArgument(use, view)) return ++walk.migrations <= 1;
  if (isTruthinessTest(use)) return true;
  if (ts.isExportSpecifier(parent) && !parent.parent.parent.moduleSpecifier) return exportStaysSafe(view.source.fileName, parent.name.text, walk);
  // A call of a followed name: the name is a factory of the database (factoryStaysSafe), the call's value one made by it.
  if (ts.isCallExpression(parent) && parent.expression === use) return useStaysSafe(parent, view, walk);
  return valueStaysSafe(use, view, walk);
}

/**
 * A factory's promise of a database (drizzle's own database has no `then`): `.then((db) => …)` hands it to the
 * callback, followed through its parameter; `.catch`/`.finally` and any other callback pass it on unread.
 */
function settledStaysSafe(member: ts.PropertyAccessExpression, view: FileView, walk: Walk): boolean {
  const call = member.parent;
  const callback = ts.isCallExpression(call) && call.expression === member && member.name.text === 'then' ? call.arguments[0] : undefined;
  const fn = callback && unwrap(callback);
  const parameter = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn.parameters[0] : undefined;
  if (!fn || !parameter || !ts.isIdentifier(parameter.name)) return false;
  return nameStaysSafe(parameter.name.text, fn, view, walk);
}

/**
 * `if (!cache.db)`, `cache.db ? … : …`, `typeof db`, `if (client && userId)`: the database is looked at, not used. An
 * operand of `&&`/`||` (either side, through parentheses) is only tested when the whole expression is.
 */
export function isTruthinessTest(use: ts.Node): boolean {
  const parent = use.parent;
  if (ts.isParenthesizedExpression(parent)) return isTruthinessTest(parent);
  if (ts.isBinaryExpression(parent) && LOGICAL_OPERATORS.has(parent.operatorToken.kind)) return isTruthinessTest(parent);
  return (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken)
    || ts.isTypeOfExpression(parent)
    || (ts.isIfStatement(parent) && parent.expression === use)
    || (ts.isConditionalExpression(parent) && parent.condition === use);
}

const LOGICAL_OPERATORS = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken]);

const verdicts = new TimedCache<boolean>(PROJECT_CACHE_MS, MAX_CACHED);

/** Every file of the project importing `exported` from `file` uses it safely (at least one does import it). */
function exportStaysSafe(fileName: string, exported: string, walk: Walk): boolean {
  // The one-off reading is for a script's own database: one that leaves its file may run transactions anywhere.
  if (walk.oneRun) return false;
  const file = resolve(fileName); // the CLI names files relative to where it runs
  const key = `${file}\u0000${exported}`;
  const cached = verdicts.fresh(key);
  if (cached) return cached.value;
  if (walk.seen.has(key)) return true;
  walk.seen.add(key);
  if (++walk.hops > MAX_HOPS) return false;
  const safe = everyImporterPasses(file, exported, {
    view: (importer) => readView(importer, walk),
    localsPass: (view, locals) => locals.every((local) => nameStaysSafe(local, view.source, view, walk)),
    reexportPasses: (importer, name) => exportStaysSafe(importer, name, walk),
    loadsPass: (view, loaded) => dynamicLoadsStaySafe(view, loaded, exported, walk),
    order: (importers) => likelyUnsafeFirst(importers, walk),
  });
  verdicts.set(key, safe);
  return safe;
}

/**
 * A `require('./db')` of the module, or an `import('./db')` whose result is not destructured or read by member: how
 * its result is used is not followed. Each load must be an `import()` read as dynamicImportStaysSafe says.
 */
function dynamicLoadsStaySafe(view: FileView, loaded: readonly string[], exported: string, walk: Walk): boolean {
  const loads = dynamicImportsOf(view.source, new Set(loaded));
  return loaded.every((s) => loads.some((load) => (load.arguments[0] as ts.StringLiteralLike).text === s))
    && loads.every((load) => dynamicImportStaysSafe(load, exported, view, walk));
}

/** The `import('…')` calls of a file whose (literal) specifier is one of `specifiers`. */
function dynamicImportsOf(source: ts.SourceFile, specifiers: Set<string>): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const argument = node.arguments[0];
      if (argument && ts.isStringLiteralLike(argument) && specifiers.has(argument.text)) found.push(node);
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  return found;
}

/**
 * A dynamic import is a named import written another way: `const { db } = await import('./db')` (also renamed,
 * `{ db: database }`), `(await import('./db')).db.select()`, `import('./db').then(({ db }) => …)`, and a bare
 * `await import('./db')` for its side effects. The export is followed through the name it is bound to; the
 * module object kept whole (`const mod = await import('./db')`), a rest element or a nested pattern is not followed.
 */
function dynamicImportStaysSafe(load: ts.CallExpression, exported: string, view: FileView, walk: Walk): boolean {
  const value = outermostWrapper(load);
  const parent = value.parent;
  if (value === load && ts.isPropertyAccessExpression(parent) && parent.name.text === 'then' && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
    const callback = parent.parent.arguments[0];
    if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
    const module = callback.parameters[0];
    return !module || bindingStaysSafe(module.name, exported, callback, view, walk);
  }
  if (ts.isVariableDeclaration(parent) && parent.initializer === value) return bindingStaysSafe(parent.name, exported, scopeOf(parent), view, walk);
  if (ts.isPropertyAccessExpression(parent) && parent.expression === value && value !== load) return parent.name.text !== exported || useStaysSafe(parent, view, walk);
  return ts.isExpressionStatement(parent) && value !== load;
}

/** The names a destructuring pattern binds the module's export to are each used safely in the scope. */
function bindingStaysSafe(name: ts.BindingName, exported: string, scope: ts.Node, view: FileView, walk: Walk): boolean {
  if (!ts.isObjectBindingPattern(name)) return false;
  return name.elements.every((element) => {
    if (element.dotDotDotToken) return false;
    const key = element.propertyName ?? element.name;
    if (!ts.isIdentifier(key) && !ts.isStringLiteral(key)) return false;
    if (key.text !== exported) return true;
    return ts.isIdentifier(element.name) && nameStaysSafe(element.name.text, scope, view, walk);
  });
}

/**
 * Importers whose text mentions a transaction or the client come first: the answer is the same in any order,
 * but one of them usually decides it, so a project whose database does run transactions (most) is not parsed
 * file by file.
 */
function likelyUnsafeFirst(importers: string[], walk: Walk): string[] {
  const mentions = (file: string) => (MENTIONS_TRANSACTION.test(readText(file, walk) ?? '') ? 0 : 1);
  return importers.map((file) => ({ file, order: mentions(file) })).sort((a, b) => a.order - b.order).map((entry) => entry.file);
}

function readView(file: string, walk: Walk): FileView | undefined {
  if (walk.files.has(file)) return walk.files.get(file);
  const text = walk.files.size < MAX_FILES ? readText(file, walk) : undefined;
  const view = text === undefined ? undefined : viewOf(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file)));
  walk.files.set(file, view);
  return view;
}

function readText(file: string, walk: Walk): string | undefined {
  if (walk.texts.has(file)) return walk.texts.get(file);
  const text = boundedText(file, MAX_FILE_BYTES);
  walk.texts.set(file, text);
  return text;
}

function isMigrateArgument(node: ts.Node, view: FileView): boolean {
  const value = outermostWrapper(node);
  const call = value.parent;
  return ts.isCallExpression(call) && call.arguments[0] === value && ts.isIdentifier(call.expression) && view.migrate.has(call.expression.text);
}

function isChoice(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.BarBarToken;
}

/** `let dbConnection: Database;` at the top of the file. */
function topLevelDeclaration(source: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  return variableDeclaredIn(source.statements, name);
}

function scopeOf(declaration: ts.VariableDeclaration): ts.Node {
  let node: ts.Node = declaration.parent;
  while (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node) && !ts.isFunctionLike(node) && node.parent) node = node.parent;
  return node;
}

/** An identifier naming a value: not a member (`obj.db`), nor the name a declaration, property or parameter declares. */
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === id;
  if (ts.isExportSpecifier(parent)) return parent.propertyName === undefined || parent.propertyName === id; // `export { db as database }`
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if ((parent as { name?: ts.Node }).name === id) return false;
  return !ts.isImportSpecifier(parent) && !ts.isImportClause(parent) && !ts.isTypeReferenceNode(parent) && !ts.isTypeQueryNode(parent) && !ts.isQualifiedName(parent);
}

