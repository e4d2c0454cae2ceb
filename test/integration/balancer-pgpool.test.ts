// `--load-balance pgpool` in front of a real primary and its real streaming replica (replaying 1 s
// late): where each statement runs (each statement reports the port of the server that ran it),
// the per-host server connections in SHOW SERVERS / SHOW POOLS, and the two hazards live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../helpers/replica';
import { startPooler, type RunningPooler } from './pooler-harness';
import { adminOk, records } from './admin-harness';

let pair: PrimaryAndReplica;
let pooler: RunningPooler;

before(async () => {
  pair = await startPrimaryAndReplica({ applyDelayMs: 1500 });
  pair.primary.psql('create table items (id serial primary key, name text)');
  pair.primary.psql("create sequence ids; create function next_id() returns bigint stable language sql as 'select nextval(''ids'')'");
  await pair.waitForReplay();
  pooler = await startPooler(pair.primary, ['--replica', pair.replica.url(), '--load-balance', 'pgpool', '--pool-size', '4']);
});

after(async () => {
  await pooler?.stop();
  pair?.stop();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: pooler.url() });
  await client.connect();
  return client;
}

/** The port of the server that ran `sql` (which must return current_setting('port') as `port`). */
async function portOf(client: pg.Client, sql: string): Promise<number> {
  const result = await client.query(sql);
  return Number(result.rows[0].port);
}

test('reads outside a transaction run on the replica, writes on the primary', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  const read = await client.query("select current_setting('port') as port, pg_catalog.current_setting('transaction_read_only') as ro");
  assert.equal(Number(read.rows[0].port), pair.replica.port);
  assert.equal(read.rows[0].ro, 'on', 'the replica is read-only');
  assert.equal(await portOf(client, "insert into items (name) values ('a') returning current_setting('port') as port"), pair.primary.port);
});

test('in a transaction: reads before the first write on the replica, everything after it on the primary', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  await client.query('begin');
  assert.equal(await portOf(client, "select current_setting('port') as port"), pair.replica.port);
  assert.equal(await portOf(client, "insert into items (name) values ('b') returning current_setting('port') as port"), pair.primary.port);
  assert.equal(await portOf(client, "select current_setting('port') as port"), pair.primary.port);
  await client.query('commit');
  assert.equal(await portOf(client, "select current_setting('port') as port"), pair.replica.port, 'after COMMIT reads balance again');
});

test('a volatile function makes a SELECT a write: nextval runs on the primary', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  assert.equal(await portOf(client, "select nextval('ids'), current_setting('port') as port"), pair.primary.port);
});

test('read-after-write: a read of a table just written, sent to the lagging replica, is a hazard with both statements', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  await client.query("insert into items (name) values ('fresh-row')");
  const seen = await client.query("select count(*)::int as n from items where name = 'fresh-row'");
  assert.equal(seen.rows[0].n, 0, 'the replica had not replayed the insert: the read saw old data');
  const hazard = await waitForHazard('read-after-write');
  assert.equal(hazard.kind, 'error');
  assert.match(hazard.statement, /select count\(\*\)::int as n from items/);
  assert.match(hazard.detail, /insert into items \(name\) values \('fresh-row'\)/);
  assert.match(hazard.detail, new RegExp(`replica 127\\.0\\.0\\.1:${pair.replica.port}`));
});

test('write-in-read: a STABLE function that calls nextval goes to the replica as a read and fails with 25006', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  await assert.rejects(client.query('select next_id()'), (error: Error & { code?: string }) => error.code === '25006');
  const hazard = await waitForHazard('write-in-read');
  assert.equal(hazard.statement, 'select next_id()');
  assert.match(hazard.detail, /^25006 .*replica 127\.0\.0\.1:\d+ as a read/);
});

test('SHOW SERVERS and SHOW POOLS tell which host each server connection and pool is on', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  await client.query('begin');
  await client.query('select 1');
  await client.query("insert into items (name) values ('c')");
  const servers = await adminRecords(pair.primary, pooler.port, 'show servers');
  await client.query('commit');
  const roles = new Set(servers.filter((s) => s.state === 'active').map((s) => `${s.role} ${s.host}`));
  assert.ok(roles.has(`primary 127.0.0.1:${pair.primary.port}`), JSON.stringify(servers));
  assert.ok(roles.has(`replica 127.0.0.1:${pair.replica.port}`), JSON.stringify(servers));
  const pools = await adminRecords(pair.primary, pooler.port, 'show pools');
  const replicaPool = pools.find((p) => p.role === 'replica');
  assert.equal(replicaPool?.host, `127.0.0.1:${pair.replica.port}`);
  assert.equal(replicaPool?.load_balance_hosts, 'pgpool');
  assert.equal(replicaPool?.host_status, 'up');
  const hosts = await adminRecords(pair.primary, pooler.port, 'show hosts');
  assert.deepEqual(hosts.map((h) => `${h.role}:${h.port}:${h.status}`), [`primary:${pair.primary.port}:up`, `replica:${pair.replica.port}:up`]);
});

async function adminRecords(cluster: PrimaryAndReplica['primary'], port: number, sql: string): Promise<Record<string, string>[]> {
  return records(await adminOk(cluster, port, sql));
}

async function waitForHazard(rule: string): Promise<Record<string, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await adminRecords(pair.primary, pooler.port, 'show hazards');
    const found = rows.find((row) => row.rule === rule);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${rule} hazard within 10 s; hazards: ${JSON.stringify(rows)}; stderr: ${pooler.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
