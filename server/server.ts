// Entry point of dist/server.js. The same bundle runs twice: as the PoolSafe language server (started
// by the extension over IPC, or with --stdio), and inside it as the analysis worker thread, so heavy
// parsing never blocks the LSP request loop. The modules are required lazily: each role loads only its own.
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WORKER_MARKER } from './analysisHost';

// The SQL parser (libpg-query, WebAssembly) runs on V8's baseline compiler only. Tiering it up to the
// optimizing compiler left ~100 MB of compiler memory with the process for the rest of its life (peak
// RSS 391 -> 291 MB in bench/lsp.mjs's memory run), for parse speed an editor does not need: an edit
// re-parses a few statements, and a first pass over 1 MB is faster without background recompilation
// competing for the CPU. Process-wide, so set before the worker compiles the parser.
if (isMainThread) setFlagsFromString('--liftoff-only');

if (!isMainThread && workerData === WORKER_MARKER && parentPort) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./analysisWorker') as typeof import('./analysisWorker')).runAnalysisWorker(parentPort);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./languageServer');
}
