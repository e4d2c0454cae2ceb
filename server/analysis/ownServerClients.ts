// Clients of a server the code started itself: a value returned by a helper that surely starts its own
// PostgreSQL (ownServerHelpers.ts: PGlite, @prisma/dev's local server, embedded or container PostgreSQL,
// found in another file of the repository or called here), and whatever is made from it — its connection
// string, a `Client` or driver created with it, a callback's parameter given it (`withClient(url, (c) => …)`),
// a variable every assignment of which is one of these, a local function's parameter every call passes one.
// Such a client reaches that server directly: no transaction pooler is between. Pools stay pools: a pool
// made from such a value (`new Pool({ connectionString })`) may still run each query on another connection —
// unless it holds one connection only (`max: 1`), and a connection held from it (`await pool.connect()`,
// `pool.connection()`) is one session of that server like a client — except for session state (reachesOneSession):
// a checkout of a pool of several connections hands what its session keeps to the pool's next checkout.
import ts from 'typescript';
import { dirname, join, resolve, sep } from 'node:path';
import { foldersUp } from './folderEntries';
import { Flow, calleeText, fieldValues, isConstDeclaration, isEmptyLiteral, objectProperty, outermostWrapper, promiseResolvedInto, returnedValues, singleReturn, unwrap } from './embeddedFlow';
import { MAX_CALLER_FILES, callerFiles, parsed } from './callerFiles';
import { importersOf } from './projectImporters';
import { nameWords } from './urlNames';
import { namesProjectFile, resolveModule } from './moduleResolution';
import { isFile } from './folderEntries';
import { TEST_PATH } from './inProcess';
import { globalProperty, isDevCode, isTestCode, testSetupFiles } from './testSetupFiles';
import { callsByName, hasModifier, walkDescendants } from './astWalk';
import { isCommonJsExports, isExportedTopLevel, isModuleExports } from './topLevelFunctions';
import { extendsOwnServerClass, listeningPorts, loadedBinding, OWN_SERVER_MODULE, importedNames, isOwnServerInjection, ownServerPorts, requiredNames, startsOwnServer, type ImportedName } from './ownServerHelpers';
import { ENVIRONMENT_OBJECT, ENVIRONMENT_OWNER, dotenvFallbackParameter, dotenvFallbackVariable, environmentCopy, environmentName, withoutTrim } from './environmentReads';
import { concatenationSkeleton, readsTestEnvironment, templateSkeleton } from './localTestDatabases';
import { LOOPBACK_HOST, reachesOnlyThisMachine, serverParts, socketHost, type HostPart } from './connectionHosts';
import { applicationEnvironmentVariable, repositoryFolders, testEnvironmentVariable } from './testEnvironment';
import { reachesSuiteDatabase, reachesSuiteSocket } from './composeFiles';
import { fixtureDefinitions, fixtureKey, fixtureUses, isOwnServerType, ownServerTypeNames, reexportSpecifiers, type OwnServerTypeNames } from './testFixtures';
import { IMQUEUE_PG_PUBSUB_MODULE, PG_LISTEN_MODULE, PG_PUBSUB_MODULE } from './codeWords';
import { importedModules, moduleDialect, requiredModule } from './embeddedDialect';
import { isNullish } from './postgresJsUses';
import { classMethod, classUse, constructorOf, isExportedClass, isNominalClass, isPrivateMember, isStatic, sealedField, typeClassName } from './classMembers';
import { POOLER_PORT_TEXT, connectionParts, possibleEndpoints } from './poolerEndpoints';
import { namesPoolerInSource } from './poolerMentions';
import { POOL_NAME, capsAtOneConnection } from './poolFactories';
import { passedThrough, proxyTarget, type ProxyFile } from './proxyTargets';
import { CONFIG_PLACE_MEMBER, configEnvironmentRead, exportedMember, memberChain, memberPath, memberVariables, writesAlong } from './configMembers';
import { scriptSpawns } from './spawnedScripts';

/**
 * How many steps (names, members, calls) a value is followed back; verdicts on names are cached, so this bounds only one
 * chain. A test's scratch-database URL taken from a helper (the environment's URL trimmed, defaulted, renamed, returned in
 * an object) takes about 17; 12 cut it.
 */
const MAX_DEPTH = 18;
/** How many files away the callers of an exported function are read (callerFiles.ts bounds how many files). */
const MAX_FILE_DEPTH = 1;
/**
 * How many spawns in a row a script's command-line argument is followed back through (a test's CLI run by a helper whose
 * function the tests call: spawnedWithOwnServer); each spawning file is read as the linted one is, its exported
 * functions' callers one file away (MAX_FILE_DEPTH).
 */
const MAX_SPAWN_HOPS = 2;
/** How many files away a test file's helpers are read for what they return (a test → its setup helper → the URL helper). */
const MAX_TEST_HELPER_DEPTH = 3;
/** How many modules a test file's side-effect imports may reach, its own and theirs (sideEffectSetupReaders). */
const MAX_SIDE_EFFECT_FILES = 3;
/**
 * How many barrel modules in a row are passed through on the way to a helper (`export { connect } from './db'` in a
 * test folder's `index.ts`, or in a helper module that gathers the suite's helpers), each without counting as one of
 * MAX_TEST_HELPER_DEPTH's files: it holds no code of its own to read, only the name of the file that does.
 */
const MAX_REEXPORT_HOPS = 2;

/**
 * A cached verdict on a name: sure (true, or false), or false only because its chain was cut at MAX_DEPTH when
 * followed from `cutFrom` steps deep; a caller at a shallower depth may follow it further, so judges it again.
 */
type Verdict = boolean | { readonly cutFrom: number };
/**
 * Constructors and factories of pools (pg, postgres.js, knex, Drizzle, pg-promise's database factory by its usual name
 * `pgp`, …), and anything named for a pool, pooler or proxy.
 */
const POOL_MAKER = /^(?:postgres|knex|Knex|Sequelize|drizzle|PrismaClient|pgp)$|pool|bouncer|proxy/i;
/**
 * Methods that take one connection out of a pool and hold it until it is released (pg, dumbo, mysql-style, generic-pool,
 * postgres.js; TypeORM's `createQueryRunner()`, whose runner takes one connection of its DataSource's pool and keeps it
 * until `release()`).
 */
const HOLDS_CONNECTION = /^(?:connect|connection|getConnection|acquire|reserve|createQueryRunner)$/;
/**
 * Methods of a knex instance's `client` that take one connection on the instance's settings (`db.client.acquireConnection()`
 * out of its pool, `db.client.acquireRawConnection()` a new one beside it) and hand it to the caller until it releases it.
 */
const KNEX_CLIENT_CONNECTION = /^(?:acquireConnection|acquireRawConnection)$/;
/** Makers of pools that no client is made from directly: TypeORM's `DataSource` (its queries go to a pool of connections). */
const POOL_ONLY_MAKER = /(?:^|\.)DataSource$/;
/**
 * Methods of a pool that resolve to the pool itself once it is ready: TypeORM's `DataSource#initialize()`, so
 * `await new DataSource(options).initialize()` is that DataSource.
 */
const RETURNS_ITS_POOL = /^initialize$/;
/** Parts of a WHATWG `URL` that say where it connects: a URL object with one of them rewritten is another place. */
/** A step of a container builder's fluent configuration (`withDatabase`, `withNetworkMode`, `withWaitStrategy`, …). */
const BUILDER_STEP = /^with[A-Z]/;
const URL_PLACE = /^(?:host|hostname|port|href|protocol|origin|search|searchParams)$/;
/** Methods that hold one connection (or one transaction on it) for the callback they are given (`pool.withTransaction(async (tx) => …)`). */
const LENDS_CONNECTION = /^(?:withConnection|withTransaction|transaction|begin|connect|reserve)$/;
/** Makers of PostgreSQL clients and pools that fall back to libpq's `PG*` variables, else this machine, for what they are not given (not Bun's SQL, which reads `DATABASE_URL`). */
const DEFAULTING_MAKER = /(?:^|\.)(?:Client|Pool|Connection|postgres)$/;
/** Pool and connection options that tune it and say nothing of where it connects (node-postgres's, postgres.js's). */
const TUNING_OPTION = /^(?:max|min|ssl|idleTimeoutMillis|connectionTimeoutMillis|statement_timeout|query_timeout|idle_in_transaction_session_timeout|allowExitOnIdle|maxUses|maxLifetimeSeconds|keepAlive|keepAliveInitialDelayMillis|application_name|idle_timeout|connect_timeout|max_lifetime|prepare|debug|onnotice)$/;

function isTuningOption(key: ts.PropertyName): boolean {
  return (ts.isIdentifier(key) || ts.isStringLiteral(key)) && TUNING_OPTION.test(key.text);
}

/**
 * `{ ...params }`, or `{ ...params, max: 1 }`: a copy of another options object, its other properties tuning options
 * only, connects where that object says. Undefined for any other literal (a `host` beside the spread overrides it).
 */
function copiedOptions(object: ts.ObjectLiteralExpression): ts.Expression | undefined {
  const spreads = object.properties.filter(ts.isSpreadAssignment);
  const others = object.properties.filter((p) => !ts.isSpreadAssignment(p));
  const tuningOnly = others.every((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && isTuningOption(p.name));
  return spreads.length === 1 && tuningOnly ? spreads[0]!.expression : undefined;
}

/** Options that say where to connect: with one of them set, the maker's own defaults do not decide the host. */
const WHERE_OPTION = /^(?:host|hostname|hosts|hostaddr|connectionString|connection|url|uri|server|socketPath|config)$/;
/** Makers of one connection (pg's and pg-native's `Client`, postgrejs's `Connection`). */
export const SINGLE_CLIENT_MAKER = /(?:^|\.)(?:Client|Connection)$/;

/**
 * The one port of this machine a connection string reaches (`postgres://localhost:5431`, `postgresql://u@[::1]:5433/db`,
 * `host=127.0.0.1 port=5433`), read by connectionParts: every server it may reach (possibleEndpoints: each host of a
 * list, a URL's `?host=`/`?port=`) is a loopback host on that port, written out. Undefined otherwise.
 */
function loopbackPortWritten(text: string): string | undefined {
  const port = onlyLoopbackPort(text);
  return port !== undefined && /^\d+$/.test(port) ? port : undefined;
}

/**
 * The hole of a connection string's skeleton (templateSkeleton: holes written `\0<n>\0`) that is the port of every
 * server it may reach, each a loopback host (`postgres://u:p@localhost:${PG_PORT}/db`): its index, else undefined.
 */
function loopbackPortHole(text: string): number | undefined {
  const port = onlyLoopbackPort(text);
  const hole = port === undefined ? undefined : /^\0(\d+)\0$/.exec(port);
  return hole ? Number(hole[1]) : undefined;
}

/** The port, as written, of every server a connection string may reach, when each is a loopback host on that one port. */
function onlyLoopbackPort(text: string): string | undefined {
  const parts = connectionParts(text);
  const servers = parts === undefined ? [] : possibleEndpoints(parts);
  const port = servers[0]?.port;
  return servers.every((server) => server.host !== undefined && LOOPBACK_HOST.test(server.host) && server.port === port) ? port : undefined;
}

/** Testcontainers' PostgreSQL module, whose `PostgreSqlContainer` starts a PostgreSQL server in a container. */
const TESTCONTAINERS_POSTGRES_MODULE = /^@testcontainers\/postgresql$/;

/**
 * The pool a method call takes one connection out of: `pool` of `pool.connect()` (HOLDS_CONNECTION), `db` of knex's
 * `db.client.acquireRawConnection()` (KNEX_CLIENT_CONNECTION). Undefined for any other call.
 */
function heldConnectionPool(method: ts.PropertyAccessExpression): ts.Expression | undefined {
  if (HOLDS_CONNECTION.test(method.name.text)) return method.expression;
  const owner = unwrap(method.expression);
  const knexClient = ts.isPropertyAccessExpression(owner) && owner.name.text === 'client';
  return knexClient && KNEX_CLIENT_CONNECTION.test(method.name.text) ? owner.expression : undefined;
}

/** `Reflect.get(object, key)`. */
function isReflectGet(value: ts.Expression): value is ts.CallExpression {
  return ts.isCallExpression(value) && value.arguments.length === 2 && ts.isPropertyAccessExpression(value.expression)
    && ts.isIdentifier(value.expression.expression) && value.expression.expression.text === 'Reflect' && value.expression.name.text === 'get';
}

export class OwnServerClients {
  private imports: Map<string, ImportedName> | undefined;
  /** The names this file's PostgreSQL containers are given as host ports (mappedContainerPorts), once read. */
  private containerPorts: ts.Identifier[] | undefined;
  private readonly helperVerdicts = new Map<string, boolean>();
  private readonly returnsByBody = new Map<ts.Block, readonly ts.Expression[]>();
  private readonly verdicts = new Map<ts.Node, Verdict>();
  /**
   * While a postgres.js client's arguments are judged (literalOnly): only a value written in the code (a local URL or
   * host, a started server) makes it one session of the test database; one the environment gives (a variable the CI
   * sets, no host at all) leaves it the pool it is (ten connections by default). Names are judged apart in that mode.
   */
  private literalOnly = false;
  private readonly literalVerdicts = new Map<ts.Node, Verdict>();
  /**
   * While the arguments of a single connection are judged (oneSession: a driver's `Client`, a LISTEN library's
   * subscriber, a postgres.js client or a pool capped at one connection): in test code an environment variable the
   * test environment does not set is the developer's own test database too, unless the repository's files point it
   * at a pooler or a remote host (testEnvironment.ts). Names are judged apart in that mode.
   */
  private oneSession = false;
  private readonly oneSessionVerdicts = new Map<ts.Node, Verdict>();
  /** Verdicts on pool names: any pool of such a server, and one capped at a single connection. */
  private readonly poolVerdicts = { any: new Map<ts.Node, Verdict>(), single: new Map<ts.Node, Verdict>(), anyOneSession: new Map<ts.Node, Verdict>(),
    anyPoolerOnly: new Map<ts.Node, Verdict>() };
  /** Verdicts on names of objects a maker made from such a value (madeFromOwnServer). */
  private readonly madeVerdicts = new Map<ts.Node, Verdict>();
  /** How many times a chain was cut at MAX_DEPTH (or a verdict so cut was used): a false verdict reached while it grew is not sure. */
  private cuts = 0;
  /** How many spawns led to this file's judge (MAX_SPAWN_HOPS); judges of the files read for it inherit it. */
  private spawnHops = 0;
  /** Per position of `process.argv.slice(2)`: whether every spawn of this script passes such a value there (spawnedWithOwnServer). */
  private readonly spawnVerdicts = new Map<number, boolean>();

  /** A file that names a pooler may start one in front of its server (a test of pooling itself): nothing is sure there. */
  private readonly namesPooler: boolean;
  /** Names this file binds the knex module to as a whole (`import knexFactory from 'knex'`): pool makers whatever their name. */
  private readonly knexNames: ReadonlySet<string>;
  /**
   * Test code (a test folder, a `*.test.*` / `*.spec.*` file, a test runner's setup file: testSetupFiles.ts), or
   * development code (an examples or playground folder): there a connection string or host pointing at this machine,
   * also as an environment variable's literal default, is the developer's own database (localTestDatabases.ts), and
   * the helpers of test folders it imports are read for what they return. Found on first use.
   */
  private get testCode(): boolean {
    this.codeKind ??= this.fileName === undefined ? 'app' : this.testPackage || isTestCode(this.fileName) ? 'test' : isDevCode(this.fileName) ? 'dev' : 'app';
    return this.codeKind !== 'app';
  }

  /**
   * Development code, not test code: only what the repository's env files show is local counts there — a variable a
   * test or application env file sets to this machine, and a local default of such a variable; a variable set nowhere
   * may be the production URL the script is run with, and a local URL written out may be an example app's module a
   * user deploys as it is (seen corpus labels).
   */
  private get devOnly(): boolean {
    return this.testCode && this.codeKind === 'dev';
  }

  private codeKind: 'test' | 'dev' | 'app' | undefined;
  /** The helpers of other test files this one imports, each read once. */
  private readonly testHelpers = new Map<string, OwnServerClients | null>();

  /**
   * `fileDepth`: how many files away from the linted one this file's calls are read (callers of an exported function);
   * `testPackage`: the file is a helper of a workspace package named for tests (`@repo/test-utils`), test code like a test folder's;
   * `reexportHops`: how many re-exports in a row led here from the last file read for its code (MAX_REEXPORT_HOPS).
   */
  constructor(private readonly source: ts.SourceFile, private readonly flow: Flow, private readonly fileName: string | undefined, private readonly fileDepth = 0, private readonly testPackage = false,
    private readonly reexportHops = 0) {
    this.namesPooler = namesPoolerInSource(source);
    this.knexNames = new Set(importedModules(source).filter((m) => m.specifier === 'knex' && m.whole !== undefined).map((m) => m.whole!));
  }

  /**
   * Whether queries on `receiver` go to one session of a server the code started itself: a client of it, or a
   * pool of it that holds a single connection (`pooled` says the caller knows `receiver` for a pool).
   */
  reaches(receiver: ts.Expression, pooled = false): boolean {
    if (!this.fileName) return false;
    if (this.namesPooler) return this.madeForSuiteDatabase(receiver, pooled || POOL_NAME.test(receiver.getText(this.source)));
    // In test code a postgres.js client of the local test database is one too (fromOwnServer), as one made from a direct URL is.
    if (pooled || POOL_NAME.test(receiver.getText(this.source))) return this.poolOfOwnServer(receiver, 0, true) || (this.testCode && this.fromOwnServer(receiver, 0));
    // A pool that neither its name nor this file's declarations mark as one (`ledger = new pg.Pool({ …, max: 1 })` assigned
    // in a hook): fromOwnServer refuses what a pool maker makes, so its one-connection cap is looked for here too.
    return this.fromOwnServer(receiver, 0) || this.poolOfOwnServer(receiver, 0, true);
  }

  /**
   * reaches, for session state (ruling 13: pools stay pools): a connection held out of a pool of several connections
   * (`const c = await pool.connect()`, released later) or a postgres.js client not capped at one connection (ten by
   * default) is not one session there — a setting it takes is handed, with the connection, to the pool's next checkout
   * even with no pooler in front. Only a single connection, or one out of a pool capped at one, counts. Judged by a judge
   * of its own (sessionJudge), so that its verdicts do not mix with those of reaches in this judge's caches.
   */
  reachesOneSession(receiver: ts.Expression, pooled = false): boolean {
    if (!this.fileName) return false;
    if (this.checkoutsShareSessions) return this.reaches(receiver, pooled);
    if (!this.sessionJudge) {
      this.sessionJudge = this.judgeOf(this.source, this.flow, this.fileName, this.fileDepth, this.testPackage, this.reexportHops, true);
      this.sessionJudge.placeJudge = this;
    }
    return this.sessionJudge.reaches(receiver, pooled);
  }

  /** Whether this judge reads what a pool of several connections hands out as shared by the pool's checkouts (reachesOneSession). */
  private checkoutsShareSessions = false;
  private sessionJudge: OwnServerClients | undefined;
  /**
   * Of a judge that reads checkouts as shared (checkoutsShareSessions): the judge of the same file that reads them as
   * sessions, asked where what a client is made from connects (a maker's arguments, an object's members: placeOf).
   * There only the place counts: `drizzle(sql)` over a postgres.js client of four on the started server connects there.
   */
  private placeJudge: OwnServerClients | undefined;

  /** A judge of `source` (this file or another one read for it) judging as this one does (checkoutsShareSessions, unless `sharing` says). */
  private judgeOf(source: ts.SourceFile, flow: Flow, file: string | undefined, fileDepth: number, testPackage = false, reexportHops = 0,
    sharing = this.checkoutsShareSessions): OwnServerClients {
    const judge = new OwnServerClients(source, flow, file, fileDepth, testPackage, reexportHops);
    judge.spawnHops = this.spawnHops;
    if (sharing) {
      judge.checkoutsShareSessions = true;
      judge.placeJudge = new OwnServerClients(source, flow, file, fileDepth, testPackage, reexportHops);
      judge.placeJudge.spawnHops = this.spawnHops;
    }
    return judge;
  }

  /** `judge` of `place` (this judge's placeJudge), judging in this judge's modes. */
  private placeOf(place: OwnServerClients, judge: (place: OwnServerClients) => boolean): boolean {
    return this.inModeOf(place, () => judge(place));
  }

  /**
   * Whether a client or pool is created from such a value (`postgres(container.getConnectionUri())`, `new Pool({
   * connectionString: url })` with the started server's URL): no transaction pooler is between it and that server,
   * so what only a pooler breaks (named prepared statements) is safe on it, however many connections it holds.
   */
  createdFrom(creation: ts.CallExpression | ts.NewExpression): boolean {
    if (!this.fileName || this.namesPooler) return false;
    const judge = () => (creation.arguments ?? []).some((argument) => this.argumentFromOwnServer(argument, 1)) || this.defaultsToLocalHost(creation);
    // One capped at a single connection is judged as one (oneSession), as its session findings are.
    return this.testCode && (creation.arguments ?? []).some(capsAtOneConnection) ? this.singly(judge) : this.unpooled(judge);
  }

  /**
   * createdFrom for a client a library makes itself from `connection` (a URL or the driver's options; drizzle's
   * `drizzle({ connection })`), judged as the same value handed to the driver's own factory.
   */
  connectionFromOwnServer(connection: ts.Expression): boolean {
    if (!this.fileName || this.namesPooler) return false;
    const judge = () => this.argumentFromOwnServer(connection, 1);
    return this.testCode && capsAtOneConnection(connection) ? this.singly(judge) : this.unpooled(judge);
  }

  /**
   * `judge`'s verdict for what only a pooler breaks (named prepared statements): in test code an environment variable
   * the test environment sets nowhere, but an env file of the application sets to this machine (`.env.example`:
   * `DATABASE_URL=postgres://…@localhost:5432/app`) and none to a pooler or another machine, is the developer's own test
   * database however many connections are made from it. A pool of it keeps session state from test to test (its
   * session findings stay), but no pooler is between it and the server. A variable no file sets at all is not enough
   * here (a manual test's `DATABASE_URL` may be a hosted database): that reading is a single connection's (oneSession).
   */
  private unpooled(judge: () => boolean): boolean {
    return this.testCode ? this.inMode('poolerOnly', true, judge) : judge();
  }

  /** While only what a pooler breaks is judged (unpooled). Names are judged apart in that mode. */
  private poolerOnly = false;
  private readonly poolerOnlyVerdicts = new Map<ts.Node, Verdict>();

  /**
   * In test code, a client or pool made without saying where to connect (`new Client()`, `new Pool({ max: 2 })`,
   * `postgres({ database: 'app_test' })`, a `host` taken from a const object literal that has none): the driver takes
   * libpq's `PGHOST`, else this machine. It is the local test database unless the repository's test environment gives
   * `PGHOST` another host or `PGPORT` a pooler's port, this file sets `PGHOST` itself, or the options name a pooler's port.
   */
  private defaultsToLocalHost(call: ts.CallExpression | ts.NewExpression): boolean {
    if (!this.testCode || this.devOnly || !DEFAULTING_MAKER.test(this.makerName(call.expression))) return false;
    for (const argument of call.arguments ?? []) {
      const options = unwrap(argument);
      if (!(ts.isObjectLiteralExpression(options) ? this.saysNowhere(options) : this.optionsParameterSaysNowhere(options))) return false;
    }
    return this.pgEnvironmentReachesTestServer();
  }

  /**
   * In test code (not development code), whether libpq's variables (`PGHOST`, `PGPORT`), which a driver or library
   * told nothing else connects with, reach the suite's own database: unless the repository's test environment gives
   * `PGHOST` another host or `PGPORT` a pooler's port, or this file sets `PGHOST` itself.
   */
  pgEnvironmentReachesTestServer(): boolean {
    if (!this.testCode || this.devOnly) return false;
    if (/process\.env(?:\.PGHOST|\[\s*['"]PGHOST['"]\s*\])\s*=[^=]/.test(this.source.text)) return false;
    return testEnvironmentVariable(this.fileName!, 'PGHOST') !== 'elsewhere' && testEnvironmentVariable(this.fileName!, 'PGPORT') !== 'elsewhere';
  }

  /**
   * In test code, whether a client that takes its URL from whichever of `variables` is set (Bun's `new SQL()` given
   * none: bunSql.ts BUN_URL_VARIABLES) reaches the suite's own database, for what only a pooler breaks: one of them is
   * the test database (testDatabaseVariable: the test environment sets it to this machine or a PostgreSQL service, or an
   * env file of the application does and none points it elsewhere), no file of the repository points another at a
   * pooler or a remote host, and this file sets none of them itself.
   */
  readsTestDatabaseFromEnvironment(variables: readonly string[]): boolean {
    if (!this.fileName || this.namesPooler || !this.testCode) return false;
    if (variables.some((name) => new RegExp(`process\\.env(?:\\.${name}|\\[\\s*['"]${name}['"]\\s*\\])\\s*=[^=]`).test(this.source.text))) return false;
    return this.unpooled(() => {
      let local = false;
      for (const name of variables) {
        if (this.testDatabaseVariable(name)) local = true;
        else if (testEnvironmentVariable(this.fileName!, name) === 'elsewhere' || applicationEnvironmentVariable(this.fileName!, name) === 'elsewhere') return false;
      }
      return local;
    });
  }

  /** Options that name no host, URL or socket to connect to (or only absent ones), nor a pooler's port. */
  private saysNowhere(options: ts.ObjectLiteralExpression): boolean {
    for (const property of options.properties) {
      if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return false;
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      if (key === undefined) return false;
      const given = ts.isPropertyAssignment(property) ? property.initializer : property.name;
      if (key === 'port' && POOLER_PORT_TEXT.test(this.portText(given))) return false;
      if (WHERE_OPTION.test(key) && !this.isAbsent(given)) return false;
    }
    return true;
  }

  /**
   * Options handed in as a parameter of a function of this file that nothing exports (a test's `getClient(config)`
   * helper): every call of it passes nothing there, or options written in place that say nowhere (`getClient()`,
   * `getClient({ query_timeout: 500 })`). With no call, or one passing anything else, the options are unknown.
   */
  private optionsParameterSaysNowhere(options: ts.Expression): boolean {
    if (!ts.isIdentifier(options)) return false;
    const binding = this.flow.bindingOf(options);
    if (!binding || !('parameterOf' in binding) || binding.parameter.dotDotDotToken || binding.parameter.initializer) return false;
    const fn = binding.parameterOf;
    if (isExportedTopLevel(fn)) return false;
    const index = fn.parameters.indexOf(binding.parameter);
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text
      : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
    if (!name || index < 0) return false;
    // Every mention of the function's name is a call of it (not handed on, where other code could call it).
    const calls = this.callsNamed(name).filter((call) => this.flow.localFunction(call.expression) === fn);
    if (calls.length === 0 || calls.length !== this.mentionsOf(name)) return false;
    return calls.every((call) => {
      const given = call.arguments[index];
      if (given === undefined) return true;
      const value = unwrap(given);
      return ts.isObjectLiteralExpression(value) && this.saysNowhere(value);
    });
  }

  /** How many times the file mentions a name as an identifier outside its own declaration. */
  private mentionsOf(name: string): number {
    let count = 0;
    walkDescendants(this.source, (node) => {
      if (ts.isIdentifier(node) && node.text === name && !(node.parent && (ts.isFunctionDeclaration(node.parent) || ts.isVariableDeclaration(node.parent)) && node.parent.name === node)) count++;
    });
    return count;
  }

  /** The text of a port option, and of a const object literal's property it is taken from (`port: cfg.port`). */
  private portText(value: ts.Expression): string {
    const unwrapped = unwrap(value);
    const property = ts.isPropertyAccessExpression(unwrapped) ? this.objectProperty(unwrapped) : undefined;
    return property ? property.getText(this.source) : unwrapped.getText(this.source);
  }

  /** `undefined`, or a property a const object literal of this file does not have (`host: cfg.host` where `cfg` has no `host`). */
  private isAbsent(value: ts.Expression): boolean {
    const unwrapped = unwrap(value);
    if (ts.isIdentifier(unwrapped) && unwrapped.text === 'undefined') return true;
    if (!ts.isPropertyAccessExpression(unwrapped) || !ts.isIdentifier(unwrapped.expression)) return false;
    const initializer = this.flow.declaredInitializer(unwrapped.expression);
    const object = initializer && unwrap(initializer);
    // A const object no statement of the file gives that property later (`cfg.host = …`).
    const declaration = initializer?.parent;
    if (!declaration || !ts.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & ts.NodeFlags.Const)) return false;
    const written = `${unwrapped.expression.text}.${unwrapped.name.text}`;
    if (this.source.text.includes(`${written} =`) || this.source.text.includes(`${written}=`)) return false;
    return object !== undefined && ts.isObjectLiteralExpression(object) && this.objectProperty(unwrapped) === undefined
      && object.properties.every((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)));
  }

  /** Whether `receiver` is a client, or a pool of any size, of a server the code started itself (see createdFrom). */
  reachesAnyConnection(receiver: ts.Expression): boolean {
    if (!this.fileName || this.namesPooler) return false;
    return this.unpooled(() => this.fromOwnServer(receiver, 0) || this.poolOfOwnServer(receiver, 0, false));
  }

  /**
   * A pool made from such a value (`pgPool({ connectionString })` with the started container's URL), followed
   * through names like a client; with `single`, only one whose options cap it at one connection (`max: 1`).
   */
  private poolOfOwnServer(expression: ts.Expression, depth: number, single: boolean): boolean {
    if (depth > MAX_DEPTH) return this.cut();
    const value = unwrap(expression);
    if (ts.isCallExpression(value) || ts.isNewExpression(value)) {
      const forwarded = this.forwardedClient(value);
      if (forwarded && this.poolOfOwnServer(forwarded, depth + 1, single)) return true;
      // A pool class handed out by the emulated server itself (pg-mem's `db.adapters.createPg().Pool`): its connections are all in the process.
      if (this.classOfOwnServer(value.expression, depth)) return true;
      if (ts.isCallExpression(value) && value.arguments.length === 0 && ts.isPropertyAccessExpression(value.expression)
        && RETURNS_ITS_POOL.test(value.expression.name.text)) return this.poolOfOwnServer(value.expression.expression, depth + 1, single);
      const args = value.arguments ?? [];
      const maker = calleeText(value.expression);
      if (!(POOL_MAKER.test(maker) || POOL_ONLY_MAKER.test(maker) || this.knexNames.has(maker)) || (single && !args.some(capsAtOneConnection))) return false;
      const given = () => args.some((argument) => this.argumentFromOwnServer(argument, depth + 1)) || this.defaultsToLocalHost(value);
      // A pool of one connection is one session: judged as a single client's arguments are.
      return single ? this.singly(given) : given();
    }
    if (!ts.isIdentifier(value)) return false;
    const binding = this.flow.bindingOf(value);
    if (!binding) return false;
    const verdicts = single ? this.poolVerdicts.single : this.oneSession ? this.poolVerdicts.anyOneSession
      : this.poolerOnly ? this.poolVerdicts.anyPoolerOnly : this.poolVerdicts.any;
    // A named local function's parameter every call of which passes such a pool (`seed(dataSource)` → `seed(target)`).
    if (!('variable' in binding)) {
      return this.judged(verdicts, binding.parameter, depth, () => this.parameterFromOwnServer(binding.parameterOf, binding.parameter, depth,
        (argument) => this.poolOfOwnServer(argument, depth + 1, single), false));
    }
    return this.judged(verdicts, binding.variable, depth, () => this.everyValueOf(binding.variable, (v) => this.poolOfOwnServer(v, depth + 1, single)));
  }

  /**
   * An object a maker — a pool's, or any other function or class (`new PgConnectionManager(config)`, `makeDb(url)`) —
   * made from a value of a server the code started itself or of the local test database, followed through names like a
   * pool: what it keeps (a pool, a manager of one) is not queried here, only a connection held out of it, which is one
   * session of that database. Its arguments are judged as a held pool connection's are (asHeld): the test environment's
   * word counts (a `PGHOST` that `.env.test` sets to this machine), not literalOnly, which is for what a maker's product itself is.
   */
  private madeFromOwnServer(expression: ts.Expression, depth: number): boolean {
    if (depth > MAX_DEPTH) return this.cut();
    const value = unwrap(expression);
    if (ts.isCallExpression(value) || ts.isNewExpression(value)) {
      const args = value.arguments ?? [];
      return this.asHeld(() => args.some((argument) => this.argumentFromOwnServer(argument, depth + 1)));
    }
    if (!ts.isIdentifier(value)) return false;
    const binding = this.flow.bindingOf(value);
    if (!binding || !('variable' in binding)) return false;
    return this.judged(this.madeVerdicts, binding.variable, depth, () => this.everyValueOf(binding.variable, (v) => this.madeFromOwnServer(v, depth + 1)));
  }

  /**
   * `judge`'s verdict as for the pool a connection is held out of (madeFromOwnServer): not literalOnly, and in test
   * code as a single connection's arguments (oneSession), as the held-connection branch of callFromOwnServer judges a pool's.
   */
  private asHeld(judge: () => boolean): boolean {
    return this.inMode('literalOnly', false, () => this.inMode('oneSession', this.testCode && this.heldAsSingle, judge));
  }

  /**
   * Whether asHeld judges a maker's arguments as a single connection's (an unset test variable counting as the
   * developer's database); false in a judge of a helper's returned member (exportReturnsMember).
   */
  private heldAsSingle = true;

  /** `judge`'s verdict with one mode of judging (literalOnly, oneSession, poolerOnly) set to `value`, restored after. */
  private inMode(mode: 'literalOnly' | 'oneSession' | 'poolerOnly', value: boolean, judge: () => boolean): boolean {
    const before = this[mode];
    this[mode] = value;
    try {
      return judge();
    } finally {
      this[mode] = before;
    }
  }

  /** False, because the chain is cut here at MAX_DEPTH: counted, so that no verdict depending on it is cached as sure. */
  private cut(): false {
    this.cuts++;
    return false;
  }

  /**
   * The verdict on `key` (judged at `depth` by `judge`), cached: each is judged once — a cycle back to it is false
   * while it is judged — except a false one that a cut at MAX_DEPTH decided, judged again from a shallower depth.
   */
  private judged(cache: Map<ts.Node, Verdict>, key: ts.Node, depth: number, judge: () => boolean): boolean {
    const cached = cache.get(key);
    if (typeof cached === 'boolean') return cached;
    if (cached !== undefined && depth >= cached.cutFrom) return this.cut();
    cache.set(key, false);
    const cutsBefore = this.cuts;
    const verdict = judge();
    cache.set(key, verdict || this.cuts === cutsBefore ? verdict : { cutFrom: depth });
    return verdict;
  }

  private fromOwnServer(expression: ts.Expression, depth: number): boolean {
    if (depth > MAX_DEPTH) return this.cut();
    const value = unwrap(expression);
    // In test code, a variable every value of which the repository's test environment (CI workflows, `.env.test`) points at this machine.
    if (this.testCode) {
      const variable = environmentName(value) ?? this.environmentRead(value, 0);
      if (variable !== undefined) return this.testDatabaseVariable(variable) || this.standInRead(value, variable);
      const fromDotenv = this.dotenvFallbackRead(value);
      if (fromDotenv !== undefined) return this.dotenvVariableLocal(fromDotenv);
      // `process.argv[2]`: what the project's spawns of this script pass there.
      const argument = this.devOnly ? undefined : argvPosition(value);
      if (argument !== undefined) return this.spawnedWithOwnServer(argument);
    }
    if (ts.isCallExpression(value) || ts.isNewExpression(value)) return this.callFromOwnServer(value, depth);
    if (ts.isPropertyAccessExpression(value)) {
      // `global.__DB__`: what the test runner's setup files (or this file) put there.
      const global = this.testCode ? globalProperty(value, unwrap) : undefined;
      if (global !== undefined) return this.globalFromOwnServer(global);
      // `this.conString` in a Mocha callback: a property of the test context.
      if (this.testCode && value.expression.kind === ts.SyntaxKind.ThisKeyword && inMochaCallback(value)) return this.contextFromOwnServer(value.name.text, depth);
      if (value.expression.kind === ts.SyntaxKind.ThisKeyword && this.classPropertyFromOwnServer(value, depth)) return true;
      // A single connection's place read from a configuration object a module of the project exports (`postgresConfig.options.host`).
      const configured = this.testCode && this.oneSession && !this.devOnly && !this.literalOnly ? this.configMemberFromOwnServer(value) : undefined;
      if (configured !== undefined) return configured;
      // `db.url` on an instance of a class of a test helper whose field `url` only ever holds such a value.
      if (this.testCode && this.instanceFieldFromOwnServer(value, depth)) return true;
      const property = this.testCode ? this.objectProperty(value) : undefined;
      return property ? this.fromOwnServer(property, depth + 1) : this.fromOwnServer(value.expression, depth + 1);
    }
    if (ts.isStringLiteralLike(value) && this.listenerStartedBefore(value)) return true;
    if (ts.isTemplateExpression(value) && this.onMappedContainerPort(value)) return true;
    if (this.testCode && !ts.isIdentifier(value)) return this.localTestDatabase(value, depth);
    if (ts.isTemplateExpression(value)) return this.databasePathOnOwnServer(value, depth);
    if (!ts.isIdentifier(value)) return false;
    // Names are judged once: a cycle (`a = f(b); b = g(a)`) is not one.
    return this.judged(this.nameVerdicts(), value, depth, () => this.nameFromOwnServer(value, depth));
  }

  /**
   * The environment variable a value reads through a name for the environment object rather than `process.env.X`
   * itself (environmentName): a member of an alias of it (`const env = process.env; env.X`, `env['X']`), a
   * `Reflect.get(env, 'X')`, or a name destructured from it (`const { X } = process.env`, `{ X: url }`, not one with a
   * default). The environment object is `process.env`, `import.meta.env`, `Bun.env`, `Reflect.get(import.meta, 'env')`,
   * `const { env } = process`, or a const holding one of these.
   */
  private environmentRead(value: ts.Expression, depth: number): string | undefined {
    if (depth > 3) return undefined;
    if ((ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value)) && this.environmentObject(value.expression, depth + 1)) {
      if (ts.isPropertyAccessExpression(value)) return value.name.text;
      return this.constantText(value.argumentExpression);
    }
    // `env.DATABASE_URL` on the checked copy of the environment a config module exports (environmentCopy).
    if (ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.expression) && this.importedEnvironmentCopy(value.expression, value.name.text)) return value.name.text;
    if (isReflectGet(value)) {
      const [object, key] = value.arguments;
      return ts.isStringLiteralLike(key) && this.environmentObject(object, depth + 1) ? key.text : undefined;
    }
    if (ts.isCallExpression(value)) return this.environmentGetterRead(value, depth);
    if (!ts.isIdentifier(value) || this.flow.bindingOf(value)) return undefined;
    const destructured = this.flow.constDestructured(value);
    if (!destructured || (!ts.isIdentifier(destructured.property) && !ts.isStringLiteral(destructured.property))) return undefined;
    return this.environmentObject(destructured.object, depth + 1) ? destructured.property.text : undefined;
  }

  /**
   * Whether `name` is imported from a module of the project that exports it as a checked copy of the environment
   * (`export const env = schema.parse(process.env)`), and `member` is one of the variables it copies: not one it
   * writes out itself, nor one its schema drops, and with no default of the schema's (`.default('…')`) but one judged
   * local as `process.env.X ?? '…'` is (literalDefaultIsLocal).
   */
  private importedEnvironmentCopy(name: ts.Identifier, member: string): boolean {
    if (this.flow.bindingOf(name) || this.flow.destructuringOf(name)) return false;
    const imported = this.importedOrRequired(name);
    const file = imported && imported.name !== 'default' ? resolveModule(this.fileName!, imported.specifier) : undefined;
    const view = file === undefined ? undefined : parsed(file);
    const copy = view && environmentCopy(view.source, imported!.name);
    if (!copy || copy.written.has(member) || (copy.keys && !copy.keys.has(member))) return false;
    const fallback = copy.defaults.get(member);
    if (fallback === undefined) return true;
    const literal = unwrap(fallback);
    // Only a string written out is judged: the literal is another module's, so not as a value of this file.
    return ts.isStringLiteralLike(literal) && (this.literalDefaultIsLocal(literal) ?? this.localTestDatabase(literal, 0));
  }

  /**
   * The variable a call of a function of this file reads from the environment or, failing that, from the developer's
   * `.env` (or `.env.local`) file (environmentReads.ts's dotenvFallbackVariable: `process.env.DATABASE_URL ||
   * urlFromEnvFile()`; dotenvFallbackParameter: `envKey('DATABASE_URL')`, the variable its caller names).
   */
  private dotenvFallbackRead(value: ts.Expression): string | undefined {
    if (!ts.isCallExpression(value)) return undefined;
    const fn = this.flow.localFunction(value.expression);
    if (!fn) return undefined;
    if (value.arguments.length === 0) return dotenvFallbackVariable(fn);
    // `envKey('DATABASE_URL')`: a reader of the variable its caller names (dotenvFallbackParameter).
    const index = dotenvFallbackParameter(fn, (object) => this.environmentObject(object, 1));
    const argument = index === undefined ? undefined : value.arguments[index];
    return argument && !ts.isSpreadElement(argument) ? this.constantText(argument) : undefined;
  }

  /**
   * Whether a variable read through a `.env` fallback is the suite's own database: the test environment's word on it
   * as for the variable itself, and no env or compose file of the repository points it at a pooler or another host (a
   * committed `.env` is what the fallback reads where the environment sets nothing).
   */
  private dotenvVariableLocal(variable: string): boolean {
    return this.testDatabaseVariable(variable) && applicationEnvironmentVariable(this.fileName!, variable) !== 'elsewhere';
  }

  /**
   * A function of this file that reads the environment variable its caller names (`requireEnv('DATABASE_URL')` where
   * `const requireEnv = (key) => { const v = process.env[key]; if (!v) throw …; return v }`): the variable named by the
   * call's string argument. Every value the function returns must be the environment object's member at that one
   * parameter, directly or through a const of its body (a check that throws when it is unset changes nothing, and so
   * does a return of no value, the variable unset: `if (process.env[key]) return process.env[key]; return undefined`).
   */
  private environmentGetterRead(call: ts.CallExpression, depth: number): string | undefined {
    const fn = this.flow.localFunction(call.expression);
    const returned = fn ? returnedValues(fn) : [];
    if (!fn || returned.length === 0) return undefined;
    // Each returned value (`if (process.env[key]) return process.env[key]; … return process.env[key]`), the same read.
    const keys = new Set(returned.map((value) => this.parameterKeyRead(value, depth)));
    const [key] = keys;
    if (keys.size !== 1 || key === undefined) return undefined;
    const index = fn.parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === key);
    const argument = index >= 0 ? call.arguments[index] : undefined;
    return argument && ts.isStringLiteralLike(argument) ? argument.text : undefined;
  }

  /** The name `key` of `process.env[key]` a function returns (see environmentGetterRead), trimmed or held by a const first. */
  private parameterKeyRead(returned: ts.Expression, depth: number): string | undefined {
    let read = withoutTrim(unwrap(returned));
    if (ts.isIdentifier(read)) {
      const binding = this.flow.bindingOf(read);
      const held = binding && 'variable' in binding && isConstDeclaration(binding.variable) ? binding.variable.initializer : undefined;
      if (!held) return undefined;
      read = withoutTrim(unwrap(held));
    }
    if (!ts.isElementAccessExpression(read) || !ts.isIdentifier(read.argumentExpression) || !this.environmentObject(read.expression, depth + 1)) return undefined;
    return read.argumentExpression.text;
  }

  /** A string written out, or a const of this file holding one (`process.env[URL_VARIABLE]`, `const URL_VARIABLE = 'X' as const`). */
  private constantText(key: ts.Expression): string | undefined {
    const value = unwrap(key);
    if (ts.isStringLiteralLike(value)) return value.text;
    if (!ts.isIdentifier(value)) return undefined;
    const binding = this.flow.bindingOf(value);
    const held = binding && 'variable' in binding && isConstDeclaration(binding.variable) ? binding.variable.initializer : undefined;
    const text = held && unwrap(held);
    return text && ts.isStringLiteralLike(text) ? text.text : undefined;
  }

  /** Whether a value is the process's environment object (see environmentRead). */
  private environmentObject(expression: ts.Expression, depth: number): boolean {
    if (depth > 4) return false;
    const value = unwrap(expression);
    if (ENVIRONMENT_OBJECT.test(value.getText(this.source))) return true;
    if (isReflectGet(value)) {
      const [object, key] = value.arguments;
      return ts.isStringLiteralLike(key) && key.text === 'env' && ENVIRONMENT_OWNER.test(unwrap(object).getText(this.source));
    }
    if (!ts.isIdentifier(value)) return false;
    if (this.environmentParameter(value, depth)) return true;
    const initializer = this.flow.declaredInitializer(value);
    if (initializer) {
      const binding = this.flow.bindingOf(value);
      return binding !== undefined && 'variable' in binding && isConstDeclaration(binding.variable) && this.environmentObject(initializer, depth + 1);
    }
    // `const { env } = process`.
    const destructured = this.flow.constDestructured(value);
    return destructured !== undefined && ts.isIdentifier(destructured.property) && destructured.property.text === 'env'
      && ENVIRONMENT_OWNER.test(unwrap(destructured.object).getText(this.source));
  }

  /**
   * A parameter whose default is the environment object (`function adminUrl(source = process.env)`), of a named function
   * of this file that this file calls, every call passing nothing there: at those calls it is the environment itself.
   */
  private environmentParameter(name: ts.Identifier, depth: number): boolean {
    const binding = this.flow.bindingOf(name);
    if (!binding || !('parameterOf' in binding) || !binding.parameter.initializer || binding.parameter.dotDotDotToken) return false;
    if (!this.environmentObject(binding.parameter.initializer, depth + 1)) return false;
    const fn = binding.parameterOf;
    const index = fn.parameters.indexOf(binding.parameter);
    const fnName = fn.name && ts.isIdentifier(fn.name) ? fn.name.text
      : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
    if (!fnName || index < 0) return false;
    const calls = this.callsNamed(fnName).filter((call) => this.flow.localFunction(call.expression) === fn);
    return calls.length > 0 && calls.length === this.mentionsOf(fnName) && calls.every((call) => call.arguments.length <= index);
  }

  /** The cache of verdicts on names for the mode judged in (literalOnly, oneSession, neither). */
  private nameVerdicts(): Map<ts.Node, Verdict> {
    return this.literalOnly ? this.literalVerdicts : this.oneSession ? this.oneSessionVerdicts : this.poolerOnly ? this.poolerOnlyVerdicts : this.verdicts;
  }

  /** `judge`'s verdict for a single connection's arguments (see oneSession). */
  private singly(judge: () => boolean): boolean {
    return this.inMode('oneSession', true, judge);
  }

  /**
   * In test code, whether an environment variable is the suite's own database: the repository's test environment
   * sets it to this machine or a service of it, or — for a single connection (oneSession) — sets it nowhere, and no
   * file of the repository points it at a pooler or a remote host.
   */
  private testDatabaseVariable(name: string): boolean {
    if (this.literalOnly) return false;
    if (this.setupAssignsOwnServer(name)) return true;
    const verdict = testEnvironmentVariable(this.fileName!, name);
    if (verdict !== 'unset') return verdict === 'local';
    const application = applicationEnvironmentVariable(this.fileName!, name);
    // Development code: only an env file that sets it to this machine (or a compose service) says it is local; so for
    // what only a pooler breaks, on a pool of any size (poolerOnly).
    return this.devOnly || (this.poolerOnly && !this.oneSession) ? application === 'local' : this.oneSession && application !== 'elsewhere';
  }


  /** `judge`'s verdict with only values written in the code counting (see literalOnly). */
  private literally(judge: () => boolean): boolean {
    return this.inMode('literalOnly', true, judge);
  }

  /** A call of an own-server helper, or a call (not a pool's maker) given such a value (`new Client({ connectionString: db.url })`). */
  private callFromOwnServer(call: ts.CallExpression | ts.NewExpression, depth: number): boolean {
    // A project Proxy around a client, or a project function handing back its argument (itself or in such a Proxy):
    // the client it is given (proxyTargets.ts).
    const forwarded = this.forwardedClient(call);
    if (forwarded && this.fromOwnServer(forwarded, depth + 1)) return true;
    if (ts.isIdentifier(call.expression) && this.startsServer(call.expression)) return true;
    // `new PgAlpine(image)` of a class this file declares extending an own-server module's (`extends GenericContainer`).
    if (ts.isNewExpression(call) && ts.isIdentifier(call.expression)) {
      const declared = this.flow.localClass(call.expression);
      if (declared && extendsOwnServerClass(declared, this.imports ??= importedNames(this.source))) return true;
    }
    if (ts.isCallExpression(call) && this.injectsOwnServer(call)) return true;
    if (this.classOfOwnServer(call.expression, depth)) return true;
    // A connection held out of a pool of such a server (`await pool.connection()`), or out of whatever else a maker
    // made from it (`new ConnectionManager(testConfig).getConnection()`): one session of it. In test code the pool's
    // arguments are judged as a single connection's: the environment's database makes one session of a connection
    // held out of a pool made from it, as of a driver's Client (embedded-sql.md).
    const pool = ts.isPropertyAccessExpression(call.expression) ? heldConnectionPool(call.expression) : undefined;
    if (pool) {
      // Read for session state (checkoutsShareSessions), only a pool capped at one connection hands out one session.
      const held = () => this.poolOfOwnServer(pool, depth + 1, this.checkoutsShareSessions);
      if (this.testCode ? this.singly(held) : held()) return true;
      // What another maker made (`new ConnectionManager(testConfig)`) may be a pool of several: not read for session state.
      if (!this.checkoutsShareSessions && this.madeFromOwnServer(pool, depth + 1)) return true;
      if (this.heldFromImportedPool(pool)) return true;
      if (!this.checkoutsShareSessions && this.heldFromHelperResultMember(pool)) return true;
    }
    // A postgres.js client made from the local test database's URL, in test code, is that database's client.
    const maker = this.makerName(call.expression);
    if (POOL_MAKER.test(maker) && !(this.testCode && maker === 'postgres')) return false;
    const given = () => (call.arguments ?? []).some((argument) => this.argumentFromOwnServer(argument, depth + 1));
    // …and one capped at a single connection (`{ max: 1 }`) is one session of whatever database the test has.
    // A client of ten keeps no session of its own for session state (checkoutsShareSessions).
    if (maker === 'postgres') return (call.arguments ?? []).some(capsAtOneConnection) ? this.singly(given) : !this.checkoutsShareSessions && this.literally(given);
    if (this.defaultsToLocalHost(call)) return true;
    // `new URL(value)`: the same place, parsed (its user, password and path may be edited; not where it connects).
    if (ts.isNewExpression(call) && maker === 'URL' && call.arguments?.length === 1 && !this.urlMovedElsewhere(call)) return this.fromOwnServer(call.arguments[0], depth + 1);
    // A method of such a value (`container.getConnectionUri()`, `server.connect()`).
    if (ts.isPropertyAccessExpression(call.expression) && this.fromOwnServer(call.expression.expression, depth + 1)) return true;
    const local = ts.isCallExpression(call) ? this.flow.localFunction(call.expression) : undefined;
    if (local && this.returnsOwnServer(local, depth)) return true;
    // A driver's single client (or a LISTEN library's subscriber) given the environment's test database is one session
    // of it; what another function makes of it (`getDb(url)`, often a pool) counts only for a value written in the code.
    return SINGLE_CLIENT_MAKER.test(maker) || this.makesSubscriber(call.expression) ? this.singly(given) : this.literally(given);
  }

  /**
   * What a call hands back of its arguments as it is (proxyTargets.ts): the target of a project `new Proxy(target,
   * handler)`, or the argument a project function returns itself or in such a Proxy (`Guard.wrap(client, options)`).
   */
  private forwardedClient(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
    const file: ProxyFile = { source: this.source, flow: this.flow, fileName: this.fileName };
    return ts.isNewExpression(call) ? proxyTarget(call, file) : passedThrough(call, file);
  }

  /**
   * In test code, a connection held out of a pool a module of the project exports — the pool itself (`import { pool }`)
   * or a function of it returning the pool, called with no arguments (`requirePool().connect()`) — is one session of
   * whatever database the pool is made on in the test's run. The module is read as test code (what it reads from the
   * environment is the test run's environment), and the pool's arguments as a single connection's (oneSession), as for a
   * pool the test makes itself. A module naming a pooler is not read (testHelper).
   */
  private heldFromImportedPool(pool: ts.Expression): boolean {
    if (!this.testCode || this.devOnly) return false;
    const value = unwrap(pool);
    const call = ts.isCallExpression(value) && value.arguments.length === 0 ? value : undefined;
    const name = call ? call.expression : value;
    if (!ts.isIdentifier(name) || this.flow.bindingOf(name)) return false;
    // A name destructured out of a module it loads (`const { pool } = await import('../src/db.js')`) is that module's
    // export; one destructured out of anything else (`const { pool } = ctx`) is not the import (importedOrRequired).
    const imported = this.importedOrRequired(name);
    const file = imported && imported.name !== 'default' ? resolveModule(this.fileName!, imported.specifier) : undefined;
    const reader = file === undefined ? undefined : this.testHelper(file, true);
    return reader !== undefined && reader.singly(() => reader.exportsPool(imported!.name, call !== undefined));
  }

  /**
   * In test code, a connection held out of a member of what a test helper's exported function returns (`qr =
   * ctx.dataSource.createQueryRunner()` after `ctx = await initIntegrationContext()`, the call given no arguments, the
   * same call every value of `ctx`): the member of every object the function returns is made, in the helper, on the
   * suite's own server — a started one, the local test database, or an environment variable the runner's setup files
   * assign such a server or the test environment sets to this machine (madeOnSuiteServer). An unset variable is not
   * enough here: what the helper makes may be the application's database. Not read for session state.
   */
  private heldFromHelperResultMember(pool: ts.Expression): boolean {
    if (!this.testCode || this.devOnly) return false;
    const access = unwrap(pool);
    if (!ts.isPropertyAccessExpression(access) || !ts.isIdentifier(access.expression)) return false;
    const binding = this.flow.bindingOf(access.expression);
    const values = binding && 'variable' in binding ? this.flow.heldValues(binding.variable) : undefined;
    // The one function every value of the variable calls with no arguments: a name this file does not declare (an import).
    const callees = (values ?? []).map((value) => {
      const call = unwrap(value);
      return ts.isCallExpression(call) && call.arguments.length === 0 && ts.isIdentifier(call.expression) && !this.flow.bindingOf(call.expression)
        ? call.expression : undefined;
    });
    const callee = callees[0];
    if (callee === undefined || callees.some((other) => other?.text !== callee.text)) return false;
    const helper = this.importedOrRequired(callee);
    const file = helper && helper.name !== 'default' ? resolveModule(this.fileName!, helper.specifier) : undefined;
    // Read as what its path makes it: a module of the application may be given the production URL.
    const reader = file === undefined ? undefined : this.testHelper(file, false);
    return reader !== undefined && reader.testCode && reader.exportReturnsMember(helper!.name, access.name.text);
  }

  /**
   * Whether this module's exported function `name` returns, on every path, an object whose `member` is made on the
   * suite's own server (heldFromHelperResultMember), judged by a judge of its own (no unset variable counting) so that
   * its verdicts do not mix with this judge's caches.
   */
  private exportReturnsMember(name: string, member: string): boolean {
    const judge = this.judgeOf(this.source, this.flow, this.fileName, this.fileDepth, this.testPackage, this.reexportHops);
    judge.heldAsSingle = false;
    return judge.exported(name, true, (value) => judge.madeFromOwnServer(memberOf(value, member), 1));
  }

  /**
   * Whether this module's export `name` is a pool made from the local test database or the test run's environment
   * (poolOfOwnServer): a variable every value of which is one, or (`call`) a function every return of which is one.
   */
  private exportsPool(name: string, call: boolean): boolean {
    return this.exported(name, call, (value) => this.poolOfOwnServer(value, 1, this.checkoutsShareSessions));
  }

  /** Whether this module's export `name` is a variable every value of which passes `isPool`, or (`call`) a function every return of which does. */
  private exported(name: string, call: boolean, isPool: (value: ts.Expression) => boolean): boolean {
    const returnsPool = (fn: ts.FunctionLikeDeclaration): boolean => {
      if (!fn.body) return false;
      const returns = ts.isBlock(fn.body) ? this.returnsOf(fn.body) : [fn.body];
      return returns.length > 0 && returns.every(isPool);
    };
    // `export { pool }` (or `export { made as pool }`) below the declarations: the name is a top-level one of the module.
    const listed = exportListLocal(this.source, name);
    const declares = (statement: ts.Statement, declared: string | undefined): boolean =>
      declared !== undefined && (declared === listed || (declared === name && hasModifier(statement, ts.SyntaxKind.ExportKeyword)));
    for (const statement of this.source.statements) {
      if (ts.isFunctionDeclaration(statement) && declares(statement, statement.name?.text)) return call && returnsPool(statement);
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declares(statement, declaration.name.text)) continue;
        const initial = declaration.initializer && unwrap(declaration.initializer);
        if (initial && (ts.isArrowFunction(initial) || ts.isFunctionExpression(initial))) return call && returnsPool(initial);
        return !call && this.everyValueOf(declaration, isPool);
      }
    }
    return false;
  }

  /**
   * Whether the `URL` object `made` makes, held in a variable, has a part that says where it connects rewritten in this
   * file (`url.hostname = …`, `url.port = …`, `url.searchParams.set(…)`), or is held where that cannot be seen.
   */
  private urlMovedElsewhere(made: ts.NewExpression): boolean {
    const name = urlHolderName(made);
    if (name === undefined) return !isReadInPlace(made);
    let moved = false;
    walkDescendants(this.source, (node) => {
      if (moved) return false;
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name && URL_PLACE.test(node.name.text)) {
        const user = node.parent;
        // Read (`url.host`, `url.toString()`, `url.searchParams.get('host')`) is fine; written, or its search parameters
        // changed (or handed on, where the change cannot be seen), is another place.
        if ((ts.isBinaryExpression(user) && user.left === node) || (node.name.text === 'searchParams' && !readsSearchParameters(node))) moved = true;
      }
      return true;
    });
    return moved;
  }

  /**
   * A LISTEN/NOTIFY library's subscriber maker, imported or required under any name: pg-listen's default export,
   * pg-pubsub's class, @imqueue/pg-pubsub's `PgPubSub` (forks published under a scope too). Each opens one pg Client.
   */
  private makesSubscriber(callee: ts.Expression): boolean {
    if (!ts.isIdentifier(callee)) return false;
    this.imports ??= importedNames(this.source);
    this.required ??= requiredNames(this.source);
    const specifier = (this.imports.get(callee.text) ?? this.required.get(callee.text))?.specifier;
    return specifier !== undefined && SUBSCRIBER_MODULES.some((library) => specifier === library || (specifier.startsWith('@') && specifier.endsWith(`/${library}`)));
  }

  private required: Map<string, ImportedName> | undefined;

  /**
   * The name a client or pool maker goes by in its driver: the callee's text (`Client`, `pg.Pool`, `postgres`), or, for a
   * name this file imports or requires under another from a PostgreSQL driver (`import { Client as PgClient } from
   * 'pg'`), the driver's own name for it (`Client`). A renamed class of any other module keeps its local name.
   */
  private makerName(callee: ts.Expression): string {
    const value = unwrap(callee);
    const imported = ts.isIdentifier(value) && !this.flow.bindingOf(value) ? this.importedOrRequired(value) : undefined;
    return imported && imported.name !== 'default' && moduleDialect(imported.specifier) === 'postgres' ? imported.name : calleeText(callee);
  }

  /**
   * What a name of this file stands for in another module, where it is used: the destructuring that binds it in scope,
   * when that loads a module (`const { pool } = await import('../dist/db.js')` in the function, `const { f } =
   * require('./x')`); otherwise an `import`, or a top-level `require`, of the name. A destructuring of anything else
   * (`const { pool } = ctx`) is none: two functions' `const { pool } = await import(…)` of two modules are two names.
   */
  private importedOrRequired(use: ts.Identifier): ImportedName | undefined {
    const destructured = this.flow.destructuringOf(use);
    if (destructured) return loadedBinding(destructured, use.text);
    this.imports ??= importedNames(this.source);
    return this.imports.get(use.text) ?? (this.required ??= requiredNames(this.source)).get(use.text);
  }

  /**
   * An argument, or a property of an object literal written as one (`{ kind: 'pgClient', client }`). A pool's tuning
   * option (`max: env.POOL_SIZE`, `ssl: …`) says nothing of where it connects, whatever variable it reads.
   */
  private argumentFromOwnServer(argument: ts.Expression, depth: number): boolean {
    if (this.placeJudge) return this.placeOf(this.placeJudge, (place) => place.argumentFromOwnServer(argument, depth));
    const value = unwrap(argument);
    if (!ts.isObjectLiteralExpression(value)) return !ts.isFunctionLike(value) && this.fromOwnServer(value, depth);
    const copied = copiedOptions(value);
    if (copied) return this.fromOwnServer(copied, depth);
    return value.properties.some((p) => (ts.isPropertyAssignment(p) ? !isTuningOption(p.name) && this.fromOwnServer(p.initializer, depth)
      : ts.isShorthandPropertyAssignment(p) ? !isTuningOption(p.name) && this.fromOwnServer(p.name, depth) : false));
  }

  private returnsOwnServer(fn: ts.FunctionLikeDeclaration, depth: number, member?: string): boolean {
    if (!fn.body) return false;
    const returns = ts.isBlock(fn.body) ? this.returnsOf(fn.body) : [fn.body];
    return returns.length > 0 && returns.every((r) => this.fromOwnServer(member === undefined ? r : memberOf(r, member), depth + 1));
  }

  /** The expressions a function body returns (not its inner functions'): read once per function, however many calls ask. */
  private returnsOf(body: ts.Block): readonly ts.Expression[] {
    let returns = this.returnsByBody.get(body);
    if (!returns) {
      const found: ts.Expression[] = [];
      walkDescendants(body, (node) => {
        if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
        return !ts.isFunctionLike(node);
      });
      returns = found;
      this.returnsByBody.set(body, returns);
    }
    return returns;
  }

  private nameFromOwnServer(name: ts.Identifier, depth: number): boolean {
    const binding = this.flow.bindingOf(name);
    if (!binding) {
      // `const { connectionString } = database`: whatever the object it was taken from is.
      const initializer = this.flow.destructuringOf(name)?.initializer;
      // `const [databaseUrl] = process.argv.slice(2)` in a test's script: what the project's spawns of it pass there.
      const argument = this.testCode && !this.devOnly ? argvElementOf(this.flow.destructuringOf(name), name.text) : undefined;
      if (argument !== undefined) return argument !== null && this.spawnedWithOwnServer(argument);
      // `const [a, b] = await Promise.all([startA(), startB()])` (or an array written out): the element in the same place.
      const element = arrayElementOf(this.flow.destructuringOf(name), name.text);
      if (element !== undefined) return element !== null && this.fromOwnServer(element, depth + 1);
      // A value a test helper of another file exports, taken CommonJS-style (`const { testDbUrl } = require('./setup/db')`).
      const required = this.testCode && initializer !== undefined && requiredModule(initializer) !== undefined
        ? (this.required ??= requiredNames(this.source)).get(name.text) : undefined;
      if (required !== undefined) return this.testHelperExports(required, false);
      const member = this.checkoutsShareSessions ? this.handedOutMember(name, depth) : undefined;
      if (member !== undefined) return member;
      if (initializer !== undefined) return this.fromOwnServer(initializer, depth + 1);
      // A value a test helper of another file exports (`import { testDbUrl } from './setup/db'`).
      const imported = this.testCode ? (this.imports ??= importedNames(this.source)).get(name.text) : undefined;
      return imported !== undefined && this.testHelperExports(imported, false);
    }
    // Declared with a type of a module that starts its own server (`let container: StartedPostgreSqlContainer`): nothing else fits.
    const declared = 'variable' in binding ? binding.variable : binding.parameter;
    if (ts.isIdentifier(declared.name) && isOwnServerType(declared.type, this.ownServerTypeNames())) return true;
    // Judged once per declaration, not once per use: a module's thousand `client.query(…)` all ask of one variable.
    if ('variable' in binding) return this.judged(this.nameVerdicts(), binding.variable, depth, () => this.variableFromOwnServer(binding.variable, depth));
    // A fixture a test or another fixture asks for (`async ({ postgresConnectionString }, use) => …`): what its definition hands to `use`.
    const fixture = fixtureKey(binding.parameterOf, binding.parameter, name.text);
    if (fixture) return this.judged(this.nameVerdicts(), fixture.element, depth, () => this.fixtureFromOwnServer(fixture.key, depth));
    return this.judged(this.nameVerdicts(), binding.parameter, depth, () => this.parameterBindingFromOwnServer(binding.parameterOf, binding.parameter, depth));
  }

  /**
   * Read for session state (checkoutsShareSessions): a name a const destructures from what a function returns (`const {
   * sql: pgSql } = await setupTestDatabase()`, the function this file's or a test helper's export) is the member of the
   * object the function returns, not the object: a helper's object may hold a client capped at one connection beside a
   * postgres.js client of ten, and where they connect (the object's place, localObject) does not tell which one the
   * name is. Undefined when the name is not taken so, or the function is not read here (then the object is judged).
   */
  private handedOutMember(name: ts.Identifier, depth: number): boolean | undefined {
    const destructured = this.flow.constDestructured(name);
    const property = destructured?.property;
    const call = destructured && unwrap(destructured.object);
    if (!property || !(ts.isIdentifier(property) || ts.isStringLiteral(property)) || !call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
    const local = this.flow.localFunction(call.expression);
    if (local) return this.returnsOwnServer(local, depth, property.text);
    const imported = this.testCode ? this.importedOrRequired(call.expression) : undefined;
    if (!imported || OWN_SERVER_MODULE.test(imported.specifier) || startsOwnServer(this.fileName!, imported)) return undefined;
    return this.testHelperExports(imported, true, false, property.text);
  }

  private ownServerTypes: OwnServerTypeNames | undefined;

  /** The types this file imports that are an own-server module's, or a class of the repository extending one of its (testFixtures.ts). */
  private ownServerTypeNames(): OwnServerTypeNames {
    return this.ownServerTypes ??= ownServerTypeNames(this.source, (specifier, name) => startsOwnServer(this.fileName!, { specifier, name }));
  }

  /** `this.containers` in a class that declares the property with such a type (`private containers: Map<V, StartedPg>`). */
  private classPropertyFromOwnServer(access: ts.PropertyAccessExpression, depth: number): boolean {
    for (let current: ts.Node | undefined = access.parent; current; current = current.parent) {
      if (ts.isArrowFunction(current)) continue;
      if (!ts.isMethodDeclaration(current) && !ts.isConstructorDeclaration(current) && !ts.isGetAccessorDeclaration(current)) {
        // `this.bus` in a constructor function of test code (`function Helper () { this.bus = …; this.listen = (t) => this.bus.… }`).
        if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) return this.testCode && this.constructorFieldFromOwnServer(current, access.name.text, depth);
        if (ts.isFunctionLike(current) || ts.isSourceFile(current)) return false;
        continue;
      }
      const owner = current.parent;
      if (!ts.isClassLike(owner)) return false;
      const member = owner.members.find((m) => ts.isPropertyDeclaration(m) && m.name !== undefined && ts.isIdentifier(m.name) && m.name.text === access.name.text);
      if (member !== undefined && ts.isPropertyDeclaration(member) && isOwnServerType(member.type, this.ownServerTypeNames())) return true;
      // In test code, a field only the class assigns, each value it is given being such a value (`this.masterUrl = masterUrl`
      // in a private constructor every construction of which passes the started container's URL).
      return this.testCode && ts.isClassDeclaration(owner) && !isStatic(current as ts.ClassElement) && this.fieldFromOwnServer(owner, access.name.text, depth + 1);
    }
    return false;
  }

  /**
   * In test code, `this.name` read in a constructor function (a function named with a capital, `function Helper () {
   * … }` or `const Helper = function () { … }`), in its body or an arrow function of it, where `this` is the object it
   * builds: every value the body gives `this.name` (`this.bus = new PGPubsub(…)`; not in its inner functions), at least
   * one, each judged — when that is the only code writing a member of that name: no other assignment to `.name` in this
   * file (a prototype method's, a caller's `helper.bus = …`), nor in the files importing it. The JavaScript counterpart
   * of a class's sealed field (session 53).
   */
  private constructorFieldFromOwnServer(fn: ts.FunctionDeclaration | ts.FunctionExpression, name: string, depth: number): boolean {
    const fnName = fn.name?.text ?? (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined);
    if (!fn.body || fnName === undefined || !/^[A-Z]/.test(fnName)) return false;
    const given: ts.BinaryExpression[] = [];
    walkDescendants(fn.body, (node) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
        && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && node.left.name.text === name) given.push(node);
      return !ts.isFunctionLike(node) || ts.isArrowFunction(node);
    });
    if (given.length === 0) return false;
    return this.judged(this.nameVerdicts(), given[0].left, depth, () => {
      const own = new Set<ts.Node>(given.map((assignment) => assignment.left));
      if (writesMember(this.source, name, own)) return false;
      const self = resolve(this.fileName!);
      const importers = importersOf(self);
      if (importers === undefined || importers.length >= MAX_CALLER_FILES) return false;
      const written = new RegExp(String.raw`\.${name.replace(/\$/g, '\\$')}\s*(?:[-+*/%&|^?]{1,3})?=(?!=)`);
      if (importers.some((file) => file !== self && written.test(parsed(file)?.source.text ?? ''))) return false;
      return given.every((assignment) => this.fromOwnServer(assignment.right, depth + 1));
    });
  }

  /**
   * In test code, a single connection's place (oneSession) read from a configuration object a module of the project
   * exports (configMembers.ts): `postgresConfig.options.host` after `const { postgresConfig } = require('../config')` (or
   * `const config = require('../config')`, `import { postgresConfig } from '../config'`, a destructuring of such a const),
   * where the module writes `host: process.env.POSTGRES_HOST || '127.0.0.1'`. In the test's run that module reads the test
   * run's environment, so the member is judged as the same read written in the test (session 53): by the module's own
   * judge read as test code, as a pool the module exports is (heldFromImportedPool), with the test environment and the
   * application's env and compose files seen from the test's folder too, any of them pointing the variable at a pooler
   * or another machine keeping the finding. Undefined (judged as before) when the member is not such a read, the module
   * is not the project's (a package), or code of the test or of the module writes along the member's path.
   */
  private configMemberFromOwnServer(access: ts.PropertyAccessExpression): boolean | undefined {
    if (!CONFIG_PLACE_MEMBER.test(access.name.text)) return undefined;
    const chain = memberChain(access);
    const origin = chain && this.configOrigin(chain.root, 0);
    if (!chain || !origin || !namesProjectFile(this.fileName!, origin.specifier)) return undefined;
    if (origin.holders.some(([name, path]) => writesAlong(this.source, name, [...path, ...chain.path]))) return undefined;
    const file = resolveModule(this.fileName!, origin.specifier);
    const judge = file === undefined || resolve(file) === resolve(this.fileName!) ? undefined : this.testHelper(file, true);
    const member = judge && exportedMember(judge.source, origin.exportName, [...origin.path, ...chain.path]);
    const variable = member && configEnvironmentRead(member.value);
    if (!judge || !member || variable === undefined) return undefined;
    // The variable, and those its siblings read (`port: process.env.POSTGRES_PORT || '5432'` beside the host), pointed
    // nowhere else by the files seen from the test's folder either.
    const pointedElsewhere = (name: string) => testEnvironmentVariable(this.fileName!, name) === 'elsewhere' || applicationEnvironmentVariable(this.fileName!, name) === 'elsewhere';
    if (pointedElsewhere(variable) || (member.object && memberVariables(member.object).some(pointedElsewhere))) return false;
    return this.inModeOf(judge, () => judge.fromOwnServer(member.value, 0));
  }

  /**
   * The module a name of this file takes a configuration object from, the export (undefined: the module's whole
   * CommonJS export) and the members from it to the name, with the names of this file holding it (each with the path
   * from it to the name): `const config = require('../config')` (a let never given another value too), `const {
   * postgresConfig } = require('../config')` or `= config` (one such const or let further), `import { postgresConfig }
   * from '../config'`, `import config from '../config'`.
   */
  private configOrigin(root: ts.Identifier, depth: number): { specifier: string; exportName: string | undefined; path: string[]; holders: Array<[string, string[]]> } | undefined {
    if (depth > 1) return undefined;
    const destructuring = this.flow.destructuringOf(root);
    if (destructuring) {
      if (!ts.isObjectBindingPattern(destructuring.name) || !destructuring.initializer) return undefined;
      const element = destructuring.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === root.text);
      const key = element && !element.dotDotDotToken && !element.initializer ? element.propertyName ?? element.name : undefined;
      if (!key || !ts.isIdentifier(key)) return undefined;
      const from = this.requiredMembers(destructuring.initializer);
      if (from) return { specifier: from.specifier, exportName: undefined, path: [...from.path, key.text], holders: [[root.text, []]] };
      const object = unwrap(destructuring.initializer);
      const inner = ts.isIdentifier(object) ? this.configOrigin(object, depth + 1) : undefined;
      return inner && { ...inner, path: [...inner.path, key.text], holders: [...inner.holders.map(([name, path]): [string, string[]] => [name, [...path, key.text]]), [root.text, []]] };
    }
    const binding = this.flow.bindingOf(root);
    if (binding) {
      if (!('variable' in binding) || !ts.isIdentifier(binding.variable.name)) return undefined;
      const held = this.flow.heldValues(binding.variable);
      const from = held?.length === 1 && held[0] === binding.variable.initializer ? this.requiredMembers(held[0]) : undefined;
      return from && { specifier: from.specifier, exportName: undefined, path: from.path, holders: [[root.text, []]] };
    }
    const imported = (this.imports ??= importedNames(this.source)).get(root.text);
    return imported && { specifier: imported.specifier, exportName: imported.name, path: [], holders: [[root.text, []]] };
  }

  /** `require('../config')`, or a member chain of it (`require('../config').postgresConfig`): the module and the members. */
  private requiredMembers(expression: ts.Expression): { specifier: string; path: string[] } | undefined {
    const { base, path } = memberPath(expression);
    const specifier = ts.isCallExpression(base) && !(base.expression.kind === ts.SyntaxKind.ImportKeyword) ? requiredModule(base) : undefined;
    return specifier === undefined ? undefined : { specifier, path };
  }

  /**
   * A property of Mocha's test context (`this.conString` in `it('…', function () { … })`): every value this file's
   * Mocha callbacks assign to it (`this.conString = …` in a `before` hook), at least one; when none does, a harness
   * the suite loads fills it in (a plugin that starts a database for the suite and hands over its URL): like an
   * environment variable no file sets, the suite's own database for a single connection (oneSession) only — not for
   * a pool, and never in development code or when only values written in the code count (literalOnly).
   */
  private contextFromOwnServer(property: string, depth: number): boolean {
    const assigned = mochaContextAssignments(this.source, property);
    if (assigned.length > 0) return assigned.every((value) => this.fromOwnServer(value, depth + 1));
    return !this.devOnly && !this.literalOnly && this.oneSession;
  }

  /**
   * Whether the fixture `key` (vitest's `test.extend({ key: async ({}, use) => { …; await use(value) } })`) gives a value
   * of a server the code started itself: its definitions in this file, or else in the modules of the repository this
   * file imports (through up to MAX_REEXPORT_HOPS re-exporting modules each), at least one, every one judged in its own
   * file — a fixture function each of whose `use(…)` calls passes such a value (at least one), or a plain value that is one.
   */
  private fixtureFromOwnServer(key: string, depth: number): boolean {
    const found: Array<[OwnServerClients | undefined, ts.Node]> = fixtureDefinitions(this.source, key).map((definition) => [this, definition]);
    if (found.length === 0) {
      const specifiers = new Set([...(this.imports ??= importedNames(this.source)).values(), ...(this.required ??= requiredNames(this.source)).values()]
        .map((imported) => imported.specifier).filter((specifier) => !OWN_SERVER_MODULE.test(specifier)));
      for (const specifier of specifiers) found.push(...this.importedFixtureDefinitions(this.fileName!, specifier, key, 0));
    }
    return found.length > 0 && found.every(([judge, definition]) => judge !== undefined && (judge === this ? judge.fixtureGives(definition as ts.Expression, depth)
      : this.inModeOf(judge, () => judge.fixtureGives(definition as ts.Expression, 0))));
  }

  /** The definitions of fixture `key` in the module `specifier` names (or the modules it re-exports from), each with its file's judge. */
  private importedFixtureDefinitions(from: string, specifier: string, key: string, hops: number): Array<[OwnServerClients | undefined, ts.Node]> {
    const file = resolveModule(from, specifier);
    if (file === undefined || resolve(file) === resolve(this.fileName!)) return [];
    const view = parsed(file);
    if (!view) return [];
    if (fixtureDefinitions(view.source, key).length > 0) {
      const judge = this.testHelper(file, false);
      // A module that names a pooler (or lies too far) defines it: not sure.
      return judge ? fixtureDefinitions(judge.source, key).map((definition) => [judge, definition]) : [[undefined, view.source]];
    }
    if (hops >= MAX_REEXPORT_HOPS) return [];
    return reexportSpecifiers(view.source).flatMap((next) => this.importedFixtureDefinitions(file, next, key, hops + 1));
  }

  /** Whether a fixture's definition of this file gives a value of a server the code started itself (see fixtureFromOwnServer). */
  private fixtureGives(definition: ts.Expression, depth: number): boolean {
    if (this.namesPooler) return false;
    const value = unwrap(definition);
    if (!ts.isArrowFunction(value) && !ts.isFunctionExpression(value)) return this.fromOwnServer(value, depth + 1);
    const given = fixtureUses(value);
    return given !== undefined && given.length > 0 && given.every((argument) => this.fromOwnServer(argument, depth + 1));
  }

  /** A callback's parameter given such a value, or a named local function's parameter every call passes one. */
  private parameterBindingFromOwnServer(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, depth: number): boolean {
    const call = fn.parent;
    // `pool.acquire().then((conn) => …)`: the first parameter of a promise's callback is what the promise resolves to.
    const promise = promiseResolvedInto(fn, parameter);
    if (promise) return this.fromOwnServer(promise, depth + 1);
    // `pool.on('connect', (client) => …)`: pg hands the handler each new connection of the pool, once, before any
    // query; what it sets there is per-connection setup, which only a pooler between them would break.
    if (ts.isCallExpression(call) && call.arguments[1] === fn && fn.parameters[0] === parameter && isNewConnectionEvent(call)) {
      const pool = (call.expression as ts.PropertyAccessExpression).expression;
      return this.poolOfOwnServer(pool, depth + 1, false) || this.fromOwnServer(pool, depth + 1);
    }
    if (ts.isCallExpression(call) && call.arguments.includes(fn as ts.Expression)) {
      // A callback's parameter: `withClient(url, async (client) => …)`, `withDevDatabase(async (db) => …)`.
      if ((ts.isIdentifier(call.expression) && this.startsServer(call.expression))
        || this.lendsOwnServerConnection(call.expression, depth)
        || call.arguments.some((argument) => argument !== fn && this.argumentFromOwnServer(argument, depth + 1))) return true;
    }
    // A callback handed to a function of another module of the repository, which calls it with such a value.
    const handed = handedTo(fn);
    if (handed && this.filledByCallee(handed, fn.parameters.indexOf(parameter))) return true;
    return this.parameterFromOwnServer(fn, parameter, depth);
  }

  /**
   * A callback written in a call of a function that another module of the repository exports (a relative import, a
   * path alias, a workspace package: a shared test suite's `runTests({ initDbClient: (props) => postgres(…) })`), as
   * the argument or as a property (or method) of an object literal given as the argument: its parameter at
   * `parameterIndex` is a value of a server the code started itself when, in that function's own file, every call of
   * the callback (`ctx.initDbClient(database)`, `cb(url)`) passes one there (judged in that file, as this file judges:
   * `database = await initDatabase()` from a helper starting a container) — at least one call, and the callback never
   * handed on (`memoize(ctx.initDbClient)`) nor the object holding it (`other(ctx)`), where unseen code could call it.
   */
  private filledByCallee(handed: HandedCallback, parameterIndex: number): boolean {
    const { call, index, property } = handed;
    if (parameterIndex < 0 || !ts.isIdentifier(call.expression) || this.flow.bindingOf(call.expression)) return false;
    const imported = this.importedOrRequired(call.expression);
    if (!imported || OWN_SERVER_MODULE.test(imported.specifier)) return false;
    const file = resolveModule(this.fileName!, imported.specifier);
    const callee = file === undefined || resolve(file) === resolve(this.fileName!) ? undefined : this.testHelper(file, false);
    if (!callee) return false;
    return this.inModeOf(callee, () => callee.callsBackWithOwnServer(imported.name, index, property, parameterIndex));
  }

  /** `judge`'s verdict in `other` (a file read for this one) while it judges in this file's modes (literalOnly, oneSession, poolerOnly). */
  private inModeOf(other: OwnServerClients, judge: () => boolean): boolean {
    const before = { literalOnly: other.literalOnly, oneSession: other.oneSession, poolerOnly: other.poolerOnly };
    other.literalOnly = this.literalOnly;
    other.oneSession = this.oneSession;
    other.poolerOnly = this.poolerOnly;
    try {
      return judge();
    } finally {
      other.literalOnly = before.literalOnly;
      other.oneSession = before.oneSession;
      other.poolerOnly = before.poolerOnly;
    }
  }

  /**
   * Whether this file's exported function `name` calls the callback it is given as its argument `index` (or as the
   * property `property` of that argument) at least once, only by calling it, each call passing a value of a server
   * the code started itself at `parameterIndex` (see filledByCallee).
   */
  private callsBackWithOwnServer(name: string, index: number, property: string | undefined, parameterIndex: number): boolean {
    if (this.namesPooler) return false;
    const fn = this.exportedFunction(name);
    const parameter = fn?.parameters[index];
    if (!fn?.body || !parameter || parameter.dotDotDotToken) return false;
    // The name the callback goes by in the function: the parameter itself, or a name destructured from it (`({ initDbClient })`).
    let callbackName: string | undefined;
    if (ts.isIdentifier(parameter.name)) callbackName = property === undefined ? parameter.name.text : undefined;
    else if (property !== undefined && ts.isObjectBindingPattern(parameter.name)) {
      if (parameter.name.elements.some((e) => e.dotDotDotToken)) return false;
      const keyOf = (e: ts.BindingElement): string | undefined => {
        const key = e.propertyName ?? e.name;
        return ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
      };
      const element = parameter.name.elements.find((e) => keyOf(e) === property);
      if (!element || !ts.isIdentifier(element.name) || element.initializer) return false;
      callbackName = element.name.text;
    } else return false;
    const calls: ts.CallExpression[] = [];
    let sure = true;
    walkDescendants(fn.body, (node) => {
      if (!sure) return false;
      if (!ts.isIdentifier(node)) return true;
      const binding = this.flow.bindingOf(node);
      if (!binding || !('parameterOf' in binding) || binding.parameter !== parameter) return true;
      let use: ts.Node = node;
      if (callbackName === undefined) {
        // `ctx`: only its members are read; `ctx.initDbClient` only called.
        const access = node.parent;
        if (!ts.isPropertyAccessExpression(access) || access.expression !== node) sure = false;
        else if (access.name.text !== property) return true;
        use = access;
      } else if (node.text !== callbackName) return true;
      const called = use.parent;
      if (ts.isCallExpression(called) && called.expression === use) calls.push(called);
      else sure = false;
      return true;
    });
    return sure && calls.length > 0 && calls.every((call) => {
      const argument = call.arguments[parameterIndex];
      return argument !== undefined && !ts.isSpreadElement(argument) && this.holdsOwnServerValue(argument);
    });
  }

  /** This file's exported top-level function `name`: `export function name`, `export const name = (…) => …`, `export default function`. */
  private exportedFunction(name: string): ts.FunctionLikeDeclaration | undefined {
    for (const statement of this.source.statements) {
      if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
      if (ts.isFunctionDeclaration(statement)) {
        const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
        if (statement.name?.text === name || (name === 'default' && isDefault)) return statement;
        continue;
      }
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        const value = declaration.initializer && unwrap(declaration.initializer);
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return value;
      }
    }
    return undefined;
  }

  /**
   * `x.withTransaction(…)` / `x.connect(…)` handing its callback one connection of such a server: a pool of it, or
   * a client or driver object made from it (`dumbo({ connectionString })`, whose maker is not known for a pool's).
   */
  private lendsOwnServerConnection(callee: ts.Expression, depth: number): boolean {
    if (!ts.isPropertyAccessExpression(callee) || !LENDS_CONNECTION.test(callee.name.text)) return false;
    return this.poolOfOwnServer(callee.expression, depth + 1, this.checkoutsShareSessions) || this.fromOwnServer(callee.expression, depth + 1);
  }

  /** A constructor or factory taken from such a value (`const { Client } = db.adapters.createPg()`), not an imported one. */
  private classOfOwnServer(callee: ts.Expression, depth: number): boolean {
    return ts.isIdentifier(callee) && this.flow.destructuringOf(callee) !== undefined && this.fromOwnServer(callee, depth + 1);
  }

  /** `inject('databaseUrl')` of vitest, provided by a global setup that starts its own server (ownServerHelpers.ts). */
  private injectsOwnServer(call: ts.CallExpression): boolean {
    this.imports ??= importedNames(this.source);
    return isOwnServerInjection(this.fileName!, call, this.imports);
  }

  /** A variable whose initializer and every plain assignment (`database = await createDevDatabase()` in a hook) is such a value. */
  private variableFromOwnServer(variable: ts.VariableDeclaration, depth: number): boolean {
    // `builder = builder.withNetworkMode(…)`: a container builder configured in steps keeps what it held (its other values
    // decide); in test code a `let url = ''` a hook fills in later names no place until then (as a `?? ''` default).
    const values = this.flow.heldValues(variable)?.filter((value) => !this.configuresItself(value, variable)
      && !(this.testCode && value === variable.initializer && isEmptyLiteral(value)));
    return (values !== undefined && values.length > 0 && values.every((v) => this.fromOwnServer(v, depth + 1)))
      || (this.testCode && this.throwawayOrTestVariable(variable, depth));
  }

  /**
   * Whether `value` is the variable itself through a chain of a builder's `with…` methods (`builder.withLabels(…)
   * .withWaitStrategy(…)`): testcontainers' fluent builder returns itself from each, so the assignment changes how the
   * container starts, not which server it is.
   */
  private configuresItself(value: ts.Expression, variable: ts.VariableDeclaration): boolean {
    let current = unwrap(value);
    let steps = 0;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression) && BUILDER_STEP.test(current.expression.name.text)) {
      current = unwrap(current.expression.expression);
      steps++;
    }
    if (steps === 0 || !ts.isIdentifier(current)) return false;
    return this.flow.bindsTo(current, variable);
  }

  /**
   * In test code, a variable holding either a server the code starts itself or the URL of an environment variable named
   * for the suite's test database (`let url = process.env.TEST_DATABASE_URL; if (url === undefined) url = (await new
   * PostgreSqlContainer().start()).getConnectionUri()`): the suite takes the variable as a stand-in for its throwaway
   * server, so it is the suite's own database too — unless the repository's test or application environment points it
   * at a pooler or another machine. At least one value must be such a server; the variable's read may go through a const.
   */
  private throwawayOrTestVariable(variable: ts.VariableDeclaration, depth: number): boolean {
    const values = this.flow.heldValues(variable);
    if (values === undefined) return false;
    let started = 0;
    for (const value of values) {
      const variableName = this.testVariableRead(value);
      if (variableName !== undefined) {
        if (testEnvironmentVariable(this.fileName!, variableName) === 'elsewhere' || applicationEnvironmentVariable(this.fileName!, variableName) === 'elsewhere') return false;
      } else if (this.fromOwnServer(value, depth + 1)) started++;
      else return false;
    }
    return started > 0;
  }

  /**
   * In test code, a read of a variable named for the suite's test database (`process.env.TEST_PG_URL`) in a function
   * that, on another path, starts a server of its own and returns it (a helper handing each suite a container, or a
   * throwaway database it creates on that variable's server when it is set): the variable is the helper's stand-in for
   * its container, as throwawayOrTestVariable reads a variable holding either — unless the repository's test or
   * application environment points it at a pooler or another machine.
   */
  private standInRead(read: ts.Expression, variable: string): boolean {
    if (!this.readsStandIns || this.devOnly || !readsTestEnvironment(read)) return false;
    if (testEnvironmentVariable(this.fileName!, variable) === 'elsewhere' || applicationEnvironmentVariable(this.fileName!, variable) === 'elsewhere') return false;
    const fn = ts.findAncestor(read.parent, (node): node is ts.FunctionLikeDeclaration => ts.isFunctionLike(node) && 'body' in node && node.body !== undefined);
    if (fn === undefined) return false;
    let verdict = this.standInFunctions.get(fn);
    if (verdict === undefined) {
      this.standInFunctions.set(fn, false);
      verdict = this.returnsStartedServer(fn);
      this.standInFunctions.set(fn, verdict);
    }
    return verdict;
  }

  /** Whether this instance takes a test variable read in a server-starting function for that server's stand-in (standInRead). */
  private readsStandIns = true;
  private readonly standInFunctions = new Map<ts.Node, boolean>();

  /**
   * Whether some value `fn` returns is a server started in the code, with only values written in the code counting:
   * judged by a judge of its own that reads no stand-in, so that no verdict reached while a stand-in is still being
   * decided is kept in this judge's caches.
   */
  private returnsStartedServer(fn: ts.FunctionLikeDeclaration): boolean {
    const judge = this.judgeOf(this.source, this.flow, this.fileName, this.fileDepth, this.testPackage, this.reexportHops);
    judge.readsStandIns = false;
    const returns = ts.isBlock(fn.body!) ? judge.returnsOf(fn.body) : [fn.body!];
    return judge.literally(() => returns.some((returned) => judge.fromOwnServer(returned, 0)));
  }

  /** The environment variable named for tests (readsTestEnvironment) a value reads, directly or through a const holding the read. */
  private testVariableRead(value: ts.Expression): string | undefined {
    const unwrapped = unwrap(value);
    const read = ts.isIdentifier(unwrapped) ? this.flow.constantInitializer(unwrapped) : unwrapped;
    return read !== undefined && readsTestEnvironment(read) ? environmentName(read) : undefined;
  }

  /** Whether a variable has a value, and every value it holds (its initializer unless empty, each plain assignment) satisfies `test`. */
  private everyValueOf(variable: ts.VariableDeclaration, test: (value: ts.Expression) => boolean): boolean {
    return this.flow.everyHeldValue(variable, test);
  }

  /**
   * A named function's parameter: every call of the function in this file passes such a value there, and, when the
   * function is exported, every call in the files of the project that import it (`export async function migrate(url)`
   * called by tests with their container's URL: `await migrate(db.url)`), judged in each caller's own file.
   */
  private parameterFromOwnServer(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, depth: number,
    passes: (argument: ts.Expression) => boolean = (argument) => this.fromOwnServer(argument, depth + 1), readImporters = true): boolean {
    const index = fn.parameters.indexOf(parameter);
    if (this.testCode && (ts.isConstructorDeclaration(fn) || (ts.isMethodDeclaration(fn) && isStatic(fn))) && ts.isClassDeclaration(fn.parent)) {
      return index >= 0 && !parameter.dotDotDotToken && this.classArgumentsFromOwnServer(fn.parent, ts.isMethodDeclaration(fn) ? fn : undefined, index, passes);
    }
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text
      : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
    if (!name || index < 0 || parameter.dotDotDotToken) return false;
    const calls = this.callsNamed(name).filter((call) => this.flow.localFunction(call.expression) === fn);
    if (!calls.every((call) => call.arguments[index] !== undefined && passes(call.arguments[index]))) return false;
    if (!readImporters) return !isExportedTopLevel(fn) && calls.length > 0;
    // Only a test's helper (or a module that starts a server itself) is worth reading its importers for.
    const elsewhere = isExportedTopLevel(fn) && this.fileDepth < MAX_FILE_DEPTH && this.mayServeTests() ? this.callsElsewhereFromOwnServer(name, index) : 0;
    return elsewhere !== undefined && calls.length + elsewhere > 0;
  }

  /**
   * How many calls the files importing this one make of its export `name`, when each passes a value of a server the
   * caller started itself at `index`; undefined when one does not, or when a caller cannot be read (too many
   * importers, the function used otherwise than called by a name imported from here). A barrel module that re-exports
   * it (`export { name } from './here'`, `export * from './here'`: callerFiles reads that module's importers too) is
   * followed: a name imported from the barrel under which it re-exports `name` is the function too, and the barrel's
   * re-export itself is no use of it.
   */
  private callsElsewhereFromOwnServer(name: string, index: number): number | undefined {
    const self = resolve(this.fileName!);
    const files = callerFiles(self).filter((file) => file !== self);
    if (files.length >= MAX_CALLER_FILES) return undefined;
    let count = 0;
    for (const file of files) {
      const view = parsed(file);
      if (!view) return undefined;
      // Only the name as a word (`seedTenant`, not inside `seedTenantInProcess`) can reach the function.
      if (!mentionsName(view.source.text, name)) continue;
      const locals = [...importedNames(view.source)].filter(([, imported]) => {
        const from = resolveModule(file, imported.specifier);
        return from === self ? imported.name === name : from !== undefined && from !== file && reexportedNames(from, name, self).includes(imported.name);
      }).map(([local]) => local);
      // A barrel that only re-exports it: its importers' calls are read in their own files.
      if (locals.length === 0 && reexportedNames(file, name, self).length > 0 && !usesOutsideReexports(view.source, name)) continue;
      // Named only in a comment, or inside a longer name (`seedTenantInProcess` beside `seedTenant`): no use of it.
      if (locals.length === 0 && !namesInCode(view.source, name)) continue;
      // Reached another way (a namespace import, `require`, a barrel's import of it handed on): its calls are not read here.
      if (locals.length === 0) return undefined;
      const caller = this.judgeOf(view.source, new Flow(view.source), file, this.fileDepth + 1);
      let allPass = true;
      walkDescendants(view.source, (node) => {
        if (!allPass) return false;
        if (!ts.isIdentifier(node) || !locals.includes(node.text) || ts.isImportSpecifier(node.parent) || ts.isImportClause(node.parent)) return true;
        // `export { name } from './here'` beside the barrel's own import of it: the module's export, not the local name.
        if (isReexportSpecifier(node)) return true;
        const call = node.parent;
        // Handed on as a value (`beforeAll(migrate)`): its arguments are not seen.
        if (!ts.isCallExpression(call) || call.expression !== node) allPass = false;
        else {
          count++;
          const argument = call.arguments[index];
          allPass = argument !== undefined && !ts.isSpreadElement(argument) && caller.holdsOwnServerValue(argument);
        }
        return true;
      });
      if (!allPass) return undefined;
    }
    return count;
  }

  /**
   * In a test's script, its command-line argument at `position` (`process.argv.slice(2)[position]`): the project runs
   * the script as a child process (spawnedScripts.ts: `Bun.spawn(['bun', cliPath, url])`, node's `spawn`/`execFile`/
   * `fork`), and every run passes there such a value, judged in the spawning file as a caller's argument is — at least
   * one run; a script nothing in the project runs, one a module imports, a package.json script or workflow names, or a
   * run with another value there keeps the finding. A hand run documented beside the script is no run of the project's.
   */
  private spawnedWithOwnServer(position: number): boolean {
    if (this.literalOnly || this.spawnHops >= MAX_SPAWN_HOPS) return false;
    const cached = this.spawnVerdicts.get(position);
    if (cached !== undefined) return cached;
    this.spawnVerdicts.set(position, false);
    const spawns = scriptSpawns(resolve(this.fileName!));
    const spawners = new Map<string, OwnServerClients>();
    const verdict = spawns !== undefined && spawns.length > 0 && spawns.every((spawn) => {
      const argument = spawn.args[position];
      if (argument === undefined || spawn.args.slice(0, position + 1).some(ts.isSpreadElement)) return false;
      let spawner = spawners.get(spawn.file);
      if (!spawner) {
        spawner = this.judgeOf(spawn.source, new Flow(spawn.source), spawn.file, 0);
        spawner.spawnHops = this.spawnHops + 1;
        spawners.set(spawn.file, spawner);
      }
      return spawner.holdsOwnServerValue(argument);
    });
    this.spawnVerdicts.set(position, verdict);
    return verdict;
  }

  /** A file under a test folder or named for a test, or one that imports a module starting its own server. */
  private mayServeTests(): boolean {
    return TEST_PATH.test(this.fileName!) || [...(this.imports ??= importedNames(this.source)).values()].some((imported) => OWN_SERVER_MODULE.test(imported.specifier));
  }

  /**
   * `X.field` where X is an instance of a class of this file or of a test helper it imports — known from a type
   * annotation (`let pool: TestDatabasePool`), a construction, or the declared return type of the method that made it
   * (`await pool.child()` with `child(): Promise<TestDatabase>`) — and the class's field is one only the class assigns
   * (sealedField) and every value the class gives it is such a value (judged in the class's own file).
   */
  private instanceFieldFromOwnServer(access: ts.PropertyAccessExpression, depth: number): boolean {
    if (access.expression.kind === ts.SyntaxKind.ThisKeyword) return false;
    const owner = this.classOf(access.expression, depth + 1);
    if (!owner) return false;
    return owner.judge === this ? this.fieldFromOwnServer(owner.declaration, access.name.text, depth + 1)
      : this.inModeOf(owner.judge, () => owner.judge.fieldFromOwnServer(owner.declaration, access.name.text, 0));
  }

  /** A field of a class of this file that only the class assigns, every value of which (at least one) is such a value. */
  private fieldFromOwnServer(owner: ts.ClassDeclaration, name: string, depth: number): boolean {
    const field = sealedField(owner, name);
    if (!field) return false;
    // A field is judged once per mode (a cycle back to it is false), so the values given to it are followed afresh: a
    // fixture's chain (test → instance field → constructor → static factory → container) is longer than one name's.
    return this.judged(this.nameVerdicts(), field, depth, () => {
      const assigned = fieldValues(owner, name);
      if (ts.isParameter(field)) return this.parameterFromOwnServer(field.parent, field, 0) && assigned.every((v) => this.fromOwnServer(v, 0));
      return assigned.length > 0 && assigned.every((v) => this.fromOwnServer(v, 0));
    });
  }

  /**
   * The class an expression's value is an instance of, when a class of this file or of a test helper this file imports
   * (`this` in a method, `new C(…)`, a name declared with the class as its type or holding only such values, a call of
   * a method whose declared return type is the class) — with the judge of the file that declares it.
   */
  private classOf(expression: ts.Expression, depth: number): { judge: OwnServerClients; declaration: ts.ClassDeclaration } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const value = unwrap(expression);
    if (value.kind === ts.SyntaxKind.ThisKeyword) {
      const owner = thisClass(value);
      return owner && !isStatic(owner.member) ? { judge: this, declaration: owner.declaration } : undefined;
    }
    if (ts.isNewExpression(value)) return ts.isIdentifier(value.expression) ? this.classNamed(value.expression.text) : undefined;
    if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression)) {
      const receiver = unwrap(value.expression.expression);
      const method = value.expression.name.text;
      // `C.create()`: a static method of the class; `x.child()`: a method of x's class.
      const statically = ts.isIdentifier(receiver) && !this.flow.bindingOf(receiver) ? this.classNamed(receiver.text) : undefined;
      const owner = statically ?? this.classOf(receiver, depth + 1);
      const declared = owner && classMethod(owner.declaration, method, statically !== undefined);
      const returned = declared && typeClassName(declared.type);
      return returned === undefined ? undefined : owner!.judge.nominalClassNamed(returned);
    }
    if (!ts.isIdentifier(value)) return undefined;
    const binding = this.flow.bindingOf(value);
    if (!binding) return undefined;
    const declaration = 'variable' in binding ? binding.variable : binding.parameter;
    const typed = typeClassName(declaration.type);
    if (typed !== undefined) return this.nominalClassNamed(typed);
    if (!('variable' in binding)) return undefined;
    const values = this.flow.heldValues(binding.variable);
    if (!values || values.length === 0) return undefined;
    const classes = values.map((v) => this.classOf(v, depth + 1));
    const first = classes[0];
    return first && classes.every((c) => c?.declaration === first.declaration) ? first : undefined;
  }

  /** classNamed, for a type annotation: only a class whose instances no other object can pass for (isNominalClass). */
  private nominalClassNamed(name: string): { judge: OwnServerClients; declaration: ts.ClassDeclaration } | undefined {
    const found = this.classNamed(name);
    return found && isNominalClass(found.declaration) ? found : undefined;
  }

  /** The class this file declares at its top level under `name`, or that a test helper it imports exports under it. */
  private classNamed(name: string): { judge: OwnServerClients; declaration: ts.ClassDeclaration } | undefined {
    const local = this.source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name);
    if (local) return { judge: this, declaration: local };
    const imported = (this.imports ??= importedNames(this.source)).get(name);
    if (!imported || !namesProjectFile(this.fileName!, imported.specifier)) return undefined;
    const file = resolveModule(this.fileName!, imported.specifier);
    const helper = file !== undefined && TEST_PATH.test(file) && resolve(file) !== resolve(this.fileName!) ? this.testHelper(file, false) : undefined;
    const exported = helper?.source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === imported.name && isExportedClass(s));
    return helper && exported ? { judge: helper, declaration: exported } : undefined;
  }

  /**
   * A parameter of a class's constructor (`method` undefined) or of its static method `method`: every construction
   * (`new C(…)`) or call (`C.create(…)`, `this.create(…)` in a static method) passes such a value at `index` — in this
   * file, and, unless the member is private or the class is not exported, in the files importing it — at least one;
   * and the class is never handed on as a value (`factory(C)`, `extends C`), where unseen code could construct it.
   */
  private classArgumentsFromOwnServer(owner: ts.ClassDeclaration, method: ts.MethodDeclaration | undefined, index: number,
    passes: (argument: ts.Expression) => boolean): boolean {
    const name = owner.name?.text;
    if (name === undefined) return false;
    const member = method ?? constructorOf(owner);
    const memberName = method && ts.isIdentifier(method.name) ? method.name.text : undefined;
    if (method && memberName === undefined) return false;
    let count = 0;
    let sure = true;
    const given = (call: ts.CallExpression | ts.NewExpression, judge: (argument: ts.Expression) => boolean): void => {
      count++;
      const argument = call.arguments?.[index];
      if (argument === undefined || ts.isSpreadElement(argument) || !judge(argument)) sure = false;
    };
    const visitUse = (use: ReturnType<typeof classUse>, judge: (argument: ts.Expression) => boolean): void => {
      if (!use) return;
      if (use.kind === 'other') sure = false;
      else if (use.kind === 'new') { if (!method) given(use.call, judge); }
      else if (use.member === memberName) use.kind === 'call' ? given(use.call, judge) : (sure = false);
    };
    walkDescendants(this.source, (node) => {
      if (!sure) return false;
      if (ts.isIdentifier(node) && node.text === name && (this.flow.localClass(node) === owner || (ts.isNewExpression(node.parent) && node.parent.expression === node))) {
        visitUse(classUse(node), passes);
      }
      // `this.create(…)` inside a static method of the class.
      if (method && ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && node.name.text === memberName) {
        const scope = thisClass(node.expression);
        if (scope?.declaration === owner && isStatic(scope.member)) {
          if (ts.isCallExpression(node.parent) && node.parent.expression === node) given(node.parent, passes);
          else sure = false;
        }
      }
      return true;
    });
    if (!sure) return false;
    if ((member && isPrivateMember(member)) || !isExportedClass(owner)) return count > 0;
    // Read one file further than a function's callers (MAX_FILE_DEPTH): a test asks it of a fixture class one file away.
    const elsewhere = this.fileDepth <= MAX_FILE_DEPTH ? this.classUsesElsewhere(name, (use, caller) => visitUse(use, (argument) => caller.holdsOwnServerValue(argument))) : false;
    return sure && elsewhere && count > 0;
  }

  /**
   * Shows `visit` every use of this file's exported class `name` in the files importing it (by a named import; each
   * judged by its own file's judge). False when a caller cannot be read: too many importers, or one reaching the class
   * another way (a namespace import, `require`, a re-export).
   */
  private classUsesElsewhere(name: string, visit: (use: ReturnType<typeof classUse>, caller: OwnServerClients) => void): boolean {
    const self = resolve(this.fileName!);
    const files = callerFiles(self).filter((file) => file !== self);
    if (files.length >= MAX_CALLER_FILES) return false;
    for (const file of files) {
      const view = parsed(file);
      if (!view) return false;
      if (!view.source.text.includes(name)) continue;
      const locals = [...importedNames(view.source)].filter(([, imported]) => imported.name === name && resolveModule(file, imported.specifier) === self).map(([local]) => local);
      if (locals.length === 0) {
        // Only type imports of it (`import type { C }`), or another way in.
        if (/\bexport\b[^;]*\bfrom\b/.test(view.source.text) || /\brequire\s*\(|\bimport\s*\*|\bimport\s*\(/.test(view.source.text)) return false;
        continue;
      }
      const caller = this.judgeOf(view.source, new Flow(view.source), file, this.fileDepth + 1);
      walkDescendants(view.source, (node) => {
        if (ts.isIdentifier(node) && locals.includes(node.text) && !ts.isImportSpecifier(node.parent) && !ts.isImportClause(node.parent)) visit(classUse(node), caller);
        return true;
      });
    }
    return true;
  }

  /**
   * In a test file that names a pooler (a test of the driver against one): a client made right here with a URL written
   * out to the suite's compose database service (namesSuiteDatabase, or its socket directory: namesSuiteSocket) —
   * `const conn = connect('postgres://u@pg:5432/t')`, `connect('postgres://?host=/run/postgresql&port=5432')`. Such a
   * URL names the server and its port itself: the pooler the file names is not on the way to it, whatever else the file
   * does through that pooler. A pool (`pooled`, or made by a pool's maker) counts only capped at one connection, in its
   * options (`{ max: 1 }`) or its URL, or unpooled by its URL (URL_ONE_SESSION_AT_A_TIME): one session of that server
   * at a time, as a client is.
   */
  private madeForSuiteDatabase(receiver: ts.Expression, pooled = false): boolean {
    if (!this.testCode || this.devOnly) return false;
    const value = unwrap(receiver);
    const binding = ts.isIdentifier(value) ? this.flow.bindingOf(value) : undefined;
    if (!binding || !('variable' in binding) || !isConstDeclaration(binding.variable) || !binding.variable.initializer) return false;
    const made = unwrap(binding.variable.initializer);
    if (!(ts.isCallExpression(made) || ts.isNewExpression(made))) return false;
    const args = made.arguments ?? [];
    const pool = pooled || POOL_MAKER.test(calleeText(made.expression));
    const capped = args.some(capsAtOneConnection);
    return args.some((argument) => {
      const given = unwrap(argument);
      return ts.isStringLiteralLike(given) && (!pool || capped || URL_ONE_SESSION_AT_A_TIME.test(given.text))
        && (this.namesSuiteDatabase(given.text) || this.namesSuiteSocket(given.text));
    });
  }

  /** A connection string naming, as its host, the Unix-socket directory a compose service running the tests shares with the suite's database service (composeFiles.ts). */
  private namesSuiteSocket(text: string): boolean {
    const socket = socketHost(text);
    return socket !== undefined && this.testCode && reachesSuiteSocket(repositoryFolders(this.fileName!), socket.directory, socket.port);
  }

  /**
   * Test code's own database named by a URL's or a host's text: each server it may reach (serverParts: every host of a
   * list, a URL's `?host=`/`?port=`) is this machine (localTestDatabases.ts) or a compose service running PostgreSQL
   * beside the service that runs the tests (composeFiles.ts). Not in development code.
   */
  private namesLocalDatabase(text: string): boolean {
    return !this.devOnly && this.eachServerLocal(text, true);
  }

  /** A URL's text each server of which is a compose database service of the suite (or this machine), one at least a service. */
  private namesSuiteDatabase(text: string): boolean {
    return this.eachServerLocal(text, false);
  }

  private eachServerLocal(text: string, loopbackAlone: boolean): boolean {
    const servers = serverParts(text);
    const suiteService = (server: HostPart): boolean => server.kind === 'other' && server.host !== undefined && this.testCode
      && reachesSuiteDatabase(repositoryFolders(this.fileName!), server.host, server.port);
    return servers.every((server) => server.kind === 'loopback' || suiteService(server)) && (loopbackAlone || servers.some(suiteService));
  }

  /**
   * A URL written out to this machine on a port that a server of an own-server module is given earlier in the same
   * function (ownServerPorts): `new PGLiteSocketServer({ db, port: 5431 })` there, or in a function of this file or of
   * the repository called there (`const pglite = startSocketServer(); await pglite.start();`), before
   * `postgres('postgres://localhost:5431', …)`. That server, which the code makes itself, listens there: no pooler
   * is between. In any code, not only tests: the port written out on both sides is the proof.
   */
  private listenerStartedBefore(literal: ts.StringLiteralLike): boolean {
    const port = loopbackPortWritten(literal.text);
    if (port === undefined) return false;
    const fn = ts.findAncestor(literal.parent, ts.isFunctionLike);
    const body = fn && 'body' in fn ? fn.body : undefined;
    if (!body) return false;
    const imports = (this.imports ??= importedNames(this.source));
    const before = literal.getStart(this.source);
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found || node.pos >= before || (ts.isFunctionLike(node) && node !== fn)) return;
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.end <= before) {
        const local = ts.isCallExpression(node) ? this.flow.localFunction(node.expression) : undefined;
        const imported = ts.isIdentifier(node.expression) ? this.importedOrRequired(node.expression) : undefined;
        const ports = local && local !== fn ? ownServerPorts(local.body!, imports)
          : imported ? [...listeningPorts(this.fileName!, imported), ...ownServerPorts(node, imports)] : ownServerPorts(node, imports);
        if (ports.includes(port)) found = true;
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
    return found;
  }

  /**
   * A URL to this machine whose port is a hole holding a const of the file (`postgres://u:p@localhost:${PG_PORT}/db`)
   * that a Testcontainers PostgreSQL container this file starts maps as its host port (`new PostgreSqlContainer(image)
   * … .withExposedPorts({ container: 5432, host: PG_PORT })`, in any function of the file): the code's own server
   * listens there. In any code: the same const on both sides is the proof, as a port written out on both sides is.
   */
  private onMappedContainerPort(template: ts.TemplateExpression): boolean {
    const { text, holes } = templateSkeleton(template);
    const index = loopbackPortHole(text);
    const port = index === undefined ? undefined : unwrap(holes[index]);
    const binding = port && ts.isIdentifier(port) ? this.flow.bindingOf(port) : undefined;
    if (!binding || !('variable' in binding) || !isConstDeclaration(binding.variable)) return false;
    return this.mappedContainerPorts().some((mapped) => this.flow.bindsTo(mapped, binding.variable));
  }

  /** The names a PostgreSQL container of this file is given as host ports (`.withExposedPorts({ container: 5432, host: PG_PORT })`). */
  private mappedContainerPorts(): ts.Identifier[] {
    if (this.containerPorts) return this.containerPorts;
    const imports = (this.imports ??= importedNames(this.source));
    const ports: ts.Identifier[] = [];
    walkDescendants(this.source, (node) => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'withExposedPorts') return;
      if (!this.startsPostgresContainer(node.expression.expression, imports)) return;
      for (const argument of node.arguments) {
        const mapping = unwrap(argument);
        const host = ts.isObjectLiteralExpression(mapping) ? objectProperty(mapping, 'host') : undefined;
        const value = host && unwrap(host);
        if (value && ts.isIdentifier(value)) ports.push(value);
      }
    });
    return (this.containerPorts = ports);
  }

  /** A builder chain (`new PostgreSqlContainer(image).withDatabase('d')…`) that starts from Testcontainers' PostgreSQL container. */
  private startsPostgresContainer(chain: ts.Expression, imports: Map<string, ImportedName>): boolean {
    let node = unwrap(chain);
    while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) node = unwrap(node.expression.expression);
    const callee = ts.isNewExpression(node) ? node.expression : undefined;
    const imported = callee && ts.isIdentifier(callee) ? imports.get(callee.text) : undefined;
    return imported !== undefined && imported.name === 'PostgreSqlContainer' && TESTCONTAINERS_POSTGRES_MODULE.test(imported.specifier);
  }

  /** Whether a value of this file is (or is made from) a server the code started itself. */
  holdsOwnServerValue(expression: ts.Expression): boolean {
    return this.fileName !== undefined && !this.namesPooler && this.fromOwnServer(expression, 0);
  }

  private callsNamed(name: string): readonly ts.CallExpression[] {
    return callsByName(this.source).get(name) ?? [];
  }


  /** Whether a name this file imports starts a server: a function of an own-server module, or a helper of the repository that calls one. */
  private startsServer(use: ts.Identifier): boolean {
    const imported = this.importedOrRequired(use);
    if (!imported) return false;
    if (OWN_SERVER_MODULE.test(imported.specifier)) return true;
    // By what the name stands for: one name may be two modules' exports in two functions.
    const key = `${imported.specifier}\0${imported.name}`;
    let verdict = this.helperVerdicts.get(key);
    if (verdict === undefined) {
      verdict = startsOwnServer(this.fileName!, imported) || (this.testCode && this.testHelperExports(imported, true));
      this.helperVerdicts.set(key, verdict);
    }
    return verdict;
  }

  /**
   * Outside test code, a template that only adds a database's path to such a server's URL (`${dbURI}/${dbName}` in a
   * suite's helper module, `dbURI` vitest's injected container URL): the server is the first hole's. No `?`, `@` or `,`
   * in its text, which could name another host (`?host=`, a host list, credentials before one).
   */
  private databasePathOnOwnServer(template: ts.TemplateExpression, depth: number): boolean {
    const { text, holes } = templateSkeleton(template);
    if (!text.startsWith('\u00000\u0000/') || /[?@,]/.test(text)) return false;
    return this.fromOwnServer(holes[0], depth + 1);
  }

  /**
   * In test code: a value (`pieces.value`) of the local test database — a connection string or host pointing at
   * this machine (localTestDatabases.ts), a test environment variable read with such a default (`process.env.TEST_PGHOST
   * ?? 'localhost'`), a template whose host is one (`postgres://u:p@${host}:${port}/t`) or that continues such a URL
   * (`${base}?search_path=${schema}`), the same built with `+` (`base + '?application_name=t'`), either side of a `?:` being one, or an object literal (a test's context, a
   * connection config) holding such a value.
   */
  private localTestDatabase(value: ts.Expression, depth: number): boolean {
    // In development code a local URL written out is no proof (an example app's module a user deploys as it is): only with
    // the environment's word for it (below).
    if (ts.isStringLiteralLike(value)) return this.namesLocalDatabase(value.text) || (!this.devOnly && this.namesSuiteSocket(value.text));
    const skeleton = ts.isTemplateExpression(value) ? templateSkeleton(value)
      : ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken ? concatenationSkeleton(value) : undefined;
    if (skeleton) {
      const { text, holes } = skeleton;
      if (text.startsWith('\u00000\u0000')) return this.fromOwnServer(holes[0], depth + 1);
      return this.namesLocalDatabase(text) || this.eachServerHeldLocally(text, holes, depth);
    }
    if (ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || value.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      if (!readsTestEnvironment(value.left) && !this.fromOwnServer(value.left, depth + 1)) return false;
      // In development code, a local default of a variable the repository's env files set to this machine (an example's
      // `process.env.PGHOST || 'localhost'` beside a `.env.test` giving `PGHOST=localhost`).
      const fallback = unwrap(value.right);
      return (ts.isStringLiteralLike(fallback) ? this.literalDefaultIsLocal(fallback) : undefined) ?? this.fromOwnServer(value.right, depth + 1);
    }
    if (ts.isConditionalExpression(value)) {
      // A branch that is `undefined` or `null` names no place (`trimmed ? trimmed : undefined`): the other one's is the only one.
      const [whenTrue, whenFalse] = [unwrap(value.whenTrue), unwrap(value.whenFalse)];
      if (isNullish(whenFalse)) return this.fromOwnServer(whenTrue, depth + 1);
      if (isNullish(whenTrue)) return this.fromOwnServer(whenFalse, depth + 1);
      return this.fromOwnServer(value.whenTrue, depth + 1) && this.fromOwnServer(value.whenFalse, depth + 1);
    }
    if (ts.isObjectLiteralExpression(value)) return this.localObject(value, depth);
    return false;
  }

  /**
   * A test database variable's literal default (`process.env.X ?? '…'`, a schema's `X: z.string().default('…')`) when
   * the literal alone decides: an empty one names no place (the variable's is the only one); in development code, only
   * a loopback host is local. Undefined when the literal is to be judged as any value is.
   */
  private literalDefaultIsLocal(fallback: ts.StringLiteralLike): boolean | undefined {
    if (fallback.text === '') return true;
    return this.devOnly ? reachesOnlyThisMachine(fallback.text) : undefined;
  }

  /**
   * A template's skeleton (`postgres://u:p@${host}:${port}/t`) whose every server (serverParts: each host of a list, a
   * URL's `?host=`) is a hole holding a value of the local test database, or, in test code, this machine; one a hole
   * at least. `postgres://u@${host}/t?host=db.example.com` may reach db.example.com, whatever the hole holds.
   */
  private eachServerHeldLocally(text: string, holes: readonly ts.Expression[], depth: number): boolean {
    const servers = serverParts(text);
    return servers.some((server) => server.kind === 'hole') && servers.every((server) => (server.kind === 'hole'
      ? this.fromOwnServer(holes[server.index], depth + 1) : server.kind === 'loopback' && !this.devOnly));
  }

  /**
   * An object literal (a connection config, a test's context) holding a value of the local test database, and no
   * client made from anything else: `{ address: local, admin: postgres(given) }` may send through either.
   */
  private localObject(object: ts.ObjectLiteralExpression, depth: number): boolean {
    if (this.placeJudge) return this.placeOf(this.placeJudge, (place) => place.localObject(object, depth));
    let local = false;
    for (const property of object.properties) {
      const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      if (value === undefined) continue;
      if (this.fromOwnServer(value, depth + 1)) local = true;
      // A pool or ORM made from the same server (`orm: drizzle(sql)`) sends nowhere else.
      else if (this.makesClient(value) && !this.poolOfOwnServer(value, depth + 1, false)) return false;
    }
    return local;
  }

  /** Whether a value is a client or pool made here (`postgres(url)`, `new Client(…)`), directly or through a const. */
  private makesClient(expression: ts.Expression): boolean {
    let value = unwrap(expression);
    if (ts.isIdentifier(value)) {
      const initializer = this.flow.declaredInitializer(value);
      if (initializer === undefined) return false;
      value = unwrap(initializer);
    }
    if (!ts.isCallExpression(value) && !ts.isNewExpression(value)) return false;
    const maker = calleeText(value.expression);
    return POOL_MAKER.test(maker) || /(?:^|\.)Client$/.test(maker);
  }

  /** `settings.host` where `settings` is a const object literal of this file with that property: the property's value. */
  private objectProperty(access: ts.PropertyAccessExpression): ts.Expression | undefined {
    if (!ts.isIdentifier(access.expression)) return undefined;
    const initializer = this.flow.declaredInitializer(access.expression);
    const object = initializer && unwrap(initializer);
    if (!object || !ts.isObjectLiteralExpression(object)) return undefined;
    const property = object.properties.find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === access.name.text);
    return property && ts.isPropertyAssignment(property) ? property.initializer : property && ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
  }

  /**
   * Whether a name this test file imports from another test file is (`call`: returns, on every path) a value of a
   * server the code started itself or of the local test database, judged in the helper's own file — followed
   * through `export { x } from` and `export *` re-exports, MAX_TEST_HELPER_DEPTH files at most besides the re-exporting
   * modules passed through (`reexport`: this file re-exports the name, MAX_REEXPORT_HOPS in a row at most).
   */
  private testHelperExports(imported: ImportedName, call: boolean, reexport = false, member?: string): boolean {
    // A relative path, or a path alias of the project's tsconfig (`@/tests/setup/global`): a file of this project.
    const relative = namesProjectFile(this.fileName!, imported.specifier);
    // A workspace package named for tests (`@repo/test-utils`, `@app/testing`): a monorepo's shared test helpers.
    const file = resolveModule(this.fileName!, imported.specifier);
    // … and the modules of that package its files import or re-export (`export * from './db'` in its index).
    const testPackage = relative ? file !== undefined && this.testPackage && this.withinOwnPackage(file) : namedForTests(imported.specifier);
    if (!relative && !testPackage) return false;
    const helper = file !== undefined && (testPackage || TEST_PATH.test(file)) ? this.testHelper(file, testPackage, reexport) : undefined;
    // Judged in the helper's file as this file judges it: a single connection's URL taken from a helper (`new
    // pg.Pool({ connectionString: PG_URL, max: 1 })`, `PG_URL = process.env.APP_TEST_PG_URL` in tests/support) is one
    // session of the environment's test database there too (oneSession).
    return helper !== undefined && helper.exportsAsSingle(this.oneSession, imported.name, call, member);
  }

  /** `exports`, judged in oneSession mode when the importing file judges a single connection's arguments. */
  private exportsAsSingle(oneSession: boolean, name: string, call: boolean, member?: string): boolean {
    return oneSession ? this.singly(() => this.exports(name, call, member)) : this.exports(name, call, member);
  }

  private testHelper(file: string, testPackage: boolean, reexport = false): OwnServerClients | undefined {
    if (reexport ? this.reexportHops >= MAX_REEXPORT_HOPS : this.fileDepth >= MAX_TEST_HELPER_DEPTH) return undefined;
    const key = `${testPackage}:${reexport}:${file}`;
    let helper = this.testHelpers.get(key);
    if (helper === undefined) {
      const view = parsed(file);
      helper = view && !namesPoolerInSource(view.source)
        ? this.judgeOf(view.source, new Flow(view.source), file, reexport ? this.fileDepth : this.fileDepth + 1, testPackage, reexport ? this.reexportHops + 1 : 0)
        : null;
      this.testHelpers.set(key, helper);
    }
    return helper ?? undefined;
  }

  /**
   * A property of the global object a test reads (`client = global.__DB_CLIENT__`): every value assigned to it in
   * this file and in the setup files the repository's test runner configurations name (Jest's `globalSetup`, Mocha's
   * `--require`, …) is a value of a server the code started itself or of the local test database; at least one.
   */
  private globalFromOwnServer(name: string): boolean {
    const cached = this.globals.get(name);
    if (cached !== undefined) return cached;
    // A cycle back to it (`global.db = global.db ?? make()`) is not one.
    this.globals.set(name, false);
    const verdict = this.judgeGlobal(name);
    this.globals.set(name, verdict);
    return verdict;
  }

  private readonly globals = new Map<string, boolean>();

  private judgeGlobal(name: string): boolean {
    return assignsOnlyOwnServer([this, ...this.setupFileReaders()], (reader) => reader.globalAssignments(name));
  }

  /** The setup files the repository's test runner configurations name (testSetupFiles), each read as a test helper; this file left out. */
  private setupFileReaders(): OwnServerClients[] {
    const self = resolve(this.fileName!);
    const readers: OwnServerClients[] = [];
    for (const file of testSetupFiles(this.fileName!)) {
      const helper = file === self ? undefined : this.testHelper(file, false);
      if (helper) readers.push(helper);
    }
    return readers;
  }

  /**
   * Whether the setup files the repository's test runner configurations name (Jest's and Vitest's `globalSetup`, …)
   * assign the environment variable `name` (`process.env.TEST_DATABASE_URL = urlFor(dbName)`), and every value they give
   * it is, in that file's reading, a server the code started itself or the local test database: the runner runs them
   * before the tests, so the tests read what they assigned, as they read what `.env.test` sets (testEnvironment.ts).
   */
  private setupAssignsOwnServer(name: string): boolean {
    const cached = this.setupVariables.get(name);
    if (cached !== undefined) return cached;
    // A cycle back to it (a setup file reading the variable it assigns) is not one.
    this.setupVariables.set(name, false);
    const readers = this.testCode && !this.devOnly ? [...this.setupFileReaders(), ...this.sideEffectSetupReaders()] : this.setupFileReaders();
    const verdict = assignsOnlyOwnServer(readers, (reader) => reader.environmentAssignments(name));
    this.setupVariables.set(name, verdict);
    return verdict;
  }

  /**
   * The modules of the project this test file loads for their side effects (`import './test/setup/env'`, a top-level
   * `require('../support/env')` before the file's first variable statement), by a relative path or the project's tsconfig
   * path alias, that are test code themselves (a test folder's module), and the modules those load so,
   * MAX_SIDE_EFFECT_FILES at most: they run in the test's process before the
   * test's own code, so what they assign to the environment is what the test reads, as a runner's setup file's is
   * (session 49). Each read as a test helper; this file and the runner's setup files left out.
   */
  private sideEffectSetupReaders(): OwnServerClients[] {
    const self = resolve(this.fileName!);
    const seen = new Set<string>([self, ...testSetupFiles(this.fileName!).map((file) => resolve(file))]);
    const readers: OwnServerClients[] = [];
    const visit = (importer: string, source: ts.SourceFile, hops: number): void => {
      for (const specifier of sideEffectSpecifiers(source)) {
        if (readers.length >= MAX_SIDE_EFFECT_FILES || !namesProjectFile(importer, specifier)) continue;
        const file = resolveModule(importer, specifier);
        // Test code itself (a test folder's module, a setup name): the literal it assigns is read as a test's is.
        if (file === undefined || seen.has(resolve(file)) || !isTestCode(file)) continue;
        seen.add(resolve(file));
        const helper = this.testHelper(file, false);
        if (!helper) continue;
        readers.push(helper);
        if (hops < MAX_SIDE_EFFECT_FILES) visit(file, helper.source, hops + 1);
      }
    };
    visit(this.fileName!, this.source, 1);
    return readers;
  }

  private readonly setupVariables = new Map<string, boolean>();

  /** The values this file assigns to the environment variable `name` (`process.env.X = …`, `process.env['X'] = …`). */
  private environmentAssignments(name: string): ts.Expression[] {
    if (!this.source.text.includes(name)) return [];
    const values: ts.Expression[] = [];
    walkDescendants(this.source, (node) => {
      const operator = ts.isBinaryExpression(node) ? node.operatorToken.kind : undefined;
      if (operator === undefined || operator < ts.SyntaxKind.FirstAssignment || operator > ts.SyntaxKind.LastAssignment) return true;
      // A compound assignment (`+=`, `??=`) keeps or extends what was there: the assignment itself stands for its unknown value.
      const binary = node as ts.BinaryExpression;
      if (environmentName(binary.left) === name) values.push(operator === ts.SyntaxKind.EqualsToken ? binary.right : binary);
      return true;
    });
    return values;
  }

  /** The values this file assigns to the global object's property `name` (`(global as any).__DB__ = client`). */
  private globalAssignments(name: string): ts.Expression[] {
    if (!this.source.text.includes(name)) return [];
    const values: ts.Expression[] = [];
    walkDescendants(this.source, (node) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && globalProperty(node.left, unwrap) === name) values.push(node.right);
      return true;
    });
    return values;
  }

  /** Whether `file` is in the package this file belongs to (under the folder of its nearest package.json). */
  private withinOwnPackage(file: string): boolean {
    const root = foldersUp(dirname(resolve(this.fileName!)), 6).find((folder) => isFile(join(folder, 'package.json')));
    return root !== undefined && resolve(file).startsWith(root + sep);
  }

  /**
   * Whether this file's export `name` (`default` too: `export default () => ({ … })`) is such a value (`call`: a
   * function every return of which is one; `member`: whose every returned object's member of that name is one,
   * handedOutMember).
   */
  private exports(name: string, call: boolean, member?: string): boolean {
    for (const statement of this.source.statements) {
      if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const specifier = statement.moduleSpecifier.text;
        const clause = statement.exportClause;
        if (!clause) {
          if (this.testHelperExports({ specifier, name }, call, true, member)) return true;
        } else if (ts.isNamedExports(clause)) {
          const element = clause.elements.find((e) => e.name.text === name);
          if (element) return this.testHelperExports({ specifier, name: (element.propertyName ?? element.name).text }, call, true, member);
        }
        continue;
      }
      // CommonJS: `module.exports = { name, name: local, name() {…} }`, `module.exports.name = …`, `exports.name = …`.
      const commonJs = ts.isExpressionStatement(statement) ? commonJsExport(statement.expression, name) : undefined;
      if (commonJs !== undefined) return this.valueExports(commonJs, call, member);
      // The default export: `export default () => ({ … })`, `export default made` (a top-level name of the module).
      if (name === 'default' && ts.isExportAssignment(statement) && !statement.isExportEquals) return this.valueExports(statement.expression, call, member);
      if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
      const exportedName = hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'default' : undefined;
      if (ts.isFunctionDeclaration(statement) && (exportedName ?? statement.name?.text) === name) return call && this.returnsOwnServer(statement, 0, member);
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== name || !declaration.initializer) continue;
        const value = unwrap(declaration.initializer);
        if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return call && this.returnsOwnServer(value, 0, member);
        return !call && this.fromOwnServer(value, 0);
      }
    }
    return false;
  }

  /**
   * Whether a CommonJS export's value is such a value (`call`: a function every return of which is one): a function
   * written there, a function or variable of the file's top level it names (`module.exports = { getParams }`), or a value.
   */
  private valueExports(exported: ts.Expression | ts.MethodDeclaration, call: boolean, member?: string): boolean {
    if (ts.isMethodDeclaration(exported)) return call && this.returnsOwnServer(exported, 0, member);
    const value = unwrap(exported);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return call && this.returnsOwnServer(value, 0, member);
    if (ts.isIdentifier(value)) {
      for (const statement of this.source.statements) {
        if (ts.isFunctionDeclaration(statement) && statement.name?.text === value.text) return call && this.returnsOwnServer(statement, 0, member);
        if (!ts.isVariableStatement(statement)) continue;
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || declaration.name.text !== value.text || !declaration.initializer) continue;
          const initial = unwrap(declaration.initializer);
          if (ts.isArrowFunction(initial) || ts.isFunctionExpression(initial)) return call && this.returnsOwnServer(initial, 0, member);
        }
      }
    }
    return !call && this.fromOwnServer(value, 0);
  }
}

/**
 * Whether the files `readers` read assign a name at least once (`assignments`: its values in one reader's file), and
 * every value is a server the code started itself or the local test database, in that file's reading. The first value
 * that is not decides.
 */
/**
 * The specifiers a module loads for their side effects only: `import './setup/env'` (hoisted: it runs before the
 * module's code), and a top-level `require('./setup/env')` statement that comes before the module's first variable
 * statement (CommonJS runs it in place).
 */
function sideEffectSpecifiers(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  let declared = false;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      if (!statement.importClause && ts.isStringLiteral(statement.moduleSpecifier)) specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isVariableStatement(statement)) {
      declared = true;
    } else if (!declared && ts.isExpressionStatement(statement)) {
      const call = unwrap(statement.expression);
      if (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'require'
        && call.arguments.length === 1 && ts.isStringLiteralLike(call.arguments[0])) specifiers.push(call.arguments[0].text);
    }
  }
  return specifiers;
}

function assignsOnlyOwnServer(readers: readonly OwnServerClients[], assignments: (reader: OwnServerClients) => ts.Expression[]): boolean {
  let found = 0;
  for (const reader of readers) {
    for (const assigned of assignments(reader)) {
      if (!reader.holdsOwnServerValue(assigned)) return false;
      found++;
    }
  }
  return found > 0;
}

/** A callback written in a call: its argument `index`, or the property `property` of an object literal written as that argument. */
interface HandedCallback {
  call: ts.CallExpression;
  index: number;
  property?: string;
}

/**
 * Where a function literal is handed to a call: as an argument (`cb(async (db) => …)`), or as a property or method of an
 * object literal written as one (`runTests({ initDbClient: (props) => …, async createRunner(uri) { … } })`).
 */
/**
 * The member `name` of a returned object literal that spreads nothing (`return { db, sql, url }`: `sql`), else the
 * returned value itself, judged whole.
 */
function memberOf(returned: ts.Expression, name: string): ts.Expression {
  const object = unwrap(returned);
  if (!ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return returned;
  return objectProperty(object, name) ?? returned;
}

function handedTo(fn: ts.SignatureDeclaration): HandedCallback | undefined {
  let node: ts.Node = fn;
  let property: string | undefined;
  const keyOf = (name: ts.PropertyName): string | undefined => (ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined);
  if (ts.isMethodDeclaration(fn) && ts.isObjectLiteralExpression(fn.parent)) {
    property = keyOf(fn.name);
    node = fn.parent;
  } else if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    node = outermostWrapper(fn);
    const holder = node.parent;
    if (ts.isPropertyAssignment(holder) && holder.initializer === node && ts.isObjectLiteralExpression(holder.parent)) {
      property = keyOf(holder.name);
      node = holder.parent;
    }
  } else return undefined;
  if (node !== fn && property === undefined) return undefined;
  node = outermostWrapper(node);
  const call = node.parent;
  if (!ts.isCallExpression(call)) return undefined;
  const index = call.arguments.indexOf(node as ts.Expression);
  return index < 0 ? undefined : { call, index, property };
}

/**
 * What a CommonJS assignment exports under `name`: the value of `module.exports.name = v` / `exports.name = v`, or of the
 * property `name` of `module.exports = { … }` (a shorthand `{ name }` gives its identifier, a method its declaration).
 */
function commonJsExport(expression: ts.Expression, name: string): ts.Expression | ts.MethodDeclaration | undefined {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = expression.left;
  if (ts.isPropertyAccessExpression(target) && target.name.text === name && isCommonJsExports(target.expression)) return expression.right;
  const value = unwrap(expression.right);
  if (!isModuleExports(target) || !ts.isObjectLiteralExpression(value)) return undefined;
  for (const property of value.properties) {
    if (!property.name || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) || property.name.text !== name) continue;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isMethodDeclaration(property)) return property;
  }
  return undefined;
}

/**
 * The names under which module `file` re-exports the export `name` of module `target`: `export { name } from
 * './target'` (→ name), `export { name as other } from …` (→ other), `export * from …` (→ name). Type-only
 * re-exports and `export * as ns from …` (a namespace) are not followed.
 */
function reexportedNames(file: string, name: string, target: string): string[] {
  const view = parsed(file);
  if (!view || !view.source.text.includes('export')) return [];
  const names: string[] = [];
  for (const statement of view.source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    if (clause && !ts.isNamedExports(clause)) continue;
    if (clause && !clause.elements.some((e) => !e.isTypeOnly && (e.propertyName ?? e.name).text === name)) continue;
    if (resolveModule(file, statement.moduleSpecifier.text) !== target) continue;
    if (!clause) names.push(name);
    else for (const e of clause.elements) if (!e.isTypeOnly && (e.propertyName ?? e.name).text === name) names.push(e.name.text);
  }
  return names;
}

/** The local name a module's own export list gives under `name` (`export { pool }`, `export { made as pool }`), if any. */
function exportListLocal(source: ts.SourceFile, name: string): string | undefined {
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || statement.isTypeOnly || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    const element = statement.exportClause.elements.find((e) => !e.isTypeOnly && e.name.text === name);
    if (element) return (element.propertyName ?? element.name).text;
  }
  return undefined;
}

/** An identifier in the list of an `export { … } from '…'` (a re-export of another module's name, no local binding). */
function isReexportSpecifier(node: ts.Identifier): boolean {
  return ts.isExportSpecifier(node.parent) && node.parent.parent.parent.moduleSpecifier !== undefined;
}

/** Whether `name` appears in the module as an identifier anywhere but in its `export { … } from` lists. */
function usesOutsideReexports(source: ts.SourceFile, name: string): boolean {
  let used = false;
  walkDescendants(source, (node) => {
    if (used) return false;
    if (ts.isIdentifier(node) && node.text === name && !isReexportSpecifier(node)) used = true;
    return true;
  });
  return used;
}

/** A package specifier whose name (without its scope) has a word saying test: `@repo/test-utils`, `testing-helpers`, `@app/db-testing`. */
function namedForTests(specifier: string): boolean {
  const name = /^(?:@[^/]+\/)?([^/]+)/.exec(specifier)?.[1];
  return name !== undefined && nameWords(name).some((word) => word === 'test' || word === 'tests' || word === 'testing');
}

/** `url.searchParams.get('host')` and the other methods of URLSearchParams that only read: called at once, on the spot. */
function readsSearchParameters(searchParams: ts.PropertyAccessExpression): boolean {
  const method = searchParams.parent;
  return ts.isPropertyAccessExpression(method) && method.expression === searchParams && SEARCH_PARAMETER_READS.test(method.name.text)
    && ts.isCallExpression(method.parent) && method.parent.expression === method;
}
const SEARCH_PARAMETER_READS = /^(?:get|getAll|has|toString|keys|values|entries|forEach)$/;

/**
 * The name a `new URL(…)` is kept in: a declaration's (`const url = new URL(x)`) or a plain assignment's (`url = new
 * URL(x)` to a `let url: URL` declared before a `try`); undefined when it is held otherwise (a destructuring, a member).
 */
function urlHolderName(made: ts.NewExpression): string | undefined {
  const outer = outermostWrapper(made);
  const holder = outer.parent;
  if (ts.isVariableDeclaration(holder) && holder.initializer === outer) return ts.isIdentifier(holder.name) ? holder.name.text : undefined;
  const assigned = ts.isBinaryExpression(holder) && holder.operatorToken.kind === ts.SyntaxKind.EqualsToken && holder.right === outer;
  return assigned && ts.isIdentifier(holder.left) ? holder.left.text : undefined;
}

/** `new URL(x).toString()`, `new URL(x).href`, or the URL handed on as a value: read where it is made, never edited. */
function isReadInPlace(made: ts.NewExpression): boolean {
  const outer = outermostWrapper(made);
  const parent = outer.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === outer) return !ts.isBinaryExpression(parent.parent) || parent.parent.left !== parent;
  return ts.isCallExpression(parent) || ts.isPropertyAssignment(parent) || ts.isTemplateSpan(parent);
}

/**
 * A connection URL that makes the pool made from it one session at a time: pgwire's `_poolSize=1` caps it at one
 * connection (its pool's size is a URL parameter), and `_poolSize=0` turns its pooling off — each query opens a
 * connection of its own and closes it after, so no state it leaves reaches another query. (Without the parameter pgwire
 * does the same, but only the written-out value says so without knowing the maker is pgwire's.)
 */
const URL_ONE_SESSION_AT_A_TIME = /[?&]_poolSize=[01](?:[&#]|$)/;


/** The LISTEN/NOTIFY libraries whose subscriber holds one connection of its own (listenLibraries.ts). */
const SUBSCRIBER_MODULES = [PG_LISTEN_MODULE, PG_PUBSUB_MODULE, IMQUEUE_PG_PUBSUB_MODULE];

/** `x.on('connect', handler)`: an event handler for each new connection a pool opens. */
function isNewConnectionEvent(call: ts.CallExpression): boolean {
  const event = call.arguments[0];
  return ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'on' && event !== undefined
    && (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) && event.text === 'connect';
}

/**
 * For a name an array pattern destructures (`const [main, branch] = await Promise.all([a, b])`, `= [a, b]`): the
 * element written at its place; null when the array is not written out element by element there (a spread before it,
 * another value); undefined when the name is not destructured from an array.
 */
/** Whether `text` holds `name` as a whole identifier (not as a part of a longer one). */
function mentionsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!/[\w$]/.test(text[at - 1] ?? '') && !/[\w$]/.test(text[at + name.length] ?? '')) return true;
  }
  return false;
}

/** Whether a file's code (not its comments) holds `name` as an identifier or a string (`ns.name`, `ns['name']`). */
function namesInCode(source: ts.SourceFile, name: string): boolean {
  let found = false;
  walkDescendants(source, (node) => {
    if ((ts.isIdentifier(node) || ts.isStringLiteralLike(node)) && node.text === name) found = true;
    return !found;
  });
  return found;
}

/** `process.argv` or `Bun.argv`. */
function isArgv(expression: ts.Expression): boolean {
  return /^(?:process|Bun)\.argv$/.test(dottedName(unwrap(expression)));
}

/** `process.argv[2]` (or `Bun.argv[k]`, k ≥ 2): the script's argument at k - 2; undefined for anything else. */
function argvPosition(value: ts.Expression): number | undefined {
  if (!ts.isElementAccessExpression(value) || !isArgv(value.expression) || !ts.isNumericLiteral(value.argumentExpression)) return undefined;
  const index = Number(value.argumentExpression.text);
  return Number.isInteger(index) && index >= 2 ? index - 2 : undefined;
}

/**
 * The script's argument a const destructures from the command line: `const [url, name] = process.argv.slice(2)` (the
 * name's place plus the slice's start less two), `const [, , url] = process.argv`. Null when taken so but not read here
 * (a default, a rest element, a start below 2 or not written out); undefined when not taken from the command line.
 */
function argvElementOf(declaration: ts.VariableDeclaration | undefined, name: string): number | null | undefined {
  if (!declaration || !ts.isArrayBindingPattern(declaration.name) || !declaration.initializer) return undefined;
  const value = unwrap(declaration.initializer);
  let start: number;
  if (isArgv(value)) start = 0;
  else if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'slice' && isArgv(value.expression.expression)) {
    const from = value.arguments[0];
    if (value.arguments.length !== 1 || !ts.isNumericLiteral(from) || !Number.isInteger(Number(from.text))) return null;
    start = Number(from.text);
  } else return undefined;
  const index = declaration.name.elements.findIndex((e) => ts.isBindingElement(e) && ts.isIdentifier(e.name) && e.name.text === name);
  if (index < 0) return undefined;
  const target = declaration.name.elements[index] as ts.BindingElement;
  if (target.dotDotDotToken || target.initializer || !isConstDeclaration(declaration) || start + index < 2) return null;
  return start + index - 2;
}

function arrayElementOf(declaration: ts.VariableDeclaration | undefined, name: string): ts.Expression | null | undefined {
  if (!declaration || !ts.isArrayBindingPattern(declaration.name) || !declaration.initializer) return undefined;
  const index = declaration.name.elements.findIndex((e) => ts.isBindingElement(e) && ts.isIdentifier(e.name) && e.name.text === name);
  if (index < 0) return undefined;
  const target = declaration.name.elements[index] as ts.BindingElement;
  if (target.dotDotDotToken || target.initializer) return null;
  let value = unwrap(declaration.initializer);
  if (ts.isCallExpression(value) && value.arguments.length === 1 && dottedName(value.expression) === 'Promise.all') value = unwrap(value.arguments[0]);
  if (!ts.isArrayLiteralExpression(value) || value.elements.slice(0, index + 1).some(ts.isSpreadElement)) return null;
  return value.elements[index] ?? null;
}

/** Mocha's functions that take a callback whose `this` is the test context. */
const MOCHA_CALLBACK_TAKER = /^(?:describe|context|suite|it|specify|test|before|beforeEach|after|afterEach|suiteSetup|suiteTeardown|setup|teardown)(?:\.(?:only|skip))?$/;

/** Whether `this` in `node` is Mocha's test context: its nearest non-arrow function is a callback given to `it`, `before`, `describe`…. */
function inMochaCallback(node: ts.Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isArrowFunction(current)) continue;
    if (ts.isFunctionExpression(current)) {
      const call = current.parent;
      return ts.isCallExpression(call) && call.arguments.includes(current) && MOCHA_CALLBACK_TAKER.test(dottedName(call.expression));
    }
    if (ts.isFunctionLike(current) || ts.isClassLike(current) || ts.isSourceFile(current)) return false;
  }
  return false;
}

/** The values a file's Mocha callbacks assign to the test context's `property` (`this.conString = …`). */
function mochaContextAssignments(source: ts.SourceFile, property: string): ts.Expression[] {
  const values: ts.Expression[] = [];
  walkDescendants(source, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
      && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && node.left.name.text === property && inMochaCallback(node.left)) values.push(node.right);
    return true;
  });
  return values;
}

/** `it`, `it.only`, `Promise.all`: a callee written as a name or one member of a name; '' otherwise. */
function dottedName(expression: ts.Expression): string {
  if (ts.isIdentifier(expression)) return expression.text;
  return ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression) ? `${expression.expression.text}.${expression.name.text}` : '';
}

/** The class whose `this` a `this` keyword is (through arrow functions), with the member it is written in. */
function thisClass(keyword: ts.Node): { declaration: ts.ClassDeclaration; member: ts.ClassElement } | undefined {
  for (let current: ts.Node | undefined = keyword.parent; current; current = current.parent) {
    if (ts.isArrowFunction(current)) continue;
    if (ts.isClassElement(current) && !ts.isClassStaticBlockDeclaration(current)) {
      return ts.isClassDeclaration(current.parent) ? { declaration: current.parent, member: current } : undefined;
    }
    if (ts.isFunctionLike(current) || ts.isSourceFile(current)) return undefined;
  }
  return undefined;
}

/**
 * Whether code of `source` writes a member `name` of anything (`x.name = …`, `x.name += …`, `x['name'] = …`, `delete
 * x.name`, `x.name++`) other than at the assignments' targets `own`.
 */
function writesMember(source: ts.SourceFile, name: string, own: ReadonlySet<ts.Node>): boolean {
  let writes = false;
  walkDescendants(source, (node) => {
    if (writes) return false;
    const member = ts.isPropertyAccessExpression(node) ? node.name.text
      : ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : undefined;
    if (member !== name || own.has(node)) return true;
    const parent = node.parent;
    writes = (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
      && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) || ts.isDeleteExpression(parent)
      || ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken));
    return true;
  });
  return writes;
}
