// Who may use the admin console, as PgBouncer decides it: with an ini, admin_users run everything,
// stats_users only SHOW, everybody else is refused at login (with neither list, nobody gets in);
// the CLI quick start (no ini) makes the target URL's user the admin. Run against the real pooler
// process and, for the ini rules, side by side with real PgBouncer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer';
import { loginError, startPooler, writeIni, type RunningPooler } from './pooler-harness';
import { admin, clientOf, records, stillPending, track, type Side } from './admin-harness';

const USERS = { ops: 'ops-pw', watcher: 'watch-pw', nobody: 'nobody-pw' } as const;
type ConsoleUser = keyof typeof USERS;

let cluster: Cluster;
let pooler: RunningPooler;
let bouncer: PgBouncer;
let sides: Side[];
const cleanups: (() => void)[] = [];

before(async () => {
  cluster = await startCluster();
  const ini = writeIni(`[pgbouncer]\nauth_file = userlist.txt\nadmin_users = ops\nstats_users = watcher\n`);
  cleanups.push(ini.remove);
  const userlist = Object.entries(USERS).map(([name, password]) => `"${name}" "${password}"\n`).join('');
  writeFileSync(join(dirname(ini.path), 'userlist.txt'), userlist);
  pooler = await startPooler(cluster, ['--config', ini.path]);
  bouncer = await startPgBouncer({
    targetPort: cluster.port,
    users: [{ name: 'ops', password: USERS.ops }, { name: 'watcher', password: USERS.watcher }, { name: 'nobody', password: USERS.nobody }, { name: cluster.user, password: cluster.password }],
    extra: { stats_users: 'watcher' },
  });
  sides = [
    { name: 'poolsafe', port: pooler.port, url: (database = 'postgres', user, password) => pooler.url({ database, user, password }) },
    {
      name: 'pgbouncer',
      port: bouncer.port,
      url: (database = 'postgres', user = cluster.user, password = cluster.password) => bouncer.url(database, user, password),
    },
  ];
});

after(async () => {
  await pooler?.stop();
  await bouncer?.stop();
  for (const cleanup of cleanups) cleanup();
  cluster?.stop();
});

function adminAs(side: Side, user: ConsoleUser | 'postgres', sql: string) {
  const password = user === 'postgres' ? cluster.password : USERS[user];
  return admin(cluster, side.port, sql, { user, password });
}

test('admin_users run process control: PAUSE really holds queries, SET really changes the setting', async (t) => {
  for (const side of sides) {
    const client = await clientOf(t, side);
    assert.equal((await adminAs(side, 'ops', 'pause')).code, 0, side.name);
    const held = track(client.query('select 1 as n'));
    assert.ok(await stillPending(held, 700), `${side.name}: a query ran although ops paused the pooler`);
    assert.equal((await adminAs(side, 'ops', 'resume')).code, 0, side.name);
    assert.equal((await held.promise).rows[0].n, 1);
    assert.equal((await adminAs(side, 'ops', 'set default_pool_size = 5')).code, 0, side.name);
    const config = records(await adminAs(side, 'ops', 'show config')).find((r) => r.key === 'default_pool_size');
    assert.equal(config?.value, '5', side.name);
  }
});

test('stats_users may SHOW but every command that acts fails with "admin access needed" and changes nothing', async (t) => {
  for (const side of sides) {
    const shown = await adminAs(side, 'watcher', 'show pools');
    assert.equal(shown.code, 0, `${side.name}: ${shown.stderr}`);
    for (const command of ['pause', 'suspend', 'kill', 'reload', 'reconnect', 'disable postgres', 'shutdown', 'set default_pool_size = 9']) {
      const refused = await adminAs(side, 'watcher', command);
      assert.equal(refused.code, 1, `${side.name}: ${command}`);
      assert.match(refused.stderr, /ERROR: +08P01: admin access needed/, `${side.name}: ${command}`);
    }
    // Nothing happened: still running, the setting unchanged, clients served at once (not paused).
    const config = records(await adminAs(side, 'watcher', 'show config')).find((r) => r.key === 'default_pool_size');
    assert.notEqual(config?.value, '9', side.name);
    const client = await clientOf(t, side);
    assert.equal((await client.query('select 2 as n')).rows[0].n, 2);
  }
});

test('users in neither list are refused at login with FATAL 08P01 "not allowed", even the server superuser', async () => {
  for (const side of sides) {
    for (const user of ['nobody', 'postgres'] as const) {
      for (const command of ['show pools', 'pause', 'set default_pool_size = 3']) {
        const refused = await adminAs(side, user, command);
        assert.equal(refused.code, 2, `${side.name} ${user} ${command}: ${refused.stdout}`);
        assert.match(refused.stderr, /FATAL: +not allowed/, `${side.name} ${user}`);
      }
      const password = user === 'postgres' ? cluster.password : USERS[user];
      const error = await loginError(side.url('pgbouncer', user, password));
      assert.equal(error.code, '08P01', `${side.name} ${user}`);
    }
    const wrong = await admin(cluster, side.port, 'show version', { user: 'ops', password: 'bad' });
    assert.equal(wrong.code, 2);
    // The password is checked first (PgBouncer 1.18 words a failed SCRAM exchange its own way).
    assert.match(wrong.stderr, /password authentication failed for user "ops"|SASL authentication failed/, side.name);
  }
});

test('an ini without admin_users and stats_users lets nobody into the console', async (t) => {
  const ini = writeIni('[pgbouncer]\npool_mode = transaction\n');
  t.after(ini.remove);
  const own = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => own.stop());
  const refused = await admin(cluster, own.port, 'show version');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /FATAL: +not allowed/);
  assert.equal((await loginError(own.url({ database: 'pgbouncer' }))).code, '08P01');
});

test('the CLI quick start (no ini) makes the target URL user the admin', async (t) => {
  const own = await startPooler(cluster);
  t.after(() => own.stop());
  const side: Side = { name: 'quick start', port: own.port, url: (database = 'postgres') => own.url({ database }) };
  assert.equal((await adminAs(side, 'postgres', 'pause')).code, 0);
  assert.equal(Object.fromEntries((await adminAs(side, 'postgres', 'show state')).rows).paused, 'yes');
  assert.equal((await adminAs(side, 'postgres', 'resume')).code, 0);
  const client = await clientOf(t, side);
  assert.equal((await client.query('select 3 as n')).rows[0].n, 3);
});
