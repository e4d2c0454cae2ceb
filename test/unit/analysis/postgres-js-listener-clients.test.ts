import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const PG = "import postgres from 'postgres';\n";
const findings = (code: string, rule: string, file = 'events.ts') => analyze(code, 'typescript', {}, file).filter((f) => f.rule === rule).length;
const prepared = (code: string, file?: string) => findings(code, 'protocol-prepared-statement', file);

// postgres.js runs `listen "channel"` on a connection of its own, once per channel: a client used only for
// listen/unlisten (and end) never sends a statement text twice. Its LISTEN is still the listen rule's business.

test('a client kept only for listen/unlisten/end is not flagged for prepared statements (the listen stays reported)', () => {
  const privateField = `${PG}export class ChangeFeed {
  private pg: postgres.Sql;
  constructor(url: string) {
    this.pg = postgres(url, { max: 1, idle_timeout: 0 });
  }
  async start(onChange: (p: string) => void) {
    if (!this.pg) throw new Error('closed');
    await this.pg.listen('catalog_changed', onChange);
  }
  async stop() {
    await this.pg.unlisten('catalog_changed');
    await this.pg.end({ timeout: 5 });
  }
}`;
  assert.equal(prepared(privateField), 0);
  assert.equal(findings(privateField, 'listen'), 1);
  // An ECMAScript private field with its initializer; optional chaining on shutdown.
  assert.equal(prepared(`${PG}class Watcher {
  #conn = postgres(process.env.PG_URL);
  async watch(channel, fn) { return this.#conn.listen(channel, fn); }
  async close() { await this.#conn?.end(); }
}
module.exports = { Watcher };`, 'watcher.js'), 0);
  // A module-level variable filled in by a start-up function and cleared on shutdown.
  assert.equal(prepared(`${PG}let subscriber: postgres.Sql | null = null;
export async function subscribe(channel: string, fn: (payload: string) => void) {
  if (subscriber === null) subscriber = postgres(process.env.DATABASE_URL!);
  await subscriber.listen(channel, fn);
}
export async function shutdown() {
  if (subscriber) await subscriber.end();
  subscriber = null;
}`), 0);
  // A local client: listens, and notifies once from a one-shot script.
  assert.equal(prepared(`${PG}const sql = postgres(url);\nawait sql.listen('ping', (p) => console.log(p));\nawait sql.notify('ping', 'hello');`, 'ping.ts'), 0);
});

test('a listener client that also runs its own queries, or can be reached from outside, keeps the finding', () => {
  // A tagged query in a method that runs on every call.
  assert.equal(prepared(`${PG}export class ChangeFeed {
  private pg = postgres(url);
  async start(fn) { await this.pg.listen('catalog_changed', fn); }
  async latest() { return this.pg\`SELECT max(version) FROM catalog\`; }
}`), 1);
  // notify sends the same text every time: from a request handler it repeats on one connection.
  assert.equal(prepared(`${PG}const sql = postgres(url);\nawait sql.listen('jobs', run);\napp.post('/jobs', async (req) => { await sql.notify('jobs', req.body.id); });`), 1);
  // A field that is not private, a getter handing the client out, `this` destructured.
  assert.equal(prepared(`${PG}export class ChangeFeed {\n  pg = postgres(url);\n  async start(fn) { await this.pg.listen('c', fn); }\n}`), 1);
  assert.equal(prepared(`${PG}export class ChangeFeed {\n  private pg = postgres(url);\n  async start(fn) { await this.pg.listen('c', fn); }\n  get client() { return this.pg; }\n}`), 1);
  assert.equal(prepared(`${PG}export class ChangeFeed {\n  private pg = postgres(url);\n  async start(fn) { const { pg } = this; await pg\`SELECT 1\`; await this.pg.listen('c', fn); }\n}`), 1);
  // An exported variable, or one also used for a query.
  assert.equal(prepared(`${PG}export let subscriber;\nexport function open() { subscriber = postgres(url); return subscriber.listen('c', fn); }`), 1);
  assert.equal(prepared(`${PG}let subscriber;\nexport async function open() { subscriber = postgres(url); await subscriber.listen('c', fn); return subscriber\`SELECT now()\`; }`), 1);
});

/** A class that opens its listening client in a method, holds it in a const, and keeps it in the field `#fieldLine`. */
const copiedToField = (fieldLine: string, extra = '') => `${PG}export class JobFeed {
  ${fieldLine}
  async open(onEvent: (payload: string) => void) {
    const conn = postgres(process.env.DATABASE_URL!, { max: 1, idle_timeout: 0 });
    this.conn = conn;
    await conn.listen('job_events', onEvent);
  }
  async close() {
    if (this.conn) {
      await this.conn.end();
      this.conn = null;
    }
  }${extra}
}`;

test('a listening client held in a const and copied into a private field that only ends it is not flagged (the listen stays reported)', () => {
  const feed = copiedToField('private conn: postgres.Sql | null = null;');
  assert.equal(prepared(feed), 0);
  assert.equal(findings(feed, 'listen'), 1);
});

test('a const copied into a field that is not private, or whose class queries through the field, keeps the finding', () => {
  assert.equal(prepared(copiedToField('conn: postgres.Sql | null = null;')), 1);
  assert.equal(prepared(copiedToField('private conn: postgres.Sql | null = null;', '\n  async latest() { return this.conn!`SELECT max(id) FROM jobs`; }')), 1);
  // Copied into another object's field, or a const that queries on its own.
  assert.equal(prepared(`${PG}export async function open(registry: { conn: unknown }) {\n  const conn = postgres(url);\n  registry.conn = conn;\n  await conn.listen('c', fn);\n}`), 1);
  assert.equal(prepared(copiedToField('private conn: postgres.Sql | null = null;').replace("await conn.listen('job_events', onEvent);", "await conn.listen('job_events', onEvent);\n    await conn`SELECT 1`;")), 1);
});
