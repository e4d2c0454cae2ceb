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

/** One document's last publish: the findings and the diagnostics built for them. */
export interface Published {
  findings: readonly Finding[];
  diagnostics: readonly Diagnostic[];
}

function samePosition(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line === b.line && a.character === b.character;
}

/** Whether `before`'s diagnostic is exactly what `after` gives now (related locations: always rebuilt). */
function stillDescribes(before: Finding, diagnostic: Diagnostic, after: Finding, document: TextDocument): boolean {
  if (before.rule !== after.rule || before.severity !== after.severity || before.message !== after.message || before.unnecessary !== after.unnecessary) return false;
  if (before.related?.length || after.related?.length) return false;
  return samePosition(diagnostic.range.start, document.positionAt(after.start)) && samePosition(diagnostic.range.end, document.positionAt(after.end));
}

/**
 * Diagnostics for a document's findings, reusing the previous publish's objects where nothing changed
 * (matched from the start and from the end, as an edit changes the findings in between). In a 1 MB
 * file that is thousands of objects per keystroke which, alive while the message is serialised, were
 * promoted and then left as old-generation garbage (about 3 MB per edit; docs/architecture.md, "Memory").
 */
export function toDiagnostics(findings: readonly Finding[], document: TextDocument, docs: RuleDocs, previous?: Published): Diagnostic[] {
  const diagnostics = new Array<Diagnostic>(findings.length);
  const before = previous?.findings ?? [];
  const reusable = (from: number, to: number): boolean => stillDescribes(before[from], previous!.diagnostics[from], findings[to], document);
  let head = 0;
  while (head < findings.length && head < before.length && reusable(head, head)) diagnostics[head] = previous!.diagnostics[head++];
  let tail = 0;
  const room = Math.min(findings.length, before.length) - head;
  while (tail < room && reusable(before.length - 1 - tail, findings.length - 1 - tail)) {
    diagnostics[findings.length - 1 - tail] = previous!.diagnostics[before.length - 1 - tail];
    tail++;
  }
  for (let i = head; i < findings.length - tail; i++) diagnostics[i] = toDiagnostic(findings[i], document, docs);
  return diagnostics;
}
