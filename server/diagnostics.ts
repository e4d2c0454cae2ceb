// Findings (offsets) -> LSP diagnostics (positions), with links to the rule's documentation page.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Diagnostic, DiagnosticSeverity, DiagnosticTag, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { getRule, type Finding, type Severity } from './analysis/index';

export const DIAGNOSTIC_SOURCE = 'poolsafe';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Links rule ids to docs/rules/<id>.md under the extension (or repository) root. */
export class RuleDocs {
  // Computed once per rule: building file URLs for thousands of diagnostics per keystroke adds up.
  private readonly hrefs = new Map<string, string | undefined>();

  constructor(private readonly root: string) {}

  href(rule: string): string | undefined {
    if (!this.hrefs.has(rule)) this.hrefs.set(rule, getRule(rule) ? pathToFileURL(join(this.root, 'docs', 'rules', `${rule}.md`)).href : undefined);
    return this.hrefs.get(rule);
  }
}

export function toDiagnostic(finding: Finding, document: TextDocument, docs: RuleDocs): Diagnostic {
  const diagnostic = Diagnostic.create(
    { start: document.positionAt(finding.start), end: document.positionAt(finding.end) },
    finding.message,
    SEVERITIES[finding.severity],
    finding.rule,
    DIAGNOSTIC_SOURCE,
  );
  const href = docs.href(finding.rule);
  if (href) diagnostic.codeDescription = { href };
  if (finding.unnecessary) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (finding.related?.length) {
    diagnostic.relatedInformation = finding.related.map(
      (related): DiagnosticRelatedInformation => ({
        message: related.message,
        location: { uri: document.uri, range: { start: document.positionAt(related.start), end: document.positionAt(related.end) } },
      }),
    );
  }
  return diagnostic;
}
