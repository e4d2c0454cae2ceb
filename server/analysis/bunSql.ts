// Bun's built-in SQL client (`import { SQL, sql } from 'bun'`, the global `Bun.SQL` / `Bun.sql`). For
// PostgreSQL, its default adapter, it prepares every query as a named statement unless created with
// `prepare: false` (the option defaults to true), as postgres.js does: behind a transaction pooler without
// prepared-statement support the next run of a query lands on a server connection that lacks it. The same
// class also talks to MySQL and SQLite, told apart by its URL's scheme or its `adapter`/`filename` options.
import ts from 'typescript';
import { isConstDeclaration, objectProperty, unwrap, type Flow } from './embeddedFlow';
import { tableParameterValues } from './testTableValues';
import { BUN_GLOBAL, BUN_MODULE } from './codeWords';
import { dynamicImportBindings, loadedModuleOf } from './dynamicImports';

/** The local names a file binds to Bun's SQL class, its default client, and the module itself. */
export interface BunSqlNames {
  classes: Set<string>;
  defaultClients: Map<string, ts.ImportSpecifier>;
  modules: Set<string>;
}

/**
 * `import { SQL, sql as db } from 'bun'`, `import * as bun from 'bun'` (and the global `Bun`), and the same names bound
 * by loading the module at run time (`const { SQL } = await import('bun')`, `const bun = await import('bun')`;
 * dynamicImports.ts): code that runs on Node.js too loads Bun's module only where it connects. (A run-time `sql`
 * binding is not taken for the default client: that common name, file-wide, would make other tags Bun's.)
 */
export function bunSqlNames(source: ts.SourceFile): BunSqlNames {
  const names: BunSqlNames = { classes: new Set(), defaultClients: new Map(), modules: new Set([BUN_GLOBAL]) };
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== BUN_MODULE) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) names.modules.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.modules.add(bindings.name.text);
    else if (bindings) {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        if (imported === 'SQL') names.classes.add(element.name.text);
        else if (imported === 'sql') names.defaultClients.set(element.name.text, element);
      }
    }
  }
  for (const binding of dynamicImportBindings(source, BUN_MODULE)) {
    if (binding.exported === undefined) names.modules.add(binding.local);
    else if (binding.exported === 'SQL') names.classes.add(binding.local);
  }
  return names;
}

/** Whether `callee` names Bun's SQL class (`SQL`, `Bun.SQL`, `bun.SQL`, `(await import('bun')).SQL`). */
export function isBunSqlClass(callee: ts.Expression, names: BunSqlNames): boolean {
  if (ts.isIdentifier(callee)) return names.classes.has(callee.text);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'SQL') return false;
  return ts.isIdentifier(callee.expression) ? names.modules.has(callee.expression.text) : loadedModuleOf(callee.expression) === BUN_MODULE;
}

/** `Bun.sql` (or `bun.sql` of the module): the default client, read from the environment. */
export function isBunDefaultClient(node: ts.Expression, names: BunSqlNames): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'sql' && ts.isIdentifier(node.expression) && names.modules.has(node.expression.text);
}

/** URL schemes and file names of Bun's other adapters (MySQL, MariaDB, SQLite). */
const OTHER_DATABASE_URL = /^\s*(?:mysql2?:|mariadb:|sqlite:|file:|:memory:)|\.(?:db|db3|sqlite3?)\s*$/i;
const POSTGRES_ADAPTER = /^postgres(?:ql)?$/i;

/** The known text of a string value (a literal, or a template's head), if any. */
function knownText(value: ts.Expression): string | undefined {
  const node = unwrap(value);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return ts.isTemplateExpression(node) ? node.head.text : undefined;
}

/** How many consts, choices and table cells a URL is followed through. */
const MAX_URL_STEPS = 6;

/**
 * Whether every value `url` can have is a known text naming another engine than PostgreSQL: written in place, or
 * reached through a `const`, both branches of a `?:`, and the rows of a test table whose per-row callback has it as a
 * parameter (`it.each(rows)(title, ({ url }) => …)`, testTableValues.ts). A value not known (a `let`, a call, the
 * environment, a row without it) may be PostgreSQL's.
 */
function namesOtherEngine(url: ts.Expression, flow: Flow | undefined, steps: number): boolean {
  const text = knownText(url);
  if (text !== undefined) return OTHER_DATABASE_URL.test(text);
  const node = unwrap(url);
  if (!flow || steps >= MAX_URL_STEPS) return false;
  if (ts.isConditionalExpression(node)) return namesOtherEngine(node.whenTrue, flow, steps + 1) && namesOtherEngine(node.whenFalse, flow, steps + 1);
  if (!ts.isIdentifier(node)) return false;
  const binding = flow.bindingOf(node);
  if (!binding) return false;
  if ('variable' in binding) {
    const { variable } = binding;
    return isConstDeclaration(variable) && ts.isIdentifier(variable.name) && variable.initializer !== undefined && namesOtherEngine(variable.initializer, flow, steps + 1);
  }
  const values = tableParameterValues(binding.parameterOf, binding.parameter, node.text, flow);
  return values !== undefined && values.length > 0 && values.every((value) => value !== undefined && namesOtherEngine(value, flow, steps + 1));
}

/**
 * The database a `new SQL(…)` talks to: another one when its `adapter` names one, it has SQLite's `filename`,
 * or its URL is MySQL's or SQLite's (every value it can have: namesOtherEngine, given the file's `flow`); PostgreSQL
 * otherwise (Bun's fallback adapter, also for a URL taken from the environment); unknown when the adapter is computed.
 */
export function bunClientDatabase(creation: ts.NewExpression, flow?: Flow): 'postgres' | 'other' | 'unknown' {
  const args = creation.arguments ?? [];
  const options = args.map(unwrap).find(ts.isObjectLiteralExpression);
  const adapter = options && objectProperty(options, 'adapter');
  if (adapter) {
    const name = knownText(adapter);
    if (name === undefined) return 'unknown';
    return POSTGRES_ADAPTER.test(name) ? 'postgres' : 'other';
  }
  if (options && objectProperty(options, 'filename')) return 'other';
  const url = args[0] && !ts.isObjectLiteralExpression(unwrap(args[0])) ? args[0] : options && objectProperty(options, 'url');
  return url && namesOtherEngine(url, flow, 0) ? 'other' : 'postgres';
}

/**
 * The environment variables Bun's SQL reads a PostgreSQL URL from when it is given none (`new SQL()`, the default
 * `sql`): `DATABASE_URL` and `POSTGRES_URL` with their spellings and TLS variants. Which comes first has changed between
 * Bun versions, so callers weigh them all alike.
 */
export const BUN_URL_VARIABLES: readonly string[] = ['DATABASE_URL', 'DATABASEURL', 'TLS_DATABASE_URL', 'POSTGRES_URL', 'PGURL', 'PG_URL', 'TLS_POSTGRES_DATABASE_URL'];
/** Options that say where to connect (a URL, a host, a socket or file) or on which port: the environment's URL is then not the whole story. */
const BUN_WHERE_OPTION = /^(?:url|hostname|host|port|path|filename)$/;

/**
 * A `new SQL()` that says nothing of where to connect: no argument, or an options object written in place whose
 * properties name no URL, host, port or socket (`new SQL({ max: 4 })`). Bun reads its URL from the environment
 * (BUN_URL_VARIABLES; older versions, for options, libpq's `PGHOST`, else this machine).
 */
export function bunClientReadsEnvironment(creation: ts.NewExpression): boolean {
  const args = creation.arguments ?? [];
  if (args.length === 0) return true;
  if (args.length > 1) return false;
  const options = unwrap(args[0]);
  return ts.isObjectLiteralExpression(options) && options.properties.every((property) =>
    (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))
      && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && !BUN_WHERE_OPTION.test(property.name.text));
}

/** A connection URL written with `prepare=false` among its parameters. */
export function urlDisablesPrepare(creation: ts.NewExpression): boolean {
  const first = creation.arguments?.[0];
  const text = first && knownText(first);
  return text !== undefined && /[?&]prepare=false\b/i.test(text);
}
