// The README's first command (`npm start`) end to end, minus the editor (the e2e suite covers that):
// throwaway database, pooler in front of it, lint of the demo workspace, the SET leak reproduced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';
import { pathWithoutPostgresServer } from '../helpers/cluster';

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
