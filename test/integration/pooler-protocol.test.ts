// Protocol sequences that decide when a server connection may be handed on, driven by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, connectPg, cstr, frontend, startPooler, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let pooler: RunningPooler;

before(async () => {
  cluster = await startCluster();
  pooler = await startPooler(cluster, ['--pool-size', '1']);
});

after(async () => {
  await pooler?.stop();
  cluster?.stop();
});

function parse(name: string, sql: string): Buffer {
  return frontend('P', Buffer.concat([cstr(name), cstr(sql), Buffer.from([0, 0])]));
}

function bind(portal: string, statement: string): Buffer {
  return frontend('B', Buffer.concat([cstr(portal), cstr(statement), Buffer.from([0, 0, 0, 0, 0, 0])]));
}

function execute(portal: string, maxRows: number): Buffer {
  const rows = Buffer.alloc(4);
  rows.writeInt32BE(maxRows);
  return frontend('E', Buffer.concat([cstr(portal), rows]));
}

test('Flush without Sync keeps the server: a suspended portal continues on the same connection', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  raw.socket.write(Buffer.concat([parse('', 'select g from generate_series(1, 5) g'), bind('p1', ''), execute('p1', 2), frontend('H')]));
  assert.equal(await raw.readUntil('s'), '12DDs'); // ParseComplete, BindComplete, 2 rows, PortalSuspended
  // Another client needs the only server connection meanwhile: it must wait, not steal it.
  const other = await connectPg(pooler.url());
  t.after(() => other.end());
  const waiting = other.query('select 42 as answer');
  assert.ok(await raw.quietFor(300));
  raw.socket.write(Buffer.concat([execute('p1', 0), frontend('S')]));
  assert.equal(await raw.readUntil('Z'), 'DDDCZ');
  assert.deepEqual((await waiting).rows, [{ answer: 42 }]);
});

test('an error mid-pipeline: every Sync gets its ReadyForQuery and the server is released after the last', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  const step = (sql: string) => Buffer.concat([parse('', sql), bind('', ''), execute('', 0), frontend('S')]);
  raw.socket.write(Buffer.concat([step('select 1/0'), step('select 2'), step('select 3')]));
  assert.equal(await raw.readUntil('Z'), '1EZ'); // ParseComplete, then the error at Bind (constant folding)
  assert.equal(await raw.readUntil('Z'), '12DCZ');
  assert.equal(await raw.readUntil('Z'), '12DCZ');
  const other = await connectPg(pooler.url());
  t.after(() => other.end());
  assert.deepEqual((await other.query('select 1 as ok')).rows, [{ ok: 1 }]);
});

test('Terminate releases the server at once for the next client', async () => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  raw.socket.write(Buffer.concat([frontend('Q', cstr('select 1')), frontend('X')]));
  assert.equal(await raw.readUntil('Z'), 'TDCZ');
  raw.close();
  const other = await connectPg(pooler.url());
  assert.deepEqual((await other.query('select 2 as two')).rows, [{ two: 2 }]);
  await other.end();
});

// A client that sends half a message must not pin a server connection (PgBouncer waits for a whole
// small message before taking one); big messages are streamed once their header has arrived.
test('half a Query holds no server: another client runs meanwhile, then the half-sent query completes', async (t) => {
  const slow = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => slow.close());
  const query = frontend('Q', cstr('SELECT 42'));
  slow.socket.write(query.subarray(0, 3)); // type byte and half the length
  await new Promise((resolve) => setTimeout(resolve, 200));
  slow.socket.write(query.subarray(3, 8)); // header complete, body not
  await new Promise((resolve) => setTimeout(resolve, 200));

  const other = await connectPg(pooler.url());
  t.after(() => other.end());
  const started = Date.now();
  const { rows } = await other.query('SELECT 1 AS one');
  assert.equal(rows[0].one, 1);
  assert.ok(Date.now() - started < 3000, 'the only server connection was free for the other client');

  slow.socket.write(query.subarray(8));
  assert.equal(await slow.readUntil('Z'), 'TDCZ');
});

test('a message larger than 64 KB is streamed: the server is taken once its header is in', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  const big = frontend('Q', cstr(`SELECT length('${'x'.repeat(200_000)}')`));
  raw.socket.write(big.subarray(0, 100_000));
  await new Promise((resolve) => setTimeout(resolve, 200));
  raw.socket.write(big.subarray(100_000));
  assert.equal(await raw.readUntil('Z'), 'TDCZ');
});
