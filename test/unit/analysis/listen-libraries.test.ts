// LISTEN sent by a LISTEN/NOTIFY library's subscribe call (pg-listen's listenTo, pg-pubsub's addChannel),
// with no LISTEN written in the file: the library sends it on the connection it opened.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

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
