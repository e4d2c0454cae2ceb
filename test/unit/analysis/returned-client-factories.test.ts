// A postgres.js client a function returns — a factory that makes it per call (`export const openClient = (url) =>
// postgres(url)`, `function makeClient() { const sql = postgres(url); return sql; }`, or one that fills a module `let`
// and returns it at once) — is followed into every call of that function, in its file and, when exported, in every
// file importing it by name (also through a package's barrel, `export * from './connect'`). When each call hands the
// client straight to a wrapper that sends everything with unsafe() — kysely-postgres-js's dialect, or drizzle whose
// database never runs a transaction — nothing is prepared. A call whose client is queried with a tag, a drizzle
// database that runs a transaction, an importer reaching the factory through a namespace import, or an exported
// factory whose module no file imports, keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('returned-clients', { after });
before(() => initAnalysis());

/** The lines of the prepared-statement findings of a file on disk. */
function preparedLines(file: string): number[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file)
    .filter((f) => f.rule === 'protocol-prepared-statement')
    .map((f) => text.slice(0, f.start).split('\n').length);
}

/** A module with two module-level clients: one cached for the app's own queries, one made fresh for the auth library. */
const CONNECTIONS = [
  "import postgres from 'postgres';", // 1
  'let shared: postgres.Sql | null = null;',
  'let forAuth: postgres.Sql | null = null;',
  'export function appClient() {',
  '  if (shared) return shared;',
  '  shared = postgres(process.env.DATABASE_URL!);', // 6
  '  return shared;',
  '}',
  'export function authClient() {',
  "  const url = process.env.DATABASE_URL ?? '';",
  "  if (!url) throw new Error('DATABASE_URL is not set');",
  '  forAuth = postgres(url);', // 12
  '  return forAuth;',
  '}',
];

/** The auth library's setup: the fresh client goes straight into kysely-postgres-js's dialect. */
const AUTH = [
  "import { PostgresJSDialect } from 'kysely-postgres-js';",
  "import { authClient } from './connections';",
  'export const auth = { database: { dialect: new PostgresJSDialect({ postgres: authClient() }), type: "postgres" } };',
];

/** The app's queries on the cached client. */
const HOOKS = ["import { appClient } from './connections';", 'export const sessions = (id: string) => appClient()`SELECT * FROM sessions WHERE id = ${id}`;'];

test('a client a function fills and returns at once, every call of which goes into a kysely-postgres-js dialect, is not flagged; the queried one beside it is', () => {
  repo.write('forum/package.json', '{"name": "forum"}');
  const connections = repo.write('forum/src/connections.ts', CONNECTIONS);
  repo.write('forum/src/auth.ts', AUTH);
  repo.write('forum/src/hooks.ts', HOOKS);
  assert.deepEqual(preparedLines(connections), [6]);
});

test('the fresh client keeps its finding when a caller queries it, keeps it, or reaches the factory through a namespace import', () => {
  const callers: Record<string, string[]> = {
    tagged: ["import { authClient } from './connections';", 'export const ping = () => authClient()`SELECT 1`;'],
    kept: ["import { authClient } from './connections';", 'const sql = authClient();', 'export const ping = () => sql`SELECT 1`;'],
    namespace: ["import * as connections from './connections';", 'export const client = connections.authClient();'],
  };
  for (const [name, caller] of Object.entries(callers)) {
    repo.write(`${name}/package.json`, `{"name": "${name}"}`);
    const connections = repo.write(`${name}/src/connections.ts`, CONNECTIONS);
    repo.write(`${name}/src/auth.ts`, AUTH);
    repo.write(`${name}/src/hooks.ts`, HOOKS);
    repo.write(`${name}/src/extra.ts`, caller);
    assert.deepEqual(preparedLines(connections), [6, 12], name);
  }
  // No file of the project imports the module: an exported factory is there for callers to come.
  repo.write('lonely/package.json', '{"name": "lonely"}');
  assert.deepEqual(preparedLines(repo.write('lonely/src/connections.ts', CONNECTIONS)), [6, 12]);
});

/** A workspace `store` package whose client factory is called only by its drizzle factory, re-exported by a barrel. */
const STORE = [
  "import { drizzle } from 'drizzle-orm/postgres-js';", // 1
  "import postgres from 'postgres';",
  "import * as schema from './schema';",
  'export const openClient = (url: string, options?: postgres.Options<{}>) => postgres(url, options);', // 4
  'export const openDb = (url: string, options?: postgres.Options<{}>) => drizzle(openClient(url, options), { schema });',
];

function storeWorkspace(name: string, store: string[], appLines: string[]): string {
  repo.writeAll({
    [`${name}/package.json`]: JSON.stringify({ name: 'news', private: true, workspaces: ['apps/*', 'packages/*'] }),
    [`${name}/packages/store/package.json`]: JSON.stringify({ name: '@news/store', private: true, exports: { '.': './src/index.ts' } }),
    [`${name}/packages/store/src/index.ts`]: ["export * from './schema';", "export * from './connect';"],
    [`${name}/packages/store/src/schema.ts`]: ['export const feeds = {};'],
    [`${name}/packages/store/src/connect.ts`]: store,
    [`${name}/packages/store/src/seed.ts`]: ["import { openDb } from './connect';", "import { feeds } from './schema';", 'await openDb(process.env.DATABASE_URL!).insert(feeds).values({});'],
    [`${name}/apps/worker/package.json`]: JSON.stringify({ name: 'worker', dependencies: { '@news/store': '*' } }),
    [`${name}/apps/worker/src/db.ts`]: appLines,
  });
  return join(repo.path(name), 'packages/store/src/connect.ts');
}

// The app's own factory of the database (not exported: an exported one no file imports keeps drizzle's finding).
const READS = ["import { openDb, feeds } from '@news/store';", 'function database(url: string) {', '  return openDb(url, { max: 5 });', '}', 'export const list = (url: string) => database(url).select().from(feeds);'];

test("a client factory whose only call hands the client to drizzle is followed with that database, through the package's barrel", () => {
  assert.deepEqual(preparedLines(storeWorkspace('reads', STORE, READS)), []);
  // The same with the client kept in a const the factory returns.
  const constReturned = STORE.map((line, i) => (i === 3 ? 'export function openClient(url: string, options?: postgres.Options<{}>) {\n  const sql = postgres(url, options);\n  return sql;\n}' : line));
  assert.deepEqual(preparedLines(storeWorkspace('const-returned', constReturned, READS)), []);
});

test('the factory keeps its finding when the drizzle database runs a transaction, or an app tags the client itself', () => {
  const transacted = [...READS, 'export const move = (url: string) => database(url).transaction(async (tx) => { await tx.select().from(feeds); });'];
  assert.deepEqual(preparedLines(storeWorkspace('transacted', STORE, transacted)), [4]);
  const tagged = [...READS, "import { openClient } from '@news/store';", 'export const now = (url: string) => openClient(url)`SELECT now()`;'];
  assert.deepEqual(preparedLines(storeWorkspace('tagged', STORE, tagged)), [4]);
});

test('a factory exported through an export list (`export { openClient }`, also renamed) is followed into its importers as one declared exported', () => {
  const listed = (exportLine: string) => [...STORE.map((line, i) => (i === 3 ? line.replace('export const', 'const') : line)), exportLine];
  assert.deepEqual(preparedLines(storeWorkspace('listed', listed('export { openClient };'), READS)), []);
  const tagged = [...READS, "import { openClient } from '@news/store';", 'export const now = (url: string) => openClient(url)`SELECT now()`;'];
  assert.deepEqual(preparedLines(storeWorkspace('listed-tagged', listed('export { openClient };'), tagged)), [4]);
  const renamed = [...READS, "import { makeClient } from '@news/store';", 'export const now = (url: string) => makeClient(url)`SELECT now()`;'];
  assert.deepEqual(preparedLines(storeWorkspace('listed-renamed', listed('export { openClient as makeClient };'), renamed)), [4]);
  assert.deepEqual(preparedLines(storeWorkspace('listed-renamed-reads', listed('export { openClient as makeClient };'), READS)), []);
});
