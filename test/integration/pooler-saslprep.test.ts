// SCRAM passwords that SASLprep changes, as PostgreSQL and node-postgres prepare them: 'IX-\u2168'
// (ROMAN NUMERAL NINE) is "IX-IX" after NFKC. PostgreSQL stores the verifier of the prepared form,
// node-postgres answers with it; the pooler must derive its keys the same way both when it checks a
// client and when it logs in to the server (found by node-postgres's own sasl-scram tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg, loginError, startPoolerWithIni, type RunningPooler } from './pooler-harness';

const RAW = 'IX-\u2168';
const PREPARED = 'IX-IX';

let cluster: Cluster;
let dir: string;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-saslprep-'));
  cluster.psql(`CREATE ROLE roman LOGIN PASSWORD U&'IX-\\2168'`);
});

after(() => {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ini(authType: string): string {
  // No user= on the database: the pooler logs in as the client's user with the userlist's secret.
  return `[databases]\npostgres = host=127.0.0.1 port=${cluster.port} dbname=postgres\n[pgbouncer]\nauth_type = ${authType}\nauth_file = userlist.txt\n`;
}

async function currentUser(pooler: RunningPooler, password: string): Promise<string> {
  const client = await connectPg(pooler.url({ user: 'roman', password }));
  try {
    return (await client.query('select current_user as u')).rows[0].u as string;
  } finally {
    await client.end();
  }
}

test('a plaintext userlist password SASLprep changes: the client logs in with the raw or the prepared form, and the pooler logs in to PostgreSQL with it; a wrong one fails', async (t) => {
  const pooler = await startPoolerWithIni(cluster, dir, t, ini('scram-sha-256'), `"roman" "${RAW}"\n`);
  assert.equal(await currentUser(pooler, RAW), 'roman');
  assert.equal(await currentUser(pooler, PREPARED), 'roman');
  assert.equal((await loginError(pooler.url({ user: 'roman', password: 'IX-X' }))).code, '28P01');
});

test("auth_type plain against PostgreSQL's own verifier: the cleartext answer is SASLprepped before PBKDF2", async (t) => {
  const verifier = cluster.psql(`SELECT rolpassword FROM pg_authid WHERE rolname = 'roman'`).trim();
  assert.match(verifier, /^SCRAM-SHA-256\$/);
  // The server login needs a password the pooler can use: a forced user= with the cluster's own.
  const forced = `[databases]\npostgres = host=127.0.0.1 port=${cluster.port} dbname=postgres user=${cluster.user} password=${cluster.password}\n` +
    '[pgbouncer]\nauth_type = plain\nauth_file = userlist.txt\n';
  const pooler = await startPoolerWithIni(cluster, dir, t, forced, `"roman" "${verifier}"\n`);
  assert.equal(await currentUser(pooler, RAW), cluster.user);
  assert.equal((await loginError(pooler.url({ user: 'roman', password: 'IX-X' }))).code, '28P01');
});
