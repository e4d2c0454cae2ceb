// The PgBouncer harness itself: a real pgbouncer in front of a throwaway cluster, driven by psql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer } from '../helpers/pgbouncer';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

function psql(port: number, database: string, password: string, sql: string) {
  return spawnSync('psql', ['-X', '-q', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', cluster.user, '-d', database, '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
    timeout: 20_000,
  });
}

test('psql runs queries through PgBouncer (scram-sha-256, transaction mode)', async (t) => {
  const bouncer = await startPgBouncer({ targetPort: cluster.port, poolSize: 2, users: [{ name: cluster.user, password: cluster.password }] });
  t.after(() => bouncer.stop());
  const ok = psql(bouncer.port, 'postgres', cluster.password, 'select 1');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '1');

  // The server sees PgBouncer's connection, not psql's: its backend runs on the cluster's port.
  const port = psql(bouncer.port, 'postgres', cluster.password, 'select inet_server_port()');
  assert.equal(port.stdout.trim(), String(cluster.port));

  const admin = psql(bouncer.port, 'pgbouncer', cluster.password, 'show config');
  assert.equal(admin.status, 0, admin.stderr);
  assert.match(admin.stdout, /^pool_mode\|transaction\|/m);
  assert.match(admin.stdout, /^default_pool_size\|2\|/m);

  const wrong = psql(bouncer.port, 'postgres', 'wrong-password', 'select 1');
  assert.notEqual(wrong.status, 0);
  // PgBouncer 1.18 words a failed SCRAM exchange differently from PostgreSQL ("password authentication failed for user").
  assert.match(wrong.stderr, /FATAL: +SASL authentication failed/);
});

test('session mode and md5 client auth with extra settings', async (t) => {
  const bouncer = await startPgBouncer({
    targetPort: cluster.port,
    poolMode: 'session',
    authType: 'md5',
    users: [{ name: cluster.user, password: cluster.password }],
    extra: { server_lifetime: '1234' },
  });
  t.after(() => bouncer.stop());
  const admin = psql(bouncer.port, 'pgbouncer', cluster.password, 'show config');
  assert.equal(admin.status, 0, admin.stderr);
  assert.match(admin.stdout, /^pool_mode\|session\|/m);
  assert.match(admin.stdout, /^auth_type\|md5\|/m);
  const ok = psql(bouncer.port, 'postgres', cluster.password, 'select current_user');
  assert.equal(ok.stdout.trim(), cluster.user, ok.stderr);
});

test('SCRAM verifier in userlist.txt: clients checked without the password, server login passed through', async (t) => {
  const verifier = cluster.psql(`select rolpassword from pg_authid where rolname = '${cluster.user}'`).trim();
  assert.match(verifier, /^SCRAM-SHA-256\$/);
  const bouncer = await startPgBouncer({
    targetPort: cluster.port,
    users: [{ name: cluster.user, password: cluster.password, scramVerifier: verifier }],
  });
  t.after(() => bouncer.stop());
  const ok = psql(bouncer.port, 'postgres', cluster.password, 'select 40 + 2');
  assert.equal(ok.stdout.trim(), '42', ok.stderr);
  const wrong = psql(bouncer.port, 'postgres', 'wrong-password', 'select 1');
  assert.notEqual(wrong.status, 0);
});

test('a missing binary fails loudly', async () => {
  await assert.rejects(
    startPgBouncer({ targetPort: cluster.port, users: [], binary: '/nonexistent/pgbouncer' }),
    /PgBouncer binary not found at \/nonexistent\/pgbouncer/,
  );
});

test('stop() ends the pgbouncer process', async () => {
  const bouncer = await startPgBouncer({ targetPort: cluster.port, users: [{ name: cluster.user, password: cluster.password }] });
  await bouncer.stop();
  assert.throws(() => process.kill(bouncer.pid, 0), /ESRCH/);
});
