// The pooler's stderr lines are written straight to fd 2 while the stream holds nothing (log.ts): a
// reader that stops reading fills the pipe, and every line must still arrive, once, in order, with
// secrets redacted — also the lines written after the reader has made room again while the stream
// still holds earlier ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const LINES = 20_000; // ~1.4 MB: many times a pipe's 64 KB buffer

// Without yielding to its event loop (as a busy pooler might not), the child writes half the lines
// while nobody reads, reports on stdout how much its stderr stream holds (more than nothing: fd 2 was
// full and the rest went through the stream), waits for "go" on stdin (sent once the parent has read
// from the pipe, so fd 2 has room again) and writes the other half.
const childScript = (logModule: string) => `const { readSync } = require('node:fs');
const { logLine } = require(${JSON.stringify(logModule)});
const write = (from, to) => { for (let i = from; i < to; i++) logLine('line ' + i + ' postgres://app:secret' + i + '@db/x ' + 'x'.repeat(40)); };
write(0, ${LINES / 2});
process.stdout.write(String(process.stderr.writableLength) + '\\n');
for (;;) { try { if (readSync(0, Buffer.alloc(3)) > 0) break; } catch (e) { if (e.code !== 'EAGAIN') throw e; } }
write(${LINES / 2}, ${LINES});`;

test('log lines: a stalled, then draining stderr pipe loses, reorders and leaks none of them', { timeout: 60_000 }, async () => {
  const logModule = join(__dirname, '..', '..', '..', 'extension', 'pooler', 'log.js');
  const child = spawn(process.execPath, ['-e', childScript(logModule)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.stderr.pause(); // the pipe fills while nobody reads
  const [report] = (await once(child.stdout, 'data')) as [Buffer];
  assert.ok(Number(report.toString()) > 0, `the stderr stream queued the lines fd 2 could not take (it holds ${report.toString().trim()} bytes)`);
  const chunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    if (chunks.push(chunk) === 1) child.stdin.end('go\n');
  });
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
