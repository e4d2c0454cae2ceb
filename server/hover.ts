// Hover over a flagged construct: what was found, why it breaks under the configured pool mode, the
// error users see in production, and the safe form.
import type { Hover, MarkupContent } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, PoolMode } from './analysis/types';
import { getRule } from './analysis/rules/index';
import type { RuleDocs } from './diagnostics';

const MODE_CONSEQUENCE: Record<PoolMode, string> = {
  transaction: 'each transaction may run on a different server connection',
  statement: 'each statement may run on a different server connection, and multi-statement transactions are refused',
  session: 'a client keeps one server connection until it disconnects',
};

export function hoverMarkdown(finding: Finding, poolMode: PoolMode, docs: RuleDocs): string {
  const rule = getRule(finding.rule);
  if (!rule) return `**PoolSafe** (\`${finding.rule}\`): ${finding.message}`;
  const lines = [
    `**PoolSafe: ${rule.title}** (\`${rule.id}\`)`,
    '',
    finding.message,
    '',
    rule.concern === 'load-balancing'
      ? `**Why it breaks behind a load balancer** (reads may go to a read replica that lags behind the primary): ${rule.explanation}`
      : `**Why it breaks in \`${poolMode}\` pool mode** (${MODE_CONSEQUENCE[poolMode]}): ${rule.explanation}`,
  ];
  if (rule.productionError) lines.push('', `**Error in production:** \`${rule.productionError}\``);
  lines.push('', `**Safe form:** ${rule.safeAlternative}`);
  if (finding.fix) lines.push('', `Quick fix available: *${finding.fix.title}*.`);
  const href = docs.href(rule.id);
  if (href) lines.push('', `[Rule documentation](${href})`);
  return lines.join('\n');
}

/** The hover for the findings under `offset`, or null when nothing is flagged there. */
export function hoverAt(findings: readonly Finding[], offset: number, document: TextDocument, poolMode: PoolMode, docs: RuleDocs): Hover | null {
  const hits = findings.filter((f) => f.start <= offset && offset <= f.end && f.rule !== 'syntax-error');
  if (hits.length === 0) return null;
  const contents: MarkupContent = { kind: 'markdown', value: hits.map((f) => hoverMarkdown(f, poolMode, docs)).join('\n\n---\n\n') };
  const first = hits[0];
  return { contents, range: { start: document.positionAt(first.start), end: document.positionAt(first.end) } };
}
