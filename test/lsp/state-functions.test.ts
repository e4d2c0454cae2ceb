// The language server (bundled dist/server.js, analysis in its worker thread) reads the workspace's
// .sql files for functions whose bodies create session state: a call of one in an open document is a
// finding pointing at the body in the other file; a call of a function whose body is transaction-scoped
// is not. The index is built where the analysis runs (AnalyzeRequest.workspaceRoot), not on the main thread.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLspClient, type LspClient } from './lspClient';

const workspace = mkdtempSync(join(tmpdir(), 'poolsafe-lsp-state-'));
const functionsFile = join(workspace, 'db', 'functions.sql');
let client: LspClient;

before(async () => {
  mkdirSync(join(workspace, 'db'));
  writeFileSync(functionsFile, [
    "create function tenant_enter(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, false); end $$;",
    "create function tenant_enter_local(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, true); end $$;",
    '',
  ].join('\n'));
  client = await startLspClient({ rootPath: workspace });
});
after(async () => {
  await client?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

test('LSP: a call of a workspace function whose body sets session state is published with the body as related information; a transaction-scoped one is not', async () => {
  const uri = client.open(join(workspace, 'seed.sql'), 'sql', "select tenant_enter_local('acme');\nselect tenant_enter('acme');\n");
  const found = await client.diagnostics(uri, (d) => d.length > 0);
  assert.deepEqual(found.map((d) => [d.code, d.range.start.line]), [['session-set', 1]]);
  assert.equal(found[0].relatedInformation?.[0]?.location.uri, pathToFileURL(functionsFile).href);
});
