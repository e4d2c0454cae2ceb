// A connection a test takes from a knex instance's client (`db.client.acquireRawConnection()`, `acquireConnection()`)
// is one session on the instance's settings, like `pool.connect()`: on the suite's own database (an environment variable
// the test environment sets to this machine, or sets nowhere) a LISTEN on it hears its notifications. Travis CI's `env:`
// list is read as the test environment like the other CI files: a value there that reaches a pooler keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('knex-raw-connections', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'javascript', {}, file).map((f) => ruleLine(text, f));
}

/** A test's own pg Client on ORDERS_URL that LISTENs (line 5): whether it is flagged depends on where CI points the URL. */
const ordersListener = [
  "const pg = require('pg');",
  "it('listens', async () => {",
  '  const conn = new pg.Client({ connectionString: process.env.ORDERS_URL });',
  '  await conn.connect();',
  "  await conn.query('LISTEN order_placed');",
  '});',
];

/** A mocha spec whose knex instance is made on `connection`, LISTENing (line 8) on a connection taken with `take`. */
const knexSpec = (connection: string, take = 'acquireRawConnection') => [
  "const knex = require('knex');",
  "describe('orders feed', () => {",
  `  const db = knex({ client: 'pg', connection: ${connection} });`,
  "  it('hears a new order', (done) => {",
  `    db.client.${take}().then((conn) => {`,
  "      conn.on('notification', () => done());",
  '      // the order channel',
  "      conn.query('LISTEN order_placed');",
  '    });',
  '  });',
  '});',
];

test("a test's raw knex connection on the environment's database is one session of it: no listen finding", () => {
  // The application's env file points the host at another machine; Travis's env gives the suite this machine's server.
  const remote = 'ORDERS_HOST=orders.example.com';
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/.env', remote);
  repo.write('a/.travis.yml', ['language: node_js', 'services:', '- postgresql', 'env:', '  global:', '  - ORDERS_HOST=localhost ORDERS_DB=orders']);
  const raw = repo.write('a/test/feed.js', knexSpec('{ host: process.env.ORDERS_HOST }'));
  assert.deepEqual(findingsOf(raw), []);
  const pooled = repo.write('a/test/pooled.js', knexSpec('{ host: process.env.ORDERS_HOST }', 'acquireConnection'));
  assert.deepEqual(findingsOf(pooled), []);
  // Without the Travis file the test reaches the application's remote host: the finding stays.
  repo.write('a2/package.json', '{"name": "a2"}');
  repo.write('a2/.env', remote);
  const withoutTravis = repo.write('a2/test/feed.js', knexSpec('{ host: process.env.ORDERS_HOST }'));
  assert.deepEqual(findingsOf(withoutTravis), ['listen 8']);
});

test('the same connection in application code, a query on the knex instance itself, or another method keep the finding', () => {
  repo.write('b/package.json', '{"name": "b"}');
  const application = repo.write('b/src/feed.js', knexSpec('{ host: process.env.ORDERS_HOST }'));
  assert.deepEqual(findingsOf(application), ['listen 8']);
  const onPool = repo.write('b/test/pool.js', [
    "const knex = require('knex');",
    "const db = knex({ client: 'pg', connection: { host: process.env.ORDERS_HOST } });",
    "it('listens', async () => { await db.raw('LISTEN order_placed'); });",
  ]);
  assert.deepEqual(findingsOf(onPool), ['listen 3']);
  // `db.other.acquireRawConnection()`: not knex's client.
  const other = repo.write('b/test/other.js', knexSpec('{ host: process.env.ORDERS_HOST }').map((line) => line.replace('db.client.', 'db.other.')));
  assert.deepEqual(findingsOf(other), ['listen 8']);
});

test("Travis CI's env pointing the test's variable at a pooler keeps the finding", () => {
  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.travis.yml', ['language: node_js', 'env:', '  global:', '  - ORDERS_URL=postgres://app@db.example.com:6432/orders']);
  const raw = repo.write('c/test/feed.js', knexSpec('process.env.ORDERS_URL'));
  assert.deepEqual(findingsOf(raw), ['listen 8']);
  const client = repo.write('c/test/client.js', ordersListener);
  assert.deepEqual(findingsOf(client), ['listen 5']);
});

// Travis CI reads each env entry as shell words ("env: - FOO=foo BAR=bar"): every `NAME=value` of the line is set.
test("each name of a Travis env entry holding several is set: a pooler URL after another name keeps the finding", () => {
  repo.write('d/package.json', '{"name": "d"}');
  const pooled = 'postgres://app@db.example.com:6432/orders';
  const entries = [
    `  - NODE_ENV=test ORDERS_URL=${pooled}`,
    `  - DB=pg npm_config_clang=1 ORDERS_URL="${pooled}" # the shared pooler`,
    `  - "NODE_ENV=test ORDERS_URL=${pooled}"`,
  ];
  entries.forEach((entry, index) => {
    repo.write(`d/${index}/.travis.yml`, ['language: node_js', 'env:', entry]);
    const spec = repo.write(`d/${index}/test/feed.js`, ordersListener);
    assert.deepEqual(findingsOf(spec), ['listen 5'], entry);
  });
  // `env:` written as one string, and a job's `- env:` entry.
  repo.write('d/3/.travis.yml', ['language: node_js', `env: NODE_ENV=test ORDERS_URL=${pooled}`]);
  assert.deepEqual(findingsOf(repo.write('d/3/test/feed.js', ordersListener)), ['listen 5']);
  repo.write('d/4/.travis.yml', ['language: node_js', 'jobs:', '  include:', `    - env: NODE_ENV=test ORDERS_URL=${pooled}`]);
  assert.deepEqual(findingsOf(repo.write('d/4/test/feed.js', ordersListener)), ['listen 5']);
});

test("a later name of a Travis env entry set to this machine makes it the suite's database, over the application's remote one", () => {
  repo.write('e/package.json', '{"name": "e"}');
  // The application's own env file points the variable at a remote host: a test on it alone keeps its finding.
  repo.write('e/.env', 'ORDERS_URL=postgres://app@orders.example.com:5432/orders');
  repo.write('e/.travis.yml', ['language: node_js', 'services:', '- postgresql', 'env:', '  - NODE_ENV=test ORDERS_URL=postgres://postgres@localhost:5432/orders']);
  const spec = repo.write('e/test/feed.js', knexSpec('process.env.ORDERS_URL'));
  assert.deepEqual(findingsOf(spec), []);
  // The command words after the assignments are not part of the value.
  repo.write('e/sub/.git/HEAD', 'ref: refs/heads/main');
  repo.write('e/sub/.env', 'ORDERS_URL=postgres://app@orders.example.com:5432/orders');
  repo.write('e/sub/.travis.yml', ['language: node_js', 'script:', '  - ORDERS_URL=postgres://localhost/orders npm test']);
  assert.deepEqual(findingsOf(repo.write('e/sub/test/feed.js', knexSpec('process.env.ORDERS_URL'))), []);
});
