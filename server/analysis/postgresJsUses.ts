// Whether a postgres.js client this file creates can ever send a named prepared statement.
//
// postgres.js prepares tagged-template queries (`sql\`…\``) by default, but `sql.unsafe(text)` without a
// parameter array defaults to `prepare: false` and the simple query protocol. A client whose every use
// in its file is such an unsafe() call, `.end()`, or a look at its options/serializers/types, and which
// never leaves the file, prepares nothing.
import ts from 'typescript';
import { objectProperty } from './embeddedFlow';

/** Members read without sending anything (`sql.options`, `sql.types.bigint`, `sql.serializers`). */
const INERT_MEMBERS = new Set(['options', 'serializers', 'parsers', 'types']);

/**
 * True when `creation` (`const sql = postgres(…)`, not exported) is used at least once and every use in
 * its declaring scope is known not to prepare. Any other use — a tag, unsafe() with parameters, being
 * passed, returned, stored or exported — may prepare, so the answer is false.
 */
export function clientNeverPrepares(creation: ts.CallExpression): boolean {
  const declaration = localConstDeclaration(creation);
  if (!declaration) return false;
  const name = (declaration.name as ts.Identifier).text;
  const scope = declaringScope(declaration);
  let uses = 0;
  let allInert = true;
  const visit = (node: ts.Node): void => {
    if (!allInert) return;
    if (ts.isIdentifier(node) && node.text === name && node !== declaration.name && isReference(node)) {
      uses += 1;
      if (!isNonPreparingUse(node)) allInert = false;
    }
    node.forEachChild(visit);
  };
  scope.forEachChild(visit);
  return allInert && uses > 0;
}

function localConstDeclaration(creation: ts.CallExpression): ts.VariableDeclaration | undefined {
  let node: ts.Node = creation;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name)) return undefined;
  const statement = declaration.parent.parent;
  if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  return declaration;
}

/** The block, function body or file the declaration lives in; a shadowing name inside only makes the answer stricter. */
function declaringScope(declaration: ts.VariableDeclaration): ts.Node {
  let node: ts.Node = declaration.parent;
  while (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node) && !ts.isCaseClause(node) && !ts.isFunctionLike(node) && !ts.isForStatement(node) && node.parent) node = node.parent;
  return node;
}

/** An identifier naming a value, not a member name (`obj.sql`) or a property key (`{ sql: 1 }`). */
function isReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id) return false;
  return true;
}

function isNonPreparingUse(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id) return false;
  const member = access.name.text;
  if (INERT_MEMBERS.has(member)) return true;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return false;
  if (member === 'end') return true;
  return member === 'unsafe' && unsafeCallSkipsPrepare(call);
}

/** `unsafe(text)`, or unsafe() told `{ prepare: false }` as its options (second or third argument). */
function unsafeCallSkipsPrepare(call: ts.CallExpression): boolean {
  const [, second, third] = call.arguments;
  if (call.arguments.some(ts.isSpreadElement)) return false;
  if (call.arguments.length === 1) return true;
  const options = call.arguments.length === 2 ? second : third;
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return objectProperty(options, 'prepare')?.kind === ts.SyntaxKind.FalseKeyword;
}
