// A postgres.js client handed to a function of the project that only sends text through it with unsafe()
// (never prepared unless asked) prepares nothing, so its creation needs no prepare: false.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

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

function inProject(t: { after: (fn: () => void) => void }, helper: string, importLine = "import { createSchema } from './schema';"): string[] {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-unsafe-only-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'package.json'), '{ "name": "bench" }\n');
  writeFileSync(join(root, 'schema.ts'), helper);
  const file = join(root, 'seed.ts');
  const text = script(importLine);
  writeFileSync(file, text);
  return embeddedRules(text, file);
}

test('a client handed to an imported or local function that only runs unsafe(text) on it, or ends it, prepares nothing', (t) => {
  const helper = "import type { Sql } from 'postgres';\nexport function createSchema(sql: Sql) {\n  return sql.unsafe('CREATE TABLE account (id int); CREATE INDEX ON account (id);');\n}\n";
  assert.deepEqual(inProject(t, helper), []);
  const local = "const createSchema = async (sql) => { await sql.unsafe('CREATE TABLE a (id int)'); await sql.end(); };";
  assert.deepEqual(embeddedRules(script('', local), 'seed.ts'), []);
});

test('the client keeps its prepared-statement finding when the function tags a query on it, asks unsafe() to prepare, passes it on, or cannot be read', (t) => {
  const tags = "export function createSchema(sql) {\n  return sql`SELECT count(*) FROM account`;\n}\n";
  assert.deepEqual(inProject(t, tags), ['protocol-prepared-statement']);
  const prepares = "export function createSchema(sql) {\n  return sql.unsafe('SELECT 1', [], { prepare: true });\n}\n";
  assert.deepEqual(inProject(t, prepares), ['protocol-prepared-statement']);
  const passesOn = "import { migrate } from './migrate';\nexport function createSchema(sql) {\n  return migrate(sql);\n}\n";
  assert.deepEqual(inProject(t, passesOn), ['protocol-prepared-statement']);
  assert.deepEqual(embeddedRules(script("import { createSchema } from 'schema-kit';"), 'seed.ts'), ['protocol-prepared-statement']);
});
