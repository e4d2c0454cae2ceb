import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const findings = (text: string, file = 'src/db/migrate.ts') => analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);

test("postgres-migrations' migrate() takes a session advisory lock on the client or config it is given", () => {
  const onClient = [
    "import pg from 'pg';",
    "import { migrate } from 'postgres-migrations';",
    'export async function upgrade(options: pg.ClientConfig) {',
    '  const client = new pg.Client(options);',
    '  await client.connect();',
    "  try { await migrate({ client }, 'migrations'); } finally { await client.end(); }",
    '}',
  ].join('\n');
  assert.deepEqual(findings(onClient), ['advisory-lock 6']);
  // The library opens its own client from a connection config; the module imported whole or required.
  const onConfig = [
    "const migrations = require('postgres-migrations');",
    "const dbConfig = { host: process.env.PGHOST, database: 'shop', user: 'shop', password: process.env.PGPASSWORD, port: 5432 };",
    "module.exports = () => migrations.migrate(dbConfig, './migrations');",
  ].join('\n');
  assert.deepEqual(findings(onConfig, 'src/db/migrate.js'), ['advisory-lock 3']);
  // Session mode keeps the lock on the client's own server connection.
  assert.deepEqual(analyze(onClient, 'typescript', { poolMode: 'session' }, 'src/db/migrate.ts'), []);
});

test("another library's migrate, a local namesake, a direct URL and a mocked module give nothing", () => {
  assert.deepEqual(findings("import { migrate } from 'drizzle-orm/node-postgres/migrator';\nexport const up = (db: any) => migrate(db, { migrationsFolder: 'drizzle' });"), []);
  assert.deepEqual(findings([
    "import pg from 'pg';",
    "import { migrate } from 'postgres-migrations';",
    'export async function upgrade() {',
    '  const client = new pg.Client({ connectionString: process.env.DIRECT_URL });',
    '  await client.connect();',
    "  await migrate({ client }, 'migrations');",
    '}',
  ].join('\n')), []);
  assert.deepEqual(findings([
    "import { migrate } from 'postgres-migrations';",
    "jest.mock('postgres-migrations');",
    "test('runs the migrations', async () => { await migrate({ client: {} as any }, 'migrations'); });",
  ].join('\n'), 'src/db/migrate.test.ts'), []);
  assert.deepEqual(findings([
    "import { migrate as run } from 'postgres-migrations';",
    'export async function upgrade(client: any) {',
    '  const migrate = async (_c: unknown, _dir: string) => undefined;',
    "  await migrate({ client }, 'migrations');",
    '}',
  ].join('\n')), []);
});
