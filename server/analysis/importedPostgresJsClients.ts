// Cross-file facts: a postgres.js client that another module of the project creates and exports, and that a file
// imports by name or as the default (`import { sql } from './db'`, `import db from '@/lib/db'`). The module shows
// it: `export const sql = postgres(url)`, `const sql = postgres(url); export { sql as db }` or `export default sql`,
// `export default postgres(url)`, with `postgres` imported (or required) from the driver there. A call on such a
// name (`sql.listen(channel, fn)`) is a call on that client; the creation, in the other module's syntax tree, tells
// how it connects (directUrls.ts). The module is found as the other cross-file facts find theirs
// (moduleResolution.ts: a relative path, a tsconfig alias, a workspace package), read from disk by
// parsedModules.ts (bounded in size, cached by modification time), so the CLI and the editor decide the same way.
import ts from 'typescript';
import { resolve } from 'node:path';
import { unwrap } from './embeddedFlow';
import { resolveModule } from './moduleResolution';
import { ModuleFacts } from './parsedModules';
import { POSTGRES_JS_MODULE } from './codeWords';
import type { ImportedName } from './ownServerHelpers';

/** A module that never names the driver creates no client of it: most are never parsed. */
const NAMES_DRIVER = /['"]postgres['"]/;

/** Per module (parsedModules.ts's read): exported name (`default` for the default export) → the `postgres(…)` call that makes it. */
const moduleClients = new ModuleFacts((read) => (NAMES_DRIVER.test(read.text) ? exportedClients(read.source) : new Map<string, ts.CallExpression>()));

/** The `postgres(…)` call that makes the client `imported` names, when a module of the project creates and exports one. */
export function importedPostgresJsClient(importer: string, imported: ImportedName): ts.CallExpression | undefined {
  if (imported.specifier === POSTGRES_JS_MODULE) return undefined;
  const path = resolveModule(resolve(importer), imported.specifier);
  if (!path || path === resolve(importer)) return undefined;
  return moduleClients.of(path)?.get(imported.name);
}

/** The module's exported postgres.js clients, by exported name. */
function exportedClients(source: ts.SourceFile): Map<string, ts.CallExpression> {
  const factories = driverFactories(source);
  const exported = new Map<string, ts.CallExpression>();
  if (factories.size === 0) return exported;
  const creation = (value: ts.Expression | undefined): ts.CallExpression | undefined => {
    const call = value && unwrap(value);
    return call && ts.isCallExpression(call) && ts.isIdentifier(call.expression) && factories.has(call.expression.text) ? call : undefined;
  };
  const topLevel = new Map<string, ts.CallExpression>();
  const exportedLater: [exportedAs: string, local: string][] = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const isExported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      // Only a const holds the client it was created with wherever it is read.
      if ((statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
      for (const declaration of statement.declarationList.declarations) {
        const made = ts.isIdentifier(declaration.name) ? creation(declaration.initializer) : undefined;
        if (!made) continue;
        topLevel.set((declaration.name as ts.Identifier).text, made);
        if (isExported) exported.set((declaration.name as ts.Identifier).text, made);
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const value = unwrap(statement.expression);
      const made = creation(value);
      if (made) exported.set('default', made);
      else if (ts.isIdentifier(value)) exportedLater.push(['default', value.text]);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exportedLater.push([element.name.text, (element.propertyName ?? element.name).text]);
    }
  }
  for (const [exportedAs, local] of exportedLater) {
    const made = topLevel.get(local);
    if (made) exported.set(exportedAs, made);
  }
  return exported;
}

/** The names the driver's factory goes by in the module: `import postgres from 'postgres'`, `const pg = require('postgres')`. */
function driverFactories(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === POSTGRES_JS_MODULE) {
      const clause = statement.importClause;
      if (clause?.name && !clause.isTypeOnly) names.add(clause.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const value = declaration.initializer && unwrap(declaration.initializer);
        if (ts.isIdentifier(declaration.name) && value && ts.isCallExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'require'
          && value.arguments.length === 1 && ts.isStringLiteral(value.arguments[0]) && value.arguments[0].text === POSTGRES_JS_MODULE) names.add(declaration.name.text);
      }
    }
  }
  return names;
}
