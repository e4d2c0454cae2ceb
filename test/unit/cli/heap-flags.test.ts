// A directory lint runs with LINT_HEAP_FLAGS (cli/heapFlags.ts; in a child Node, unless this Node's young generation is
// already the one they pin and only the growing percent, which V8 reads as it runs, is set here): the young generation is bounded
// (16 MB semi-spaces: 32 MB ones cost ~60 MB more peak RSS for no less CPU), and the old generation grows by half at most between full collections instead of up to 4× (most of a
// large repository's peak RSS was garbage not yet collected). Each flag must be one this Node accepts: an unknown V8
// flag makes the child exit at once, and the lint with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINT_HEAP_FLAGS } from '../../../cli/heapFlags';
import { cliPath } from '../../helpers/paths';

test('a directory lint bounds how far the old generation grows between full collections', () => {
  assert.ok(LINT_HEAP_FLAGS.includes('--max-semi-space-size=16'));
  const growing = LINT_HEAP_FLAGS.find((flag) => flag.startsWith('--heap-growing-percent='));
  assert.ok(growing, 'a heap growing percent is set');
  const percent = Number(growing.split('=')[1]);
  assert.ok(percent > 0 && percent <= 100, 'at most doubling between full collections');
});

test('Node accepts every lint heap flag', () => {
  const run = spawnSync(process.execPath, [...LINT_HEAP_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

/** What a fresh Node (`args` before the script) reports: youngGenerationAsPinned there, and its heap size limit. */
function freshNode(args: string[], env: NodeJS.ProcessEnv = process.env): { pinned: boolean; limit: number } {
  const script = `const { youngGenerationAsPinned } = require(${JSON.stringify(require.resolve('../../../cli/heapFlags'))});
    process.stdout.write(JSON.stringify({ pinned: youngGenerationAsPinned(), limit: require('node:v8').getHeapStatistics().heap_size_limit }));`;
  const run = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { pinned: boolean; limit: number };
}

test('a directory lint skips the relaunch only where this Node already has the young generation the flags pin', () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const plain = freshNode([], env);
  // Started with the flags, V8 reports the same heap: the same young generation (the growing percent sizes nothing up front).
  if (plain.pinned) assert.equal(freshNode([...LINT_HEAP_FLAGS], env).limit, plain.limit);
  // A young generation of its own, or a heap option of the user's: V8's defaults say nothing, so the lint relaunches.
  assert.equal(freshNode(['--max-semi-space-size=8'], env).pinned, false);
  assert.equal(freshNode(['--max-old-space-size=8192'], env).pinned, false);
  assert.equal(freshNode([], { ...env, NODE_OPTIONS: '--max-old-space-size=8192' }).pinned, false);
});

test('a directory lint without the relaunch sets the flags in its own process, as the relaunched child has them', (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'poolsafe-heap-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'a.sql'), 'SET search_path = app;\n');
  // Reports, at exit, whether the CLI started a child Node, its execArgv and V8's growing percent as set.
  const probe = join(folder, 'probe.js');
  writeFileSync(probe, `const cp = require('node:child_process'); const spawnSync = cp.spawnSync; let relaunched = false;
    cp.spawnSync = (...args) => { relaunched = true; return spawnSync(...args); };
    process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(folder, 'probe.json'))}, JSON.stringify({ relaunched, execArgv: process.execArgv })));`);
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.POOLSAFE_LINT_HEAP;
  const run = spawnSync(process.execPath, ['--require', probe, cliPath, 'lint', folder, '--format', 'json'], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(run.status, 1, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule), ['session-set']);
  const seen = JSON.parse(readFileSync(join(folder, 'probe.json'), 'utf8')) as { relaunched: boolean; execArgv: string[] };
  const pinned = freshNode(['--require', probe], env).pinned;
  assert.equal(seen.relaunched, !pinned);
  if (pinned) assert.deepEqual(seen.execArgv.slice(-LINT_HEAP_FLAGS.length), LINT_HEAP_FLAGS);
});
