// The name a class or function is known by where it was taken from, when a file calls it under a local alias: a const
// holding a member (`const PS = require('pg-promise').PreparedStatement`, `const PS = pgp.PreparedStatement`) or another
// such const, a renamed destructuring (`const { PreparedStatement: PS } = pgp`) or a renamed import (`import {
// PreparedStatement as PS } from 'pg-promise'`). Rules that recognise a class by its name (a prepared-statement factory,
// a query-object class) read the alias as that class. Only what cannot change is read: a const, never a let or var.
import ts from 'typescript';
import { calleeText, isConstDeclaration, unwrap, type Flow } from './embeddedFlow';
import { fileImports } from './ownServerHelpers';

/** How many consts may stand between a call and the member it names (`const A = pgp.PreparedStatement; const B = A`). */
const MAX_ALIAS_LINKS = 3;

/**
 * The name `callee` stands for: calleeText's (a member's own name, an identifier's), or for an identifier bound to an
 * alias the name it was taken under. A parameter, a let or var, a default import, a name both destructured and
 * declared in scopes around the call, or a class or function declared under the name nearer the call than the alias
 * (`class PS {}` inside a function of a file whose top level holds `const PS = pgp.PreparedStatement`) keeps its own name.
 */
export function aliasedCalleeName(callee: ts.Expression, flow: Flow, source: ts.SourceFile, links = 0): string {
  const own = calleeText(callee);
  if (!ts.isIdentifier(callee) || links > MAX_ALIAS_LINKS) return own;
  if (declaresLocalClassOrFunction(callee, flow)) return own;
  const variable = flow.variableOf(callee);
  const destructuring = flow.destructuringOf(callee);
  if (variable && destructuring) return own;
  if (destructuring) return isConstDeclaration(destructuring) ? destructuredKey(destructuring, callee.text) ?? own : own;
  if (variable) {
    const value = isConstDeclaration(variable) && variable.initializer ? unwrap(variable.initializer) : undefined;
    return value && (ts.isPropertyAccessExpression(value) || ts.isIdentifier(value)) ? aliasedCalleeName(value, flow, source, links + 1) : own;
  }
  if (flow.bindingOf(callee)) return own; // a parameter of the name
  const imported = fileImports(source).get(callee.text);
  return imported && imported.name !== 'default' ? imported.name : own;
}

/** Whether the nearest declaration of the callee's name is a class or function declaration (which shadows any alias further out). */
function declaresLocalClassOrFunction(callee: ts.Identifier, flow: Flow): boolean {
  const nearest = flow.nearestDeclaration(callee);
  return nearest !== undefined && (ts.isClassDeclaration(nearest) || ts.isFunctionDeclaration(nearest));
}

/** The property a const destructuring binds `local` from at its top level (`{ PreparedStatement: PS }`: PreparedStatement). */
function destructuredKey(declaration: ts.VariableDeclaration, local: string): string | undefined {
  if (!ts.isObjectBindingPattern(declaration.name)) return undefined;
  const element = declaration.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === local);
  const key = element && !element.dotDotDotToken ? element.propertyName ?? element.name : undefined;
  return key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : undefined;
}
