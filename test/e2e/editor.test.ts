// Tests in a real VS Code (code-server + headless Chromium):
// 1. the in-host suite (test/e2e-suite) run by the smoke-test driver against the extension as built;
// 2. UI checks through the browser on the packaged .vsix, installed the way a user installs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import {
  artifactsDir, copyDemoWorkspace, launchBrowser, packageVsix, requireTools, screenshot, stageExtension, startCodeServer, tempDir, waitForWorkbench, type CodeServer,
} from './harness';
import { Client } from 'pg';
import { freePort, pgClientBinDir, startCluster, type Cluster } from '../helpers/cluster';

const TEST_TIMEOUT_MS = 300_000;
const SUITE_TIMEOUT_MS = 240_000;
const suiteIndex = join(__dirname, '..', 'e2e-suite', 'index.js');
const STATUS_BAR = '#workbench\\.parts\\.statusbar';
const SIDEBAR = '#workbench\\.parts\\.sidebar';
/** The extension's status bar item id (extension/ui/statusBar.ts); the DOM id is prefixed with the extension id. */
const POOLER_ITEM = 'poolsafe.pooler';
const APPLICATION_NAME = 'poolsafe-ui-e2e';

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

test('in-host suite in code-server: diagnostics, typing, quick fix, hover, pooler commands and trees', { timeout: TEST_TIMEOUT_MS }, async () => {
  requireTools();
  const cleanup = new Cleanup();
  try {
    const tmp = tempDir('poolsafe-e2e-host-');
    cleanup.add(() => tmp.remove());
    const extensionDir = stageExtension(join(tmp.path, 'extension'));
    const workspace = copyDemoWorkspace(tmp.path);
    // The pooler specs need a dev database and a free port for the pooler; the extension host reads them from its environment.
    const cluster = await startCluster();
    cleanup.add(() => cluster.stop());
    const poolerPort = await freePort();
    const server = await startCodeServer({
      workspace,
      smokeTestDriver: true,
      env: { POOLSAFE_E2E_TARGET: cluster.url(), POOLSAFE_E2E_POOLER_PORT: String(poolerPort) },
      settings: { 'poolsafe.pooler.port': poolerPort },
    });
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
    // node --test prefixes child output with "# "; test/run.mjs reprints this on a line of its own.
    mkdirSync(artifactsDir, { recursive: true });
    writeFileSync(join(artifactsDir, 'in-host-summary.txt'), `${passed} passed, ${failed} failed\n`);
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
  // Focus can still be moving while the workbench restores: retry the shortcut until the box shows.
  for (let attempt = 0; attempt < 5 && !(await input.isVisible().catch(() => false)); attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, timeout: 10_000 }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  }
  await input.fill(fileName, { timeout: 10_000 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: fileName }).waitFor({ state: 'visible', timeout: 30_000 });
}

/** Opens the Problems panel; the shortcut toggles it, so it is pressed again only while the panel is hidden. */
async function showProblems(page: Page): Promise<void> {
  const panel = page.locator('.markers-panel');
  for (let attempt = 0; attempt < 3 && !(await panel.isVisible().catch(() => false)); attempt++) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  }
  await panel.waitFor({ state: 'visible', timeout: 5_000 });
}

/** Polls the page's frames (webviews are iframes inside iframes of the workbench) for one that `holds`. */
async function findFrame(page: Page, what: string, holds: (frame: Frame) => Promise<number>, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (!frame.isDetached() && (await holds(frame).catch(() => 0))) return frame;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no frame ${what} within ${timeoutMs} ms`);
}

/** The Pool Activity webview's document (several webviews may exist: a markdown preview is one too). */
function activityFrame(page: Page): Promise<Frame> {
  return findFrame(page, 'with #pool-activity', (frame) => frame.locator('#pool-activity').count());
}

/** Some frame (e.g. the markdown preview's) that shows `text`. */
function frameWithText(page: Page, text: RegExp): Promise<Frame> {
  return findFrame(page, `showing ${text}`, (frame) => frame.getByText(text).count(), 30_000);
}

/** A local HTTP server that counts the requests it gets and allows any origin to read its answers. */
async function countingServer(): Promise<{ url: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'image/svg+xml' });
    res.end('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, close: () => new Promise((resolve) => {
    server.close(() => resolve());
    // Browsers keep connections alive; close() alone would wait for them.
    server.closeAllConnections();
  }) };
}

/** Runs in a frame: an image and a fetch to `url`; says what each did. */
function loadFromFrame(frame: Frame, url: string): Promise<{ image: string; fetch: string }> {
  return frame.evaluate(async (base) => {
    const image = await new Promise<string>((resolve) => {
      const img = new Image();
      img.onload = () => resolve('loaded');
      img.onerror = () => resolve('blocked');
      img.src = `${base}/image.svg`;
    });
    const fetched = await fetch(`${base}/data`).then(() => 'loaded', () => 'blocked');
    return { image, fetch: fetched };
  }, url);
}

/** Polls a number the webview shows until `accept` holds; bounded in time, returns the value seen. */
async function waitForShownNumber(frame: Frame, selector: string, accept: (value: number) => boolean, what: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await frame.locator(selector).first().textContent({ timeout: 5_000 }).catch(() => null)) ?? '';
    const value = Number.parseFloat(last);
    if (Number.isFinite(value) && accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`waited ${timeoutMs} ms for ${what} (last shown: "${last}")`);
}

/**
 * What the workbench shows now (status bar items, notifications, the quick input) and the last lines of the
 * PoolSafe output channel and of code-server's log. A failing UI test adds it to its error, since in CI the
 * screenshots stay on the machine that ran it and only the printed output comes back.
 */
async function workbenchState(page: Page, server: CodeServer | undefined): Promise<string> {
  const texts = async (selector: string) => (await page.locator(selector).allInnerTexts().catch(() => [] as string[]))
    .map((text) => text.replace(/\s+/g, ' ').trim()).filter((text) => text !== '');
  const quickInput = page.locator('.quick-input-widget input');
  const shown = await quickInput.isVisible().catch(() => false);
  const lines = [
    `status bar: ${(await texts(`${STATUS_BAR} .statusbar-item`)).join(' | ') || 'nothing'}`,
    `notifications: ${(await texts('.notification-list-item-message')).join(' | ') || 'none'}`,
    `quick input: ${shown ? `"${await quickInput.inputValue().catch(() => '?')}" (${(await texts('.quick-input-widget .quick-input-message')).join(' ')})` : 'hidden'}`,
  ];
  if (server) lines.push(`PoolSafe output channel:\n${server.channelLogs(/PoolSafe/i)}`, `code-server log:\n${tail(server.log(), 20)}`);
  return lines.join('\n');
}

/** Takes the failure screenshot, then rethrows the error with the workbench's state added to its message. */
async function failWithState(error: unknown, page: Page, server: CodeServer | undefined, shot: string): Promise<never> {
  await screenshot(page, shot);
  const state = await workbenchState(page, server).catch((cause: Error) => `(workbench state unavailable: ${cause.message})`);
  if (error instanceof Error) {
    error.message = `${error.message}\n-- workbench at failure --\n${state}`;
    throw error;
  }
  throw new Error(`${String(error)}\n-- workbench at failure --\n${state}`);
}

/** Expands or collapses a view of the PoolSafe container by its header. */
async function setPaneExpanded(page: Page, name: string, expanded: boolean): Promise<void> {
  const header = page.locator(`${SIDEBAR} .pane-header`, { hasText: name }).first();
  await header.waitFor({ state: 'visible', timeout: 30_000 });
  // The title, not the header's middle: the Pools header carries action buttons (Stop Pooler among them).
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.locator('.title').first().click({ timeout: 30_000 });
}

/** One code-server with the packaged .vsix installed, shared by the UI checks below. */
describe('installed .vsix in code-server, driven through the browser', { timeout: TEST_TIMEOUT_MS * 3 }, () => {
  const cleanup = new Cleanup();
  let page: Page;
  let cluster: Cluster;
  let poolerPort: number;
  let appClient: Client | undefined;
  let codeServer: CodeServer | undefined;

  before(async () => {
    requireTools();
    const tmp = tempDir('poolsafe-e2e-ui-');
    cleanup.add(() => tmp.remove());
    const vsix = packageVsix(stageExtension(join(tmp.path, 'extension')), join(tmp.path, 'poolsafe.vsix'));
    const workspace = copyDemoWorkspace(tmp.path);
    cluster = await startCluster();
    const started = cluster;
    cleanup.add(() => started.stop());
    poolerPort = await freePort();
    // DATABASE_URL is what the target prompt suggests; the port setting keeps the pooler off 6432.
    const server = await startCodeServer({ workspace, vsix, env: { DATABASE_URL: cluster.url() }, settings: { 'poolsafe.pooler.port': poolerPort } });
    cleanup.add(() => server.stop());
    codeServer = server;
    const browser = await launchBrowser();
    cleanup.add(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Playwright actions wait without limit by default: a click the page never takes would hold the test until its
    // 300 s timeout and say nothing of why. A minute bounds each, and the failure then shows the workbench's state.
    page.setDefaultTimeout(60_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await waitForWorkbench(page);
    await screenshot(page, 'ui-workbench');
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await appClient?.end().catch(() => undefined);
    await cleanup.run();
  }, { timeout: 60_000 });

  test('the Problems panel lists PoolSafe findings for unsafe.sql', { timeout: TEST_TIMEOUT_MS }, async () => {
    try {
      await quickOpen(page, 'unsafe.sql');
      await showProblems(page);
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'session-set' }).first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      const text = await row.innerText();
      assert.match(text, /poolsafe/i, `Problems row: ${text}`);
      await screenshot(page, 'ui-problems-unsafe-sql');
      const rules = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
      assert.ok(rules.some((r) => r.includes('advisory-lock')), `Problems rows:\n${rules.join('\n')}`);
    } catch (error) {
      await failWithState(error, page, codeServer, 'ui-problems-failure');
    }
  });

  const statusItem = () => page.locator(`${STATUS_BAR} .statusbar-item[id$="${POOLER_ITEM}"]`);

  test('the status bar item starts the pooler: target prompt, then `PoolSafe :<port> · transaction`', { timeout: TEST_TIMEOUT_MS }, async () => {
    try {
      await statusItem().filter({ hasText: 'PoolSafe: off' }).waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(page, 'ui-statusbar-off');
      await statusItem().locator('a').first().click({ timeout: 30_000 });
      // No target configured yet: the click asks for the dev database URL (suggested from DATABASE_URL).
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await input.inputValue(), cluster.url(), 'the prompt suggests DATABASE_URL');
      await screenshot(page, 'ui-target-prompt');
      await input.press('Enter');
      await statusItem().filter({ hasText: `PoolSafe :${poolerPort} · transaction · 0 clients` }).waitFor({ state: 'visible', timeout: 90_000 });
      await screenshot(page, 'ui-statusbar-running');
    } catch (error) {
      await failWithState(error, page, codeServer, 'ui-statusbar-failure');
    }
  });

  test('a pg client through the pooler shows in the status bar and as a row of the Clients tree', { timeout: TEST_TIMEOUT_MS }, async () => {
    try {
      appClient = new Client({
        host: '127.0.0.1', port: poolerPort, user: cluster.user, password: cluster.password, database: 'postgres',
        application_name: APPLICATION_NAME, connectionTimeoutMillis: 10_000,
      });
      await appClient.connect();
      assert.deepEqual((await appClient.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
      await statusItem().filter({ hasText: `PoolSafe :${poolerPort} · transaction · 1 client` }).waitFor({ state: 'visible', timeout: 30_000 });

      await page.locator('.activitybar .action-item a[aria-label^="PoolSafe"]').first().click({ timeout: 30_000 });
      const clientsHeader = page.locator(`${SIDEBAR} .pane-header`, { hasText: 'Clients' }).first();
      await clientsHeader.waitFor({ state: 'visible', timeout: 30_000 });
      if ((await clientsHeader.getAttribute('aria-expanded')) === 'false') await clientsHeader.click({ timeout: 30_000 });
      const row = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: APPLICATION_NAME }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await row.innerText(), /client/i);
      await screenshot(page, 'ui-tree-clients');
    } catch (error) {
      await failWithState(error, page, codeServer, 'ui-tree-failure');
    }
  });

  test('the Pool Activity view loads nothing from the network, charts pgbench traffic live, marks a session SET as a hazard, and a click shows its details and source line', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tmp = tempDir('poolsafe-e2e-bench-');
    try {
      assert.ok(appClient, 'the pg client from the previous test is still connected');
      // The tree views collapsed, so the chart has the side bar's height (and the screenshot shows it whole).
      for (const name of ['Pools', 'Clients', 'Servers', 'Stats', 'Hazards']) await setPaneExpanded(page, name, false);
      await setPaneExpanded(page, 'Pool Activity', true);
      let frame = await activityFrame(page);
      await frame.locator('#chart-tps').waitFor({ state: 'attached', timeout: 30_000 });

      // No network from the view: its Content-Security-Policy stops an image and a fetch before they leave.
      // Control: the same document URL (the webview's fake.html, which VS Code writes the view's HTML
      // into) opened on its own, without the view's policy, does reach the server.
      const probe = await countingServer();
      const control = await page.context().browser()!.newPage();
      try {
        assert.deepEqual(await loadFromFrame(frame, probe.url), { image: 'blocked', fetch: 'blocked' });
        assert.equal(probe.hits(), 0, 'no request from the Pool Activity view reached the server');
        await control.goto(frame.url(), { timeout: 30_000 });
        assert.deepEqual(await loadFromFrame(control.mainFrame(), probe.url), { image: 'loaded', fetch: 'loaded' }, `control page ${frame.url()}`);
        assert.equal(probe.hits(), 2, 'the control page reaches the same server');
      } finally {
        await control.close();
        await probe.close();
      }

      // Real traffic: pgbench through the pooler, 4 clients, rate-limited and bounded in time.
      const script = join(tmp.path, 'select.sql');
      writeFileSync(script, 'SELECT 1;\n');
      const bench = spawn(join(pgClientBinDir(), 'pgbench'), [
        '-n', '-f', script, '-c', '4', '-j', '2', '-R', '200', '-T', '12', '-h', '127.0.0.1', '-p', String(poolerPort), '-U', cluster.user, 'postgres',
      ], { env: { ...process.env, PGPASSWORD: cluster.password }, stdio: ['ignore', 'pipe', 'pipe'] });
      let benchOutput = '';
      bench.stdout.on('data', (chunk) => (benchOutput += chunk));
      bench.stderr.on('data', (chunk) => (benchOutput += chunk));
      const benchDone = new Promise<number | null>((resolve) => bench.once('close', (code) => resolve(code)));
      const benchKiller = setTimeout(() => bench.kill('SIGKILL'), 60_000);
      try {
        // While pgbench runs, the chart redraws with its transactions and its four clients.
        const tps = await waitForShownNumber(frame, 'b.value[data-series="line-tps"]', (v) => v > 0, 'a non-zero tps in the legend');
        const points = Number(await frame.locator('path.line.line-tps').getAttribute('data-points'));
        assert.ok(points > 0, `the tps line has points (${points})`);
        const peak = Number(await frame.locator('#chart-tps').getAttribute('data-peak'));
        assert.ok(peak > 0, `the tps chart's peak is above zero (${peak}, legend ${tps})`);
        await waitForShownNumber(frame, '#chart-clients-0 b.value[data-series="line-cl-active"]', (v) => v >= 4, "pgbench's 4 clients as active clients");
        assert.equal(await benchDone, 0, `pgbench failed:\n${benchOutput}`);
      } finally {
        clearTimeout(benchKiller);
        bench.kill('SIGKILL');
      }
      // The pgbench run now shows as a line that rose and fell; the SET leaves session state behind.
      await appClient.query('SET search_path TO app, public');
      await appClient.query('SELECT 1');
      frame = await activityFrame(page);
      const mark = frame.locator('g.hazard.hazard-origin').first();
      await mark.waitFor({ state: 'attached', timeout: 30_000 });
      assert.match((await mark.getAttribute('aria-label')) ?? '', /session-set \(origin\)[^]*SET search_path TO app, public/);
      await screenshot(page.locator(SIDEBAR), 'pool-activity');

      await frame.locator('g.hazard.hazard-origin circle').first().click({ timeout: 15_000 });
      // The view shows the hazard's details…
      const details = frame.locator('#details');
      await details.waitFor({ state: 'visible', timeout: 15_000 });
      const detailText = await details.innerText();
      assert.match(detailText, /session-set \(origin\)/);
      assert.match(detailText, /SET search_path TO app, public/);
      // …and poolsafe.hazard.show opens the source line (demo/sql/unsafe.sql line 5) and the details page.
      await page.locator('.tab', { hasText: /hazard-\d+\.md/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await frameWithText(page, /Pooling hazard \d+: session-set \(origin\)/);
      await page.locator('.tab', { hasText: 'unsafe.sql' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.locator('.monaco-editor .line-numbers.active-line-number', { hasText: /^\s*5\s*$/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'pool-activity-hazard');
    } catch (error) {
      await failWithState(error, page, codeServer, 'pool-activity-failure');
    } finally {
      tmp.remove();
    }
  });

  test('clicking the status bar item again stops the pooler', { timeout: TEST_TIMEOUT_MS }, async () => {
    try {
      await appClient?.end();
      appClient = undefined;
      await statusItem().locator('a').first().click({ timeout: 30_000 });
      await statusItem().filter({ hasText: 'PoolSafe: off' }).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'ui-statusbar-stopped');
      const probe = new Client({ host: '127.0.0.1', port: poolerPort, user: cluster.user, password: cluster.password, database: 'postgres', connectionTimeoutMillis: 5_000 });
      await assert.rejects(probe.connect(), /ECONNREFUSED/, 'nothing listens on the pooler port any more');
    } catch (error) {
      await failWithState(error, page, codeServer, 'ui-stop-failure');
    }
  });
});
