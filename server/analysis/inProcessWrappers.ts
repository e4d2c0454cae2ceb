// A project's own class around PGlite (gbrain's `class PGLiteEngine { private _db: PGlite | null; async executeRaw(sql)
// { return this.db.query(sql) } }`): its instances are the in-process database under another name, one embedded session
// that no pooler stands in front of, so what a file sends through `new PGLiteEngine()` or a variable declared as one
// (`let engine: PGLiteEngine`) is judged as PGlite's own (inProcess.ts). A class counts when it holds a PGlite instance
// (a field declared as one, also through a type alias of its module and with `| null`, or a field the class fills with
// `new PGlite(…)` / `PGlite.create(…)`), holds no field typed as another driver's client (`sql!: Sql`, filled from outside),
// extends no other class (a base may hold a real pool), and its module imports no
// PostgreSQL driver but PGlite's and makes no other client (a module that also imports `pg` or `postgres`, or calls a
// `createPool(…)` of its own, may hold a pool next to it: gbrain's PostgresEngine). The class's module is read from disk (parsedModules.ts), found through the importing file's
// relative paths, path aliases and workspace packages (moduleResolution.ts), and through re-exports.
// A project's exported type alias for the in-process database counts the same way (`export type Database =
// ReturnType<typeof drizzle<typeof schema>>` with drizzle from drizzle-orm/pglite, `PgliteDatabase<…>`, `PGlite`): a
// variable or parameter declared with it (`db: Database`) is PGlite or drizzle over PGlite, under the same module gate
// as a class: a module that also imports a server driver or makes another client may type that client with the alias
// too (`drizzlePg(new Pool(…)) as unknown as Database`: PGlite in development, a pooled server in production).
import ts from 'typescript';
import { hasModifier, nonNullishMembers } from './astWalk';
import { fileDialect, importedModules } from './embeddedDialect';
import { projectModulePath } from './moduleResolution';
import { ModuleFacts, type ModuleRead } from './parsedModules';
import { PGLITE_TYPE, createsPglite } from './inProcess';

/** A module that may define such a class imports PGlite (the cheap test before its syntax tree is made). */
const IMPORTS_PGLITE = /['"]@electric-sql\/pglite['"/]/;
/** A module that may export a type alias for the in-process database (PGlite, or drizzle over it). */
const IMPORTS_IN_PROCESS = /['"](?:@electric-sql\/pglite|drizzle-orm\/pglite)['"/]/;
/** drizzle over PGlite: its `drizzle(…)` returns its `PgliteDatabase`. */
const DRIZZLE_PGLITE_MODULE = 'drizzle-orm/pglite';
const DRIZZLE_PGLITE_DATABASE = 'PgliteDatabase';
/** A module that may re-export one (`export { PGLiteEngine } from './pglite-engine'`, `export * from './engines'`). */
const REEXPORTS = /\bexport\b[^;]*\bfrom\b/;
/**
 * A module that makes another client somewhere (`new Pool(…)`, `new Client(…)`, `createPool(…)`, `postgres(…)`,
 * `knex(…)`, also through a helper of the project it imports) may hold it next to PGlite: its classes are not judged.
 */
const MAKES_OTHER_CLIENT = /\bnew\s+(?:[\w$]+\.)?(?:Pool|Client)\b|\b(?:createPool|postgres|knex)\s*\(/;
/** How many re-exporting modules a name is followed through. */
const MAX_DEPTH = 4;

/** What a module says about its classes: the exported ones that wrap PGlite, and where other names are re-exported from. */
interface WrapperSummary {
  /** Exported names (`default` for a default export) of classes around PGlite only, and of type aliases for it. */
  classes: Set<string>;
  /** `export { A as B } from './x'`: B → ./x's A. */
  renamed: Map<string, { specifier: string; name: string }>;
  /** `export * from './x'`. */
  starred: string[];
}

const summaries = new ModuleFacts(summarise);

/**
 * The names a file binds to a project class around PGlite: each imported name (also a type-only import) that the file
 * constructs (`new X(`) or writes as a type (`: X`), whose module (followed through re-exports) exports such a class.
 */
export function inProcessWrapperNames(source: ts.SourceFile, fileName: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!fileName) return names;
  const text = source.text;
  let classUses: Set<string> | undefined;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const local = element.name.text;
      if (!(PLAIN_NAME.test(local) ? (classUses ??= namesUsedAsClass(text)).has(local) : usedAsClass(text, local))) continue;
      if (isWrapper(fileName, statement.moduleSpecifier.text, (element.propertyName ?? element.name).text, 0)) names.add(local);
    }
  }
  return names;
}

/** Whether the file's text constructs the name or writes it as a type (a cheap test before any module is read). */
function usedAsClass(text: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(String.raw`(?:\bnew\s+|:\s*)${escaped}(?![\w$])`).test(text);
}

/** A name of word characters and `$` only, whose uses as a class namesUsedAsClass finds. */
const PLAIN_NAME = /^[\w$]+$/;
/** What follows `new` or a colon (usedAsClass's two places), up to the first character that is not a word character or `$`. */
const AFTER_NEW = /\bnew\s+([\w$]+)/g;
const AFTER_COLON = /:\s*([\w$]+)/g;

/**
 * Every plain name (PLAIN_NAME) the file's text constructs or writes as a type, as usedAsClass reads them, in two scans
 * of the text: usedAsClass is true of such a name exactly when it is one of them, and a file imports dozens of names
 * (session 52: a regular expression made and run over the whole text per imported name). Each scan resumes at the name
 * it found, which may itself be `new` (`new new Foo()()`).
 */
function namesUsedAsClass(text: string): Set<string> {
  const names = new Set<string>();
  for (const pattern of [AFTER_NEW, AFTER_COLON]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      names.add(match[1]!);
      pattern.lastIndex = match.index + match[0].length - match[1]!.length;
    }
  }
  return names;
}

function isWrapper(importer: string, specifier: string, name: string, depth: number): boolean {
  // PGlite's own classes and any other package's are not the project's: inProcess.ts knows PGlite's.
  if (depth > MAX_DEPTH || /^@electric-sql\//.test(specifier)) return false;
  const file = projectModulePath(importer, specifier);
  const summary = file === undefined ? undefined : summaries.of(file);
  if (!summary) return false;
  if (summary.classes.has(name)) return true;
  const renamed = summary.renamed.get(name);
  if (renamed) return isWrapper(file!, renamed.specifier, renamed.name, depth + 1);
  return summary.starred.some((from) => isWrapper(file!, from, name, depth + 1));
}

function summarise(read: ModuleRead): WrapperSummary {
  const summary: WrapperSummary = { classes: new Set(), renamed: new Map(), starred: [] };
  const pglite = IMPORTS_PGLITE.test(read.text);
  const inProcess = IMPORTS_IN_PROCESS.test(read.text);
  if (!inProcess && !REEXPORTS.test(read.text)) return summary;
  const source = read.source;
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    if (!statement.exportClause) summary.starred.push(from);
    else if (ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) summary.renamed.set(element.name.text, { specifier: from, name: (element.propertyName ?? element.name).text });
    }
  }
  if (!inProcess) return summary;
  // A module that may hold a pool next to PGlite says nothing sure of its classes' fields or its aliases' values.
  if (MAKES_OTHER_CLIENT.test(read.text) || !fileDialect(importedModules(source)).inProcessOnly) return summary;
  const aliases = typeAliases(source);
  const wrappers = inProcessTypeAliases(source, aliases);
  for (const name of wrappers) summary.classes.add(name);
  if (pglite) addWrapperClasses(source, aliases, wrappers, summary);
  addLocalExports(source, wrappers, summary);
  return summary;
}

/** The module's exported classes around PGlite only (added to `wrappers` too, for its later `export { … }`). */
function addWrapperClasses(source: ts.SourceFile, aliases: Map<string, ts.TypeNode>, wrappers: Set<string>, summary: WrapperSummary): void {
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name || !holdsPglite(statement, aliases)) continue;
    wrappers.add(statement.name.text);
    if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) summary.classes.add(hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'default' : statement.name.text);
  }
}

/** The names `wrappers` holds that the module exports under another statement. */
function addLocalExports(source: ts.SourceFile, wrappers: Set<string>, summary: WrapperSummary): void {
  // `export { PGLiteEngine }`, `export { Engine as default }`, `export default PGLiteEngine`.
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) if (wrappers.has((element.propertyName ?? element.name).text)) summary.classes.add(element.name.text);
    }
    if (ts.isExportAssignment(statement) && !statement.isExportEquals && ts.isIdentifier(statement.expression) && wrappers.has(statement.expression.text)) summary.classes.add('default');
  }
}

/**
 * The module's top-level type aliases (exported or not; generic ones too) whose every value is PGlite or drizzle's
 * database over it (inProcessType).
 */
function inProcessTypeAliases(source: ts.SourceFile, aliases: Map<string, ts.TypeNode>): Set<string> {
  const drizzleNames = namesImportedFromDrizzlePglite(source);
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement) && inProcessType(statement.type, aliases, drizzleNames, 0)) names.add(statement.name.text);
  }
  return names;
}

/** Local names the module imports from drizzle-orm/pglite (`drizzle`, `PgliteDatabase`). */
function namesImportedFromDrizzlePglite(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const module of importedModules(source)) if (module.specifier === DRIZZLE_PGLITE_MODULE) module.names.forEach((name) => names.add(name));
  return names;
}

/**
 * PGlite's types (isPgliteType), drizzle-orm/pglite's `PgliteDatabase<…>`, `ReturnType<typeof drizzle>` (also with type
 * arguments) of a function drizzle-orm/pglite exports, an alias of the module for one, and a union of them with nullish.
 */
function inProcessType(type: ts.TypeNode, aliases: Map<string, ts.TypeNode>, drizzleNames: Set<string>, depth: number): boolean {
  if (depth > 4) return false;
  if (ts.isParenthesizedTypeNode(type)) return inProcessType(type.type, aliases, drizzleNames, depth);
  if (ts.isUnionTypeNode(type)) {
    const values = nonNullishMembers(type);
    return values.length > 0 && values.every((member) => inProcessType(member, aliases, drizzleNames, depth));
  }
  if (isPgliteType(type, aliases, 0)) return true;
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const name = type.typeName.text;
  if (name === DRIZZLE_PGLITE_DATABASE && drizzleNames.has(name)) return true;
  if (name === 'ReturnType' && type.typeArguments?.length === 1) return returnsInProcess(type.typeArguments[0], drizzleNames);
  const alias = aliases.get(name);
  return alias !== undefined && inProcessType(alias, aliases, drizzleNames, depth + 1);
}

/** `typeof drizzle` / `typeof drizzle<typeof schema>` of drizzle-orm/pglite's `drizzle` (also renamed on import). */
function returnsInProcess(type: ts.TypeNode, drizzleNames: Set<string>): boolean {
  return ts.isTypeQueryNode(type) && ts.isIdentifier(type.exprName) && drizzleNames.has(type.exprName.text)
    && type.exprName.text !== DRIZZLE_PGLITE_DATABASE;
}

/** The module's top-level `type X = …` aliases. */
function typeAliases(source: ts.SourceFile): Map<string, ts.TypeNode> {
  const aliases = new Map<string, ts.TypeNode>();
  for (const statement of source.statements) if (ts.isTypeAliasDeclaration(statement) && !statement.typeParameters) aliases.set(statement.name.text, statement.type);
  return aliases;
}

/**
 * Type names of other drivers' clients and pools. A field declared as one (`sql!: Sql`, `pool: Pool`) may be filled
 * from outside with a real server's client, whatever module the class is in: such a class is not PGlite alone.
 */
const OTHER_CLIENT_TYPE = /^(?:Sql|TransactionSql|ReservedSql|Pool|PoolClient|Client|ClientBase|Knex|Kysely|Sequelize|DataSource|EntityManager|PrismaClient|IDatabase|NodePgDatabase|PostgresJsDatabase)$/;

/** A class that extends nothing, holds a PGlite instance in one of its fields and no field typed as another client. */
function holdsPglite(cls: ts.ClassDeclaration, aliases: Map<string, ts.TypeNode>): boolean {
  if (cls.heritageClauses?.some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)) return false;
  if (holdsOtherClient(cls)) return false;
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && (isPgliteType(member.type, aliases, 0) || (member.initializer !== undefined && createsPglite(member.initializer)))) return true;
    if (ts.isConstructorDeclaration(member) && member.parameters.some((p) => ts.isParameterPropertyDeclaration(p, member) && isPgliteType(p.type, aliases, 0))) return true;
  }
  // `this._db = await PGlite.create(…)` in a method or the constructor.
  let assigned = false;
  const visit = (node: ts.Node): void => {
    if (assigned) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
      && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && createsPglite(node.right)) assigned = true;
    else ts.forEachChild(node, visit);
  };
  cls.members.forEach(visit);
  return assigned;
}

/** A field or constructor parameter property declared as another driver's client or pool (also in a union). */
function holdsOtherClient(cls: ts.ClassDeclaration): boolean {
  const names = (type: ts.TypeNode | undefined): string[] => {
    if (!type) return [];
    if (ts.isParenthesizedTypeNode(type)) return names(type.type);
    if (ts.isUnionTypeNode(type)) return type.types.flatMap(names);
    if (!ts.isTypeReferenceNode(type)) return [];
    return [ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text];
  };
  const typed = (type: ts.TypeNode | undefined) => names(type).some((name) => OTHER_CLIENT_TYPE.test(name));
  return cls.members.some((member) =>
    (ts.isPropertyDeclaration(member) && typed(member.type))
    || (ts.isConstructorDeclaration(member) && member.parameters.some((p) => ts.isParameterPropertyDeclaration(p, member) && typed(p.type))));
}

/** `PGlite`, `PGliteInterface`, an alias of the module for one, and either with `| null` / `| undefined`. */
function isPgliteType(type: ts.TypeNode | undefined, aliases: Map<string, ts.TypeNode>, depth: number): boolean {
  if (!type || depth > 4) return false;
  if (ts.isParenthesizedTypeNode(type)) return isPgliteType(type.type, aliases, depth);
  if (ts.isUnionTypeNode(type)) {
    const values = nonNullishMembers(type);
    return values.length > 0 && values.every((member) => isPgliteType(member, aliases, depth));
  }
  if (!ts.isTypeReferenceNode(type)) return false;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  if (PGLITE_TYPE.test(name)) return true;
  const alias = ts.isIdentifier(type.typeName) ? aliases.get(name) : undefined;
  return alias !== undefined && isPgliteType(alias, aliases, depth + 1);
}
