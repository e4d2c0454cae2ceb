// Better Auth's drizzle adapter queries through the database's own members and opens `db.transaction` only when its
// options turn `transaction` on (off by default): a drizzle database on a postgres.js pool handed only to the adapter
// never runs a transaction there, so drizzle's unnamed queries prepare nothing. `transaction: true`, options the call
// does not write out (a variable, a spread), or the database also used for a transaction elsewhere keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('better-auth-drizzle', { after });
before(() => initAnalysis());

/** A module that makes a drizzle database on a postgres.js pool and hands it to Better Auth's adapter with `options`. */
function authModule(name: string, options: string, specifier = 'better-auth/adapters/drizzle', extra: string[] = []): string[] {
  repo.write(`${name}/package.json`, JSON.stringify({ name }));
  const text = [
    "import postgres from 'postgres';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { betterAuth } from 'better-auth';",
    `import { drizzleAdapter } from '${specifier}';`,
    "import * as schema from './auth-schema';",
    'const authDb = drizzle(postgres(process.env.AUTH_DATABASE_URL!, { max: 4 }), { schema });',
    `export const auth = betterAuth({ database: drizzleAdapter(authDb, ${options}) });`,
    ...extra,
  ];
  const path = join(repo.path(name), 'src/auth.ts');
  repo.write(`${name}/src/auth.ts`, text.join('\n'));
  return analyze(text.join('\n'), 'typescript', {}, path).map((f) => f.rule);
}

test("a database handed only to Better Auth's drizzle adapter, transactions left off, prepares nothing", () => {
  assert.deepEqual(authModule('default-off', "{ provider: 'pg', schema }"), []);
  assert.deepEqual(authModule('written-off', "{ provider: 'pg', schema, transaction: false }"), []);
  assert.deepEqual(authModule('own-package', "{ provider: 'pg' }", '@better-auth/drizzle-adapter'), []);
});

test('transactions turned on, options not written out, or a transaction elsewhere keep the finding', () => {
  const flagged = ['protocol-prepared-statement'];
  assert.deepEqual(authModule('turned-on', "{ provider: 'pg', transaction: true }"), flagged);
  assert.deepEqual(authModule('variable', 'adapterOptions'), flagged);
  assert.deepEqual(authModule('spread', "{ ...base, provider: 'pg' }"), flagged);
  const elsewhere = ['export const renameAll = () => authDb.transaction(async (tx) => tx.execute("SELECT 1"));'];
  assert.deepEqual(authModule('also-transaction', "{ provider: 'pg' }", undefined, elsewhere), flagged);
});
