// A tiny test runner for the suite that runs INSIDE the extension host (code-server, or a desktop
// VS Code through @vscode/test-electron). Hand-written instead of mocha: the suite is short, and the
// driver outside the editor only needs one `ok`/`not ok` line per test and a final `N passed, N failed`.

export type TestBody = () => Promise<void> | void;

interface RegisteredTest {
  name: string;
  body: TestBody;
  timeoutMs: number;
}

const registered: RegisteredTest[] = [];

/** Registers a test; they run in registration order, one at a time, each bounded by `timeoutMs`. */
export function test(name: string, body: TestBody, timeoutMs = 60_000): void {
  registered.push({ name, body, timeoutMs });
}

export interface RunSummary {
  passed: number;
  failed: number;
  failures: string[];
}

function withTimeout(promise: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs every registered test; the summary line is printed on its own so the driver can count it. */
export async function runAll(log: (line: string) => void = console.log): Promise<RunSummary> {
  const summary: RunSummary = { passed: 0, failed: 0, failures: [] };
  for (const t of registered) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.body), t.timeoutMs, t.name);
      summary.passed++;
      log(`ok - ${t.name} (${Date.now() - started} ms)`);
    } catch (error) {
      summary.failed++;
      const text = describeError(error);
      summary.failures.push(`${t.name}: ${text}`);
      log(`not ok - ${t.name} (${Date.now() - started} ms)\n${text.replace(/^/gm, '    ')}`);
    }
  }
  log(`${summary.passed} passed, ${summary.failed} failed`);
  return summary;
}

/** Polls `probe` until it returns a value other than undefined; bounded in time, never a fixed sleep. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError ? ` (last error: ${describeError(lastError)})` : '';
  throw new Error(`waited ${timeoutMs} ms for ${what}${cause}`);
}
