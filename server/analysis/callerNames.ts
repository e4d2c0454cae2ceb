// A helper that splices a parameter in as a function's name (`const run = (client, lockFn, key) =>
// client.query(`SELECT ${lockFn}(${key})`)`, or `'SELECT ' + lockFn + '(' + key + ')'`) sends whatever its callers pass: `run(c, 'pg_advisory_lock', k)`
// takes a session lock. For each call of the helper in the file that passes a session advisory-lock
// function's name there, the query is read again with that name in the hole, so the finding lands on
// the caller's literal. Only names of that family are spliced: other words (a column, `asc`) stay holes.
import ts from 'typescript';
import type { Part } from './embeddedText';
import { walkDescendants } from './astWalk';
import { literalOf, unwrap, type Flow } from './embeddedFlow';
import { SESSION_ADVISORY_NAME } from './vocabulary';

const CALL_AFTER = /^\s*\(/;
const ONE_NAME = /^\s*[a-z_]+\s*$/i;

/** The query's parts once for each caller's session-lock name in a parameter hole followed by `(`. */
export function callerNameVariants(flow: Flow, source: ts.SourceFile, literals: readonly ts.Node[], parts: readonly Part[]): Part[][] {
  const variants: Part[][] = [];
  for (const [name, after] of namesBeforeText(literals)) {
    if (!CALL_AFTER.test(after)) continue;
    const start = ts.isTemplateSpan(name.parent) ? name.parent.pos - 2 : name.getStart(source);
    const hole = parts.findIndex((part) => part.kind === 'slot' && part.fileStart === start);
    const binding = hole >= 0 ? flow.bindingOf(name) : undefined;
    if (!binding || !('parameterOf' in binding)) continue;
    const index = binding.parameterOf.parameters.indexOf(binding.parameter);
    for (const passed of namesPassed(flow, source, binding.parameterOf, index)) {
      variants.push([...parts.slice(0, hole), literalOf(passed, source), ...parts.slice(hole + 1)]);
    }
  }
  return variants;
}

/**
 * Each name the query's text splices in, with the text written right after it: a template's `${fn}(` hole, or a
 * concatenation's `'SELECT ' + fn + '(' + key + ')'`, the name followed by a literal.
 */
function namesBeforeText(literals: readonly ts.Node[]): [ts.Identifier, string][] {
  const found: [ts.Identifier, string][] = [];
  for (const literal of literals) {
    if (ts.isTemplateExpression(literal)) {
      for (const span of literal.templateSpans) if (ts.isIdentifier(span.expression)) found.push([span.expression, span.literal.text]);
      continue;
    }
    if (!ts.isStringLiteral(literal) && !ts.isNoSubstitutionTemplateLiteral(literal)) continue;
    // `a + fn + '('` nests to the left: the literal is the right of a `+` whose left ends with the name.
    const sum = literal.parent;
    if (!ts.isBinaryExpression(sum) || sum.operatorToken.kind !== ts.SyntaxKind.PlusToken || sum.right !== literal) continue;
    const before = ts.isBinaryExpression(sum.left) && sum.left.operatorToken.kind === ts.SyntaxKind.PlusToken ? sum.left.right : sum.left;
    if (ts.isIdentifier(before)) found.push([before, literal.text]);
  }
  return found;
}

/** The string literals naming a session advisory-lock function that this file's calls of `fn` pass at `index`. */
function namesPassed(flow: Flow, source: ts.SourceFile, fn: ts.SignatureDeclaration, index: number): (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] {
  const names: (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || node.arguments.length <= index || flow.localFunction(node.expression) !== fn) return;
    // A literal, a const holding one, or either literal of a choice (`shared ? 'pg_advisory_lock_shared' : 'pg_advisory_lock'`).
    let argument = unwrap(node.arguments[index]);
    const held = ts.isIdentifier(argument) ? flow.constantInitializer(argument) : undefined;
    if (held) argument = unwrap(held);
    const choices = ts.isConditionalExpression(argument) ? [unwrap(argument.whenTrue), unwrap(argument.whenFalse)] : [argument];
    for (const choice of choices) {
      if ((ts.isStringLiteral(choice) || ts.isNoSubstitutionTemplateLiteral(choice)) && ONE_NAME.test(choice.text) && SESSION_ADVISORY_NAME.test(choice.text)) names.push(choice);
    }
  });
  return names;
}
