// A TS/JS migration or test kept in a folder whose name says it is set aside (`src/migrations/archived/`,
// `.archived-tests/`) gets no findings when the project shows nothing runs it: the migrator is configured with the
// folder above (which it reads without descending), no test runner reaches the folder, nothing imports the file and
// no configuration or CI file names the folder (setAsideCode.ts). Anything that may still run it keeps the findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { namesSetAsideFolder } from '../../../server/analysis/setAsideFolders';

before(() => initAnalysis());

/** A scratch repository (a `.git` folder at its root) whose files `write` puts in place, returning the path. */
function scratchRepository(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-set-aside-code-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '.git'));
  return {
    root,
    write(path: string, text: string): string {
      const file = join(root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}

const rules = (text: string, file: string) => analyze(text, 'typescript', {}, file).map((f) => f.rule);

/** A knex migration whose top-level statements set a session setting on the migration's connection. */
const MIGRATION = `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  await knex.raw("SET lock_timeout = '5s'");
  await knex.raw('CREATE TABLE orders (id int)');
}
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE orders');
}
`;

/** A service whose knexfile points the migrator at `directory`. */
function knexService(repo: ReturnType<typeof scratchRepository>, directory: string, packageJson = '{ "name": "orders", "scripts": { "migrate": "knex migrate:latest" } }') {
  repo.write('services/orders/package.json', packageJson);
  repo.write('services/orders/knexfile.ts', `export default {\n  client: 'pg',\n  connection: process.env.DATABASE_URL,\n  migrations: { directory: ${directory} },\n};\n`);
}

test('a knex migration kept in an archived folder below the configured migrations folder is applied by nothing: no findings', (t) => {
  const repo = scratchRepository(t);
  knexService(repo, "'./src/migrations'");
  const current = repo.write('services/orders/src/migrations/003_orders.ts', MIGRATION);
  assert.deepEqual(rules(MIGRATION, current), ['session-set']);
  for (const folder of ['archived', 'old', 'migrations_backup']) {
    const file = repo.write(`services/orders/src/migrations/${folder}/001_orders.ts`, MIGRATION);
    assert.deepEqual(rules(MIGRATION, file), [], folder);
  }
});

test('an archived migration keeps its findings when the migrator may still read it, or something names or imports it', (t) => {
  // A glob below the folder (TypeORM's `src/migrations/**/*.ts`) reaches the archived folder.
  const glob = scratchRepository(t);
  knexService(glob, "['./src/migrations/**/*.ts']");
  assert.deepEqual(rules(MIGRATION, glob.write('services/orders/src/migrations/archived/001_orders.ts', MIGRATION)), ['session-set']);
  // The configuration names the archived folder itself.
  const named = scratchRepository(t);
  knexService(named, "'./src/migrations/archived'");
  assert.deepEqual(rules(MIGRATION, named.write('services/orders/src/migrations/archived/001_orders.ts', MIGRATION)), ['session-set']);
  // A folder the configuration does not name as written (built with path.join): nothing known.
  const joined = scratchRepository(t);
  knexService(joined, "require('path').join(__dirname, 'src', 'migrations')");
  assert.deepEqual(rules(MIGRATION, joined.write('services/orders/src/migrations/archived/001_orders.ts', MIGRATION)), ['session-set']);
  // A migration of the configured folder imports the archived one and runs it.
  const imported = scratchRepository(t);
  knexService(imported, "'./src/migrations'");
  const archived = imported.write('services/orders/src/migrations/archived/001_orders.ts', MIGRATION);
  imported.write('services/orders/src/migrations/004_replay.ts', "import * as first from './archived/001_orders';\nexport const up = first.up;\nexport const down = first.down;\n");
  assert.deepEqual(rules(MIGRATION, archived), ['session-set']);
  // A CI workflow names the folder.
  const ci = scratchRepository(t);
  knexService(ci, "'./src/migrations'");
  ci.write('.github/workflows/replay.yml', 'jobs:\n  replay:\n    steps:\n      - run: knex migrate:latest --migrations-directory src/migrations/archived\n');
  assert.deepEqual(rules(MIGRATION, ci.write('services/orders/src/migrations/archived/001_orders.ts', MIGRATION)), ['session-set']);
  // A name that describes a change, not the folder's state.
  const change = scratchRepository(t);
  knexService(change, "'./src/migrations'");
  assert.deepEqual(rules(MIGRATION, change.write('services/orders/src/migrations/drop_old_columns/001_orders.ts', MIGRATION)), ['session-set']);
});

/** A test that sets a session setting through a shared pool. */
const TEST = `import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
it('sees only its tenant', async () => {
  await pool.query("SET app.tenant = 'a'");
});
`;

test('tests kept in an archived tests folder that no runner, script or CI file reaches get no findings', (t) => {
  const repo = scratchRepository(t);
  repo.write('services/orders/package.json', '{ "name": "orders", "scripts": { "test": "jest" } }');
  repo.write('services/orders/jest.config.js', "module.exports = { roots: ['<rootDir>/tests'] };\n");
  repo.write('.github/workflows/orders.yml', 'jobs:\n  test:\n    steps:\n      - run: cd services/orders && npm test\n');
  assert.deepEqual(rules(TEST, repo.write('services/orders/tests/tenant.test.ts', TEST)), ['session-set']);
  assert.deepEqual(rules(TEST, repo.write('.archived-tests/orders/tests/tenant.test.ts', TEST)), []);
  assert.deepEqual(rules(TEST, repo.write('old_tests/tenant.spec.ts', TEST)), []);
  // A helper beside them is not a test a runner finds by name: kept (it runs wherever it is imported).
  assert.deepEqual(rules(TEST, repo.write('.archived-tests/orders/tests/helpers/db.ts', TEST)), ['session-set']);
});

test('archived tests keep their findings where a runner may reach them or something names them', (t) => {
  // A jest configuration at the repository's root finds tests in every folder below it.
  const rootJest = scratchRepository(t);
  rootJest.write('jest.config.js', 'module.exports = {};\n');
  assert.deepEqual(rules(TEST, rootJest.write('.archived-tests/orders/tenant.test.ts', TEST)), ['session-set']);
  // A root package.json whose script runs a runner.
  const rootScript = scratchRepository(t);
  rootScript.write('package.json', '{ "name": "shop", "scripts": { "test": "vitest run" } }');
  assert.deepEqual(rules(TEST, rootScript.write('archived-tests/orders/tenant.test.ts', TEST)), ['session-set']);
  // A CI workflow that names the folder.
  const ci = scratchRepository(t);
  ci.write('.github/workflows/legacy.yml', 'jobs:\n  legacy:\n    steps:\n      - run: npx jest --rootDir .archived-tests\n');
  assert.deepEqual(rules(TEST, ci.write('.archived-tests/orders/tenant.test.ts', TEST)), ['session-set']);
});

test('a tests folder name joins the kind words: archived, old or backed-up tests are set aside, a plain or feature-named one is not', () => {
  for (const name of ['.archived-tests', 'old_tests', 'tests-backup', 'archive']) assert.ok(namesSetAsideFolder(name), name);
  for (const name of ['tests', 'integration-tests', 'archive_export_tests', 'test-old-api']) assert.ok(!namesSetAsideFolder(name), name);
});
