// Entry point of the suite that runs inside the extension host. VS Code loads `extensionTestsPath`
// (this file, compiled) and calls run(); a rejected promise makes the extension host exit non-zero.
// Shared by the code-server driver (test/e2e/editor.test.ts) and `npm run test:vscode-desktop`.
import { runAll } from './runner';

/** Spec files register their tests on import; order here is the order they run in. */
const SPECS = ['./language.spec', './pooler.spec'];

export async function run(): Promise<void> {
  for (const spec of SPECS) require(spec);
  const summary = await runAll();
  if (summary.failed > 0) throw new Error(`${summary.failed} in-host test(s) failed:\n${summary.failures.join('\n')}`);
}
