// How code reads its environment: the one list of environment objects (`process.env`, `import.meta.env`, `Bun.env`)
// and Deno's `Deno.env.get('X')` call, for every module that asks whether a value comes from an environment variable
// (a test database's URL, a drizzle connection string, a server the code started).
import ts from 'typescript';
import { unwrap } from './embeddedFlow';

/** The environment objects whose members are the variables (`process.env.X`, `import.meta.env.X`, `Bun.env.X`). */
export const ENVIRONMENT_OBJECT = /^(?:process\.env|import\.meta\.env|Bun\.env)$/;
/** What owns such an object as its `env` member (`const { env } = process`, `Reflect.get(process, 'env')`). */
export const ENVIRONMENT_OWNER = /^(?:process|import\.meta|Bun)$/;

/**
 * The name of an environment variable read (`process.env.X`, `process.env['X']`, `import.meta.env.X`, `Bun.env.X`,
 * `Deno.env.get('X')`), or undefined.
 */
export function environmentName(expression: ts.Expression): string | undefined {
  const value = unwrap(expression);
  if (ts.isCallExpression(value)) {
    const isDeno = ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'get' && value.expression.expression.getText() === 'Deno.env';
    const argument = value.arguments[0];
    return isDeno && argument && ts.isStringLiteralLike(argument) ? argument.text : undefined;
  }
  if (ts.isPropertyAccessExpression(value) && ENVIRONMENT_OBJECT.test(value.expression.getText())) return value.name.text;
  if (ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression) && ENVIRONMENT_OBJECT.test(value.expression.getText())) {
    return value.argumentExpression.text;
  }
  return undefined;
}

/**
 * A copy of the environment object a module validates and exports (`export const env = schema.parse(process.env)`,
 * `const parsed = schema.safeParse(process.env); export const env = { ...parsed.data, EXTRA: … }`): its members are
 * the variables of the same names, but those the copy writes out itself (`EXTRA`), which the returned set holds.
 * Undefined when `name` is not such a copy: read from the module's top-level consts only.
 */
export function environmentCopy(source: ts.SourceFile, name: string): ReadonlySet<string> | undefined {
  const initializer = topLevelConstInitializer(source, name);
  return initializer === undefined ? undefined : copyOf(source, initializer, 0);
}

/** How many consts deep a copy is followed (`env` → `parsed.data` → `parsed` → `schema.safeParse(raw)` → `raw`). */
const MAX_COPY_DEPTH = 4;
/** A validator's method handing back the object it was given, checked (zod's `parse`, `safeParse(…).data`, `parseAsync`). */
const VALIDATES = /^(?:parse|parseAsync)$/;
const VALIDATES_SAFELY = /^(?:safeParse|safeParseAsync)$/;

function copyOf(source: ts.SourceFile, expression: ts.Expression, depth: number): ReadonlySet<string> | undefined {
  if (depth > MAX_COPY_DEPTH) return undefined;
  const value = unwrap(expression);
  if (ENVIRONMENT_OBJECT.test(value.getText(source))) return new Set();
  if (ts.isIdentifier(value)) {
    const held = topLevelConstInitializer(source, value.text);
    return held === undefined ? undefined : copyOf(source, held, depth + 1);
  }
  // `schema.parse(process.env)`: the environment, checked.
  if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && VALIDATES.test(value.expression.name.text) && value.arguments.length === 1) {
    return copyOf(source, value.arguments[0]!, depth + 1);
  }
  // `parsed.data` of `const parsed = schema.safeParse(process.env)` (or of the call itself).
  if (ts.isPropertyAccessExpression(value) && value.name.text === 'data') return safelyValidated(source, value.expression, depth + 1);
  // `{ ...copy, EXTRA: … }`: the spread copies, less what the literal writes itself.
  if (ts.isObjectLiteralExpression(value)) return spreadCopy(source, value, depth + 1);
  return undefined;
}

function safelyValidated(source: ts.SourceFile, expression: ts.Expression, depth: number): ReadonlySet<string> | undefined {
  let value = unwrap(expression);
  if (ts.isIdentifier(value)) {
    const held = topLevelConstInitializer(source, value.text);
    if (held === undefined) return undefined;
    value = unwrap(held);
  }
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression) || !VALIDATES_SAFELY.test(value.expression.name.text) || value.arguments.length !== 1) return undefined;
  return copyOf(source, value.arguments[0]!, depth);
}

function spreadCopy(source: ts.SourceFile, literal: ts.ObjectLiteralExpression, depth: number): ReadonlySet<string> | undefined {
  const written = new Set<string>();
  let spreads = 0;
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) {
      const inner = copyOf(source, property.expression, depth);
      if (inner === undefined) return undefined;
      inner.forEach((each) => written.add(each));
      spreads++;
    } else {
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      // A computed key may be any variable's name.
      if (key === undefined) return undefined;
      written.add(key);
    }
  }
  return spreads > 0 ? written : undefined;
}

/** The initializer of a top-level `const name = …` of the module (exported or not). */
function topLevelConstInitializer(source: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}
