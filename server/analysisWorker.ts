// The analysis worker thread (see analysisHost.ts): keeps each document's text and incremental
// analyzer, applies the edits the main thread sends, and answers with a findings delta. Texts are kept
// chunked (chunkedText.ts): an edit to a 1 MB file does not build a new 1 MB string.
import { initAnalysis, withWorkspaceCatalog, type AnalysisOptions, type DocumentLanguage, type DocumentText, type Finding } from './analysis/index';
import { ChunkedText } from './chunkedText';
import { IncrementalSqlDocument, diffOfEdits, type TextDiff } from './incrementalSql';
import { IncrementalTsDocument } from './incrementalTs';
import { computeDelta } from './findingsDelta';
import { OutOfSyncError, type AnalyzeRequest, type FromWorker, type ToWorker } from './analysisHost';

export const loadParser = initAnalysis;

interface Analyzer {
  analyze(text: DocumentText, options?: Partial<AnalysisOptions>, changed?: TextDiff): Finding[];
}

/** The per-document texts and incremental analyzers; runs inside the worker (or in-process as the fallback). */
export class AnalysisEngine {
  private readonly documents = new Map<string, { language: DocumentLanguage; analyzer: Analyzer; text: ChunkedText }>();

  /** Findings for the document after the request's text or edits, and how much its length changed. */
  analyze(request: AnalyzeRequest): { findings: Finding[]; lengthChange: number } {
    let entry = this.documents.get(request.uri);
    if (request.text === undefined && (!entry || entry.language !== request.language)) throw new OutOfSyncError(`no text for ${request.uri}`);
    if (!entry || entry.language !== request.language) {
      const analyzer = request.language === 'sql' ? new IncrementalSqlDocument(request.fileName) : new IncrementalTsDocument(request.language, request.fileName);
      entry = { language: request.language, analyzer, text: ChunkedText.of('') };
      this.documents.set(request.uri, entry);
    }
    const before = entry.text.length;
    if (request.text !== undefined) entry.text = ChunkedText.of(request.text);
    for (const edit of request.edits ?? []) entry.text = entry.text.replaced(edit.start, edit.end, edit.text);
    const changed = request.text === undefined && request.edits?.length ? diffOfEdits(request.edits) : undefined;
    const options = withWorkspaceCatalog(request.options, request.workspaceRoot);
    return { findings: entry.analyzer.analyze(entry.text, options, changed), lengthChange: entry.text.length - before };
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }
}

/** Worker side: answers analyze/close messages from the language server's main thread. */
export function runAnalysisWorker(port: { on(event: 'message', listener: (message: ToWorker) => void): void; postMessage(message: FromWorker): void }): void {
  const engine = new AnalysisEngine();
  const ready = loadParser();
  // What the main thread last received per document: the base of the next delta.
  const sent = new Map<string, Finding[]>();
  // Every message waits for the parser, closes included: callbacks on one promise run in the order they were added,
  // so a close never overtakes an analysis sent before it (which would bring the closed document's text back).
  port.on('message', (message) => {
    ready.then(
      () => {
        if (message.type === 'close') {
          engine.close(message.uri);
          sent.delete(message.uri);
          return;
        }
        const { uri } = message.request;
        try {
          const { findings, lengthChange } = engine.analyze(message.request);
          const delta = computeDelta(message.request.text !== undefined ? [] : sent.get(uri) ?? [], findings, lengthChange);
          sent.set(uri, findings);
          port.postMessage({ id: message.id, delta });
        } catch (error) {
          sent.delete(uri);
          port.postMessage({ id: message.id, error: (error as Error).stack ?? String(error), outOfSync: error instanceof OutOfSyncError });
        }
      },
      (error: Error) => {
        if (message.type === 'analyze') port.postMessage({ id: message.id, error: `analysis failed to load: ${error.message}` });
      },
    );
  });
}
