// The language server publishes nothing for vendored and minified files, unless .poolsafe.json opts in.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLspClient, type LspClient } from './lspClient';

const workspace = mkdtempSync(join(tmpdir(), 'poolsafe-lsp-generated-'));
const QUERY = "await pool.query('LISTEN jobs');\n";
const BUNDLE = `${QUERY}var x=[${'1,'.repeat(6_000)}1];\n`;
let client: LspClient;

before(async () => {
  for (const dir of ['src', 'vendor', 'optin/vendor']) mkdirSync(join(workspace, dir), { recursive: true });
  writeFileSync(join(workspace, 'optin', '.poolsafe.json'), '{ "defaultIgnore": false }');
  client = await startLspClient({ rootPath: workspace });
});
after(async () => {
  await client?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

async function codesFor(path: string, text: string): Promise<string[]> {
  const uri = client.open(join(workspace, path), 'javascript', text);
  return (await client.diagnostics(uri, () => true, 1)).map((d) => String(d.code));
}

test('a hand-written file gets the listen diagnostic; the same query in vendor/, a .min.js or a bundle gets none', async () => {
  assert.deepEqual(await codesFor('src/app.js', QUERY), ['listen']);
  assert.deepEqual(await codesFor('vendor/lib.js', QUERY), []);
  assert.deepEqual(await codesFor('src/app.min.js', QUERY), []);
  assert.deepEqual(await codesFor('src/bundle.js', BUNDLE), []);
});

test('"defaultIgnore": false in the nearest .poolsafe.json brings the diagnostics back', async () => {
  assert.deepEqual(await codesFor('optin/vendor/lib.js', QUERY), ['listen']);
  assert.deepEqual(await codesFor('optin/bundle.js', BUNDLE), ['listen']);
});
