// Why the pooler stopped, from its one-line stderr: the pooler reports start-up problems as
// `poolsafe pooler: <what>: <cause>` and exits 2. Pure (no vscode) so it is unit-tested directly.

export type FailureKind =
  | 'port-in-use'
  | 'bad-password'
  | 'target-unreachable'
  | 'no-database'
  | 'bad-settings'
  | 'crashed'
  | 'unknown';

export interface PoolerFailure {
  kind: FailureKind;
  /** One short sentence for the status bar tooltip and the error notification. */
  message: string;
  /** The pooler's own words (last meaningful stderr line), for the output channel. */
  detail: string;
  /** What the user can do about it: the label of the notification button. */
  action: 'Restart' | 'Configure Target' | 'Change Port' | 'Open Settings';
}

interface Pattern {
  kind: FailureKind;
  test: RegExp;
  message: (match: RegExpExecArray) => string;
  action: PoolerFailure['action'];
}

const PATTERNS: Pattern[] = [
  {
    kind: 'port-in-use',
    test: /cannot listen on (\S+?):? .*EADDRINUSE/,
    message: (m) => `Port ${m[1].replace(/^.*:/, '')} is already in use (another pooler or PgBouncer?)`,
    action: 'Change Port',
  },
  {
    kind: 'port-in-use',
    test: /cannot listen on (\S+?):? .*EACCES/,
    message: (m) => `Not allowed to listen on ${m[1]}`,
    action: 'Change Port',
  },
  {
    kind: 'bad-password',
    test: /cannot connect to \S+ as (\S+?): .*(password authentication failed|28P01|SASL|no password|password must be)/i,
    message: (m) => `The database rejected the password for user ${m[1]}`,
    action: 'Configure Target',
  },
  {
    kind: 'no-database',
    test: /cannot connect to \S+ as \S+?: .*database "([^"]+)" does not exist/,
    message: (m) => `Database "${m[1]}" does not exist on the target server`,
    action: 'Configure Target',
  },
  {
    kind: 'target-unreachable',
    test: /cannot connect to (\S+) as \S+?: .*(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|timeout|timed out|ECONNRESET)/i,
    message: (m) => `Cannot reach the database at ${m[1].replace(/\/.*$/, '')}`,
    action: 'Configure Target',
  },
  {
    kind: 'target-unreachable',
    test: /cannot connect to (\S+) as \S+?: (.*)/,
    message: (m) => `Cannot log in to ${m[1]}: ${m[2]}`,
    action: 'Configure Target',
  },
  {
    kind: 'bad-settings',
    test: /--target <postgres URL> is required|target URL|invalid target URL|unsupported sslmode/,
    message: () => 'No valid database URL: run "PoolSafe: Configure Target Database"',
    action: 'Configure Target',
  },
  {
    kind: 'bad-settings',
    test: /poolsafe pooler: (.+)/,
    message: (m) => `Pooler settings rejected: ${m[1]}`,
    action: 'Open Settings',
  },
];

/** The line that explains the exit: the pooler's own prefix first, else the last non-empty line. */
function explainingLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('usage:'));
  return lines.find((line) => line.startsWith('poolsafe pooler:')) ?? lines[lines.length - 1] ?? '';
}

/**
 * Maps how the pooler process ended to a reason. `wasRunning`: it had printed "listening", so an exit
 * is a crash whatever stderr says (start-up errors cannot happen any more).
 */
export function explainPoolerExit(stderr: string, exitCode: number | null, signal: string | null, wasRunning: boolean): PoolerFailure {
  const detail = explainingLine(stderr);
  if (!wasRunning) {
    for (const pattern of PATTERNS) {
      const match = pattern.test.exec(detail);
      if (match) return { kind: pattern.kind, message: pattern.message(match), detail, action: pattern.action };
    }
  }
  const how = signal ? `was killed (${signal})` : `exited with code ${exitCode}`;
  if (wasRunning) return { kind: 'crashed', message: `The pooler stopped unexpectedly: it ${how}`, detail, action: 'Restart' };
  return { kind: 'unknown', message: `The pooler could not start: it ${how}`, detail, action: 'Restart' };
}
