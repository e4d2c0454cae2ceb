// Ruling 13's limit for postgres.js as for pg (session 42, lab52a 3): a postgres.js client a test helper makes on the
// suite's own database and hands out — a member of the object its exported function returns — is still the pool it
// was made as. Without `max: 1` it is ten connections (a `max` above one the same), so a session setting sent on it
// reaches one of them and stays there for whatever query the next checkout runs: the session-set finding is kept. A
// client capped at one connection is the one session the test keeps, and a client whose setting the test puts back is
// no hazard; both stay exempt. Files are written to a scratch repository: the analysis reads the helper from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-helper-pools', { after });
before(() => initAnalysis());

/** The rule and SQL text of each finding of a file written at `path` in the scratch repository. */
function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A test helper (`<folder>/test/db.ts`) whose exported function makes two postgres.js clients with `options` on the test database and returns them. */
function writeHelper(folder: string, options: string): void {
  repo.write(`${folder}/test/db.ts`, [
    "import postgres from 'postgres';",
    'export async function openTestDatabase() {',
    "  const url = process.env.DATABASE_TEST_URL || 'postgresql://postgres:secret@localhost:5432/app_test';",
    `  const sql = postgres(url${options});`,
    `  const owner = postgres(url${options});`,
    '  return { sql, owner, url };',
    '}',
  ]);
}

/** A test setup that takes the helper's clients by destructuring and sends `statements` on the first one. */
function setupUsing(statements: string[]): string[] {
  return [
    "import { openTestDatabase } from './db';",
    'export async function prepareSuite(tenant: string) {',
    '  const { sql: client, owner } = await openTestDatabase();',
    '  await owner`TRUNCATE documents`;',
    ...statements.map((statement) => `  ${statement}`),
    '  return client;',
    '}',
  ];
}

const SET_TENANT = "await client`SELECT set_config('app.tenant_id', ${tenant}, false)`;";
/** The finding a session set_config keeps (reported at the function's name). */
const KEPT = ['session-set set_config'];

test("a session set_config on a postgres.js client of ten that a test helper returns (destructured from its result) keeps its session-set finding; max above one the same", () => {
  writeHelper('ten', '');
  assert.deepEqual(findingsOf('ten/test/setup.ts', setupUsing([SET_TENANT])), KEPT);
  writeHelper('five', ', { max: 5 }');
  assert.deepEqual(findingsOf('five/test/setup.ts', setupUsing([SET_TENANT])), KEPT);
});

test("a helper's postgres.js client capped at one connection keeps its session set_config exempt: the one session the test keeps", () => {
  writeHelper('one', ', { max: 1 }');
  assert.deepEqual(findingsOf('one/test/setup.ts', setupUsing([SET_TENANT])), []);
});

test("a connection reserved from a helper's postgres.js client of ten keeps the SET exempt when it puts the setting back before its release, and keeps the finding when released with it on", () => {
  writeHelper('reserved', '');
  const reserved = (undo: string[]) => setupUsing([
    'const held = await client.reserve();',
    "await held`SELECT set_config('app.tenant_id', ${tenant}, false)`;",
    'await held`SELECT * FROM documents`;',
    ...undo,
    'held.release();',
  ]);
  assert.deepEqual(findingsOf('reserved/test/reset.ts', reserved(['await held`RESET app.tenant_id`;'])), []);
  assert.deepEqual(findingsOf('reserved/test/leak.ts', reserved([])), KEPT);
});

test("application code is read as before: a session set_config on a client destructured from such a function keeps its finding, even capped at one connection on a local default URL", () => {
  for (const options of ['', ', { max: 1 }']) {
    repo.write('app/src/db.ts', [
      "import postgres from 'postgres';",
      'export async function openDatabase() {',
      "  const url = process.env.DATABASE_URL || 'postgresql://postgres:secret@localhost:5432/app';",
      `  const sql = postgres(url${options});`,
      '  return { sql, url };',
      '}',
    ]);
    assert.deepEqual(findingsOf('app/src/tenant.ts', [
      "import { openDatabase } from './db';",
      'export async function enterTenant(tenant: string) {',
      '  const { sql } = await openDatabase();',
      "  await sql`SELECT set_config('app.tenant_id', ${tenant}, false)`;",
      '}',
    ]), KEPT, options);
  }
});
