// The pooler's stderr lines are written straight to fd 2 while the stream holds nothing (log.ts): a
// reader that stops reading fills the pipe, and every line must still arrive, once, in order, with
// secrets redacted, after the ones written before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const LINES = 20_000; // ~1.4 MB: many times a pipe's 64 KB buffer

test('log lines: a stalled stderr pipe loses, reorders and leaks none of them', async () => {
  const logModule = join(__dirname, '..', '..', '..', 'extension', 'pooler', 'log.js');
  const script = `const { logLine } = require(${JSON.stringify(logModule)});
for (let i = 0; i < ${LINES}; i++) logLine('line ' + i + ' postgres://app:secret' + i + '@db/x ' + 'x'.repeat(40));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.stderr.pause(); // the pipe fills while nobody reads
  await new Promise((resolve) => setTimeout(resolve, 500));
  const chunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.resume();
  const code = await closed;
  assert.equal(code, 0);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  assert.equal(lines.pop(), '', 'the output ends with a whole line');
  assert.equal(lines.length, LINES);
  lines.forEach((line, i) => {
    if (!line.startsWith(`line ${i} postgres://app:***@db/x `)) assert.fail(`line ${i} is "${line.slice(0, 80)}"`);
  });
});
