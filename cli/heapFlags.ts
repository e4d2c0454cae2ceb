// A whole-repository `poolsafe lint` parses thousands of files whose syntax trees are garbage soon after, yet the
// trees of larger files live long enough to be promoted out of the young generation, and with a machine's default heap
// limit V8 lets the old generation grow up to 4× between full collections: Nine-Minds+alga-psa peaked at ~530 MB RSS on
// three of its folders with ~100 MB live at the end. A growing factor of 1.5 in its place (V8 then uses it whatever the
// memory at hand, where it would pick 1.1–4): 342 MB, no more CPU time. With that factor the old generation's limit is
// ~1.5 × what is live (~40 MB on bench/lint.mjs's 31 MB tree) plus the young generation's capacity. The semi-spaces
// stay at 16 MB (V8's own maximum on 64-bit, pinned here): 32 MB ones, chosen before the growing factor to let more
// trees die young, cost 64 MB of young generation on their own and raise that limit by 16 MB more; with 16 MB the
// tree's peak RSS fell from 234–289 MB to 190–206 MB at no more CPU time (session 51, docs/architecture.md).
// V8 sizes the young generation when the process starts, so the CLI runs itself once more with these flags — only when a
// directory is linted: for a few named files the second start (~0.1 s) would cost more — unless this process's young
// generation is already the one they pin (youngGenerationAsPinned): the growing percent is then set here, at run time
// (V8 reads it whenever it recomputes the old generation's limit), and no second Node starts (session 54: a parent's
// Node start and the wait for its child, ~0.15–0.3 s of wall time on a 2-core machine).
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** The V8 flags a directory lint runs with. */
export const LINT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=50'];
const RELAUNCHED = 'POOLSAFE_LINT_HEAP';

function namesADirectory(args: string[]): boolean {
  return args.some((arg) => !arg.startsWith('-') && statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true);
}

/** The flag LINT_HEAP_FLAGS sets that V8 reads while the process runs, not only when its heap is set up. */
const GROWING_FLAG = LINT_HEAP_FLAGS.find((flag) => flag.startsWith('--heap-growing-percent='))!;
/** A Node option that sizes the heap (from the command line or NODE_OPTIONS): V8's defaults then say nothing of it. */
const HEAP_OPTION = /(?:^|\s)--(?:max|min)[-_](?:old|semi|young|heap)|(?:^|\s)--(?:heap|semi)[-_]/;

/**
 * Whether this process's young generation is already the one LINT_HEAP_FLAGS pins (16 MB semi-spaces, V8's maximum on
 * 64-bit), with no heap option of the user's. V8 11 (Node 20) sizes a semi-space from the machine's memory, as 1/128 of
 * the old generation's default limit up to that maximum, and reports as heap_size_limit the old generation's limit plus
 * three semi-spaces: a limit of 2 GB + 48 MB or more (64-bit, 8 GB of memory or more) holds 16 MB ones. heap-flags.test.ts
 * checks it against a Node started with the flags. Other V8 versions are not read here: they relaunch.
 */
export function youngGenerationAsPinned(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!/^11\./.test(process.versions.v8)) return false;
  if (execArgv.some((arg) => HEAP_OPTION.test(arg)) || HEAP_OPTION.test(env.NODE_OPTIONS ?? '')) return false;
  return getHeapStatistics().heap_size_limit >= (2048 + 3 * 16) * 2 ** 20;
}

/**
 * Runs this command again in a child Node with the lint heap flags; the child's exit code, or undefined to go on here
 * (with the flags set here when youngGenerationAsPinned, and then added to process.execArgv as the child's would hold
 * them: the code cache's key reads them there, codeCache.ts).
 */
export function relaunchWithLintHeap(): number | undefined {
  // A user's own heap flags win: they would be overridden by ours, given later.
  const chosenByUser = process.execArgv.some((arg) => LINT_HEAP_FLAGS.some((flag) => arg.startsWith(flag.split('=')[0])));
  if (process.env[RELAUNCHED] || chosenByUser || !process.argv[1] || !namesADirectory(process.argv.slice(3))) return undefined;
  if (youngGenerationAsPinned()) {
    setFlagsFromString(GROWING_FLAG);
    process.execArgv.push(...LINT_HEAP_FLAGS);
    return undefined;
  }
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
