// A client held in an ECMAScript private field (`#sql`, `#pool`) is the same client as one held in a public field of
// that spelling: a tag or a query call on `this.#sql` is read as on `this.sql`, with the same judgement of the client
// (a pool, prepare: false, a connection taken from a pool, a direct URL). `#sql` and `sql` are two members all the same:
// what one holds says nothing of the other.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'store.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

/** The same class with every `@name` written as a public member (`name`) and as a private one (`#name`). */
const spelled = (lines: string[]) => {
  const text = lines.join('\n');
  return { open: text.replace(/@(?=\w)/g, ''), closed: text.replace(/@(?=\w)/g, '#') };
};

test('a postgres.js pool in a private field: its tagged lock, unlock, SET, temp table and LISTEN are flagged as on a public field', () => {
  const { open, closed } = spelled([
    "import postgres from 'postgres';",
    'export class JobStore {',
    '  @sql: ReturnType<typeof postgres>;',
    '  constructor(url: string, size = 4) {',
    '    this.@sql = postgres(url, { max: size });',
    '  }',
    '  async exclusive<T>(key: number, body: () => Promise<T>): Promise<T> {',
    '    await this.@sql`SELECT pg_advisory_lock(${key})`;',
    '    try {',
    '      return await body();',
    '    } finally {',
    '      await this.@sql`SELECT pg_advisory_unlock(${key})`;',
    '    }',
    '  }',
    '  async prepareSession() {',
    '    await this.@sql`SET search_path TO jobs, public`;',
    '    await this.@sql`CREATE TEMP TABLE staged (id int)`;',
    '    await this.@sql`LISTEN job_added`;',
    '  }',
    '}',
  ]);
  const publicFindings = found(open).sort();
  assert.deepEqual(publicFindings, [
    'advisory-lock pg_advisory_lock',
    'advisory-lock pg_advisory_unlock',
    'listen LISTEN job_added',
    'protocol-prepared-statement postgres',
    'session-set SET search_path TO jobs, public',
    'temp-table CREATE TEMP TABLE staged (id int)',
  ]);
  assert.deepEqual(found(closed).sort(), publicFindings);
});

test('a private field holding a prepare: false client keeps the SET LOCAL and session SET findings, and no prepared-statement one', () => {
  const { open, closed } = spelled([
    "import postgres from 'postgres';",
    'export class Tenants {',
    '  @sql = postgres(process.env.DATABASE_URL!, { prepare: false });',
    '  async use(tenant: string) {',
    '    await this.@sql`SET LOCAL app.tenant = ${tenant}`;',
    "    await this.@sql`SET statement_timeout = '5s'`;",
    '  }',
    '}',
  ]);
  const publicFindings = found(open);
  assert.deepEqual(publicFindings, ['set-local-outside-transaction SET LOCAL app.tenant = ${tenant}', "session-set SET statement_timeout = '5s'"]);
  assert.deepEqual(found(closed), publicFindings);
});

test('a pg pool in a private field (#pool) sends BEGIN and SET LOCAL on two connections; a connection taken from it does not', () => {
  const { open, closed } = spelled([
    "import { Pool, PoolClient } from 'pg';",
    'export class Ledger {',
    '  @pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    '  @held: PoolClient | null = null;',
    '  async loose() {',
    "    await this.@pool.query('BEGIN');",
    "    await this.@pool.query(\"SET LOCAL lock_timeout = '2s'\");",
    "    await this.@pool.query('COMMIT');",
    '  }',
    '  async kept() {',
    '    this.@held = await this.@pool.connect();',
    "    await this.@held.query('BEGIN');",
    "    await this.@held.query(\"SET LOCAL lock_timeout = '3s'\");",
    "    await this.@held.query('COMMIT');",
    '  }',
    '}',
  ]);
  const publicFindings = found(open);
  assert.deepEqual(publicFindings, ["set-local-outside-transaction SET LOCAL lock_timeout = '2s'"]);
  assert.deepEqual(found(closed), publicFindings);
});

test('a private field holding no client is not read as one: a template formatter and a map', () => {
  const text = [
    'export class Snippets {',
    "  #render = (parts: TemplateStringsArray, ...values: unknown[]) => parts.join('?');",
    '  #seen = new Map<string, number>();',
    '  examples() {',
    '    const one = this.#render`SET search_path TO ${"app"}`;',
    '    const two = this.#render`SELECT pg_advisory_lock(1)`;',
    "    this.#seen.set('LISTEN jobs', 1);",
    '    return [one, two];',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('#sql and sql are two members: a direct one-connection client in one does not clear the pool in the other', () => {
  const text = [
    "import postgres from 'postgres';",
    'export class Relay {',
    '  sql = postgres(process.env.DATABASE_URL_UNPOOLED!, { max: 1 });',
    '  #sql = postgres(process.env.DATABASE_URL!);',
    '  async subscribe() {',
    '    await this.sql`LISTEN on_direct`;',
    '    await this.#sql`LISTEN on_pool`;',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['protocol-prepared-statement postgres', 'listen LISTEN on_pool']);
  // And the other way round.
  const swapped = text.replace('  sql = ', '  @tmp = ').replace('  #sql = ', '  sql = ').replace('  @tmp = ', '  #sql = ');
  assert.deepEqual(found(swapped), ['protocol-prepared-statement postgres', 'listen LISTEN on_direct']);
});

test("a postgresql-client Connection in #conn makes this.#conn's listen a LISTEN, not that of a public conn holding something else", () => {
  const text = [
    "import { Connection } from 'postgresql-client';",
    "import { EventEmitter } from 'node:events';",
    'export class Feed {',
    '  #conn = new Connection(process.env.DATABASE_URL!);',
    '  conn: any = new EventEmitter();',
    '  start() {',
    "    this.conn.listen('ticks', () => undefined);",
    "    return this.#conn.listen('ticks', () => undefined);",
    '  }',
    '}',
  ].join('\n');
  const lines = analyze(text, 'typescript', {}, 'feed.ts').map((f) => `${f.rule} line ${text.slice(0, f.start).split('\n').length}`);
  assert.deepEqual(lines, ['listen line 8']);
});
