// A directory lint runs again in a child Node with LINT_HEAP_FLAGS (cli/heapFlags.ts): the young generation is bounded
// (16 MB semi-spaces: 32 MB ones cost ~60 MB more peak RSS for no less CPU), and the old generation grows by half at most between full collections instead of up to 4× (most of a
// large repository's peak RSS was garbage not yet collected). Each flag must be one this Node accepts: an unknown V8
// flag makes the child exit at once, and the lint with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { LINT_HEAP_FLAGS } from '../../../cli/heapFlags';

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
