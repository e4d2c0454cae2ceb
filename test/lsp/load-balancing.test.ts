// The language server (bundled dist/server.js, analysis in its worker thread) with load balancing on:
// write-in-read through a function another .sql file of the workspace declares STABLE, read-after-write
// with its quick fix; and the editor setting poolsafe.loadBalancing turning both off again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLspClient, type LspClient } from './lspClient';

const workspace = mkdtempSync(join(tmpdir(), 'poolsafe-lsp-lb-'));
let client: LspClient;

before(async () => {
  writeFileSync(join(workspace, '.poolsafe.json'), '{ "loadBalancing": true }\n');
  mkdirSync(join(workspace, 'migrations'));
  writeFileSync(join(workspace, 'migrations', '001.sql'), "CREATE FUNCTION next_order_id() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT nextval('ids') $$;\n");
  client = await startLspClient({ rootPath: workspace });
});
after(async () => {
  await client?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const TEXT = 'SELECT next_order_id();\nINSERT INTO orders VALUES (1);\nSELECT * FROM orders;\n';

test('LSP: with "loadBalancing": true, write-in-read (function from another workspace file) and read-after-write are published; the setting false removes them', async () => {
  const uri = client.open(join(workspace, 'queries.sql'), 'sql', TEXT);
  const found = await client.diagnostics(uri, (d) => d.length >= 2);
  assert.deepEqual(found.map((d) => [d.code, d.range.start.line]).sort(), [['read-after-write', 2], ['write-in-read', 0]]);
  client.settings.loadBalancing = false;
  client.settingsChanged();
  assert.deepEqual(await client.diagnostics(uri, (d) => d.length === 0), []);
});
