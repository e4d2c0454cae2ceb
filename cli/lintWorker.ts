// A worker thread of `poolsafe lint --jobs N`: lints the files the main thread sends, one message per
// file, and answers each with its result. Config errors are the main thread's to report (it loads the
// same configs in file order), so here they are dropped.
import { parentPort, workerData } from 'node:worker_threads';
import { initAnalysis } from '../server/analysis/index';
import { ConfigResolver, FileLinter, prepareLintRun, type LintSettings } from './lintFile';
import type { LintJob, LintJobResult } from './lintWorkers';

// Worker threads read the cache the main thread's runs saved; they never write it.
prepareLintRun();
const settings = workerData as LintSettings;
const linter = new FileLinter(settings, new ConfigResolver(() => undefined, settings.configPath));
const ready = initAnalysis();

parentPort!.on('message', (job: LintJob) => {
  void ready.then(() => {
    const answer: LintJobResult = { index: job.index, result: linter.lint(job.file, job.named) };
    parentPort!.postMessage(answer);
  });
});
