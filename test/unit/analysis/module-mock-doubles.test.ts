// A project module the test imports may be replaced by a module mock: `jest.mock('../store', () => ({ default: fakePool
// }))` in the test file or in a setup file Jest or Vitest runs in every test's module registry (`setupFiles`,
// `setupFilesAfterEnv`). When the factory gives the imported export a double, the test's queries on it reach no
// database. A real value in the factory, a factory keeping the real module, a setup file the runner runs apart from
// the tests (`globalSetup`), a mock of another module, and the test's own unmock keep the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());
const repo = scratchRepository('module-mock-doubles', { after });

function rulesOf(file: string): string[] {
  return analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((finding) => finding.rule);
}

const STORE = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\nexport default pool;\nexport const audit = new Pool();\n";
/** A suite that sends a session SET on the store's default export, held in a let the suite fills in a hook. */
const SUITE = [
  "import { Pool } from 'pg';",
  "import pool from '../store';",
  'let db: Pool;',
  'beforeAll(() => { db = pool; });',
  "it('reads as the tenant', async () => {",
  "  await db.query(`SET app.tenant = 'acme'`);",
  "  await db.query('SELECT * FROM invoices');",
  '});',
].join('\n');
const FAKE_POOL = "const fakePool = { query: jest.fn(), connect: jest.fn() } as unknown as Pool;\n";

/** Writes a package with the store module, a jest config naming `setupKey`'s file, that file and the suite; returns the suite's path. */
function jestPackage(folder: string, setupKey: string, setup: string, suite = SUITE): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/jest.config.js`, `module.exports = {\n  ${setupKey}: ['<rootDir>/src/__tests__/setup.ts'],\n};\n`);
  repo.write(`${folder}/src/store.ts`, STORE);
  repo.write(`${folder}/src/__tests__/setup.ts`, setup);
  return repo.write(`${folder}/src/__tests__/tenant.test.ts`, suite);
}

test('a setup file jest runs in the test registry mocks the imported store with a double: the SET reaches no database', () => {
  const mock = `import { Pool } from 'pg';\n${FAKE_POOL}jest.mock('../store', () => ({ default: fakePool }));\n`;
  assert.deepEqual(rulesOf(jestPackage('after-env', 'setupFilesAfterEnv', mock)), []);
  assert.deepEqual(rulesOf(jestPackage('setup-files', 'setupFiles', mock)), []);
  // The factory returning the double itself, and a named export given one.
  const whole = `import { Pool } from 'pg';\n${FAKE_POOL}jest.mock('../store', () => fakePool);\n`;
  assert.deepEqual(rulesOf(jestPackage('whole', 'setupFilesAfterEnv', whole)), []);
  const named = "jest.mock('../store', () => ({ audit: { query: jest.fn() } }));\n";
  assert.deepEqual(rulesOf(jestPackage('named', 'setupFilesAfterEnv', named, SUITE.replace("import pool from '../store';", "import { audit as pool } from '../store';"))), []);
});

test("the test file's own module mock of the store is read the same way", () => {
  const suite = SUITE.replace("import pool from '../store';", `import pool from '../store';\n${FAKE_POOL}jest.mock('../store', () => ({ default: fakePool }));`);
  assert.deepEqual(rulesOf(jestPackage('own', 'setupFilesAfterEnv', '// nothing mocked here\n', suite)), []);
});

test('a mock that is no double, keeps the real module, runs apart from the tests or replaces another module keeps the finding', () => {
  const flagged = ['session-set'];
  // The factory hands the real pool class a URL: a real client.
  const real = "import { Pool } from 'pg';\njest.mock('../store', () => ({ default: new Pool({ connectionString: process.env.TEST_URL }) }));\n";
  assert.deepEqual(rulesOf(jestPackage('real', 'setupFilesAfterEnv', real)), flagged);
  // The real module passed through, one export replaced.
  const actual = `import { Pool } from 'pg';\n${FAKE_POOL}jest.mock('../store', () => ({ ...jest.requireActual('../store'), default: fakePool }));\n`;
  assert.deepEqual(rulesOf(jestPackage('actual', 'setupFilesAfterEnv', actual)), flagged);
  // A mock function beside the real default export doubles only itself.
  const beside = "jest.mock('../store', () => ({ audit: jest.fn(), default: realPool }));\n";
  assert.deepEqual(rulesOf(jestPackage('beside', 'setupFilesAfterEnv', beside)), flagged);
  // A global setup runs in a context of its own: its module mocks do not reach the tests.
  const mock = `import { Pool } from 'pg';\n${FAKE_POOL}jest.mock('../store', () => ({ default: fakePool }));\n`;
  assert.deepEqual(rulesOf(jestPackage('global', 'globalSetup', mock)), flagged);
  // Another module mocked (a logger of the same folder).
  repo.write('other/src/logger.ts', 'export const log = console.log;\n');
  const other = `import { Pool } from 'pg';\n${FAKE_POOL}jest.mock('../logger', () => ({ default: fakePool }));\n`;
  assert.deepEqual(rulesOf(jestPackage('other', 'setupFilesAfterEnv', other)), flagged);
  // The test brings the real store back.
  const unmocked = SUITE.replace("import pool from '../store';", "import pool from '../store';\njest.unmock('../store');");
  assert.deepEqual(rulesOf(jestPackage('unmocked', 'setupFilesAfterEnv', mock, unmocked)), flagged);
  // The setup file mocks nothing, and no configuration names the mocking file.
  const loose = jestPackage('loose', 'setupFilesAfterEnv', '// nothing\n');
  repo.write('loose/src/__tests__/mocks.ts', mock);
  assert.deepEqual(rulesOf(loose), flagged);
});
