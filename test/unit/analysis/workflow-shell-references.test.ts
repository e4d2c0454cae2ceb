// A CI step's shell may pass a variable on from the workflow's environment: a `run: |` block writing the dev server's
// `.env` with a heredoc (`DATABASE_URL=$DATABASE_URL`) gives that file the value the workflow's `env:` sets, here the
// job's PostgreSQL service on localhost. Such a `$NAME` or `${NAME}` reference is read like GitHub's `${{ env.NAME }}`
// (workflow-env-references.test.ts): as the values the same file gives the named variable. A reference to a variable
// the file sets nowhere else, or only to a secret, stays unknown and keeps the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('workflow-shell-references', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A workflow whose env gives WAREHOUSE_URL `jobValue` and whose end-to-end job writes `.env` from it with `reference`. */
const workflow = (jobValue: string, reference: string) => [
  'name: checks',
  'on: push',
  'env:',
  `  WAREHOUSE_URL: ${jobValue}`,
  'jobs:',
  '  e2e:',
  '    runs-on: ubuntu-latest',
  '    services:',
  '      warehouse-db:',
  '        image: postgres:17',
  '    steps:',
  '      - name: Write .env for the dev server and the fixture scripts',
  '        run: |',
  '          cat > .env <<EOF',
  `          WAREHOUSE_URL=${reference}`,
  '          EOF',
  '      - run: npx playwright test',
];

/** An end-to-end fixture script: a postgres.js pool of ten on WAREHOUSE_URL, its tagged insert run once per shelf (line 5). */
const fixtureScript = [
  "import postgres from 'postgres';",
  'const sql = postgres(process.env.WAREHOUSE_URL!);',
  'export async function stockShelves(names: string[]): Promise<void> {',
  '  for (const name of names) {',
  '    await sql`INSERT INTO shelves (name) VALUES (${name})`;',
  '  }',
  '}',
];

function scriptIn(folder: string, jobValue: string, reference: string): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/.github/workflows/checks.yml`, workflow(jobValue, reference));
  return repo.write(`${folder}/e2e/scripts/stock-shelves.ts`, fixtureScript);
}

const LOCAL = 'postgres://clerk:pw@localhost:5432/warehouse_test';

test("a heredoc line passing on the workflow's local `$NAME` or `${NAME}` is that local database: no finding in e2e code", () => {
  assert.deepEqual(findingsOf(scriptIn('a', LOCAL, '$WAREHOUSE_URL')), []);
  assert.deepEqual(findingsOf(scriptIn('b', LOCAL, '${WAREHOUSE_URL}')), []);
});

test('a shell reference to a secret, to another machine, or to a variable the file sets nowhere else keeps the finding', () => {
  const kept = ['protocol-prepared-statement 2'];
  assert.deepEqual(findingsOf(scriptIn('c', '${{ secrets.WAREHOUSE_URL }}', '$WAREHOUSE_URL')), kept);
  assert.deepEqual(findingsOf(scriptIn('d', 'postgres://clerk:pw@warehouse.db.example-cloud.net:5432/warehouse', '$WAREHOUSE_URL')), kept);
  assert.deepEqual(findingsOf(scriptIn('e', LOCAL, '$UNSET_WAREHOUSE_URL')), kept);
  // A default the shell would use is not read: unknown, as before.
  assert.deepEqual(findingsOf(scriptIn('f', LOCAL, '${WAREHOUSE_URL:-postgres://clerk:pw@warehouse.db.example-cloud.net/w}')), kept);
});
