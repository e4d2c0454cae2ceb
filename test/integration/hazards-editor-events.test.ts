// Hazards reach the editor: the pooler child (dist/pooler.js forked with IPC, as the extension runs
// it) pushes each new SHOW HAZARDS row as a 'hazard' event, and logs it on stderr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startEditorPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

test('a leaked SET arrives in the editor as origin and landed hazard events with SHOW HAZARDS columns', async (t) => {
  const { events, logs, connect } = await startEditorPooler(t, cluster);
  const a = await connect('editor-a');
  const b = await connect('editor-b');
  await a.query("SET statement_timeout = '5s'");
  await b.query('select 1');
  const deadline = Date.now() + 10_000;
  while (events.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(events.map((e) => [e.kind, e.rule, e.application_name]), [
    ['origin', 'session-set', 'editor-a'],
    ['landed', 'session-set', 'editor-b'],
  ]);
  assert.deepEqual(Object.keys(events[0]), ['id', 'time', 'kind', 'rule', 'client_id', 'application_name', 'server_id', 'remote_pid', 'statement', 'detail']);
  assert.equal(typeof events[0].remote_pid, 'number');
  assert.ok(logs.some((line) => /hazard \d+ origin session-set/.test(line)), `stderr lines: ${logs.join('\n')}`);
});
