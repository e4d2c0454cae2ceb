// Entry point of dist/server.js. The same bundle runs twice: as the PoolSafe language server (started
// by the extension over IPC, or with --stdio), and inside it as the analysis worker thread, so heavy
// parsing never blocks the LSP request loop. The modules are required lazily: each role loads only its own.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WORKER_MARKER } from './analysisHost';

if (!isMainThread && workerData === WORKER_MARKER && parentPort) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./analysisWorker') as typeof import('./analysisWorker')).runAnalysisWorker(parentPort);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./languageServer');
}
