// docs/architecture.md table row: LISTEN — notifications go to a server connection the client no longer has.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

// pg_notify from the client itself: the notification goes to the connection that ran LISTEN.
rowTests({
  script: "LISTEN jobs;\nSELECT pg_notify('jobs', 'ping');\nSELECT 'after';\n",
  underRotate({ lines }) {
    // pg_notify ran on the other connection, so its own answer brings no notification. The listener's
    // connection may still pass it on to whoever gets that connection next — here the same client's
    // SELECT 'after', when the notification reaches the pooler after that query does (load-dependent) —
    // so only the lines before 'after' are checked.
    const after = lines.indexOf('after');
    assert.ok(after >= 0, `the script ran to its end: ${lines}`);
    assert.ok(!lines.slice(0, after).some((line) => line.includes('Asynchronous notification')), `no notification with pg_notify's answer: ${lines}`);
  },
  underLifo({ lines }) {
    const after = lines.indexOf('after');
    assert.ok(lines.slice(0, after).some((line) => /Asynchronous notification "jobs" with payload "ping"/.test(line)), `notification with pg_notify's answer: ${lines}`);
  },
  hazards: [['origin', 'listen', 'LISTEN jobs']],
});
