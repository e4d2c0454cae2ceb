// A suite's single connection whose place the test code takes from the application's own configuration module (session
// 53): `new PGPubsub({ host: settings.store.host, … })` where `settings` is `require('../app/settings')` and that module
// writes `host: process.env.INVENTORY_PG_HOST || '127.0.0.1'`. In the test's run the module reads the test run's
// environment, so the member is judged as the same read written in the test (ruling 13: a single connection on a
// variable nothing points at a pooler is the developer's or CI's own database). With it: a folder named for integration
// tests (`integration_test/`) is test code, a CircleCI job's PostgreSQL container reached by its `name:` is a service of
// the test environment as a GitHub job's service is, and `this.bus` of a constructor function (`function Harness () {
// this.bus = … }`) is the value its body gives it. Application code, a pooler or another machine named for the variable
// (or for its sibling port), a module or test that writes along the member's path, and pools keep their findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('config-module-test-connections', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'javascript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

/** The application's settings module: the store's place from the environment, with local defaults. */
const settings = (extra: string[] = []) => [
  "require('dotenv').config();",
  'const settings = {',
  '  http: { port: process.env.HTTP_PORT || 8080 },',
  '  store: {',
  "    database: process.env.INVENTORY_PG_DB || 'inventory',",
  "    host: process.env.INVENTORY_PG_HOST || '127.0.0.1',",
  "    port: process.env.INVENTORY_PG_PORT || '5432',",
  '  },',
  '};',
  'settings.http.banner = `inventory on ${settings.store.host}`;',
  ...extra,
  'module.exports = settings;',
];

/** A subscriber module made from the settings' store (`load` binds `store`), listening on line `lead.length + 5`. */
const subscriber = (load: string[], lead: string[] = []) => [
  ...lead,
  "const PGPubsub = require('pg-pubsub');",
  ...load,
  'const bus = new PGPubsub({ host: store.host, port: store.port, database: store.database });',
  'exports.waitFor = (channel) => new Promise((resolve) => {',
  '  bus.addChannel(channel, resolve);',
  '});',
];

const required = ["const { store } = require('../app/settings');"];

test("a test's subscriber on the settings module's environment read with a local default is the suite's database", () => {
  repo.write('a/package.json', '{"name": "a", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('a/app/settings.js', settings());
  assert.deepEqual(findingsOf(repo.write('a/test/bus.js', subscriber(required))), []);
  // Through the whole module, a destructuring of it, or an import.
  assert.deepEqual(findingsOf(repo.write('a/test/whole.js', subscriber(["let config = require('../app/settings');", 'let { store } = config;']))), []);
  assert.deepEqual(findingsOf(repo.write('a/test/member.js', subscriber(["const store = require('../app/settings').store;"]))), []);
  assert.deepEqual(findingsOf(repo.write('a/test/imported.mjs', subscriber(["import config from '../app/settings.js';", 'const { store } = config;']))), []);
});

test('application code, a pooler or another machine for the variables, and writes along the path keep the finding', () => {
  repo.write('b/package.json', '{"name": "b", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('b/app/settings.js', settings());
  // The same subscriber in the application.
  assert.deepEqual(findingsOf(repo.write('b/app/bus.js', subscriber(["const { store } = require('./settings');"]))), ['listen 5']);
  // The test writes the host itself.
  assert.deepEqual(findingsOf(repo.write('b/test/rewritten.js', [...subscriber(required), 'store.host = process.env.REMOTE_HOST;'])), ['listen 5']);
  // The module writes it after the literal.
  repo.write('c/package.json', '{"name": "c", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('c/app/settings.js', settings(['if (process.env.REGION) settings.store = { host: process.env.REGION_HOST };']));
  assert.deepEqual(findingsOf(repo.write('c/test/bus.js', subscriber(required))), ['listen 5']);
  repo.write('d/package.json', '{"name": "d", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('d/app/settings.js', settings(['Object.assign(settings.store, JSON.parse(process.env.STORE_JSON || "{}"));']));
  assert.deepEqual(findingsOf(repo.write('d/test/bus.js', subscriber(required))), ['listen 5']);
  // An env file pointing the sibling port at a pooler, a compose file pointing the host at another machine.
  repo.write('e/package.json', '{"name": "e", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('e/app/settings.js', settings());
  repo.write('e/.env', ['INVENTORY_PG_HOST=localhost', 'INVENTORY_PG_PORT=6432']);
  assert.deepEqual(findingsOf(repo.write('e/test/bus.js', subscriber(required))), ['listen 5']);
  repo.write('f/package.json', '{"name": "f", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  repo.write('f/app/settings.js', settings());
  repo.write('f/docker-compose.yml', ['services:', '  app:', '    image: node:20', '    environment:', '      INVENTORY_PG_HOST: inventory.db.example.com']);
  assert.deepEqual(findingsOf(repo.write('f/test/bus.js', subscriber(required))), ['listen 5']);
});

test('a pool made from the settings keeps its session SET; a single client of them does not', () => {
  repo.write('g/package.json', '{"name": "g", "dependencies": {"pg": "^8.0.0"}}');
  repo.write('g/app/settings.js', settings());
  const spec = (made: string) => [
    "const pg = require('pg');",
    "const { store } = require('../app/settings');",
    `const db = ${made};`,
    "it('reads audit rows', async () => { await db.query('SET search_path TO audit'); });",
  ];
  assert.deepEqual(findingsOf(repo.write('g/test/client.test.js', spec('new pg.Client({ host: store.host, database: store.database })'))), []);
  assert.deepEqual(findingsOf(repo.write('g/test/pool.test.js', spec('new pg.Pool({ host: store.host, database: store.database })'))), ['session-set 4']);
});

/** A harness written as a constructor function: the subscriber on `this.bus`, LISTEN on line 8. */
const harness = (name: string, host: string) => [
  "const PGPubsub = require('pg-pubsub');",
  '',
  `function ${name} () {`,
  `  this.bus = new PGPubsub({ host: ${host}, database: 'inventory' });`,
  '',
  '  this.waitFor = (channel) => {',
  '    return new Promise((resolve) => {',
  '      this.bus.addChannel(channel, resolve);',
  '    });',
  '  };',
  '}',
  '',
  `module.exports = ${name};`,
];

test('an integration_test folder is test code, and a constructor function hands its field on', () => {
  repo.write('h/package.json', '{"name": "h", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  assert.deepEqual(findingsOf(repo.write('h/integration_test/harness.js', harness('Harness', "process.env.INVENTORY_PG_HOST || '127.0.0.1'"))), []);
  // A function not named as a constructor is not read as one.
  assert.deepEqual(findingsOf(repo.write('h/integration_test/lower.js', harness('harness', "process.env.INVENTORY_PG_HOST || '127.0.0.1'"))), ['listen 8']);
  // A file importing the harness replaces its subscriber.
  repo.write('i/package.json', '{"name": "i", "dependencies": {"pg-pubsub": "^0.4.0"}}');
  const swapped = repo.write('i/integration_test/harness.js', harness('Harness', "process.env.INVENTORY_PG_HOST || '127.0.0.1'"));
  repo.write('i/integration_test/remote.test.js', ["const Harness = require('./harness');", 'const h = new Harness();', "h.bus = require('./remote-bus');"]);
  assert.deepEqual(findingsOf(swapped), ['listen 8']);
  // Outside a test folder it is application code.
  assert.deepEqual(findingsOf(repo.write('h/integration/harness.js', harness('Harness', "process.env.INVENTORY_PG_HOST || '127.0.0.1'"))), ['listen 8']);
});

/** A CircleCI configuration whose integration job runs a container of `image` named `inventory_pg`, and sets the host to it. */
const circleci = (image: string) => [
  'version: 2',
  'jobs:',
  '  integration:',
  '    docker:',
  '      - image: cimg/node:20.11',
  `      - image: ${image}`,
  '        name: inventory_pg',
  '        environment:',
  '          POSTGRES_USER: inventory',
  '    steps:',
  '      - checkout',
  '      - run:',
  '          command: npm test',
  '          environment:',
  "            INVENTORY_PG_HOST: 'inventory_pg'",
];

test("a CircleCI job's PostgreSQL container, by its name, is the suite's database; another image's is not", () => {
  repo.write('j/package.json', '{"name": "j", "dependencies": {"pg": "^8.0.0"}}');
  repo.write('j/.circleci/config.yml', circleci('cimg/postgres:14.2'));
  // A pool on that host: the suite's own server, no pooler between (its prepared statements get no finding).
  const spec = [
    "const { Pool } = require('pg');",
    'const pool = new Pool({ host: process.env.INVENTORY_PG_HOST });',
    "it('counts', async () => { await pool.query({ name: 'count-items', text: 'select count(*) from items' }); });",
  ];
  const local = repo.write('j/test/count.test.js', spec);
  const before = findingsOf(local);
  repo.write('k/package.json', '{"name": "k", "dependencies": {"pg": "^8.0.0"}}');
  repo.write('k/.circleci/config.yml', circleci('edoburu/pgbouncer:1.21.0'));
  const pooled = findingsOf(repo.write('k/test/count.test.js', spec));
  assert.deepEqual(before, []);
  assert.deepEqual(pooled, ['protocol-prepared-statement 3']);
});
