// The `prepare` option a postgres.js client is created with, followed through the shapes options take in
// real code: an options object held in a local name (`postgres(options)`), and spreads of such objects
// (`postgres({ ...options, max: 2 })`) where a later property wins over an earlier one.
import ts from 'typescript';
import type { Flow } from './embeddedFlow';
import { PREPARE_OPTION } from './codeWords';

/** How many names deep an options object is followed (`const base = {…}; const options = { ...base }`). */
const MAX_OPTION_HOPS = 4;

/** The object literal an options expression is, or the one a local name holding it was bound to. */
export function optionsObject(expression: ts.Expression, flow: Flow, hops = 0): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(expression)) return expression;
  if (!ts.isIdentifier(expression) || hops >= MAX_OPTION_HOPS) return undefined;
  const binding = flow.bindingOf(expression);
  const value = binding && 'variable' in binding ? binding.variable.initializer : undefined;
  return value ? optionsObject(value, flow, hops + 1) : undefined;
}

/**
 * The value the `prepare` option takes in an options object: the last `prepare` property, or the `prepare`
 * of a local object spread after it. A spread of something unknown (a parameter) says nothing.
 */
export function prepareOption(options: ts.ObjectLiteralExpression, flow: Flow, hops = 0): ts.Expression | undefined {
  let prepare: ts.Expression | undefined;
  for (const property of options.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = hops < MAX_OPTION_HOPS ? optionsObject(property.expression, flow, hops + 1) : undefined;
      prepare = (spread && prepareOption(spread, flow, hops + 1)) ?? prepare;
    } else if (ts.isPropertyAssignment(property) && propertyNamed(property.name, PREPARE_OPTION)) {
      prepare = property.initializer;
    } else if (ts.isShorthandPropertyAssignment(property) && property.name.text === PREPARE_OPTION) {
      prepare = property.name;
    }
  }
  return prepare;
}

function propertyNamed(name: ts.PropertyName, wanted: string): boolean {
  return (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === wanted;
}
