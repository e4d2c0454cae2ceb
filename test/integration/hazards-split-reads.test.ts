// Messages that reach the pooler in pieces are inspected like whole ones: a client that sends one
// byte per write still gets its session state reported, and a protocol-level Close (with
// --max-prepared-statements 0) clears the statement it closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, extended, frontend, cstr } from './pooler-harness';
import { expectHazard, hazardsOf, showHazards, startHazardPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const { parse, bind, execute, sync, closeStatement } = extended;

test('a Query sent one byte at a time is inspected: origin hazard for its set_config', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  await client.sendByteByByte(frontend('Q', cstr("select set_config('app.split_query', 'on', false)")));
  assert.equal(await client.readUntil('Z'), 'TDCZ');
  expectHazard(await showHazards(pooler), 'origin', 'session-set', 'app.split_query');
});

test('a Parse sent one byte at a time is inspected: origin hazard for its pg_advisory_lock', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  await client.sendByteByByte(Buffer.concat([parse('', 'select pg_advisory_lock(4711)'), bind(''), execute(), sync()]));
  assert.equal(await client.readUntil('Z'), '12DCZ');
  expectHazard(await showHazards(pooler), 'origin', 'advisory-lock', 'pg_advisory_lock(4711)');
});

test('--max-prepared-statements 0: a named statement closed by a protocol Close in its transaction leaves no hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '0']);
  t.after(() => pooler.stop());
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  client.socket.write(Buffer.concat([parse('closed_soon', 'select 1'), bind('closed_soon'), execute(), closeStatement('closed_soon'), sync()]));
  assert.equal(await client.readUntil('Z'), '12DC3Z');
  // Control: a statement left open in the same way is reported, so the check above can fail.
  client.socket.write(Buffer.concat([parse('kept', 'select 2'), bind('kept'), execute(), sync()]));
  assert.equal(await client.readUntil('Z'), '12DCZ');
  const rows = await showHazards(pooler);
  expectHazard(rows, 'origin', 'protocol-prepared-statement', 'select 2');
  assert.deepEqual(hazardsOf(rows, 'origin', 'protocol-prepared-statement').map((row) => row.statement), ['select 2']);
});
