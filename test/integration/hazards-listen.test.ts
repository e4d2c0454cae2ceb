// docs/architecture.md table row: LISTEN — notifications go to a server connection the client no longer has.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

// pg_notify from the client itself: the notification goes to the connection that ran LISTEN.
rowTests({
  script: "LISTEN jobs;\nSELECT pg_notify('jobs', 'ping');\nSELECT 'after';\n",
  underRotate({ lines }) {
    assert.ok(!lines.some((line) => line.includes('Asynchronous notification')), `no notification expected: ${lines}`);
  },
  underLifo({ lines }) {
    assert.ok(lines.some((line) => /Asynchronous notification "jobs" with payload "ping"/.test(line)), `notification expected: ${lines}`);
  },
  hazards: [['origin', 'listen', 'LISTEN jobs']],
});
