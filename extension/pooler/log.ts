// The pooler's stderr lines (the extension shows them in its output channel). Every line passes the
// one redaction function, so no output path can forget it.
import { closeSync, openSync, writeSync } from 'node:fs';
import { redactSecrets } from './redact';

let logFile: { path: string; fd: number } | undefined;

export function logLine(line: string): void {
  const text = redactSecrets(line) + '\n';
  process.stderr.write(text);
  if (!logFile) return;
  // Written before the caller goes on (e.g. sends the client its error), as PgBouncer does: whoever
  // reads the file after seeing the effect finds the line, and nothing is lost when the process exits.
  try {
    writeSync(logFile.fd, `${new Date().toISOString()} ${text}`);
  } catch (error) {
    process.stderr.write(`poolsafe pooler: logfile ${logFile.path}: ${(error as Error).message}\n`);
  }
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
