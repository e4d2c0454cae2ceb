// The words of code (not of SQL text) that the TS/JS analysis's code findings hang on. The extractor
// (embedded.ts, embeddedFlow.ts) matches them, and the gate that skips files before parsing
// (embeddedGate.ts) lets through every file holding them: one list, so the two cannot drift apart.

/** postgres.js's module and factory: `postgres(url)` without `prepare: false` prepares every query. */
export const POSTGRES_JS_MODULE = 'postgres';
/** postgres.js `sql.listen(channel, fn)` sends LISTEN. */
export const LISTEN_METHOD = 'listen';
/** LISTEN/NOTIFY libraries' subscribe calls (listenLibraries.ts): pg-listen's `listenTo`, pg-pubsub's `addChannel`. */
export const LISTEN_TO_METHOD = 'listenTo';
export const ADD_CHANNEL_METHOD = 'addChannel';
export const PG_LISTEN_MODULE = 'pg-listen';
export const PG_PUBSUB_MODULE = 'pg-pubsub';
/**
 * pg-ipc and its continuation postgres-ipc: an EventEmitter over a pg Client that sends `LISTEN channel` when a channel
 * gets its first listener (`ipc.on(channel, fn)`, listenLibraries.ts).
 */
export const PG_IPC_MODULES: readonly string[] = ['pg-ipc', 'postgres-ipc'];
/** An emitter's subscribe methods (`ee.on(channel, fn)`): on a pg-ipc emitter each sends LISTEN (listenLibraries.ts, embeddedGate.ts). */
export const EMITTER_SUBSCRIBE_METHODS: readonly string[] = ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'];
/**
 * pg-notify's `PGPubSub`: a wrapper of one pg Client whose `on(channel, fn)` sends `LISTEN channel` for a channel's first
 * listener; every `on` of it is a channel's (it has no events of its own; listenLibraries.ts).
 */
export const PG_NOTIFY_MODULE = 'pg-notify';
/** @imqueue/pg-pubsub's `pubSub.listen(channel)`: a subscriber object of its `PgPubSub` class (listenLibraries.ts). */
export const IMQUEUE_PG_PUBSUB_MODULE = '@imqueue/pg-pubsub';
/**
 * LISTENs libraries make when an option, a plugin or a call asks for them (libraryListens.ts): PostGraphile's `watchPg`
 * option, the @graphile/pg-pubsub plugin, graphile-worker's `run()`, graphql-postgres-subscriptions' `PostgresPubSub`,
 * @socket.io/postgres-adapter's `createAdapter(pool)`, Fedify's `PostgresMessageQueue`.
 */
export const WATCH_PG_OPTION = 'watchPg';
export const GRAPHILE_PG_PUBSUB_MODULE = '@graphile/pg-pubsub';
export const GRAPHILE_WORKER_MODULE = 'graphile-worker';
/** postgres-migrations, whose `migrate()` takes a session advisory lock on the client it is given (libraryLocks.ts). */
export const POSTGRES_MIGRATIONS_MODULE = 'postgres-migrations';
/**
 * postgres-migrations and its forks, published under their own names with the same `migrate()` and the same lock
 * around it (postgres-schema-migrations: the migrations table in a schema of the caller's choice). The one list of
 * the family: the lock (libraryLocks.ts), the code gate and the migration-folder tools (projectMigrators.ts) read it.
 */
export const POSTGRES_MIGRATIONS_MODULES: readonly string[] = [POSTGRES_MIGRATIONS_MODULE, 'postgres-schema-migrations'];
/** graphql-postgres-subscriptions, whose `new PostgresPubSub(options)` LISTENs (through pg-ipc) on the client it is given or opens. */
export const GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE = 'graphql-postgres-subscriptions';
/** @socket.io/postgres-adapter, whose `createAdapter(pool)` checks a client out of the pool for good and LISTENs there (libraryListens.ts). */
export const SOCKET_IO_POSTGRES_ADAPTER_MODULE = '@socket.io/postgres-adapter';
/**
 * Its factory's name, the gate's word for it (a code word starts with a word character; the scoped module's name does
 * not). Other Socket.IO adapters share the name: their files are scanned, and libraryListens.ts checks the module.
 */
export const SOCKET_IO_ADAPTER_FACTORY = 'createAdapter';
/**
 * @fedify/postgres, whose `new PostgresMessageQueue(sql)` LISTENs on the postgres.js client it is given when the queue
 * is listened on (libraryListens.ts); the class's name is the gate's word for it (a code word starts with a word character).
 */
export const FEDIFY_POSTGRES_MODULE = '@fedify/postgres';
export const FEDIFY_POSTGRES_QUEUE_CLASS = 'PostgresMessageQueue';
/** PostGraphile v5's pg adaptor's service maker, whose `pubsub` option makes a LISTEN subscriber on the service's pool. */
export const MAKE_PG_SERVICE = 'makePgService';
/** advisory-lock, whose mutexes take session advisory locks on a client they open on the URL given (advisoryLockMutexes.ts). */
export const ADVISORY_LOCK_MODULE = 'advisory-lock';
/**
 * A call of a lock method of such a mutex (`.tryLock(`, `.lock(`, `.withLock(`, `?.(` too): the file may lock through a
 * factory a module of the project makes, with no code word of its own. Read in the file's text (embeddedGate.ts), as
 * identifiers named `lock` are too common to make every file holding one parsed.
 */
export const MUTEX_LOCK_CALL = /\.\s*(?:tryLock|lock|withLock)\s*(?:\?\.\s*)?\(/;
/**
 * Whether a text holds MUTEX_LOCK_CALL. Every lock method's name holds `ock`: a text without it is told in one substring
 * search, where the pattern, which starts with a `.`, is tried at every dot of the text (most TS/JS files the gate turns
 * away run it: ~2.5× less time over bench/lint.mjs's tree).
 */
export function mayCallMutexLock(text: string): boolean {
  return text.includes('ock') && MUTEX_LOCK_CALL.test(text);
}
/** node-pg-migrate, whose programmatic runner takes a session advisory lock on its client unless told `noLock` (libraryLocks.ts). */
export const NODE_PG_MIGRATE_MODULE = 'node-pg-migrate';
/**
 * @hirosystems/api-toolkit, whose `runMigrations(dir, direction, connectionArgs?, opts?)` runs node-pg-migrate's runner
 * without `noLock` (libraryLocks.ts). The gate's word is the function's name (a code word starts with a word character).
 */
export const API_TOOLKIT_MODULE = '@hirosystems/api-toolkit';
export const API_TOOLKIT_RUN_MIGRATIONS = 'runMigrations';
/**
 * @platformatic/leader, whose elector (its only export) holds a checkout of the pool it is given and polls a session
 * `pg_try_advisory_lock` on it (libraryLocks.ts). The gate's word is the name its documentation imports it by (a code
 * word starts with a word character, as NEST_DRIZZLE_POSTGRES_CLASS's does).
 */
export const PLATFORMATIC_LEADER_MODULE = '@platformatic/leader';
export const CREATE_LEADER_ELECTOR = 'createLeaderElector';
/** PostGraphile's maker of the plugin hook the pg-pubsub plugin is loaded with: the gate's word for it (a plain identifier). */
export const MAKE_PLUGIN_HOOK = 'makePluginHook';
/** A node-postgres query config's text and name (`{ text, name }`): a named, protocol-level prepared statement. */
export const CONFIG_TEXT = 'text';
export const CONFIG_NAME = 'name';
/** postgres.js `sql.unsafe(text, args, { prepare: true })`: a named prepared statement asked for by name. */
export const UNSAFE_METHOD = 'unsafe';
export const PREPARE_OPTION = 'prepare';
/** postgres.js's older name for the same switch, still read by v3: `no_prepare: true` is `prepare: false`. */
export const NO_PREPARE_OPTION = 'no_prepare';
/** knex's `searchPath` option: its PostgreSQL dialect sends SET search_path on every new connection (knexSearchPath.ts). */
export const SEARCH_PATH_OPTION = 'searchPath';
/**
 * pg-promise's initialisation option `schema` (`require('pg-promise')({ schema: 'app' })`): it sends SET search_path on
 * every fresh connection (pgPromiseSchema.ts); so does postgrejs's connection option `schema` (POSTGREJS_MODULES). A module's
 * word is needed beside it: `schema` alone is in most ORM and validation code.
 */
export const PG_PROMISE_MODULE = 'pg-promise';
export const SCHEMA_OPTION = 'schema';

/**
 * postgrejs, also published as postgresql-client: a driver with its own wire protocol, whose Connection and Pool send
 * `SET search_path` on each new connection when configured with `schema` (postgrejsSchema.ts).
 */
export const POSTGREJS_MODULES: readonly string[] = ['postgrejs', 'postgresql-client'];
/** Drivers whose `prepare(text)` makes a named protocol statement, and whose `listen(channel, fn)` sends LISTEN (driverStatements.ts). */
export const DRIVER_PREPARE_MODULES: ReadonlySet<string> = new Set([...POSTGREJS_MODULES, 'ts-postgres']);
export const DRIVER_LISTEN_MODULES: ReadonlySet<string> = new Set(POSTGREJS_MODULES);
/**
 * @effect/sql-pg, whose PgClient service's `listen(channel)` returns a stream of the channel's notifications: it sends
 * LISTEN on a connection it opens and keeps for the stream's life (driverStatements.ts). Its entry and its PgClient module.
 */
export const EFFECT_PG_MODULES: ReadonlySet<string> = new Set(['@effect/sql-pg', '@effect/sql-pg/PgClient']);
/**
 * Drivers whose `prepare(name, text, nParams[, cb])` and `prepareSync(name, text, nParams)` parse a statement under the
 * caller's name, run by later `execute(name, …)`/`executeSync(name, …)` calls (pg-native, over libpq's PQprepare):
 * the Parse and each execute are separate round trips, which a transaction pooler may send to different server connections.
 */
export const DRIVER_NAMED_PREPARE_MODULES: ReadonlySet<string> = new Set(['pg-native']);
export const PREPARE_SYNC_METHOD = 'prepareSync';

/** sql-template-strings' `SQL\`…\`.setName('n')`: node-postgres sends the statement named, a protocol prepared statement. */
export const SET_NAME_METHOD = 'setName';

/**
 * A function or class that builds a named prepared statement from a name and a text: pg-promise's
 * `new PreparedStatement('find-user', text)` or `({ name, text })`, a helper of another package or of the project
 * (`makePreparedStatement('find-user', text)`). Any identifier ending so counts as the word below.
 */
export const PREPARED_STATEMENT_FACTORY = /[pP]reparedStatement$/;
export const PREPARED_STATEMENT_WORD = 'PreparedStatement';

/** Bun's module and global: its SQL client prepares every PostgreSQL query by default (bunSql.ts). */
export const BUN_MODULE = 'bun';
export const BUN_GLOBAL = 'Bun';

/** drizzle's postgres.js entry point: `drizzle(url)` / `drizzle({ connection })` make a postgres.js client (postgresJsWrappers.ts). */
export const DRIZZLE_POSTGRES_JS_MODULE = 'drizzle-orm/postgres-js';
/** The module that entry point re-exports its `drizzle` from, imported by name in some projects: the same function. */
export const DRIZZLE_POSTGRES_JS_DRIVER_MODULE = 'drizzle-orm/postgres-js/driver';

/**
 * @knaadh/nestjs-drizzle-postgres, whose DrizzlePostgresModule makes a postgres.js client from the options it is registered
 * with (nestDrizzlePostgres.ts). The class's name is the word read (a code word starts with a word character).
 */
export const NEST_DRIZZLE_POSTGRES_MODULE = '@knaadh/nestjs-drizzle-postgres';
export const NEST_DRIZZLE_POSTGRES_CLASS = 'DrizzlePostgresModule';

/**
 * openworkflow's Postgres backend, whose `BackendPostgres.connect(url)` makes a postgres.js pool of its own without
 * `prepare: false` (openworkflowBackends.ts): the package's entry and the older package it moved from. The class's name
 * is the word read.
 */
export const OPENWORKFLOW_POSTGRES_MODULES: readonly string[] = ['openworkflow/postgres', '@openworkflow/backend-postgres'];
export const OPENWORKFLOW_BACKEND_CLASS = 'BackendPostgres';

/** Every word `codeMayHoldFindings` reads: the gate collects only these from a file's tokens. */
export const CODE_WORDS: ReadonlySet<string> = new Set([POSTGRES_JS_MODULE, LISTEN_METHOD, CONFIG_TEXT, CONFIG_NAME, UNSAFE_METHOD, PREPARE_OPTION, SEARCH_PATH_OPTION, BUN_MODULE, BUN_GLOBAL,
  LISTEN_TO_METHOD, ADD_CHANNEL_METHOD, PG_PUBSUB_MODULE, ...PG_IPC_MODULES, PG_NOTIFY_MODULE, ...DRIVER_PREPARE_MODULES, ...DRIVER_NAMED_PREPARE_MODULES,
  PREPARE_SYNC_METHOD, SET_NAME_METHOD, PREPARED_STATEMENT_WORD, WATCH_PG_OPTION, MAKE_PLUGIN_HOOK, MAKE_PG_SERVICE, GRAPHILE_WORKER_MODULE, GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE, SOCKET_IO_ADAPTER_FACTORY, FEDIFY_POSTGRES_QUEUE_CLASS, PG_PROMISE_MODULE, SCHEMA_OPTION, DRIZZLE_POSTGRES_JS_MODULE, DRIZZLE_POSTGRES_JS_DRIVER_MODULE, NEST_DRIZZLE_POSTGRES_CLASS, OPENWORKFLOW_BACKEND_CLASS,
  ...POSTGRES_MIGRATIONS_MODULES, NODE_PG_MIGRATE_MODULE, CREATE_LEADER_ELECTOR, API_TOOLKIT_RUN_MIGRATIONS]);

/** Whether a file holding these code words may have a finding on code (a postgres.js or Bun SQL client, one drizzle, a NestJS drizzle module or openworkflow's backend makes, sql.listen, a LISTEN library's subscribe call, a library option, call or class that LISTENs or takes a session lock, a named config, unsafe's prepare, knex's searchPath, pg-promise's and postgrejs's schema). */
export function codeMayHoldFindings(words: ReadonlySet<string>): boolean {
  return words.has(POSTGRES_JS_MODULE) || words.has(DRIZZLE_POSTGRES_JS_MODULE) || words.has(DRIZZLE_POSTGRES_JS_DRIVER_MODULE) || words.has(NEST_DRIZZLE_POSTGRES_CLASS) || words.has(OPENWORKFLOW_BACKEND_CLASS) || words.has(LISTEN_METHOD) || (words.has(CONFIG_TEXT) && words.has(CONFIG_NAME))
    || (words.has(UNSAFE_METHOD) && words.has(PREPARE_OPTION)) || words.has(SEARCH_PATH_OPTION) || words.has(BUN_MODULE) || words.has(BUN_GLOBAL)
    || words.has(LISTEN_TO_METHOD) || words.has(ADD_CHANNEL_METHOD) || PG_IPC_MODULES.some((module) => words.has(module)) || words.has(PG_NOTIFY_MODULE)
    || (words.has(PREPARE_OPTION) && [...DRIVER_PREPARE_MODULES].some((module) => words.has(module))) || words.has(SET_NAME_METHOD)
    || ((words.has(PREPARE_OPTION) || words.has(PREPARE_SYNC_METHOD)) && [...DRIVER_NAMED_PREPARE_MODULES].some((module) => words.has(module)))
    || words.has(PREPARED_STATEMENT_WORD) || words.has(WATCH_PG_OPTION) || words.has(MAKE_PLUGIN_HOOK) || words.has(MAKE_PG_SERVICE) || words.has(GRAPHILE_WORKER_MODULE) || words.has(GRAPHQL_POSTGRES_SUBSCRIPTIONS_MODULE) || words.has(SOCKET_IO_ADAPTER_FACTORY) || words.has(FEDIFY_POSTGRES_QUEUE_CLASS)
    || (words.has(SCHEMA_OPTION) && (words.has(PG_PROMISE_MODULE) || POSTGREJS_MODULES.some((module) => words.has(module)))) || POSTGRES_MIGRATIONS_MODULES.some((module) => words.has(module)) || words.has(NODE_PG_MIGRATE_MODULE)
    || words.has(CREATE_LEADER_ELECTOR) || words.has(API_TOOLKIT_RUN_MIGRATIONS);
}
