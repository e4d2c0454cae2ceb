// A whole-repository `poolsafe lint` parses thousands of files whose syntax trees are garbage soon after, yet the
// trees of larger files live long enough to be promoted out of the young generation, and with a machine's default heap
// limit V8 lets the old generation grow up to 4× between full collections: Nine-Minds+alga-psa peaked at ~530 MB RSS on
// three of its folders with ~100 MB live at the end. A growing factor of 1.5 in its place (V8 then uses it whatever the
// memory at hand, where it would pick 1.1–4): 342 MB, no more CPU time. With that factor the old generation's limit is
// ~1.5 × what is live (~40 MB on bench/lint.mjs's 31 MB tree) plus the young generation's capacity. The semi-spaces
// stay at 16 MB (V8's own maximum on 64-bit, pinned here): 32 MB ones, chosen before the growing factor to let more
// trees die young, cost 64 MB of young generation on their own and raise that limit by 16 MB more; with 16 MB the
// tree's peak RSS fell from 234–289 MB to 190–206 MB at no more CPU time (session 51, docs/architecture.md).
// V8 sizes the heap when the process starts, so the CLI runs itself once more with these flags — only when a
// directory is linted: for a few named files the second start (~0.1 s) would cost more.
import { statSync } from 'node:fs';
import { constants } from 'node:os';

/** The V8 flags a directory lint runs with. */
export const LINT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=50'];
const RELAUNCHED = 'POOLSAFE_LINT_HEAP';

function namesADirectory(args: string[]): boolean {
  return args.some((arg) => !arg.startsWith('-') && statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true);
}

/** Runs this command again in a child Node with the lint heap flags; the child's exit code, or undefined to go on here. */
export function relaunchWithLintHeap(): number | undefined {
  // A user's own heap flags win: they would be overridden by ours, given later.
  const chosenByUser = process.execArgv.some((arg) => LINT_HEAP_FLAGS.some((flag) => arg.startsWith(flag.split('=')[0])));
  if (process.env[RELAUNCHED] || chosenByUser || !process.argv[1] || !namesADirectory(process.argv.slice(3))) return undefined;
  // Required here, not at the top: a lint of named files never relaunches and need not load child_process.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const run = spawnSync(process.execPath, [...process.execArgv, ...LINT_HEAP_FLAGS, process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: '1' },
  });
  if (run.error) return undefined; // could not start a child: lint in this process with the default heap
  if (run.signal) return 128 + (constants.signals[run.signal] ?? 0);
  return run.status ?? 2;
}
