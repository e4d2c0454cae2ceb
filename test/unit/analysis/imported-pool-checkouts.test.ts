// A test's connection held out of a pool that an application module of the project makes and exports (the pool, or a
// function returning it): in the test's run that module reads the test run's environment, so the held connection is
// one session of whatever database the test environment gives the pool's URL variable — the developer's own test
// database unless some file of the repository points that variable at a pooler or another machine. The URL may be
// read from a checked copy of the environment a config module exports (`env = schema.parse(process.env)`). A pool's
// tuning options (`max`, `ssl`) say nothing of where it connects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('imported-pool-checkouts', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A spec that holds a connection of `pool` (an import), takes a session lock on it (line 5) and releases it (line 8). */
const lockSpec = (importLine: string, pool: string) => [
  importLine,
  "it('waits for the reindex lock', async () => {",
  `  const holder = await ${pool}.connect();`,
  '  try {',
  "    await holder.query('SELECT pg_advisory_lock(77)');",
  '    await new Promise((resolve) => setTimeout(resolve, 10));',
  '  } finally {',
  "    await holder.query('SELECT pg_advisory_unlock(77)');",
  '    holder.release();',
  '  }',
  '});',
];
const LOCKED = ['advisory-lock 5', 'advisory-lock 8'];

/** A config module exporting a checked copy of the environment, and a db module whose pool reads the URL from it. */
function writeLazyPoolProject(folder: string, envCopy: string): void {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/src/config.ts`, [
    "import { z } from 'zod';",
    'const schema = z.object({ SHOP_DB_URL: z.string().url(), POOL_SIZE: z.coerce.number().default(5) });',
    'const checked = schema.safeParse(process.env);',
    "if (!checked.success) throw new Error('bad environment');",
    envCopy,
  ]);
  repo.write(`${folder}/src/db.ts`, [
    "import { Pool } from 'pg';",
    "import { env } from './config';",
    'let pool: Pool | null = null;',
    'export function openPool(): void {',
    '  const made = new Pool({ connectionString: env.SHOP_DB_URL, max: env.POOL_SIZE });',
    '  pool = made;',
    '}',
    'export function requirePool(): Pool {',
    "  if (!pool) throw new Error('not open');",
    '  return pool;',
    '}',
  ]);
}

test('a test holding a connection of a pool an application module exports, on a variable the repository points at this machine or nowhere: no lock finding', () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/src/pool.ts', ["import { Pool } from 'pg';", 'export const pool = new Pool({ connectionString: process.env.SHOP_DB_URL, max: 4 });']);
  assert.deepEqual(findingsOf(repo.write('a/test/reindex.test.ts', lockSpec("import { pool } from '../src/pool';", 'pool'))), []);
  // The pool a module keeps in a `let` and hands out through a function, its URL read from a checked copy of the
  // environment a config module exports (with a member of its own besides the copied ones); an example env file
  // setting the variable to this machine.
  writeLazyPoolProject('b', "export const env = { ...checked.data, SERVICE: 'shop' };");
  repo.write('b/.env.example', 'SHOP_DB_URL=postgres://shop:shop@localhost:5432/shop');
  assert.deepEqual(findingsOf(repo.write('b/test/reindex.test.ts', lockSpec("import { requirePool } from '../src/db';", 'requirePool()'))), []);
  writeLazyPoolProject('c', 'export const env = schema.parse(process.env);');
  assert.deepEqual(findingsOf(repo.write('c/test/reindex.test.ts', lockSpec("import { requirePool } from '../src/db';", 'requirePool()'))), []);
});

test('the same checkout keeps its findings where the repository points the variable at a pooler, where the copy writes the URL itself, in application code, or where only a tuning option reads the environment', () => {
  writeLazyPoolProject('d', "export const env = { ...checked.data, SERVICE: 'shop' };");
  repo.write('d/.env.example', 'SHOP_DB_URL=postgres://shop:secret@shop-db.pooler.example-cloud.com:6543/shop');
  assert.deepEqual(findingsOf(repo.write('d/test/reindex.test.ts', lockSpec("import { requirePool } from '../src/db';", 'requirePool()'))), LOCKED);
  // The config module writes the URL itself, from something not read here.
  writeLazyPoolProject('e', 'export const env = { ...checked.data, SHOP_DB_URL: vaultSecret(\'shop-db\') };');
  assert.deepEqual(findingsOf(repo.write('e/test/reindex.test.ts', lockSpec("import { requirePool } from '../src/db';", 'requirePool()'))), LOCKED);
  // Application code holding the same connection: its callers' runs are production's.
  writeLazyPoolProject('f', 'export const env = schema.parse(process.env);');
  assert.deepEqual(findingsOf(repo.write('f/src/reindex.ts', lockSpec("import { requirePool } from './db';", 'requirePool()'))), LOCKED);
  // The URL comes from somewhere unknown; only the pool's size is read from the environment.
  repo.write('g/package.json', '{"name": "g"}');
  repo.write('g/src/pool.ts', ["import { Pool } from 'pg';", "import { vaultSecret } from './vault';",
    "export const pool = new Pool({ connectionString: vaultSecret('shop-db'), max: Number(process.env.POOL_SIZE), ssl: process.env.DB_SSL });"]);
  assert.deepEqual(findingsOf(repo.write('g/test/reindex.test.ts', lockSpec("import { pool } from '../src/pool';", 'pool'))), LOCKED);
});

/** A config module whose `schema` line is given, exporting `env = schema.parse(process.env)`, and a pool on `env.<member>`. */
function writeSchemaProject(folder: string, schema: string, member: string): void {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/src/config.ts`, ["import { z } from 'zod';", schema, 'export const env = schema.parse(process.env);']);
  repo.write(`${folder}/src/pool.ts`, ["import { Pool } from 'pg';", "import { env } from './config';", `export const pool = new Pool({ connectionString: env.${member} });`]);
}
const POOLER_URL = 'postgres://shop:pw@shop-db.pooler.example-cloud.com:6543/shop';
const LOCAL_URL = 'postgres://shop:shop@localhost:5432/shop';
const heldSpec = (folder: string): string => repo.write(`${folder}/test/reindex.test.ts`, lockSpec("import { pool } from '../src/pool';", 'pool'));

// A schema's `.default('…')` or `.catch('…')` is what the pool gets when nothing sets the variable, as with
// `process.env.X ?? '…'`: a pooler there keeps the held checkout's findings.
test('a checked environment copy whose schema defaults the URL variable to a pooler, or renames its keys, keeps the held checkout\'s findings', () => {
  writeSchemaProject('za', `const schema = z.object({ SHOP_DB_URL: z.string().url().default('${POOLER_URL}') });`, 'SHOP_DB_URL');
  assert.deepEqual(findingsOf(heldSpec('za')), LOCKED);
  writeSchemaProject('zb', `const schema = z.object({ PORT: z.coerce.number() }).extend({ SHOP_DB_URL: z.string().catch('${POOLER_URL}') }).strict();`, 'SHOP_DB_URL');
  assert.deepEqual(findingsOf(heldSpec('zb')), LOCKED);
  // The copy's keys are not the variables' names: `shopDbUrl` is no variable that nothing sets.
  writeSchemaProject('zc', 'const schema = z.object({ SHOP_POOLER_URL: z.string() }).transform((e) => ({ shopDbUrl: e.SHOP_POOLER_URL }));', 'shopDbUrl');
  repo.write('zc/.env.example', `SHOP_POOLER_URL=${POOLER_URL}`);
  assert.deepEqual(findingsOf(heldSpec('zc')), LOCKED);
});

test('a checked environment copy whose schema defaults the URL variable to this machine, or gives no default, clears the held checkout', () => {
  writeSchemaProject('zd', `const schema = z.object({ SHOP_DB_URL: z.string().url().default('${LOCAL_URL}') });`, 'SHOP_DB_URL');
  assert.deepEqual(findingsOf(heldSpec('zd')), []);
  writeSchemaProject('ze', `const schema = z.object({ SHOP_DB_URL: z.string().url(), POOL_SIZE: z.coerce.number().default(5) });`, 'SHOP_DB_URL');
  assert.deepEqual(findingsOf(heldSpec('ze')), []);
});

/** A config module checking the environment with a schema it imports (`import { schema } from './schema'`), and a pool on `env.<member>`. */
function writeImportedSchemaProject(folder: string, schemaModule: string[], importLine: string): void {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/src/envSchema.ts`, schemaModule);
  repo.write(`${folder}/src/config.ts`, [importLine, 'export const env = envSchema.parse(process.env);']);
  repo.write(`${folder}/src/pool.ts`, ["import { Pool } from 'pg';", "import { env } from './config';", 'export const pool = new Pool({ connectionString: env.SHOP_DB_URL });']);
}

test('a schema imported from another module of the project is read there: its pooler default keeps the held checkout\'s findings', () => {
  writeImportedSchemaProject('zf', ["import { z } from 'zod';", `export const envSchema = z.object({ SHOP_DB_URL: z.string().default('${POOLER_URL}') });`],
    "import { envSchema } from './envSchema';");
  assert.deepEqual(findingsOf(heldSpec('zf')), LOCKED);
  // A default export, its members held by a const of their own.
  writeImportedSchemaProject('zg', ["import { z } from 'zod';", `const members = { SHOP_DB_URL: z.string().catch('${POOLER_URL}') };`, 'export default z.object(members);'],
    "import envSchema from './envSchema';");
  assert.deepEqual(findingsOf(heldSpec('zg')), LOCKED);
  // A schema from a package, or with a spread member, is not seen whole: no copy of the variables.
  repo.write('zh/package.json', '{"name": "zh"}');
  repo.write('zh/src/config.ts', ["import { envSchema } from '@acme/env';", 'export const env = envSchema.parse(process.env);']);
  repo.write('zh/src/pool.ts', ["import { Pool } from 'pg';", "import { env } from './config';", 'export const pool = new Pool({ connectionString: env.SHOP_DB_URL });']);
  assert.deepEqual(findingsOf(heldSpec('zh')), LOCKED);
  writeSchemaProject('zi', 'const schema = z.object({ ...sharedMembers, SHOP_DB_URL: z.string() });', 'SHOP_DB_URL');
  assert.deepEqual(findingsOf(heldSpec('zi')), LOCKED);
});

test('a schema imported (or required) from another module of the project with no default, or one defaulting to this machine, clears the held checkout as a schema of the module does', () => {
  writeImportedSchemaProject('zj', ["import { z } from 'zod';", 'export const envSchema = z.object({ SHOP_DB_URL: z.string().url() });'],
    "import { envSchema } from './envSchema';");
  assert.deepEqual(findingsOf(heldSpec('zj')), []);
  writeImportedSchemaProject('zk', ["const { z } = require('zod');", `const envSchema = z.object({ SHOP_DB_URL: z.string().default('${LOCAL_URL}') });`, 'module.exports = { envSchema };'],
    "const { envSchema } = require('./envSchema');");
  assert.deepEqual(findingsOf(heldSpec('zk')), []);
});
