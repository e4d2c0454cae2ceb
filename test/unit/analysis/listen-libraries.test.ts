// LISTEN sent by a LISTEN/NOTIFY library's subscribe call (pg-listen's listenTo, pg-pubsub's addChannel),
// with no LISTEN written in the file: the library sends it on the connection it opened.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { readFileSync } from 'node:fs';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'worker.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('pg-listen: listenTo(channel) on a subscriber this file creates is a listen finding; notify() is not', () => {
  const text = [
    "import makeSubscriber from 'pg-listen';",
    'const hub = makeSubscriber({ connectionString: process.env.APP_DB });',
    'export async function start() {',
    '  await hub.connect();',
    "  await hub.listenTo('orders_changed');",
    "  await hub.notify('orders_changed', { id: 1 });",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["listen hub.listenTo('orders_changed')"]);
});

test('a subscriber made in another module counts when the file also reads its .notifications emitter, also held on this', () => {
  const text = [
    "import { openListener } from './db';",
    'export class Indexer {',
    '  private feed = openListener();',
    '  async run(channel: string) {',
    '    this.feed.notifications.on(channel, (row) => console.log(row));',
    '    await this.feed.connect();',
    '    await this.feed.listenTo(channel as string);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen this.feed.listenTo(channel as string)']);
});

test('listenTo that is not pg-listen (Backbone\'s three-argument form, an unrelated object with no notifications emitter) gives nothing', () => {
  const text = [
    "import { View } from 'backbone';",
    'export class Row extends View {',
    "  init(model) { this.listenTo(model, 'change', this.render); }",
    '}',
    "export const follow = (radio, station) => radio.listenTo(station);",
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('pg-pubsub: addChannel(channel, fn) sends LISTEN only in a file that imports pg-pubsub', () => {
  const body = [
    'const bus = new PGPubsub(process.env.APP_DB);',
    "export const watch = () => bus.addChannel('jobs', (payload) => console.log(payload));",
  ].join('\n');
  assert.deepEqual(found(`const PGPubsub = require('pg-pubsub');\n${body}`), ["listen bus.addChannel('jobs', (payload) => console.log(payload))"]);
  assert.deepEqual(found(`const PGPubsub = require('./notifications');\n${body}`), []);
});

test('pg-pubsub: a channel name built by a call (a per-project channel) subscribes like a literal one', () => {
  const text = [
    "import PGPubsub from 'pg-pubsub';",
    'const channelOf = (projectId: string) => `project-${projectId}-stories`;',
    'export const createBus = () => {',
    '  const bus = new PGPubsub(process.env.DATABASE_URL);',
    '  return { subscribe: (projectId: string, handler: (item: unknown) => void) => bus.addChannel(channelOf(projectId), handler) };',
    '};',
  ].join('\n');
  assert.deepEqual(found(text), ['listen bus.addChannel(channelOf(projectId), handler)']);
  // Without pg-pubsub the same call is some other object's method.
  assert.deepEqual(found(text.replace("'pg-pubsub'", "'./rooms'")), []);
});

test('a subscriber opened with a URL whose name says it bypasses the pooler (direct, unpooled, non-pooling) gives no listen finding; a plain or pooled name keeps it', () => {
  const withUrl = (url: string) => [
    "import makeSubscriber from 'pg-listen';",
    `const hub = makeSubscriber({ connectionString: ${url} });`,
    "export const start = () => hub.listenTo('orders_changed');",
  ].join('\n');
  for (const url of ['process.env.DIRECT_URL', 'process.env.DATABASE_URL_UNPOOLED', "process.env['POSTGRES_URL_NON_POOLING']", 'settings.directDatabaseUrl']) {
    assert.deepEqual(found(withUrl(url)), [], url);
  }
  for (const url of ['process.env.DATABASE_URL', 'process.env.DATABASE_POOL_URL', 'settings.sessionDirectory', 'makeUrl()']) {
    assert.deepEqual(found(withUrl(url)), ["listen hub.listenTo('orders_changed')"], url);
  }
});

/** A small project: settings.ts, a class making a pg-listen subscriber from its constructor's URL, a barrel, and its users. */
function project(t: Cleanup, settings: string, users: Record<string, string>): string {
  const repo = scratchRepository('direct-url', t);
  repo.writeAll({
    'package.json': '{ "name": "shop" }\n',
    'src/settings.ts': settings,
    'src/events/index.ts': "export * from './listener';\n",
    'src/events/listener.ts': LISTENER,
  });
  for (const [name, text] of Object.entries(users)) repo.write(`src/${name}`, text);
  return repo.path('src', 'events', 'listener.ts');
}

const LISTENER = [
  "import makeSubscriber from 'pg-listen';",
  'export class ChangeFeed {',
  '  private hub;',
  '  constructor(url: string) { this.hub = makeSubscriber({ connectionString: url }); }',
  '  follow(channel: string) { return this.hub.listenTo(channel); }',
  '}',
  '',
].join('\n');

const SETTINGS_WITH_POOL = [
  'export const settings = () => ({',
  "  primaryUrl: process.env.PRIMARY_URL ?? '',",
  "  primaryPoolUrl: process.env.PRIMARY_POOL_URL ?? '',",
  '});',
  '',
].join('\n');

const user = (argument: string, names = 'primaryUrl, primaryPoolUrl') => [
  "import { settings } from './settings';",
  "import { ChangeFeed } from './events';",
  `const { ${names} } = settings();`,
  `export const feed = new ChangeFeed(${argument});`,
  '',
].join('\n');

const lintListener = (file: string) => embeddedFindings(readFileSync(file, 'utf8'), file).map(([rule]) => rule);

test('a URL setting kept apart from its pooled sibling (primaryUrl beside primaryPoolUrl), passed to the class that opens the subscriber, is a direct connection: no listen finding', (t) => {
  assert.deepEqual(lintListener(project(t, SETTINGS_WITH_POOL, { 'feed.ts': user('primaryUrl') })), []);
});

test('the subscriber keeps its listen finding when any caller passes the pooled URL, a URL with no pooled sibling, or something not followed', (t) => {
  assert.deepEqual(lintListener(project(t, SETTINGS_WITH_POOL, { 'feed.ts': user('primaryPoolUrl') })), ['listen']);
  const noPool = "export const settings = () => ({ primaryUrl: process.env.PRIMARY_URL ?? '', replicaUrl: process.env.REPLICA_URL ?? '' });\n";
  assert.deepEqual(lintListener(project(t, noPool, { 'feed.ts': user('primaryUrl', 'primaryUrl') })), ['listen']);
  assert.deepEqual(lintListener(project(t, SETTINGS_WITH_POOL, { 'feed.ts': user('primaryUrl'), 'other.ts': user('pickUrl()') })), ['listen']);
  // No caller in the project at all: a library's class, for its users to give any URL.
  assert.deepEqual(lintListener(project(t, SETTINGS_WITH_POOL, {})), ['listen']);
});

test('@imqueue/pg-pubsub: listen(channel) on a PgPubSub this file makes or declares sends LISTEN; other listen() calls do not', () => {
  const text = [
    "import { PgPubSub } from '@imqueue/pg-pubsub';",
    "import http from 'node:http';",
    'export class Invalidator {',
    '  private hub: PgPubSub;',
    '  private server = http.createServer();',
    '  async start(tables: string[], port: number) {',
    '    this.hub = new PgPubSub({ connectionString: process.env.APP_DB });',
    '    await this.hub.connect();',
    '    await Promise.all(tables.map((table) => this.hub.listen(table)));',
    '    this.server.listen(port);',
    "    await this.hub.notify('warmed', { ok: true });",
    '  }',
    '}',
    'export async function side(url: string) {',
    '  const feed = new PgPubSub({ connectionString: url });',
    "  await feed.listen('prices');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen this.hub.listen(table)', "listen feed.listen('prices')"]);
});

test('listen(channel) without @imqueue/pg-pubsub, or on an object that is not its subscriber, gives nothing', () => {
  const server = [
    "import { PgPubSub } from '@imqueue/pg-pubsub';",
    "import { createBroker } from './broker';",
    'const broker = createBroker();',
    "export const go = async () => { await broker.listen('ticks'); };",
  ].join('\n');
  assert.deepEqual(found(server), []);
  const elsewhere = [
    "import { PgPubSub } from './local-pubsub';",
    'const hub = new PgPubSub({});',
    "export const go = async () => { await hub.listen('ticks'); };",
  ].join('\n');
  assert.deepEqual(found(elsewhere), []);
});

test("a subscriber made in another module: addChannel(channel, handler) counts in a package that depends on pg-pubsub or a scoped fork of it", (t) => {
  const CALLER = [
    'class Reporter {',
    '  constructor(deps) { this.deps = deps; }',
    '  start(topic) {',
    '    this.deps.bus.addChannel(topic, () => this.refresh());',
    "    this.deps.bus.addChannel('report_done', onDone);",
    '  }',
    '}',
    'function onDone() {}',
    'module.exports = Reporter;',
    '',
  ].join('\n');
  const lint = (manifest: string): string[] => {
    const repo = scratchRepository('pubsub-dependency', t);
    repo.writeAll({ 'package.json': manifest, 'lib/reporter.js': CALLER });
    return found(readFileSync(repo.path('lib', 'reporter.js'), 'utf8'), repo.path('lib', 'reporter.js'));
  };
  const both = ['listen this.deps.bus.addChannel(topic, () => this.refresh())', "listen this.deps.bus.addChannel('report_done', onDone)"];
  assert.deepEqual(lint('{ "name": "reports", "dependencies": { "@acme/pg-pubsub": "^1.0.0" } }\n'), both);
  assert.deepEqual(lint('{ "name": "reports", "dependencies": { "pg-pubsub": "^0.8.0" } }\n'), both);
  // No such dependency (an event bus of another kind), or @imqueue/pg-pubsub, whose API is listen(): nothing.
  assert.deepEqual(lint('{ "name": "reports", "dependencies": { "eventemitter3": "^5.0.0" } }\n'), []);
  assert.deepEqual(lint('{ "name": "reports", "dependencies": { "@imqueue/pg-pubsub": "^1.0.0" } }\n'), []);
});

test('a scoped fork imported by the file counts like the library: its subscriber, and one-argument addChannel in a dependent package does not', (t) => {
  const forked = [
    "const Bus = require('@acme/pg-pubsub');",
    'const bus = new Bus(process.env.APP_DB);',
    "exports.watch = () => bus.addChannel('audit');",
  ].join('\n');
  assert.deepEqual(found(forked, 'watch.js'), ["listen bus.addChannel('audit')"]);
  // Elsewhere in a dependent package, a one-argument addChannel (a chat room's, a mixer's) is not pg-pubsub's subscribe form.
  const repo = scratchRepository('pubsub-one-argument', t);
  repo.writeAll({ 'package.json': '{ "name": "chat", "dependencies": { "pg-pubsub": "^0.8.0" } }\n', 'src/room.js': "exports.open = (room) => room.addChannel('lobby');\n" });
  assert.deepEqual(found(readFileSync(repo.path('src', 'room.js'), 'utf8'), repo.path('src', 'room.js')), []);
});

test('pg-listen listenTo(channel) on a subscriber made elsewhere counts in a package that depends on pg-listen', (t) => {
  const repo = scratchRepository('listen-dependency', t);
  repo.writeAll({
    'package.json': '{ "name": "feed", "dependencies": { "pg-listen": "^1.7.0" } }\n',
    'src/follow.ts': 'export const follow = (hub: { listenTo(c: string): Promise<void> }, channel: string) => hub.listenTo(channel);\n',
  });
  assert.deepEqual(found(readFileSync(repo.path('src', 'follow.ts'), 'utf8'), repo.path('src', 'follow.ts')), ['listen hub.listenTo(channel)']);
  // The same call in a package without pg-listen (a view library's listenTo) is nothing.
  const other = scratchRepository('listen-no-dependency', t);
  other.writeAll({
    'package.json': '{ "name": "feed", "dependencies": { "backbone": "^1.4.0" } }\n',
    'src/follow.ts': 'export const follow = (hub: { listenTo(c: string): Promise<void> }, channel: string) => hub.listenTo(channel);\n',
  });
  assert.deepEqual(found(readFileSync(other.path('src', 'follow.ts'), 'utf8'), other.path('src', 'follow.ts')), []);
});

test('subscribing again to a channel the same subscriber surely subscribed to just before is reported once, at the first call', () => {
  const listen = [
    "import makeSubscriber from 'pg-listen';",
    'const hub = makeSubscriber({ connectionString: process.env.APP_DB });',
    'export async function start() {',
    "  await hub.listenTo('orders_changed');",
    "  hub.notifications.on('orders_changed', audit);",
    "  await hub.listenTo('orders_changed');",
    '}',
  ].join('\n');
  assert.deepEqual(found(listen), ["listen hub.listenTo('orders_changed')"]);
  const pubsub = [
    "const PGPubsub = require('pg-pubsub');",
    'const bus = new PGPubsub(process.env.APP_DB);',
    'export async function watch(channel: string) {',
    '  await new Promise(async (resolve) => {',
    '    await bus.addChannel(channel, (payload) => console.log(payload));',
    '    await bus.addChannel(channel, resolve);',
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(found(pubsub), ['listen bus.addChannel(channel, (payload) => console.log(payload))']);
});

test('a subscription not surely made before on the same subscriber and channel, or ended in between, keeps its finding', () => {
  const cases: [string, string[]][] = [
    // another channel; another subscriber
    ["  await hub.listenTo('orders_changed');\n  await hub.listenTo('orders_deleted');", ["listen hub.listenTo('orders_changed')", "listen hub.listenTo('orders_deleted')"]],
    ["  await hub.listenTo('orders_changed');\n  await spare.listenTo('orders_changed');", ["listen hub.listenTo('orders_changed')", "listen spare.listenTo('orders_changed')"]],
    // unlistened (or the connection closed) in between: subscribing again sends LISTEN anew
    ["  await hub.listenTo('orders_changed');\n  await hub.unlisten('orders_changed');\n  await hub.listenTo('orders_changed');", ["listen hub.listenTo('orders_changed')", "listen hub.listenTo('orders_changed')"]],
    ["  await hub.listenTo('orders_changed');\n  await hub.close();\n  await hub.listenTo('orders_changed');", ["listen hub.listenTo('orders_changed')", "listen hub.listenTo('orders_changed')"]],
    // the earlier call may not have run: in a branch, or in a callback
    ["  if (eager) await hub.listenTo('orders_changed');\n  await hub.listenTo('orders_changed');", ["listen hub.listenTo('orders_changed')", "listen hub.listenTo('orders_changed')"]],
    ["  later(() => hub.listenTo('orders_changed'));\n  await hub.listenTo('orders_changed');", ["listen hub.listenTo('orders_changed')", "listen hub.listenTo('orders_changed')"]],
    // a channel held in a let that changes in between
    ["  let name = 'orders_changed';\n  await hub.listenTo(name);\n  name = 'orders_deleted';\n  await hub.listenTo(name);", ['listen hub.listenTo(name)', 'listen hub.listenTo(name)']],
  ];
  for (const [body, expected] of cases) {
    const text = [
      "import makeSubscriber from 'pg-listen';",
      'const hub = makeSubscriber({ connectionString: process.env.APP_DB });',
      'const spare = makeSubscriber({ connectionString: process.env.APP_DB });',
      'export async function start(eager: boolean, later: (f: () => unknown) => void) {',
      body,
      '}',
    ].join('\n');
    assert.deepEqual(found(text), expected, body);
  }
});

test("pg-ipc (and postgres-ipc): on/addListener(channel, fn) on its emitter over a pg Client sends LISTEN; its own events and other emitters' on() do not", () => {
  const relay = (library: string, importLine: string) => [
    importLine,
    "import { Client } from 'pg';",
    'export class ShipmentFeed {',
    '  private readonly ipc;',
    '  constructor(options) {',
    '    this.client = new Client(options);',
    `    this.ipc = new ${library}(this.client);`,
    "    this.ipc.on('error', (err) => console.error(err));",
    '  }',
    '  follow(channel, onShipment) {',
    '    this.ipc.on(channel, onShipment);',
    '  }',
    "  audit(onAudit) { this.ipc.addListener('shipment_audit', onAudit); }",
    '}',
  ].join('\n');
  assert.deepEqual(found(relay('PgIpc', "import PgIpc from 'pg-ipc';")), [
    'listen this.ipc.on(channel, onShipment)',
    "listen this.ipc.addListener('shipment_audit', onAudit)",
  ]);
  assert.deepEqual(found(relay('IPC', "const { IPC } = require('postgres-ipc');"), 'worker.js'), [
    'listen this.ipc.on(channel, onShipment)',
    "listen this.ipc.addListener('shipment_audit', onAudit)",
  ]);
  // A plain EventEmitter (no pg-ipc import), or pg-ipc imported but the listener added to another object: nothing.
  assert.deepEqual(found(relay('EventEmitter', "import { EventEmitter } from 'node:events';")), []);
  const other = [
    "import PgIpc from 'pg-ipc';",
    "import { EventEmitter } from 'node:events';",
    'const bus = new EventEmitter();',
    "export function watch(channel, fn) { bus.on(channel, fn); }",
  ].join('\n');
  assert.deepEqual(found(other), []);
});

test("pg-notify: on(channel, fn) on its PGPubSub sends LISTEN on the pg Client it opens; emit() and another object's on() do not", () => {
  const feed = (importLine: string) => [
    importLine,
    'export async function follow(settings, names, onEvent) {',
    '  const bus = new Notifier({ host: settings.host, user: settings.user, database: settings.name });',
    '  await bus.connect();',
    '  await Promise.all(names.map((name) => bus.on(name, onEvent)));',
    "  await bus.emit('feed_started', { at: Date.now() });",
    '  process.on(\'SIGTERM\', () => bus.close());',
    '}',
  ].join('\n');
  assert.deepEqual(found(feed("import Notifier from 'pg-notify';")), ['listen bus.on(name, onEvent)']);
  assert.deepEqual(found(feed("const Notifier = require('pg-notify');"), 'feed.js'), ['listen bus.on(name, onEvent)']);
  // Another library's class of that name: its on() is an emitter's.
  assert.deepEqual(found(feed("import Notifier from './notifier';")), []);
});

/** A package depending on pg-ipc: a PubSub class over a pg-ipc emitter, and a helper module subscribing on the emitter it is handed. */
function ipcPubSub(t: Cleanup, dependencies: string, emitter: string): string {
  const repo = scratchRepository('ipc-helper', t);
  repo.writeAll({
    'package.json': `{ "name": "gql-pg-pubsub", "dependencies": { ${dependencies} } }\n`,
    'event-iterator.js': [
      'function eventIterator(eventEmitter, eventsNames, handle) {',
      '  const names = typeof eventsNames === "string" ? [eventsNames] : eventsNames;',
      '  for (const eventName of names) eventEmitter.addListener(eventName, handle);',
      '  return { return() { for (const eventName of names) eventEmitter.removeListener(eventName, handle); } };',
      '}',
      'module.exports = { eventIterator };',
      '',
    ],
    'pubsub.js': [
      "const pgIPC = require('pg-ipc');",
      "const { EventEmitter } = require('events');",
      "const { Client } = require('pg');",
      "const { eventIterator } = require('./event-iterator');",
      'class PgPubSub {',
      '  constructor(options) {',
      '    this.client = new Client(options);',
      `    this.ee = ${emitter};`,
      '  }',
      '  asyncIterator(triggers) { return eventIterator(this.ee, triggers, (m) => m.payload); }',
      '}',
      'module.exports = { PgPubSub };',
      '',
    ],
  });
  return repo.path('event-iterator.js');
}

test('pg-ipc: a helper that subscribes on the emitter it is handed sends LISTEN when a module of the package hands it a pg-ipc emitter', (t) => {
  const helperFindings = (file: string) => found(readFileSync(file, 'utf8'), file);
  assert.deepEqual(helperFindings(ipcPubSub(t, '"pg": "^8", "pg-ipc": "^1"', 'new pgIPC(this.client)')), ['listen eventEmitter.addListener(eventName, handle)']);
  // Handed a plain EventEmitter: nothing is sent.
  assert.deepEqual(helperFindings(ipcPubSub(t, '"pg": "^8", "pg-ipc": "^1"', 'new EventEmitter()')), []);
  // A package that does not depend on pg-ipc: its helpers are not read as pg-ipc's.
  assert.deepEqual(helperFindings(ipcPubSub(t, '"pg": "^8"', 'new pgIPC(this.client)')), []);
});

test("pg-ipc's own package: its entry required by a relative path is pg-ipc, its emitter made without new; a suite its test script runs on a local URL is the developer's database", (t) => {
  const repo = scratchRepository('pg-ipc-own', t);
  const script = (name: string) => [
    "var connectionString = 'postgres://postgres:@localhost:5432/pgipc'",
    "var pg = require('pg')",
    "var ipc = require('.')",
    'var client = new pg.Client(connectionString)',
    'var ee = ipc(client)',
    "ee.once('error', console.error)",
    `ee.on('${name}', function (msg) { console.log(msg.payload) })`,
    '',
  ];
  repo.writeAll({
    'package.json': '{ "name": "pg-ipc", "main": "index.js", "scripts": { "test": "standard && tape test.js" } }\n',
    'index.js': 'module.exports = function PgIPC (client) { return new (require("events").EventEmitter)() }\n',
    'benchmark.js': script('channel'),
    'test.js': script('message'),
    'smoke.js': script('message'),
  });
  const lint = (name: string) => found(readFileSync(repo.path(name), 'utf8'), repo.path(name));
  // A benchmark script is no test: the local URL written out does not make it the developer's test database.
  assert.deepEqual(lint('benchmark.js'), ["listen ee.on('channel', function (msg) { console.log(msg.payload) })"]);
  assert.deepEqual(lint('test.js'), []);
  // The same file that no test script runs.
  assert.deepEqual(lint('smoke.js'), ["listen ee.on('message', function (msg) { console.log(msg.payload) })"]);
});
