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
