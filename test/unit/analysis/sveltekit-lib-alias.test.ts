// A SvelteKit app's tsconfig extends `./.svelte-kit/tsconfig.json`, which `svelte-kit sync` generates and git ignores:
// the `$lib` alias it declares (the app's `src/lib`) is then absent from the checkout. Such an import (`import { client }
// from '$lib/db'`) names `src/lib/db.ts` all the same, so the readings that follow an exported value into its importers
// see it. A svelte config that may move the lib folder (`files: { lib: … }`), or a tsconfig that extends nothing
// generated, leaves `$lib` unresolved; a generated config present on disk is read as any other. The svelte config's
// `kit.alias` entries are read too: a string target names its folder, a target built by code leaves importers unknown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { resolveModule } from '../../../server/analysis/moduleResolution';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('sveltekit-lib-alias', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const TSCONFIG = '{\n  "extends": "./.svelte-kit/tsconfig.json",\n  // paths come from the generated config\n  "compilerOptions": { "strict": true }\n}';
const SVELTE_CONFIG = ["import adapter from '@sveltejs/adapter-node';", 'export default { kit: { adapter: adapter() } };'];

/** A SvelteKit app in `folder` whose svelte config is `svelteConfig`; returns the path of its `src/lib/db.ts`. */
function app(folder: string, svelteConfig: string[] | undefined, tsconfig = TSCONFIG): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}", "devDependencies": {"@sveltejs/kit": "^2.0.0"}}`);
  repo.write(`${folder}/tsconfig.json`, tsconfig);
  if (svelteConfig) repo.write(`${folder}/svelte.config.js`, svelteConfig);
  return repo.write(`${folder}/src/lib/db.ts`, ["import postgres from 'postgres';", 'export const client = postgres(process.env.DATABASE_URL!);']);
}

const LUCIA_IMPORTER = [
  "import { Lucia } from 'lucia';",
  "import { PostgresJsAdapter } from '@lucia-auth/adapter-postgresql';",
  "import { client } from '$lib/db';",
  "export const lucia = new Lucia(new PostgresJsAdapter(client, { user: 'users', session: 'sessions' }));",
];

test("$lib of a SvelteKit app whose generated tsconfig is absent names the app's src/lib", () => {
  const db = app('shop', SVELTE_CONFIG);
  const importer = repo.write('shop/src/routes/+page.server.ts', ["import { client } from '$lib/db';"]);
  assert.equal(resolveModule(importer, '$lib/db'), db);
  assert.equal(resolveModule(importer, '$lib/db.js'), db);
  // An alias the svelte config does not declare names nothing.
  assert.equal(resolveModule(importer, '$db'), undefined);
  assert.equal(resolveModule(importer, '$lib'), undefined); // src/lib has no index
  repo.write('shop/src/lib/index.ts', ['export const name = 1;']);
  assert.equal(resolveModule(importer, '$lib'), repo.path('shop/src/lib/index.ts'));
});

test('$lib stays unresolved when the svelte config may move the lib folder, when there is no svelte config, or when the tsconfig extends nothing generated', () => {
  app('moved', ["export default { kit: { files: { lib: 'source/library' } } };"]);
  assert.equal(resolveModule(repo.write('moved/src/routes/+page.server.ts', ['']), '$lib/db'), undefined);
  app('plain', SVELTE_CONFIG, '{ "compilerOptions": { "strict": true } }');
  assert.equal(resolveModule(repo.write('plain/src/routes/+page.server.ts', ['']), '$lib/db'), undefined);
  app('noconfig', undefined);
  assert.equal(resolveModule(repo.write('noconfig/src/routes/+page.server.ts', ['']), '$lib/db'), undefined);
});

test('a generated .svelte-kit/tsconfig.json present on disk is read for its own paths', () => {
  app('synced', SVELTE_CONFIG);
  repo.write('synced/.svelte-kit/tsconfig.json', '{ "compilerOptions": { "paths": { "$lib": ["../app/lib"], "$lib/*": ["../app/lib/*"] } } }');
  const moved = repo.write('synced/app/lib/db.ts', ['export const client = 1;']);
  assert.equal(resolveModule(repo.write('synced/src/routes/+page.server.ts', ['']), '$lib/db'), moved);
});

test("an exported client whose only importer reaches it through $lib and hands it to Lucia v3's adapter prepares nothing", () => {
  const db = app('auth', SVELTE_CONFIG);
  repo.write('auth/src/lib/server/lucia.ts', LUCIA_IMPORTER);
  assert.deepEqual(findingsOf(db), []);
});

test('an exported client tagged by a $lib importer, or whose only importer cannot be resolved, keeps the finding', () => {
  const tagged = app('tagged', SVELTE_CONFIG);
  repo.write('tagged/src/lib/server/lucia.ts', LUCIA_IMPORTER);
  repo.write('tagged/src/routes/+page.server.ts', ["import { client } from '$lib/db';", 'export const load = async () => ({ rows: await client`SELECT id FROM users` });']);
  assert.deepEqual(findingsOf(tagged), ['protocol-prepared-statement postgres']);
  const moved = app('relocated', ["export default { kit: { files: { lib: 'src/library' } } };"]);
  repo.write('relocated/src/lib/server/lucia.ts', LUCIA_IMPORTER);
  assert.deepEqual(findingsOf(moved), ['protocol-prepared-statement postgres']);
});

// `kit.alias` of the svelte config: `svelte-kit sync` writes each entry into the generated tsconfig's paths. A target
// written as a string is read (relative to the app); one built by code (`lib('server/db')`) is not, and then a file
// importing through that alias may name any module of the app, so no export's importers can be listed.
const DRIZZLE_DB = [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  'export const db = drizzle(postgres(process.env.DATABASE_URL!));',
  'export type Team = { id: number };',
];
const TYPE_ONLY_IMPORTER = ["import type { Team } from '$lib/server/db';", 'export const none: Team[] = [];'];
const TRANSFERRING_ROUTE = [
  "import { db } from '$store';",
  'export async function transfer() {',
  '  await db.transaction(async (tx) => { await tx.execute(`UPDATE teams SET owner = 2`); });',
  '}',
];
const LISTING_ROUTE = ["import { db } from '$store';", 'export const load = async () => db.select().from(teams);'];

/** A SvelteKit app whose svelte config declares `alias` (the object's text); returns its `src/lib/server/db/index.ts`. */
function aliasedApp(folder: string, alias: string): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}", "devDependencies": {"@sveltejs/kit": "^2.0.0"}}`);
  repo.write(`${folder}/tsconfig.json`, TSCONFIG);
  repo.write(`${folder}/svelte.config.js`, [
    'const libPath = (path) => `${process.cwd()}/src/lib/${path}`;',
    `export default { kit: { alias: ${alias} } };`,
  ]);
  repo.write(`${folder}/src/lib/types.ts`, TYPE_ONLY_IMPORTER);
  return repo.write(`${folder}/src/lib/server/db/index.ts`, DRIZZLE_DB);
}

test('a kit.alias whose target is a string names that folder, as the generated paths would', () => {
  const db = aliasedApp('named', "{ $store: 'src/lib/server/db', '$parts/*': 'src/lib/parts/*' }");
  const route = repo.write('named/src/routes/+page.server.ts', ['']);
  assert.equal(resolveModule(route, '$store'), db);
  const part = repo.write('named/src/lib/parts/teams.ts', ['export const teams = 1;']);
  assert.equal(resolveModule(route, '$parts/teams'), part);
  assert.equal(resolveModule(route, '$other'), undefined);
});

test('a drizzle database that a route reaches through a kit.alias and runs a transaction on keeps the finding', () => {
  const named = aliasedApp('named-tx', "{ $store: 'src/lib/server/db' }");
  repo.write('named-tx/src/routes/teams/+page.server.ts', TRANSFERRING_ROUTE);
  assert.deepEqual(findingsOf(named), ['protocol-prepared-statement postgres']);
  // The alias built by a helper of the config: the route's import names no file that can be told.
  const built = aliasedApp('built-tx', "{ $store: libPath('server/db') }");
  repo.write('built-tx/src/routes/teams/+page.server.ts', TRANSFERRING_ROUTE);
  assert.deepEqual(findingsOf(built), ['protocol-prepared-statement postgres']);
});

test('a drizzle database only queried through a kit.alias written as a string, or with a built alias nobody imports through, is not flagged', () => {
  const named = aliasedApp('named-list', "{ $store: 'src/lib/server/db' }");
  repo.write('named-list/src/routes/teams/+page.server.ts', LISTING_ROUTE);
  assert.deepEqual(findingsOf(named), []);
  const unused = aliasedApp('built-unused', "{ $store: libPath('server/db') }");
  repo.write('built-unused/src/routes/teams/+page.server.ts', ["import { db } from '$lib/server/db';", 'export const load = async () => db.select().from(teams);']);
  assert.deepEqual(findingsOf(unused), []);
});

test('an alias option that is not an object written out makes every bare specifier unread', () => {
  const hidden = aliasedApp('hidden', 'aliases');
  repo.write('hidden/src/routes/teams/+page.server.ts', TRANSFERRING_ROUTE);
  assert.deepEqual(findingsOf(hidden), ['protocol-prepared-statement postgres']);
});
