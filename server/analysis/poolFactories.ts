// What makes a variable a pool (each query may take another server connection): its name, or every value it is given
// being one — made by a pool factory, or returned by a function of the project that makes or hands out one
// (isPoolValue). One reading where a receiver is judged a pool (embedded.ts, isMadeAsPool) and where a suite's
// variable is judged one client a per-test transaction can be kept on (suiteTransactions.ts, isPoolVariable).
import ts from 'typescript';
import { calleeText, returnedValues, unwrap, type Flow } from './embeddedFlow';
import { fileImports, type ImportedName } from './ownServerHelpers';
import { calledFunction } from './rolledBackCallbacks';
import { declaredClientKind } from './poolParameters';

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

/** Options that cap a pool at one connection (`{ max: 1 }`, knex's `{ pool: { max: 1 } }`). */
export function capsAtOneConnection(argument: ts.Expression): boolean {
  const value = unwrap(argument);
  return ts.isObjectLiteralExpression(value) && value.properties.some((p) => ts.isPropertyAssignment(p)
    && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
    && ((p.name.text === 'max' && ts.isNumericLiteral(unwrap(p.initializer)) && (unwrap(p.initializer) as ts.NumericLiteral).text === '1')
      || (p.name.text === 'pool' && capsAtOneConnection(p.initializer))));
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
