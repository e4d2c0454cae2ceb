// Two ways a suite's database client escaped the local-test-database reading (embedded-sql.md "Test code's local
// database", corpus ruling 4): cucumber-style BDD code kept outside the usual test names (a `bdd/` folder, cucumber's
// `step_definitions/`), and a test helper that falls back to reading the variable from the developer's `.env` file
// when the environment does not set it. Both are test code on the suite's own database when the repository's test
// environment points the variable at this machine and nothing in the repository points it at a pooler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('bdd-suites-and-dotenv-fallbacks', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

/** A CI workflow that runs the tests on a PostgreSQL service of this machine. */
function ciOnThisMachine(folder: string, url = 'postgres://shop:shop@localhost:5432/shop_test'): void {
  repo.write(`${folder}/.github/workflows/ci.yml`, [
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    services:',
    '      postgres:',
    '        image: postgres:16',
    '    env:',
    `      DATABASE_URL: ${url}`,
    '    steps:',
    '      - run: npm test',
  ]);
}

/** A step file whose postgres.js client (a pool, named statements on) is made from `url` on line 4; its
 * statement is sent twice, so postgres.js names and reuses it. */
const steps = (url: string) => [
  "import postgres from 'postgres';",
  "import { Given } from '@cucumber/cucumber';",
  "Given('a cart for {string}', async (owner: string) => {",
  `  const sql = postgres(${url});`,
  '  await sql`insert into carts (owner) values (${owner})`;',
  '  await sql`insert into carts (owner) values (${owner})`;',
  '  await sql.end();',
  '});',
];

test("cucumber's layout is test code: a bdd/ folder and step_definitions/ folders, on the suite's local database", () => {
  ciOnThisMachine('a');
  assert.deepEqual(findingsOf(repo.write('a/bdd/steps/system/carts.steps.ts', steps('process.env.DATABASE_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('a/bdd/support/world.ts', steps('process.env.DATABASE_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('a/features/step_definitions/carts.ts', steps('process.env.DATABASE_URL!'))), []);
  assert.deepEqual(findingsOf(repo.write('a/acceptance/step-definitions/carts.js', steps('process.env.DATABASE_URL'))), []);
});

test("application folders that only look like cucumber's keep their findings: a features/ folder of the app, a workflow's *.step.ts", () => {
  ciOnThisMachine('b');
  assert.deepEqual(findingsOf(repo.write('b/src/features/support/tickets.ts', steps('process.env.DATABASE_URL!'))), ['protocol-prepared-statement 4']);
  assert.deepEqual(findingsOf(repo.write('b/src/services/steps/convert.step.ts', steps('process.env.DATABASE_URL!'))), ['protocol-prepared-statement 4']);
  assert.deepEqual(findingsOf(repo.write('b/src/checkout/payment.steps.ts', steps('process.env.DATABASE_URL!'))), ['protocol-prepared-statement 4']);
});

test('a bdd/ step whose test environment points the variable at a pooler keeps its finding', () => {
  ciOnThisMachine('c', 'postgres://shop@pgbouncer:6432/shop_test');
  assert.deepEqual(findingsOf(repo.write('c/bdd/steps/carts.steps.ts', steps('process.env.DATABASE_URL!'))), ['protocol-prepared-statement 4']);
});

/** A test helper reading DATABASE_URL from the environment, else from the developer's `.env` file; its client is made on line 18. */
const dotenvFallback = (key = 'DATABASE_URL') => [
  "import fs from 'node:fs';",
  "import path from 'node:path';",
  "import postgres from 'postgres';",
  'function urlFromEnvFile(): string | undefined {',
  "  const file = path.resolve(process.cwd(), '.env');",
  '  if (!fs.existsSync(file)) return process.env.DATABASE_URL;',
  "  for (const line of fs.readFileSync(file, 'utf-8').split('\\n')) {",
  "    const at = line.indexOf('=');",
  `    if (at <= 0 || line.slice(0, at).trim() !== '${key}') continue;`,
  '    const found = line.slice(at + 1).trim();',
  '    return found;',
  '  }',
  '  return process.env.DATABASE_URL;',
  '}',
  'export async function seedCart(owner: string) {',
  '  const url = process.env.DATABASE_URL || urlFromEnvFile();',
  "  if (!url) throw new Error('DATABASE_URL is required');",
  '  const sql = postgres(url);',
  '  try {',
  '    await sql`insert into carts (owner) values (${owner})`;',
  '    await sql`insert into carts (owner) values (${owner})`;',
  '  } finally {',
  '    await sql.end();',
  '  }',
  '}',
];

test("a test helper that falls back to the developer's .env file for its variable reads that variable: the suite's local database", () => {
  ciOnThisMachine('d');
  assert.deepEqual(findingsOf(repo.write('d/e2e/helpers/seed.ts', dotenvFallback())), []);
  // The helper called alone (no `||`): its value is the variable's, from the environment or from `.env`.
  const alone = dotenvFallback().map((line) => line.replace('process.env.DATABASE_URL || urlFromEnvFile()', 'urlFromEnvFile()'));
  assert.deepEqual(findingsOf(repo.write('d/tests/seed-alone.ts', alone)), []);
});

test('the .env fallback keeps the finding when a committed env file points the variable at a pooler, or when it reads another variable', () => {
  ciOnThisMachine('e');
  repo.write('e/.env', 'DATABASE_URL=postgres://shop@pgbouncer:6432/shop');
  assert.deepEqual(findingsOf(repo.write('e/e2e/helpers/seed.ts', dotenvFallback())), ['protocol-prepared-statement 18']);
  ciOnThisMachine('f');
  assert.deepEqual(findingsOf(repo.write('f/e2e/helpers/seed.ts', dotenvFallback('REPLICA_URL'))), ['protocol-prepared-statement 18']);
});
