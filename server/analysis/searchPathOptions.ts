// What the libraries' search-path options have in common: knex's `searchPath` (knexSearchPath.ts) and pg-promise's
// `schema` (pgPromiseSchema.ts) each make the library send `SET search_path TO …` once on every new physical
// connection it opens. Behind a transaction pooler that SET lands on whichever server connection served the login;
// later queries run on others without it, and it stays behind for other clients. One place for the values that send
// nothing, the local constant an options object may be held in, and the finding's message, so the two cannot drift.
import ts from 'typescript';
import { isConstDeclaration, unwrap, type Flow } from './embeddedFlow';

/** Values with which the library sends no SET (both test the option for truth first): undefined, null, '' and []. */
export function setsNoSearchPath(value: ts.Expression): boolean {
  const v = unwrap(value);
  return v.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(v) && v.text === 'undefined') || v.kind === ts.SyntaxKind.VoidExpression
    || ((ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) && v.text.trim() === '')
    || (ts.isArrayLiteralExpression(v) && v.elements.length === 0);
}

/** The object literal a const of this file is initialised with (through `as const`, a type annotation's cast and other wrappers). */
export function localConstantObject(expression: ts.Expression, flow: Flow): ts.ObjectLiteralExpression | undefined {
  const name = unwrap(expression);
  if (!ts.isIdentifier(name)) return undefined;
  const binding = flow.bindingOf(name);
  if (!binding || !('variable' in binding) || !isConstDeclaration(binding.variable) || !binding.variable.initializer) return undefined;
  const value = unwrap(binding.variable.initializer);
  return ts.isObjectLiteralExpression(value) ? value : undefined;
}

/** The session-set finding's message for a library's search-path option (`knex's searchPath option`, `… knex opens`). */
export function searchPathOptionMessage(option: string, library: string): string {
  return `${option} sends SET search_path on each new connection ${library} opens: behind a transaction pooler later queries run on server connections without it (and it stays on the one it was sent on for other clients). Schema-qualify table names, or set it for the role or the database: ALTER ROLE … SET search_path, ALTER DATABASE … SET search_path.`;
}
