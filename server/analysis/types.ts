// Shared vocabulary of the analysis: used by the language server, the CLI and the pooler's live
// hazard detection. Nothing here (or anywhere under server/analysis) imports vscode or LSP types.

/** One section of a migration file: where it starts (UTF-16 offset) and whether its tool wraps it in a transaction. */
export interface MigrationSection {
  start: number;
  transaction: boolean;
}

/** A migration tool's annotated statement block (goose `StatementBegin` … `StatementEnd`), sent as one query message. */
export interface MigrationBlock {
  start: number;
  end: number;
}

export type PoolMode = 'transaction' | 'session' | 'statement';
export type Severity = 'error' | 'warning' | 'info' | 'hint';
/** Whether the production pooler tracks protocol-level prepared statements (PgBouncer >= 1.21). */
export type PreparedStatementSupport = 'unsupported' | 'supported';

export type RuleId =
  | 'session-set'
  | 'set-local-outside-transaction'
  | 'prepared-statement'
  | 'protocol-prepared-statement'
  | 'temp-table'
  | 'currval'
  | 'advisory-lock'
  | 'listen'
  | 'cursor-with-hold'
  | 'load'
  | 'session-extension'
  | 'statement-mode-transaction'
  /** Load-balancing rules (active only with `loadBalancing`): a balancer sends reads to replicas. */
  | 'read-after-write'
  | 'write-in-read'
  /** Not a pooling rule: a statement that is surely PostgreSQL and does not parse. */
  | 'syntax-error';

/** What a finding reports: every finding has a rule id (kept as an alias for older imports). */
export type FindingCode = RuleId;

/** Zero-based UTF-16 position, as editors (LSP) count. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A text replacement; offsets are UTF-16 code-unit offsets into the analysed document. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface RelatedInfo {
  message: string;
  start: number;
  end: number;
  /** In another file (then `start`/`end` are unused): e.g. the body of a function the finding calls. */
  location?: { file: string; range: Range };
}

/** A routine's parameter passed on as set_config's is_local: its position among a call's arguments (1-based), and its name (lower case) if it has one. */
export interface LocalFlag {
  position: number;
  name?: string;
}

/** A function the workspace's .sql files define whose body creates session state (stateFunctions.ts). */
export interface StateFunction {
  /** Lower-case unqualified name. */
  name: string;
  /** The schema its definition names (lower case), if it names one: a call qualified with another schema is another routine. */
  schema?: string;
  /** The first session-state finding in its body (the first of each other rule: `otherRules`). */
  rule: RuleId;
  message: string;
  file: string;
  range: Range;
  /** The state is a set_config whose is_local is this parameter, defaulting to false: a call passing it true leaves none. */
  localFlag?: LocalFlag;
  /**
   * Every routine of this name one file defines, when it defines more than one parameter list (an overload beside this
   * one, with or without state): a call is the finding of the overload it reaches (routineOverloads.ts).
   */
  overloads?: readonly RoutineOverload[];
  /**
   * The first finding of each other session-state rule its body has, in body order (a body that sets something and
   * creates a temporary table): a call gets one finding per rule.
   */
  otherRules?: readonly StateFunction[];
  /** The body's one session setting is a custom setting it sets from this parameter: a call passing NULL clears it. */
  settingParameter?: SettingParameter;
  /** For session-extension: the one dblink connection the body leaves open, which a call of a closing routine may close (routineConnections.ts). */
  opensConnection?: RoutineConnection;
  /** For session-extension: the body leaves the connection open through a call of another routine that opens it (stateFunctions.ts). */
  opensThroughCall?: true;
  /** For temp-table: every temporary table the body leaves, by name, when it names each whole: a caller that drops them all keeps none (routineTempTables.ts). */
  leavesTables?: readonly string[];
}

/**
 * The dblink connection a routine opens or closes, as its callers name it: a name its body writes (`'link'`, lower case,
 * no blanks), the one passed for its parameter (1-based among the input parameters), or the value it returns.
 */
export type RoutineConnection = { fixed: string } | { parameter: number; name?: string } | { returned: true };

/** A routine of the workspace whose body surely closes a dblink connection, fixed or passed (routineConnections.ts). */
export interface ClosingRoutine {
  /** The schema its definition names (lower case), if it names one. */
  schema?: string;
  closes: Exclude<RoutineConnection, { returned: true }>;
  /**
   * Every definition of the name, when it has several (overloads, `app.finish(conn)` and `app.finish(conn, note)`): a
   * call closes only through the one overload it reaches, and only when that one surely closes (`closes` set).
   */
  overloads?: readonly ClosingOverload[];
}

/** One definition of a closing routine's name: its parameters (undefined when unread) and what it surely closes, if anything. */
export interface ClosingOverload {
  schema?: string;
  parameters?: readonly RoutineParameter[];
  closes?: ClosingRoutine['closes'];
}

/** A custom setting (lower case) a routine's body sets for the session to the value of one of its parameters. */
export interface SettingParameter {
  setting: string;
  /** 1-based, among the input parameters. */
  position: number;
  /** Lower case. */
  name?: string;
}

/** A custom setting a session-set finding writes: its name (lower case) and its constant value, if one. */
export interface WrittenSetting {
  name: string;
  /** Lower case, NULL as `''`; undefined when the value is not a constant. */
  value?: string;
  /** Written by a call of a project routine that sets the setting from its parameter (its clears count only in a `finally`: cleanupClears.ts). */
  byRoutineCall?: boolean;
}

/** One input parameter of a routine: its type as the parser names it (`int4`, `app.job`, `text[]`; undefined when unknown). */
export interface RoutineParameter {
  name?: string;
  type?: string;
  hasDefault: boolean;
  variadic: boolean;
}

/** One of several routines of a name: its schema, its input parameters (undefined when not read), its state (none: undefined). */
export interface RoutineOverload {
  schema?: string;
  parameters?: readonly RoutineParameter[];
  site?: StateFunction;
}

export interface Finding {
  rule: FindingCode;
  severity: Severity;
  message: string;
  /** UTF-16 code-unit offsets into the analysed document (half-open). */
  start: number;
  end: number;
  fix?: QuickFix;
  related?: RelatedInfo[];
  /** True for findings about code that has no effect (e.g. SET LOCAL outside a transaction block). */
  unnecessary?: boolean;
  /** The state is left only when a function body fails midway (bodyConnections.ts): its calls are no finding. */
  errorPathOnly?: boolean;
  /** The body's set_config takes its is_local from this parameter, which defaults to false (sessionFlags.ts). */
  localFlag?: LocalFlag;
  /** In a routine's body: the set_config sets this custom setting to one of the routine's parameters, as passed. */
  settingParameter?: SettingParameter;
  /**
   * Where the finding's text alone does not name it, the custom setting written and its value, read as the module's
   * setters and clears are (embeddedSettingPairs.ts): at a call of a routine whose body sets a custom setting from a
   * parameter (`settingParameter`), the value the call passes; at a `set_config($1, …)`, the name the query call binds.
   */
  writtenSetting?: WrittenSetting;
  /**
   * At a call of a project routine that leaves a named dblink connection open: the connection's name as the caller
   * writes it (connectionKey's form), when known — '' when not. A routine whose body holds such a call leaves the
   * connection open to its own callers too (stateFunctions.ts).
   */
  leftConnection?: string;
}

export type TrackedParameterSupport = 'synced' | 'unsynced';

export interface AnalysisOptions {
  poolMode: PoolMode;
  preparedStatements: PreparedStatementSupport;
  /**
   * Whether the target pooler re-applies each client's tracked parameters (TimeZone, application_name, …) on
   * the server connection it lands on: `synced` (default; PgBouncer, PoolSafe's pooler) reports a session SET
   * of one as info only, `unsynced` (a pooler that does not track them) as any other session SET.
   */
  trackedParameters?: TrackedParameterSupport;
  /**
   * The file is for (or names) a PostgreSQL-compatible engine such as CockroachDB: a SET of a name PostgreSQL
   * has no parameter for may be that engine's session variable, and stays a finding. Set by the file-level entry points.
   */
  compatibleEngine?: boolean;
  /** Per-rule severity override; 'off' disables the rule. */
  rules: Partial<Record<RuleId, Severity | 'off'>>;
  /**
   * The analysed SQL is a SQL file (a document of its own), not text a program sends: a statement there that parses once
   * its `<name>` fill-in placeholders are filled in is a template a person edits first. Set by sqlFileOptions for a named
   * SQL file outside migration folders and without a migration tool's sections.
   */
  sqlFile?: boolean;
  /** Files that run in their own session (`sessionScripts` of .poolsafe.json). */
  sessionScripts?: SessionScriptGlobs;
  /**
   * The analysed SQL runs in its own session, not through the application's pool (a psql script, pg_dump
   * output, a sessionScripts file): only syntax errors are reported. Set by the file-level entry points.
   */
  ownSession?: boolean;
  /**
   * The SQL file is run by psql on a connection the repository shows to be a transaction pooler's (psqlRuns.ts
   * psqlPoolerRun): psql's meta-commands in it do not make it a session of its own. Set by the file-level entry points.
   */
  throughTransactionPooler?: boolean;
  /**
   * The SQL is a test script run in its own session against a test database (pg_regress input, a pgTAP
   * test, a fixture one includes): not even the functions it creates are reported. Implies ownSession.
   */
  testScript?: boolean;
  /**
   * The SQL file is a test folder's script nothing else marks (ownSession.ts isLooseTestScript): a session of its own,
   * sent statement by statement, so a transaction-local setting outside a block there still does nothing. Implies ownSession.
   */
  runsStatementByStatement?: boolean;
  /**
   * The SQL is a whole file run on one connection (psql, a migration tool, a program sending it whole): not a
   * collection of named queries (`-- name: …`) nor a migration split into sections. A currval after an
   * INSERT or nextval earlier in the file reads what this run drew. Set by the file-level entry points.
   */
  wholeFile?: boolean;
  /** Routines the SQL file registers with TimescaleDB's job scheduler and calls nowhere else (scheduledJobs.ts). */
  scheduledJobs?: Set<string>;
  /** Test-named routines the SQL file defines that only the project's test scripts call (testOnlyRoutines.ts). */
  testOnlyRoutines?: ReadonlySet<string>;
  /**
   * Error messages the test script's expected output records (its `ERROR:` lines): a statement that fails
   * with one of them is written to fail, and gets no syntax-error finding. Set by the file-level entry points.
   */
  expectedErrors?: ReadonlySet<string>;
  /**
   * The texts of the test script's expected outputs (pg_regress' `expected/<name>.out`): a statement they echo ran on the
   * test's server, which answered it, so it gets no syntax-error finding (expectedErrors.ts' echoedInOutputs). Set by the
   * file-level entry points.
   */
  expectedOutputs?: readonly string[];
  /**
   * The SQL file is a migration whose tool runs each annotated section on its own, in a transaction or
   * not (goose, sql-migrate, dbmate: migrationAnnotations.ts). Set by the file-level entry points.
   */
  migrationSections?: readonly MigrationSection[];
  /**
   * The SQL file opens with a transaction-scoped setting (`SET LOCAL`, `set_config(…, true)`): whoever runs
   * it (CREATE EXTENSION, a migration tool, an installer sending it as one message) opens a transaction
   * around it, so SET LOCAL is not known to be lost until the file itself ends a transaction.
   */
  opensInsideTransaction?: boolean;
  /** The file's annotated statement blocks, each sent by its tool as one query message (migrationAnnotations.ts). */
  migrationBlocks?: readonly MigrationBlock[];
  /**
   * Reads may go to a lagging read replica (Pgpool-II's load balancing, `.poolsafe.json` "loadBalancing"):
   * turns on the read-after-write and write-in-read rules.
   */
  loadBalancing?: boolean;
  /** Functions and views defined in the workspace's .sql files (what their bodies write), for write-in-read. */
  catalog?: SqlCatalog;
  /** Functions the workspace's .sql files define whose bodies create session state, by lower-case name: their calls are findings too. */
  stateFunctions?: ReadonlyMap<string, StateFunction>;
  /** Routines (unqualified, lower case) the workspace's .sql files other than pg_dump output define (schemaSnapshots.ts). */
  sourceRoutines?: ReadonlySet<string>;
  /** Routines the workspace's .sql files define that close a dblink connection, by lower-case name: the pair of an opening routine's call. */
  closingRoutines?: ReadonlyMap<string, ClosingRoutine>;
  /**
   * The workspace's scripts (absolute paths) that may hand on postgres.js's factory under a name of their own
   * (postgresJsModules.ts): a file importing one may make a client with no word the TS/JS gate looks for.
   */
  postgresJsModules?: ReadonlySet<string>;
  /**
   * The SQL file is pg_dump output kept beside the project's schema sources, not applied as a migration: its copies
   * of routines in `sourceRoutines` report nothing (schemaSnapshots.ts). Set by the file-level entry points.
   */
  schemaSnapshot?: boolean;
}

/** What the workspace's SQL defines, by lower-case unqualified name. */
export interface SqlCatalog {
  functions: ReadonlyMap<string, CatalogFunction>;
  views: ReadonlyMap<string, CatalogView>;
}

export interface CatalogFunction {
  volatility: 'volatile' | 'stable' | 'immutable';
  /** Runs INSERT/UPDATE/DELETE/MERGE/TRUNCATE/COPY FROM (directly or as dynamic SQL). */
  modifiesTables: boolean;
  /** Functions its body calls (lower-case, unqualified), e.g. nextval or another workspace function. */
  calls: readonly string[];
}

export interface CatalogView {
  /** Functions the view's query calls (lower-case, unqualified). */
  calls: readonly string[];
}

/** gitignore-style patterns, relative to `base` (the folder of the .poolsafe.json that lists them). */
export interface SessionScriptGlobs {
  base: string;
  patterns: readonly string[];
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  poolMode: 'transaction',
  preparedStatements: 'unsupported',
  rules: {},
};

/**
 * What the whole-file checks read of a document: a string, or the language server's chunked copy
 * (server/chunkedText.ts), which joins itself only when toString() is called.
 */
export interface DocumentText {
  readonly length: number;
  includes(search: string): boolean;
  slice(start?: number, end?: number): string;
  toString(): string;
}

/**
 * Languages the analysis understands; the TS/JS ones analyse the SQL embedded in the code, a shell script the
 * JavaScript it hands to node on a here-document (nodeHeredocs.ts), and YAML (a compose file, Kubernetes or Helm
 * YAML) and a Dockerfile the commands its containers run (containerCommands.ts, dockerfileCommands.ts).
 */
export type DocumentLanguage = 'sql' | 'typescript' | 'typescriptreact' | 'javascript' | 'javascriptreact' | 'shellscript' | 'yaml' | 'dockerfile' | 'procfile' | 'toml';

/** Static description of a rule: what the editor hover, docs and CLI show. */
export interface RuleInfo {
  id: RuleId;
  defaultSeverity: Severity;
  /** Pool modes in which the rule fires. */
  poolModes: readonly PoolMode[];
  /** One line: what was found. */
  title: string;
  /** Why it breaks behind a transaction-mode pooler, and what users see in production. */
  explanation: string;
  /** The error text users typically get in production, if any (e.g. `prepared statement "x" does not exist`). */
  productionError?: string;
  /** The transaction-safe alternative. */
  safeAlternative: string;
  /** What the rule is about: pooling (the default) or load balancing over read replicas. */
  concern?: 'load-balancing';
}

/**
 * Marks the options objects resolveOptions made: complete already, so resolving one again gives it back (no copy).
 * A registered symbol, not a module's own set: the TS/JS analysis bundle (dist/embedded.js) carries its own copy of
 * this module, and hands the options it resolved to the main bundle's SQL analysis. Not enumerable: a spread copy
 * (`{ ...resolved, x }`) is a new object, resolved again.
 */
const RESOLVED = Symbol.for('poolsafe.resolvedOptions');

/**
 * Fills in defaults; rule overrides are merged over the (empty) defaults. Options it made come back as they are:
 * a TS/JS file's SQL is analysed one group at a time with the file's resolved options, and copying them per group
 * (~20 properties and the rules) was ~1-2% of a whole-repository lint. The result is read, never changed: a caller
 * that needs other options makes a new object (as analyzeEmbedded does for a compatible engine).
 */
export function resolveOptions(options?: Partial<AnalysisOptions>): AnalysisOptions {
  if (options && (options as { [RESOLVED]?: true })[RESOLVED]) return options as AnalysisOptions;
  const resolved = { ...DEFAULT_OPTIONS, ...options, rules: { ...DEFAULT_OPTIONS.rules, ...options?.rules } };
  Object.defineProperty(resolved, RESOLVED, { value: true });
  return resolved;
}
