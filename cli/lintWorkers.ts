// `poolsafe lint` over several threads: a whole repository is thousands of independent files, each
// parsed and analysed on its own, so worker threads share them (each takes the next file as it
// finishes one) and the results are put back in file order: the output is the serial run's.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult, LintSettings } from './lintFile';

export interface LintJob {
  index: number;
  file: string;
  named: boolean;
}

export interface LintJobResult {
  index: number;
  result: FileResult;
}

/** Files each thread has queued, so it never waits for the main thread between two files. */
const IN_FLIGHT = 2;

/** The worker script, beside this code (dist/lintWorker.js beside dist/cli.js; out/cli/ for tests). */
const WORKER_SCRIPT = join(__dirname, 'lintWorker.js');

/**
 * How many threads lint `fileCount` files for --jobs `requested`; 1 (the default) means in this thread.
 * Not more by default: each thread holds its own TypeScript compiler, parser heap and syntax trees, so
 * two threads on 21–30 MB trees take ~1.4× the CPU time and 1.5–1.6× the peak RSS of one (bench:lint).
 */
export function threadCount(fileCount: number, requested: number | undefined): number {
  if (requested === undefined || requested <= 1 || !existsSync(WORKER_SCRIPT)) return 1;
  return Math.min(requested, Math.max(1, fileCount));
}

/** Lints `files` in `threads` worker threads; the results in the order of `files`. */
export async function lintInWorkers(files: readonly string[], named: ReadonlySet<string>, settings: LintSettings, threads: number): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  const runThread = (): Promise<void> => new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: settings });
    let inFlight = 0;
    const sendNext = (): void => {
      if (next >= files.length) return;
      const index = next++;
      inFlight++;
      worker.postMessage({ index, file: files[index], named: named.has(files[index]) } satisfies LintJob);
    };
    worker.on('message', (answer: LintJobResult) => {
      results[answer.index] = answer.result;
      inFlight--;
      sendNext();
      if (inFlight === 0) void worker.terminate().then(() => resolve());
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (inFlight > 0) reject(new Error(`a lint worker thread stopped (exit code ${code}) with ${inFlight} files unfinished`));
    });
    for (let i = 0; i < IN_FLIGHT; i++) sendNext();
    if (inFlight === 0) void worker.terminate().then(() => resolve());
  });
  await Promise.all(Array.from({ length: threads }, runThread));
  return results;
}
