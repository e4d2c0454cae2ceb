import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPrimaryAndReplica } from '../helpers/replica';
import { startCluster, withPsql, type Cluster } from '../helpers/cluster';
import { startReplicaOfServer } from '../../cli/throwawayReplica';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (bounded) until `check` returns true. */
async function eventually(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

test('throwaway replica streams from its primary, is in recovery, refuses writes with 25006 and keeps the primary usable', async () => {
  const pair = await startPrimaryAndReplica({ applyDelayMs: 1000 });
  try {
    const { primary, replica } = pair;
    assert.equal(replica.psql('select pg_is_in_recovery()').trim(), 't');
    assert.equal(primary.psql('select pg_is_in_recovery()').trim(), 'f');
    await eventually('the primary lists a streaming replica', () =>
      primary.psql(`select state from pg_stat_replication where application_name = 'poolsafe_replica_${replica.port}'`).trim() === 'streaming');
    assert.equal(replica.psql('select status from pg_stat_wal_receiver').trim(), 'streaming');
    assert.equal(replica.psql('show recovery_min_apply_delay').trim(), '1s');
    // A write on the replica fails as a balancer's misrouted write would: read-only transaction, 25006.
    assert.throws(
      () => replica.psql(`do $$ begin create table t(i int); exception when read_only_sql_transaction then raise exception 'refused with %', sqlstate; end $$`),
      /refused with 25006/,
    );
    // The primary restarted for the copy and takes writes again.
    primary.psql('create table accounts(id int primary key, balance int); insert into accounts values (1, 100)');
    await pair.waitForReplay();
    assert.equal(replica.psql('select balance from accounts where id = 1').trim(), '100');
  } finally {
    pair.stop();
  }
});

/** A committed write reaches the replica at once but is visible there only after the apply delay. */
async function assertDelayedReplay(primary: Cluster, replica: Cluster, waitForReplay: () => Promise<void>): Promise<void> {
  primary.psql('create table orders(id int primary key)');
  await waitForReplay();
  const commitLsn = primary.psql('insert into orders values (7); select pg_current_wal_insert_lsn()').trim();
  // Stale read: the WAL with the commit has arrived on the replica, the row is not visible there yet.
  let receivedWhileHidden = false;
  await eventually('the replica received the commit', () => {
    const [received, rows] = replica.psql(`select pg_last_wal_receive_lsn() >= '${commitLsn}'::pg_lsn, (select count(*) from orders)`).trim().split('|');
    if (received === 't') receivedWhileHidden = rows === '0';
    return received === 't';
  });
  assert.ok(receivedWhileHidden, 'the committed row was visible on the replica as soon as its WAL arrived (no apply delay)');
  assert.equal(primary.psql('select count(*) from orders').trim(), '1');
  // After the delay the same read sees it.
  await eventually('the replica replays the commit', () => replica.psql('select count(*) from orders').trim() === '1');
}

test('throwaway replica receives a committed write at once but replays it only after recovery_min_apply_delay', async () => {
  // A long delay, so "received but not yet visible" cannot be missed by a slow machine.
  const pair = await startPrimaryAndReplica({ applyDelayMs: 4000 });
  try {
    await assertDelayedReplay(pair.primary, pair.replica, () => pair.waitForReplay());
  } finally {
    pair.stop();
  }
});

test('a replica of a running server (the dev database), made with pg_basebackup, streams from it with the apply delay', async () => {
  const devDatabase = await startCluster();
  try {
    devDatabase.psql("create role app login password 'app-pw'");
    devDatabase.psql('create database appdb owner app');
    const replica = withPsql(await startReplicaOfServer(devDatabase.url(), { applyDelayMs: 4000 }));
    try {
      assert.equal(replica.psql('select pg_is_in_recovery()').trim(), 't');
      assert.match(replica.url('appdb', 'app', 'app-pw'), /^postgres:\/\/app:app-pw@127\.0\.0\.1:\d+\/appdb$/);
      // The server's own users log in to the replica over TCP with their passwords (scram, as on the server).
      assert.equal(execFileSync('psql', ['-X', '-A', '-t', '-d', replica.url('appdb', 'app', 'app-pw'), '-c', 'select current_user, pg_is_in_recovery()'], { encoding: 'utf8' }).trim(), 'app|t');
      await assertDelayedReplay(devDatabase, replica, async () => {
        const target = devDatabase.psql('select pg_current_wal_insert_lsn()').trim();
        await eventually('the replica replays the table', () => replica.psql(`select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`).trim() === 't');
      });
    } finally {
      replica.stop();
    }
  } finally {
    devDatabase.stop();
  }
});
