// A pool factory imported under another name (`import { Pool as PgPool } from 'pg'`, `import { drizzle as
// drizzleHttp } from 'drizzle-orm/neon-http'`) makes a pool all the same: what is sent on it is judged as on a pool.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const lostLocals = (text: string) => embeddedFindings(text, 'scope.ts').filter(([rule]) => rule === 'set-local-outside-transaction').length;

const scoped = (imports: string[], made: string) => [
  ...imports,
  "import { sql } from 'drizzle-orm';",
  'export function scopedDb(userId: string) {',
  `  const db = ${made};`,
  '  return {',
  '    async run<T>(work: () => Promise<T>) {',
  "      await db.execute(sql`SELECT set_config('app.user_id', ${userId}, true)`);",
  '      return work();',
  '    },',
  '  };',
  '}',
].join('\n');

test('a set_config(…, true) sent alone on a pool whose factory was renamed on import is lost: drizzle over HTTP, over a pg pool', () => {
  const http = scoped(["import { neon } from '@neondatabase/serverless';", "import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http';"],
    'drizzleHttp(neon(process.env.DATABASE_URL!), { logger: false })');
  assert.equal(lostLocals(http), 1);
  const pg = scoped(["import { Pool as PgPool } from 'pg';", "import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';"],
    'drizzlePg(new PgPool({ connectionString: process.env.DATABASE_URL }))');
  assert.equal(lostLocals(pg), 1);
});

test("a function of the project's own module renamed on import is not taken for a pool factory by its exported name", () => {
  const own = scoped(["import { drizzle as openLedger } from './ledger';"], 'openLedger(process.env.DATABASE_URL!)');
  assert.equal(lostLocals(own), 0);
});
