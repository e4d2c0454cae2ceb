// `SELECT set_config($1, $2, $3)` sent with a values array whose is_local value is false unless the caller says
// otherwise (`[name, value, options.isLocal ?? false]`): by default a session-wide setting, which behind a transaction
// pooler stays on the server connection for its next clients. The embedded-SQL reading of what sessionFlags.ts reads
// in a routine (`set_config(…, is_local)` with `is_local boolean DEFAULT false`). Only a default written beside the
// call counts: a false literal, `x ?? false` or `x || false`, or a const holding one; a caller's value, a parameter or
// anything computed is the author's decision.
import ts from 'typescript';
import { unwrap, type Flow } from './embeddedFlow';

/** set_config whose three arguments are plain (no call, no comma inside) and whose is_local is the placeholder `$n`. */
const SET_CONFIG_WITH_BOUND_FLAG = /\bset_config\s*\(\s*[^\s,()][^,()]*,\s*[^\s,()][^,()]*,\s*\$(\d+)\s*(?:::\s*bool(?:ean)?\s*)?\)/i;

/** The number n of the `$n` a statement's set_config takes as is_local (1-based), if it does. */
export function setConfigFlagPlaceholder(sql: string): number | undefined {
  const match = SET_CONFIG_WITH_BOUND_FLAG.exec(sql);
  return match ? Number(match[1]) : undefined;
}

/** The value a values array sends for `$n`: its n-th element, when no spread comes before it. */
export function boundValue(values: ts.Expression, placeholder: number, flow: Flow): ts.Expression | undefined {
  let array = unwrap(values);
  if (ts.isIdentifier(array)) {
    const held = flow.constantInitializer(array);
    if (!held) return undefined;
    array = unwrap(held);
  }
  if (!ts.isArrayLiteralExpression(array) || placeholder < 1 || placeholder > array.elements.length) return undefined;
  const before = array.elements.slice(0, placeholder);
  return before.some(ts.isSpreadElement) ? undefined : array.elements[placeholder - 1];
}

/** `false`, `x ?? false`, `x || false`, or a name bound to one of them (one step). */
export function defaultsToFalse(value: ts.Expression, flow: Flow, depth = 0): boolean {
  const bare = unwrap(value);
  if (bare.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isBinaryExpression(bare) && (bare.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || bare.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return unwrap(bare.right).kind === ts.SyntaxKind.FalseKeyword;
  }
  if (ts.isIdentifier(bare) && depth === 0) {
    const held = flow.constantInitializer(bare);
    return held !== undefined && defaultsToFalse(held, flow, depth + 1);
  }
  return false;
}
