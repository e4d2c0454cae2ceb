// A test suite run after `npm run build` may import the application's pool from the build output (`../dist/db.js`),
// which a git-ignored build folder does not hold in the checkout. The module read is then its source: the same path
// under the tsconfig's `rootDir`, where the tsconfig's `outDir` holds the imported file. The module may export the pool
// through an export list (`export { pool }`), and a test may load it with `const { pool } = await import(…)` (after
// setting up its environment). A connection the test holds out of that pool is judged as before (session 36): one
// session of whatever the test run's environment gives the pool's variable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('built-output-imports', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

const OUTPUT_CONFIG = '{\n  // the build\n  "compilerOptions": { "outDir": "./dist", "rootDir": "./src", "strict": true },\n  "include": ["src/**/*"]\n}';
/** An application module making the orders pool from ORDERS_PG_URL (an empty default: no place) and exporting it as `exportLine` says. */
const ordersModule = (poolName: string, exportLine: string) => [
  "import pg from 'pg';",
  "const url = process.env.ORDERS_PG_URL ?? '';",
  `const ${poolName} = new pg.Pool({ connectionString: url, max: 12, idleTimeoutMillis: 10_000 });`,
  exportLine,
];

/** A suite holding one connection of the imported pool from `before` to `after`, switching role on it (line 9) and back. */
const auditSpec = (loadLine: string) => [
  "import { after, before, it } from 'node:test';",
  loadLine,
  'let held: any;',
  'before(async () => {',
  '  held = await pool.connect();',
  '});',
  "it('sees only audited orders', async () => {",
  '  try {',
  "    await held.query('SET ROLE order_auditor');",
  '  } finally {',
  "    await held.query('RESET ROLE');",
  '  }',
  '});',
  'after(async () => {',
  '  held.release();',
  '  await pool.end();',
  '});',
];
const KEPT = ['session-set 9'];

function project(folder: string, config: string | undefined, moduleLines: string[], modulePath = 'src/db.ts'): void {
  repo.write(`${folder}/package.json`, `{"name": "${folder}", "type": "module"}`);
  if (config !== undefined) repo.write(`${folder}/tsconfig.json`, config);
  repo.write(`${folder}/${modulePath}`, moduleLines);
}

test("an import of the build output is read through its source under the tsconfig's rootDir: the held checkout gets no finding", () => {
  project('a', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  assert.deepEqual(findingsOf(repo.write('a/tests/audit.test.ts', auditSpec("import { pool } from '../dist/db.js';"))), []);
  // outDir and rootDir from the config the project's tsconfig extends, the module exporting its pool by declaration.
  project('b', '{ "extends": "./tsconfig.base.json", "include": ["lib/**/*"] }',
    ["import pg from 'pg';", "export const pool = new pg.Pool({ connectionString: process.env.ORDERS_PG_URL ?? '', max: 12 });"], 'lib/db.ts');
  repo.write('b/tsconfig.base.json', '{ "compilerOptions": { "outDir": "out", "rootDir": "lib" } }');
  assert.deepEqual(findingsOf(repo.write('b/tests/audit.test.ts', auditSpec("import { pool } from '../out/db.js';"))), []);
});

test('an application module exporting its pool through an export list, also renamed, is read for the held checkout', () => {
  project('c', undefined, ordersModule('ordersPool', 'export { ordersPool as pool };'));
  assert.deepEqual(findingsOf(repo.write('c/tests/audit.test.ts', auditSpec("import { pool } from '../src/db.js';"))), []);
});

test("a test's `const { pool } = await import(…)` of an application module is that module's export", () => {
  project('d', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  assert.deepEqual(findingsOf(repo.write('d/tests/audit.test.ts', auditSpec("const { pool } = await import('../dist/db.js');"))), []);
});

test('the held checkout keeps its finding where the build output maps to no source, the variable is pointed at a pooler, or the exported name is not the pool', () => {
  // No outDir in the config: dist/ is no build output of a known source.
  project('e', '{ "compilerOptions": { "strict": true } }', ordersModule('pool', 'export { pool };'));
  assert.deepEqual(findingsOf(repo.write('e/tests/audit.test.ts', auditSpec("import { pool } from '../dist/db.js';"))), KEPT);
  // The config's outDir is another folder than the one imported.
  project('f', OUTPUT_CONFIG.replace('./dist', './build'), ordersModule('pool', 'export { pool };'));
  assert.deepEqual(findingsOf(repo.write('f/tests/audit.test.ts', auditSpec("import { pool } from '../dist/db.js';"))), KEPT);
  // The repository points the pool's variable at a pooler.
  project('g', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  repo.write('g/.env.example', 'ORDERS_PG_URL=postgres://orders:pw@orders.pooler.example-cloud.com:6543/orders');
  assert.deepEqual(findingsOf(repo.write('g/tests/audit.test.ts', auditSpec("import { pool } from '../dist/db.js';"))), KEPT);
  // The export list names something else under `pool`: a pool on a URL from a secret store.
  project('h', OUTPUT_CONFIG, [...ordersModule('ordersPool', ''), "const vaultPool = new pg.Pool({ connectionString: readVault('orders') });", 'export { vaultPool as pool };']);
  assert.deepEqual(findingsOf(repo.write('h/tests/audit.test.ts', auditSpec("import { pool } from '../dist/db.js';"))), KEPT);
  // Loaded dynamically from a module whose variable is pointed at a pooler.
  project('i', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  repo.write('i/.env.example', 'ORDERS_PG_URL=postgres://orders:pw@orders.pooler.example-cloud.com:6543/orders');
  assert.deepEqual(findingsOf(repo.write('i/tests/audit.test.ts', auditSpec("const { pool } = await import('../dist/db.js');"))), KEPT);
});

/** A suite that loads `firstModule`'s pool in a helper and `heldModule`'s in `before`, holding one connection of the latter (line 12 switches role). */
const twoLoadsSpec = (firstModule: string, heldModule: string) => [
  "import { after, before, it } from 'node:test';",
  'async function ping() {',
  `  const { pool } = await import(${JSON.stringify(firstModule)});`,
  "  await pool.query('select 1');",
  '}',
  'let held: any;',
  'before(async () => {',
  '  await ping();',
  `  const { pool } = await import(${JSON.stringify(heldModule)});`,
  '  held = await pool.connect();',
  '});',
  "it('sees only audited orders', async () => { await held.query('SET ROLE order_auditor'); await held.query('RESET ROLE'); });",
  'after(() => held.release());',
];

/** A reporting module whose pool's variable the repository points at a pooler. */
function reportingModule(folder: string): void {
  repo.write(`${folder}/src/reporting.ts`, ["import pg from 'pg';", "export const pool = new pg.Pool({ connectionString: process.env.REPORTING_PG_URL ?? '', max: 4 });"]);
  repo.write(`${folder}/.env.example`, 'REPORTING_PG_URL=postgres://r:pw@reports.pooler.example-cloud.com:6543/reports');
}

// Each `const { pool } = await import(…)` binds its own `pool`: the held one is the module its own scope loads.
test("two functions' `const { pool } = await import(…)` of two modules: the held connection is its own scope's module's", () => {
  project('j', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  reportingModule('j');
  assert.deepEqual(findingsOf(repo.write('j/tests/audit.test.ts', twoLoadsSpec('../dist/db.js', '../dist/reporting.js'))), ['session-set 12']);
  // The other way round: the held connection is the orders pool's, on the test run's database.
  project('k', OUTPUT_CONFIG, ordersModule('pool', 'export { pool };'));
  reportingModule('k');
  assert.deepEqual(findingsOf(repo.write('k/tests/audit.test.ts', twoLoadsSpec('../dist/reporting.js', '../dist/db.js'))), []);
});
