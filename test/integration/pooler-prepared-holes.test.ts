// Pooler-side prepared statements (max_prepared_statements > 0): the client's own unnamed statement,
// answers split across reads, and Parses that fail are handled as PostgreSQL would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, connectPg, extended, startPooler } from './pooler-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const { parse, bind, execute, describeStatement: describe, sync } = extended;

/** Message types as letter → count (short enough to read in a failure). */
function counts(types: string): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const type of types) tally[type] = (tally[type] ?? 0) + 1;
  return tally;
}

/** The text cell of the first DataRow among messages up to ReadyForQuery. */
async function firstCell(client: RawClient): Promise<{ types: string; cell: string | null }> {
  let types = '';
  let cell: string | null = null;
  for (;;) {
    const { type, body } = await client.next();
    types += String.fromCharCode(type);
    if (type === 0x44 && cell === null) cell = body.toString('utf8', 6, 6 + body.readInt32BE(2));
    if (type === 0x5a) return { types, cell };
  }
}

test('prepared mode: Parse of a statement the server already has keeps the client unnamed statement', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1', '--max-prepared-statements', '100']);
  t.after(() => pooler.stop());
  // One server connection: the first client leaves 'known' prepared on it.
  const first = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => first.close());
  first.socket.write(Buffer.concat([parse('known', 'select 2 as two'), sync()]));
  assert.equal(await first.readUntil('Z'), '1Z');
  // The second client (a name it never used: re-using one of its own names ends a client, as in
  // PgBouncer) sends its unnamed statement, a Parse of the statement the server already has, then
  // Bind of the unnamed one: its unnamed statement must survive.
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  client.socket.write(Buffer.concat([parse('', 'select 1 as one'), parse('known', 'select 2 as two'), bind(''), execute(), sync()]));
  assert.deepEqual(await firstCell(client), { types: '112DCZ', cell: '1' });
});

test('prepared mode: answers the pooler swallows are never passed on when split across reads', async (t) => {
  // Many small answers (CloseComplete/ParseComplete swallowed, ParameterDescription, NoData) make a
  // read boundary fall inside a swallowed 5-byte message; each round moves to the other connection.
  const pooler = await startPooler(cluster, ['--pool-size', '2', '--server-policy', 'rotate', '--max-prepared-statements', '50']);
  t.after(() => pooler.stop());
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  const names = Array.from({ length: 3000 }, (_, i) => `s${i}`);
  client.socket.write(Buffer.concat([...names.map((name) => parse(name, `BEGIN /* ${name} */`)), sync()]));
  assert.deepEqual(counts(await client.readUntil('Z', 30000)), { '1': names.length, Z: 1 });
  for (let round = 0; round < 4; round++) {
    client.socket.write(Buffer.concat([...names.map((name) => describe(name)), sync()]));
    const seen = counts(await client.readUntil('Z', 30000));
    assert.deepEqual(seen, { t: names.length, n: names.length, Z: 1 }, `round ${round}: only ParameterDescription and NoData per Describe`);
  }
});

test('prepared mode, node-postgres: a named query whose Parse failed works once its table exists', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '1', '--max-prepared-statements', '100']);
  t.after(() => pooler.stop());
  cluster.psql('drop table if exists appears_later');
  const query = { name: 'later', text: 'select count(*)::int as n from appears_later' };
  const first = await connectPg(pooler.url());
  await assert.rejects(first.query(query), /relation "appears_later" does not exist/);
  await first.end();
  cluster.psql('create table appears_later (id int)');
  t.after(() => cluster.psql('drop table if exists appears_later'));
  const second = await connectPg(pooler.url());
  t.after(() => second.end());
  assert.equal((await second.query(query)).rows[0].n, 0);
});

test('prepared mode, node-postgres: a Parse the pooler injected and the server refused is prepared again later', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '2', '--server-policy', 'rotate', '--max-prepared-statements', '100']);
  t.after(() => pooler.stop());
  cluster.psql('drop table if exists comes_and_goes; create table comes_and_goes (id int)');
  t.after(() => cluster.psql('drop table if exists comes_and_goes'));
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const query = { name: 'flaky', text: 'select count(*)::int as n from comes_and_goes' };
  assert.equal((await client.query(query)).rows[0].n, 0); // prepared on connection A
  cluster.psql('drop table comes_and_goes');
  // Connection B: the pooler injects the Parse, which fails (the table is gone).
  await assert.rejects(client.query(query), /relation "comes_and_goes" does not exist/);
  cluster.psql('create table comes_and_goes (id int)');
  for (let i = 0; i < 4; i++) assert.equal((await client.query(query)).rows[0].n, 0, `run ${i} (connections A and B in turn)`);
});
