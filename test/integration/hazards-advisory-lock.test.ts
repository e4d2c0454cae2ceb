// docs/architecture.md table row: session advisory locks — the unlock runs on another connection and fails; the lock
// stays held by a connection nobody controls.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  script: 'SELECT pg_advisory_lock(4242);\nSELECT pg_advisory_unlock(4242);\n',
  underRotate({ lines, stderr }) {
    assert.deepEqual(lines, ['f'], 'the unlock found no lock on the other connection');
    assert.match(stderr, /you don't own a lock/);
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['t']);
  },
  hazards: [['origin', 'advisory-lock', 'pg_advisory_lock(4242)'], ['error', 'advisory-lock', 'pg_advisory_unlock(4242)']],
});
