// DESIGN.md row: LISTEN — notifications go to a server connection the client no longer has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { rowTests } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

// pg_notify from the client itself: the notification goes to the connection that ran LISTEN.
rowTests(test, () => cluster, {
  script: "LISTEN jobs;\nSELECT pg_notify('jobs', 'ping');\nSELECT 'after';\n",
  underRotate({ lines }) {
    assert.ok(!lines.some((line) => line.includes('Asynchronous notification')), `no notification expected: ${lines}`);
  },
  underLifo({ lines }) {
    assert.ok(lines.some((line) => /Asynchronous notification "jobs" with payload "ping"/.test(line)), `notification expected: ${lines}`);
  },
  hazards: [['origin', 'listen', 'LISTEN jobs']],
});
