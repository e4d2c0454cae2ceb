// Cloudflare Hyperdrive pools a Worker's connections per transaction but keeps named prepared statements working across
// them, so a postgres.js client made with a Hyperdrive binding's connection string (the binding declared in the Worker's
// wrangler configuration) prepares nothing hazardous: protocol-prepared-statement is not reported there, also when the
// client is made by a factory of a workspace package whose every caller passes such a binding. Session state through
// Hyperdrive stays a hazard, and a factory with one other caller keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('hyperdrive-bindings', { after });
before(() => initAnalysis());

const FLAGGED = ['protocol-prepared-statement'];

/** The `db` package's factory: a postgres.js client (prepare left on) handed to drizzle, per call. */
const FACTORY = [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  'export const makeDb = (url: string) => {',
  '  const client = postgres(url);',
  '  return drizzle(client);',
  '};',
  'export type Db = ReturnType<typeof makeDb>;',
];

const WRANGLER_JSONC = [
  '{',
  '  // the API Worker',
  '  "name": "mail-api",',
  '  "env": { "production": { "hyperdrive": [{ "binding": "HYPERDRIVE", "id": "abc", "localConnectionString": "postgres://localhost/mail" },], }, },',
  '}',
];

/** The Worker: a per-request database on the binding, a transaction on it (drizzle's named commit). */
const WORKER = [
  "import { env } from 'cloudflare:workers';",
  "import { makeDb } from '@mail/db';",
  'export default {',
  '  async fetch(request: Request) {',
  '    const db = makeDb(env.HYPERDRIVE.connectionString);',
  '    await db.transaction(async (tx) => { await tx.execute(sql`UPDATE threads SET read = true`); });',
  '    return new Response("ok");',
  '  },',
  '};',
];

/** A monorepo: the `db` package (its entry `packages/db/src/index.ts`) and a Worker app with its wrangler config. */
function monorepo(name: string, files: Record<string, string[]>): string {
  repo.writeAll({
    [`${name}/package.json`]: JSON.stringify({ name: 'mail', private: true, workspaces: ['apps/*', 'packages/*'] }),
    [`${name}/packages/db/package.json`]: JSON.stringify({ name: '@mail/db', private: true, exports: { '.': './src/index.ts' } }),
    [`${name}/packages/db/src/index.ts`]: FACTORY,
    [`${name}/apps/api/package.json`]: JSON.stringify({ name: 'api', dependencies: { '@mail/db': 'workspace:*' } }),
    [`${name}/apps/api/wrangler.jsonc`]: WRANGLER_JSONC,
    ...Object.fromEntries(Object.entries(files).map(([path, text]) => [`${name}/${path}`, text])),
  });
  return repo.path(name);
}

const rulesAt = (folder: string, path: string, text: string[]) => analyze(text.join('\n'), 'typescript', {}, join(folder, path)).map((f) => f.rule);

test("a workspace package's postgres.js factory whose every caller passes a Hyperdrive binding's connection string is not flagged", () => {
  const folder = monorepo('only-hyperdrive', { 'apps/api/src/main.ts': WORKER });
  assert.deepEqual(rulesAt(folder, 'packages/db/src/index.ts', FACTORY), []);
});

test('the factory keeps its flag when one caller passes another URL, the binding is not a Hyperdrive one, or nobody calls it', () => {
  const script = ["import { makeDb } from '@mail/db';", 'const db = makeDb(process.env.DATABASE_URL!);', 'await db.transaction(async (tx) => tx.execute(sql`DELETE FROM drafts`));'];
  const mixed = monorepo('mixed-callers', { 'apps/api/src/main.ts': WORKER, 'scripts/cleanup.ts': script });
  assert.deepEqual(rulesAt(mixed, 'packages/db/src/index.ts', FACTORY), FLAGGED);
  // A binding the wrangler config declares under another section (a KV namespace here) is not a Hyperdrive pool.
  const kv = monorepo('kv-binding', { 'apps/api/src/main.ts': WORKER.map((l) => l.replace('HYPERDRIVE.', 'CACHE.')) });
  assert.deepEqual(rulesAt(kv, 'packages/db/src/index.ts', FACTORY), FLAGGED);
  const uncalled = monorepo('uncalled', { 'apps/api/src/main.ts': ["export default { fetch: () => new Response('ok') };"] });
  assert.deepEqual(rulesAt(uncalled, 'packages/db/src/index.ts', FACTORY), FLAGGED);
});

test('a client made in the Worker with a binding wrangler.toml declares is not flagged for prepared statements; a session SET through it still is', () => {
  const handler = [
    "import postgres from 'postgres';",
    'export default {',
    '  async fetch(request: Request, env: { DB: { connectionString: string } }) {',
    '    const sql = postgres(env.DB.connectionString);',
    '    for (const id of [1, 2, 3]) await sql`SELECT * FROM inbox WHERE id = ${id}`;',
    '    await sql`SET TIME ZONE \'UTC\'`;',
    '    return new Response("ok");',
    '  },',
    '};',
  ];
  repo.writeAll({
    'toml-worker/package.json': JSON.stringify({ name: 'toml-worker' }),
    'toml-worker/wrangler.toml': ['name = "inbox"', 'main = "src/index.ts"', '', '[[hyperdrive]]', 'binding = "DB"', 'id = "abc"'],
    'toml-worker/src/index.ts': handler,
  });
  assert.deepEqual(rulesAt(repo.path('toml-worker'), 'src/index.ts', handler), ['session-set']);
  // The same Worker without the Hyperdrive table: its binding is no known pool, and the client prepares.
  repo.writeAll({
    'plain-worker/package.json': JSON.stringify({ name: 'plain-worker' }),
    'plain-worker/wrangler.toml': ['name = "inbox"', 'main = "src/index.ts"'],
    'plain-worker/src/index.ts': handler,
  });
  assert.deepEqual(rulesAt(repo.path('plain-worker'), 'src/index.ts', handler).sort(), ['protocol-prepared-statement', 'session-set']);
});
