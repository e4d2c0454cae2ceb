// drizzle's `sql` builder handed on by a module of the project (`export { sql } from 'drizzle-orm'` in src/db/index.ts,
// then `import { sql } from '../db'`): the name a file imports is drizzle's builder, which makes a query object and
// sends nothing, as if the file imported it from drizzle-orm itself (embedded.ts's drizzleSqlNames). A module hands it
// on by a re-export from drizzle-orm (named, renamed or `export *`), or by exporting a name it imports from there
// (`import { sql } from 'drizzle-orm'; export { sql as q }`); re-exports of other modules of the project (barrels) are
// followed a few modules deep. As in ES modules, a name the module exports itself (`export const sql = postgres(…)`,
// `export { sql } from './client'`) shadows the same name an `export *` would bring: a barrel starring drizzle-orm
// beside its own postgres.js `sql` hands on the client. A CommonJS module hands it on the same ways through its exports
// (`const { sql } = require('drizzle-orm'); module.exports = { sql, db }`, `exports.sql = require('drizzle-orm').sql`,
// `module.exports = { ...require('drizzle-orm'), db }`, `module.exports = require('./db')`); in an object literal a spread
// written after a property replaces it (`{ sql, ...require('drizzle-orm') }` hands on drizzle's). Modules are found as the other
// cross-file facts find theirs (moduleResolution.ts) and read by parsedModules.ts; one that neither names drizzle-orm
// nor re-exports anything is never parsed.
import ts from 'typescript';
import { boundNames } from './astWalk';
import { requiredModule } from './embeddedDialect';
import { unwrap } from './embeddedFlow';
import { projectModulePath } from './moduleResolution';
import { ModuleFacts, type ModuleRead } from './parsedModules';
import type { ImportedName } from './ownServerHelpers';
import { isCommonJsExports, isModuleExports } from './topLevelFunctions';

/** drizzle-orm's modules that export its `sql` builder. */
export const DRIZZLE_SQL_MODULE = /^drizzle-orm(?:\/sql)?$/;
/** The builder's exported name. */
const DRIZZLE_SQL_NAME = 'sql';
/** Its method making a query object from a text (`sql.raw('SET …')`), sent only when handed to a query call. */
export const DRIZZLE_RAW_METHOD = 'raw';
/** A module that may hand the builder on: it names drizzle-orm, or re-exports from another module (the cheap test before parsing). */
const MAY_HAND_ON = /['"]drizzle-orm(?:\/sql)?['"]|\bexport\b[^;]*\bfrom\b/;
/** A CommonJS module that may hand on what it requires: it requires and exports (with MAY_HAND_ON, the cheap test). */
const REQUIRES = /\brequire\s*\(/;
const EXPORTS = /\bexports\b/;
/** How many re-exporting modules a name is followed through. */
const MAX_DEPTH = 4;

/** What a module says about the names it exports: those that are drizzle's builder, and where others come from. */
interface ExportSummary {
  /** Names exported explicitly (a named export or re-export, an exported declaration, `default`): no star's name shadows them. */
  explicit: Set<string>;
  /** Names exported explicitly that are drizzle's `sql`. */
  builders: Set<string>;
  /** Names `export * from 'drizzle-orm'` brings that are its `sql` (unless exported explicitly). */
  starBuilders: Set<string>;
  /** `export { a as b } from './x'`: b → ./x's a. */
  renamed: Map<string, ImportedName>;
  /** `export * from './x'`. */
  starred: string[];
  /**
   * A `module.exports = { a, ...require('x') }` property and the modules spread after it (in order): each replaces the
   * property when it exports the name, as an object literal sets its properties in order.
   */
  spreadOver: Map<string, string[]>;
}

const summaries = new ModuleFacts(summarise);

/** Whether `imported` (a name a file imports from a module of the project) is drizzle's `sql` builder handed on. */
export function isHandedOnDrizzleSql(importer: string, imported: ImportedName, depth = 0): boolean {
  if (depth > MAX_DEPTH || DRIZZLE_SQL_MODULE.test(imported.specifier)) return false;
  const file = projectModulePath(importer, imported.specifier);
  const summary = file === undefined ? undefined : summaries.of(file);
  if (!summary) return false;
  if (summary.spreadOver.get(imported.name)?.some((specifier) => spreadHandsOn(file!, specifier, imported.name, depth))) return true;
  if (summary.builders.has(imported.name)) return true;
  const renamed = summary.renamed.get(imported.name);
  if (renamed) return isHandedOnDrizzleSql(file!, renamed, depth + 1);
  if (summary.explicit.has(imported.name)) return false;
  if (summary.starBuilders.has(imported.name)) return true;
  return summary.starred.some((specifier) => isHandedOnDrizzleSql(file!, { specifier, name: imported.name }, depth + 1));
}

/**
 * Whether a module spread into an object literal's exports after a property named `name` hands on drizzle's builder
 * under that name: drizzle-orm itself for `sql`, or a module of the project that does. (One that exports the name as
 * something else is not told from one that does not export it: the property is read as it is written then.)
 */
function spreadHandsOn(file: string, specifier: string, name: string, depth: number): boolean {
  return DRIZZLE_SQL_MODULE.test(specifier) ? name === DRIZZLE_SQL_NAME : isHandedOnDrizzleSql(file, { specifier, name }, depth + 1);
}

function summarise(read: ModuleRead): ExportSummary {
  const summary: ExportSummary = { explicit: new Set(), builders: new Set(), starBuilders: new Set(), renamed: new Map(), starred: [], spreadOver: new Map() };
  if (!MAY_HAND_ON.test(read.text) && !(REQUIRES.test(read.text) && EXPORTS.test(read.text))) return summary;
  const imported = importedBuilders(read.source);
  const required = requiredBindings(read.source);
  for (const statement of read.source.statements) {
    for (const name of declaredExports(statement)) summary.explicit.add(name);
    const commonJs = commonJsExport(statement);
    if (commonJs) {
      summariseCommonJs(summary, commonJs.name, commonJs.value, required);
      continue;
    }
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly) continue;
    const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    const fromDrizzle = from !== undefined && DRIZZLE_SQL_MODULE.test(from);
    if (!statement.exportClause) {
      // `export * from 'drizzle-orm'` hands on `sql` under its own name; another module's star may hold it too.
      if (fromDrizzle) summary.starBuilders.add(DRIZZLE_SQL_NAME);
      else if (from !== undefined) summary.starred.push(from);
      continue;
    }
    if (!ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      if (element.isTypeOnly) continue;
      const original = (element.propertyName ?? element.name).text;
      summary.explicit.add(element.name.text);
      if (fromDrizzle ? original === DRIZZLE_SQL_NAME : from === undefined && imported.has(original)) summary.builders.add(element.name.text);
      else if (from !== undefined && !fromDrizzle) summary.renamed.set(element.name.text, { specifier: from, name: original });
    }
  }
  return summary;
}

/** What a CommonJS module's value is, when it is something another module exports: one of its names, or all of them. */
type Required = ImportedName | { specifier: string; whole: true };

/** Whether a required value is a whole module (`require('x')`), not one of its names. */
function isWhole(required: Required): required is { specifier: string; whole: true } {
  return 'whole' in required;
}

/** Whether a required value is drizzle's `sql` builder (`require('drizzle-orm').sql`). */
function isDrizzleSql(required: Required): boolean {
  return !isWhole(required) && DRIZZLE_SQL_MODULE.test(required.specifier) && required.name === DRIZZLE_SQL_NAME;
}

/**
 * What an expression of a CommonJS module takes from another module: `require('x')` (all its exports), `require('x').a`
 * (its `a`), or a local name the module's top level binds to either (`const { a } = require('x')`, `const x =
 * require('x')`, then `x.a`).
 */
function requiredValue(expression: ts.Expression, bindings: ReadonlyMap<string, Required>): Required | undefined {
  const value = unwrap(expression);
  if (ts.isIdentifier(value)) return bindings.get(value.text);
  if (ts.isCallExpression(value)) {
    const specifier = requiredModule(value);
    return specifier !== undefined && ts.isIdentifier(value.expression) ? { specifier, whole: true } : undefined;
  }
  if (!ts.isPropertyAccessExpression(value)) return undefined;
  const owner = requiredValue(value.expression, bindings);
  return owner !== undefined && isWhole(owner) ? { specifier: owner.specifier, name: value.name.text } : undefined;
}

/** The names a CommonJS module's top level binds to what it requires (`const { sql } = require('drizzle-orm')`, `const db = require('./db')`). */
function requiredBindings(source: ts.SourceFile): Map<string, Required> {
  const bindings = new Map<string, Required>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const { name, initializer } of statement.declarationList.declarations) {
      const value = initializer && requiredValue(initializer, bindings);
      if (value === undefined) continue;
      if (ts.isIdentifier(name)) bindings.set(name.text, value);
      else if (ts.isObjectBindingPattern(name) && isWhole(value)) {
        for (const element of name.elements) {
          const exported = element.propertyName ?? element.name;
          if (ts.isIdentifier(element.name) && ts.isIdentifier(exported) && !element.dotDotDotToken) bindings.set(element.name.text, { specifier: value.specifier, name: exported.text });
        }
      }
    }
  }
  return bindings;
}

/** A top-level CommonJS export: `module.exports = value` (name undefined: the module's whole value), `exports.a = value` or `module.exports.a = value`. */
function commonJsExport(statement: ts.Statement): { name?: string; value: ts.Expression } | undefined {
  if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression) || statement.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const { left, right } = statement.expression;
  if (isModuleExports(left)) return { value: right };
  return ts.isPropertyAccessExpression(left) && isCommonJsExports(left.expression) ? { name: left.name.text, value: right } : undefined;
}

/**
 * A CommonJS export read into the summary as its ES module counterpart: `exports.a = sql` as `export { sql as a }`,
 * `exports.a = require('./x').b` as `export { b as a } from './x'`, `module.exports = require('x')` (or `{ ...require('x') }`)
 * as `export * from 'x'`, each property of `module.exports = { … }` as an export of its name, and `module.exports = sql` as
 * the default export (`const sql = require('./db')`).
 */
function summariseCommonJs(summary: ExportSummary, name: string | undefined, value: ts.Expression, bindings: ReadonlyMap<string, Required>): void {
  const exported = unwrap(value);
  if (name === undefined && ts.isObjectLiteralExpression(exported)) {
    // The modules spread into the literal, each with its position: a property written before one may be replaced by it.
    const spreads = exported.properties.flatMap((property, at) => {
      const required = ts.isSpreadAssignment(property) ? requiredValue(property.expression, bindings) : undefined;
      return required !== undefined && isWhole(required) ? [{ at, specifier: required.specifier }] : [];
    });
    exported.properties.forEach((property, at) => {
      if (ts.isSpreadAssignment(property)) summariseStar(summary, requiredValue(property.expression, bindings));
      const [named, initializer] = ts.isShorthandPropertyAssignment(property) ? [property.name.text, property.name]
        : ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? [property.name.text, property.initializer]
        : [];
      if (named === undefined || initializer === undefined) return;
      summariseCommonJs(summary, named, initializer, bindings);
      const later = spreads.filter((spread) => spread.at > at).map((spread) => spread.specifier);
      if (later.length > 0) summary.spreadOver.set(named, later);
    });
    return;
  }
  const required = requiredValue(exported, bindings);
  if (name === undefined && required !== undefined && isWhole(required)) {
    summariseStar(summary, required);
    return;
  }
  const as = name ?? 'default';
  summary.explicit.add(as);
  if (required === undefined || isWhole(required)) return;
  if (isDrizzleSql(required)) summary.builders.add(as);
  else if (!DRIZZLE_SQL_MODULE.test(required.specifier)) summary.renamed.set(as, required);
}

/** A whole required module handed on (`module.exports = require('x')`, `{ ...require('x') }`) read as `export * from 'x'`. */
function summariseStar(summary: ExportSummary, required: Required | undefined): void {
  if (required === undefined || !isWhole(required)) return;
  if (DRIZZLE_SQL_MODULE.test(required.specifier)) summary.starBuilders.add(DRIZZLE_SQL_NAME);
  else summary.starred.push(required.specifier);
}

/**
 * The names an exported declaration statement exports (`export const sql = …` and its destructured names,
 * `export function`, `export class`, `export default …` as `default`); none for other statements.
 */
function declaredExports(statement: ts.Statement): string[] {
  if (ts.isExportAssignment(statement)) return statement.isExportEquals ? [] : ['default'];
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  if (!modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return [];
  if (modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)) return ['default'];
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((declaration) => boundNames(declaration.name));
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) return [statement.name.text];
  return [];
}


/** The local names a module imports drizzle's `sql` under (`import { sql } from 'drizzle-orm'`, `{ sql as q }`). */
function importedBuilders(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !DRIZZLE_SQL_MODULE.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) continue;
    for (const element of bindings.elements) {
      if (!element.isTypeOnly && (element.propertyName ?? element.name).text === DRIZZLE_SQL_NAME) names.add(element.name.text);
    }
  }
  return names;
}
