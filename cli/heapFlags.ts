// A whole-repository `poolsafe lint` parses thousands of files whose syntax trees live just long enough
// to be promoted out of V8's default young generation, so the old generation (and peak RSS) balloons.
// With 32 MB semi-spaces they die young: on a 27 MB tree peak RSS fell from ~315 MB to ~255 MB with
// slightly less CPU. V8 sizes the heap when the process starts, so the CLI runs itself once more with it
// — only when a directory is linted: for a few named files the second start (~0.1 s) would cost more.
// What is promoted all the same (the trees of larger files) is garbage soon after, yet with a machine's default heap
// limit V8 lets the old generation grow up to 4× between full collections: Nine-Minds+alga-psa peaked at ~530 MB RSS on
// three of its folders with ~100 MB live at the end. A growing factor of 1.5 in its place (V8 then uses it whatever the
// memory at hand, where it would pick 1.1–4): 342 MB, no more CPU time.
import { statSync } from 'node:fs';
import { constants } from 'node:os';

/** The V8 flags a directory lint runs with. */
export const LINT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--heap-growing-percent=50'];
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
