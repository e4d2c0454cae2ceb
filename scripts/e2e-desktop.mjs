// `npm run test:vscode-desktop`: the same in-host suite as the code-server e2e test (test/e2e-suite),
// run in a desktop VS Code that @vscode/test-electron downloads. For machines that can download VS Code;
// on a display-less Linux run it under `xvfb-run -a`. Expects `npm run build` to have run.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suite = join(root, process.env.POOLSAFE_OUT ?? 'out', 'test', 'e2e-suite', 'index.js');
if (!existsSync(suite)) {
  console.error(`${suite} is missing: run \`npm run build\` first`);
  process.exit(2);
}
if ((process.env.POOLSAFE_DIST ?? 'dist') !== 'dist') {
  // The desktop run loads the extension from the repository root, i.e. from dist/.
  console.error('test:vscode-desktop runs the extension from dist/: unset POOLSAFE_DIST');
  process.exit(2);
}

let runTests;
try {
  ({ runTests } = await import('@vscode/test-electron'));
} catch {
  console.error('@vscode/test-electron is not installed: run `npm install -D @vscode/test-electron`');
  process.exit(2);
}

// A copy of demo/ so the suite cannot modify the repository's files; state folders stay out of $HOME.
const scratch = mkdtempSync(join(tmpdir(), 'poolsafe-desktop-'));
const workspace = join(scratch, 'demo');
cpSync(join(root, 'demo'), workspace, { recursive: true });
// The pooler specs need a dev database and a port for the pooler, like the code-server driver gives them.
const require = createRequire(import.meta.url);
const { startCluster, freePort } = require(join(root, process.env.POOLSAFE_OUT ?? 'out', 'test', 'helpers', 'cluster.js'));
const cluster = await startCluster();
const poolerPort = await freePort();
const userData = join(scratch, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
  'poolsafe.pooler.port': poolerPort,
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
}, null, 2));
let code = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    extensionTestsEnv: { POOLSAFE_E2E_TARGET: cluster.url(), POOLSAFE_E2E_POOLER_PORT: String(poolerPort) },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', userData,
      '--extensions-dir', join(scratch, 'extensions'),
    ],
  });
} catch (error) {
  console.error(`in-host suite failed: ${error instanceof Error ? error.message : error}`);
  code = 1;
} finally {
  cluster.stop();
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}
process.exit(code);
