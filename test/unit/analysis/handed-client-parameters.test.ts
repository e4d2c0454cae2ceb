// A function that sends a transaction-local setting on a client it takes as a parameter cannot show whether its caller
// began a transaction on that client first, so the rule stays silent there — whether or not any code of the project
// calls the function (an exported helper nobody calls yet may well be meant for a transaction's handle). What stays
// reported: an optional handle with a fallback the helper picks when no call hands one (`tx || db`, session 45), a
// parameter declared as a client that is never inside a transaction (an HTTP client, Prisma's root client), a parameter
// declared as a pg pool of a function nothing calls, and a setting sent alone on a pool the file makes itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type FileText } from '../../helpers/scratch';

before(() => initAnalysis());

let count = 0;
/** Writes a project of `files` and returns the lines of `checked` that get set-local-outside-transaction findings. */
function linesIn(files: Record<string, FileText>, checked: string): number[] {
  const repo = scratchRepository(`handed-client-${count++}`, { after });
  repo.writeAll({
    'package.json': '{ "name": "ledger", "dependencies": { "pg": "^8", "drizzle-orm": "^0.30", "@prisma/client": "^5", "@neondatabase/serverless": "^0.9" } }',
    ...files,
  });
  const path = repo.path(checked);
  const text = readFileSync(path, 'utf8');
  return analyze(text, 'typescript', {}, path)
    .filter((f) => f.rule === 'set-local-outside-transaction')
    .map((f) => text.slice(0, f.start).split('\n').length);
}

/** An exported drizzle-style helper that sends three settings in one tagged text on the handle it is given (lines 4–6). */
const scopeHelper = (parameter: string, method = 'execute') => [
  "import { sql } from 'drizzle-orm';",
  `export async function applyScope(${parameter}, org: string, member: string, level: string) {`,
  `  await handle.${method}(sql\``,
  "    SELECT set_config('ledger.org', ${org}, TRUE);",
  "    SELECT set_config('ledger.member', ${member}, TRUE);",
  "    SELECT set_config('ledger.level', ${level}, TRUE);",
  '  `);',
  '}',
];

test('an exported helper nothing calls, sending settings on a handle it takes (typed any or not): silent', () => {
  assert.deepEqual(linesIn({ 'src/scope.ts': scopeHelper('handle: any') }, 'src/scope.ts'), []);
  assert.deepEqual(linesIn({ 'src/scope.ts': scopeHelper('handle') }, 'src/scope.ts'), []);
  assert.deepEqual(linesIn({ 'src/scope.ts': scopeHelper('handle: any', 'query') }, 'src/scope.ts'), []);
});

test('an exported pg helper nothing imports, sending one lone set_config(…, true) on its client parameter: silent', () => {
  const helper = [
    "import type { PoolClient } from 'pg';",
    'export async function forOrg(conn: PoolClient, org: string) {',
    "  await conn.query(\"SELECT set_config('ledger.org', $1, true)\", [org]);",
    '}',
  ];
  assert.deepEqual(linesIn({ 'src/org.ts': helper, 'src/main.ts': 'export const ready = true;\n' }, 'src/org.ts'), []);
});

test('the same settings sent on a pool the file makes are still reported, each line', () => {
  const onPool = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function applyScope(org: string, member: string) {',
    '  await pool.query(`',
    "    SELECT set_config('ledger.org', '${org}', TRUE);",
    "    SELECT set_config('ledger.member', '${member}', TRUE);",
    '  `);',
    '}',
  ];
  assert.deepEqual(linesIn({ 'src/scope.ts': onPool }, 'src/scope.ts'), [5, 6]);
});

test('an optional handle falling back to the application database, never handed by any call: still reported', () => {
  const files = {
    'src/db.ts': [
      "import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';",
      "import { Pool } from 'pg';",
      'let made: NodePgDatabase | undefined;',
      'const open = (): NodePgDatabase => (made ??= drizzle(new Pool({ connectionString: process.env.DATABASE_URL })));',
      'export const db = new Proxy({} as NodePgDatabase, { get: (_, key) => Reflect.get(open(), key) });',
    ],
    'src/scope.ts': [
      "import { sql } from 'drizzle-orm';",
      "import { db } from './db';",
      'export async function applyOrg(org: string, tx?: any) {',
      '  const handle = tx || db;',
      "  await handle.execute(sql`SELECT set_config('ledger.org', ${org}, true)`);",
      '}',
    ],
  };
  assert.deepEqual(linesIn(files, 'src/scope.ts'), [5]);
});

test('parameters declared as Prisma\'s root client or as an HTTP client are still reported, called or not', () => {
  const prisma = [
    "import type { PrismaClient } from '@prisma/client';",
    'export async function forOrg(client: PrismaClient, org: string) {',
    "  await client.$executeRawUnsafe(\"SELECT set_config('ledger.org', $1, true)\", org);",
    '}',
  ];
  assert.deepEqual(linesIn({ 'src/org.ts': prisma }, 'src/org.ts'), [3]);
  const http = [
    "import type { NeonQueryFunction } from '@neondatabase/serverless';",
    'export async function forOrg(run: NeonQueryFunction<false, false>, org: string) {',
    "  await run(\"SELECT set_config('ledger.org', $1, true)\", [org]);",
    '}',
  ];
  assert.deepEqual(linesIn({ 'src/org.ts': http }, 'src/org.ts'), [3]);
});

test('an exported helper nothing calls whose parameter is declared a pg pool keeps its finding; a checked-out client does not', () => {
  const helper = (type: string) => [
    "import type { Pool, PoolClient } from 'pg';",
    `export async function forOrg(target: ${type}, org: string) {`,
    "  await target.query(\"SELECT set_config('ledger.org', $1, true)\", [org]);",
    '}',
  ];
  assert.deepEqual(linesIn({ 'src/org.ts': helper('Pool') }, 'src/org.ts'), [3]);
  assert.deepEqual(linesIn({ 'src/org.ts': helper('PoolClient | Pool') }, 'src/org.ts'), [3]);
  assert.deepEqual(linesIn({ 'src/org.ts': helper('PoolClient') }, 'src/org.ts'), []);
});
