// Session state a library leaves for the user when a call asks for it, rather than SQL text the code sends: session
// advisory locks (docs/corpus.md, the session-27 ruling on library calls that take a session lock, labelled like a
// library-made LISTEN), and node-pg-migrate's search path (labelled at the option, as pg-promise's `schema` is):
// - postgres-migrations' `migrate(dbConfig, directory)` (its forks' too, POSTGRES_MIGRATIONS_MODULES): on the client it is given (`{ client }`) or one it opens from
//   the config, it sends `SELECT pg_advisory_lock(…)`, runs each migration in a transaction of its own, then
//   `pg_advisory_unlock(…)` as a later statement. Behind a transaction pooler the lock stays on whichever server
//   connection ran it (the unlock may reach another, or never run when a migration fails), and the next deploy's
//   `migrate` waits on it for good;
// - node-pg-migrate's programmatic runner (its default export, or `runner` by name; imported, required or loaded in the
//   function that migrates, `const { runner } = await import('node-pg-migrate')`: requiredNames) called with options that do not set
//   `noLock`: on the `dbClient` it is given, or on a pg Client it opens from `databaseUrl` (a URL or pg config), it
//   sends `pg_try_advisory_lock(…)` (`pg_advisory_lock` with `advisoryLockMode: 'wait'`) before the migrations and
//   `pg_advisory_unlock(…)` after them, each a statement of its own. Given `schema` (a name or a list; any true value,
//   `[]` too, which it reads as `public`), it sends `SET search_path TO …` on the same client once it is connected, an
//   autocommit statement of its own before the migrations: a `session-set` at the option, whether it locks or not.
//   (`migrationsSchema` only places its table, with schema-qualified SQL: no SET. Read in salsita/node-pg-migrate
//   src/runner.ts, 10.0.0-alpha.2; versions before 4 send `SET SCHEMA '…'` there, the same session SET.)
// - @hirosystems/api-toolkit's `runMigrations(dir, direction, connectionArgs?, opts?)` (imported by name or as a member
//   of the module): it calls node-pg-migrate's runner with no `noLock` (its options cannot set one), so the runner's lock
//   is taken, on `connectionArgs` (a URL or pg config) or, without them, on the PG* environment variables (read in
//   hirosystems/api-toolkit src/postgres/migrations.ts and connection.ts, 1.12.0: no version passes `noLock`);
// - @platformatic/leader's elector (`createLeaderElector({ pool, lock })`, the package's only export): once started, it
//   holds a `pool.connect()` checkout for as long as it runs and polls `SELECT pg_try_advisory_lock($1)` on it, never
//   unlocking (the lock ends when the checkout is released on stop). Behind a transaction pooler the lock is taken on
//   whichever server connection each poll reaches, so two instances may both lead, and a lock left on a server
//   connection is held for any client that gets it next (read in platformatic/leader index.js, 0.3);
// - the advisory-lock package's mutexes (`advisoryLock(url)(name)`): lock(), tryLock() and withLock() send a session
//   `pg_advisory_lock`/`pg_try_advisory_lock` on a pg Client they open on the URL, and the unlock as a later statement
//   (advisoryLockMutexes.ts, which also follows a factory imported from a module of the project).
// - Prisma Migrate's CLI (`prisma migrate deploy`) in the command a child_process function (or execa) is handed
//   (`execSync("npx prisma migrate deploy")`, `spawn("npx", ["prisma", "migrate", "deploy"])`, a `promisify(exec)` of
//   the file): reported where prismaMigrate.ts finds the project's datasource migrates on a URL a pooler may front;
//   a shell script's runs of it are read there too (index.ts);
// - node-pg-migrate's CLI (`node-pg-migrate up`, through npx, `pnpm exec`, yarn, bunx or a path to its bin) in the
//   command a child_process function (or execa) is handed: its up/down/redo commands run the same runner and its lock,
//   on the URL in DATABASE_URL (or the variable `--database-url-var` names); nodePgMigrateCli.ts judges the command's
//   words, which are read here from the call: a string split at blanks, an argument list's strings, a path a
//   `path.join`/`path.resolve` builds to its bin, and a const array literal of the file spread into the list (`const
//   base = ['node-pg-migrate', '-m', DIR]`, `[...base, action]`); and, for a program reading `process.argv`, the
//   argument lists its package's scripts run it with (spawnedScripts.ts).
// Each comes with the client or config the library connects with, where the file shows it: embedded.ts asks whether that
// is a server no pooler fronts (the suite's own test server, a direct URL).
import ts from 'typescript';
import { walkDescendants } from './astWalk';
import { objectProperty, unwrap } from './embeddedFlow';
import { importedNames, requiredNames, type ImportedName } from './ownServerHelpers';
import { ADVISORY_LOCK_MODULE, API_TOOLKIT_MODULE, API_TOOLKIT_RUN_MIGRATIONS, NODE_PG_MIGRATE_MODULE, PLATFORMATIC_LEADER_MODULE, POSTGRES_MIGRATIONS_MODULES } from './codeWords';
import { clientOrConfig, constInitializer, constObject, moduleFunction } from './libraryListens';
import { setsNoSearchPath } from './searchPathOptions';
import { advisoryLockMutexLocks } from './advisoryLockMutexes';
import { ARGUMENT_LIST_STARTERS, PROCESS_MODULE } from './ownServerHelpers';
import { PRISMA_MIGRATE, PRISMA_MIGRATE_DEPLOY, mayRunMigrateDeploy, migrateDeployLocksPooled } from './prismaMigrate';
import { NODE_PG_MIGRATE_CLI, type CommandWord, mayRunNodePgMigrate, namesNodePgMigrateCli, nodePgMigrateLocksPooled } from './nodePgMigrateCli';
import { packageScriptArguments } from './spawnedScripts';

/** postgres-migrations' functions that lock around what they run. */
const LOCKING_FUNCTIONS: ReadonlySet<string> = new Set(['migrate']);
/** node-pg-migrate's runner: its default export (every version) and its named export (version 7 on). */
const NODE_PG_MIGRATE_RUNNERS: ReadonlySet<string> = new Set(['default', 'runner']);
/** @hirosystems/api-toolkit's wrapper of node-pg-migrate's runner, which never turns its lock off. */
const API_TOOLKIT_MIGRATORS: ReadonlySet<string> = new Set([API_TOOLKIT_RUN_MIGRATIONS]);
/** @platformatic/leader's elector: the module itself (`module.exports = createLeaderElector`). */
const LEADER_ELECTORS: ReadonlySet<string> = new Set(['default']);

export interface LibrarySessionState {
  /** The library's call. */
  node: ts.CallExpression;
  /** The session state it leaves: a session advisory lock (reported at the call), a search path (at the option). */
  rule: 'advisory-lock' | 'session-set';
  /** Where the finding is reported. */
  at: ts.Node;
  /** The client, connection config or URL the library sends it on, where the code shows it (in another module for a factory it imports). */
  connection: ts.Expression | undefined;
  /** The library's module (for a test that mocks it). */
  module: string;
  /** Whether, shown no connection, the library connects on libpq's PG* variables (the toolkit's runMigrations given none). */
  pgEnvironment?: boolean;
}

/** The session state libraries leave for this file's code (see the file comment); `fileName` finds the modules it imports. */
export function librarySessionState(source: ts.SourceFile, fileName?: string): LibrarySessionState[] {
  const found: LibrarySessionState[] = advisoryLockMutexLocks(source, fileName)
    .map(({ node, method, url }) => ({ node, rule: 'advisory-lock', at: method, connection: url, module: ADVISORY_LOCK_MODULE }));
  found.push(...spawnedMigrateDeploys(source, fileName), ...spawnedNodePgMigrateRuns(source, fileName));
  const migrators = POSTGRES_MIGRATIONS_MODULES.filter((module) => source.text.includes(module));
  const mayMigrate = migrators.length > 0;
  const mayRunMigrations = source.text.includes(NODE_PG_MIGRATE_MODULE);
  const mayElect = source.text.includes(PLATFORMATIC_LEADER_MODULE);
  const mayRunToolkitMigrations = source.text.includes(API_TOOLKIT_MODULE);
  if (!mayMigrate && !mayRunMigrations && !mayElect && !mayRunToolkitMigrations) return found;
  const names = new Map<string, ImportedName>([...importedNames(source), ...requiredNames(source)]);
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node)) return true;
    const migrator = mayMigrate ? migrators.find((module) => moduleFunction(node.expression, names, module, LOCKING_FUNCTIONS) !== undefined) : undefined;
    if (migrator) {
      found.push({ node, rule: 'advisory-lock', at: node, connection: clientOrConfig(node.arguments[0], source), module: migrator });
    } else if (mayRunMigrations && moduleFunction(node.expression, names, NODE_PG_MIGRATE_MODULE, NODE_PG_MIGRATE_RUNNERS) !== undefined) {
      const options = constObject(node.arguments[0], source);
      const connection = options && runnerConnection(options);
      if (!options || !locksOff(options, source)) found.push({ node, rule: 'advisory-lock', at: node, connection, module: NODE_PG_MIGRATE_MODULE });
      const schema = options && objectProperty(options, 'schema');
      if (schema && mayNameSchemas(schema)) found.push({ node, rule: 'session-set', at: schema.parent, connection, module: NODE_PG_MIGRATE_MODULE });
    } else if (mayElect && moduleFunction(node.expression, names, PLATFORMATIC_LEADER_MODULE, LEADER_ELECTORS) !== undefined) {
      const options = constObject(node.arguments[0], source);
      found.push({ node, rule: 'advisory-lock', at: node, connection: options && objectProperty(options, 'pool'), module: PLATFORMATIC_LEADER_MODULE });
    } else if (mayRunToolkitMigrations && moduleFunction(node.expression, names, API_TOOLKIT_MODULE, API_TOOLKIT_MIGRATORS) !== undefined) {
      // Its third argument is what it connects with; without one, the PG* environment variables.
      const connection = node.arguments[2];
      found.push({ node, rule: 'advisory-lock', at: node, connection, module: API_TOOLKIT_MODULE, pgEnvironment: connection === undefined });
    }
    return true;
  });
  return found;
}

/** node-pg-migrate's options: the client it is handed (`dbClient`), else the URL or pg config it opens one from (`databaseUrl`). */
function runnerConnection(options: ts.ObjectLiteralExpression): ts.Expression | undefined {
  return objectProperty(options, 'dbClient') ?? objectProperty(options, 'databaseUrl');
}

/**
 * Whether node-pg-migrate's options surely turn its lock off: `noLock` written `true` (or a const of the file holding
 * `true`). Any other value (`noLock: isTest`) may leave it on where the code runs, as leaving it out does.
 */
function locksOff(options: ts.ObjectLiteralExpression, source: ts.SourceFile): boolean {
  let value = objectProperty(options, 'noLock');
  for (let depth = 0; value && depth < 3; depth++) {
    value = unwrap(value);
    if (value.kind === ts.SyntaxKind.TrueKeyword) return true;
    value = ts.isIdentifier(value) ? constInitializer(source, value.text) : undefined;
  }
  return false;
}

/**
 * Whether node-pg-migrate's `schema` option may make its runner send `SET search_path`: it does for any true value.
 * The shared list of values that send nothing (searchPathOptions.ts) holds `[]`, which this runner sends as `public`;
 * `false` and `0`, which that list leaves out, are false here too.
 */
function mayNameSchemas(value: ts.Expression): boolean {
  const written = unwrap(value);
  if (ts.isArrayLiteralExpression(written) && written.elements.length === 0) return true;
  return !setsNoSearchPath(written) && !isFalseOrZero(written);
}

function isFalseOrZero(written: ts.Expression): boolean {
  return written.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(written) && Number(written.text) === 0);
}

/** The process-starting functions of child_process and execa a command line may be handed to as its first argument. */
const COMMAND_STARTERS: ReadonlySet<string> = new Set(['exec', 'execSync', 'execa', 'execaSync', 'execaCommand', 'execaCommandSync', ...ARGUMENT_LIST_STARTERS]);

/**
 * Prisma Migrate's lock taken by its CLI, which the file starts through child_process or execa (see the file comment):
 * each such call whose command is `prisma migrate deploy` on a datasource prismaMigrate.ts judges pooled.
 */
function spawnedMigrateDeploys(source: ts.SourceFile, fileName: string | undefined): LibrarySessionState[] {
  if (!fileName || !mayRunMigrateDeploy(source.text)) return [];
  const names = new Map<string, ImportedName>([...importedNames(source), ...requiredNames(source)]);
  const promisified = promisifiedStarters(source, names);
  const found: LibrarySessionState[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || !(startsProcess(node.expression, names) || promisified.has(unwrap(node.expression).getText(source)))) return true;
    const command = commandLine(node);
    if (command !== undefined && PRISMA_MIGRATE_DEPLOY.test(command) && migrateDeployLocksPooled(fileName, command)) {
      found.push({ node, rule: 'advisory-lock', at: node, connection: undefined, module: PRISMA_MIGRATE });
    }
    return true;
  });
  return found;
}

/** Whether a callee is one of COMMAND_STARTERS, imported or required from child_process (`node:` too) or execa. */
function startsProcess(callee: ts.Expression, names: ReadonlyMap<string, ImportedName>): boolean {
  const value = unwrap(callee);
  const named = ts.isIdentifier(value) ? names.get(value.text) : undefined;
  if (named) return PROCESS_MODULE.test(named.specifier) && COMMAND_STARTERS.has(named.name === 'default' ? 'execa' : named.name);
  return ['child_process', 'node:child_process', 'execa'].some((module) => moduleFunction(value, names, module, COMMAND_STARTERS) !== undefined);
}

/** The names the file gives promisified starters (`const run = promisify(exec)`, `util.promisify(cp.exec)`). */
function promisifiedStarters(source: ts.SourceFile, names: ReadonlyMap<string, ImportedName>): Set<string> {
  const found = new Set<string>();
  walkDescendants(source, (node) => {
    if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name) || !node.initializer) return true;
    const made = unwrap(node.initializer);
    if (ts.isCallExpression(made) && /(?:^|\.)promisify$/.test(made.expression.getText(source)) && made.arguments[0] && startsProcess(made.arguments[0], names)) found.add(node.name.text);
    return true;
  });
  return found;
}

/** The command line a call starts, where it is written out: its first argument's text, then the strings of an argument list. */
function commandLine(call: ts.CallExpression): string | undefined {
  const [program, list] = call.arguments.map((argument) => unwrap(argument));
  const head = program && writtenText(program);
  if (head === undefined) return undefined;
  const rest = list && ts.isArrayLiteralExpression(list) ? list.elements.map((element) => writtenText(unwrap(element)) ?? '') : [];
  return [head, ...rest].join(' ');
}

/** A string's text; a template's with each hole a blank (`npx prisma migrate deploy --schema ${path}`). */
function writtenText(value: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(value)) return value.text;
  if (ts.isTemplateExpression(value)) return value.head.text + value.templateSpans.map((span) => ` ${span.literal.text}`).join('');
  return undefined;
}

/**
 * node-pg-migrate's CLI run by the file through child_process or execa (see the file comment): each such call whose
 * words nodePgMigrateCli.ts reads as a migrating command on a URL a pooler may front.
 */
function spawnedNodePgMigrateRuns(source: ts.SourceFile, fileName: string | undefined): LibrarySessionState[] {
  if (!fileName || !mayRunNodePgMigrate(source.text)) return [];
  const names = new Map<string, ImportedName>([...importedNames(source), ...requiredNames(source)]);
  const promisified = promisifiedStarters(source, names);
  const found: LibrarySessionState[] = [];
  let fileFacts: { spells: boolean; assigned: Map<string, (string | undefined)[]>; scriptArguments: string[][] } | undefined;
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || !(startsProcess(node.expression, names) || promisified.has(unwrap(node.expression).getText(source)))) return true;
    const words = commandWords(node, source);
    if (!words.some((word) => word !== undefined && word.includes(NODE_PG_MIGRATE_MODULE))) return true;
    // A program's arguments are its package scripts' only where it reads its command line.
    fileFacts ??= { spells: spellsLockingCommand(source), assigned: processEnvAssignments(source), scriptArguments: readsCommandLine(source) ? packageScriptArguments(fileName) : [] };
    const facts = fileFacts;
    const callEnv = callEnvironment(node, source);
    const assigned = (name: string): (string | undefined)[] => [...(facts.assigned.get(name) ?? []), ...(callEnv === undefined ? [] : callEnv === 'unknown' ? [undefined] : callEnv.get(name) ?? [])];
    if (nodePgMigrateLocksPooled(fileName, words, { assigned, spellsLockingCommand: facts.spells, scriptArguments: facts.scriptArguments })) {
      found.push({ node, rule: 'advisory-lock', at: node, connection: undefined, module: NODE_PG_MIGRATE_CLI });
    }
    return true;
  });
  return found;
}

/** How deep const arrays spread into an argument list are followed (`[...base]`, `base = [...common, 'up']`). */
const SPREAD_LEVELS = 3;

/**
 * The words of the command line a call starts (undefined for a value the program computes): its first argument's
 * (a string split at blanks and shell separators, a template's holes as computed words), then its argument list's.
 */
function commandWords(call: ts.CallExpression, source: ts.SourceFile): CommandWord[] {
  const [program, list] = call.arguments;
  if (!program) return [];
  const head = lineWords(program, source);
  const listed = list ? constArray(list, source) : undefined;
  return listed ? [...head, ...listElements(listed, source, 0)] : head;
}

/** A command string's words: a literal's (or a const string's of the file) split at blanks, a template's holes as computed words. */
function lineWords(value: ts.Expression, source: ts.SourceFile): CommandWord[] {
  const written = unwrap(value);
  const split = (text: string): string[] => text.replace(/([;&|]+)/g, ' $1 ').split(/\s+/).filter(Boolean);
  if (ts.isStringLiteralLike(written)) return split(written.text);
  if (ts.isTemplateExpression(written)) return [...split(written.head.text), ...written.templateSpans.flatMap((span) => [undefined, ...split(span.literal.text)])];
  const text = constString(written, source);
  return text === undefined ? [cliBinPath(written, source)] : split(text);
}

/** An argument list's words: each string one word (a const string of the file too), a spread const array's elements in its place. */
function listElements(list: ts.ArrayLiteralExpression, source: ts.SourceFile, level: number): CommandWord[] {
  return list.elements.flatMap((element): CommandWord[] => {
    if (ts.isSpreadElement(element)) {
      const spread = level < SPREAD_LEVELS ? constArray(element.expression, source) : undefined;
      return spread ? listElements(spread, source, level + 1) : [undefined];
    }
    const word = unwrap(element);
    return [constString(word, source) ?? cliBinPath(word, source)];
  });
}

/** Path builders whose segments make a path (`path.join(__dirname, '..', 'node_modules', '.bin', 'node-pg-migrate')`). */
const PATH_BUILDER = /^(?:path\.)?(?:join|resolve)$/;

/**
 * The path to node-pg-migrate's bin a path builder makes, written as the argument or held in a const of the file:
 * its string segments joined (whatever folder it starts from, the program run is the CLI); undefined for any other value.
 */
function cliBinPath(value: ts.Expression, source: ts.SourceFile): string | undefined {
  const initializer = ts.isIdentifier(value) ? constInitializer(source, value.text) : value;
  const built = initializer && unwrap(initializer);
  if (!built || !ts.isCallExpression(built) || !PATH_BUILDER.test(built.expression.getText(source))) return undefined;
  const last = built.arguments[built.arguments.length - 1];
  if (!last || !ts.isStringLiteralLike(last)) return undefined;
  const path = built.arguments.filter(ts.isStringLiteralLike).map((segment) => segment.text).join('/');
  return namesNodePgMigrateCli(path) ? path : undefined;
}

/** Whether the program reads its own command line (`process.argv`), through which a package script's arguments reach it. */
function readsCommandLine(source: ts.SourceFile): boolean {
  return source.text.includes('process.argv');
}

/** A string written out, or held in a const of the file (`const DIR = 'db/migrations'`). */
function constString(value: ts.Expression, source: ts.SourceFile): string | undefined {
  if (ts.isStringLiteralLike(value)) return value.text;
  const initializer = ts.isIdentifier(value) ? constInitializer(source, value.text) : undefined;
  const written = initializer && unwrap(initializer);
  return written && ts.isStringLiteralLike(written) ? written.text : undefined;
}

/** An array literal written as the argument, or held in a const of the file the argument names. */
function constArray(argument: ts.Expression, source: ts.SourceFile): ts.ArrayLiteralExpression | undefined {
  let value = unwrap(argument);
  if (ts.isIdentifier(value)) {
    const initializer = constInitializer(source, value.text);
    value = initializer ? unwrap(initializer) : value;
  }
  return ts.isArrayLiteralExpression(value) ? value : undefined;
}

/** Whether the file holds `up`, `down` or `redo` as a string of its own (the command a program may choose: `process.argv[2] ?? 'up'`). */
function spellsLockingCommand(source: ts.SourceFile): boolean {
  let spells = false;
  walkDescendants(source, (node) => {
    if (ts.isStringLiteralLike(node) && /^(?:up|down|redo)$/.test(node.text)) spells = true;
    return !spells;
  });
  return spells;
}

/** The value text a written value gives a variable: a string's, or `process.env.NAME` as written; undefined where the code computes it. */
function assignedText(value: ts.Expression, source: ts.SourceFile): string | undefined {
  const written = unwrap(value);
  if (ts.isStringLiteralLike(written)) return written.text;
  return ts.isPropertyAccessExpression(written) && /^process\.env\.\w+$/.test(written.getText(source)) ? written.getText(source) : undefined;
}

/** The values the file gives environment variables (`process.env.DATABASE_URL = …`, `process.env['DATABASE_URL'] = …`). */
function processEnvAssignments(source: ts.SourceFile): Map<string, (string | undefined)[]> {
  const found = new Map<string, (string | undefined)[]>();
  walkDescendants(source, (node) => {
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return true;
    const target = unwrap(node.left);
    const name = ts.isPropertyAccessExpression(target) && target.expression.getText(source) === 'process.env' ? target.name.text
      : ts.isElementAccessExpression(target) && target.expression.getText(source) === 'process.env' && ts.isStringLiteralLike(target.argumentExpression) ? target.argumentExpression.text : undefined;
    if (name !== undefined) found.set(name, [...(found.get(name) ?? []), assignedText(node.right, source)]);
    return true;
  });
  return found;
}

/**
 * The variables a call's options set in the started process's environment (`{ env: { ...process.env, DATABASE_URL:
 * process.env.DIRECT_URL } }`): undefined where no option names an `env`, 'unknown' where one is not written out.
 */
function callEnvironment(call: ts.CallExpression, source: ts.SourceFile): Map<string, (string | undefined)[]> | 'unknown' | undefined {
  for (const argument of call.arguments.slice(1)) {
    const options = constObject(argument, source);
    const env = options && objectProperty(options, 'env');
    if (!env) continue;
    const written = unwrap(env);
    if (!ts.isObjectLiteralExpression(written)) return 'unknown';
    const found = new Map<string, (string | undefined)[]>();
    for (const property of written.properties) {
      if (ts.isSpreadAssignment(property)) {
        if (unwrap(property.expression).getText(source) !== 'process.env') return 'unknown';
      } else if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteralLike(property.name))) {
        found.set(property.name.text, [assignedText(property.initializer, source)]);
      } else if (ts.isShorthandPropertyAssignment(property)) {
        found.set(property.name.text, [undefined]);
      } else return 'unknown';
    }
    return found;
  }
  return undefined;
}
