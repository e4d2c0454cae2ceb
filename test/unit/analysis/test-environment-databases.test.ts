// Test code whose database comes from the test environment rather than from a literal: a client made with no host at
// all (the driver falls back to libpq's PGHOST, else this machine), and an environment variable that the repository's
// own test environment — a CI workflow's env beside a PostgreSQL service container, an env file kept for tests, a compose
// file named for tests — sets to this machine or to a service running a PostgreSQL image. Such clients reach the
// suite's own database, not a pooler. What keeps the findings: the same code in application modules, a test
// environment that sends the variable (or PGHOST) elsewhere, or names a pooler, a pooler's port in the options, a test
// that sets PGHOST itself, and pools (each query may take another connection) for what holds without a pooler too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { runsNoTests } from '../../../server/analysis/testEnvironment';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-environment-databases', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A spec that makes a pg client from `made` and sends a session SET (line 5) and a LISTEN (line 6) on it, each a line later per line of `before`. */
const clientSpec = (made: string, before: string[] = []) => [
  "import pg from 'pg';",
  '// the archive suite',
  ...before,
  `const reader = ${made};`,
  "it('reads the archive', async () => {",
  "  await reader.query('SET search_path TO archive, public');",
  "  await reader.query('LISTEN archive_changed');",
  '});',
];

const GITHUB_SERVICE_WORKFLOW = [
  'name: checks',
  'on: [push]',
  'jobs:',
  '  unit:',
  '    runs-on: ubuntu-latest',
  '    services:',
  '      archive-db:',
  '        image: postgres:16-alpine',
  '        env:',
  '          POSTGRES_PASSWORD: archive',
  '        ports: ["5432:5432"]',
  '    env:',
  "      ARCHIVE_DB_URL: 'postgres://postgres:archive@localhost:5432/postgres'",
  '      PGHOST: 127.0.0.1',
  '    steps:',
  '      - run: npm test',
];

test('a test client made with no host at all reaches PGHOST or this machine: no pooler-only finding', () => {
  repo.write('a/package.json', '{"name": "a"}');
  const bare = repo.write('a/test/archive.test.ts', clientSpec('new pg.Client()'));
  assert.deepEqual(findingsOf(bare), []);
  const options = repo.write('a/test/options.test.ts', clientSpec("new pg.Client({ database: 'archive_test', user: process.env.PGUSER })"));
  assert.deepEqual(findingsOf(options), []);
  // The host taken from a settings object that has none is undefined: the driver's default again.
  const absent = repo.write('a/test/absent.test.ts', clientSpec('new pg.Client({ host: settings.host, port: settings.port })', [
    "const settings = { port: Number(process.env.PGPORT ?? '55432'), database: 'archive' };",
  ]));
  assert.deepEqual(findingsOf(absent), []);
});

test('a client with no host keeps its findings in application code, with a pooler port, or where PGHOST is set elsewhere', () => {
  repo.write('b/package.json', '{"name": "b"}');
  const app = repo.write('b/src/archive.ts', clientSpec('new pg.Client()'));
  assert.deepEqual(findingsOf(app), ['session-set 5', 'listen 6']);
  const port = repo.write('b/test/port.test.ts', clientSpec("new pg.Client({ port: 6432, database: 'archive' })"));
  assert.deepEqual(findingsOf(port), ['session-set 5', 'listen 6']);
  const given = repo.write('b/test/given.test.ts', clientSpec('new pg.Client({ host: settings.host })', [
    "const settings = { host: 'archive.internal.example.com' };",
  ]));
  assert.deepEqual(findingsOf(given), ['session-set 6', 'listen 7']);
  const setsHost = repo.write('b/test/sets.test.ts', clientSpec('new pg.Client()', ["process.env.PGHOST = 'archive.internal.example.com';"]));
  assert.deepEqual(findingsOf(setsHost), ['session-set 6', 'listen 7']);

  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.github/workflows/ci.yml', ['jobs:', '  unit:', '    env:', '      PGHOST: archive.internal.example.com']);
  const remote = repo.write('c/test/archive.test.ts', clientSpec('new pg.Client()'));
  assert.deepEqual(findingsOf(remote), ['session-set 5', 'listen 6']);
});

test("a variable the repository's CI workflow sets to its service container on localhost is the test database", () => {
  repo.write('d/package.json', '{"name": "d"}');
  repo.write('d/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  const spec = repo.write('d/packages/archive/src/__tests__/archive.ts', clientSpec('new pg.Client({ connectionString: process.env.ARCHIVE_DB_URL })'));
  assert.deepEqual(findingsOf(spec), []);
  // Application code reading the same variable is production's client.
  const app = repo.write('d/packages/archive/src/db.ts', clientSpec('new pg.Client({ connectionString: process.env.ARCHIVE_DB_URL })'));
  assert.deepEqual(findingsOf(app), ['session-set 5', 'listen 6']);
  // A variable the workflow does not set says nothing of a pool (a single Client on it: test-single-connections.test.ts).
  const other = repo.write('d/test/other.test.ts', clientSpec("new pg.Pool({ connectionString: process.env['REPORTING_DB_URL'] })"));
  assert.deepEqual(findingsOf(other), ['session-set 5', 'listen 6']);
});

test('a variable a workflow that runs tests takes from a secret, or a workflow that runs a pooler, keeps the findings', () => {
  repo.write('e/package.json', '{"name": "e"}');
  repo.write('e/.github/workflows/checks.yml', GITHUB_SERVICE_WORKFLOW);
  repo.write('e/.github/workflows/nightly.yml', ['jobs:', '  contract:', '    env:', '      ARCHIVE_DB_URL: ${{ secrets.ARCHIVE_DB_URL }}', '    steps:', '      - run: |', '          npm ci', '          npm run test:contract']);
  const spec = repo.write('e/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(spec), ['session-set 5', 'listen 6']);

  repo.write('f/package.json', '{"name": "f"}');
  repo.write('f/.github/workflows/checks.yml', [...GITHUB_SERVICE_WORKFLOW.slice(0, 11), '      bouncer:', '        image: edoburu/pgbouncer', ...GITHUB_SERVICE_WORKFLOW.slice(11)]);
  const pooled = repo.write('f/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(pooled), ['session-set 5', 'listen 6']);
  const bare = repo.write('f/test/bare.test.ts', clientSpec('new pg.Client()'));
  assert.deepEqual(findingsOf(bare), ['session-set 5', 'listen 6']);
});

test('workflows that run no test (deploys, cron jobs) do not make the test environment: their secrets are production\'s', () => {
  repo.write('e2/package.json', '{"name": "e2"}');
  // Prose and comments that speak of tests or checks are not a step that runs them.
  repo.write('e2/.github/workflows/nightly.yml', [
    'jobs:',
    '  fetch:',
    '    env:',
    '      ARCHIVE_DB_URL: ${{ secrets.ARCHIVE_DB_URL }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: npm ci',
    '      # the tests run in checks.yml (spec 12)',
    '      - run: npm run archive:fetch',
    '      - name: report',
    '        run: |',
    '          # test the alert first',
    '          gh issue create --body "Check the archive before retrying."',
  ]);
  repo.write('e2/.github/workflows/deploy.yml', ['jobs:', '  ship:', '    env:', '      ARCHIVE_DB_URL: postgres://app@pgbouncer.internal:6432/archive', '    steps:', '      - run: ./scripts/deploy.sh']);
  const single = repo.write('e2/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(single), []);
  // A pool on it stays a pool; application code stays production's.
  const pool = repo.write('e2/test/pool.test.ts', clientSpec('new pg.Pool({ connectionString: process.env.ARCHIVE_DB_URL })'));
  assert.deepEqual(findingsOf(pool), ['session-set 5', 'listen 6']);
  const app = repo.write('e2/src/archive.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(app), ['session-set 5', 'listen 6']);
});

test("a job that runs no test (a preview deploy) beside the workflow's test jobs does not make the test environment; a test job's own secret does", () => {
  const workflow = (previewEnv: string[], testEnv: string[] = []) => [
    'name: CI',
    'on: [pull_request]',
    'jobs:',
    '  e2e:',
    '    runs-on: ubuntu-latest',
    ...testEnv,
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: yarn playwright test',
    '  preview:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: ./.github/actions/deploy-preview',
    '        env:',
    ...previewEnv,
  ];
  const staging = ['          ARCHIVE_DB_URL: ${{ secrets.STAGING_ARCHIVE_DB_URL }}'];
  repo.write('e3/package.json', '{"name": "e3"}');
  repo.write('e3/.github/workflows/ci.yml', workflow(staging));
  const single = repo.write('e3/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(single), []);
  // A pool on it stays a pool.
  const pool = repo.write('e3/test/pool.test.ts', clientSpec('new pg.Pool({ connectionString: process.env.ARCHIVE_DB_URL })'));
  assert.deepEqual(findingsOf(pool), ['session-set 5', 'listen 6']);

  // The same secret given to the job that runs the tests is where the suite connects.
  repo.write('e4/package.json', '{"name": "e4"}');
  repo.write('e4/.github/workflows/ci.yml', workflow(['          VERCEL_ORG_ID: ${{ secrets.VERCEL_ORG_ID }}'], ['    env:', '      ARCHIVE_DB_URL: ${{ secrets.STAGING_ARCHIVE_DB_URL }}']));
  const tested = repo.write('e4/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(tested), ['session-set 5', 'listen 6']);
  // …as is the workflow's env, given to every job.
  repo.write('e5/package.json', '{"name": "e5"}');
  repo.write('e5/.github/workflows/ci.yml', ['env:', '  ARCHIVE_DB_URL: ${{ secrets.STAGING_ARCHIVE_DB_URL }}', ...workflow(['          VERCEL_ORG_ID: ${{ secrets.VERCEL_ORG_ID }}'])]);
  const everyJob = repo.write('e5/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(everyJob), ['session-set 5', 'listen 6']);
});

test('a workflow runs tests when a step runs a test runner or a test or check script, and may when it has no step', () => {
  const steps = (...lines: string[]) => ['jobs:', '  j:', '    steps:', ...lines].join('\n');
  for (const runs of [
    steps('      - run: npm test'),
    steps('      - run: pnpm run test:e2e'),
    steps('      - name: unit', '        run: npx vitest run'),
    steps('      - run: |', '          npm ci', '          npm run ci'),
    steps('      - run: make verify'),
    steps('      - uses: cypress-io/github-action@v6'),
    ['jobs:', '  j:', '    uses: ./.github/workflows/reusable.yml'].join('\n'),
  ]) assert.equal(runsNoTests(runs), false, runs);
  for (const none of [
    steps('      - run: npm ci', '      - run: npm run deploy'),
    steps('      # runs after the tests pass', '      - run: ./scripts/release.sh'),
    steps('      - run: |', '          # check first', '          echo "check the logs"', '      - run: npm run migrate'),
  ]) assert.equal(runsNoTests(none), true, none);
});

test("a value that is only a comment (`KEY: # …`) gives the variable no value; a quoted `#` is the value's", () => {
  // The workflow's job-level env names the variable with a comment for its value (YAML reads no value there); the
  // service workflow sets it to localhost: the test database.
  repo.write('g2/package.json', '{"name": "g2"}');
  repo.write('g2/.github/workflows/checks.yml', GITHUB_SERVICE_WORKFLOW);
  repo.write('g2/.github/workflows/contract.yml', ['jobs:', '  contract:', '    env:', '      ARCHIVE_DB_URL: # from the archive-db service of checks.yml', '    steps:', '      - run: npm run test:contract']);
  const spec = repo.write('g2/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(spec), []);
  // A quoted value that begins with `#` is a value (not this machine's database): the findings stay.
  repo.write('g3/package.json', '{"name": "g3"}');
  repo.write('g3/.github/workflows/checks.yml', GITHUB_SERVICE_WORKFLOW);
  repo.write('g3/.github/workflows/contract.yml', ['jobs:', '  contract:', '    env:', '      ARCHIVE_DB_URL: "#archive-url-from-vault"', '    steps:', '      - run: npm run test:contract']);
  const quoted = repo.write('g3/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(quoted), ['session-set 5', 'listen 6']);
});

test('a run step whose block marker is followed by a comment is read as a block of commands', () => {
  const steps = (...lines: string[]) => ['jobs:', '  j:', '    steps:', ...lines].join('\n');
  assert.equal(runsNoTests(steps('      - run: |   # the suite', '          npm ci', '          npm test')), false);
  assert.equal(runsNoTests(steps('      - run: |   # the deploy', '          npm ci', '          npm run deploy')), true);
});

test("an env file kept for tests, or a test compose file's PostgreSQL service, is the test database; the app's .env is not (for a pool)", () => {
  repo.write('g/package.json', '{"name": "g"}');
  repo.write('g/.env.test', ['# test runs', 'LEDGER_URL="postgresql://ledger:ledger@127.0.0.1:5433/ledger_test"']);
  const envFile = repo.write('g/spec/ledger.spec.ts', clientSpec('new pg.Client(process.env.LEDGER_URL)'));
  assert.deepEqual(findingsOf(envFile), []);

  repo.write('h/package.json', '{"name": "h"}');
  repo.write('h/.env', 'LEDGER_URL=postgresql://ledger:ledger@127.0.0.1:5433/ledger');
  const appEnv = repo.write('h/spec/ledger.spec.ts', clientSpec('new pg.Pool({ connectionString: process.env.LEDGER_URL })'));
  assert.deepEqual(findingsOf(appEnv), ['session-set 5', 'listen 6']);

  repo.write('i/package.json', '{"name": "i"}');
  repo.write('i/docker-compose.test.yml', [
    'services:',
    '  ledger-db:',
    '    image: postgis/postgis:16-3.4',
    '  suite:',
    '    build: .',
    '    environment:',
    '      - LEDGER_URL=postgres://ledger:ledger@ledger-db:5432/ledger_test',
  ]);
  const compose = repo.write('i/test/ledger.test.ts', clientSpec('new pg.Client(process.env.LEDGER_URL)'));
  assert.deepEqual(findingsOf(compose), []);

  repo.write('j/package.json', '{"name": "j"}');
  repo.write('j/docker-compose.test.yml', [
    'services:',
    '  ledger-db:',
    '    image: postgres:16',
    '  suite:',
    '    environment:',
    '      - LEDGER_URL=postgres://ledger:ledger@ledger-cache:5432/ledger_test',
  ]);
  const unknownHost = repo.write('j/test/ledger.test.ts', clientSpec('new pg.Client(process.env.LEDGER_URL)'));
  assert.deepEqual(findingsOf(unknownHost), ['session-set 5', 'listen 6']);
});

test('a pool with no host stays a pool for a session SET, but its own driver API and a connection it hands a promise callback are one session', () => {
  repo.write('k/package.json', '{"name": "k"}');
  const pool = repo.write('k/test/pool.test.ts', [
    "import pg from 'pg';",
    'const pool = new pg.Pool();',
    "it('sets', async () => { await pool.query('SET search_path TO archive'); });",
    "it('listens on one connection', () => pool.connect().then((conn) => conn.query('LISTEN archive_changed')));",
  ]);
  assert.deepEqual(findingsOf(pool), ['session-set 3']);
  const driver = repo.write('k/test/driver.test.ts', [
    "import { Pool } from 'postgrejs';",
    'let pool: Pool;',
    'before(() => { pool = new Pool(); });',
    "it('prepares', async () => { const statement = await pool.prepare('SELECT $1::int'); await statement.execute({ params: [1] }); });",
    "it('listens', () => pool.listen('archive_changed', () => {}));",
  ]);
  assert.deepEqual(findingsOf(driver), []);
  const appDriver = repo.write('k/src/driver.ts', [
    "import { Pool } from 'postgrejs';",
    'const pool = new Pool();',
    "export const ready = pool.listen('archive_changed', () => {});",
  ]);
  assert.deepEqual(findingsOf(appDriver), ['listen 3']);
});

/** A monorepo: its workspace, a CI workflow with a PostgreSQL service on localhost, and a spec using a helper package's client. */
function monorepo(root: string, helperPackage: string, helperIndex: string[]): string {
  repo.write(`${root}/package.json`, '{"name": "root", "private": true, "workspaces": ["packages/*"]}');
  repo.write(`${root}/.github/workflows/checks.yaml`, GITHUB_SERVICE_WORKFLOW);
  repo.write(`${root}/packages/helpers/package.json`, `{"name": "${helperPackage}", "main": "src/index.ts"}`);
  repo.write(`${root}/packages/helpers/src/index.ts`, helperIndex);
  repo.write(`${root}/packages/helpers/src/client.ts`, [
    "import pg from 'pg';",
    'export function openArchive() {',
    '  return new pg.Client({ connectionString: process.env.ARCHIVE_DB_URL });',
    '}',
  ]);
  repo.write(`${root}/packages/archive/package.json`, '{"name": "@shop/archive"}');
  return repo.write(`${root}/packages/archive/test/archive.test.ts`, [
    `import { openArchive } from '${helperPackage}';`,
    'const reader = openArchive();',
    "it('reads the archive', async () => {",
    "  await reader.query('SET search_path TO archive, public');",
    "  await reader.query('LISTEN archive_changed');",
    '});',
  ]);
}

test("a workspace package named for tests makes the monorepo's test clients; another package's client is the application's", () => {
  const spec = monorepo('l', '@shop/test-utils', ["export * from './client';"]);
  assert.deepEqual(findingsOf(spec), []);
  const appPackage = monorepo('m', '@shop/archive-client', ["export * from './client';"]);
  assert.deepEqual(findingsOf(appPackage), ['session-set 4', 'listen 5']);
});

test("a postgres.js client of the environment's test database, or of a local URL written out, is still a pool: its session SET is flagged, its prepared statements are not", () => {
  repo.write('n/package.json', '{"name": "n"}');
  repo.write('n/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  const spec = repo.write('n/test/archive.test.ts', [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.ARCHIVE_DB_URL!);',
    "it('reads the archive', async () => {",
    "  await sql.unsafe('SET search_path TO archive, public');",
    '  await sql`SELECT count(*) FROM entries`;',
    '});',
  ]);
  assert.deepEqual(findingsOf(spec), ['session-set 4']);
  // Written out in the test, the local URL is the suite's own database, but a client of ten is still a pool (ruling 14).
  const literal = repo.write('n/test/literal.test.ts', [
    "import postgres from 'postgres';",
    "const sql = postgres('postgres://postgres:archive@localhost:5432/postgres');",
    "it('reads the archive', async () => {",
    "  await sql.unsafe('SET search_path TO archive, public');",
    '  await sql`SELECT count(*) FROM entries`;',
    '});',
  ]);
  assert.deepEqual(findingsOf(literal), ['session-set 4']);
});

test("what another function makes of the environment's test database (often a pool) keeps the findings; a driver's Client made from it is one session", () => {
  repo.write('o/package.json', '{"name": "o"}');
  repo.write('o/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  repo.write('o/src/db.ts', ["import postgres from 'postgres';", 'export const openDb = (url: string) => postgres(url, { max: 5 });']);
  const helper = repo.write('o/test/tenant.test.ts', [
    "import { openDb } from '../src/db';",
    'const sql = openDb(process.env.ARCHIVE_DB_URL!);',
    "it('scopes to a tenant', async () => {",
    "  await sql`SELECT set_config('app.tenant', ${'t1'}, false)`;",
    '});',
  ]);
  assert.deepEqual(findingsOf(helper), ['session-set 4']);
  const client = repo.write('o/test/client.test.ts', [
    "import pg from 'pg';",
    'const client = new pg.Client(process.env.ARCHIVE_DB_URL);',
    "it('scopes to a tenant', async () => {",
    "  await client.query(\"SELECT set_config('app.tenant', 't1', false)\");",
    '});',
  ]);
  assert.deepEqual(findingsOf(client), []);
});

test('the environment read through another name for it: an alias, a destructured name, Reflect.get', () => {
  repo.write('q/package.json', '{"name": "q"}');
  repo.write('q/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  const spellings: [string, string[]][] = [
    ['new pg.Client(env.ARCHIVE_DB_URL)', ['const env = process.env;']],
    ["new pg.Client(settings['ARCHIVE_DB_URL'])", ['const settings = import.meta.env;']],
    ['new pg.Client({ connectionString: ARCHIVE_DB_URL })', ['const { ARCHIVE_DB_URL } = process.env;']],
    ['new pg.Client(archiveUrl)', ['const { ARCHIVE_DB_URL: archiveUrl } = process.env;']],
    ['new pg.Client(env.ARCHIVE_DB_URL)', ['const { env } = process;']],
    ["new pg.Client(Reflect.get(process.env, 'ARCHIVE_DB_URL'))", []],
    ["new pg.Client(Reflect.get(env, 'ARCHIVE_DB_URL'))", ["const env = Reflect.get(import.meta, 'env');"]],
  ];
  spellings.forEach(([made, before], i) => {
    const spec = repo.write(`q/test/spelling${i}.test.ts`, clientSpec(made, before));
    assert.deepEqual(findingsOf(spec), [], made);
    // The same code in an application module is production's client.
    const app = repo.write(`q/src/spelling${i}.ts`, clientSpec(made, before));
    assert.equal(findingsOf(app).length, 2, made);
  });
  // A postgres.js client of it, read the way a test helper does, prepares on the test database only.
  const helper = repo.write('q/test/helper.test.ts', [
    "import postgres from 'postgres';",
    'function archiveUrl(): string {',
    "  const env = Reflect.get(import.meta, 'env');",
    "  const url = Reflect.get(env, 'ARCHIVE_DB_URL');",
    "  if (typeof url !== 'string') throw new Error('no ARCHIVE_DB_URL');",
    '  return url;',
    '}',
    'const sql = postgres(archiveUrl());',
    "it('counts', async () => { for (const n of [1, 2]) await sql`SELECT ${n}::int`; });",
  ]);
  assert.deepEqual(findingsOf(helper), []);
});

test("another name for the environment keeps the findings where the test environment points the variable at a pooler, or for another object", () => {
  repo.write('r/package.json', '{"name": "r"}');
  repo.write('r/.github/workflows/checks.yml', ['jobs:', '  unit:', '    env:', '      ARCHIVE_DB_URL: postgres://app@pgbouncer:6432/archive']);
  const pooled = repo.write('r/test/pooled.test.ts', clientSpec('new pg.Client({ connectionString: ARCHIVE_DB_URL })', ['const { ARCHIVE_DB_URL } = process.env;']));
  assert.deepEqual(findingsOf(pooled), ['session-set 6', 'listen 7']);
  const reflected = repo.write('r/test/reflected.test.ts', clientSpec("new pg.Client(Reflect.get(process.env, 'ARCHIVE_DB_URL'))"));
  assert.deepEqual(findingsOf(reflected), ['session-set 5', 'listen 6']);
  // Not the environment: a settings object the test writes, a name given a default, a variable that may be reassigned.
  repo.write('s/package.json', '{"name": "s"}');
  repo.write('s/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  const settings = repo.write('s/test/settings.test.ts', clientSpec('new pg.Client(env.ARCHIVE_DB_URL)', ["const env = { ARCHIVE_DB_URL: 'postgres://app@archive.internal.example.com/archive' };"]));
  assert.deepEqual(findingsOf(settings), ['session-set 6', 'listen 7']);
  const reassigned = repo.write('s/test/reassigned.test.ts', clientSpec('new pg.Client(env.ARCHIVE_DB_URL)', ['let env = process.env;', "env = { ARCHIVE_DB_URL: 'postgres://app@archive.internal.example.com/archive' };"]));
  assert.deepEqual(findingsOf(reassigned), ['session-set 7', 'listen 8']);
});

test("a connection held out of a project's connection manager built on the test environment's database is one session for its LOAD; its SET, handed back to the manager's pool of several, and the manager itself keep their findings", () => {
  repo.write('w/package.json', '{"name": "w"}');
  repo.write('w/.env.test', ['PGHOST=localhost', 'PGPORT=5432']);
  repo.write('w/src/manager.ts', [
    "import { Pool } from 'pg';",
    'export class SessionManager {',
    '  private pool: Pool;',
    '  constructor(config: { host: string; port: number }) { this.pool = new Pool(config); }',
    '  async getConnection() { return this.pool.connect(); }',
    '}',
  ]);
  // A held connection of the manager the test built from the test database's settings: its LOAD stays on it; its SET
  // goes back with it to the manager's pool of several (ruling 13: pools stay pools).
  const held = (made: string, file: string) => repo.write(file, [
    "import { SessionManager } from '../src/manager';",
    "const settings = { host: process.env.PGHOST || 'localhost', port: 5432 };",
    "it('loads the extension', async () => {",
    `  const manager = ${made};`,
    '  const connection = await manager.getConnection();',
    "  await connection.query(\"LOAD 'age'\");",
    "  await connection.query('SET search_path TO ag_catalog, public');",
    '});',
  ]);
  assert.deepEqual(findingsOf(held('new SessionManager(settings)', 'w/test/held.test.ts')), ['session-set 7']);
  // The same shape on a host the test environment sends elsewhere, with a pooler's port, or in application code: kept.
  repo.write('x/package.json', '{"name": "x"}');
  repo.write('x/.env.test', ['PGHOST=db.example.com']);
  repo.write('x/src/manager.ts', readFileSync(`${repo.root}/w/src/manager.ts`, 'utf8'));
  assert.deepEqual(findingsOf(held('new SessionManager(settings)', 'x/test/held.test.ts')), ['load 6', 'session-set 7']);
  assert.deepEqual(findingsOf(held("new SessionManager('postgres://app@localhost:6432/app')", 'w/test/pooler.test.ts')), ['load 6', 'session-set 7']);
  assert.deepEqual(findingsOf(held('new SessionManager(settings)', 'w/src/held.ts')), ['load 6', 'session-set 7']);
  // The manager's own queries (not a held connection) are a pool's: the SET keeps its finding.
  const direct = repo.write('w/test/manager.test.ts', [
    "import { SessionManager } from '../src/manager';",
    "const settings = { host: process.env.PGHOST || 'localhost', port: 5432 };",
    'const manager: any = new SessionManager(settings);',
    "it('sets the path', async () => {",
    "  await manager.query('SET search_path TO ag_catalog, public');",
    '});',
  ]);
  assert.deepEqual(findingsOf(direct), ['session-set 5']);
});

test("a single connection's URL exported by a test helper from an environment variable nothing sets is the developer's test database; a pool's stays a pool", () => {
  repo.write('y/package.json', '{"name": "y"}');
  repo.write('y/test/support/urls.ts', ['export const LEDGER_TEST_URL = process.env["LEDGER_TEST_URL"];']);
  const spec = (made: string) => [
    "import pg from 'pg';",
    "import { LEDGER_TEST_URL } from './support/urls';",
    "it('shows the setting leaking', async () => {",
    `  const pool = ${made};`,
    "  await pool.query('SET statement_timeout = 50');",
    '});',
  ];
  // Capped at one connection: one session, as with the variable read in the test itself.
  assert.deepEqual(findingsOf(repo.write('y/test/single.test.ts', spec('new pg.Pool({ connectionString: LEDGER_TEST_URL, max: 1 })'))), []);
  assert.deepEqual(findingsOf(repo.write('y/test/client.test.ts', spec('new pg.Client(LEDGER_TEST_URL)'))), []);
  // A pool of ten from the same helper, or the helper's URL pointed at a pooler by the repository's env file: kept.
  assert.deepEqual(findingsOf(repo.write('y/test/pool.test.ts', spec('new pg.Pool({ connectionString: LEDGER_TEST_URL })'))), ['session-set 5']);
  repo.write('z/package.json', '{"name": "z"}');
  repo.write('z/.env', 'LEDGER_TEST_URL=postgres://app@pgbouncer:6432/ledger');
  repo.write('z/test/support/urls.ts', ['export const LEDGER_TEST_URL = process.env["LEDGER_TEST_URL"];']);
  assert.deepEqual(findingsOf(repo.write('z/test/single.test.ts', spec('new pg.Pool({ connectionString: LEDGER_TEST_URL, max: 1 })'))), ['session-set 5']);
});

test("a shell command's inline setting continued on the next line is read without its backslash", () => {
  repo.write('continued/package.json', '{"name": "continued"}');
  repo.write('continued/.github/workflows/ci.yml', [
    'name: ci',
    'on: [push]',
    'jobs:',
    '  integration:',
    '    runs-on: ubuntu-latest',
    '    services:',
    '      postgres:',
    '        image: postgres:16',
    '    steps:',
    '      - run: |',
    "          ARCHIVE_DB_URL='postgres://postgres:archive@localhost:5432/postgres' \\",
    '          REPORTS_DB_URL=postgres://reports@db.reports.example.com:5432/reports \\',
    '            npm test',
  ]);
  const local = repo.write('continued/test/archive.test.ts', clientSpec('new pg.Client(process.env.ARCHIVE_DB_URL)'));
  assert.deepEqual(findingsOf(local), []);
  const remote = repo.write('continued/test/reports.test.ts', clientSpec('new pg.Client(process.env.REPORTS_DB_URL)'));
  assert.deepEqual(findingsOf(remote), ['session-set 5', 'listen 6']);
});

test('a helper of the test file that reads the variable its caller names is that variable', () => {
  const helper = [
    'function mustRead(name: string): string {',
    '  const found = process.env[name];',
    "  if (!found) throw new Error(name + ' is not set');",
    '  return found;',
    '}',
  ];
  const local = repo.write('continued/test/archive-helper.test.ts', clientSpec("new pg.Client(mustRead('ARCHIVE_DB_URL'))", helper));
  assert.deepEqual(findingsOf(local), []);
  const remote = repo.write('continued/test/reports-helper.test.ts', clientSpec("new pg.Client(mustRead('REPORTS_DB_URL'))", helper));
  assert.deepEqual(findingsOf(remote), ['session-set 10', 'listen 11']);
  // The value trimmed of blanks, returned or held: still that variable's.
  const trimmed = helper.map((line) => line.replace('return found;', 'return found.trim();'));
  assert.notDeepEqual(trimmed, helper);
  assert.deepEqual(findingsOf(repo.write('continued/test/archive-trimmed.test.ts', clientSpec("new pg.Client(mustRead('ARCHIVE_DB_URL'))", trimmed))), []);
  const heldTrimmed = helper.map((line) => line.replace('process.env[name];', 'process.env[name]?.trimEnd();'));
  assert.notDeepEqual(heldTrimmed, helper);
  assert.deepEqual(findingsOf(repo.write('continued/test/archive-held-trimmed.test.ts', clientSpec("new pg.Client(mustRead('ARCHIVE_DB_URL'))", heldTrimmed))), []);
  assert.deepEqual(findingsOf(repo.write('continued/test/reports-trimmed.test.ts', clientSpec("new pg.Client(mustRead('REPORTS_DB_URL'))", trimmed))), ['session-set 10', 'listen 11']);
  // Another method of the value (`slice`, `toLowerCase`) is not the variable's value as it is.
  const sliced = helper.map((line) => line.replace('return found;', 'return found.slice(1);'));
  assert.deepEqual(findingsOf(repo.write('continued/test/archive-sliced.test.ts', clientSpec("new pg.Client(mustRead('ARCHIVE_DB_URL'))", sliced))), ['session-set 10', 'listen 11']);
  // A helper that builds the name (or reads something else) names no variable the test environment sets.
  const built = repo.write('continued/test/built-helper.test.ts', clientSpec("new pg.Client(prefixed('DB_URL'))", [
    "const prefixed = (name: string) => process.env['ARCHIVE_' + name] ?? '';",
  ]));
  assert.deepEqual(findingsOf(built), ['session-set 6', 'listen 7']);
});

/** A test helper that makes a scratch copy of the archive database from the admin URL the environment gives, and returns its URL. */
const scratchCopyHelper = (read: string, before: string[] = []) => [
  "import postgres from 'postgres';",
  ...before,
  'function present(value: string | undefined): string | undefined {',
  '  const trimmed = value?.trim();',
  '  return trimmed ? trimmed : undefined;',
  '}',
  'export function archiveAdminUrl(source: NodeJS.ProcessEnv = process.env): string {',
  `  return present(${read}) ?? 'postgres://postgres:archive@localhost:5432/postgres';`,
  '}',
  'function withDatabase(base: string, name: string): string {',
  "  const renamed = base.replace(/\\/[^/?]+$/, `/${name}`);",
  "  if (renamed === base) throw new Error('no database name to replace');",
  '  return renamed;',
  '}',
  'export async function makeArchiveCopy(): Promise<{ url: string }> {',
  '  const adminUrl = archiveAdminUrl();',
  "  const name = `archive_${Date.now()}`;",
  '  const admin = postgres(adminUrl, { max: 1 });',
  '  await admin.unsafe(`CREATE DATABASE ${name}`);',
  '  await admin.end();',
  '  const url = withDatabase(adminUrl, name);',
  '  return { url };',
  '}',
];

/** A spec that opens a postgres.js pool of four on the scratch copy and runs a tagged query (a named prepared statement) again. */
const scratchCopySpec = [
  "import postgres from 'postgres';",
  "import { makeArchiveCopy } from './helpers/archive-copy';",
  'let sql: ReturnType<typeof postgres>;',
  'beforeAll(async () => {',
  '  const copy = await makeArchiveCopy();',
  '  sql = postgres(copy.url, { max: 4 });',
  '});',
  "it('counts', async () => { for (const n of [1, 2]) await sql`SELECT ${n}::int`; });",
];

test("a scratch copy of the environment's test database, made through a test helper's chain of small functions, is the test database", () => {
  repo.write('copy/package.json', '{"name": "copy"}');
  repo.write('copy/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  // The variable named through a const, read from a parameter that defaults to the environment, trimmed or undefined.
  repo.write('copy/test/helpers/archive-copy.ts', scratchCopyHelper('source[ARCHIVE_VARIABLE]', ["const ARCHIVE_VARIABLE = 'ARCHIVE_DB_URL' as const;"]));
  assert.deepEqual(findingsOf(repo.write('copy/test/archive.test.ts', scratchCopySpec)), []);
  // The same where the test environment points the variable at a pooler keeps the finding.
  repo.write('copy-pooled/package.json', '{"name": "copy-pooled"}');
  repo.write('copy-pooled/.github/workflows/checks.yml', ['jobs:', '  unit:', '    env:', '      ARCHIVE_DB_URL: postgres://app@pgbouncer:6432/archive']);
  repo.write('copy-pooled/test/helpers/archive-copy.ts', scratchCopyHelper('source[ARCHIVE_VARIABLE]', ["const ARCHIVE_VARIABLE = 'ARCHIVE_DB_URL' as const;"]));
  assert.deepEqual(findingsOf(repo.write('copy-pooled/test/archive.test.ts', scratchCopySpec)), ['protocol-prepared-statement 6']);
});

test('each link of that chain on its own: a `?:` with an undefined branch, a const naming the variable, a parameter defaulting to the environment', () => {
  repo.write('links/package.json', '{"name": "links"}');
  repo.write('links/.github/workflows/checks.yaml', GITHUB_SERVICE_WORKFLOW);
  const poolOn = (url: string, before: string[]) => [
    "import postgres from 'postgres';",
    ...before,
    `const sql = postgres(${url}, { max: 4 });`,
    "it('counts', async () => { for (const n of [1, 2]) await sql`SELECT ${n}::int`; });",
  ];
  const line = (before: string[]) => `protocol-prepared-statement ${before.length + 2}`;
  const cases: [string, string[], boolean][] = [
    ['given(process.env.ARCHIVE_DB_URL)', ['function given(value?: string) { return value ? value : undefined; }'], true],
    // A branch that names another place is no help.
    ['given(process.env.ARCHIVE_DB_URL)', ["function given(value?: string) { return value ? value : 'postgres://app@archive.internal.example.com/archive'; }"], false],
    ['process.env[ARCHIVE_VARIABLE]', ["const ARCHIVE_VARIABLE = 'ARCHIVE_DB_URL';"], true],
    ['process.env[variable]', ["let variable = 'ARCHIVE_DB_URL';", "variable = 'REPORTS_DB_URL';"], false],
    ['archiveUrl()', ["function archiveUrl(env: NodeJS.ProcessEnv = process.env) { return env.ARCHIVE_DB_URL; }"], true],
    // Called elsewhere in the file with another object: the parameter is not always the environment.
    ['archiveUrl()', ["function archiveUrl(env: NodeJS.ProcessEnv = process.env) { return env.ARCHIVE_DB_URL; }",
      "const fixture = archiveUrl({ ARCHIVE_DB_URL: 'postgres://app@archive.internal.example.com/archive' });"], false],
  ];
  cases.forEach(([url, before, local], i) => {
    const spec = repo.write(`links/test/link${i}.test.ts`, poolOn(url, before));
    assert.deepEqual(findingsOf(spec), local ? [] : [line(before)], `${url} / ${before.join(' ')}`);
  });
});

/** A Bun test that makes a client from `made` (line 3) and sends the same query twice (line 4). */
const bunSpec = (made: string, before: string[] = []) => [
  "import { SQL } from 'bun';",
  ...before,
  `const inventory = ${made};`,
  "it('counts stock', async () => { for (const n of [1, 2]) await inventory`SELECT count(*) FROM stock WHERE bin = ${n}`; });",
];

test("Bun's SQL client given no URL reads it from the environment: in test code, the URL the repository's env files give this machine is no pooler", () => {
  // The package's own .env (read by Bun's test runner) points DATABASE_URL at this machine.
  repo.write('bun-env/package.json', '{"name": "bun-env"}');
  repo.write('bun-env/.env', 'DATABASE_URL=postgres://stock:stock@localhost:5441/stock');
  assert.deepEqual(findingsOf(repo.write('bun-env/test/stock.test.ts', bunSpec('new SQL()'))), []);
  assert.deepEqual(findingsOf(repo.write('bun-env/test/options.test.ts', bunSpec('new SQL({ max: 2, idleTimeout: 5 })'))), []);
  // Bun's other spellings of the variable, set by an env file kept for tests; and the default client.
  repo.write('bun-test-env/package.json', '{"name": "bun-test-env"}');
  repo.write('bun-test-env/.env.test', "POSTGRES_URL='postgresql://stock@127.0.0.1:5432/stock_test'");
  assert.deepEqual(findingsOf(repo.write('bun-test-env/test/stock.test.ts', bunSpec('new Bun.SQL()'))), []);
  assert.deepEqual(findingsOf(repo.write('bun-test-env/test/default.test.ts', [
    "import { sql } from 'bun';",
    "it('counts stock', async () => { for (const n of [1, 2]) await sql`SELECT count(*) FROM stock WHERE bin = ${n}`; });",
  ])), []);
});

test("Bun's SQL client given no URL keeps its finding in application code, where no file sets the URL, where one points a URL elsewhere, or with a host or port of its own", () => {
  repo.write('bun-app/package.json', '{"name": "bun-app"}');
  repo.write('bun-app/.env', 'DATABASE_URL=postgres://stock:stock@localhost:5441/stock');
  assert.deepEqual(findingsOf(repo.write('bun-app/src/stock.ts', bunSpec('new SQL()'))), ['protocol-prepared-statement 2']);
  // The options say where to connect: the environment's URL is not what it reaches.
  assert.deepEqual(findingsOf(repo.write('bun-app/test/host.test.ts', bunSpec("new SQL({ hostname: 'stock.internal.example.com' })"))), ['protocol-prepared-statement 2']);
  assert.deepEqual(findingsOf(repo.write('bun-app/test/port.test.ts', bunSpec('new SQL({ port: 6432 })'))), ['protocol-prepared-statement 2']);
  // The test sets the variable itself.
  assert.deepEqual(findingsOf(repo.write('bun-app/test/sets.test.ts', bunSpec('new SQL()', ['process.env.DATABASE_URL = stockUrl();']))), ['protocol-prepared-statement 3']);

  repo.write('bun-unset/package.json', '{"name": "bun-unset"}');
  assert.deepEqual(findingsOf(repo.write('bun-unset/test/stock.test.ts', bunSpec('new SQL()'))), ['protocol-prepared-statement 2']);

  // One URL variable at this machine, another at a pooler: Bun's choice between them has changed across versions.
  repo.write('bun-pooled/package.json', '{"name": "bun-pooled"}');
  repo.write('bun-pooled/.env', ['DATABASE_URL=postgres://stock:stock@localhost:5441/stock', 'POSTGRES_URL=postgres://stock@stock-pool.example.com:6543/stock']);
  assert.deepEqual(findingsOf(repo.write('bun-pooled/test/stock.test.ts', bunSpec('new SQL()'))), ['protocol-prepared-statement 2']);
  repo.write('bun-remote/package.json', '{"name": "bun-remote"}');
  repo.write('bun-remote/.env', 'DATABASE_URL=postgres://stock@db.stock.example.com:5432/stock');
  assert.deepEqual(findingsOf(repo.write('bun-remote/test/stock.test.ts', bunSpec('new SQL()'))), ['protocol-prepared-statement 2']);
  assert.deepEqual(findingsOf(repo.write('bun-remote/test/default.test.ts', [
    "import { sql } from 'bun';",
    "it('counts stock', async () => { for (const n of [1, 2]) await sql`SELECT count(*) FROM stock WHERE bin = ${n}`; });",
  ])), ['protocol-prepared-statement 1']);
});
