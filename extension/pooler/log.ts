// The pooler's stderr lines (the extension shows them in its output channel). Every line passes the
// one redaction function, so no output path can forget it.
import { createWriteStream, type WriteStream } from 'node:fs';
import { redactSecrets } from './redact';

let logFile: WriteStream | undefined;

export function logLine(line: string): void {
  const text = redactSecrets(line) + '\n';
  process.stderr.write(text);
  logFile?.write(`${new Date().toISOString()} ${text}`);
}

/** PgBouncer's `logfile`: lines also go to this file (appended; created at once, as PgBouncer does). */
export function logToFile(path: string): void {
  logFile?.end();
  logFile = createWriteStream(path, { flags: 'a' });
  logFile.on('error', (error) => process.stderr.write(`poolsafe pooler: logfile ${path}: ${error.message}\n`));
}
