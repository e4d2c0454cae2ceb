// RELOAD and SIGHUP re-read the ini given with --config, as PgBouncer does: each edit is observed
// through real clients (a pool size, a new and a changed [databases] entry, a new auth_file user),
// and a broken ini leaves the running configuration in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { loginError, startPooler, writeIni, type RunningPooler } from './pooler-harness';
import { admin, adminOk, clientOf, eventually, records, stillPending, track, type Side } from './admin-harness';

let cluster: Cluster;
let pooler: RunningPooler;
let ours: Side;
let iniPath: string;
let removeIni: () => void;

interface IniEdit {
  poolSize: number;
  movingTo: string;
  withAdded: boolean;
  withNewbie: boolean;
  authType?: string;
}

/** Writes the ini and its auth_file for one state of the test's configuration. */
function writeConfig(edit: IniEdit): void {
  const entry = (name: string, dbname: string) => `${name} = host=127.0.0.1 port=${cluster.port} dbname=${dbname}\n`;
  writeFileSync(
    iniPath,
    '[databases]\n' +
      entry('postgres', 'postgres') +
      entry('moving', edit.movingTo) +
      (edit.withAdded ? entry('added', 'second') : '') +
      `[pgbouncer]\npool_mode = transaction\nauth_file = userlist.txt\nadmin_users = ${cluster.user}\ndefault_pool_size = ${edit.poolSize}\n` +
      (edit.authType ? `auth_type = ${edit.authType}\n` : ''),
  );
  const users = [`"${cluster.user}" "${cluster.password}"\n`, ...(edit.withNewbie ? ['"newbie" "newbie-pw"\n'] : [])];
  writeFileSync(join(dirname(iniPath), 'userlist.txt'), users.join(''));
}

const INITIAL: IniEdit = { poolSize: 1, movingTo: 'postgres', withAdded: false, withNewbie: false };

before(async () => {
  cluster = await startCluster();
  cluster.psql('create database second');
  cluster.psql("create role newbie login password 'newbie-pw'");
  const ini = writeIni('');
  iniPath = ini.path;
  removeIni = ini.remove;
  writeConfig(INITIAL);
  pooler = await startPooler(cluster, ['--config', iniPath, '--server-policy', 'lifo']);
  ours = { name: 'poolsafe', port: pooler.port, url: (database = 'postgres', user, password) => pooler.url({ database, user, password }) };
});

after(async () => {
  await pooler?.stop();
  removeIni?.();
  cluster?.stop();
});

/** With one client inside a transaction, whether another client's query waits (pool size reached). */
async function secondClientWaits(t: { after(fn: () => unknown): void }): Promise<boolean> {
  const holder = await clientOf(t, ours);
  const other = await clientOf(t, ours);
  await holder.query('begin');
  await holder.query('select 1');
  const query = track(other.query('select 2'));
  const waited = await stillPending(query, 700);
  await holder.query('commit');
  await query.promise;
  return waited;
}

async function currentDatabase(client: { query(sql: string): Promise<{ rows: { db: string }[] }> }): Promise<string> {
  return (await client.query('select current_database() as db')).rows[0].db;
}

test('RELOAD applies an edited ini: pool size, a new and a changed [databases] entry, a new auth_file user', async (t) => {
  assert.equal(await secondClientWaits(t), true, 'default_pool_size = 1 did not hold the second client');
  assert.match((await loginError(ours.url('added'))).message, /no such database: added/);
  const moving = await clientOf(t, ours, 'moving');
  assert.equal(await currentDatabase(moving), 'postgres');
  assert.match((await loginError(ours.url('postgres', 'newbie', 'newbie-pw'))).message, /SASL authentication failed/);

  writeConfig({ poolSize: 2, movingTo: 'second', withAdded: true, withNewbie: true });
  const reloaded = await adminOk(cluster, pooler.port, 'reload');
  assert.match(reloaded.stdout, /RELOAD/);

  assert.equal(await secondClientWaits(t), false, 'default_pool_size = 2 from the reloaded ini did not apply');
  assert.equal(await currentDatabase(await clientOf(t, ours, 'added')), 'second');
  // The connected client's next transaction runs on a server of the new destination.
  assert.equal(await currentDatabase(moving), 'second');
  const newbie = await clientOf(t, { ...ours, url: () => ours.url('postgres', 'newbie', 'newbie-pw') });
  assert.equal((await newbie.query('select current_user as u')).rows[0].u, 'newbie');
});

test('SIGHUP reloads like RELOAD and the pooler keeps running', async (t) => {
  // From whatever the pooler runs now to a state no other test leaves: pool size 3 and `added`.
  writeConfig({ ...INITIAL, poolSize: 3, withAdded: true });
  assert.ok(pooler.process.kill('SIGHUP'));
  const applied = async () => records(await admin(cluster, pooler.port, 'show config')).find((r) => r.key === 'default_pool_size')?.value === '3';
  assert.ok(await eventually(applied), 'SIGHUP did not re-read the ini');
  assert.equal(pooler.process.exitCode, null, 'SIGHUP ended the pooler');
  assert.equal(await secondClientWaits(t), false, 'default_pool_size = 3 after SIGHUP did not apply');
  assert.equal(await currentDatabase(await clientOf(t, ours, 'added')), 'second');

  writeConfig(INITIAL);
  assert.ok(pooler.process.kill('SIGHUP'));
  const back = async () => records(await admin(cluster, pooler.port, 'show config')).find((r) => r.key === 'default_pool_size')?.value === '1';
  assert.ok(await eventually(back), 'the second SIGHUP did not re-read the ini');
  assert.equal(await secondClientWaits(t), true, 'default_pool_size = 1 after SIGHUP did not hold the second client');
  assert.match((await loginError(ours.url('added'))).message, /no such database: added/);
});

test('a broken ini: RELOAD fails with F0000 and the running configuration stays', async (t) => {
  writeConfig({ ...INITIAL, poolSize: 5, authType: 'no-such-method' });
  const failed = await admin(cluster, pooler.port, 'reload');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /ERROR: +F0000: RELOAD failed, see logs for additional details/);
  assert.match(pooler.stderr(), /RELOAD failed: .*auth_type.*no-such-method/);
  const poolSize = records(await admin(cluster, pooler.port, 'show config')).find((r) => r.key === 'default_pool_size');
  assert.equal(poolSize?.value, '1');
  const client = await clientOf(t, ours);
  assert.equal((await client.query('select 9 as n')).rows[0].n, 9);
  writeConfig(INITIAL);
});
