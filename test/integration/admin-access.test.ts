// Who may use the admin console: admin_users run everything, stats_users only SHOW, other users are
// refused at login (PgBouncer's rules). An in-process pooler, since the lists come from configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { Pooler } from '../../extension/pooler/pooler';
import { configForTarget, parseTargetUrl } from '../../extension/pooler/config';
import { userSecret } from '../../extension/pooler/auth';
import type { AdminUserLists } from '../../extension/pooler/admin';
import { run } from './pooler-harness';

let cluster: Cluster;
let pooler: Pooler;
let port: number;

before(async () => {
  cluster = await startCluster();
  const config = configForTarget(parseTargetUrl(cluster.url()), { listen_port: 0 });
  for (const [name, password] of [['ops', 'ops-pw'], ['watcher', 'watch-pw'], ['nobody', 'nobody-pw']]) {
    config.users.set(name, userSecret(name, password));
  }
  const lists: AdminUserLists = { admin_users: ['ops'], stats_users: ['watcher'] };
  pooler = new Pooler(Object.assign(config, lists));
  port = (await pooler.start()).port;
});

after(async () => {
  await pooler?.shutdown();
  cluster?.stop();
});

function adminAs(user: string, password: string, sql: string) {
  return run('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'pgbouncer', '-c', sql], {
    env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
    timeoutMs: 20_000,
  });
}

test('admin_users run admin commands', async () => {
  const paused = await adminAs('ops', 'ops-pw', 'pause');
  assert.equal(paused.code, 0, paused.stderr);
  const resumed = await adminAs('ops', 'ops-pw', 'resume');
  assert.equal(resumed.code, 0, resumed.stderr);
  const set = await adminAs('ops', 'ops-pw', 'set default_pool_size = 5');
  assert.equal(set.code, 0, set.stderr);
  assert.equal(pooler.config.default_pool_size, 5);
});

test('stats_users may SHOW but not change anything', async () => {
  const version = await adminAs('watcher', 'watch-pw', 'show version');
  assert.equal(version.code, 0, version.stderr);
  for (const command of ['pause', 'resume', 'reload', 'shutdown', 'set default_pool_size = 9']) {
    const refused = await adminAs('watcher', 'watch-pw', command);
    assert.equal(refused.code, 1, command);
    assert.match(refused.stderr, /ERROR: +admin access needed/, command);
  }
  assert.equal(pooler.config.default_pool_size, 5);
});

test('users in neither list are refused at login; a wrong password fails first', async () => {
  const refused = await adminAs('nobody', 'nobody-pw', 'show version');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /FATAL: +not allowed/);
  const wrong = await adminAs('ops', 'bad', 'show version');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /password authentication failed for user "ops"/);
});
