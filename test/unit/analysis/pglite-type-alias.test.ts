// A project's own type alias for its in-process database (`export type Database = ReturnType<typeof drizzle<typeof
// schema>>` with drizzle from drizzle-orm/pglite, or `PgliteDatabase<…>`, or PGlite itself) says what its values are: a
// file that declares its handle with that alias (`db: Database`) sends its statements to PGlite's one embedded session,
// never to a pooler, so a session setting there gets no pooling finding, even in a file that names PGlite nowhere.
// An alias of a server driver's drizzle database, or a union with one, keeps the findings. The alias module is written to
// a scratch repository, where the analysis reads it (as the CLI does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('pglite-type-alias', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A helper module taking the handle as a parameter of the alias, and a test holding one in a top-level variable. */
const helperOf = (alias: string, from: string) => [
  "import { sql } from 'drizzle-orm';",
  `import type { ${alias} } from '${from}';`,
  `export async function actAs(db: ${alias}, who: string) {`,
  "  await db.execute(sql`SELECT set_config('app.user', ${who}, false)`);",
  '}',
];
const testOf = (alias: string, from: string) => [
  "import { sql } from 'drizzle-orm';",
  "import { beforeEach, it } from 'vitest';",
  `import { open, type ${alias} } from '${from}';`,
  `let db: ${alias};`,
  "beforeEach(async () => { db = await open('memory://'); });",
  "it('limits rows', async () => {",
  '  await db.execute(sql`SET ROLE reader`);',
  '});',
];
const FINDINGS = ['session-set set_config', 'session-set SET ROLE reader'];

test('a variable or parameter declared with a project alias of drizzle over PGlite (ReturnType of its drizzle, PgliteDatabase) or of PGlite gets no pooling finding', () => {
  repo.write('package.json', '{ "name": "app" }');
  repo.write('src/db/client.ts', [
    "import { PGlite } from '@electric-sql/pglite';",
    "import { drizzle as liteDrizzle } from 'drizzle-orm/pglite';",
    "import * as schema from './schema';",
    'export type Database = ReturnType<typeof liteDrizzle<typeof schema>>;',
    'export async function open(dir: string) { return liteDrizzle(new PGlite(dir), { schema }); }',
  ]);
  assert.deepEqual([...findingsOf('src/db/act.ts', helperOf('Database', './client')), ...findingsOf('src/db/rls.test.ts', testOf('Database', './client'))], []);
  repo.write('src/db/typed.ts', [
    "import type { PgliteDatabase } from 'drizzle-orm/pglite';",
    "import type { PGlite } from '@electric-sql/pglite';",
    'type Schema = Record<string, unknown>;',
    'export type Db = PgliteDatabase<Schema> | null;',
    'export type Raw = PGlite;',
    'export declare function open(dir: string): Promise<Db>;',
  ]);
  assert.deepEqual(findingsOf('src/db/typed-act.ts', helperOf('Db', './typed')), []);
  assert.deepEqual(findingsOf('src/db/raw-act.ts', helperOf('Raw', './typed')), []);
});

test("an alias of a server driver's drizzle database, or a union with one, keeps the findings", () => {
  repo.write('package.json', '{ "name": "app" }');
  repo.write('src/server/client.ts', [
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import type { PgliteDatabase } from 'drizzle-orm/pglite';",
    "import { Pool } from 'pg';",
    'export type Database = ReturnType<typeof drizzle>;',
    'export type Either = PgliteDatabase | ReturnType<typeof drizzle>;',
    'export async function open(url: string) { return drizzle(new Pool({ connectionString: url })); }',
  ]);
  assert.deepEqual([...findingsOf('src/server/act.ts', helperOf('Database', './client')), ...findingsOf('src/server/rls.test.ts', testOf('Database', './client'))], FINDINGS);
  assert.deepEqual(findingsOf('src/server/either.ts', helperOf('Either', './client')), ['session-set set_config']);
});

test('SET LOCAL outside a transaction is still reported on a handle declared with the PGlite alias', () => {
  repo.write('package.json', '{ "name": "app" }');
  repo.write('src/local/client.ts', [
    "import type { PgliteDatabase } from 'drizzle-orm/pglite';",
    'export type Database = PgliteDatabase;',
  ]);
  // The handle a module keeps (a parameter would be its caller's, maybe inside a transaction: silent, session 50).
  const found = findingsOf('src/local/act.ts', [
    "import { sql } from 'drizzle-orm';",
    "import type { Database } from './client';",
    'let db: Database;',
    'export function attach(handle: Database) { db = handle; }',
    'export async function zone() {',
    "  await db.execute(sql`SET LOCAL TimeZone = 'UTC'`);",
    '}',
  ]);
  assert.equal(found.length, 1, found.join('; '));
  assert.match(found[0], /^set-local-outside-transaction /);
});

test('an alias of drizzle over PGlite in a module that also builds a node-postgres pool (PGlite in development, a server in production) keeps the findings', () => {
  repo.write('package.json', '{ "name": "app" }');
  repo.write('src/dual/db.ts', [
    "import { drizzle as liteDrizzle } from 'drizzle-orm/pglite';",
    "import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';",
    "import { PGlite } from '@electric-sql/pglite';",
    "import { Pool } from 'pg';",
    'export type Database = ReturnType<typeof liteDrizzle>;',
    'export const open = (url?: string): Database => url',
    '  ? (pgDrizzle(new Pool({ connectionString: url })) as unknown as Database)',
    '  : liteDrizzle(new PGlite());',
  ]);
  assert.deepEqual(findingsOf('src/dual/act.ts', helperOf('Database', './db')), ['session-set set_config']);
});
