// A test's own database may come from a helper of the test folder imported through the project's tsconfig path alias
// (`@/tests/support/db`) rather than a relative path: that is the same file of the same project, read as a relative
// import of it is. An alias to application code, or a helper giving another machine's URL, keeps the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());
const repo = scratchRepository('aliased-test-helpers', { after });

function rulesOf(file: string): string[] {
  return analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((finding) => finding.rule);
}

const TSCONFIG = '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }';
/** A helper that remembers the suite's URL on the global object when the suite starts, and hands it out. */
const helper = (fallback: string) => [
  "const FALLBACK = '" + fallback + "';",
  'export function suiteUrl(): string {',
  "  if (!globalThis.__suiteUrl) throw new Error('suite not started');",
  '  return globalThis.__suiteUrl;',
  '}',
  'export async function startSuite(): Promise<void> {',
  '  globalThis.__suiteUrl = process.env.TEST_DATABASE_URL ?? FALLBACK;',
  '}',
].join('\n');
/** A test opening a one-connection postgres.js client, as another role, on the helper's URL imported from `specifier`. */
const suite = (specifier: string) => [
  "import postgres from 'postgres';",
  `import { suiteUrl } from '${specifier}';`,
  'function asRole(role: string) {',
  '  const url = new URL(suiteUrl());',
  '  url.username = role;',
  '  return postgres(url.toString(), { max: 1 });',
  '}',
  "test('grants', async () => {",
  "  const c = asRole('auditor');",
  "  const [row] = await c`SELECT has_table_privilege('auditor', ${'orders'}, 'SELECT') AS has`;",
  '  await c.end();',
  '});',
].join('\n');

function project(folder: string, helperPath: string, fallback: string, specifier: string): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/tsconfig.json`, TSCONFIG);
  repo.write(`${folder}/${helperPath}`, helper(fallback));
  return repo.write(`${folder}/tests/db/grants.test.ts`, suite(specifier));
}

test("a test helper imported through the tsconfig path alias gives the suite's local database, as a relative import does", () => {
  assert.deepEqual(rulesOf(project('aliased', 'tests/setup/global.ts', 'postgres://app:app@localhost:5433/app_test', '@/tests/setup/global')), []);
  assert.deepEqual(rulesOf(project('relative', 'tests/setup/global.ts', 'postgres://app:app@localhost:5433/app_test', '../setup/global')), []);
});

test('an aliased helper giving another machine, or an alias to application code, keeps the finding', () => {
  const flagged = ['protocol-prepared-statement'];
  assert.deepEqual(rulesOf(project('remote', 'tests/setup/global.ts', 'postgres://app:app@db.example.com:5432/app', '@/tests/setup/global')), flagged);
  assert.deepEqual(rulesOf(project('app-code', 'lib/db/url.ts', 'postgres://app:app@localhost:5433/app_test', '@/lib/db/url')), flagged);
});
