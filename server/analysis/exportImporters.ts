// Follows one export of a module into every file of the project that imports it. Rules that clear a value only when
// every use of it is safe (a postgres.js client a factory returns, a drizzle database) must judge its uses in the
// importers too; how the importers take the export (named or default imports, re-exports, namespace imports,
// `require`/`import()`) is read here once, and what counts as a safe use stays with the rule (its judge).
import ts from 'typescript';
import { resolveModule } from './moduleResolution';
import { importersOf, specifiersIn } from './projectImporters';

/** What a rule answers while its export is followed; `V` is the rule's parsed file (its `source` the syntax tree). */
export interface ExportJudge<V extends { source: ts.SourceFile }> {
  /** The importer parsed; undefined when it cannot be read, which makes the answer no. */
  view(file: string): V | undefined;
  /** Whether each name an importer binds the export to (`import { db as database }`, a default import) is used safely. */
  localsPass(view: V, locals: readonly string[]): boolean;
  /** Whether `name`, exported again by `importer` (`export * from`, `export { db as default } from`), passes: the rule's own entry, with its budget. */
  reexportPasses(importer: string, name: string): boolean;
  /** Whether the importer's other loads of the module (`require('./db')`, `import('./db')`, by these specifiers) are safe; not given: never. */
  loadsPass?(view: V, specifiers: readonly string[]): boolean;
  /** The order the importers are read in (one of them usually decides the answer); not given: as found. */
  order?(importers: string[]): string[];
}

/**
 * Whether `exported` (an export name, or `default`) of `file` passes in every importer. No: when no file of the
 * project imports the module (an export for users the analysis cannot see) or the importers cannot be listed, when
 * an importer cannot be read, imports the module as a namespace or re-exports it as one, or loads it otherwise than
 * the judge accepts.
 */
export function everyImporterPasses<V extends { source: ts.SourceFile }>(file: string, exported: string, judge: ExportJudge<V>): boolean {
  const importers = importersOf(file);
  if (!importers || importers.length === 0) return false;
  return (judge.order?.(importers) ?? importers).every((importer) => importerPasses(importer, file, exported, judge));
}

function importerPasses<V extends { source: ts.SourceFile }>(importer: string, file: string, exported: string, judge: ExportJudge<V>): boolean {
  const view = judge.view(importer);
  if (!view) return false;
  const declared = new Set<string>();
  const locals: string[] = [];
  for (const statement of view.source.statements) {
    const specifier = moduleSpecifierOf(statement);
    if (specifier === undefined || resolveModule(importer, specifier) !== file) continue;
    declared.add(specifier);
    const passes = ts.isImportDeclaration(statement) ? bindImport(statement, exported, locals) : reexportPasses(statement as ts.ExportDeclaration, importer, exported, judge);
    if (!passes) return false;
  }
  const loaded = specifiersIn(view.source.text).filter((s) => !declared.has(s) && resolveModule(importer, s) === file);
  if (loaded.length > 0 && !(judge.loadsPass?.(view, loaded) ?? false)) return false;
  return locals.length === 0 || judge.localsPass(view, locals);
}

function moduleSpecifierOf(statement: ts.Statement): string | undefined {
  if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) return undefined;
  return statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
}

/** Adds the names an import binds the export to; false for a namespace import, whose uses are not followed. */
function bindImport(statement: ts.ImportDeclaration, exported: string, locals: string[]): boolean {
  const clause = statement.importClause;
  if (!clause || clause.isTypeOnly) return true;
  if (clause.name && exported === 'default') locals.push(clause.name.text);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) return false;
  for (const element of bindings?.elements ?? []) if (!element.isTypeOnly && (element.propertyName ?? element.name).text === exported) locals.push(element.name.text);
  return true;
}

function reexportPasses<V extends { source: ts.SourceFile }>(statement: ts.ExportDeclaration, importer: string, exported: string, judge: ExportJudge<V>): boolean {
  if (statement.isTypeOnly) return true;
  const clause = statement.exportClause;
  if (!clause) return exported === 'default' || judge.reexportPasses(importer, exported); // `export * from` passes every name but default
  if (ts.isNamespaceExport(clause)) return false;
  return clause.elements.every((e) => e.isTypeOnly || (e.propertyName ?? e.name).text !== exported || judge.reexportPasses(importer, e.name.text));
}
