// A test suite that runs inside a compose service reaches the database service the same compose file starts by the
// service's name as a host (`postgres://app@ledger-db:5432/ledger`): the suite's own server, started for the run, with
// no pooler between (ruling 13). Its single connections' session state is no hazard. What keeps the findings: a compose
// file with no service running the tests (the application's own deployment), a service that is not PostgreSQL, a
// pooler's port, a pooler run in the same service when the URL does not write out PostgreSQL's own port, a pool, and
// application code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('compose-suite-databases', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A spec that opens a pg client on `url` and sends a temp table, a session SET and a LISTEN on it (lines 3–5, KEPT, without `before`). */
const ledgerSpec = (url: string, before: string[] = []) => [
  "import pg from 'pg';",
  ...before,
  `const ledger = new pg.Client('${url}');`,
  "it('books', async () => { await ledger.query('CREATE TEMP TABLE staged (id int)');",
  "  await ledger.query('SET search_path TO ledger, public');",
  "  await ledger.query('LISTEN ledger_booked'); });",
];
const KEPT = ['temp-table 3', 'session-set 4', 'listen 5'];

/** A compose file starting `database` (its block's lines) beside a service whose command is `command`. */
const composeFile = (command: string, database: string[]) => [
  'name: ledger',
  'services:',
  '  runner:',
  '    image: node:22-alpine',
  '    working_dir: /src',
  `    command: ${command}`,
  '    depends_on:',
  '      ledger-db:',
  '        condition: service_healthy',
  '  ledger-db:',
  ...database,
  'volumes:',
  '  sockets:',
];
const POSTGRES_SERVICE = ['    image: postgres:17-alpine', '    environment:', '      POSTGRES_PASSWORD: ledger'];

test('a compose-run suite reaching the database service of its own compose file: no session findings', () => {
  repo.write('a/test/compose.yml', composeFile('node --test test/', POSTGRES_SERVICE));
  const spec = repo.write('a/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'));
  assert.deepEqual(findingsOf(spec), []);
  // The default port, not written, is PostgreSQL's too.
  const bare = repo.write('a/test/bare.test.ts', ledgerSpec('postgres://app@ledger-db/ledger'));
  assert.deepEqual(findingsOf(bare), []);
});

test('no service of the compose file runs the tests, the service is not PostgreSQL, or the port is a pooler\'s: findings kept', () => {
  repo.write('b/compose.yml', composeFile('node dist/server.js', POSTGRES_SERVICE));
  const deployed = repo.write('b/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'));
  assert.deepEqual(findingsOf(deployed), KEPT);

  repo.write('c/compose.yml', composeFile('npx vitest run', ['    image: redis:7']));
  const other = repo.write('c/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'));
  assert.deepEqual(findingsOf(other), KEPT);

  repo.write('d/compose.yml', composeFile('npx vitest run', POSTGRES_SERVICE));
  const pooler = repo.write('d/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:6432/ledger'));
  assert.deepEqual(findingsOf(pooler), KEPT);
  // Another host than the service's.
  const elsewhere = repo.write('d/test/elsewhere.test.ts', ledgerSpec('postgres://app@ledger-db-replica:5432/ledger'));
  assert.deepEqual(findingsOf(elsewhere), KEPT);
  // Application code connecting to the service is the application's deployment, not the suite.
  const app = repo.write('d/src/ledger.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'));
  assert.deepEqual(findingsOf(app), KEPT);
});

/** A Dockerfile building PostgreSQL's server beside a PgBouncer on 6432, as a driver's test image might. */
const SERVER_WITH_BOUNCER = [
  'FROM alpine:3.20',
  'RUN apk add --no-cache postgresql16 \\',
  '    pgbouncer',
  'RUN printf "[pgbouncer]\\nlisten_port = 6432\\n" > /etc/pgbouncer.ini',
  'CMD ["sh", "-c", "postgres & pgbouncer /etc/pgbouncer.ini"]',
];

test('a built image running PostgreSQL and a pooler: a URL to PostgreSQL\'s own port is the suite\'s server, even in a file naming the pooler', () => {
  repo.write('e/test/compose.yml', composeFile('deno test --allow-net test/', ['    build:', '      dockerfile: ledger.dockerfile']));
  repo.write('e/test/ledger.dockerfile', SERVER_WITH_BOUNCER);
  const direct = repo.write('e/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger', ['// the same suite checks the driver through pgbouncer on 6432 too']));
  assert.deepEqual(findingsOf(direct), []);
  // No port written: the pooler in the same image may be what answers.
  const unsaid = repo.write('e/test/unsaid.test.ts', ledgerSpec('postgres://app@ledger-db/ledger'));
  assert.deepEqual(findingsOf(unsaid), KEPT);
  // A pool stays a pool, in a file naming the pooler.
  const pooled = repo.write('e/test/pooled.test.ts', [
    "import pg from 'pg';",
    '// also run through pgbouncer',
    "const pool = new pg.Pool({ connectionString: 'postgres://app@ledger-db:5432/ledger' });",
    "it('books', async () => { await pool.query('SET search_path TO ledger, public'); });",
  ]);
  assert.deepEqual(findingsOf(pooled), ['session-set 4']);
  // A Dockerfile installing only PostgreSQL's client does not run its server.
  repo.write('f/test/compose.yml', composeFile('node --test test/', ['    build: ./image']));
  repo.write('f/test/image/Dockerfile', ['FROM alpine:3.20', 'RUN apk add --no-cache postgresql16-client']);
  const client = repo.write('f/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'));
  assert.deepEqual(findingsOf(client), KEPT);
});

test('a runner command in exec form or as a YAML list is read as the shell form', () => {
  repo.write('g/test/compose.yml', composeFile('["npm", "test"]', POSTGRES_SERVICE));
  assert.deepEqual(findingsOf(repo.write('g/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'))), []);
  const listed = composeFile('', POSTGRES_SERVICE);
  listed.splice(listed.indexOf('    command: ') + 1, 0, '      - npx', '      - vitest', '      - run');
  repo.write('h/test/compose.yml', listed);
  assert.deepEqual(findingsOf(repo.write('h/test/ledger.test.ts', ledgerSpec('postgres://app@ledger-db:5432/ledger'))), []);
});

test("a user or database name equal to a compose service's name does not make a client the suite's own", () => {
  repo.write('i/test/compose.yml', composeFile('node --test test/', POSTGRES_SERVICE).map((line) => line.replace('ledger-db', 'postgres')));
  // The test environment points the host elsewhere: only the `'postgres'` names could make the client look local.
  repo.write('i/.env.test', 'LEDGER_HOST=ledger.example.com');
  const spec = repo.write('i/test/ledger.test.ts', [
    "import pg from 'pg';",
    "const ledger = new pg.Client({ host: process.env.LEDGER_HOST, user: 'postgres', database: 'postgres' });",
    "it('books', async () => { await ledger.query('CREATE TEMP TABLE staged (id int)');",
    "  await ledger.query('SET search_path TO ledger, public');",
    "  await ledger.query('LISTEN ledger_booked'); });",
  ]);
  assert.deepEqual(findingsOf(spec), KEPT);
});

/** A compose file whose runner and database services mount `runnerMount` and `databaseMount` (named volumes, or a host folder). */
const socketCompose = (runnerMount: string, databaseMount: string, database: string[] = POSTGRES_SERVICE) => {
  const lines = composeFile('node --test test/', [...database, '    volumes:', `      - ${databaseMount}`]);
  lines.splice(lines.indexOf('    working_dir: /src') + 1, 0, '    volumes:', '      - ..:/src:ro', `      - ${runnerMount}`);
  return lines;
};

test('a Unix-socket directory the runner service shares with the database service through a named volume is the suite\'s server', () => {
  repo.write('s1/test/compose.yml', socketCompose('sockets:/run/ledger-sock:ro', 'sockets:/var/run/postgresql'));
  assert.deepEqual(findingsOf(repo.write('s1/test/query.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock&port=5432'))), []);
  assert.deepEqual(findingsOf(repo.write('s1/test/keywords.test.ts', ledgerSpec('host=/run/ledger-sock port=5432 dbname=ledger'))), []);
  assert.deepEqual(findingsOf(repo.write('s1/test/encoded.test.ts', ledgerSpec('postgres://app@%2Frun%2Fledger-sock/ledger'))), []);
  // Beside a pooler in the same image (in a file naming it), PostgreSQL's own port written out.
  repo.write('s2/test/compose.yml', socketCompose('sockets:/run/ledger-sock', 'sockets:/run/ledger-sock', ['    build:', '      dockerfile: ledger.dockerfile']));
  repo.write('s2/test/ledger.dockerfile', SERVER_WITH_BOUNCER);
  const marker = ['// the same suite checks the driver through pgbouncer on 6432 too'];
  assert.deepEqual(findingsOf(repo.write('s2/test/direct.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock&port=5432', marker))), []);
});

test('another directory, a host folder mounted, a volume no database service mounts, or a pooler\'s port on the socket: findings kept', () => {
  repo.write('s3/test/compose.yml', socketCompose('sockets:/run/ledger-sock', 'sockets:/var/run/postgresql'));
  assert.deepEqual(findingsOf(repo.write('s3/test/other.test.ts', ledgerSpec('postgres://app@/ledger?host=/tmp/elsewhere&port=5432'))), KEPT);
  repo.write('s4/test/compose.yml', socketCompose('./sock:/run/ledger-sock', './sock:/var/run/postgresql'));
  assert.deepEqual(findingsOf(repo.write('s4/test/folder.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock&port=5432'))), KEPT);
  repo.write('s5/test/compose.yml', socketCompose('sockets:/run/ledger-sock', 'pgdata:/var/lib/postgresql/data'));
  assert.deepEqual(findingsOf(repo.write('s5/test/unshared.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock&port=5432'))), KEPT);
  repo.write('s6/test/compose.yml', socketCompose('sockets:/run/ledger-sock', 'sockets:/run/ledger-sock', ['    build:', '      dockerfile: ledger.dockerfile']));
  repo.write('s6/test/ledger.dockerfile', SERVER_WITH_BOUNCER);
  const marker = ['// the same suite checks the driver through pgbouncer on 6432 too'];
  assert.deepEqual(findingsOf(repo.write('s6/test/bouncer.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock&port=6432', marker))), ['temp-table 4', 'session-set 5', 'listen 6']);
  assert.deepEqual(findingsOf(repo.write('s6/test/unsaid.test.ts', ledgerSpec('postgres://app@/ledger?host=/run/ledger-sock', marker))), ['temp-table 4', 'session-set 5', 'listen 6']);
});

test('in a file naming the pooler, a pool made right there on the suite\'s server counts when capped at one connection (options or URL) or unpooled (pgwire `_poolSize=0`)', () => {
  repo.write('p1/test/compose.yml', composeFile('deno test --allow-net test/', ['    build:', '      dockerfile: ledger.dockerfile']));
  repo.write('p1/test/ledger.dockerfile', SERVER_WITH_BOUNCER);
  const poolSpec = (made: string) => [
    "import { pgpool } from 'pgwire';",
    "import postgres from 'postgres';",
    '// also run through pgbouncer',
    `const pool = ${made};`,
    "it('books', async () => { await pool.query('CREATE TEMP TABLE staged (id int)'); });",
  ];
  assert.deepEqual(findingsOf(repo.write('p1/test/one.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger?_poolSize=1')"))), []);
  assert.deepEqual(findingsOf(repo.write('p1/test/capped.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger', { max: 1 })"))), []);
  // pgwire's `_poolSize=0` turns its pooling off: each query opens a connection of its own and closes it after.
  assert.deepEqual(findingsOf(repo.write('p1/test/unpooled.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger?_poolSize=0')"))), []);
  assert.deepEqual(findingsOf(repo.write('p1/test/unpooled-first.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger?_poolSize=0&_poolIdleTimeout=5s')"))), []);
  assert.deepEqual(findingsOf(repo.write('p1/test/four.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger?_poolSize=4')"))), ['temp-table 5']);
  assert.deepEqual(findingsOf(repo.write('p1/test/uncapped.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger')"))), ['temp-table 5']);
  assert.deepEqual(findingsOf(repo.write('p1/test/bouncer.test.ts', poolSpec("pgpool('postgres://app@ledger-db:6432/ledger?_poolSize=1')"))), ['temp-table 5']);
  assert.deepEqual(findingsOf(repo.write('p1/test/ten.test.ts', poolSpec("pgpool('postgres://app@ledger-db:5432/ledger?_poolSize=10')"))), ['temp-table 5']);
  assert.deepEqual(findingsOf(repo.write('p1/test/unpooled-bouncer.test.ts', poolSpec("pgpool('postgres://app@ledger-db:6432/ledger?_poolSize=0')"))), ['temp-table 5']);
});

// The URL is read by the one reader of connection strings (poolerEndpoints.ts, connectionHosts.ts serverParts): libpq
// may reach any host of a list, and a driver may take a URL's `?host=`/`?port=` before its authority's. The client is
// the suite's own only when each server it may reach is a database service of the compose file or this machine.
test('a URL naming several servers is the suite\'s own only when each is a database service of the compose file or this machine', () => {
  const twoDatabases = composeFile('node --test test/', POSTGRES_SERVICE);
  twoDatabases.splice(twoDatabases.indexOf('volumes:'), 0, '  ledger-standby:', ...POSTGRES_SERVICE);
  repo.write('m/test/compose.yml', twoDatabases);
  const spec = (name: string, url: string) => findingsOf(repo.write(`m/test/${name}.test.ts`, ledgerSpec(url)));
  assert.deepEqual(spec('both', 'postgres://app@ledger-db:5432,ledger-standby:5432/ledger?target_session_attrs=read-write'), []);
  assert.deepEqual(spec('withLocal', 'postgres://app@ledger-db:5432,localhost:5432/ledger'), []);
  assert.deepEqual(spec('ipv6', 'postgres://app@[::1]:5432,ledger-standby/ledger'), []);
  // Another machine or a pooler's port among the servers, or a query host elsewhere: the findings stay.
  assert.deepEqual(spec('remote', 'postgres://app@ledger-db:5432,ledger.example.com:5432/ledger'), KEPT);
  assert.deepEqual(spec('pooled', 'postgres://app@ledger-db:5432,ledger-standby:6432/ledger'), KEPT);
  assert.deepEqual(spec('queryHost', 'postgres://app@ledger-db:5432/ledger?host=ledger.example.com'), KEPT);
  assert.deepEqual(spec('loopbackQueryHost', 'postgres://app@localhost:5432/ledger?host=ledger.example.com&port=6543'), KEPT);
});
