// Whether a Bun SQL client this file creates (bunSql.ts) only serves one run of drizzle's bun-sql migrator: the
// one-shot reading postgres.js gets (postgresJsOneShot.ts, and drizzleDatabaseUses.ts's database handed to its migrator
// once), extended to Bun's client where the same holds. Through drizzle-orm/bun-sql every query of the database is sent
// with the client's `unsafe(text, values)`, which Bun prepares as a named statement; the migrator (`migrate(db, config)`
// of drizzle-orm/bun-sql/migrator) sends its few bookkeeping queries once each (the schema and table it keeps, the last
// migration applied) and then every migration, with one insert per migration, inside one transaction, on one server
// connection. So a client whose database goes to that migrator once, and is otherwise only ended, names each statement
// once outside that transaction: no Bind ever comes without its Parse on another server connection.
//
// Read narrowly: the client is a `const` kept in its scope (not exported); each use is `end()`/`close()` or the client
// handed to drizzle-orm/bun-sql's `drizzle(client, …)` / `drizzle({ client, … })`; that database is the migrator's first
// argument in place, or a `const` every use of which is that, or `db.$client.end()`/`close()`. Exactly one migrator
// call, which runs once each time the client's scope runs (postgresJsOneShot.ts's runsOnce: no loop, functions called
// from one place, IIFEs, promise callbacks). A database queried, handed to anything else, exported or migrated twice
// keeps the finding (a seed script's database goes through query builders whose texts this does not read).
import ts from 'typescript';
import { objectProperty, outermostWrapper } from './embeddedFlow';
import { importedNames } from './importedNames';
import { runsOnce } from './postgresJsOneShot';
import { declaringScope, everyReference, localConstDeclaration } from './postgresJsUses';

const BUN_DRIZZLE = 'drizzle-orm/bun-sql';
const BUN_DRIZZLE_MIGRATOR = 'drizzle-orm/bun-sql/migrator';
/** A Bun client's members that send nothing but the connection's end. */
const ENDING_MEMBERS = new Set(['end', 'close']);

interface Names { drizzle: Set<string>; migrate: Set<string> }

/** True when the client `creation` makes is only handed (through drizzle) to drizzle's bun-sql migrator once, and ended. */
export function bunClientOnlyMigrates(creation: ts.NewExpression): boolean {
  const declaration = localConstDeclaration(creation);
  if (!declaration || !ts.isIdentifier(declaration.name)) return false;
  const names: Names = { drizzle: new Set(), migrate: new Set() };
  for (const [local, imported] of importedNames(creation.getSourceFile())) {
    if (imported.specifier === BUN_DRIZZLE && imported.name === 'drizzle') names.drizzle.add(local);
    if (imported.specifier === BUN_DRIZZLE_MIGRATOR && imported.name === 'migrate') names.migrate.add(local);
  }
  if (names.drizzle.size === 0 || names.migrate.size === 0) return false;
  const root = declaringScope(declaration);
  const tally = { migrations: 0 };
  const safe = everyReference(root, declaration.name.text, (use) => use === declaration.name || endsClient(use) || databaseOnlyMigrates(use, names, root, tally));
  return safe && tally.migrations === 1;
}

/** `client.end()`, `client.close()` (also awaited). */
function endsClient(use: ts.Identifier): boolean {
  const access = use.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === use && ENDING_MEMBERS.has(access.name.text)
    && ts.isCallExpression(access.parent) && access.parent.expression === access;
}

/** The client handed to drizzle (`drizzle(client)`, `drizzle({ client })`), whose database only goes to the migrator once. */
function databaseOnlyMigrates(use: ts.Identifier, names: Names, root: ts.Node, tally: { migrations: number }): boolean {
  const call = drizzleCallOf(use, names);
  if (!call) return false;
  if (isMigration(call, names, root, tally)) return true;
  const declaration = localConstDeclaration(call);
  if (!declaration || !ts.isIdentifier(declaration.name)) return false;
  return everyReference(declaringScope(declaration), declaration.name.text, (db) =>
    db === declaration.name || isMigration(db, names, root, tally) || endsThroughClient(db));
}

/** The drizzle-orm/bun-sql `drizzle(…)` call the client is handed to as its first argument or its `client` option. */
function drizzleCallOf(use: ts.Identifier, names: Names): ts.CallExpression | undefined {
  let argument: ts.Node = outermostWrapper(use);
  const property = argument.parent;
  if (ts.isShorthandPropertyAssignment(property) || (ts.isPropertyAssignment(property) && property.initializer === argument)) {
    const object = property.parent;
    if (objectProperty(object, 'client') !== argument) return undefined;
    argument = outermostWrapper(object);
  }
  const call = argument.parent;
  return ts.isCallExpression(call) && call.arguments[0] === argument && ts.isIdentifier(call.expression) && names.drizzle.has(call.expression.text) ? call : undefined;
}

/** `migrate(db, config)` of drizzle's bun-sql migrator, running once each time `root` runs: counted. */
function isMigration(database: ts.Node, names: Names, root: ts.Node, tally: { migrations: number }): boolean {
  const argument = outermostWrapper(database);
  const call = argument.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== argument || !ts.isIdentifier(call.expression) || !names.migrate.has(call.expression.text)) return false;
  if (!runsOnce(call, { root })) return false;
  tally.migrations += 1;
  return true;
}

/** `db.$client.end()` / `db.$client.close()`: the client drizzle holds, ended. */
function endsThroughClient(db: ts.Identifier): boolean {
  const holder = db.parent;
  if (!ts.isPropertyAccessExpression(holder) || holder.expression !== db || holder.name.text !== '$client') return false;
  const access = holder.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === holder && ENDING_MEMBERS.has(access.name.text)
    && ts.isCallExpression(access.parent) && access.parent.expression === access;
}
