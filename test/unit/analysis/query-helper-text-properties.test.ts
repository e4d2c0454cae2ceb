// A helper of the file that sends a property of its parameter as a query's text (`conn.query(step.sql)`), or that
// property of each element of a list parameter it walks (`for (const step of steps) await conn.query(step.sql)`): the
// text its callers write at that property of an object literal (in a list, also inside spreads and choices) is read
// as sent by that query, on the client the caller hands the helper, and reported where it is written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'locks.ts'): string[] => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const LOCK = "const [row] = await runner.query('SELECT pg_try_advisory_lock(42) AS ok');";

/** A service whose cleanup method releases each lock it is handed, by the `sql` of the entry. */
const service = (finallyBody: string): string => `import type { DataSource, QueryRunner } from 'typeorm';
export class Rebuilder {
  constructor(private readonly source: DataSource) {}
  async rebuild(): Promise<void> {
    const runner = this.source.createQueryRunner();
    await runner.connect();
    let held = false;
    try {
      ${LOCK}
      held = row?.ok === true;
      await runner.query('REFRESH MATERIALIZED VIEW totals');
    } finally {
      ${finallyBody}
    }
  }
  private async release(runner: QueryRunner, releases: Array<{ sql: string; values: unknown[] }>): Promise<void> {
    for (const entry of releases) {
      await runner.query(entry.sql, entry.values);
    }
    await runner.release();
  }
  private async releaseOne(runner: QueryRunner, entry: { sql: string; values: unknown[] }): Promise<void> {
    await runner.query(entry.sql, entry.values);
  }
}
`;

const LOCK_AND_UNLOCK = ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_unlock'];
const LOCK_ONLY = ['advisory-lock pg_try_advisory_lock'];

test('an unlock written at the property a helper sends, of each element of a list: reported at the literal', () => {
  assert.deepEqual(found(service("await this.release(runner, [{ sql: 'SELECT pg_advisory_unlock(42)', values: [] }]);")), LOCK_AND_UNLOCK);
  // Inside a spread of a choice, as a conditional cleanup list is written.
  assert.deepEqual(found(service("await this.release(runner, [...(held ? [{ sql: 'SELECT pg_advisory_unlock(42)', values: [] }] : [])]);")), LOCK_AND_UNLOCK);
  // The list held in a const first.
  assert.deepEqual(found(service("const releases = held ? [{ sql: 'SELECT pg_advisory_unlock(42)', values: [] }] : [];\n      await this.release(runner, releases);")), LOCK_AND_UNLOCK);
});

test('an unlock written at the property a helper sends of one object: reported at the literal', () => {
  assert.deepEqual(found(service("await this.releaseOne(runner, { sql: 'SELECT pg_advisory_unlock(42)', values: [] });")), LOCK_AND_UNLOCK);
  // A plain function of a JS file, on a pool: each text a separate statement.
  const plain = [
    "const { Pool } = require('pg');",
    'const pool = new Pool();',
    'async function apply(db, step) { return db.query(step.text, step.args); }',
    "async function setup() { await apply(pool, { text: 'SET search_path = tenant_a', args: [] }); }",
    'module.exports = { setup };',
  ].join('\n');
  assert.deepEqual(found(plain, 'setup.js'), ['session-set SET search_path = tenant_a']);
});

test('texts the helper does not send, objects written elsewhere, and non-statements stay unread', () => {
  // Another property of the entry than the one sent.
  assert.deepEqual(found(service("await this.releaseOne(runner, { sql: 'SELECT 1', undo: 'SELECT pg_advisory_unlock(42)', values: [] });")), LOCK_ONLY);
  // The helper walks the list but sends each element's `sql`; an entry made by a call is not read.
  assert.deepEqual(found(service('await this.release(runner, [makeRelease(42)]);')), LOCK_ONLY);
  // A list handed to the helper that reads one object: its elements are not that object.
  assert.deepEqual(found(service("await this.releaseOne(runner, [{ sql: 'SELECT pg_advisory_unlock(42)', values: [] }] as any);")), LOCK_ONLY);
  // Read as a wrapper's text: a fragment gets no syntax error.
  assert.deepEqual(found(service("await this.releaseOne(runner, { sql: 'pg_advisory_unlock', values: [] });")), LOCK_ONLY);
});

/** A benchmark helper that applies each planner setting of its list on the client it holds, then measures a query. */
const planner = (call: string, signature = '{ client, query, settings }: { client: PoolClient; query: string; settings: string[] }', loop = 'for (const setting of settings) await client.query(setting);'): string => `import { Pool, type PoolClient } from 'pg';
const measure = async (${signature}) => {
  ${loop}
  const result = await client.query(\`EXPLAIN ANALYZE \${query}\`);
  return result.rows;
};
export async function main() {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL });
  const client = await pool.connect();
  ${call}
  client.release();
}
`;

test('a list of texts a helper sends one by one, written at the property its parameter destructures (or as the list parameter itself): each SET reported at its element', () => {
  assert.deepEqual(found(planner("await measure({ client, query: 'SELECT 1', settings: ['SET enable_seqscan = off', 'SET enable_bitmapscan = off'] });"), 'bench.ts'),
    ['session-set SET enable_seqscan = off', 'session-set SET enable_bitmapscan = off']);
  // Renamed on destructuring, held in a const, inside a spread of a choice.
  const renamed = planner("const FORCED = ['SET enable_seqscan = off'];\n  await measure({ client, query: 'SELECT 1', knobs: [...(forced ? FORCED : [])] });",
    '{ client, query, knobs: settings }: { client: PoolClient; query: string; knobs: string[] }');
  assert.deepEqual(found(renamed, 'bench.ts'), ['session-set SET enable_seqscan = off']);
  // The list as a parameter of its own.
  const plain = planner("await measure(client, 'SELECT 1', ['SET enable_hashjoin = off']);", 'client: PoolClient, query: string, settings: string[]');
  assert.deepEqual(found(plain, 'bench.ts'), ['session-set SET enable_hashjoin = off']);
});

test('a list a helper sends one by one is not read where the helper does not send each element itself, or the list is not written at the call', () => {
  const cases: Record<string, string> = {
    // Nothing to send.
    empty: planner("await measure({ client, query: 'SELECT 1', settings: [] });"),
    // The loop joins the texts and sends them once, in a callback the helper hands on, or sends a property of each element.
    joined: planner("await measure({ client, query: 'SELECT 1', settings: ['SET enable_seqscan = off'] });", undefined, "await client.query(settings.join(';'));"),
    callback: planner("await measure({ client, query: 'SELECT 1', settings: ['SET enable_seqscan = off'] });", undefined, 'const later = async () => { for (const setting of settings) await client.query(setting); }; hooks.push(later);'),
    // A list the caller builds elsewhere, or an object it did not write there.
    built: planner("await measure({ client, query: 'SELECT 1', settings: loadSettings() });"),
    objectElsewhere: planner('await measure(options);'),
    // A rest element is the whole remaining object, no list of its own.
    rest: planner("await measure({ client, query: 'SELECT 1', settings: ['SET enable_seqscan = off'] });", '{ client, query, ...settings }: any', 'for (const setting of settings.list) await client.query(setting);'),
  };
  for (const [name, text] of Object.entries(cases)) assert.deepEqual(found(text, 'bench.ts'), [], name);
});
