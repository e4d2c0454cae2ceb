// Client authentication, startup edge cases, TLS to the server, and the CLI contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { selfSignedCertificate } from '../helpers/certificate';
import { poolerPath } from '../helpers/paths';
import { connectPg, loginError, run, startPooler, writeIni } from './pooler-harness';
import { GSSENC_REQUEST_CODE, MessageReader, parseErrorFields, sslRequest } from '../../extension/pooler/protocol';
import { formatScramVerifier, scramSecretFromPassword } from '../../extension/pooler/auth';

let cluster: Cluster;
let certDir: string;

/** A self-signed certificate readable by the server, which runs as `postgres` when we are root. */
function makeCertificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-cert-'));
  chmodSync(dir, 0o755);
  selfSignedCertificate(dir, 'server');
  // A second, unrelated certificate: the wrong CA for verify-ca.
  selfSignedCertificate(dir, 'other', 'elsewhere');
  return dir;
}

before(async () => {
  certDir = makeCertificate();
  cluster = await startCluster({
    settings: { ssl: 'on', ssl_cert_file: `'${join(certDir, 'server.crt')}'`, ssl_key_file: `'${join(certDir, 'server.key')}'` },
  });
});

after(() => {
  cluster?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

/** Sends raw startup bytes and returns the first reply bytes. */
async function rawReply(port: number, bytes: Buffer): Promise<Buffer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(bytes);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return chunk;
}

test('scram-sha-256: wrong password and unknown user fail alike (PgBouncer\'s "SASL authentication failed"), unknown database with 3D000 only after a good password', async (t) => {
  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  const wrong = await loginError(pooler.url({ password: 'nope' }));
  assert.equal(wrong.code, '28P01');
  assert.equal(wrong.message, 'SASL authentication failed');
  const stranger = await loginError(pooler.url({ user: 'mallory' }));
  assert.deepEqual([stranger.code, stranger.message], [wrong.code, wrong.message]);
  const nodb = await loginError(pooler.url({ database: 'nope' }));
  assert.equal(nodb.code, '3D000');
  assert.equal(nodb.message, 'no such database: nope');
  // A database that does not exist cannot be probed for without the password.
  const nodbWrong = await loginError(pooler.url({ database: 'nope', password: 'nope' }));
  assert.equal(nodbWrong.message, 'SASL authentication failed');
});

test('md5 and trust client authentication', async (t) => {
  const md5 = await startPooler(cluster, ['--auth', 'md5']);
  t.after(() => md5.stop());
  const ok = await connectPg(md5.url());
  assert.deepEqual((await ok.query('select 1 as one')).rows, [{ one: 1 }]);
  await ok.end();
  assert.equal((await loginError(md5.url({ password: 'nope' }))).code, '28P01');

  const trust = await startPooler(cluster, ['--auth', 'trust']);
  t.after(() => trust.stop());
  const { code, stdout, stderr } = await run('psql', ['-X', '-A', '-t', '-w', '-h', '127.0.0.1', '-p', String(trust.port), '-U', cluster.user, '-d', 'postgres', '-c', 'select 42'], { env: { PGPASSWORD: '' } });
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), '42');
});

test('a SCRAM verifier from auth_file authenticates a client without any plaintext', async (t) => {
  const verifier = formatScramVerifier(scramSecretFromPassword('app-secret'));
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-users-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'userlist.txt'), `"app" "${verifier}"\n`);
  const ini = writeIni(
    `[databases]\nappdb = host=127.0.0.1 port=${cluster.port} dbname=postgres user=${cluster.user} password=${cluster.password}\n` +
      `[pgbouncer]\nauth_type = scram-sha-256\nauth_file = ${join(dir, 'userlist.txt')}\n`,
  );
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url({ user: 'app', password: 'app-secret', database: 'appdb' }));
  t.after(() => client.end());
  assert.deepEqual((await client.query('select current_user as u')).rows, [{ u: cluster.user }]);
  assert.equal((await loginError(pooler.url({ user: 'app', password: 'wrong', database: 'appdb' }))).code, '28P01');
});

test('startup: SSLRequest and GSSENCRequest are answered N, protocol 2.0 gets PostgreSQL\'s error', async (t) => {
  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  assert.equal((await rawReply(pooler.port, sslRequest())).toString(), 'N');
  const gss = Buffer.alloc(8);
  gss.writeInt32BE(8, 0);
  gss.writeInt32BE(GSSENC_REQUEST_CODE, 4);
  assert.equal((await rawReply(pooler.port, gss)).toString(), 'N');
  const v2 = Buffer.alloc(8);
  v2.writeInt32BE(8, 0);
  v2.writeInt32BE(2 << 16, 4);
  const reader = new MessageReader();
  reader.push(await rawReply(pooler.port, v2));
  const message = reader.next()!;
  assert.equal(String.fromCharCode(message.type), 'E');
  const fields = parseErrorFields(message.body);
  assert.equal(fields.get('C'), '0A000');
  assert.equal(fields.get('M'), 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
});

test('sslmode=require: server connections use TLS', async (t) => {
  const pooler = await startPooler(cluster, [], { target: `${cluster.url()}?sslmode=require` });
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const { rows } = await client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
  assert.deepEqual(rows, [{ ssl: true }]);
  const plain = await startPooler(cluster);
  t.after(() => plain.stop());
  const other = await connectPg(plain.url());
  t.after(() => other.end());
  assert.deepEqual((await other.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows, [{ ssl: false }]);
});

test('max_client_conn refuses connections beyond the limit with PgBouncer\'s message', async (t) => {
  const ini = writeIni(`[databases]\n[pgbouncer]\nmax_client_conn = 2\n`);
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const clients = [await connectPg(pooler.url()), await connectPg(pooler.url())];
  t.after(() => Promise.all(clients.map((c) => c.end())));
  const refused = await loginError(pooler.url());
  assert.equal(refused.message, 'no more connections allowed (max_client_conn)');
});

test('CLI: bad flags and an unreachable target exit 2 with one line; SIGQUIT exits 0', async (t) => {
  const badFlag = await run(process.execPath, [poolerPath, '--target', cluster.url(), '--pool-mode', 'party'], { timeoutMs: 15000 });
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr.split('\n')[0], /^poolsafe pooler: --pool-mode must be one of session, transaction, statement/);
  const unknown = await run(process.execPath, [poolerPath, '--target', cluster.url(), '--bogus', '1'], { timeoutMs: 15000 });
  assert.equal(unknown.code, 2);
  const noTarget = await run(process.execPath, [poolerPath], { timeoutMs: 15000 });
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.stderr, /--target/);
  const wrongPassword = await run(process.execPath, [poolerPath, '--target', cluster.url('postgres', cluster.user, 'wrong'), '--listen', '127.0.0.1:0'], { timeoutMs: 15000 });
  assert.equal(wrongPassword.code, 2);
  assert.match(wrongPassword.stderr, /^poolsafe pooler: cannot connect to 127\.0\.0\.1:\d+\/postgres as postgres: password authentication failed for user "postgres"\n$/);
  const closed = await run(process.execPath, [poolerPath, '--target', 'postgres://u:p@127.0.0.1:1/db', '--listen', '127.0.0.1:0'], { timeoutMs: 15000 });
  assert.equal(closed.code, 2);
  assert.equal(closed.stderr.trim().split('\n').length, 1);
  assert.match(closed.stderr, /ECONNREFUSED/);

  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url());
  await client.query('select 1');
  assert.equal(await pooler.stop(), 0);
  await client.end().catch(() => {});
});

test('the ini `*` entry serves databases not listed by name', async (t) => {
  cluster.psql('create database other');
  const ini = writeIni(`[databases]\n* = host=127.0.0.1 port=${cluster.port} user=${cluster.user} password=${cluster.password}\n`);
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url({ database: 'other' }));
  t.after(() => client.end());
  assert.deepEqual((await client.query('select current_database() as db')).rows, [{ db: 'other' }]);
  const missing = await loginError(pooler.url({ database: 'nowhere' }));
  assert.equal(missing.code, '3D000'); // PostgreSQL's own "database does not exist", passed on
});

test('sslmode=verify-full checks the server certificate against sslrootcert', async (t) => {
  const base = `postgres://${cluster.user}:${cluster.password}@localhost:${cluster.port}/postgres`;
  const verified = await startPooler(cluster, [], { target: `${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(join(certDir, 'server.crt'))}` });
  t.after(() => verified.stop());
  const client = await connectPg(verified.url());
  t.after(() => client.end());
  assert.deepEqual((await client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows, [{ ssl: true }]);
  const wrongCa = await run(process.execPath, [poolerPath, '--listen', '127.0.0.1:0', '--target', `${base}?sslmode=verify-ca&sslrootcert=${encodeURIComponent(join(certDir, 'other.crt'))}`], { timeoutMs: 15000 });
  assert.equal(wrongCa.code, 2);
  assert.match(wrongCa.stderr, /certificate/i);
});
