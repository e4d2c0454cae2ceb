// LISTENs a library makes for the user, asked for by an option, a plugin or a call rather than by a subscribe call
// (listenLibraries.ts) or by LISTEN text. The library keeps one connection of the pool (or of the pool it makes from the
// URL or config) it is handed, with a LISTEN on it, for as long as it runs: behind a transaction pooler that registration
// stays on whichever server connection ran it, and the notifications are lost (docs/rules/listen.md). Reported where the
// user asks for it (docs/corpus.md, session 27's rulings on library options and calls that make a LISTEN):
// - PostGraphile's `watchPg` option (v4) with any value but a false one: in watch mode it checks a client out of its pool
//   and keeps it with `LISTEN postgraphile_watch` (`watchPg: isDev` counts: development runs this code too);
// - the @graphile/pg-pubsub server plugin, loaded with `makePluginHook([PgPubsub])` (or `PgPubsub.default`): it checks a
//   client out of PostGraphile's pool for good and LISTENs there for each subscription topic;
// - graphile-worker's `run(options)` and `runTaskList(options, tasks, pgPool)`: the runner keeps a connection of its pool
//   with `LISTEN "jobs:insert"` to hear of new jobs. `runOnce`, `runTaskListOnce`, `makeWorkerUtils`, `quickAddJob` and
//   `runMigrations` listen to nothing;
// - graphql-postgres-subscriptions' `new PostgresPubSub(options)`, a GraphQL PubSub engine over pg-ipc: each subscription
//   adds a listener to its pg-ipc emitter, which sends `LISTEN topic` on the one pg Client the object holds, given as
//   `client` or opened from the rest of the options (pg's connection config). Made to serve subscriptions, it is reported
//   where it is made, as a pg-listen or pg-ipc subscriber's LISTEN would be where it subscribes. Not where the instance
//   provably subscribes no topic (neverListens): pg-ipc sends LISTEN only when a channel gets its first listener,
//   and its own events (`error`, `end`, …) are no channels. So an instance thrown away, or held in a const (or returned by
//   a factory, then held by each caller) whose every use is `subscribe('error', …)` on such an event, `publish(…)`
//   (a NOTIFY) or `unsubscribe(…)`, listens to nothing; handed to anything else (a resolver context, a library, an
//   export), or subscribed on a topic or through `asyncIterator`, it is reported.
// - PostGraphile v5's `makePgService({ pool, pubsub: true })` (from `@dataplan/pg/adaptors/pg`, or PostGraphile's
//   re-export of it): the `pubsub` option makes a PgSubscriber on the service's pool, which checks a client out of it
//   for good and LISTENs there for each subscription topic (and for watch mode). Reported at the option only where it
//   is written with a value that is not a false one: left out it defaults to on, but the user has asked for nothing.
//   Its grafserv `watch` option (the v5 successor of `watchPg`), written beside those `pgServices` in one preset, makes
//   the service's PgSubscriber LISTEN on `postgraphile_watch` to rebuild the schema after DDL: reported at the option
//   with a value that is not a false one, on the service's pool as the `pubsub` option is.
// - @socket.io/postgres-adapter's `createAdapter(pool)`, the Socket.IO adapter over PostgreSQL: it checks a client out of
//   the pg Pool it is given for good and LISTENs there on each namespace's channel for the other nodes' events (every
//   version: one client per namespace in 0.3, one shared client since 0.4). Reported at the call, as graphile-worker's
//   `run()` is. Its emitter (@socket.io/postgres-emitter) only NOTIFYs.
// - Fedify's `new PostgresMessageQueue(sql, options)` (@fedify/postgres, read at 2.4.0): its `listen(handler)` sends
//   `LISTEN fedify_channel` (its `channelName`) through postgres.js's `sql.listen` on the client it is given (a connection
//   of its own, opened with that client's URL and options), to wake the queue's workers when a message is enqueued; the constructor connects to nothing. Fedify calls `listen()` itself: on
//   `federation.startQueue()`, or on the first enqueued task unless `manuallyStartQueue` is set. Reported where it is
//   made, as PostgresPubSub is, and not where the queue provably is never listened on (neverListens): thrown away, or
//   held in a const (or returned by a factory, then held by each caller) whose every use is `enqueue`, `enqueueMany`,
//   `getDepth`, `initialize` or `drop`; handed to anything else (`createFederation({ queue })`, a wrapper, an export),
//   or listened on, it is reported. Its `PostgresKvStore` sends plain statements only and keeps no session state.
// Each comes with the pool, URL or config the library connects with, where the file shows it (the first argument of the
// `postgraphile(…)` call the options go to; graphile-worker's `pgPool` or `connectionString`; PostgresPubSub's `client`
// or its options; the postgres.js client a PostgresMessageQueue is given): embedded.ts asks whether
// that is a server no pooler fronts (the suite's own test server, a direct URL). Where the file does not show it (options
// a function returns, a runner's options handed in), the application's own is assumed.
import ts from 'typescript';
import { propertyNameText, walkDescendants } from './astWalk';
import { objectProperty, outermostWrapper, unwrap } from './embeddedFlow';
import { requiredModule } from './embeddedDialect';
import { importedNames, requiredNames, type ImportedName } from './ownServerHelpers';
import { packageSpecifier } from './packageSpecifiers';
import { constUsesPassing, localConstDeclaration, returnedValueCallsPassing } from './postgresJsUses';
import { FEDIFY_POSTGRES_MODULE, FEDIFY_POSTGRES_QUEUE_CLASS, GRAPHILE_PG_PUBSUB_MODULE, GRAPHILE_WORKER_MODULE, GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE, MAKE_PG_SERVICE, MAKE_PLUGIN_HOOK, SOCKET_IO_ADAPTER_FACTORY, SOCKET_IO_POSTGRES_ADAPTER_MODULE, WATCH_PG_OPTION } from './codeWords';

/** The plugin hook option that loads PostGraphile's server plugins, and its maker. */
const PLUGIN_HOOK_OPTION = 'pluginHook';
/** The PostGraphile server's package, whose `postgraphile(pgConfig, schema, options)` the options go to. */
const POSTGRAPHILE_MODULE = 'postgraphile';
/** graphile-worker's functions that start a runner which LISTENs, and the argument holding the pool for each (undefined: in its options). */
const LISTENING_RUNNERS: ReadonlyMap<string, number | undefined> = new Map([['run', undefined], ['runTaskList', 2]]);
/** The pg adaptor of PostGraphile v5 (grafast's @dataplan/pg), imported directly or through PostGraphile's re-exports. */
const PG_ADAPTOR_MODULE = /^(?:postgraphile\/(?:[\w-]+\/)?)?@dataplan\/pg\/adaptors\/pg$|^postgraphile\/adaptors\/pg$/;
/** The option of `makePgService` that makes its LISTEN subscriber. */
const PUBSUB_OPTION = 'pubsub';
/** A PostGraphile v5 preset's database services, its server's options, and the server option that turns watch mode on. */
const PG_SERVICES_OPTION = 'pgServices';
const GRAFSERV_OPTION = 'grafserv';
const GRAFSERV_WATCH_OPTION = 'watch';
/** graphql-postgres-subscriptions' PubSub engine, whose subscriptions LISTEN on its pg Client. */
const LISTENING_PUBSUB_CLASSES: ReadonlySet<string> = new Set(['PostgresPubSub']);
/** pg-ipc's own events, which its emitter never LISTENs on (`pubsub.subscribe('error', log)` is error handling). */
const PG_IPC_EVENTS: ReadonlySet<string> = new Set(['newListener', 'removeListener', 'notify', 'unlisten', 'listen', 'error', 'end']);
/** A PubSub engine's methods that LISTEN on nothing: `publish` NOTIFYs, `unsubscribe` drops a listener. */
const NON_LISTENING_PUBSUB_METHODS: ReadonlySet<string> = new Set(['publish', 'unsubscribe']);
/** How many factories deep a listening library's instance is followed (a factory whose callers return it on). */
const MAX_INSTANCE_FACTORY_DEPTH = 4;
/** Fedify's message queue over postgres.js, whose `listen()` LISTENs on the client it is given. */
const LISTENING_FEDIFY_QUEUES: ReadonlySet<string> = new Set([FEDIFY_POSTGRES_QUEUE_CLASS]);
/** A PostgresMessageQueue's methods that LISTEN on nothing: `enqueue`/`enqueueMany` INSERT and NOTIFY, the rest read or make its table. */
const NON_LISTENING_QUEUE_METHODS: ReadonlySet<string> = new Set(['enqueue', 'enqueueMany', 'getDepth', 'initialize', 'drop']);
/** @socket.io/postgres-adapter's factory, whose adapters LISTEN on a client of the pool it is given (its first argument). */
const LISTENING_ADAPTER_FACTORIES: ReadonlySet<string> = new Set([SOCKET_IO_ADAPTER_FACTORY]);

export type LibraryListenKind = 'watchPg' | 'pgPubsub' | 'graphileWorker' | 'postgresPubsub' | 'pgSubscriber' | 'grafservWatch' | 'socketIoAdapter' | 'fedifyQueue';

export interface LibraryListen {
  kind: LibraryListenKind;
  /** Where it is reported: the option, the plugin in the hook's list, or the call. */
  node: ts.Node;
  /** The pool, URL or config the library connects with, where the file shows it. */
  connection: ts.Expression | undefined;
}

/** The LISTENs libraries make for this file's code (see the file comment). */
export function libraryListens(source: ts.SourceFile): LibraryListen[] {
  const text = source.text;
  const mayWatch = text.includes(WATCH_PG_OPTION);
  const mayPubsub = text.includes(GRAPHILE_PG_PUBSUB_MODULE);
  const mayRun = text.includes(GRAPHILE_WORKER_MODULE);
  const maySubscribe = text.includes(GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE);
  const mayServe = text.includes(MAKE_PG_SERVICE);
  const mayAdapt = text.includes(SOCKET_IO_POSTGRES_ADAPTER_MODULE);
  const mayQueue = text.includes(FEDIFY_POSTGRES_MODULE);
  if (!mayWatch && !mayPubsub && !mayRun && !maySubscribe && !mayServe && !mayAdapt && !mayQueue) return [];
  const names = new Map<string, ImportedName>([...importedNames(source), ...requiredNames(source)]);
  const fromPostgraphile = [...names.values()].some((name) => isPostgraphileModule(name.specifier)) || importsPostgraphileTypes(source);
  const found: LibraryListen[] = [];
  const postgraphileCalls = fromPostgraphile || mayWatch ? postgraphileCallsOf(source, names) : [];
  walkDescendants(source, (node) => {
    if (mayWatch && ts.isPropertyAssignment(node) && propertyNameText(node.name) === WATCH_PG_OPTION && ts.isObjectLiteralExpression(node.parent)) {
      // An option of a PostGraphile options object: in a file of PostGraphile's, or one handed to its `postgraphile(…)`.
      const call = optionsCall(node.parent, postgraphileCalls);
      if ((fromPostgraphile || call) && !surelyOff(node.initializer, source)) found.push({ kind: 'watchPg', node, connection: call?.arguments[0] });
    } else if (mayWatch && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
      && node.left.name.text === WATCH_PG_OPTION && ts.isIdentifier(node.left.expression)) {
      // Set after the options object is built (`if (dev) options.watchPg = true`): the object held in that const counts as written in place.
      const initializer = constInitializer(source, node.left.expression.text);
      const object = initializer && unwrap(initializer);
      const call = object && ts.isObjectLiteralExpression(object) ? optionsCall(object, postgraphileCalls) : undefined;
      if ((call || (fromPostgraphile && object && ts.isObjectLiteralExpression(object))) && !surelyOff(node.right, source)) found.push({ kind: 'watchPg', node, connection: call?.arguments[0] });
    } else if (mayPubsub && ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === MAKE_PLUGIN_HOOK) {
      const list = node.arguments[0] && pluginList(node.arguments[0]);
      if (!list) return true;
      for (const element of list.elements) {
        if (!isPgPubsubPlugin(element, names)) continue;
        // `pluginHook: makePluginHook([…])` written in the options of a `postgraphile(…)` call: its pool is that call's.
        const holder = outermostWrapper(node).parent;
        const call = holder && ts.isPropertyAssignment(holder) && propertyNameText(holder.name) === PLUGIN_HOOK_OPTION && ts.isObjectLiteralExpression(holder.parent)
          ? optionsCall(holder.parent, postgraphileCalls) : undefined;
        found.push({ kind: 'pgPubsub', node: element, connection: call?.arguments[0] });
      }
    } else if (mayRun && ts.isCallExpression(node)) {
      const runner = graphileWorkerRunner(node.expression, names);
      if (runner === undefined) return true;
      const index = LISTENING_RUNNERS.get(runner);
      found.push({ kind: 'graphileWorker', node, connection: index === undefined ? runnerOptionsConnection(node.arguments[0], source) : node.arguments[index] });
    } else if (maySubscribe && ts.isNewExpression(node) && moduleFunction(node.expression, names, GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE, LISTENING_PUBSUB_CLASSES)) {
      if (!neverListens(node, isNonSubscribingCall, 0)) found.push({ kind: 'postgresPubsub', node, connection: clientOrConfig(node.arguments?.[0], source) });
    } else if (mayServe && ts.isCallExpression(node) && isMakePgService(node.expression, names)) {
      const pubsub = pubsubAskedFor(node.arguments[0], source);
      if (pubsub) found.push({ kind: 'pgSubscriber', node: pubsub.option, connection: pubsub.connection });
    } else if (mayServe && ts.isObjectLiteralExpression(node)) {
      const watch = watchAskedFor(node, names, source);
      if (watch) found.push({ kind: 'grafservWatch', node: watch.option, connection: watch.connection });
    } else if (mayAdapt && ts.isCallExpression(node) && moduleFunction(node.expression, names, SOCKET_IO_POSTGRES_ADAPTER_MODULE, LISTENING_ADAPTER_FACTORIES)) {
      found.push({ kind: 'socketIoAdapter', node, connection: node.arguments[0] });
    } else if (mayQueue && ts.isNewExpression(node) && moduleFunction(node.expression, names, FEDIFY_POSTGRES_MODULE, LISTENING_FEDIFY_QUEUES)) {
      if (!neverListens(node, isNonListeningQueueCall, 0)) found.push({ kind: 'fedifyQueue', node, connection: node.arguments?.[0] });
    }
    return true;
  });
  return found;
}

/** A callee that is the pg adaptor's `makePgService`, imported by name (renamed or not). */
function isMakePgService(callee: ts.Expression, names: ReadonlyMap<string, ImportedName>): boolean {
  const value = unwrap(callee);
  const imported = ts.isIdentifier(value) ? names.get(value.text) : undefined;
  return imported !== undefined && imported.name === MAKE_PG_SERVICE && PG_ADAPTOR_MODULE.test(imported.specifier);
}

/**
 * The `pubsub` option of `makePgService`'s options (written in the call or in a const object of the file) when it is
 * written with a value that may turn it on, and the pool or URL the service connects with (`pool`, else `connectionString`).
 */
function pubsubAskedFor(options: ts.Expression | undefined, source: ts.SourceFile): { option: ts.Node; connection: ts.Expression | undefined } | undefined {
  const object = constObject(options, source);
  const option = object?.properties.find((property) => ts.isPropertyAssignment(property) && propertyNameText(property.name) === PUBSUB_OPTION);
  if (!object || !option || !ts.isPropertyAssignment(option) || surelyOff(option.initializer, source)) return undefined;
  return { option, connection: serviceConnection(object) };
}

/**
 * The `grafserv: { watch }` option of a PostGraphile v5 preset whose `pgServices` are made by `makePgService` (written in
 * the list, or held in consts of the file), when it is written with a value that may turn watch mode on; with the pool
 * or URL of the preset's one service (pubsubAskedFor's). Several services, or a list holding anything else, show no one
 * connection. A `watch` key of an object without such services (another library's options) is not this option.
 */
function watchAskedFor(preset: ts.ObjectLiteralExpression, names: ReadonlyMap<string, ImportedName>, source: ts.SourceFile): { option: ts.Node; connection: ts.Expression | undefined } | undefined {
  const services = pgServicesOf(preset, names, source);
  if (!services?.some((service) => service !== undefined)) return undefined;
  const server = constObject(objectProperty(preset, GRAFSERV_OPTION), source);
  const option = server?.properties.find((property) => (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) && propertyNameText(property.name) === GRAFSERV_WATCH_OPTION);
  if (!option || (!ts.isPropertyAssignment(option) && !ts.isShorthandPropertyAssignment(option))) return undefined;
  if (surelyOff(ts.isPropertyAssignment(option) ? option.initializer : option.name, source)) return undefined;
  const [only] = services;
  const serviceOptions = services.length === 1 && only ? constObject(only.arguments[0], source) : undefined;
  return { option, connection: serviceOptions && serviceConnection(serviceOptions) };
}

/** What a `makePgService` options object connects with: its `pool`, else its `connectionString`. */
function serviceConnection(options: ts.ObjectLiteralExpression): ts.Expression | undefined {
  return objectProperty(options, 'pool') ?? objectProperty(options, 'connectionString');
}

/**
 * The entries of a preset's `pgServices` list (written in place or in a const of the file): each the `makePgService(…)`
 * call it is (in place or held in a const), or undefined for any other entry. Undefined without such a list.
 */
function pgServicesOf(preset: ts.ObjectLiteralExpression, names: ReadonlyMap<string, ImportedName>, source: ts.SourceFile): Array<ts.CallExpression | undefined> | undefined {
  const written = objectProperty(preset, PG_SERVICES_OPTION);
  const list = written && constValue(written, source);
  if (!list || !ts.isArrayLiteralExpression(list)) return undefined;
  return list.elements.map((element) => {
    const service = ts.isSpreadElement(element) ? undefined : constValue(element, source);
    return service && ts.isCallExpression(service) && isMakePgService(service.expression, names) ? service : undefined;
  });
}

/** An expression, or the initializer of the const of the file it names (unwrapped). */
function constValue(expression: ts.Expression, source: ts.SourceFile): ts.Expression | undefined {
  const value = unwrap(expression);
  if (!ts.isIdentifier(value)) return value;
  const initializer = constInitializer(source, value.text);
  return initializer && unwrap(initializer);
}

/** The file mocks the library's module in a test (`jest.mock('graphile-worker')`): what it calls of it is a double. */
export function mocksModule(source: ts.SourceFile, kind: LibraryListenKind): boolean {
  return mocksModuleNamed(source, kind === 'graphileWorker' ? GRAPHILE_WORKER_MODULE : kind === 'pgPubsub' ? GRAPHILE_PG_PUBSUB_MODULE
    : kind === 'pgSubscriber' || kind === 'grafservWatch' ? '@dataplan/pg/adaptors/pg'
    : kind === 'socketIoAdapter' ? SOCKET_IO_POSTGRES_ADAPTER_MODULE
    : kind === 'fedifyQueue' ? FEDIFY_POSTGRES_MODULE
    : kind === 'postgresPubsub' ? GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE : POSTGRAPHILE_MODULE);
}

/** The file mocks `module` in a test (`jest.mock('postgres-migrations')`, `vi.doMock(…)`). */
export function mocksModuleNamed(source: ts.SourceFile, module: string): boolean {
  return new RegExp(String.raw`\b(?:jest|vi)\.(?:mock|doMock)\(\s*['"\`]${module.replace(/[/.]/g, '\\$&')}['"\`]`).test(source.text);
}

function isPostgraphileModule(specifier: string): boolean {
  return specifier === POSTGRAPHILE_MODULE || specifier.startsWith(`${POSTGRAPHILE_MODULE}/`);
}

/** `import type { PostGraphileOptions } from 'postgraphile'` (importedNames leaves type-only imports out): options typed for it. */
function importsPostgraphileTypes(source: ts.SourceFile): boolean {
  return source.statements.some((statement) => ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && isPostgraphileModule(packageSpecifier(statement.moduleSpecifier.text)));
}

/**
 * The `postgraphile(…)` calls of the file: of the function imported from PostGraphile under any name, or one called
 * `postgraphile` (also `postgraphile.postgraphile(…)`, `require('postgraphile').postgraphile(…)`).
 */
function postgraphileCallsOf(source: ts.SourceFile, names: ReadonlyMap<string, ImportedName>): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node)) return true;
    const callee = unwrap(node.expression);
    if (ts.isIdentifier(callee)) {
      const imported = names.get(callee.text);
      if (imported ? isPostgraphileModule(imported.specifier) && (imported.name === POSTGRAPHILE_MODULE || imported.name === 'default') : callee.text === POSTGRAPHILE_MODULE) calls.push(node);
    } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === POSTGRAPHILE_MODULE) {
      const owner = unwrap(callee.expression);
      const module = ts.isCallExpression(owner) ? requiredModule(owner) : ts.isIdentifier(owner) ? names.get(owner.text)?.specifier : undefined;
      if (module === undefined || isPostgraphileModule(module)) calls.push(node);
    }
    return true;
  });
  return calls;
}

/**
 * The `postgraphile(…)` call an options object goes to: written as one of its arguments after the first, or held in a
 * const (`const options = { … }`) that one call of the file hands it (`postgraphile(pool, 'app', options)`).
 */
function optionsCall(object: ts.ObjectLiteralExpression, calls: readonly ts.CallExpression[]): ts.CallExpression | undefined {
  const outer = outermostWrapper(object);
  const parent = outer.parent;
  if (ts.isCallExpression(parent)) return calls.includes(parent) && parent.arguments.indexOf(outer as ts.Expression) > 0 ? parent : undefined;
  if (!ts.isVariableDeclaration(parent) || !ts.isIdentifier(parent.name) || parent.initializer !== outer) return undefined;
  const name = parent.name.text;
  const handing = calls.filter((call) => call.arguments.slice(1).some((argument) => {
    const value = unwrap(argument);
    return ts.isIdentifier(value) && value.text === name;
  }));
  return handing.length === 1 ? handing[0] : undefined;
}

/**
 * A value that surely turns the option off: `false`, `0`, `''`, `null`, `undefined`, `void …`, `!1`, or a const of the
 * file holding one. Anything else (`true`, `isDev`, `process.env.WATCH === '1'`) may turn it on when the code runs.
 */
function surelyOff(value: ts.Expression, source: ts.SourceFile, depth = 0): boolean {
  const v = unwrap(value);
  if (v.kind === ts.SyntaxKind.FalseKeyword || v.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(v)) return true;
  if (ts.isNumericLiteral(v)) return Number(v.text) === 0;
  if (ts.isStringLiteralLike(v)) return v.text === '';
  if (ts.isPrefixUnaryExpression(v) && v.operator === ts.SyntaxKind.ExclamationToken) {
    const operand = unwrap(v.operand);
    return operand.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(operand) && Number(operand.text) !== 0);
  }
  if (!ts.isIdentifier(v)) return false;
  if (v.text === 'undefined') return true;
  if (depth > 2) return false;
  const initializer = constInitializer(source, v.text);
  return initializer !== undefined && surelyOff(initializer, source, depth + 1);
}

/** The initializer of the file's only declaration of `name`, when that is a const (a top-level or local `const watch = false`). */
export function constInitializer(source: ts.SourceFile, name: string): ts.Expression | undefined {
  const declarations: ts.VariableDeclaration[] = [];
  walkDescendants(source, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) declarations.push(node);
    return true;
  });
  if (declarations.length !== 1) return undefined;
  const [declaration] = declarations;
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0 ? declaration.initializer : undefined;
}

/**
 * The plugins `makePluginHook` is handed: an array written out, or one filtered first (`[PgPubsub, Pro].filter(_ => _)`,
 * how an optional plugin that may be undefined is left out): a filter only drops plugins, so an imported plugin stays.
 */
function pluginList(argument: ts.Expression): ts.ArrayLiteralExpression | undefined {
  const list = unwrap(argument);
  if (ts.isArrayLiteralExpression(list)) return list;
  if (!ts.isCallExpression(list) || !ts.isPropertyAccessExpression(list.expression) || list.expression.name.text !== 'filter') return undefined;
  const filtered = unwrap(list.expression.expression);
  return ts.isArrayLiteralExpression(filtered) ? filtered : undefined;
}

/**
 * An element of a plugin hook's list that is @graphile/pg-pubsub's plugin: its import (`import PgPubsub from …`),
 * `require(…).default`, or the `.default` member of the module bound whole (`PgPubsub.default`, as CommonJS interop
 * hands an ES module the plugin's exports object: `import PgPubsub from …`, `import * as …`, `const PgPubsub = require(…)`).
 */
function isPgPubsubPlugin(element: ts.Expression, names: ReadonlyMap<string, ImportedName>): boolean {
  const value = unwrap(element);
  if (ts.isIdentifier(value)) return names.get(value.text)?.specifier === GRAPHILE_PG_PUBSUB_MODULE;
  if (!ts.isPropertyAccessExpression(value)) return requiredCall(value) === GRAPHILE_PG_PUBSUB_MODULE;
  if (requiredCall(value.expression) === GRAPHILE_PG_PUBSUB_MODULE) return true;
  const owner = unwrap(value.expression);
  return value.name.text === 'default' && ts.isIdentifier(owner) && wholeModule(owner, names) === GRAPHILE_PG_PUBSUB_MODULE;
}

function requiredCall(expression: ts.Expression): string | undefined {
  const value = unwrap(expression);
  return ts.isCallExpression(value) ? requiredModule(value) : undefined;
}

/**
 * The graphile-worker function a callee is, when it is one that starts a listening runner: imported by name (renamed
 * too: `import { run as runWorker }`), or a member of the module imported whole (`worker.run(…)`, `require('graphile-worker').run(…)`).
 */
function graphileWorkerRunner(callee: ts.Expression, names: ReadonlyMap<string, ImportedName>): string | undefined {
  return moduleFunction(callee, names, GRAPHILE_WORKER_MODULE, LISTENING_RUNNERS);
}

/**
 * Which of `functions` of `module` a callee is: imported by name (renamed too), or a member of the module imported
 * whole (`lib.fn(…)`, `require('lib').fn(…)`).
 */
export function moduleFunction(callee: ts.Expression, names: ReadonlyMap<string, ImportedName>, module: string, functions: { has(name: string): boolean }): string | undefined {
  const value = unwrap(callee);
  if (ts.isIdentifier(value)) {
    const imported = names.get(value.text);
    return imported?.specifier === module && functions.has(imported.name) ? imported.name : undefined;
  }
  if (!ts.isPropertyAccessExpression(value) || !functions.has(value.name.text)) return undefined;
  const owner = unwrap(value.expression);
  const loaded = ts.isCallExpression(owner) ? requiredModule(owner) : ts.isIdentifier(owner) ? wholeModule(owner, names) : undefined;
  return loaded === module ? value.name.text : undefined;
}

/** The module a name is bound to as a whole (`import * as worker from 'graphile-worker'`, `const worker = require('graphile-worker')`). */
function wholeModule(name: ts.Identifier, names: ReadonlyMap<string, ImportedName>): string | undefined {
  const imported = names.get(name.text);
  if (imported?.name === 'default') return imported.specifier;
  const declaration = name.getSourceFile().statements.find((statement) => ts.isImportDeclaration(statement) && statement.importClause?.namedBindings
    && ts.isNamespaceImport(statement.importClause.namedBindings) && statement.importClause.namedBindings.name.text === name.text);
  // Read as importedNames reads a named import of the same module (`npm:graphile-worker@0.16` is graphile-worker).
  return declaration && ts.isImportDeclaration(declaration) && ts.isStringLiteral(declaration.moduleSpecifier) ? packageSpecifier(declaration.moduleSpecifier.text) : undefined;
}

/**
 * Where a runner's options say it connects: their `pgPool`, else their `connectionString`, written in the call or in a
 * const object of the file. Undefined where they are not shown (handed in, spread from elsewhere): graphile-worker then
 * connects where they say, or to `DATABASE_URL`.
 */
function runnerOptionsConnection(options: ts.Expression | undefined, source: ts.SourceFile): ts.Expression | undefined {
  const value = constObject(options, source);
  return value && (objectProperty(value, 'pgPool') ?? objectProperty(value, 'connectionString'));
}

/**
 * The pg Client a library's options hand it (`{ client }`: PostgresPubSub's, postgres-migrations'), or else the options
 * themselves, the connection config it opens its own Client with; written in the call or in a const object of the file.
 * Undefined where they are not shown, or not given (pg's PG* environment variables then decide).
 */
export function clientOrConfig(options: ts.Expression | undefined, source: ts.SourceFile): ts.Expression | undefined {
  const value = constObject(options, source);
  return value && (objectProperty(value, 'client') ?? value);
}

/** An object literal written as the argument, or held in a const of the file the argument names. */
export function constObject(argument: ts.Expression | undefined, source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let value = argument && unwrap(argument);
  if (value && ts.isIdentifier(value)) {
    const initializer = constInitializer(source, value.text);
    value = initializer && unwrap(initializer);
  }
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}

/** A method call on a listening library's instance that makes it LISTEN on nothing (its method's name, the call). */
type NonListeningCall = (method: string, call: ts.CallExpression) => boolean;

/**
 * Whether the instance `instance` of a library that LISTENs when asked (a `new PostgresPubSub(…)` or `new
 * PostgresMessageQueue(…)`, or a call of a factory returning one) provably LISTENs on nothing: thrown away as a
 * statement, or held in a const of its scope whose every use is a call `quiet` accepts (isNonListeningUse), or returned
 * by a factory every call of which (in its file and its importers) gets an instance that does the same. Anything else
 * is taken to LISTEN.
 */
function neverListens(instance: ts.Expression, quiet: NonListeningCall, depth: number): boolean {
  if (depth > MAX_INSTANCE_FACTORY_DEPTH) return false;
  const outer = outermostWrapper(instance);
  if (ts.isExpressionStatement(outer.parent)) return true;
  if (returnedValueCallsPassing(instance, (call) => isNonListeningFactoryCall(call, quiet, depth + 1)) !== undefined) return true;
  const declaration = localConstDeclaration(instance);
  if (!declaration || (declaration.parent.flags & ts.NodeFlags.Const) === 0) return false;
  return constUsesPassing(declaration, (use) => isNonListeningUse(use, quiet, depth)) !== undefined;
}

/** A factory's name at one of its calls: the call's instance LISTENs on nothing (neverListens). */
function isNonListeningFactoryCall(name: ts.Identifier, quiet: NonListeningCall, depth: number): boolean {
  const call = name.parent;
  return ts.isCallExpression(call) && call.expression === name && neverListens(call, quiet, depth);
}

/**
 * A use of the const holding the instance that LISTENs on nothing: a method call `quiet` accepts, or `return instance`
 * from a factory whose callers' instances LISTEN on nothing.
 */
function isNonListeningUse(use: ts.Identifier, quiet: NonListeningCall, depth: number): boolean {
  const access = use.parent;
  if (ts.isPropertyAccessExpression(access) && access.expression === use && ts.isCallExpression(access.parent) && access.parent.expression === access) {
    return quiet(access.name.text, access.parent);
  }
  return depth < MAX_INSTANCE_FACTORY_DEPTH && returnedValueCallsPassing(use, (call) => isNonListeningFactoryCall(call, quiet, depth + 1)) !== undefined;
}

/**
 * A PubSub engine's call that subscribes no topic: `subscribe` of one of pg-ipc's own events
 * (`pubsub.subscribe('error', console.error)`), `publish(…)`, `unsubscribe(…)`.
 */
function isNonSubscribingCall(method: string, call: ts.CallExpression): boolean {
  if (NON_LISTENING_PUBSUB_METHODS.has(method)) return true;
  const [event] = call.arguments;
  return method === 'subscribe' && event !== undefined && ts.isStringLiteralLike(event) && PG_IPC_EVENTS.has(event.text);
}

/** A PostgresMessageQueue's call that starts no listening: `enqueue(…)`, `getDepth()`, … (not `listen(handler)`). */
function isNonListeningQueueCall(method: string): boolean {
  return NON_LISTENING_QUEUE_METHODS.has(method);
}
