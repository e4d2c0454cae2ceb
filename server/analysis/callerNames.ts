// A helper that splices a parameter in as a function's name (`const run = (client, lockFn, key) =>
// client.query(`SELECT ${lockFn}(${key})`)`) sends whatever its callers pass: `run(c, 'pg_advisory_lock', k)`
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
  for (const template of literals) {
    if (!ts.isTemplateExpression(template)) continue;
    for (const span of template.templateSpans) {
      if (!ts.isIdentifier(span.expression) || !CALL_AFTER.test(span.literal.text)) continue;
      const hole = parts.findIndex((part) => part.kind === 'slot' && part.fileStart === span.pos - 2);
      const binding = hole >= 0 ? flow.bindingOf(span.expression) : undefined;
      if (!binding || !('parameterOf' in binding)) continue;
      const index = binding.parameterOf.parameters.indexOf(binding.parameter);
      for (const name of namesPassed(flow, source, binding.parameterOf, index)) {
        variants.push([...parts.slice(0, hole), literalOf(name, source), ...parts.slice(hole + 1)]);
      }
    }
  }
  return variants;
}

/** The string literals naming a session advisory-lock function that this file's calls of `fn` pass at `index`. */
function namesPassed(flow: Flow, source: ts.SourceFile, fn: ts.SignatureDeclaration, index: number): (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] {
  const names: (ts.StringLiteral | ts.NoSubstitutionTemplateLiteral)[] = [];
  walkDescendants(source, (node) => {
    if (!ts.isCallExpression(node) || node.arguments.length <= index || flow.localFunction(node.expression) !== fn) return;
    const argument = unwrap(node.arguments[index]);
    if ((ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument)) && ONE_NAME.test(argument.text) && SESSION_ADVISORY_NAME.test(argument.text)) {
      names.push(argument);
    }
  });
  return names;
}
