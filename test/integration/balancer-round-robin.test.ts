// `--load-balance round-robin` (PgBouncer's load_balance_hosts) in front of a real primary and its
// real streaming replica: each new server connection goes to the next host with no read/write
// awareness, so a client whose transaction lands on the replica has its write refused with 25006 —
// the bug this mode reproduces — and the pooler itself opens no connection of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../helpers/replica';
import { startPooler, type RunningPooler } from './pooler-harness';

let pair: PrimaryAndReplica;
let pooler: RunningPooler;

before(async () => {
  pair = await startPrimaryAndReplica({ applyDelayMs: 0 });
  pair.primary.psql('create table items (id serial primary key, name text)');
  await pair.waitForReplay();
  pooler = await startPooler(pair.primary, ['--replica', pair.replica.url(), '--load-balance', 'round-robin', '--pool-size', '2']);
});

after(async () => {
  await pooler?.stop();
  pair?.stop();
});

/** Server backends of the pooler's user on a host, other than the one asking. */
function backendsOn(cluster: PrimaryAndReplica['primary']): number {
  return Number(cluster.psql(`select count(*) from pg_stat_activity where usename = '${cluster.user}' and pid <> pg_backend_pid() and backend_type = 'client backend'`).trim());
}

test('round-robin: two server connections land on the two hosts, and a write on the replica one fails with 25006', async (t) => {
  const clients = [new pg.Client({ connectionString: pooler.url() }), new pg.Client({ connectionString: pooler.url() })];
  t.after(() => Promise.all(clients.map((c) => c.end().catch(() => {}))));
  for (const client of clients) await client.connect();
  // Both hold a transaction open, so the pool has to open a second server connection.
  const ports: number[] = [];
  for (const client of clients) {
    await client.query('begin');
    ports.push(Number((await client.query("select current_setting('port') as port")).rows[0].port));
  }
  assert.deepEqual([...ports].sort(), [pair.primary.port, pair.replica.port].sort(), `ports ${ports.join(', ')}`);
  const onReplica = clients[ports.indexOf(pair.replica.port)];
  const onPrimary = clients[ports.indexOf(pair.primary.port)];
  await assert.rejects(onReplica.query("insert into items (name) values ('lost')"), (error: Error & { code?: string }) => error.code === '25006');
  await onReplica.query('rollback');
  await onPrimary.query("insert into items (name) values ('kept')");
  await onPrimary.query('commit');
  assert.equal(pair.primary.psql("select string_agg(name, ',') from items").trim(), 'kept');
});

test('round-robin opens no monitoring connection: with no client, no server backends on either host', async () => {
  // The previous test's server connections are idle in the pool: close them, then count.
  pair.primary.psql(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${pair.primary.user}' and pid <> pg_backend_pid() and backend_type = 'client backend'`);
  pair.replica.psql(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${pair.replica.user}' and pid <> pg_backend_pid() and backend_type = 'client backend'`);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than sr_check_period (1 s): a watcher would have logged in again
  assert.equal(backendsOn(pair.primary), 0);
  assert.equal(backendsOn(pair.replica), 0);
});
