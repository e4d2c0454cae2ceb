// `npm run package`: builds and packages the installable .vsix with @vscode/vsce.
// Usage: node scripts/package.mjs [--out file.vsix]
import { spawnSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(root, 'poolsafe.vsix');

function run(cmd, argv) {
  const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, ['esbuild.mjs']);
// Dependencies are bundled into dist/ by esbuild, so the package ships no node_modules.
run(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out]);
console.log(`packaged ${out}`);
