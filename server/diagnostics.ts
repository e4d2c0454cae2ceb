// Findings (offsets) -> LSP diagnostics (positions), with links to the rule's documentation page.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DiagnosticTag, type CodeDescription, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity } from './analysis/types';
import { getRule } from './analysis/rules/index';

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
  private readonly descriptions = new Map<string, CodeDescription | undefined>();

  constructor(private readonly root: string) {}

  href(rule: string): string | undefined {
    return this.codeDescription(rule)?.href;
  }

  codeDescription(rule: string): CodeDescription | undefined {
    if (!this.descriptions.has(rule)) {
      this.descriptions.set(rule, getRule(rule) ? { href: pathToFileURL(join(this.root, 'docs', 'rules', `${rule}.md`)).href } : undefined);
    }
    return this.descriptions.get(rule);
  }
}

const UNNECESSARY = [DiagnosticTag.Unnecessary];

// Built as plain literals with shared pieces (doc link, tags): a 1 MB file can carry thousands of
// diagnostics, all rebuilt and serialised on every keystroke.
export function toDiagnostic(finding: Finding, document: TextDocument, docs: RuleDocs): Diagnostic {
  const diagnostic: Diagnostic = {
    range: { start: document.positionAt(finding.start), end: document.positionAt(finding.end) },
    severity: SEVERITIES[finding.severity],
    code: finding.rule,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  const codeDescription = docs.codeDescription(finding.rule);
  if (codeDescription) diagnostic.codeDescription = codeDescription;
  if (finding.unnecessary) diagnostic.tags = UNNECESSARY;
  if (finding.related?.length) {
    diagnostic.relatedInformation = finding.related.map(
      (related): DiagnosticRelatedInformation => ({
        message: related.message,
        location: related.location
          ? { uri: pathToFileURL(related.location.file).href, range: related.location.range }
          : { uri: document.uri, range: { start: document.positionAt(related.start), end: document.positionAt(related.end) } },
      }),
    );
  }
  return diagnostic;
}
