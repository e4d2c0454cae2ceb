// A helper handed a client is silent about `set_config(…, true)` and `SET LOCAL` because its callers may have begun a
// transaction, also when nothing in the project calls it yet (session 50: ruling 10 does not reach a handed client).
// Only callers can say otherwise: for a parameter declared a Kysely instance, whose transaction is an object of its own
// (`Transaction`), every call (at least one) passing a value made outside any transaction keeps the finding. A caller
// that may pass a transaction keeps it silent.
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
  const repo = scratchRepository(`uncalled-helpers-${count++}`, { after });
  repo.writeAll({ 'package.json': '{ "name": "shop", "dependencies": { "pg": "^8", "kysely": "^0.27" } }', ...files });
  const path = repo.path(checked);
  const text = readFileSync(path, 'utf8');
  return analyze(text, 'typescript', {}, path).map((f) => ruleLine(text, f, 'line rule'));
}

const pgHelper = [
  "import type { PoolClient } from 'pg';",
  'export async function scopeToShop(client: PoolClient, shop: string): Promise<void> {',
  "  await client.query(\"SELECT set_config('shop.id', $1, true)\", [shop]);",
  '}',
];

const kyselyHelper = [
  "import { sql, type Kysely } from 'kysely';",
  'export async function scopeToShop<DB>(db: Kysely<DB>, shop: string): Promise<void> {',
  "  await sql`SELECT set_config('shop.id', ${shop}, true)`.execute(db);",
  '}',
];

test('an exported helper handed a pg client or a Kysely that nothing imports is its callers\' to come: not flagged', () => {
  assert.deepEqual(findingsIn({ 'src/scope.ts': pgHelper, 'src/app.ts': "export const port = 3000;\n" }, 'src/scope.ts'), []);
  assert.deepEqual(findingsIn({ 'src/scope.ts': kyselyHelper, 'src/app.ts': "export const port = 3000;\n" }, 'src/scope.ts'), []);
});

test('the same helper called by a module of the project (which may have sent BEGIN first) is not flagged', () => {
  const caller = [
    "import { Pool } from 'pg';",
    "import { scopeToShop } from './scope';",
    'const pool = new Pool();',
    'export async function orders(shop: string) {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    '  await scopeToShop(client, shop);',
    "  const rows = await client.query('SELECT * FROM orders');",
    "  await client.query('COMMIT');",
    '  client.release();',
    '  return rows;',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': pgHelper, 'src/orders.ts': caller }, 'src/scope.ts'), []);
});

test('a Kysely-typed helper exported through a barrel and called only by a unit test with a stand-in: flagged', () => {
  const unitTest = [
    "import { scopeToShop } from '../src';",
    'function fakeDb() { return { getExecutor: () => ({ executeQuery: async () => ({ rows: [] }) }) } as any; }',
    "test('scopes', async () => {",
    '  const db = fakeDb();',
    "  await scopeToShop(db, 'shop-1');",
    '});',
  ];
  assert.deepEqual(findingsIn({
    'src/scope.ts': kyselyHelper,
    'src/index.ts': "export { scopeToShop } from './scope';\n",
    'test/scope.test.ts': unitTest,
  }, 'src/scope.ts'), ['3 set-local-outside-transaction']);
});

test('a Kysely-typed helper a caller hands a transaction, or one typed Transaction, is not flagged', () => {
  const caller = [
    "import { Kysely } from 'kysely';",
    "import { scopeToShop } from './scope';",
    'export async function orders(db: Kysely<any>, shop: string) {',
    '  return db.transaction().execute(async (trx) => {',
    '    await scopeToShop(trx, shop);',
    "    return trx.selectFrom('orders').selectAll().execute();",
    '  });',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': kyselyHelper, 'src/orders.ts': caller }, 'src/scope.ts'), []);
  const typedTransaction = [
    "import { sql, type Transaction } from 'kysely';",
    'export async function scopeToShop<DB>(trx: Transaction<DB>, shop: string): Promise<void> {',
    "  await sql`SELECT set_config('shop.id', ${shop}, true)`.execute(trx);",
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': typedTransaction }, 'src/scope.ts'), []);
});

test('an uncalled helper whose parameter is named for a transaction (`tx: any`) is meant to be handed one: not flagged', () => {
  const named = [
    'export async function scopeToShop(tx: any, shop: string): Promise<void> {',
    "  await tx.query(\"SELECT set_config('shop.id', $1, true)\", [shop]);",
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': named }, 'src/scope.ts'), []);
});

test('a pg helper a unit test calls with a client of its own is still the caller\'s business: not flagged', () => {
  const unitTest = [
    "import { Pool } from 'pg';",
    "import { scopeToShop } from '../src/scope';",
    "test('scopes', async () => {",
    '  const client = await new Pool().connect();',
    "  await client.query('BEGIN');",
    "  await scopeToShop(client, 'shop-1');",
    '});',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': pgHelper, 'test/scope.test.ts': unitTest }, 'src/scope.ts'), []);
});

/** A module calling `call` (written with the name it imports) inside a BEGIN it sent itself. */
const callerInTransaction = (importLine: string, call: string) => [
  "import { Pool } from 'pg';",
  importLine,
  'const pool = new Pool();',
  'export async function orders(shop: string) {',
  '  const client = await pool.connect();',
  "  await client.query('BEGIN');",
  `  await ${call}(client, shop);`,
  "  await client.query('COMMIT');",
  '  client.release();',
  '}',
];

test('callers that write another name than the helper\'s (a default export, a renamed re-export) keep it silent', () => {
  const byDefault = pgHelper.map((line) => line.replace('export async function', 'export default async function'));
  assert.deepEqual(findingsIn({ 'src/scope.ts': byDefault, 'src/orders.ts': callerInTransaction("import scope from './scope';", 'scope') }, 'src/scope.ts'), []);
  const files = {
    'src/scope.ts': pgHelper,
    'src/db.ts': "export { scopeToShop as scope } from './scope';\n",
    'src/orders.ts': callerInTransaction("import { scope } from './db';", 'scope'),
  };
  assert.deepEqual(findingsIn(files, 'src/scope.ts'), []);
});

test('callers reached through a barrel that re-exports an import, or through a barrel of a barrel, keep it silent', () => {
  const handedOn = {
    'src/scope.ts': pgHelper,
    'src/db.ts': "import { scopeToShop } from './scope';\nexport { scopeToShop };\n",
    'src/orders.ts': callerInTransaction("import { scopeToShop } from './db';", 'scopeToShop'),
  };
  assert.deepEqual(findingsIn(handedOn, 'src/scope.ts'), []);
  const nested = {
    'src/tenant/scope.ts': pgHelper,
    'src/tenant/index.ts': "export * from './scope';\n",
    'src/index.ts': "export * from './tenant';\n",
    'src/orders.ts': callerInTransaction("import { scopeToShop } from './index';", 'scopeToShop'),
  };
  assert.deepEqual(findingsIn(nested, 'src/tenant/scope.ts'), []);
});
