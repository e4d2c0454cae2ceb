// A driver's own API that keeps state on one server connection, with no SQL written for it: postgrejs
// (postgresql-client) and ts-postgres parse `prepare(text)` as a NAMED protocol statement executed by later
// calls, pg-native parses `prepare(name, text, nParams)` / `prepareSync(…)` under that name for later
// `execute(name, …)` calls, and postgrejs's `listen(channel, fn)` sends LISTEN, as does @effect/sql-pg's PgClient service's
// `listen(channel)` (a stream of the channel's notifications, also handed point-free to a pipe or a flatMap:
// `pipe(channel, client.listen, …)`). Behind a transaction pooler the later call may run on another server connection,
// and a LISTEN's notifications go to a server connection other clients share. `prepare` and `listen` are common method names (express's
// `app.listen(port, fn)`, ORMs' `prepare`), so only a receiver this file makes or types with such a driver's
// own class counts, in a file importing that driver (for @effect/sql-pg, a receiver typed with its `PgClient` or taken
// from the service with `yield* PgClient.PgClient`). Inside the driver's own package (its tests, examples,
// benchmarks) the driver is its own source: a relative import there is an import of the driver.
import ts from 'typescript';
import { DRIVER_LISTEN_MODULES, DRIVER_NAMED_PREPARE_MODULES, EFFECT_PG_MODULES, DRIVER_PREPARE_MODULES, LISTEN_METHOD, PREPARE_OPTION, PREPARE_SYNC_METHOD } from './codeWords';
import type { ImportedModule } from './embeddedDialect';
import { relative, resolve } from 'node:path';
import { owningPackage } from './moduleResolution';
import { TEST_PATH } from './inProcess';

export type DriverStatementKind = 'prepare' | 'listen';

export class DriverStatementCalls {
  private readonly prepareClasses: string[];
  private readonly listenClasses: string[];
  private readonly namedPrepareClasses: string[];
  private readonly effectPgClasses: string[];
  /** madeFrom's verdicts by class list and receiver name: the text is searched once for each name. */
  private readonly madeFromVerdicts = new Map<readonly string[], Map<string, boolean>>();

  constructor(modules: readonly ImportedModule[], private readonly text: string) {
    this.prepareClasses = classesFrom(modules, DRIVER_PREPARE_MODULES);
    this.listenClasses = classesFrom(modules, DRIVER_LISTEN_MODULES);
    this.namedPrepareClasses = classesFrom(modules, DRIVER_NAMED_PREPARE_MODULES);
    this.effectPgClasses = classesFrom(modules, EFFECT_PG_MODULES);
  }

  /** What `receiver.name(…)` keeps on its server connection, if it is such a driver call. */
  kindOf(call: ts.CallExpression, name: string, receiver: ts.Expression): DriverStatementKind | undefined {
    if (name === PREPARE_OPTION && preparesText(call.arguments[0]) && this.madeFrom(receiver, this.prepareClasses)) return 'prepare';
    if ((name === PREPARE_OPTION || name === PREPARE_SYNC_METHOD) && namesStatement(call) && this.madeFrom(receiver, this.namedPrepareClasses)) return 'prepare';
    if (name === LISTEN_METHOD && call.arguments.length === 2 && isChannel(call.arguments[0]) && isFunction(call.arguments[1])
      && this.madeFrom(receiver, this.listenClasses)) return 'listen';
    if (name === LISTEN_METHOD && call.arguments.length === 1 && isChannel(call.arguments[0]) && this.madeFrom(receiver, this.effectPgClasses)) return 'listen';
    return undefined;
  }

  /**
   * The arguments of the call that hand a stream-returning `listen` over without calling it (`pipe(channel, client.listen)`,
   * `Effect.flatMap(client.listen)`): @effect/sql-pg's, on a receiver made from its PgClient service.
   */
  pointFreeListens(call: ts.CallExpression): ts.PropertyAccessExpression[] {
    if (this.effectPgClasses.length === 0) return [];
    return call.arguments.filter((argument): argument is ts.PropertyAccessExpression => ts.isPropertyAccessExpression(argument)
      && argument.name.text === LISTEN_METHOD && this.madeFrom(argument.expression, this.effectPgClasses));
  }

  /**
   * Whether the receiver (`conn` or `this.conn`) is declared with, or assigned a `new` of, one of the driver's
   * classes, or is a connection acquired from such a pool (`pool.acquire()` awaited, or its `.then(conn => …)`).
   */
  private madeFrom(receiver: ts.Expression, classes: readonly string[]): boolean {
    if (classes.length === 0) return false;
    const name = ts.isIdentifier(receiver) ? receiver.text
      : ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword ? receiver.name.text : undefined;
    if (!name) return false;
    let verdicts = this.madeFromVerdicts.get(classes);
    if (!verdicts) this.madeFromVerdicts.set(classes, (verdicts = new Map()));
    let verdict = verdicts.get(name);
    if (verdict === undefined) {
      verdict = madeInText(this.text, name, classes);
      verdicts.set(name, verdict);
    }
    return verdict;
  }
}

/**
 * Whether `text` declares `name` with one of the classes, assigns it a `new` of one, takes it from a pool's acquire(),
 * or yields it from an Effect service tag of one (`const client = yield* PgClient.PgClient`).
 */
function madeInText(text: string, name: string, classes: readonly string[]): boolean {
  const own = name.replace(/\$/g, '\\$');
  const types = classes.join('|');
  // Not after a `#`: a private field `#conn` is another member than `conn` (and `#conn` itself starts with one).
  const declared = new RegExp(String.raw`(?:^|[^\w$.#])${own}\s*(?:[?!]\s*)?:\s*(?:${types})\b`);
  const created = new RegExp(String.raw`(?:^|[^\w$#])${own}\s*=\s*(?:await\s+)?(?:new\s+(?:${types})\b|yield\s*\*\s*(?:${types})\b|${acquired})`);
  const acquiredIn = new RegExp(String.raw`\.acquire\(\s*\)\s*\.then\(\s*(?:async\s+)?(?:\(\s*)?${own}\b`);
  return declared.test(text) || created.test(text) || acquiredIn.test(text);
}

/**
 * Files of a package that use it as its users do: tests (inProcess.ts's TEST_PATH), examples, benchmarks. The
 * package's own source (a Pool whose `prepare` forwards to a connection's) implements the API: the hazard is its callers'.
 */
const USER_CODE_PATH = new RegExp(String.raw`${TEST_PATH.source}|(?:^|[\\/])(?:examples?|bench(?:marks?)?)[\\/]`, 'i');

/** The driver (of DRIVER_PREPARE_MODULES, DRIVER_LISTEN_MODULES or DRIVER_NAMED_PREPARE_MODULES) whose own package's test or example the file is, if any. */
export function ownDriverPackage(fileName: string | undefined): string | undefined {
  const owner = fileName && USER_CODE_PATH.test(fileName) ? owningPackage(fileName) : undefined;
  if (!owner || !(DRIVER_PREPARE_MODULES.has(owner.name) || DRIVER_LISTEN_MODULES.has(owner.name) || DRIVER_NAMED_PREPARE_MODULES.has(owner.name))) return undefined;
  return USER_CODE_PATH.test(relative(owner.folder, resolve(fileName!))) ? owner.name : undefined;
}

/** The file's imports, its relative ones read as imports of the driver when the file is in the driver's own package. */
export function withOwnDriverImports(modules: readonly ImportedModule[], fileName: string | undefined): readonly ImportedModule[] {
  const driver = ownDriverPackage(fileName);
  if (!driver) return modules;
  return modules.map((module) => (module.specifier.startsWith('.') ? { ...module, specifier: driver } : module));
}

/** `pool.acquire()` awaited into the name: a connection of the pool. */
const acquired = String.raw`[\w$.]+\.acquire\(\s*\)`;

/** The driver's classes this file imports (`Connection`, `Pool`, `Client`), under their local names. */
function classesFrom(modules: readonly ImportedModule[], drivers: ReadonlySet<string>): string[] {
  return modules.filter((module) => drivers.has(module.specifier)).flatMap((module) => module.names).filter((name) => /^[A-Z][\w$]*$/.test(name));
}

/** SQL text (a literal or template) or a query object with `text`: what the driver parses as a named statement. */
function preparesText(argument: ts.Expression | undefined): boolean {
  if (!argument) return false;
  if (ts.isStringLiteralLike(argument) || ts.isTemplateExpression(argument)) return true;
  if (ts.isIdentifier(argument)) return true;
  return ts.isObjectLiteralExpression(argument) && argument.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'text');
}

/**
 * pg-native's `prepare(name, text, nParams[, cb])` / `prepareSync(name, text, nParams)`: a name that is not the empty
 * (unnamed) statement, then SQL text, then the parameter count. Fewer arguments is another API's `prepare`.
 */
function namesStatement(call: ts.CallExpression): boolean {
  const [name, text] = call.arguments;
  if (call.arguments.length < 3 || !name || (ts.isStringLiteralLike(name) && name.text === '')) return false;
  return preparesText(text) || (text !== undefined && ts.isPropertyAccessExpression(text));
}

function isChannel(argument: ts.Expression): boolean {
  return ts.isStringLiteralLike(argument) || ts.isTemplateExpression(argument) || ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument);
}

function isFunction(argument: ts.Expression): boolean {
  return ts.isArrowFunction(argument) || ts.isFunctionExpression(argument) || ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument);
}
