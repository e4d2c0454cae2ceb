// A client method named `rollback` that is given a savepoint rolls back to it and leaves the transaction open:
// deno-postgres's `await transaction.rollback(savepoint)` (or a savepoint's name, or `{ savepoint }`), pgsql-test's
// `await db.rollback('test')`. Read as the transaction's end, it would hide what the transaction leaves behind when it
// commits later (a temporary table created before the savepoint). A `rollback(error)` (knex's transaction, which ends
// with the error as its reason) or a `rollback()` without arguments still ends the transaction.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { variableDeclaredIn } from './astWalk';

/** A name that says it holds a savepoint (`savepoint`, `savepoint_name`, `outerSavepoint`). */
const SAVEPOINT_NAME = /savepoint/i;
/** The method that makes one: deno-postgres's `await transaction.savepoint('name')`. */
const SAVEPOINT_METHOD = 'savepoint';

/** Whether a `rollback(…)` call's argument is a savepoint (its name, the object naming it, or a variable holding one). */
export function rollsBackToSavepoint(call: ts.CallExpression): boolean {
  if (call.arguments.length === 0) return false;
  const argument = unwrap(call.arguments[0]);
  if (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument)) return true;
  if (ts.isObjectLiteralExpression(argument)) {
    return argument.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && SAVEPOINT_NAME.test(p.name.text));
  }
  if (ts.isPropertyAccessExpression(argument)) return SAVEPOINT_NAME.test(argument.name.text);
  if (!ts.isIdentifier(argument)) return false;
  if (SAVEPOINT_NAME.test(argument.text)) return true;
  const initializer = declarationInScope(argument)?.initializer;
  if (!initializer) return false;
  const value = unwrap(initializer);
  return ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === SAVEPOINT_METHOD;
}

/** The `const`/`let` of that name in a block (or the file) around the use, nearest first. */
function declarationInScope(name: ts.Identifier): ts.VariableDeclaration | undefined {
  for (let node: ts.Node | undefined = name.parent; node; node = node.parent) {
    if (ts.isBlock(node) || ts.isSourceFile(node)) {
      const found = variableDeclaredIn(node.statements, name.text);
      if (found) return found;
    }
  }
  return undefined;
}
