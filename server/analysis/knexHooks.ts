// knex calls a connection hook only from its pool settings: its client builds the pool from `config.pool`, and
// `afterCreate` is read there alone (knex's documentation shows it as `pool: { afterCreate(conn, done) { … } }`). The
// same function written on the config itself, beside `pool`, is an option knex does not know and never calls, so what it
// would send reaches no server (as statements after a `return`, embedded.ts noteUnreachableAfter). Only a function
// written in place counts: a named function handed as the value may be called from elsewhere.
// knex hands the hook the driver's own connection (a node-postgres `Client`, …), not a knex object: a `conn.raw(…)`
// there calls a method that connection does not have, so it throws (or, under `if (conn.raw)`, is skipped) before
// anything is sent, and sets nothing on the server (callsRawOnKnexHookConnection).
import ts from 'typescript';
import { propertyNameText } from './astWalk';
import { outermostWrapper, type Flow } from './embeddedFlow';
import { passedToKnex } from './knexSearchPath';
import type { ImportedModule } from './embeddedDialect';

/** knex's package name. */
const KNEX_MODULE = 'knex';

/** knex's hook on each new connection, which it reads from `pool` only. */
const POOL_HOOK = 'afterCreate';

/** knex's own query method, which no driver's connection has. */
const KNEX_RAW_METHOD = 'raw';

/** The object literal `fn` is written in place on as its `afterCreate` (method or property value), if it is one. */
function hookObject(fn: ts.SignatureDeclaration): ts.ObjectLiteralExpression | undefined {
  const property = ts.isMethodDeclaration(fn) ? fn : outermostWrapper(fn).parent;
  if (!property || !(ts.isMethodDeclaration(property) || ts.isPropertyAssignment(property))) return undefined;
  if (ts.isPropertyAssignment(property) && outermostWrapper(fn) !== property.initializer) return undefined;
  const object = property.parent;
  return propertyNameText(property.name) === POOL_HOOK && ts.isObjectLiteralExpression(object) ? object : undefined;
}

/** Whether `fn` is an `afterCreate` written in place on a config object handed to knex, outside its `pool`: never called. */
export function isKnexHookOutsidePool(fn: ts.SignatureDeclaration): boolean {
  const object = hookObject(fn);
  return object !== undefined && passedToKnex(object);
}

/**
 * Whether `call` is `conn.raw(…)` on the first parameter of an `afterCreate` hook written in place, in a file that
 * imports knex: knex calls the hook with the driver's connection, which has no `raw` method, so the call
 * throws a TypeError (or its `if (conn.raw)` guard is false) and nothing reaches the server. `conn.query(…)` in the
 * hook is the driver's own method and is sent; a local of the name nearer than the parameter is another object.
 */
export function callsRawOnKnexHookConnection(call: ts.CallExpression, modules: readonly ImportedModule[], flow: Flow): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== KNEX_RAW_METHOD || !ts.isIdentifier(callee.expression)) return false;
  if (!modules.some((module) => module.specifier === KNEX_MODULE)) return false;
  // The name must be bound to the hook's first parameter itself: a nearer local or parameter of that name is another object.
  const binding = flow.bindingOf(callee.expression);
  if (!binding || !('parameterOf' in binding) || !ts.isIdentifier(binding.parameter.name)) return false;
  return binding.parameterOf.parameters[0] === binding.parameter && hookObject(binding.parameterOf) !== undefined;
}
