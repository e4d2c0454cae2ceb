// LISTENs a library makes when an option, a plugin or a call asks for them (libraryListens.ts): PostGraphile's watchPg,
// the @graphile/pg-pubsub plugin, graphile-worker's run(). Reported at the option or call, not where the pool or URL the
// library is handed is the suite's own test server or a direct URL.
// A PostgresPubSub that provably subscribes no topic (pg-ipc LISTENs only for a first listener of a channel) is none.
// Fedify's PostgresMessageQueue LISTENs on its postgres.js client once listened on (by Fedify's startQueue, or on the
// first enqueued task): reported where it is made, unless it provably only enqueues.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { isScriptTestFile } from '../../../server/analysis/testSetupFiles';
import { scratchRepository } from '../../helpers/scratch';
import { mayHoldFindings } from '../../../server/analysis/embeddedGate';
import { resolveOptions } from '../../../server/analysis/index';

before(() => initAnalysis());

const found = (text: string, file = 'src/server.ts') => embeddedFindings(text, file).filter(([rule]) => rule === 'listen').map(([, at]) => at);

const postgraphileServer = (url: string, watch: string) => [
  "import express from 'express';",
  "import { postgraphile } from 'postgraphile';",
  'const app = express();',
  `app.use(postgraphile(${url}, 'app_public', {`,
  `  watchPg: ${watch},`,
  '  graphiql: true,',
  '}));',
].join('\n');

test('PostGraphile watchPg: reported at the option unless its value surely turns watch mode off', () => {
  assert.deepEqual(found(postgraphileServer('process.env.DATABASE_URL', 'true')), ['watchPg: true']);
  // Development runs this code too.
  assert.deepEqual(found(postgraphileServer('process.env.DATABASE_URL', "process.env.NODE_ENV !== 'production'")), ["watchPg: process.env.NODE_ENV !== 'production'"]);
  for (const off of ['false', '0', 'undefined', 'null', '!1']) assert.deepEqual(found(postgraphileServer('process.env.DATABASE_URL', off)), [], off);
  assert.deepEqual(found(`const WATCH = false;\n${postgraphileServer('process.env.DATABASE_URL', 'WATCH')}`), []);
});

test('watchPg in options built apart from the call: in a file of PostGraphile\'s (its option types), or held in a const the call is handed', () => {
  const built = [
    "import { PostGraphileOptions } from 'postgraphile';",
    "export function watch(): Pick<PostGraphileOptions, 'watchPg' | 'graphiql'> {",
    '  return { watchPg: true, graphiql: true };',
    '}',
    "export function serve(): Pick<PostGraphileOptions, 'watchPg'> {",
    '  return { watchPg: false };',
    '}',
  ].join('\n');
  assert.deepEqual(found(built), ['watchPg: true']);
  const held = [
    "const { postgraphile } = require('postgraphile');",
    "const { Pool } = require('pg');",
    'const pgPool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'const options = { subscriptions: true, watchPg: true };',
    "module.exports = postgraphile(pgPool, 'public', options);",
  ].join('\n');
  assert.deepEqual(found(held, 'middleware/postgraphile.js'), ['watchPg: true']);
  // Another library's option of that name, in a file that has nothing of PostGraphile's.
  assert.deepEqual(found("import { watcher } from './schema-tools';\nexport const w = watcher({ watchPg: true });"), []);
});

test('the @graphile/pg-pubsub plugin in makePluginHook([…]) is reported at the plugin; other plugins are not', () => {
  const text = [
    "import { postgraphile, makePluginHook } from 'postgraphile';",
    "import PgPubsub from '@graphile/pg-pubsub';",
    "import GraphilePro from '@graphile/pro';",
    "export const middleware = postgraphile(process.env.DATABASE_URL, 'public', {",
    '  subscriptions: true,',
    '  pluginHook: makePluginHook([PgPubsub, GraphilePro]),',
    '});',
  ].join('\n');
  assert.deepEqual(found(text), ['PgPubsub']);
  assert.deepEqual(found(text.replace("import PgPubsub from '@graphile/pg-pubsub';", "import PgPubsub from './my-plugin';")), []);
});

test('the @graphile/pg-pubsub plugin in a filtered plugin list (makePluginHook([PgPubsub, Pro].filter(_ => _))) is reported at the plugin', () => {
  const text = [
    "const { postgraphile, makePluginHook } = require('postgraphile');",
    "const PgPubsub = require('@graphile/pg-pubsub');",
    'let PostGraphilePro;',
    "if (process.env.GRAPHILE_LICENSE) ({ default: PostGraphilePro } = require('@graphile/pro'));",
    'const pluginHook = makePluginHook([PgPubsub, PostGraphilePro].filter(_ => _));',
    "module.exports = (app) => postgraphile(app.get('authPgPool'), 'app_public', { pluginHook, subscriptions: true });",
  ].join('\n');
  assert.deepEqual(found(text), ['PgPubsub']);
  // A filter drops plugins only; a list of other plugins stays unreported, and a list mapped into something else is not read.
  assert.deepEqual(found(text.replace('[PgPubsub, PostGraphilePro]', '[PostGraphilePro]')), []);
  assert.deepEqual(found(text.replace('.filter(_ => _)', '.map(wrapPlugin)')), []);
});

test('the plugin read through CommonJS interop (PgPubsub.default, require(…).default) is reported at the plugin; another module\'s .default is not', () => {
  const hooked = (binding: string, plugin: string) => [
    "import { postgraphile, makePluginHook } from 'postgraphile';",
    binding,
    'const options = Object.assign({',
    `  pluginHook: makePluginHook([${plugin}]),`,
    '  subscriptions: true,',
    '}, {});',
    "export const middleware = postgraphile(process.env.APP_DATABASE_URL, 'app', options);",
  ].join('\n');
  assert.deepEqual(found(hooked("import PgPubsub from '@graphile/pg-pubsub';", 'PgPubsub.default')), ['PgPubsub.default']);
  assert.deepEqual(found(hooked("import * as pubsubPlugin from '@graphile/pg-pubsub';", 'pubsubPlugin.default')), ['pubsubPlugin.default']);
  assert.deepEqual(found(hooked("const Subscriptions = require('@graphile/pg-pubsub');", 'Subscriptions.default')), ['Subscriptions.default']);
  assert.deepEqual(found(hooked('', "require('@graphile/pg-pubsub').default")), ["require('@graphile/pg-pubsub').default"]);
  // The `.default` of another module, another member of the plugin's module, or a name bound to nothing imported.
  assert.deepEqual(found(hooked("import LivePlugin from '@graphile/subscriptions-lds';", 'LivePlugin.default')), []);
  assert.deepEqual(found(hooked("import PgPubsub from '@graphile/pg-pubsub';", 'PgPubsub.options')), []);
  assert.deepEqual(found(hooked("const PgPubsub = loadPlugin('@graphile/pg-pubsub');", 'PgPubsub.default')), []);
});

test('graphile-worker: run() and runTaskList() are reported at the call; runOnce(), runTaskListOnce() and makeWorkerUtils() are not', () => {
  const text = [
    "import { run, runOnce, runTaskList, runTaskListOnce, makeWorkerUtils } from 'graphile-worker';",
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function main(taskList) {',
    '  await runOnce({ pgPool: pool, taskList });',
    '  await runTaskListOnce({}, taskList, pool);',
    '  const utils = await makeWorkerUtils({ pgPool: pool });',
    '  runTaskList({ concurrency: 2 }, taskList, pool);',
    '  return run({ pgPool: pool, concurrency: 5, taskList });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['runTaskList({ concurrency: 2 }, taskList, pool)', 'run({ pgPool: pool, concurrency: 5, taskList })']);
  // Options handed in: where they connect is not shown, the application's server is assumed.
  assert.deepEqual(found("import * as worker from 'graphile-worker';\nexport const start = (options) => worker.run(options);"), ['worker.run(options)']);
  // A run() of another module.
  assert.deepEqual(found("import { run } from './cli';\nexport const start = (options) => run(options);"), []);
});

test('a direct URL handed to the library (or the pool made from one) is no finding', () => {
  assert.deepEqual(found(postgraphileServer('process.env.DIRECT_DATABASE_URL', 'true')), []);
  const worker = [
    "import { run } from 'graphile-worker';",
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL_UNPOOLED });',
    'export const start = (taskList) => run({ pgPool: pool, taskList });',
  ].join('\n');
  assert.deepEqual(found(worker), []);
  assert.deepEqual(found(worker.replace('DATABASE_URL_UNPOOLED', 'DATABASE_URL')), ['run({ pgPool: pool, taskList })']);
});

test("the suite's own test database: a local URL in test code is no finding; the same URL in the application's server is", () => {
  const local = "'postgres://postgres:postgres@localhost:5432/app_test'";
  assert.deepEqual(found(postgraphileServer(local, 'true'), 'test/schema.test.ts'), []);
  assert.deepEqual(found(postgraphileServer(local, 'true'), 'src/server.ts'), ['watchPg: true']);
  const worker = [
    "import { run } from 'graphile-worker';",
    "test('runs a job', async () => {",
    `  const runner = await run({ connectionString: ${local}, taskList: { hello: async () => {} } });`,
    '  await runner.stop();',
    '});',
  ].join('\n');
  assert.deepEqual(found(worker, 'test/worker.test.ts'), []);
  assert.deepEqual(found(worker.replace(local, 'process.env.PRODUCTION_URL'), 'test/worker.test.ts').length, 1);
});

test('a test that mocks the library module calls a double', () => {
  const text = [
    "import { run } from 'graphile-worker';",
    "jest.mock('graphile-worker');",
    "test('starts', async () => { await run({ connectionString: process.env.DATABASE_URL }); });",
  ].join('\n');
  assert.deepEqual(found(text, 'src/worker.test.ts'), []);
  assert.deepEqual(found(text.replace("jest.mock('graphile-worker');\n", ''), 'src/worker.test.ts'), ['run({ connectionString: process.env.DATABASE_URL })']);
});

test('a file named for tests that the package.json test script runs is test code; the entry a test script also runs is not', (t) => {
  const repo = scratchRepository('script-tests', t);
  repo.writeAll({
    'package.json': '{ "name": "app", "scripts": { "test": "standard && tape test.js && node ace.js test", "pretest": "node migrate-test.js" } }\n',
    'test.js': '',
    'ace.js': '',
    'migrate-test.js': '',
    'other-test.js': '',
  });
  assert.equal(isScriptTestFile(repo.path('test.js')), true);
  // The application's own entry, a pretest step (often the application's migration), a file no script names.
  assert.equal(isScriptTestFile(repo.path('ace.js')), false);
  assert.equal(isScriptTestFile(repo.path('migrate-test.js')), false);
  assert.equal(isScriptTestFile(repo.path('other-test.js')), false);
});

test('graphile-worker: a local variable, parameter or function of the same name shadows the imported run()', () => {
  const text = [
    "import { run } from 'graphile-worker';",
    'export async function batch(items: string[]) {',
    '  const run = async (opts: { n: number }) => opts.n;',
    '  return run({ n: items.length });',
    '}',
    'export function twice(run: (o: object) => void) {',
    '  run({ times: 2 });',
    '}',
    'export function nested() {',
    '  function run(o: object) { return o; }',
    '  return run({});',
    '}',
    'export async function start() {',
    '  return run({ connectionString: process.env.DATABASE_URL, taskList: {} });',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'src/worker.ts'), ['run({ connectionString: process.env.DATABASE_URL, taskList: {} })']);
  // Required at the top level: the library's run.
  const required = "const { run } = require('graphile-worker');\nrun({ connectionString: process.env.DATABASE_URL, taskList: {} });";
  assert.deepEqual(found(required, 'src/worker.js'), ['run({ connectionString: process.env.DATABASE_URL, taskList: {} })']);
});

test('watchPg set on the options object after it is built is reported at the assignment; set off, or on another object, it is not', () => {
  const server = (line: string) => [
    "const { postgraphile } = require('postgraphile');",
    'const options = { graphiql: true };',
    line,
    "module.exports = postgraphile(process.env.DATABASE_URL, 'public', options);",
  ].join('\n');
  assert.deepEqual(found(server("if (process.env.NODE_ENV !== 'production') options.watchPg = true;"), 'src/server.js'), ['options.watchPg = true']);
  assert.deepEqual(found(server('options.watchPg = false;'), 'src/server.js'), []);
  assert.deepEqual(found("import { watcher } from './schema-tools';\nconst o = { a: 1 };\no.watchPg = true;\nwatcher(o);"), []);
});

test("graphql-postgres-subscriptions: new PostgresPubSub() is reported where it is made, on the client it is given or the config it opens one with", () => {
  const onClient = [
    "import { PostgresPubSub } from 'graphql-postgres-subscriptions';",
    "import { Client } from 'pg';",
    "import { settings } from './settings';",
    'export async function makePubSub() {',
    '  const pgClient = new Client({ host: settings.host, database: settings.name });',
    '  await pgClient.connect();',
    '  return new PostgresPubSub({ client: pgClient });',
    '}',
  ].join('\n');
  assert.deepEqual(found(onClient), ['new PostgresPubSub({ client: pgClient })']);
  // Made from pg's connection options, the module required, the class renamed, or no options at all (PG* variables).
  assert.deepEqual(found("const { PostgresPubSub: Engine } = require('graphql-postgres-subscriptions');\nmodule.exports = new Engine({ connectionString: process.env.DATABASE_URL });", 'src/pubsub.js'),
    ['new Engine({ connectionString: process.env.DATABASE_URL })']);
  assert.deepEqual(found("import * as gps from 'graphql-postgres-subscriptions';\nexport const pubsub = new gps.PostgresPubSub();"), ['new gps.PostgresPubSub()']);
});

test('PostgresPubSub on a direct URL, on the suite\'s own test database or mocked, and a PubSub of another library, are no finding', () => {
  const onUrl = (url: string) => [
    "import { PostgresPubSub } from 'graphql-postgres-subscriptions';",
    "import { Client } from 'pg';",
    `const listener = new Client({ connectionString: ${url} });`,
    'export const pubsub = new PostgresPubSub({ client: listener });',
  ].join('\n');
  assert.deepEqual(found(onUrl('process.env.DIRECT_URL')), []);
  assert.deepEqual(found("import { PostgresPubSub } from 'graphql-postgres-subscriptions';\nexport const pubsub = new PostgresPubSub({ connectionString: process.env.DATABASE_URL_UNPOOLED });"), []);
  const local = "'postgres://postgres:postgres@localhost:5432/app_test'";
  assert.deepEqual(found(onUrl(local), 'test/subscriptions.test.ts'), []);
  assert.deepEqual(found(`${onUrl('process.env.DATABASE_URL')}\njest.mock('graphql-postgres-subscriptions');`, 'src/pubsub.test.ts'), []);
  assert.deepEqual(found("import { PubSub } from 'graphql-subscriptions';\n// unlike graphql-postgres-subscriptions\nexport const pubsub = new PubSub();"), []);
  assert.deepEqual(found("import { RedisPubSub as PostgresPubSub } from 'graphql-redis-subscriptions';\n// not graphql-postgres-subscriptions\nexport const pubsub = new PostgresPubSub();"), []);
});

/** A module making a PostgresPubSub on a pg Client, held in a const of `makeEngine` and used by `uses` (lines of its body). */
const pubsubModule = (uses: readonly string[], head = 'const engine = new PostgresPubSub({ client: listener });') => [
  "import { PostgresPubSub } from 'graphql-postgres-subscriptions';",
  "import { Client } from 'pg';",
  'export async function makeEngine() {',
  '  const listener = new Client({ connectionString: process.env.DATABASE_URL });',
  '  await listener.connect();',
  `  ${head}`,
  ...uses.map((line) => `  ${line}`),
  '}',
].join('\n');
const ENGINE = 'new PostgresPubSub({ client: listener })';

test('a PostgresPubSub that subscribes no topic (unused, thrown away, only pg-ipc events, publish, unsubscribe) LISTENs on nothing: no finding', () => {
  const shapes: Array<readonly string[]> = [
    [],
    ["engine.subscribe('error', (error) => console.error(error));"],
    ["engine.subscribe('end', () => process.exit(1));", "await engine.publish('jobs', { id: 1 });", 'engine.unsubscribe(7);'],
  ];
  for (const uses of shapes) assert.deepEqual(found(pubsubModule(uses)), [], uses.join(' '));
  assert.deepEqual(found(pubsubModule([], `${ENGINE};`)), []);
});

test('a PostgresPubSub subscribed on a topic, iterated, handed on, returned to unknown callers or exported keeps its finding', () => {
  const shapes: Array<readonly string[]> = [
    ["engine.subscribe('TEMPLATE_ADDED', (payload) => console.log(payload));"],
    ['engine.subscribe(process.env.TOPIC, console.log);'],
    ["return engine.asyncIterator(['TEMPLATE_ADDED']);"],
    ["engine.subscribe('error', console.error);", 'return new ApolloServer({ context: () => ({ pubsub: engine }) });'],
    ['startSubscriptions(engine);'],
    // makeEngine is exported, and no module of the project is seen importing it.
    ['return engine;'],
  ];
  for (const uses of shapes) assert.deepEqual(found(pubsubModule(uses)), [ENGINE], uses.join(' '));
  // An exported instance: its importers may subscribe it.
  const exported = "import { PostgresPubSub } from 'graphql-postgres-subscriptions';\nexport const engine = new PostgresPubSub({ connectionString: process.env.DATABASE_URL });\nengine.subscribe('error', console.error);";
  assert.deepEqual(found(exported), ['new PostgresPubSub({ connectionString: process.env.DATABASE_URL })']);
});

test("a PostgresPubSub a factory returns is judged by every caller's instance, in its file and its importers (an export list too)", (t) => {
  const repo = scratchRepository('pubsub-factory', t);
  const factory = [
    "import { PostgresPubSub } from 'graphql-postgres-subscriptions';",
    "import { Client } from 'pg';",
    'async function createEngine() {',
    '  const client = new Client({ connectionString: process.env.DATABASE_URL });',
    '  await client.connect();',
    '  const engine = new PostgresPubSub({ client });',
    '  return engine;',
    '}',
    'export { createEngine };',
  ].join('\n');
  const server = (uses: string) => [
    "import { createEngine } from './pubsub';",
    'export async function start() {',
    '  const engine = await createEngine();',
    `  ${uses}`,
    '}',
  ].join('\n');
  const findingsOf = (uses: string) => {
    repo.writeAll({ 'package.json': '{ "name": "app" }\n', 'src/pubsub.ts': factory, 'src/server.ts': server(uses) });
    return found(factory, repo.path('src/pubsub.ts'));
  };
  assert.deepEqual(findingsOf("engine.subscribe('error', console.error);"), []);
  assert.deepEqual(findingsOf("engine.subscribe('TEMPLATE_ADDED', console.log);"), ['new PostgresPubSub({ client })']);
  assert.deepEqual(findingsOf('return new ApolloServer({ context: { pubsub: engine } });'), ['new PostgresPubSub({ client })']);
});

test("@socket.io/postgres-adapter: createAdapter(pool) is reported at the call, on the pool it checks its LISTEN client out of", () => {
  const server = (importLine: string, adapter: string, pool = "new Pool({ connectionString: process.env.DATABASE_URL })") => [
    importLine,
    "import { Pool } from 'pg';",
    "import { Server } from 'socket.io';",
    `const pool = ${pool};`,
    'export function attach(httpServer: unknown) {',
    '  const io = new Server(httpServer);',
    `  io.adapter(${adapter});`,
    '  return io;',
    '}',
  ].join('\n');
  assert.deepEqual(found(server("import { createAdapter } from '@socket.io/postgres-adapter';", "createAdapter(pool, { tableName: 'socket_io_attachments' })")),
    ["createAdapter(pool, { tableName: 'socket_io_attachments' })"]);
  // Renamed, the module required whole, or a pool the file does not make (taken from a module of the project).
  assert.deepEqual(found(server("import { createAdapter as postgresAdapter } from '@socket.io/postgres-adapter';", 'postgresAdapter(pool)')), ['postgresAdapter(pool)']);
  assert.deepEqual(found(server("const adapters = require('@socket.io/postgres-adapter');", 'adapters.createAdapter(pool)'), 'src/io.js'), ['adapters.createAdapter(pool)']);
  assert.deepEqual(found(server("import { createAdapter } from '@socket.io/postgres-adapter';", 'createAdapter(pool)', 'getSharedPool()')), ['createAdapter(pool)']);
});

test("@socket.io/postgres-adapter on a direct URL's pool or mocked, and another adapter's createAdapter, are no finding", () => {
  const server = (importLine: string, url = 'process.env.DATABASE_URL') => [
    importLine,
    "import { Pool } from 'pg';",
    `const pool = new Pool({ connectionString: ${url} });`,
    'export const attach = (io: { adapter(a: unknown): void }) => io.adapter(createAdapter(pool));',
  ].join('\n');
  const adapterImport = "import { createAdapter } from '@socket.io/postgres-adapter';";
  assert.deepEqual(found(server(adapterImport, 'process.env.DIRECT_URL')), []);
  assert.deepEqual(found(`${server(adapterImport)}\njest.mock('@socket.io/postgres-adapter');`, 'src/io.test.ts'), []);
  // The Redis adapter's createAdapter, and the Postgres emitter (which only NOTIFYs), send no LISTEN.
  assert.deepEqual(found(server("import { createAdapter } from '@socket.io/redis-adapter';")), []);
  assert.deepEqual(found("import { Emitter } from '@socket.io/postgres-emitter';\nimport { Pool } from 'pg';\nexport const emitter = new Emitter(new Pool());"), []);
});

/** An ActivityPub server's federation on a postgres.js client of `url`, its message queue made as `queue`. */
const fedifyServer = (queue: string, url = 'process.env.DATABASE_URL', specifier = '@fedify/postgres') => [
  "import { createFederation } from '@fedify/fedify';",
  `import { PostgresKvStore, PostgresMessageQueue } from '${specifier}';`,
  "import postgres from 'postgres';",
  `const client = postgres(${url}, { max: 5, prepare: false });`,
  'export const federation = createFederation({',
  '  kv: new PostgresKvStore(client),',
  `  queue: ${queue},`,
  '});',
].join('\n');

test("Fedify's new PostgresMessageQueue(sql) handed to the federation is reported where it is made, on the client it is given", () => {
  assert.deepEqual(found(fedifyServer('new PostgresMessageQueue(client)')), ['new PostgresMessageQueue(client)']);
  // Options, a wrapper queue, the Deno way of loading the package.
  assert.deepEqual(found(fedifyServer("new ParallelMessageQueue(new PostgresMessageQueue(client, { channelName: 'inbox' }), 4)")),
    ["new PostgresMessageQueue(client, { channelName: 'inbox' })"]);
  assert.deepEqual(found(fedifyServer('new PostgresMessageQueue(client)', 'process.env.DATABASE_URL', 'npm:@fedify/postgres@2.3.2')), ['new PostgresMessageQueue(client)']);
  // Held in a const the federation's builder is handed, on a client handed in (the application's server is assumed).
  const built = [
    "import { PostgresMessageQueue } from '@fedify/postgres';",
    "import type { Sql } from 'postgres';",
    'export async function buildFederation(sql: Sql, builder: { build(options: object): Promise<unknown> }) {',
    '  const inbox = new PostgresMessageQueue(sql, { handlerTimeout: { seconds: 90 } });',
    '  return await builder.build({ queue: { inbox } });',
    '}',
  ].join('\n');
  assert.deepEqual(found(built), ['new PostgresMessageQueue(sql, { handlerTimeout: { seconds: 90 } })']);
  // A worker that listens on it itself.
  const worker = "import { PostgresMessageQueue } from '@fedify/postgres';\nimport { sql } from './db';\nconst jobs = new PostgresMessageQueue(sql);\nawait jobs.listen(handle);";
  assert.equal(mayHoldFindings(worker, 'src/worker.ts', resolveOptions({})), true);
  assert.deepEqual(found(worker, 'src/worker.ts'), ['new PostgresMessageQueue(sql)']);
});

test('a PostgresMessageQueue only enqueued on, on a direct URL, mocked, or the key-value store alone, is no finding', () => {
  const producer = (uses: readonly string[]) => [
    "import { PostgresMessageQueue } from '@fedify/postgres';",
    "import { sql } from './db';",
    'export async function pushAll(messages: unknown[]) {',
    '  const outbox = new PostgresMessageQueue(sql);',
    ...uses.map((line) => `  ${line}`),
    '}',
  ].join('\n');
  for (const uses of [['await outbox.initialize();', 'await outbox.enqueueMany(messages);'], ['await outbox.enqueue(messages[0]);', 'return (await outbox.getDepth()).queued;'], []]) {
    assert.deepEqual(found(producer(uses)), [], uses.join(' '));
  }
  // Listened on, or handed on, it keeps its finding.
  assert.deepEqual(found(producer(['await outbox.enqueue(messages[0]);', 'await outbox.listen(console.log);'])), ['new PostgresMessageQueue(sql)']);
  assert.deepEqual(found(producer(['startWorkers(outbox);'])), ['new PostgresMessageQueue(sql)']);
  assert.deepEqual(found(fedifyServer('new PostgresMessageQueue(client)', 'process.env.DIRECT_DATABASE_URL')), []);
  assert.deepEqual(found(`${fedifyServer('new PostgresMessageQueue(client)')}\nvi.mock('@fedify/postgres');`, 'src/federation.test.ts'), []);
  // Fedify's key-value store keeps no session state; an in-memory queue, or a class of the project's named alike, LISTENs on nothing.
  assert.deepEqual(found(fedifyServer('new InProcessMessageQueue()')), []);
  assert.deepEqual(found(fedifyServer('new PostgresMessageQueue(client)', 'process.env.DATABASE_URL', './queues')), []);
});

const pgService = (specifier: string, options: string) => [
  `import { makePgService } from '${specifier}';`,
  "import { Pool } from 'pg';",
  'const servicePool = new Pool({ connectionString: process.env.APP_DB_URL });',
  'export const preset = {',
  `  pgServices: [makePgService({ pool: servicePool, schemas: ['api'], ${options} })],`,
  '};',
].join('\n');

test('PostGraphile v5 makePgService: a pubsub option that may be on is reported at the option, on the service\'s pool', () => {
  assert.deepEqual(found(pgService('@dataplan/pg/adaptors/pg', 'pubsub: true')), ['pubsub: true']);
  assert.deepEqual(found(pgService('postgraphile/adaptors/pg', 'pubsub: !isTest')), ['pubsub: !isTest']);
  assert.deepEqual(found(pgService('postgraphile/@dataplan/pg/adaptors/pg', 'pubsub: true')), ['pubsub: true']);
  // The options held in a const of the file, and a URL in place of a pool.
  const held = [
    "import { makePgService as service } from '@dataplan/pg/adaptors/pg';",
    'const mainService = { connectionString: process.env.APP_DB_URL, pubsub: true };',
    'export const preset = { pgServices: [service(mainService)] };',
  ].join('\n');
  assert.deepEqual(found(held), ['pubsub: true']);
});

test('makePgService with pubsub off or left out, on a direct URL, or another library\'s makePgService, is no finding', () => {
  for (const off of ['pubsub: false', 'pubsub: undefined', "name: 'main'"]) assert.deepEqual(found(pgService('@dataplan/pg/adaptors/pg', off)), [], off);
  assert.deepEqual(found(pgService('@dataplan/pg/adaptors/pg', 'pubsub: true').replace('APP_DB_URL', 'DIRECT_URL')), []);
  assert.deepEqual(found(pgService('./services', 'pubsub: true')), []);
});

const v5Preset = (services: string, server: string, specifier = 'postgraphile/adaptors/pg') => [
  `import { makePgService } from '${specifier}';`,
  "import { Pool } from 'pg';",
  'const appPool = new Pool({ connectionString: process.env.APP_DB_URL });',
  'const reportingPool = new Pool({ connectionString: process.env.REPORTING_DB_URL });',
  'export const preset = {',
  `  pgServices: [${services}],`,
  `  grafserv: { port: 4000, ${server} },`,
  '};',
].join('\n');

test('PostGraphile v5 grafserv watch beside pgServices made by makePgService is reported at the option, on the service\'s pool', () => {
  const one = "makePgService({ pool: appPool, schemas: ['api'] })";
  assert.deepEqual(found(v5Preset(one, 'watch: true')), ['watch: true']);
  assert.deepEqual(found(v5Preset(one, 'watch: !config.production')), ['watch: !config.production']);
  assert.deepEqual(found(v5Preset(one, 'watch: true', '@dataplan/pg/adaptors/pg')), ['watch: true']);
  // Beside the service's own pubsub option, each is reported at its option.
  assert.deepEqual(found(v5Preset("makePgService({ pool: appPool, pubsub: true })", 'watch: true')), ['pubsub: true', 'watch: true']);
  // The service and the server options held in consts of the file.
  const held = [
    "import { makePgService } from 'postgraphile/adaptors/pg';",
    "const mainService = makePgService({ connectionString: process.env.APP_DB_URL, schemas: ['api'] });",
    'const serverOptions = { watch: process.env.WATCH };',
    'export default { pgServices: [mainService], grafserv: serverOptions };',
  ].join('\n');
  assert.deepEqual(found(held), ['watch: process.env.WATCH']);
  // Two services show no one connection: the application's server is assumed, even when one of them is direct.
  const two = "makePgService({ pool: appPool }), makePgService({ connectionString: process.env.DIRECT_URL, name: 'admin' })";
  assert.deepEqual(found(v5Preset(two, 'watch: true')), ['watch: true']);
});

test('grafserv watch surely off, on a service of a direct URL, or a watch key without makePgService services, is no finding', () => {
  const one = "makePgService({ pool: appPool, schemas: ['api'] })";
  for (const off of ['watch: false', 'watch: undefined', 'watch: 0', "graphiql: true"]) assert.deepEqual(found(v5Preset(one, off)), [], off);
  assert.deepEqual(found(v5Preset("makePgService({ connectionString: process.env.DIRECT_URL })", 'watch: true')), []);
  // No pgServices, services of another library's makePgService, or another library's watch option.
  assert.deepEqual(found(v5Preset(one, 'watch: true', './services')), []);
  assert.deepEqual(found("export const preset = { grafserv: { port: 4000, watch: true } };"), []);
  assert.deepEqual(found("import { makePgService } from 'postgraphile/adaptors/pg';\nexport const service = makePgService({ pool });\nexport const bundler = { entry: 'src/index.ts', watch: true };"), []);
  // watch written beside pgServices, not in the grafserv options, is not grafserv's.
  assert.deepEqual(found(v5Preset(one, 'port: 5000').replace('export const preset = {', 'export const preset = {\n  watch: true,')), []);
});

test('graphile-worker and PostGraphile loaded the Deno way (npm:, esm.sh) are read as the npm import is, named or whole', () => {
  for (const specifier of ['npm:graphile-worker@0.16.6', 'https://esm.sh/graphile-worker@0.16.6']) {
    assert.deepEqual(found(`import { run } from '${specifier}';\nexport const start = (options) => run(options);`), ['run(options)'], specifier);
    assert.deepEqual(found(`import * as jobs from '${specifier}';\nexport const start = (options) => jobs.run(options);`), ['jobs.run(options)'], specifier);
  }
  // A project module named after the package, imported whole, is not it.
  assert.deepEqual(found("import * as jobs from './graphile-worker.ts';\nexport const start = (options) => jobs.run(options);"), []);
  const typed = (specifier: string) => [
    `import type { PostGraphileOptions } from '${specifier}';`,
    "export const watch = (): Pick<PostGraphileOptions, 'watchPg'> => ({ watchPg: true });",
  ].join('\n');
  assert.deepEqual(found(typed('npm:postgraphile@4.13.0')), ['watchPg: true']);
  assert.deepEqual(found(typed('./postgraphile.ts')), []);
});
