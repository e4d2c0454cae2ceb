// Bun's built-in SQL client: for PostgreSQL (its default adapter) it prepares every query as a named
// statement unless created with `prepare: false`. Clients for MySQL or SQLite (by URL scheme, file name,
// `adapter` or `filename`) are another database's; a PostgreSQL client's tags are SQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);
const IMPORT = "import { SQL } from 'bun';\n";

test('a Bun SQL client for PostgreSQL without prepare: false is flagged, from options, a URL or the environment', () => {
  assert.deepEqual(found(`${IMPORT}const db = new SQL({ database: 'shop' });\nawait db\`SELECT 1\`;`), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(`${IMPORT}const db = new SQL('postgres://app@db/shop', { max: 4 });`), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(`${IMPORT}export const db = new SQL(process.env.DATABASE_URL);`), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(`${IMPORT}const db = new SQL({ adapter: 'postgres', prepare: true });`), ['protocol-prepared-statement true']);
  // Renamed on import, or through the global and a namespace import.
  assert.deepEqual(found("import { SQL as Client } from 'bun';\nconst db = new Client(url);"), ['protocol-prepared-statement Client']);
  assert.deepEqual(found('const db = new Bun.SQL(url);', 'f.js'), ['protocol-prepared-statement Bun.SQL']);
  assert.deepEqual(found("import * as bun from 'bun';\nconst db = new bun.SQL(url);"), ['protocol-prepared-statement bun.SQL']);
});

test('the fix adds prepare: false to the options, or an options object', () => {
  const apply = (text: string) => {
    const [finding] = analyze(text, 'typescript', {}, 'db.ts');
    const edits = [...finding.fix!.edits].sort((a, b) => b.start - a.start);
    return edits.reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
  };
  assert.equal(apply(`${IMPORT}const db = new SQL(url);`), `${IMPORT}const db = new SQL(url, { prepare: false });`);
  assert.equal(apply(`${IMPORT}const db = new SQL();`), `${IMPORT}const db = new SQL({ prepare: false });`);
  assert.equal(apply(`${IMPORT}const db = new SQL({ max: 2 });`), `${IMPORT}const db = new SQL({ prepare: false, max: 2 });`);
});

test('prepare: false (as an option or a URL parameter), a computed prepare or adapter, MySQL and SQLite clients are not flagged', () => {
  assert.deepEqual(found(`${IMPORT}const db = new SQL(url, { prepare: false });`), []);
  assert.deepEqual(found(`${IMPORT}const db = new SQL('postgres://db/shop?prepare=false');`), []);
  assert.deepEqual(found(`${IMPORT}const db = new SQL({ url, prepare: usePooler ? false : true });`), []);
  assert.deepEqual(found(`${IMPORT}const db = new SQL({ adapter: config.adapter });`), []);
  for (const sqlite of ["'sqlite://data/app.db'", "':memory:'", "'./data/app.sqlite'", "{ adapter: 'sqlite', filename: 'app.db' }", "{ filename: ':memory:' }"]) {
    assert.deepEqual(found(`${IMPORT}const sql = new SQL(${sqlite});\nawait sql\`SET search_path TO x\`;`), [], sqlite);
  }
  assert.deepEqual(found(`${IMPORT}const sql = new SQL('mysql://root@db/shop');\nawait sql\`SET NAMES utf8mb4\`;`), []);
  assert.deepEqual(found(`${IMPORT}const sql = new SQL({ adapter: 'mariadb' });\nawait sql\`LOCK TABLES t WRITE\`;`), []);
  // Another library's SQL class, and Bun's types only.
  assert.deepEqual(found("import { SQL } from 'sql-template-strings';\nconst q = new SQL('x');"), []);
  assert.deepEqual(found("import type { SQL } from 'bun';\nexport function run(db: SQL) { return db; }"), []);
});

test("a PostgreSQL Bun client's tags are SQL; Bun's default client is flagged once where it is imported or used", () => {
  assert.deepEqual(found(`${IMPORT}const pg = new SQL(url, { prepare: false });\nawait pg\`SET search_path TO app\`;`), ['session-set SET search_path TO app']);
  const defaultClient = "import { sql } from 'bun';\nawait sql`SELECT 1`;\nawait sql`SELECT 2`;";
  assert.deepEqual(found(defaultClient), ['protocol-prepared-statement sql']);
  assert.deepEqual(found('await Bun.sql`SELECT 1`;\nawait Bun.sql`SELECT 2`;', 'f.js'), ['protocol-prepared-statement Bun.sql']);
  // Imported and never used as a tag: nothing is sent.
  assert.deepEqual(found("import { sql } from 'bun';\nexport { sql };"), []);
});

test('a Bun client used only for unsafe(text) without values (the simple query protocol: a setup script of several statements) and close() prepares nothing: not flagged', () => {
  const setup = `${IMPORT}export async function seed(url: string) {\n  const db = new SQL(url);\n  await db.unsafe(\`CREATE TABLE IF NOT EXISTS notes (id int);\n    INSERT INTO notes VALUES (1);\`);\n  await db.unsafe("NOTIFY cache, 'reload'");\n  db.close();\n}`;
  assert.deepEqual(found(setup), []);
});

test('a Bun client that also sends unsafe(text, values), a tagged query, or leaves the function is still flagged', () => {
  const body = (use: string) => `${IMPORT}export async function seed(url: string) {\n  const db = new SQL(url);\n  await db.unsafe('CREATE TABLE IF NOT EXISTS notes (id int)');\n  ${use}\n  db.close();\n}`;
  assert.deepEqual(found(body("await db.unsafe('INSERT INTO notes VALUES ($1)', [1]);")), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(body('await db`INSERT INTO notes VALUES (${1})`;')), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(body('return db;')), ['protocol-prepared-statement SQL']);
});

test("Bun's SQL class loaded at run time (a destructured, renamed or member-read import('bun')) is flagged as when imported", () => {
  const inFunction = (load: string, make: string) => `export async function connect(url: string) {\n  ${load}\n  return ${make};\n}`;
  assert.deepEqual(found(inFunction("const { SQL } = await import('bun');", 'new SQL(url, options)')), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(inFunction("const { SQL: BunSQL } = await import('bun');", 'new BunSQL(url)')), ['protocol-prepared-statement BunSQL']);
  assert.deepEqual(found(inFunction("const SQL = (await import('bun')).SQL;", 'new SQL(url)')), ['protocol-prepared-statement SQL']);
  assert.deepEqual(found(inFunction("const bun = await import('bun');", 'new bun.SQL(url)')), ['protocol-prepared-statement bun.SQL']);
  assert.deepEqual(found(inFunction('', "new (await import('bun')).SQL(url)")), ["protocol-prepared-statement (await import('bun')).SQL"]);
  // Beside SQLite's driver (`bun:sqlite`): the file talks to PostgreSQL too, through Bun's SQL class.
  assert.deepEqual(found(`import { Database } from 'bun:sqlite';\n${inFunction("const { SQL } = await import('bun');", 'new SQL(url)')}`), ['protocol-prepared-statement SQL']);
  // Still judged like any Bun client: prepare: false, a SQLite URL; another module's SQL, an un-awaited import.
  assert.deepEqual(found(inFunction("const { SQL } = await import('bun');", 'new SQL(url, { prepare: false })')), []);
  assert.deepEqual(found(inFunction("const { SQL } = await import('bun');", "new SQL('sqlite://app.db')")), []);
  assert.deepEqual(found(inFunction("const { SQL } = await import('sql-template-strings');", 'new SQL(url)')), []);
  assert.deepEqual(found(inFunction("const promised = import('bun');", 'new promised.SQL(url)')), []);
});

test("a Bun client of test code's local database is exempt as a postgres.js one is (no pooler between); the same URL in application code is flagged", () => {
  const local = `${IMPORT}export const db = new SQL('postgres://postgres:postgres@localhost:5432/main');\nawait db\`SELECT 1\`;`;
  assert.deepEqual(found(local, 'test/setup.test.ts'), []);
  assert.deepEqual(found(local, 'src/db.ts'), ['protocol-prepared-statement SQL']);
  // Loaded with import() in a test helper (`import('bun').then((mod) => new mod.SQL(url))`): the same.
  const loaded = "export const make = () => import('bun').then((mod) => new mod.SQL('postgres://postgres@localhost:5432/main'));";
  assert.deepEqual(found(loaded, 'tests/setup.ts'), []);
  assert.deepEqual(found(loaded, 'src/db.ts'), ['protocol-prepared-statement mod.SQL']);
});
