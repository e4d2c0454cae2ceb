// postgres.js `listen(channel, fn)` on a client the code only knows by its declared type: a parameter, a
// variable or a class member typed with the driver's `Sql` (or `postgres.Sql`, `ReturnType<typeof postgres>`).
// The client is handed in from elsewhere, so it never tags a template in this file and is not named `sql`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'feed.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('listen on a parameter typed with postgres.js Sql is flagged, with the channel held in a constant', () => {
  const text = [
    "import type { Sql } from 'postgres';",
    "const INVOICE_EVENTS = 'invoice_events';",
    'export function follow(store: Sql, onEvent: (p: string) => void) {',
    '  store.listen(INVOICE_EVENTS, onEvent);',
    "  return store.notify(INVOICE_EVENTS, 'hello');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen store.listen(INVOICE_EVENTS, onEvent)']);
  // A nullable declaration (`Sql | undefined`) is the same client.
  assert.deepEqual(found(text.replace('store: Sql,', 'store: Sql | undefined,')), ['listen store.listen(INVOICE_EVENTS, onEvent)']);
});

test('listen on a class member declared as postgres.Sql or through ReturnType<typeof postgres> is flagged', () => {
  const member = [
    "import postgres from 'postgres';",
    'export class Ticker {',
    '  constructor(private readonly conn: postgres.Sql) {}',
    '  start(channel: string) {',
    '    this.conn.listen(channel, (payload) => console.log(payload));',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(member), ['listen this.conn.listen(channel, (payload) => console.log(payload))']);
  const property = [
    "import postgres from 'postgres';",
    'export class Ticker {',
    '  private conn?: ReturnType<typeof postgres>;',
    "  start() { this.conn?.listen('ticks', () => undefined); }",
    '}',
  ].join('\n');
  assert.deepEqual(found(property), ["listen this.conn?.listen('ticks', () => undefined)"]);
  const variable = [
    "import postgres, { type Sql } from 'postgres';",
    'let shared: Sql | null = null;',
    "export function watch(channel: string) { shared?.listen(channel, () => undefined); }",
  ].join('\n');
  assert.deepEqual(found(variable), ['listen shared?.listen(channel, () => undefined)']);
});

test('listen on something else in a file that imports postgres.js types is not flagged', () => {
  const text = [
    "import type { Options, Sql } from 'postgres';",
    "import type { Server } from 'node:http';",
    'export class App {',
    '  constructor(private readonly http: Server, private readonly settings: Options<{}>) {}',
    '  run(port: number) { this.http.listen(port, () => undefined); }',
    '}',
    'export function serve(server: Server, db: Sql, port: number) {',
    '  server.listen(port);',
    "  server.listen('/tmp/app.sock', () => undefined);",
    "  return db.notify('ready', String(port));",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
  // The driver's type names only count when imported from the driver.
  const elsewhere = [
    "import type { Sql } from './my-own-sql';",
    "export function follow(store: Sql) { store.listen('ticks', () => undefined); }",
  ].join('\n');
  assert.deepEqual(found(elsewhere), []);
});

test('listen on a private field (#client) typed with postgres.js Sql is flagged; an http server in a private field is not', () => {
  const text = [
    "import type { Sql } from 'postgres';",
    "import type { Server } from 'node:http';",
    'export class Outbox {',
    '  readonly #client: Sql;',
    '  readonly #web: Server;',
    "  #topic = 'outbox_ready';",
    '  constructor(client: Sql, web: Server) { this.#client = client; this.#web = web; }',
    '  async watch(onReady: () => void) {',
    '    this.#web.listen(8080, () => undefined);',
    '    return this.#client.listen(this.#topic, onReady);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['listen this.#client.listen(this.#topic, onReady)']);
});
