// `poolsafe` command line: `lint` (pooling-unsafe SQL in files) and `pooler` (the local pooler). The entry point of
// dist/cli.js, kept small on purpose: a directory lint gets the lint's heap flags (heapFlags.ts), set in this process
// where its young generation is already the one they pin, or else by running the CLI again in a child Node, which
// this parent only waits for. The commands are their own bundle (dist/cli-program.js, esbuild.mjs), required below
// once no relaunch happened, so such a parent neither compiles the lint and the analysis nor runs their modules'
// initialisation: `poolsafe --version` took ~0.1 s more than a bare `node -e 0` with them.
import { setFlagsFromString } from 'node:v8';
import { relaunchWithLintHeap } from './heapFlags';

if (process.argv[2] === 'lint') {
  const childExit = relaunchWithLintHeap();
  if (childExit !== undefined) process.exit(childExit);
  // A CLI run is short: V8's optimising tier for the parser's WebAssembly costs more (background
  // compilation that also delays exit by ~0.5 s) than it saves. Must run before the parser loads.
  setFlagsFromString('--liftoff-only');
}
(require('./program') as typeof import('./program')).runCommandLine(process.argv.slice(2));
