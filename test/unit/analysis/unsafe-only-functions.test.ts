// A postgres.js client handed to a function of the project that only sends text through it with unsafe()
// (never prepared unless asked) prepares nothing, so its creation needs no prepare: false.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const script = (importLine: string, local = '') => [
  "import postgres from 'postgres';",
  importLine,
  local,
  'export async function seed(url: string) {',
  '  const db = postgres(url);',
  '  await createSchema(db);',
  "  await db.unsafe('CREATE TABLE extra (id int)');",
  '  await db.end();',
  '}',
  '',
].join('\n');

function inProject(t: Cleanup, helper: string, importLine = "import { createSchema } from './schema';"): string[] {
  const repo = scratchRepository('unsafe-only', t);
  repo.writeAll({ 'package.json': '{ "name": "bench" }\n', 'schema.ts': helper });
  const text = script(importLine);
  return embeddedRules(text, repo.write('seed.ts', text));
}

test('a client handed to an imported or local function that only runs unsafe(text) on it, or ends it, prepares nothing', (t) => {
  const helper = "import type { Sql } from 'postgres';\nexport function createSchema(sql: Sql) {\n  return sql.unsafe('CREATE TABLE account (id int); CREATE INDEX ON account (id);');\n}\n";
  assert.deepEqual(inProject(t, helper), []);
  const local = "const createSchema = async (sql) => { await sql.unsafe('CREATE TABLE a (id int)'); await sql.end(); };";
  assert.deepEqual(embeddedRules(script('', local), 'seed.ts'), []);
});

test('the client keeps its prepared-statement finding when the function tags a query on it, asks unsafe() to prepare, passes it on, or cannot be read', (t) => {
  // (Tagged in a loop: a tag that runs once per client would be one-shot, postgresJsOneShot.ts, and need no flag.)
  const tags = "export async function createSchema(sql) {\n  for (const table of ['account', 'ledger']) await sql`SELECT count(*) FROM ${sql(table)}`;\n}\n";
  assert.deepEqual(inProject(t, tags), ['protocol-prepared-statement']);
  const prepares = "export function createSchema(sql) {\n  return sql.unsafe('SELECT 1', [], { prepare: true });\n}\n";
  assert.deepEqual(inProject(t, prepares), ['protocol-prepared-statement']);
  const passesOn = "import { migrate } from './migrate';\nexport function createSchema(sql) {\n  return migrate(sql);\n}\n";
  assert.deepEqual(inProject(t, passesOn), ['protocol-prepared-statement']);
  assert.deepEqual(embeddedRules(script("import { createSchema } from 'schema-kit';"), 'seed.ts'), ['protocol-prepared-statement']);
});

/** A project with `replica.ts` (the helpers) and a tool script that makes a client and hands it over. */
function withReplicaHelpers(t: Cleanup, helpers: string, tool: string): string[] {
  const repo = scratchRepository('options-only', t);
  repo.writeAll({ 'package.json': '{ "name": "replica-tool" }\n', 'replica.ts': helpers });
  return embeddedRules(tool, repo.write('tool.ts', tool));
}

const TOOL = [
  "import postgres from 'postgres';",
  "import type { Database } from './types';",
  "import { follow } from './replica';",
  'const source = postgres() as Database;',
  "for await (const change of await follow(source, 'slot_a')) console.log(change);",
  '',
].join('\n');

/** `openStream(db)` builds a walsender client from `db.options`; `follow(db, slot)` hands `db` to it. */
const helpersWhere = (openStreamBody: string, followBody = 'const stream = openStream(db);') => [
  "import postgres from 'postgres';",
  `function openStream(db) {\n  ${openStreamBody}\n}`,
  `export async function follow(db, slot: string) {\n  ${followBody}\n  await stream.unsafe(\`START_REPLICATION SLOT \${slot} LOGICAL 0/0\`);\n  return stream;\n}`,
  '',
].join('\n');

test('a client handed to a function that only copies its options into another connection (through a helper of that file) prepares nothing', (t) => {
  const copiesOptions = helpersWhere("return postgres({ ...db.options, max: 1, connection: { replication: 'database' } });");
  assert.deepEqual(withReplicaHelpers(t, copiesOptions, TOOL), []);
  // Reading the options where it is handed over counts the same.
  const readsThere = helpersWhere("return postgres({ max: 1, connection: { replication: 'database' } });",
    "const settings = db.options; const stream = openStream(settings);");
  assert.deepEqual(withReplicaHelpers(t, readsThere, TOOL), []);
});

test('the client keeps its finding when a helper it is handed to also queries it, changes its options, or the handoffs go too deep', (t) => {
  const queriesToo = helpersWhere("for (const attempt of [1, 2]) await db`SELECT now()`;\n  return postgres({ ...db.options, connection: { replication: 'database' } });");
  assert.deepEqual(withReplicaHelpers(t, queriesToo, TOOL), ['protocol-prepared-statement']);
  const setsOptions = helpersWhere("db.options = { max: 1 };\n  return postgres({ connection: { replication: 'database' } });");
  assert.deepEqual(withReplicaHelpers(t, setsOptions, TOOL), ['protocol-prepared-statement']);
  // Deeper than both bounds together: postgresJsOneShot.ts follows a client handed to the project's functions three
  // calls deep, and at each of them this file's unsafe-only check may follow three more.
  const deep = [
    "import postgres from 'postgres';",
    'function level6(db) { return postgres(db.options); }',
    'function level5(db) { return level6(db); }',
    'function level4(db) { return level5(db); }',
    'function level3(db) { return level4(db); }',
    'function level2(db) { return level3(db); }',
    'function level1(db) { return level2(db); }',
    'export async function follow(db, slot: string) { const stream = level1(db); return stream.unsafe(slot); }',
    '',
  ].join('\n');
  assert.deepEqual(withReplicaHelpers(t, deep, TOOL), ['protocol-prepared-statement']);
  // A client queried in its own file keeps the finding, type assertion or not.
  assert.deepEqual(withReplicaHelpers(t, helpersWhere('return postgres(db.options);'), `${TOOL}for (const table of tables) await source\`SELECT count(*) FROM \${source(table)}\`;\n`), ['protocol-prepared-statement']);
});

/** A CLI that opens two clients on URLs it is given and hands each to an inspector imported through `importLine`. */
function inspectorProject(t: Cleanup, files: Record<string, string>, importLine: string): string[] {
  const repo = scratchRepository('unsafe-barrel', t);
  repo.writeAll({ 'package.json': '{ "name": "catalog-cli" }\n', ...files });
  const cli = [
    "import postgres from 'postgres';",
    importLine,
    'export async function compare(left: string, right: string) {',
    '  const a = postgres(left);',
    '  const b = postgres(right);',
    '  try {',
    '    return [await readCatalog(a), await readCatalog(b)];',
    '  } finally {',
    '    await a.end();',
    '    await b.end();',
    '  }',
    '}',
    '',
  ].join('\n');
  return embeddedRules(cli, repo.write('src/cli/compare.ts', cli));
}

const UNSAFE_INSPECTOR = "export async function readCatalog(conn) {\n  const rows = await conn.unsafe<{ name: string }[]>('SELECT relname AS name FROM pg_class');\n  return rows.map((r) => r.name);\n}\n";
/** Tags a query once per schema: it may run again on the same client (once only, it would be one-shot: postgresJsOneShot.ts). */
const TAGGING_INSPECTOR = "export async function readCatalog(conn) {\n  const names = [];\n  for (const schema of ['public', 'app']) names.push(...await conn`SELECT relname FROM pg_class WHERE relnamespace = ${schema}::regnamespace`);\n  return names;\n}\n";

test('the function is found through the project\'s barrel files: export * chains, export { name } from, and an export list', (t) => {
  // src/catalog/index.ts re-exports src/catalog/read/index.ts, which re-exports the file that defines the function.
  const chain = {
    'src/catalog/index.ts': "export * from './read';\nexport * from './types';\n",
    'src/catalog/types.ts': 'export type Catalog = string[];\n',
    'src/catalog/read/index.ts': "export * from './inspect';\n",
    'src/catalog/read/inspect.ts': UNSAFE_INSPECTOR,
  };
  assert.deepEqual(inspectorProject(t, chain, "import { readCatalog } from '../catalog';"), []);
  // A named re-export under another name.
  const renamed = {
    'src/catalog/index.ts': "export { inspectCatalog as readCatalog } from './inspect';\n",
    'src/catalog/inspect.ts': UNSAFE_INSPECTOR.replace('readCatalog', 'inspectCatalog'),
  };
  assert.deepEqual(inspectorProject(t, renamed, "import { readCatalog } from '../catalog';"), []);
  // A module that declares the function unexported and exports it in a list at the end.
  const listed = { 'src/catalog.ts': `${UNSAFE_INSPECTOR.replace('export async', 'async')}export { readCatalog };\n` };
  assert.deepEqual(inspectorProject(t, listed, "import { readCatalog } from '../catalog';"), []);
});

test('through a barrel the clients keep their findings when the function tags a query, or the barrel leads nowhere readable', (t) => {
  const chain = {
    'src/catalog/index.ts': "export * from './read';\n",
    'src/catalog/read/index.ts': "export * from './inspect';\n",
    'src/catalog/read/inspect.ts': TAGGING_INSPECTOR,
  };
  assert.deepEqual(inspectorProject(t, chain, "import { readCatalog } from '../catalog';"), ['protocol-prepared-statement', 'protocol-prepared-statement']);
  // The named re-export points at a package, not at a file of the project.
  const external = { 'src/catalog/index.ts': "export { readCatalog } from 'catalog-reader';\n" };
  assert.deepEqual(inspectorProject(t, external, "import { readCatalog } from '../catalog';"), ['protocol-prepared-statement', 'protocol-prepared-statement']);
  // A barrel whose named re-export list does not hold the name.
  const other = {
    'src/catalog/index.ts': "export { listTables } from './inspect';\n",
    'src/catalog/inspect.ts': `${UNSAFE_INSPECTOR}export const listTables = () => [];\n`,
  };
  assert.deepEqual(inspectorProject(t, other, "import { readCatalog } from '../catalog';"), ['protocol-prepared-statement', 'protocol-prepared-statement']);
});

test("a local helper is read as the file's other lookups read it: past overload signatures to the implementation, and through a type assertion", () => {
  const overloaded = (body: string) => [
    'async function createSchema(sql: Sql): Promise<void>;',
    'async function createSchema(sql: Sql, schema: string): Promise<void>;',
    `async function createSchema(sql: Sql, schema = 'public') {\n  ${body}\n}`,
  ].join('\n');
  assert.deepEqual(embeddedRules(script("import type { Sql } from 'postgres';", overloaded("await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);")), 'seed.ts'), []);
  const asserted = "const createSchema = (async (sql) => { await sql.unsafe('CREATE TABLE a (id int)'); }) as (sql: unknown) => Promise<void>;";
  assert.deepEqual(embeddedRules(script('', asserted), 'seed.ts'), []);
});

test('an overloaded or asserted local helper that tags a query on the client keeps the finding', () => {
  const overloaded = [
    'async function createSchema(sql: Sql): Promise<void>;',
    'async function createSchema(sql: Sql, schema: string): Promise<void>;',
    "async function createSchema(sql: Sql, schema = 'public') {\n  for (const t of ['a', 'b']) await sql`SELECT count(*) FROM ${sql(t)}`;\n}",
  ].join('\n');
  assert.deepEqual(embeddedRules(script("import type { Sql } from 'postgres';", overloaded), 'seed.ts'), ['protocol-prepared-statement']);
  const asserted = "const createSchema = (async (sql) => { for (const t of ['a', 'b']) await sql`SELECT count(*) FROM ${sql(t)}`; }) as (sql: unknown) => Promise<void>;";
  assert.deepEqual(embeddedRules(script('', asserted), 'seed.ts'), ['protocol-prepared-statement']);
});
