// SQL text a module exports or a function returns written in place: an exported constant (declared with `export`, or
// exported by reference, CommonJS too), the strings of an exported list, and the statements a function builds and
// returns; read by the TS/JS analysis (embedded.ts) as text other modules send.
import ts from 'typescript';
import { Flow, singleReturn, unwrap } from './embeddedFlow';
import { hasModifier, variableDeclaredIn, walkDescendants } from './astWalk';
import { isCommonJsExports, isModuleExports } from './topLevelFunctions';
import { namedFunction } from './functionNames';

/**
 * A name a module's top level declares and exports, holding its first value for good: `export const NAME = …`;
 * `export var`/`export let` that the module never assigns again (older TS/JS writes `export var`); a top-level
 * `const` (or such a `var`/`let`) exported by reference — `export { NAME }`, `export { NAME as other }`, `export
 * default NAME`, `module.exports = { NAME }` or `{ key: NAME }`, `exports.key = NAME`.
 */
export function isExportedConstant(declaration: ts.VariableDeclaration, flow: Flow): boolean {
  const list = declaration.parent;
  const statement = list.parent;
  if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent) || !ts.isIdentifier(declaration.name)) return false;
  const name = declaration.name.text;
  const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword) || namesExportedByReference(statement.parent).has(name);
  return exported && ((list.flags & ts.NodeFlags.Const) !== 0 || !flow.assignedInFile(name));
}

/**
 * A public static field of a class the module's top level exports (`export abstract class Commands { static
 * LISTEN_UPDATES = \`LISTEN …\` }`, or `export { Commands }`, `export default Commands`): importers read it as
 * `Commands.LISTEN_UPDATES`, a module constant under a class's name. Not a private, protected or `#` field, nor one
 * the file assigns again (`Commands.LISTEN_UPDATES = …`).
 */
export function isExportedStaticField(field: ts.PropertyDeclaration): boolean {
  const owner = field.parent;
  if (!field.initializer || !hasModifier(field, ts.SyntaxKind.StaticKeyword) || !ts.isClassDeclaration(owner) || !owner.name || !ts.isSourceFile(owner.parent)) return false;
  if (!ts.isIdentifier(field.name) || hasModifier(field, ts.SyntaxKind.PrivateKeyword) || hasModifier(field, ts.SyntaxKind.ProtectedKeyword)) return false;
  const source = owner.parent;
  const exported = hasModifier(owner, ts.SyntaxKind.ExportKeyword) || namesExportedByReference(source).has(owner.name.text);
  return exported && !assignsMember(source, owner.name.text, field.name.text);
}

/** Whether the file assigns `owner.member` (`Commands.LISTEN_UPDATES = …`, `+=` too). */
function assignsMember(source: ts.SourceFile, owner: string, member: string): boolean {
  let assigned = false;
  walkDescendants(source, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isPropertyAccessExpression(node.left) && ts.isIdentifier(node.left.expression) && node.left.expression.text === owner && node.left.name.text === member) assigned = true;
  }, () => assigned);
  return assigned;
}

const exportedByReference = new WeakMap<ts.SourceFile, Set<string>>();

/** The local names a module's top-level statements export without declaring them there (see isExportedConstant). */
function namesExportedByReference(source: ts.SourceFile): Set<string> {
  let names = exportedByReference.get(source);
  if (names) return names;
  names = new Set();
  const add = (node: ts.Expression): void => {
    const value = unwrap(node);
    if (ts.isIdentifier(value)) names!.add(value.text);
  };
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !statement.isTypeOnly && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) names.add((element.propertyName ?? element.name).text);
    } else if (ts.isExportAssignment(statement)) {
      add(statement.expression);
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && isCommonJsExport(statement.expression)) {
      const value = unwrap(statement.expression.right);
      if (!ts.isObjectLiteralExpression(value)) add(value);
      else for (const property of value.properties) {
        if (ts.isShorthandPropertyAssignment(property)) names.add(property.name.text);
        else if (ts.isPropertyAssignment(property)) add(property.initializer);
      }
    }
  }
  exportedByReference.set(source, names);
  return names;
}

/**
 * `exports.LOCK = …`, `module.exports.LOCK = …`, `module.exports = …` as a statement of the module's top level:
 * CommonJS's export of a value other modules `require`.
 */
export function isCommonJsExport(assignment: ts.BinaryExpression): boolean {
  if (!ts.isExpressionStatement(assignment.parent) || !ts.isSourceFile(assignment.parent.parent)) return false;
  const target = assignment.left;
  return isModuleExports(target) || (ts.isPropertyAccessExpression(target) && isCommonJsExports(target.expression));
}

/**
 * `catalog.queries = { … }`, `catalog.addCoupon = 'CALL …'` as a statement of the module's top level, where the object
 * assigned to is a top-level variable the module exports (`module.exports = catalog`, `export default catalog`,
 * `export const catalog = {}`): a member of the exported object, which importers read as they read the properties its
 * literal is written with.
 */
export function isExportedObjectMember(assignment: ts.BinaryExpression): boolean {
  const statement = assignment.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isSourceFile(statement.parent)) return false;
  let owner: ts.Expression = assignment.left;
  if (!ts.isPropertyAccessExpression(owner) && !ts.isElementAccessExpression(owner)) return false;
  while (ts.isPropertyAccessExpression(owner) || ts.isElementAccessExpression(owner)) owner = owner.expression;
  if (!ts.isIdentifier(owner)) return false;
  const declaration = variableDeclaredIn(statement.parent.statements, owner.text);
  if (!declaration) return false;
  return hasModifier(declaration.parent.parent, ts.SyntaxKind.ExportKeyword) || namesExportedByReference(statement.parent).has(owner.text);
}

/** How many object literals deep an exported value's strings are read (`{ manager: { queries: { add: '…' } } }`). */
const MAX_OBJECT_DEPTH = 3;

/**
 * The strings an exported value holds written in place: the value itself (`export const LOCK = 'SELECT …'`,
 * `exports.lock = 'SELECT …'`), each element of an array literal of them, or each property of an object literal of them (`export const queries = { lock:
 * 'SELECT …' }`, `module.exports = { lock: '…' }`, `export default { … }`), each element of an array literal such an
 * object holds as a member (`{ setup: ['SET …', …] }`, unless the object has a spread), and so on in the object literals it holds
 * (a catalog of query texts grouped by topic), MAX_OBJECT_DEPTH deep. Another module sends them: each is read on its
 * own where it is written, as the defining file is all this analysis reads.
 */
export function exportedStrings(value: ts.Expression, depth = 1): ts.Expression[] {
  const unwrapped = unwrap(value);
  if (isWrittenString(unwrapped)) return [unwrapped];
  if (ts.isArrayLiteralExpression(unwrapped)) return unwrapped.elements.map(unwrap).filter(isWrittenString);
  if (!ts.isObjectLiteralExpression(unwrapped)) return [];
  const strings: ts.Expression[] = [];
  for (const property of unwrapped.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const held = unwrap(property.initializer);
    if (isWrittenString(held)) strings.push(held);
    // A list of statements under a key (`{ enableLogs: ['LOAD …', 'SET …'] }`), which importers walk and send one by one;
    // not when a spread in the object may replace the member.
    else if (ts.isArrayLiteralExpression(held) && !unwrapped.properties.some(ts.isSpreadAssignment)) strings.push(...held.elements.map(unwrap).filter(isWrittenString));
    else if (ts.isObjectLiteralExpression(held) && depth < MAX_OBJECT_DEPTH) strings.push(...exportedStrings(held, depth + 1));
  }
  return strings;
}

/**
 * The strings written in place into the one array a named function builds and returns: a list of statements its
 * callers (in this file or another) run one by one or join into a script (`const statements: string[] = [];
 * statements.push(\`SET ROLE ${role}\`); … return statements`). Each is read on its own, like a SQL builder's
 * return, unless a query call of this file reaches it. The list must be filled with push/unshift: an array literal
 * returned as it is written is not followed.
 */
export function returnedStatementList(fn: ts.SignatureDeclaration): ts.Expression[] {
  if (!('body' in fn) || !fn.body || namedFunction(fn) === undefined) return [];
  // Most functions fill and return no list of strings: a look at the body's text spares them the walks.
  if (!LIST_OF_WRITTEN_TEXT.test(fn.body.getSourceFile().text.slice(fn.body.pos, fn.body.end))) return [];
  const returned = singleReturn(fn as ts.FunctionLikeDeclaration);
  const value = returned && unwrap(returned);
  if (!value) return [];
  // A list written in place and returned (`(digits) => [\`SET extra_float_digits = ${digits}\`]`) is data as often as a plan:
  // test cases' setup for a connection of their own, a table of fixtures. Only a list the function builds is followed.
  if (!ts.isIdentifier(value)) return [];
  // A local array, declared empty or with strings, filled with push/unshift in the function's own body.
  let declared: ts.ArrayLiteralExpression | undefined;
  const strings: ts.Expression[] = [];
  let built = false;
  walkDescendants(fn.body, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === value.text && node.initializer && ts.isArrayLiteralExpression(unwrap(node.initializer))) {
      declared = unwrap(node.initializer) as ts.ArrayLiteralExpression;
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)
      && node.expression.expression.text === value.text && ARRAY_ADDERS.test(node.expression.name.text)) {
      built = true;
      strings.push(...node.arguments.map(unwrap).filter(isWrittenString));
    }
    return !ts.isFunctionLike(node);
  });
  return declared && built ? [...declared.elements.map(unwrap).filter(isWrittenString), ...strings] : [];
}

const ARRAY_ADDERS = /^(?:push|unshift)$/;
/** A text written into an array: an element of a literal, or an argument of push/unshift. */
const LIST_OF_WRITTEN_TEXT = /(?:\[|\.(?:push|unshift)\()\s*[`'"]/;

/** A string written in place: a literal, a template, or a concatenation starting with one. */
export function isWrittenString(node: ts.Expression): boolean {
  let current = node;
  while (ts.isParenthesizedExpression(current) || (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
    current = ts.isParenthesizedExpression(current) ? current.expression : current.left;
  }
  return ts.isStringLiteral(current) || ts.isNoSubstitutionTemplateLiteral(current) || ts.isTemplateExpression(current);
}
