// drizzle-orm's `sql` builder handed on by a module of the project (`export { sql } from 'drizzle-orm'` in the
// project's db module, then `import { sql } from '../db'`) is still drizzle's builder: a template or `sql.raw(…)` only
// awaited or dropped sends nothing, as when imported from drizzle-orm itself. The module is followed through a
// renamed export, an import it exports again and barrels (`export * from`); a `sql` the project's module makes itself
// (a postgres.js client) stays a client whose templates are sent. A CommonJS module hands it on through its exports alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('drizzle-sql-handed-on', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)} ${text.slice(0, f.start).split('\n').length}`);
}

test("drizzle's sql re-exported by the project's db module, dropped after an await, sends nothing", () => {
  repo.write('orders/src/db/index.ts', [
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import { Pool } from 'pg';",
    "export { sql, eq } from 'drizzle-orm';",
    'export const db = drizzle(new Pool({ connectionString: process.env.DATABASE_URL }));',
  ]);
  assert.deepEqual(findingsOf('orders/src/jobs/nightly.ts', [
    "import { db, sql } from '../db';",
    'export async function nightly() {',
    '  await sql`SET search_path TO reports, public`;',
    "  await sql.raw('SET lock_timeout = 0');",
    '  await db.execute(sql`SET statement_timeout = 0`);',
    '}',
  ]), ['session-set SET statement_timeout = 0 5']);
});

test('handed on renamed, as an import exported again, through a barrel or `export *`, it is still the builder', () => {
  repo.write('ledger/src/db/drizzle.ts', [
    "import { sql as build } from 'drizzle-orm';",
    'export { build as q };',
  ]);
  repo.write('ledger/src/db/index.ts', ["export * from './drizzle';", "export { sql as dsql } from 'drizzle-orm/sql';"]);
  repo.write('ledger/src/db/all.ts', ["export * from 'drizzle-orm';"]);
  assert.deepEqual(findingsOf('ledger/src/tasks/close.ts', [
    "import { q, dsql } from '../db';",
    "import { sql } from '../db/all';",
    'export async function close() {',
    "  await q.raw('SET search_path TO ledger');",
    "  void dsql.raw(\"SELECT set_config('app.period', 'closed', false)\");",
    '  await sql`SET statement_timeout = 0`;',
    '}',
  ]), []);
});

test("a sql the project's module makes itself (a postgres.js client), or a module that exports something else, keeps its findings", () => {
  repo.write('shop/src/db/index.ts', [
    "import postgres from 'postgres';",
    "export const sql = postgres(process.env.DATABASE_URL!, { prepare: false });",
  ]);
  repo.write('shop/src/db/tags.ts', [
    "import { sql as drizzleSql } from 'drizzle-orm';",
    'export const sql = (parts: TemplateStringsArray) => parts.join("");',
    'export const unused = drizzleSql;',
  ]);
  assert.deepEqual(findingsOf('shop/src/cart.ts', [
    "import { sql } from './db';",
    'export async function pin() {',
    '  await sql`SET search_path TO shop`;',
    '}',
  ]), ['session-set SET search_path TO shop 3']);
  assert.deepEqual(findingsOf('shop/src/other.ts', [
    "import { sql } from './db/tags';",
    "import postgres from 'postgres';",
    'export async function pin() {',
    '  await sql`SET search_path TO shop`;',
    '}',
  ]), ['session-set SET search_path TO shop 4']);
});

// Session 37 (mend43b, review43b S2): a name the module exports itself shadows the one `export * from 'drizzle-orm'`
// brings, as in ES modules.
test("a barrel starring drizzle-orm that exports its own sql (re-exported or declared) hands on that sql, not drizzle's", () => {
  repo.write('tenants/src/db/client.ts', [
    "import postgres from 'postgres';",
    'export const sql = postgres(process.env.DATABASE_URL!, { prepare: false });',
  ]);
  repo.write('tenants/src/db/index.ts', ["export * from 'drizzle-orm';", "export { sql } from './client';"]);
  repo.write('tenants/src/db/local.ts', ["export * from 'drizzle-orm';", "import { sql as client } from './client';", 'export const sql = client;']);
  for (const [index, barrel] of ['../db', '../db/local'].entries()) {
    assert.deepEqual(findingsOf(`tenants/src/jobs/switch-${index}.ts`, [
      `import { sql } from '${barrel}';`,
      'export async function useTenant() {',
      '  await sql`SET search_path TO tenant_a`;',
      '  return sql`select * from items`;',
      '}',
    ]), ['session-set SET search_path TO tenant_a 3'], barrel);
  }
});

test("a barrel starring drizzle-orm beside other names of its own still hands on drizzle's sql", () => {
  repo.write('billing/src/db/client.ts', ["import postgres from 'postgres';", 'export const client = postgres(process.env.DATABASE_URL!);']);
  repo.write('billing/src/db/index.ts', ["export * from 'drizzle-orm';", "export { client } from './client';", 'export function schemaName() { return "billing"; }']);
  assert.deepEqual(findingsOf('billing/src/jobs/run.ts', [
    "import { sql } from '../db';",
    'export async function run() {',
    '  await sql`SET search_path TO billing`;',
    '}',
  ]), []);
});

// Session 38 (fix45c): a CommonJS module hands drizzle's builder on through its exports as an ES module does through
// its export statements: a property of `module.exports`, `exports.name`, a spread or whole `require` (a star), and
// `module.exports = sql` as the module's default value.
test("drizzle's sql handed on through module.exports or exports (named, spread, whole, default) is still the builder", () => {
  repo.write('crm/lib/db.js', [
    "const { sql } = require('drizzle-orm');",
    "const { drizzle } = require('drizzle-orm/node-postgres');",
    'const db = drizzle(process.env.DATABASE_URL);',
    'module.exports = { db, sql };',
  ]);
  repo.write('crm/lib/tag.js', ["exports.q = require('drizzle-orm').sql;"]);
  repo.write('crm/lib/spread.js', ["module.exports = { ...require('drizzle-orm'), name: 'crm' };"]);
  repo.write('crm/lib/whole.js', ["module.exports = require('./db');"]);
  repo.write('crm/lib/only.js', ["const orm = require('drizzle-orm');", 'module.exports = orm.sql;']);
  const uses = [
    ["const { sql } = require('./db');", 'db'],
    ["const { q: sql } = require('./tag');", 'tag'],
    ["const { sql } = require('./spread');", 'spread'],
    ["const { sql } = require('./whole');", 'whole'],
    ["const sql = require('./only');", 'only'],
  ];
  for (const [required, name] of uses) {
    assert.deepEqual(findingsOf(`crm/lib/report-${name}.js`, [
      required,
      'async function report() {',
      '  await sql`SET search_path TO crm`;',
      "  await sql.raw('SET lock_timeout = 0');",
      '}',
      'module.exports = { report };',
    ]), [], name);
  }
});

test("a CommonJS module's own sql (a postgres.js client), also beside a spread of drizzle-orm, keeps its findings", () => {
  repo.write('desk/lib/client.js', ["const postgres = require('postgres');", 'const sql = postgres(process.env.DATABASE_URL);', 'module.exports = { sql };']);
  repo.write('desk/lib/mixed.js', ["const { sql: client } = require('./client');", "module.exports = { ...require('drizzle-orm'), sql: client };"]);
  repo.write('desk/lib/named.js', ["const postgres = require('postgres');", "exports.sql = postgres(process.env.DATABASE_URL);", "module.exports.other = require('drizzle-orm').sql;"]);
  for (const [index, module] of ['./client', './mixed', './named'].entries()) {
    assert.deepEqual(findingsOf(`desk/lib/use-${index}.js`, [
      `const { sql } = require('${module}');`,
      'async function pin() {',
      '  await sql`SET search_path TO desk`;',
      '}',
      'module.exports = { pin };',
    ]), ['session-set SET search_path TO desk 3'], module);
  }
});

// Session 39 (fix47a): in `module.exports = { … }` the properties are set in order, so a spread written after a
// property replaces it when the spread module exports that name; one written before it is replaced by it.
test('in a module.exports object a spread written after a property decides the name when its module exports it', () => {
  repo.write('mail/lib/client.js', ["const postgres = require('postgres');", 'const sql = postgres(process.env.DATABASE_URL, { prepare: false });', 'module.exports = { sql };']);
  repo.write('mail/lib/orm.js', ["module.exports = { sql: require('drizzle-orm').sql };"]);
  repo.write('mail/lib/format.js', ['function pad(text) { return String(text).padStart(8); }', 'module.exports = { pad };']);
  repo.write('mail/lib/late-drizzle.js', ["const { sql } = require('./client');", "module.exports = { sql, ...require('drizzle-orm') };"]);
  repo.write('mail/lib/late-barrel.js', ["const { sql } = require('./client');", "module.exports = { sql, ...require('./orm') };"]);
  repo.write('mail/lib/late-other.js', ["const { sql } = require('drizzle-orm');", "module.exports = { sql, ...require('./format') };"]);
  repo.write('mail/lib/client-late-other.js', ["const { sql } = require('./client');", "module.exports = { sql, ...require('./format') };"]);
  const use = (module: string, index: number) => findingsOf(`mail/lib/watch-${index}.js`, [
    `const { sql } = require('${module}');`,
    'async function watch() {',
    '  await sql`LISTEN jobs_ready`;',
    '}',
    'module.exports = { watch };',
  ]);
  // drizzle's builder wins: spread after the client (from drizzle-orm, or a module handing it on), or kept beside a
  // spread of a module without a `sql`.
  assert.deepEqual(use('./late-drizzle', 0), [], 'late-drizzle');
  assert.deepEqual(use('./late-barrel', 1), [], 'late-barrel');
  assert.deepEqual(use('./late-other', 2), [], 'late-other');
  // The client stays when the later spread's module has no `sql`.
  assert.deepEqual(use('./client-late-other', 3), ['listen LISTEN jobs_ready 3'], 'client-late-other');
});
