// Language-server checks inside the real extension host: diagnostics on the demo files, typing into a
// new document, a quick fix through VS Code's own code-action command, and hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test, waitFor } from './runner';

const EXTENSION_ID = 'poolsafe.poolsafe';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e driver opens a copy of demo/ as the workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

function ruleOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

function poolsafeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'poolsafe');
}

/** Waits until PoolSafe has published diagnostics for `uri` that satisfy `done`. */
async function diagnosticsWhere(uri: vscode.Uri, what: string, done: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  try {
    return await waitFor(what, () => {
      const found = poolsafeDiagnostics(uri);
      return done(found) ? found : undefined;
    }, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; PoolSafe diagnostics at that point: [${summarise(poolsafeDiagnostics(uri))}]; ${documentState(uri)}`);
  }
}

/** What the extension host knows of `uri` and the other open documents, for a failure message. */
function documentState(uri: vscode.Uri): string {
  const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme !== 'output');
  const self = open.find((d) => d.uri.toString() === uri.toString());
  const others = open.filter((d) => d !== self).map((d) => `${d.uri.toString()} v${d.version}`);
  const state = self ? `v${self.version}, ${self.isClosed ? 'closed' : 'open'}, ${JSON.stringify(self.getText().slice(0, 120))}` : 'not among the open documents';
  return `${uri.toString()}: ${state}; other documents: [${others.join(', ')}]`;
}

let untitledDocuments = 0;

/**
 * A new untitled document with a name of its own. VS Code restores the backup it keeps of an untitled document into the
 * next document given the same name (`Untitled-1`) when that backup has not been discarded yet, which happens on a busy
 * machine: a test asking for `SELECT pg_advisory_lock(42)` then got the previous test's text.
 */
async function newUntitled(language: 'sql' | 'typescript', content: string): Promise<vscode.TextDocument> {
  const extension = language === 'sql' ? 'sql' : 'ts';
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `poolsafe-e2e-${process.pid}-${++untitledDocuments}.${extension}` });
  let document = await vscode.workspace.openTextDocument(uri);
  if (document.languageId !== language) document = await vscode.languages.setTextDocumentLanguage(document, language);
  if (content) {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), content);
    assert.equal(await vscode.workspace.applyEdit(edit), true, `inserting the text of ${uri.toString()}`);
  }
  assert.equal(document.getText(), content, `${uri.toString()} holds the text the test asked for`);
  return document;
}

/** Reverts and closes the active editor (a test's untitled document), and waits until the document is closed. */
async function closeUntitled(document: vscode.TextDocument): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await waitFor(`${document.uri.toString()} closed`, () => (document.isClosed ? true : undefined), 10_000);
}

function summarise(ds: vscode.Diagnostic[]): string {
  return ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${ruleOf(d)}`).join(', ');
}

/** The 0-based line holding `text` in a demo file (so the demo can be edited without breaking the tests). */
function lineOf(document: vscode.TextDocument, text: string): number {
  for (let line = 0; line < document.lineCount; line++) if (document.lineAt(line).text.includes(text)) return line;
  throw new Error(`${document.uri.path} has no line containing ${text}`);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

test('the extension activates and its language client is running', async () => {
  const document = await vscode.workspace.openTextDocument(workspaceFile('sql/unsafe.sql'));
  await vscode.window.showTextDocument(document);
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is loaded from the development path`);
  await waitFor('extension activation', () => (extension.isActive ? true : undefined), 60_000);
  const api = extension.exports as { languageClient(): { isRunning(): boolean } | undefined };
  await waitFor('language client running', () => (api.languageClient()?.isRunning() ? true : undefined), 60_000);
}, 90_000);

test('demo/sql/unsafe.sql: every transaction-mode rule is reported with source poolsafe', async () => {
  const uri = workspaceFile('sql/unsafe.sql');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const expected = ['advisory-lock', 'currval', 'cursor-with-hold', 'listen', 'load', 'prepared-statement', 'session-extension', 'session-set', 'set-local-outside-transaction', 'temp-table'];
  const found = await diagnosticsWhere(uri, 'diagnostics for unsafe.sql', (ds) => expected.every((rule) => ds.some((d) => ruleOf(d) === rule)), 60_000);
  assert.deepEqual([...new Set(found.map(ruleOf))].sort(), expected, summarise(found));
  const set = found.find((d) => ruleOf(d) === 'session-set');
  assert.ok(set);
  const document = await vscode.workspace.openTextDocument(uri);
  assert.equal(set.range.start.line, lineOf(document, 'SET search_path TO app, public;'), summarise(found));
  assert.equal(set.range.start.character, 0);
  assert.equal(set.severity, vscode.DiagnosticSeverity.Warning);
  // The PL/pgSQL body's PERFORM pg_advisory_lock(tenant) counts too.
  const perform = lineOf(document, 'PERFORM pg_advisory_lock(tenant);');
  assert.ok(found.some((d) => ruleOf(d) === 'advisory-lock' && d.range.start.line === perform), summarise(found));
}, 90_000);

test('demo/src/orders.ts: SQL inside TypeScript is checked (listen, session-set, named statement, currval)', async () => {
  const uri = workspaceFile('src/orders.ts');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const expected = ['currval', 'listen', 'protocol-prepared-statement', 'session-set'];
  const found = await diagnosticsWhere(uri, 'diagnostics for orders.ts', (ds) => expected.every((rule) => ds.some((d) => ruleOf(d) === rule)), 60_000);
  assert.deepEqual([...new Set(found.map(ruleOf))].sort(), expected, summarise(found));
  const listen = found.find((d) => ruleOf(d) === 'listen');
  assert.ok(listen);
  // The finding covers the SQL inside the string literal, not the call.
  const document = await vscode.workspace.openTextDocument(uri);
  const line = lineOf(document, "await pool.query('LISTEN order_events');");
  assert.equal(listen.range.start.line, line, summarise(found));
  assert.equal(listen.range.start.character, document.lineAt(line).text.indexOf('LISTEN'), summarise(found));
}, 90_000);

/** Shared by the typing and quick-fix tests: the untitled document typed into. */
let typedDocument: vscode.TextDocument | undefined;

test('typing `SET search_path TO app;` into a new .sql document shows session-set within a few seconds', async () => {
  const document = await newUntitled('sql', '');
  await vscode.window.showTextDocument(document);
  const typed = 'SET search_path TO app;';
  const started = Date.now();
  // The `type` command goes through the editor the way keystrokes do, one character at a time.
  for (const character of typed) await vscode.commands.executeCommand('type', { text: character });
  assert.equal(document.getText(), typed);
  const typedAt = Date.now();
  // Diagnostics for a shorter prefix (`SET search_path TO ap`) may still be the latest ones: wait for the
  // finding that covers the whole statement (everything but the `;`).
  const wholeStatement = (d: vscode.Diagnostic) =>
    ruleOf(d) === 'session-set' && d.range.start.line === 0 && d.range.start.character === 0 && d.range.end.character === typed.length - 1;
  await diagnosticsWhere(document.uri, 'session-set over the typed statement', (ds) => ds.some(wholeStatement), 10_000);
  console.log(`  typing ${typed.length} characters took ${typedAt - started} ms; session-set over the statement ${Date.now() - typedAt} ms after the last one`);
  typedDocument = document;
}, 90_000);

test('the quick fix from vscode.executeCodeActionProvider edits the text and clears session-set', async () => {
  const document = typedDocument;
  assert.ok(document, 'the typing test left a document');
  const diagnostic = poolsafeDiagnostics(document.uri).find((d) => ruleOf(d) === 'session-set');
  assert.ok(diagnostic, 'session-set is still reported');
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
  const fixes = (actions ?? []).filter((a) => a.edit && a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
  assert.ok(fixes.length > 0, `quick fixes offered: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
  const fix = fixes.find((a) => a.isPreferred) ?? fixes[0];
  const before = document.getText();
  assert.equal(await vscode.workspace.applyEdit(fix.edit!), true, `applyEdit(${fix.title})`);
  const after = document.getText();
  assert.notEqual(after, before, `"${fix.title}" changed the text`);
  console.log(`  applied "${fix.title}": ${JSON.stringify(after)}`);
  await diagnosticsWhere(document.uri, 'session-set to disappear after the fix', (ds) => !ds.some((d) => ruleOf(d) === 'session-set'), 10_000);
  await closeUntitled(document);
}, 60_000);

test('the preferred quick fix rewrites pg_advisory_lock to pg_advisory_xact_lock', async () => {
  const document = await newUntitled('sql', 'SELECT pg_advisory_lock(42);\n');
  await vscode.window.showTextDocument(document);
  const [diagnostic] = (await diagnosticsWhere(document.uri, 'advisory-lock', (ds) => ds.some((d) => ruleOf(d) === 'advisory-lock'), 10_000))
    .filter((d) => ruleOf(d) === 'advisory-lock');
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
  const preferred = (actions ?? []).find((a) => a.isPreferred && a.edit);
  assert.ok(preferred, `a preferred fix among ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
  assert.equal(await vscode.workspace.applyEdit(preferred.edit!), true);
  assert.equal(document.getText(), 'SELECT pg_advisory_xact_lock(42);\n');
  await diagnosticsWhere(document.uri, 'advisory-lock to disappear', (ds) => !ds.some((d) => ruleOf(d) === 'advisory-lock'), 10_000);
  await closeUntitled(document);
}, 60_000);

test("typing `pool.query('LISTEN x')` into a new TypeScript document shows listen", async () => {
  const document = await newUntitled('typescript', 'declare const pool: { query(text: string): Promise<unknown> };\n');
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(1, 0, 1, 0);
  const typed = "await pool.query('LISTEN x');";
  // Auto-closing quotes and brackets would double what `type` inserts, so the statement goes in as one edit.
  const started = Date.now();
  await vscode.commands.executeCommand('type', { text: typed });
  assert.equal(document.lineAt(1).text, typed);
  const found = await diagnosticsWhere(document.uri, 'listen in the TypeScript document', (ds) => ds.some((d) => ruleOf(d) === 'listen'), 10_000);
  console.log(`  edit to listen diagnostic in TypeScript: ${Date.now() - started} ms`);
  const listen = found.find((d) => ruleOf(d) === 'listen')!;
  assert.equal(listen.range.start.line, 1);
  assert.equal(document.getText(listen.range), 'LISTEN x');
  await closeUntitled(document);
}, 30_000);

test('latency: a LISTEN typed in one go into a new .sql document is flagged within 5 s', async () => {
  const document = await newUntitled('sql', 'SELECT 1;\n');
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(1, 0, 1, 0);
  const started = Date.now();
  await vscode.commands.executeCommand('type', { text: 'LISTEN jobs;' });
  await diagnosticsWhere(document.uri, 'listen on the new line', (ds) => ds.some((d) => ruleOf(d) === 'listen'), 5_000);
  console.log(`  edit to listen diagnostic: ${Date.now() - started} ms`);
  await closeUntitled(document);
}, 30_000);

test('hover on the flagged SET in unsafe.sql explains the rule', async () => {
  const uri = workspaceFile('sql/unsafe.sql');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const position = new vscode.Position(lineOf(await vscode.workspace.openTextDocument(uri), 'SET search_path TO app, public;'), 4);
  const text = await waitFor('a PoolSafe hover', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
    const joined = hoverText(hovers ?? []);
    return joined.includes('session-set') ? joined : undefined;
  }, 30_000, 250);
  assert.match(text, /PoolSafe/);
  assert.match(text, /SET LOCAL/, 'the hover names the safe alternative');
}, 60_000);
