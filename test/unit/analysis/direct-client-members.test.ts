// A class that keeps its one connection in a field often opens it into a local first (connect, attach handlers), then
// keeps it (`this.conn = fresh`), and empties the field when the connection drops (`this.conn = null`). The field then
// holds what the local held: on a direct URL, its LISTEN reads as the same LISTEN on the local does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/relay/hub.ts').map(([rule, at]) => `${rule} ${at}`);

/** A reconnecting hub: `open` makes the client from `url` into a local and keeps it; `drop` empties the field. */
const hub = (url: string, kept = 'fresh', extra = '') => [
  "import { Client } from 'pg';",
  'export class Hub {',
  '  private conn: Client | null = null;',
  '  async open() {',
  `    const fresh = new Client({ connectionString: ${url} });`,
  '    await fresh.connect();',
  `    this.conn = ${kept};`,
  "    await fresh.query('LISTEN orders');",
  '  }',
  '  drop() { this.conn = null; }',
  "  async follow(channel: string) { await this.conn!.query('LISTEN orders_archive'); }",
  extra,
  '}',
].join('\n');

test('a field filled from a local made on a direct URL (preferred over a fallback) listens as the local does', () => {
  assert.deepEqual(found(hub('process.env.DIRECT_URL || process.env.DATABASE_URL')), []);
  assert.deepEqual(found(hub('process.env.DATABASE_URL_UNPOOLED')), []);
});

test('the field keeps its finding where the local is pooled, another assignment is not direct, or it holds a parameter', () => {
  assert.deepEqual(found(hub('process.env.DATABASE_URL')), ['listen LISTEN orders', 'listen LISTEN orders_archive']);
  // Another place fills the field with a client on the pooled URL.
  const mixed = hub('process.env.DIRECT_URL', 'fresh', "  adopt() { this.conn = new Client(process.env.DATABASE_URL); }");
  assert.deepEqual(found(mixed), ['listen LISTEN orders_archive']);
  // A caller's client: where it connects is not known here.
  const handed = hub('process.env.DIRECT_URL', 'fresh', '  adopt(given: Client) { this.conn = given; }');
  assert.deepEqual(found(handed), ['listen LISTEN orders_archive']);
});
