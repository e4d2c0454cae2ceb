// Per-document analysis state and timing on the main thread (the analysis itself runs in the
// analysis host, see analysisHost.ts).
import type { DocumentLanguage, Finding } from './analysis/types';
import type { Published } from './diagnostics';

/** While the user types faster than this, analysis waits for a pause of DEBOUNCE_MS. */
export const DEBOUNCE_MS = 30;
const BURST_WINDOW_MS = 50;

export interface AnalysisResult {
  version: number;
  findings: Finding[];
}

export class DocumentAnalysis {
  private timer: NodeJS.Timeout | undefined;
  private lastChangeAt = 0;
  /** The findings of the most recent completed run, tagged with the document version they describe. */
  result: AnalysisResult | undefined;
  /** The run in flight, if any: one at a time per document, so stale runs never pile up. */
  running: Promise<void> | undefined;
  /** What was last published for the document (its diagnostics are reused where unchanged). */
  published: Published | undefined;
  /** A version whose run ended without a result once already (see validate in languageServer.ts). */
  failedVersion: number | undefined;

  constructor(readonly language: DocumentLanguage) {}

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
