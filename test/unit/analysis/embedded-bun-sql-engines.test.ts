// Bun's SQL class picks its adapter from the URL it is given (`sqlite://`, `file:`, `:memory:`, `mysql://`,
// `mariadb://`; PostgreSQL otherwise). The URL is read where it is written, and also through a const, a choice whose
// every branch is known, and the rows of a test table (`it.each(rows)(title, ({ url }) => …)`): a client every value of
// which names another engine is not PostgreSQL's. And a Bun client under drizzle whose database only goes to drizzle's
// bun-sql migrator once (then the client ends) names each statement once: the one-shot reading postgres.js gets.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.test.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);
const FLAGGED = ['protocol-prepared-statement SQL'];
const HEAD = "import { SQL } from 'bun';\nimport { describe, it, test, expect } from 'vitest';\n";
const REMOTE = "'postgres://app:secret@db.example.com:5432/shop'";

test("a URL held in a const: another engine's is not flagged, PostgreSQL's is", () => {
  const held = (value: string) => `${HEAD}const TARGET = ${value};\nexport function open() {\n  return new SQL(TARGET);\n}`;
  assert.deepEqual(found(held("':memory:'")), []);
  assert.deepEqual(found(held("'mysql://root@db.example.com/shop'")), []);
  assert.deepEqual(found(held(REMOTE)), FLAGGED);
  // A let may be given another value: its first one does not decide.
  assert.deepEqual(found(`${HEAD}let target = ':memory:';\nexport function open() {\n  return new SQL(target);\n}`), FLAGGED);
});

test('a choice between URLs: not flagged only when every branch names another engine', () => {
  const chosen = (other: string) => `${HEAD}const FILE = 'sqlite://cache.db';\nexport function open(onDisk: boolean) {\n  return new SQL(onDisk ? FILE : ${other});\n}`;
  assert.deepEqual(found(chosen("':memory:'")), []);
  assert.deepEqual(found(chosen(REMOTE)), FLAGGED);
  assert.deepEqual(found(chosen('process.env.DATABASE_URL')), FLAGGED);
});

test("a test table's rows: object rows read by a destructured parameter, single values and array rows spread", () => {
  const objectRows = (last: string) => `${HEAD}it.each([\n  { name: 'memory', url: ':memory:' },\n  { name: 'file', url: \`file:\${dir}/a.db\` },\n  { name: 'last', url: ${last} },\n])('opens $name', async ({ url }) => {\n  const sql = new SQL(url);\n  expect(sql).toBeDefined();\n  await sql.close();\n});`;
  assert.deepEqual(found(objectRows('`sqlite://${dir}/b.db`')), []);
  assert.deepEqual(found(objectRows(REMOTE)), FLAGGED);
  assert.deepEqual(found(objectRows('process.env.TEST_URL')), FLAGGED);
  // A row without the property hands the callback undefined (Bun then reads the environment: PostgreSQL).
  assert.deepEqual(found(`${HEAD}it.each([{ url: ':memory:' }, { name: 'none' }])('opens', ({ url }) => {\n  new SQL(url);\n});`), FLAGGED);

  const singleValues = (second: string) => `${HEAD}describe.each(['mysql://u:p@h:3306/d', ${second}])('%s', (url) => {\n  it('is refused', () => {\n    expect(() => check(new SQL(url))).toThrow();\n  });\n});`;
  assert.deepEqual(found(singleValues("'mariadb://u:p@h:3306/d'")), []);
  assert.deepEqual(found(singleValues(REMOTE)), FLAGGED);

  const arrayRows = (second: string) => `${HEAD}const ENGINES = [\n  ['memory', ':memory:'],\n  ['other', ${second}],\n];\ntest.each(ENGINES)('%s', (label, url) => {\n  new SQL(url);\n});`;
  assert.deepEqual(found(arrayRows("'mysql://root@h/d'")), []);
  assert.deepEqual(found(arrayRows(REMOTE)), FLAGGED);
});

test('a parameter whose values are not all known from a table stays flagged', () => {
  // A table also changed elsewhere, a parameter given another value, a plain function's parameter, a for…of loop.
  assert.deepEqual(found(`${HEAD}const URLS = [':memory:'];\nURLS.push(process.env.DATABASE_URL);\ndescribe.each(URLS)('%s', (url) => {\n  new SQL(url);\n});`), FLAGGED);
  assert.deepEqual(found(`${HEAD}describe.each([':memory:'])('%s', (url) => {\n  url = process.env.DATABASE_URL;\n  new SQL(url);\n});`), FLAGGED);
  assert.deepEqual(found(`${HEAD}export function open(url = ':memory:') {\n  return new SQL(url);\n}`), FLAGGED);
  assert.deepEqual(found(`${HEAD}describe.each([':memory:'])('%s', (...args) => {\n  new SQL(args[0]);\n});`), FLAGGED);
});

const MIGRATE_HEAD = "import { drizzle } from 'drizzle-orm/bun-sql';\nimport { migrate } from 'drizzle-orm/bun-sql/migrator';\n";

test("a Bun client whose drizzle database only goes to drizzle's bun-sql migrator once, then ends, is not flagged", () => {
  const script = `${MIGRATE_HEAD}const client = new Bun.SQL(Bun.env.DATABASE_URL!, { max: 1 });\nconst db = drizzle({ client });\n\nasync function main() {\n  await migrate(db, { migrationsFolder: './drizzle' });\n  await db.$client.end();\n}\n\nmain();`;
  assert.deepEqual(found(script, 'src/db/migrate.ts'), []);
  // drizzle(client) handed the client itself, ended through the client; in a function that makes its own client per call.
  const perCall = `import { SQL } from 'bun';\n${MIGRATE_HEAD}export async function applyMigrations(url: string) {\n  const client = new SQL(url);\n  await migrate(drizzle(client), { migrationsFolder: 'migrations' });\n  await client.close();\n}`;
  assert.deepEqual(found(perCall, 'src/migrate.ts'), []);
});

test('a Bun client whose database is migrated twice, queried, handed on or exported keeps the finding', () => {
  const make = (body: string, tail = 'main();') => `${MIGRATE_HEAD}const client = new Bun.SQL(Bun.env.DATABASE_URL!, { max: 1 });\nconst db = drizzle({ client });\n\nasync function main() {\n${body}\n  await client.end();\n}\n\n${tail}`;
  const once = "  await migrate(db, { migrationsFolder: './drizzle' });";
  const flagged = ['protocol-prepared-statement Bun.SQL'];
  assert.deepEqual(found(make(once), 'src/migrate.ts'), []);
  assert.deepEqual(found(make(`${once}\n${once}`), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(`  for (const folder of folders) await migrate(db, { migrationsFolder: folder });`), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(once, 'main();\nmain();'), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(`${once}\n  await db.select().from(users);`), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(`${once}\n  await seedUsers(db);`), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(`${once}\n  await client\`SELECT 1\`;`), 'src/migrate.ts'), flagged);
  assert.deepEqual(found(make(once, 'main();\nexport { db };'), 'src/migrate.ts'), flagged);
  // Another migrator than drizzle's bun-sql one.
  assert.deepEqual(found(make(once).replace('drizzle-orm/bun-sql/migrator', './my-migrator'), 'src/migrate.ts'), flagged);
});
