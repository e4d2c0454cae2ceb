// pg-promise's initialisation option `schema` (a string, a list of them, or a function of the database context):
// pg-promise sends `SET search_path TO …` in the background whenever a fresh physical connection is allocated. Behind a
// transaction pooler that SET lands on whichever server connection served the login; later queries run on others
// without it, and it stays behind for other clients: a session-set, reported at the option like knex's `searchPath`
// (knexSearchPath.ts, searchPathOptions.ts). Many objects have a `schema` key (JSON and route schemas, ORM configs,
// GraphQL), so only one handed to pg-promise's init function counts: the module imported or required in this file under
// a name the call uses (`import pgPromise from 'pg-promise'; pgPromise({ schema })`, `const pgp = require('pg-promise')`),
// or `require('pg-promise')({ schema })` itself, or the default export of a dynamic `import('pg-promise')`, with the options
// written in place or held in a const of the file (also spread in from an object given under a condition).
import ts from 'typescript';
import { requiredModule, type ImportedModule } from './embeddedDialect';
import { outermostWrapper, unwrap, type Flow } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { PG_PROMISE_MODULE, SCHEMA_OPTION } from './codeWords';
import { localConstantObject, setsNoSearchPath } from './searchPathOptions';

/** The names this file binds pg-promise's module to as a whole (default or namespace import, `import x = require`, `const x = require`). */
export function pgPromiseNames(modules: readonly ImportedModule[]): ReadonlySet<string> {
  return new Set(modules.filter((m) => m.specifier === PG_PROMISE_MODULE && m.whole !== undefined).map((m) => m.whole!));
}

/** A `schema` option handed to pg-promise's init call, and what the library it returns connects to. */
export interface PgPromiseSchema {
  /** The option (`schema: …`, shorthand `schema`, or a method `schema(dc) { … }`): where it is reported. */
  option: ts.ObjectLiteralElementLike;
  /**
   * The connections of every database the initialised library makes in this file (`pgp(cn)`'s first argument), or
   * undefined where the library goes elsewhere too (exported, handed on): then they are not known.
   */
  connections: ts.Expression[] | undefined;
}

/** Whether `call` is pg-promise's init call: `pgPromise(…)` under a name bound to the module, or `require('pg-promise')(…)`. */
function isInitCall(call: ts.CallExpression, names: ReadonlySet<string>, flow: Flow): boolean {
  const callee = unwrap(call.expression);
  if (ts.isCallExpression(callee)) return requiredModule(callee) === PG_PROMISE_MODULE && ts.isIdentifier(callee.expression);
  // The module's default export reached through a dynamic import: `(await import('pg-promise')).default(…)`, or
  // `const pgPromise = await import('pg-promise'); pgPromise.default(…)`.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'default') return importsPgPromise(callee.expression, flow);
  if (!ts.isIdentifier(callee) || !names.has(callee.text)) return false;
  // The import itself (no binding in the file), or the `const pgp = require('pg-promise')` it names, not a parameter or local of the same name.
  const binding = flow.bindingOf(callee);
  return binding === undefined || ('variable' in binding && requiredModule(binding.variable.initializer) === PG_PROMISE_MODULE);
}

/** Whether `expression` is pg-promise's module: an import or require of it, or a const of the file holding one. */
function importsPgPromise(expression: ts.Expression, flow: Flow): boolean {
  if (requiredModule(expression) === PG_PROMISE_MODULE) return true;
  const name = unwrap(expression);
  if (!ts.isIdentifier(name)) return false;
  const binding = flow.bindingOf(name);
  return binding !== undefined && 'variable' in binding && requiredModule(binding.variable.initializer) === PG_PROMISE_MODULE;
}

/**
 * The `schema` element of an init options object, unless it is written as a value that sends nothing; also one spread in
 * from an object written in place, given only when a condition holds (`...(schema && { schema })`, `...(s ? { schema: s }
 * : {})`): a caller that passes the option makes pg-promise send the SET.
 */
function schemaElement(object: ts.ObjectLiteralExpression): ts.ObjectLiteralElementLike | undefined {
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = spreadObjects(property.expression).map(schemaElement).find((element) => element !== undefined);
      if (spread) return spread;
      continue;
    }
    if (!(ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property) || ts.isMethodDeclaration(property))) continue;
    if (!(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) || property.name.text !== SCHEMA_OPTION) continue;
    return ts.isPropertyAssignment(property) && setsNoSearchPath(property.initializer) ? undefined : property;
  }
  return undefined;
}

/** The object literals a spread may add: written in place, or either side of `cond && {…}`, `cond ? {…} : {…}`. */
function spreadObjects(expression: ts.Expression): ts.ObjectLiteralExpression[] {
  const value = unwrap(expression);
  if (ts.isObjectLiteralExpression(value)) return [value];
  if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return spreadObjects(value.right);
  if (ts.isConditionalExpression(value)) return [...spreadObjects(value.whenTrue), ...spreadObjects(value.whenFalse)];
  return [];
}

/**
 * The databases the library an init call returns makes: called at once (`require('pg-promise')(opts)(cn)`), or held in
 * a const whose every use in the file is a call (`pgp(cn)`) or a member (`pgp.as`, `pgp.end()`). Undefined otherwise.
 */
function libraryConnections(call: ts.CallExpression, flow: Flow): ts.Expression[] | undefined {
  const outer = outermostWrapper(call);
  const parent = outer.parent;
  if (ts.isCallExpression(parent) && parent.expression === outer) return parent.arguments[0] ? [parent.arguments[0]] : undefined;
  if (!ts.isVariableDeclaration(parent) || parent.initializer !== outer || !ts.isIdentifier(parent.name)) return undefined;
  // Exported, it may make databases in other files too.
  const statement = parent.parent.parent;
  if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  const declaration = parent;
  const name = parent.name.text;
  const connections: ts.Expression[] = [];
  let known = true;
  walkDescendants(declaration.getSourceFile(), (node) => {
    if (!known) return false;
    if (!ts.isIdentifier(node) || node.text !== name || node === declaration.name) return true;
    const use = node.parent;
    // A member or key of that name (`db.pgp`, `{ pgp: … }`) is not the variable.
    if ((ts.isPropertyAccessExpression(use) && use.name === node) || (ts.isPropertyAssignment(use) && use.name === node)) return true;
    const binding = flow.bindingOf(node);
    if (!binding || !('variable' in binding) || binding.variable !== declaration) return true;
    if (ts.isCallExpression(use) && use.expression === node && use.arguments[0] && !ts.isSpreadElement(use.arguments[0])) connections.push(use.arguments[0]);
    else if (!(ts.isPropertyAccessExpression(use) && use.expression === node)) known = false;
    return true;
  });
  return known ? connections : undefined;
}

/** The `schema` option a pg-promise init call is handed (in place or in a const of the file), or undefined. */
export function pgPromiseSchemaOption(call: ts.CallExpression, names: ReadonlySet<string>, flow: Flow): PgPromiseSchema | undefined {
  const argument = call.arguments[0];
  if (!argument || !isInitCall(call, names, flow)) return undefined;
  const value = unwrap(argument);
  const object = ts.isObjectLiteralExpression(value) ? value : localConstantObject(value, flow);
  const option = object && schemaElement(object);
  return option ? { option, connections: libraryConnections(call, flow) } : undefined;
}
