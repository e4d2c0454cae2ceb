// Clients of PostgreSQL over HTTP, which hold no connection between statements: Neon's HTTP driver (`neon(url)`, typed
// `NeonQueryFunction`) and drizzle over it (`drizzle(neon(url))`, typed `NeonHttpDatabase`). Each statement is one HTTP
// request run in a transaction of its own (only a batch, `sql.transaction([...])`, shares one), and drizzle's neon-http
// driver refuses interactive transactions. So a function handed such a client is never inside a transaction its
// caller began on it: a `SET LOCAL` it sends there is alone, and lost when that request ends.
//
// Read from the parameter's declared type, as the file writes it or through a type alias: one of this file
// (`type Db = NeonHttpDatabase<typeof schema>`) or one a module of the project exports (`import type { Db } from
// './client'`, there `export type Db = NeonHttpDatabase<…>`), one step.
import ts from 'typescript';
import { hasModifier } from './astWalk';
import { typeNameMatches } from './declaredTypes';
import { parsed } from './callerFiles';
import { projectModulePath } from './moduleResolution';

/** The types of Neon's HTTP query function and of drizzle's database over it. */
const HTTP_ONLY_TYPE = /^(?:NeonHttpDatabase|NeonQueryFunction)$/;

/** Whether `type` (a parameter's annotation in `source`) is an HTTP-only client's type, directly or through one alias. */
export function declaresHttpOnlyClient(type: ts.TypeNode | undefined, source: ts.SourceFile, fileName: string | undefined): boolean {
  if (!type) return false;
  if (typeNameMatches(type, HTTP_ONLY_TYPE)) return true;
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const name = type.typeName.text;
  const local = aliasIn(source, name, false);
  if (local) return typeNameMatches(local, HTTP_ONLY_TYPE);
  const imported = fileName ? importedType(source, name) : undefined;
  const path = imported && projectModulePath(fileName!, imported.specifier);
  const view = path ? parsed(path) : undefined;
  const alias = view && aliasIn(view.source, imported!.name, true);
  return alias !== undefined && typeNameMatches(alias, HTTP_ONLY_TYPE);
}

/** The type a top-level `type name = …` of `source` stands for (only an exported one when `exported`). */
function aliasIn(source: ts.SourceFile, name: string, exported: boolean): ts.TypeNode | undefined {
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || statement.name.text !== name) continue;
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    return !exported || isExported ? statement.type : undefined;
  }
  return undefined;
}

/** The module and exported name of a type this file imports by name (`import type { Db } from './client'`, `import { type Db }`). */
function importedType(source: ts.SourceFile, local: string): { specifier: string; name: string } | undefined {
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const element = bindings.elements.find((candidate) => candidate.name.text === local);
    if (element) return { specifier: statement.moduleSpecifier.text, name: (element.propertyName ?? element.name).text };
  }
  return undefined;
}
