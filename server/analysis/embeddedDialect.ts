// Which database a TS/JS file talks to, from its imports and its path. PoolSafe only knows
// PostgreSQL: code for MySQL, SQLite, SQL Server or Oracle (a file that imports only their drivers, or
// a multi-dialect ORM's `dialects/mysql/…` folder) gets no findings, and in a file that imports both a
// PostgreSQL and another driver, queries on objects created from the other driver are skipped.
import ts from 'typescript';
import { type Flow, outermostWrapper, unwrap } from './embeddedFlow';
import { dialectOfPath, PATH_DIALECT_NAMES, POSTGRES_FOLDER } from './dialect';
import { pathInProject } from './projectPaths';
import { boundNames, callsByName, walkDescendants } from './astWalk';
import { packageSpecifier, REGISTRY_PREFIX_IN_TEXT } from './packageSpecifiers';
import { OTHER_MODULES, POSTGRES_MODULES, POSTGRES_MODULE_NAMES } from './driverModules';
import { packageDependencies, packagePublishesEntryPoint } from './packageManifests';
import { importedNames } from './importedNames';

/**
 * Where a file's raw text may hold a string or template literal that moduleDialect reads as PostgreSQL's: such a
 * module's name just after a literal's opening (a quote, a backtick, the `}` closing a template hole) and before `/`
 * or the literal's end (a quote, a backtick, the `${` of a hole), or after the `npm:`, `jsr:` or CDN host of a Deno
 * specifier and before its version (`'npm:pg@8'`, `'https://esm.sh/pg@8'`). Every such literal written without an
 * escape matches; other text may too (embeddedGate.ts reads it as "maybe"). deno.land/x names are read apart
 * (packageSpecifiers.ts's DENO_LAND_PACKAGE_IN_TEXT).
 */
export const POSTGRES_MODULE_IN_TEXT = new RegExp(String.raw`['"\`}]${POSTGRES_MODULE_NAMES}[/'"\`$]|${REGISTRY_PREFIX_IN_TEXT}${POSTGRES_MODULE_NAMES}[@/'"\`$]`);
/**
 * PostgreSQL that runs inside the process (PGlite, WebAssembly): one session, never behind a pooler, so
 * session state in it is no hazard. Its SQL is still PostgreSQL (syntax errors stay).
 */
const IN_PROCESS_MODULES = /^(@electric-sql\/pglite|drizzle-orm\/pglite)(\/|$)/;

/**
 * Packages that send SQL text to a PostgreSQL server without any driver of POSTGRES_MODULES in the package's manifest:
 * Prisma's client (its engine holds the driver), Bun's built-in SQL (`import { SQL } from 'bun'`, typed by these), the
 * RDS Data API's HTTP client.
 */
const SERVER_SQL_WITHOUT_DRIVER = /^(?:@prisma\/client|prisma|@types\/bun|bun-types|@aws-sdk\/client-rds-data)$/;

/**
 * Whether the file's own package (its nearest package.json) can reach PostgreSQL only through PGlite: PGlite is among
 * the `dependencies` it runs with (a devDependency or peerDependency says how it is tested or what its host brings, not
 * where its importers send its text), no field names a server driver nor any package of SERVER_SQL_WITHOUT_DRIVER, and
 * the package names no entry point (`main`, `module`, `exports`) by which other packages import it and send its text
 * on their own drivers. Text a module of it exports without sending it is then sent, if at all, by the package's own
 * code on PGlite's one in-process session (a browser app's role table, embedded.ts's exported texts).
 */
export function packageReachesOnlyPglite(fileName: string | undefined): boolean {
  if (!fileName) return false;
  const servers = [...packageDependencies(fileName)].filter((name) => SERVER_SQL_WITHOUT_DRIVER.test(name) || (POSTGRES_MODULES.test(name) && !IN_PROCESS_MODULES.test(name)));
  if (servers.length > 0 || ![...packageDependencies(fileName, ['dependencies'])].some((name) => IN_PROCESS_MODULES.test(name))) return false;
  return !packagePublishesEntryPoint(fileName);
}

/**
 * Driver and ORM folder names that are not database names (the database names themselves are
 * dialectOfPath's, the one list), and CamelCase file names (MysqlDriver.ts).
 */
const OTHER_DIALECT_FOLDER = /^(oracledb|tedious|d1|ibmi|sap|singlestore-core)$/i;
const OTHER_DIALECT_FILE = new RegExp(`^(${PATH_DIALECT_NAMES.join('|')})`, 'i');
const POSTGRES_FILE = /^(postgres|postgresql|pg)/i;

/** A folder named `dialect`, or a file name starting with it (MysqlDriver.ts, mysql.test.ts; not mysqlish.ts). */
function pathNames(fileName: string | undefined, folder: RegExp, file: RegExp): boolean {
  if (!fileName) return false;
  const segments = pathInProject(fileName).split(/[\\/]/);
  const base = segments.pop() ?? '';
  const prefix = file.exec(base);
  return segments.some((s) => folder.test(s)) || (prefix !== null && !/[a-z]/.test(base[prefix[0].length] ?? ''));
}

/** True when the path names another database's dialect (a folder or the file name). */
export function pathIsOtherDialect(fileName: string | undefined): boolean {
  return fileName !== undefined && (dialectOfPath(fileName) !== undefined || pathNames(fileName, OTHER_DIALECT_FOLDER, OTHER_DIALECT_FILE));
}

/** True when the path names PostgreSQL (`dialects/postgres/…`, PostgresDriver.ts, pg-helpers.js). */
export function pathIsPostgres(fileName: string | undefined): boolean {
  return pathNames(fileName, POSTGRES_FOLDER, POSTGRES_FILE);
}

/**
 * A file importing from a module or folder named for PostgreSQL (`@scope/postgres/runtime`,
 * `../pg/driver`), or a PostgreSQL driver: its code is for PostgreSQL, even where no driver shows.
 */
export function importsPostgresCode(modules: ImportedModule[]): boolean {
  return modules.some((m) => moduleDialect(m.specifier) === 'postgres' || m.specifier.split('/').some((segment) => POSTGRES_FOLDER.test(segment)));
}

export type ModuleDialect = 'postgres' | 'other' | undefined;

export function moduleDialect(specifier: string): ModuleDialect {
  if (POSTGRES_MODULES.test(specifier)) return 'postgres';
  if (OTHER_MODULES.test(specifier)) return 'other';
  return undefined;
}

/** A module import: its specifier and the local names it binds. */
export interface ImportedModule {
  specifier: string;
  names: string[];
  /** The name bound to the module as a whole: a default or namespace import, `import x = require(…)`, `const x = require(…)`. */
  whole?: string;
}

/** `require('./x')` (awaited or parenthesised), not a member of it (`require('./x').query`). */
function isWholeRequire(node: ts.Expression): boolean {
  return ts.isCallExpression(unwrap(node));
}

/**
 * The module a `require('m')` / `import('m')` expression loads (through `await`, parentheses, type casts and `.default`),
 * also when the function called is a require function node's `module` makes (`createRequire(import.meta.url)('m')`).
 */
export function requiredModule(node: ts.Expression | undefined): string | undefined {
  let current = node && unwrap(node);
  while (current && ts.isPropertyAccessExpression(current)) current = unwrap(current.expression);
  if (current && ts.isCallExpression(current) && current.arguments.length === 1 && ts.isStringLiteral(current.arguments[0])
    && (current.expression.kind === ts.SyntaxKind.ImportKeyword || isRequireFunction(current.expression))) {
    return packageSpecifier(current.arguments[0].text);
  }
  return undefined;
}

/** Node's own module, whose `createRequire` makes a require function for an ES module. */
const NODE_MODULE = /^(?:node:)?module$/;

/** The names of a file that call node's createRequire, and those of its consts that hold the require function it made. */
interface RequireFunctionNames {
  makers: ReadonlySet<string>;
  made: ReadonlySet<string>;
}

const NO_REQUIRE_FUNCTIONS: RequireFunctionNames = { makers: new Set(), made: new Set() };
const requireFunctionsOf = new WeakMap<ts.SourceFile, RequireFunctionNames>();

/**
 * A function that loads a module as `require` does: `require` itself, a call of node's createRequire
 * (`createRequire(import.meta.url)`), or a const holding one (`const load = createRequire(import.meta.url)`): the way an
 * ES module loads a CommonJS driver. A function the file declares itself under the name createRequire is none.
 */
function isRequireFunction(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee) && callee.text === 'require') return true;
  const names = requireFunctionNames(callee.getSourceFile());
  if (ts.isIdentifier(callee)) return names.made.has(callee.text);
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && names.makers.has(callee.expression.text);
}

/** RequireFunctionNames of a file, read once (requiredModule is asked of many calls); none unless the text names createRequire. */
function requireFunctionNames(source: ts.SourceFile): RequireFunctionNames {
  let names = requireFunctionsOf.get(source);
  if (names) return names;
  const makers = new Set<string>();
  if (source.text.includes('createRequire')) {
    for (const [local, imported] of importedNames(source)) if (imported.name === 'createRequire' && NODE_MODULE.test(imported.specifier)) makers.add(local);
  }
  const made = new Set<string>();
  for (const maker of makers) {
    for (const call of callsByName(source).get(maker) ?? []) {
      const declaration = outermostWrapper(call).parent;
      if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0) made.add(declaration.name.text);
    }
  }
  names = makers.size > 0 ? { makers, made } : NO_REQUIRE_FUNCTIONS;
  requireFunctionsOf.set(source, names);
  return names;
}

/** Top-level imports and require() bindings of a file. */
export function importedModules(source: ts.SourceFile): ImportedModule[] {
  const modules: ImportedModule[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const names: string[] = [];
      if (clause?.name) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
      else if (bindings) for (const element of bindings.elements) names.push(element.name.text);
      const whole = bindings && ts.isNamespaceImport(bindings) ? bindings.name.text : clause?.name?.text;
      modules.push({ specifier: packageSpecifier(statement.moduleSpecifier.text), names, whole });
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && ts.isStringLiteral(statement.moduleReference.expression)) {
      modules.push({ specifier: packageSpecifier(statement.moduleReference.expression.text), names: [statement.name.text], whole: statement.name.text });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const specifier = requiredModule(declaration.initializer);
        if (specifier) modules.push({ specifier, names: boundNames(declaration.name), whole: ts.isIdentifier(declaration.name) && declaration.initializer && isWholeRequire(declaration.initializer) ? declaration.name.text : undefined });
      }
    } else if (ts.isExpressionStatement(statement)) {
      const specifier = requiredModule(statement.expression);
      if (specifier) modules.push({ specifier, names: [] });
    }
  }
  return modules;
}

export interface FileDialect {
  /** The file talks only to another database: analyse nothing. */
  otherOnly: boolean;
  /** The file imports a PostgreSQL driver (multi-dialect ORMs and query builders do not count). */
  postgres: boolean;
  /** Local names bound to another database's driver (for files that import both). */
  otherNames: Set<string>;
  /** Local names bound to a PostgreSQL driver. */
  postgresNames: Set<string>;
  /** Every PostgreSQL driver the file imports runs in the process (PGlite): no pooling findings. */
  inProcessOnly: boolean;
}

export function fileDialect(modules: ImportedModule[]): FileDialect {
  let postgres = false;
  let other = false;
  let pooled = false;
  const otherNames = new Set<string>();
  const postgresNames = new Set<string>();
  for (const module of modules) {
    const dialect = moduleDialect(module.specifier);
    if (dialect === 'postgres') {
      postgres = true;
      for (const name of module.names) postgresNames.add(name);
      if (!IN_PROCESS_MODULES.test(module.specifier)) pooled = true;
    }
    if (dialect === 'other') {
      other = true;
      for (const name of module.names) otherNames.add(name);
    }
  }
  return { otherOnly: other && !postgres, postgres, otherNames, postgresNames, inProcessOnly: postgres && !pooled };
}

function rootIdentifier(expression: ts.Expression): ts.Identifier | undefined {
  let current = expression;
  for (;;) {
    if (ts.isIdentifier(current)) return current;
    if (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current) || ts.isNewExpression(current) || ts.isAwaitExpression(current)
      || ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isElementAccessExpression(current)) current = current.expression;
    else return undefined;
  }
}

/**
 * Names of objects created from another database's driver (`mysql.createConnection()`,
 * `new Database()`, `await pool.getConnection()` of such a pool), found to a fixed point.
 */
export function otherDialectObjects(source: ts.SourceFile, driverNames: Set<string>): Set<string> {
  const names = new Set(driverNames);
  if (names.size === 0) return names;
  const declarations: ts.VariableDeclaration[] = [];
  walkDescendants(source, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) declarations.push(node);
  });
  for (let round = 0, grew = true; grew && round < 4; round++) {
    grew = false;
    for (const declaration of declarations) {
      const name = (declaration.name as ts.Identifier).text;
      const root = rootIdentifier(declaration.initializer!);
      if (!names.has(name) && root && names.has(root.text)) {
        names.add(name);
        grew = true;
      }
    }
  }
  return names;
}

/**
 * Names of objects known to be PostgreSQL's: made from a PostgreSQL driver (`new Pool()`, `await pool.connect()` of
 * such a pool) or declared with one of its types (`target: pg.PoolClient`, `client: PoolClient` imported from 'pg').
 */
export function postgresDriverObjects(source: ts.SourceFile, driverNames: Set<string>): Set<string> {
  if (driverNames.size === 0) return new Set();
  const typed = new Set(driverNames);
  walkDescendants(source, (node) => {
    if ((ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && ts.isIdentifier(node.name)
      && node.type && ts.isTypeReferenceNode(node.type) && driverNames.has(typeRoot(node.type.typeName))) typed.add(node.name.text);
  });
  return otherDialectObjects(source, typed);
}

/**
 * Whether a query call's receiver is a parameter or local variable declared with one of another database's driver
 * types (`async function tablesOf(pool: MysqlPool)` with `Pool as MysqlPool` imported from mysql2): the declaration the
 * name is bound to where it is read counts (Flow.bindingOf), so a `pool: pg.Pool` of another function of the same file
 * stays PostgreSQL's. A declaration with a union type, or none, or a destructuring says nothing.
 */
export function isTypedAsOtherDriver(receiver: ts.Expression, otherNames: Set<string>, flow: Flow): boolean {
  if (otherNames.size === 0) return false;
  const root = rootIdentifier(receiver);
  const binding = root && flow.bindingOf(root);
  const declaration = binding && ('parameter' in binding ? binding.parameter : binding.variable);
  return declaration !== undefined && ts.isIdentifier(declaration.name) && declaration.type !== undefined
    && ts.isTypeReferenceNode(declaration.type) && otherNames.has(typeRoot(declaration.type.typeName));
}

/** The first name of a type's (possibly qualified) name: `pg` of `pg.PoolClient`. */
function typeRoot(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : typeRoot(name.left);
}

/** True when a query call's receiver is an object of another database's driver (or, given those, of PostgreSQL's). */
export function isOtherDialectReceiver(receiver: ts.Expression, objects: Set<string>): boolean {
  const root = rootIdentifier(receiver);
  return root !== undefined && objects.has(root.text);
}

/** What a dialect test compares with or asks about, when it asks about PostgreSQL. */
const POSTGRES_DIALECT_NAME = /^(?:postgres|postgresql|pg)$/i;
/** A predicate named for PostgreSQL: `isPostgres()`, `this.isPostgresCompatibleDialect()`, `isPG(db)`. */
const POSTGRES_PREDICATE = /^is(?:Postgres|PostgreSQL|Postgresql|Pg|PG)(?![a-z])/;
/** A dialect test taking dialect names: `inDialect('postgres')`, `isDialect('postgres', 'pg')`. */
const DIALECT_QUESTION = /^(?:in|is)(?:Dialect|Dialects)$|^(?:in|is)[A-Z]\w*Dialects?$/;

/** Whether an expression is a test that holds only on PostgreSQL (a conjunction holds when one of its terms does). */
function testsForPostgres(condition: ts.Expression): boolean {
  const value = ts.isParenthesizedExpression(condition) ? condition.expression : condition;
  if (ts.isBinaryExpression(value)) {
    const operator = value.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return testsForPostgres(value.left) || testsForPostgres(value.right);
    if (operator !== ts.SyntaxKind.EqualsEqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsToken) return false;
    return [value.left, value.right].some((side) => ts.isStringLiteralLike(side) && POSTGRES_DIALECT_NAME.test(side.text));
  }
  if (!ts.isCallExpression(value)) return false;
  const callee = ts.isPropertyAccessExpression(value.expression) ? value.expression.name.text : ts.isIdentifier(value.expression) ? value.expression.text : '';
  if (POSTGRES_PREDICATE.test(callee)) return true;
  return DIALECT_QUESTION.test(callee) && value.arguments.length > 0 && value.arguments.every((a) => ts.isStringLiteralLike(a) && POSTGRES_DIALECT_NAME.test(a.text));
}

/** `!test`: the else branch is the one that holds on PostgreSQL. */
function negatedPostgresTest(condition: ts.Expression): boolean {
  return ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken && testsForPostgres(condition.operand);
}

/**
 * Code that runs only when the file's own dialect test says PostgreSQL: the branch of an `if` (or `?:`)
 * whose condition is such a test (`if (this.isPostgresCompatibleDialect()) { … }`, `if (dialect === 'postgres')`,
 * the else of `if (!isPostgres())`). In a file that imports only another database's driver (a multi-dialect
 * ORM's core, which also imports mysql2), these branches are still PostgreSQL.
 */
export function postgresBranches(source: ts.SourceFile): ts.Node[] {
  if (!/postgres|\bpg\b/i.test(source.text)) return [];
  const branches: ts.Node[] = [];
  walkDescendants(source, (node) => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const [condition, then, otherwise] = ts.isIfStatement(node) ? [node.expression, node.thenStatement, node.elseStatement] : [node.condition, node.whenTrue, node.whenFalse];
      if (testsForPostgres(condition)) branches.push(then);
      else if (otherwise && negatedPostgresTest(condition)) branches.push(otherwise);
    }
    return true;
  });
  return branches;
}
