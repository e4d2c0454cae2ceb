// Per-document analysis state and timing. Each document keeps its own incremental analyzer, so a
// one-keystroke edit re-parses only the statement (SQL) or top-level chunk (TS/JS) that changed.
import type { AnalysisOptions, DocumentLanguage, Finding } from './analysis/index';
import { IncrementalSqlDocument } from './incrementalSql';
import { IncrementalTsDocument } from './incrementalTs';

/** While the user types faster than this, analysis waits for a pause of DEBOUNCE_MS. */
export const DEBOUNCE_MS = 30;
const BURST_WINDOW_MS = 50;

export interface AnalysisResult {
  version: number;
  findings: Finding[];
}

export class DocumentAnalysis {
  private readonly analyzer: { analyze(text: string, options?: Partial<AnalysisOptions>): Finding[] };
  private timer: NodeJS.Timeout | undefined;
  private lastChangeAt = 0;
  /** The findings of the most recent completed run, tagged with the document version they describe. */
  result: AnalysisResult | undefined;

  constructor(readonly language: DocumentLanguage, fileName?: string) {
    this.analyzer = language === 'sql' ? new IncrementalSqlDocument() : new IncrementalTsDocument(language, fileName);
  }

  run(text: string, version: number, options: Partial<AnalysisOptions>): AnalysisResult {
    const findings = this.analyzer.analyze(text, options);
    this.result = { version, findings };
    return this.result;
  }

  /**
   * Runs `task` soon: immediately after a pause in typing (so a single edit is answered at once), or
   * DEBOUNCE_MS after the last of a burst of edits (so fast typing does not queue one run per key).
   */
  schedule(task: () => void): void {
    const now = performance.now();
    const typingBurst = now - this.lastChangeAt < BURST_WINDOW_MS;
    this.lastChangeAt = now;
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      task();
    }, typingBurst ? DEBOUNCE_MS : 0);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
