// The language server reads a helper in another file of the workspace from disk: a test's client connected
// to the local server that helper starts gets no session-set diagnostic; a pool's query in the same file does.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLspClient, type LspClient } from './lspClient';

const workspace = mkdtempSync(join(tmpdir(), 'poolsafe-lsp-own-server-'));
let client: LspClient;

before(async () => {
  mkdirSync(join(workspace, 'test', 'helpers'), { recursive: true });
  writeFileSync(join(workspace, 'test', 'helpers', 'db.ts'), [
    "import { startPrismaDevServer } from '@prisma/dev';",
    'export async function createTestDatabase() {',
    '  const server = await startPrismaDevServer({});',
    '  return { connectionString: server.database.connectionString };',
    '}',
  ].join('\n'));
  client = await startLspClient({ rootPath: workspace });
});
after(async () => {
  await client?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

test('a client made from what a workspace helper starting a local dev server returns gets no session-set diagnostic; a pool next to it does', async () => {
  const text = [
    "import { Client, Pool } from 'pg';",
    "import { createTestDatabase } from './helpers/db';",
    'const pool = new Pool();',
    "it('x', async () => {",
    '  const database = await createTestDatabase();',
    '  const direct = new Client({ connectionString: database.connectionString });',
    "  await direct.query('SET ROLE app_user');",
    "  await pool.query('SET ROLE pooled');",
    '});',
    '',
  ].join('\n');
  const uri = client.open(join(workspace, 'test', 'roles.test.ts'), 'typescript', text);
  const diagnostics = await client.diagnostics(uri, () => true, 1);
  assert.deepEqual(diagnostics.map((d) => [String(d.code), d.range.start.line]), [['session-set', 7]]);
});
