// A SQL builder read on its own (embedded.ts inspectSqlBuilder) reads a choice in its text as unknown: it holds only
// what every run sends. A choice on one of the builder's own parameters that picks a temporary object's keyword
// (`(schema, temp = false) => \`CREATE ${temp ? 'TEMP TABLE' : 'TABLE'} …\``) sends the temporary table only on the
// runs a caller asks for it; as for a routine's `DEFAULT false` switch (docs/rules/temp-table.md), that is the
// caller's explicit choice. This module finds such a call: one in the builder's file or a file importing it (through
// barrels, callerFiles.ts) that hands a literal `true` to that parameter, and whose callee is the builder — named,
// a member of an object of builders (`builders.crm.account`, any member for `builders.crm[kind]`), or what a project
// function returns (`setupSqlFor(kind)(schema, true)` where `setupSqlFor` returns `builders.crm[kind]`). The choices
// on that parameter are then read as their true arm, the text that caller sends.
import ts from 'typescript';
import { resolve } from 'node:path';
import { variableDeclaredIn, walkDescendants } from './astWalk';
import { callerFiles, parsed } from './callerFiles';
import { isConstDeclaration, returnedValues, unwrap } from './embeddedFlow';
import { fileImports } from './ownServerHelpers';
import { calledFunction, importedFunction, literalText, variableOfModule } from './rolledBackCallbacks';
import { topLevelFunction } from './topLevelFunctions';

/** An arm that names a temporary object's keyword. */
const TEMPORARY_ARM = /\bTEMP(?:ORARY)?\b/i;
/** How many steps (names, members, calls) a callee is followed to the functions it may be. */
const MAX_STEPS = 6;

/**
 * The parameters of `fn` that some call of the project sets to a literal `true`, among those a choice in `returned`
 * (its SQL text) tests to pick a temporary keyword. Empty when there is no such choice, or no such call is seen.
 */
export function parametersCallersSetTrue(fn: ts.SignatureDeclaration, returned: ts.Expression, fileName: string | undefined): Set<ts.ParameterDeclaration> {
  const decided = new Set<ts.ParameterDeclaration>();
  const candidates = temporaryChoiceParameters(fn, returned);
  if (!fileName || candidates.size === 0) return decided;
  const site = { file: resolve(fileName), start: fn.getStart() };
  for (const path of callerFiles(site.file)) {
    const view = parsed(path);
    if (!view || !/\btrue\b/.test(view.source.text)) continue;
    walkDescendants(view.source, (node) => {
      if (!ts.isCallExpression(node)) return;
      for (const parameter of candidates) {
        const index = fn.parameters.indexOf(parameter);
        const argument = node.arguments[index];
        if (!decided.has(parameter) && argument && unwrap(argument).kind === ts.SyntaxKind.TrueKeyword
          && index === firstSpreadOr(node.arguments, index) && functionValues(node.expression, 0).some((value) => isAt(value, site))) decided.add(parameter);
      }
    });
  }
  return decided;
}

/** Parameters (plain names) tested by a choice of the text, outside nested functions, one arm of which writes TEMP. */
function temporaryChoiceParameters(fn: ts.SignatureDeclaration, returned: ts.Expression): Set<ts.ParameterDeclaration> {
  const found = new Set<ts.ParameterDeclaration>();
  const check = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node)) return false;
    if (!ts.isConditionalExpression(node) || ![node.whenTrue, node.whenFalse].some(writesTemporary)) return true;
    const condition = unwrap(node.condition);
    const parameter = ts.isIdentifier(condition) ? fn.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === condition.text && !p.dotDotDotToken) : undefined;
    if (parameter) found.add(parameter);
    return true;
  };
  if (check(returned)) walkDescendants(returned, check);
  return found;
}

function writesTemporary(arm: ts.Expression): boolean {
  const value = unwrap(arm);
  return (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) && TEMPORARY_ARM.test(value.text);
}

/** `index`, unless a spread argument comes at or before it (the argument there is then not known). */
function firstSpreadOr(args: ts.NodeArray<ts.Expression>, index: number): number {
  const spread = args.findIndex(ts.isSpreadElement);
  return spread >= 0 && spread <= index ? spread : index;
}

function isAt(node: ts.Node, site: { file: string; start: number }): boolean {
  return node.getStart() === site.start && resolve(node.getSourceFile().fileName) === site.file;
}

/** The functions a callee may be: followed through names, members of object literals and what project functions return. */
function functionValues(expression: ts.Expression, steps: number): ts.Node[] {
  const node = unwrap(expression);
  if (steps > MAX_STEPS) return [];
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) return [node];
  if (ts.isConditionalExpression(node)) return [...functionValues(node.whenTrue, steps + 1), ...functionValues(node.whenFalse, steps + 1)];
  if (ts.isCallExpression(node)) {
    const called = calledFunction(node);
    return called ? returnedValues(called).flatMap((value) => functionValues(value, steps + 1)) : [];
  }
  if (ts.isIdentifier(node)) {
    const source = node.getSourceFile();
    const fn = topLevelFunction(source, node.text) ?? importedFunction(source, node.text);
    if (fn) return [fn];
  }
  return heldValues(node, steps).flatMap((value) => functionValues(value, steps + 1));
}

/** The values a name (a top-level const of its file, or one it imports) or a member of an object literal holds. */
function heldValues(node: ts.Expression, steps: number): ts.Expression[] {
  if (ts.isIdentifier(node)) {
    const initializer = heldInitializer(node);
    return initializer ? [initializer] : [];
  }
  if (!ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return [];
  const key = ts.isPropertyAccessExpression(node) ? node.name.text : literalText(node.argumentExpression);
  return objectLiterals(node.expression, steps + 1).flatMap((object) => memberValues(object, key));
}

function objectLiterals(expression: ts.Expression, steps: number): ts.ObjectLiteralExpression[] {
  const node = unwrap(expression);
  if (ts.isObjectLiteralExpression(node)) return [node];
  if (steps > MAX_STEPS) return [];
  return heldValues(node, steps).flatMap((value) => objectLiterals(value, steps + 1));
}

/** The values of an object literal's members named `key`, or of every member when the key is not known. */
function memberValues(object: ts.ObjectLiteralExpression, key: string | undefined): ts.Expression[] {
  const values: ts.Expression[] = [];
  for (const property of object.properties) {
    const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
    if (key !== undefined && name !== key) continue;
    if (ts.isPropertyAssignment(property)) values.push(property.initializer);
    else if (ts.isShorthandPropertyAssignment(property)) values.push(property.name);
    else if (ts.isMethodDeclaration(property)) values.push(property as unknown as ts.Expression);
  }
  return values;
}

/** The initializer of a top-level const of the name's file, or of the variable a module of the project exports under the name it imports. */
function heldInitializer(name: ts.Identifier): ts.Expression | undefined {
  const source = name.getSourceFile();
  const own = variableDeclaredIn(source.statements, name.text);
  if (own) return isConstDeclaration(own) ? own.initializer : undefined;
  const imported = fileImports(source).get(name.text);
  const exported = imported && imported.name !== 'default' ? variableOfModule(source, imported.specifier, imported.name) : undefined;
  return exported && isConstDeclaration(exported) ? exported.initializer : undefined;
}

