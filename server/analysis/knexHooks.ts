// knex calls a connection hook only from its pool settings: its client builds the pool from `config.pool`, and
// `afterCreate` is read there alone (knex's documentation shows it as `pool: { afterCreate(conn, done) { … } }`). The
// same function written on the config itself, beside `pool`, is an option knex does not know and never calls, so what it
// would send reaches no server (as statements after a `return`, embedded.ts noteUnreachableAfter). Only a function
// written in place counts: a named function handed as the value may be called from elsewhere.
import ts from 'typescript';
import { propertyNameText } from './astWalk';
import { outermostWrapper } from './embeddedFlow';
import { passedToKnex } from './knexSearchPath';

/** knex's hook on each new connection, which it reads from `pool` only. */
const POOL_HOOK = 'afterCreate';

/** Whether `fn` is an `afterCreate` written in place on a config object handed to knex, outside its `pool`: never called. */
export function isKnexHookOutsidePool(fn: ts.SignatureDeclaration): boolean {
  const property = ts.isMethodDeclaration(fn) ? fn : outermostWrapper(fn).parent;
  if (!property || !(ts.isMethodDeclaration(property) || ts.isPropertyAssignment(property))) return false;
  if (ts.isPropertyAssignment(property) && outermostWrapper(fn) !== property.initializer) return false;
  const object = property.parent;
  return propertyNameText(property.name) === POOL_HOOK && ts.isObjectLiteralExpression(object) && passedToKnex(object);
}
