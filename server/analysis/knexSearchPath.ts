// knex's `searchPath` option: knex's PostgreSQL dialect sends `SET search_path TO …` once on every new
// physical connection it opens. Behind a transaction pooler that SET lands on whichever server
// connection the login got; later queries run on others without it (and it stays behind for other
// clients). Recognised on a knex configuration object for PostgreSQL (embedded.ts reports it).
import ts from 'typescript';
import { objectProperty, outermostWrapper, unwrap } from './embeddedFlow';
import { SEARCH_PATH_OPTION } from './codeWords';

/** knex's client names (and aliases) for its PostgreSQL dialect. */
const KNEX_POSTGRES_CLIENTS: ReadonlySet<string> = new Set(['pg', 'postgres', 'postgresql', 'pgnative']);
/** A connection string for PostgreSQL, which tells a knex config's dialect when its client is computed. */
const POSTGRES_URL = /^\s*postgres(?:ql)?:\/\//i;

/** The string literals a value may be (`env.CLIENT || 'pg'`, `a ? 'pg' : 'postgres'`); undefined where a leaf is not a literal nor a fallback. */
function literalChoices(node: ts.Expression, out: string[] = []): string[] {
  const value = unwrap(node);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) out.push(value.text);
  else if (ts.isConditionalExpression(value)) {
    literalChoices(value.whenTrue, out);
    literalChoices(value.whenFalse, out);
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

/** Values with which knex sends no SET: undefined, null, '' and []. */
function setsNothing(value: ts.Expression): boolean {
  const v = unwrap(value);
  return v.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(v) && v.text === 'undefined') || v.kind === ts.SyntaxKind.VoidExpression
    || ((ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) && v.text.trim() === '')
    || (ts.isArrayLiteralExpression(v) && v.elements.length === 0);
}

/** The knex factory call an object is passed to directly (`knex({ … })`, `require('knex')({ … })`). */
function passedToKnex(object: ts.ObjectLiteralExpression): boolean {
  const outer = outermostWrapper(object);
  const call = outer.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== outer) return false;
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return /^knex$/i.test(callee.text);
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require'
    && callee.arguments.length === 1 && ts.isStringLiteral(callee.arguments[0]) && callee.arguments[0].text === 'knex';
}

/** A knex configuration's `searchPath` property and its `connection` value. */
export interface KnexSearchPath {
  option: ts.ObjectLiteralElementLike;
  connection: ts.Expression | undefined;
}

/**
 * The `searchPath` property of a knex configuration for PostgreSQL (with the config's `connection`), or undefined.
 * A knex config has a `client`; its dialect is PostgreSQL when the client names it (a fallback counts:
 * `env.CLIENT || 'pg'`), or, for a computed client, when the connection string is a PostgreSQL URL, or the object
 * is passed to knex in a file that talks to PostgreSQL (`filePostgres`).
 */
export function knexSearchPathOption(object: ts.ObjectLiteralExpression, filePostgres: boolean): KnexSearchPath | undefined {
  const option = object.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))
    && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === SEARCH_PATH_OPTION);
  if (!option) return undefined;
  const value = ts.isPropertyAssignment(option) ? option.initializer : undefined;
  if (value && setsNothing(value)) return undefined;
  const client = objectProperty(object, 'client');
  if (!client) return undefined;
  const dialect = clientDialect(client);
  if (dialect === 'other') return undefined;
  const connection = objectProperty(object, 'connection');
  if (dialect === 'postgres') return { option, connection };
  return connectsToPostgres(connection) || (filePostgres && passedToKnex(object)) ? { option, connection } : undefined;
}
