// docs/architecture.md table row: protocol-level named prepared statements (drivers). With --max-prepared-statements 0
// they fail as behind PgBouncer < 1.21 (26000 on the next transaction) and hazards explain it; with
// 200 the pooler prepares them on whichever connection the client lands on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg } from './pooler-harness';
import { expectHazard, hazardsOf, showHazards, startHazardPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const NAMED = { name: 'double-it', text: 'select $1::int * 2 as x' };

test('node-postgres named query, --max-prepared-statements 0, rotate: 26000 on the next transaction, with hazards', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '0']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url({ application: 'pg-named' }));
  t.after(() => client.end());
  assert.equal((await client.query({ ...NAMED, values: [21] })).rows[0].x, 42);
  await assert.rejects(client.query({ ...NAMED, values: [21] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, '26000');
    assert.match(error.message, /prepared statement "double-it" does not exist/);
    return true;
  });
  const rows = await showHazards(pooler);
  expectHazard(rows, 'origin', 'protocol-prepared-statement', 'select $1::int * 2');
  const error = expectHazard(rows, 'error', 'protocol-prepared-statement');
  assert.match(error.detail, /26000/);
  assert.equal(error.application_name, 'pg-named');
});

test('node-postgres named query, --max-prepared-statements 0, lifo: passes with one client', async (t) => {
  const pooler = await startHazardPooler(cluster, 'lifo', ['--max-prepared-statements', '0']);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  for (let i = 0; i < 3; i++) assert.equal((await client.query({ ...NAMED, values: [i] })).rows[0].x, i * 2);
});

test('postgres.js default prepare: true, --max-prepared-statements 0, rotate: fails with 26000, error hazards', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '0']);
  t.after(() => pooler.stop());
  const sql = postgres(pooler.url({ application: 'postgres-js' }), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  t.after(() => sql.end({ timeout: 5 }));
  assert.equal((await sql`select ${21}::int * 2 as x`)[0].x, 42);
  // Outside a transaction postgres.js hides the 26000 by re-preparing once; inside one the retry meets
  // the aborted transaction and the 26000 reaches the application.
  await assert.rejects(
    sql.begin((tx) => tx`select ${21}::int * 2 as x`),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, '26000');
      return true;
    },
  );
  const rows = await showHazards(pooler);
  expectHazard(rows, 'origin', 'protocol-prepared-statement', 'select $1::int * 2');
  const error = expectHazard(rows, 'error', 'protocol-prepared-statement');
  assert.equal(error.application_name, 'postgres-js');
});

for (const driver of ['pg', 'postgres.js'] as const) {
  test(`${driver} named statements with --max-prepared-statements 200, rotate: every run works, no hazards`, async (t) => {
    const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '200']);
    t.after(() => pooler.stop());
    const results: number[] = [];
    if (driver === 'pg') {
      const client = await connectPg(pooler.url());
      t.after(() => client.end());
      for (let i = 0; i < 6; i++) results.push((await client.query({ ...NAMED, values: [i] })).rows[0].x);
      // Two names interleaved, then DEALLOCATE ALL and reuse (PgBouncer ≥ 1.22 semantics).
      for (let i = 0; i < 4; i++) results.push((await client.query({ name: 'plus-one', text: 'select $1::int + 1 as x', values: [i] })).rows[0].x);
      await client.query('DEALLOCATE ALL');
      results.push((await client.query({ name: 'fresh', text: 'select $1::int as x', values: [7] })).rows[0].x);
      assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 1, 2, 3, 4, 7]);
    } else {
      const sql = postgres(pooler.url(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
      t.after(() => sql.end({ timeout: 5 }));
      for (let i = 0; i < 6; i++) results.push((await sql`select ${i}::int * 2 as x`)[0].x);
      assert.deepEqual(results, [0, 2, 4, 6, 8, 10]);
    }
    const rows = await showHazards(pooler);
    assert.deepEqual(hazardsOf(rows, 'error', 'protocol-prepared-statement'), []);
    assert.deepEqual(hazardsOf(rows, 'origin', 'protocol-prepared-statement'), []);
  });
}
