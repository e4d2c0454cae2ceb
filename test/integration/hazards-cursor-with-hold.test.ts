// docs/architecture.md table row: DECLARE … CURSOR WITH HOLD — the cursor lives on a connection the client loses.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  script: 'DECLARE batch CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g;\nFETCH 1 FROM batch;\nFETCH 1 FROM batch;\n',
  underRotate({ lines, stderr }) {
    assert.match(stderr, /cursor "batch" does not exist/);
    assert.deepEqual(lines, ['1']);
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['1', '2']);
  },
  hazards: [['origin', 'cursor-with-hold', 'DECLARE batch'], ['error', 'cursor-with-hold', 'FETCH 1 FROM batch']],
});
