// Libraries a postgres.js client is handed to that send every query with `client.unsafe(text, params)`,
// which postgres.js never prepares unless asked (`unsafe` defaults to `prepare: false`):
// - kysely-postgres-js (`new PostgresJSDialect({ postgres: client })`): queries and its own
//   begin/commit/rollback all go through `reserve()` and `unsafe()`.
// - drizzle-orm/postgres-js (`drizzle(client)`, `drizzle({ client })`): queries go through `unsafe()`, but
//   `db.transaction()` runs postgres.js `begin()`, whose `commit`, `rollback` and `savepoint` are tagged
//   templates, named prepared statements under the client's default `prepare: true`. So a drizzle handoff
//   prepares nothing only when its database is never given a transaction, in its file or in any file that
//   imports it (drizzleDatabaseUses.ts); drizzle's migrator runs one transaction, whose named `commit` is
//   never sent again when `migrate()` is called once.
//   Its `drizzle` is the one of drizzle-orm/postgres-js/driver, imported from there by some projects.
//   drizzle-orm/postgres-js also makes the client itself: `drizzle(url)`, `drizzle({ connection: url | options })`
//   call postgres.js with that URL or those options, so its defaults (a pool, `prepare: true`) hold unless the
//   options say otherwise (drizzleOwnConnection).
// - Lucia v3's adapter (`new PostgresJsAdapter(client, { user, session })` from @lucia-auth/adapter-postgresql): its
//   controller sends every query with `this.sql.unsafe(text, args)` and never opens a transaction. Lucia v2's function
//   adapter of the same package (`postgres(sql, tables)`) runs `sql.begin(…)`, whose commit is named: not this one.
import ts from 'typescript';
import { flowOfModule, outermostWrapper, unwrap } from './embeddedFlow';
import { drizzleNeverRunsTransaction, freshDatabaseRunsOneTransaction } from './drizzleDatabaseUses';
import { dynamicImportBindings } from './dynamicImports';
import { DRIZZLE_POSTGRES_JS_DRIVER_MODULE, DRIZZLE_POSTGRES_JS_MODULE } from './codeWords';
import { environmentName } from './environmentReads';
import { declaredType } from './declaredTypes';
import { importedNames } from './importedNames';
import { nonNullishMembers } from './astWalk';

const KYSELY_MODULE = 'kysely-postgres-js';
const KYSELY_DIALECT = 'PostgresJSDialect';
/** drizzle-orm/postgres-js and the module its `drizzle` comes from (`drizzle-orm/postgres-js/driver`): one function. */
const DRIZZLE_MODULES = [DRIZZLE_POSTGRES_JS_MODULE, DRIZZLE_POSTGRES_JS_DRIVER_MODULE];
const DRIZZLE_FACTORY = 'drizzle';
/** drizzle-orm's type of the config `drizzle(…)` takes beside its client or connection (spreadsDrizzleConfig). */
const DRIZZLE_ORM_MODULE = 'drizzle-orm';
const DRIZZLE_CONFIG_TYPE = 'DrizzleConfig';
const LUCIA_ADAPTER_MODULE = '@lucia-auth/adapter-postgresql';
/** Lucia v3's postgres.js adapter class; the package's v2 export for postgres.js (`postgres`) is a function that runs begin(). */
const LUCIA_ADAPTER_CLASS = 'PostgresJsAdapter';

interface WrapperNames { kyselyDialect: Set<string>; drizzle: Set<string>; luciaAdapter: Set<string> }
const namesBySource = new WeakMap<ts.SourceFile, WrapperNames>();

/**
 * True when `node` (a client name or a `postgres(…)` call) is handed to a wrapper in a way that prepares
 * nothing: the `postgres` of a kysely-postgres-js dialect, the client of Lucia v3's adapter, or the client of a
 * drizzle database that never runs a transaction (or, `madeHere` — `node` is the `postgres(…)` call itself, a new client
 * each time it runs — one that runs at most one per client).
 */
export function isHandedToUnpreparingWrapper(node: ts.Expression, madeHere = false): boolean {
  const names = wrapperNames(node.getSourceFile());
  const config = configObjectHolding(node);
  if (config) {
    const call = config.parent;
    if (ts.isNewExpression(call) && isNamed(call.expression, names.kyselyDialect)) return configKey(node) === 'postgres';
    return ts.isCallExpression(call) && isNamed(call.expression, names.drizzle) && configKey(node) === 'client' && drizzleDatabaseNamesNothingAgain(call, madeHere);
  }
  const call = outermostWrapper(node).parent;
  if (ts.isNewExpression(call)) return call.arguments?.[0] === outermostWrapper(node) && isNamed(call.expression, names.luciaAdapter);
  return ts.isCallExpression(call) && call.arguments[0] === outermostWrapper(node) && isNamed(call.expression, names.drizzle) && drizzleDatabaseNamesNothingAgain(call, madeHere);
}

/**
 * The drizzle database `call` makes never runs a transaction, or, when its client is a `postgres(…)` written right there
 * (`madeHere`: `drizzle(postgres(url))`, a new client each time the call runs; not a client fetched from a cache or a
 * getter), runs at most one per client.
 */
function drizzleDatabaseNamesNothingAgain(call: ts.CallExpression, madeHere: boolean): boolean {
  return drizzleNeverRunsTransaction(call) || (madeHere && freshDatabaseRunsOneTransaction(call));
}

/**
 * The connection a drizzle-orm/postgres-js `drizzle(…)` call makes its own postgres.js client from: the URL of
 * `drizzle(url, config?)`, or the `connection` (a URL, or postgres.js options, `url` among them or not) of
 * `drizzle({ connection, ...config })` (config declared as drizzle-orm's DrizzleConfig). Undefined when it is handed a
 * client (`drizzle(client)`, `drizzle({ client })`, judged where that client is made), or the call's argument cannot be
 * told apart from a client (a spread of anything else, a value whose name does not say it is a URL).
 */
export function drizzleOwnConnection(call: ts.CallExpression): ts.Expression | undefined {
  if (!isNamed(call.expression, wrapperNames(call.getSourceFile()).drizzle)) return undefined;
  const first = call.arguments[0];
  if (!first || ts.isSpreadElement(first)) return undefined;
  const value = unwrap(first);
  if (!ts.isObjectLiteralExpression(value)) return namesUrl(value) ? first : undefined;
  let connection: ts.Expression | undefined;
  for (const property of value.properties) {
    if (ts.isSpreadAssignment(property)) {
      if (spreadsDrizzleConfig(property)) continue;
      return undefined;
    }
    const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
    if (key === 'client') return undefined;
    if (key !== 'connection') continue;
    if (ts.isPropertyAssignment(property)) connection = property.initializer;
    else if (ts.isShorthandPropertyAssignment(property)) connection = property.name;
  }
  return connection;
}

/**
 * Whether a spread into drizzle's config object spreads a value declared as drizzle-orm's own `DrizzleConfig`
 * (`params?: DrizzleConfig<TSchema>`): that type holds logger, schema, casing and cache, never a `client` or a
 * `connection`, so the connection written beside it stays the one drizzle makes its client from. A value of any other
 * type, or of none the file declares, may carry a client.
 */
function spreadsDrizzleConfig(spread: ts.SpreadAssignment): boolean {
  const source = spread.getSourceFile();
  let type = declaredType(spread.expression, flowOfModule(source));
  if (type && ts.isUnionTypeNode(type)) {
    const members = nonNullishMembers(type);
    type = members.length === 1 ? members[0] : undefined;
  }
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const imported = importedNames(source, true).get(type.typeName.text);
  return imported?.specifier === DRIZZLE_ORM_MODULE && imported.name === DRIZZLE_CONFIG_TYPE;
}

/** Names a URL: how a connection string is written or kept (`process.env.DATABASE_URL`, `connectionString`, `env.DB_URI`). */
const URL_NAME = /(?:url|uri|dsn|connection_?string|conn_?str)$/i;

/**
 * Whether a value handed to `drizzle(…)` is a connection string rather than a client: a string written out, an
 * environment variable, or a name (of a variable or member) that says URL; the first string of a fallback chain.
 */
function namesUrl(expression: ts.Expression): boolean {
  const value = unwrap(expression);
  if (ts.isStringLiteralLike(value) || ts.isTemplateExpression(value)) return true;
  if (ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || value.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return namesUrl(value.left) || namesUrl(value.right);
  }
  if (environmentName(value) !== undefined) return true;
  if (ts.isIdentifier(value)) return URL_NAME.test(value.text);
  if (ts.isPropertyAccessExpression(value)) return URL_NAME.test(value.name.text);
  if (ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression)) return URL_NAME.test(value.argumentExpression.text);
  return false;
}

/** The object literal passed as a call's or `new`'s first argument whose property value `node` is. */
function configObjectHolding(node: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const property = outermostWrapper(node).parent;
  if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return undefined;
  const object = property.parent;
  const call = object.parent;
  if (!(ts.isCallExpression(call) || ts.isNewExpression(call)) || call.arguments?.[0] !== object) return undefined;
  return object;
}

function configKey(node: ts.Expression): string | undefined {
  const property = outermostWrapper(node).parent;
  if (ts.isShorthandPropertyAssignment(property)) return property.name.text;
  if (ts.isPropertyAssignment(property) && property.initializer === outermostWrapper(node) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) return property.name.text;
  return undefined;
}

function isNamed(expression: ts.Expression, names: Set<string>): boolean {
  return ts.isIdentifier(expression) && names.has(expression.text);
}

/** Local names the wrappers are imported under (`import { drizzle as d } from 'drizzle-orm/postgres-js'`, or loaded with import()). */
function wrapperNames(source: ts.SourceFile): WrapperNames {
  let names = namesBySource.get(source);
  if (!names) {
    names = {
      kyselyDialect: importedAs(source, KYSELY_MODULE, KYSELY_DIALECT),
      drizzle: new Set(DRIZZLE_MODULES.flatMap((module) => [...importedAs(source, module, DRIZZLE_FACTORY)])),
      luciaAdapter: importedAs(source, LUCIA_ADAPTER_MODULE, LUCIA_ADAPTER_CLASS),
    };
    namesBySource.set(source, names);
  }
  return names;
}

/** Also loaded at run time (`const { PostgresJSDialect } = await import('kysely-postgres-js')`; dynamicImports.ts). */
function importedAs(source: ts.SourceFile, module: string, exported: string): Set<string> {
  const names = new Set(dynamicImportBindings(source, module).filter((b) => b.exported === exported).map((b) => b.local));
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== module) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if ((element.propertyName ?? element.name).text === exported) names.add(element.name.text);
    }
  }
  return names;
}
