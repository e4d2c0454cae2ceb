// Where analysis runs: in a worker thread, so parsing a big file (seconds for the first pass over a
// 1 MB file) never blocks the LSP request loop (hovers, code actions, other documents). Each document
// keeps its incremental analyzer inside the worker; the main thread sends the current text (a string
// copy is cheap next to parsing) and gets findings back. Falls back to in-process analysis when a
// worker cannot start.
import { Worker } from 'node:worker_threads';
import { initAnalysis, type AnalysisOptions, type DocumentLanguage, type Finding } from './analysis/index';
import { IncrementalSqlDocument } from './incrementalSql';
import { IncrementalTsDocument } from './incrementalTs';

export interface AnalyzeRequest {
  uri: string;
  language: DocumentLanguage;
  fileName?: string;
  text: string;
  options: Partial<AnalysisOptions>;
}

export interface AnalysisHost {
  analyze(request: AnalyzeRequest): Promise<Finding[]>;
  close(uri: string): void;
  dispose(): Promise<void>;
}

interface Analyzer {
  analyze(text: string, options?: Partial<AnalysisOptions>): Finding[];
}

/** The per-document incremental analyzers; runs inside the worker (or in-process as the fallback). */
export class AnalysisEngine {
  private readonly documents = new Map<string, { language: DocumentLanguage; analyzer: Analyzer }>();

  analyze(request: AnalyzeRequest): Finding[] {
    let entry = this.documents.get(request.uri);
    if (!entry || entry.language !== request.language) {
      const analyzer = request.language === 'sql' ? new IncrementalSqlDocument() : new IncrementalTsDocument(request.language, request.fileName);
      entry = { language: request.language, analyzer };
      this.documents.set(request.uri, entry);
    }
    return entry.analyzer.analyze(request.text, request.options);
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }
}

type ToWorker = { type: 'analyze'; id: number; request: AnalyzeRequest } | { type: 'close'; uri: string };
type FromWorker = { id: number; findings?: Finding[]; error?: string };

export const WORKER_MARKER = 'poolsafe-analysis-worker';

/** Worker side: answers analyze/close messages from the language server's main thread. */
export function runAnalysisWorker(port: { on(event: 'message', listener: (message: ToWorker) => void): void; postMessage(message: FromWorker): void }): void {
  const engine = new AnalysisEngine();
  const ready = initAnalysis();
  port.on('message', (message) => {
    if (message.type === 'close') {
      engine.close(message.uri);
      return;
    }
    ready.then(
      () => {
        try {
          port.postMessage({ id: message.id, findings: engine.analyze(message.request) });
        } catch (error) {
          port.postMessage({ id: message.id, error: (error as Error).stack ?? String(error) });
        }
      },
      (error: Error) => port.postMessage({ id: message.id, error: `analysis failed to load: ${error.message}` }),
    );
  });
}

class WorkerAnalysisHost implements AnalysisHost {
  private nextId = 1;
  /** Takes over if the worker dies, so diagnostics keep coming. */
  private fallback: InProcessAnalysisHost | undefined;
  private readonly pending = new Map<number, { resolve: (findings: Finding[]) => void; reject: (error: Error) => void }>();

  constructor(private readonly worker: Worker, private readonly log: (message: string) => void) {
    worker.on('message', (message: FromWorker) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.findings ?? []);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`analysis worker exited with code ${code}`)));
    worker.unref();
  }

  analyze(request: AnalyzeRequest): Promise<Finding[]> {
    if (this.fallback) return this.fallback.analyze(request);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'analyze', id, request } satisfies ToWorker);
    });
  }

  close(uri: string): void {
    if (this.fallback) this.fallback.close(uri);
    else this.worker.postMessage({ type: 'close', uri } satisfies ToWorker);
  }

  async dispose(): Promise<void> {
    this.fallback ??= new InProcessAnalysisHost();
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    if (this.fallback) return;
    this.fallback = new InProcessAnalysisHost();
    this.log(`analysis worker: ${error.message}; analysing on the main thread from now on`);
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

class InProcessAnalysisHost implements AnalysisHost {
  private readonly engine = new AnalysisEngine();
  private readonly ready = initAnalysis();

  async analyze(request: AnalyzeRequest): Promise<Finding[]> {
    await this.ready;
    return this.engine.analyze(request);
  }

  close(uri: string): void {
    this.engine.close(uri);
  }

  async dispose(): Promise<void> {}
}

/** A worker running `script` (this server's own bundle), or in-process analysis if that fails. */
export function createAnalysisHost(script: string, log: (message: string) => void): AnalysisHost {
  if (process.env.POOLSAFE_ANALYSIS_IN_PROCESS === '1') return new InProcessAnalysisHost();
  try {
    return new WorkerAnalysisHost(new Worker(script, { workerData: WORKER_MARKER }), log);
  } catch (error) {
    log(`analysis worker unavailable (${(error as Error).message}); analysing on the main thread`);
    return new InProcessAnalysisHost();
  }
}
