import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../helpers/cluster';

test('throwaway cluster starts with scram auth and answers psql', async () => {
  const cluster = await startCluster();
  try {
    assert.equal(cluster.psql('select 1+1').trim(), '2');
    assert.equal(cluster.psql('show password_encryption').trim(), 'scram-sha-256');
  } finally {
    cluster.stop();
  }
});
