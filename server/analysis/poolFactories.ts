// What makes a variable a pool (each query may take another server connection): its name, or the one pool factory
// every value it is given is made by. Read alike where a receiver is judged a pool (embedded.ts) and where a suite's
// variable is judged one client a per-test transaction can be kept on (suiteTransactions.ts).
import ts from 'typescript';
import { calleeText, unwrap } from './embeddedFlow';
import type { ImportedName } from './ownServerHelpers';

/** Receivers that are pools by their name (`pool`, `db.pool`, `testPool`); not `poolClient`, a client checked out of one. */
export const POOL_NAME = /(^|\.)(pool|\w*Pool)$/;
/** Factories whose result is a pool (pg, postgres.js, knex, Sequelize, Drizzle, Prisma). */
export const POOL_FACTORY = /^(Pool|postgres|knex|Knex|Sequelize|drizzle|PrismaClient|createPool)$/;

/**
 * The pool factory every one of `values` is made by (`new Sequelize(…)` in each branch), when there is at least one
 * and they all name the same factory; undefined when any value is something else, or the values are unknown.
 */
export function poolFactoryOfEvery(values: readonly ts.Expression[] | undefined, factoryName: (callee: ts.Expression) => string): string | undefined {
  const factories = new Set<string>();
  for (const held of values ?? []) {
    const value = unwrap(held);
    const factory = ts.isNewExpression(value) || ts.isCallExpression(value) ? factoryName(value.expression) : '';
    if (!POOL_FACTORY.test(factory)) return undefined;
    factories.add(factory);
  }
  return factories.size === 1 ? [...factories][0] : undefined;
}

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
