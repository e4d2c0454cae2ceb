// The README's first command (`npm start`) end to end, minus the editor (the e2e suite covers that):
// throwaway database, pooler in front of it, lint of the demo workspace, the SET leak reproduced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';
import { pathWithoutPostgresServer, startCluster } from '../helpers/cluster';

test('npm start --check: database (npm PostgreSQL, no server programs on PATH), pooler, demo lint and leak reproduction all work', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--check', '--no-editor', '--no-build'], {
    cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: '', POOLSAFE_PG_BIN: '', PATH: pathWithoutPostgresServer() },
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.match(run.stdout, /throwaway PostgreSQL 15\.\d+ on 127\.0\.0\.1:\d+/);
  assert.match(run.stdout, /\[pooler\] listening on 127\.0\.0\.1:\d+/);
  assert.match(run.stdout, /demo\/sql\/unsafe\.sql:\d+:\d+: warning session-set/);
  assert.match(run.stdout, /the two statements ran on different server connections/);
  assert.match(run.stdout, /main job check: everything started/);
});

test('npm start --replica --check: a streaming replica replaying 1.5 s late behind the Pgpool-II-style balancer; the demo reads its own INSERT stale from the replica, and fresh in one transaction', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--check', '--no-editor', '--no-build', '--replica', '--replica-delay=1500'], {
    cwd: repoRoot, encoding: 'utf8', timeout: 180_000, env: { ...process.env, DATABASE_URL: '', POOLSAFE_PG_BIN: '', PATH: pathWithoutPostgresServer() },
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.match(run.stdout, /throwaway streaming replica on 127\.0\.0\.1:\d+, replaying 1500 ms behind the primary/);
  assert.match(run.stdout, /demo\/load-balancing\/orders\.sql:\d+:\d+: error write-in-read/);
  assert.match(run.stdout, /demo\/load-balancing\/checkout\.ts:\d+:\d+: warning read-after-write/);
  // By effect, through the pooler with a real client: the row just inserted is missing on the replica.
  assert.match(run.stdout, /INSERT, then SELECT outside a transaction: served by the replica, rows found: 0/);
  assert.match(run.stdout, /the same in one transaction: served by the primary, rows found: 1/);
  assert.match(run.stdout, /main job check: everything started/);
});

test('npm start --replica with DATABASE_URL: a pg_basebackup replica of that server behind the balancer, and the demo reads its INSERT stale from it', async () => {
  const devDatabase = await startCluster();
  try {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--check', '--no-editor', '--no-build', '--replica'], {
      cwd: repoRoot, encoding: 'utf8', timeout: 180_000, env: { ...process.env, DATABASE_URL: devDatabase.url(), DATABASE_REPLICA_URL: '', POOLSAFE_PG_BIN: '' },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(run.stdout, /throwaway streaming replica of DATABASE_URL \(pg_basebackup\) on 127\.0\.0\.1:\d+, replaying 1000 ms behind it/);
    assert.match(run.stdout, /INSERT, then SELECT outside a transaction: served by the replica, rows found: 0/);
    // The row the demo inserted really is on the dev database (the primary).
    assert.match(devDatabase.psql('select count(*) from public.stale_read_demo').trim(), /^[1-9]\d*$/);
  } finally {
    devDatabase.stop();
  }
});
