// docs/architecture.md table row: LOAD 'library' — loaded into one backend only (auto_explain's parameters vanish).
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  script: "LOAD 'auto_explain';\nSHOW auto_explain.log_min_duration;\n",
  underRotate({ lines, stderr }) {
    assert.match(stderr, /unrecognized configuration parameter "auto_explain.log_min_duration"/);
    assert.deepEqual(lines, []);
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['-1']);
  },
  hazards: [['origin', 'load', "LOAD 'auto_explain'"], ['error', 'load', 'SHOW auto_explain']],
});
