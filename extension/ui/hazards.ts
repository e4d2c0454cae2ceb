// Hazards reported by the pooler, in the editor: a details page (statement, client and server
// involved, the rule's explanation), the source line the statement came from when a workspace file
// holds it, and a diagnostic on that line.
import * as vscode from 'vscode';
import type { AdminRow } from '../pooler/ipc';
import { getRule } from '../../server/analysis/rules';
import { findStatement } from './statementMatch';

export const HAZARD_SCHEME = 'poolsafe-hazard';
const SOURCE_GLOB = '**/*.{sql,ts,tsx,js,jsx,mjs,cjs}';
const EXCLUDE_GLOB = '**/{node_modules,dist,out,.git}/**';
/** Bounds on the search, so a huge workspace never stalls the editor. */
const MAX_FILES = 500;
const MAX_FILE_BYTES = 1024 * 1024;
const SEARCH_BUDGET_MS = 3000;

const KIND_TEXT: Record<string, string> = {
  origin: 'a client left session state on a server connection',
  landed: 'another client was given a server connection carrying that state',
  error: 'a client hit the error that state causes',
};

/** Hazards of the pooler's load balancer (--load-balance) are about hosts, not session state. */
const BALANCING_TEXT: Record<string, { kind: string; diagnostic: string }> = {
  'read-after-write': {
    kind: 'a read ran on a replica that had not replayed this client\'s own write yet: it saw old data',
    diagnostic: 'this read ran on a lagging replica right after the same client wrote the table on the primary, and saw old data',
  },
  'write-in-read': {
    kind: 'the balancer sent a statement that writes to a read-only replica as a read (SQLSTATE 25006)',
    diagnostic: 'the balancer took this statement for a read and sent it to a replica, where it failed with 25006',
  },
};

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The markdown shown for one hazard. */
export function hazardMarkdown(row: AdminRow, source: vscode.Location | undefined): string {
  const rule = getRule(text(row.rule));
  const lines = [
    `# Pooling hazard ${text(row.id)}: \`${text(row.rule)}\` (${text(row.kind)})`,
    '',
    `${text(row.time)} — ${BALANCING_TEXT[text(row.rule)]?.kind ?? KIND_TEXT[text(row.kind)] ?? text(row.kind)}.`,
    '',
    '| | |',
    '|---|---|',
    `| client_id | ${text(row.client_id)} |`,
    `| application_name | ${text(row.application_name)} |`,
    `| server_id | ${text(row.server_id)} |`,
    `| remote_pid | ${text(row.remote_pid)} |`,
    '',
    '## Statement',
    '',
    '```sql',
    text(row.statement),
    '```',
  ];
  if (text(row.detail)) lines.push('', text(row.detail));
  if (source) lines.push('', `Found in \`${vscode.workspace.asRelativePath(source.uri)}\` line ${source.range.start.line + 1}.`);
  if (rule) {
    lines.push('', `## ${rule.title}`, '', rule.explanation);
    if (rule.productionError) lines.push('', `Error seen in production: \`${rule.productionError}\``);
    lines.push('', `**Safe alternative:** ${rule.safeAlternative}`);
  }
  return lines.join('\n');
}

/** Looks for the statement in workspace sources; bounded in files, size and time. */
export async function findHazardSource(statement: string, token?: vscode.CancellationToken): Promise<vscode.Location | undefined> {
  if (!statement.trim()) return undefined;
  const deadline = Date.now() + SEARCH_BUDGET_MS;
  const files = await vscode.workspace.findFiles(SOURCE_GLOB, EXCLUDE_GLOB, MAX_FILES, token);
  // .sql files first: a statement written there is the most direct source.
  files.sort((a, b) => Number(!a.path.endsWith('.sql')) - Number(!b.path.endsWith('.sql')));
  for (const uri of files) {
    if (Date.now() > deadline || token?.isCancellationRequested) return undefined;
    const content = await readSmallFile(uri);
    if (content === undefined) continue;
    const match = findStatement(content, statement);
    if (match) return new vscode.Location(uri, new vscode.Position(match.line, match.column));
  }
  return undefined;
}

async function readSmallFile(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_FILE_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Hazard pages as virtual markdown documents, plus the diagnostics on matched source lines. */
export class HazardPresenter implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly pages = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('poolsafe-pooler');
  /** Where each statement was found (undefined: searched, not found): one search per statement text. */
  private readonly sources = new Map<string, Promise<vscode.Location | undefined>>();
  /** Hazards already marked, so a repeated hazard does not add diagnostics again. */
  private readonly marked = new Set<string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pages.get(uri.toString()) ?? '# Hazard details are gone (the pooler restarted)';
  }

  /** Searches the source once per hazard and marks the line with a diagnostic. */
  async locate(row: AdminRow): Promise<vscode.Location | undefined> {
    const statement = text(row.statement);
    let search = this.sources.get(statement);
    if (!search) {
      search = findHazardSource(statement).catch(() => undefined);
      this.sources.set(statement, search);
    }
    const location = await search;
    const mark = `${text(row.rule)}\0${statement}`;
    // `landed` carries whatever the next client ran, not the cause: only causes get a diagnostic.
    if (location && text(row.kind) !== 'landed' && !this.marked.has(mark)) {
      this.marked.add(mark);
      this.addDiagnostic(row, location);
    }
    return location;
  }

  private addDiagnostic(row: AdminRow, location: vscode.Location): void {
    const existing = this.diagnostics.get(location.uri) ?? [];
    const range = new vscode.Range(location.range.start, location.range.start.translate(0, 1_000));
    const rule = getRule(text(row.rule));
    const what = BALANCING_TEXT[text(row.rule)]?.diagnostic ?? (text(row.kind) === 'error'
      ? 'this statement failed through the pooler: the session state it needs stayed on another server connection'
      : 'this statement left session state on a pooled server connection; the next client given that connection inherits it');
    const message = `PoolSafe pooler (${text(row.rule)}): ${what} (client ${text(row.client_id)}, server ${text(row.server_id)}).${rule ? ` ${rule.safeAlternative}` : ''}`;
    const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Warning);
    diagnostic.source = 'poolsafe-pooler';
    diagnostic.code = text(row.rule);
    this.diagnostics.set(location.uri, [...existing, diagnostic]);
  }

  /** Opens the source line (if found) and the details page beside it. */
  async show(row: AdminRow): Promise<vscode.Location | undefined> {
    const source = await this.locate(row);
    const uri = vscode.Uri.from({ scheme: HAZARD_SCHEME, path: `/hazard-${text(row.id)}.md` });
    this.pages.set(uri.toString(), hazardMarkdown(row, source));
    this.changed.fire(uri);
    if (source) {
      await vscode.window.showTextDocument(source.uri, { selection: source.range, preview: true, viewColumn: vscode.ViewColumn.One });
    }
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      // No markdown preview (e.g. the built-in extension disabled): the markdown text still reads well.
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
    return source;
  }

  /** A new pooler run numbers hazards from 1 again. */
  clear(): void {
    this.sources.clear();
    this.marked.clear();
    this.pages.clear();
    this.diagnostics.clear();
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
