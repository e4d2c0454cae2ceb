// docs/architecture.md table row: extensions with session state — a dblink named connection lives in one backend.
import assert from 'node:assert/strict';
import { rowTests } from './hazards-harness';

rowTests({
  setupSql: 'CREATE EXTENSION IF NOT EXISTS dblink;',
  script:
    "SELECT dblink_connect('peer', 'host=127.0.0.1 port=' || current_setting('port') || ' dbname=postgres user=postgres password=poolsafe-test-pw');\n" +
    "SELECT coalesce(dblink_get_connections()::text, 'none');\n",
  underRotate({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['OK', 'none'], 'the other connection has no named dblink connection');
  },
  underLifo({ lines, stderr }) {
    assert.equal(stderr, '');
    assert.deepEqual(lines, ['OK', '{peer}']);
  },
  hazards: [['origin', 'session-extension', 'dblink_connect']],
});
