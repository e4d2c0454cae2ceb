// A CI step may pass a variable on from its workflow's own environment (GitHub Actions' `${{ env.NAME }}`): a job that
// sets OWNER_PG_URL to its PostgreSQL service on localhost and gives one step `APP_PG_URL: ${{ env.OWNER_PG_URL }}`
// gives that step this machine too. Such a reference is read as the values the same file gives the named variable (a
// step's reference to its own name: the name's other values); a secret, or a variable the file does not set, stays
// unknown and keeps the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('workflow-env-references', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A workflow whose job sets OWNER_PG_URL to `ownerUrl` and APP_PG_URL locally, and whose seeding step gives APP_PG_URL `stepValue`. */
const workflow = (ownerUrl: string, stepValue: string, moreJobEnv: string[] = []) => [
  'name: checks',
  'on: push',
  'jobs:',
  '  integration:',
  '    runs-on: ubuntu-latest',
  '    services:',
  '      warehouse-db:',
  '        image: postgres:17',
  '    env:',
  `      OWNER_PG_URL: ${ownerUrl}`,
  '      APP_PG_URL: postgres://clerk:pw@localhost:5432/warehouse',
  ...moreJobEnv,
  '    steps:',
  '      - name: Seed the schema as its owner',
  '        env:',
  `          APP_PG_URL: ${stepValue}`,
  '        run: node scripts/seed.js',
  '      - run: npm test',
];

/** A spec holding one connection of a one-connection pool on APP_PG_URL, switching role on it (line 6) and back. */
const roleSpec = [
  "import pg from 'pg';",
  'const pool = new pg.Pool({ connectionString: process.env.APP_PG_URL, max: 1 });',
  "it('reads shelves as the clerk', async () => {",
  '  const held = await pool.connect();',
  '  try {',
  "    await held.query('SET ROLE shelf_clerk');",
  '  } finally {',
  "    await held.query('RESET ROLE');",
  '    held.release();',
  '  }',
  '});',
];

function specIn(folder: string, ownerUrl: string, stepValue: string): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/.github/workflows/checks.yml`, workflow(ownerUrl, stepValue));
  return repo.write(`${folder}/test/shelves.test.ts`, roleSpec);
}

test("a step's `${{ env.NAME }}` naming a variable the workflow sets to its local service is that service: no finding", () => {
  assert.deepEqual(findingsOf(specIn('a', 'postgres://owner:pw@localhost:5432/warehouse', '${{ env.OWNER_PG_URL }}')), []);
  // Written without the inner spaces, through a second variable that passes the first on.
  repo.write('b/package.json', '{"name": "b"}');
  repo.write('b/.github/workflows/checks.yml', workflow('postgres://owner:pw@127.0.0.1:5432/warehouse', '${{env.SEED_PG_URL}}',
    ['      SEED_PG_URL: ${{ env.OWNER_PG_URL }}']));
  assert.deepEqual(findingsOf(repo.write('b/test/shelves.test.ts', roleSpec)), []);
  // A step passing a variable on under its own name gets the job's value of it (GitHub evaluates a step's env against
  // the workflow's and job's): here the job's localhost one.
  assert.deepEqual(findingsOf(specIn('e', 'postgres://owner:pw@localhost:5432/warehouse', '${{ env.APP_PG_URL }}')), []);
});

test('a reference to a variable the workflow points at another machine, to one it does not set, to itself with no other value, or a secret keeps the finding', () => {
  const kept = ['session-set 6'];
  assert.deepEqual(findingsOf(specIn('c', 'postgres://owner:pw@warehouse.db.example-cloud.net:5432/warehouse', '${{ env.OWNER_PG_URL }}')), kept);
  assert.deepEqual(findingsOf(specIn('d', 'postgres://owner:pw@localhost:5432/warehouse', '${{ env.ELSEWHERE_PG_URL }}')), kept);
  // To itself, where the job's own value is another machine's, or where the file gives it no other value.
  repo.write('e2/package.json', '{"name": "e2"}');
  repo.write('e2/.github/workflows/checks.yml', workflow('postgres://owner:pw@localhost:5432/warehouse', '${{ env.APP_PG_URL }}')
    .map((line) => line.replace('clerk:pw@localhost', 'clerk:pw@warehouse.db.example-cloud.net')));
  assert.deepEqual(findingsOf(repo.write('e2/test/shelves.test.ts', roleSpec)), kept);
  repo.write('e3/package.json', '{"name": "e3"}');
  repo.write('e3/.github/workflows/checks.yml', workflow('postgres://owner:pw@localhost:5432/warehouse', '${{ env.APP_PG_URL }}')
    .filter((line) => !line.includes('clerk:pw@localhost')));
  assert.deepEqual(findingsOf(repo.write('e3/test/shelves.test.ts', roleSpec)), kept);
  assert.deepEqual(findingsOf(specIn('f', 'postgres://owner:pw@localhost:5432/warehouse', '${{ secrets.OWNER_PG_URL }}')), kept);
});
