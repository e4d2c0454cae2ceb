// Output formats of `poolsafe lint` (stable; see docs/architecture.md, "Stable interfaces"): text, json, SARIF 2.1.0.
import { pathToFileURL } from 'node:url';
import { relative, sep } from 'node:path';
import { RULES, type Finding, type Severity } from '../server/analysis/index';
import type { Position } from '../server/analysis/index';

/** A finding placed in a file, with 1-based lines and columns (columns count UTF-16 code units). */
export interface FileFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
}

export function placeFinding(file: string, finding: Finding, positionAt: (offset: number) => Position): FileFinding {
  const start = positionAt(finding.start);
  const end = positionAt(finding.end);
  return {
    file,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
  };
}

export function formatText(findings: FileFinding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule} ${f.message}\n`).join('');
}

export function formatJson(findings: FileFinding[]): string {
  const plain = findings.map(({ file, line, column, endLine, endColumn, rule, severity, message }) =>
    ({ file, line, column, endLine, endColumn, rule, severity, message }));
  return `${JSON.stringify({ findings: plain })}\n`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
export const PROJECT_URI = 'https://github.com/poolsafe/poolsafe';

/** The rule's documentation page, for SARIF `helpUri` (lint and run reports). */
export function ruleHelpUri(ruleId: string): string {
  return `${PROJECT_URI}/blob/main/docs/rules/${ruleId}.md`;
}

function sarifRules(): object[] {
  return RULES.map((rule) => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.explanation },
    help: { text: `${rule.explanation}\nSafe alternative: ${rule.safeAlternative}` },
    helpUri: ruleHelpUri(rule.id),
    defaultConfiguration: { level: SARIF_LEVEL[rule.defaultSeverity] },
    properties: { poolModes: rule.poolModes },
  }));
}

/** SARIF 2.1.0 for code-scanning UIs; artifact URIs are relative to the working directory (%SRCROOT%). */
export function formatSarif(findings: FileFinding[], version: string, cwd = process.cwd()): string {
  const rules = sarifRules() as { id: string }[];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: relative(cwd, f.file).split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
        region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
      },
    }],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'PoolSafe', informationUri: PROJECT_URI, version, rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(cwd).href}/` } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

