// A whole-repository `poolsafe lint` parses thousands of files whose syntax trees live just long enough
// to be promoted out of V8's default young generation, so the old generation (and peak RSS) balloons.
// With 32 MB semi-spaces they die young: on a 27 MB tree peak RSS fell from ~315 MB to ~255 MB with
// slightly less CPU. V8 sizes the heap when the process starts, so the CLI runs itself once more with it
// — only when a directory is linted: for a few named files the second start (~0.1 s) would cost more.
import { statSync } from 'node:fs';
import { constants } from 'node:os';

const SEMI_SPACE_FLAG = '--max-semi-space-size=32';
const RELAUNCHED = 'POOLSAFE_LINT_HEAP';

function namesADirectory(args: string[]): boolean {
  return args.some((arg) => !arg.startsWith('-') && statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true);
}

/** Runs this command again in a child Node with the lint heap flag; the child's exit code, or undefined to go on here. */
export function relaunchWithLintHeap(): number | undefined {
  const chosenByUser = process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size'));
  if (process.env[RELAUNCHED] || chosenByUser || !process.argv[1] || !namesADirectory(process.argv.slice(3))) return undefined;
  // Required here, not at the top: a lint of named files never relaunches and need not load child_process.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const run = spawnSync(process.execPath, [...process.execArgv, SEMI_SPACE_FLAG, process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: '1' },
  });
  if (run.error) return undefined; // could not start a child: lint in this process with the default heap
  if (run.signal) return 128 + (constants.signals[run.signal] ?? 0);
  return run.status ?? 2;
}
