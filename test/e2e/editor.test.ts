// Tests in a real VS Code (code-server + headless Chromium):
// 1. the in-host suite (test/e2e-suite) run by the smoke-test driver against the extension as built;
// 2. UI checks through the browser on the packaged .vsix, installed the way a user installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  copyDemoWorkspace, launchBrowser, packageVsix, requireTools, screenshot, stageExtension, startCodeServer, tempDir, waitForWorkbench, type CodeServer,
} from './harness';

const TEST_TIMEOUT_MS = 240_000;
const SUITE_TIMEOUT_MS = 180_000;
const suiteIndex = join(__dirname, '..', 'e2e-suite', 'index.js');

/** Everything a test starts, stopped in reverse order whatever happens. */
class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  add(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`cleanup step failed: ${(error as Error).message}`);
      }
    }
  }
}

function remote(server: CodeServer, path: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${path}`;
}

/** The workbench URL that makes the smoke-test driver load the extension and run the suite. */
function suiteUrl(server: CodeServer, workspace: string, extensionDir: string): string {
  const payload = [
    ['extensionDevelopmentPath', remote(server, extensionDir)],
    ['extensionTestsPath', remote(server, suiteIndex)],
  ];
  return `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function logLine(type: unknown, args: unknown): string {
  const parts = Array.isArray(args) ? args : [args];
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return type === 'log' || type === 'info' || type === undefined ? text : `[${String(type)}] ${text}`;
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

test('in-host suite in code-server: diagnostics, typing, quick fix, hover', { timeout: TEST_TIMEOUT_MS }, async () => {
  requireTools();
  const cleanup = new Cleanup();
  try {
    const tmp = tempDir('poolsafe-e2e-host-');
    cleanup.add(() => tmp.remove());
    const extensionDir = stageExtension(join(tmp.path, 'extension'));
    const workspace = copyDemoWorkspace(tmp.path);
    const server = await startCodeServer({ workspace, smokeTestDriver: true });
    cleanup.add(() => server.stop());
    const browser: Browser = await launchBrowser();
    cleanup.add(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    const lines: string[] = [];
    let reportExit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const line = logLine(type, args);
      lines.push(line);
      // The workbench logs a lot through the same channel: echo only the suite's own lines and errors.
      if (/^(ok - |not ok - |\s|\d+ passed, \d+ failed$|\[error\])/.test(line)) console.log(`[host] ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => reportExit(Number(code)));
    await page.goto(suiteUrl(server, workspace, extensionDir), { timeout: 60_000 });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS)));
    const outcome = await Promise.race([exited, timedOut]).finally(() => clearTimeout(timer));
    await screenshot(page, 'in-host-suite');
    const hostLog = lines.join('\n');
    assert.notEqual(outcome, 'timeout', `the in-host suite did not finish within ${SUITE_TIMEOUT_MS} ms.\nhost log:\n${tail(hostLog)}\ncode-server log:\n${tail(server.log())}`);

    const summary = /^(\d+) passed, (\d+) failed$/m.exec(hostLog);
    assert.ok(summary, `no summary line from the in-host suite (exit ${outcome}).\nhost log:\n${tail(hostLog)}\ncode-server log:\n${tail(server.log())}`);
    const [passed, failed] = [Number(summary[1]), Number(summary[2])];
    console.log(`${passed} passed, ${failed} failed`);
    const failures = lines.filter((l) => l.startsWith('not ok')).join('\n');
    assert.equal(failed, 0, `in-host failures:\n${tail(hostLog, 80)}\n${failures}`);
    assert.ok(passed > 0, 'the in-host suite ran some tests');
    assert.equal(outcome, 0, `extension host exit code\n${tail(hostLog)}`);
  } finally {
    await cleanup.run();
  }
});

/** Opens a workspace file through Quick Open, the way a user does. */
async function quickOpen(page: Page, fileName: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, timeout: 10_000 }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    if (await input.isVisible().catch(() => false)) break;
    await input.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    if (await input.isVisible().catch(() => false)) break;
  }
  await input.fill(fileName, { timeout: 10_000 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: fileName }).waitFor({ state: 'visible', timeout: 30_000 });
}

test('installed .vsix: the Problems panel lists PoolSafe findings for unsafe.sql', { timeout: TEST_TIMEOUT_MS }, async () => {
  requireTools();
  const cleanup = new Cleanup();
  let page: Page | undefined;
  try {
    const tmp = tempDir('poolsafe-e2e-ui-');
    cleanup.add(() => tmp.remove());
    const staged = stageExtension(join(tmp.path, 'extension'));
    const vsix = packageVsix(staged, join(tmp.path, 'poolsafe.vsix'));
    const workspace = copyDemoWorkspace(tmp.path);
    const server = await startCodeServer({ workspace, vsix });
    cleanup.add(() => server.stop());
    const browser = await launchBrowser();
    cleanup.add(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await waitForWorkbench(page);
    await screenshot(page, 'ui-workbench');

    await quickOpen(page, 'unsafe.sql');
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'session-set' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await row.innerText();
    assert.match(text, /poolsafe/i, `Problems row: ${text}`);
    await screenshot(page, 'ui-problems-unsafe-sql');
    const rules = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    assert.ok(rules.some((r) => r.includes('advisory-lock')), `Problems rows:\n${rules.join('\n')}`);
  } catch (error) {
    if (page) await screenshot(page, 'ui-failure');
    throw error;
  } finally {
    await cleanup.run();
  }
});
