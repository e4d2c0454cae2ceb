// docs/architecture.md table row: SQL-level PREPARE/EXECUTE — the statement exists on one server connection only.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  script: 'PREPARE q(int) AS select $1 * 2;\nEXECUTE q(21);\nEXECUTE q(21);\n',
  underRotate({ lines, stderr }) {
    assert.match(stderr, /prepared statement "q" does not exist/);
    assert.deepEqual(lines, ['42'], 'only the run back on the first connection works');
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['42', '42']);
  },
  hazards: [['origin', 'prepared-statement', 'PREPARE q'], ['error', 'prepared-statement']],
});
