// Whether a postgres.js client (or Bun's SQL client, whose API follows it) this file creates can ever send a named prepared statement.
//
// postgres.js prepares tagged-template queries (`sql\`…\``) by default, but `sql.unsafe(text, values?)`
// defaults to `prepare: false` (the simple query protocol without values, an unnamed statement with them).
// A client whose every use in its file is such an unsafe() call, a tagged query run with `.simple()` (postgres.js
// turns prepare off for it and uses the simple query protocol), `.end()`, a look at its
// options/serializers/types, a value helper (`sql.json(v)`, `sql.typed(v, oid)`), a query that is never run,
// a handoff to a wrapper that only calls unsafe() (postgresJsWrappers.ts) or to a function of the project that
// only sends unsafe(text) through it (unsafeOnlyFunctions.ts), and which never leaves the
// file otherwise, prepares nothing. A client a factory returns (`(url) => postgres(url)`) is judged by the factory's
// calls, in its file and in the files importing it, exported as declared or by the module's export list (returnedClientNeverPrepares). postgres.js queries are lazy: a tagged template is sent only once it is awaited,
// `.then()`-ed or `.execute()`-d, so one whose value is thrown away (`sql\`…\`;`, `void sql\`…\``, as
// type-checking demos write them) never reaches the server, nor does a fragment inside such a query.
import ts from 'typescript';
import { enclosingClass, memberName, objectProperty, outermostWrapper } from './embeddedFlow';
import { isTruthinessTest } from './drizzleDatabaseUses';
import { isHandedToUnpreparingWrapper } from './postgresJsWrappers';
import { isHandedToUnsafeOnlyClass, isPassedToUnsafeOnlyFunction, isSimpleQueryTag } from './unsafeOnlyFunctions';
import { resolve } from 'node:path';
import { callerFiles, parsed } from './callerFiles';
import { importedNames } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { everyImporterPasses } from './exportImporters';
import { bindingScopeOf, hasModifier, rebindsBelow, variableDeclaredIn, walkDescendants } from './astWalk';

/** Members read without sending anything (`sql.options`, `sql.types.bigint`, `sql.serializers`). */
const INERT_MEMBERS = new Set(['options', 'serializers', 'parsers', 'types']);
/** Helpers that wrap a value as a query parameter (`sql.json(v)`, `sql.typed.rect(v)`): they send nothing. */
const VALUE_HELPERS = new Set(['json', 'array', 'typed']);
/**
 * postgres.js's LISTEN helpers: `sql.listen(channel, fn)` makes a client of its own (one connection, the same
 * options) and sends `listen "channel"` there once per channel (another listener of a channel already listened
 * to sends nothing; a reconnect starts a new connection with an empty cache); `unlisten` sends `unlisten "channel"`
 * on that connection. No statement goes through the client's own connections, and no text repeats on the
 * listener's connection unless one channel is listened to again after an unlisten. Whether that LISTEN itself
 * reaches a pooled connection is the `listen` rule's finding.
 */
const LISTENER_METHODS = new Set(['listen', 'unlisten']);
/** Query methods that return the same query, still unsent (`sql\`…\`.simple()`). */
const LAZY_MODIFIERS = new Set(['simple', 'raw', 'values']);

/**
 * True when `creation` (`const sql = postgres(…)`, not exported) is used at least once and every use in
 * its declaring scope is known not to prepare. Any other use — a tag, unsafe() with parameters, being
 * passed, returned, stored (but in a private field of its class that prepares nothing: isKeptInPrivateField) or
 * exported — may prepare, so the answer is false.
 */
export function clientNeverPrepares(creation: ts.CallExpression): boolean {
  if (onlyReadsInertMember(creation) || isHandedToUnpreparingWrapper(creation, true)) return true;
  // `return postgres(url)`, `(url) => postgres(url)`: the client is its factory's answer, judged by the factory's calls.
  if (returningFactory(creation)) return returnedClientNeverPrepares(creation);
  const declaration = localConstDeclaration(creation);
  if (!declaration) return exportedClientNeverPrepares(creation) || heldClientNeverPrepares(creation) || cachedClientNeverPrepares(creation) || mapCachedClientNeverPrepares(creation, undefined);
  return everyUseIs(declaration, (use) => isNonPreparingUse(use) || isKeptInPrivateField(use) || (returningFactory(use) !== undefined && returnedClientNeverPrepares(use)))
    || endedWithoutWaiting(declaringScope(declaration), (declaration.name as ts.Identifier).text)
    || mapCachedClientNeverPrepares(creation, declaration);
}

/**
 * A client kept per key in a Map of the module (`const tenants = new Map<string, Sql>()`), made when the key is missing
 * — `tenants.set(key, postgres(url, …))`, or a const (not exported) whose every use prepares nothing but that store —
 * and read back by `const sql = tenants.get(key)!`: each client the Map holds is one this line made, used where the
 * gets are. It prepares nothing when the Map (a `const` of the file, not exported, made empty) is mentioned only to
 * store this client (`set` as a statement), to read one into a const every use of which prepares nothing (`return
 * drizzle(sql)`, followed as any drizzle database), to test or drop keys (`has`, `delete`, `clear`, `size`), or to loop
 * over its clients doing nothing but what prepares nothing (`for (const [, c] of tenants) await c.end()`); and it is
 * read at least once. Any other mention (exported, handed on, another value stored, a get used another way) keeps the
 * finding.
 */
function mapCachedClientNeverPrepares(creation: ts.CallExpression, declaration: ts.VariableDeclaration | undefined): boolean {
  const store = declaration ? undefined : mapStore(outermostWrapper(creation));
  let map = store?.map;
  if (declaration) {
    const name = declaration.name as ts.Identifier;
    if ((declaration.parent.flags & ts.NodeFlags.Const) === 0) return false;
    let stores = 0;
    const uses = usesPassing(declaringScope(declaration), [name.text], name, (use) => {
      if (isNonPreparingUse(use)) return true;
      const into = mapStore(outermostWrapper(use));
      if (!into || (map !== undefined && into.map !== map)) return false;
      map = into.map;
      stores += 1;
      return true;
    });
    if (uses === undefined || stores === 0) return false;
  }
  if (map === undefined) return false;
  const source = creation.getSourceFile();
  const cache = variableDeclaredIn(source.statements, map);
  if (!cache || !isEmptyMap(cache) || hasModifier(cache.parent.parent, ts.SyntaxKind.ExportKeyword)) return false;
  const stored = (argument: ts.Node): boolean => {
    if (argument === outermostWrapper(creation)) return true;
    let value = argument;
    while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isNonNullExpression(value)) value = value.expression;
    return declaration !== undefined && ts.isIdentifier(value) && value.text === (declaration.name as ts.Identifier).text && bindingScopeOf(value) === declaringScope(declaration);
  };
  let reads = 0;
  const safe = everyReference(source, map, (mention) => {
    if (mention === cache.name) return true;
    const loop = mapLoop(mention);
    if (loop) return loop.value === undefined || usesPassing(loop.statement, [loop.value.text], loop.value, isNonPreparingUse) !== undefined;
    const access = mention.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== mention) return false;
    const member = access.name.text;
    if (member === 'size') return true;
    const call = access.parent;
    if (!ts.isCallExpression(call) || call.expression !== access) return false;
    if (MAP_KEY_METHODS.has(member)) return true;
    if (member === 'set') return mapSetStatement(call) !== undefined && stored(call.arguments[1]);
    if (member !== 'get') return false;
    reads += 1;
    // `drizzle(map.get(key)!)`, `drizzle({ client: map.get(key)! })`: handed straight to a library that prepares nothing.
    if (isHandedToUnpreparingWrapper(call)) return true;
    const holder = outermostWrapper(call).parent;
    if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || (holder.parent.flags & ts.NodeFlags.Const) === 0 || localConstDeclaration(call) !== holder) return false;
    return everyUseIs(holder, isNonPreparingUse);
  });
  return safe && reads > 0;
}

/** Map methods that test or drop keys, sending nothing through the clients held. */
const MAP_KEY_METHODS = new Set(['has', 'delete', 'clear']);

/** `map.set(key, value)` as a statement, `value` being `node` (through parentheses and casts): the Map's name. */
function mapStore(value: ts.Node): { map: string } | undefined {
  const call = value.parent;
  return ts.isCallExpression(call) && call.arguments[1] === value ? mapSetStatement(call) : undefined;
}

/** `map.set(key, value)` as a statement (its value not used): the Map's name. */
function mapSetStatement(call: ts.CallExpression): { map: string } | undefined {
  if (call.arguments.length !== 2) return undefined;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'set' || !ts.isIdentifier(callee.expression)) return undefined;
  return ts.isExpressionStatement(outermostWrapper(call).parent) ? { map: callee.expression.text } : undefined;
}

/** `const m = new Map()` / `new Map<K, V>()`: a Map made empty. */
function isEmptyMap(declaration: ts.VariableDeclaration): boolean {
  const made = declaration.initializer && outermostWrapper(declaration.initializer) === declaration.initializer ? declaration.initializer : undefined;
  return (declaration.parent.flags & ts.NodeFlags.Const) !== 0 && made !== undefined && ts.isNewExpression(made)
    && ts.isIdentifier(made.expression) && made.expression.text === 'Map' && (made.arguments?.length ?? 0) === 0;
}

/**
 * The Map looped over by `for (const [key, client] of map)`, `of map.entries()` or `of map.values()` (`client`
 * bound by a plain name): the loop and the name the value gets (undefined when the loop does not bind it).
 */
function mapLoop(mention: ts.Identifier): { statement: ts.ForOfStatement; value: ts.Identifier | undefined } | undefined {
  let looped: ts.Node = mention;
  let entries = true;
  const access = mention.parent;
  if (ts.isPropertyAccessExpression(access) && access.expression === mention && (access.name.text === 'entries' || access.name.text === 'values')
    && ts.isCallExpression(access.parent) && access.parent.expression === access && access.parent.arguments.length === 0) {
    looped = access.parent;
    entries = access.name.text === 'entries';
  }
  const statement = looped.parent;
  if (!ts.isForOfStatement(statement) || statement.expression !== looped || !ts.isVariableDeclarationList(statement.initializer)
    || statement.initializer.declarations.length !== 1) return undefined;
  const binding = statement.initializer.declarations[0].name;
  if (!entries) return ts.isIdentifier(binding) ? { statement, value: binding } : undefined;
  if (!ts.isArrayBindingPattern(binding) || binding.elements.some((e) => ts.isBindingElement(e) && e.dotDotDotToken)) return undefined;
  const value = binding.elements[1];
  if (value === undefined || ts.isOmittedExpression(value)) return { statement, value: undefined };
  return ts.isIdentifier(value.name) ? { statement, value: value.name } : undefined;
}


/** A function declared at the top of its module under a name, whose every call the analysis can find (returningFactory). */
interface ReturningFactory { name: ts.Identifier; exported: boolean }

/**
 * The function whose answer `value` is — `return value;` in its body (not in a function nested in it), or an arrow's
 * expression body — when that function is a factory whose calls can be followed: a `function` declared at the top of
 * its module with a name (not a generator, not a default export), or an arrow or function expression a top-level
 * `const` holds. Anything else (a method, a callback, a function handed on as a value) is not a factory here.
 */
function returningFactory(value: ts.Node): ReturningFactory | undefined {
  const node = outermostWrapper(value);
  const parent = node.parent;
  let fn: ts.Node | undefined;
  if (ts.isArrowFunction(parent) && parent.body === node) fn = parent;
  else if (ts.isReturnStatement(parent) && parent.expression === node) {
    fn = parent.parent;
    while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  }
  if (!fn) return undefined;
  if (ts.isFunctionDeclaration(fn)) {
    if (!fn.name || !ts.isSourceFile(fn.parent) || fn.asteriskToken || hasModifier(fn, ts.SyntaxKind.DefaultKeyword)) return undefined;
    return { name: fn.name, exported: hasModifier(fn, ts.SyntaxKind.ExportKeyword) };
  }
  if (!ts.isArrowFunction(fn) && !(ts.isFunctionExpression(fn) && !fn.asteriskToken)) return undefined;
  const held = outermostWrapper(fn);
  const declaration = held.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== held || !ts.isIdentifier(declaration.name)) return undefined;
  const list = declaration.parent;
  const statement = list.parent;
  if ((list.flags & ts.NodeFlags.Const) === 0 || !ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent)) return undefined;
  return { name: declaration.name, exported: hasModifier(statement, ts.SyntaxKind.ExportKeyword) };
}

/**
 * A client its factory returns (`export const openClient = (url) => postgres(url)`, `const sql = postgres(url); return
 * sql;`, or a module `let` filled and returned at once) reaches whoever calls the factory: it prepares nothing when
 * every call of the factory, in its file and (exported) in each file importing it by name — also through re-exports —
 * hands what it gets to a use that prepares nothing (a kysely-postgres-js dialect, a drizzle database that never runs a
 * transaction, `.end()`, a const used only so), and there is at least one call. Each call makes a client of its own.
 */
function returnedClientNeverPrepares(value: ts.Node): boolean {
  const factory = returningFactory(value);
  return factory !== undefined && factoryCallsNeverPrepare(factory) !== undefined;
}

/** How many calls of the factory there are when none may prepare (returnedClientNeverPrepares); undefined otherwise. */
function factoryCallsNeverPrepare(factory: ReturningFactory): number | undefined {
  return factoryCallsPassing(factory, (id) => isUnpreparedClientCall(id, true));
}

/**
 * How many calls the factory whose answer `value` is (returningFactory) has, in its file and (exported) in each file
 * importing it by name, when each passes `judgeCall` (given the factory's name at the call); undefined when `value` is
 * no factory's answer, one mention fails, or there is no call. The one follower of a factory's calls, for rules that
 * judge what each caller does with the value it gets (a PubSub engine's subscriptions, libraryListens.ts).
 */
export function returnedValueCallsPassing(value: ts.Node, judgeCall: (id: ts.Identifier) => boolean): number | undefined {
  const factory = returningFactory(value);
  return factory === undefined ? undefined : factoryCallsPassing(factory, judgeCall);
}

function factoryCallsPassing(factory: ReturningFactory, judgeCall: (id: ts.Identifier) => boolean): number | undefined {
  let calls = 0;
  const source = factory.name.getSourceFile();
  const judge = (id: ts.Identifier): boolean => {
    // `ReturnType<typeof openClient>`: a type, no call.
    if (ts.isTypeQueryNode(id.parent)) return true;
    // `export { openClient }` (also renamed): its calls in the importers, as for a factory declared exported.
    const listed = localExportName(id);
    if (listed !== undefined) return exportUsesPass(resolve(source.fileName), listed, judge, new Set());
    if (!judgeCall(id)) return false;
    calls += 1;
    return true;
  };
  if (usesPassing(source, [factory.name.text], factory.name, judge) === undefined) return undefined;
  if (factory.exported && !exportUsesPass(resolve(source.fileName), factory.name.text, judge, new Set())) return undefined;
  return calls > 0 ? calls : undefined;
}

/** The name a local export list gives `id` (`export { openClient }`, `export { openClient as open }`); undefined for any other mention. */
function localExportName(id: ts.Identifier): string | undefined {
  const specifier = id.parent;
  if (!ts.isExportSpecifier(specifier) || specifier.isTypeOnly || specifier.parent.parent.moduleSpecifier !== undefined) return undefined;
  if ((specifier.propertyName ?? specifier.name) !== id) return undefined;
  return specifier.name.text;
}

/** How many module exports a factory's calls are followed through (re-exports included) before the answer is no. */
const MAX_FACTORY_EXPORTS = 16;

/**
 * Every use of `name`, exported by `file`, in each file of the project importing it (exportImporters.ts): a named
 * import (also renamed) is judged use by use, a re-export followed into the re-exporting file's importers. False when
 * the module has no importer, a file imports it as a namespace or loads it with `require` or `import()`, a file cannot
 * be read, or more than MAX_FACTORY_EXPORTS exports are reached.
 */
function exportUsesPass(file: string, name: string, judge: (use: ts.Identifier) => boolean, seen: Set<string>): boolean {
  const key = `${file}\u0000${name}`;
  if (seen.has(key)) return true;
  seen.add(key);
  if (seen.size > MAX_FACTORY_EXPORTS) return false;
  return everyImporterPasses(file, name, {
    view: parsed,
    localsPass: (view, locals) => usesPassing(view.source, locals, undefined, judge) !== undefined,
    reexportPasses: (importer, exported) => exportUsesPass(importer, exported, judge, seen),
  });
}

/**
 * A client kept in a cache across module reloads (`const client = globalForDb.pgClient ?? postgres(url)`, then
 * `globalForDb.pgClient = client`, as Next.js apps keep one in development): the cached value is a client this same
 * line made when the module was loaded before, used by the same code. It prepares nothing when the const (not
 * exported) is used at least once, every use of it is one that prepares nothing or the store back into that cache,
 * and the file mentions the cache nowhere else (no other value is put there, nothing else reads it), as the drizzle
 * rule follows a database kept in such a cache through this file.
 */
function cachedClientNeverPrepares(creation: ts.CallExpression): boolean {
  const choice = outermostWrapper(creation).parent;
  if (!ts.isBinaryExpression(choice) || choice.right !== outermostWrapper(creation) || !FALLBACK_OPERATORS.has(choice.operatorToken.kind)) return false;
  const cache = unwrapCache(choice.left);
  const key = cache && cacheKey(cache);
  const declaration = key ? localConstDeclaration(choice) : undefined;
  if (!key || !cache || !declaration || (declaration.parent.flags & ts.NodeFlags.Const) === 0) return false;
  const name = (declaration.name as ts.Identifier).text;
  // Every mention of the cache in the file: the read on the left of the choice, or a store of this client into it.
  let mentionsSafe = true;
  const visit = (node: ts.Node): void => {
    if (!mentionsSafe) return;
    if (node !== cache && (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && cacheKey(node) === key) {
      if (!isStoreOf(node, name)) mentionsSafe = false;
      return;
    }
    node.forEachChild(visit);
  };
  visit(creation.getSourceFile());
  return mentionsSafe && everyUseIs(declaration, (use) => isNonPreparingUse(use) || isStoreIntoCache(use, key));
}

/** `a ?? b`, `a || b`: the value on the left, or the one on the right when it is missing. */
export const FALLBACK_OPERATORS = new Set([ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken]);

/** The cache read on the left of the choice, through parentheses and type assertions: a member of a name (`globalForDb.pgClient`). */
function unwrapCache(left: ts.Expression): ts.PropertyAccessExpression | ts.ElementAccessExpression | undefined {
  let node = left;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) node = node.expression;
  return (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && cacheKey(node) !== undefined ? node : undefined;
}

/** `holder.member` / `holder['member']` on a plain name: `holder.member`; undefined for anything else. */
function cacheKey(node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined {
  if (!ts.isIdentifier(node.expression)) return undefined;
  if (ts.isPropertyAccessExpression(node)) return ts.isIdentifier(node.name) ? `${node.expression.text}.${node.name.text}` : undefined;
  return ts.isStringLiteralLike(node.argumentExpression) ? `${node.expression.text}.${node.argumentExpression.text}` : undefined;
}

/** `cache = name` as a statement's assignment. */
function isStoreOf(target: ts.Node, name: string): boolean {
  const assignment = target.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.left !== target || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  let value = assignment.right;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isNonNullExpression(value)) value = value.expression;
  return ts.isIdentifier(value) && value.text === name;
}

/** The client's name as the value stored into the cache (`globalForDb.pgClient = client`). */
function isStoreIntoCache(use: ts.Identifier, key: string): boolean {
  let value: ts.Node = use;
  while (ts.isParenthesizedExpression(value.parent) || ts.isAsExpression(value.parent) || ts.isNonNullExpression(value.parent)) value = value.parent;
  const assignment = value.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.right !== value || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = assignment.left;
  return (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) && cacheKey(target) === key;
}

/**
 * An exported client (`export const migrationClient = postgres(url, { max: 1 })`) is used where it is imported: it
 * prepares nothing when it is used at least once, and every use in its file and in each file of the project that
 * imports it by name (`import { migrationClient } from './db'`) is one that prepares nothing (`migrate(drizzle(
 * migrationClient), …)`, `migrationClient.end()`). A file reaching it another way (a namespace import, a barrel,
 * `require`), or no file of the project at all (a library's export, for its users), may do anything with it.
 */
function exportedClientNeverPrepares(creation: ts.CallExpression): boolean {
  const declaration = exportedConstDeclaration(creation);
  if (!declaration) return false;
  const name = (declaration.name as ts.Identifier).text;
  const uses = usesPassing(declaringScope(declaration), [name], declaration.name, isNonPreparingUse);
  const imported = uses === undefined ? undefined : importersUsesPassing(declaration.getSourceFile(), name, isNonPreparingUse);
  // An export no file of the project imports is for users the analysis cannot see.
  return uses !== undefined && imported !== undefined && imported.importers > 0 && uses + imported.uses > 0;
}

/**
 * The uses of `name`, exported by `source`, in every file of the project that imports it by name (`import { name as
 * local } from './db'`), when each passes `inert`: how many files import it and how many uses they make. Undefined
 * when a use fails, a file cannot be read, or a file mentions the name without importing it so (a namespace import,
 * a barrel, `require`), through which it may do anything with it.
 */
function importersUsesPassing(source: ts.SourceFile, name: string, inert: (use: ts.Identifier) => boolean): { importers: number; uses: number } | undefined {
  const self = resolve(source.fileName);
  let importers = 0;
  let uses = 0;
  for (const file of callerFiles(self)) {
    if (file === self) continue;
    const view = parsed(file);
    if (!view) return undefined;
    if (!view.source.text.includes(name)) continue;
    const locals = [...importedNames(view.source)].filter(([, imported]) => imported.name === name && resolveModule(file, imported.specifier) === self).map(([local]) => local);
    if (locals.length === 0) return undefined;
    const more = usesPassing(view.source, locals, undefined, inert);
    if (more === undefined) return undefined;
    importers += 1;
    uses += more;
  }
  return { importers, uses };
}

/**
 * A client kept in a private field of its class (`this.sql = postgres(url)` in the constructor, `#sql =
 * postgres(url)`, `private sql = postgres(url)`) or in a `let`/`var` the code fills in (`listener =
 * postgres(url)` in a start-up function): it prepares nothing when every mention of that field in the class, or
 * of that variable in its scope, is a use that prepares nothing (`listen`, `unlisten`, `end`, `unsafe(text)`…), a
 * test of whether it is set (`if (!this.sql)`, `listener === null`) or an assignment to it, and there is at
 * least one use. A field the class does not declare private can be used from outside it, an exported variable
 * likewise: no answer.
 */
function heldClientNeverPrepares(creation: ts.CallExpression): boolean {
  const node = outermostWrapper(creation);
  const parent = node.parent;
  if (ts.isPropertyDeclaration(parent) && parent.initializer === node) {
    const name = memberName(parent);
    return name !== undefined && ts.isClassLike(parent.parent) && privateFieldNeverPrepares(parent.parent, name);
  }
  if (!ts.isBinaryExpression(parent) || parent.right !== node || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = parent.left;
  if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) return thisFieldNeverPrepares(target);
  if (!ts.isIdentifier(target)) return false;
  let uses = 0;
  const safe = everyReferenceInScope(target, (reference) => {
    if (isDeclaredName(reference)) return true;
    const verdict = heldUse(reference);
    if (verdict) uses += 1;
    if (verdict !== undefined) return true;
    // `return listener` as a getter's whole answer: the client is used wherever the getter is called.
    const getter = returningGetter(reference);
    const factory = getter ? undefined : returnedRightAfterFilling(reference, parent);
    const handedOut = getter ? getterCallsNeverPrepare(getter) : factory && factoryCallsNeverPrepare(factory);
    if (handedOut) uses += handedOut;
    return handedOut !== undefined;
  });
  return safe && uses > 0;
}

/** `this.<field>` assigned a client: the field is a private one of the enclosing class that prepares nothing (privateFieldNeverPrepares). */
function thisFieldNeverPrepares(target: ts.PropertyAccessExpression): boolean {
  const owner = enclosingClass(target);
  return owner !== undefined && privateFieldNeverPrepares(owner, target.name.text);
}

/**
 * A use of a client's const that copies it into a private field of its class (`const sql = postgres(url); this.sql =
 * sql;`) every mention of which prepares nothing: the field holds the same client, so its uses are the const's too.
 */
function isKeptInPrivateField(use: ts.Identifier): boolean {
  const node = outermostWrapper(use);
  const assignment = node.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.right !== node || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = assignment.left;
  return ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword && thisFieldNeverPrepares(target);
}

/**
 * The function `return variable` answers for, when it is a getter of that variable: a function declared at the top
 * of its module, with no parameters, not async nor a generator, whose body is only that return, after statements
 * that fill the variable when it is empty (`if (!listener) { listener = postgres(url); }`, `listener ??= …`). Its
 * callers get the very client the variable holds, nothing else.
 */
function returningGetter(reference: ts.Identifier): ts.FunctionDeclaration | undefined {
  const returned = outermostWrapper(reference);
  const statement = returned.parent;
  if (!ts.isReturnStatement(statement) || statement.expression !== returned || !ts.isBlock(statement.parent)) return undefined;
  const getter = statement.parent.parent;
  if (!ts.isFunctionDeclaration(getter) || !getter.name || !ts.isSourceFile(getter.parent) || getter.parameters.length > 0 || getter.asteriskToken
    || hasModifier(getter, ts.SyntaxKind.AsyncKeyword) || hasModifier(getter, ts.SyntaxKind.DefaultKeyword)) return undefined;
  const statements = statement.parent.statements;
  const fills = statements.slice(0, -1);
  return statements[statements.length - 1] === statement && fills.every((fill) => fillsWhenEmpty(fill, reference.text)) ? getter : undefined;
}

/**
 * `listener = postgres(url); return listener;` in a factory (returningFactory): the return comes right after the statement
 * that fills the variable with the client being judged (`filling`), in the same block, nothing awaited between, so the
 * caller gets that very client, made on this call.
 */
function returnedRightAfterFilling(reference: ts.Identifier, filling: ts.BinaryExpression): ReturningFactory | undefined {
  const returned = outermostWrapper(reference);
  const statement = returned.parent;
  if (!ts.isReturnStatement(statement) || statement.expression !== returned || !ts.isBlock(statement.parent)) return undefined;
  const statements = statement.parent.statements;
  const previous = statements[statements.indexOf(statement) - 1];
  if (!previous || !ts.isExpressionStatement(previous) || previous.expression !== filling) return undefined;
  return returningFactory(reference);
}

/** `if (!name) name = …;` (a block of such assignments, no else; `name == null` as the test too), or `name ??= …;`. */
function fillsWhenEmpty(statement: ts.Statement, name: string): boolean {
  if (ts.isExpressionStatement(statement)) return assignsTo(statement.expression, name, ts.SyntaxKind.QuestionQuestionEqualsToken);
  if (!ts.isIfStatement(statement) || statement.elseStatement || !testsEmpty(statement.expression, name)) return false;
  const body = ts.isBlock(statement.thenStatement) ? statement.thenStatement.statements : [statement.thenStatement];
  return body.length > 0 && body.every((fill) => ts.isExpressionStatement(fill) && assignsTo(fill.expression, name, ts.SyntaxKind.EqualsToken));
}

function assignsTo(expression: ts.Expression, name: string, operator: ts.SyntaxKind): boolean {
  return ts.isBinaryExpression(expression) && expression.operatorToken.kind === operator && ts.isIdentifier(expression.left) && expression.left.text === name;
}

/** `!name`, `name === null`, `name == undefined` (either side). */
function testsEmpty(test: ts.Expression, name: string): boolean {
  const isName = (node: ts.Expression): boolean => ts.isIdentifier(node) && node.text === name;
  if (ts.isPrefixUnaryExpression(test)) return test.operator === ts.SyntaxKind.ExclamationToken && isName(test.operand);
  return ts.isBinaryExpression(test) && (test.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || test.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken)
    && ((isName(test.left) && isNullish(test.right)) || (isName(test.right) && isNullish(test.left)));
}

/**
 * How many uses of the getter's client its callers make, when none of them may prepare: each mention of the getter,
 * in its file and (exported) in each file importing it by name, is a call whose result is used as a held client is
 * (`listener().listen(channel, fn)`, `.end()`), or kept in a const whose every use prepares nothing (`const listener =
 * notificationClient(); await listener.listen(…)`). Undefined otherwise, or when an exported getter has no importer
 * (a library's export, for its users).
 */
function getterCallsNeverPrepare(getter: ts.FunctionDeclaration): number | undefined {
  const name = getter.name!.text;
  const source = getter.getSourceFile();
  const own = usesPassing(source, [name], getter.name, isListenOnlyGetterCall);
  if (own === undefined || !hasModifier(getter, ts.SyntaxKind.ExportKeyword)) return own || undefined;
  const imported = importersUsesPassing(source, name, isListenOnlyGetterCall);
  return imported && imported.importers > 0 && own + imported.uses > 0 ? own + imported.uses : undefined;
}

/** A mention of a getter that is a call without arguments whose client prepares nothing (getterCallsNeverPrepare). */
function isListenOnlyGetterCall(id: ts.Identifier): boolean {
  return isUnpreparedClientCall(id, false);
}

/**
 * A mention of a function handing out a client that is a call (with arguments only when `withArguments`: a factory's)
 * whose client is used as a held client is (heldUse), or kept in a const whose every use prepares nothing.
 */
function isUnpreparedClientCall(id: ts.Identifier, withArguments: boolean): boolean {
  const call = id.parent;
  if (!ts.isCallExpression(call) || call.expression !== id || (!withArguments && call.arguments.length > 0)) return false;
  if (heldUse(call) !== undefined) return true;
  const holder = outermostWrapper(call).parent;
  return ts.isVariableDeclaration(holder) && holder.initializer === outermostWrapper(call) && ts.isIdentifier(holder.name)
    && (holder.parent.flags & ts.NodeFlags.Const) !== 0 && everyUseIs(holder, isNonPreparingUse);
}

/**
 * Whether `judge` holds for every reference (isReference) to the `let`/`var` that `target` names, in the scope that
 * declares it (variableScope; everyReference): the declaration's name and `target` itself included. False when the
 * variable has no such scope (a parameter, a const, an export).
 */
export function everyReferenceInScope(target: ts.Identifier, judge: (reference: ts.Identifier) => boolean): boolean {
  const scope = variableScope(target);
  return scope !== undefined && everyReference(scope, target.text, judge);
}

/**
 * Whether `judge` holds for every reference (isReference) to `name` in `root`, `root` itself included, in source
 * order; none is judged after the first that fails. The one walk over a client's mentions for the judgements here and
 * in postgresJsOneShot.ts (a judge may count or tally what it sees).
 */
export function everyReference(root: ts.Node, name: string, judge: (reference: ts.Identifier) => boolean): boolean {
  const holds = (node: ts.Node): boolean => !(ts.isIdentifier(node) && node.text === name && isReference(node)) || judge(node);
  const rebound = rebindsBelow(root, name);
  let safe = holds(root);
  if (safe) {
    walkDescendants(root, (node) => {
      if (rebound?.(node)) return false;
      if (!holds(node)) safe = false;
    }, () => !safe);
  }
  return safe;
}

/** The block, module or file whose own `let`/`var` statement declares `id`'s name (not exported), if one encloses it before any parameter of that name. */
export function variableScope(id: ts.Identifier): ts.Node | undefined {
  for (let node: ts.Node | undefined = id.parent; node; node = node.parent) {
    if (ts.isFunctionLike(node) && node.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text)) return undefined;
    if (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node)) continue;
    for (const statement of node.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const declares = statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === id.text);
      if (!declares) continue;
      const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      return exported || (statement.declarationList.flags & ts.NodeFlags.Const) !== 0 ? undefined : node;
    }
  }
  return undefined;
}

function isDeclaredName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return ts.isVariableDeclaration(parent) && parent.name === id;
}

/**
 * Every `this.<name>` in the class (nested classes aside, whose `this` is another) reads the field: a `private`
 * or `#` field only. Reading `this` another way (`const { sql } = this`, `this['sql']`) may reach it unseen.
 */
function privateFieldNeverPrepares(owner: ts.ClassLikeDeclaration, name: string): boolean {
  const isPrivate = name.startsWith('#') || owner.members.some((member) => memberName(member) === name && isPrivateMember(member))
    || owner.members.some((member) => ts.isConstructorDeclaration(member) && member.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name && isPrivateMember(p)));
  if (!isPrivate) return false;
  let uses = 0;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe || (node !== owner && ts.isClassLike(node))) return;
    if (node.kind === ts.SyntaxKind.ThisKeyword) {
      const access = node.parent;
      if (ts.isPropertyAccessExpression(access) && access.expression === node) {
        if (access.name.text === name) {
          const verdict = heldUse(access);
          if (verdict === undefined) safe = false;
          else if (verdict) uses += 1;
        }
      } else if (ts.isElementAccessExpression(access) || ts.isVariableDeclaration(access) || ts.isBinaryExpression(access)) safe = false;
      return;
    }
    node.forEachChild(visit);
  };
  visit(owner);
  return safe && uses > 0;
}

function isPrivateMember(member: ts.Node): boolean {
  return hasModifier(member, ts.SyntaxKind.PrivateKeyword);
}

/**
 * One mention of a held client: true for a use that prepares nothing, false for an assignment to it or a test of
 * whether it is set (`!sql`, `sql === null`, `if (sql)`), undefined for anything else.
 */
export function heldUse(use: ts.Expression): boolean | undefined {
  let value: ts.Node = use;
  while (ts.isParenthesizedExpression(value.parent) || ts.isNonNullExpression(value.parent)) value = value.parent;
  const parent = value.parent;
  if (ts.isBinaryExpression(parent) && parent.left === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return false;
  if (isTruthinessTest(value)) return false;
  if (ts.isBinaryExpression(parent) && NULL_TESTS.has(parent.operatorToken.kind) && isNullish(parent.left === value ? parent.right : parent.left)) return false;
  return isNonPreparingUse(use as ts.Identifier) ? true : undefined;
}

const NULL_TESTS = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

export function isNullish(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined');
}

/** `export const x = postgres(…)` at the top of its module. */
function exportedConstDeclaration(creation: ts.CallExpression): ts.VariableDeclaration | undefined {
  const node = outermostWrapper(creation);
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name)) return undefined;
  const list = declaration.parent;
  const statement = list.parent;
  const exported = ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword);
  return exported && (list.flags & ts.NodeFlags.Const) !== 0 && ts.isSourceFile(statement.parent) ? declaration : undefined;
}

/** How many references to `names` under `scope` there are (import bindings and `declared` aside), when all pass `inert`. */
function usesPassing(scope: ts.Node, names: readonly string[], declared: ts.Node | undefined, inert: (use: ts.Identifier) => boolean): number | undefined {
  let uses = 0;
  let allInert = true;
  // A scope within that binds one of the names again holds another value under it (rebindsBelow): not this one's uses.
  const rebound = names.map((name) => rebindsBelow(scope, name));
  const visit = (node: ts.Node, live: readonly string[]): void => {
    if (!allInert) return;
    if (ts.isIdentifier(node) && live.includes(node.text) && node !== declared && isReference(node)
      && !ts.isImportSpecifier(node.parent) && !ts.isImportClause(node.parent)) {
      uses += 1;
      if (!inert(node)) allInert = false;
    }
    const inner = live.filter((name) => !rebound[names.indexOf(name)]?.(node));
    if (inner.length > 0) node.forEachChild((child) => visit(child, inner));
  };
  scope.forEachChild((child) => visit(child, names));
  return allInert ? uses : undefined;
}

/**
 * The same question for Bun's SQL client (`const sql = new SQL(url)`, bunSql.ts), whose API follows
 * postgres.js: `unsafe(text)` without values runs with the simple query protocol (Bun allows several statements
 * there), which names no statement, and `close()`/`end()` send nothing. `unsafe(text, values)` and tags that
 * are sent may prepare.
 */
export function bunClientNeverPrepares(creation: ts.NewExpression): boolean {
  const declaration = localConstDeclaration(creation);
  return declaration !== undefined && everyUseIs(declaration, isBunNonPreparingUse);
}

/** Whether the const is used at least once in its declaring scope, and every use passes `inert`. */
function everyUseIs(declaration: ts.VariableDeclaration, inert: (use: ts.Identifier) => boolean): boolean {
  const uses = constUsesPassing(declaration, inert);
  return uses !== undefined && uses > 0;
}

/** How many uses the const (localConstDeclaration) has in its declaring scope when every one passes `inert`; undefined otherwise. */
export function constUsesPassing(declaration: ts.VariableDeclaration, inert: (use: ts.Identifier) => boolean): number | undefined {
  return usesPassing(declaringScope(declaration), [(declaration.name as ts.Identifier).text], declaration.name, inert);
}

function isBunNonPreparingUse(id: ts.Identifier): boolean {
  const access = id.parent;
  if (ts.isTaggedTemplateExpression(access) && access.tag === id) return isNeverSent(access);
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id) return false;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return false;
  const member = access.name.text;
  if (member === 'close' || member === 'end') return true;
  return member === 'unsafe' && call.arguments.length === 1 && !ts.isSpreadElement(call.arguments[0]);
}

/** Calls that run a postgres.js query (or wait for some promise that may be one). */
const RUNS_QUERY = new Set(['then', 'catch', 'finally', 'execute']);

/**
 * A client made and `.end()`-ed in the same synchronous function body that waits for nothing and returns
 * nothing, used otherwise only as a value (compared, passed to a call that returns something to compare): a
 * unit test of code that picks or wraps a client (`assertEquals(pick({ sql }), sql); sql.end();`). postgres.js
 * queries run only once awaited or `.then()`-ed, so nothing here sends one, and the client ends before the
 * function returns. A tag, a member call other than `end`, a use inside a nested function, a store into
 * something that outlives the body, or any wait gives the answer false.
 */
function endedWithoutWaiting(scope: ts.Node, name: string): boolean {
  const fn = scope.parent;
  if (!ts.isBlock(scope) || !fn || !isSynchronousFunction(fn)) return false;
  let ended = false;
  let safe = true;
  const visit = (node: ts.Node, nested: boolean): void => {
    if (!safe) return;
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node) || (ts.isReturnStatement(node) && node.expression && !nested)) safe = false;
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && RUNS_QUERY.has(node.expression.name.text)) safe = false;
    else if (ts.isIdentifier(node) && node.text === name && isReference(node)) {
      if (nested || !isPassedAsValue(node)) safe = false;
      else if (isEndCall(node)) ended = true;
    }
    node.forEachChild((child) => visit(child, nested || ts.isFunctionLike(child)));
  };
  scope.forEachChild((child) => visit(child, ts.isFunctionLike(child)));
  return safe && ended;
}

function isSynchronousFunction(node: ts.Node): boolean {
  if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node) && !ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node)) return false;
  return !node.asteriskToken && !hasModifier(node, ts.SyntaxKind.AsyncKeyword);
}

/** `name.end()` as a statement of its own. */
function isEndCall(id: ts.Identifier): boolean {
  const access = id.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === id && access.name.text === 'end'
    && ts.isCallExpression(access.parent) && access.parent.expression === access && ts.isExpressionStatement(access.parent.parent);
}

/**
 * The client used as a plain value: ended, an argument of a call, a property value of an object literal held
 * in a const or passed along (`{ sql: client }`), or the declaration itself. Not a tag, not another member,
 * not assigned to anything (`this.sql = client`, `outer = client`).
 */
function isPassedAsValue(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isVariableDeclaration(parent) && parent.name === id) return true;
  if (isEndCall(id)) return true;
  if (ts.isCallExpression(parent)) return parent.expression !== id;
  if (ts.isShorthandPropertyAssignment(parent) || (ts.isPropertyAssignment(parent) && parent.initializer === id)) return heldOrPassed(parent.parent);
  return false;
}

/** An object literal that is a call's argument or a const's initializer. */
function heldOrPassed(object: ts.ObjectLiteralExpression): boolean {
  const holder = object.parent;
  return (ts.isCallExpression(holder) && holder.arguments.includes(object)) || (ts.isVariableDeclaration(holder) && holder.initializer === object);
}

/** `postgres(…).options`: a client made only to read what it parsed, never kept, so it never sends a query. */
function onlyReadsInertMember(creation: ts.CallExpression): boolean {
  let node: ts.Node = creation;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const access = node.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === node && INERT_MEMBERS.has(access.name.text);
}

export function localConstDeclaration(creation: ts.Expression): ts.VariableDeclaration | undefined {
  const node = outermostWrapper(creation);
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name)) return undefined;
  const statement = declaration.parent.parent;
  if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) return undefined;
  return declaration;
}

/** The block, function body or file the declaration lives in; a scope within that declares the name again is left out of its uses (rebindsBelow). */
export function declaringScope(declaration: ts.VariableDeclaration): ts.Node {
  let node: ts.Node = declaration.parent;
  while (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node) && !ts.isCaseClause(node) && !ts.isFunctionLike(node) && !ts.isForStatement(node) && node.parent) node = node.parent;
  return node;
}

/** An identifier naming a value, not a member name (`obj.sql`) or a property key (`{ sql: 1 }`). */
export function isReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id) return false;
  return true;
}

export function isNonPreparingUse(id: ts.Identifier): boolean {
  if (isHandedToUnpreparingWrapper(id) || isPassedToUnsafeOnlyFunction(id) || isHandedToUnsafeOnlyClass(id)) return true;
  const access = id.parent;
  if (ts.isTaggedTemplateExpression(access) && access.tag === id) return isNeverSent(access) || isSimpleQueryTag(id);
  // `sql(column)`, `sql(rows, 'a', 'b')` in a query's hole: an identifier or values helper, part of that query.
  if (ts.isCallExpression(access) && access.expression === id) return isPartOfEnclosingQuery(access);
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id) return false;
  const member = access.name.text;
  if (INERT_MEMBERS.has(member) || VALUE_HELPERS.has(member)) return true;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return false;
  if (member === 'end' || LISTENER_METHODS.has(member)) return true;
  return member === 'unsafe' && unsafeCallSkipsPrepare(call);
}

/**
 * postgres.js `unsafe(text, args?, options?)` defaults to `prepare: false`: it prepares only when its options
 * say `prepare: true`. Its options are the object literal in second place (postgres.js reads a non-array
 * second argument as options) or the third argument; any other second argument is taken as the values
 * (`unsafe(text, params)`, as query builders call it). Options that cannot be read (a spread, a name, a
 * computed `prepare`) may prepare.
 */
function unsafeCallSkipsPrepare(call: ts.CallExpression): boolean {
  if (call.arguments.some(ts.isSpreadElement)) return false;
  const [, second, third] = call.arguments;
  const options = second && ts.isObjectLiteralExpression(second) ? second : third;
  if (!options) return true;
  if (!ts.isObjectLiteralExpression(options)) return false;
  const prepare = objectProperty(options, 'prepare');
  return prepare === undefined || prepare.kind === ts.SyntaxKind.FalseKeyword;
}

/** A query whose value is thrown away (after lazy modifiers), or a fragment inside another query's hole. */
function isNeverSent(query: ts.TaggedTemplateExpression): boolean {
  let outer = outsideParentheses(query);
  for (;;) {
    const access = outer.parent;
    const call = access.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== outer || !LAZY_MODIFIERS.has(access.name.text)) break;
    if (!ts.isCallExpression(call) || call.expression !== access || call.arguments.length > 0) break;
    outer = outsideParentheses(call);
  }
  return ts.isExpressionStatement(outer.parent) || ts.isVoidExpression(outer.parent) || isPartOfEnclosingQuery(query);
}

/** A node through the parentheses around it. */
export function outsideParentheses(node: ts.Node): ts.Node {
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return node;
}

/**
 * Whether `node`'s value only becomes part of a tagged template's hole: through parentheses, a choice
 * (`c ? sql\`a\` : sql\`b\``), `&&`/`||`/`??`, arrays, spreads and arrow callbacks whose body it is
 * (`\${cols.map((c) => sql\`\${sql(c)}\`)}`). Anything else (an await, a call taking it) may run it.
 */
function isPartOfEnclosingQuery(node: ts.Node): boolean {
  for (let depth = 0; depth < MAX_HOLE_DEPTH; depth++) {
    const parent = node.parent;
    if (!parent) return false;
    if (ts.isTemplateSpan(parent)) return parent.expression === node && ts.isTaggedTemplateExpression(parent.parent.parent);
    if (!carriesValueToParent(node, parent)) return false;
    node = parent;
  }
  return false;
}

const MAX_HOLE_DEPTH = 16;
const LOGICAL = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

function carriesValueToParent(node: ts.Node, parent: ts.Node): boolean {
  if (ts.isParenthesizedExpression(parent) || ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent)) return true;
  if (ts.isConditionalExpression(parent)) return parent.condition !== node;
  if (ts.isBinaryExpression(parent)) return LOGICAL.has(parent.operatorToken.kind) && parent.right === node;
  if (ts.isArrowFunction(parent)) return parent.body === node;
  // The arrow callback of `cols.map(cb)`: its results become the call's value.
  if (ts.isCallExpression(parent)) return ts.isArrowFunction(node) && parent.arguments.includes(node as ts.Expression);
  return false;
}
