#!/usr/bin/env node
// `npm run fuzz`: the reliability fuzzers (pooler parsers, live pooler socket, language server) with
// larger, still bounded, budgets than the CI run. Needs a build (`npm run build`).
// Usage: node scripts/fuzz.mjs [seed]   Environment overrides: FUZZ_CASES (live cases, default 5000),
// FUZZ_SECONDS (live time cap, default 600), FUZZ_UNIT_CASES (200000), LSP_FUZZ_EDITS (5000).
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, process.env.POOLSAFE_OUT ?? 'out', 'test', 'reliability');
const files = ['fuzz.test.js', 'lsp-fuzz.test.js'].map((f) => join(out, f));
for (const file of files) {
  if (!existsSync(file)) {
    console.error(`fuzz: ${file} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}
const seed = process.argv[2] ?? process.env.FUZZ_SEED ?? String(Date.now() % 1e9);
const env = {
  ...process.env,
  FUZZ_SEED: seed,
  FUZZ_CASES: process.env.FUZZ_CASES ?? '5000',
  FUZZ_SECONDS: process.env.FUZZ_SECONDS ?? '600',
  FUZZ_UNIT_CASES: process.env.FUZZ_UNIT_CASES ?? '200000',
  LSP_FUZZ_EDITS: process.env.LSP_FUZZ_EDITS ?? '5000',
};
console.error(`fuzz: seed ${seed} (replay with: node scripts/fuzz.mjs ${seed}); live cases ${env.FUZZ_CASES} within ${env.FUZZ_SECONDS} s, unit cases ${env.FUZZ_UNIT_CASES}, LSP edits ${env.LSP_FUZZ_EDITS}`);
// The test timeouts in the files are sized for CI; the budget here is bounded by FUZZ_SECONDS instead.
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-timeout=1800000', ...files], { stdio: 'inherit', cwd: root, env, timeout: 3_600_000 });
process.exit(result.status ?? 1);
