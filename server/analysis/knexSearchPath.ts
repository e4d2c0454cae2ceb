// knex's `searchPath` option: knex's PostgreSQL dialect sends `SET search_path TO …` once on every new
// physical connection it opens. Behind a transaction pooler that SET lands on whichever server
// connection the login got; later queries run on others without it (and it stays behind for other
// clients). Recognised on a knex configuration object for PostgreSQL (embedded.ts reports it).
import ts from 'typescript';
import { enclosingClass, objectProperty, outermostWrapper, unwrap, type Flow } from './embeddedFlow';
import { SEARCH_PATH_OPTION } from './codeWords';
import { localConstantObject, setsNoSearchPath } from './searchPathOptions';
import { enclosingFunction, walkDescendants } from './astWalk';
import { optionAssignmentsBefore } from './optionAssignments';
import { isConfigMemberUnsetOutsideTests } from './unsetConfigMembers';
import { testOnlyArm } from './testRunConditions';
import { importedNames } from './importedNames';

/** knex's client names (and aliases) for its PostgreSQL dialect. */
const KNEX_POSTGRES_CLIENTS: ReadonlySet<string> = new Set(['pg', 'postgres', 'postgresql', 'pgnative']);
/** A connection string for PostgreSQL, which tells a knex config's dialect when its client is computed. */
const POSTGRES_URL = /^\s*postgres(?:ql)?:\/\//i;

/**
 * The string literals a value may be (`env.CLIENT || 'pg'`, `a ? 'pg' : 'postgres'`) outside test runs: the arm of a
 * choice taken only under test (`isTest && !url ? 'sqlite3' : 'postgresql'`, testRunConditions.ts) is not among them.
 */
function literalChoices(node: ts.Expression, out: string[] = []): string[] {
  const value = unwrap(node);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) out.push(value.text);
  else if (ts.isConditionalExpression(value)) {
    const testOnly = testOnlyArm(value);
    if (testOnly !== value.whenTrue) literalChoices(value.whenTrue, out);
    if (testOnly !== value.whenFalse) literalChoices(value.whenFalse, out);
  } else if (ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.BarBarToken || value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    literalChoices(value.left, out);
    literalChoices(value.right, out);
  }
  return out;
}

/** 'postgres' when every client name written is knex's PostgreSQL one, 'other' when one is not, 'computed' when none is written. */
function clientDialect(client: ts.Expression): 'postgres' | 'other' | 'computed' {
  const names = literalChoices(client);
  if (names.length === 0) return 'computed';
  return names.every((name) => KNEX_POSTGRES_CLIENTS.has(name)) ? 'postgres' : 'other';
}

/** `connection: 'postgres://…'` or `connection: { connectionString: 'postgresql://…' }`, written as text. */
function connectsToPostgres(connection: ts.Expression | undefined): boolean {
  if (!connection) return false;
  const value = unwrap(connection);
  const url = ts.isObjectLiteralExpression(value) ? objectProperty(value, 'connectionString') : value;
  if (!url) return false;
  const text = unwrap(url);
  if (ts.isStringLiteral(text) || ts.isNoSubstitutionTemplateLiteral(text)) return POSTGRES_URL.test(text.text);
  return ts.isTemplateExpression(text) && POSTGRES_URL.test(text.head.text);
}

/** Whether an object is passed directly to the knex factory (`knex({ … })`, `require('knex')({ … })`). */
export function passedToKnex(object: ts.ObjectLiteralExpression): boolean {
  const outer = outermostWrapper(object);
  const call = outer.parent;
  return call !== undefined && ts.isCallExpression(call) && call.arguments[0] === outer && callsKnex(call);
}

/** A call of the knex factory: `knex(…)` (any case), `require('knex')(…)`. */
function callsKnex(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return /^knex$/i.test(callee.text);
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require'
    && callee.arguments.length === 1 && ts.isStringLiteral(callee.arguments[0]) && callee.arguments[0].text === 'knex';
}

/**
 * AdonisJS Lucid's run-time connection registration, `db.manager.add(name, config)`: Lucid hands the config to
 * knex when the connection first opens, so its `searchPath` is knex's.
 */
function addedToLucidManager(object: ts.ObjectLiteralExpression): boolean {
  const outer = outermostWrapper(object);
  const call = outer.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments.length !== 2 || call.arguments[1] !== outer) return false;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'add'
    && ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'manager';
}

/** A word of a name, split at `_`, `-`, `.` and lower-to-upper case steps (`SchemaPgDriver`, `schema_pg_driver.ts`). */
const POSTGRES_WORD = /^(pg|postgres|postgresql|pgsql)$/i;
function namesPostgresWord(name: string): boolean {
  return name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).some((word) => POSTGRES_WORD.test(word));
}

/**
 * A sign that a Lucid config with no client written is for PostgreSQL: it is cast to a type named for it
 * (`as PostgreConfig`), or the class that registers it, or its file, names PostgreSQL as a word
 * (`class SchemaPgDriver`, `schema_pg_driver.ts`).
 */
function lucidConfigNamesPostgres(object: ts.ObjectLiteralExpression, fileName: string | undefined): boolean {
  for (let node: ts.Node = object; node.parent && (ts.isAsExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isSatisfiesExpression(node.parent)); node = node.parent) {
    const parent = node.parent;
    if ((ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) && ts.isTypeReferenceNode(parent.type)) {
      const typeName = parent.type.typeName;
      if (/postgre/i.test(ts.isIdentifier(typeName) ? typeName.text : typeName.right.text)) return true;
    }
  }
  const owner = enclosingClass(object);
  if (owner?.name && namesPostgresWord(owner.name.text)) return true;
  const base = fileName?.split(/[\\/]/).pop();
  return base !== undefined && namesPostgresWord(base.replace(/\.[cm]?[jt]sx?$/, ''));
}

/** How deep spreads of local config constants are followed (`{ ...base }` where `base = { ...shared, client }`). */
const SPREAD_DEPTH = 3;

/**
 * A property of a config object, written on it or brought in by a spread of a local constant object
 * (`{ ...baseConnection, searchPath }` with `const baseConnection = { client: 'pg', connection } as const`).
 * Later entries win, as in JavaScript. A spread of anything else is skipped: a value written elsewhere in the
 * object still counts (as it did before spreads were read), and with none written the value is 'unknown'.
 */
function configProperty(object: ts.ObjectLiteralExpression, name: string, flow: Flow, depth = 0): ts.Expression | 'unknown' | undefined {
  let unknownSpread = false;
  for (let i = object.properties.length - 1; i >= 0; i--) {
    const property = object.properties[i];
    if (ts.isSpreadAssignment(property)) {
      const spread = depth < SPREAD_DEPTH ? localConstantObject(property.expression, flow) : undefined;
      const value = spread ? configProperty(spread, name, flow, depth + 1) : 'unknown';
      if (value === 'unknown') unknownSpread = true;
      else if (value !== undefined) return value;
    } else if ((ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))
      && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === name) {
      return ts.isPropertyAssignment(property) ? property.initializer : property.name;
    }
  }
  return unknownSpread ? 'unknown' : undefined;
}

/** A knex configuration's `searchPath` property and its `connection` value. */
export interface KnexSearchPath {
  option: ts.ObjectLiteralElementLike;
  connection: ts.Expression | undefined;
}

/** Where a config object is read: whether its file surely talks to PostgreSQL, its name, and the file's bindings. */
export interface KnexConfigContext {
  filePostgres: boolean;
  fileName: string | undefined;
  flow: Flow;
}

/**
 * The `searchPath` property of a knex configuration for PostgreSQL (with the config's `connection`), or undefined.
 * A knex config has a `client`, written or spread in from a local constant (Lucid's `connections` entries
 * `{ ...base, searchPath }`); its dialect is PostgreSQL when the client names it (a fallback counts:
 * `env.CLIENT || 'pg'`), or, for a computed client, when the connection string is a PostgreSQL URL, or the object
 * is passed to knex in a file that talks to PostgreSQL. A config registered with Lucid at run time
 * (`db.manager.add(name, { ...template, searchPath })`, its client copied from another connection's config) counts
 * when something names PostgreSQL: the file, a cast, or the registering class (lucidConfigNamesPostgres). A value that
 * sets no path is none, nor is a member of the project's config object that only test code gives a value
 * (unsetConfigMembers.ts).
 */
export function knexSearchPathOption(object: ts.ObjectLiteralExpression, context: KnexConfigContext): KnexSearchPath | undefined {
  const option = object.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))
    && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === SEARCH_PATH_OPTION);
  if (!option) return undefined;
  const value = ts.isPropertyAssignment(option) ? option.initializer : undefined;
  if (value && (setsNoSearchPath(value) || isConfigMemberUnsetOutsideTests(value, context.fileName, context.flow))) return undefined;
  const client = configProperty(object, 'client', context.flow);
  const connectionValue = configProperty(object, 'connection', context.flow);
  const connection = connectionValue === 'unknown' ? undefined : connectionValue;
  if (client === undefined || client === 'unknown') {
    // No client in sight: a config the file types as knex's is one, and its searchPath is read by knex's PostgreSQL
    // dialects only (a partial config merged into a PostgreSQL pool's: `(): Partial<Knex.Config> => ({ searchPath })`).
    if (typedAsKnexConfig(object)) return { option, connection };
    // Otherwise only Lucid's run-time registration of a copied config says this is a knex config.
    const lucid = client === 'unknown' && addedToLucidManager(object);
    return lucid && (context.filePostgres || lucidConfigNamesPostgres(object, context.fileName)) ? { option, connection } : undefined;
  }
  return forPostgres(client, connection, context.filePostgres && passedToKnex(object)) ? { option, connection } : undefined;
}

/**
 * Whether a knex config with this client is for PostgreSQL: the client names knex's PostgreSQL dialect, or, computed,
 * the connection string is a PostgreSQL URL or `handedToKnexForPostgres` (the config goes to knex in a file that talks
 * to PostgreSQL).
 */
function forPostgres(client: ts.Expression, connection: ts.Expression | undefined, handedToKnexForPostgres: boolean): boolean {
  const dialect = clientDialect(client);
  if (dialect !== 'computed') return dialect === 'postgres';
  return connectsToPostgres(connection) || handedToKnexForPostgres;
}

/** Type wrappers that keep a config's members: `Partial<Knex.Config>`, `Readonly<Knex.Config>`. */
const MEMBER_KEEPING_TYPES: ReadonlySet<string> = new Set(['Partial', 'Readonly', 'Required']);

/**
 * Whether a type is knex's config type as the file imports it: `Knex.Config` with `Knex` imported from 'knex', or
 * `Config` imported from it by name (also inside `Partial<…>`, `Readonly<…>`).
 */
function namesKnexConfigType(type: ts.TypeNode | undefined, source: ts.SourceFile): boolean {
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const name = type.typeName;
  if (ts.isIdentifier(name) && MEMBER_KEEPING_TYPES.has(name.text)) {
    return type.typeArguments?.length === 1 && namesKnexConfigType(type.typeArguments[0], source);
  }
  const imports = importedNames(source, true);
  if (ts.isIdentifier(name)) {
    const imported = imports.get(name.text);
    return imported?.specifier === 'knex' && imported.name === 'Config';
  }
  return name.right.text === 'Config' && ts.isIdentifier(name.left) && imports.get(name.left.text)?.specifier === 'knex';
}

/**
 * Whether a config object is typed as knex's config by the file: cast to it (`as Knex.Config`, `satisfies …`), the
 * annotation of the variable it initialises, or the declared return type of the function that returns it.
 */
function typedAsKnexConfig(object: ts.ObjectLiteralExpression): boolean {
  const source = object.getSourceFile();
  const outer = outermostWrapper(object);
  for (let node: ts.Node = object; node !== outer && node.parent; node = node.parent) {
    const parent = node.parent;
    if ((ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) && namesKnexConfigType(parent.type, source)) return true;
  }
  const holder = outer.parent;
  if (!holder) return false;
  if (ts.isVariableDeclaration(holder) && holder.initializer === outer) return namesKnexConfigType(holder.type, source);
  const returned = ts.isReturnStatement(holder) || (ts.isArrowFunction(holder) && holder.body === outer);
  const owner = returned ? (ts.isArrowFunction(holder) ? holder : enclosingFunction(holder)) : undefined;
  return owner !== undefined && namesKnexConfigType(owner.type, source);
}

/** Whether a file's text names `searchPath` at all (asked once per file: every variable's object literal asks). */
const searchPathFiles = new WeakMap<ts.SourceFile, boolean>();
function namesSearchPath(source: ts.SourceFile): boolean {
  let names = searchPathFiles.get(source);
  if (names === undefined) {
    names = source.text.includes(SEARCH_PATH_OPTION);
    searchPathFiles.set(source, names);
  }
  return names;
}

/** A `searchPath` given to a knex config variable after its object was built, with the config's `connection`. */
export interface AssignedKnexSearchPath {
  assignment: ts.BinaryExpression;
  connection: ts.Expression | undefined;
}

/**
 * The `name.searchPath = value` (or `name['searchPath'] = value`) assignments to the variable a knex config object
 * initialises, written before the variable is handed to knex in the file (`const knexConfig = { client: 'pg',
 * connection }; if (schema) knexConfig.searchPath = [schema]; module.exports = knex(knexConfig)`): the same option,
 * given after the object was built, that knex turns into a SET on each new connection. knex copies the option when it
 * builds its client, so a write after the `knex(…)` call changes nothing and is not read (optionAssignments.ts reads
 * the writes before a use). The config needs its client written (or spread in) and for PostgreSQL; an object that
 * writes `searchPath` itself is reported at that option (knexSearchPathOption) instead, and a value that sets no path
 * (searchPathOptions.ts) is no option. A config only exported or handed elsewhere is not read: what is done with it
 * there is not in sight.
 */
export function assignedKnexSearchPaths(object: ts.ObjectLiteralExpression, context: KnexConfigContext): AssignedKnexSearchPath[] {
  const outer = outermostWrapper(object);
  const declaration = outer.parent;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.initializer !== outer || !ts.isIdentifier(declaration.name)) return [];
  const source = object.getSourceFile();
  if (!namesSearchPath(source)) return [];
  if (configProperty(object, SEARCH_PATH_OPTION, context.flow) !== undefined) return [];
  const client = configProperty(object, 'client', context.flow);
  if (client === undefined || client === 'unknown') return [];
  const connectionValue = configProperty(object, 'connection', context.flow);
  const connection = connectionValue === 'unknown' ? undefined : connectionValue;
  if (!forPostgres(client, connection, context.filePostgres)) return [];
  const assignments = new Set<ts.BinaryExpression>();
  for (const use of knexCallArguments(source, declaration, context.flow)) {
    for (const { option, assignment } of optionAssignmentsBefore(use, context.flow)) {
      if (option === SEARCH_PATH_OPTION && !setsNoSearchPath(assignment.right)) assignments.add(assignment);
    }
  }
  return [...assignments].map((assignment) => ({ assignment, connection }));
}

/** The config variable's name where it is handed to the knex factory in the file (`knex(knexConfig)`). */
function knexCallArguments(source: ts.SourceFile, declaration: ts.VariableDeclaration, flow: Flow): ts.Identifier[] {
  const uses: ts.Identifier[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || node.arguments.length === 0 || !callsKnex(node)) return undefined;
    const argument = unwrap(node.arguments[0]);
    if (ts.isIdentifier(argument) && flow.variableOf(argument) === declaration) uses.push(argument);
    return undefined;
  });
  return uses;
}
