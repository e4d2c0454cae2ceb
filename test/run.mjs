// Runs the compiled tests (out/test/**.test.js, produced by `npm run build`) on Node's built-in runner.
// Usage: node test/run.mjs [unit|integration|reliability ...]  (default: every suite)
import { readdirSync, statSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawn } from 'node:child_process';
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
/** Lines of one failure's report kept for the summary (its YAML block holds the error, its stack and any added state). */
const MAX_FAILURE_LINES = 80;

/**
 * Collects the failing tests from the TAP stream: each `not ok` line at any depth (a suite's tests are indented) with
 * its YAML block. CI shows the end of the output only, so the failures are printed again after the totals.
 */
class FailureCollector {
  failures = [];
  current = undefined;
  partial = '';
  push(chunk) {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop();
    for (const line of lines) this.line(line);
  }
  line(line) {
    if (this.current) {
      if (this.current.lines.length < MAX_FAILURE_LINES) this.current.lines.push(line);
      if (line.trimStart() === '...' && line.length - line.trimStart().length <= this.current.indent + 2) this.current = undefined;
      return;
    }
    const failed = /^(\s*)not ok \d+ - /.exec(line);
    if (failed) {
      this.current = { indent: failed[1].length, lines: [line] };
      this.failures.push(this.current);
    }
  }
}

const started = Date.now();
const collector = new FailureCollector();
const child = spawn(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...files], {
  stdio: ['inherit', 'pipe', 'inherit'],
  cwd: root,
});
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  collector.push(chunk);
});
const [status, signal] = await new Promise((resolve) => child.once('close', (code, sig) => resolve([code, sig])));
// The in-editor suite's own summary, on a line of its own (under node --test it is a "# " comment).
const hostSummary = join(root, 'test-artifacts', 'e2e', 'in-host-summary.txt');
if (existsSync(hostSummary) && statSync(hostSummary).mtimeMs >= started) {
  console.log(`in-editor suite (code-server extension host):\n${readFileSync(hostSummary, 'utf8').trim()}`);
}
if (collector.failures.length > 0) {
  console.log(`\n== ${collector.failures.length} failing test report(s), repeated from above ==`);
  for (const failure of collector.failures) console.log(failure.lines.join('\n'));
}
if (signal) console.log(`node --test ended by ${signal}`);
process.exit(status ?? 1);
