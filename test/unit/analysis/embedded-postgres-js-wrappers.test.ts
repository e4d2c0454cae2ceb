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
