// auth_query + SCRAM pass-through + client TLS, side by side with a real PgBouncer (Debian 1.18):
// the same ini settings give the same logins and the same refusals through psql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../helpers/certificate';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer } from '../helpers/pgbouncer';
import { PG_BIN, run, startPooler } from './pooler-harness';

let cluster: Cluster;
let dir: string;

before(async () => {
  cluster = await startCluster();
  cluster.psql(`CREATE ROLE app LOGIN PASSWORD 'x'`);
  // Served by the `*` entry in both poolers (PoolSafe's --target already serves `postgres`).
  cluster.psql('CREATE DATABASE shared');
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-authpgb-'));
  chmodSync(dir, 0o755); // PgBouncer runs as `postgres` and must read the key and certificate
  selfSignedCertificate(dir, 'tls');
});

after(() => {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** psql's outcome with the port (the only expected difference) blanked out. */
async function psql(port: number, user: string, password: string, sslmode: string): Promise<string> {
  const url = `postgresql://${user}:${password}@127.0.0.1:${port}/shared?sslmode=${sslmode}`;
  const result = await run(`${PG_BIN}/psql`, ['-X', '-At', url, '-c', 'select current_user'], { timeoutMs: 20000 });
  return `${result.code} ${result.stdout.trim()} ${result.stderr.trim()}`.replaceAll(String(port), 'PORT');
}

test('auth_query with pass-through and client_tls_sslmode = require: PoolSafe answers psql as PgBouncer 1.18 does', async (t) => {
  const settings = {
    auth_user: cluster.user,
    client_tls_sslmode: 'require',
    client_tls_key_file: join(dir, 'tls.key'),
    client_tls_cert_file: join(dir, 'tls.crt'),
  };
  const bouncer = await startPgBouncer({ targetPort: cluster.port, users: [{ name: cluster.user, password: cluster.password }], extra: settings });
  t.after(() => bouncer.stop());
  const iniPath = join(dir, 'poolsafe.ini');
  writeFileSync(iniPath, [
    '[databases]', `* = host=127.0.0.1 port=${cluster.port}`, '[pgbouncer]',
    ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`), '',
  ].join('\n'));
  const pooler = await startPooler(cluster, ['--config', iniPath]);
  t.after(() => pooler.stop());

  const cases: [string, string, string][] = [
    ['app', 'x', 'require'], // auth_query finds app; the server login as app uses the client's SCRAM keys
    ['app', 'x', 'disable'], // plaintext refused
  ];
  for (const [user, password, sslmode] of cases) {
    const theirs = await psql(bouncer.port, user, password, sslmode);
    const ours = await psql(pooler.port, user, password, sslmode);
    assert.equal(ours, theirs, `${user} sslmode=${sslmode}`);
  }
  assert.equal(await psql(pooler.port, 'app', 'x', 'require'), '0 app ');
  assert.match(await psql(pooler.port, 'app', 'x', 'disable'), /FATAL: {2}SSL required/);
  // Over the unix socket (PgBouncer's default /tmp) TLS is not required, as in PgBouncer and PostgreSQL.
  const viaSocket = await run(`${PG_BIN}/psql`, ['-X', '-At', '-h', '/tmp', '-p', String(pooler.port), '-U', 'app', '-d', 'shared', '-c', 'select current_user'], {
    env: { PGPASSWORD: 'x' },
    timeoutMs: 20000,
  });
  assert.equal(viaSocket.stdout.trim(), 'app', viaSocket.stderr);
  // A wrong password is worded as PgBouncer words it.
  const ours = await psql(pooler.port, 'app', 'nope', 'require');
  const theirs = await psql(bouncer.port, 'app', 'nope', 'require');
  assert.match(ours, /FATAL: {2}SASL authentication failed/);
  assert.equal(ours, theirs);
});
