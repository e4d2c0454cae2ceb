// Logical-replication (walsender) connections: a client opened with `replication: 'database'` (postgres.js
// `connection: { replication: 'database' }`, node-postgres `replication: 'database'`) or a connection
// string with `replication=database`. PgBouncer does not carry the replication protocol in transaction
// mode, so such a connection always goes straight to the server: its settings and prepared statements
// are its own. The TS/JS analysis (embedded.ts) reports nothing about pooling on it; a pooled client
// next to it keeps its findings.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';

/** `replication` values that open a walsender: 'database' (logical), true/'true'/'on'/'1' (physical). */
const WALSENDER_VALUE = /^(?:database|true|on|yes|1)$/i;
/** A connection string (or its query part) asking for a walsender. */
const REPLICATION_PARAMETER = /(?:^|[?&\s])replication=(?:database|true|on|yes|1)\b/i;

/** Whether a client-creating call or `new` names a replication connection in its arguments. */
export function createsReplicationClient(expression: ts.Expression): boolean {
  const value = unwrap(expression);
  if (!ts.isCallExpression(value) && !ts.isNewExpression(value)) return false;
  return (value.arguments ?? []).some(asksForReplication);
}

/** An option tree (nested objects, merged option calls such as `defu({…}, base)`) naming a walsender. */
function asksForReplication(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return false;
  if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'replication' && isWalsenderValue(node.initializer)) return true;
  if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) && REPLICATION_PARAMETER.test(node.text)) return true;
  return ts.forEachChild(node, asksForReplication) ?? false;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text
    : ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression) ? name.expression.text : undefined;
}

function isWalsenderValue(value: ts.Expression): boolean {
  if (value.kind === ts.SyntaxKind.TrueKeyword) return true;
  return (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) && WALSENDER_VALUE.test(value.text);
}

/** Commands only a walsender accepts: a client sent one is a replication connection whatever made it. */
const REPLICATION_COMMAND = /^\s*(?:CREATE_REPLICATION_SLOT|DROP_REPLICATION_SLOT|ALTER_REPLICATION_SLOT|READ_REPLICATION_SLOT|START_REPLICATION|IDENTIFY_SYSTEM|TIMELINE_HISTORY|BASE_BACKUP|UPLOAD_MANIFEST)\b/;
const MAY_SEND_REPLICATION_COMMAND = /\b(?:(?:CREATE|DROP|ALTER|READ)_REPLICATION_SLOT|START_REPLICATION|IDENTIFY_SYSTEM|TIMELINE_HISTORY|BASE_BACKUP|UPLOAD_MANIFEST)\b/;

/**
 * The receivers a replication command is sent through: `session.unsafe('CREATE_REPLICATION_SLOT …')`,
 * `client.query(\`START_REPLICATION …\`)`, `` sql`IDENTIFY_SYSTEM` ``.
 */
export function replicationCommandReceivers(source: ts.SourceFile): ts.Expression[] {
  if (!MAY_SEND_REPLICATION_COMMAND.test(source.text)) return [];
  const receivers: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && opensWithReplicationCommand(node.arguments[0])) receivers.push(node.expression.expression);
    else if (ts.isTaggedTemplateExpression(node) && opensWithReplicationCommand(node.template)) receivers.push(node.tag);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return receivers;
}

function opensWithReplicationCommand(text: ts.Node | undefined): boolean {
  const head = text && (ts.isStringLiteral(text) || ts.isNoSubstitutionTemplateLiteral(text) ? text.text : ts.isTemplateExpression(text) ? text.head.text : undefined);
  return head !== undefined && REPLICATION_COMMAND.test(head);
}
