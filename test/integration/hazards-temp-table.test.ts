// docs/architecture.md table row: temporary tables (not ON COMMIT DROP) — the table vanishes on the next transaction.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  script: 'CREATE TEMP TABLE scratch(x int);\nINSERT INTO scratch VALUES (1);\nSELECT count(*) FROM scratch;\n',
  underRotate({ lines, stderr }) {
    assert.match(stderr, /relation "scratch" does not exist/);
    assert.deepEqual(lines, ['0'], 'the insert failed on the other connection; the table there is empty');
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['1']);
  },
  hazards: [['origin', 'temp-table', 'CREATE TEMP TABLE scratch'], ['error', 'temp-table', 'INSERT INTO scratch']],
});
