// PoolSafe language server: flags pooling-unsafe SQL in .sql files and in SQL embedded in TS/JS as
// the user types, with quick fixes and hovers. Started by the extension over IPC, or with --stdio.
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
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_OPTIONS, initAnalysis, type AnalysisOptions, type DocumentLanguage } from './analysis/index';
import { ALL_LANGUAGES, ConfigFiles, effectiveOptions, parseSettings, type EditorSettings, type RawSettings } from './settings';
import { DocumentAnalysis } from './scheduler';
import { RuleDocs, toDiagnostic } from './diagnostics';
import { FIX_ALL_KIND, codeActions } from './codeActions';
import { hoverAt } from './hover';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const analyses = new Map<string, DocumentAnalysis>();
const configFiles = new ConfigFiles((message) => connection.console.warn(message));
const editorSettings = new Map<string, Promise<EditorSettings>>();
let pushedSettings: EditorSettings = parseSettings(undefined);
let canPullConfiguration = false;
let workspaceFolders: WorkspaceFolder[] = [];
// bundled as dist/server.js, so the repository/extension root is one level up.
let docs = new RuleDocs(join(__dirname, '..'));
const ready = initAnalysis();

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
  const merged = effectiveOptions(configFiles.forDocument(uri).options, settings.options);
  return { ...DEFAULT_OPTIONS, ...merged, rules: { ...merged.rules } };
}

function fileNameOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

function analysisFor(document: TextDocument): DocumentAnalysis | undefined {
  const language = document.languageId as DocumentLanguage;
  if (!ALL_LANGUAGES.includes(language)) return undefined;
  let analysis = analyses.get(document.uri);
  if (!analysis || analysis.language !== language) {
    analysis = new DocumentAnalysis(language, fileNameOf(document.uri));
    analyses.set(document.uri, analysis);
  }
  return analysis;
}

/** Analyses the current text and publishes, unless the document moved on meanwhile (a newer run follows). */
async function validate(uri: string): Promise<void> {
  await ready;
  const document = documents.get(uri);
  const analysis = document && analysisFor(document);
  if (!document || !analysis) return;
  const settings = await settingsFor(uri);
  const current = documents.get(uri);
  if (current !== document || current.version !== document.version || analysis.result?.version === document.version) return;
  if (!settings.languages.includes(analysis.language)) {
    analysis.result = { version: document.version, findings: [] };
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: [] });
    return;
  }
  const { findings } = analysis.run(document.getText(), document.version, optionsFor(uri, settings));
  void connection.sendDiagnostics({ uri, version: document.version, diagnostics: findings.map((f) => toDiagnostic(f, document, docs)) });
}

function scheduleValidation(document: TextDocument): void {
  const analysis = analysisFor(document);
  analysis?.schedule(() => void validate(document.uri).catch((error) => connection.console.error(`analysis failed: ${(error as Error).stack}`)));
}

/** Requests (hover, code actions) need findings for the exact text the client sees. */
async function currentFindings(uri: string): Promise<{ document: TextDocument; analysis: DocumentAnalysis; settings: EditorSettings } | undefined> {
  await ready;
  const document = documents.get(uri);
  const analysis = document && analysisFor(document);
  if (!document || !analysis) return undefined;
  const settings = await settingsFor(uri);
  if (analysis.result?.version !== document.version) {
    analysis.cancel();
    await validate(uri);
  }
  return analysis.result?.version === document.version ? { document, analysis, settings } : undefined;
}

function revalidateAll(): void {
  for (const analysis of analyses.values()) analysis.result = undefined;
  for (const document of documents.all()) scheduleValidation(document);
}

documents.onDidOpen((event: TextDocumentChangeEvent<TextDocument>) => scheduleValidation(event.document));
documents.onDidChangeContent((event: TextDocumentChangeEvent<TextDocument>) => scheduleValidation(event.document));
documents.onDidClose((event: TextDocumentChangeEvent<TextDocument>) => {
  analyses.get(event.document.uri)?.cancel();
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

documents.listen(connection);
connection.listen();
