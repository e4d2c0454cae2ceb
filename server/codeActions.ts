// Code actions for findings: the rule's quick fix, "disable for this line", "disable rule in
// .poolsafe.json", and the source action that applies every safe fix in the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeAction, CodeActionKind, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from './analysis/types';
import { CONFIG_FILE_NAME } from './analysis/config';
import { isInsideTemplate } from './tsScan';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.poolsafe`;

export interface ActionContext {
  document: TextDocument;
  findings: readonly Finding[];
  /** Diagnostics the client published for this document, matched to findings by range and code. */
  toDiagnostic: (finding: Finding) => Diagnostic;
  /** The .poolsafe.json that applies to the document, or where a new one should be created. */
  configPath: { existing?: string; createAt?: string };
}

function lspEdits(document: TextDocument, finding: Finding): TextEdit[] {
  return finding.fix!.edits.map((e) => ({ range: { start: document.positionAt(e.start), end: document.positionAt(e.end) }, newText: e.newText }));
}

function overlaps(document: TextDocument, finding: Finding, range: Range): boolean {
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  return finding.start <= end && start <= finding.end;
}

export function wantsKind(only: string[] | undefined, kind: string): boolean {
  if (!only) return kind.startsWith(CodeActionKind.QuickFix);
  return only.some((prefix) => kind === prefix || kind.startsWith(`${prefix}.`));
}

export function codeActions(context: ActionContext, range: Range, only: string[] | undefined): CodeAction[] {
  const actions: CodeAction[] = [];
  const { document } = context;
  if (wantsKind(only, CodeActionKind.QuickFix)) {
    const seenRules = new Set<string>();
    for (const finding of context.findings) {
      if (finding.rule === 'syntax-error' || !overlaps(document, finding, range)) continue;
      const diagnostic = context.toDiagnostic(finding);
      if (finding.fix) actions.push(quickFix(document, finding, diagnostic));
      actions.push(disableForLine(document, finding, diagnostic));
      if (!seenRules.has(finding.rule)) {
        seenRules.add(finding.rule);
        const action = disableInConfig(context, finding, diagnostic);
        if (action) actions.push(action);
      }
    }
  }
  if (only && wantsKind(only, FIX_ALL_KIND)) {
    const fixAll = fixAllAction(document, context.findings);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function quickFix(document: TextDocument, finding: Finding, diagnostic: Diagnostic): CodeAction {
  const action = CodeAction.create(finding.fix!.title, { changes: { [document.uri]: lspEdits(document, finding) } }, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = true;
  return action;
}

/** Every fix in the document, skipping any whose edits overlap an earlier one (the client rejects overlaps). */
export function fixAllAction(document: TextDocument, findings: readonly Finding[]): CodeAction | undefined {
  const edits: TextEdit[] = [];
  const taken: [number, number][] = [];
  for (const finding of findings) {
    if (!finding.fix) continue;
    const clashes = finding.fix.edits.some((e) => taken.some(([start, end]) => e.start < end && start < e.end || e.start === start));
    if (clashes) continue;
    for (const e of finding.fix.edits) taken.push([e.start, e.end]);
    edits.push(...lspEdits(document, finding));
  }
  if (edits.length === 0) return undefined;
  return CodeAction.create('PoolSafe: apply all transaction-safe fixes', { changes: { [document.uri]: edits } }, FIX_ALL_KIND);
}

function disableForLine(document: TextDocument, finding: Finding, diagnostic: Diagnostic): CodeAction {
  const text = document.getText();
  const line = document.positionAt(finding.start).line;
  const lineStart = document.offsetAt({ line, character: 0 });
  const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))![0];
  // In TS/JS a `//` comment works only outside the SQL string; a line inside a multi-line template is
  // SQL, where the SQL form of the comment is the one the analysis honours.
  const marker = document.languageId === 'sql' || isInsideTemplate(text, lineStart) ? '--' : '//';
  const edit: TextEdit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${marker} poolsafe-disable-next-line ${finding.rule}\n` };
  const action = CodeAction.create(`Disable ${finding.rule} for this line`, { changes: { [document.uri]: [edit] } }, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  return action;
}

function disableInConfig(context: ActionContext, finding: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  const edit = configEdit(context.configPath, finding.rule);
  if (!edit) return undefined;
  const action = CodeAction.create(`Disable ${finding.rule} in ${CONFIG_FILE_NAME}`, edit, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  return action;
}

/** A WorkspaceEdit that sets `rules[rule] = "off"`, creating the file when there is none. */
export function configEdit(configPath: ActionContext['configPath'], rule: string): WorkspaceEdit | undefined {
  if (configPath.existing && existsSync(configPath.existing)) {
    const current = readFileSync(configPath.existing, 'utf8');
    let parsed: unknown;
    try {
      parsed = current.trim() === '' ? {} : JSON.parse(current);
    } catch {
      return undefined; // a broken file is the user's to fix; rewriting it would lose their text
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const config = parsed as { rules?: Record<string, string> };
    config.rules = { ...config.rules, [rule]: 'off' };
    const lines = current.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    const uri = pathToFileURL(configPath.existing).href;
    return { documentChanges: [{ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: `${JSON.stringify(config, null, 2)}\n` }] }] };
  }
  if (!configPath.createAt) return undefined;
  const uri = pathToFileURL(join(configPath.createAt, CONFIG_FILE_NAME)).href;
  const newText = `${JSON.stringify({ rules: { [rule]: 'off' } }, null, 2)}\n`;
  return {
    documentChanges: [
      { kind: 'create', uri, options: { ignoreIfExists: true } },
      { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText }] },
    ],
  };
}
