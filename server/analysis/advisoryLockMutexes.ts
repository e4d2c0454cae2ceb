// The advisory-lock package's mutexes (libraryLocks.ts's session locks). Its default export takes a connection string
// and returns a mutex factory (`const createMutex = advisoryLock(url)`); each mutex (`createMutex('cron')`) sends
// `pg_advisory_lock` (lock(), withLock()) or `pg_try_advisory_lock` (tryLock()) on a pg Client it opens on that URL, and
// `pg_advisory_unlock` as a later statement (the unlock function lock()/tryLock() return, withLock() after its callback,
// mutex.unlock()). Version 1 shares one Client per factory, version 2 opens one per lock; neither uses a transaction or
// the xact family (read in binded/advisory-lock's src/index.js and index.ts). Behind a transaction pooler the lock and
// its unlock are two transactions, free to land on different server connections: withLock() is no safer than tryLock().
// The factory is often made once in a module of the project and imported where the locking happens
// (`import { createMutex } from './data'`): that module is read (wrapperObjects.ts's exportedVariable, re-exports
// followed), and the URL judged there.
import ts from 'typescript';
import { walkDescendants } from './astWalk';
import { unwrap } from './embeddedFlow';
import { fileImports, type ImportedName } from './ownServerHelpers';
import { constInitializer, moduleFunction } from './libraryListens';
import { projectModulePath } from './moduleResolution';
import { exportedVariable } from './wrapperObjects';
import { ADVISORY_LOCK_MODULE, mayCallMutexLock } from './codeWords';

/** A mutex's methods that take the lock (unlock() only releases it). */
const LOCKING_METHODS: ReadonlySet<string> = new Set(['lock', 'tryLock', 'withLock']);
/** The package's one function: its default export. */
const DEFAULT_EXPORT: ReadonlySet<string> = new Set(['default']);

export interface MutexLock {
  /** The lock call (`mutex.tryLock()`). */
  node: ts.CallExpression;
  /** The method's name, where the finding is reported (the call may start lines above: `createMutex(\n…\n).tryLock()`). */
  method: ts.Identifier;
  /** The URL the factory was made on (`advisoryLock(url)`'s argument), in whichever file made it. */
  url: ts.Expression | undefined;
}

/** Where a name or expression is read: its file, and its path on disk (for its imports). */
interface Place {
  source: ts.SourceFile;
  fileName: string | undefined;
}

/** The lock calls of this file on a mutex of the advisory-lock package (see the file comment). */
export function advisoryLockMutexLocks(source: ts.SourceFile, fileName: string | undefined): MutexLock[] {
  if (!mayCallMutexLock(source.text)) return [];
  const place: Place = { source, fileName };
  const found: MutexLock[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return true;
    const method = node.expression.name;
    if (!ts.isIdentifier(method) || !LOCKING_METHODS.has(method.text)) return true;
    const factory = mutexFactoryOf(node.expression.expression, place);
    if (factory) found.push({ node, method, url: factory.arguments[0] });
    return true;
  });
  return found;
}

/** The `advisoryLock(url)` call whose factory made the mutex `receiver` is (`createMutex('x')`, or a const holding one). */
function mutexFactoryOf(receiver: ts.Expression, place: Place): ts.CallExpression | undefined {
  const mutex = followName(receiver, place);
  if (!mutex || !ts.isCallExpression(mutex.value)) return undefined;
  return factoryCreation(mutex.value.expression, mutex.place);
}

/** The package's `advisoryLock(url)` call that `callee` is or names (a const of its file, or an import from the project). */
function factoryCreation(callee: ts.Expression, place: Place): ts.CallExpression | undefined {
  const factory = followName(callee, place);
  if (!factory || !ts.isCallExpression(factory.value)) return undefined;
  const made = factory.value;
  return isPackageFunction(made.expression, factory.place) ? made : undefined;
}

/**
 * Whether `callee` is the package's default export: its import or require (`import advisoryLock from 'advisory-lock'`,
 * `require('advisory-lock').default(url)`), or a const of the file holding that (`const lock = require('advisory-lock').default`).
 */
function isPackageFunction(callee: ts.Expression, place: Place): boolean {
  const names = fileImports(place.source);
  if (moduleFunction(callee, names, ADVISORY_LOCK_MODULE, DEFAULT_EXPORT)) return true;
  const value = unwrap(callee);
  if (!ts.isIdentifier(value) || names.has(value.text)) return false;
  const held = constInitializer(place.source, value.text);
  return held !== undefined && moduleFunction(held, names, ADVISORY_LOCK_MODULE, DEFAULT_EXPORT) !== undefined;
}

/**
 * What an expression stands for, one name deep: a name imported from a module of the project is the value that module
 * exports under it (read there), another name the const of its file it names; anything else is itself.
 */
function followName(expression: ts.Expression, place: Place): { value: ts.Expression; place: Place } | undefined {
  const value = unwrap(expression);
  if (!ts.isIdentifier(value)) return { value, place };
  const imported = fileImports(place.source).get(value.text);
  if (imported) return importedValue(imported, place);
  const held = constInitializer(place.source, value.text);
  return held && { value: unwrap(held), place };
}

/** The initializer of the variable a module of the project exports under an imported name, with that module as its place. */
function importedValue(imported: ImportedName, place: Place): { value: ts.Expression; place: Place } | undefined {
  if (imported.specifier === ADVISORY_LOCK_MODULE || !place.fileName) return undefined;
  const path = projectModulePath(place.fileName, imported.specifier);
  const exported = path ? exportedVariable(path, imported.name) : undefined;
  const initializer = exported?.declaration.initializer;
  if (!initializer) return undefined;
  const source = initializer.getSourceFile();
  return { value: unwrap(initializer), place: { source, fileName: source.fileName } };
}
