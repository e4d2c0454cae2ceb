// The analysis worker's message loop (runAnalysisWorker): replies in order, and a close takes effect exactly where it
// was sent, even while the parser is still loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAnalysisWorker } from '../../../server/analysisWorker';
import { applyDelta } from '../../../server/findingsDelta';
import type { AnalyzeRequest, FromWorker, ToWorker } from '../../../server/analysisHost';
import type { Finding } from '../../../server/analysis/types';

/** A worker loop on an in-memory port: `send` delivers messages synchronously, as a burst from the main thread would. */
function startWorker(): { send(message: ToWorker): void; reply(id: number): Promise<FromWorker> } {
  let deliver: ((message: ToWorker) => void) | undefined;
  const replies = new Map<number, FromWorker>();
  const waiting = new Map<number, (reply: FromWorker) => void>();
  runAnalysisWorker({
    on: (_event, listener) => { deliver = listener; },
    postMessage: (message) => {
      const waiter = waiting.get(message.id);
      if (waiter) waiter(message);
      else replies.set(message.id, message);
    },
  });
  return {
    send: (message) => deliver!(message),
    reply: (id) => new Promise((resolve) => {
      const ready = replies.get(id);
      if (ready) resolve(ready);
      else waiting.set(id, resolve);
    }),
  };
}

const URI = 'untitled:Untitled-1';
const request = (fields: Partial<AnalyzeRequest>): AnalyzeRequest => ({ uri: URI, language: 'sql', options: {}, ...fields }) as AnalyzeRequest;
const rules = (findings: Finding[]) => findings.map((f) => f.rule).sort();

test('a close sent after an analysis removes the document: a later request with edits only is answered out of sync, not analysed on the closed text', async () => {
  const worker = startWorker();
  worker.send({ type: 'analyze', id: 1, request: request({ text: 'SET search_path TO app;\n' }) });
  worker.send({ type: 'close', uri: URI });
  worker.send({ type: 'analyze', id: 2, request: request({ edits: [{ start: 0, end: 0, text: '-- x\n' }] }) });
  const first = await worker.reply(1);
  assert.deepEqual(rules(applyDelta([], first.delta!)), ['session-set']);
  const second = await worker.reply(2);
  assert.equal(second.outOfSync, true, `expected an out-of-sync error, got ${JSON.stringify(second.delta ?? second.error)}`);
});

test('a document reopened under the same URI after a close is analysed on its own text only', async () => {
  const worker = startWorker();
  worker.send({ type: 'analyze', id: 1, request: request({ text: 'SET search_path TO app;\n' }) });
  worker.send({ type: 'close', uri: URI });
  worker.send({ type: 'analyze', id: 2, request: request({ text: 'SELECT pg_advisory_lock(42);\n' }) });
  worker.send({ type: 'analyze', id: 3, request: request({ edits: [{ start: 0, end: 0, text: '\n' }] }) });
  const second = await worker.reply(2);
  const reopened = applyDelta([], second.delta!);
  assert.deepEqual(rules(reopened), ['advisory-lock']);
  const third = await worker.reply(3);
  assert.deepEqual(rules(applyDelta(reopened, third.delta!)), ['advisory-lock']);
});
