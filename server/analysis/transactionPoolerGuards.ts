// Whether the code itself refuses, before it makes a client, a URL on the transaction pooler's port: a script that
// throws (or returns, or exits) when its connection string's port is Supabase's transaction port 6543, on every path
// before `postgres(url, …)`, keeps that client off the transaction pooler by construction, as a URL the project keeps
// for direct sessions is (`if (new URL(dsn).port === '6543') throw new Error('use the session pooler')`). Only that
// test is read: the URL a `const` (the same value at the guard and at the call), the port read off `new URL(url)`
// written in the test or in a `const` the test compares (also through an IIFE that parses it), or the URL's text
// searched for `:6543`. A guard on another condition, in a branch, or one that may go on to the call keeps the finding.
import ts from 'typescript';
import { isConstDeclaration, unwrap, type Flow } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { TRANSACTION_POOLER_PORT } from './poolerEndpoints';
import { armLeaves } from './postgresJsOneShot';

/** Whether a statement before `creation`, on every path to it, leaves when `creation`'s URL is on the transaction pooler's port. */
export function refusedOnTransactionPooler(creation: ts.CallExpression, flow: Flow): boolean {
  const first = creation.arguments[0];
  const url = first && unwrap(first);
  if (!url || !ts.isIdentifier(url)) return false;
  const declaration = constDeclarationOf(url, flow);
  if (!declaration) return false;
  for (let child: ts.Node = creation, parent = creation.parent; parent && !ts.isFunctionLike(child); child = parent, parent = parent.parent) {
    if (!ts.isBlock(parent) && !ts.isSourceFile(parent)) continue;
    const before = parent.statements.slice(0, parent.statements.indexOf(child as ts.Statement));
    if (before.some((statement) => ts.isIfStatement(statement) && !statement.elseStatement && armLeaves(statement.thenStatement)
      && testsTransactionPoolerPort(statement.expression, declaration, flow))) return true;
  }
  return false;
}

/** The `const` a name refers to where it is used (Flow.bindingOf: a parameter or other local of that name is another value). */
function constDeclarationOf(name: ts.Identifier, flow: Flow): ts.VariableDeclaration | undefined {
  const binding = flow.bindingOf(name);
  return binding && 'variable' in binding && isConstDeclaration(binding.variable) ? binding.variable : undefined;
}

/** `port === '6543'` (either side, `==` too, the number or the string), or such a test among `||`'s alternatives. */
function testsTransactionPoolerPort(condition: ts.Expression, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  const test = unwrap(condition);
  if (ts.isBinaryExpression(test)) {
    const operator = test.operatorToken.kind;
    if (operator === ts.SyntaxKind.BarBarToken) return testsTransactionPoolerPort(test.left, declaration, flow) || testsTransactionPoolerPort(test.right, declaration, flow);
    if (operator !== ts.SyntaxKind.EqualsEqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsToken) return false;
    const [left, right] = [unwrap(test.left), unwrap(test.right)];
    return (isTransactionPoolerPort(right) && readsPortOf(left, declaration, flow)) || (isTransactionPoolerPort(left) && readsPortOf(right, declaration, flow));
  }
  // `dsn.includes(':6543')`
  return ts.isCallExpression(test) && ts.isPropertyAccessExpression(test.expression) && test.expression.name.text === 'includes'
    && namesConst(test.expression.expression, declaration, flow) && test.arguments.length === 1
    && ts.isStringLiteralLike(test.arguments[0]) && test.arguments[0].text === `:${TRANSACTION_POOLER_PORT}`;
}

function isTransactionPoolerPort(value: ts.Expression): boolean {
  return (ts.isStringLiteralLike(value) || ts.isNumericLiteral(value)) && value.text === TRANSACTION_POOLER_PORT;
}

/** `new URL(url).port`, or a `const` whose value is read off it (`const port = (() => new URL(dsn).port || '5432')()`). */
function readsPortOf(value: ts.Expression, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  if (isPortOfUrl(value, declaration, flow)) return true;
  if (!ts.isIdentifier(value)) return false;
  const port = constDeclarationOf(value, flow);
  if (!port?.initializer) return false;
  let reads = false;
  walkDescendants(port, (node) => {
    if (ts.isExpression(node) && isPortOfUrl(node, declaration, flow)) reads = true;
    return !reads;
  });
  return reads;
}

function isPortOfUrl(value: ts.Node, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  if (!ts.isPropertyAccessExpression(value) || value.name.text !== 'port') return false;
  const parsed = unwrap(value.expression);
  return ts.isNewExpression(parsed) && ts.isIdentifier(parsed.expression) && parsed.expression.text === 'URL'
    && parsed.arguments?.length === 1 && namesConst(parsed.arguments[0], declaration, flow);
}

/** The same const as the client's URL: its name, declared by that very declaration where it is read. */
function namesConst(value: ts.Expression, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  const name = unwrap(value);
  return ts.isIdentifier(name) && flow.bindsTo(name, declaration);
}
