// Cross-file facts: a postgres.js client that another module of the project creates and exports, and that a file
// imports by name or as the default (`import { sql } from './db'`, `import db from '@/lib/db'`). The module shows
// it: `export const sql = postgres(url)`, `const sql = postgres(url); export { sql as db }` or `export default sql`,
// `export default postgres(url)`, with `postgres` imported (or required) from the driver there. A call on such a
// name (`sql.listen(channel, fn)`) is a call on that client, and the name used as a tag (``sql`SET LOCAL …` ``)
// sends its template on that client; the creation, in the other module's syntax tree, tells how it connects
// (directUrls.ts). So does a function the module exports that hands out such a client (`export function getDb() {
// return client }`, `export const makeSql = () => postgres(url)`): what a call of it returns (`const db = getDb();
// db\`…\``) is that client. A function's returned values (each must make a client: `if (production) return
// postgres(url); … return globalThis.__db`), a top-level name, a `let` every assignment of which
// (`client ??= postgres(url)`, `if (!client) client = postgres(url)`) makes a client, a property of the global object
// every assignment of which in the module makes one (`globalThis.__db = postgres(url)`, a dev server's cache kept
// across reloads), another top-level function of the module, either side of `cache ?? postgres(url)` and the arms of
// a choice that each make a client (`typeof config === 'string' ? postgres(config) : postgres({ host, … })`) are
// followed, a few steps deep.
// Neon's HTTP query function (`neon(url)` of `@neondatabase/serverless`) is a tag the same way (``sql`…` `` sends the
// template, each as a request of its own), so a module's `neon(url)` client or a function handing one out
// (`export function getRawSql() { return cached ??= neon(url) }`) is followed alike (session 36).
// A module may also hand on the driver itself (`import postgres from 'postgres'; export { postgres }`, `export {
// default as postgres } from 'postgres'`, `module.exports = { postgres }`) and postgres.js's client type under a name
// of its own (`export type Sql = ReturnType<typeof postgres>`, `export type { Sql } from 'postgres'`): a call of that
// export where it is imported (`db.postgres(url)` on `import * as db from './db'`) makes a postgres.js client, and a
// parameter declared with that type (`sql: Sql` on `import { Sql } from './db'`) is one.
// A function the module exports may also hand out an object holding clients (`return { db, sql, sqlAdmin }` after `const sql
// = postgres(url, { max: 10 })` in its body): a member destructured from what a call of it returns (`const { sql: pgSql } =
// await setupTestDatabase()`) is that member's client.
// The module is found as the other cross-file facts find theirs
// (moduleResolution.ts: a relative path, a tsconfig alias, a workspace package), read from disk by
// parsedModules.ts (bounded in size, cached by modification time), so the CLI and the editor decide the same way.
import ts from 'typescript';
import { resolve } from 'node:path';
import { objectProperty, returnedValues, singleReturn, unwrap } from './embeddedFlow';
import { globalProperty } from './testSetupFiles';
import { hasModifier, walkDescendants } from './astWalk';
import { isCommonJsExports, isModuleExports } from './topLevelFunctions';
import { resolveModule } from './moduleResolution';
import { ModuleFacts } from './parsedModules';
import { POSTGRES_JS_MODULE } from './codeWords';
import { packageSpecifier } from './packageSpecifiers';
import { NAMES_POSTGRES_JS } from './postgresJsModules';
import { importedNames, requiredNames, type ImportedName } from './ownServerHelpers';
import { importedModules } from './embeddedDialect';
import { nonNullishMembers } from './astWalk';

/**
 * A module that never names the driver creates no client of it: most are never parsed. It names it as `'postgres'`,
 * or, in Deno, `npm:postgres@3`, `https://esm.sh/postgres@3`, deno.land/x's `postgresjs` (packageSpecifiers.ts's
 * forms); a `'postgres://…'` URL or `'postgres-migrations'` is not the driver's name.
 */
const NAMES_DRIVER = NAMES_POSTGRES_JS;

/** Neon's serverless driver, whose `neon(url)` makes an HTTP query function used as a tag. */
export const NEON_SERVERLESS_MODULE = '@neondatabase/serverless';
const NEON_HTTP_FACTORY = 'neon';

/** What a module exports of postgres.js: clients and functions returning one, by exported name (`default` for the default export). */
interface ModuleClients {
  clients: Map<string, Creations>;
  factories: Map<string, Creations>;
  /** Per exported function returning an object literal: its members that hold a client, by key (TopLevelClients.membersReturnedBy). */
  factoryMembers: Map<string, ReadonlyMap<string, Creations>>;
  /** The names it exports the driver's own factory under (`export { postgres }`, `export { default as pg } from 'postgres'`). */
  driver: Set<string>;
  /** The type names it exports as postgres.js's client type (`export type Sql = ReturnType<typeof postgres>`). */
  clientTypes: Set<string>;
}

const NONE: ModuleClients = { clients: new Map(), factories: new Map(), factoryMembers: new Map(), driver: new Set(), clientTypes: new Set() };

/** Per module (parsedModules.ts's read): its exported clients and client factories, each with the `postgres(…)` calls that may make the client. */
const moduleClients = new ModuleFacts((read) => (NAMES_DRIVER.test(read.text) || read.text.includes(NEON_SERVERLESS_MODULE) ? exportedClients(read.source) : NONE));

/** The `postgres(…)` calls that may make the client `imported` names, when a module of the project creates and exports one. */
export function importedPostgresJsClient(importer: string, imported: ImportedName): Creations | undefined {
  return clientsOf(importer, imported)?.clients.get(imported.name);
}

/** The `postgres(…)` calls that may make the client a function `imported` names returns, when a module of the project exports one. */
export function importedPostgresJsFactory(importer: string, imported: ImportedName): Creations | undefined {
  return clientsOf(importer, imported)?.factories.get(imported.name);
}

/**
 * The clients an object a function `imported` names returns holds, by member, when a module of the project exports such
 * a function (`const { sql } = await setupTestDatabase()`: the `sql` member's `postgres(…)` calls).
 */
export function importedPostgresJsFactoryMembers(importer: string, imported: ImportedName): ReadonlyMap<string, Creations> | undefined {
  return clientsOf(importer, imported)?.factoryMembers.get(imported.name);
}

/** Whether `imported` is the driver's factory, handed on by a module of the project (`import { postgres } from './db'`). */
export function importedPostgresJsDriver(importer: string, imported: ImportedName): boolean {
  return clientsOf(importer, imported)?.driver.has(imported.name) === true;
}

/** The names a module of the project (a resolved path) exports postgres.js's own factory under (`default` for `export default postgres`). */
export function handedOnDriverNames(path: string): ReadonlySet<string> {
  return moduleClients.of(path)?.driver ?? NONE.driver;
}

/** Whether `imported` is a type a module of the project exports as postgres.js's client type (`import type { Sql } from './db'`). */
export function importedPostgresJsClientType(importer: string, imported: ImportedName): boolean {
  return clientsOf(importer, imported)?.clientTypes.has(imported.name) === true;
}

function clientsOf(importer: string, imported: ImportedName): ModuleClients | undefined {
  if (imported.specifier === POSTGRES_JS_MODULE) return undefined;
  const path = resolveModule(resolve(importer), imported.specifier);
  if (!path || path === resolve(importer)) return undefined;
  return moduleClients.of(path);
}

/** How many names, calls and returns are followed from a value to the `postgres(…)` call that made it. */
const MAX_STEPS = 6;

type FunctionWithBody = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/**
 * A source file's top-level names, for following a value to the postgres.js client it holds: the driver's factory
 * names, top-level functions, and top-level variables with every value assigned to them anywhere in the file.
 */
export class TopLevelClients {
  private readonly functions = new Map<string, FunctionWithBody>();
  private readonly values = new Map<string, ts.Expression[]>();
  private readonly verdicts = new Map<ts.Node, Creations | null>();

  /** Per property of the global object (`globalThis.__db`): every value the module assigns to it. */
  private readonly globals = new Map<string, ts.Expression[]>();

  constructor(source: ts.SourceFile, private readonly factories: ReadonlySet<string>) {
    const variables = new Set<string>();
    for (const statement of source.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) this.functions.set(statement.name.text, statement);
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const value = declaration.initializer && unwrap(declaration.initializer);
        if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) this.functions.set(declaration.name.text, value);
        else {
          variables.add(declaration.name.text);
          this.values.set(declaration.name.text, declaration.initializer ? [declaration.initializer] : []);
        }
      }
    }
    const mayKeepGlobals = /\bglobal(?:This)?\b/.test(source.text);
    if (variables.size === 0 && !mayKeepGlobals) return;
    // Assignments anywhere (`client = postgres(url)` in an init function, `client ??= postgres(url)`, a dev server's
    // cache kept across reloads: `globalThis.__db = postgres(url)`): read once.
    walkDescendants(source, (node) => {
      if (!ts.isBinaryExpression(node) || !ASSIGNMENTS.has(node.operatorToken.kind)) return true;
      if (ts.isIdentifier(node.left) && variables.has(node.left.text)) this.values.get(node.left.text)!.push(node.right);
      const global = mayKeepGlobals ? globalProperty(node.left, unwrap) : undefined;
      if (global !== undefined) this.globals.set(global, [...this.globals.get(global) ?? [], node.right]);
      return true;
    });
  }

  /**
   * The `postgres(…)` calls whose client the expression is, if it surely is one: every call it may hold (each arm of a
   * choice, each value of a variable), so a caller judges the worst of them (a pooled one beside a direct one), whichever
   * is written first.
   */
  creationsOf(expression: ts.Expression, steps = 0): Creations | undefined {
    if (steps > MAX_STEPS) return undefined;
    const value = unwrap(expression);
    if (ts.isCallExpression(value) && ts.isIdentifier(value.expression)) {
      if (this.factories.has(value.expression.text)) return [value];
      const fn = this.functions.get(value.expression.text);
      return fn ? this.returnedBy(fn, steps + 1) : undefined;
    }
    if (ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || value.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      // `cached ?? postgres(url)`: a global cache of the client, or a new one.
      return eitherSide(this.creationsOf(value.right, steps + 1), this.creationsOf(value.left, steps + 1));
    }
    if (ts.isConditionalExpression(value)) {
      // `typeof config === 'string' ? postgres(config, opts) : postgres({ host, … })`: a client whichever arm runs when
      // each arm makes one (or is a `null`/`undefined` placeholder).
      return this.everyValueMakes([value.whenTrue, value.whenFalse], steps + 1);
    }
    if (ts.isBinaryExpression(value) && ASSIGNMENTS.has(value.operatorToken.kind)) {
      // `return cached ??= postgres(url)`, `(client = neon(url))`: the assignment's value is the new client or, for `??=`
      // and `||=`, the one the variable already holds (every value assigned to it is read by heldBy).
      return eitherSide(this.creationsOf(value.right, steps + 1), this.creationsOf(value.left, steps + 1));
    }
    if (ts.isIdentifier(value)) return this.heldBy(value.text, steps + 1);
    // `return globalThis.__db`: what the module keeps on the global object, when every value it puts there is a client.
    const global = globalProperty(value, unwrap);
    const kept = global !== undefined ? this.globals.get(global) : undefined;
    return kept ? this.everyValueMakes(kept, steps + 1) : undefined;
  }

  /**
   * The clients a top-level function returns, when each value it returns makes one (`if (production) return
   * postgres(url); …; return globalThis.__db`): a caller judges the worst of them, as for the arms of a choice.
   */
  returnedBy(fn: FunctionWithBody, steps = 0): Creations | undefined {
    let verdict = this.verdicts.get(fn);
    if (verdict === undefined) {
      this.verdicts.set(fn, null); // a function that returns its own call sends nothing known
      const returned = returnedValues(fn).map((value) => bodyConstValue(fn, value) ?? value);
      verdict = this.everyValueMakes(returned, steps) ?? null;
      this.verdicts.set(fn, verdict);
    }
    return verdict ?? undefined;
  }

  /**
   * The clients an object a function returns holds, by member (`return { db, sql, url }` with `const sql = postgres(url)`
   * in its body, or a top-level client): the function's one returned value, an object literal without a spread, whose
   * member surely holds a client. Empty for any other function.
   */
  membersReturnedBy(fn: FunctionWithBody): ReadonlyMap<string, Creations> {
    const members = new Map<string, Creations>();
    const returned = singleReturn(fn);
    const object = returned && unwrap(returned);
    // An object that spreads another may take a member from it: not read.
    if (!object || !ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return members;
    for (const property of object.properties) {
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      const value = key !== undefined ? objectProperty(object, key) : undefined;
      const made = value && this.creationsOf(bodyConstValue(fn, value) ?? value, 1);
      if (key !== undefined && made) members.set(key, made);
    }
    return members;
  }

  /** A top-level function by name. */
  functionNamed(name: string): FunctionWithBody | undefined {
    return this.functions.get(name);
  }

  /** The clients the values of a top-level variable make, when every value makes one (`null`/`undefined` placeholders aside). */
  heldBy(name: string, steps = 0): Creations | undefined {
    const values = this.values.get(name);
    return values ? this.everyValueMakes(values, steps) : undefined;
  }

  /** Every client `values` make, when each makes one (`null`/`undefined` placeholders aside); undefined when none is left. */
  private everyValueMakes(values: readonly ts.Expression[], steps: number): Creations | undefined {
    const made = new Set<ts.CallExpression>();
    for (const value of values) {
      if (isNothing(value)) continue;
      const creations = this.creationsOf(value, steps);
      if (!creations) return undefined;
      for (const creation of creations) made.add(creation);
    }
    return made.size > 0 ? [...made] : undefined;
  }
}

/** The `postgres(…)` calls a value may have come from (never empty). */
export type Creations = readonly ts.CallExpression[];

/** `a ?? b`, `a ??= b`: the clients either side makes, when one does. */
function eitherSide(first: Creations | undefined, second: Creations | undefined): Creations | undefined {
  if (!first || !second) return first ?? second;
  return [...new Set([...first, ...second])];
}

/**
 * What a returned name holds when the function's own body declares it `const` in its top-level statements (`const conn =
 * postgres(url, { max: 1 }); …; return conn`): a value the function makes for each call, not a top-level name.
 */
function bodyConstValue(fn: FunctionWithBody, returned: ts.Expression): ts.Expression | undefined {
  const name = unwrap(returned);
  if (!ts.isIdentifier(name) || !fn.body || !ts.isBlock(fn.body)) return undefined;
  for (const statement of fn.body.statements) {
    if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
    const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name.text);
    if (declaration) return declaration.initializer;
  }
  return undefined;
}

const ASSIGNMENTS = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken]);

function isNothing(expression: ts.Expression): boolean {
  const value = unwrap(expression);
  return value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === 'undefined');
}

/** The module's exported postgres.js clients, client factories, driver and client types, by exported name. */
function exportedClients(source: ts.SourceFile): ModuleClients {
  const factories = driverFactories(source);
  const bindings = driverBindings(source);
  if (factories.size === 0 && bindings.size === 0 && !source.statements.some((statement) => exportsFromDriver(statement) !== undefined)) return NONE;
  // postgres.js's own factory, handed on: not Neon's, whose HTTP function prepares nothing and listens to nothing.
  const postgresJsFactories = new Set([...factories].filter((name) => bindings.has(name)));
  const localClientTypes = clientTypeNames(source, bindings);
  const clients = new Map<string, Creations>();
  const functions = new Map<string, Creations>();
  const factoryMembers = new Map<string, ReadonlyMap<string, Creations>>();
  // A function exported as `exportedAs`: what it returns, a client or an object holding some.
  const exportFunction = (exportedAs: string, fn: FunctionWithBody): void => {
    const made = names.returnedBy(fn);
    if (made) functions.set(exportedAs, made);
    const members = names.membersReturnedBy(fn);
    if (members.size > 0) factoryMembers.set(exportedAs, members);
  };
  const driver = new Set<string>();
  const clientTypes = new Set<string>();
  const names = new TopLevelClients(source, factories);
  // A name exported from the module: the driver itself, a client it holds, or a function returning one.
  const exportName = (exportedAs: string, local: string): void => {
    if (postgresJsFactories.has(local)) {
      driver.add(exportedAs);
      return;
    }
    const fn = names.functionNamed(local);
    if (fn) return exportFunction(exportedAs, fn);
    const made = names.heldBy(local);
    if (made) clients.set(exportedAs, made);
  };
  const exportType = (exportedAs: string, local: string): void => {
    if (localClientTypes.has(local)) clientTypes.add(exportedAs);
  };
  for (const statement of source.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const fromDriver = exportsFromDriver(statement);
    if (fromDriver) {
      // `export { default as postgres, type Sql } from 'postgres'`: the factory is the driver's default export.
      for (const element of fromDriver.elements) {
        const original = (element.propertyName ?? element.name).text;
        if (original === 'default' && !fromDriver.isTypeOnly && !element.isTypeOnly) driver.add(element.name.text);
        else if (POSTGRES_JS_CLIENT_TYPE.test(original)) clientTypes.add(element.name.text);
      }
    } else if (ts.isTypeAliasDeclaration(statement)) {
      if (isExported) exportType(statement.name.text, statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      if (!isExported) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const value = declaration.initializer && unwrap(declaration.initializer);
        // Only a const holds the client it was created with wherever it is read; a function is one wherever.
        if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) exportName(declaration.name.text, declaration.name.text);
        else if (isConst && value && ts.isIdentifier(value) && postgresJsFactories.has(value.text)) driver.add(declaration.name.text);
        else if (isConst && value) {
          const made = names.creationsOf(value);
          if (made) clients.set(declaration.name.text, made);
        }
      }
    } else if (ts.isFunctionDeclaration(statement) && statement.name && isExported) {
      const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
      exportName(isDefault ? 'default' : statement.name.text, statement.name.text);
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const value = unwrap(statement.expression);
      if (ts.isIdentifier(value)) exportName('default', value.text);
      else if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) exportFunction('default', value);
      else {
        const made = names.creationsOf(value);
        if (made) clients.set('default', made);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = (element.propertyName ?? element.name).text;
        exportType(element.name.text, local);
        if (!statement.isTypeOnly && !element.isTypeOnly) exportName(element.name.text, local);
      }
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // CommonJS: `module.exports = { getDb, sql }`, `module.exports = sql`, `exports.getDb = getDb`.
      const exportedAs = commonJsExportName(statement.expression.left);
      const value = unwrap(statement.expression.right);
      if (exportedAs === 'default' && ts.isObjectLiteralExpression(value)) {
        for (const property of value.properties) {
          if (ts.isShorthandPropertyAssignment(property)) exportName(property.name.text, property.name.text);
          else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && ts.isIdentifier(unwrap(property.initializer))) {
            exportName(property.name.text, (unwrap(property.initializer) as ts.Identifier).text);
          }
        }
      } else if (exportedAs !== undefined && ts.isIdentifier(value)) exportName(exportedAs, value.text);
      else if (exportedAs !== undefined && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) exportFunction(exportedAs, value);
      else if (exportedAs !== undefined) {
        const made = names.creationsOf(value);
        if (made) clients.set(exportedAs, made);
      }
    }
  }
  return { clients, factories: functions, factoryMembers, driver, clientTypes };
}

/**
 * `export { … } from 'postgres'` (also through a Deno or CDN specifier): its named exports. Not `export * from
 * 'postgres'`, which hands on no default export, and postgres.js's factory is only that.
 */
function exportsFromDriver(statement: ts.Statement): { elements: readonly ts.ExportSpecifier[]; isTypeOnly: boolean } | undefined {
  if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) return undefined;
  if (packageSpecifier(statement.moduleSpecifier.text) !== POSTGRES_JS_MODULE || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) return undefined;
  return { elements: statement.exportClause.elements, isTypeOnly: statement.isTypeOnly };
}

/** Every local name the module binds to the driver: its default, a namespace, named imports (`Sql`), a `require`. */
function driverBindings(source: ts.SourceFile): Set<string> {
  return new Set(importedModules(source).filter((module) => module.specifier === POSTGRES_JS_MODULE).flatMap((module) => module.names));
}

/** The module's own names for postgres.js's client type: its type aliases of it, and the driver's client types it imports. */
function clientTypeNames(source: ts.SourceFile, bindings: ReadonlySet<string>): Set<string> {
  const names = new Set([...bindings].filter((name) => POSTGRES_JS_CLIENT_TYPE.test(name)));
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement) && isPostgresJsClientType(statement.type, bindings)) names.add(statement.name.text);
  }
  return names;
}

/** The client types postgres.js exports (`postgres.Sql`, `postgres.TransactionSql`, `postgres.ReservedSql`). */
export const POSTGRES_JS_CLIENT_TYPE = /^(?:Sql|TransactionSql|ReservedSql)$/;

/**
 * postgres.js's client types, where `driver` holds the local names bound to the driver: `Sql`, `Sql<{}>`,
 * `TransactionSql`, `ReservedSql` (under any local name holding `Sql`), `postgres.Sql` on the default or namespace
 * import, or `ReturnType<typeof postgres>` (`typeof postgres<T>` too). `isClientTypeName`: another name known to be
 * one (a type a module of the project exports as one). A union counts only when each member is one (or null/undefined).
 */
export function isPostgresJsClientType(type: ts.TypeNode | undefined, driver: ReadonlySet<string>, isClientTypeName: (name: ts.EntityName) => boolean = () => false): boolean {
  if (!type) return false;
  if (ts.isParenthesizedTypeNode(type)) return isPostgresJsClientType(type.type, driver, isClientTypeName);
  if (ts.isUnionTypeNode(type)) {
    const members = nonNullishMembers(type);
    return members.length > 0 && members.every((member) => isPostgresJsClientType(member, driver, isClientTypeName));
  }
  if (!ts.isTypeReferenceNode(type)) return false;
  const name = type.typeName;
  if (isClientTypeName(name)) return true;
  if (ts.isIdentifier(name)) {
    if (driver.has(name.text) && /Sql$/.test(name.text)) return true;
    const [argument] = type.typeArguments ?? [];
    return name.text === 'ReturnType' && argument !== undefined && ts.isTypeQueryNode(argument)
      && ts.isIdentifier(argument.exprName) && driver.has(argument.exprName.text);
  }
  return ts.isIdentifier(name.left) && driver.has(name.left.text) && POSTGRES_JS_CLIENT_TYPE.test(name.right.text);
}

/** `module.exports` → `default`, `exports.x` or `module.exports.x` → `x`; anything else undefined. */
function commonJsExportName(target: ts.Expression): string | undefined {
  if (isModuleExports(target)) return 'default';
  return ts.isPropertyAccessExpression(target) && isCommonJsExports(target.expression) ? target.name.text : undefined;
}

/**
 * The names a tag client's factory goes by in the module: postgres.js's (`import postgres from 'postgres'`, `const pg =
 * require('postgres')`) and Neon's HTTP one (`import { neon } from '@neondatabase/serverless'`, renamed or required).
 */
function driverFactories(source: ts.SourceFile): Set<string> {
  const names = new Set(neonHttpFactories(source));
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && packageSpecifier(statement.moduleSpecifier.text) === POSTGRES_JS_MODULE) {
      const clause = statement.importClause;
      if (clause?.name && !clause.isTypeOnly) names.add(clause.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const value = declaration.initializer && unwrap(declaration.initializer);
        if (ts.isIdentifier(declaration.name) && value && ts.isCallExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'require'
          && value.arguments.length === 1 && ts.isStringLiteral(value.arguments[0]) && packageSpecifier(value.arguments[0].text) === POSTGRES_JS_MODULE) names.add(declaration.name.text);
      }
    }
  }
  return names;
}

const neonFactoriesBySource = new WeakMap<ts.SourceFile, Set<string>>();

/** The local names Neon's `neon` is imported or required as in `source` (`import { neon as httpSql }`, `const { neon } = require(…)`). */
export function neonHttpFactories(source: ts.SourceFile): Set<string> {
  let names = neonFactoriesBySource.get(source);
  if (!names) {
    names = new Set();
    if (source.text.includes(NEON_SERVERLESS_MODULE)) {
      for (const [local, imported] of [...importedNames(source), ...requiredNames(source)]) {
        if (imported.specifier === NEON_SERVERLESS_MODULE && imported.name === NEON_HTTP_FACTORY) names.add(local);
      }
    }
    neonFactoriesBySource.set(source, names);
  }
  return names;
}

/**
 * Whether `creation` (a client's making call this module's readers found) is Neon's `neon(url)`: an HTTP query function,
 * which has no LISTEN of its own and whose every request runs on a connection of Neon's choosing, whatever URL it names.
 */
export function makesNeonHttpClient(creation: ts.CallExpression): boolean {
  return ts.isIdentifier(creation.expression) && neonHttpFactories(creation.getSourceFile()).has(creation.expression.text);
}

/**
 * Whether `type`, written in `source` (the file at `fileName`, not the one analysed: a module the analysed file's types
 * lead to, typedMembers.ts), is postgres.js's client type by that file's own imports: the driver's, or a type a module of
 * the project exports as one.
 */
export function isPostgresJsClientTypeIn(type: ts.TypeNode, source: ts.SourceFile, fileName: string | undefined): boolean {
  const imports = fileName !== undefined ? importedNames(source, true) : undefined;
  return isPostgresJsClientType(type, driverBindings(source), (name) => {
    const imported = imports && ts.isIdentifier(name) ? imports.get(name.text) : undefined;
    return imported !== undefined && importedPostgresJsClientType(fileName!, imported);
  });
}

/**
 * The `postgres(…)` calls that make the client `value` (written in `source`) holds, when it surely holds one: a call of
 * the driver's factory as that file imports it, or a top-level name or function of the file making one (TopLevelClients).
 */
export function postgresJsCreationsIn(value: ts.Expression, source: ts.SourceFile): Creations | undefined {
  const factories = new Set([...driverFactories(source)].filter((name) => !neonHttpFactories(source).has(name)));
  return factories.size > 0 ? new TopLevelClients(source, factories).creationsOf(value) : undefined;
}
