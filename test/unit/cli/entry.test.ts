// dist/cli.js is only the CLI's entry point (cli/main.ts): it gives a directory lint the lint's heap flags (heapFlags.ts:
// a relaunch, unless this Node's young generation is already the one they pin) and then requires the commands' own
// bundle, dist/cli-program.js, beside it. The parent of a relaunch must not load the lint and the analysis (it only
// waits for its child), and every command must still reach its code through the entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { cliPath, distDir } from '../../helpers/paths';

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("the entry bundle requires only Node's built-in modules and the commands' bundle", () => {
  const source = readFileSync(cliPath, 'utf8');
  const required = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.ok(required.includes('./cli-program.js'), 'the commands are required from their own bundle');
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  assert.deepEqual(required.filter((name) => name !== './cli-program.js' && !builtins.has(name)), []);
  assert.doesNotMatch(source, /\brunLint\b|\bRULES\b/, 'the lint and the rules are not in the entry bundle');
  assert.match(readFileSync(join(distDir, 'cli-program.js'), 'utf8'), /\brunLint\b/);
});

test('every command runs through the entry point', () => {
  assert.match(cli(['--version']).stdout, /^\d+\.\d+\.\d+/);
  assert.match(cli(['rules']).stdout, /^session-set\s/m);
  for (const command of ['lint', 'pooler', 'run']) {
    const help = cli([command, '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^usage: poolsafe ${command} `));
  }
  const none = cli([]);
  assert.equal(none.status, 2);
  assert.match(none.stdout, /^usage: poolsafe <command>/);
  const unknown = cli(['nonsense']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "nonsense"/);
});

test('a directory lint (with the heap flags: relaunched, or set in this process) and a lint of a named file report the same findings and exit code', (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'poolsafe-entry-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'a.sql');
  writeFileSync(file, 'SET search_path = app;\n');
  // Without POOLSAFE_LINT_HEAP from a parent: this test's own environment must not stop the relaunch.
  const env = { ...process.env };
  delete env.POOLSAFE_LINT_HEAP;
  const byFolder = cli(['lint', folder, '--format', 'json'], env);
  const byFile = cli(['lint', file, '--format', 'json'], env);
  assert.equal(byFolder.status, 1, byFolder.stderr);
  assert.equal(byFile.status, 1, byFile.stderr);
  assert.deepEqual(JSON.parse(byFolder.stdout), JSON.parse(byFile.stdout));
  assert.deepEqual(JSON.parse(byFolder.stdout).findings.map((f: { rule: string }) => f.rule), ['session-set']);
  const missing = cli(['lint', join(folder, 'missing.sql')], env);
  assert.equal(missing.status, 2);
});

test('a reader that closes stdout early ends the CLI quietly with the status SIGPIPE gives, not an EPIPE stack trace', async () => {
  for (const args of [['rules'], ['--help']]) {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the child writes (its start-up alone takes longer): every write it makes meets a gone reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    assert.equal(stderr, '', `poolsafe ${args.join(' ')} wrote to stderr`);
    assert.equal(status, 141, `poolsafe ${args.join(' ')}`);
  }
});
