// Starts a real VS Code (code-server) cleanly, as docs/editor-tests.md describes: every state folder
// under one temp dir, no marketplace, no telemetry, its own process group so all helpers die with it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Installs (or finds, when cached) node 24 + code-server; returns their paths. */
export function ensureCodeServer() {
  const result = spawnSync('bash', [join(root, 'scripts', 'install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error('could not install code-server (see above)');
  const node = /node24: (.+)/.exec(result.stdout)?.[1];
  const codeServer = /code-server: (.+)/.exec(result.stdout)?.[1];
  if (!node || !codeServer) throw new Error(`unexpected installer output: ${result.stdout}`);
  return { node, codeServerEntry: join(dirname(codeServer), '..', 'code-server', 'out', 'node', 'entry.js'), codeServerBin: codeServer };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server. `vsix` (optional) is installed into the fresh extensions dir first.
 * Returns { url, port, stop(), stateDir, child }.
 */
export async function startCodeServer({ workspace, vsix, extraArgs = [], settings = {}, port } = {}) {
  const { node, codeServerBin } = ensureCodeServer();
  const stateDir = mkdtempSync(join(tmpdir(), 'poolsafe-vscode-'));
  const dirs = {
    config: join(stateDir, 'config.yaml'),
    userData: join(stateDir, 'user-data'),
    extensions: join(stateDir, 'extensions'),
    xdgConfig: join(stateDir, 'xdg-config'),
    xdgData: join(stateDir, 'xdg-data'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData]) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...settings }, null, 2));
  writeFileSync(dirs.config, 'auth: none\n');
  const env = {
    ...process.env,
    PATH: `${dirname(node)}:${process.env.PATH}`,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    EXTENSIONS_GALLERY: '{}',
  };
  const common = ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  if (vsix) {
    const installed = spawnSync(codeServerBin, [...common, '--install-extension', vsix], { env, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`installing ${vsix} failed: ${installed.stderr || installed.stdout}`);
  }
  port ??= await freePort();
  const args = [
    ...common,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
    ...extraArgs,
  ];
  if (workspace) args.push(workspace);
  // detached: its own process group (setsid), so stop() can kill every helper it forks.
  const child = spawn(codeServerBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      throw new Error(`code-server did not answer /healthz within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    stateDir,
    child,
    log: () => log,
    stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 2000).unref();
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
