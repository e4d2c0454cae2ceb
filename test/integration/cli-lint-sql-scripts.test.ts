// `poolsafe lint` on SQL files of real projects: syntax-error configuration, psql scripts, dumps, dialects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../helpers/paths';

function poolsafe(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function workspace(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-sql-scripts-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function rulesOf(stdout: string): string[] {
  return JSON.parse(stdout).findings.map((f: { rule: string }) => f.rule);
}

test('"syntax-error": "off" in .poolsafe.json is accepted (no exit 2) and silences syntax errors only', (t) => {
  const root = workspace(t, { '.poolsafe.json': '{"rules":{"syntax-error":"off"}}', 'a.sql': 'SELECT id, FROM t;\nLISTEN jobs;\n' });
  const run = poolsafe(['lint', 'a.sql', '--format', 'json'], root);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(rulesOf(run.stdout), ['listen']);
});

test('poolsafe rules lists syntax-error with its default severity', (t) => {
  const run = poolsafe(['rules'], workspace(t, {}));
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^syntax-error\s+warning\s+/m);
});
