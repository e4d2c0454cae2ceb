// PoolSafe language server (main thread): LSP wiring, settings, diagnostics, code actions and hovers.
// Loaded by server.ts, which also starts the analysis worker from the same bundle.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type DidChangeConfigurationParams,
  type InitializeResult,
  type TextDocumentChangeEvent,
  type TextDocumentContentChangeEvent,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ChunkedTextDocument } from './chunkedDocument';
// Only the pure parts of the analysis here (types, rule texts, config): the parser and the TypeScript
// compiler load in the analysis worker.
import { DEFAULT_OPTIONS, type AnalysisOptions, type DocumentLanguage } from './analysis/types';
import { ALL_LANGUAGES, ConfigFiles, effectiveOptions, parseSettings, type EditorSettings, type RawSettings } from './settings';
import { DocumentAnalysis } from './scheduler';
import { OutOfSyncError, createAnalysisHost, type TextChange } from './analysisHost';
import { RuleDocs, toDiagnostic, toDiagnostics } from './diagnostics';
import { FIX_ALL_KIND, codeActions } from './codeActions';
import { hoverAt } from './hover';
import { isDefaultIgnoredPath, isGeneratedText, mayBeGenerated } from './generatedFiles';

const connection = createConnection(ProposedFeatures.all);
// Edits since the text last sent to the analysis host ('full': send the whole text), recorded as the
// client's incremental changes arrive so a keystroke sends a few characters, not the file.
const unsentEdits = new Map<string, TextChange[] | 'full'>();
const MAX_UNSENT_EDITS = 200;
// Chunked: an edit rebuilds a few KB, not the whole text (see chunkedDocument.ts).
const documents = new TextDocuments<ChunkedTextDocument>({
  create(uri, languageId, version, content) {
    unsentEdits.set(uri, 'full');
    return new ChunkedTextDocument(uri, languageId, version, content);
  },
  update(document, changes, version) {
    recordEdits(document, changes);
    document.update(changes, version);
    return document;
  },
});

function recordEdits(document: TextDocument, changes: TextDocumentContentChangeEvent[]): void {
  const edits = unsentEdits.get(document.uri);
  // Several changes in one notification refer to successive texts: simplest to resend the whole text.
  if (edits === 'full' || edits === undefined || changes.length !== 1 || !('range' in changes[0]) || edits.length >= MAX_UNSENT_EDITS) {
    unsentEdits.set(document.uri, 'full');
    return;
  }
  const { range, text } = changes[0];
  edits.push({ start: document.offsetAt(range.start), end: document.offsetAt(range.end), text });
}

/** The text or edits to send with the next analysis request; what was unsent is now sent. */
function takeUnsent(document: TextDocument): { text?: string; edits?: TextChange[] } {
  const edits = unsentEdits.get(document.uri);
  unsentEdits.set(document.uri, []);
  return edits === 'full' || edits === undefined ? { text: document.getText() } : { edits };
}
const analyses = new Map<string, DocumentAnalysis>();
const configFiles = new ConfigFiles((message) => connection.console.warn(message));
const editorSettings = new Map<string, Promise<EditorSettings>>();
let pushedSettings: EditorSettings = parseSettings(undefined);
let canPullConfiguration = false;
let workspaceFolders: WorkspaceFolder[] = [];
// bundled as dist/server.js, so the repository/extension root is one level up.
let docs = new RuleDocs(join(__dirname, '..'));
// The worker runs the entry script itself (dist/server.js), which dispatches on the thread's role (see server.ts).
const host = createAnalysisHost(require.main?.filename ?? __filename, (message) => connection.console.warn(message));

connection.onInitialize((params): InitializeResult => {
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  workspaceFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
  const init = params.initializationOptions as { extensionRoot?: string; settings?: RawSettings } | undefined;
  if (init?.extensionRoot) docs = new RuleDocs(init.extensionRoot);
  if (init?.settings) pushedSettings = parseSettings(init.settings);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
      hoverProvider: true,
    },
    serverInfo: { name: 'poolsafe' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'poolsafe' });
});

function settingsFor(uri: string): Promise<EditorSettings> {
  if (!canPullConfiguration) return Promise.resolve(pushedSettings);
  let settings = editorSettings.get(uri);
  if (!settings) {
    settings = connection.workspace
      .getConfiguration({ scopeUri: uri, section: 'poolsafe' })
      .then((raw: RawSettings | null) => parseSettings(raw), () => pushedSettings);
    editorSettings.set(uri, settings);
  }
  return settings;
}

function optionsFor(uri: string, settings: EditorSettings): AnalysisOptions {
  const config = configFiles.forDocument(uri);
  // The workspace's catalog joins these in the analysis host (AnalyzeRequest.workspaceRoot).
  const merged = effectiveOptions(config.options, settings.options);
  return { ...DEFAULT_OPTIONS, ...merged, rules: { ...merged.rules } };
}

function fileNameOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

/** Vendored, minified and bundled files get no diagnostics unless .poolsafe.json says "defaultIgnore": false. */
function skippedAsGenerated(document: TextDocument, language: DocumentLanguage): boolean {
  if (configFiles.forDocument(document.uri).defaultIgnore === false) return false;
  const path = fileNameOf(document.uri);
  // getText() joins the chunks: only for languages whose files can be generated.
  return (path !== undefined && isDefaultIgnoredPath(path)) || (mayBeGenerated(language) && isGeneratedText(document.getText(), language));
}

function analysisFor(document: TextDocument): DocumentAnalysis | undefined {
  const language = document.languageId as DocumentLanguage;
  if (!ALL_LANGUAGES.includes(language)) return undefined;
  let analysis = analyses.get(document.uri);
  if (!analysis || analysis.language !== language) {
    analysis = new DocumentAnalysis(language);
    analyses.set(document.uri, analysis);
  }
  return analysis;
}

/**
 * Analyses the current text and publishes, unless the document moved on meanwhile. One run per
 * document at a time: edits that arrive during a run are picked up by the run scheduled after it.
 */
async function validate(uri: string): Promise<void> {
  const document = documents.get(uri);
  const analysis = document && analysisFor(document);
  if (!document || !analysis || analysis.running) return;
  const settings = await settingsFor(uri);
  const current = documents.get(uri);
  if (current !== document || analysis.result?.version === document.version || analysis.running) return;
  const version = document.version;
  if (!settings.languages.includes(analysis.language) || skippedAsGenerated(document, analysis.language)) {
    analysis.result = { version, findings: [] };
    void connection.sendDiagnostics({ uri, version, diagnostics: [] });
    return;
  }
  const request = {
    uri, language: analysis.language, fileName: fileNameOf(uri), options: optionsFor(uri, settings), workspaceRoot: workspaceRoot(uri), ...takeUnsent(document),
  };
  // After a failure the next run resends the whole text; a version that fails twice is not retried
  // (a bug in the analysis, logged) until the text changes again.
  let retry = true;
  analysis.running = host.analyze(request).then(
    (findings) => {
      analysis.result = { version, findings };
      const latest = documents.get(uri);
      if (latest?.version !== version) return;
      const diagnostics = toDiagnostics(findings, latest, docs, analysis.published);
      analysis.published = { findings, diagnostics };
      void connection.sendDiagnostics({ uri, version, diagnostics });
    },
    (error: Error) => {
      unsentEdits.set(uri, 'full');
      retry = analysis.failedVersion !== version;
      analysis.failedVersion = version;
      if (!(error instanceof OutOfSyncError)) connection.console.error(`analysis failed: ${error.stack ?? error.message}`);
    },
  );
  try {
    await analysis.running;
  } finally {
    analysis.running = undefined;
    const latest = documents.get(uri);
    const moved = latest !== undefined && latest.version !== version;
    if (latest && analyses.get(uri) === analysis && analysis.result?.version !== latest.version && (moved || retry)) scheduleValidation(latest);
  }
}

function scheduleValidation(document: TextDocument): void {
  const analysis = analysisFor(document);
  analysis?.schedule(() => void validate(document.uri).catch((error) => connection.console.error(`analysis failed: ${(error as Error).stack}`)));
}

/** Requests (hover, code actions) need findings for the exact text the client sees. */
async function currentFindings(uri: string): Promise<{ document: TextDocument; analysis: DocumentAnalysis; settings: EditorSettings } | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const document = documents.get(uri);
    const analysis = document && analysisFor(document);
    if (!document || !analysis) return undefined;
    const settings = await settingsFor(uri);
    if (analysis.result?.version === document.version) return { document, analysis, settings };
    if (analysis.running) await analysis.running.catch(() => undefined);
    else {
      analysis.cancel();
      await validate(uri);
    }
  }
  return undefined;
}

function revalidateAll(): void {
  for (const analysis of analyses.values()) analysis.result = undefined;
  for (const document of documents.all()) scheduleValidation(document);
}

documents.onDidOpen((event: TextDocumentChangeEvent<TextDocument>) => scheduleValidation(event.document));
documents.onDidChangeContent((event: TextDocumentChangeEvent<TextDocument>) => scheduleValidation(event.document));
documents.onDidClose((event: TextDocumentChangeEvent<TextDocument>) => {
  analyses.get(event.document.uri)?.cancel();
  host.close(event.document.uri);
  unsentEdits.delete(event.document.uri);
  analyses.delete(event.document.uri);
  editorSettings.delete(event.document.uri);
  void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
});

connection.onDidChangeConfiguration((change: DidChangeConfigurationParams) => {
  editorSettings.clear();
  const pushed = (change.settings as { poolsafe?: RawSettings } | undefined)?.poolsafe;
  if (pushed) pushedSettings = parseSettings(pushed);
  revalidateAll();
});

connection.onDidChangeWatchedFiles(() => {
  configFiles.clear();
  revalidateAll();
});

connection.onHover(async (params) => {
  const state = await currentFindings(params.textDocument.uri);
  if (!state) return null;
  const { document, analysis, settings } = state;
  const poolMode = optionsFor(document.uri, settings).poolMode;
  return hoverAt(analysis.result!.findings, document.offsetAt(params.position), document, poolMode, docs);
});

connection.onCodeAction(async (params) => {
  const state = await currentFindings(params.textDocument.uri);
  if (!state) return [];
  const { document, analysis } = state;
  return codeActions(
    {
      document,
      findings: analysis.result!.findings,
      toDiagnostic: (finding) => toDiagnostic(finding, document, docs),
      configPath: configLocation(document.uri),
    },
    params.range,
    params.context.only,
  );
});

/** Where a document's workspace .sql files are indexed from: its .poolsafe.json's folder, else its workspace folder. */
function workspaceRoot(uri: string): string | undefined {
  const location = configLocation(uri);
  return location.existing ? dirname(location.existing) : location.createAt;
}

/** The existing .poolsafe.json for a document, else the root of its workspace folder (else its folder). */
function configLocation(uri: string): { existing?: string; createAt?: string } {
  const existing = configFiles.forDocument(uri).path;
  if (existing) return { existing };
  const fileName = fileNameOf(uri);
  if (!fileName) return {};
  const folder = workspaceFolders
    .filter((f) => f.uri.startsWith('file:') && fileName.startsWith(fileURLToPath(f.uri)))
    .sort((a, b) => b.uri.length - a.uri.length)[0];
  return { createAt: folder ? fileURLToPath(folder.uri) : dirname(fileName) };
}

connection.onShutdown(() => host.dispose());

documents.listen(connection);
connection.listen();
