// What makes a variable a pool (each query may take another server connection): its name, or every value it is given
// being one — made by a pool factory, or returned by a function of the project that makes or hands out one
// (isPoolValue). One reading where a receiver is judged a pool (embedded.ts, isMadeAsPool) and where a suite's
// variable is judged one client a per-test transaction can be kept on (suiteTransactions.ts, isPoolVariable).
import ts from 'typescript';
import { resolve } from 'node:path';
import { calleeText, flowOfModule, isConstDeclaration, objectProperty, returnedValues, singleReturn, unwrap, type Flow } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { fileImports, type ImportedName } from './ownServerHelpers';
import { requiredModule } from './embeddedDialect';
import { importedNames } from './importedNames';
import { namesProjectFile, resolveModule } from './moduleResolution';
import { parsed } from './callerFiles';
import { everyImporterPasses } from './exportImporters';
import { TEST_PATH } from './testPath';
import { calledFunction } from './rolledBackCallbacks';
import { declaredClientKind } from './poolParameters';
import { passedThrough } from './proxyTargets';

/**
 * Receivers that are pools by their name (`pool`, `db.pool`, `testPool`, a private field `this.#pool`); not
 * `poolClient`, a client checked out of one.
 */
export const POOL_NAME = /(^|\.#?)(pool|\w*Pool)$/;
/** Factories whose result is a pool (pg, postgres.js, knex, Sequelize, Drizzle, Prisma). */
export const POOL_FACTORY = /^(Pool|postgres|knex|Knex|Sequelize|drizzle|PrismaClient|createPool)$/;

/**
 * The name a pool factory is called by, seen through a rename on import from a package (`import { Pool as PgPool }
 * from 'pg'`, `import { drizzle as drizzleNeon } from 'drizzle-orm/neon-http'`): its exported name. A project's own
 * module keeps the local name (its function may make anything).
 */
export function packageFactoryName(callee: ts.Expression, importedName: (name: string) => ImportedName | undefined): string {
  if (!ts.isIdentifier(callee)) return calleeText(callee);
  const imported = importedName(callee.text);
  return imported && imported.name !== 'default' && !/^[./]/.test(imported.specifier) ? imported.name : callee.text;
}

/**
 * Options that cap a pool at one connection (`{ max: 1 }`, knex's `{ pool: { max: 1 } }`), written in place or held by
 * a `const` of the same file that the file never changes (`const CONN = { connect_timeout: 5, max: 1 }; … postgres(url,
 * CONN)`; see constOptionsObject), or by an `as const` object a test helper exports and nothing changes
 * (importedOptionsObject).
 */
export function capsAtOneConnection(argument: ts.Expression, hops = 0): boolean {
  const value = constOptionsObject(unwrap(argument), hops);
  return value !== undefined && value.properties.some((p) => ts.isPropertyAssignment(p)
    && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
    && ((p.name.text === 'max' && ts.isNumericLiteral(unwrap(p.initializer)) && (unwrap(p.initializer) as ts.NumericLiteral).text === '1')
      || (p.name.text === 'pool' && capsAtOneConnection(p.initializer, hops))));
}

/** How many consts deep an options object is followed (`const BASE = { max: 1 }; const OPTS = BASE`). */
const MAX_OPTIONS_HOPS = 3;
/** Calls that write into the object they are given first (`Object.assign(CONN, { max: 5 })`, lodash's `merge`). */
const WRITES_FIRST_ARGUMENT = /^(?:assign|merge|mergeWith|defaults|defaultsDeep|extend|set)$/;

/**
 * The object literal an options argument is: written in place, or the initializer of the `const` of the same file the
 * name is bound to (scoped as the code reads it: a parameter or an inner declaration of that name hides it), when no
 * code of the file writes into it (`CONN.max = 5`, `CONN['max'] = 5`, `delete CONN.max`, `Object.assign(CONN, …)`): the
 * object handed over is then the one written out. A `let`, a parameter and a spread are not read, nor an import but a
 * test helper's unchanged `as const` object (importedOptionsObject).
 */
function constOptionsObject(value: ts.Expression, hops: number): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(value)) return value;
  if (!ts.isIdentifier(value) || hops >= MAX_OPTIONS_HOPS) return undefined;
  const source = value.getSourceFile() as ts.SourceFile | undefined;
  if (!source) return undefined;
  const flow = flowOfModule(source);
  const binding = flow.bindingOf(value);
  if (!binding && !flow.destructuringOf(value)) return importedOptionsObject(source, value.text);
  const declaration = binding && 'variable' in binding ? binding.variable : undefined;
  if (!declaration || !isConstDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return undefined;
  let written = writtenConsts.get(declaration);
  if (written === undefined) writtenConsts.set(declaration, (written = writtenInto(source, [declaration.name.text], (node) => node !== declaration.name && flow.bindsTo(node, declaration))));
  if (written) return undefined;
  return constOptionsObject(unwrap(declaration.initializer), hops + 1);
}

const writtenConsts = new WeakMap<ts.VariableDeclaration, boolean>();

/**
 * The object literal a name imported from a test helper of the project holds (`import { integrationPostgresOptions }
 * from './test/integration-db'`, exported there as `export const integrationPostgresOptions = { max: 1,
 * connect_timeout: 2 } as const`): the helper's top-level exported `const`, its object written `as const` (TypeScript
 * refuses a write to its members), when neither the helper nor any file importing it writes into it (writtenInto) and
 * no file takes it through a re-export or a namespace (exportImporters.ts). A helper of application code, a `let`, an
 * object without `as const`, a spread or another name's value is not read.
 */
function importedOptionsObject(source: ts.SourceFile, name: string): ts.ObjectLiteralExpression | undefined {
  const imported = importedNames(source).get(name);
  const importer = resolve(source.fileName);
  if (!imported || imported.name === 'default' || !namesProjectFile(importer, imported.specifier)) return undefined;
  const file = resolveModule(importer, imported.specifier);
  const helper = file !== undefined && TEST_PATH.test(file) ? parsed(file)?.source : undefined;
  const declaration = helper && exportedConstDeclaration(helper, imported.name);
  const initializer = declaration?.initializer;
  if (!helper || !declaration || !initializer || !ts.isAsExpression(initializer) || !ts.isConstTypeReference(initializer.type)) return undefined;
  const object = unwrap(initializer);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  let unchanged = unchangedExports.get(declaration);
  if (unchanged === undefined) {
    const helperFlow = flowOfModule(helper);
    unchanged = !writtenInto(helper, [imported.name], (node) => node !== declaration.name && helperFlow.bindsTo(node, declaration))
      && everyImporterPasses(file!, imported.name, { view: parsed, localsPass: importedNamesUnwritten, reexportPasses: () => false });
    unchangedExports.set(declaration, unchanged);
  }
  return unchanged ? object : undefined;
}

const unchangedExports = new WeakMap<ts.VariableDeclaration, boolean>();

/** A module's top-level `export const name = …` declaration. */
function exportedConstDeclaration(source: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
    if (declaration) return isConstDeclaration(declaration) ? declaration : undefined;
  }
  return undefined;
}

/** Whether an importer writes into the object it imports under `locals` (a name no declaration of the file hides). */
function importedNamesUnwritten(view: { source: ts.SourceFile }, locals: readonly string[]): boolean {
  const flow = flowOfModule(view.source);
  return !writtenInto(view.source, locals, (node) => !flow.bindingOf(node) && !flow.destructuringOf(node));
}

/**
 * Whether code of the file writes into the object a const holds (see constOptionsObject): a mention of it (one of
 * `names` that `refersTo` it) whose member is assigned, deleted or stepped, or that is handed first to a call writing
 * into its first argument.
 */
function writtenInto(source: ts.SourceFile, names: readonly string[], refersTo: (node: ts.Identifier) => boolean): boolean {
  let written = false;
  walkDescendants(source, (node) => {
    if (!ts.isIdentifier(node) || !names.includes(node.text) || !refersTo(node)) return undefined;
    const parent = node.parent;
    // `CONN.max = 5`, and a member of a member (`CONN.pool.max = 5`).
    let access: ts.Expression = node;
    while ((ts.isPropertyAccessExpression(access.parent) || ts.isElementAccessExpression(access.parent)) && access.parent.expression === access) access = access.parent;
    if (access !== node && isWriteTarget(access)) written = true;
    if (ts.isCallExpression(parent) && parent.arguments[0] === node && WRITES_FIRST_ARGUMENT.test(calleeText(parent.expression))) written = true;
    return undefined;
  }, () => written);
  return written;
}

/** A member access written to: an assignment's target (`=`, `+=`, …), `delete`d, incremented. */
function isWriteTarget(access: ts.Expression): boolean {
  const parent = access.parent;
  if (ts.isBinaryExpression(parent) && parent.left === access) {
    return parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
  }
  const steps = (operator: ts.SyntaxKind): boolean => operator === ts.SyntaxKind.PlusPlusToken || operator === ts.SyntaxKind.MinusMinusToken;
  return ts.isDeleteExpression(parent) || ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && steps(parent.operator));
}

/**
 * Where a pool is read: in application code, where concurrent callers share even a pool capped at one connection (a
 * BEGIN sent through it may take in another caller's queries); or in test code, whose tests run one after another, so
 * a pool capped at one connection (`new Pool({ max: 1 })`) keeps one session for a suite's hooks and its test, as
 * ownServerClients.ts reads it there.
 */
export type PoolReading = 'application' | 'test';

/** How many variables and functions of the project deep a value is followed to the pool it may be. */
const MAX_POOL_DEPTH = 4;

/**
 * Whether a value is a pool: made by a pool factory (`new Pool()`, renamed on import too), a variable named one or
 * given only pools, or a call of a function of the project every value of which it returns is one (`getPool()` whose
 * body makes `new Pool(…)` or hands out its module's cached pool). A function whose body is not found (a package's)
 * counts by its own name as a receiver does (`getPool()`, `createTestPool()`; not `getPoolClient()`).
 */
export function isPoolValue(expression: ts.Expression, flowOf: (source: ts.SourceFile) => Flow, reading: PoolReading = 'application', depth = 0): boolean {
  if (depth > MAX_POOL_DEPTH) return false;
  const value = unwrap(expression);
  const source = value.getSourceFile();
  if ((ts.isNewExpression(value) || ts.isCallExpression(value)) && POOL_FACTORY.test(packageFactoryName(value.expression, importedNameIn(source)))) {
    return reading === 'application' || !(value.arguments ?? []).some(capsAtOneConnection);
  }
  // Prisma's `client.$extends(extension)`: the same client, its engine and connection pool, with behaviour added (a
  // chain of them is one expression: it costs no depth).
  if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === PRISMA_EXTENDS) {
    return isPoolValue(value.expression.expression, flowOf, reading, depth);
  }
  // `global.prisma ?? makeClient()`: a development server's cache across reloads, holding what this module made before.
  const cached = globalCacheFallback(value, flowOf(source));
  if (cached) return isPoolValue(cached, flowOf, reading, depth + 1);
  if (ts.isCallExpression(value)) {
    const helper = calledFunction(value);
    if (!helper) return POOL_NAME.test(calleeText(value.expression));
    const returned = returnedValues(helper);
    return returned.length > 0 && returned.every((made) => isPoolValue(made, flowOf, reading, depth + 1));
  }
  if (!ts.isIdentifier(value)) return false;
  const binding = flowOf(source).bindingOf(value);
  if (binding !== undefined && !('parameterOf' in binding)) return isPoolVariable(binding.variable, flowOf, reading, depth + 1);
  // A parameter's declared type decides over its name (`pool: PoolClient` is one connection).
  const declared = binding !== undefined ? declaredClientKind(binding.parameter.type) : undefined;
  return declared !== undefined ? declared === 'pool' : POOL_NAME.test(value.text);
}

/**
 * The packages whose factories make every value a client expression may hold (`new Pool(…)` with `Pool` imported from
 * 'pg': 'pg'; `knex(…)` from 'knex'; `require('knex')(…)`), followed as isPoolValue follows a pool: through the
 * variables holding it (a module's `let pool: Pool | null = null` and the `pool = new Pool(…)` its setup assigns) and
 * the functions of the project returning it (`getDatabase()` imported from the project's config module). Undefined when
 * some value is made otherwise or cannot be followed: a parameter, a member, a class or function of the project whose
 * body is not read, a namespace import (`import * as pg`).
 */
export function factoryPackages(expression: ts.Expression, flowOf: (source: ts.SourceFile) => Flow, depth = 0): Set<string> | undefined {
  if (depth > MAX_POOL_DEPTH) return undefined;
  const value = unwrap(expression);
  const source = value.getSourceFile();
  if (ts.isNewExpression(value) || ts.isCallExpression(value)) {
    const made = factoryPackage(value.expression, source);
    if (made !== undefined) return new Set([made]);
  }
  const values = ts.isCallExpression(value) ? returnedByProjectFunction(value)
    : ts.isIdentifier(value) ? variableValues(value, flowOf(source)) : undefined;
  if (values === undefined || values.length === 0) return undefined;
  const packages = new Set<string>();
  for (const held of values) {
    const found = factoryPackages(held, flowOf, depth + 1);
    if (found === undefined) return undefined;
    for (const name of found) packages.add(name);
  }
  return packages;
}

/** The package a factory callee is imported from (`Pool`, `pg.Pool`, `knex`, `require('knex')`); not a project module's. */
function factoryPackage(callee: ts.Expression, source: ts.SourceFile): string | undefined {
  const bare = unwrap(callee);
  if (ts.isCallExpression(bare)) return packageName(requiredModule(bare));
  const root = ts.isIdentifier(bare) ? bare : ts.isPropertyAccessExpression(bare) && ts.isIdentifier(bare.expression) ? bare.expression : undefined;
  return root && packageName(fileImports(source).get(root.text)?.specifier);
}

/** A package's specifier (`pg`, `@neondatabase/serverless`); not a relative path or a project alias (`@/db`, `~/db`). */
function packageName(specifier: string | undefined): string | undefined {
  return specifier !== undefined && /^(?:@[\w.-]+\/)?[\w.-]+(?:\/|$)/.test(specifier) && !/^\./.test(specifier) ? specifier : undefined;
}

/** What a call of a function of the project (of the file, or imported from its modules) returns. */
function returnedByProjectFunction(call: ts.CallExpression): ts.Expression[] | undefined {
  const fn = calledFunction(call);
  return fn && returnedValues(fn);
}

/** Every value a variable (not a parameter) may hold where `name` reads it. */
function variableValues(name: ts.Identifier, flow: Flow): ts.Expression[] | undefined {
  const binding = flow.bindingOf(name);
  return binding !== undefined && !('parameterOf' in binding) ? flow.heldValues(binding.variable) : undefined;
}

/**
 * Whether the member `member` of the object a call of a function of the project returns (`const { db } = initDb()`, the
 * function of the file or imported, also by `await import(…)`) is a pool the function makes: its one returned value is
 * an object literal without a spread whose member holds, through consts and helpers handing back their argument, a
 * pool factory's call (`new Pool(…)`), or drizzle's around one (`const db = drizzle(new Pool(…))`). A drizzle database
 * around what the function was handed (`drizzle(client)`) may be on a caller's connection inside its transaction: no.
 */
export function returnedMemberIsPool(call: ts.CallExpression, member: string, flowOf: (source: ts.SourceFile) => Flow): boolean {
  const fn = calledFunction(call);
  const returned = fn && singleReturn(fn);
  const object = returned && unwrap(returned);
  if (!object || !ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return false;
  const value = objectProperty(object, member);
  const made = value && madeClient(value, flowOf);
  if (!made || !(ts.isCallExpression(made) || ts.isNewExpression(made))) return false;
  if (packageFactoryName(made.expression, importedNameIn(made.getSourceFile())) !== 'drizzle') return isPoolValue(made, flowOf);
  const client = made.arguments?.[0] && madeClient(made.arguments[0], flowOf);
  return client !== undefined && (ts.isCallExpression(client) || ts.isNewExpression(client)) && isPoolValue(client, flowOf);
}

/** The expression that makes what `expression` holds, followed through consts and helpers that hand back their argument (passedThrough). */
function madeClient(expression: ts.Expression, flowOf: (source: ts.SourceFile) => Flow, depth = 0): ts.Expression | undefined {
  if (depth > MAX_POOL_DEPTH) return undefined;
  const value = unwrap(expression);
  const source = value.getSourceFile();
  if (ts.isIdentifier(value)) {
    const binding = flowOf(source).bindingOf(value);
    const declaration = binding && 'variable' in binding && isConstDeclaration(binding.variable) ? binding.variable : undefined;
    return declaration?.initializer ? madeClient(declaration.initializer, flowOf, depth + 1) : undefined;
  }
  const through = ts.isCallExpression(value) ? passedThrough(value, { source, flow: flowOf(source), fileName: source.fileName }) : undefined;
  return through ? madeClient(through, flowOf, depth + 1) : value;
}

/** Prisma's method returning an extended client over the same engine (`prisma.$extends(…)`). */
const PRISMA_EXTENDS = '$extends';

/**
 * The value made when the global object holds none, in a module's cache of its client across reloads (`const prisma =
 * global.prisma ?? makeClient()`, also `globalForPrisma.prisma || new PrismaClient()` with `const globalForPrisma =
 * globalThis as …`), when every value the module stores in that global property is the variable this choice initializes
 * (`global.prisma ??= prisma`): the global then holds only what an earlier load made the same way. Undefined otherwise.
 */
function globalCacheFallback(value: ts.Expression, flow: Flow): ts.Expression | undefined {
  if (!ts.isBinaryExpression(value) || (value.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken && value.operatorToken.kind !== ts.SyntaxKind.BarBarToken)) return undefined;
  const key = globalKey(value.left, flow);
  const declaration = value.parent && ts.isVariableDeclaration(value.parent) ? value.parent : undefined;
  if (key === undefined || !declaration || !ts.isIdentifier(declaration.name)) return undefined;
  const stored: ts.Expression[] = [];
  walkDescendants(value.getSourceFile(), (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && globalKey(node.left, flow) === key) stored.push(node.right);
  });
  const storesThisVariable = (right: ts.Expression): boolean => {
    const name = unwrap(right);
    return ts.isIdentifier(name) && flow.bindsTo(name, declaration);
  };
  return stored.length > 0 && stored.every(storesThisVariable) ? value.right : undefined;
}

/** `global.x`, `globalThis.x`, or `g.x` where `g` is a const holding the global object (`globalThis as unknown as …`): `x`. */
function globalKey(expression: ts.Expression, flow: Flow): string | undefined {
  const access = unwrap(expression);
  if (!ts.isPropertyAccessExpression(access)) return undefined;
  let owner = unwrap(access.expression);
  if (ts.isIdentifier(owner) && !isGlobalObject(owner)) {
    const binding = flow.bindingOf(owner);
    const initializer = binding && 'variable' in binding && isConstDeclaration(binding.variable) ? binding.variable.initializer : undefined;
    if (initializer) owner = unwrap(initializer);
  }
  return ts.isIdentifier(owner) && isGlobalObject(owner) ? access.name.text : undefined;
}

function isGlobalObject(name: ts.Identifier): boolean {
  return name.text === 'global' || name.text === 'globalThis';
}

/**
 * Whether a variable is a pool: declared as one (`let db: Pool`), given only pools (isMadeAsPool: a value seen to be a
 * pool outweighs a `PoolClient` annotation), or named one (`pool`, `testPool`; not `poolClient`) when its type does not
 * say it is one connection (`stockPool: PoolClient` is a checkout whatever its name).
 */
export function isPoolVariable(declaration: ts.VariableDeclaration, flowOf: (source: ts.SourceFile) => Flow, reading: PoolReading = 'application', depth = 0): boolean {
  const declared = declaredClientKind(declaration.type);
  if (declared === 'pool' || isMadeAsPool(declaration, flowOf, reading, depth)) return true;
  return declared === undefined && ts.isIdentifier(declaration.name) && POOL_NAME.test(declaration.name.text);
}

/**
 * Whether every value a variable is given is a pool (isPoolValue), and it is given at least one; those a factory makes
 * here are all made by one factory (`knex(…)` in one branch and `new Sequelize(…)` in another is not one kind of client).
 */
export function isMadeAsPool(declaration: ts.VariableDeclaration, flowOf: (source: ts.SourceFile) => Flow, reading: PoolReading = 'application', depth = 0): boolean {
  const held = flowOf(declaration.getSourceFile()).heldValues(declaration);
  if (held === undefined || held.length === 0) return false;
  const factories = new Set(held.map(unwrap).flatMap((value) => (ts.isNewExpression(value) || ts.isCallExpression(value)
    ? [packageFactoryName(value.expression, importedNameIn(value.getSourceFile()))].filter((name) => POOL_FACTORY.test(name)) : [])));
  return factories.size <= 1 && held.every((made) => isPoolValue(made, flowOf, reading, depth));
}

/** What a top-level name of `source` is imported as (`import { Pool as PgPool } from 'pg'`, a `require`). */
export function importedNameIn(source: ts.SourceFile): (name: string) => ImportedName | undefined {
  return (name) => fileImports(source).get(name);
}
