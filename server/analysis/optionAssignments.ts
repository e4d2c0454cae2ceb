// Options copied onto a config object one at a time before the object is handed to a driver or a library
// (`const cfg = {}; if (config.schema) cfg.schema = config.schema; new Connection(cfg)`): each write `name.option =
// value` or `name['option'] = value` on the local name, in the function (or file) that declares it, before the use that
// hands the name on. One reader for every option read this way (postgres.js's `prepare`, postgrejs's `schema`).
import ts from 'typescript';
import type { Flow } from './embeddedFlow';
import { enclosingFunction, walkDescendants } from './astWalk';

/** One write of an option onto the object a local name holds. */
export interface OptionAssignment {
  /** The option's name (`schema` of `cfg.schema = …`). */
  option: string;
  /** The whole assignment (`cfg.schema = config.schema`); its `right` is the value. */
  assignment: ts.BinaryExpression;
}

/**
 * The options written onto the object the local name `use` holds, before `use`, in the scope declaring that name, in
 * the order they are written. Empty for a name that is no local variable (a parameter, an import).
 */
export function optionAssignmentsBefore(use: ts.Identifier, flow: Flow): OptionAssignment[] {
  const binding = flow.bindingOf(use);
  if (!binding || !('variable' in binding) || !ts.isIdentifier(binding.variable.name)) return [];
  const scope: ts.Node = enclosingFunction(binding.variable) ?? binding.variable.getSourceFile();
  const written: OptionAssignment[] = [];
  walkDescendants(scope, (node) => {
    if (node.pos >= use.pos) return false;
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const target = node.left;
    if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return undefined;
    const option = ts.isPropertyAccessExpression(target) ? target.name.text
      : ts.isStringLiteral(target.argumentExpression) ? target.argumentExpression.text : undefined;
    if (option && ts.isIdentifier(target.expression) && target.expression.text === use.text) written.push({ option, assignment: node });
    return undefined;
  });
  return written;
}
