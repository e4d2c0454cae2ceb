// The pooler's stderr lines (the extension shows them in its output channel). Every line passes the
// one redaction function, so no output path can forget it.
import { redactSecrets } from './redact';

export function logLine(line: string): void {
  process.stderr.write(redactSecrets(line) + '\n');
}
