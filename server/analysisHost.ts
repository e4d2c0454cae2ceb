// Where analysis runs: in a worker thread, so parsing a big file (seconds for the first pass over a
// 1 MB file) never blocks the LSP request loop (hovers, code actions, other documents). Each document
// keeps its text and incremental analyzer inside the worker; the main thread sends the edits since the
// last run (the whole text only when opening or resyncing), and gets the findings back as a delta
// (findingsDelta.ts), so a keystroke in a 1 MB file copies neither the file nor its thousands of
// findings across threads. Falls back to in-process analysis when a worker cannot start or dies.
import { Worker } from 'node:worker_threads';
import type { AnalysisOptions, DocumentLanguage, Finding } from './analysis/types';
import { applyDelta, type FindingsDelta } from './findingsDelta';
import type { AnalysisEngine } from './analysisWorker';
import { WORKER_YOUNG_GENERATION_MB } from './launch';

/** Replace [start, end) of the text (UTF-16 offsets, applied in order) with `text`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

export interface AnalyzeRequest {
  uri: string;
  language: DocumentLanguage;
  fileName?: string;
  /** The whole text (opening, resyncing), or the edits since the previous request for this document. */
  text?: string;
  edits?: TextChange[];
  options: Partial<AnalysisOptions>;
  /**
   * Where the workspace's .sql files are read from for the options' catalog and session-state functions
   * (withWorkspaceCatalog). Read on the analysis side: it parses SQL, and the main thread loading the
   * parser for it cost a second WebAssembly instance (docs/architecture.md, "Memory").
   */
  workspaceRoot?: string;
}

/** The host lost the document's text (e.g. a restarted worker): send the whole text again. */
export class OutOfSyncError extends Error {}

export interface AnalysisHost {
  analyze(request: AnalyzeRequest): Promise<Finding[]>;
  close(uri: string): void;
  dispose(): Promise<void>;
}

export type ToWorker = { type: 'analyze'; id: number; request: AnalyzeRequest } | { type: 'close'; uri: string };
export type FromWorker = { id: number; delta?: FindingsDelta; error?: string; outOfSync?: boolean };

export const WORKER_MARKER = 'poolsafe-analysis-worker';

class WorkerAnalysisHost implements AnalysisHost {
  private nextId = 1;
  /** Takes over if the worker dies, so diagnostics keep coming. */
  private fallback: InProcessAnalysisHost | undefined;
  private readonly pending = new Map<number, { resolve: (delta: FindingsDelta) => void; reject: (error: Error) => void }>();
  /** What the worker last sent per document: the base its next delta applies to. */
  private readonly received = new Map<string, Finding[]>();

  constructor(private readonly worker: Worker, private readonly log: (message: string) => void) {
    worker.on('message', (message: FromWorker) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(message.outOfSync ? new OutOfSyncError(message.error) : new Error(message.error));
      else waiter?.resolve(message.delta!);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`analysis worker exited with code ${code}`)));
    worker.unref();
  }

  async analyze(request: AnalyzeRequest): Promise<Finding[]> {
    if (this.fallback) return this.fallback.analyze(request);
    const id = this.nextId++;
    const base = request.text !== undefined ? [] : this.received.get(request.uri) ?? [];
    try {
      const delta = await new Promise<FindingsDelta>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ type: 'analyze', id, request } satisfies ToWorker);
      });
      const findings = applyDelta(base, delta);
      this.received.set(request.uri, findings);
      return findings;
    } catch (error) {
      this.received.delete(request.uri);
      throw error;
    }
  }

  close(uri: string): void {
    this.received.delete(uri);
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
  // Loaded on the first analysis only: the parser (WebAssembly) and the TypeScript compiler stay out of
  // the main thread otherwise (dispose() installs this host as a guard at shutdown, where nothing is analysed).
  private loaded: { engine: AnalysisEngine; ready: Promise<void> } | undefined;

  async analyze(request: AnalyzeRequest): Promise<Finding[]> {
    const { engine, ready } = this.load();
    await ready;
    return engine.analyze(request).findings;
  }

  close(uri: string): void {
    this.loaded?.engine.close(uri);
  }

  private load(): { engine: AnalysisEngine; ready: Promise<void> } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const worker = require('./analysisWorker') as typeof import('./analysisWorker');
    this.loaded ??= { engine: new worker.AnalysisEngine(), ready: worker.loadParser() };
    return this.loaded;
  }

  async dispose(): Promise<void> {}
}

/** A worker running `script` (this server's own bundle), or in-process analysis if that fails. */
export function createAnalysisHost(script: string, log: (message: string) => void): AnalysisHost {
  if (process.env.POOLSAFE_ANALYSIS_IN_PROCESS === '1') return new InProcessAnalysisHost();
  try {
    const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
    return new WorkerAnalysisHost(new Worker(script, { workerData: WORKER_MARKER, resourceLimits }), log);
  } catch (error) {
    log(`analysis worker unavailable (${(error as Error).message}); analysing on the main thread`);
    return new InProcessAnalysisHost();
  }
}
