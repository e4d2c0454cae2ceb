// Libraries a postgres.js client is handed to that send every query with `client.unsafe(text, params)`,
// which postgres.js never prepares unless asked (`unsafe` defaults to `prepare: false`):
// - kysely-postgres-js (`new PostgresJSDialect({ postgres: client })`): queries and its own
//   begin/commit/rollback all go through `reserve()` and `unsafe()`.
// - drizzle-orm/postgres-js (`drizzle(client)`, `drizzle({ client })`): queries go through `unsafe()`, but
//   `db.transaction()` runs postgres.js `begin()`, whose `commit`, `rollback` and `savepoint` are tagged
//   templates, named prepared statements under the client's default `prepare: true`. So a drizzle handoff
//   prepares nothing only when its database is a local name never given a transaction; drizzle's migrator
//   runs one transaction, whose named `commit` is never sent again when `migrate()` is called once.
import ts from 'typescript';

const KYSELY_MODULE = 'kysely-postgres-js';
const KYSELY_DIALECT = 'PostgresJSDialect';
const DRIZZLE_MODULE = 'drizzle-orm/postgres-js';
const DRIZZLE_FACTORY = 'drizzle';
const DRIZZLE_MIGRATOR_MODULE = 'drizzle-orm/postgres-js/migrator';
const DRIZZLE_MIGRATE = 'migrate';
/** Database members that do not run a transaction on the client (everything else drizzle offers sends via unsafe). */
const TRANSACTION_MEMBERS = new Set(['transaction', '$client']);

interface WrapperNames { kyselyDialect: Set<string>; drizzle: Set<string>; migrate: Set<string> }
const namesBySource = new WeakMap<ts.SourceFile, WrapperNames>();

/**
 * True when `node` (a client name or a `postgres(…)` call) is handed to a wrapper in a way that prepares
 * nothing: the `postgres` of a kysely-postgres-js dialect, or the client of a drizzle database that never
 * runs a transaction.
 */
export function isHandedToUnpreparingWrapper(node: ts.Expression): boolean {
  const names = wrapperNames(node.getSourceFile());
  const config = configObjectHolding(node);
  if (config) {
    const call = config.parent;
    if (ts.isNewExpression(call) && isNamed(call.expression, names.kyselyDialect)) return configKey(node) === 'postgres';
    return ts.isCallExpression(call) && isNamed(call.expression, names.drizzle) && configKey(node) === 'client' && drizzleNeverRunsTransaction(call, names);
  }
  const call = outside(node).parent;
  return ts.isCallExpression(call) && call.arguments[0] === outside(node) && isNamed(call.expression, names.drizzle) && drizzleNeverRunsTransaction(call, names);
}

/** The object literal passed as a call's or `new`'s first argument whose property value `node` is. */
function configObjectHolding(node: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const property = outside(node).parent;
  if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return undefined;
  const object = property.parent;
  const call = object.parent;
  if (!(ts.isCallExpression(call) || ts.isNewExpression(call)) || call.arguments?.[0] !== object) return undefined;
  return object;
}

function configKey(node: ts.Expression): string | undefined {
  const property = outside(node).parent;
  if (ts.isShorthandPropertyAssignment(property)) return property.name.text;
  if (ts.isPropertyAssignment(property) && property.initializer === outside(node) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) return property.name.text;
  return undefined;
}

/**
 * The drizzle database is a local, unexported name whose every use reads a member other than
 * `transaction`/`$client` (`db.select()`, `db.execute(…)`, `db.query.users.findMany()`), or is given to
 * drizzle's migrator once (or the drizzle call is itself the migrator's argument). Anything else (passed on, returned, exported) may run transactions elsewhere.
 */
function drizzleNeverRunsTransaction(call: ts.CallExpression, names: WrapperNames): boolean {
  if (isMigrateArgument(call, names)) return true; // `migrate(drizzle(client), …)`: one transaction, nothing else
  const declaration = localConstOf(call);
  if (!declaration) return false;
  const name = (declaration.name as ts.Identifier).text;
  let migrations = 0;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (ts.isIdentifier(node) && node.text === name && node !== declaration.name && isValueReference(node)) {
      if (isMigrateArgument(node, names)) migrations += 1;
      else if (!readsNonTransactionMember(node)) safe = false;
    }
    node.forEachChild(visit);
  };
  scopeOf(declaration).forEachChild(visit);
  return safe && migrations <= 1;
}

function readsNonTransactionMember(id: ts.Identifier): boolean {
  const access = id.parent;
  return (ts.isPropertyAccessExpression(access) && access.expression === id && !TRANSACTION_MEMBERS.has(access.name.text));
}

function isMigrateArgument(id: ts.Expression, names: WrapperNames): boolean {
  const call = outside(id).parent;
  return ts.isCallExpression(call) && call.arguments[0] === outside(id) && isNamed(call.expression, names.migrate);
}

/** `const db = drizzle(…)` (or `await`ed), not exported. */
function localConstOf(call: ts.CallExpression): ts.VariableDeclaration | undefined {
  let node: ts.Node = call;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name)) return undefined;
  if (!(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
  const statement = declaration.parent.parent;
  if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  return declaration;
}

function scopeOf(declaration: ts.VariableDeclaration): ts.Node {
  let node: ts.Node = declaration.parent;
  while (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node) && !ts.isFunctionLike(node) && node.parent) node = node.parent;
  return node;
}

function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id) return false;
  return !ts.isImportSpecifier(parent) && !ts.isTypeReferenceNode(parent) && !ts.isTypeQueryNode(parent);
}

function isNamed(expression: ts.Expression, names: Set<string>): boolean {
  return ts.isIdentifier(expression) && names.has(expression.text);
}

function outside(node: ts.Node): ts.Node {
  while (ts.isParenthesizedExpression(node.parent) || ts.isAwaitExpression(node.parent)) node = node.parent;
  return node;
}

/** Local names the wrappers are imported under (`import { drizzle as d } from 'drizzle-orm/postgres-js'`). */
function wrapperNames(source: ts.SourceFile): WrapperNames {
  let names = namesBySource.get(source);
  if (!names) {
    names = {
      kyselyDialect: importedAs(source, KYSELY_MODULE, KYSELY_DIALECT),
      drizzle: importedAs(source, DRIZZLE_MODULE, DRIZZLE_FACTORY),
      migrate: importedAs(source, DRIZZLE_MIGRATOR_MODULE, DRIZZLE_MIGRATE),
    };
    namesBySource.set(source, names);
  }
  return names;
}

function importedAs(source: ts.SourceFile, module: string, exported: string): Set<string> {
  const names = new Set<string>();
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
