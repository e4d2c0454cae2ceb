// Runs the compiled tests (out/test/**.test.js, produced by `npm run build`) on Node's built-in runner.
// Usage: node test/run.mjs [unit|integration|reliability ...]  (default: every suite)
import { readdirSync, statSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = process.argv.slice(2);
const compiled = join(root, process.env.POOLSAFE_OUT ?? 'out', 'test');
if (!existsSync(compiled)) {
  console.error('out/test is missing: run `npm run build` first');
  process.exit(2);
}

function collect(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    else if (name.endsWith('.test.js')) files.push(path);
  }
  return files;
}

const dirs = (suites.length ? suites : readdirSync(compiled).filter((d) => statSync(join(compiled, d)).isDirectory()))
  .map((s) => join(compiled, s))
  .filter((d) => existsSync(d));
const files = dirs.flatMap(collect);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(2);
}
const started = Date.now();
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  cwd: root,
});
// The in-editor suite's own summary, on a line of its own (under node --test it is a "# " comment).
const hostSummary = join(root, 'test-artifacts', 'e2e', 'in-host-summary.txt');
if (existsSync(hostSummary) && statSync(hostSummary).mtimeMs >= started) {
  console.log(`in-editor suite (code-server extension host):\n${readFileSync(hostSummary, 'utf8').trim()}`);
}
process.exit(result.status ?? 1);
