// A monorepo's apps import a workspace package by its name (`import { db } from '@clinic/db'`), which resolves to the
// package's entry file (`packages/db/src/index.ts`, through `exports`/`main` or the `src/index` default). Its importers
// are found by that name too, not only by the file's own name or its folder's: a drizzle database the package exports
// is followed into the apps that query it. And a database put into a request context object that a function returns
// (tRPC's `createContext`) is followed no further, so it is accepted only where no file of the project could run a
// transaction on anything, or, for a maker written in place for a framework's adapter, none of the files the server loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { importersOf } from '../../../server/analysis/projectImporters';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('workspace-importers', { after });
before(() => initAnalysis());

const FLAGGED = ['protocol-prepared-statement'];

/** The database module of the `db` package: a module-level postgres.js client handed to drizzle, the database exported. */
const DB_MODULE = [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  "import * as schema from './schema';",
  'const client = postgres(process.env.DATABASE_URL!);',
  'export const db = drizzle(client, { schema });',
];

/** A workspace with a `db` package whose entry re-exports the database, and the given app files. */
function workspace(name: string, apps: Record<string, string[]>, manifest: object = { name: '@clinic/db', private: true, exports: { '.': './src/index.ts', './schema': './src/schema.ts' } }): string {
  repo.writeAll({
    [`${name}/package.json`]: JSON.stringify({ name: 'clinic', private: true, workspaces: ['apps/*', 'packages/*'] }),
    [`${name}/packages/db/package.json`]: JSON.stringify(manifest),
    [`${name}/packages/db/src/index.ts`]: ["export * from './schema';", "export { db } from './db';"],
    [`${name}/packages/db/src/schema.ts`]: ['export const patients = {};'],
    [`${name}/packages/db/src/db.ts`]: DB_MODULE,
    [`${name}/apps/web/package.json`]: JSON.stringify({ name: 'web', dependencies: { '@clinic/db': '*' } }),
    ...Object.fromEntries(Object.entries(apps).map(([path, text]) => [`${name}/apps/web/${path}`, text])),
  });
  return repo.path(name);
}

const rulesOf = (folder: string) => analyze(DB_MODULE.join('\n'), 'typescript', {}, join(folder, 'packages/db/src/db.ts')).map((f) => f.rule);
const relative = (folder: string, files: string[] | undefined) => files?.map((file) => file.slice(folder.length + 1)).sort();

const QUERIES = ["import { db } from '@clinic/db';", "import { patients } from '@clinic/db/schema';", 'export const list = () => db.select().from(patients);'];

test("a workspace package's entry file is imported by the package's name, whatever its folder is called", () => {
  const folder = workspace('by-name', { 'src/list.ts': QUERIES, 'src/other.ts': ["import { format } from 'date-fns';", 'export const day = format;'] });
  assert.deepEqual(relative(folder, importersOf(join(folder, 'packages/db/src/index.ts'))), ['apps/web/src/list.ts']);
  assert.deepEqual(relative(folder, importersOf(join(folder, 'packages/db/src/schema.ts'))), ['apps/web/src/list.ts', 'packages/db/src/db.ts', 'packages/db/src/index.ts']);
  // `main` (no `exports`) names the entry file the same way.
  const main = workspace('by-main', { 'src/list.ts': QUERIES }, { name: '@clinic/db', main: 'src/index.ts' });
  assert.deepEqual(relative(main, importersOf(join(main, 'packages/db/src/index.ts'))), ['apps/web/src/list.ts']);
});

test('a drizzle database a workspace package exports is followed into the apps importing the package by name: only queried, its client is not flagged', () => {
  assert.deepEqual(rulesOf(workspace('queried', { 'src/list.ts': QUERIES })), []);
});

test('a drizzle database imported by package name keeps its flag when an app runs a transaction on it', () => {
  const move = ["import { db } from '@clinic/db';", 'export const move = () => db.transaction(async (tx) => { await tx.select(); });'];
  assert.deepEqual(rulesOf(workspace('transacted', { 'src/list.ts': QUERIES, 'src/move.ts': move })), FLAGGED);
});

/** tRPC's request context: the database is a property of the object the context function returns. */
const CONTEXT = [
  "import { initTRPC } from '@trpc/server';",
  "import { db } from '@clinic/db';",
  'export async function createContext(opts: { headers: Headers }) {',
  '  return { db, headers: opts.headers };',
  '}',
  'export const t = initTRPC.context<Awaited<ReturnType<typeof createContext>>>().create();',
];
const ROUTER = ["import { t } from './trpc';", "import { patients } from '@clinic/db/schema';", 'export const router = t.router({ list: t.procedure.query(({ ctx }) => ctx.db.select().from(patients)) });'];

test('a drizzle database put into a request context a function returns is not flagged when no file of the project mentions a transaction', () => {
  assert.deepEqual(rulesOf(workspace('context', { 'src/trpc.ts': CONTEXT, 'src/router.ts': ROUTER, 'src/list.ts': QUERIES })), []);
});

test('a drizzle database put into a request context keeps its flag when any file of the project may run a transaction', () => {
  const cases: Record<string, string[]> = {
    fromContext: ["import { t } from './trpc';", 'export const move = t.procedure.mutation(({ ctx }) => ctx.db.transaction(async (tx) => tx.select()));'],
    destructured: ["import { t } from './trpc';", 'export const move = t.procedure.mutation(({ ctx: { db } }) => db.transaction(work));'],
    libraryOption: ["import { adapter } from 'some-auth';", "import { t } from './trpc';", 'export const auth = (ctx) => adapter(ctx.db, { transaction: true });'],
    client: ["import { t } from './trpc';", 'export const raw = t.procedure.query(({ ctx }) => ctx.db.$client`SELECT 1`);'],
  };
  for (const [name, file] of Object.entries(cases)) {
    assert.deepEqual(rulesOf(workspace(`context-${name}`, { 'src/trpc.ts': CONTEXT, 'src/router.ts': ROUTER, 'src/move.ts': file })), FLAGGED, name);
  }
  // An object that is not returned (kept in a module variable, handed to a function not followed) is not such a context.
  const kept = ["import { db } from '@clinic/db';", 'export const services = { db };'];
  assert.deepEqual(rulesOf(workspace('context-kept', { 'src/services.ts': kept })), FLAGGED);
});

// A context maker written in place where a framework's adapter asks for it (`trpcServer({ createContext: () => ({ db }),
// router })`): only the framework calls it, handing the context to the router given beside it, so the files that can
// read the database are the ones the server file loads. Another app of the project may run transactions elsewhere.
const SERVER = [
  "import { trpcServer } from '@hono/trpc-server';",
  "import { db } from '@clinic/db';",
  "import { router } from './router';",
  'export const handler = trpcServer({ createContext: () => ({ db }), router });',
];
const PLAIN_T = ["import { initTRPC } from '@trpc/server';", 'export const t = initTRPC.create();'];
const ELSEWHERE = ['export const other = (pool) => pool.transaction(async () => {});'];

test("a context made in place for a framework's adapter is read only by the code the server file loads: not flagged when none of it mentions a transaction", () => {
  assert.deepEqual(rulesOf(workspace('inline-context', { 'src/server.ts': SERVER, 'src/trpc.ts': PLAIN_T, 'src/router.ts': ROUTER, 'src/jobs.ts': ELSEWHERE })), []);
});

test('a context made in place keeps its flag when the loaded code may run a transaction, loads a module by a computed name, or the maker is no dependency\'s', () => {
  const transacting = ["import { t } from './trpc';", 'export const router = t.router({ move: t.procedure.mutation(({ ctx }) => ctx.db.transaction(async (tx) => tx.select())) });'];
  assert.deepEqual(rulesOf(workspace('inline-transaction', { 'src/server.ts': SERVER, 'src/trpc.ts': PLAIN_T, 'src/router.ts': transacting, 'src/jobs.ts': ELSEWHERE })), FLAGGED);
  const computed = ["import { t } from './trpc';", 'export const load = (name: string) => import(`./routes/${name}`);', ...ROUTER.slice(1)];
  assert.deepEqual(rulesOf(workspace('inline-computed', { 'src/server.ts': SERVER, 'src/trpc.ts': PLAIN_T, 'src/router.ts': computed, 'src/jobs.ts': ELSEWHERE })), FLAGGED);
  // A project function given the maker may keep it and hand it to code the server file does not load.
  const ownAdapter = SERVER.map((line) => line.replace("from '@hono/trpc-server'", "from './adapter'"));
  const adapter = ['export const trpcServer = (options) => { registry.push(options.createContext); return options; };', 'export const registry = [];'];
  assert.deepEqual(rulesOf(workspace('inline-own-adapter', { 'src/server.ts': ownAdapter, 'src/adapter.ts': adapter, 'src/trpc.ts': PLAIN_T, 'src/router.ts': ROUTER, 'src/jobs.ts': ELSEWHERE })), FLAGGED);
});
