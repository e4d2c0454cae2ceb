import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (code: string) => analyze(code, 'typescript', {}, 'db.ts').map((f) => f.rule);
const flagged = ['protocol-prepared-statement'];
const KYSELY = "import postgres from 'postgres';\nimport { Kysely } from 'kysely';\nimport { PostgresJSDialect } from 'kysely-postgres-js';\n";
const DRIZZLE = "import postgres from 'postgres';\nimport { drizzle } from 'drizzle-orm/postgres-js';\nimport { migrate } from 'drizzle-orm/postgres-js/migrator';\n";

test('a postgres.js client handed only to kysely-postgres-js (which sends everything with unsafe()) is not flagged', () => {
  assert.deepEqual(rules(`${KYSELY}const client = postgres(url);\nexport const db = new Kysely({ dialect: new PostgresJSDialect({ postgres: client }) });\nexport async function stop() { await client.end(); }`), []);
  assert.deepEqual(rules(`${KYSELY}export const db = new Kysely({ dialect: new PostgresJSDialect({ postgres: postgres(url, { max: 4 }) }) });`), []);
  assert.deepEqual(rules(`${KYSELY}const postgresClient = postgres(url);\nconst dialect = new PostgresJSDialect({ postgres: postgresClient });`), []);
  // The same client also running its own tagged query, or put elsewhere in the dialect's options, still prepares.
  assert.deepEqual(rules(`${KYSELY}const client = postgres(url);\nconst dialect = new PostgresJSDialect({ postgres: client });\nexport const ping = () => client\`SELECT 1\`;`), flagged);
  assert.deepEqual(rules(`${KYSELY}const client = postgres(url);\nconst dialect = new PostgresJSDialect({ postgres: client, extra: client });`), flagged);
  // Another library's class of the same name is not kysely-postgres-js.
  assert.deepEqual(rules(`import postgres from 'postgres';\nimport { PostgresJSDialect } from './mine';\nconst dialect = new PostgresJSDialect({ postgres: postgres(url) });`), flagged);
});

test('a postgres.js client handed to drizzle whose database never runs a transaction is not flagged', () => {
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url, { max: 1 });\nconst db = drizzle(client);\nawait db.execute(sql\`DROP SCHEMA public CASCADE\`);\nawait db.select().from(users);\nawait client.end();`), []);
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle({ client, schema });\nconst rows = await db.query.users.findMany();`), []);
  // The migrator's one transaction names its commit once; it is never sent again on that client.
  assert.deepEqual(rules(`${DRIZZLE}const sql = postgres(url, { max: 1 });\nconst db = drizzle(sql);\nawait migrate(db, { migrationsFolder: 'drizzle' });\nawait sql.end();`), []);
  assert.deepEqual(rules(`${DRIZZLE}const db = drizzle(postgres(url));\nawait db.insert(users).values(row);`), []);
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url, { max: 1 });\nawait migrate(drizzle(client), { migrationsFolder: 'drizzle' });`), []);
});

test('a postgres.js client handed to drizzle is flagged when its database may run transactions (postgres.js names their commit)', () => {
  // db.transaction() runs postgres.js begin(), whose commit/rollback/savepoint are prepared tagged templates.
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle(client);\nawait db.transaction(async (tx) => { await tx.insert(users).values(row); });`), flagged);
  assert.deepEqual(rules(`${DRIZZLE}const db = drizzle({ client: postgres(url) });\nawait db.transaction(work);`), flagged);
  // A database that leaves the file (exported, returned, passed on) may run transactions anywhere.
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nexport const db = drizzle(client, { schema });`), flagged);
  assert.deepEqual(rules(`${DRIZZLE}export const db = drizzle(postgres(url), { schema });`), flagged);
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle(client);\nexport default db;`), flagged);
  assert.deepEqual(rules(`${DRIZZLE}function make() {\n  const client = postgres(url);\n  const db = drizzle(client);\n  return db;\n}`), flagged);
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle(client);\nconst repo = new UserRepository(db);`), flagged);
  // Two migrations on one client: the second sends the first one's named commit again.
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle(client);\nawait migrate(db, a);\nawait migrate(db, b);`), flagged);
  // The client's own tagged queries prepare whatever drizzle does.
  assert.deepEqual(rules(`${DRIZZLE}const client = postgres(url);\nconst db = drizzle(client);\nawait db.select().from(users);\nfor (const id of ids) await client\`SELECT \${id}\`;`), flagged);
  // drizzle from another entry point (node-postgres) or a local function of that name is not this wrapper.
  assert.deepEqual(rules(`import postgres from 'postgres';\nimport { drizzle } from './drizzle';\nconst db = drizzle(postgres(url));\nawait db.select();`), flagged);
});

test('postgres.js loaded at run time (import() of its default export, a require in a function) is its factory', () => {
  // The client leaves the function: its callers' queries are prepared.
  const inFunction = (load: string) => `export async function connect(url: string) {\n  ${load}\n  return postgres(url);\n}`;
  assert.deepEqual(rules(inFunction("const { default: postgres } = await import('postgres');")), flagged);
  assert.deepEqual(rules(inFunction("const postgres = (await import('postgres')).default;")), flagged);
  assert.deepEqual(rules(inFunction("const postgres = require('postgres');")), flagged);
  assert.deepEqual(rules(inFunction("const { default: postgres } = await import('postgres');").replace('postgres(url)', "postgres(url, { prepare: false })")), []);
  // The module object of an import() is a namespace, not the function; another package's default is not postgres.js.
  assert.deepEqual(rules(inFunction("const postgres = await import('postgres');")), []);
  assert.deepEqual(rules(inFunction("const { default: postgres } = await import('./postgres');")), []);
});

test("postgres.js's default export called on the module object an awaited import() returns is its factory", () => {
  const made = (body: string) => `export async function openDatabase(registry: Registry) {\n  ${body}\n}`;
  // Held in a name, then registered for the app's code: a pool of ten that prepares its tagged queries.
  assert.deepEqual(rules(made("const driver = await import('postgres');\n  const db = driver.default({ types: {} });\n  registry.register('db', db);")), flagged);
  assert.deepEqual(rules(made("const driver = await import('postgres');\n  return driver.default(process.env.DATABASE_URL);")), flagged);
  assert.deepEqual(rules(made("return (await import('postgres')).default(process.env.DATABASE_URL);")), flagged);
  // Its options are read as for a statically imported factory.
  assert.deepEqual(rules(made("const driver = await import('postgres');\n  return driver.default(process.env.DATABASE_URL, { prepare: false });")), []);
  assert.deepEqual(rules(made("return (await import('postgres')).default(process.env.DATABASE_URL, { prepare: false });")), []);
  // Another member of the module held, or another module's default, is no factory call.
  assert.deepEqual(rules(made("const driver = await import('postgres');\n  return driver.connect(process.env.DATABASE_URL);")), []);
  assert.deepEqual(rules(made("const driver = await import('./postgres');\n  return driver.default(process.env.DATABASE_URL);")), []);
  assert.deepEqual(rules(made("const driver = await import('postgres-shift');\n  return driver.default(process.env.DATABASE_URL);")), []);
});

const OWN = "import { drizzle } from 'drizzle-orm/postgres-js';\n";

test("drizzle-orm/postgres-js's drizzle(url) / drizzle({ connection }) makes a postgres.js client: judged as postgres(connection) handed to drizzle", () => {
  const tx = '\nawait db.transaction(async (tx) => { await tx.insert(users).values(row); });';
  assert.deepEqual(rules(`${OWN}const db = drizzle({ connection: { host: env.PGHOST, user: env.PGUSER }, schema });${tx}`), flagged);
  assert.deepEqual(rules(`${OWN}const db = drizzle({ connection: process.env.DATABASE_URL!, schema });${tx}`), flagged);
  assert.deepEqual(rules(`${OWN}const db = drizzle(process.env.DATABASE_URL!);${tx}`), flagged);
  // Deno reads its environment by a call; npm:drizzle-orm is the same package.
  assert.deepEqual(rules(`${OWN}const db = drizzle(Deno.env.get('DATABASE_PRIMARY')!);${tx}`), flagged);
  assert.deepEqual(rules(`${OWN}const db = drizzle(Deno.env.get(name)!);${tx}`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle(databaseUrl, { schema });${tx}`), flagged);
  assert.deepEqual(rules(`${OWN}export const db = drizzle({ connection: { url, max: 5 } });`), flagged);
  // prepare: false in the connection options, a database that never runs a transaction, a handed client: not this finding.
  assert.deepEqual(rules(`${OWN}const db = drizzle({ connection: { url, prepare: false }, schema });${tx}`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle({ connection: { host, prepare: false } });${tx}`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle(process.env.DATABASE_URL!);\nawait db.select().from(users);`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle(client);${tx}`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle({ client, schema });${tx}`), []);
  assert.deepEqual(rules(`${OWN}const db = drizzle({ ...config });${tx}`), []);
  // drizzle of another entry point: node-postgres makes a pg Pool (no named statements), neon-http sends HTTP.
  assert.deepEqual(rules(`import { drizzle } from 'drizzle-orm/node-postgres';\nconst db = drizzle({ connection: { connectionString: url } });${tx}`), []);
  assert.deepEqual(rules(`import { drizzle } from 'drizzle-orm/neon-http';\nconst db = drizzle(process.env.DATABASE_URL!);${tx}`), []);
});

test("drizzle's own config spread into drizzle({ connection, ...config }) (declared DrizzleConfig: no client, no connection) leaves the connection drizzle's own", () => {
  const tx = '\nawait db.transaction(async (tx) => { await tx.insert(users).values(row); });';
  const typed = "import type { DrizzleConfig } from 'drizzle-orm';\n";
  // A factory that takes drizzle's config (logger, schema, casing) and spreads it after or before its own connection.
  assert.deepEqual(rules(`${OWN}${typed}export const database = <S extends Record<string, unknown>>(url: string, params?: DrizzleConfig<S>) =>\n  drizzle({ connection: { url, max: 1 }, ...params });`), flagged);
  assert.deepEqual(rules(`${OWN}${typed}export function open(url: string, config: DrizzleConfig) {\n  return drizzle({ ...config, connection: url });\n}`), flagged);
  assert.deepEqual(rules(`${OWN}import { type DrizzleConfig } from 'drizzle-orm';\nconst config: DrizzleConfig = { logger: true };\nconst db = drizzle({ connection: process.env.DATABASE_URL!, ...config });${tx}`), flagged);
  // Still its own options: prepare: false among them, or a database that never runs a transaction.
  assert.deepEqual(rules(`${OWN}${typed}export const database = (url: string, params?: DrizzleConfig) => drizzle({ connection: { url, prepare: false }, ...params });`), []);
  assert.deepEqual(rules(`${OWN}${typed}const config: DrizzleConfig = {};\nconst db = drizzle({ connection: process.env.DATABASE_URL!, ...config });\nawait db.select().from(users);`), []);
  // A spread that may carry a client or another connection: a value of no declared type, of another type, or a
  // DrizzleConfig that is not drizzle-orm's.
  assert.deepEqual(rules(`${OWN}export const database = (url: string, params?: object) => drizzle({ connection: { url }, ...params });`), []);
  assert.deepEqual(rules(`${OWN}export const database = (url: string, params) => drizzle({ connection: { url }, ...params });`), []);
  assert.deepEqual(rules(`${OWN}import type { DrizzleConfig } from './config';\nexport const database = (url: string, params?: DrizzleConfig) => drizzle({ connection: { url }, ...params });`), []);
  assert.deepEqual(rules(`${OWN}${typed}export const database = (url: string, params?: DrizzleConfig) => drizzle({ connection: { url }, ...params, ...extra });`), []);
});

test('the fix for drizzle({ connection: { … } }) adds prepare: false to those options', () => {
  const text = `${OWN}export const db = drizzle({ connection: { host, max: 5 }, schema });`;
  const [finding] = analyze(text, 'typescript', {}, 'db.ts');
  assert.equal(finding.rule, 'protocol-prepared-statement');
  const edits = [...finding.fix!.edits].sort((a, b) => b.start - a.start);
  assert.equal(edits.reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text), `${OWN}export const db = drizzle({ connection: { prepare: false, host, max: 5 }, schema });`);
  // A URL string: no options object to edit.
  const [url] = analyze(`${OWN}export const db = drizzle(process.env.DATABASE_URL!);`, 'typescript', {}, 'db.ts');
  assert.equal(url.fix, undefined);
});

test('wrappers loaded at run time are the same wrappers: a client handed only to a dynamically imported PostgresJSDialect prepares nothing', () => {
  const setup = (dialect: string) => `export async function setup(url: string) {\n  const { ${dialect} } = await import('kysely-postgres-js');\n  const postgres = (await import('postgres')).default;\n  const sql = postgres(url);\n  const db = new Kysely({ dialect: new PostgresJSDialect({ postgres: sql }) });\n  return { db, stop: () => sql.end() };\n}`;
  assert.deepEqual(rules(setup('PostgresJSDialect')), []);
  // Another export of the module under that name is not the dialect.
  assert.deepEqual(rules(setup('OtherDialect: PostgresJSDialect')), flagged);
});

test("drizzle imported from drizzle-orm/postgres-js/driver (the module the package's index re-exports) is the same wrapper", () => {
  const DRIVER = "import postgres from 'postgres';\nimport { drizzle } from 'drizzle-orm/postgres-js/driver';\n";
  // Only queried: drizzle sends them with unsafe(), the client prepares nothing.
  assert.deepEqual(rules(`${DRIVER}const client = postgres(url);\nconst db = drizzle(client);\nawait db.execute(sql\`GRANT USAGE ON SCHEMA public TO app\`);\nawait client.end();`), []);
  // A transaction names its commit: still flagged, as from the package's index.
  assert.deepEqual(rules(`${DRIVER}const client = postgres(url);\nconst db = drizzle(client);\nexport const move = () => db.transaction(async (tx) => { await tx.insert(users).values(row); });`), flagged);
  // drizzle(url) from the driver module makes its own postgres.js client, with its defaults.
  assert.deepEqual(rules(`import { drizzle } from 'drizzle-orm/postgres-js/driver';\nexport const db = drizzle(process.env.DATABASE_URL!);`), flagged);
});

const LUCIA = "import postgres from 'postgres';\nimport { Lucia } from 'lucia';\n";

test("a postgres.js client handed to Lucia v3's PostgresJsAdapter (every query an unsafe(text, args), no transaction) is not flagged", () => {
  const v3 = `${LUCIA}import { PostgresJsAdapter } from '@lucia-auth/adapter-postgresql';\n`;
  assert.deepEqual(rules(`${v3}const sql = postgres(process.env.DATABASE_URL!);\nexport const auth = new Lucia(new PostgresJsAdapter(sql, { user: 'account', session: 'login' }));`), []);
  assert.deepEqual(rules(`${v3}export const auth = new Lucia(new PostgresJsAdapter(postgres(url), { user: 'account', session: 'login' }));`), []);
  assert.deepEqual(rules(`import postgres from 'postgres';\nimport { PostgresJsAdapter as SessionStore } from '@lucia-auth/adapter-postgresql';\nconst sql = postgres(url);\nconst store = new SessionStore(sql, tables);\nprocess.on('SIGTERM', () => sql.end());`), []);
  // The same client tagging a query of its own, or given to the adapter in another place than its client, still prepares.
  assert.deepEqual(rules(`${v3}const sql = postgres(url);\nconst adapter = new PostgresJsAdapter(sql, tables);\nexport const countUsers = () => sql\`SELECT count(*) FROM account\`;`), flagged);
  assert.deepEqual(rules(`${v3}const sql = postgres(url);\nconst adapter = new PostgresJsAdapter(other, { user: 'account', session: 'login', sql });`), flagged);
});

test("Lucia v2's function adapter for postgres.js (which runs sql.begin, whose commit is named) and another module's PostgresJsAdapter keep the finding", () => {
  assert.deepEqual(rules(`${LUCIA}import { postgres as postgresAdapter } from '@lucia-auth/adapter-postgresql';\nconst sql = postgres(url);\nexport const auth = lucia({ adapter: postgresAdapter(sql, { user: 'auth_user', key: 'user_key', session: 'user_session' }) });`), flagged);
  assert.deepEqual(rules(`${LUCIA}import { postgres as postgresAdapter } from '@lucia-auth/adapter-postgresql';\nexport const auth = lucia({ adapter: postgresAdapter(postgres(url), tables) });`), flagged);
  assert.deepEqual(rules(`${LUCIA}import { PostgresJsAdapter } from './adapters';\nconst sql = postgres(url);\nexport const auth = new Lucia(new PostgresJsAdapter(sql, tables));`), flagged);
  assert.deepEqual(rules(`${LUCIA}import { NodePostgresAdapter } from '@lucia-auth/adapter-postgresql';\nconst sql = postgres(url);\nexport const auth = new Lucia(new NodePostgresAdapter(sql, tables));`), flagged);
});
