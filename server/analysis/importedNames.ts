// The names a file binds with `import` declarations, each to the module and the name that module exports. Its own
// module, below every reader of it: embeddedDialect.ts asks it which name is node's createRequire, and
// ownServerHelpers.ts (which reads embeddedDialect.ts's requiredModule) builds its cross-file facts on it.
import ts from 'typescript';
import { packageSpecifier } from './packageSpecifiers';

/** A name a file imports: the module and the name the module exports it under (`default` for a default import). */
export interface ImportedName {
  specifier: string;
  name: string;
}

/**
 * Named and default imports of functions (`import { a as b } from './x'`: b → ./x's a); with `types`, of types too
 * (`import type { Db } from './x'`, `import { type Db } from './x'`).
 */
export function importedNames(source: ts.SourceFile, types = false): Map<string, ImportedName> {
  const names = new Map<string, ImportedName>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || (statement.importClause?.isTypeOnly && !types)) continue;
    const specifier = packageSpecifier(statement.moduleSpecifier.text);
    const clause = statement.importClause;
    if (clause?.name) names.set(clause.name.text, { specifier, name: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly || types) names.set(element.name.text, { specifier, name: (element.propertyName ?? element.name).text });
    }
  }
  return names;
}
