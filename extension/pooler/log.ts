// The pooler's stderr lines (the extension shows them in its output channel). Every line passes the
// one redaction function, so no output path can forget it.
import { closeSync, openSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { redactSecrets } from './redact';

let logFile: { path: string; fd: number } | undefined;

export function logLine(line: string): void {
  const text = redactSecrets(line) + '\n';
  writeStderr(text);
  if (!logFile) return;
  // Written before the caller goes on (e.g. sends the client its error), as PgBouncer does: whoever
  // reads the file after seeing the effect finds the line, and nothing is lost when the process exits.
  try {
    writeSync(logFile.fd, `${new Date().toISOString()} ${text}`);
  } catch (error) {
    process.stderr.write(`poolsafe pooler: logfile ${logFile.path}: ${(error as Error).message}\n`);
  }
}

/**
 * One write system call on fd 2 when the stderr stream holds nothing unwritten (the order stays),
 * instead of the stream's path (Writable, a write request, a tick callback), which cost more than
 * the system call itself on every login line. It never blocks the event loop: creating the stream
 * (process.stderr, read first) made a pipe's fd 2 non-blocking, so a full pipe is EAGAIN. That, a short
 * write or any other error leaves the rest to the stream, whose behaviour (queueing, error events) it keeps.
 * A worker thread's stderr is not fd 2: it always uses the stream.
 */
function writeStderr(text: string): void {
  const stderr = process.stderr;
  if (!isMainThread || stderr.writableLength > 0 || stderr.destroyed) {
    stderr.write(text);
    return;
  }
  let written = 0;
  try {
    written = writeSync(2, text);
  } catch {
    written = 0;
  }
  if (written === 0) stderr.write(text);
  else if (written < Buffer.byteLength(text)) stderr.write(Buffer.from(text, 'utf8').subarray(written));
}

/** PgBouncer's `logfile`: lines also go to this file (appended; created at once, as PgBouncer does). */
export function logToFile(path: string): void {
  if (logFile) closeSync(logFile.fd);
  logFile = undefined;
  try {
    logFile = { path, fd: openSync(path, 'a') };
  } catch (error) {
    process.stderr.write(`poolsafe pooler: logfile ${path}: ${(error as Error).message}\n`);
  }
}
