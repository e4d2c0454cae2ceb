// A project's database wrapper whose factory makes a driver pool in its own body and whose methods send the caller's
// text on it (`createStore(url)` → `{ run: (text, values) => sql.unsafe(text, values) }` over `postgres(url)`): each
// call of a method may take another connection, so `BEGIN` through one call opens nothing for the next, and a
// transaction-local setting sent after it is alone. The object may come from the factory itself or from a registry
// module that keeps such objects in a Map (`stores.get(name)`, filled by `registerStore(name, createStore(url))`).
// A factory capping its pool at one connection, a wrapper over a client it is handed, and a registry that other modules
// may fill keep the calls in one sequence (no finding).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('wrapper-factory-pools', { after });
before(() => initAnalysis());

function rulesOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A function sending BEGIN, a transaction-local set_config (line 5) and COMMIT through `open` (`const db = <open>`). */
const tenantScope = (imports: string, open: string) => [
  imports,
  'export async function inTenant(tenant: string, work: () => Promise<void>) {',
  `  const db = ${open};`,
  "  await db.run('BEGIN');",
  "  await db.run(\"SELECT set_config('app.tenant', $1, true)\", [tenant]);",
  '  await work();',
  "  await db.run('COMMIT');",
  '}',
];

before(() => {
  repo.write('ledger/package.json', '{"name": "ledger"}');
  repo.write('ledger/src/store/postgres.ts', [
    "import postgres from 'postgres';",
    "import pg from 'pg';",
    'export function createStore(url: string) {',
    '  const sql = postgres(url, { max: 8, prepare: false });',
    '  return {',
    '    kind: "postgres",',
    '    async run(text: string, values: unknown[] = []) {',
    '      return await sql.unsafe(text, values as never[]);',
    '    },',
    '  };',
    '}',
    'export function createSingleStore(url: string) {',
    '  const sql = postgres(url, { max: 1, prepare: false });',
    '  return { async run(text: string, values: unknown[] = []) { return sql.unsafe(text, values as never[]); } };',
    '}',
    'export function createPgStore(url: string) {',
    '  const pool = new pg.Pool({ connectionString: url });',
    '  return { run: (text: string, values: unknown[] = []) => pool.query(text, values) };',
    '}',
    'export function wrapClient(client: { query(text: string, values?: unknown[]): Promise<unknown> }) {',
    '  return { run: (text: string, values: unknown[] = []) => client.query(text, values) };',
    '}',
  ]);
  repo.write('ledger/src/store/registry.ts', [
    "import { createStore } from './postgres';",
    'type Store = ReturnType<typeof createStore>;',
    'const stores = new Map<string, Store>();',
    'function registerStore(name: string, store: Store) {',
    '  stores.set(name, store);',
    '}',
    'export function getStore(name = "main"): Store {',
    '  const store = stores.get(name);',
    "  if (!store) throw new Error('no store ' + name);",
    '  return store;',
    '}',
    "if (process.env.DATABASE_URL) registerStore('main', createStore(process.env.DATABASE_URL));",
    "if (process.env.REPORTS_URL) registerStore('reports', createStore(process.env.REPORTS_URL));",
  ]);
  repo.write('ledger/src/store/open-registry.ts', [
    "import { createStore } from './postgres';",
    'const stores = new Map<string, ReturnType<typeof createStore>>();',
    'export function addStore(name: string, store: ReturnType<typeof createStore>) { stores.set(name, store); }',
    'export function findStore(name: string) { return stores.get(name)!; }',
    "addStore('main', createStore(process.env.DATABASE_URL!));",
  ]);
  repo.write('ledger/src/plugins/memory.ts', [
    "import { addStore } from '../store/open-registry';",
    "addStore('memory', { kind: 'memory', async run() { return []; } } as never);",
  ]);
});

test('BEGIN then set_config(…, true) through a wrapper over a pool its factory makes, directly or from a registry, is flagged', () => {
  assert.deepEqual(rulesOf('ledger/src/tenancy/direct.ts', tenantScope("import { createStore } from '../store/postgres';", 'createStore(process.env.DATABASE_URL!)')),
    ['set-local-outside-transaction 5']);
  assert.deepEqual(rulesOf('ledger/src/tenancy/pg.ts', tenantScope("import { createPgStore } from '../store/postgres';", 'createPgStore(process.env.DATABASE_URL!)')),
    ['set-local-outside-transaction 5']);
  assert.deepEqual(rulesOf('ledger/src/tenancy/registry.ts', tenantScope("import { getStore } from '../store/registry';", "getStore('main')")),
    ['set-local-outside-transaction 5']);
});

test('a one-connection pool, a wrapper over a handed-in client, or a registry other modules fill is one sequence', () => {
  assert.deepEqual(rulesOf('ledger/src/tenancy/single.ts', tenantScope("import { createSingleStore } from '../store/postgres';", 'createSingleStore(process.env.DATABASE_URL!)')), []);
  assert.deepEqual(rulesOf('ledger/src/tenancy/client.ts', tenantScope("import pg from 'pg';\nimport { wrapClient } from '../store/postgres';", 'wrapClient(new pg.Client())')), []);
  assert.deepEqual(rulesOf('ledger/src/tenancy/open.ts', tenantScope("import { findStore } from '../store/open-registry';", "findStore('main')")), []);
});

/** A module exporting one instance of a database class whose `exec` sends its caller's text on `this.<field>`. */
const serviceModule = (field: string, fill: string) => [
  "import { Pool, PoolClient } from 'pg';",
  'class Database {',
  `  ${field}`,
  '  async connect(url: string) {',
  `    ${fill}`,
  '  }',
  '  async exec(text: string, values: unknown[] = []) {',
  "    if (!this.conn) throw new Error('not connected');",
  '    return this.conn.query(text, values);',
  '  }',
  '}',
  'export const Db = new Database();',
];

test('BEGIN then set_config(…, true) through a singleton whose field holds a pool (declared one, or filled only with new Pool) is flagged', () => {
  repo.write('ledger/src/service/declared.ts', serviceModule('private conn: Pool | null = null;', 'this.conn = new Pool({ connectionString: url });'));
  repo.write('ledger/src/service/made.ts', serviceModule('private conn = null;', 'this.conn = new Pool({ connectionString: url, max: 10 });'));
  const scope = (module: string) => tenantScope(`import { Db } from '../service/${module}';`, 'Db').map((line) => line.replace(/db\.run/g, 'db.exec'));
  assert.deepEqual(rulesOf('ledger/src/tenancy/declared-field.ts', scope('declared')), ['set-local-outside-transaction 5']);
  assert.deepEqual(rulesOf('ledger/src/tenancy/made-field.ts', scope('made')), ['set-local-outside-transaction 5']);
});

test('a singleton whose field holds one connection (declared PoolClient, a checkout, a pool capped at one) keeps BEGIN and the setting in one sequence', () => {
  repo.write('ledger/src/service/checkout.ts', serviceModule('private conn: PoolClient | null = null;', 'this.conn = await new Pool({ connectionString: url }).connect();'));
  repo.write('ledger/src/service/untyped-checkout.ts', serviceModule('private conn = null;', 'this.conn = await new Pool({ connectionString: url }).connect();'));
  repo.write('ledger/src/service/capped.ts', serviceModule('private conn = null;', 'this.conn = new Pool({ connectionString: url, max: 1 });'));
  const scope = (module: string) => tenantScope(`import { Db } from '../service/${module}';`, 'Db').map((line) => line.replace(/db\.run/g, 'db.exec'));
  assert.deepEqual(rulesOf('ledger/src/tenancy/checkout-field.ts', scope('checkout')), []);
  assert.deepEqual(rulesOf('ledger/src/tenancy/untyped-checkout-field.ts', scope('untyped-checkout')), []);
  assert.deepEqual(rulesOf('ledger/src/tenancy/capped-field.ts', scope('capped')), []);
});
