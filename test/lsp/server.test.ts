// Protocol-level tests of the language server: spawn the bundled dist/server.js and speak LSP to it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, Diagnostic, Hover, MarkupContent, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { startLspClient, type LspClient } from './lspClient';

const workspace = mkdtempSync(join(tmpdir(), 'poolsafe-lsp-'));
let client: LspClient;

before(async () => {
  client = await startLspClient({ rootPath: workspace });
});
after(async () => {
  await client?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** Applies LSP edits to a string (last first, so earlier offsets stay valid). */
function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const offset = (p: { line: number; character: number }): number => starts[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const edit of sorted) text = text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
  return text;
}

function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  const edits = edit?.changes?.[uri];
  assert.ok(edits, `expected edits for ${uri} in ${JSON.stringify(edit)}`);
  return edits;
}

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

const whole = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

test('didOpen of a .sql file publishes session-set at the SET statement, with source, code and doc link', async () => {
  const text = 'SELECT 1;\nSET search_path TO app;\n';
  const uri = client.open(join(workspace, 'open.sql'), 'sql', text);
  const diagnostics = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.equal(diagnostics.length, 1);
  const [d] = diagnostics;
  assert.equal(d.code, 'session-set');
  assert.equal(d.source, 'poolsafe');
  assert.equal(d.severity, 2);
  assert.deepEqual(d.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 22 } });
  const href = d.codeDescription?.href ?? '';
  assert.match(href, /^file:\/\/.*\/docs\/rules\/session-set\.md$/);
  assert.ok(existsSync(fileURLToPath(href)), `rule doc ${href} exists`);
});

test('incremental didChange: typing a SET adds the warning, deleting it clears it', async () => {
  const uri = client.open(join(workspace, 'change.sql'), 'sql', 'SELECT 1;\n');
  assert.deepEqual(await client.diagnostics(uri, () => true, 1), []);
  let version = client.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'SET search_path TO app;' }]);
  const added = await client.diagnostics(uri, (d) => d.length > 0, version);
  assert.deepEqual(codes(added), ['session-set']);
  assert.deepEqual(added[0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 22 } });
  // One character at a time, the way typing arrives: "SET search_path TO app;" -> "SET LOCAL ..." is still flagged (as a no-op).
  version = client.change(uri, [{ range: { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } }, text: ' LOCAL' }]);
  assert.deepEqual(codes(await client.diagnostics(uri, () => true, version)), ['set-local-outside-transaction']);
  version = client.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 29 } }, text: '' }]);
  assert.deepEqual(await client.diagnostics(uri, () => true, version), []);
});

test('code actions: the preferred quick fix rewrites pg_advisory_lock and the diagnostic disappears', async () => {
  let text = 'SELECT pg_advisory_lock(42);\n';
  const uri = client.open(join(workspace, 'lock.sql'), 'sql', text);
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.equal(diagnostic.code, 'advisory-lock');
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
  });
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles, ['Use pg_advisory_xact_lock', 'Disable advisory-lock for this line', 'Disable advisory-lock in .poolsafe.json']);
  const fix = actions[0];
  assert.equal(fix.isPreferred, true);
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.diagnostics?.[0].code, 'advisory-lock');
  const edits = editsFor(fix.edit, uri);
  text = applyEdits(text, edits);
  assert.equal(text, 'SELECT pg_advisory_xact_lock(42);\n');
  const version = client.change(uri, edits.map((e) => ({ range: e.range, text: e.newText })));
  assert.deepEqual(await client.diagnostics(uri, () => true, version), []);
});

test('SET inside a transaction block: the fix inserts LOCAL', async () => {
  const text = 'BEGIN;\nSET search_path TO app;\nCOMMIT;\n';
  const uri = client.open(join(workspace, 'block.sql'), 'sql', text);
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length > 0, 1);
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
  });
  const fix = actions.find((a) => a.isPreferred);
  assert.ok(fix, 'a preferred fix');
  const fixed = applyEdits(text, editsFor(fix.edit, uri));
  assert.equal(fixed, 'BEGIN;\nSET LOCAL search_path TO app;\nCOMMIT;\n');
  const version = client.change(uri, [{ range: whole, text: fixed }]);
  assert.deepEqual(await client.diagnostics(uri, () => true, version), []);
});

test('"disable for this line" inserts an indented suppression comment that silences the rule', async () => {
  const text = 'SELECT 1;\n  LISTEN jobs;\n';
  const uri = client.open(join(workspace, 'disable.sql'), 'sql', text);
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.equal(diagnostic.code, 'listen');
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
  });
  const disable = actions.find((a) => a.title === 'Disable listen for this line');
  assert.ok(disable);
  const fixed = applyEdits(text, editsFor(disable.edit, uri));
  assert.equal(fixed, 'SELECT 1;\n  -- poolsafe-disable-next-line listen\n  LISTEN jobs;\n');
  const version = client.change(uri, [{ range: whole, text: fixed }]);
  assert.deepEqual(await client.diagnostics(uri, () => true, version), []);
});

test('source.fixAll.poolsafe applies every fix in the file at once', async () => {
  const text = "SELECT pg_advisory_lock(1);\nSELECT pg_try_advisory_lock(2);\nSELECT set_config('a.b', 'x', false);\nLISTEN x;\n";
  const uri = client.open(join(workspace, 'fixall.sql'), 'sql', text);
  const before = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.deepEqual(codes(before).sort(), ['advisory-lock', 'advisory-lock', 'listen', 'session-set']);
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] },
  });
  assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.poolsafe']);
  const fixed = applyEdits(text, editsFor(actions[0].edit, uri));
  assert.equal(fixed, "SELECT pg_advisory_xact_lock(1);\nSELECT pg_try_advisory_xact_lock(2);\nSELECT set_config('a.b', 'x', true);\nLISTEN x;\n");
  const version = client.change(uri, [{ range: whole, text: fixed }]);
  // set_config(…, true) outside a block is reported as a no-op; LISTEN has no automatic fix.
  assert.deepEqual(codes(await client.diagnostics(uri, () => true, version)).sort(), ['listen', 'set-local-outside-transaction']);
});

test('hover over a flagged statement explains the pool mode, the production error and the safe form', async () => {
  const text = "PREPARE q AS SELECT 1;\nEXECUTE q;\n";
  const uri = client.open(join(workspace, 'hover.sql'), 'sql', text);
  await client.diagnostics(uri, (d) => d.length > 0, 1);
  const hover: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
  assert.ok(hover, 'a hover');
  const value = (hover.contents as MarkupContent).value;
  assert.equal((hover.contents as MarkupContent).kind, 'markdown');
  assert.match(value, /prepared-statement/);
  assert.match(value, /Why it breaks in `transaction` pool mode/);
  assert.match(value, /does not exist/);
  assert.match(value, /Safe form:/);
  const nothing: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 0 } });
  assert.equal(nothing, null);
});

test('related information points a currval at its nextval; SET LOCAL outside a block is tagged Unnecessary', async () => {
  // Named queries (each sent on its own): a whole script would run both on one connection.
  const text = "-- name: NextId :one\nSELECT nextval('s');\n-- name: CurrentId :one\nSELECT currval('s');\n";
  const uri = client.open(join(workspace, 'related.sql'), 'sql', text);
  const diagnostics = await client.diagnostics(uri, (d) => d.length === 1, 1);
  const currval = diagnostics.find((d) => d.code === 'currval')!;
  assert.equal(currval.relatedInformation?.length, 1);
  assert.equal(currval.relatedInformation![0].location.uri, uri);
  assert.deepEqual(currval.relatedInformation![0].location.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 14 } });
  // A script (no query-collection headers: in those the caller may open the transaction) runs statement by statement.
  const scriptUri = client.open(join(workspace, 'unnecessary.sql'), 'sql', "SELECT 1;\nSET LOCAL work_mem TO '64MB';\n");
  const [setLocal] = await client.diagnostics(scriptUri, (d) => d.length === 1, 1);
  assert.equal(setLocal.code, 'set-local-outside-transaction');
  assert.deepEqual(setLocal.tags, [1]);
});

test('a TS file with pool.query(\'LISTEN x\') gets a listen diagnostic inside the string; disabling uses a // comment', async () => {
  const text = "import { pool } from './db';\n\nexport async function subscribe() {\n  await pool.query('LISTEN x');\n}\n";
  const uri = client.open(join(workspace, 'listen.ts'), 'typescript', text);
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.equal(diagnostic.code, 'listen');
  assert.deepEqual(diagnostic.range, { start: { line: 3, character: 20 }, end: { line: 3, character: 28 } });
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
  });
  const disable = actions.find((a) => a.title === 'Disable listen for this line')!;
  const fixed = applyEdits(text, editsFor(disable.edit, uri));
  assert.match(fixed, /\n {2}\/\/ poolsafe-disable-next-line listen\n {2}await pool\.query/);
  const version = client.change(uri, [{ range: whole, text: fixed }]);
  assert.deepEqual(await client.diagnostics(uri, () => true, version), []);
});

test('settings change: poolMode "session" clears the diagnostics without reopening, "transaction" restores them', async () => {
  const uri = client.open(join(workspace, 'settings.sql'), 'sql', 'SET search_path TO app;\n');
  await client.diagnostics(uri, (d) => d.length === 1, 1);
  try {
    client.settings.poolMode = 'session';
    client.settingsChanged();
    assert.deepEqual(await client.diagnostics(uri, (d) => d.length === 0, 1), []);
    client.settings.rules = { 'session-set': 'error' };
    client.settings.poolMode = 'transaction';
    client.settingsChanged();
    const back = await client.diagnostics(uri, (d) => d.length === 1 && d[0].severity === 1, 1);
    assert.equal(back[0].code, 'session-set');
  } finally {
    client.settings = {};
    client.settingsChanged();
  }
});

test('.poolsafe.json: "disable rule" creates it; the watched file applies; editor settings override it', async () => {
  const folder = mkdtempSync(join(workspace, 'project-'));
  const uri = client.open(join(folder, 'temp.sql'), 'sql', 'CREATE TEMP TABLE t (a int);\n');
  const [diagnostic] = await client.diagnostics(uri, (d) => d.length > 0, 1);
  assert.equal(diagnostic.code, 'temp-table');
  const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
  });
  const disable = actions.find((a) => a.title === 'Disable temp-table in .poolsafe.json');
  assert.ok(disable?.edit?.documentChanges, 'a workspace edit with document changes');
  const [create, insert] = disable.edit.documentChanges as [{ kind: string; uri: string }, { edits: TextEdit[] }];
  assert.equal(create.kind, 'create');
  // The workspace root is the nearest folder to create it in (no config exists yet).
  const configPath = fileURLToPath(create.uri);
  assert.equal(configPath, join(workspace, '.poolsafe.json'));
  try {
    writeFileSync(configPath, insert.edits[0].newText);
    assert.deepEqual(JSON.parse(readFileSync(configPath, 'utf8')), { rules: { 'temp-table': 'off' } });
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: create.uri, type: 1 }] });
    assert.deepEqual(await client.diagnostics(uri, (d) => d.length === 0, 1), []);
    // Updating an existing file keeps its other keys.
    writeFileSync(configPath, JSON.stringify({ poolMode: 'transaction', rules: { 'temp-table': 'off' } }));
    const update = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: client.open(join(folder, 'listen.sql'), 'sql', 'LISTEN x;\n') },
      range: whole, context: { diagnostics: [] },
    }) as CodeAction[];
    const rewrite = update.find((a) => a.title === 'Disable listen in .poolsafe.json')!;
    const [change] = rewrite.edit!.documentChanges as unknown as [{ edits: TextEdit[] }];
    assert.deepEqual(JSON.parse(change.edits[0].newText), { poolMode: 'transaction', rules: { 'temp-table': 'off', listen: 'off' } });
    // Editor settings win over the file.
    client.settings.rules = { 'temp-table': 'warning' };
    client.settingsChanged();
    assert.deepEqual(codes(await client.diagnostics(uri, (d) => d.length === 1, 1)), ['temp-table']);
  } finally {
    rmSync(configPath, { force: true });
    client.settings = {};
    client.settingsChanged();
  }
});

test('a big file is analysed off the request loop: a hover elsewhere answers before its first diagnostics', async () => {
  const small = client.open(join(workspace, 'small.sql'), 'sql', 'LISTEN jobs;\n');
  await client.diagnostics(small, (d) => d.length === 1, 1);
  // ~0.8 MB of distinct statements: the first pass parses every one of them (seconds).
  const big = Array.from({ length: 12_000 }, (_, n) => `SELECT ${n}, name FROM users_${n % 97} WHERE id = ${n} AND note <> 'n${n}';`).join('\n');
  const bigUri = client.open(join(workspace, 'big.sql'), 'sql', big);
  let bigDone = false;
  const bigDiagnostics = client.diagnostics(bigUri, () => true, 1, 120_000).then(() => (bigDone = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  const hover: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 2 } });
  const hoverMs = performance.now() - started;
  assert.ok(hover, 'hover answered');
  assert.equal(bigDone, false, `the hover (${hoverMs.toFixed(0)} ms) waited for the big file's analysis`);
  await bigDiagnostics;
});

test('several changes in one didChange (multi-cursor) and many single edits keep the server in sync', async () => {
  let text = 'SELECT 1;\nSELECT 2;\n';
  const uri = client.open(join(workspace, 'multi.sql'), 'sql', text);
  await client.diagnostics(uri, () => true, 1);
  // Two cursors type "LISTEN a; " at the start of both lines; ranges refer to successive texts.
  let version = client.change(uri, [
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'LISTEN a; ' },
    { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'LISTEN b; ' },
  ]);
  assert.deepEqual(codes(await client.diagnostics(uri, () => true, version)), ['listen', 'listen']);
  text = 'LISTEN a; SELECT 1;\nLISTEN b; SELECT 2;\n';
  // Then 22 single-character edits that delete the second LISTEN and retype it on another channel.
  for (let i = 0; i < 10; i++) version = client.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: '' }]);
  for (const [i, char] of [...'LISTEN abc; '].entries()) version = client.change(uri, [{ range: { start: { line: 1, character: i }, end: { line: 1, character: i } }, text: char }]);
  const final = await client.diagnostics(uri, () => true, version);
  assert.deepEqual(final.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]), [['listen', 0, 0, 8], ['listen', 1, 0, 10]]);
});
