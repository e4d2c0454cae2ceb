// A function given a client of PostgreSQL over HTTP (drizzle's `NeonHttpDatabase`, Neon's `NeonQueryFunction`) is
// never inside a transaction its caller began: each statement is a request of its own. So `SET LOCAL` (or
// `set_config(…, true)`) sent there is alone and lost, though a parameter of another type may be a caller's transaction.
// The type may be written out, or be an alias of this file or of a module of the project.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('http-only-clients', { after });
before(() => initAnalysis());

function rulesOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => f.rule);
}

test('SET LOCAL on a parameter typed as drizzle over Neon HTTP, directly or through an alias, is outside any transaction', () => {
  repo.write('crm/src/db/connection.ts', [
    "import { neon } from '@neondatabase/serverless';",
    "import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http';",
    'export type Database = NeonHttpDatabase<Record<string, never>>;',
    'export const db: Database = drizzle(neon(process.env.DATABASE_URL!));',
  ]);
  assert.deepEqual(rulesOf('crm/src/db/tenant.ts', [
    "import { sql } from 'drizzle-orm';",
    "import type { Database } from './connection';",
    'export async function enterWorkspace(db: Database, workspace: string) {',
    '  await db.execute(sql`SET LOCAL app.workspace = ${workspace}`);',
    '}',
  ]), ['set-local-outside-transaction']);
  assert.deepEqual(rulesOf('crm/src/db/direct.ts', [
    "import { sql } from 'drizzle-orm';",
    "import type { NeonHttpDatabase } from 'drizzle-orm/neon-http';",
    "import type { NeonQueryFunction } from '@neondatabase/serverless';",
    'type Http = NeonHttpDatabase<Record<string, never>>;',
    'export async function a(db: Http, w: string) { await db.execute(sql`SET LOCAL app.workspace = ${w}`); }',
    "export async function b(query: NeonQueryFunction<false, false>, w: string) { await query(`SELECT set_config('app.workspace', $1, true)`, [w]); }",
  ]), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});

test('a parameter of a client that can hold a transaction may be inside its caller\'s: not flagged', () => {
  repo.write('crm/src/db/pooled.ts', [
    "import type { NodePgDatabase } from 'drizzle-orm/node-postgres';",
    'export type Database = NodePgDatabase<Record<string, never>>;',
  ]);
  assert.deepEqual(rulesOf('crm/src/db/scoped.ts', [
    "import { sql } from 'drizzle-orm';",
    "import type { Database } from './pooled';",
    "import type { NeonDatabase } from 'drizzle-orm/neon-serverless';",
    'export async function enterWorkspace(db: Database, workspace: string) {',
    '  await db.execute(sql`SET LOCAL app.workspace = ${workspace}`);',
    '}',
    'export async function enterOverSocket(db: NeonDatabase, workspace: string) {',
    '  await db.execute(sql`SET LOCAL app.workspace = ${workspace}`);',
    '}',
  ]), []);
});
