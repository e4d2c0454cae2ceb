// A module's own SQL-returning helper whose text only ever goes into a psql command line or a log line. The linter
// reads a function that returns SQL on its own (embedded.ts inspectSqlBuilder), since its callers may be in other files
// and send the text on a pool. A function the module does not export has all its callers in the module: when each call
// places the text after a psql `-c` option in a command it runs (`$\`${psql} -c "${minMessagesSql(level)}" -f x.psql\``,
// `execSync(\`psql -c '${resetSql()}'\`)`) or in a message it logs, the text reaches psql's own session or nobody, never
// a pooled client of the program.
import ts from 'typescript';
import { callsOfOwnFunction } from './freshHelperClients';

/** A psql option that takes the command text next: `-c "`, `-c '`, `-c `, `--command="`, `--command `. */
const COMMAND_OPTION_BEFORE = /(?:^|\s)(?:-c|--command)(?:\s+|=)["']?$/;

/** Methods that write a message (`console.log`, `logger.debug`, `log.warn`, `this.logger.info`). */
const LOG_METHOD = /^(?:log|debug|info|warn|error|trace)$/;
/** Receivers that name a log (`console`, `logger`, `log`, `this.logger`, `ctx.log`). */
const LOG_RECEIVER = /^(?:console|logger|_?log)$/i;

/**
 * Whether the function is the module's own (callsOfOwnFunction: not exported, its name written only where it is
 * called) and every call places its text in a psql command's `-c` option or a logged message (see the file's comment).
 * A function with no call at all stays read: nothing says where its text goes.
 */
export function sentOnlyToPsqlOrLogs(fn: ts.SignatureDeclaration, source: ts.SourceFile): boolean {
  const calls = callsOfOwnFunction(fn, source);
  return calls !== undefined && calls.every((call) => placedAfterPsqlCommandOption(call) || isInLoggedMessage(call));
}

/** The call's text is a hole of a template whose text before it ends with psql's `-c` option (a shell command). */
function placedAfterPsqlCommandOption(call: ts.CallExpression): boolean {
  const span = call.parent;
  if (!ts.isTemplateSpan(span) || span.expression !== call) return false;
  const template = span.parent;
  const index = template.templateSpans.indexOf(span);
  const before = index === 0 ? template.head.text : template.templateSpans[index - 1].literal.text;
  return COMMAND_OPTION_BEFORE.test(before);
}

/** The call's text is (part of) an argument of a logging call (`console.log(\`-- BEGIN\n${sqlOf(x)}\`)`). */
function isInLoggedMessage(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isTemplateSpan(node.parent) || ts.isTemplateExpression(node.parent) || ts.isParenthesizedExpression(node.parent)
    || (ts.isBinaryExpression(node.parent) && node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken)) node = node.parent;
  const logCall = node.parent;
  if (!ts.isCallExpression(logCall) || !logCall.arguments.includes(node as ts.Expression)) return false;
  const callee = logCall.expression;
  if (!ts.isPropertyAccessExpression(callee) || !LOG_METHOD.test(callee.name.text)) return false;
  const receiver = callee.expression;
  const receiverName = ts.isIdentifier(receiver) ? receiver.text : ts.isPropertyAccessExpression(receiver) ? receiver.name.text : undefined;
  return receiverName !== undefined && LOG_RECEIVER.test(receiverName);
}
