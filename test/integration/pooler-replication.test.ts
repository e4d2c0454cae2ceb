// Replication connections through the pooler (startup `replication=`, as PgBouncer 1.23+ serves
// them): real psql and pg_receivewal against a throwaway cluster, in plaintext and over client TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN, run, startPooler, type RunningPooler } from './pooler-harness';
import { eventually } from './admin-harness';

let cluster: Cluster;
let dir: string;
let pooler: RunningPooler;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-replication-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
    '-days', '1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'pipe' });
  // The databases log in as the client's user (no user=). pg_receivewal asks for database
  // "replication" (libpq's name for physical replication), so the ini names one.
  const ini = join(dir, 'pgbouncer.ini');
  const server = `host=127.0.0.1 port=${cluster.port} dbname=postgres`;
  writeFileSync(ini, `[databases]\npostgres = ${server}\nreplication = ${server}\n[pgbouncer]\nunix_socket_dir =\n` +
    `auth_type = scram-sha-256\nauth_file = userlist.txt\nclient_tls_sslmode = prefer\n` +
    `client_tls_key_file = ${join(dir, 'tls.key')}\nclient_tls_cert_file = ${join(dir, 'tls.crt')}\n`);
  writeFileSync(join(dir, 'userlist.txt'), `"${cluster.user}" "${cluster.password}"\n`);
  pooler = await startPooler(cluster, ['--config', ini], { target: null });
});

after(async () => {
  await pooler?.stop();
  rmSync(dir, { recursive: true, force: true });
  return cluster?.stop();
});

function conninfo(params: Record<string, string>): string {
  return Object.entries({ host: '127.0.0.1', port: String(pooler.port), user: cluster.user, dbname: 'postgres', connect_timeout: '10', ...params })
    .map(([key, value]) => `${key}=${value}`).join(' ');
}

const env = () => ({ PGPASSWORD: cluster.password });

function walsenders(): number {
  return Number(cluster.psql("select count(*) from pg_stat_activity where backend_type = 'walsender'").trim());
}

test('replication=database and replication=true: IDENTIFY_SYSTEM answers from a walsender, over TLS and in plaintext', async () => {
  const systemId = cluster.psql('select system_identifier from pg_control_system()').trim();
  for (const sslmode of ['require', 'disable']) {
    const logical = await run(`${PG_BIN}/psql`, ['-X', '-At', '-F', '|', conninfo({ replication: 'database', sslmode }), '-c', 'IDENTIFY_SYSTEM'], { env: env(), timeoutMs: 20_000 });
    assert.equal(logical.code, 0, logical.stderr);
    const [id, , , database] = logical.stdout.trim().split('|');
    assert.equal(id, systemId);
    assert.equal(database, 'postgres', 'a logical replication connection is bound to its database');
    const physical = await run(`${PG_BIN}/psql`, ['-X', '-At', '-F', '|', conninfo({ replication: 'true', sslmode }), '-c', 'IDENTIFY_SYSTEM'], { env: env(), timeoutMs: 20_000 });
    assert.equal(physical.code, 0, physical.stderr);
    assert.equal(physical.stdout.trim().split('|')[3], '', 'a physical one is not');
  }
  // Each replication client had its own walsender, closed with it (never pooled).
  assert.ok(await eventually(() => walsenders() === 0), `walsenders left: ${walsenders()}`);
});

test('pg_receivewal streams WAL through the pooler (CopyBoth relayed both ways) up to a given position', async () => {
  cluster.psql('create table if not exists wal_filler as select generate_series(1, 1000) as n');
  const end = cluster.psql('select pg_current_wal_lsn()').trim();
  const target = mkdtempSync(join(dir, 'wal-'));
  const received = await run(`${PG_BIN}/pg_receivewal`, ['-d', conninfo({ sslmode: 'require' }), '-D', target, '--endpos', end, '--no-loop', '--no-sync'], {
    env: env(),
    timeoutMs: 60_000,
  });
  assert.equal(received.code, 0, received.stderr);
  assert.ok(readdirSync(target).length > 0, 'a WAL segment was written');
  assert.ok(await eventually(() => walsenders() === 0), 'the walsender ends with the client');
});

test('a replication value PostgreSQL does not know is refused before any server login', async () => {
  const refused = await run(`${PG_BIN}/psql`, ['-X', '-At', conninfo({ replication: 'sometimes', sslmode: 'disable' }), '-c', 'IDENTIFY_SYSTEM'], { env: env(), timeoutMs: 20_000 });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /invalid value for parameter "replication"/);
});
