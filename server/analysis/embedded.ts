// SQL embedded in TS/JS: found with the TypeScript compiler API (tagged templates, query calls, query
// configs, /* sql */ templates, and SQL held in names or returned by functions: embeddedFlow.ts),
// analysed with the SQL analysis, positions mapped back into the file (embeddedText.ts).
// The queries one function sends through one client object run one after another on one connection,
// so they are analysed as one sequence (BEGIN in one call, SET LOCAL in the next); each call on a
// pool may take another connection, so pool calls stand alone. A transaction callback such as
// `db.transaction(async (tx) => …)` counts as an open transaction block.
import ts from 'typescript';
// This file is bundled separately (dist/embedded.js) and loaded on first use, so SQL-only runs never
// load the TypeScript compiler; it must not import the parser, which the caller passes in as `engine`.
import { resolveOptions, type AnalysisOptions, type Finding, type RuleId, type Severity } from './types';
import { LineIndex } from './positions';
import { severityFor } from './context';
import { getRule } from './rules/index';
import { asAnonymousBlock, fillSlots, openingText, toFileEnd, toFileOffset, toFileRange, withNamedArgumentsAsValues, withPlaceholders, type BuiltText, type Part, type SlotPart, type SyntaxErrorOffset } from './embeddedText';
import { callerNameVariants } from './callerNames';
import { Flow, boundMethod, calleeText, choiceAlternatives, flowOfModule, enclosingClass, isBatchTransaction, isTransactionWrapper, isConstDeclaration, isEmptyValue, fieldValues, literalOf, memberName, objectProperty, outermostWrapper, singleReturn, taggedTemplateParts, unwrap } from './embeddedFlow';
import { SESSION_ADVISORY_NAME } from './vocabulary';
import type { LeavesBefore, TransactionStart } from './pieces';
import { dialectOfStatement, namesCompatibleEngine, otherDialectCounts, otherEngineText } from './dialect';
import { enclosingFunction, nonNullishMembers, parseWithParents, propertyNameText, walkDescendants } from './astWalk';
import { keptBuilderCalls } from './keptBuilders';
import { TAKES_CONNECTION, freshAtEveryCall } from './freshHelperClients';
import { bunClientNeverPrepares, clientNeverPrepares, outsideParentheses } from './postgresJsUses';
import { runsEachStatementOnce } from './postgresJsOneShot';
import { bunClientOnlyMigrates } from './bunSqlOneShot';
import { ADVISORY_LOCK_MODULE, API_TOOLKIT_MODULE, CONFIG_NAME, CONFIG_TEXT, LISTEN_METHOD, NODE_PG_MIGRATE_MODULE, PG_PROMISE_MODULE, PLATFORMATIC_LEADER_MODULE, POSTGRES_JS_MODULE, POSTGRES_MIGRATIONS_MODULES, PREPARED_STATEMENT_FACTORY, PREPARE_OPTION, SET_NAME_METHOD, UNSAFE_METHOD } from './codeWords';
import { PLPGSQL_FRAGMENT_START, SQL_START, WHOLE_STATEMENT_START } from './statementStart';
import { leadingTrivia } from './sqlTrivia';
import { restoredSetting } from './restoredSettings';
import { releasesAdvisoryLock } from './detect';
import { setsConfigSessionWide } from './sqlBoolean';
import { RESERVE_METHOD, TRANSACTION_CLIENT_FACTORY, TRANSACTION_OPENER_METHODS } from './clientHandles';
import { mayHoldFindings } from './embeddedGate';
import { DRIZZLE_RAW_METHOD, DRIZZLE_SQL_MODULE, isHandedOnDrizzleSql } from './drizzleSqlExports';
import { bindsUntypedValues, isPlainValueHole, questionMarksBound, quotedLastHoleRefused, setValueParameters, writtenParametersBound } from './boundSetValues';
import { fileDialect, importedModules, type ImportedModule, importsPostgresCode, packageReachesOnlyPglite, postgresBranches, isOtherDialectReceiver, isTypedAsOtherDriver, otherDialectObjects, pathIsOtherDialect, postgresDriverObjects, pathIsPostgres, requiredModule } from './embeddedDialect';
import { POOLER_PORT_TEXT } from './poolerEndpoints';
import { createsReplicationClient, replicationCommandReceivers } from './replication';
import { PGLITE_TYPE, TEST_PATH, createsPglite, inProcessBranches, mayUsePglite, pgliteMethodReceivers, startsOwnPgliteServer } from './inProcess';
import { inProcessWrapperNames } from './inProcessWrappers';
import { elementExpectedToFail, expectedToFail } from './expectedFailures';
import { assertedNotAcquired, probeEndsIfAcquired } from './tryLockAssertions';
import { repeatsEarlierSubscription } from './repeatedSubscriptions';
import { assignedKnexSearchPaths, knexSearchPathOption } from './knexSearchPath';
import { handedBoundQueryMethod } from './handedQueryMethods';
import { pgPromiseNames, pgPromiseSchemaOption } from './pgPromiseSchema';
import { searchPathOptionMessage } from './searchPathOptions';
import { boundValue, defaultsToFalse, setConfigFlagPlaceholder } from './boundSetConfigFlag';
import { OwnServerClients, SINGLE_CLIENT_MAKER } from './ownServerClients';
import { sentToDouble, testDoublesOf, type TestDoubles } from './testDoubles';
import { connectsToAdminConsole, mayNameAdminConsole } from './adminConsole';
import { parametersCallersSetTrue } from './builderCallerChoices';
import { TURNS_PREPARE_OFF, assignedPrepareOption, heldPrepareOption, optionsFromParameter, optionsObject, prepareOption, preparesByDefault } from './postgresJsOptions';
import { opensPerTestTransaction } from './testHarnessHooks';
import { perTestTransaction } from './suiteTransactions';
import { isTestCode } from './testSetupFiles';
import { isSetAsideCode } from './setAsideCode';
import { POOL_FACTORY, POOL_NAME, factoryPackages, isMadeAsPool, isPoolValue, packageFactoryName, returnedMemberIsPool } from './poolFactories';
import { aliasedCalleeName } from './calleeAliases';
import { rollsBackToSavepoint } from './savepointRollbacks';
import { boundNameSettings, withoutClosingSettings, type BoundNameSetting } from './embeddedSettingPairs';
import { onlyCleanupClears } from './cleanupClears';
import { CodeBranches, neverAssigned } from './codeBranches';
import { declaredType, referenceNamedIn, typeNameMatches } from './declaredTypes';
import { sentOnlyToPsqlOrLogs } from './unsentTexts';
import { runsInContextOutsideTransaction } from './asyncContextRuns';
import { namedFunction } from './functionNames';
import { isTransactionalMigration } from './migrationFunctions';
import { QUERY_METHODS, capturedFromEnclosingFunction, onlyForwards, queryHelper, sentTexts, type QueryHelper } from './localQueryHelpers';
import { declaresHttpOnlyClient } from './httpOnlyClients';
import { declaredClientKind, declaresOneConnection, declaresPoolClient, declaresConnectionClass } from './poolParameters';
import { alwaysHandedArgument, handedOnlyRolledBackClients, handedOnlyTransactionClients, handsNoTransaction, neverHandedArgument, sentOnlyInBatchTransactions } from './uncalledHelpers';
import { exportedStrings, isCommonJsExport, isExportedConstant, isExportedObjectMember, isExportedStaticField, isWrittenString, returnedStatementList } from './exportedTexts';
import { boundaryHelperCall } from './boundaryHelpers';
import { runsAsClassTransactionHook } from './transactionHooks';
import { CLIENT_TRANSACTION_BEGIN, CLIENT_TRANSACTION_END, COMMITS, ROLLS_BACK, rolledBackClosureClients, runsInHelperTransaction, runsInRolledBackTransaction, runsOnFreshConnection } from './rolledBackCallbacks';
import { testTransactionCallback, type TestTransactionCallback } from './testTransactionCallbacks';
import { isOnlyRendered } from './renderedOnly';
import { isTypeOnlyTest } from './typeOnlyTests';
import { isUnimportedTestFixture } from './fixtureData';
import { ListenLibraryCalls } from './listenLibraries';
import { libraryListens, mocksModule, mocksModuleNamed, type LibraryListenKind } from './libraryListens';
import { graphileWorkerPresetOptions, runnerPresetOptions } from './graphileWorkerPresets';
import { librarySessionState } from './libraryLocks';
import { PRISMA_MIGRATE, PRISMA_MIGRATE_MESSAGE } from './prismaMigrate';
import { NODE_PG_MIGRATE_CLI, NODE_PG_MIGRATE_CLI_MESSAGE } from './nodePgMigrateCli';
import { connectsDirectly, documentsDirectExample, subscriberConnectsDirectly } from './directUrls';
import { refusedOnTransactionPooler } from './transactionPoolerGuards';
import { runsSessionPooler } from './composePoolers';
import { outsideTransactionModeBranches } from './poolModeBranches';
import { DriverStatementCalls, withOwnDriverImports, type DriverStatementKind } from './driverStatements';
import { importedQueryHelper } from './importedQueryHelpers';
import { WrapperObjects, enclosingClassOf, exportedVariable } from './wrapperObjects';
import { projectModulePath } from './moduleResolution';
import { importedNames, requiredNames, type ImportedName } from './ownServerHelpers';
import { pgtypedInlineQueryRuns, pgtypedTagNames, runClient, type InlineQueryRuns } from './pgtypedInlineQueries';
import { escapeRegExp } from './regexText';
import { importedPostgresJsClient, importedPostgresJsClientType, importedPostgresJsDriver, importedPostgresJsFactory, importedPostgresJsFactoryMembers, isPostgresJsClientType, isPostgresJsClientTypeIn, makesNeonHttpClient, postgresJsCreationsIn, neonHttpFactories, TopLevelClients, type Creations } from './importedPostgresJsClients';
import { declaredMember, type DeclaredMember } from './typedMembers';
import { scriptKindOf } from './parsedModules';
import { wrapperSetRestores } from './wrapperSetRestores';
import { boundSetConfigRestores, configuredSettingRestores, expressionAt, finallySettingRestores, innermostNode, settingRestores, type SettingRestore } from './settingRestores';
import { BUN_URL_VARIABLES, bunClientDatabase, bunClientReadsEnvironment, bunSqlNames, isBunDefaultClient, isBunSqlClass, urlDisablesPrepare, type BunSqlNames } from './bunSql';
import { dynamicImportBindings, packageLoadBindings } from './dynamicImports';
import { makesDefaultVercelClient, makesVercelClient } from './vercelPostgresClients';
import { drizzleOwnConnection } from './postgresJsWrappers';
import { drizzleNeverRunsTransaction, freshDatabaseRunsOneTransaction } from './drizzleDatabaseUses';
import { connectsThroughHyperdrive, drizzleConnectsThroughHyperdrive } from './hyperdriveBindings';
import { onArmNoCallTakes } from './untakenArms';
import { callsRawOnKnexHookConnection, isKnexHookOutsidePool } from './knexHooks';
import { sendsTextWithoutValues } from './simpleQueryCalls';
import { injectedTagNeverRunsTransaction, nestDrizzlePostgresClients, type NestDrizzlePostgresClient } from './nestDrizzlePostgres';
import { openworkflowBackendUrl } from './openworkflowBackends';
import { postgrejsSchemaOptions } from './postgrejsSchema';

// index.ts's keepFolderListings turns the keeping on in this bundle's copy of folderEntries.ts too.
export { keepFolderListings } from './folderEntries';

/** The SQL analysis, from the caller's (already initialised) copy of the parser. */
export interface SqlEngine {
  /** Each piece is one query string the application sends (one query message). */
  analyzeQueryMessages(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: TransactionStart, mayOpenBefore?: ReadonlySet<number>, branches?: readonly (readonly number[] | undefined)[], restores?: readonly (readonly SettingRestore[] | undefined)[], leavesBefore?: LeavesBefore, mayAdvanceBefore?: ReadonlySet<number>, simpleQueries?: ReadonlySet<number>): Finding[];
  syntaxErrorOffset: SyntaxErrorOffset;
}

/** Kinds up to this one are tokens, to which ts.forEachChild gives no children (read once: ts.SyntaxKind is slow to look up per node). */
const LAST_TOKEN = ts.SyntaxKind.LastToken;
const NO_SUBSTITUTION_TEMPLATE = ts.SyntaxKind.NoSubstitutionTemplateLiteral;
const SQL_TAG_NAMES = new Set(['sql', 'SQL', '$queryRaw', '$executeRaw', 'unsafe', 'fragment']);
/** Slonik's typed tags: sql.type(schema)`…`, sql.typeAlias('name')`…`. */
const SQL_TAG_FACTORIES = new Set(['type', 'typeAlias']);
/** Tags that always build a piece of another query (slonik's sql.fragment`…`). */
const FRAGMENT_TAGS = new Set(['fragment']);
const SQL_TAG_TEXTS = new Set(['Prisma.sql', 'Prisma.raw']);
/** Statements after which nothing in their block runs. */
const JUMP_STATEMENTS = new Set([ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.ThrowStatement, ts.SyntaxKind.BreakStatement, ts.SyntaxKind.ContinueStatement]);
/** Supabase's client libraries (npm, or a CDN URL such as `https://esm.sh/@supabase/supabase-js@2`): HTTP clients of PostgREST. */
const SUPABASE_CLIENT_MODULE = /(?:^|\/|:)@supabase\/(?:supabase-js|ssr|auth-helpers-[\w-]+)(?:@[\w.^~-]+)?(?:\/|$)/;
/**
 * Methods of wrapper APIs that take a whole statement: pg-promise's none/one/many/any/oneOrNone/…,
 * node-pg-migrate's `pgm.sql()` and `db.select()`, Lucid's `rawQuery()`, deno-postgres's
 * `queryArray()`/`queryObject()`, and methods named for running SQL text: a verb and what it runs
 * (pg-boss's `executeSql()`, a migration driver's `runSql()`, a framework connection's `executeRaw()`,
 * `executeUnprepared()`, `executeValues()`). Other libraries use some of these names for other things (knex's `select('id')`), so their
 * text counts only when it opens a whole statement or a SET, and it gets no syntax errors.
 */
const WRAPPER_QUERY_METHODS = /^(sql|select|none|one|many|any|oneOrNone|manyOrNone|result|multi|multiResult|rawQuery|queryArray|queryObject)$|^(run|exec|execute|query)(Raw|Unprepared|Values|Sql|SQL|Query|Simple|Unsafe)+$/;
/**
 * deno-postgres (JSR `@db/postgres`, deno.land/x/postgres: packageSpecifiers.ts) has no `query`: its clients, a pool's
 * connections and its transactions send with `queryArray` and `queryObject` (also as tags). In a file importing it these
 * are that driver's query methods, whose text is sent as written (syntax errors reported), not a wrapper's.
 */
const DENO_POSTGRES_MODULE = '@db/postgres';
const DENO_POSTGRES_QUERY_METHODS: ReadonlySet<string> = new Set(['queryArray', 'queryObject']);
/**
 * prostgles' client API: `db.sql(query, params, options)` (a wrapper method, above) has the type prostgles-types
 * exports as `SQLHandler`, and the server runs its text on its pool of the connected database. Code handed that
 * function on its own (`sql: SQLHandler`) calls it by a bare name, read as `db.sql` (prostglesSqlHandler).
 */
const PROSTGLES_TYPES_MODULE = 'prostgles-types';
const PROSTGLES_SQL_HANDLER_TYPE = 'SQLHandler';
const PROSTGLES_SQL_METHOD = 'sql';
const PROSTGLES_RETURN_TYPE_OPTION = 'returnType';
const PROSTGLES_ROLLBACK_RETURN_TYPE = 'default-with-rollback';
/** A name for running a query: `query`, `execute`, `queryOne`, `executeSql` (the member and tag forms below). */
const QUERY_RUNNER_NAME = String.raw`(?:query|execute)(?:[A-Z]\w*)?`;
/**
 * Members named for running a query, used as tags (deno-postgres's ``client.queryArray`…` ``, a driver's
 * ``db.query`…` ``): the template is the statement the member sends. A wrapper's name (queryArray,
 * executeSql) says so anywhere; a plain `query`/`execute`/`queryOne` only in a file that surely talks to
 * PostgreSQL (elsewhere it may be GraphQL's or another database's). A leading `$` marks an ORM's raw-SQL
 * escape hatch (``db.$query`…` ``, named so it cannot clash with a table): as telling as a wrapper's name.
 */
const TAGGED_QUERY_MEMBER = new RegExp(String.raw`^\$?${QUERY_RUNNER_NAME}$`);
/**
 * Text only PostgreSQL runs, that keeps state on the server connection it is sent on: a session advisory-lock call,
 * `LISTEN`, `set_config(…)`, or a `SET` of a dotted custom setting (`SET app.tenant = …`, `SET SESSION "app.user"
 * TO …`). No other database and no other language writes it (`SET search_path` is DuckDB's and Redshift's too), so a sink whose name only says it runs a query (a project's own `query` tag, `db.query` of an ORM whose
 * module is not a PostgreSQL driver, a client API's `sql(text)`) is known to send it to PostgreSQL.
 */
const POSTGRES_SESSION_TEXT = /\bpg_(?:try_)?advisory_(?:lock|unlock)(?:_shared|_all)?\s*\(|^listen\s+[\w"$]|\bset_config\s*\(|^set\s+(?:session\s+|local\s+)?"?[a-z_]\w*"?\."?[a-z_]\w*"?\s*(?:=|to\b)/i;
/** Functions named for sending SQL text, not driver query methods (`sql(text)` of a client API, an imported `exec(text)`): read only with POSTGRES_SESSION_TEXT. */
const SESSION_TEXT_SINK = /^(?:sql|exec|execute|run)$/;
/** node-postgres's wire-protocol `connection.parse({ name, text })` (inspectProtocolParse). */
const PROTOCOL_PARSE_METHOD = 'parse';
/** A receiver named for a server connection: `connection`, `this.conn`, `con`, `pgConnection`. */
const CONNECTION_NAME = /^(?:con|conn|connection|\w*Connection|\w*Conn)$/;
/**
 * Tags named for running a query (`query\`…\``, a project's own builder): read only with POSTGRES_SESSION_TEXT.
 * TAGGED_QUERY_MEMBER's names, without the `$` an escape-hatch member carries.
 */
const QUERY_TAG_NAME = new RegExp(`^${QUERY_RUNNER_NAME}$`);
/**
 * `all(sql)` runs SQL text in SQLite-style APIs and migration drivers (db-migrate's): read as a wrapper's
 * text only in a file that surely talks to PostgreSQL, where it is not SQLite's. (Not `exec`: PGlite's,
 * in-process, in files on a `pglite/` path; nor `run`, too common for other things.)
 */
const GENERIC_RUN_METHODS = /^all$/;
/**
 * Functions named for running a query (`query`, `rquery`, `dbQuery`, `runQuery`, `execSql`): defined in another
 * file, they are read as wrappers are (a local function is read by what it does: queryHelper).
 */
const SQL_RUNNER_FUNCTION = /^(?:(?:[a-z]|db|pg)?(?:query|Query)|(?:run|exec|execute|send)(?:Query|Sql|SQL|Raw|Unprepared))$/;
/** Functions and methods whose name says they build SQL (getSetSchemaSQL, resetSessionSql, lockQuery). */
const SQL_BUILDER_NAME = /.(Sql|SQL|Query)$/;
/**
 * A driver's placeholder for a name, where a SET's parameter goes: knex's `??` and `:name:`, pg-promise's `$1~`,
 * `$1:name`, `${name~}`, `$<name:name>` (and its other brackets).
 */
const NAME_PLACEHOLDER = String.raw`\?\?|:[a-z_]\w*:(?!:)|\$(?:\d+|[{(<[/][\w.]+)(?:~|:name|:alias)`;
/** `LOAD 'auto_explain'`: LOAD opens other things too (statementStart.ts's NOT_SURELY_WHOLE), but before a quoted file name it is the statement. */
const LOAD_LIBRARY_START = String.raw`^\s*load\s+'`;
/** What a function not named like a SQL builder must return to count as one: a whole statement, a SET (of a name, or a placeholder for one) or a LOAD of a library. */
const RETURNED_STATEMENT_START = new RegExp(`${WHOLE_STATEMENT_START.source}|^\\s*set\\s+(?:session\\s+|local\\s+)?(?:[a-z_]|${NAME_PLACEHOLDER})|${LOAD_LIBRARY_START}`, 'i');
/** A `return` of a string (possibly parenthesised) or a query config written in place: what a function not named as a builder needs. */
const RETURNS_WRITTEN_TEXT = /\breturn\s*(?:[`'"(]|\{\s*(?:text|statement|raw)\s*:)/;

/** How many choices deep a query's text is split into its arms (`a ? 'x' : b ? 'y' : 'z'`; a const's arm may name another). */
const MAX_SENT_ARMS = 4;

/**
 * A driver's query class that a project subclasses to send statements of its own around each query (Sequelize's
 * `class Audited extends sequelize.dialect.Query`, or a `Query` imported from a driver's module): the base's `run`.
 */
const QUERY_CLASS = /(?:^|\.)Query$/;
const QUERY_CLASS_RUN = 'run';

/**
 * `super.run(text, values)` in a subclass of a query class: the driver's own `run` sends the text on the connection the
 * query runs on (read as a wrapper's text: a whole statement, no syntax errors). `run` alone is too common a name.
 */
function runsOnInheritedQuery(call: ts.CallExpression, name: string): boolean {
  if (name !== QUERY_CLASS_RUN || !ts.isPropertyAccessExpression(call.expression) || call.expression.expression.kind !== ts.SyntaxKind.SuperKeyword) return false;
  return inQueryClass(call);
}

/** Whether `node` sits in a class extending a query class (QUERY_CLASS), where `super` is the query's own sender. */
function inQueryClass(node: ts.Node): boolean {
  const base = enclosingClassOf(node)?.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  return base !== undefined && (ts.isIdentifier(base) || ts.isPropertyAccessExpression(base)) && QUERY_CLASS.test(base.getText());
}

/** Calls that return a handle on a newly begun transaction (knex `transaction()` without a callback). */
const TRANSACTION_OPENERS = new RegExp(`^(${TRANSACTION_OPENER_METHODS.join('|')})$`);

/** The two values a choice may give (`c ? a : b`, `a ?? b`, `a || b`), or undefined for any other expression. */
function alternativesOf(value: ts.Expression): [ts.Expression, ts.Expression] | undefined {
  if (ts.isConditionalExpression(value)) return [value.whenTrue, value.whenFalse];
  const chooses = ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || value.operatorToken.kind === ts.SyntaxKind.BarBarToken);
  return chooses ? [value.left, value.right] : undefined;
}

/**
 * `db.beginTransaction()`, `knex.transaction()` (no callback), a client of an open transaction handed out
 * (`prisma._createItxClient(params.transaction)`; clientHandles.ts), or a choice with one of them as an option
 * (`outer ?? await db.beginTransaction()`, `existing ? outer : await knex.transaction()`).
 */
function opensTransactionHandle(node: ts.Expression): boolean {
  const value = unwrap(node);
  const either = alternativesOf(value);
  if (either) return either.some(opensTransactionHandle);
  if (!ts.isCallExpression(value) || value.arguments.some((a) => ts.isFunctionLike(a))) return false;
  if (TRANSACTION_OPENERS.test(calleeText(value.expression)) || TRANSACTION_CLIENT_FACTORY.test(calleeText(value.expression))) return true;
  // A builder run without a callback: Kysely's `await db.startTransaction().setIsolationLevel(…).execute()`.
  if (calleeText(value.expression) !== 'execute' || value.arguments.length > 0) return false;
  for (let receiver = receiverOf(value); receiver && ts.isCallExpression(receiver); receiver = receiverOf(receiver)) {
    if (receiver.arguments.some((a) => ts.isFunctionLike(a))) return false;
    if (TRANSACTION_OPENERS.test(calleeText(receiver.expression))) return true;
  }
  return false;
}

/**
 * Calls whose callback receives a connection of its own, fresh from the pool (`pool.connect((err, client) => …)`,
 * pg-promise's `db.task(async (t) => …)`, which holds one connection for the callback without a transaction).
 */
const CONNECTION_CALLBACKS = /^(connect|acquire|getConnection|reserve|task)$/;

/** A rollback to a savepoint (savepointRollbacks.ts) stands in the sequence as what it sends: the transaction goes on. */
const ROLLBACK_TO_SAVEPOINT = 'ROLLBACK TO SAVEPOINT sp';
type ClientBoundary = 'BEGIN' | 'COMMIT' | 'ROLLBACK' | typeof ROLLBACK_TO_SAVEPOINT;
/**
 * A transaction begun and ended by methods of the client object the queries go through, with no callback and no
 * handle taken from them: TypeORM's `await queryRunner.startTransaction()` … `commitTransaction()` /
 * `rollbackTransaction()`, MikroORM's `await em.begin()` … `em.commit()` / `em.rollback()`, a driver connection's
 * `beginTransaction()` … `commit()`; and the end of a handle's transaction (`await trx.commit()`, Kysely's
 * `await trx.rollback().execute()`). Each such call stands in that client's sequence as the statement it sends.
 */
function clientTransactionBoundary(call: ts.CallExpression, name: string): ClientBoundary | undefined {
  const begins = CLIENT_TRANSACTION_BEGIN.test(name);
  if ((!begins && !CLIENT_TRANSACTION_END.test(name)) || call.arguments.some((a) => ts.isFunctionLike(a))) return undefined;
  let outer = outermostWrapper(call);
  // Kysely's controlled transaction ends with a builder run: `await trx.commit().execute()`.
  if (!begins && outer.parent && ts.isPropertyAccessExpression(outer.parent) && outer.parent.name.text === 'execute'
    && outer.parent.parent && ts.isCallExpression(outer.parent.parent) && outer.parent.parent.arguments.length === 0) {
    outer = outermostWrapper(outer.parent.parent);
  }
  // A statement of its own, or an arrow function's whole body (`beforeEach(() => runner.startTransaction())`).
  if (!outer.parent || !(ts.isExpressionStatement(outer.parent) || (ts.isArrowFunction(outer.parent) && outer.parent.body === outer))) return undefined;
  if (begins) return 'BEGIN';
  if (name.startsWith('commit')) return 'COMMIT';
  return name === 'rollback' && rollsBackToSavepoint(call) ? ROLLBACK_TO_SAVEPOINT : 'ROLLBACK';
}

/**
 * A callback given a fresh connection: its parameters start outside any transaction. So does the first parameter of a
 * callback that a helper the project writes hands a connection it has just taken from a pool, having sent nothing on
 * it (`withConn(async (conn) => …)`; rolledBackCallbacks.ts's runsOnFreshConnection).
 */
function receivesFreshConnection(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration): boolean {
  const call = fn.parent;
  if (call === undefined || !ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return false;
  if (CONNECTION_CALLBACKS.test(calleeText(call.expression))) return true;
  return fn.parameters[0] === parameter && runsOnFreshConnection(call, call.arguments.indexOf(fn as ts.Expression));
}

/** Options naming where a postgres.js client connects: a URL, or options with a host, URL or socket path (a spread may hold one). */
const CONNECTION_TARGET_OPTIONS = new Set(['host', 'hostname', 'url', 'connectionString', 'path']);

/** Whether a `postgres(…)` call says where it connects (a URL argument, or options naming a host), rather than leaving it to PG* variables. */
function namesConnectionTarget(creation: ts.CallExpression): boolean {
  const first = creation.arguments[0];
  if (!first) return false;
  const value = unwrap(first);
  if (!ts.isObjectLiteralExpression(value)) return true;
  return value.properties.some((property) => ts.isSpreadAssignment(property)
    || (property.name !== undefined && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && CONNECTION_TARGET_OPTIONS.has(property.name.text)));
}

/** `client.$executeRaw` / `client.$queryRaw` as a tag: Prisma's raw query, lazy until awaited or batched. */
function isPrismaRawTag(tag: ts.Expression): tag is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(tag) && PRISMA_RAW_TAGS.has(tag.name.text);
}

/**
 * `client.$executeRaw` / `client.$queryRaw` used as a tag: the client's own raw-query member, not a client the object
 * holds, so the object itself is what sends (`const platform = getPlatformClient(); platform.$executeRaw\`…\``).
 */
function isRawTagOf(receiver: ts.Expression, root: ts.Identifier): boolean {
  const member = unwrap(receiver);
  return isPrismaRawTag(member) && unwrap(member.expression) === root;
}

/** A call returning an object that holds a client (a request context), not a call that takes a connection. */
function heldByReturnedObject(value: ts.Expression): boolean {
  return ts.isCallExpression(value) && !CONNECTION_CALLBACKS.test(calleeText(value.expression));
}

/** Type names of transaction objects: Knex.Transaction, Kysely's Transaction<DB>, PgTransaction, Prisma.TransactionClient, postgres.js TransactionSql. */
const TRANSACTION_TYPE = /Transaction(?:Client|Sql)?$/;
/**
 * postgres.js's client types (`Sql`, `ReservedSql`, `TransactionSql`), and types named for PostgreSQL (an
 * application's alias such as `PostgresDB`, `PgClient`): a name declared with one sends what it tags.
 */
const DRIVER_CLIENT_TYPE = /^(?:(?:Reserved|Transaction)?Sql|(?:Postgres(?:ql|QL)?|Pg|PG)(?:[A-Z]\w*)?)$/;

/** A parameter declared with a transaction type (every member of a union one): it is inside that transaction. */
function isTransactionType(type: ts.TypeNode | undefined): boolean {
  return typeNameMatches(type, TRANSACTION_TYPE);
}

/**
 * A value that is one connection: one taken out of a pool (`await pool.connect()`, `acquire()`, `getConnection()`,
 * postgres.js's `reserve()`: freshHelperClients.ts TAKES_CONNECTION, called on an object), a single client made here
 * (`new Client(…)`: ownServerClients.ts SINGLE_CLIENT_MAKER), or a transaction's handle (opensTransactionHandle).
 */
function takesOneConnection(held: ts.Expression): boolean {
  const value = unwrap(held);
  if (ts.isNewExpression(value)) return SINGLE_CLIENT_MAKER.test(calleeText(value.expression));
  return ts.isCallExpression(value) && ((ts.isPropertyAccessExpression(value.expression) && TAKES_CONNECTION.test(value.expression.name.text)) || opensTransactionHandle(value));
}

/**
 * `this.client` of a class that declares the field as node-postgres's checked-out client (`private client: PoolClient`)
 * or puts in it, wherever the class assigns it (and in its initializer), only a connection taken (`this.client = await
 * pool.connect()`: takesOneConnection) or nothing (`this.client = null` once released: no query runs on it then). At
 * least one such assignment must be seen; `this` must be the class's own (not a nested `function`'s).
 */
function fieldHoldsOneConnection(member: ts.PropertyAccessExpression): boolean {
  const owner = enclosingClassOf(member);
  if (!owner) return false;
  const name = member.name.text;
  const declared = owner.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && memberName(m) === name);
  if (declared && declaresOneConnection(declared.type)) return true;
  const values = fieldValues(owner, name).filter((value) => !isEmptyValue(value));
  return values.length > 0 && values.every(takesOneConnection);
}

/**
 * `this.client` of a class whose constructor is handed the connection the field holds: the field is declared as one
 * connection (declaresConnectionClass: `private client: PoolClient | undefined`, a parameter property
 * `constructor(private client: pg.PoolClient)`; an undeclared field by the type of every parameter it is filled from),
 * and every value the class puts in it (fieldValues; emptying it, `this.client = undefined`, aside) is a parameter of
 * the class's own constructor — with no default, never reassigned in the file — or the field is such a parameter
 * property. Whether a transaction is open on that connection is the creator's business (it may send `BEGIN` before
 * calling the methods, or hand a transaction's connection), so where its queries start is unknown, as on a function's
 * parameter. A field declared as a pool, filled by the class itself (`this.client = await pool.connect()`), untyped, or
 * also filled from anything else keeps its reading: it starts outside a transaction. `this` must be the class's own.
 */
function fieldHandedToConstructor(member: ts.PropertyAccessExpression): boolean {
  const owner = enclosingClassOf(member);
  const constructor = owner?.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  if (!owner || !constructor) return false;
  const name = member.name.text;
  const source = member.getSourceFile();
  const handed = (parameter: ts.ParameterDeclaration | undefined): parameter is ts.ParameterDeclaration => parameter !== undefined
    && ts.isIdentifier(parameter.name) && parameter.initializer === undefined && parameter.dotDotDotToken === undefined && neverAssigned(source, parameter.name.text);
  const property = constructor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.isParameterPropertyDeclaration(p, constructor));
  const filled = fieldValues(owner, name).filter((value) => !isEmptyValue(value)).map((value) => constructorParameterOf(value, constructor));
  const parameters = property ? [property, ...filled] : filled;
  if (parameters.length === 0 || !parameters.every(handed)) return false;
  const declared = owner.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && memberName(m) === name);
  return declared?.type ? declaresConnectionClass(declared.type) : parameters.every((parameter) => declaresConnectionClass(parameter.type));
}

/** The parameter of `constructor` that `value` names, when it is written in the constructor's own body (not a closure's). */
function constructorParameterOf(value: ts.Expression, constructor: ts.ConstructorDeclaration): ts.ParameterDeclaration | undefined {
  const name = unwrap(value);
  if (!ts.isIdentifier(name) || enclosingFunction(name) !== constructor) return undefined;
  return constructor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name.text);
}

/** A member of an object literal written out with no spread (which could give the member another value). */
function objectMember(expression: ts.Expression, name: string): ts.Expression | undefined {
  const object = unwrap(expression);
  if (!ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return undefined;
  return objectProperty(object, name);
}

/** `await sql.reserve()`: postgres.js hands out one connection of its pool, kept until `release()`. */
function isReserveCall(value: ts.Expression): boolean {
  return ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === RESERVE_METHOD && value.arguments.length === 0;
}

/**
 * Whether `site` runs only when `tested` is truthy: it sits in the then-branch of an `if`, the right of an `&&` or the
 * true branch of a `?:` whose condition is `tested` (or a conjunction holding it), or after an early exit taken when
 * it is not (`if (!tx) return;`, `if (!tx || !id) throw …`: exitsUnless), within its own function.
 */
function guardedBy(site: ts.Node, tested: ts.Expression): boolean {
  const wanted = guardText(tested);
  const holds = (condition: ts.Expression): boolean => {
    const bare = unwrap(condition);
    if (ts.isBinaryExpression(bare) && bare.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return holds(bare.left) || holds(bare.right);
    return guardText(bare) === wanted;
  };
  for (let child: ts.Node = site, parent = site.parent; parent && !ts.isFunctionLike(child); child = parent, parent = parent.parent) {
    if (ts.isIfStatement(parent) && parent.thenStatement === child && holds(parent.expression)) return true;
    if (ts.isConditionalExpression(parent) && parent.whenTrue === child && holds(parent.condition)) return true;
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && parent.right === child && holds(parent.left)) return true;
    if (ts.isBlock(parent) && parent.statements.some((statement) => statement.end <= child.pos && exitsUnless(statement, wanted))) return true;
  }
  return false;
}

/**
 * `if (!tx) return;`, `if (tx == null) { throw new Error('…') }`, `if (!id || !tx) return`: an `if` without an else that
 * leaves the function (return or throw, alone or last in its block) whenever the expression whose guardText is
 * `wanted` is falsy (or nullish), so the statements after it run only when it holds.
 */
function exitsUnless(statement: ts.Statement, wanted: string): boolean {
  if (!ts.isIfStatement(statement) || statement.elseStatement) return false;
  const then = statement.thenStatement;
  const last = ts.isBlock(then) ? then.statements[then.statements.length - 1] : then;
  if (!last || !(ts.isReturnStatement(last) || ts.isThrowStatement(last))) return false;
  const ruledOut = (condition: ts.Expression): boolean => {
    const bare = unwrap(condition);
    if (ts.isBinaryExpression(bare) && bare.operatorToken.kind === ts.SyntaxKind.BarBarToken) return ruledOut(bare.left) || ruledOut(bare.right);
    if (ts.isPrefixUnaryExpression(bare) && bare.operator === ts.SyntaxKind.ExclamationToken) return guardText(bare.operand) === wanted;
    // `tx == null`, `tx == undefined`: loose equality, so both nullish values (what `??` passes over) exit.
    const nullish = (side: ts.Expression): boolean => side.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(side) && side.text === 'undefined');
    return ts.isBinaryExpression(bare) && bare.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken
      && ((nullish(bare.right) && guardText(bare.left) === wanted) || (nullish(bare.left) && guardText(bare.right) === wanted));
  };
  return ruledOut(statement.expression);
}

/** An expression's text for comparing guards: `options?.client` and `options.client`, `!!tx` and `tx` alike. */
function guardText(node: ts.Expression): string {
  const negation = (value: ts.Expression): ts.Expression | undefined => ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.ExclamationToken ? unwrap(value.operand) : undefined;
  let bare = unwrap(node);
  for (let inner = negation(bare), twice = inner && negation(inner); twice; inner = negation(bare), twice = inner && negation(inner)) bare = twice;
  return bare.getText().replace(/\?\./g, '.').replace(/\s+/g, '');
}

/** The name a client object is reached from: `client` of `client`, `ctx` of `ctx.db.client`; undefined for `this.x` or a call. */
function rootIdentifier(receiver: ts.Expression): ts.Identifier | undefined {
  let current = unwrap(receiver);
  while (ts.isPropertyAccessExpression(current)) current = unwrap(current.expression);
  return ts.isIdentifier(current) ? current : undefined;
}
/** Text that opens a whole statement or a SET only PostgreSQL runs and that keeps session state (POSTGRES_SESSION_TEXT). */
function opensPostgresSessionStatement(parts: Part[]): boolean {
  if (!opensStatement(parts)) return false;
  const text = openingText(parts) ?? '';
  return POSTGRES_SESSION_TEXT.test(text.slice(leadingTrivia(text)));
}

/**
 * Text that opens a whole statement or a SET (not a column list, nor a sentence such as 'Select a file'), after any
 * comments it starts with (`/* tag for pg_stat_activity *\/ LISTEN $1~`, `-- name: lock\nSELECT …`).
 */
function opensStatement(parts: Part[]): boolean {
  const opening = openingText(parts);
  if (opening === undefined) return false;
  const text = opening.slice(leadingTrivia(opening));
  return RETURNED_STATEMENT_START.test(text) && !opensWithCapitalised(text);
}

/**
 * A text that is one whole `RESET` of a setting (`RESET ROLE`, `RESET search_path`, `RESET ALL`, `RESET SESSION
 * AUTHORIZATION`, `RESET TIME ZONE`, a custom `app.tenant`), nothing after it but a `;`: what a wrapper's query method
 * sends (pg-promise's `tx.none('RESET ROLE')`) though RESET may open a clause elsewhere. Read only as the undo it is; a
 * wrapper's text reports no syntax error.
 */
function isWholeReset(parts: Part[]): boolean {
  if (parts.length !== 1 || parts[0].kind !== 'text') return false;
  const text = parts[0].text;
  const statement = text.slice(leadingTrivia(text));
  return /^reset\s/i.test(statement) && restoredSetting(statement) !== undefined && !opensWithCapitalised(statement);
}

/**
 * Where a `return` leaves its function: at its end, or after the `finally` of each `try` around it (in its try block or
 * a catch clause) within the function, whose statements run before it leaves.
 */
function leavesAt(node: ts.ReturnStatement): number {
  let at = node.getEnd();
  for (let child: ts.Node = node, parent = node.parent; parent && !ts.isFunctionLike(parent) && !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
    if (ts.isTryStatement(parent) && parent.finallyBlock && child !== parent.finallyBlock) at = Math.max(at, parent.finallyBlock.getEnd());
  }
  return at;
}

/** `Set timezone to UTC` is a sentence (a label, a message); SQL keywords are written in one case. */
function opensWithCapitalised(text: string): boolean {
  return /^\s*[A-Z][a-z]/.test(text);
}
/** A plain name, as a key of a client (not `this.db`, `ctx.client`): what an import may bind. */
const IMPORTABLE_NAME = /^[A-Za-z_$][\w$]*$/;

/** The finding of each LISTEN a library makes when asked (libraryListens.ts). */
const LIBRARY_LISTEN_MESSAGES: Readonly<Record<LibraryListenKind, string>> = {
  watchPg: "PostGraphile's watchPg keeps a client of its pool with LISTEN postgraphile_watch for as long as the server runs: behind a transaction pooler that LISTEN stays on a server connection other clients share, and schema changes are missed. Watch through a direct (session) connection, or turn watchPg off where the pool goes through the pooler.",
  pgPubsub: "@graphile/pg-pubsub checks a client out of PostGraphile's pool for good and sends LISTEN on it for each subscription topic: behind a transaction pooler those LISTENs stay on a server connection other clients share, and notifications are lost. Give PostGraphile a pool on a direct (session) connection for subscriptions.",
  graphileWorker: "graphile-worker's runner keeps a connection of its pool with LISTEN \"jobs:insert\" to hear of new jobs: behind a transaction pooler that LISTEN stays on a server connection other clients share, and new jobs wait for the poll interval. Give the runner a pool on a direct (session) connection.",
  pgSubscriber: "PostGraphile's makePgService with pubsub makes a PgSubscriber that checks a client out of the service's pool for good and sends LISTEN on it for each subscription topic: behind a transaction pooler those LISTENs stay on a server connection other clients share, and notifications are lost. Give the service a pool on a direct (session) connection, or turn pubsub off where the pool goes through the pooler.",
  grafservWatch: "PostGraphile's watch mode makes the service's PgSubscriber keep a client of its pool with LISTEN postgraphile_watch, to rebuild the schema when the database's DDL changes: behind a transaction pooler that LISTEN stays on a server connection other clients share, and schema changes are missed. Watch through a service whose pool is on a direct (session) connection, or turn watch off where the pool goes through the pooler.",
  socketIoAdapter: "@socket.io/postgres-adapter checks a client out of this pool for good and sends LISTEN on it for each namespace's channel, to hear the other nodes' events: behind a transaction pooler those LISTENs stay on a server connection other clients share, and events from the other nodes are lost. Give the adapter a pool on a direct (session) connection.",
  fedifyQueue: "Fedify's PostgresMessageQueue sends LISTEN on its channel through this postgres.js client (on a connection it opens with the client's URL) once its queue is started (federation.startQueue(), or Fedify itself on the first enqueued task), to wake its workers when a message is enqueued: behind a transaction pooler that LISTEN stays on a server connection other clients share, and new messages wait for the poll interval. Give the queue a postgres.js client on a direct (session) connection.",
  postgresPubsub: "graphql-postgres-subscriptions' PostgresPubSub sends LISTEN on its pg client (through pg-ipc) for each subscription's topic: behind a transaction pooler those LISTENs stay on a server connection other clients share, and notifications are lost. Give it a client on a direct (session) connection.",
};

/** The finding on graphile-worker's `preparedStatements` option written true in its preset file (graphileWorkerPresets.ts). */
const GRAPHILE_WORKER_PREPARED_MESSAGE = "preparedStatements: true makes graphile-worker's runner send its queries as named prepared statements on its pool's connections: a transaction pooler without prepared-statement support runs them on another server connection, where they do not exist. Set preparedStatements: false where the worker connects through the pooler, or give it a direct (session) connection.";

/** The finding of each session SET a library sends when called (libraryLocks.ts), by the library's module. */
const LIBRARY_SET_MESSAGES: Readonly<Record<string, string>> = {
  [NODE_PG_MIGRATE_MODULE]: "node-pg-migrate's schema option makes its runner send SET search_path on the client it migrates with, as a statement of its own before the migrations: behind a transaction pooler the migrations may run on server connections without it (creating their objects in another schema), and the path stays on the one it was sent on for other clients. Run migrations on a direct (session) connection, or schema-qualify the migrations' names and leave the option out (migrationsSchema places the migrations table without a SET).",
};

/** The finding of each session lock a library takes when called (libraryLocks.ts), by the library's module. */
const LIBRARY_LOCK_MESSAGES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(POSTGRES_MIGRATIONS_MODULES.map((module) => [module, `${module}' migrate() takes a session advisory lock (pg_advisory_lock) on its client before the migrations and unlocks it in a later statement: behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one, or never run when a migration fails), and the next migrate() waits on it. Run migrations on a direct (session) connection.`])),
  [ADVISORY_LOCK_MODULE]: "advisory-lock's mutex takes a session advisory lock (pg_advisory_lock, pg_try_advisory_lock) on a pg client it opens on the factory's URL, and unlocks it in a later statement (withLock() too): behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one, and a client that lands on the first holds the lock without asking). Make the factory on a direct (session) URL, or take pg_advisory_xact_lock inside a transaction on the pool.",
  [PRISMA_MIGRATE]: PRISMA_MIGRATE_MESSAGE,
  [NODE_PG_MIGRATE_CLI]: NODE_PG_MIGRATE_CLI_MESSAGE,
  [PLATFORMATIC_LEADER_MODULE]: "@platformatic/leader's elector takes a session advisory lock (pg_try_advisory_lock, polled and never unlocked) on a checkout of the pool it is given and holds the checkout while it runs: behind a transaction pooler each poll may reach another server connection, so the lock is left on connections other clients share and two instances may both believe they lead. Give the elector a pool on a direct (session) connection.",
  [API_TOOLKIT_MODULE]: "@hirosystems/api-toolkit's runMigrations() runs node-pg-migrate's runner, which takes a session advisory lock (pg_try_advisory_lock) before the migrations and unlocks it in a later statement (the toolkit never passes noLock): behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one), and the next run fails with 'Another migration is already running'. Give runMigrations a direct (session) connection as its connection argument (without one it migrates on the PG* environment variables).",
  [NODE_PG_MIGRATE_MODULE]: "node-pg-migrate's runner takes a session advisory lock (pg_try_advisory_lock) on its client before the migrations and unlocks it in a later statement: behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one), and the next run fails with 'Another migration is already running'. Run migrations on a direct (session) connection, or pass noLock: true where nothing else migrates at once.",
};

/** One query text and how it maps back into the file. */
interface Piece {
  built: BuiltText;
  parts: Part[];
  /** Only text that is surely a whole PostgreSQL statement, written inline, reports syntax errors. */
  reportSyntaxErrors: boolean;
  /** A sql`…` tag: its `${…}` are bound parameters, never a setting's name. */
  tagged: boolean;
  /**
   * For a text holding a SET and a `$n`: which of its slots are a tag's holes of plain values (bound as parameters),
   * whether a `$n` written in the text is sent as a protocol parameter, and whether the server refuses the query for a
   * tag's quoted last hole (boundSetValues.ts).
   */
  setParameters?: { boundHoles: boolean[]; writtenBound: boolean; refusedForQuotedHole: boolean };
  /** The conditional paths of the code that sends it (codeBranches.ts), when it sits on any. */
  branches?: number[];
  /** A transaction boundary a client method sends (no SQL written in the file): no finding is placed in it. */
  boundary?: boolean;
  /** SETs whose value puts the setting back to what the connection had (settingRestores.ts): read as RESETs. */
  restores?: SettingRestore[];
  /** set_config calls whose setting name is bound as a constant (`set_config($1, …)`, `['app.user_id']`): what each writes. */
  boundNames?: BoundNameSetting[];
  /**
   * Sent on a PostgreSQL session no transaction pooler carries (PGlite, a server the code started, a direct URL):
   * only syntax errors and `set-local-outside-transaction`, which is lost without a pooler too, count.
   */
  unpooled?: boolean;
  /**
   * Sent through a pool of several connections of the suite's own server, or a connection checked out of one (ruling 13:
   * pools stay pools): unpooled, but a session setting it takes reaches the pool's next checkout, so session-set counts too.
   */
  checkoutsShared?: boolean;
  /**
   * Sent whole as one simple-protocol Query, with no values (`db.raw(text)`, `client.query(text)`, `sql.unsafe(text)`):
   * the server runs its statements as one implicit transaction, so an error in one undoes the others (context.ts).
   */
  simpleQuery?: boolean;
  /** Of a checkoutsShared piece: it sits in an arm of its helper that no call of the file takes (untakenArms.ts), so it never runs. */
  onUntakenArm?: boolean;
  /**
   * Of a checkoutsShared piece sent on a variable (`qr.query(…)` in a spec's helper arrow, `qr` held in a `beforeAll`): another
   * query of the file on that same variable puts a setting back (UNDOES_SESSION_SETTING), so the test's sequence on that
   * client holds an undo even where this piece's own group does not.
   */
  undoneOnClient?: boolean;
}

/**
 * How a query's text is read for where it goes (addPiece): through a pooler (false); where none is (true: unpooled);
 * through a pool of several connections of the suite's own server ('checkouts'), where only session state is shared; or
 * to a test double ('noDatabase', testDoubles.ts): unpooled, and no PostgreSQL parses it, so no syntax error either.
 */
type Pooling = boolean | 'checkouts' | 'noDatabase';

interface Group {
  pieces: Piece[];
  /** Whether the first query runs inside a transaction: 'unknown' for a client the caller passed in. */
  inTransaction: TransactionStart;
  /** The scope's sequence of every query, on any client or pool (load-balancing rules only). */
  scopeSequence?: Group;
  /** Analysed for the load-balancing rules only (the others judge each client's own sequence). */
  balancingOnly?: boolean;
  /** Sent on a session no transaction pooler carries (PGlite in the process, a logical-replication connection): only syntax errors count. */
  unpooled?: boolean;
  /** Indices of pieces before which a test helper's hook on the client may have begun a transaction (testHarnessHooks.ts). */
  mayOpenBefore?: Set<number>;
  /**
   * A test's client its setup helper handed it inside the helper's transaction, beside an object built on that
   * transaction (testTransactionCallbacks.ts): where the test uses that object, whose queries this sequence does not see.
   * `mayAdvanceBefore`: indices of pieces before which such a use came, so the transaction may have drawn any sequence.
   */
  appUses?: readonly number[];
  mayAdvanceBefore?: Set<number>;
  /** Indices of pieces before which a `return` of the function sending them may leave it, with that return's paths (noteLeave). */
  leavesBefore?: Map<number, (readonly number[] | undefined)[]>;
  /** Returns noted in the file but not yet placed before a piece: where the code leaves (after any `finally`), and their paths. */
  pendingLeaves?: { at: number; paths: readonly number[] | undefined }[];
  /** A PL/pgSQL fragment a builder returns, read as a block of its own (asAnonymousBlock): see outlivesSplicedBody. */
  splicedFragment?: boolean;
}

/**
 * The sequence of queries on a client in the scope being read. `site`, when given, is a test's call of a local function
 * that forwards to the client's query (perTestForwardedClient): where the suite's hooks leave that client is read there.
 */
type GroupFor = (receiver: ts.Expression | undefined, site?: ts.Node) => Group;

/** The query call whose first argument `node` is (through parentheses and await), if any. */
function enclosingQueryCall(node: ts.Node): ts.CallExpression | undefined {
  const outer = outermostWrapper(node);
  const call = outer.parent;
  if (call && ts.isCallExpression(call) && call.arguments[0] === outer && QUERY_METHODS.test(calleeText(call.expression))) return call;
  return undefined;
}

/** A sql`…` tag in a position where it is a whole statement, not a piece of another query. */
function isWholeStatementPosition(node: ts.TaggedTemplateExpression): boolean {
  const outer = outermostWrapper(node);
  const parent = outer.parent;
  if (!parent) return false;
  if (enclosingQueryCall(node) !== undefined) return true;
  if (inTemplateHole(outer)) return false;
  if (ts.isExpressionStatement(parent) || ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) return true;
  if (ts.isVariableDeclaration(parent) && parent.initializer === outer) return true;
  if (kyselyExecuteAccess(node)) return true;
  return enclosingQueryCall(node) !== undefined;
}

/** The method sql-template-strings' (and @nearform/sql's) statement objects add text with: `q.append(…)`. */
const APPEND_METHOD = 'append';

/**
 * Whether the tagged template is the value a variable is declared with, and the code continues that variable with
 * `.append(…)` in its scope (sql-template-strings' `const q = SQL\`… WHERE id IN (\`; ids.forEach((id) => q.append(…))`):
 * the template opens the statement the query call sends later, whole only once appended to, so PostgreSQL's verdict
 * on it alone ("syntax error at end of input") is no finding. What it holds is still read for pooling findings.
 */
function isContinuedByAppend(node: ts.TaggedTemplateExpression, flow: Flow): boolean {
  const declaration = outermostWrapper(node).parent;
  if (!ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return false;
  const source = declaration.getSourceFile();
  if (!source.text.includes(`.${APPEND_METHOD}`)) return false;
  const name = declaration.name.text;
  let appended = false;
  walkDescendants(enclosingFunction(declaration) ?? source, (child) => {
    if (!ts.isCallExpression(child) || !ts.isPropertyAccessExpression(child.expression) || child.expression.name.text !== APPEND_METHOD) return;
    const receiver = child.expression.expression;
    appended = ts.isIdentifier(receiver) && receiver.text === name && flow.variableOf(receiver) === declaration;
  }, () => appended);
  return appended;
}

/**
 * Whether a node is written inside a `${…}` hole of another template, reached through expressions (a concise arrow
 * body, a `.map(…)` call): ``sql`ALTER TABLE ${t} ${columns.map((c) => sql`DROP COLUMN ${c}, ADD COLUMN ${c} text`)}` ``.
 * What the hole holds is a piece of the outer text (a clause, a list item), not a statement of its own; one handed to a
 * query call there is sent by that call (isWholeStatementPosition asks that first); so is what an arrow's block in the
 * hole returns. A function, method or class declared in the hole ends the search: its own code is not the hole's text;
 * nor is a statement of an arrow's or function expression's block other than its `return` (`await sql\`…\`;` there
 * runs a statement of its own).
 */
function inTemplateHole(node: ts.Node): boolean {
  let child = node;
  for (let current = node.parent; current && !ts.isSourceFile(current); child = current, current = current.parent) {
    if (ts.isTemplateSpan(current)) return true;
    if (ts.isFunctionDeclaration(current) || ts.isMethodDeclaration(current) || ts.isClassLike(current)) return false;
    if (ts.isBlock(current) && ts.isFunctionLike(current.parent) && !ts.isReturnStatement(child)) return false;
  }
  return false;
}

/**
 * prostgles' `db.sql(text, params, { returnType: 'default-with-rollback' })`: the server runs the text inside a
 * transaction it rolls back (to see what a statement returns without keeping what it does). The option's name and value
 * are prostgles' own; read on its `sql` calls only.
 */
function asksForRollback(call: ts.CallExpression): boolean {
  const options = call.arguments[2] && unwrap(call.arguments[2]);
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  const returnType = objectProperty(options, PROSTGLES_RETURN_TYPE_OPTION);
  const value = returnType && unwrap(returnType);
  return value !== undefined && ts.isStringLiteralLike(value) && value.text === PROSTGLES_ROLLBACK_RETURN_TYPE;
}

/**
 * An options argument after the query text that names the transaction to run in: Sequelize's
 * `{ transaction: t }` or `{ transaction }` (not `transaction: null`/`undefined`/`false`, which run outside any).
 */
function transactionOption(call: ts.CallExpression): ts.Expression | undefined {
  for (const argument of call.arguments.slice(1)) {
    const value = unwrap(argument);
    if (!ts.isObjectLiteralExpression(value)) continue;
    for (const property of value.properties) {
      if (ts.isShorthandPropertyAssignment(property) && property.name.text === 'transaction') return property.name;
      if (!ts.isPropertyAssignment(property) || !property.name || propertyNameText(property.name) !== 'transaction') continue;
      const given = unwrap(property.initializer);
      if (!(given.kind === ts.SyntaxKind.NullKeyword || given.kind === ts.SyntaxKind.FalseKeyword || (ts.isIdentifier(given) && given.text === 'undefined'))) return given;
    }
  }
  return undefined;
}

/**
 * The local names a file gives an SQL tag it imports under another name: `import { sql as dsql } from
 * 'drizzle-orm'`, `import { sql as q } from 'kysely'` (a tag whose exported name is one of SQL_TAG_NAMES).
 */
function renamedSqlTagImports(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of source.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if (element.propertyName && SQL_TAG_NAMES.has(element.propertyName.text) && !element.isTypeOnly) names.push(element.name.text);
    }
  }
  return names;
}

/**
 * Effect's `db.withTransaction(Effect.gen(function* () { … }))`: the generator `Effect.gen` is handed describes the
 * effect the wrapper runs between BEGIN and COMMIT, so its body's queries run inside the transaction.
 */
function isEffectInTransaction(call: ts.CallExpression): boolean {
  if (calleeText(call.expression) !== EFFECT_GENERATOR) return false;
  const outer = outermostWrapper(call);
  const wrapper = outer.parent;
  return wrapper !== undefined && ts.isCallExpression(wrapper) && wrapper.arguments.includes(outer as ts.Expression) && isTransactionWrapper(wrapper);
}

/** Effect's constructor of an effect from a generator function (`Effect.gen`). */
const EFFECT_GENERATOR = 'gen';

function hasSqlMarkerComment(node: ts.Node, source: ts.SourceFile): boolean {
  // On the same line as the previous token (`= /* sql */ \``) TypeScript calls the comment "trailing".
  const comments = [...(ts.getLeadingCommentRanges(source.text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source.text, node.pos) ?? [])];
  return comments.some((c) => /^\/\*\s*sql\s*\*\/$/i.test(source.text.slice(c.pos, c.end)));
}

/**
 * The object whose method is handed `node` as an argument, or as a property of an object literal handed as one
 * (`conn.stream({ statement: sql })`: `conn`), whatever the method.
 */
function handedToMethodOf(node: ts.Node): ts.Expression | undefined {
  let outer = outermostWrapper(node);
  if (ts.isPropertyAssignment(outer.parent) && ts.isObjectLiteralExpression(outer.parent.parent)) outer = outermostWrapper(outer.parent.parent);
  const call = outer.parent;
  return call && ts.isCallExpression(call) && call.arguments.includes(outer as ts.Expression) ? receiverOf(call) : undefined;
}

/** The object whose method is called with `node` as its first argument, whatever the method (`db.execute.command(sql)`: `db.execute`). */
function argumentReceiver(node: ts.Node): ts.Expression | undefined {
  const outer = outermostWrapper(node);
  const call = outer.parent;
  return call && ts.isCallExpression(call) && call.arguments[0] === outer ? receiverOf(call) : undefined;
}

/**
 * Text opening with a call of a session advisory-lock function or of set_config, not a statement: a fragment of a
 * select list (``selectNoFrom(sql`set_config('role', ${r}, false)`.as('r'))``).
 */
const SESSION_CALL_FRAGMENT = /^\s*(?:pg_(?:try_)?advisory_(?:lock|unlock)(?:_shared|_all)?|(?:pg_catalog\.)?set_config)\s*\(/i;

/**
 * A set_config fragment whose is_local argument is not written false (``sql`SET_CONFIG(${k}, ${v}, TRUE)` ``, or a hole):
 * a transaction-local setting. When the fragment is built to be composed into a query later (`Prisma.join(parts)`
 * inside a `$transaction([...])`), its transaction is that query's, written elsewhere: read as a statement where it is
 * written, it would be judged outside any transaction, so it is left a fragment (no finding). A session one (`false`)
 * does the same harm wherever it runs, so it is still read as `SELECT set_config(…)`.
 */
function isLocalSetConfigFragment(parts: readonly Part[]): boolean {
  const text = parts.map((part) => (part.kind === 'text' ? part.text : '\u0000')).join('');
  return SET_CONFIG_FRAGMENT.test(text) && !setsConfigSessionWide(text);
}

/**
 * Whether an expression is an argument of a call, through `.as('alias')`-style method chains, array literals,
 * parentheses and type assertions (`selectNoFrom([sql\`…\`.as('u')])`): sent with the query of that call.
 */
function isHandedToCall(node: ts.Expression): boolean {
  let current: ts.Node = node;
  for (;;) {
    const parent: ts.Node | undefined = current.parent;
    if (!parent) return false;
    if (ts.isParenthesizedExpression(parent) || ts.isArrayLiteralExpression(parent) || ts.isAsExpression(parent)) current = parent;
    else if (ts.isPropertyAccessExpression(parent) && parent.expression === current && parent.parent && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) current = parent.parent;
    else return ts.isCallExpression(parent) && parent.arguments.includes(current as ts.Expression);
  }
}

const SET_CONFIG_FRAGMENT = /^\s*(?:pg_catalog\.)?set_config\s*\(/i;

/**
 * Where a text addPiece reads stands: the whole text a query call sends, or a fragment neither sent by a call nor handed
 * to one (`(kv) => Prisma.sql\`SET_CONFIG(…, TRUE)\``, joined into a query later).
 */
type TextPosition = 'wholeText' | 'composedLater';

/**
 * A query call that sends its text argument as the whole query: the call is not itself handed to another call (knex's
 * `select(knex.raw(…))`, drizzle's `db.execute(sql.raw(…))`) nor written in another template's hole, where its text is a
 * fragment of the query composed there.
 */
function sendsItsOwnText(call: ts.Node | undefined): call is ts.CallExpression {
  return call !== undefined && ts.isCallExpression(call) && !isHandedToCall(call) && !inTemplateHole(outermostWrapper(call));
}

/**
 * A statement name of hyphen-joined words (`update-manga`, `delete-chapter`): its first word may be a statement keyword,
 * but SQL hardly continues a keyword with `-word` and nothing else (`select-1` may be SQL, so a digit does not count).
 */
const HYPHENATED_NAME = /^[a-z][a-z0-9_]*(?:-[a-z][a-z0-9_]*)+$/i;

/** A query builder's helper for calling an SQL function by name (Kysely's `eb.fn`, Sequelize's and Objection's `fn`). */
const FUNCTION_HELPER = 'fn';

/** Whether the call is such a helper naming a session advisory-lock function in a literal (`eb.fn('pg_advisory_lock', [k])`). */
function lockHelperName(call: ts.CallExpression): boolean {
  if (calleeText(call.expression) !== FUNCTION_HELPER || call.arguments.length === 0) return false;
  const named = call.arguments[0];
  return (ts.isStringLiteral(named) || ts.isNoSubstitutionTemplateLiteral(named)) && /^[a-z_]+$/i.test(named.text) && SESSION_ADVISORY_NAME.test(named.text);
}

/**
 * The query builder's chain holding `inner`: the first call around it (`db.selectNoFrom((eb) => …)`, `Model.findAll({
 * attributes: [[fn(…), 'x']] })`) whose callee chain begins with a name or a `this` member that is not a parameter of a
 * callback between them (Kysely's `eb`), with that client. Undefined when there is none.
 */
function builderChainOf(inner: ts.Node): { call: ts.CallExpression; client: ts.Expression } | undefined {
  const callbackParameters = new Set<string>();
  let child: ts.Node = inner;
  for (let node = inner.parent; node && !ts.isSourceFile(node); child = node, node = node.parent) {
    if (ts.isFunctionLike(node)) {
      if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return undefined;
      for (const parameter of node.parameters) if (ts.isIdentifier(parameter.name)) callbackParameters.add(parameter.name.text);
      continue;
    }
    // A call reached through its callee (`eb.fn(…).as('locked')`) is the helper's own chain, not the builder's.
    if (!ts.isCallExpression(node) || node.expression === child) continue;
    let root: ts.Expression = node.expression;
    while (ts.isPropertyAccessExpression(root) || ts.isCallExpression(root) || ts.isNonNullExpression(root) || ts.isElementAccessExpression(root)) {
      if (ts.isPropertyAccessExpression(root) && root.expression.kind === ts.SyntaxKind.ThisKeyword) break;
      root = root.expression;
    }
    if (root === node.expression) continue; // a plain function call: not a builder's method
    if ((ts.isIdentifier(root) && !callbackParameters.has(root.text)) || ts.isPropertyAccessExpression(root)) return { call: node, client: root };
  }
  return undefined;
}

function receiverOf(call: ts.CallExpression): ts.Expression | undefined {
  return ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
}

/** A kind of client `tracesTo` follows a value back to (PGlite, a replication session). */
interface ClientOrigin {
  creates(value: ts.Expression): boolean;
  /** Judges `this.x` members; without it they are followed like other property accesses. */
  member?(value: ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier }): boolean;
  declared(declaration: ts.VariableDeclaration | ts.ParameterDeclaration): boolean;
}

/** The receiver of the call a callback is passed to (`pg.transaction(async (tx) => …)`: `pg`). */
function callbackReceiver(fn: ts.SignatureDeclaration): ts.Expression | undefined {
  const call = fn.parent;
  return ts.isCallExpression(call) && call.arguments.includes(fn as ts.Expression) ? receiverOf(call) : undefined;
}


/** Kysely's `sql\`…\`.execute`: the member access, when the template is run that way (a whole statement). */
function kyselyExecuteAccess(node: ts.TaggedTemplateExpression): ts.PropertyAccessExpression | undefined {
  const outer = outermostWrapper(node);
  const access = outer.parent;
  return access && ts.isPropertyAccessExpression(access) && access.expression === outer && access.name.text === 'execute' ? access : undefined;
}

/** Kysely's sql`…`.execute(db) runs on `db` (a transaction handle, a pool, a parameter), not on the tag. */
function kyselyExecuteTarget(node: ts.TaggedTemplateExpression): ts.Expression | undefined {
  const access = kyselyExecuteAccess(node);
  if (!access) return undefined;
  const call = access.parent;
  return call && ts.isCallExpression(call) && call.expression === access && call.arguments.length === 1 ? call.arguments[0] : undefined;
}

const PRISMA_RAW_TAGS = new Set(['$queryRaw', '$executeRaw']);
/** Prisma's raw query methods: each makes a lazy PrismaPromise, sent when awaited or run in a batch `$transaction([…])`. */
const PRISMA_RAW_METHOD = /^\$(?:execute|query)Raw(?:Unsafe)?$/;

class Extractor {
  readonly groups: Group[] = [];
  /** The sequences of queries given one transaction object, by the declaration that names it (transactionGroup). */
  private readonly transactionGroups = new Map<ts.Node, Group>();
  readonly extraFindings: Finding[] = [];
  /** Parameter names of transaction callbacks (postgres.js `sql.begin(async (tx) => tx\`…\`)`) act as SQL tags. */
  private readonly transactionTags: Set<string>[] = [];
  /** Per enclosing function: the clients it sends on inside a transaction a helper always rolls back (its callback's parameter, or a closure's captured client). */
  private readonly rolledBackClients: (readonly string[])[] = [];
  /** Local names bound to the postgres.js module (`import postgres from 'postgres'`, `require('postgres')`). */
  private readonly postgresJsNames = new Set<string>();
  /** Local names of postgres.js's module object loaded at run time (`const postgres = await import('postgres')`): its `.default` is the factory. */
  private readonly postgresJsModuleObjects = new Set<string>();
  /** Local names of Neon's HTTP factory (`import { neon } from '@neondatabase/serverless'`): its `neon(url)` is a tag client too. */
  private neonHttpNames: ReadonlySet<string> = new Set<string>();
  /** pgtyped's inline queries (`const q = sql<T>\`…\`` of `@pgtyped/runtime`) sent only by `q.run(params, client)` calls of the file. */
  private pgtypedRuns: InlineQueryRuns | undefined;
  /** Local names of an imported SQL tag renamed on import (`import { sql as q } from 'drizzle-orm'`). */
  private readonly renamedSqlTags = new Set<string>();
  /**
   * `postgres` bound from a local module (`import postgres from '../src/index.js'`: the driver's own tests,
   * a vendored copy): objects it creates count as postgres.js clients only when also used as SQL tags.
   */
  private readonly localPostgresFactories = new Set<string>();
  /** Names this file imports from Supabase's client libraries (`createClient`, `createBrowserClient`…): their clients speak HTTP, not SQL. */
  private readonly supabaseClientFactories = new Set<string>();
  /** Names of objects created by calling a postgres.js factory (`const sql = postgres(options)`). */
  private readonly postgresJsClients = new Set<string>();
  /** The variables this file declares, by name: a pool's name among them is found when a receiver asks (isPoolNamed). */
  private readonly declaredVariables = new Map<string, ts.VariableDeclaration[]>();
  /** Whether each name asked about is a pool's (isPoolNamed), read once. */
  private readonly poolNames = new Map<string, boolean>();
  /** Names of objects of another database's driver, in a file that imports both. */
  private otherObjects = new Set<string>();
  /** The names this file imports from another database's driver (its functions and types), in a file that imports both. */
  private otherDriverNames = new Set<string>();
  /**
   * In a file whose path names another database and that imports both drivers (`migrate-mysql-to-postgres.ts`), the
   * objects known to be PostgreSQL's (postgresDriverObjects): only their queries count, since a connection from a helper
   * the file imports (`openSource()`) is as likely the other database's. Undefined elsewhere.
   */
  private postgresOnlyObjects: Set<string> | undefined;
  /** `/* sql *\/` templates, analysed at the end unless a query call already reached them. */
  private readonly markedTemplates: ts.TemplateLiteral[] = [];
  /** Local names of drizzle-orm's `sql` builder (`import { sql } from 'drizzle-orm'`): it builds a query, it sends none. */
  private readonly drizzleSqlNames = new Set<string>();
  /** Those of them a module of the project hands on (`import { sql } from '../db'`; drizzleSqlExports.ts), with its specifier. */
  private readonly projectDrizzleSql = new Map<string, string>();
  /** Strings held by exported constants, analysed at the end unless a query call already reached them. */
  private readonly exportedTexts: ts.Expression[] = [];
  private readonly reachedLiterals = new Set<ts.Node>();
  /** The calls of this file's functions whose returned text a query call of the file sent (ResolvedQuery.followedCalls). */
  private readonly sentCalls = new Set<ts.Node>();
  /**
   * Builders the file keeps to itself (keptBuilders.ts), each with the group it was read in on its own and every call of it:
   * at the end, a builder every call of which a query call sent is judged there, on that call's client, and its own group goes.
   */
  private readonly keptBuilders: { group: Group; calls: readonly ts.CallExpression[] }[] = [];
  /** Whether the file has any `/* sql *\/` comment at all (most have none: no comment lookups per template). */
  private readonly hasMarkers: boolean;
  readonly flow: Flow;
  /** Clients of a server the code started itself (ownServerClients.ts), set once the file's name is known. */
  private ownServer: OwnServerClients | undefined;
  /** A test file's mocked drivers and clients (testDoubles.ts), set once the file's name is known. */
  private doubles: TestDoubles | undefined;

  constructor(private readonly source: ts.SourceFile, private readonly options: AnalysisOptions, private readonly engine: SqlEngine) {
    this.flow = new Flow(source);
    this.hasMarkers = /\/\*\s*sql\s*\*\//i.test(source.text);
  }

  /**
   * Syntax errors only in files that surely talk to PostgreSQL (a PostgreSQL driver import or a
   * PostgreSQL path): multi-dialect code (knex, TypeORM, Sequelize tests) holds MySQL, Oracle or SQL
   * Server statements next to PostgreSQL ones, and PoolSafe cannot tell which one runs.
   */
  private surelyPostgres = false;
  /** The file imports deno-postgres: its `queryArray`/`queryObject` are driver query methods (DENO_POSTGRES_QUERY_METHODS). */
  private importsDenoPostgres = false;
  /** The file's only PostgreSQL is in the process (PGlite): one session, so only syntax errors count. */
  inProcessOnly = false;
  /** Code that runs only when the file's own dialect test says PGlite (inProcess.ts). */
  private inProcessBranches: ts.Node[] = [];
  /** Declarations of the clients a replication command is sent through (replication.ts). */
  private readonly replicationSessions = new Set<ts.Node>();
  /** Variables and parameters this file calls a PGlite-only method on (`db.execProtocolRaw(…)`): PGlite instances. */
  private pgliteHandles = new Set<ts.Node>();
  /** Whether the file names PGlite at all (else no value or branch of it is looked for). */
  private namesPglite = false;
  /** Names the file imports a project class around PGlite under (`PGLiteEngine`, inProcessWrappers.ts). */
  private pgliteWrappers = new Set<string>();
  /** The one group of the queries sent to PGlite or on a replication session: analysed for syntax errors only. */
  private unpooledSessionGroup: Group | undefined;
  /** The node of the scope walk being inspected: where the pieces it adds are sent from. */
  private sentFrom: ts.Node | undefined;
  /** The modules the file imports (run()). */
  private modules: ImportedModule[] = [];
  private readonly branches = new CodeBranches();
  /** What this file imports or requires by name, read once (importedName). */
  private importedByName: Map<string, ImportedName> | undefined;
  /** pg-listen's / pg-pubsub's subscribe calls, which send LISTEN (listenLibraries.ts). */
  private listenLibraries: ListenLibraryCalls | undefined;
  private fileName: string | undefined;
  /** postgrejs / ts-postgres `prepare(text)`, `listen(channel, fn)` and @effect/sql-pg's `listen(channel)` (driverStatements.ts). */
  private driverStatements: DriverStatementCalls | undefined;
  /** The names Bun's SQL client goes by in this file (bunSql.ts). */
  private bunNames: BunSqlNames | undefined;
  /** Whether Bun's default client (`Bun.sql`) already has its finding in this file. */
  private bunDefaultReported = false;
  /** The names pg-promise's module is bound to (pgPromiseSchema.ts); undefined where the file never names the module. */
  private pgPromiseNames: ReadonlySet<string> | undefined;

  /**
   * In a file that imports only another database's driver, the branches its own dialect test gives to
   * PostgreSQL (embeddedDialect.ts): findings count only there. Undefined: the whole file counts.
   */
  postgresOnlyIn: ts.Node[] | undefined;

  /**
   * A query on this receiver goes to another database: an object of its driver, or, in a file named for another
   * database that imports both drivers, any receiver not known to be PostgreSQL's (none included).
   */
  private isSetAside(receiver: ts.Expression | undefined): boolean {
    if (receiver && (isOtherDialectReceiver(receiver, this.otherObjects) || isTypedAsOtherDriver(receiver, this.otherDriverNames, this.flow))) return true;
    return this.postgresOnlyObjects !== undefined && !(receiver && isOtherDialectReceiver(receiver, this.postgresOnlyObjects));
  }

  /** False when the file talks only to another database. */
  run(fileName: string | undefined): boolean {
    this.fileName = fileName;
    const modules = importedModules(this.source);
    this.modules = modules;
    const dialect = fileDialect(modules);
    this.bunNames = bunSqlNames(this.source);
    // Bun's SQL class (from 'bun', which is no one database's module) talks to PostgreSQL unless its URL or options
    // name another database (inspectBunClient): a file naming it beside another database's driver (`bun:sqlite`)
    // talks to both, as one importing pg would, and the other driver's objects are set aside as in such a file.
    if (dialect.otherOnly && this.bunNames.classes.size === 0) {
      this.postgresOnlyIn = postgresBranches(this.source);
      if (this.postgresOnlyIn.length === 0) return false;
    }
    this.ownServer = new OwnServerClients(this.source, this.flow, fileName);
    this.doubles = testDoublesOf(this.source, fileName);
    this.surelyPostgres = dialect.postgres || pathIsPostgres(fileName);
    this.importsDenoPostgres = modules.some((module) => module.specifier === DENO_POSTGRES_MODULE || module.specifier.startsWith(`${DENO_POSTGRES_MODULE}/`));
    this.flow.readsSqlConfigs = this.surelyPostgres || importsPostgresCode(modules);
    // A project class around PGlite makes its instances PGlite even in a file that names PGlite nowhere.
    this.pgliteWrappers = inProcessWrapperNames(this.source, fileName);
    this.namesPglite = mayUsePglite(this.source.text) || this.pgliteWrappers.size > 0;
    this.inProcessOnly = dialect.inProcessOnly || (this.namesPglite && startsOwnPgliteServer(this.source.text, fileName));
    if (this.namesPglite) {
      this.inProcessBranches = inProcessBranches(this.source);
      this.pgliteHandles = this.declarationsOf(pgliteMethodReceivers(this.source));
    }
    this.otherObjects = otherDialectObjects(this.source, dialect.otherNames);
    this.otherDriverNames = dialect.otherNames;
    if (dialect.postgres && dialect.otherNames.size > 0 && pathIsOtherDialect(fileName)) this.postgresOnlyObjects = postgresDriverObjects(this.source, dialect.postgresNames);
    this.noteReplicationSessions();
    if (this.source.text.includes(PG_PROMISE_MODULE)) this.pgPromiseNames = pgPromiseNames(modules);
    this.listenLibraries = new ListenLibraryCalls(modules, this.source.text, fileName);
    this.driverStatements = new DriverStatementCalls(withOwnDriverImports(modules, fileName), this.source.text);
    for (const name of renamedSqlTagImports(this.source)) this.renamedSqlTags.add(name);
    for (const module of modules) {
      if (DRIZZLE_SQL_MODULE.test(module.specifier)) for (const name of module.names) if (name === 'sql' || this.renamedSqlTags.has(name)) this.drizzleSqlNames.add(name);
      if (module.specifier === POSTGRES_JS_MODULE) for (const name of module.names) this.postgresJsNames.add(name);
      else if (SUPABASE_CLIENT_MODULE.test(module.specifier)) for (const name of module.names) this.supabaseClientFactories.add(name);
      else if (module.specifier.startsWith('.') && module.names.includes(POSTGRES_JS_MODULE)) this.localPostgresFactories.add(POSTGRES_JS_MODULE);
      if (module.specifier.startsWith('.') && module.whole) this.projectModules.set(module.whole, module.specifier);
    }
    // postgres.js loaded where the client is made (`const { default: postgres } = await import('postgres')`,
    // `const postgres = (await import('postgres')).default`, a `require` inside a function): its factory as imported.
    // The module object of an `import()` (`const postgres = await import('postgres')`) is a namespace: its `.default`.
    for (const binding of dynamicImportBindings(this.source, POSTGRES_JS_MODULE)) {
      if (binding.exported === 'default' || (binding.exported === undefined && binding.required)) this.postgresJsNames.add(binding.local);
      else if (binding.exported === undefined) this.postgresJsModuleObjects.add(binding.local);
    }
    const imports = [...importedNames(this.source), ...requiredNames(this.source)];
    for (const [local, imported] of imports) {
      if (imported.specifier.startsWith('.')) this.projectFunctions.set(local, imported);
      if (this.handsOnDriver(local, imported)) this.postgresJsNames.add(local);
      if (this.isProjectDrizzleSql(local, imported)) {
        this.drizzleSqlNames.add(local);
        this.projectDrizzleSql.set(local, imported.specifier);
      }
    }
    this.neonHttpNames = neonHttpFactories(this.source);
    const pgtypedTags = pgtypedTagNames(imports);
    if (pgtypedTags.size > 0) this.pgtypedRuns = pgtypedInlineQueryRuns(this.source, pgtypedTags, this.flow);
    this.visitScope(this.source, false);
    this.inspectBunDefaultImports();
    for (const template of this.markedTemplates) {
      if (this.reachedLiterals.has(template)) continue;
      // Where it runs is unknown: as for SQL builders, only findings that hold anywhere. Handed to a method of a client
      // of a server no pooler fronts (`conn.stream(/*sql*/ \`…\`)`), it runs there if anywhere: what holds without a pooler.
      const unpooled = this.ownServerReading(handedToMethodOf(template));
      this.addPiece(this.standaloneGroup(true), this.flow.stringParts(template, 0, [], { indirect: false }) ?? [], true, false, unpooled);
    }
    for (const text of this.exportedTexts) this.inspectExportedText(text);
    this.dropBuildersSentByCallers();
    this.inspectLibraryListens();
    this.inspectGraphileWorkerPreset();
    this.inspectLibrarySessionState();
    return true;
  }

  /**
   * LISTENs a library makes when an option, a plugin or a call asks for it (libraryListens.ts): PostGraphile's `watchPg`,
   * the @graphile/pg-pubsub plugin, graphile-worker's `run()`, graphql-postgres-subscriptions' `new PostgresPubSub()`,
   * @socket.io/postgres-adapter's `createAdapter(pool)`, Fedify's `new PostgresMessageQueue(sql)`. Not where the pool or URL the library is handed is of a
   * server no pooler fronts (the suite's own test server or local test database, as for a client's LISTEN; a direct
   * URL), nor where a test mocks the library's module.
   */
  private inspectLibraryListens(): void {
    for (const found of libraryListens(this.source)) {
      if (found.connection && this.reachesUnpooledServer(found.connection)) continue;
      if (mocksModule(this.source, found.kind)) continue;
      if (found.kind === 'graphileWorker' && this.callsLocalNamesake(found.node)) continue;
      this.addNodeFinding('listen', found.node, LIBRARY_LISTEN_MESSAGES[found.kind]);
    }
  }

  /**
   * graphile-worker's preset file (graphileWorkerPresets.ts), which its CLI loads: the runner LISTENs on the
   * `connectionString` written there, and `preparedStatements` written true (or a value true when nothing is configured,
   * read as postgres.js's `prepare` is) names its queries; each reported at its option. Neither where that connection
   * string reaches a server no pooler fronts (a URL the project keeps for direct sessions), as for `run()`'s.
   */
  private inspectGraphileWorkerPreset(): void {
    const options = graphileWorkerPresetOptions(this.source, this.fileName);
    if (!options) {
      this.inspectRunnerPreset();
      return;
    }
    const { connectionString, preparedStatements } = options;
    if (connectionString && this.reachesUnpooledServer(connectionString)) return;
    if (connectionString) this.addNodeFinding('listen', connectionString.parent, LIBRARY_LISTEN_MESSAGES.graphileWorker);
    if (preparedStatements) this.inspectPresetPreparedStatements(preparedStatements);
  }

  /**
   * A preset the project hands to graphile-worker's `run()`/`runOnce()` (graphileWorkerPresets.ts): its `preparedStatements`
   * written true names the runner's queries, as the CLI's preset file does; the LISTEN is reported at the `run()` call.
   */
  private inspectRunnerPreset(): void {
    if (!this.source.text.includes('preparedStatements')) return;
    const { connectionString, preparedStatements } = runnerPresetOptions(this.source, this.fileName) ?? {};
    if (!preparedStatements || (connectionString && this.reachesUnpooledServer(connectionString))) return;
    this.inspectPresetPreparedStatements(preparedStatements);
  }

  /** A graphile-worker preset's `preparedStatements` written true (as a value preparesByDefault reads): the runner names its queries. */
  private inspectPresetPreparedStatements(preparedStatements: ts.Expression): void {
    if (preparesByDefault(preparedStatements, this.flow) === true) {
      this.addNodeFinding('protocol-prepared-statement', preparedStatements.parent, GRAPHILE_WORKER_PREPARED_MESSAGE);
    }
  }

  /**
   * Session state a library leaves when a call asks for it (libraryLocks.ts): the session advisory locks of
   * postgres-migrations' `migrate()`, node-pg-migrate's runner (@hirosystems/api-toolkit's runMigrations too), @platformatic/leader's elector and a `prisma migrate deploy`
   * or node-pg-migrate CLI run the code starts, and the runner's search path (its `schema` option).
   * Not where the client or config it is handed is of a server no pooler fronts (as for a library's LISTEN), where test
   * code's library connects on PG* variables that reach the suite's own database, nor where a test mocks the library's module.
   */
  private inspectLibrarySessionState(): void {
    for (const found of librarySessionState(this.source, this.fileName)) {
      if (found.connection && this.libraryConnectsUnpooled(found.connection)) continue;
      if (found.pgEnvironment && this.ownServer?.pgEnvironmentReachesTestServer()) continue;
      if (mocksModuleNamed(this.source, found.module) || this.callsLocalNamesake(found.node)) continue;
      this.addNodeFinding(found.rule, found.at, (found.rule === 'session-set' ? LIBRARY_SET_MESSAGES : LIBRARY_LOCK_MESSAGES)[found.module]);
    }
  }

  /**
   * Whether what a library is handed connects where no pooler is (reachesUnpooledServer); written in another module of
   * the project (advisory-lock's factory imported from it), it is judged in that module (directUrls.ts).
   */
  private libraryConnectsUnpooled(connection: ts.Expression): boolean {
    const written = connection.getSourceFile();
    return written === this.source ? this.reachesUnpooledServer(connection) : connectsDirectly(connection, written.fileName);
  }

  /**
   * A call of a local variable, parameter or function named like the library's import (`const run = async (…) => …;
   * run(…)` in a function of a file that imports graphile-worker's `run`): it shadows the import, and calls the file's own.
   */
  private callsLocalNamesake(node: ts.Node): boolean {
    if (!ts.isCallExpression(node)) return false;
    const callee = unwrap(node.expression);
    if (!ts.isIdentifier(callee)) return false;
    // A name bound only by loads of a package inside functions (`const run = (await import('m')).default`) is the import.
    if (packageLoadBindings(this.source).has(callee.text)) return false;
    // A top-level binding is the import itself (`const run = require('graphile-worker').run`): only an inner one shadows it.
    const inner = (declaration: ts.Node): boolean => !ts.isSourceFile(ts.isVariableDeclaration(declaration) ? declaration.parent.parent.parent : declaration.parent);
    const binding = this.flow.bindingOf(callee);
    if (binding) return 'parameterOf' in binding || inner(binding.variable);
    const local = this.flow.localFunction(callee);
    return local !== undefined && inner(local);
  }

  /**
   * Whether a pool, URL or connection config handed to a library connects where no transaction pooler is between: a
   * server the code started itself or the test's local database (ownServerClients.ts, judged as for what only a pooler
   * breaks), or a URL the project keeps for direct sessions (directUrls.ts), also as the one a pool of the file is made from.
   */
  private reachesUnpooledServer(connection: ts.Expression): boolean {
    if (this.ownServer?.reachesAnyConnection(connection)) return true;
    if (!this.fileName) return false;
    const value = unwrap(connection);
    const binding = ts.isIdentifier(value) ? this.flow.bindingOf(value) : undefined;
    const made = binding && 'variable' in binding && binding.variable.initializer ? unwrap(binding.variable.initializer) : value;
    // A pool made here (`new Pool({ connectionString })`, `createPool(url)`) is judged by what it is made from; another
    // call (`connectionUrl()`) is the URL it returns, followed by connectsDirectly.
    if (ts.isNewExpression(made) || (ts.isCallExpression(made) && POOL_FACTORY.test(this.factoryName(made.expression)))) return subscriberConnectsDirectly(made, this.fileName);
    return connectsDirectly(made, this.fileName);
  }

  /**
   * An exported constant holding a whole statement or a SET (`export const LOCK = 'SELECT
   * pg_advisory_lock(1)'`) is sent by importers this analysis does not see (it reads one file at a time,
   * in the editor as in the CLI): analysed on its own, like a SQL builder, unless a query call of this
   * file already reached it.
   */
  private inspectExportedText(text: ts.Expression): void {
    const literals: ts.Node[] = [];
    const parts = this.flow.stringParts(text, 0, literals, { indirect: false, choicesUnknown: true });
    if (!parts?.length || literals.some((literal) => this.reachedLiterals.has(literal)) || !opensStatement(parts)) return;
    this.addPiece(this.standaloneGroup(true), parts, false, false, this.exportsOnlyToPglite());
  }

  /**
   * Whether this file's exported texts can only be sent to PGlite: the file imports no server driver and its package
   * reaches PostgreSQL only through PGlite (packageReachesOnlyPglite). Their findings are then those of PGlite's session.
   */
  private exportsOnlyToPglite(): boolean {
    const dialect = fileDialect(this.modules);
    return (!dialect.postgres || dialect.inProcessOnly) && packageReachesOnlyPglite(this.fileName);
  }

  /**
   * postgres.js names every query's prepared statement by default (`prepare: true`): behind a pooler
   * without prepared-statement support a query's later run on the same connection sends Bind alone, which
   * fails with 26000 on another server connection (inside a transaction the error reaches the application;
   * outside one postgres.js parses again, leaving one more statement behind). A client whose statements
   * each run once (postgresJsOneShot.ts) never sends that Bind.
   */
  private inspectPostgresJsClient(call: ts.CallExpression): void {
    if (this.runsInProcess(call, undefined) || createsReplicationClient(call)) return;
    if (clientNeverPrepares(call)) return;
    // Every statement it names runs once (a one-shot script, a test's throwaway client): no Bind ever comes without its Parse.
    if (runsEachStatementOnce(call)) return;
    // Made with a URL the project keeps for direct sessions: no pooler between it and the server.
    if (this.fileName && subscriberConnectsDirectly(call, this.fileName)) return;
    // Made only after the code refused its URL on the transaction pooler's port: kept off that pooler by the code itself.
    if (refusedOnTransactionPooler(call, this.flow)) return;
    // Made with the URL of a server the code started itself (a test container): no pooler in front of it.
    if (this.ownServer?.createdFrom(call)) return;
    // Made with a Cloudflare Hyperdrive binding's connection string: a pool that keeps named prepared statements working.
    if (connectsThroughHyperdrive(call.arguments[0], this.fileName)) return;
    this.addPreparesByDefaultFinding(call, 'undefined, ',
      'postgres.js prepares every query as a named statement by default (prepare: true); a transaction pooler without prepared-statement support runs it on another server connection, where it does not exist.');
  }

  /**
   * drizzle-orm/postgres-js's `drizzle(url)` / `drizzle({ connection })` makes a postgres.js client with that URL or
   * those options (postgresJsWrappers.ts), judged as `postgres(connection)` is when handed to drizzle: its queries go
   * through unsafe(), but a transaction's begin/commit are postgres.js's named prepared statements, so it prepares
   * nothing when the database is never given a transaction, nor with `prepare: false` among the options; nor where no
   * pooler is between (a URL the project keeps for direct sessions, a server the code started itself), nor through a
   * Cloudflare Hyperdrive binding (hyperdriveBindings.ts), which keeps named prepared statements working.
   */
  private inspectDrizzleOwnClient(call: ts.CallExpression, connection: ts.Expression): void {
    if (this.runsInProcess(call, undefined)) return;
    if (this.fileName && connectsDirectly(connection, this.fileName)) return;
    if (this.ownServer?.connectionFromOwnServer(connection)) return;
    if (drizzleConnectsThroughHyperdrive(connection, this.fileName)) return;
    // Made where it is handed to a function (`cleanDatabase(drizzle(url))`): a new client per call, one transaction each at most.
    if (drizzleNeverRunsTransaction(call) || freshDatabaseRunsOneTransaction(call)) return;
    this.addPreparesByDefaultFinding(call, '',
      'drizzle-orm/postgres-js makes a postgres.js client that prepares statements by default (prepare: true): the begin/commit of its transactions are named prepared statements, which a transaction pooler without prepared-statement support runs on another server connection, where they do not exist. Pass connection options with prepare: false.',
      [connection]);
  }

  /**
   * A postgres.js client @knaadh/nestjs-drizzle-postgres makes from a registration's `postgres: { url, config }`
   * (nestDrizzlePostgres.ts): judged as drizzle's own client is, its database taken to run transactions unless every
   * injection of the registration's tag is into a class that uses it only as drizzle's query builders; reported at the
   * `postgres` option unless `config` turns preparing off, or the URL connects where no pooler is (a URL the project
   * keeps for direct sessions, a server the code started).
   */
  private inspectNestDrizzleClient(call: ts.CallExpression, client: NestDrizzlePostgresClient): void {
    if (this.runsInProcess(call, undefined)) return;
    if (client.url && this.fileName && connectsDirectly(client.url, this.fileName)) return;
    if (client.url && this.ownServer?.connectionFromOwnServer(client.url)) return;
    if (injectedTagNeverRunsTransaction(call)) return;
    this.addPreparesByDefaultFinding(call, '',
      '@knaadh/nestjs-drizzle-postgres makes a postgres.js client from these options that prepares statements by default (prepare: true): the begin/commit of its transactions are named prepared statements, which a transaction pooler without prepared-statement support runs on another server connection, where they do not exist. Pass config: { prepare: false } here.',
      [client.url, client.config].filter((argument): argument is ts.Expression => argument !== undefined), client.option.name);
  }

  /**
   * The postgres.js pool openworkflow's `BackendPostgres.connect(url)` makes (openworkflowBackends.ts): the backend's
   * tagged templates are named prepared statements, and no option of the call turns that off. Reported at the call
   * unless the URL connects where no pooler is (a URL the project keeps for direct sessions, a server the code started).
   */
  private inspectOpenworkflowBackend(call: ts.CallExpression, url: ts.Expression): void {
    if (this.fileName && connectsDirectly(url, this.fileName)) return;
    if (this.ownServer?.connectionFromOwnServer(url)) return;
    this.addNodeFinding('protocol-prepared-statement', call.expression,
      "openworkflow's BackendPostgres.connect makes a postgres.js pool that prepares statements by default (prepare: true), and the backend sends its queries as tagged templates: named prepared statements, which a transaction pooler without prepared-statement support runs on another server connection, where they do not exist. Connect the backend through a direct (session) URL, or make the client yourself with postgres(url, { prepare: false }) and hand it to the backend where your version offers BackendPostgres.fromPool.");
  }

  /**
   * Bun's `new SQL(…)` for PostgreSQL (its default adapter) prepares every query as a named statement unless
   * created with `prepare: false` (bunSql.ts). A client for MySQL or SQLite is another database's: its queries
   * are skipped like other drivers' objects.
   */
  private inspectBunClient(creation: ts.NewExpression): void {
    const database = bunClientDatabase(creation, this.flow);
    if (database === 'other') {
      const holder = outermostWrapper(creation).parent;
      if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) this.otherObjects.add(holder.name.text);
      return;
    }
    if (database === 'unknown' || urlDisablesPrepare(creation) || bunClientNeverPrepares(creation)) return;
    // Only drizzle's bun-sql migrator, once, then ended (bunSqlOneShot.ts): each statement is named once, as postgres.js's one-shot clients.
    if (bunClientOnlyMigrates(creation)) return;
    // As for postgres.js: no pooler between a client and a URL the project keeps for direct sessions, or the server the
    // code started itself (a test container, test code's local database).
    if (this.fileName && subscriberConnectsDirectly(creation, this.fileName)) return;
    if (this.ownServer?.createdFrom(creation)) return;
    // Made with no URL or host in test code: Bun takes the URL from the environment, here the suite's own database.
    if (bunClientReadsEnvironment(creation) && this.ownServer?.readsTestDatabaseFromEnvironment(BUN_URL_VARIABLES)) return;
    this.addPreparesByDefaultFinding(creation, '',
      "Bun's SQL client prepares every PostgreSQL query as a named statement by default (prepare: true); a transaction pooler without prepared-statement support runs it on another server connection, where it does not exist.");
  }

  /**
   * A client created without `prepare: false` (postgres.js, Bun's SQL): the finding on its `prepare: true` or its
   * constructor, with a fix that sets `prepare: false` (`noOptionsPrefix` goes before a new options object when
   * the call has no arguments). A computed `prepare` cannot be told: no finding. `optionArgs`: where the client's URL and
   * options are when they are not the call's own arguments (drizzle's `connection`); the fix then only edits an options
   * object written there. `site`: where the finding goes when no `prepare: true` is written (the callee by default; a
   * library's option for a client the library makes).
   */
  private addPreparesByDefaultFinding(call: ts.CallExpression | ts.NewExpression, noOptionsPrefix: string, message: string, optionArgs?: readonly ts.Expression[], site?: ts.Node): void {
    const args: readonly ts.Expression[] = optionArgs ?? call.arguments ?? [];
    const options = args.find(ts.isObjectLiteralExpression) ?? this.heldOptions(args);
    // Options built elsewhere in the file (merged by a call, returned by a local function): read, never edited.
    // `options.prepare = …` written on the options a name holds decides it (postgresJsOptions.ts).
    const assigned = firstDefined(args, (argument) => (ts.isIdentifier(argument) ? assignedPrepareOption(argument, this.flow) : undefined));
    const prepare = assigned ?? (options ? prepareOption(options, this.flow) : firstDefined(args, (argument) => heldPrepareOption(argument, this.flow)));
    // Computed: prepares by default (a const or a parameter default that is true), or else the author's decision.
    if (prepare && preparesByDefault(prepare, this.flow) !== true) return;
    // Options the caller hands in, in a module that turns preparing off in the options it builds itself: the
    // caller's options are (most likely) those; the module's author has dealt with prepare.
    if (!prepare && TURNS_PREPARE_OFF.test(this.source.text) && args.some((argument) => optionsFromParameter(argument, this.flow))) return;
    const severity = this.severityOf('protocol-prepared-statement');
    if (!severity) return;
    // A `prepare: true` of shared options elsewhere in the file: reported (and fixed) at this call.
    const own = prepare && prepare.pos >= call.pos && prepare.end <= call.end ? prepare : undefined;
    const target = own ?? site ?? call.expression;
    const edits = own
      ? [{ start: own.getStart(this.source), end: own.getEnd(), newText: ts.isShorthandPropertyAssignment(own.parent) ? `${PREPARE_OPTION}: false` : 'false' }]
      : options && options.pos >= call.pos && options.end <= call.end
        ? [prepareFalseEdit(options, this.source)]
        : call.arguments && !optionArgs
          ? [{ start: call.arguments.end, end: call.arguments.end, newText: `${call.arguments.length ? ', ' : noOptionsPrefix}{ prepare: false }` }]
          : undefined;
    this.extraFindings.push({
      rule: 'protocol-prepared-statement', severity, start: target.getStart(this.source), end: target.getEnd(), message,
      ...(edits && { fix: { title: 'Set prepare: false', edits } }),
    });
  }

  /** An options object the call is given by a name (`postgres(options)`, `postgres(url, settings)`), when it is a local literal. */
  private heldOptions(args: readonly ts.Expression[]): ts.ObjectLiteralExpression | undefined {
    for (const argument of args) {
      const object = ts.isIdentifier(argument) ? optionsObject(argument, this.flow) : undefined;
      if (object) return object;
    }
    return undefined;
  }

  /**
   * Bun's default client (`import { sql } from 'bun'` used as a tag, or `Bun.sql`): PostgreSQL unless the
   * environment names another database, and it prepares every query; its options cannot be changed.
   */
  private inspectBunDefaultImports(): void {
    for (const [name, specifier] of this.bunNames?.defaultClients ?? []) {
      if (this.isUsedAsTag(name)) this.addBunDefaultFinding(specifier);
    }
  }

  private addBunDefaultFinding(node: ts.Node): void {
    if (this.bunDefaultReported) return;
    // Configured by the environment only: in test code whose environment gives it the suite's own database, no pooler.
    if (this.ownServer?.readsTestDatabaseFromEnvironment(BUN_URL_VARIABLES)) return;
    this.bunDefaultReported = true;
    this.addNodeFinding('protocol-prepared-statement', node,
      "Bun's default sql client (PostgreSQL unless the environment names another database) prepares every query as a named statement, and its options cannot be changed: behind a transaction pooler without prepared-statement support, use new SQL({ …, prepare: false }).");
  }

  private severityOf(rule: RuleId): Severity | undefined {
    return severityFor(rule, this.options);
  }

  private visitScope(scope: ts.Node, inTransaction: boolean, testTransaction?: TestTransactionCallback): void {
    // One sequence per client object (by its text: `client`, `this.client`, `tx`).
    const sequences = new Map<string, Group>();
    // A read after a write goes to a replica whichever client or pool sent them: one sequence per scope.
    const scopeSequence = this.options.loadBalancing ? this.balancingGroup(inTransaction) : undefined;
    const groupFor: GroupFor = (receiver, site) => {
      const key = receiver && this.keyOf(receiver);
      if (this.sendsOnPool(receiver)) {
        const standalone = this.standaloneGroup(false);
        standalone.scopeSequence = scopeSequence;
        return standalone;
      }
      let group = sequences.get(key ?? '');
      if (!group) {
        const perTest = site && receiver ? perTestTransaction(receiver, this.source, this.fileName, this.flow, site) : undefined;
        const rolledBack = perTest === 'rolledBack' || this.inRolledBackTransaction(receiver);
        group = { pieces: [], inTransaction: rolledBack ? 'rolledBack' : inTransaction || perTest === 'open' || this.handleStart(receiver), scopeSequence };
        // The handle a test's setup helper hands it inside the helper's transaction, beside the application built on it.
        // A tag's text handed to a method not read as a query call (slonik's `db.oneFirst(sql`…`)`) is sent on that method's receiver.
        const tagged = receiver && ts.isTaggedTemplateExpression(receiver.parent) && receiver.parent.tag === receiver ? argumentReceiver(receiver.parent) : receiver;
        const root = testTransaction && tagged && rootIdentifier(tagged);
        if (root && testTransaction!.clientNames.has(root.text)) {
          if (group.inTransaction !== 'rolledBack') group.inTransaction = true;
          group.appUses = testTransaction!.appUses;
        }
        this.groups.push(group);
        sequences.set(key ?? '', group);
      }
      return group;
    };
    this.scopeGroups.push(new Set());
    walkDescendants(scope, (node) => {
      // A token (identifier, keyword, literal: about half of a file's nodes) has no children, and inspect reads none
      // but a template literal a marker comment names: spared the checks below.
      if (node.kind <= LAST_TOKEN && node.kind !== NO_SUBSTITUTION_TEMPLATE) {
        this.sentFrom = node;
        return false;
      }
      if (this.unreachable.size > 0 && this.unreachable.has(node)) return false;
      if (JUMP_STATEMENTS.has(node.kind)) this.noteUnreachableAfter(node as ts.Statement);
      if (ts.isFunctionLike(node)) {
        // A connection hook knex never calls (written beside `pool`, not in it): nothing in it runs (knexHooks.ts).
        if (isKnexHookOutsidePool(node)) return false;
        const call = node.parent && ts.isCallExpression(node.parent) && node.parent.arguments.includes(node as ts.Expression) ? node.parent : undefined;
        const first = node.parameters[0];
        // A helper of the project, whatever its name, that runs the callback between BEGIN and COMMIT on the
        // client it hands it (`withTenant(id, async (client) => …)`, rolledBackCallbacks.ts) opens one too.
        const opensTransaction = (call !== undefined && (isTransactionWrapper(call) || isEffectInTransaction(call))) || isTransactionalMigration(node, this.source)
          || (call !== undefined && node.parameters.some((p) => ts.isIdentifier(p.name)) && runsInHelperTransaction(call, call.arguments.indexOf(node as ts.Expression)))
          // A hook a project class keeps and calls with the handle inside its transaction (transactionHooks.ts).
          || (call === undefined && runsAsClassTransactionHook(node));
        // A test's callback its setup helper runs inside a transaction beside an object built on it (testTransactionCallbacks.ts).
        const testTransaction = call !== undefined ? testTransactionCallback(call, call.arguments.indexOf(node as ts.Expression), node, this.fileName) : undefined;
        const tags = new Set<string>();
        if (opensTransaction) for (const p of node.parameters) if (ts.isIdentifier(p.name)) tags.add(p.name.text);
        this.transactionTags.push(tags);
        // A helper's callback it runs between BEGIN and a ROLLBACK on the client it hands it (rolledBackCallbacks.ts).
        const rolledBack = call !== undefined && first !== undefined && ts.isIdentifier(first.name)
          && runsInRolledBackTransaction(call, call.arguments.indexOf(node as ts.Expression));
        // Or a closure such a helper makes after its own BEGIN and hands its caller's callback (`await fn({ as, q })`).
        this.rolledBackClients.push(rolledBack ? [first.name.getText(this.source)] : rolledBackClosureClients(node));
        this.inspectSqlBuilder(node);
        this.exportedTexts.push(...returnedStatementList(node));
        this.visitScope(node, inTransaction || opensTransaction, testTransaction);
        this.rolledBackClients.pop();
        this.transactionTags.pop();
        return false; // its body was its own scope
      }
      if (ts.isArrayLiteralExpression(node) && isBatchTransaction(node)) {
        this.visitBatch(node);
        return false;
      }
      if (ts.isReturnStatement(node)) this.noteLeave(node);
      this.sentFrom = node;
      this.inspect(node, groupFor);
      return true;
    });
    this.scopeGroups.pop();
  }

  /** Per scope being read (visitScope): the sequences its own code has sent on so far (addPiece, addBoundary). */
  private readonly scopeGroups: Set<Group>[] = [];

  /**
   * A `return` of the function being read: on its paths the code leaves without running what follows, so a RESET
   * after it does not undo a SET made before it on the sequences the function sent on (context.ts, PlacedFacts.leaves):
   * a transaction callback that returns commits with the setting in place. A `throw` is no such way out (the
   * transaction rolls back, or the error reaches a `catch` the branches read).
   */
  private noteLeave(node: ts.ReturnStatement): void {
    const leave = { at: leavesAt(node), paths: this.branches.of(node) };
    for (const group of this.scopeGroups[this.scopeGroups.length - 1] ?? []) (group.pendingLeaves ??= []).push(leave);
  }

  /**
   * Places the returns noted on `group` (noteLeave) that lie before the text being sent (`this.sentFrom`) ahead of its
   * next piece: what the return itself sends (`return tx.none('RESET ROLE')`) and what a `finally` it passes through sends
   * run before it leaves.
   */
  private placeLeaves(group: Group): void {
    if (!group.pendingLeaves || !this.sentFrom) return;
    const at = this.sentFrom.getStart(this.source);
    const due = group.pendingLeaves.filter((leave) => leave.at <= at);
    if (due.length === 0) return;
    group.pendingLeaves = group.pendingLeaves.filter((leave) => leave.at > at);
    const leaves = (group.leavesBefore ??= new Map());
    leaves.set(group.pieces.length, [...(leaves.get(group.pieces.length) ?? []), ...due.map((leave) => leave.paths)]);
  }

  /**
   * The statements after an unconditional `return`, `throw`, `break` or `continue` in the same block (`return; // the
   * rest is retired`): they never run, so what they would send reaches no server (held-out-41's ruling). A function
   * declared there is hoisted and may still be called, so it is kept. The file's own top level counts too: a CommonJS
   * script's `return` (or a top-level `throw`) ends the module's run, and in an ES module a top-level `return` is a
   * syntax error, so nothing after it runs either.
   */
  private noteUnreachableAfter(jump: ts.Statement): void {
    const block = jump.parent;
    const statements = ts.isBlock(block) || ts.isCaseClause(block) || ts.isDefaultClause(block) || ts.isModuleBlock(block) || ts.isSourceFile(block)
      ? block.statements : undefined;
    if (!statements) return;
    for (let i = statements.indexOf(jump) + 1; i < statements.length; i++) {
      if (!ts.isFunctionDeclaration(statements[i])) this.unreachable.add(statements[i]);
    }
  }

  /** Statements noteUnreachableAfter found no path to. */
  private readonly unreachable = new Set<ts.Node>();

  /** Prisma's `$transaction([q1, q2])`: the queries of the array run in order in one transaction, on one connection. */
  private visitBatch(batch: ts.ArrayLiteralExpression): void {
    const group: Group = { pieces: [], inTransaction: true };
    this.groups.push(group);
    walkDescendants(batch, (node) => {
      if (ts.isFunctionLike(node)) {
        this.visitScope(node, false);
        return false;
      }
      this.sentFrom = node;
      this.inspect(node, () => group);
      return true;
    });
  }

  private balancingGroup(inTransaction: boolean): Group {
    const group: Group = { pieces: [], inTransaction, balancingOnly: true };
    this.groups.push(group);
    return group;
  }

  /**
   * Where the queries sent through a client object start. A handle returned by beginTransaction(), or a
   * parameter, variable or field declared with a transaction type (`trx: Knex.Transaction`; declaredTypes.ts), is inside a transaction. Another
   * parameter (or an object reached through one, `ctx.client`) comes from a caller that may have begun a
   * transaction: unknown, so SET LOCAL on it is not known to be lost (a fresh connection handed to a
   * connect() callback excepted); so does a client held by an object a call returned (a request context,
   * `getStore().client`), and `this.client` that the class's constructor was handed as one connection
   * (fieldHandedToConstructor). Anything else — a connection made here, a module-level or imported client, another
   * `this.client` — starts outside one.
   */
  private handleStart(receiver: ts.Expression | undefined, depth = 0, site: ts.Node | undefined = receiver): TransactionStart {
    // `super.run(…)` of a query subclass: the connection the query was given, inside its caller's transaction or not.
    // (`super` of a client class — a PrismaClient subclass's `super.$executeRawUnsafe` — is that client, a pool.)
    if (depth === 0 && receiver?.kind === ts.SyntaxKind.SuperKeyword && inQueryClass(receiver)) return 'unknown';
    // `tx` of `{ tx }: { tx: Prisma.TransactionClient }`, of `const { tx } = params` or `params.tx` with `params: Params`
    // declaring such a field: the declared type says it, as for a parameter declared with it.
    if (depth === 0 && receiver && isTransactionType(declaredType(receiver, this.flow))) return true;
    // `this.client` in an arrow callback of a method (`this.client.query('BEGIN').then(() => this.client.query(…))`):
    // the method's client, used by a closure that runs wherever in the method's sequence it is called, as a
    // captured variable is (below).
    if (depth === 0 && receiver && thisMemberInMethodClosure(unwrap(receiver))) return 'unknown';
    // A test's client the suite's `beforeEach` hooks leave inside a transaction (`await runner.startTransaction()`;
    // suiteTransactions.ts); one an `afterEach` also rolls back was read as such by inRolledBackTransaction.
    if (depth === 0 && receiver && perTestTransaction(receiver, this.source, this.fileName, this.flow) !== undefined) return true;
    // `this.client` a class's constructor was handed (`constructor(private client: PoolClient)`, `this.client = client`):
    // the creator's connection, inside a transaction the creator began or not, as a function's parameter is. Also when
    // reached through a name (`const client = this.client`).
    if (receiver && isClientMember(unwrap(receiver)) && fieldHandedToConstructor(unwrap(receiver) as ts.PropertyAccessExpression)) return 'unknown';
    const root = receiver && depth < 4 ? rootIdentifier(receiver) : undefined;
    const binding = root && this.flow.bindingOf(root);
    if (!binding) {
      // `const { pgClient } = context`: whatever the object it was taken from is.
      const initializer = root && this.flow.destructuringOf(root)?.initializer;
      const value = initializer && unwrap(initializer);
      // `const { client } = getRequestContext()`: unknown; `const { db } = initDb()`, a pool the function makes: each query
      // runs alone on one of its connections, outside any transaction.
      if (value && heldByReturnedObject(value)) return this.destructuredPool(root) ? false : 'unknown';
      return value && (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) ? this.handleStart(value, depth + 1) : false;
    }
    if ('parameterOf' in binding) {
      if (receivesFreshConnection(binding.parameterOf, binding.parameter)) return false;
      if (unwrap(receiver!) === root && isTransactionType(binding.parameter.type)) return true;
      if (unwrap(receiver!) !== root) return 'unknown';
      // A helper of this file only, every call of which hands it a client inside the caller's BEGIN … COMMIT: inside one.
      if (handedOnlyTransactionClients(binding.parameterOf, binding.parameter, this.source)) return true;
      // A helper of this file only, every call of which hands it a connection the caller has just taken: outside one.
      // An exported helper whose Kysely parameter every call hands a value made outside any transaction
      // (uncalledHelpers.ts): outside one. A helper nothing calls is its callers' to come: unknown.
      return freshAtEveryCall(binding.parameterOf, binding.parameter, this.flow, this.source)
        || handsNoTransaction(binding.parameterOf, binding.parameter, this.source, this.fileName) ? false : 'unknown';
    }
    const initializer = binding.variable.initializer;
    if (!initializer) return false;
    // Sent on the handle itself (or through a raw tag of it), not on something it holds.
    const onHandle = unwrap(receiver!) === root || isRawTagOf(receiver!, root);
    if (onHandle && opensTransactionHandle(initializer)) return true;
    // `const client = ctx.client`: whatever the object it was taken from is.
    const value = unwrap(initializer);
    // `const ctx = getRequestContext(); ctx.client.query(…)`: a client a context object returned by a call
    // holds was put there by code elsewhere (often a transaction helper in another file, after its BEGIN).
    if (!onHandle && heldByReturnedObject(value)) return 'unknown';
    const start = this.alternativesStart(value, depth, site) ?? (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) ? this.handleStart(value, depth + 1, site) : false);
    // A client an enclosing function holds, used by a closure (a helper it calls after its own `begin`):
    // the closure runs wherever in that function's sequence it is called, so inside its transaction or not. Not a
    // callback the function hands AsyncLocalStorage's `run`, which runs there and then (asyncContextRuns.ts).
    if (start !== false || !capturedFromEnclosingFunction(root, binding.variable)) return start;
    return runsInContextOutsideTransaction(root, binding.variable, this.flow) ? false : 'unknown';
  }

  /** A name a const destructures from what a call of a project function returns, when that member is a pool (poolFactories.ts returnedMemberIsPool). */
  private destructuredPool(name: ts.Identifier): boolean {
    const destructured = this.flow.constDestructured(name);
    const call = destructured && unwrap(destructured.object);
    const member = destructured && (ts.isIdentifier(destructured.property) || ts.isStringLiteral(destructured.property)) ? destructured.property.text : undefined;
    if (!call || !ts.isCallExpression(call) || member === undefined) return false;
    return returnedMemberIsPool(call, member, (module) => flowOfModule(module, module === this.source ? this.flow : undefined));
  }

  /**
   * `const qr = isQueryRunner(p) ? p : p.queryRunner`: the client is one of two, so where its queries start is known only
   * when both agree; a parameter on either side leaves it unknown, as the parameter alone does. A pool on either side
   * (`const db = tx ?? pool`) starts outside one, unless the pool is never the one picked where the query is sent
   * (poolNeverPicked). A parameter side no call hands a value (`tx || db`, handedSideNeverGiven) is never the one
   * picked: the other side decides. Undefined for any other value.
   */
  private alternativesStart(value: ts.Expression, depth: number, site: ts.Node | undefined): TransactionStart | undefined {
    const either = alternativesOf(value);
    if (!either) return undefined;
    // `options?.client ?? this.pool`: whenever the pool is the one picked, each query runs alone on one of its
    // connections, so a SET LOCAL there is lost whatever the other side is (a caller's client may be in a transaction).
    // So when that side takes the pool's connection itself (`tx || await this.pool.connect()`): picked, it starts
    // outside any transaction.
    const pools = either.filter((side) => this.isPool(this.keyOf(unwrap(side))) || this.pickedPoolCall(unwrap(side)));
    const other = either.find((side) => !pools.includes(side));
    if (pools.length > 0) return other && this.poolNeverPicked(unwrap(other), site) ? 'unknown' : false;
    // `tx || db` where no call hands `tx`: `db` is the client every time, whether or not it is known to be a pool.
    const sides = this.handedSideNeverGiven(value) ? either.slice(1) : either;
    const starts = sides.map((side) => {
      const client = unwrap(side);
      return ts.isIdentifier(client) || ts.isPropertyAccessExpression(client) ? this.handleStart(client, depth + 1) : false;
    });
    return starts.every((start) => start === starts[0]) ? starts[0] : 'unknown';
  }

  /**
   * A side of a client choice that is a call handing out a pool or one of its connections: a pool's own
   * connection-taking method called without a callback (`await this.pool.connect()`: a connection the function takes
   * itself, outside any transaction until it sends BEGIN), or a function of the project every value of which it returns
   * is a pool (`getDb()` returning its module's `knex(…)`; poolFactories.ts isPoolValue).
   */
  private pickedPoolCall(side: ts.Expression): boolean {
    if (!ts.isCallExpression(side)) return false;
    const callee = unwrap(side.expression);
    if (ts.isPropertyAccessExpression(callee) && TAKES_CONNECTION.test(callee.name.text)) {
      return side.arguments.length === 0 && this.isPool(this.keyOf(unwrap(callee.expression)));
    }
    return isPoolValue(side, (module) => flowOfModule(module, module === this.source ? this.flow : undefined));
  }

  /**
   * Whether `value` is a fallback choice (`tx || db`, `tx ?? db`) whose first side is a parameter, never reassigned,
   * that no call of its function hands a value (uncalledHelpers.ts neverHandedArgument: every call the project shows
   * leaves it out, or the function is exported and nothing calls it, ruling 10): the fallback is then always picked.
   */
  private handedSideNeverGiven(value: ts.Expression): boolean {
    if (!ts.isBinaryExpression(value)) return false;
    const handed = unwrap(value.left);
    const binding = ts.isIdentifier(handed) ? this.flow.bindingOf(handed) : undefined;
    return binding !== undefined && 'parameterOf' in binding && ts.isIdentifier(binding.parameter.name)
      && neverAssigned(this.source, binding.parameter.name.text) && neverHandedArgument(binding.parameterOf, binding.parameter, this.source, this.fileName);
  }

  /**
   * Whether the pool of `tx ?? pool` is never the client where the query at `site` is sent: the query sits under a guard
   * on the other side (`if (tx)`, `if (options?.client)`, `tx && …`), or that side is a parameter (or a field of one)
   * that every call of the function hands a value (uncalledHelpers.ts). Then the client is the caller's, inside its
   * transaction or not.
   */
  private poolNeverPicked(other: ts.Expression, site: ts.Node | undefined): boolean {
    if (site && guardedBy(site, other)) return true;
    const root = rootIdentifier(other);
    const member = ts.isPropertyAccessExpression(other) && root && unwrap(other.expression) === root ? other.name.text : undefined;
    if (!root || (root !== other && member === undefined)) return false;
    const binding = this.flow.bindingOf(root);
    return binding !== undefined && 'parameterOf' in binding && alwaysHandedArgument(binding.parameterOf, binding.parameter, member, this.source, this.fileName);
  }

  /**
   * Prisma's raw tags on a transaction's client (`tx.$queryRaw\`…\``, `tx.$executeRaw\`…\`` in `prisma.$transaction(async
   * (tx) => …)`, or on a client declared with a transaction type) run on that client, as its `$queryRawUnsafe(…)` calls
   * do: the client, so that its tags and calls form one sequence on the transaction's one connection. On other objects
   * each tag keeps its own sequence, as before.
   */
  private prismaTransactionClient(tag: ts.Expression): ts.Expression | undefined {
    if (!ts.isPropertyAccessExpression(tag) || !PRISMA_RAW_TAGS.has(tag.name.text) || !ts.isIdentifier(tag.expression)) return undefined;
    const client = tag.expression;
    return this.transactionTags.some((tags) => tags.has(client.text)) || this.handleStart(client) === true ? client : undefined;
  }

  /** Queries on the client a helper hands a callback between its BEGIN and its ROLLBACK (or on an object reached from it). */
  private inRolledBackTransaction(receiver: ts.Expression | undefined): boolean {
    if (receiver === undefined) return false;
    // A test's query on the client the suite's beforeEach/afterEach hooks wrap in a rolled-back transaction (suiteTransactions.ts).
    if (perTestTransaction(receiver, this.source, this.fileName, this.flow) === 'rolledBack') return true;
    const root = rootIdentifier(receiver);
    if (root === undefined) return false;
    if (this.rolledBackClients.some((clients) => clients.includes(root.text))) return true;
    // A test helper's client parameter every caller fills with such a client (`becomeUser(client, id)`, uncalledHelpers.ts).
    const binding = this.flow.bindingOf(root);
    return binding !== undefined && 'parameterOf' in binding && handedOnlyRolledBackClients(binding.parameterOf, binding.parameter, this.source, this.fileName);
  }

  /**
   * Whether `query` is what a top-level function returns (by `return`, or as an arrow's body), un-awaited, and every call
   * of that function puts it in a batch transaction's array (uncalledHelpers.ts's sentOnlyInBatchTransactions).
   */
  private returnedIntoBatchesOnly(query: ts.Expression): boolean {
    // An awaited query is sent where it is written: only one returned as it is (through parentheses, `as`) is handed on.
    const outer = outermostWrapper(query, { throughAwait: false });
    const holder = outer.parent;
    const fn = ts.isReturnStatement(holder) ? enclosingFunction(holder) : ts.isArrowFunction(holder) && holder.body === outer ? holder : undefined;
    return fn !== undefined && sentOnlyInBatchTransactions(fn, this.source, this.fileName);
  }

  /**
   * Whether `node` — a drizzle `sql` template or `sql.raw(…)` (`builder` is its tag or object) — is the value a function
   * returns (`return sql.raw(statements.join('; '))`, `(id) => sql\`…\``): drizzle's `sql` only builds a query; the
   * function's callers send it, in a transaction or not (`tx.execute(buildTenantContext(ctx))`), so where it runs is unknown.
   */
  private returnsDrizzleQuery(node: ts.Node, builder: ts.Expression): boolean {
    if (!ts.isIdentifier(builder) || !this.drizzleSqlNames.has(builder.text)) return false;
    let outer = outsideAwaits(node);
    while ((ts.isAsExpression(outer.parent) || ts.isSatisfiesExpression(outer.parent) || ts.isNonNullExpression(outer.parent)) && outer.parent.expression === outer) outer = outsideAwaits(outer.parent);
    return ts.isReturnStatement(outer.parent) || (ts.isArrowFunction(outer.parent) && outer.parent.body === outer);
  }

  /**
   * A drizzle `sql` template whose value is dropped (`sql\`SET …\`;`, `void sql\`…\``, `await sql\`SET …\`;`):
   * drizzle's builder makes a query object that is not a promise, and nothing sends it, so no statement reaches the
   * server (held-out-41's ruling). Awaiting it gives back the same object, so an await is looked through: one a query
   * call, a variable or a return takes, awaited or not (`db.execute(await sql\`…\`)`), keeps being read.
   */
  private isDroppedDrizzleQuery(node: ts.Expression, builder: ts.Expression): boolean {
    if (!ts.isIdentifier(builder) || !this.drizzleSqlNames.has(builder.text) || !this.namesDrizzleImport(builder)) return false;
    const outer = outsideAwaits(node);
    return ts.isExpressionStatement(outer.parent) || ts.isVoidExpression(outer.parent);
  }

  /**
   * `sql.raw('SET …')` on drizzle's builder, dropped as a template above is (`await sql.raw(text);`): `raw` makes the
   * same unsent query object from a text. Handed to a call (`db.execute(sql.raw(text))`), it is read as sent.
   */
  private isDroppedDrizzleRaw(call: ts.CallExpression, method: string): boolean {
    return method === DRIZZLE_RAW_METHOD && ts.isPropertyAccessExpression(call.expression) && this.isDroppedDrizzleQuery(call, call.expression.expression);
  }

  /**
   * The client of the query call a drizzle `sql.raw(text)` is handed to (`trx.execute(sql.raw(text))`: `trx`), when that
   * client is known to be inside a transaction (a parameter declared `trx: DbTransaction`, or one every call of this
   * file's helper hands a transaction): `raw` only builds the query object, which that call sends on its client.
   * Otherwise the raw call is judged as before, on `sql`, the module's import: outside a transaction unless the scope
   * around it is one (a callback a helper runs inside its transaction), so that a callback's untyped `tx` that may be a
   * pool keeps its finding.
   */
  private drizzleRawSender(call: ts.CallExpression, method: string): ts.Expression | undefined {
    if (method !== DRIZZLE_RAW_METHOD || !ts.isPropertyAccessExpression(call.expression)) return undefined;
    const builder = call.expression.expression;
    if (!ts.isIdentifier(builder) || !this.drizzleSqlNames.has(builder.text) || !this.namesDrizzleImport(builder)) return undefined;
    const sender = enclosingQueryCall(call);
    const client = sender && receiverOf(sender);
    return client && this.handleStart(client) === true ? client : undefined;
  }

  /**
   * Whether `name` is the file's import of drizzle's `sql` (`import { sql } from 'drizzle-orm'`, a top-level `require`,
   * either from a module of the project that hands it on), not a local of that name.
   */
  private namesDrizzleImport(name: ts.Identifier): boolean {
    const binding = this.flow.bindingOf(name);
    if (!binding) return true;
    if ('parameterOf' in binding) return false;
    const module = requiredModule(binding.variable.initializer);
    return module !== undefined && (DRIZZLE_SQL_MODULE.test(module) || this.projectDrizzleSql.get(name.text) === module);
  }

  /**
   * A name imported from a module of the project that is drizzle's `sql` handed on (`export { sql } from 'drizzle-orm'`
   * in src/db/index.ts). Only a name the file uses as drizzle's builder (a tag, or `.raw(`) has its module read.
   */
  private isProjectDrizzleSql(local: string, imported: ImportedName): boolean {
    if (!this.fileName || imported.specifier.startsWith('node:') || DRIZZLE_SQL_MODULE.test(imported.specifier)) return false;
    if (!this.isUsedAsTag(local) && !this.callsName(`${local}.${DRIZZLE_RAW_METHOD}`)) return false;
    return isHandedOnDrizzleSql(this.fileName, imported);
  }

  /**
   * The sequence of the queries given one transaction object (Sequelize's `{ transaction: t }`): they run in order on
   * its one connection, inside it, so a SET and the RESET (or restore) after it in that transaction pair up. One object
   * is a name bound once (a const, a parameter: a callback's `t`); anything else gets a sequence of its own.
   */
  private transactionGroup(transaction: ts.Expression): Group {
    const binding = ts.isIdentifier(transaction) ? this.flow.bindingOf(transaction) : undefined;
    const declaration = binding && ('parameterOf' in binding ? binding.parameter : isConstDeclaration(binding.variable) ? binding.variable : undefined);
    if (!declaration) return this.standaloneGroup(true);
    let group = this.transactionGroups.get(declaration);
    if (!group) {
      group = this.standaloneGroup(true);
      this.transactionGroups.set(declaration, group);
    }
    return group;
  }

  private standaloneGroup(inTransaction: boolean): Group {
    const group: Group = { pieces: [], inTransaction };
    this.groups.push(group);
    return group;
  }

  /** One text sent alone inside a transaction that is rolled back after it (prostgles' `returnType: 'default-with-rollback'`). */
  private rolledBackGroup(): Group {
    const group: Group = { pieces: [], inTransaction: 'rolledBack' };
    this.groups.push(group);
    return group;
  }

  /** The text naming a client object (`client`, `this.pool`), cheaply for the usual shapes. */
  private keyOf(receiver: ts.Expression): string {
    if (ts.isIdentifier(receiver)) return receiver.text;
    if (ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword) return `this.${receiver.name.text}`;
    return receiver.getText(this.source);
  }

  /**
   * A parameter declared as a client over HTTP (`db: NeonHttpDatabase<S>`, or a type alias of one; httpOnlyClients.ts)
   * or as Prisma's pooled client (`prisma: PrismaClient`; poolParameters.ts): each statement it sends runs in a
   * transaction of its own, as a pool's does, whatever its caller began.
   */
  private isPoolLikeParameter(receiver: ts.Expression): boolean {
    let value = unwrap(receiver);
    // `prisma.$executeRaw\`…\``: the tag is the client's own raw-query member, so the client sends it.
    if (isPrismaRawTag(value)) value = unwrap(value.expression);
    if (!ts.isIdentifier(value)) return false;
    const binding = this.flow.bindingOf(value);
    if (binding === undefined || !('parameterOf' in binding) || binding.parameter.type === undefined) return false;
    return declaresPoolClient(binding.parameter.type) || declaresHttpOnlyClient(binding.parameter.type, this.source, this.fileName);
  }

  /** Whether each query sent on `receiver` may run on another connection: a pool, a client made elsewhere, a pool-typed parameter. */
  private sendsOnPool(receiver: ts.Expression | undefined): boolean {
    if (receiver === undefined) return false;
    // A name declared as one connection is no pool by its name (`pool: PoolClient`); a value seen to be one still is.
    return this.isPool(this.keyOf(receiver), !this.declaredOneConnection(receiver)) || this.clientMadeElsewhere(receiver) !== undefined || this.isPoolLikeParameter(receiver);
  }

  /** A name declared as one connection (`pool: PoolClient`, poolParameters.declaredClientKind): its type decides over its name. */
  private declaredOneConnection(receiver: ts.Expression): boolean {
    const name = unwrap(receiver);
    const binding = ts.isIdentifier(name) ? this.flow.bindingOf(name) : undefined;
    return binding !== undefined && declaredClientKind('parameterOf' in binding ? binding.parameter.type : binding.variable.type) === 'connection';
  }

  /**
   * The sequence a query helper's texts join: a transaction of their own when the helper has one open on the client
   * it sends them on (QueryHelper.insideTransaction) and that client — the one the caller hands it, else the helper's
   * own — is known to be one connection (holdsOneConnection). Any other client (a pool, `tx ?? pool`, a parameter, what
   * a call returns) may send the BEGIN and the text on two connections: its texts join its own sequence as if sent
   * alone, as they did before the helper's transaction was read.
   */
  private helperSequence(helper: QueryHelper, receiver: ts.Expression | undefined, groupFor: (receiver: ts.Expression | undefined) => Group): (receiver: ts.Expression | undefined) => Group {
    return helper.insideTransaction && receiver !== undefined && this.holdsOneConnection(receiver) ? () => this.standaloneGroup(true) : groupFor;
  }

  /**
   * Whether every query sent on `receiver` goes to one connection, by the readings that already place its own queries:
   * a transaction's client (handleStart's `true`: a handle from `beginTransaction()`, a transaction-typed name; a
   * transaction callback's parameter; a client a helper hands its callback between BEGIN and ROLLBACK), a callback's
   * fresh connection or a parameter every call fills with one (receivesFreshConnection, freshAtEveryCall), or a name
   * every value of which takes one connection (takesOneConnection); a name declared as node-postgres's checked-out client
   * (`conn: PoolClient`: declaresOneConnection), and a class's `this.client` it declares so or fills only with connections
   * taken (fieldHoldsOneConnection). Not a pool, nor a name merely not known to be one.
   */
  private holdsOneConnection(receiver: ts.Expression): boolean {
    if (this.sendsOnPool(receiver)) return false;
    if (this.handleStart(receiver) === true || this.inRolledBackTransaction(receiver)) return true;
    const name = unwrap(receiver);
    if (isClientMember(name)) return fieldHoldsOneConnection(name);
    if (!ts.isIdentifier(name)) return false;
    if (this.transactionTags.some((tags) => tags.has(name.text))) return true;
    const binding = this.flow.bindingOf(name);
    if (!binding) return false;
    if ('parameterOf' in binding) {
      return declaresOneConnection(binding.parameter.type) || receivesFreshConnection(binding.parameterOf, binding.parameter)
        || freshAtEveryCall(binding.parameterOf, binding.parameter, this.flow, this.source);
    }
    // A value seen to be the pool (`const db: PoolClient = pool as unknown as PoolClient`) outweighs the annotation.
    if (this.flow.heldValues(binding.variable)?.some((value) => this.sendsOnPool(unwrap(value)))) return false;
    return declaresOneConnection(binding.variable.type) || this.flow.everyHeldValue(binding.variable, takesOneConnection);
  }

  /** Whether `receiver` is a pool: named one (unless `byName` is false: its declared type says otherwise), made or imported as one. */
  private isPool(receiver: string, byName = true): boolean {
    // A transaction callback's parameter (`sql.begin((sql) => …)`) is the transaction's connection, whatever it shadows.
    if (this.transactionTags.some((tags) => tags.has(receiver))) return false;
    return (byName && POOL_NAME.test(receiver)) || this.isPoolNamed(receiver) || this.isImportedPool(receiver);
  }

  private isSqlTag(tag: ts.Expression): boolean {
    if (this.isSupabaseClientMember(tag)) return false;
    if (ts.isCallExpression(tag)) {
      return (SQL_TAG_FACTORIES.has(calleeText(tag.expression)) && ts.isPropertyAccessExpression(tag.expression) && this.isSqlTag(tag.expression.expression))
        || this.factoryCreation(tag) !== undefined; // ``getDb()`…` ``: the client a function of the project hands out
    }
    const name = calleeText(tag);
    if (ts.isPropertyAccessExpression(tag) && ts.isIdentifier(tag.expression) && SQL_TAG_TEXTS.has(`${tag.expression.text}.${name}`)) return true;
    return name !== '' && (SQL_TAG_NAMES.has(name) || (ts.isIdentifier(tag) && (this.renamedSqlTags.has(name) || this.transactionTags.some((tags) => tags.has(name)) || this.isDriverClient(tag))));
  }

  /**
   * ``supabase.sql`…` `` on a client made by Supabase's client library (`const supabase = createClient(url, key)`,
   * imported from `@supabase/supabase-js`, `@supabase/ssr`, or a CDN URL of them): that client talks to PostgREST
   * over HTTP and has no `sql` member, so the template is never sent to the database (the call throws).
   */
  private isSupabaseClientMember(tag: ts.Expression): boolean {
    if (this.supabaseClientFactories.size === 0 || !ts.isPropertyAccessExpression(tag) || !ts.isIdentifier(tag.expression)) return false;
    const binding = this.flow.bindingOf(tag.expression);
    if (!binding || 'parameterOf' in binding) return false;
    const value = binding.variable.initializer && unwrap(binding.variable.initializer);
    return value !== undefined && ts.isCallExpression(value) && ts.isIdentifier(value.expression) && this.supabaseClientFactories.has(value.expression.text);
  }

  /**
   * ``client.queryArray`…` ``, or ``db.query`…` `` in a file that surely talks to PostgreSQL, or anywhere when its
   * text is a session statement only PostgreSQL runs (``orm.query`SELECT pg_advisory_lock(…)` ``): a member that runs the template.
   */
  private isQueryMemberTag(tag: ts.Expression, template: ts.TemplateLiteral): tag is ts.PropertyAccessExpression {
    if (!ts.isPropertyAccessExpression(tag)) return false;
    const name = calleeText(tag); // a private member by its spelling: ``this.#query`…` `` as ``this.query`…` ``
    if (!TAGGED_QUERY_MEMBER.test(name)) return false;
    return this.surelyPostgres || WRAPPER_QUERY_METHODS.test(name) || name.startsWith('$')
      || opensPostgresSessionStatement(taggedTemplateParts(template, this.source));
  }

  /**
   * A project's own query tag (``query`SELECT pg_advisory_lock(${key})`.exec(db)``, ``executeSql`LISTEN jobs` ``),
   * named for running a query, whose text is a session statement only PostgreSQL runs. Sent on the client its
   * result is run with (`.exec(db)`), else on a client this file cannot see.
   */
  private inspectOwnQueryTag(node: ts.TaggedTemplateExpression, groupFor: (receiver: ts.Expression | undefined) => Group): void {
    if (!ts.isIdentifier(node.tag) || !QUERY_TAG_NAME.test(node.tag.text)) return;
    const parts = taggedTemplateParts(node.template, this.source, (hole) => this.flow.rawSessionLockName(hole));
    if (parts.length === 0 || !opensPostgresSessionStatement(parts)) return;
    const runner = node.parent;
    const run = ts.isPropertyAccessExpression(runner) && runner.expression === node && ts.isCallExpression(runner.parent) && runner.parent.expression === runner ? runner.parent : undefined;
    const client = run && run.arguments.length === 1 ? run.arguments[0] : undefined;
    if (this.isSetAside(client)) return;
    const unpooled = client !== undefined && this.pieceReading(node, client);
    // A project's own tag may bind its holes or splice them into the text.
    this.addPiece(unpooled ? this.unpooledSequence(client, groupFor) : groupFor(client), parts, false, true, unpooled, false);
  }

  /**
   * A pgtyped inline query's run call (`await setOrg.run({ orgId }, client)`): the definition's text, as the tag branch
   * of inspect reads it where it is written, joins the sequence of the client the call hands, here, where it is sent —
   * inside that client's transaction or not. Its findings stay at the definition's text.
   */
  private inspectInlineQueryRun(call: ts.CallExpression, definition: ts.TaggedTemplateExpression, groupFor: GroupFor): void {
    const client = runClient(call);
    if (this.isSetAside(client)) return;
    const whole = isWholeStatementPosition(definition) && !isContinuedByAppend(definition, this.flow);
    const unpooled = this.pieceReading(call, client);
    const group = unpooled ? this.unpooledSequence(client, groupFor) : groupFor(client, call);
    this.addPiece(group, taggedTemplateParts(definition.template, this.source, (hole) => this.flow.rawSessionLockName(hole)), whole, true, unpooled, true, 'wholeText');
  }

  /** The template a query member tags, on the member's object, read as a wrapper's text (a whole statement or a SET; no syntax errors). */
  private inspectQueryMemberTag(node: ts.TaggedTemplateExpression, client: ts.Expression, groupFor: (receiver: ts.Expression | undefined) => Group): void {
    if (this.isSetAside(client)) return;
    const parts = taggedTemplateParts(node.template, this.source, (hole) => this.flow.rawSessionLockName(hole));
    if (parts.length === 0 || !opensStatement(parts)) return;
    const unpooled = this.pieceReading(node, client);
    // deno-postgres's tag sends the template as a whole statement, its holes bound as values: its mistakes are its own.
    const wholeStatement = ts.isPropertyAccessExpression(node.tag) && this.isDenoPostgresQuery(node.tag.name.text);
    this.addPiece(unpooled ? this.unpooledSequence(client, groupFor) : groupFor(client), parts, wholeStatement, true, unpooled);
  }

  /** Whether a method of this name is deno-postgres's query method (`client.queryArray(…)`, ``tx.queryObject`…` ``). */
  private isDenoPostgresQuery(method: string): boolean {
    return this.importsDenoPostgres && DENO_POSTGRES_QUERY_METHODS.has(method);
  }

  /** Whether a query's text is the text argument of a deno-postgres query call (its `$name`s are then named arguments). */
  private sentByDenoPostgres(text: ts.Expression): boolean {
    let node: ts.Node = text;
    while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)) node = node.parent;
    const call = node.parent;
    return ts.isCallExpression(call) && call.arguments[0] === node && ts.isPropertyAccessExpression(call.expression) && this.isDenoPostgresQuery(call.expression.name.text);
  }

  /**
   * A postgres.js client used as a tag under a name of its own: one this file creates with `postgres(…)`,
   * a connection reserved with `await sql.reserve()`, or a parameter or variable declared with the driver's client
   * types or a type named for PostgreSQL (`client: ReservedSql`, `let db: PostgresDB`). Resolved by scope, so an
   * `html` or `gql` tag is never SQL.
   */
  private isDriverClient(tag: ts.Identifier): boolean {
    if (this.clientMadeElsewhere(tag)) return true;
    const binding = this.flow.bindingOf(tag);
    if (!binding) return false;
    // Declared with postgres.js's client type, in a file importing it: `let lockClient: ReturnType<typeof postgres> | null = null`
    // filled in by a function, `(db: postgres.Sql) => …`.
    const declared = 'parameterOf' in binding ? binding.parameter.type : binding.variable.type;
    if (this.isPostgresJsClientType(declared)) return true;
    if ('parameterOf' in binding) return typeNameMatches(binding.parameter.type, DRIVER_CLIENT_TYPE);
    // `let db: PostgresDB` assigned later (a test's beforeEach).
    if (typeNameMatches(binding.variable.type, DRIVER_CLIENT_TYPE)) return true;
    const value = binding.variable.initializer && unwrap(binding.variable.initializer);
    if (value && ts.isNewExpression(value) && this.bunNames && isBunSqlClass(value.expression, this.bunNames)) return bunClientDatabase(value, this.flow) === 'postgres';
    if (value && isConstDeclaration(binding.variable) && !this.aliasesRead.has(binding.variable)) {
      this.aliasesRead.add(binding.variable);
      const alias = this.holdsSqlTag(value);
      this.aliasesRead.delete(binding.variable);
      if (alias) return true;
    }
    if (value) return this.makesDriverClient(value);
    // `let lock: … | undefined` declared before a `try` and filled in there (`lock = await sql.reserve()`): every value it is given.
    const held = isConstDeclaration(binding.variable) ? undefined : this.flow.heldValues(binding.variable);
    return held !== undefined && held.length > 0 && held.every((assigned) => this.makesDriverClient(unwrap(assigned)));
  }

  /** A PostgreSQL client made by `value` itself: Bun's `new SQL(…)` for PostgreSQL, or a call makesDriverClient takes. */
  private makesSqlClient(value: ts.Expression): boolean {
    if (ts.isNewExpression(value)) return this.bunNames !== undefined && isBunSqlClass(value.expression, this.bunNames) && bunClientDatabase(value, this.flow) === 'postgres';
    return this.makesDriverClient(value);
  }

  /** Bun's `new SQL(…)` for another database, or with a computed adapter (bunClientDatabase): not a PostgreSQL client. */
  private makesOtherDatabaseClient(value: ts.Expression): boolean {
    const bare = unwrap(value);
    return ts.isNewExpression(bare) && this.bunNames !== undefined && isBunSqlClass(bare.expression, this.bunNames) && bunClientDatabase(bare, this.flow) !== 'postgres';
  }

  /** A call handing out a postgres.js client: a connection reserved from one, the driver's factory, a local or Neon HTTP factory. */
  private makesDriverClient(value: ts.Expression): boolean {
    if (!ts.isCallExpression(value)) return false;
    return isReserveCall(value) || this.isPostgresJsFactory(value.expression)
      || (ts.isIdentifier(value.expression) && (this.localPostgresFactories.has(value.expression.text) || this.neonHttpNames.has(value.expression.text)));
  }

  /** The consts holdsSqlTag is reading the value of (`const a = b, b = a` reads each once). */
  private readonly aliasesRead = new Set<ts.VariableDeclaration>();

  /**
   * A const's value that is a SQL tag under another name (`const conn = this.sql`, `const db = sql`), or a choice one
   * of whose values is (`const conn = useDirect ? await manager.direct() : this.sql`, `injected ?? this.sql`, `injected ??
   * makeClient(url)` with a function of the project that hands out a postgres.js client): used as
   * a tag, whichever it holds runs the template as SQL on that client.
   */
  private holdsSqlTag(value: ts.Expression, depth = 0): boolean {
    if (depth >= 3) return false;
    const bare = unwrap(value);
    const choices = choiceAlternatives(bare);
    // A choice with an arm that makes another database's client (`test ? new SQL(':memory:') : new SQL(url)`) is not read.
    if (choices) return !choices.some((choice) => this.makesOtherDatabaseClient(choice)) && choices.some((choice) => this.holdsSqlTag(choice, depth + 1));
    // An arm of a choice that makes a client here (`url ? new SQL(url) : new SQL()`, `url ? postgres(url) : postgres()`,
    // `injected ?? postgres(url)`): read as the same call held by a const alone.
    if (depth > 0 && this.makesSqlClient(bare)) return true;
    // Another name's own binding is read by isSqlTag (a chain of consts ends at a declaration or a tag name), and so is a
    // call of a function of the project that hands out a client (`injected ?? createLockClient(config)`).
    return (ts.isIdentifier(bare) || ts.isPropertyAccessExpression(bare) || ts.isCallExpression(bare)) && this.isSqlTag(bare);
  }

  private inspect(node: ts.Node, groupFor: GroupFor): void {
    if (ts.isTaggedTemplateExpression(node) && this.isSqlTag(node.tag)) {
      // A pgtyped inline query sent only by its run calls: read there, on the client each hands (inspectInlineQueryRun).
      if (this.pgtypedRuns?.runsOf.has(node)) return;
      if (this.bunNames && isBunDefaultClient(node.tag, this.bunNames)) this.addBunDefaultFinding(node.tag);
      if (isOnlyRendered(node, this.flow) || this.isDroppedDrizzleQuery(node, node.tag)) return;
      const call = enclosingQueryCall(node);
      const receiver = call ? receiverOf(call) : kyselyExecuteTarget(node) ?? this.prismaTransactionClient(node.tag) ?? node.tag;
      if (this.isSetAside(receiver)) return;
      const whole = !FRAGMENT_TAGS.has(calleeText(node.tag)) && isWholeStatementPosition(node) && !isContinuedByAppend(node, this.flow);
      // A statement handed to a method of a client of the code's own server (`connection.execute.command(SQL\`…\`)`) runs there.
      const unpooled = this.pieceReading(node, receiver) || (!call && this.ownServerReading(argumentReceiver(node)));
      // A drizzle query a function builds and returns runs where its callers send it: only findings that hold anywhere.
      // So does a Prisma raw tag a helper returns un-awaited into batch transactions only (as its raw calls, inspectCall).
      const sentLater = !call && (this.returnsDrizzleQuery(node, node.tag) || (isPrismaRawTag(node.tag) && this.returnedIntoBatchesOnly(node)));
      const group = sentLater ? this.standaloneGroup(true) : unpooled ? this.unpooledSequence(receiver, groupFor) : groupFor(receiver);
      // Neither sent by a call nor handed to one (`(kv) => Prisma.sql\`SET_CONFIG(…, TRUE)\``, joined into a query later).
      const sentAs: TextPosition | undefined = !call && !isHandedToCall(node) ? 'composedLater' : sendsItsOwnText(call) ? 'wholeText' : undefined;
      this.addPiece(group, taggedTemplateParts(node.template, this.source, (hole) => this.flow.rawSessionLockName(hole)), whole, true, unpooled, true, sentAs);
    } else if (ts.isTaggedTemplateExpression(node) && this.isQueryMemberTag(node.tag, node.template)) {
      this.inspectQueryMemberTag(node, node.tag.expression, groupFor);
    } else if (ts.isTaggedTemplateExpression(node)) {
      this.inspectOwnQueryTag(node, groupFor); // no branch below takes a tagged template
    } else if (this.hasMarkers && (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isTaggedTemplateExpression(node.parent) && hasSqlMarkerComment(node, this.source)) {
      this.markedTemplates.push(node);
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && (node.initializer || !isConstDeclaration(node))) {
      this.notePool(node as ts.VariableDeclaration & { name: ts.Identifier });
      if (node.initializer && isExportedConstant(node, this.flow)) this.exportedTexts.push(...exportedStrings(node.initializer));
    } else if (ts.isPropertyDeclaration(node) && node.initializer && isExportedStaticField(node)) {
      this.exportedTexts.push(...exportedStrings(node.initializer));
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && (isCommonJsExport(node) || isExportedObjectMember(node))) {
      this.exportedTexts.push(...exportedStrings(node.right));
    } else if (ts.isExportAssignment(node) && !node.isExportEquals) {
      this.exportedTexts.push(...exportedStrings(node.expression));
    } else if (ts.isCallExpression(node)) {
      if (this.isStatementFactory(node.expression)) this.inspectStatementFactory(node);
      if (this.pgPromiseNames) this.inspectPgPromiseInit(node, this.pgPromiseNames);
      const inlineQuery = this.pgtypedRuns?.definitionOf.get(node);
      if (inlineQuery) this.inspectInlineQueryRun(node, inlineQuery, groupFor);
      this.inspectCall(node, groupFor);
    } else if (ts.isObjectLiteralExpression(node)) {
      this.inspectKnexConfig(node);
    } else if (ts.isNewExpression(node) && this.bunNames && isBunSqlClass(node.expression, this.bunNames)) {
      this.inspectBunClient(node);
    } else if (ts.isNewExpression(node) && this.isStatementFactory(node.expression)) {
      this.inspectStatementFactory(node);
    } else if (ts.isNewExpression(node)) {
      this.inspectPostgrejsConfig(node);
    }
  }

  /** knex's `searchPath` on a PostgreSQL config: a session SET on each new connection (knexSearchPath.ts). */
  private inspectKnexConfig(object: ts.ObjectLiteralExpression): void {
    const context = { filePostgres: this.surelyPostgres, fileName: this.fileName, flow: this.flow };
    const found = knexSearchPathOption(object, context);
    // Or the option given to the config's variable after the object was built (`knexConfig.searchPath = [schema]`).
    const options = found ? [{ at: found.option, connection: found.connection }]
      : assignedKnexSearchPaths(object, context).map(({ assignment, connection }) => ({ at: assignment, connection }));
    for (const { at, connection } of options) {
      // A config for a server no pooler fronts (the test's local database, a server it started): knex sets the path on
      // each connection it opens, which holds there.
      if (connection && this.ownServer?.holdsOwnServerValue(connection)) continue;
      this.addNodeFinding('session-set', at, searchPathOptionMessage("knex's searchPath option", 'knex'));
    }
  }

  /** Schema options of postgrejs configs, reported once however many connections are made with them. */
  private readonly reportedPostgrejsSchemas = new Set<ts.Node>();

  /**
   * postgrejs's `schema` connection option: a session SET on each new connection of a Connection or Pool
   * (postgrejsSchema.ts). Not for a config of a server no pooler fronts (the test's local database, a server it
   * started), where the path set on each connection holds, as for knex's searchPath.
   */
  private inspectPostgrejsConfig(creation: ts.NewExpression): void {
    for (const found of postgrejsSchemaOptions(creation, this.flow)) {
      if (this.reportedPostgrejsSchemas.has(found.option) || this.ownServer?.holdsOwnServerValue(found.config)) continue;
      this.reportedPostgrejsSchemas.add(found.option);
      this.addNodeFinding('session-set', found.option, searchPathOptionMessage(`${found.module}'s schema option`, found.module));
    }
  }

  /** Options handed to more than one init call (a const used twice) are reported once. */
  private readonly reportedPgPromiseOptions = new Set<ts.Node>();

  /** pg-promise's `schema` init option: a session SET on each fresh connection (pgPromiseSchema.ts). */
  private inspectPgPromiseInit(call: ts.CallExpression, names: ReadonlySet<string>): void {
    const found = pgPromiseSchemaOption(call, names, this.flow);
    if (!found || this.reportedPgPromiseOptions.has(found.option)) return;
    // Every database the library makes here is on a server no pooler fronts (the test's local database, a server it
    // started): the path set on each connection holds there, as for knex's searchPath. Such a call does not mark the
    // options reported: another init call with the same options may connect elsewhere.
    const own = this.ownServer;
    if (own && found.connections && found.connections.length > 0 && found.connections.every((connection) => own.holdsOwnServerValue(connection))) return;
    this.reportedPgPromiseOptions.add(found.option);
    this.addNodeFinding('session-set', found.option, searchPathOptionMessage("pg-promise's schema option", 'pg-promise'));
  }

  /**
   * A function whose single return is SQL (besides returns of empty text): its callers may be in other files (a dialect helper's
   * getSetSchemaSQL(), a query generator's setSearchPath()), so the SQL is analysed on its own. Where it
   * runs is unknown, so it counts as inside a transaction: only findings that hold anywhere are reported.
   * A name that says it builds SQL is enough for any SQL-looking text; other names need text that opens a
   * whole statement (or a SET, which no clause of another statement starts with in a returned string).
   */
  private inspectSqlBuilder(fn: ts.SignatureDeclaration): void {
    const name = namedFunction(fn);
    if (name === undefined) return;
    const builderName = SQL_BUILDER_NAME.test(name);
    // Every named function of the file gets here: a look at the body's text spares most of them the walk for their returns.
    const body = (fn as ts.FunctionLikeDeclaration).body;
    if (!builderName && body && ts.isBlock(body) && !RETURNS_WRITTEN_TEXT.test(this.source.text.slice(body.pos, body.end))) return;
    // An early `return ''` (nothing to do: `if (!table.schemaName) return ''`) sends nothing: the other return is the SQL.
    const result = singleReturn(fn as ts.FunctionLikeDeclaration, true);
    // The module's own helper whose every call puts the text in a psql command line or a log line: no client sends it.
    if (result && sentOnlyToPsqlOrLogs(fn, this.source)) return;
    // A list of statements written in place by a function named as a builder (`getCreateProceduresSQL(s) { return
    // [\`CREATE FUNCTION …\`, \`CREATE INDEX …\`] }`, DDL its callers send one by one): each element is a returned SQL text
    // of its own. Under another name a list written in place is as often a test case's setup or a fixture table as a
    // plan (cross-module-sql's returned lists): not read.
    const list = result && unwrap(result);
    if (list && ts.isArrayLiteralExpression(list)) {
      if (builderName) for (const element of list.elements) if (!ts.isSpreadElement(element) && !ts.isOmittedExpression(element)) this.inspectReturnedSql(element, true);
      return;
    }
    // A query config written in place (`return { statement: 'SET search_path TO …' }`) is read by its text.
    const returned = result && (this.flow.configText(result) ?? result);
    if (returned) this.inspectReturnedSql(returned, builderName, fn);
  }

  /** One SQL text a builder returns (inspectSqlBuilder): analysed on its own when it reads as SQL. */
  private inspectReturnedSql(returned: ts.Expression, builderName: boolean, fn?: ts.SignatureDeclaration): void {
    // Other functions count only when they return the text itself (every function of the file gets here).
    if (!builderName && !isWrittenString(returned)) return;
    // A choice on the builder's own parameter that a caller sets true (`temp ? 'TEMP TABLE' : 'TABLE'`): that caller's text.
    const parametersTrue = fn && parametersCallersSetTrue(fn, returned, this.fileName);
    const parts = this.flow.stringParts(returned, 0, [], { indirect: false, choicesUnknown: true, parametersTrue });
    const start = parts && openingText(parts);
    if (!parts || start === undefined) return;
    if (PLPGSQL_FRAGMENT_START.test(start)) {
      // A piece of PL/pgSQL the builder's callers splice into a routine or DO body (a debugger's breakpoint, a migration
      // step, a loop's BEGIN … EXCEPTION … END): read in a block of its own, where a session lock or setting it takes
      // outlives the block, and a block's BEGIN is no transaction nor its EXECUTE a prepared statement's.
      if (builderName) this.addPiece(this.splicedFragmentGroup(), asAnonymousBlock(parts), false);
    } else if (builderName ? SQL_START.test(start) : opensStatement(parts)) {
      const group = this.standaloneGroup(true);
      this.addPiece(group, parts, false);
      // A builder whose every caller is in this file: the calls may yet send it, each on its own client (dropBuildersSentByCallers).
      const calls = fn && keptBuilderCalls(fn, this.source, this.flow);
      if (calls) this.keptBuilders.push({ group, calls });
    }
  }

  /**
   * A builder the file keeps to itself (keptBuilders.ts) every call of which is a query call's text — `const t =
   * scopeSql(…); await c.unsafe(t)`, `c.query(roleSql(r))` — has its text read at those calls, on the client each sends
   * it on: on a pool it is reported there (at the builder's lines), on a client that keeps it silent (a test's single
   * connection to its own database) it is not. Its reading on its own, where no call decides, is then no reading of
   * any real run: its group is dropped. A builder with a call whose text goes anywhere else keeps it.
   */
  private dropBuildersSentByCallers(): void {
    for (const { group, calls } of this.keptBuilders) {
      if (!calls.every((call) => this.sentCalls.has(call))) continue;
      const at = this.groups.indexOf(group);
      if (at >= 0) this.groups.splice(at, 1);
    }
  }

  private splicedFragmentGroup(): Group {
    const group = this.standaloneGroup(true);
    group.splicedFragment = true;
    return group;
  }

  /** Remembers the variables this file declares (isPoolNamed reads them), and the postgres.js clients it makes. */
  private notePool(declaration: ts.VariableDeclaration & { name: ts.Identifier }): void {
    const name = declaration.name.text;
    const value = declaration.initializer && unwrap(declaration.initializer);
    this.declaredVariables.set(name, [...(this.declaredVariables.get(name) ?? []), declaration]);
    if (value && ts.isCallExpression(value) && ts.isIdentifier(value.expression) && this.localPostgresFactories.has(value.expression.text)) this.postgresJsClients.add(name);
  }

  /**
   * Whether a variable of this file by that name is a pool (poolFactories.ts isMadeAsPool, the reading suites share):
   * every value it is given is one — made by a pool factory (a const's `new Pool()`; `let db; if (url) db = new
   * Sequelize(url); else db = new Sequelize(name, user, password)`), or returned by a function of the project that
   * makes or hands out one (`const db = openLedger()`), and in test code not capped at one connection. A variable also
   * given anything else is not one (`let db = new Pool(); … db = await db.connect()`), as an imported one is not
   * (isImportedPool).
   */
  private isPoolNamed(name: string): boolean {
    let known = this.poolNames.get(name);
    if (known === undefined) {
      const flowOf = (module: ts.SourceFile): Flow => flowOfModule(module, module === this.source ? this.flow : undefined);
      // Test code reads a pool capped at one connection as one session (poolFactories.ts PoolReading).
      const reading = this.fileName !== undefined && isTestCode(this.fileName) ? 'test' : 'application';
      known = (this.declaredVariables.get(name) ?? []).some((declaration) => isMadeAsPool(declaration, flowOf, reading));
      this.poolNames.set(name, known);
    }
    return known;
  }

  /**
   * A name this file imports from a module of the project that exports a pool there (`const { sequelize } =
   * require('../config/database')`, where the module's `sequelize` is a `new Sequelize(…)` in every branch that sets
   * it): each query on it may run on another connection, as on a pool made here. The factory is read by its own name
   * in that module.
   */
  private isImportedPool(name: string): boolean {
    if (!this.fileName || !IMPORTABLE_NAME.test(name)) return false;
    let known = this.importedPools.get(name);
    if (known === undefined) {
      const imported = this.importedName(name);
      const path = imported && projectModulePath(this.fileName, imported.specifier);
      const exported = path ? exportedVariable(path, imported!.name) : undefined;
      const flowOf = (module: ts.SourceFile): Flow => flowOfModule(module, module === exported?.declaration.getSourceFile() ? exported.flow : undefined);
      known = exported !== undefined && isMadeAsPool(exported.declaration, flowOf);
      this.importedPools.set(name, known);
    }
    return known;
  }

  private readonly importedPools = new Map<string, boolean>();

  /** The name a pool factory is called by, through a rename on import from a package (poolFactories.ts). */
  private factoryName(callee: ts.Expression): string {
    return packageFactoryName(callee, (name) => this.importedName(name));
  }

  private inspectCall(call: ts.CallExpression, groupFor: GroupFor): void {
    // A driver's listen handed over uncalled (`pipe(channel, client.listen, …)`): each call of it sends LISTEN, as below.
    for (const listen of this.driverStatements?.pointFreeListens(call) ?? []) {
      if (!this.bypassesPooler(call, listen.expression) && !this.ownServer?.reachesAnyConnection(listen.expression)) this.addDriverListenFinding(listen.name);
    }
    // `postgres(…)` under its imported name, or called on the module itself: `require('postgres')({ … })`.
    if (this.isPostgresJsFactory(call.expression)) {
      this.inspectPostgresJsClient(call);
      return;
    }
    const drizzleConnection = drizzleOwnConnection(call);
    if (drizzleConnection) this.inspectDrizzleOwnClient(call, drizzleConnection);
    for (const client of nestDrizzlePostgresClients(call, this.flow)) this.inspectNestDrizzleClient(call, client);
    const openworkflowUrl = openworkflowBackendUrl(call);
    if (openworkflowUrl) this.inspectOpenworkflowBackend(call, openworkflowUrl);
    if (this.inspectFunctionHelper(call, groupFor)) return;
    if (this.inspectSavedMethodCall(call, groupFor)) return;
    const bound = this.boundQueryMethod(call.expression) ?? this.prostglesSqlHandler(call.expression);
    const name = bound?.name ?? calleeText(call.expression);
    const receiver = bound?.receiver ?? this.drizzleRawSender(call, name) ?? receiverOf(call);
    if (this.isDroppedDrizzleRaw(call, name)) return;
    // `conn.raw(…)` on the driver's connection a knex hook is handed: no such method, nothing is sent (knexHooks.ts).
    if (callsRawOnKnexHookConnection(call, this.modules, this.flow)) return;
    if (name === LISTEN_METHOD && receiver && this.isPostgresJsClient(receiver, call)) {
      // On a direct client, or on a client of a server the code started itself or of test code's local database. postgres.js
      // listens on a connection of its own, also a pool's: only a pooler between breaks it (as for a driver's own API, below).
      if (!this.isDirectClient(receiver) && !this.isDecoratedDirectly(receiver) && !this.reachesOwnServer(receiver) && !this.ownServer?.reachesAnyConnection(receiver)) this.addListenFinding(call);
      return;
    }
    if (receiver && this.listenLibraries?.sendsListen(call, name, receiver)) {
      // A channel the same subscriber surely subscribed to just before is reported at that first call (repeatedSubscriptions.ts).
      if (!this.bypassesPooler(call, receiver) && !this.listenLibraries!.connectsDirectly(this.source, this.fileName)
        && !repeatsEarlierSubscription(call, name, receiver, (channel) => this.isUnchangingName(channel))) this.addLibraryListenFinding(call, name);
      return;
    }
    const driverKind = receiver && this.driverStatements?.kindOf(call, name, receiver);
    if (driverKind) {
      // The driver's own API keeps the connection it prepares or listens on, also a pool's: only a pooler between breaks it.
      if (!this.bypassesPooler(call, receiver) && !this.ownServer?.reachesAnyConnection(receiver)) this.addDriverStatementFinding(call, driverKind);
      return;
    }
    if (name === UNSAFE_METHOD) this.inspectUnsafePrepare(call);
    if (name === PROTOCOL_PARSE_METHOD && receiver && this.inspectProtocolParse(call, receiver)) return;
    // `await beginTransaction(conn)`, `commit(conn)`: a helper of the project that sends only that statement on the client it is handed.
    const handed = boundaryHelperCall(call);
    if (handed) {
      this.addBoundary(groupFor(handed.client), handed.boundary);
      return;
    }
    const boundary = receiver && clientTransactionBoundary(call, name);
    if (boundary) {
      this.addBoundary(groupFor(receiver), boundary);
      return;
    }
    if (receiver && opensPerTestTransaction(call, receiver, this.source)) {
      const group = groupFor(receiver);
      (group.mayOpenBefore ??= new Set()).add(group.pieces.length);
      return;
    }
    // `helpers.query(client, sql)`, `db.runSql(conn, sql)`: a runner exported by a module of the project, given its client first.
    if (receiver && this.isProjectModule(receiver) && !this.flow.resolveQuery(call.arguments[0] ?? receiver)?.parts) {
      if (this.inspectImportedHelper(call, groupFor)) return;
      if (SQL_RUNNER_FUNCTION.test(name)) {
        this.inspectImportedRunner(call, groupFor);
        return;
      }
    }
    const driverQuery = QUERY_METHODS.test(name) || this.isDenoPostgresQuery(name);
    const wrapper = !driverQuery && receiver !== undefined
      && (WRAPPER_QUERY_METHODS.test(name) || (this.surelyPostgres && GENERIC_RUN_METHODS.test(name)) || runsOnInheritedQuery(call, name));
    // `this.query(handle, sql)` naming a method of this file whose text is not its first parameter, or that sends a
    // property of it (`this.execute(step)` sending `step.sql`): a helper.
    const local = this.queryHelperOf(call.expression);
    if ((!driverQuery && !wrapper) || (local !== undefined && (local.textIndex > 0 || local.textProperty !== undefined || local.eachElement))) {
      this.inspectHelperCall(call, groupFor);
      return;
    }
    if (name === 'query' && call.arguments[0] && namedTemplate(call.arguments[0])) this.addNamedTemplateFinding(call.arguments[0]);
    // Sequelize's `sequelize.query(text, { transaction: t })` runs on the transaction's connection, inside it.
    // A drizzle `sql.raw(text)` a function returns is built there, sent by its callers (as a returned template above).
    const built = name === DRIZZLE_RAW_METHOD && ts.isPropertyAccessExpression(call.expression) && this.returnsDrizzleQuery(call, call.expression.expression);
    // A Prisma raw query a helper returns un-awaited (a lazy PrismaPromise) runs where its callers send it: inside the
    // batch `$transaction([…])` each of them puts it in (uncalledHelpers.ts).
    const batched = !built && PRISMA_RAW_METHOD.test(name) && this.returnedIntoBatchesOnly(call);
    const transaction = built || batched ? undefined : transactionOption(call);
    const inTransaction = transaction ? (): Group => this.transactionGroup(transaction)
      : built || batched ? (): Group => this.standaloneGroup(true)
      : name === PROSTGLES_SQL_METHOD && asksForRollback(call) ? (): Group => this.rolledBackGroup() : groupFor;
    // `executor.execute(sql)` on an object of the project's own wrapper: judged on the client its method sends on.
    const through = !bound && receiver !== undefined && receiver.kind !== ts.SyntaxKind.ThisKeyword && receiver.kind !== ts.SyntaxKind.SuperKeyword ? this.wrapperSend(call) : undefined;
    if (through) {
      // A pool the wrapper's factory made for the object: each call may run on another of its connections.
      const client = through.receiver ?? receiver;
      const sequence = inTransaction !== groupFor ? inTransaction : through.pooled ? () => this.standaloneGroup(false) : this.helperSequence(through.helper, client, groupFor);
      for (const text of through.texts) this.inspectQueryCall(text, client, wrapper || text !== call.arguments[0], sequence, through.sendsCallersName);
      return;
    }
    // `query(text, params)` naming a local function that only forwards to the suite's client: sent on that client, in the test.
    const forwardedTo = receiver === undefined && inTransaction === groupFor ? this.perTestForwardedClient(call) : undefined;
    const client = forwardedTo ?? receiver;
    this.inspectQueryCall(call.arguments[0], client, wrapper, forwardedTo ? (sent) => groupFor(sent, call) : inTransaction);
    this.inspectBoundSetConfigFlag(call, client);
  }

  /**
   * `query('SELECT set_config($1, $2, $3)', [name, value, opts.isLocal ?? false])`: is_local is false unless the caller
   * asks, so by default a session-wide setting (boundSetConfigFlag.ts). Reported at the set_config of the text.
   */
  private inspectBoundSetConfigFlag(call: ts.CallExpression, receiver: ts.Expression | undefined): void {
    const [text, values] = call.arguments;
    if (!text || !values) return;
    const resolved = this.flow.resolveQuery(text);
    if (!resolved?.parts || resolved.literals.length !== 1 || resolved.parts.some((part) => part.kind !== 'text')) return;
    const placeholder = setConfigFlagPlaceholder(resolved.parts.map((part) => (part.kind === 'text' ? part.text : '')).join(''));
    const flag = placeholder !== undefined ? boundValue(values, placeholder, this.flow) : undefined;
    if (!flag || !defaultsToFalse(flag, this.flow)) return;
    if (this.bypassesPooler(call, receiver) || (receiver && this.ownServer?.reachesAnyConnection(receiver))) return;
    const literal = resolved.literals[0];
    const start = literal.getStart(this.source);
    const at = this.source.text.slice(start, literal.getEnd()).search(/set_config/i);
    if (at < 0) return;
    const severity = this.severityOf('session-set');
    if (!severity || this.runsInProcess(call, receiver)) return;
    this.extraFindings.push({ rule: 'session-set', severity, start: start + at, end: start + at + 'set_config'.length,
      message: 'set_config(…, $n) with an is_local value that defaults to false changes the whole session unless the caller asks for a local setting; behind a transaction pooler the setting leaks to other clients.' });
  }

  /**
   * A query builder's SQL-function helper naming a session advisory-lock function: Kysely's `eb.fn('pg_try_advisory_lock',
   * [key])`, Sequelize's `sequelize.fn('pg_advisory_lock', key)`, Objection's `fn('pg_advisory_unlock', key)`. The builder
   * sends `SELECT name(args)`, read as that statement on the client the builder chain starts from (`db.selectNoFrom((eb)
   * => …)` runs on `db`; a transaction's `trx` in that transaction): added when that chain's call is inspected, in the
   * client's scope, so that a lock and its unlock in one transaction pair up. A helper with no such chain around it is read
   * on a client of its own. True for a helper naming such a function (nothing else to read in that call).
   */
  private inspectFunctionHelper(call: ts.CallExpression, groupFor: (receiver: ts.Expression | undefined) => Group): boolean {
    if (!this.mayCallLockHelpers) return false;
    if (lockHelperName(call)) {
      if (!builderChainOf(call)) this.addLockHelperPiece(call, this.standaloneGroup(false));
      return true;
    }
    if (!ts.isPropertyAccessExpression(call.expression)) return false;
    const visit = (node: ts.Node): boolean => {
      if (ts.isCallExpression(node) && lockHelperName(node)) {
        const chain = builderChainOf(node);
        if (chain?.call === call && !this.isSetAside(chain.client)) this.addLockHelperPiece(node, groupFor(chain.client));
      }
      return true;
    };
    for (const argument of call.arguments) if (visit(argument)) walkDescendants(argument, visit);
    return false;
  }

  /** Whether the file's text names a session advisory-lock function at all (helpers are looked for only then). */
  private get mayCallLockHelpers(): boolean {
    return (this.lockHelperText ??= SESSION_ADVISORY_NAME.test(this.source.text));
  }

  private lockHelperText: boolean | undefined;

  /** `SELECT name($1, …)` for a lock helper's call, its name mapped to the string literal, its arguments one placeholder each. */
  private addLockHelperPiece(call: ts.CallExpression, group: Group): void {
    const named = call.arguments[0] as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;
    // Kysely passes the arguments as one array; Sequelize and Objection one by one.
    const rest = call.arguments.slice(1);
    const list = rest.length === 1 && ts.isArrayLiteralExpression(rest[0]) ? rest[0].elements : rest;
    const start = call.getStart(this.source);
    const fixed = (text: string) => (): string[] => [text];
    this.addPiece(group, [
      { kind: 'slot', fileStart: start, fileEnd: start, fillers: fixed('SELECT '), hole: false },
      literalOf(named, this.source),
      { kind: 'slot', fileStart: call.end, fileEnd: call.end, fillers: fixed(`(${list.map((_, i) => `$${i + 1}`).join(', ')})`), hole: false },
    ], false);
  }

  /**
   * node-postgres's wire-protocol connection (what a `Submittable`'s `submit(connection)` is given, as pg-cursor's is):
   * `connection.parse({ name, text })` sends a Parse message for a NAMED statement, kept on that server connection
   * for later Bind/Describe messages and `EXECUTE`s. Only in a file that surely talks to PostgreSQL, on a receiver named
   * for a connection (a template engine's `parser.parse({ name, text })` is not one); an empty name is the unnamed statement.
   */
  private inspectProtocolParse(call: ts.CallExpression, receiver: ts.Expression): boolean {
    const [config] = call.arguments;
    if (!this.surelyPostgres || call.arguments.length !== 1 || !ts.isObjectLiteralExpression(config) || !CONNECTION_NAME.test(calleeText(receiver) || receiver.getText(this.source))) return false;
    if (!objectProperty(config, CONFIG_TEXT) || !objectProperty(config, CONFIG_NAME)) return false;
    if (this.bypassesPooler(call, receiver)) return true;
    for (const name of this.flow.resolveQuery(config)?.preparedNames ?? []) this.addNamedConfigFinding(name);
    return true;
  }

  /**
   * postgres.js `sql.unsafe(text, args, { prepare: true })`: this one query is prepared as a named statement,
   * whatever the client's own `prepare` option says. A client this file creates preparing by default has its
   * own finding already.
   */
  private inspectUnsafePrepare(call: ts.CallExpression): void {
    const options = call.arguments[2] && unwrap(call.arguments[2]);
    const prepare = options && ts.isObjectLiteralExpression(options) ? objectProperty(options, PREPARE_OPTION) : undefined;
    const receiver = receiverOf(call);
    // `{ prepare: true }`, or a value that is true when nothing is configured (`{ prepare }` where `prepare = id !== undefined`).
    if (!prepare || preparesByDefault(prepare, this.flow) !== true || this.isReplicationValue(receiver)) return;
    const made = receiver && ts.isIdentifier(receiver) ? this.postgresJsCreation(receiver) : undefined;
    if (made && !made.arguments.some((a) => ts.isObjectLiteralExpression(a) && objectProperty(a, 'prepare')?.kind === ts.SyntaxKind.FalseKeyword)) return;
    this.addNodeFinding('protocol-prepared-statement', prepare,
      'unsafe(…, { prepare }) with prepare true (here, or whenever nothing else is configured) prepares this query as a named statement on one server connection; a transaction pooler without prepared-statement support may run it again on another, where it does not exist.');
  }

  /** A prepared-statement factory (PREPARED_STATEMENT_FACTORY) called by its name or a local alias of it (`new PS(…)`, calleeAliases.ts). */
  private isStatementFactory(callee: ts.Expression): boolean {
    return PREPARED_STATEMENT_FACTORY.test(calleeText(callee)) || (ts.isIdentifier(callee) && PREPARED_STATEMENT_FACTORY.test(aliasedCalleeName(callee, this.flow, this.source)));
  }

  /**
   * `new PreparedStatement('find-user', text)`, `new PreparedStatement({ name: 'find-user', text })` (pg-promise), or a
   * helper named so (`makePreparedStatement('find-user', text)`): the object exists to be sent under that name, a
   * named protocol-level statement wherever it is sent (often from another module), so the finding is on the name
   * where it is made. Positionally, the first argument must be a name (known text that is not SQL) and the second
   * SQL; an empty name (the unnamed statement) or anything else is not flagged.
   */
  private inspectStatementFactory(node: ts.CallExpression | ts.NewExpression): void {
    const [first, second] = node.arguments ?? [];
    if (!first) return;
    const config = this.flow.resolveQuery(first);
    if (config && config.preparedNames.length > 0) {
      if (!this.statementBypassesPooler(node)) for (const name of config.preparedNames) this.addNamedConfigFinding(name);
      return;
    }
    if (!second) return;
    const name = this.flow.stringParts(first, 0, [], { indirect: false });
    const text = this.flow.resolveQuery(second)?.parts;
    const nameText = name?.[0]?.kind === 'text' ? name[0].text : '';
    if (!name || nameText.trim() === '' || (SQL_START.test(nameText) && !HYPHENATED_NAME.test(nameText.trim())) || /\s/.test(nameText.trim())) return;
    const opening = text && openingText(text);
    if (opening === undefined || !SQL_START.test(opening)) return;
    if (!this.statementBypassesPooler(node)) {
      this.addNodeFinding('protocol-prepared-statement', first,
        'this builds a named prepared statement: wherever it is sent, the driver prepares it under this name on one server connection and later runs it by name; a transaction pooler may route those runs elsewhere.');
    }
  }

  /**
   * Whether a prepared-statement object (inspectStatementFactory) never meets a pooler: made in a branch or for a client
   * that bypasses it (bypassesPooler), or kept in a const of this file whose every use sends it as the first argument of
   * a method of a client that bypasses it (`const statement = new pgp.PreparedStatement({ name, text });` … `await
   * db.query(statement)`, `db` a test's pool on a literal localhost URL). A statement used otherwise (returned, exported,
   * handed to a function, stored) may be sent anywhere and keeps its finding.
   */
  private statementBypassesPooler(node: ts.CallExpression | ts.NewExpression): boolean {
    if (this.bypassesPooler(node, undefined)) return true;
    const holder = outermostWrapper(node).parent;
    if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || !isConstDeclaration(holder) || isExportedConstant(holder, this.flow)) return false;
    const name = holder.name;
    const sends: Array<{ call: ts.CallExpression; receiver: ts.Expression }> = [];
    let other = false;
    walkDescendants(this.source, (use) => {
      if (other) return false;
      if (!ts.isIdentifier(use) || use === name || use.text !== name.text) return true;
      const binding = this.flow.bindingOf(use);
      if (!binding || !('variable' in binding) || binding.variable !== holder) return true;
      const call = outermostWrapper(use).parent;
      if (ts.isCallExpression(call) && call.arguments[0] === outermostWrapper(use) && ts.isPropertyAccessExpression(call.expression)) {
        sends.push({ call, receiver: call.expression.expression });
      } else other = true;
      return true;
    });
    // Sent to a pool of the suite's own database (of any size) too: only a pooler breaks a named statement.
    return !other && sends.length > 0 && sends.every(({ call, receiver }) => this.bypassesPooler(call, receiver) || this.ownServer?.reachesAnyConnection(receiver) === true);
  }

  /** The `postgres(…)` call that made the client a name is bound to in this file, if it is one. */
  private postgresJsCreation(name: ts.Identifier): ts.CallExpression | undefined {
    const binding = this.flow.bindingOf(name);
    const value = binding && 'variable' in binding && binding.variable.initializer ? unwrap(binding.variable.initializer) : undefined;
    if (!value || !ts.isCallExpression(value)) return undefined;
    return this.isPostgresJsFactory(value.expression) ? value : undefined;
  }

  /**
   * `runQuery(pool, prefix + sql)` where `runQuery` is a function of this file that sends one of its
   * parameters as the text of a query call (`(pgpool, sql) => pgpool.query(sql)`): the argument is read as
   * that query's text, sent through the argument standing for the helper's receiver when that is a
   * parameter too (else through the helper's own receiver).
   */
  private inspectHelperCall(call: ts.CallExpression, groupFor: GroupFor): void {
    const helper = this.queryHelperOf(call.expression);
    if (!helper) {
      if (!this.inspectImportedHelper(call, groupFor) && !this.inspectWrapperCall(call, groupFor)) this.inspectImportedRunner(call, groupFor);
      return;
    }
    const receiver = helper.receiverIndex !== undefined ? call.arguments[helper.receiverIndex] : helper.receiver;
    // What a caller passes is read as a wrapper's text is: only a whole statement or a SET, and no syntax
    // errors (the helper's receiver is not known to be a PostgreSQL client: `queue.execute(message)`).
    const sequence = this.perTestForwardedClient(call) ? (client: ts.Expression | undefined) => groupFor(client, call) : this.helperSequence(helper, receiver, groupFor);
    for (const text of this.handedTexts(call, helper, this.flow)) this.inspectQueryCall(text, receiver, true, sequence, helper.sendsCallersName);
  }

  /** The texts a call hands a query helper (localQueryHelpers.ts's sentTexts): its text argument, or the property of the object(s) written there that the helper sends. */
  private handedTexts(call: ts.CallExpression, helper: QueryHelper, flow: Flow): ts.Expression[] {
    const argument = call.arguments[helper.textIndex];
    return argument ? sentTexts(argument, helper, flow) : [];
  }

  /**
   * `rquery(connection, 'SET …')`, `runQuery(db, sql)`: a function defined elsewhere (imported, global) whose
   * name says it runs a query. Its first argument that is known text is read as a wrapper's text (only a
   * whole statement or a SET, no syntax errors), sent through the argument before it, if any.
   */
  private inspectImportedRunner(call: ts.CallExpression, groupFor: (receiver: ts.Expression | undefined) => Group): void {
    // `sql!(text)`: a client API function a test holds as possibly undefined.
    const callee = unwrap(call.expression);
    const imported = ts.isIdentifier(callee) ? !this.flow.localFunction(callee)
      : ts.isPropertyAccessExpression(callee) && this.isProjectModule(callee.expression);
    if (!imported) return;
    if (!SQL_RUNNER_FUNCTION.test(calleeText(callee)) && !this.isHandedBoundQueryMethod(callee)) {
      // `sql('LISTEN jobs', {})` of a client API, an imported `exec(…)`: only a session statement only PostgreSQL runs.
      const parts = SESSION_TEXT_SINK.test(calleeText(callee)) && call.arguments[0] ? this.flow.resolveQuery(call.arguments[0])?.parts : undefined;
      if (parts?.length && opensPostgresSessionStatement(parts)) this.inspectQueryCall(call.arguments[0], undefined, true, groupFor);
      return;
    }
    const textIndex = call.arguments.findIndex((argument) => this.flow.resolveQuery(argument)?.parts !== undefined);
    if (textIndex >= 0) this.inspectQueryCall(call.arguments[textIndex], textIndex > 0 ? call.arguments[textIndex - 1] : this.handedQueryFunction(callee), true, groupFor);
  }

  /**
   * A query function the enclosing function was handed (`apply(executeQuery: QueryExecutor, …)`, called by its callers
   * with `runner.query.bind(runner)` after `startTransaction()`): it sends on its caller's client, read as a client
   * parameter is (inside a transaction or not, as its callers hand it). Undefined for any other callee.
   */
  private handedQueryFunction(callee: ts.Expression): ts.Expression | undefined {
    const binding = ts.isIdentifier(callee) ? this.flow.bindingOf(callee) : undefined;
    return binding && 'parameterOf' in binding ? callee : undefined;
  }

  /**
   * A parameter every caller in the file fills with a client's bound query method (`originalQuery` handed
   * `runner.query.bind(runner)`, handedQueryMethods.ts): a query runner whatever its name.
   */
  private isHandedBoundQueryMethod(callee: ts.Expression): boolean {
    const binding = ts.isIdentifier(callee) ? this.flow.bindingOf(callee) : undefined;
    return binding !== undefined && 'parameterOf' in binding
      && handedBoundQueryMethod(binding.parameter, binding.parameterOf, this.flow, (name) => SQL_RUNNER_FUNCTION.test(name));
  }

  private readonly queryHelpers = new Map<ts.Node, QueryHelper | null>();

  /** Names bound to a whole module of the project (`const helpers = require('./helpers')`, `import * as db from '../db'`): their specifiers. */
  private projectModules = new Map<string, string>();
  /** Functions imported by name from a module of the project (`import { run } from './db'`, `const { run } = require('./db')`). */
  private projectFunctions = new Map<string, { specifier: string; name: string }>();

  private isProjectModule(node: ts.Expression): boolean {
    return ts.isIdentifier(node) && this.projectModules.has(node.text) && this.flow.localFunction(node) === undefined;
  }

  /** The module and exported name a call's callee stands for: `run(…)` imported by name, `db.run(…)` on a whole module. */
  private importedTarget(callee: ts.Expression): { specifier: string; name: string } | undefined {
    if (ts.isIdentifier(callee)) return this.flow.localFunction(callee) ? undefined : this.projectFunctions.get(callee.text);
    if (ts.isPropertyAccessExpression(callee) && this.isProjectModule(callee.expression)) {
      return { specifier: this.projectModules.get((callee.expression as ts.Identifier).text)!, name: callee.name.text };
    }
    return undefined;
  }

  /**
   * `run(client, sql)` where `run` is a function another module of the project exports that sends one of its
   * parameters as a query's text (importedQueryHelpers.ts): read as a local helper's call is (a wrapper's text:
   * a whole statement or a SET, no syntax errors). False when the callee is no such function.
   */
  private inspectImportedHelper(call: ts.CallExpression, groupFor: (receiver: ts.Expression | undefined) => Group): boolean {
    const target = this.fileName ? this.importedTarget(call.expression) : undefined;
    if (!target) return false;
    const helper = importedQueryHelper(this.fileName!, target.specifier, target.name, (fn, flow) => queryHelper(fn, flow, new Map()));
    if (!helper) return false;
    // The helper's own receiver is another module's name: its texts join a transaction only on the client the caller hands.
    const receiver = helper.receiverIndex !== undefined ? call.arguments[helper.receiverIndex] : undefined;
    const sequence = this.helperSequence(helper, receiver, groupFor);
    for (const text of this.handedTexts(call, helper, this.flow)) this.inspectQueryCall(text, receiver, true, sequence, helper.sendsCallersName);
    return true;
  }

  /**
   * `db(client).exec(sql)`, `executor.run(sql)`, `repo.send(sql)`, `this.perform(sql)` inherited from a class of
   * another module, `run(sql)` where `run = makeRunner(pool)`: a method of an object the project's own wrapper makes,
   * or a closure its factory returns (wrapperObjects.ts), that sends one of its
   * parameters as a query's text. Read as a local helper's call is (a wrapper's text: a whole statement or a SET, no
   * syntax errors), on the client the method sends on as the caller wrote it (the factory's or constructor's
   * argument), else on the object itself. False when the callee is no such method.
   */
  private inspectWrapperCall(call: ts.CallExpression, groupFor: (receiver: ts.Expression | undefined) => Group): boolean {
    const through = this.wrapperSend(call);
    if (!through) return false;
    const object = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
    // The object the method is called on is the client it sends on: a name, or `this` of a PGlite class calling a
    // method it inherits (`this.exec(…)` in PGlite's own sources: its one in-process session).
    const sender = object && (ts.isIdentifier(object) || (object.kind === ts.SyntaxKind.ThisKeyword && this.runsInProcess(call, object))) ? object : undefined;
    // A pool the wrapper's factory made for the object: each call may run on another of its connections.
    const client = through.receiver ?? sender;
    const sequence = through.pooled ? () => this.standaloneGroup(false) : this.helperSequence(through.helper, client, groupFor);
    for (const text of through.texts) this.inspectQueryCall(text, client, true, sequence, through.sendsCallersName);
    return true;
  }

  /** The texts a call of a wrapper object's method sends, the caller's expression for the client it sends on, and whether a config's name goes along. */
  private wrapperSend(call: ts.CallExpression): { texts: ts.Expression[]; receiver: ts.Expression | undefined; sendsCallersName: boolean; pooled: boolean; helper: QueryHelper } | undefined {
    if (!this.fileName || call.arguments.length === 0) return undefined;
    this.wrapperObjects ??= new WrapperObjects(this.source, this.flow, this.fileName);
    const method = ts.isPropertyAccessExpression(call.expression) ? this.wrapperObjects.methodOf(call.expression) : this.wrapperObjects.closureOf(call.expression);
    if (!method) return undefined;
    const helper = queryHelper(method.fn, method.flow, method.flow === this.flow ? this.queryHelpers : this.wrapperHelpers);
    if (!helper) return undefined;
    const receiver = helper.receiverIndex !== undefined ? call.arguments[helper.receiverIndex] : helper.receiver && method.receiverFor(helper.receiver);
    const pooled = receiver === undefined && helper.receiver !== undefined && method.pooled(helper.receiver);
    return { texts: this.handedTexts(call, helper, this.flow), receiver, sendsCallersName: helper.sendsCallersName, pooled, helper };
  }

  private wrapperObjects: WrapperObjects | undefined;
  /** What the methods of other modules' wrapper objects forward (queryHelper), per function. */
  private readonly wrapperHelpers = new Map<ts.Node, QueryHelper | null>();

  /**
   * The client a call of a local function sends on when that function only forwards its arguments to the client's query
   * (localQueryHelpers.ts's onlyForwards: `const query = (text, params) => client.query(text, params)`) and the suite's
   * hooks keep the client in a per-test transaction where the call runs (suiteTransactions.ts). The function's own query
   * is written outside any test; the call, in one, is what runs inside that test's transaction.
   */
  private perTestForwardedClient(call: ts.CallExpression): ts.Expression | undefined {
    const fn = ts.isIdentifier(call.expression) ? this.flow.localFunction(call.expression) : undefined;
    const helper = fn && this.queryHelperOf(call.expression);
    if (!fn || !helper?.receiver || !onlyForwards(fn, helper)) return undefined;
    return perTestTransaction(helper.receiver, this.source, this.fileName, this.flow, call) !== undefined ? helper.receiver : undefined;
  }

  /** What a local function forwards to a query call (queryHelper below), cached per function. */
  private queryHelperOf(callee: ts.Expression): QueryHelper | undefined {
    if (!ts.isIdentifier(callee) && !(ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword)) return undefined;
    const fn = this.flow.localFunction(callee);
    if (!fn) return undefined;
    return queryHelper(fn, this.flow, this.queryHelpers);
  }

  private inspectQueryCall(first: ts.Expression | undefined, receiver: ts.Expression | undefined, wrapper: boolean, groupFor: (receiver: ts.Expression | undefined) => Group, sendsName = true): void {
    if (!first) return;
    if (this.isSetAside(receiver)) return;
    // A sql`…` argument is analysed where it stands (with this call's receiver).
    if (ts.isTaggedTemplateExpression(first) && this.isSqlTag(first.tag)) return;
    // `tryLock ? 'SELECT pg_try_advisory_lock(…)' : 'SELECT pg_advisory_lock(…)'`: each text the call may send is read
    // as sent alone, on its arm's path (two arms never both run), where it is written.
    const choice = this.sentArms.length < MAX_SENT_ARMS ? this.flow.sentChoice(first) : undefined;
    if (choice) {
      for (const arm of choice.arms) this.onSentArm(arm, choice.throughName, () => this.inspectQueryCall(arm, receiver, wrapper, groupFor, sendsName));
      return;
    }
    const resolved = this.flow.resolveQuery(first);
    if (!resolved) return;
    // An arm of a const's choice is text reached through a name, as the const itself would be.
    if (this.sentThroughName) resolved.indirect = true;
    const unpooled = this.pieceReading(first, receiver);
    // A named config prepares a statement whatever its text (even one built elsewhere).
    // On any pool of a server the code started itself, a named statement meets no pooler either.
    if (!unpooled && sendsName && resolved.preparedNames.length > 0 && !(receiver && this.ownServer?.reachesAnyConnection(receiver))) for (const name of resolved.preparedNames) this.addNamedConfigFinding(name);
    if (!resolved.parts) return;
    // A loop sending each text of a list known in full: each is a query message of its own, read as if sent by a call of its own.
    // A case table's element the test asserts to fail (ruling 12, per element) changes nothing on the connection.
    for (const message of resolved.messages ?? [{ parts: resolved.parts, literals: resolved.literals }]) {
      const parts = this.sentByDenoPostgres(first) ? withNamedArgumentsAsValues(message.parts) : message.parts;
      const refused = message.element !== undefined && this.fileName !== undefined && TEST_PATH.test(this.fileName) && elementExpectedToFail(first, message.element);
      if (this.addSentText(parts, message.literals, resolved.indirect, receiver, wrapper, groupFor, unpooled || refused)) for (const call of resolved.followedCalls) this.sentCalls.add(call);
    }
  }

  /** A query text `inspectQueryCall` reads as one query message on `receiver`, its literals those it was read from. False when it is not read. */
  private addSentText(parts: Part[], literals: readonly ts.Node[], indirect: boolean, receiver: ts.Expression | undefined, wrapper: boolean, groupFor: (receiver: ts.Expression | undefined) => Group, unpooled: Pooling): boolean {
    const opening = openingText(parts);
    const looksLikeSql = opening !== undefined && SQL_START.test(opening);
    // Text reached through names may be anything (a Redis command, a URL): only SQL-looking text counts.
    if (indirect && !looksLikeSql) return false;
    if (wrapper && !opensStatement(parts) && !isWholeReset(parts)) return false;
    for (const literal of literals) this.reachedLiterals.add(literal);
    const sentAs = !wrapper && !indirect && sendsItsOwnText(this.sentFrom) ? 'wholeText' : undefined;
    this.addPiece(unpooled ? this.unpooledSequence(receiver, groupFor) : groupFor(receiver), parts, !wrapper && !indirect && looksLikeSql, false, unpooled, false, sentAs);
    // Each caller's session-lock name spliced in as the called function (callerNames.ts): a finding wherever it runs.
    if (!unpooled) for (const variant of callerNameVariants(this.flow, this.source, literals, parts)) this.addPiece(this.standaloneGroup(true), variant, false);
    return true;
  }

  /**
   * Where a query no pooler carries goes: a PostgreSQL session of its own (PGlite, a server the code started, a
   * direct URL) keeps the client's own sequence, so a `SET LOCAL` alone on it is still read as lost (PostgreSQL
   * warns and ignores it there too); a replication session or a pooler's admin console, which run no such
   * transaction, share the one group that reports syntax errors only.
   */
  private unpooledSequence(receiver: ts.Expression | undefined, groupFor: (receiver: ts.Expression | undefined) => Group): Group {
    if (this.isReplicationValue(receiver) || this.reachesAdminConsole(receiver)) return this.unpooledGroup();
    return groupFor(receiver);
  }

  /** The group of the queries no pooler carries (to PGlite, on a replication session), made on first use. */
  private unpooledGroup(): Group {
    if (!this.unpooledSessionGroup) {
      this.unpooledSessionGroup = this.standaloneGroup(false);
      this.unpooledSessionGroup.unpooled = true;
    }
    return this.unpooledSessionGroup;
  }

  /**
   * Whether a query goes where no transaction pooler sits: to PGlite, on a logical-replication session, on
   * a client of a server the code started itself (maybe through a helper in another file), a connection held
   * from a pool of it, or a pool of it capped at one connection, or on a connection opened with a direct-session
   * URL; or to no PostgreSQL at all: a pooler's admin console (adminConsole.ts), a test's mocked driver or
   * client (testDoubles.ts). Or it changes nothing there: a statement the test expects the server to refuse
   * (expectedFailures.ts), a try-lock the test asserts was not acquired (tryLockAssertions.ts).
   */
  private bypassesPooler(node: ts.Node, receiver: ts.Expression | undefined): boolean {
    return this.bypassesPoolerElsewhere(node, receiver) || this.reachesOwnServer(receiver);
  }

  /** bypassesPooler, but for a server the code started itself or the test's local database (reachesOwnServer). */
  private bypassesPoolerElsewhere(node: ts.Node, receiver: ts.Expression | undefined): boolean {
    return this.runsInProcess(node, receiver) || this.isReplicationValue(receiver)
      || (this.doubles !== undefined && sentToDouble(this.doubles, receiver, this.flow))
      || (this.fileName !== undefined && TEST_PATH.test(this.fileName) && (expectedToFail(node) || assertedNotAcquired(node)))
      || probeEndsIfAcquired(node)
      || this.reachesAdminConsole(receiver) || this.isDirectClient(receiver);
  }

  /** How a query's text sent on `receiver` is read (Pooling): bypassesPooler, telling apart a pool of several of the suite's own server. */
  private pieceReading(node: ts.Node, receiver: ts.Expression | undefined): Pooling {
    if (this.doubles !== undefined && sentToDouble(this.doubles, receiver, this.flow)) return 'noDatabase';
    return this.bypassesPoolerElsewhere(node, receiver) || this.ownServerReading(receiver);
  }

  /**
   * reachesOwnServer as a Pooling: 'checkouts' when `receiver` is not one session there, but a pool of several connections
   * or a connection held out of one (ownServerClients.ts reachesOneSession), whose session settings the next checkout gets.
   */
  private ownServerReading(receiver: ts.Expression | undefined): Pooling {
    if (receiver === undefined || !this.reachesOwnServer(receiver)) return false;
    return this.ownServer!.reachesOneSession(receiver, this.isPool(this.keyOf(receiver))) || 'checkouts';
  }

  /**
   * A single connection the code opens itself with a URL the project keeps for direct sessions
   * (directUrls.ts): `new Client({ connectionString: process.env.DIRECT_URL })`, `new pg.Client(directUrl)`,
   * or a postgres.js client made from one. Taken from a variable holding it, a callback's parameter on it, or
   * `this.x` when every assignment to `x` in the class makes such a client. What it sends never meets the pooler.
   */
  private isDirectClient(receiver: ts.Expression | undefined): boolean {
    // Made elsewhere: direct only when every client it may be (each arm of a factory's choice) is.
    const elsewhere = receiver && this.clientMadeElsewhere(receiver);
    if (elsewhere) return elsewhere.every((creation) => !makesNeonHttpClient(creation) && subscriberConnectsDirectly(creation, creation.getSourceFile().fileName));
    if (!receiver || !this.fileName || !this.mayNameDirectUrl()) return false;
    return this.tracesTo(receiver, {
      creates: (value) => this.createsDirectClient(value),
      member: (value) => this.memberHoldsDirectClient(value),
      // Every value the variable holds: `let listener = null`, filled in by a function (`listener = postgres(directUrl)`), counts.
      declared: (declaration) => ts.isVariableDeclaration(declaration) && this.flow.everyHeldValue(declaration, (value) => this.createsDirectClient(unwrap(value))),
    });
  }

  /**
   * Whether the file's text has any word a direct-session URL goes by (directUrls.ts), or names @vercel/postgres (whose
   * `createClient()` is on the direct URL by default), or the repository documents a direct example value or runs a
   * session-mode pooler in its compose files (composePoolers.ts): read once per file, not per query call (a search of the whole
   * text per call was ~5% of a whole-repository lint).
   */
  private mayNameDirectUrl(): boolean {
    this.namesDirectUrl ??= /direct|unpooled|non_?pool|pool|bouncer|supabase\.co|neon\.tech|@vercel\/postgres/i.test(this.source.text) || POOLER_PORT_TEXT.test(this.source.text)
      || (this.fileName !== undefined && (documentsDirectExample(this.fileName) || runsSessionPooler(this.fileName)));
    return this.namesDirectUrl;
  }

  private namesDirectUrl: boolean | undefined;

  /**
   * Whether a client of this file may be made for a replication session (createsReplicationClient): its options or
   * connection string name `replication` in a literal or property name of this file. Asked once per file, not traced
   * for each query's receiver; a backslash may escape a letter of it (`'\x72eplication=database'`), so a file with one
   * is traced.
   */
  private mayNameReplication(): boolean {
    this.namesReplication ??= this.source.text.includes('\\') || /replication/i.test(this.source.text);
    return this.namesReplication;
  }

  private namesReplication: boolean | undefined;

  /** Whether queries on `receiver` go to a pooler's admin console (adminConsole.ts), told from the file's text first. */
  private reachesAdminConsole(receiver: ts.Expression | undefined): boolean {
    this.mayReachConsole ??= mayNameAdminConsole(this.source.text);
    return receiver !== undefined && this.mayReachConsole && connectsToAdminConsole(receiver, this.flow);
  }

  private mayReachConsole: boolean | undefined;

  /** The `postgres(…)` calls of another module of the project that may make the client a name of this file imports (importedPostgresJsClients.ts). */
  private importedPostgresJsCreation(name: ts.Identifier): Creations | undefined {
    if (!this.fileName || this.flow.bindingOf(name)) return undefined;
    const imported = this.importedName(name.text);
    if (!imported) return undefined;
    // Asked on every query call through an imported name: the module is looked up once per name.
    let creation = this.importedClients.get(name.text);
    if (creation === undefined) {
      creation = importedPostgresJsClient(this.fileName, imported) ?? null;
      this.importedClients.set(name.text, creation);
    }
    return creation ?? undefined;
  }

  private readonly importedClients = new Map<string, Creations | null>();

  /** What a top-level name of this file is imported as: `import { a } from './db'`, `const { a } = require('./db')`. */
  private importedName(name: string): ImportedName | undefined {
    this.importedByName ??= new Map([...requiredNames(this.source), ...importedNames(this.source)]);
    return this.importedByName.get(name);
  }

  /**
   * A postgres.js client (a pool) made by code this query does not see written beside it: a client another module of
   * the project exports (`import { pg } from './db'`), what a function of the project hands out (``getDb()`…` ``), or a
   * variable holding that (`const db = getDb()`, `const db = await makeClient()`). The `postgres(…)` calls that may have
   * made it (importedPostgresJsClients.ts: each arm of a choice, each value of a variable), in whichever file they are;
   * undefined for anything else.
   */
  private clientMadeElsewhere(receiver: ts.Expression): Creations | undefined {
    const value = unwrap(receiver);
    if (ts.isCallExpression(value)) return this.factoryCreation(value);
    if (!ts.isIdentifier(value)) return undefined;
    const binding = this.flow.bindingOf(value);
    if (!binding) return this.isDestructured(value) ? this.destructuredFactoryMember(value) : this.importedPostgresJsCreation(value);
    if ('parameterOf' in binding) return undefined;
    if ((binding.variable.parent.flags & ts.NodeFlags.Const) === 0) return this.filledByFactory(binding.variable);
    const initializer = binding.variable.initializer && unwrap(binding.variable.initializer);
    return initializer && ts.isCallExpression(initializer) ? this.factoryCreation(initializer) : undefined;
  }

  /**
   * A `let` every value of which is what a client-handing function returns (`let conn = null; … conn = await
   * openListener()`; an empty start aside): the `postgres(…)` calls of every one, when each is followed to one.
   */
  private filledByFactory(declaration: ts.VariableDeclaration): Creations | undefined {
    const values = this.flow.heldValues(declaration);
    if (!values || values.length === 0) return undefined;
    const made = new Set<ts.CallExpression>();
    for (const held of values) {
      const value = unwrap(held);
      const creations = ts.isCallExpression(value) ? this.factoryCreation(value) : undefined;
      if (!creations) return undefined;
      for (const creation of creations) made.add(creation);
    }
    return [...made];
  }

  /**
   * The value a postgres.js client's `connection` option gives `setting` on every connection it opens (`postgres(url, {
   * connection: { statement_timeout: LIMIT } })`), for the client `receiver` names or a connection reserved from it
   * (`lock = await sql.reserve()`): the client made here, or by a function that hands its arguments straight to the
   * driver (`createDbClient(url, options)` returning `postgres(url, options)`). Undefined when any step is not sure.
   */
  private connectionOption(receiver: ts.Expression, setting: string, depth = 0): ts.Expression | undefined {
    const name = unwrap(receiver);
    const binding = depth < 3 && ts.isIdentifier(name) ? this.flow.bindingOf(name) : undefined;
    const values = binding && 'variable' in binding ? this.flow.heldValues(binding.variable) : undefined;
    const made = values?.length === 1 ? unwrap(values[0]) : undefined;
    if (!made || !ts.isCallExpression(made)) return undefined;
    if (isReserveCall(made)) {
      const pool = receiverOf(made);
      return pool && this.connectionOption(pool, setting, depth + 1);
    }
    const options = this.isPostgresJsFactory(made.expression) ? made.arguments[made.arguments.length - 1] : this.passedThroughOptions(made);
    const connection = options && objectMember(options, 'connection');
    return connection && objectMember(connection, setting);
  }

  /**
   * The options argument of a call of a function that only returns `postgres(…)` of its own parameters in order
   * (`(url, options) => postgres(url, options)`): the argument given for the parameter the driver takes its options from.
   */
  private passedThroughOptions(call: ts.CallExpression): ts.Expression | undefined {
    const creations = this.factoryCreation(call);
    const creation = creations?.length === 1 ? creations[0] : undefined;
    const fn = creation && ts.findAncestor(creation, ts.isFunctionLike);
    if (!creation || !fn || !('body' in fn) || !fn.body || singleReturn(fn as ts.FunctionDeclaration) !== creation) return undefined;
    const passesOwnParameters = creation.arguments.every((argument, index) => {
      const parameter = fn.parameters[index];
      return parameter !== undefined && !parameter.dotDotDotToken && ts.isIdentifier(parameter.name) && ts.isIdentifier(argument) && argument.text === parameter.name.text;
    });
    return passesOwnParameters && creation.arguments.length > 0 ? call.arguments[creation.arguments.length - 1] : undefined;
  }

  /** The `postgres(…)` calls making the client that a call of a client-handing function returns (`getDb()`), of this file or imported. */
  private factoryCreation(call: ts.CallExpression): Creations | undefined {
    if (!ts.isIdentifier(call.expression)) return undefined;
    return this.handedOutBy(call.expression, this.factoryCreations,
      (importer, imported) => importedPostgresJsFactory(importer, imported), (clients, fn) => clients.returnedBy(fn));
  }

  /** Whether the nearest declaration of `name` destructures it (`const { sql } = …`), not an import or a plain variable. */
  private isDestructured(name: ts.Identifier): boolean {
    const nearest = this.flow.nearestDeclaration(name);
    return nearest !== undefined && ts.isVariableDeclaration(nearest) && !ts.isIdentifier(nearest.name);
  }

  /**
   * A name a const destructures from what a function of the project returns (`const { sql: pgSql } = await
   * setupTestDatabase()`, the function imported or at this file's top level): the `postgres(…)` calls of the client that
   * member of the returned object holds (importedPostgresJsClients.ts membersReturnedBy). Read in test code only: there a
   * suite's helper hands out its clients so (ruling 13 judges them by their size, ownServerClients.ts handedOutMember);
   * application code's destructured clients are left as they were read before (not reviewed against the corpus).
   */
  private destructuredFactoryMember(name: ts.Identifier): Creations | undefined {
    if (!this.fileName || !isTestCode(this.fileName)) return undefined;
    const destructured = this.flow.constDestructured(name);
    const member = destructured && (ts.isIdentifier(destructured.property) || ts.isStringLiteral(destructured.property)) ? destructured.property.text : undefined;
    const call = destructured && unwrap(destructured.object);
    if (member === undefined || !call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
    return this.handedOutBy(call.expression, this.factoryMemberCreations,
      (importer, imported) => importedPostgresJsFactoryMembers(importer, imported), (clients, fn) => clients.membersReturnedBy(fn))?.get(member);
  }

  /**
   * What a function of the project `callee` names hands out (`read`: a client, an object's clients), read once per
   * function into `cache`: a function another module exports (`readImported`), or one at this file's top level
   * (`readLocal`, when the file names the driver).
   */
  private handedOutBy<T>(callee: ts.Identifier, cache: Map<ts.Node | string, T | null>,
    readImported: (importer: string, imported: ImportedName) => T | undefined, readLocal: (clients: TopLevelClients, fn: ts.FunctionDeclaration) => T | undefined): T | undefined {
    if (!this.fileName) return undefined;
    const local = this.flow.localFunction(callee);
    const key = local ?? callee.text;
    let handedOut = cache.get(key);
    if (handedOut === undefined) {
      const imported = local || this.flow.bindingOf(callee) ? undefined : this.importedName(callee.text);
      if (imported) handedOut = readImported(this.fileName, imported) ?? null;
      else if (local && (this.postgresJsNames.size > 0 || this.neonHttpNames.size > 0)) {
        // A function of this file at its top level (`function getDb() { return client ??= postgres(url) }`, or `neon(url)`).
        this.topLevelClients ??= new TopLevelClients(this.source, new Set([...this.postgresJsNames, ...this.neonHttpNames]));
        handedOut = (this.topLevelClients.functionNamed(callee.text) === local && readLocal(this.topLevelClients, local as ts.FunctionDeclaration)) || null;
      } else handedOut = null;
      cache.set(key, handedOut);
    }
    return handedOut ?? undefined;
  }

  private readonly factoryCreations = new Map<ts.Node | string, Creations | null>();
  private readonly factoryMemberCreations = new Map<ts.Node | string, ReadonlyMap<string, Creations> | null>();
  private topLevelClients: TopLevelClients | undefined;

  /**
   * `new Client(directUrl)` / `new pg.Client({ connectionString: directUrl })`, @vercel/postgres's
   * `createClient({ connectionString: directUrl })` or config-less `createClient()`, or postgres.js `postgres(directUrl)`.
   * Answered once per creation: every query on the client asks, and each answer reads the file's text for a
   * pooled sibling of the URL's name (a module with thousands of queries on one client was quadratic).
   */
  private createsDirectClient(value: ts.Expression): boolean {
    let verdict = this.directCreations.get(value);
    const choices = verdict === undefined ? choiceAlternatives(value) : undefined;
    if (choices) {
      // A choice of clients (`useDirect ? postgres(DIRECT_URL) : postgres(DATABASE_URL)`) is direct only when every arm
      // that makes one is (an empty arm, `: undefined`, makes none), whichever is written first (session 39).
      const arms = choices.filter((choice) => !isEmptyValue(choice)).map(unwrap);
      verdict = arms.length > 0 && arms.every((arm) => this.createsDirectClient(arm));
      this.directCreations.set(value, verdict);
    } else if (verdict === undefined) {
      // One connection: pg's (or Neon's) `new Client(…)`, @vercel/postgres's `createClient(…)` (vercelPostgresClients.ts).
      const single = (ts.isNewExpression(value) && DIRECT_CLIENT_CLASS.test(calleeText(value.expression)))
        || (ts.isCallExpression(value) && makesVercelClient(value));
      const postgresJs = ts.isCallExpression(value) && this.isPostgresJsFactory(value.expression);
      verdict = (single || postgresJs) && (subscriberConnectsDirectly(value as ts.NewExpression | ts.CallExpression, this.fileName)
        || (ts.isCallExpression(value) && makesDefaultVercelClient(value)));
      this.directCreations.set(value, verdict);
    }
    return verdict;
  }

  private readonly directCreations = new Map<ts.Expression, boolean>();

  /**
   * `this.listener` where each `this.listener = …` (and the property's initializer) in the class puts a direct client in
   * it: one made there, or a variable holding only such a client (`const client = new Client({ connectionString: directUrl
   * }); … this.listener = client`, the way a reconnecting class opens the connection before it keeps it). An empty value
   * (`this.listener = null` once closed) puts none: no query runs on it then.
   */
  private memberHoldsDirectClient(member: ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier }): boolean {
    const owner = enclosingClass(member);
    if (!owner) return false;
    // Once per class and member: each `this.listener.query(…)` asks, and each answer reads the whole class.
    let byName = this.directMembers.get(owner);
    if (!byName) this.directMembers.set(owner, (byName = new Map()));
    let verdict = byName.get(member.name.text);
    if (verdict === undefined) {
      const values = fieldValues(owner, member.name.text).filter((value) => !isEmptyValue(value));
      verdict = values.length > 0 && values.every((value) => this.createsDirectClient(unwrap(value)) || this.variableHoldsDirectClient(unwrap(value)));
      byName.set(member.name.text, verdict);
    }
    return verdict;
  }

  private readonly directMembers = new Map<ts.Node, Map<string, boolean>>();

  /** A variable (not a parameter) every value of which (heldValues) makes a direct client. */
  private variableHoldsDirectClient(value: ts.Expression): boolean {
    const binding = ts.isIdentifier(value) ? this.flow.bindingOf(value) : undefined;
    return binding !== undefined && 'variable' in binding && this.flow.everyHeldValue(binding.variable, (held) => this.createsDirectClient(unwrap(held)));
  }

  private reachesOwnServer(receiver: ts.Expression | undefined): boolean {
    return receiver !== undefined && this.ownServer !== undefined && this.ownServer.reaches(receiver, this.isPool(this.keyOf(receiver)));
  }

  /** Whether a query (or a node's own finding) goes to PGlite: from a PGlite-only branch, or on a PGlite instance. */
  private runsInProcess(node: ts.Node, receiver: ts.Expression | undefined): boolean {
    if (!this.namesPglite) return false;
    return this.inProcessBranches.some((branch) => branch.pos <= node.pos && node.end <= branch.end)
      || (receiver !== undefined && this.isPgliteValue(receiver));
  }

  /** The variables and parameters this file sends a replication command through: walsender sessions. */
  private noteReplicationSessions(): void {
    for (const declaration of this.declarationsOf(replicationCommandReceivers(this.source))) this.replicationSessions.add(declaration);
  }

  /** The variables and parameters that receivers are rooted in (`session` of `session.query(…)`). */
  private declarationsOf(receivers: ts.Expression[]): Set<ts.Node> {
    const declarations = new Set<ts.Node>();
    for (const receiver of receivers) {
      const root = rootIdentifier(receiver);
      const binding = root && this.flow.bindingOf(root);
      if (binding) declarations.add('parameterOf' in binding ? binding.parameter : binding.variable);
    }
    return declarations;
  }

  /**
   * A logical-replication (walsender) client (replication.ts): created in place with a replication option,
   * taken from one (`const db = session`), or a callback's parameter on one (`session.begin(async (tx) => …)`).
   * It is never behind a pooler: its queries go to the group that keeps only syntax errors, like PGlite's.
   */
  private isReplicationValue(receiver: ts.Expression | undefined): boolean {
    if (this.replicationSessions.size === 0 && !this.mayNameReplication()) return false;
    return receiver !== undefined && this.tracesTo(receiver, {
      creates: createsReplicationClient,
      declared: (declaration) => this.replicationSessions.has(declaration)
        || (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && createsReplicationClient(unwrap(declaration.initializer))),
    });
  }

  /**
   * A PGlite instance: created in place (`new PGlite(…)`, `PGlite.create(…)`), declared as one (`db: PGlite`,
   * `pg: PGliteInterface`), taken from one (`const db = pg`), a callback's parameter on one
   * (`pg.transaction(async (tx) => …)`), an object's member declared or created as one (`this.pg`), or `this` in a
   * class that is PGlite (PGlite's own `class PGlite`, a subclass `extends PGlite`, `implements PGliteInterface`).
   */
  private isPgliteValue(receiver: ts.Expression): boolean {
    const value = unwrap(receiver);
    if (value.kind === ts.SyntaxKind.ThisKeyword) return isPgliteClass(enclosingClassOf(value));
    const creates = (value: ts.Expression): boolean => createsPglite(value) || this.createsPgliteWrapper(value);
    return this.tracesTo(receiver, {
      creates,
      member: isPgliteMember,
      declared: (declaration) => typeNameMatches(declaration.type, PGLITE_TYPE) || this.pgliteHandles.has(declaration)
        || this.declaredAsPgliteWrapper(declaration.type)
        || (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && creates(declaration.initializer)),
    });
  }

  /** `new PGLiteEngine(…)` of a project class around PGlite (inProcessWrappers.ts). */
  private createsPgliteWrapper(expression: ts.Expression): boolean {
    const value = unwrap(expression);
    return ts.isNewExpression(value) && ts.isIdentifier(value.expression) && this.pgliteWrappers.has(value.expression.text);
  }

  /** Declared as a project class around PGlite (`let engine: PGLiteEngine`, also `| undefined` / `| null`). */
  private declaredAsPgliteWrapper(type: ts.TypeNode | undefined): boolean {
    if (!type || this.pgliteWrappers.size === 0) return false;
    const values = ts.isUnionTypeNode(type) ? nonNullishMembers(type) : [type];
    return values.length > 0 && values.every((member) => ts.isTypeReferenceNode(member) && ts.isIdentifier(member.typeName) && this.pgliteWrappers.has(member.typeName.text));
  }

  /**
   * Whether a client expression comes from a kind of client (`origin`): made in place, a member the object
   * holds (`this.db`, when the origin judges members), a variable or parameter the origin accepts, a variable
   * taken from such a client or holding a connection reserved from one (`await sql.reserve()`), or a callback's
   * parameter on one. One walk for PGlite and replication clients.
   */
  private tracesTo(receiver: ts.Expression, origin: ClientOrigin, depth = 0): boolean {
    const value = unwrap(receiver);
    if (origin.creates(value)) return true;
    if (origin.member && isClientMember(value)) return origin.member(value);
    const root = depth < 4 ? rootIdentifier(value) : undefined;
    const binding = root && this.flow.bindingOf(root);
    if (!binding) return false;
    if (origin.declared('parameterOf' in binding ? binding.parameter : binding.variable)) return true;
    if ('parameterOf' in binding) {
      const on = callbackReceiver(binding.parameterOf);
      return on !== undefined && this.tracesTo(on, origin, depth + 1);
    }
    const from = binding.variable.initializer && unwrap(binding.variable.initializer);
    // `const conn = await sql.reserve()`: one connection of that client, so of the same kind. `const run =
    // client.sql.bind(client)`: a method bound to the client, whose every call runs on it.
    const source = from === undefined ? undefined
      : isReserveCall(from) ? receiverOf(from as ts.CallExpression) : boundMethod(from)?.receiver ?? from;
    return source !== undefined && (ts.isIdentifier(source) || ts.isPropertyAccessExpression(source)) && this.tracesTo(source, origin, depth + 1);
  }

  /**
   * `const run = db.raw.bind(db)` (or `db.query.bind(db)`): a call `run(…)` is that query method's call
   * on `db`. Only a query method (not a wrapper such as `select`) bound to a `const` counts.
   */
  private boundQueryMethod(callee: ts.Expression): { name: string; receiver: ts.Expression } | undefined {
    const value = this.flow.constInitializer(callee);
    const method = value && boundMethod(value)?.method;
    if (!method || !QUERY_METHODS.test(method.name.text)) return undefined;
    return { name: method.name.text, receiver: method.expression };
  }

  /**
   * A bare call of a name declared with prostgles' `SQLHandler` type, imported from prostgles-types under any local name
   * (`async (sql: SQLHandler) => sql('…', params)`, also `SQLHandler | undefined` called as `sql!(…)`): its text is sent
   * as `db.sql` sends it, so the call is read as that wrapper method on the function itself.
   */
  private prostglesSqlHandler(callee: ts.Expression): { name: string; receiver: ts.Expression } | undefined {
    const handler = unwrap(callee);
    if (!ts.isIdentifier(handler)) return undefined;
    const typeNames = this.prostglesHandlerTypeNames();
    if (typeNames.size === 0) return undefined;
    return referenceNamedIn(declaredType(handler, this.flow), typeNames) ? { name: PROSTGLES_SQL_METHOD, receiver: handler } : undefined;
  }

  /** The local names this file imports prostgles-types' `SQLHandler` under (`import type { SQLHandler as H }`), read once. */
  private prostglesHandlerTypeNames(): ReadonlySet<string> {
    this.prostglesHandlerNames ??= new Set([...importedNames(this.source, true)]
      .filter(([, imported]) => imported.specifier === PROSTGLES_TYPES_MODULE && imported.name === PROSTGLES_SQL_HANDLER_TYPE)
      .map(([local]) => local));
    return this.prostglesHandlerNames;
  }

  private prostglesHandlerNames: ReadonlySet<string> | undefined;

  /**
   * A driver's query method saved aside before the code patches it, called with the receiver handed in:
   * `const originalQuery = Client.prototype.query;` (or `pool.query`, or `client.query.bind(client)`), then
   * `originalQuery.call(self, 'SELECT set_config(…)', params)`. The text is the call's second argument and the
   * receiver its first, as if `self.query(text, params)` were written; the wrapper that patches the driver sends it
   * before each of the application's queries. `apply` with the arguments in an array literal counts the same way;
   * `originalQuery.apply(this, args)` passes on the caller's own query, which is analysed where it is written.
   */
  private inspectSavedMethodCall(call: ts.CallExpression, groupFor: (receiver: ts.Expression | undefined) => Group): boolean {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'call' && callee.name.text !== 'apply')) return false;
    const saved = this.flow.constInitializer(callee.expression);
    const method = saved && (boundMethod(saved)?.method ?? saved);
    if (!method || !ts.isPropertyAccessExpression(method) || method.name.text !== 'query') return false;
    const [receiver, second] = call.arguments;
    const text = callee.name.text === 'call' ? second : second && ts.isArrayLiteralExpression(second) ? second.elements[0] : undefined;
    if (!receiver || !text || ts.isSpreadElement(text)) return true;
    this.inspectQueryCall(text, receiver, false, groupFor);
    return true;
  }

  private isPostgresJsClient(receiver: ts.Expression, call: ts.CallExpression): boolean {
    // A client an object holds (`this.db`, handed to its constructor) and uses as a SQL tag in this file, or
    // declares with postgres.js's client type (`private readonly db: Sql`).
    if (isClientMember(receiver)) {
      if (this.memberTypedAsPostgresJs(receiver)) return namesChannel(call.arguments[0]);
      return this.isUsedAsTag(`this.${receiver.name.text}`) && looksLikeListenCall(call);
    }
    // A member of a value the function is handed, whose declared type declares that member with the driver's type
    // (`app.db` on `app: App`, `FastifyInstance` augmented with `db: postgres.Sql`): typedMembers.ts.
    if (this.typedClientMember(receiver)) return namesChannel(call.arguments[0]);
    if (!ts.isIdentifier(receiver)) return false;
    if (this.postgresJsNames.size > 0 && (this.isPoolNamed(receiver.text) || receiver.text === 'sql')) return true;
    if (this.postgresJsClients.has(receiver.text) && this.isUsedAsTag(receiver.text)) return true;
    // A parameter or variable declared with postgres.js's client type (`function f(db: Sql)`), whatever its
    // name: the type settles what `listen` is, so the channel may be held in a constant.
    const binding = this.flow.bindingOf(receiver);
    const declared = binding && ('parameterOf' in binding ? binding.parameter : binding.variable);
    if (declared && this.isPostgresJsClientType(declared.type) && namesChannel(call.arguments[0])) return true;
    // A client another module of the project creates and exports (`import { sql } from './db'`).
    const imported = namesChannel(call.arguments[0]) ? this.importedPostgresJsCreation(receiver) : undefined;
    if (imported?.some((creation) => !makesNeonHttpClient(creation))) return true;
    // One a function hands out (`const conn = await openListener()`, a `let` filled so) when its creation says where it
    // connects: one made from libpq's PG* variables alone goes wherever each process's environment points it (a worker's
    // compose service may give it the server's own port while the application's goes through the pooler).
    const handedOut = namesChannel(call.arguments[0]) ? this.clientMadeElsewhere(receiver) : undefined;
    if (handedOut?.some((creation) => !makesNeonHttpClient(creation) && namesConnectionTarget(creation))) return true;
    // Another client that tags SQL in a file talking to PostgreSQL (a framework's own PostgreSQL client, a
    // postgres.js client made elsewhere): its listen(channel) subscribes with LISTEN too.
    return this.surelyPostgres && namesChannel(call.arguments[0]) && this.isUsedAsTag(receiver.text);
  }

  /**
   * postgres.js's client types (importedPostgresJsClients.ts's isPostgresJsClientType): imported from the driver, or a
   * type a module of the project exports as one (`import type { Sql } from './db'`, `db.Sql` on `import * as db`).
   */
  private isPostgresJsClientType(type: ts.TypeNode | undefined): boolean {
    return isPostgresJsClientType(type, this.postgresJsNames, (name) => this.isProjectPostgresJsClientType(name));
  }

  private isProjectPostgresJsClientType(name: ts.EntityName): boolean {
    if (!this.fileName) return false;
    const key = ts.isIdentifier(name) ? name.text : ts.isIdentifier(name.left) ? `${name.left.text}.${name.right.text}` : undefined;
    if (key === undefined) return false;
    let verdict = this.projectClientTypes.get(key);
    if (verdict === undefined) {
      this.importedTypes ??= importedNames(this.source, true);
      const imported = ts.isIdentifier(name) ? this.importedTypes.get(name.text)
        : ts.isIdentifier(name.left) && this.projectModules.has(name.left.text) ? { specifier: this.projectModules.get(name.left.text)!, name: name.right.text } : undefined;
      verdict = imported !== undefined && importedPostgresJsClientType(this.fileName, imported);
      this.projectClientTypes.set(key, verdict);
    }
    return verdict;
  }

  /** Per type name written in this file (`Sql`, `db.Sql`): whether a module of the project exports it as postgres.js's client type. */
  private readonly projectClientTypes = new Map<string, boolean>();
  private importedTypes: Map<string, ImportedName> | undefined;

  /**
   * A call's callee that is postgres.js's factory: under its imported name, called on the module itself
   * (`require('postgres')({ … })`, `(await import('postgres')).default(…)`), as the default export of the module object
   * an `import()` bound to a name (`postgres.default(…)` on `const postgres = await import('postgres')`), or handed on by
   * a module of the project and called on that module's namespace (`db.postgres(url)` on `import * as db from './db'`;
   * a name imported from it is among postgresJsNames).
   */
  private isPostgresJsFactory(callee: ts.Expression): boolean {
    if (ts.isIdentifier(callee)) return this.postgresJsNames.has(callee.text);
    if (requiredModule(callee) === POSTGRES_JS_MODULE) return true;
    if (this.isLoadedPostgresJsDefault(callee)) return true;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name) || !this.isProjectModule(callee.expression)) return false;
    const specifier = this.projectModules.get((callee.expression as ts.Identifier).text)!;
    return this.handsOnDriver(`${(callee.expression as ts.Identifier).text}.${callee.name.text}`, { specifier, name: callee.name.text });
  }

  /** `postgres.default` on postgres.js's module object held by a name (`const postgres = await import('postgres')`). */
  private isLoadedPostgresJsDefault(callee: ts.Expression): boolean {
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'default') return false;
    const owner = unwrap(callee.expression);
    return ts.isIdentifier(owner) && this.postgresJsModuleObjects.has(owner.text);
  }

  /**
   * Whether an imported name (`postgres` of `import { postgres } from './db'`, `db.postgres` of `import * as db`) is the
   * driver's factory that a module of the project hands on. Only asked for a name the file calls (`postgres(`), so a
   * module is read only for such a name; answered once per name.
   */
  private handsOnDriver(local: string, imported: ImportedName): boolean {
    let verdict = this.driverHandOns.get(local);
    if (verdict === undefined) {
      verdict = this.fileName !== undefined && imported.specifier !== POSTGRES_JS_MODULE && this.callsName(local) && importedPostgresJsDriver(this.fileName, imported);
      this.driverHandOns.set(local, verdict);
    }
    return verdict;
  }

  private readonly driverHandOns = new Map<string, boolean>();

  /**
   * `app.db` where `app` is a parameter or variable declared with a type whose `db` member is postgres.js's client type,
   * judged in the file that declares the member (a type literal, a project interface, a package interface the project
   * augments: typedMembers.ts). Not `this.db` (memberTypedAsPostgresJs) nor a longer chain.
   */
  private typedClientMember(receiver: ts.Expression): DeclaredMember | undefined {
    if (!ts.isPropertyAccessExpression(receiver) || !ts.isIdentifier(receiver.name)) return undefined;
    const owner = unwrap(receiver.expression);
    if (!ts.isIdentifier(owner)) return undefined;
    const binding = this.flow.bindingOf(owner);
    const declared = binding && ('parameterOf' in binding ? binding.parameter : binding.variable);
    const member = declared?.type && declaredMember(declared.type, receiver.name.text, this.source, this.fileName);
    if (!member) return undefined;
    const isClient = member.source === this.source ? this.isPostgresJsClientType(member.type) : isPostgresJsClientTypeIn(member.type, member.source, member.fileName);
    return isClient ? member : undefined;
  }

  /**
   * A typed member (typedClientMember) the module declaring it fills only with postgres.js clients on a direct URL
   * (`app.decorate('listener', postgres(process.env.DIRECT_URL))` beside the augmentation): what it sends stays on a
   * session the code owns. No `decorate` call found, or one whose value is not followed to such a client: not direct.
   */
  private isDecoratedDirectly(receiver: ts.Expression): boolean {
    const member = this.typedClientMember(receiver);
    if (!member || member.decorations.length === 0) return false;
    return member.decorations.every((value) => postgresJsCreationsIn(value, member.source)?.every((creation) => subscriberConnectsDirectly(creation, member.fileName)) === true);
  }

  /**
   * Whether the file's text calls `name` (callsName). A file asks of each name it imports: a plain name is looked up
   * among the names the text calls, found in one scan (namesFollowedBy), instead of a search of the whole text per name.
   */
  private callsName(name: string): boolean {
    if (PLAIN_NAME.test(name)) return (this.namesCalled ??= namesFollowedBy(this.source.text, BEFORE_CALL)).has(name);
    return this.source.text.includes(name) && callsName(this.source.text, name);
  }

  private namesCalled: ReadonlySet<string> | undefined;
  /** The plain names that may tag a template (isUsedAsTag's necessary condition), found in one scan. */
  private namesBeforeTag: ReadonlySet<string> | undefined;

  /** `this.db` where the enclosing class declares `db` (a property or a constructor's parameter property) with postgres.js's client type. */
  private memberTypedAsPostgresJs(member: ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier }): boolean {
    return this.isPostgresJsClientType(memberDeclaration(member)?.type);
  }

  /** Whether `name` (`sql`, `this.db`) tags a template somewhere in the file (name`…`, name<Row>`…`, name /* sql *\/ `…`), as a postgres.js client does. */
  private isUsedAsTag(name: string): boolean {
    let used = this.tagUses.get(name);
    if (used === undefined) this.tagUses.set(name, (used = this.readUsedAsTag(name)));
    return used;
  }

  /** isUsedAsTag's answers by name: a file's every `sql.listen(…)` asks of the same few names, each a search of the whole text. */
  private readonly tagUses = new Map<string, boolean>();

  private readUsedAsTag(name: string): boolean {
    if (PLAIN_NAME.test(name) ? !(this.namesBeforeTag ??= namesFollowedBy(this.source.text, BEFORE_TAG)).has(name) : !this.source.text.includes(name)) return false;
    return new RegExp(String.raw`(?:^|[^\w$.])${name.replace(/[$.]/g, '\\$&')}\s*(?:<[^\`;]*?>\s*)?(?:\/\*[^*]*\*\/\s*)?\``).test(this.source.text);
  }

  /** postgres.js `sql.listen(channel, fn)` sends LISTEN on a connection of the pool. */
  private addListenFinding(call: ts.CallExpression): void {
    this.addNodeFinding('listen', call,
      'sql.listen() sends LISTEN on a server connection: behind a transaction pooler notifications go to a connection other clients share, or are lost when it is reassigned.');
  }

  /** A const, or a parameter its function never assigns: the same value at two calls of one function. */
  private isUnchangingName(name: ts.Identifier): boolean {
    const binding = this.flow.bindingOf(name);
    if (!binding) return false;
    if ('variable' in binding) return ts.isVariableDeclarationList(binding.variable.parent) && (binding.variable.parent.flags & ts.NodeFlags.Const) !== 0;
    let assigned = false;
    const visit = (node: ts.Node): void => {
      if (assigned) return;
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
        && ts.isIdentifier(node.left) && node.left.text === name.text) assigned = true;
      else ts.forEachChild(node, visit);
    };
    visit(binding.parameterOf);
    return !assigned;
  }

  /** pg-listen `subscriber.listenTo(channel)`, pg-pubsub `addChannel(channel)`: LISTEN on the library's connection. */
  private addLibraryListenFinding(call: ts.CallExpression, method: string): void {
    this.addNodeFinding('listen', call,
      `${method}() sends LISTEN on the connection the LISTEN/NOTIFY library holds: behind a transaction pooler notifications go to a server connection other clients share, or are lost when it is reassigned.`);
  }

  /** On the method's name, the line a chain (`conn\n  .listen(…)`) sends it from. */
  private addDriverStatementFinding(call: ts.CallExpression, kind: DriverStatementKind): void {
    const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
    if (kind === 'listen') {
      this.addDriverListenFinding(method);
      return;
    }
    this.addNodeFinding('protocol-prepared-statement', method,
      'prepare() parses a named statement on one server connection and later calls execute it by name; a transaction pooler without prepared-statement support may run them on another, where it does not exist.');
  }

  private addDriverListenFinding(method: ts.Node): void {
    this.addNodeFinding('listen', method,
      'listen() sends LISTEN on this driver connection: behind a transaction pooler notifications go to a server connection other clients share, or are lost when it is reassigned.');
  }

  private addNamedTemplateFinding(query: ts.Expression): void {
    this.addNodeFinding('protocol-prepared-statement', query,
      'setName() gives this query a statement name: node-postgres prepares it on one server connection and later runs bind it by name; the pooler may route them elsewhere.');
  }

  /** node-postgres `{ text, name }`: a named query config is a protocol-level prepared statement. */
  private addNamedConfigFinding(name: ts.Expression): void {
    this.addNodeFinding('protocol-prepared-statement', name,
      'a named query config creates a protocol-level prepared statement on one server connection; the pooler may route the next execution elsewhere.');
  }

  /**
   * The code a slot of a query's text stands for: a `${…}`'s expression, or the value a named placeholder (`:tz`) is
   * given in the `replacements` object of the query call whose text holds it (Sequelize's).
   */
  private slotValue(slot: Part & { kind: 'slot' }): ts.Expression | undefined {
    if (slot.hole) return expressionAt(this.source, slot.fileStart, slot.fileEnd);
    const name = /^:([A-Za-z_]\w*)$/.exec(this.source.text.slice(slot.fileStart, slot.fileEnd))?.[1];
    if (!name) return undefined;
    let node: ts.Node | undefined = innermostNode(this.source, slot.fileStart, slot.fileEnd);
    while (node && !(ts.isCallExpression(node) && node.arguments[0] && node.arguments[0].pos <= slot.fileStart && slot.fileEnd <= node.arguments[0].end)) node = node.parent;
    for (const argument of node && ts.isCallExpression(node) ? node.arguments.slice(1) : []) {
      const options = unwrap(argument);
      if (!ts.isObjectLiteralExpression(options)) continue;
      const replacements = options.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'replacements');
      const given = replacements && unwrap(replacements.initializer);
      if (!given || !ts.isObjectLiteralExpression(given)) continue;
      for (const property of given.properties) {
        if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === name) return property.initializer;
        if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
      }
    }
    return undefined;
  }

  /**
   * The code bound to a query text's written `$number` at `fileOffset`: that element of the values array the query call
   * holding the text passes after it (`client.query('… $1 …', [saved])`); none when the text is held elsewhere, the
   * values are not an array written there, or a spread comes first.
   */
  private boundValue(fileOffset: number, number: number): ts.Expression | undefined {
    let node: ts.Node | undefined = innermostNode(this.source, fileOffset, fileOffset + 1);
    while (node && !(ts.isCallExpression(node) && node.arguments[0] && node.arguments[0].pos <= fileOffset && fileOffset < node.arguments[0].end)) node = node.parent;
    const values = node && ts.isCallExpression(node) && node.arguments[1] ? unwrap(node.arguments[1]) : undefined;
    if (!values || !ts.isArrayLiteralExpression(values) || values.elements.slice(0, number).some(ts.isSpreadElement)) return undefined;
    const element = values.elements[number - 1];
    return element && !ts.isOmittedExpression(element) ? element : undefined;
  }

  /** How the `$n` of a SET's value reach the server (boundSetValues.ts): a tag's plain-value holes, and the text's written `$n`. */
  private setParametersOf(parts: Part[], built: BuiltText, holesBound: boolean): NonNullable<Piece['setParameters']> {
    // A tag's holes are bound where the file imports a driver that binds (not pg-promise): a tag of unknown origin may splice.
    const tagBinds = holesBound && writtenParametersBound(this.modules, undefined);
    const slots = parts.filter((part): part is SlotPart => part.kind === 'slot');
    const holeCodes = slots.map((slot) => this.source.text.slice(slot.fileStart, slot.fileEnd));
    const boundHoles = slots.map((slot, s) => tagBinds && slot.hole && isPlainValueHole(holeCodes[s]));
    const call = this.sentFrom && ts.isCallExpression(this.sentFrom) ? this.sentFrom : undefined;
    const sender = call?.expression;
    const method = sender && ts.isPropertyAccessExpression(sender) ? sender.name.text : sender && ts.isIdentifier(sender) ? sender.text : undefined;
    const refusedForQuotedHole = bindsUntypedValues(this.modules) && quotedLastHoleRefused(built.sql, built.slotAt, boundHoles, holeCodes);
    // The libraries the query goes through: the file's, and those whose factories made the client it is sent on.
    const modules = [...this.modules, ...this.receiverFactoryModules(sender)];
    if (call && slots.length > 0 && holeCodes.every((code) => code === '?') && questionMarksBound(modules, method)) {
      slots.forEach((_, s) => { boundHoles[s] = this.boundPlainValue(call, s); });
    }
    return { boundHoles, writtenBound: writtenParametersBound(modules, method), refusedForQuotedHole };
  }

  /**
   * The packages whose factories make the receiver of the sending call (poolFactories.ts's factoryPackages: `pool` of
   * `pool.query(…)` made by `new Pool(…)` from 'pg', through a project function returning it), as modules; none
   * when it cannot be followed.
   */
  private receiverFactoryModules(sender: ts.Expression | undefined): ImportedModule[] {
    if (!sender || !ts.isPropertyAccessExpression(sender)) return [];
    const flowOf = (module: ts.SourceFile): Flow => flowOfModule(module, module === this.source ? this.flow : undefined);
    return [...factoryPackages(sender.expression, flowOf) ?? []].map((specifier) => ({ specifier, names: [] }));
  }

  /** Whether the call's values array, written there, holds a plain value (isPlainValueHole) at `index`, no spread before it. */
  private boundPlainValue(call: ts.CallExpression, index: number): boolean {
    const values = call.arguments[1] && unwrap(call.arguments[1]);
    if (!values || !ts.isArrayLiteralExpression(values) || values.elements.slice(0, index + 1).some(ts.isSpreadElement)) return false;
    const element = values.elements[index];
    return element !== undefined && !ts.isOmittedExpression(element) && isPlainValueHole(element.getText(this.source));
  }

  /** A finding on a TS node itself (not on SQL text), when its rule applies. */
  private addNodeFinding(rule: RuleId, node: ts.Node, message: string): void {
    if (this.runsInProcess(node, undefined)) return;
    const severity = this.severityOf(rule);
    if (severity) this.extraFindings.push({ rule, severity, start: node.getStart(this.source), end: node.getEnd(), message });
  }

  /**
   * A transaction boundary a method of the client sends (clientTransactionBoundary), as a piece of the client's
   * sequence at the call, on the call's code paths: the statements around it are read as inside or after that
   * transaction. It holds no finding of its own (not even statement mode's: no SQL is written there).
   */
  private addBoundary(group: Group, statement: ClientBoundary): void {
    const at = this.sentFrom ? this.sentFrom.getStart(this.source) : 0;
    const built: BuiltText = { sql: statement, sqlAt: [0], fileAt: [at], fileLimit: [Infinity], slotAt: [] };
    this.placeLeaves(group);
    group.pieces.push({ built, parts: [{ kind: 'text', text: statement, textAt: [0], fileAt: [at] }], reportSyntaxErrors: false, tagged: false, boundary: true, branches: this.sentBranches() });
    this.scopeGroups[this.scopeGroups.length - 1]?.add(group);
  }

  /** The arms of the choices (outermost first) the text being read is one of (inspectQueryCall), and whether one was a name's value. */
  private readonly sentArms: ts.Node[] = [];
  private sentThroughName = false;

  /** Runs `read` with `arm` as the choice's arm the text read is sent from. */
  private onSentArm(arm: ts.Node, throughName: boolean, read: () => void): void {
    const outerThroughName = this.sentThroughName;
    this.sentArms.push(arm);
    this.sentThroughName ||= throughName;
    try {
      read();
    } finally {
      this.sentArms.pop();
      this.sentThroughName = outerThroughName;
    }
  }

  /**
   * The code paths of the statement being read: the sending node's, and the arm of each choice its text was taken
   * from (innermost first, as CodeBranches gives them).
   */
  private sentBranches(): number[] | undefined {
    const paths = this.sentFrom && this.branches.of(this.sentFrom);
    const arms = this.sentArms.map((arm) => this.branches.opened(arm)).filter((id): id is number => id !== undefined).reverse();
    return arms.length > 0 ? [...arms, ...(paths ?? [])] : paths;
  }

  /**
   * Whether the receiver of `call` is a variable of the file on which another query call of the file sends, as its first
   * argument written out, a text that puts a session setting back (`qr.query('RESET ROLE')`), on an arm some call takes.
   */
  private undoneOnSameVariable(call: ts.CallExpression): boolean {
    const variable = this.receiverVariable(call);
    if (!variable) return false;
    let undone = this.undoneVariables.get(variable);
    if (undone === undefined) {
      undone = false;
      walkDescendants(this.source, (node) => {
        if (undone) return false;
        if (ts.isCallExpression(node) && node !== call && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])
          && UNDOES_SESSION_SETTING.test(node.arguments[0].text) && !onArmNoCallTakes(node, this.flow)) {
          undone = this.receiverVariable(node) === variable;
        }
        return true;
      });
      this.undoneVariables.set(variable, undone);
    }
    return undone;
  }

  /** The variable of the file a call's receiver names (`qr` in `qr.query(…)`), if it is a plain name bound to one. */
  private receiverVariable(call: ts.CallExpression): ts.VariableDeclaration | undefined {
    const receiver = receiverOf(call);
    const name = receiver && unwrap(receiver);
    const binding = name && ts.isIdentifier(name) ? this.flow.bindingOf(name) : undefined;
    return binding && 'variable' in binding ? binding.variable : undefined;
  }

  private readonly undoneVariables = new Map<ts.VariableDeclaration, boolean>();

  private addPiece(group: Group, parts: Part[], wholeStatement: boolean, tagged = false, unpooled: Pooling = false, holesBound = tagged, sentAs?: TextPosition): void {
    if (parts.length === 0) return;
    // A select-list fragment that is a session advisory-lock call (Kysely's ``selectNoFrom(sql`pg_try_advisory_lock(${k})`.as('l'))``,
    // knex's `select(knex.raw('pg_advisory_lock(?)', [k]))`) or a set_config call (``selectNoFrom([sql`set_config('role', ${r}, false)`.as('r')])``):
    // the query it goes into runs it, read as `SELECT <fragment>`. Not a set_config call that is the whole text a query
    // call sends (``db.execute(sql`set_config('app.tenant', ${t}, true)`)``): no statement, PostgreSQL rejects it, so
    // it sets nothing (left unparsed: no finding; no syntax error is reported for a text that opens with no statement word).
    const first = parts[0];
    if (first.kind === 'text' && SESSION_CALL_FRAGMENT.test(first.text) && !(sentAs === 'composedLater' && isLocalSetConfigFragment(parts))
      && !(sentAs === 'wholeText' && SET_CONFIG_FRAGMENT.test(first.text))) {
      parts = [{ kind: 'slot', fileStart: first.fileAt[0], fileEnd: first.fileAt[0], fillers: () => ['SELECT '], hole: false }, ...parts];
    }
    const withSlots = withPlaceholders(parts);
    const built = fillSlots(withSlots, this.engine.syntaxErrorOffset);
    // A test's placeholder text for a double (`mockClient.query('INSERT INTO orders ...')`) reaches no parser.
    const reportSyntaxErrors = this.surelyPostgres && wholeStatement && unpooled !== 'noDatabase' && WHOLE_STATEMENT_START.test(built.sql);
    const piece: Piece = { built, parts: withSlots, reportSyntaxErrors, tagged, branches: this.sentBranches() };
    if (!tagged && this.sentFrom && ts.isCallExpression(this.sentFrom) && sendsTextWithoutValues(this.sentFrom)) piece.simpleQuery = true;
    if (unpooled) piece.unpooled = true;
    if (unpooled === 'checkouts') piece.checkoutsShared = true;
    if (unpooled === 'checkouts' && this.sentFrom && UNDOES_SESSION_SETTING.test(built.sql) && onArmNoCallTakes(this.sentFrom, this.flow)) piece.onUntakenArm = true;
    if (unpooled === 'checkouts' && this.sentFrom && ts.isCallExpression(this.sentFrom) && this.undoneOnSameVariable(this.sentFrom)) piece.undoneOnClient = true;
    if (MAY_SET_PARAMETER.test(built.sql)) piece.setParameters = this.setParametersOf(withSlots, built, holesBound);
    if (!tagged && MAY_RESTORE_SETTING.test(built.sql)) {
      const sendingCall = this.sentFrom && ts.isCallExpression(this.sentFrom) ? this.sentFrom : undefined;
      const sentOn = sendingCall && receiverOf(sendingCall);
      const configured = (setting: string) => (sentOn ? this.connectionOption(sentOn, setting) : undefined);
      const restores = [...settingRestores(withSlots, built.slotAt, (slot) => this.slotValue(slot), this.flow) ?? [],
        ...boundSetConfigRestores(built.sql, (at, number) => this.boundValue(toFileOffset(built, at), number), this.flow) ?? [],
        ...configuredSettingRestores(built.sql, configured, this.flow) ?? [],
        ...(sendingCall && finallySettingRestores(built.sql, sendingCall)) ?? [],
        ...(sendingCall && wrapperSetRestores(built.sql, sendingCall, (at, number) => this.boundValue(toFileOffset(built, at), number), this.fileName)) ?? []];
      if (restores.length > 0) piece.restores = restores;
      const boundNames = boundNameSettings(built.sql, (at, number) => sqlConstantOf(this.boundValue(toFileOffset(built, at), number)));
      if (boundNames) piece.boundNames = boundNames;
    } else if (tagged && this.sentFrom && ts.isTaggedTemplateExpression(this.sentFrom) && MAY_RESTORE_SETTING.test(built.sql)) {
      // A tagged template sent as the query itself (postgres.js's ``await sql`SET …` ``): its `${…}` are bound
      // parameters, so only a value written out can restore, as a `finally` SET back to a starting value.
      const restores = finallySettingRestores(built.sql, this.sentFrom);
      if (restores) piece.restores = restores;
    }
    if (group.appUses && this.sentFrom) {
      const at = this.sentFrom.getStart(this.source);
      if (group.appUses.some((use) => use < at)) {
        (group.mayAdvanceBefore ??= new Set()).add(group.pieces.length);
        group.appUses = undefined;
      }
    }
    this.placeLeaves(group);
    group.pieces.push(piece);
    group.scopeSequence?.pieces.push(piece);
    this.scopeGroups[this.scopeGroups.length - 1]?.add(group);
  }
}

/** A bound value as SQL would write it when it is a constant (`'app.user_id'`, `null`, `0`), else undefined. */
function sqlConstantOf(value: ts.Expression | undefined): string | undefined {
  const written = value && unwrap(value);
  if (!written) return undefined;
  if (ts.isStringLiteral(written) || ts.isNoSubstitutionTemplateLiteral(written)) return `'${written.text.replace(/'/g, "''")}'`;
  if (written.kind === ts.SyntaxKind.NullKeyword || ts.isNumericLiteral(written)) return written.getText();
  return undefined;
}

/** What a query sent on a PostgreSQL session no pooler carries can still be reported: a syntax error, and a SET LOCAL that is lost anyway. */
const HOLDS_WITHOUT_POOLER: ReadonlySet<string> = new Set(['syntax-error', 'set-local-outside-transaction']);

/**
 * A text that puts a session setting back (`RESET x`, `RESET ALL`, `DISCARD ALL`, `SET x TO DEFAULT`, a clear to '' or NULL
 * with `set_config(…, false)`). On the suite's own server no pooler is between: a setting sent through a pool of several
 * connections (Piece.checkoutsShared) leaks only if it is still on when its connection goes back to the pool. Whether
 * each undo runs before each release is not read: a client's sequence holding any such text is taken as a test that
 * puts its settings back, and its session SETs there are not reported (a missed finding rather than a false one) —
 * except an undo that never runs: in a helper's arm no call of the file takes (`if (userId) SET …; else RESET …`, every
 * call handing a user; untakenArms.ts).
 */
const UNDOES_SESSION_SETTING = /\bRESET\s+[\w"]|\bDISCARD\s+ALL\b|\bTO\s+DEFAULT\b|\bset_config\s*\(\s*'[^']*'\s*,\s*(?:''|NULL)\s*,\s*false\s*\)/i;

/**
 * Whether a finding in a PL/pgSQL fragment read alone (a group's splicedFragment) holds wherever the fragment is spliced:
 * a session lock taken or a session setting outlives any body. What pairs with another statement does not: the
 * callers splice sibling fragments beside it, so a dblink connection or HypoPG index it opens may be closed, and a lock
 * it releases taken, by the fragment next to it.
 */
function outlivesSplicedBody(rule: string, text: string): boolean {
  return rule === 'session-set' || (rule === 'advisory-lock' && !releasesAdvisoryLock(text));
}

interface PlacedPiece {
  piece: Piece;
  /** Offset of the piece in the group's joined SQL. */
  base: number;
}

function pieceAt(table: PlacedPiece[], offset: number): PlacedPiece {
  let found = table[0];
  for (const entry of table) if (entry.base <= offset) found = entry;
  return found;
}

/**
 * A syntax error is the text's own only when no slot (hole or placeholder) comes before or within the
 * word it is at, nor right after it with only blanks between (`EXPLAIN ${query}`: the hole is the rest
 * of the statement, and an error at the end of the input is placed before it).
 */
function isOwnSyntaxError(piece: Piece, end: number): boolean {
  const { sql, slotAt } = piece.built;
  return piece.reportSyntaxErrors && !slotAt.some((at) => at < end || sql.slice(end, at).trim() === '');
}

/**
 * sql`SET ${column} = …` is a piece of an UPDATE, not a session SET: a bound parameter cannot name a
 * setting. (In a plain template the hole is text, and may well be the setting's name.)
 */
function isUpdateSetFragment(piece: Piece, offset: number): boolean {
  return piece.tagged && /^set\s+(?:(?:session|local)\s+)?poolsafe_hole_\d/i.test(piece.built.sql.slice(offset, offset + 40));
}

/** A text that may hold a SET whose value is a numbered parameter. */
const MAY_SET_PARAMETER = /\bset\b[\s\S]*\$\d/i;
/** A SET or a set_config call in the text (settingRestores.ts reads whether one of its values is a restore). */
const MAY_RESTORE_SETTING = /\bset(?:\s|_config\s*\()/i;

/**
 * Whether the SET statement at `[start, end)` of the piece's SQL has a bound parameter as its value (boundSetValues.ts):
 * a tag's plain-value hole, or a `$n` written in the text of a driver that binds it. PostgreSQL refuses the statement,
 * so nothing is set: no session-set finding. A placeholder slot (`?`, `:name`) or an interpolated hole is not.
 */
function setsBoundValue(piece: Piece, start: number, end: number): boolean {
  const facts = piece.setParameters;
  if (!facts) return false;
  // A quoted last hole (`SET search_path TO "${schema}"`): the server refuses the whole query, so nothing is set.
  if (facts.refusedForQuotedHole) return true;
  const { sql, slotAt } = piece.built;
  for (const parameter of setValueParameters(sql, start, end)) {
    let slot = -1;
    for (let s = 0; s < slotAt.length && slotAt[s] <= parameter.at; s++) slot = s;
    // A slot's filler ` $<slot + 1> ` stands there: the slot decides; else the `$n` is written in the text.
    const filled = slot >= 0 && parameter.number === slot + 1 && sql.slice(slotAt[slot], parameter.at).trim() === '';
    if (filled ? facts.boundHoles[slot] : facts.writtenBound) return true;
  }
  return false;
}

function analyzeGroup(group: Group, options: AnalysisOptions, engine: SqlEngine): Finding[] {
  // A text written for another engine as a whole (a BigQuery script a builder returns: dialect.ts's otherEngineText) is
  // never sent to PostgreSQL: none of its statements counts, not even those that happen to parse as PostgreSQL's.
  const pieces = group.pieces.filter((p) => !otherEngineText(p.built.sql));
  if (pieces.length === 0) return [];
  const table: PlacedPiece[] = [];
  let base = 0;
  for (const piece of pieces) {
    table.push({ piece, base });
    base += piece.built.sql.length + 1;
  }
  // Related locations (the nextval of a currval) may sit in another piece than the finding itself.
  const toFile = (offset: number): number => {
    const placed = pieceAt(table, offset);
    return toFileOffset(placed.piece.built, offset - placed.base);
  };
  const toFileEndOf = (offset: number): number => {
    const placed = pieceAt(table, Math.max(0, offset - 1));
    return toFileEnd(placed.piece.built, offset - placed.base);
  };
  // A range within one piece never ends before it starts (toFileRange), even when its text ends in a value written earlier.
  const toFileRangeOf = (start: number, end: number): { start: number; end: number } => {
    const placed = pieceAt(table, start);
    if (pieceAt(table, Math.max(0, end - 1)) !== placed) return { start: toFile(start), end: toFileEndOf(end) };
    return toFileRange(placed.piece.built, start - placed.base, end - placed.base);
  };
  const branches = pieces.some((p) => p.branches) ? pieces.map((p) => p.branches) : undefined;
  const restores = pieces.some((p) => p.restores) ? pieces.map((p) => p.restores) : undefined;
  const simpleQueries = new Set(pieces.flatMap((p, index) => (p.simpleQuery ? [index] : [])));
  let findings = engine.analyzeQueryMessages(pieces.map((p) => p.built.sql), options, group.inTransaction, group.mayOpenBefore, branches, restores, group.leavesBefore, group.mayAdvanceBefore, simpleQueries);
  const sharedSetsKept = !pieces.some((p) => UNDOES_SESSION_SETTING.test(p.built.sql) && !p.onUntakenArm);
  if (group.balancingOnly) findings = findings.filter((f) => getRule(f.rule)?.concern === 'load-balancing');
  if (group.unpooled) findings = findings.filter((f) => f.rule === 'syntax-error');
  const mapped: Finding[] = [];
  for (const finding of findings) {
    const placed = pieceAt(table, finding.start);
    const local = finding.start - placed.base;
    if (placed.piece.boundary) continue;
    if (placed.piece.unpooled && !HOLDS_WITHOUT_POOLER.has(finding.rule) && !(placed.piece.checkoutsShared && sharedSetsKept && !placed.piece.undoneOnClient && finding.rule === 'session-set')) continue;
    if (group.splicedFragment && !outlivesSplicedBody(finding.rule, placed.piece.built.sql.slice(local, finding.end - placed.base))) continue;
    if (finding.rule === 'syntax-error' && !isOwnSyntaxError(placed.piece, finding.end - placed.base)) continue;
    if ((finding.rule === 'session-set' || finding.rule === 'set-local-outside-transaction') && isUpdateSetFragment(placed.piece, local)) continue;
    if (finding.rule === 'session-set' && setsBoundValue(placed.piece, local, finding.end - placed.base)) continue;
    const boundName = finding.rule === 'session-set' ? placed.piece.boundNames?.find((entry) => entry.at === local) : undefined;
    mapped.push({
      ...finding,
      ...(boundName && { writtenSetting: boundName.setting }),
      ...toFileRangeOf(finding.start, finding.end),
      // An insertion (SET -> SET LOCAL, ON COMMIT DROP) goes right after the text before it.
      fix: finding.fix && { title: finding.fix.title, edits: finding.fix.edits.map((e) => ({ ...e, start: e.start === e.end ? toFileEndOf(e.start) : toFile(e.start), end: toFileEndOf(e.end) })) },
      related: finding.related?.map((r) => ({ ...r, ...toFileRangeOf(r.start, r.end) })),
    });
  }
  return mapped;
}

/**
 * A file that also sends MySQL, SQLite, SQL Server or Oracle statements (a multi-dialect test suite
 * importing a PostgreSQL driver too) may send any of its statements to those: no syntax errors there. A statement in
 * a compatible engine's syntax (Redshift's `DISTKEY (id)`) is skipped alone: the file's other texts keep their errors.
 */
function holdsOtherDialect(groups: Group[]): boolean {
  return groups.some((g) => g.pieces.some((p) => otherDialectCounts(dialectOfStatement(p.built.sql))));
}

/** The same text reached from two calls (a constant used twice) gives one finding. */
function withoutDuplicates(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}:${f.start}:${f.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function analyzeEmbedded(text: string, fileName: string | undefined, options: Partial<AnalysisOptions> | undefined, engine: SqlEngine): Finding[] {
  let resolved = resolveOptions(options);
  // Most files send no SQL: their tokens tell, without the parse (the larger part of the cost). What only a file
  // that may hold findings needs is read after that: its path's dialect, and whether it names a compatible engine.
  if (!mayHoldFindings(text, fileName, resolved)) return [];
  if (isTypeOnlyTest(fileName)) return [];
  // A test folder's fixture that nothing imports is input the tests read as text, never run (fixtureData.ts).
  if (isUnimportedTestFixture(fileName)) return [];
  // A migration or a test kept in an archive folder that no migrator, runner or importer reaches (setAsideCode.ts).
  if (isSetAsideCode(fileName)) return [];
  // A copy: resolved options may be the caller's own (resolveOptions gives them back as they are).
  if (namesCompatibleEngine(text, fileName)) resolved = resolveOptions({ ...resolved, compatibleEngine: true });
  const source = parseSource(text, fileName);
  if (!source) return [];
  // A path naming another database (`sqlite/`, `mysql-init.ts`) speaks for a file whose imports say nothing more; one
  // that imports a PostgreSQL driver talks to PostgreSQL whatever else its name holds (`migrate-sqlite-to-postgres.ts`),
  // and the other driver's objects are set aside as in any file importing both.
  if (pathIsOtherDialect(fileName) && !fileDialect(importedModules(source)).postgres) return [];
  const extractor = new Extractor(source, resolved, engine);
  if (!extractor.run(fileName)) return [];
  let findings = [...extractor.groups.flatMap((g) => analyzeGroup(g, resolved, engine)), ...extractor.extraFindings];
  if (findings.some((f) => f.rule === 'syntax-error') && holdsOtherDialect(extractor.groups)) findings = findings.filter((f) => f.rule !== 'syntax-error');
  if (extractor.inProcessOnly) findings = findings.filter((f) => HOLDS_WITHOUT_POOLER.has(f.rule));
  const branches = extractor.postgresOnlyIn;
  if (branches) findings = findings.filter((f) => branches.some((b) => b.getStart(source) <= f.start && f.end <= b.getEnd()));
  const sessionOnly = outsideTransactionModeBranches(source);
  if (sessionOnly.length > 0) findings = findings.filter((f) => f.rule === 'syntax-error' || getRule(f.rule)?.concern === 'load-balancing' || !sessionOnly.some((b) => b.getStart(source) <= f.start && f.end <= b.getEnd()));
  findings.sort((a, b) => a.start - b.start || a.end - b.end);
  // A function that puts a custom setting back to '' (or off) while another sets it: the setter's is the finding. A
  // clear through the project's routine counts only as a cleanup, in a `finally`.
  return withoutClosingSettings(text, onlyCleanupClears(source, applyLineSuppressions(text, withoutDuplicates(findings))));
}

/**
 * The file's syntax tree, or undefined when TypeScript's own (recursive) parser overflows the stack on
 * thousands of nested brackets: such generated code is skipped rather than ending the whole run.
 */
function parseSource(text: string, fileName: string | undefined): ts.SourceFile | undefined {
  try {
    return parseWithParents(fileName ?? 'file.ts', text, scriptKindOf(fileName));
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** `// poolsafe-disable-next-line [rule, …]` in TS/JS (no rule: all rules). */
function applyLineSuppressions(text: string, findings: Finding[]): Finding[] {
  if (!text.includes('poolsafe-disable-next-line')) return findings;
  const index = new LineIndex(text);
  const suppressed = new Map<number, string[]>();
  for (const match of text.matchAll(/\/\/\s*poolsafe-disable-next-line\b([^\n]*)/g)) {
    const rules = match[1].split(/[\s,]+/).filter(Boolean);
    suppressed.set(index.positionAt(match.index!).line + 1, rules.length ? rules : ['*']);
  }
  return findings.filter((f) => {
    const rules = suppressed.get(index.positionAt(f.start).line);
    return !rules || !(rules.includes('*') || rules.includes(f.rule));
  });
}

/** A class whose instances are PGlite: named as PGlite's classes, or extending or implementing one of its types. */
function isPgliteClass(owner: ts.ClassLikeDeclaration | undefined): boolean {
  if (!owner) return false;
  if (owner.name && PGLITE_TYPE.test(owner.name.text)) return true;
  return (owner.heritageClauses ?? []).some((clause) => clause.types.some((type) => {
    const name = ts.isIdentifier(type.expression) ? type.expression.text
      : ts.isPropertyAccessExpression(type.expression) ? type.expression.name.text : undefined;
    return name !== undefined && PGLITE_TYPE.test(name);
  }));
}

/** `this.pg` declared in its class as a PGlite instance: a property (`pg: PGlite`, `= new PGlite()`) or constructor parameter property. */
function isPgliteMember(member: ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier }): boolean {
  const declaration = memberDeclaration(member);
  if (!declaration) return false;
  return typeNameMatches(declaration.type, PGLITE_TYPE) || (ts.isPropertyDeclaration(declaration) && declaration.initializer !== undefined && createsPglite(declaration.initializer));
}

/** Where the class around `this.db` declares `db`: a property, or a parameter property of its constructor (the first one, in source order). */
function memberDeclaration(member: ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier }): ts.PropertyDeclaration | ts.ParameterDeclaration | undefined {
  const name = member.name.text;
  for (const element of enclosingClass(member)?.members ?? []) {
    if (ts.isPropertyDeclaration(element) && memberName(element) === name) return element;
    if (!ts.isConstructorDeclaration(element)) continue;
    const parameter = element.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name && ts.isParameterPropertyDeclaration(p, element));
    if (parameter) return parameter;
  }
  return undefined;
}

/** The first value `pick` gives for the items, in order (`Array.prototype.find` that returns what it found). */
function firstDefined<T, U>(items: readonly T[], pick: (item: T) => U | undefined): U | undefined {
  for (const item of items) {
    const found = pick(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `this.db`, or a private field `this.#db`: a client the object holds. */
function isClientMember(node: ts.Expression): node is ts.PropertyAccessExpression & { name: ts.Identifier | ts.PrivateIdentifier } {
  return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name));
}


/** node-postgres's (and look-alike drivers') single-connection client class: `Client`, `pg.Client`, `new (require('pg').Client)`. */
const DIRECT_CLIENT_CLASS = /(?:^|\.)(?:Native)?Client$/;

/** postgres.js's `listen(channel, onNotify)`: a channel name written as text, then a callback. */
function looksLikeListenCall(call: ts.CallExpression): boolean {
  const [channel, onNotify] = call.arguments;
  return channel !== undefined && onNotify !== undefined && (ts.isStringLiteralLike(channel) || ts.isTemplateExpression(channel))
    && (ts.isArrowFunction(onNotify) || ts.isFunctionExpression(onNotify) || ts.isIdentifier(onNotify) || ts.isPropertyAccessExpression(onNotify));
}

/** Whether the text calls `name` (`postgres(`, `db.postgres (`): a cheap test before a module is read for it. */
/** A name of word characters and `$` only: one the scans of namesFollowedBy find whole. */
const PLAIN_NAME = /^[\w$]+$/;
/** A plain name called (callsName's expression for any such name): not a member, not part of a longer name. */
const BEFORE_CALL = /(?<![\w$.])([\w$]+)\s*\(/g;
/** A plain name before what starts a tagged template in isUsedAsTag's expression (`<` of type arguments, a comment, the backtick). */
const BEFORE_TAG = /(?<![\w$.])([\w$]+)\s*[<\/`]/g;

/**
 * The names `pattern` (global, its first group a whole name of word characters and `$`, not preceded by one or by a
 * dot) finds in the text. A plain name is one of them exactly when callsName's expression matches it (BEFORE_CALL), or
 * whenever isUsedAsTag's does (BEFORE_TAG): the name is a whole name there, followed by blanks and that character.
 */
function namesFollowedBy(text: string, pattern: RegExp): Set<string> {
  const names = new Set<string>();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) names.add(match[1]!);
  return names;
}

function callsName(text: string, name: string): boolean {
  return new RegExp(String.raw`(?<![\w$.])${escapeRegExp(name)}\s*\(`).test(text);
}

/** A LISTEN channel: a name written as text or held in a variable or property (not a port number, not options). */
function namesChannel(argument: ts.Expression | undefined): boolean {
  return argument !== undefined && (ts.isStringLiteralLike(argument) || ts.isTemplateExpression(argument) || ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument));
}

/**
 * `this.x` inside an arrow function (arrows keep their enclosing `this`) that sits, through arrows only, in a method,
 * constructor, accessor or `function`: a closure over that function's client. Not an arrow that is itself the method
 * (`query = async () => …` as a class field), whose `this.x` starts its own sequence.
 */
function thisMemberInMethodClosure(receiver: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(receiver) || receiver.expression.kind !== ts.SyntaxKind.ThisKeyword) return false;
  let current = enclosingFunction(receiver);
  if (!current || !ts.isArrowFunction(current)) return false;
  while (current && ts.isArrowFunction(current)) current = enclosingFunction(current);
  return current !== undefined;
}

/**
 * The edit adding `prepare: false` to an options literal: first, or last when it spreads other options
 * (a spread after it could set `prepare` again).
 */
function prepareFalseEdit(options: ts.ObjectLiteralExpression, source: ts.SourceFile): { start: number; end: number; newText: string } {
  if (!options.properties.some(ts.isSpreadAssignment)) {
    return { start: options.getStart(source) + 1, end: options.getStart(source) + 1, newText: ' prepare: false,' };
  }
  const separator = options.properties.hasTrailingComma ? ' ' : ', ';
  return { start: options.properties.end, end: options.properties.end, newText: `${separator}prepare: false` };
}

/**
 * sql-template-strings' `SQL\`…\`.setName('n')` sent as a query: the tagged template's statement object
 * carries a name, so node-postgres parses it as a named statement. Only this shape, sent straight to a query
 * call; a name read back in a test is never sent.
 */
function namedTemplate(argument: ts.Expression): boolean {
  return ts.isCallExpression(argument) && ts.isPropertyAccessExpression(argument.expression) && argument.expression.name.text === SET_NAME_METHOD
    && ts.isTaggedTemplateExpression(argument.expression.expression) && argument.arguments.length === 1 && ts.isStringLiteralLike(argument.arguments[0]);
}

/** The outermost of `node` and the parentheses and awaits around it (`await (sql\`…\`)`): awaiting a value that is no promise gives it back unchanged. */
function outsideAwaits(node: ts.Node): ts.Node {
  let outer = outsideParentheses(node);
  while (ts.isAwaitExpression(outer.parent)) outer = outsideParentheses(outer.parent);
  return outer;
}
