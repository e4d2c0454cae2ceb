// What a test environment's files say is read per variable. A compose file named for tests gives the suite only the
// environment of a service that runs the tests: the application's containers it starts beside them (an e2e server
// whose DB_HOST is the compose file's PgBouncer) have their own. And a file that names a pooler makes unsure the
// variables it sets, not those every other file of the test environment sets to this machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-environment-per-variable', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A spec holding one pg connection to `process.env.LEDGER_HOST` and sending a session SET (line 4) and a LISTEN (line 5) on it. */
const ledgerSpec = [
  "import pg from 'pg';",
  "const ledger = new pg.Client({ host: process.env.LEDGER_HOST, database: 'ledger_test' });",
  "it('books', async () => {",
  "  await ledger.query('SET search_path TO ledger, public');",
  "  await ledger.query('LISTEN ledger_booked');",
  '});',
];

/** An e2e compose file: PostgreSQL, a PgBouncer in front of it, and the application's server on the pooler. */
const e2eCompose = (runner: string[]) => [
  'services:',
  '  ledger-db:',
  '    image: postgres:17',
  '  bouncer:',
  '    image: edoburu/pgbouncer',
  '    environment:',
  '      DB_HOST: ledger-db',
  '  web:',
  '    build: .',
  '    entrypoint: ["/app/start.sh"]',
  '    environment:',
  '      LEDGER_HOST: bouncer',
  '      LEDGER_PORT: 6432',
  ...runner,
];

test("an application container's environment in a test compose file is not the suite's; a file naming a pooler makes unsure only what it sets", () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/.env.test', 'LEDGER_HOST=localhost');
  repo.write('a/docker-compose.e2e.yml', e2eCompose([]));
  const spec = repo.write('a/test/ledger.test.ts', ledgerSpec);
  assert.deepEqual(findingsOf(spec), []);

  // A workflow that starts a PgBouncer beside its tests, setting another variable: LEDGER_HOST stays the .env.test's.
  repo.write('b/package.json', '{"name": "b"}');
  repo.write('b/.env.test', 'LEDGER_HOST=127.0.0.1');
  repo.write('b/.github/workflows/e2e.yml', [
    'jobs:',
    '  e2e:',
    '    services:',
    '      bouncer:',
    '        image: edoburu/pgbouncer',
    '    env:',
    '      WEB_DATABASE_URL: postgres://app@localhost:6432/ledger',
    '    steps:',
    '      - run: npx playwright test',
  ]);
  const other = repo.write('b/test/ledger.test.ts', ledgerSpec);
  assert.deepEqual(findingsOf(other), []);
});

test('the environment of a compose service that runs the tests, or a variable the pooler-naming file sets, keeps the findings', () => {
  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.env.test', 'LEDGER_HOST=localhost');
  repo.write('c/docker-compose.e2e.yml', e2eCompose([
    '  suite:',
    '    image: node:22',
    '    command: npm run test:e2e',
    '    environment:',
    '      LEDGER_HOST: bouncer',
  ]));
  const spec = repo.write('c/test/ledger.test.ts', ledgerSpec);
  assert.deepEqual(findingsOf(spec), ['session-set 4', 'listen 5']);

  repo.write('d/package.json', '{"name": "d"}');
  repo.write('d/.env.test', 'LEDGER_HOST=127.0.0.1');
  repo.write('d/.github/workflows/e2e.yml', [
    'jobs:',
    '  e2e:',
    '    services:',
    '      bouncer:',
    '        image: edoburu/pgbouncer',
    '    env:',
    '      LEDGER_HOST: localhost',
    '    steps:',
    '      - run: npm test',
  ]);
  const set = repo.write('d/test/ledger.test.ts', ledgerSpec);
  assert.deepEqual(findingsOf(set), ['session-set 4', 'listen 5']);
});
