// A query call that sends its text whole as one simple-protocol Query. node-postgres takes the extended protocol only
// when it is given values (or a statement name, or rows mode): `client.query(text)` and `client.query(text, callback)` go
// out as one Query message; knex's `raw(text)` without bindings hands node-postgres no values; postgres.js's
// `sql.unsafe(text)` without values is sent as a simple query. PostgreSQL runs the statements of such a text as one
// implicit transaction: an error in one rolls back all of them (context.ts reads what follows from that).
import ts from 'typescript';
import { unwrap } from './embeddedFlow';

/** The methods of the drivers above that send a text alone as one simple query. */
const SIMPLE_QUERY_METHODS: ReadonlySet<string> = new Set(['query', 'raw', 'unsafe']);

/** A text written in place (a string or template literal): not a config object that may carry values. */
function isWrittenText(node: ts.Expression): boolean {
  const value = unwrap(node);
  return ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isTemplateExpression(value);
}

/** `receiver.query(text)`, `.raw(text)`, `.unsafe(text)` (or `.query(text, callback)`), its text written in place, no values. */
export function sendsTextWithoutValues(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !SIMPLE_QUERY_METHODS.has(callee.name.text)) return false;
  const [text, callback, ...rest] = call.arguments;
  if (text === undefined || !isWrittenText(text) || rest.length > 0) return false;
  return callback === undefined || ts.isFunctionLike(unwrap(callback));
}
