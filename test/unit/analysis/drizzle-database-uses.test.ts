// Cross-file flow of a drizzle database made on a postgres.js client: drizzle sends queries unprepared, but a
// transaction on the database names its commit as a prepared statement, so the client is flagged unless no
// file of the project ever runs one on it. Each project is written to its own temporary folder on disk,
// because the analysis reads the importers from there (as the CLI and the editor do), reached by relative
// paths, tsconfig path aliases and re-exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('drizzle-uses', { after });
before(() => initAnalysis());

/** Writes a project (package.json, a tsconfig with `@/*` → `./src/*`, and the given files), returns its folder. */
function project(name: string, files: Record<string, string[]>): string {
  const all: Record<string, string | string[]> = {
    'package.json': JSON.stringify({ name }),
    // A comment and a trailing comma, as tsconfig files allow.
    'tsconfig.json': '{\n  // aliases\n  "compilerOptions": { "paths": { "@/*": ["./src/*"], }, },\n}',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) repo.write(`${name}/${path}`, text);
  return repo.path(name);
}

const rulesOf = (folder: string, path: string, text: string[]) => analyze(text.join('\n'), 'typescript', {}, join(folder, path)).map((f) => f.rule);
const FLAGGED = ['protocol-prepared-statement'];

/** A Next.js-style database module: a global cache in development, the database exported. */
const CACHED_DB = [
  "import postgres from 'postgres';",
  "import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';",
  'const cache = globalThis as unknown as { db?: PostgresJsDatabase };',
  'let connection: PostgresJsDatabase;',
  "if (process.env.NODE_ENV === 'production') {",
  '  connection = drizzle(postgres(process.env.DATABASE_URL!));',
  '} else {',
  '  if (!cache.db) cache.db = drizzle(postgres(process.env.DATABASE_URL!));',
  '  connection = cache.db;',
  '}',
  'export const db: PostgresJsDatabase = connection;',
];
const SIMPLE_DB = ["import postgres from 'postgres';", "import { drizzle } from 'drizzle-orm/postgres-js';", 'export const db = drizzle(postgres(url));'];

test('an exported drizzle database every importer only queries (via a path alias, a relative path, a re-export) leaves its postgres.js client unflagged', () => {
  const folder = project('queries-only', {
    'src/db/index.ts': CACHED_DB,
    'src/routes/users.ts': ["import { db } from '@/db';", 'export const list = () => db.select().from(users);', 'export async function add(row) { if (!db) return; await db\n  .insert(users).values(row); }'],
    'src/routes/tags.ts': ["import { db as database } from '../db';", 'export const one = (id) => database.query.tags.findFirst({ where: eq(tags.id, id) });'],
    'src/server.ts': ["export { db } from './db';", "export type { Db } from './db';"],
    'src/jobs/cleanup.ts': ["import { db } from '../server';", "export const run = () => db.execute(sql`DELETE FROM sessions WHERE expires < now()`);"],
    // A parameter of the same name elsewhere is another value, whatever it does.
    'src/routes/other.ts': ["import { db } from '@/db';", 'export const n = () => db.select();', 'export const t = (db) => db.transaction(work);'],
  });
  assert.deepEqual(rulesOf(folder, 'src/db/index.ts', CACHED_DB), []);
});

test('an exported drizzle database is flagged when an importer may run a transaction on it, or takes it in a way not followed', () => {
  const cases: Record<string, string[]> = {
    transaction: ["import { db } from '@/db';", 'export const move = () => db.transaction(async (tx) => { await tx.update(a).set(b); });'],
    client: ["import { db } from '../db';", 'export const raw = () => db.$client`SELECT 1`;'],
    passedOn: ["import { db } from '@/db';", 'export const repo = new UserRepository(db);'],
    namespace: ["import * as data from '@/db';", 'export const list = () => data.db.select();'],
    required: ["const { db } = require('../db');", 'module.exports = () => db.select();'],
    reexported: ["import { db } from '../server';", 'export const move = () => db.transaction(work);'],
  };
  for (const [name, importer] of Object.entries(cases)) {
    const folder = project(`flagged-${name}`, {
      'src/db/index.ts': SIMPLE_DB,
      'src/server.ts': ["export * from './db';"],
      'src/routes/list.ts': ["import { db } from '@/db';", 'export const list = () => db.select();'],
      'src/routes/uses.ts': importer,
    });
    assert.deepEqual(rulesOf(folder, 'src/db/index.ts', SIMPLE_DB), FLAGGED, name);
  }
  // An export no file of the project imports is there for the package's users, who may run transactions.
  const unused = project('flagged-unused', { 'src/db/index.ts': SIMPLE_DB, 'src/other.ts': ["import { x } from './y';"] });
  assert.deepEqual(rulesOf(unused, 'src/db/index.ts', SIMPLE_DB), FLAGGED);
});

test('a drizzle database kept in a global cache in its own file is followed through the cache and the variable it is copied to', () => {
  const local = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'const cache = globalThis as unknown as { db?: any };',
    'let db;',
    'if (!cache.db) cache.db = drizzle(postgres(url));',
    'db = cache.db;',
  ];
  const folder = project('local-cache', { 'src/db.ts': local });
  assert.deepEqual(rulesOf(folder, 'src/db.ts', [...local, 'export const list = () => db.select();']), []);
  assert.deepEqual(rulesOf(folder, 'src/db.ts', [...local, 'export const move = () => db.transaction(work);']), FLAGGED);
  assert.deepEqual(rulesOf(folder, 'src/db.ts', [...local, 'export const move = () => cache.db.transaction(work);']), FLAGGED);
  assert.deepEqual(rulesOf(folder, 'src/db.ts', [...local, 'register(cache.db);']), FLAGGED);
});

test('a drizzle database passed to a function of the project is followed into its parameter; passed to anything else it may run transactions', () => {
  const consumer = (adapter: string[]) => ({
    'src/db.ts': SIMPLE_DB,
    'src/adapter.ts': adapter,
    'src/app.ts': ["import { db } from './db';", "import { makeAdapter } from './adapter';", 'export const adapter = makeAdapter(db, {});'],
  });
  const queries = [
    "import { is } from 'drizzle-orm';",
    "import { PgDatabase } from 'drizzle-orm/pg-core';",
    'export function makeAdapter(client, options) {',
    '  if (!is(client, PgDatabase)) throw new Error("unsupported");',
    '  return { users: () => client.select().from(users), add: (row) => pgInsert(client, row) };',
    '}',
    'function pgInsert(database, row) { return database.insert(users).values(row); }',
  ];
  const passed = project('passed-queries', consumer(queries));
  assert.deepEqual(rulesOf(passed, 'src/db.ts', SIMPLE_DB), []);
  const variants: Record<string, string[]> = {
    transaction: queries.map((line) => line.replace('database.insert(users).values(row)', 'database.transaction((tx) => tx.insert(users).values(row))')),
    unknownCallee: queries.map((line) => line.replace('pgInsert(client, row)', 'externalInsert(client, row)')),
    rest: queries.map((line) => line.replace('function pgInsert(database, row)', 'function pgInsert(...args)').replace('database.insert', 'args[0].insert')),
    // Another library's `is` could do anything with it.
    otherIs: queries.map((line) => line.replace("from 'drizzle-orm'", "from './checks'")),
  };
  for (const [name, adapter] of Object.entries(variants)) {
    const folder = project(`passed-${name}`, consumer(adapter));
    assert.deepEqual(rulesOf(folder, 'src/db.ts', SIMPLE_DB), FLAGGED, name);
  }
});

test('a drizzle database handed to a repository class of the project is followed into the methods the file calls on it (and the member objects they reach); a called method that runs a transaction, or a repository used otherwise, keeps the flag', () => {
  const job = (calls: string[]) => [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { AccountStore } from './stores/accounts';",
    'const client = postgres(process.env.DATABASE_URL!);',
    'const db = drizzle(client);',
    'const stale = await db.select().from(accounts);',
    'const store = new AccountStore(console, db);',
    ...calls,
    'await client.end();',
  ];
  const store = [
    "import { AuditTrail } from './audit';",
    'export class AccountStore implements Closeable {',
    '  private audit: AuditTrail;',
    '  constructor(private log: Logger, private db: Database) {',
    '    this.audit = new AuditTrail(db);',
    '  }',
    '  async markDormant(id: string) {',
    '    await this.db.update(accounts).set({ dormant: true }).where(eq(accounts.id, id));',
    '    await this.note(id);',
    '  }',
    '  private async note(id: string) {',
    "    await this.audit.record(id, 'dormant');",
    '  }',
    '  async merge(a: string, b: string) {',
    '    return this.db.transaction(async (tx) => { await tx.delete(accounts).where(eq(accounts.id, b)); });',
    '  }',
    '  async wipe(id: string) {',
    '    await this.audit.purge(id);',
    '  }',
    '  handOut() {',
    '    return this.db;',
    '  }',
    '}',
  ];
  const audit = [
    'export class AuditTrail {',
    '  constructor(private readonly database: Database) {}',
    '  record(id: string, what: string) {',
    '    return this.database.insert(audit).values({ id, what });',
    '  }',
    '  purge(id: string) {',
    '    return this.database.transaction((tx) => tx.delete(audit).where(eq(audit.id, id)));',
    '  }',
    '}',
  ];
  const files = (calls: string[]) => ({ 'src/job.ts': job(calls), 'src/stores/accounts.ts': store, 'src/stores/audit.ts': audit });
  const safe = project('class-plain', files(['for (const row of stale) await store.markDormant(row.id);']));
  assert.deepEqual(rulesOf(safe, 'src/job.ts', job(['for (const row of stale) await store.markDormant(row.id);'])), []);
  const variants: Record<string, string[]> = {
    // the method itself runs a transaction
    ownTransaction: ["await store.merge('a', 'b');"],
    // a member object it reaches runs one
    memberTransaction: ["await store.wipe('a');"],
    // the database leaves the class
    handedOut: ['const raw = store.handOut();'],
    // the repository goes where any of its methods may be called (merge runs a transaction)
    passedOn: ['await schedule(store);'],
  };
  for (const [name, calls] of Object.entries(variants)) {
    const folder = project(`class-${name}`, files(calls));
    assert.deepEqual(rulesOf(folder, 'src/job.ts', job(calls)), FLAGGED, name);
  }
});

test('a drizzle database handed to a class the project exports through a barrel is followed into it; an instance handed on is read as an injected database: every member walked, the database kept private', () => {
  const worker = (after: string[]) => [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { LedgerWriter } from './ledger';",
    'const db = drizzle(postgres(process.env.LEDGER_URL!));',
    'for (const entry of await db.select().from(pending)) {',
    '  const writer = new LedgerWriter(db, entry.account);',
    ...after,
    '}',
  ];
  const writer = (members: string[], held = 'private readonly db: Database', heritage = '') => [
    `export class LedgerWriter${heritage} {`,
    `  constructor(${held}, private readonly account?: string) {}`,
    '  async post(amount: number) {',
    '    await this.db.insert(ledger).values({ account: this.account ?? null, amount });',
    '    await this.db.update(balances).set({ total: sql`total + ${amount}` }).where(eq(balances.account, this.account));',
    '  }',
    ...members,
    '}',
  ];
  const files = (after: string[], ledger: string[], extra: Record<string, string[]> = {}) => ({
    'src/worker.ts': worker(after),
    // `.js` specifiers of TypeScript sources, as ESM packages write them
    'src/ledger/index.ts': ["export * from './types.js';", "export * from './writer.js';"],
    'src/ledger/types.ts': ['export type Database = unknown;'],
    'src/ledger/writer.ts': ledger,
    ...extra,
  });
  const handedOn = ['  await settle(entry, { writer });'];
  const rules = (name: string, after: string[], ledger: string[], extra?: Record<string, string[]>) =>
    rulesOf(project(`barrel-class-${name}`, files(after, ledger, extra)), 'src/worker.ts', worker(after));
  // Only its methods called, the class found through the barrel's `export *`.
  assert.deepEqual(rules('called', ['  await writer.post(entry.amount);'], writer([])), []);
  // Handed on: any method may run, and none reaches a transaction or lets the database out.
  assert.deepEqual(rules('handed-on', handedOn, writer(['  describe() { return `ledger of ${this.account}`; }'])), []);
  const kept: Record<string, [string[], string[], Record<string, string[]>?]> = {
    // a called method runs a transaction
    calledTransaction: [['  await writer.reverse();'], writer(['  reverse() { return this.db.transaction(async (tx) => { await tx.delete(ledger); }); }'])],
    // handed on, and a method nobody calls here runs one: the receiver may call it
    uncalledTransaction: [handedOn, writer(['  reverse() { return this.db.transaction(async (tx) => { await tx.delete(ledger); }); }'])],
    // handed on, and a method hands the database out
    handsOut: [handedOn, writer(['  get handle() { return this.db; }'])],
    // handed on, the field readable from outside the class
    publicField: [handedOn, writer([], 'readonly db: Database')],
    // handed on, a subclass may reach the field
    extendsBase: [handedOn, writer([], 'private readonly db: Database', ' extends Base')],
    // handed on, another file reads the private field by its quoted name
    quotedRead: [handedOn, writer([]), { 'src/audit.ts': ["export const peek = (w: any) => w['db'].transaction(work);"] }],
  };
  for (const [name, [after, ledger, extra]] of Object.entries(kept)) assert.deepEqual(rules(name, after, ledger, extra), FLAGGED, name);
});

test('a drizzle database loaded with a dynamic import() and only queried is followed like a named import', () => {
  const folder = project('dynamic-import-queries', {
    'src/db/index.ts': SIMPLE_DB,
    'src/routes/list.ts': ["import { db } from '@/db';", 'export const list = () => db.select().from(notes);'],
    // Loaded lazily inside a handler, destructured, renamed, read by member, or in a then-callback.
    'src/routes/lazy.ts': [
      'export async function handler(id) {',
      "  const { db } = await import('../db');",
      '  return db.select().from(notes).where(eq(notes.id, id));',
      '}',
      "export const count = async () => { const { db: database } = await import('@/db'); return database.$count(notes); };",
      "export const first = async () => (await import('../db/index')).db.query.notes.findFirst();",
      "export const later = () => import('@/db').then(({ db }) => db.execute(sql`SELECT 1`));",
    ],
  });
  assert.deepEqual(rulesOf(folder, 'src/db/index.ts', SIMPLE_DB), []);
});

test('a drizzle database loaded with a dynamic import() is flagged when the loaded name runs a transaction or the module is kept whole', () => {
  const cases: Record<string, string[]> = {
    destructuredTransaction: ['export async function move() {', "  const { db } = await import('../db');", '  await db.transaction(async (tx) => { await tx.delete(a); });', '}'],
    renamedTransaction: ["export const move = async () => { const { db: d } = await import('@/db'); return d.transaction(work); };"],
    memberTransaction: ["export const move = async () => (await import('@/db')).db.transaction(work);"],
    thenTransaction: ["export const move = () => import('@/db').then(({ db }) => db.transaction(work));"],
    moduleKept: ["export const list = async () => { const mod = await import('@/db'); return mod.db.select(); };"],
    moduleHandedOn: ["export const list = () => import('@/db').then(run);"],
    restElement: ["export const list = async () => { const { ...all } = await import('@/db'); return all.db.select(); };"],
  };
  for (const [name, importer] of Object.entries(cases)) {
    const folder = project(`dynamic-flagged-${name}`, {
      'src/db/index.ts': SIMPLE_DB,
      'src/routes/list.ts': ["import { db } from '@/db';", 'export const list = () => db.select();'],
      'src/routes/uses.ts': importer,
    });
    assert.deepEqual(rulesOf(folder, 'src/db/index.ts', SIMPLE_DB), FLAGGED, name);
  }
});

/** A multi-tenant module: a function that opens a client on the tenant's URL and returns a drizzle database on it. */
const TENANT_FACTORY = [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import { tenantUrl } from './catalog';",
  'export async function openTenant(tenant: string) {',
  '  const client = postgres(await tenantUrl(tenant));',
  '  const database = drizzle(client);',
  '  return database;',
  '}',
];

test('a drizzle database a factory returns is followed into every call of the factory: declared, arrow or default-exported, here and in importers', () => {
  const folder = project('factory-queries', {
    'src/db/tenant.ts': TENANT_FACTORY,
    'src/routes/invoices.ts': [
      "import { openTenant } from '@/db/tenant';",
      'export async function list(tenant: string) {',
      '  const tdb = await openTenant(tenant);',
      '  return tdb.select().from(invoices);',
      '}',
      "export const count = async (t: string) => (await openTenant(t)).$count(invoices);",
      "export const later = (t: string) => openTenant(t).then((tdb) => tdb.select().from(invoices));",
    ],
  });
  assert.deepEqual(rulesOf(folder, 'src/db/tenant.ts', TENANT_FACTORY), []);
  // An arrow factory with an expression body, used in its own file only.
  const arrow = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'const connect = (url: string) => drizzle(postgres(url));',
    'export async function report(url: string) {',
    '  const reporting = connect(url);',
    '  return reporting.select().from(orders);',
    '}',
  ];
  assert.deepEqual(rulesOf(project('factory-arrow', { 'src/report.ts': arrow }), 'src/report.ts', arrow), []);
  // A default-exported factory function.
  const byDefault = TENANT_FACTORY.map((line) => line.replace('export async function openTenant', 'export default async function openTenant'));
  const defaults = project('factory-default', {
    'src/db/tenant.ts': byDefault,
    'src/jobs/sweep.ts': ["import open from '../db/tenant';", "export const sweep = async () => (await open('t1')).delete(sessions);"],
  });
  assert.deepEqual(rulesOf(defaults, 'src/db/tenant.ts', byDefault), []);
});

test('a factory-made drizzle database keeps its flag when a caller runs a transaction on it, hands it on, or nobody calls the export', () => {
  const callers: Record<string, string[]> = {
    transaction: ["import { openTenant } from '@/db/tenant';", 'export async function move(t) {', '  const tdb = await openTenant(t);', '  await tdb.transaction(async (tx) => { await tx.update(a).set(b); });', '}'],
    client: ["import { openTenant } from '@/db/tenant';", 'export const raw = async (t) => (await openTenant(t)).$client`SELECT 1`;'],
    stored: ["import { openTenant } from '@/db/tenant';", 'const pool = new Map();', 'export async function keep(t) { pool.set(t, await openTenant(t)); }'],
    thenCallback: ["import { openTenant } from '@/db/tenant';", 'export const later = (t) => openTenant(t).then((tdb) => tdb.transaction(work));'],
    caught: ["import { openTenant } from '@/db/tenant';", 'export const later = (t) => openTenant(t).catch(report);'],
  };
  for (const [name, caller] of Object.entries(callers)) {
    const folder = project(`factory-${name}`, { 'src/db/tenant.ts': TENANT_FACTORY, 'src/routes/use.ts': caller });
    assert.deepEqual(rulesOf(folder, 'src/db/tenant.ts', TENANT_FACTORY), FLAGGED, name);
  }
  const unused = project('factory-unused', { 'src/db/tenant.ts': TENANT_FACTORY, 'src/other.ts': ["import { x } from './y';"] });
  assert.deepEqual(rulesOf(unused, 'src/db/tenant.ts', TENANT_FACTORY), FLAGGED);
  // The module is imported, but for something else: the factory is there for callers to come.
  const withOther = [...TENANT_FACTORY, 'export const tenantHeader = "x-tenant";'];
  const uncalled = project('factory-uncalled', { 'src/db/tenant.ts': withOther, 'src/routes/h.ts': ["import { tenantHeader } from '@/db/tenant';", 'export const h = tenantHeader;'] });
  assert.deepEqual(rulesOf(uncalled, 'src/db/tenant.ts', withOther), FLAGGED);
  // A method that returns the database is not followed.
  const method = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'export class Tenants {',
    '  open(url: string) { return drizzle(postgres(url)); }',
    '}',
  ];
  assert.deepEqual(rulesOf(project('factory-method', { 'src/tenants.ts': method }), 'src/tenants.ts', method), FLAGGED);
});

test('a drizzle database passed to a function imported through a barrel file is followed into its parameter', () => {
  const adapter = (body: string) => [
    'export function makeAdapter(client, options) {',
    `  return { users: () => ${body} };`,
    '}',
  ];
  const files = (body: string) => ({
    'src/db.ts': SIMPLE_DB,
    'src/adapters/index.ts': ["export * from './auth';", "export { makeAdapter as authAdapter } from './auth';"],
    'src/adapters/auth.ts': adapter(body),
    'src/app.ts': ["import { db } from './db';", "import { makeAdapter, authAdapter } from './adapters';", 'export const a = makeAdapter(db, {});', 'export const b = authAdapter(db, {});'],
  });
  assert.deepEqual(rulesOf(project('barrel-queries', files('client.select().from(users)')), 'src/db.ts', SIMPLE_DB), []);
  assert.deepEqual(rulesOf(project('barrel-transaction', files('client.transaction(work)')), 'src/db.ts', SIMPLE_DB), FLAGGED);
  // Only an overload signature behind the barrel, no body to read: not followed.
  const signatureOnly = { ...files('client.select()'), 'src/adapters/auth.ts': ['export declare function makeAdapter(client: unknown, options: object): object;'] };
  assert.deepEqual(rulesOf(project('barrel-declared', signatureOnly), 'src/db.ts', SIMPLE_DB), FLAGGED);
});

test('a drizzle database passed to a CommonJS module\'s exported function, or to a default export a barrel re-exports by name, is followed into its parameter', () => {
  const app = ['src/app.ts', ["import { db } from './db';", "import { makeAdapter } from './adapters';", 'export const a = makeAdapter(db, {});']] as const;
  const commonJs = (body: string) => ({
    'src/db.ts': SIMPLE_DB,
    'src/adapters.js': [`exports.makeAdapter = function (client, options) {\n  return { users: () => ${body} };\n};`],
    [app[0]]: [...app[1]],
  });
  assert.deepEqual(rulesOf(project('cjs-queries', commonJs('client.select().from(users)')), 'src/db.ts', SIMPLE_DB), []);
  assert.deepEqual(rulesOf(project('cjs-transaction', commonJs('client.transaction(work)')), 'src/db.ts', SIMPLE_DB), FLAGGED);
  const defaultExport = (body: string) => ({
    'src/db.ts': SIMPLE_DB,
    'src/adapters/index.ts': ["export { default as makeAdapter } from './auth';"],
    'src/adapters/auth.ts': [`export default function makeAdapter(client, options) {\n  return { users: () => ${body} };\n}`],
    [app[0]]: [...app[1]],
  });
  assert.deepEqual(rulesOf(project('default-queries', defaultExport('client.select().from(users)')), 'src/db.ts', SIMPLE_DB), []);
  assert.deepEqual(rulesOf(project('default-transaction', defaultExport('client.transaction(work)')), 'src/db.ts', SIMPLE_DB), FLAGGED);
});

test("a drizzle database handed to drizzle-seed's seed() or reset() runs no transaction there; the same call of another module's seed keeps the flag", () => {
  const script = (importLine: string, call: string) => [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    importLine,
    'async function main() {',
    '  const client = postgres(process.env.DATABASE_URL!);',
    '  const db = drizzle(client, { schema });',
    '  await db.insert(schema.users).values(rows).onConflictDoNothing();',
    `  ${call}`,
    '  await client.end();',
    '}',
    'main();',
  ];
  const seeded = script("import { seed, reset } from 'drizzle-seed';", 'await reset(db, schema); await seed(db, { posts: schema.posts }, { seed: 7 }).refine((f) => ({ posts: { count: 20 } }));');
  const folder = project('drizzle-seed', { 'scripts/seed.ts': seeded });
  assert.deepEqual(rulesOf(folder, 'scripts/seed.ts', seeded), []);
  // Renamed on import, still drizzle-seed's.
  const renamed = script("import { seed as fill } from 'drizzle-seed';", 'await fill(db, schema);');
  assert.deepEqual(rulesOf(folder, 'scripts/renamed.ts', renamed), []);
  // A seed function of unknown origin (here the project's own, not on disk) may open a transaction on it.
  const other = script("import { seed } from './fixtures';", 'await seed(db, schema);');
  assert.deepEqual(rulesOf(folder, 'scripts/other.ts', other), FLAGGED);
  // drizzle-seed's seed does not excuse a transaction the script runs itself.
  const withTransaction = script("import { seed } from 'drizzle-seed';", 'await seed(db, schema); await db.transaction(async (tx) => { await tx.delete(schema.posts); });');
  assert.deepEqual(rulesOf(folder, 'scripts/tx.ts', withTransaction), FLAGGED);
});

test("a drizzle database handed to Auth.js's DrizzleAdapter (@auth/drizzle-adapter) runs no transaction there; a factory's database given a transaction elsewhere keeps the flag", () => {
  // A factory that makes drizzle's own client and spreads drizzle's config beside the connection.
  const factory = [
    "import type { DrizzleConfig } from 'drizzle-orm';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'export const database = (url: string, params?: DrizzleConfig) => drizzle({ connection: { url, max: 1 }, ...params });',
  ];
  const auth = (importLine: string) => [
    importLine,
    "import { database } from '@/db';",
    'export const handler = async (env: Env) => {',
    '  const db = database(env.AUTH_URL);',
    '  const adapter = DrizzleAdapter(db);',
    '  const [user] = await db.select().from(users).where(eq(users.id, env.USER));',
    '  return { adapter, user };',
    '};',
  ];
  const adapted = project('authjs-adapter', { 'src/db/index.ts': factory, 'src/auth.ts': auth("import { DrizzleAdapter } from '@auth/drizzle-adapter';") });
  assert.deepEqual(rulesOf(adapted, 'src/db/index.ts', factory), []);
  // Another module's adapter of the same name may open a transaction on it.
  const other = project('other-adapter', { 'src/db/index.ts': factory, 'src/auth.ts': auth("import { DrizzleAdapter } from './adapter';") });
  assert.deepEqual(rulesOf(other, 'src/db/index.ts', factory), FLAGGED);
  // A script of the same project that runs a transaction on the factory's database.
  const job = ["import { database } from '@/db';", 'const db = database(process.env.DB_URL!);', 'await db.transaction(async (tx) => { await tx.delete(rows); });'];
  const both = project('adapter-and-job', { 'src/db/index.ts': factory, 'src/auth.ts': auth("import { DrizzleAdapter } from '@auth/drizzle-adapter';"), 'src/job.ts': job });
  assert.deepEqual(rulesOf(both, 'src/db/index.ts', factory), FLAGGED);
});

/** A client kept in a development cache across reloads, under a database that only queries. */
const CACHED_CLIENT = (extra: string[] = []) => [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  'const holder = globalThis as unknown as { sqlClient: ReturnType<typeof postgres> | undefined };',
  'const client = holder.sqlClient ?? postgres(process.env.DATABASE_URL!, { max: 5 });',
  "if (process.env.NODE_ENV !== 'production') holder.sqlClient = client;",
  ...extra,
  'export const db = drizzle(client);',
];

test('a postgres.js client taken from a reload cache or made (`cache ?? postgres(…)`) and stored back is followed like a const: under a drizzle database that never runs a transaction it is not flagged', () => {
  const folder = project('cached-client', {
    'src/db.ts': CACHED_CLIENT(),
    'src/routes/notes.ts': ["import { db } from './../db';", 'export const all = () => db.select().from(notes);'],
  });
  assert.deepEqual(rulesOf(folder, 'src/db.ts', CACHED_CLIENT()), []);
  // `||` reads the cache the same way.
  const either = CACHED_CLIENT().map((line) => line.replace(' ?? ', ' || '));
  assert.deepEqual(rulesOf(folder, 'src/db.ts', either), []);
});

test('a cached postgres.js client keeps its finding when the cache or the client is used otherwise, or the database runs a transaction', () => {
  const folder = project('cached-client-used', {
    'src/db.ts': CACHED_CLIENT(),
    'src/routes/notes.ts': ["import { db } from './../db';", 'export const all = () => db.select().from(notes);'],
  });
  // The cache read elsewhere in the file (its client may be tagged there), or given another value.
  assert.deepEqual(rulesOf(folder, 'src/db.ts', CACHED_CLIENT(['export const ping = () => holder.sqlClient!`SELECT 1`;'])), FLAGGED);
  assert.deepEqual(rulesOf(folder, 'src/db.ts', CACHED_CLIENT(['export function swap(other: ReturnType<typeof postgres>) { holder.sqlClient = other; }'])), FLAGGED);
  // The client itself tagged, or exported.
  assert.deepEqual(rulesOf(folder, 'src/db.ts', CACHED_CLIENT(['export const ping = () => client`SELECT 1`;'])), FLAGGED);
  assert.deepEqual(rulesOf(folder, 'src/db.ts', CACHED_CLIENT(['export { client };'])), FLAGGED);
  // The database runs a transaction in an importer.
  const busy = project('cached-client-tx', {
    'src/db.ts': CACHED_CLIENT(),
    'src/routes/notes.ts': ["import { db } from '../db';", 'export const move = () => db.transaction(async (tx) => tx.delete(notes));'],
  });
  assert.deepEqual(rulesOf(busy, 'src/db.ts', CACHED_CLIENT()), FLAGGED);
});

test('a drizzle database handed to a project function inside an options object is followed into that option (destructured or read by member, also through a local choice of functions)', () => {
  // The test file makes its own client and database and gives them to the queue's functions as `{ db, … }`.
  const SUITE = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { openQueue, startWorker } from '../src/queue';",
    'const client = postgres(process.env.QUEUE_URL!);',
    'const db = drizzle(client);',
    "export const queue = openQueue({ db, name: 'mail' });",
    "export const worker = startWorker('mail', { db: db, logger: console });",
  ];
  const queueModule = () => [
    "import { claimFast } from './claim-fast';",
    "import { claimSlow } from './claim-slow';",
    'export function openQueue(config) {',
    '  const { db, name } = config;',
    '  return { push: (row) => db.insert(jobs).values({ ...row, name }), size: () => config.db.select().from(jobs) };',
    '}',
    'export function startWorker(name, { db, logger }) {',
    '  const claim = process.env.FAST ? claimFast : claimSlow;',
    '  return { next: () => claim(db, name) };',
    '}',
  ];
  const claimModule = (name: string, body: string) => [`export function ${name}(database, queue) { return ${body}; }`];
  const files = (over: Record<string, string[]> = {}) => ({
    'src/queue.ts': queueModule(),
    'src/claim-fast.ts': claimModule('claimFast', 'database.execute(sql`UPDATE jobs SET taken = true WHERE queue = ${queue}`)'),
    'src/claim-slow.ts': claimModule('claimSlow', 'database.update(jobs).set({ taken: true })'),
    'test/queue.test.ts': SUITE,
    ...over,
  });
  const safe = project('options-queries', files());
  assert.deepEqual(rulesOf(safe, 'test/queue.test.ts', SUITE), []);
  // One of the chosen functions runs a transaction, the option is handed on whole, or read through a rest element: flagged.
  const variants: Record<string, Record<string, string[]>> = {
    chosenTransaction: { 'src/claim-slow.ts': claimModule('claimSlow', 'database.transaction((tx) => tx.update(jobs).set({ taken: true }))') },
    memberTransaction: { 'src/queue.ts': queueModule().map((line) => line.replace('config.db.select().from(jobs)', 'config.db.transaction(count)')) },
    handedOn: { 'src/queue.ts': queueModule().map((line) => line.replace('const { db, name } = config;', 'const { db, name } = config; register(config);')) },
    rest: { 'src/queue.ts': queueModule().map((line) => line.replace('{ db, logger }', '{ logger, ...rest }').replace('claim(db, name)', 'claim(rest.db, name)')) },
  };
  for (const [name, over] of Object.entries(variants)) {
    const folder = project(`options-${name}`, files(over));
    assert.deepEqual(rulesOf(folder, 'test/queue.test.ts', SUITE), FLAGGED, name);
  }
});

/** A driver matrix of a test file (neon-testing's tests): each case a factory of a drizzle database on a postgres.js client. */
const matrix = (rows: string[], run: string[], use = 'db().execute(`SELECT 1`)') => [
  "import { describe, test } from 'vitest';",
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import { lazySingleton } from './singleton';",
  ...rows,
  ...run.map((line) => line.replace('USE', use)),
];
const LAZY_SINGLETON = [
  'export function lazySingleton<T>(factory: () => T): () => T {',
  '  let instance: T | undefined;',
  '  return () => {',
  '    instance ??= factory();',
  '    return instance;',
  '  };',
  '}',
];
const TUPLE_CASES = ['const cases = [', '  ["pooler", (url: string) => drizzle({ client: postgres(url) })],', '  ["direct", (url: string) => drizzle(postgres(url))],', '] as const;'];
const EACH_RUN = [
  'describe.each(cases)("drizzle (%s)", (endpoint, makeDb) => {',
  '  const db = lazySingleton(() => makeDb(process.env.DATABASE_URL!));',
  '  test("runs", async () => { await USE; });',
  '});',
];

test('a drizzle database made by a case of a test table (`describe.each(cases)`, a `for … of` loop, object rows) and kept by a project function that hands back what its factory makes is followed into the tests', () => {
  const folder = project('table-cases', { 'src/singleton.ts': LAZY_SINGLETON });
  const tuple = matrix(TUPLE_CASES, EACH_RUN);
  assert.deepEqual(rulesOf(folder, 'src/tuple.test.ts', tuple), []);
  // The table written in place, objects as rows, and a loop over the same table.
  const objects = matrix([], [
    'describe.each([{ name: "pooler", makeDb: (url: string) => drizzle({ client: postgres(url) }) }])("$name", ({ makeDb }) => {',
    '  const db = lazySingleton(() => makeDb(process.env.DATABASE_URL!));',
    '  test("runs", async () => { await USE; });',
    '});',
  ]);
  assert.deepEqual(rulesOf(folder, 'src/objects.test.ts', objects), []);
  const loop = matrix(TUPLE_CASES, [
    'for (const [endpoint, makeDb] of cases) {',
    '  const db = () => makeDb(process.env.DATABASE_URL!);',
    '  test(endpoint, async () => { await USE; });',
    '}',
  ]);
  assert.deepEqual(rulesOf(folder, 'src/loop.test.ts', loop), []);
  // A memo written `return cache ?? (cache = factory())` hands back the same.
  const memo = project('table-memo', { 'src/singleton.ts': ['export const lazySingleton = (factory) => { let cache; return () => cache ?? (cache = factory()); };'] });
  assert.deepEqual(rulesOf(memo, 'src/tuple.test.ts', tuple), []);
});

test('a table case keeps its flag when a test runs a transaction on it, the table is used otherwise, or the keeping function uses what it made', () => {
  const folder = project('table-flagged', { 'src/singleton.ts': LAZY_SINGLETON });
  const FLAGGED_TWICE = [...FLAGGED, ...FLAGGED];
  assert.deepEqual(rulesOf(folder, 'src/tx.test.ts', matrix(TUPLE_CASES, EACH_RUN, 'db().transaction(async (tx) => tx.execute(`SELECT 1`))')), FLAGGED_TWICE);
  assert.deepEqual(rulesOf(folder, 'src/other.test.ts', matrix(TUPLE_CASES, [...EACH_RUN, 'export const all = cases;'])), FLAGGED_TWICE);
  // A spread row, or a callback that takes its arguments as a rest parameter.
  assert.deepEqual(rulesOf(folder, 'src/rest.test.ts', matrix(TUPLE_CASES, EACH_RUN.map((l) => l.replace('(endpoint, makeDb)', '(...args)').replace('makeDb(process', 'args[1](process')))), FLAGGED_TWICE);
  // `.each` of something that is not a test runner.
  assert.deepEqual(rulesOf(folder, 'src/runner.test.ts', matrix(TUPLE_CASES, EACH_RUN.map((l) => l.replace('describe.each', 'matrix.each')))), FLAGGED_TWICE);
  // The keeping function warms what it made up in a transaction of its own.
  const warming = project('table-warming', { 'src/singleton.ts': LAZY_SINGLETON.map((l) => l.replace('return instance;', 'instance.transaction(async () => {}); return instance;')) });
  assert.deepEqual(rulesOf(warming, 'src/tuple.test.ts', matrix(TUPLE_CASES, EACH_RUN)), FLAGGED_TWICE);
});

test("a package's own tests importing it by its name (`from 'neon-testing/utils'`) reach its source through its `exports`", () => {
  const folder = project('self-named', { 'src/singleton.ts': LAZY_SINGLETON, 'src/utils.ts': ["export { lazySingleton } from './singleton.js';"] });
  repo.write('self-named/package.json', JSON.stringify({ name: 'self-named', exports: { './utils': { types: './dist/utils.d.ts', import: './dist/utils.js' } } }));
  const tuple = matrix(TUPLE_CASES, EACH_RUN).map((l) => l.replace("from './singleton'", "from 'self-named/utils'"));
  assert.deepEqual(rulesOf(folder, 'tests/tuple.test.ts', tuple), []);
  // Without `exports`, Node does not resolve a package's own name: the function is not read.
  repo.write('self-named/package.json', JSON.stringify({ name: 'self-named' }));
  assert.deepEqual(rulesOf(folder, 'tests/plain.test.ts', tuple), [...FLAGGED, ...FLAGGED]);
});

/** A database module caching its drizzle database in a `let`, also handed out as a settled promise (`Promise.resolve`). */
const SETTLED_CACHE = [
  "import postgres from 'postgres';",
  "import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';",
  'let cached: PostgresJsDatabase | null = null;',
  'let ready: Promise<PostgresJsDatabase> | null = null;',
  'function current(): PostgresJsDatabase {',
  '  if (!cached) {',
  '    cached = drizzle(postgres(process.env.DATABASE_URL!, { max: 4 }));',
  '    ready = Promise.resolve(cached);',
  '  }',
  '  return cached;',
  '}',
  'export function whenReady() { return ready ?? Promise.resolve(current()); }',
  'export const orders = { list: () => current().select().from(ordersTable) };',
];

test('a drizzle database handed out as Promise.resolve(db) is followed through the promise: awaited or then-ed and only queried, it is not flagged', () => {
  const folder = project('settled-queries', {
    'src/db.ts': SETTLED_CACHE,
    'src/routes/a.ts': ["import { whenReady, orders } from '../db';", 'export const n = async () => (await whenReady()).select().from(t);', 'export const all = () => orders.list();'],
    'src/routes/b.ts': ["import { whenReady } from '@/db';", 'export const later = () => whenReady().then((d) => d.delete(sessions));'],
  });
  assert.deepEqual(rulesOf(folder, 'src/db.ts', SETTLED_CACHE), []);
});

test('the settled promise keeps the flag when a holder of it runs a transaction, or the database goes into another call than Promise.resolve', () => {
  const callers: Record<string, string[]> = {
    awaited: ["import { whenReady } from '@/db';", 'export const move = async () => (await whenReady()).transaction(work);'],
    thenCallback: ["import { whenReady } from '@/db';", 'export const move = () => whenReady().then((d) => d.transaction(work));'],
  };
  for (const [name, caller] of Object.entries(callers)) {
    const folder = project(`settled-${name}`, { 'src/db.ts': SETTLED_CACHE, 'src/routes/use.ts': caller });
    assert.deepEqual(rulesOf(folder, 'src/db.ts', SETTLED_CACHE), FLAGGED, name);
  }
  const gathered = SETTLED_CACHE.map((line) => line.replace('Promise.resolve(cached)', 'Promise.all([cached]).then(([d]) => d)'));
  const folder = project('settled-gathered', { 'src/db.ts': gathered, 'src/routes/use.ts': ["import { whenReady } from '@/db';", 'export const n = async () => (await whenReady()).select();'] });
  assert.deepEqual(rulesOf(folder, 'src/db.ts', gathered), FLAGGED);
});

test("a drizzle database handed to a function the script loads where it needs it (`const { f } = await import('…')`) is followed into that function's parameter", () => {
  const script = (loader: string) => [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'async function main() {',
    `  const { auditColumns } = await import('${loader}');`,
    "  const client = postgres(process.env.AUDIT_URL!, { max: 1 });",
    '  const db = drizzle(client);',
    '  try {',
    '    console.log(await auditColumns(db, { schema: "public" }));',
    '  } finally {',
    '    await client.end();',
    '  }',
    '}',
    'main();',
  ];
  const audit = (body: string) => [
    "import { sql } from 'drizzle-orm';",
    'export async function auditColumns(executor, options = {}) {',
    body,
    '}',
  ];
  const reads = "  const rows = await executor.execute(sql`SELECT column_name FROM information_schema.columns WHERE table_schema = ${options.schema}`);\n  return rows.length;";
  const readOnly = project('loaded-reads', { 'src/audit.ts': audit(reads), 'scripts/audit.ts': script('../src/audit') });
  assert.deepEqual(rulesOf(readOnly, 'scripts/audit.ts', script('../src/audit')), []);
  // The loaded function runs a transaction on it, or the module cannot be found: the finding stays.
  const writes = project('loaded-transaction', { 'src/audit.ts': audit('  return executor.transaction(async (tx) => tx.execute(sql`SELECT 1`));'), 'scripts/audit.ts': script('../src/audit') });
  assert.deepEqual(rulesOf(writes, 'scripts/audit.ts', script('../src/audit')), FLAGGED);
  const missing = project('loaded-missing', { 'scripts/audit.ts': script('../src/nowhere') });
  assert.deepEqual(rulesOf(missing, 'scripts/audit.ts', script('../src/nowhere')), FLAGGED);
  // A function of the file by the same name too: which of the two the call reaches is not read, so the finding stays.
  const own = [...script('../src/audit'), 'async function auditColumns(d) { return d.transaction(async (tx) => tx.execute(sql`SELECT 1`)); }'];
  const shadowed = project('loaded-shadowed', { 'src/audit.ts': audit(reads), 'scripts/audit.ts': own });
  assert.deepEqual(rulesOf(shadowed, 'scripts/audit.ts', own), FLAGGED);
});

test('a name two functions each load from their own module (`const { step } = await import(…)`) is followed into the module its own function loads', () => {
  const runner = (commands: string[]) => [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    'const client = postgres(process.env.DATABASE_URL!);',
    'const db = drizzle(client);',
    ...commands,
    'await client.end();',
  ];
  const inspectCommand = ['async function inspect() {', "  const { step } = await import('../src/inspect');", '  await step(db);', '}'];
  const repairCommand = ['async function repair() {', "  const { step } = await import('../src/repair');", '  await step(db);', '}'];
  const modules = {
    'src/inspect.ts': ["import { sql } from 'drizzle-orm';", 'export async function step(d) { return d.execute(sql`SELECT 1`); }'],
    'src/repair.ts': ["import { sql } from 'drizzle-orm';", 'export async function step(d) { return d.transaction(async (tx) => { await tx.execute(sql`SELECT 2`); }); }'],
  };
  // The second command's step runs a transaction: the first load of the name in the file does not speak for it.
  const both = runner([...inspectCommand, ...repairCommand, 'if (process.argv[2]) await inspect(); else await repair();']);
  const bothFolder = project('loaded-two-modules', { ...modules, 'scripts/run.ts': both });
  assert.deepEqual(rulesOf(bothFolder, 'scripts/run.ts', both), FLAGGED);
  const repairFirst = runner([...repairCommand, ...inspectCommand, 'await repair(); await inspect();']);
  const repairFolder = project('loaded-two-modules-reversed', { ...modules, 'scripts/run.ts': repairFirst });
  assert.deepEqual(rulesOf(repairFolder, 'scripts/run.ts', repairFirst), FLAGGED);
  // Only the reading command: nothing runs a transaction.
  const readOnly = runner([...inspectCommand, 'await inspect();']);
  const readFolder = project('loaded-one-module', { ...modules, 'scripts/run.ts': readOnly });
  assert.deepEqual(rulesOf(readFolder, 'scripts/run.ts', readOnly), []);
  // A destructuring of something other than a module load binds no function that is followed.
  const fromContext = runner(['async function run(ctx) {', '  const { step } = ctx;', '  await step(db);', '}', "import { step } from '../src/inspect';", 'await step(db);']);
  const contextFolder = project('loaded-from-context', { ...modules, 'scripts/run.ts': fromContext });
  assert.deepEqual(rulesOf(contextFolder, 'scripts/run.ts', fromContext), FLAGGED);
});

/** A seed helper module: one function runs a transaction on the database it is given, the others only query. */
const SEED_HELPERS = [
  "import { sql } from 'drizzle-orm';",
  'export async function emptyTables(db) {',
  '  await db.transaction(async (tx) => {',
  "    for (const table of ['a', 'b']) await tx.execute(sql`TRUNCATE ${sql.identifier(table)} CASCADE`);",
  '  });',
  '}',
  'export const grantRoles = async (db) => { await db.execute(sql`GRANT USAGE ON SCHEMA public TO app`); };',
  'export async function addTenant(db, name) { return db.insert(tenants).values({ name }).returning(); }',
];
/** A script's database: a top-level const, handed to the helpers from a function its entry guard calls once. */
const SEED_SCRIPT = (body: string[], tail: string[] = [], entryGuard = true) => [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import { emptyTables, grantRoles, addTenant } from './helpers';",
  'const client = postgres(process.env.DATABASE_URL!);',
  'const db = drizzle(client);',
  'export async function seedAll() {',
  ...body,
  '  await client.end();',
  '}',
  ...(entryGuard ? ['if (require.main === module) {', '  seedAll().then(() => process.exit(0)).catch(() => process.exit(1));', '}'] : []),
  'export default seedAll;',
  ...tail,
];
const ONE_TRANSACTION = ['  await grantRoles(db);', '  await emptyTables(db);', "  for (const name of ['a', 'b']) await addTenant(db, name);"];

test("a script's drizzle database that runs one transaction per run (a helper its entry guard reaches once) is not flagged: the named commit is never sent again", () => {
  const alone = project('one-transaction', { 'scripts/helpers.ts': SEED_HELPERS, 'scripts/seed.ts': SEED_SCRIPT(ONE_TRANSACTION) });
  assert.deepEqual(rulesOf(alone, 'scripts/seed.ts', SEED_SCRIPT(ONE_TRANSACTION)), []);
  // Another script imports the seed and runs it once from its own entry guard: only one of the two is the process's main module.
  const e2e = [
    "import seedAll from './seed';",
    'export async function seedForTests() { return seedAll(); }',
    'if (require.main === module) seedForTests();',
  ];
  const both = project('one-transaction-two-entries', { 'scripts/helpers.ts': SEED_HELPERS, 'scripts/seed.ts': SEED_SCRIPT(ONE_TRANSACTION), 'scripts/e2e.ts': e2e });
  assert.deepEqual(rulesOf(both, 'scripts/seed.ts', SEED_SCRIPT(ONE_TRANSACTION)), []);
});

test('a script database keeps its flag when a transaction may run twice in one run: in a loop, two transactions, a helper called twice, an importer calling the seed more than once, a library export', () => {
  const scripts: Record<string, Record<string, string[]>> = {
    loop: { 'scripts/seed.ts': SEED_SCRIPT(["  for (const name of ['a', 'b']) await emptyTables(db);"]) },
    twoTransactions: { 'scripts/seed.ts': SEED_SCRIPT(['  await emptyTables(db);', '  await db.transaction(async (tx) => { await tx.insert(tenants).values({ name: "x" }); });']) },
    twoCalls: { 'scripts/seed.ts': SEED_SCRIPT(['  await emptyTables(db);'], ['export async function again() { await seedAll(); }', 'again();']) },
    importerLoops: {
      'scripts/seed.ts': SEED_SCRIPT(['  await emptyTables(db);']),
      'scripts/many.ts': ["import seedAll from './seed';", "for (const n of [1, 2]) await seedAll();"],
    },
    importerTwice: {
      'scripts/seed.ts': SEED_SCRIPT(['  await emptyTables(db);']),
      'scripts/twice.ts': ["import { seedAll } from './seed';", 'await seedAll();', 'await seedAll();'],
    },
    migrateToo: {
      'scripts/seed.ts': SEED_SCRIPT(['  await emptyTables(db);', "  await migrate(db, { migrationsFolder: 'drizzle' });"])
        .map((line) => (line.startsWith("import { drizzle }") ? `${line}\nimport { migrate } from 'drizzle-orm/postgres-js/migrator';` : line)),
    },
  };
  for (const [name, files] of Object.entries(scripts)) {
    const folder = project(`one-transaction-${name}`, { 'scripts/helpers.ts': SEED_HELPERS, ...files });
    assert.deepEqual(rulesOf(folder, 'scripts/seed.ts', files['scripts/seed.ts']), FLAGGED, name);
  }
  // No entry guard and no importer: an exported function of a library, for callers to come.
  const library = SEED_SCRIPT(['  await emptyTables(db);'], [], false);
  const folder = project('one-transaction-library', { 'scripts/helpers.ts': SEED_HELPERS, 'scripts/seed.ts': library });
  assert.deepEqual(rulesOf(folder, 'scripts/seed.ts', library), FLAGGED, 'library');
});

/** A tool class that opens its own client and keeps its drizzle database in a field; `members` are its fields and methods. */
const SELF_OPENING_TOOL = (members: string[], fields = ['  private db: PostgresJsDatabase;']) => [
  "import postgres from 'postgres';",
  "import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';",
  "import { sql } from 'drizzle-orm';",
  'export class LedgerAudit {',
  ...fields,
  '  constructor(url: string) {',
  '    const connection = postgres(url, { max: 2 });',
  '    this.db = drizzle(connection);',
  '  }',
  '  async countEntries(book: string) {',
  '    const rows = await this.db.execute(sql`select count(*) from entries where book = ${book}`);',
  '    return rows.length > 0 ? rows : [];',
  '  }',
  ...members,
  '}',
];

/** The same tool holding the raw client in a field too, used beside drizzle for unsafe() statements and its end(). */
const RAW_CLIENT_TOOL = (members: string[]) => [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  'export class BulkCopier {',
  '  #db: ReturnType<typeof drizzle>;',
  '  private raw: ReturnType<typeof postgres>;',
  '  constructor(url: string) {',
  '    this.raw = postgres(url, { max: 4 });',
  '    this.#db = drizzle(this.raw);',
  '  }',
  '  async copy(table: string, values: unknown[]) {',
  '    if (!this.#db) return;',
  '    await this.raw.unsafe(`insert into ${table} select * from unnest($1::text[])`, [values]);',
  '    await this.#db.select().from(ledger);',
  '  }',
  '  async close() {',
  '    await this.raw.end();',
  '  }',
  ...members,
  '}',
];

test('a drizzle database a class makes in its constructor and keeps in a private field is walked in every member: only queried, its postgres.js client is not flagged', () => {
  const tool = SELF_OPENING_TOOL([]);
  assert.deepEqual(rulesOf(project('field-plain', { 'tools/audit.ts': tool }), 'tools/audit.ts', tool), []);
  // The database made where the field is declared, a `#` field, and the raw client kept beside it (unsafe() and end()).
  const declared = SELF_OPENING_TOOL([], ['  private db = drizzle(postgres(process.env.AUDIT_URL!));']).filter((line) => !line.includes('connection'));
  assert.deepEqual(rulesOf(project('field-declared', { 'tools/audit.ts': declared }), 'tools/audit.ts', declared), []);
  const copier = RAW_CLIENT_TOOL([]);
  assert.deepEqual(rulesOf(project('field-raw-client', { 'tools/copy.ts': copier }), 'tools/copy.ts', copier), []);
  // Used by another file, which makes instances and calls their methods: the methods are the ones walked.
  const caller = ["import { LedgerAudit } from './audit';", "const audit = new LedgerAudit(process.env.AUDIT_URL!);", "console.log(await audit.countEntries('main'));"];
  assert.deepEqual(rulesOf(project('field-used', { 'tools/audit.ts': tool, 'tools/run.ts': caller }), 'tools/audit.ts', tool), []);
});

test('a drizzle database kept in a class field keeps its flag when a member runs a transaction or hands it out, the field is public, or the project may read it around its privacy', () => {
  const variants: Record<string, string[]> = {
    transaction: SELF_OPENING_TOOL(['  reset() {', '    return this.db.transaction(async (tx) => tx.execute(sql`truncate entries`));', '  }']),
    client: SELF_OPENING_TOOL(['  driver() {', '    return this.db.$client;', '  }']),
    returned: SELF_OPENING_TOOL(['  get database() {', '    return this.db;', '  }']),
    handedOn: SELF_OPENING_TOOL(['  async replay() {', '    await replayJournal(this.db);', '  }']),
    thisHandedOn: SELF_OPENING_TOOL(['  register() {', '    registry.add(this);', '  }']),
    publicField: SELF_OPENING_TOOL([], ['  db: PostgresJsDatabase;']),
    undeclaredField: SELF_OPENING_TOOL([], []),
  };
  for (const [name, tool] of Object.entries(variants)) {
    assert.deepEqual(rulesOf(project(`field-${name}`, { 'tools/audit.ts': tool }), 'tools/audit.ts', tool), FLAGGED, name);
  }
  const tool = SELF_OPENING_TOOL([]);
  const around: Record<string, string[]> = {
    quoted: ["import { LedgerAudit } from './audit';", "const audit = new LedgerAudit(process.env.AUDIT_URL!);", "await audit['db'].transaction(async () => {});"],
    subclass: ["import { LedgerAudit } from './audit';", 'export class StrictAudit extends LedgerAudit {}'],
  };
  for (const [name, other] of Object.entries(around)) {
    assert.deepEqual(rulesOf(project(`field-${name}`, { 'tools/audit.ts': tool, 'tools/other.ts': other }), 'tools/audit.ts', tool), FLAGGED, name);
  }
  // The raw client kept beside it sends a tagged (prepared) query.
  const tagged = RAW_CLIENT_TOOL(['  async ping() {', '    await this.raw`select 1`;', '  }']);
  assert.deepEqual(rulesOf(project('field-raw-tagged', { 'tools/copy.ts': tagged }), 'tools/copy.ts', tagged), FLAGGED, 'tagged');
});

/** A helper module that drops a tenant's schemas in one transaction, after a plain select (drizzle sends that unnamed). */
const CLEANUP_HELPER = [
  'export async function dropTenantSchemas(db, prefix) {',
  '  const rows = await db.select().from(schemata);',
  '  await db.transaction(async (tx) => {',
  '    for (const row of rows) await tx.execute(dropSchema(row.name));',
  '  });',
  '}',
];
/** A harness that makes a database afresh where it hands it to the helper, from a function it may call many times. */
const HARNESS = (handoff: string, helper = "import { dropTenantSchemas } from './cleanup';") => [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  helper,
  'export async function resetTenant(url, prefix) {',
  `  ${handoff}`,
  '}',
  "afterEach(() => resetTenant(process.env.TENANT_URL, 'acme'));",
];

test('a database made afresh where it is handed to a function runs one transaction per client: each call brings a new client, whose named commit runs once', () => {
  const inline = HARNESS('await dropTenantSchemas(drizzle(postgres(url)), prefix);');
  const folder = project('fresh-handoff', { 'e2e/cleanup.ts': CLEANUP_HELPER, 'e2e/harness.ts': inline });
  assert.deepEqual(rulesOf(folder, 'e2e/harness.ts', inline), []);
  // drizzle making the client itself from the URL, or from a `client` option written there.
  const ownConnection = HARNESS('await dropTenantSchemas(drizzle(url), prefix);');
  assert.deepEqual(rulesOf(project('fresh-handoff-url', { 'e2e/cleanup.ts': CLEANUP_HELPER, 'e2e/harness.ts': ownConnection }), 'e2e/harness.ts', ownConnection), []);
  const option = HARNESS('await dropTenantSchemas(drizzle({ client: postgres(url) }), prefix);');
  assert.deepEqual(rulesOf(project('fresh-handoff-option', { 'e2e/cleanup.ts': CLEANUP_HELPER, 'e2e/harness.ts': option }), 'e2e/harness.ts', option), []);
});

test('a database made where it is handed on keeps its flag when that run may send a commit twice or the client is not made there', () => {
  const cases: Record<string, { helper: string[]; harness: string[] }> = {
    // The helper runs a transaction per row: the named commit again on the same client.
    transactionInLoop: {
      helper: ['export async function dropTenantSchemas(db, prefix) {', '  for (const p of [prefix, `${prefix}_old`]) await db.transaction(async (tx) => { await tx.execute(dropSchema(p)); });', '}'],
      harness: HARNESS('await dropTenantSchemas(drizzle(postgres(url)), prefix);'),
    },
    // Two transactions in one call.
    twoTransactions: {
      helper: [...CLEANUP_HELPER, 'export async function twice(db) { await db.transaction(async () => {}); await db.transaction(async () => {}); }'],
      harness: HARNESS('await twice(drizzle(postgres(url)));', "import { twice } from './cleanup';"),
    },
    // The helper keeps the database for later.
    kept: {
      helper: ['export const kept = [];', 'export async function dropTenantSchemas(db, prefix) { kept.push(db); await db.transaction(async () => {}); }'],
      harness: HARNESS('await dropTenantSchemas(drizzle(postgres(url)), prefix);'),
    },
    // A helper that cannot be read (a package's).
    unread: { helper: CLEANUP_HELPER, harness: HARNESS('await dropTenantSchemas(drizzle(postgres(url)), prefix);', "import { dropTenantSchemas } from 'tenant-tools';") },
  };
  for (const [name, { helper, harness }] of Object.entries(cases)) {
    const folder = project(`fresh-handoff-${name}`, { 'e2e/cleanup.ts': helper, 'e2e/harness.ts': harness });
    assert.deepEqual(rulesOf(folder, 'e2e/harness.ts', harness), FLAGGED, name);
  }
  // A client shared by every call (a module const), handed to drizzle where the database is handed on: its commit repeats across calls.
  const shared = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { dropTenantSchemas } from './cleanup';",
    'const client = postgres(process.env.TENANT_URL);',
    "export async function resetTenant(prefix) { await dropTenantSchemas(drizzle(client), prefix); }",
    "afterEach(() => resetTenant('acme'));",
  ];
  const folder = project('fresh-handoff-shared', { 'e2e/cleanup.ts': CLEANUP_HELPER, 'e2e/harness.ts': shared });
  assert.deepEqual(rulesOf(folder, 'e2e/harness.ts', shared), FLAGGED, 'shared');
});
