// A client whose server the repository's own compose file says is a pooler it runs in session mode (lab65f 1): the
// pooler keeps each client connection on one server connection, so postgres.js's named statements and its LISTEN work
// there. Silent when the pooler's mode is session (written, a variable's default no env file overrides, a mounted ini's
// `pool_mode`) and every value of the client's host (or URL) variable names that service; kept for a pooler in
// transaction mode, one whose mode is left to the image, a variable the env file sets to transaction, an ini with a
// database in transaction mode, a URL marked `?pgbouncer=true`, and a variable another service or an env file points
// elsewhere.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A worker holding one postgres.js client on the host variable (line 2) and listening on it (line 4). */
const HOST_WORKER = [
  "import postgres from 'postgres';",
  "const sql = postgres({ host: process.env.QUEUE_DB_HOST, port: Number(process.env.QUEUE_DB_PORT), database: 'queue' });",
  'export async function start(onJob: (id: string) => void) {',
  "  await sql.listen('job_ready', (id) => onJob(id));",
  '  return sql`select id from jobs where state = ${"ready"}`;',
  '}',
];
/** The same worker made from a URL variable (line 2). */
const URL_WORKER = [
  "import postgres from 'postgres';",
  'const sql = postgres(process.env.QUEUE_URL!);',
  'export async function start(onJob: (id: string) => void) {',
  "  await sql.listen('job_ready', (id) => onJob(id));",
  '  return sql`select id from jobs where state = ${"ready"}`;',
  '}',
];
const FLAGGED = ['protocol-prepared-statement 2', 'listen 4'];

/** A compose file running PostgreSQL, a pooler service `bouncer` (its lines) and the worker with `workerEnv`. */
function compose(bouncer: readonly string[], workerEnv: readonly string[]): string[] {
  return [
    'services:',
    '  db:',
    '    image: postgres:16',
    '  bouncer:',
    ...bouncer,
    '  worker:',
    '    build: ./worker',
    '    environment:',
    ...workerEnv.map((line) => `      ${line}`),
  ];
}
const HOST_ENV = ['- QUEUE_DB_HOST=bouncer', '- QUEUE_DB_PORT=${BOUNCER_PORT}'];
const imageBouncer = (...environment: string[]): string[] => [
  '    image: edoburu/pgbouncer:v1.24.1-p0',
  ...(environment.length > 0 ? ['    environment:', ...environment.map((line) => `      ${line}`)] : []),
];

/** The worker's findings in a scratch repository holding `files` beside it (the worker at worker/src/queue.ts). */
function workerFindings(name: string, worker: readonly string[], files: Record<string, string | readonly string[]>, t: Parameters<typeof scratchRepository>[1]): string[] {
  const repo = scratchRepository(name, t);
  repo.mkdir('.git');
  repo.writeAll(files);
  const file = repo.write('worker/src/queue.ts', worker);
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((finding) => ruleLine(text, finding)).filter((line) => !line.startsWith('syntax-error'));
}

test('a host variable the compose file points at its own pooler in session mode: no prepared-statement or listen finding', (t) => {
  // The mode a variable's default, which no env file overrides.
  assert.deepEqual(workerFindings('session-default', HOST_WORKER, {
    'docker-compose.yml': compose(imageBouncer('DB_HOST: db', 'POOL_MODE: ${BOUNCER_POOL_MODE:-session}'), HOST_ENV),
    '.env': 'BOUNCER_PORT=6432\n',
  }, t), []);
  // A pooler built from the project's own Dockerfile, its mode written out; the developer's env file on this machine.
  assert.deepEqual(workerFindings('session-built', HOST_WORKER, {
    'docker-compose.yml': compose(['    build: ./bouncer', '    environment:', '      PGBOUNCER_POOL_MODE: session'], HOST_ENV),
    'bouncer/Dockerfile': 'FROM debian:bookworm-slim\nRUN apt-get install -y pgbouncer\nCMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]\n',
    '.env.dev': 'QUEUE_DB_HOST=localhost\n',
  }, t), []);
  // The mode in the ini the service mounts.
  assert.deepEqual(workerFindings('session-ini', HOST_WORKER, {
    'docker-compose.yml': compose(['    image: pgbouncer/pgbouncer:latest', '    volumes:', '      - ./ops/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro'], HOST_ENV),
    'ops/pgbouncer.ini': '[databases]\nqueue = host=db port=5432\n\n[pgbouncer]\nlisten_port = 6432\n;pool_mode = transaction\npool_mode = session\n',
  }, t), []);
});

test('a URL variable naming the session-mode pooler service: silent; marked as a transaction pooler\'s: kept', (t) => {
  const files = (url: string) => ({ 'compose.yaml': compose(imageBouncer('POOL_MODE: session'), [`QUEUE_URL: postgres://queue:pw@bouncer:6432/queue${url}`]) });
  assert.deepEqual(workerFindings('session-url', URL_WORKER, files(''), t), []);
  assert.deepEqual(workerFindings('session-url-marked', URL_WORKER, files('?pgbouncer=true'), t), FLAGGED);
});

test('a compose pooler in transaction mode, or whose mode the file does not make session: findings kept', (t) => {
  assert.deepEqual(workerFindings('transaction', HOST_WORKER, {
    'docker-compose.yml': compose(imageBouncer('POOL_MODE: transaction'), HOST_ENV),
  }, t), FLAGGED);
  assert.deepEqual(workerFindings('transaction-default', HOST_WORKER, {
    'docker-compose.yml': compose(imageBouncer('POOL_MODE: ${BOUNCER_POOL_MODE:-transaction}'), HOST_ENV),
  }, t), FLAGGED);
  // The env file compose reads sets the variable the default stands for.
  assert.deepEqual(workerFindings('session-overridden', HOST_WORKER, {
    'docker-compose.yml': compose(imageBouncer('POOL_MODE: ${BOUNCER_POOL_MODE:-session}'), HOST_ENV),
    '.env.prod': 'BOUNCER_POOL_MODE=transaction\n',
  }, t), FLAGGED);
  // No mode stated: the image's own default is not taken.
  assert.deepEqual(workerFindings('mode-unstated', HOST_WORKER, { 'docker-compose.yml': compose(imageBouncer(), HOST_ENV) }, t), FLAGGED);
  // The mounted ini pools one database in transaction mode.
  assert.deepEqual(workerFindings('ini-database-transaction', HOST_WORKER, {
    'docker-compose.yml': compose(['    image: pgbouncer/pgbouncer:latest', '    volumes:', '      - ./pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini'], HOST_ENV),
    'pgbouncer.ini': '[databases]\nqueue = host=db port=5432 pool_mode=transaction\n\n[pgbouncer]\npool_mode = session\n',
  }, t), FLAGGED);
});

test('a session-mode pooler, but the variable also points elsewhere: findings kept', (t) => {
  const sessionBouncer = imageBouncer('POOL_MODE: session');
  // Another service of the compose file gives the variable the database service itself… (a pooler is not the only server)
  assert.deepEqual(workerFindings('other-service', HOST_WORKER, {
    'docker-compose.yml': [...compose(sessionBouncer, HOST_ENV), '  cron:', '    build: ./worker', '    environment:', '      QUEUE_DB_HOST: db'],
  }, t), FLAGGED);
  // …an env file names a remote host…
  assert.deepEqual(workerFindings('env-remote', HOST_WORKER, {
    'docker-compose.yml': compose(sessionBouncer, HOST_ENV),
    '.env.production': 'QUEUE_DB_HOST=queue-pool.internal.example.com\n',
  }, t), FLAGGED);
  // …or the compose file gives no value at all.
  assert.deepEqual(workerFindings('unset', HOST_WORKER, {
    'docker-compose.yml': compose(sessionBouncer, ['- OTHER_HOST=bouncer']),
  }, t), FLAGGED);
});
