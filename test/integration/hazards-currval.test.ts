// docs/architecture.md table row: currval/lastval — "not yet defined in this session" on the next transaction.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  setupSql: 'DROP SEQUENCE IF EXISTS order_ids; CREATE SEQUENCE order_ids;',
  script: "SELECT nextval('order_ids');\nSELECT currval('order_ids');\n",
  underRotate({ lines, stderr }) {
    assert.match(stderr, /currval of sequence "order_ids" is not yet defined in this session/);
    assert.deepEqual(lines, ['1']);
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['1', '1']);
  },
  hazards: [['error', 'currval', "currval('order_ids')"]],
});
