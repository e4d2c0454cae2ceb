// A helper that takes an optional transaction and falls back to the application's database object when it is not given
// one (`const client = tx || db`) sends its `set_config(…, true)` on whichever of the two its caller picked. When the
// fallback is not known to be a pool (a drizzle database behind a lazy Proxy, say), a handed-in transaction may be the
// client, so the setting is not known to be lost. But when no call the project shows hands the transaction — every call
// leaves it out, or the helper is exported and nothing calls it (ruling 10) — the fallback is the client every time, and
// the lone transaction-local setting dies with its own statement, as it does when sent on that database directly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type FileText } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

let count = 0;
/** Writes a project of `files` and returns the lines of `checked` that get findings, with their rules. */
function findingsIn(files: Record<string, FileText>, checked: string): string[] {
  const repo = scratchRepository(`optional-transaction-${count++}`, { after });
  repo.writeAll({ 'package.json': '{ "name": "crm", "dependencies": { "pg": "^8", "drizzle-orm": "^0.30" } }', 'src/db.ts': lazyDatabase, ...files });
  const path = repo.path(checked);
  const text = readFileSync(path, 'utf8');
  return analyze(text, 'typescript', {}, path).map((f) => ruleLine(text, f, 'line rule'));
}

/** The application's drizzle database, made on first use behind a Proxy: the linter does not see a pool in it. */
const lazyDatabase = [
  "import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';",
  "import { Pool } from 'pg';",
  'let made: NodePgDatabase | undefined;',
  'function database(): NodePgDatabase {',
  '  return (made ??= drizzle(new Pool({ connectionString: process.env.DATABASE_URL })));',
  '}',
  'export const db = new Proxy({} as NodePgDatabase, { get: (_, key) => Reflect.get(database(), key) });',
];

/** An exported helper sending a lone set_config(…, true) on `tx || db` (line 5), and a clear of it (line 9). */
const tenantHelpers = [
  "import { sql } from 'drizzle-orm';",
  "import { db } from './db';",
  'export async function setTenant(tenantId: string, tx?: any): Promise<void> {',
  '  const client = tx || db;',
  "  await client.execute(sql`SELECT set_config('app.tenant', ${tenantId}, true)`);",
  '}',
  'export async function clearTenant(tx?: any): Promise<void> {',
  '  const client = tx ?? db;',
  "  await client.execute(sql`SELECT set_config('app.tenant', '', true)`);",
  '}',
];

/** A module of the project calling `calls` (lines written with the helpers' names) in a request handler. */
const callerModule = (...calls: string[]) => [
  "import { db } from './db';",
  "import { setTenant, clearTenant } from './tenant';",
  'export async function handle(request: { tenantId: string }) {',
  ...calls.map((call) => `  ${call}`),
  '}',
];

test('an exported `tx || db` helper every caller of the project calls without a transaction: its lone set_config(…, true) is flagged', () => {
  const files = {
    'src/tenant.ts': tenantHelpers,
    'src/auth.ts': callerModule('await setTenant(request.tenantId);'),
    'src/context.ts': callerModule('await setTenant(request.tenantId, undefined);', 'await clearTenant();'),
  };
  assert.deepEqual(findingsIn(files, 'src/tenant.ts'), ['5 set-local-outside-transaction', '9 set-local-outside-transaction']);
});

test('an exported `tx || db` helper nothing in the project calls keeps its finding (ruling 10)', () => {
  assert.deepEqual(findingsIn({ 'src/tenant.ts': tenantHelpers }, 'src/tenant.ts'), ['5 set-local-outside-transaction', '9 set-local-outside-transaction']);
});

test('a helper the file keeps to itself, called there without a transaction, is flagged; one it never calls is not', () => {
  const ownHelper = (calls: string) => [
    "import { sql } from 'drizzle-orm';",
    "import { db } from './db';",
    'async function setTenant(tenantId: string, tx?: any): Promise<void> {',
    '  const client = tx || db;',
    "  await client.execute(sql`SELECT set_config('app.tenant', ${tenantId}, true)`);",
    '}',
    'export async function handle(tenantId: string) {',
    `  ${calls}`,
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/tenant.ts': ownHelper('await setTenant(tenantId);') }, 'src/tenant.ts'), ['5 set-local-outside-transaction']);
  assert.deepEqual(findingsIn({ 'src/tenant.ts': ownHelper('return tenantId;') }, 'src/tenant.ts'), []);
});

test('a `tx || db` helper a caller hands a transaction stays silent, even when another caller leaves it out', () => {
  const inTransaction = 'await db.transaction(async (tx) => { await setTenant(request.tenantId, tx); await clearTenant(tx); });';
  assert.deepEqual(findingsIn({ 'src/tenant.ts': tenantHelpers, 'src/orders.ts': callerModule(inTransaction) }, 'src/tenant.ts'), []);
  const mixed = {
    'src/tenant.ts': tenantHelpers,
    'src/orders.ts': callerModule(inTransaction),
    'src/auth.ts': callerModule('await setTenant(request.tenantId);', 'await clearTenant();'),
  };
  assert.deepEqual(findingsIn(mixed, 'src/tenant.ts'), []);
});

test('a `tx || db` helper whose calls cannot all be read (handed on as a value, a spread, a default for tx) stays silent', () => {
  assert.deepEqual(findingsIn({ 'src/tenant.ts': tenantHelpers, 'src/auth.ts': callerModule('[request.tenantId].forEach(setTenant);', 'return clearTenant;') }, 'src/tenant.ts'), []);
  assert.deepEqual(findingsIn({ 'src/tenant.ts': tenantHelpers, 'src/auth.ts': callerModule('const args: [string] = [request.tenantId];', 'await setTenant(...args);', 'await clearTenant(...([] as []));') }, 'src/tenant.ts'), []);
  const defaulted = tenantHelpers.map((line) => line.replace('tx?: any', 'tx: any = currentTransaction()')).concat('declare function currentTransaction(): any;');
  assert.deepEqual(findingsIn({ 'src/tenant.ts': defaulted, 'src/auth.ts': callerModule('await setTenant(request.tenantId);', 'await clearTenant();') }, 'src/tenant.ts'), []);
});

test('test files are read by their calls of the helper: a mock\'s key or a dynamic import hands nothing, a call with a transaction does', () => {
  const unitTest = (call: string) => [
    "vi.mock('../src/db', () => ({ db: { execute: vi.fn() } }));",
    "vi.mock('../src/tenant', async (load) => ({ ...(await load()), clearTenant: vi.fn() }));",
    "test('scopes', async () => {",
    "  const mod = await import('../src/tenant');",
    '  expect(mod.setTenant).toBeDefined();',
    "  const { setTenant } = await import('../src/tenant');",
    `  ${call}`,
    '});',
  ];
  const app = callerModule('await setTenant(request.tenantId);');
  const withTest = (call: string) => ({ 'src/tenant.ts': tenantHelpers, 'src/auth.ts': app, 'test/tenant.test.ts': unitTest(call) });
  assert.deepEqual(findingsIn(withTest("await setTenant('t1');"), 'src/tenant.ts'), ['5 set-local-outside-transaction', '9 set-local-outside-transaction']);
  assert.deepEqual(findingsIn(withTest("await mod.setTenant('t1', { execute: vi.fn() });"), 'src/tenant.ts'), ['9 set-local-outside-transaction']);
});
