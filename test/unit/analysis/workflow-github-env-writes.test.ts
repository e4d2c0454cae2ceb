// A GitHub Actions step may set a variable for the job's later steps by appending `NAME=value` to the file `$GITHUB_ENV`
// names (`run: echo "LEDGER_DB_URL=postgres://…@localhost:5432/ledger" >> "$GITHUB_ENV"`), often to assemble a URL from
// the job's own non-secret env with the shell's `${…}`. Such a write is one more value the workflow gives the variable,
// judged as its `env:` values are: this machine or a PostgreSQL service of the workflow is the suite's database; a secret,
// another machine, a pooler (its port, its name), a host or port the shell fills in, keep the findings. A later step's
// `${{ env.NAME }}` reads the written value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('workflow-github-env-writes', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/**
 * A CI workflow with a PostgreSQL service `ledger-db`, non-secret credentials in the job's env, and `steps` before the
 * test run; `head` before `jobs:` (the workflow's own keys), `jobs` after the test job (other jobs).
 */
const workflow = (steps: string[], jobEnv: string[] = [], jobs: string[] = [], head: string[] = []) => [
  'name: ci',
  'on: [push, pull_request]',
  ...head,
  'jobs:',
  '  integration:',
  '    runs-on: ubuntu-latest',
  '    env:',
  '      CI_PG_USER: ledger',
  '      CI_PG_PASSWORD: ledger_pw',
  '      CI_PG_DB: ledger_ci',
  ...jobEnv,
  '    services:',
  '      ledger-db:',
  '        image: postgres:17',
  '        ports: ["5432:5432"]',
  '    steps:',
  '      - uses: actions/checkout@v4',
  ...steps,
  '      - run: bun test tests/integration',
  ...jobs,
];

/** An integration test: a Bun SQL pool on LEDGER_DB_URL whose tagged query runs once per account (found at line 1, where it is made). */
const integrationTest = [
  "const ledger = new Bun.SQL(process.env.LEDGER_DB_URL ?? '');",
  "it('reads balances', async () => {",
  '  for (const id of [1, 2]) await ledger`SELECT balance FROM accounts WHERE id = ${id}`;',
  '});',
];
const KEPT = ['protocol-prepared-statement 1'];

let folders = 0;
/** The integration test's findings in a repository whose one workflow is `workflow(steps, jobEnv, jobs, head)`. */
function findingsWith(steps: string[], jobEnv: string[] = [], jobs: string[] = [], head: string[] = []): string[] {
  const folder = `r${folders++}`;
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  repo.write(`${folder}/.github/workflows/ci.yml`, workflow(steps, jobEnv, jobs, head));
  return findingsOf(repo.write(`${folder}/tests/integration/ledger.integration.test.ts`, integrationTest));
}

const LOCAL_ASSEMBLED = 'postgres://${CI_PG_USER}:${CI_PG_PASSWORD}@localhost:5432/${CI_PG_DB}';

test('a URL of this machine appended to $GITHUB_ENV, its user, password and database filled in by the shell, is the suite database', () => {
  assert.deepEqual(findingsWith([`      - run: echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" >> "$GITHUB_ENV"`]), []);
  assert.deepEqual(findingsWith([`      - run: echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" >> $GITHUB_ENV`]), []);
  assert.deepEqual(findingsWith(['      - run: echo LEDGER_DB_URL=postgres://$CI_PG_USER@127.0.0.1/$CI_PG_DB >> "${GITHUB_ENV}"']), []);
  // The workflow's PostgreSQL service by name (a job running in a container).
  assert.deepEqual(findingsWith(['      - run: echo "LEDGER_DB_URL=postgres://ledger:ledger_pw@ledger-db:5432/ledger_ci" >> $GITHUB_ENV']), []);
  // The host port GitHub maps the PostgreSQL service's port to.
  assert.deepEqual(findingsWith(['      - run: echo "LEDGER_DB_URL=postgres://ledger:ledger_pw@localhost:${{ job.services.ledger-db.ports[5432] }}/ledger_ci" >> $GITHUB_ENV']), []);
});

test('printf, a `{ … }` group, tee -a and a heredoc appending to $GITHUB_ENV are read the same way', () => {
  assert.deepEqual(findingsWith([`      - run: printf 'LEDGER_DB_URL=postgres://ledger:ledger_pw@localhost:5432/ledger_ci\\n' >> "$GITHUB_ENV"`]), []);
  assert.deepEqual(findingsWith([`      - run: printf '%s\\n' "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" >> "$GITHUB_ENV"`]), []);
  assert.deepEqual(findingsWith([`      - run: printf 'LEDGER_DB_URL=%s\\n' "${LOCAL_ASSEMBLED}" >> "$GITHUB_ENV"`]), []);
  assert.deepEqual(findingsWith([
    '      - name: Export the connection settings',
    '        run: |',
    '          {',
    '            echo "LEDGER_DB_NAME=${CI_PG_DB}"',
    `            echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}"`,
    '          } >> "$GITHUB_ENV"',
  ]), []);
  assert.deepEqual(findingsWith(['      - run: |', `          { echo "LEDGER_DB_NAME=ledger_ci"; echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}"; } >> $GITHUB_ENV`]), []);
  assert.deepEqual(findingsWith([`      - run: echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" | tee -a "$GITHUB_ENV"`]), []);
  assert.deepEqual(findingsWith([
    '      - run: |',
    '          cat >> "$GITHUB_ENV" <<EOF',
    `          LEDGER_DB_URL=${LOCAL_ASSEMBLED}`,
    '          EOF',
  ]), []);
});

test("a later step's `${{ env.NAME }}` of a written variable is the written value", () => {
  const steps = (written: string) => [
    `      - run: echo "ADMIN_LEDGER_URL=${written}" >> "$GITHUB_ENV"`,
    '      - run: bun run db:migrate',
    '        env:',
    '          LEDGER_DB_URL: ${{ env.ADMIN_LEDGER_URL }}',
  ];
  assert.deepEqual(findingsWith(steps(LOCAL_ASSEMBLED)), []);
  assert.deepEqual(findingsWith(steps('${{ secrets.ADMIN_LEDGER_URL }}')), KEPT);
  // Written nowhere: unknown, as before.
  assert.deepEqual(findingsWith(['      - run: bun run db:migrate', '        env:', '          LEDGER_DB_URL: ${{ env.ADMIN_LEDGER_URL }}']), KEPT);
});

test('a write of a secret, a pooler, another machine, or a host or port the shell fills in keeps the findings', () => {
  const written = (value: string) => [`      - run: echo "LEDGER_DB_URL=${value}" >> "$GITHUB_ENV"`];
  assert.deepEqual(findingsWith(written('${{ secrets.LEDGER_DB_URL }}')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://${CI_PG_USER}:${CI_PG_PASSWORD}@localhost:6432/${CI_PG_DB}')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@localhost:6543/ledger_ci')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@ep-quiet-ledger-pooler.eu-west-2.aws.neon.tech/ledger')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@pgbouncer:5432/ledger_ci')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@ledger.db.example-cloud.net:5432/ledger')), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@${CI_PG_HOST}:5432/ledger_ci'), ['      CI_PG_HOST: localhost']), KEPT);
  assert.deepEqual(findingsWith(written('postgres://ledger:pw@localhost:${CI_PG_PORT}/ledger_ci'), ['      CI_PG_PORT: 5432']), KEPT);
  assert.deepEqual(findingsWith(written('$(./scripts/ledger-url.sh)')), KEPT);
  // A write beside a local `env:` value of the same variable is one more value: all must be the suite's database.
  assert.deepEqual(findingsWith(written('${{ secrets.LEDGER_DB_URL }}'), ['      LEDGER_DB_URL: postgres://ledger:ledger_pw@localhost:5432/ledger_ci']), KEPT);
  // A commented-out write, and an echo that only prints, set nothing.
  assert.deepEqual(findingsWith([`      - run: echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}"`]), KEPT);
  assert.deepEqual(findingsWith(['      - run: |', `          # echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" >> "$GITHUB_ENV"`, '          true']), KEPT);
});

test("a pooler named only in another job of the workflow is not what this job's localhost reaches; one in the same job, or outside the jobs, keeps the findings", () => {
  const write = [`      - run: echo "LEDGER_DB_URL=${LOCAL_ASSEMBLED}" >> "$GITHUB_ENV"`];
  const composeCheck = [
    '  compose-syntax:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: docker compose --profile pgbouncer config -q',
  ];
  assert.deepEqual(findingsWith(write, [], composeCheck), []);
  // The same in the job's own env.
  assert.deepEqual(findingsWith([], ['      LEDGER_DB_URL: postgres://ledger:ledger_pw@localhost:5432/ledger_ci'], composeCheck), []);
  const ownPooler = [...write, '      - run: docker run -d --network host edoburu/pgbouncer'];
  assert.deepEqual(findingsWith(ownPooler), KEPT);
  // The workflow's own env, given to every job, is judged with the whole file.
  assert.deepEqual(findingsWith([], [], composeCheck, ['env:', '  LEDGER_DB_URL: postgres://ledger:ledger_pw@localhost:5432/ledger_ci']), KEPT);
  // A pooler named outside the jobs (the workflow's env) reaches every job.
  assert.deepEqual(findingsWith(write, [], composeCheck, ['env:', '  PGBOUNCER_POOL_MODE: transaction']), KEPT);
});
