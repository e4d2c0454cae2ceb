// PgBouncer's TLS settings, each checked by its effect through real psql clients with certificates
// from two throwaway CAs: client_tls_key/cert/ca_file and client_tls_sslmode changed by admin SET,
// verify-full client certificates, auth_type = cert and hba `cert` rules with an auth_ident_file
// map, TLS 1.3 cipher suites, and server_tls_* towards a PostgreSQL with ssl = on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN, connectPg, run, startPooler, type RunningPooler } from './pooler-harness';
import { eventually } from './admin-harness';
import { sslRequest } from '../../extension/pooler/protocol';

let cluster: Cluster;
let dir: string;

/** Certificates of one CA: its root, a server certificate for localhost, client certificates by CN. */
interface Authority {
  root: string;
  serverKey: string;
  serverCert: string;
  client(cn: string): { key: string; cert: string };
}
let ca1: Authority;
let ca2: Authority;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A CA and the certificates it signs (EC keys: quick to make). */
function makeAuthority(name: string): Authority {
  const at = (file: string) => join(dir, `${name}-${file}`);
  const newKey = (file: string) => openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', at(file)]);
  newKey('ca.key');
  openssl(['req', '-x509', '-new', '-key', at('ca.key'), '-subj', `/CN=${name}`, '-days', '2', '-out', at('ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const sign = (base: string, cn: string, san?: string) => {
    newKey(`${base}.key`);
    openssl(['req', '-new', '-key', at(`${base}.key`), '-subj', `/CN=${cn}`, '-out', at(`${base}.csr`)]);
    const extensions = at(`${base}.ext`);
    writeFileSync(extensions, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
    openssl(['x509', '-req', '-in', at(`${base}.csr`), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '2',
      '-out', at(`${base}.crt`), '-extfile', extensions]);
    chmodSync(at(`${base}.key`), 0o600); // libpq refuses a client key others can read
    return { key: at(`${base}.key`), cert: at(`${base}.crt`) };
  };
  const server = sign('server', 'localhost', 'DNS:localhost');
  const clients = new Map<string, { key: string; cert: string }>();
  return {
    root: at('ca.crt'),
    serverKey: server.key,
    serverCert: server.cert,
    client(cn) {
      if (!clients.has(cn)) clients.set(cn, sign(`client-${cn}`, cn));
      return clients.get(cn)!;
    },
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-tls-'));
  ca1 = makeAuthority('ca1');
  ca2 = makeAuthority('ca2');
  cluster = await startCluster();
  cluster.psql(`CREATE ROLE app LOGIN PASSWORD 'app-pw'`);
  cluster.psql(`CREATE ROLE stranger LOGIN PASSWORD 'stranger-pw'`);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  return cluster?.stop();
});

interface TlsPooler extends RunningPooler {
  socketDir: string;
  iniPath: string;
}

/**
 * A pooler whose `postgres` database logs in to `server` as its superuser (forced user), with a unix
 * socket for the console (reachable whatever TCP clients must present) and `settings` added.
 */
async function poolerWith(t: { after(fn: () => unknown): void }, settings: string, database = '', server: Cluster = cluster): Promise<TlsPooler> {
  const folder = mkdtempSync(join(dir, 'pooler-'));
  const login = `host=127.0.0.1 port=${server.port} user=${server.user} password=${server.password}`;
  const iniPath = join(folder, 'pgbouncer.ini');
  writeFileSync(iniPath, `[databases]\npostgres = ${login} dbname=postgres\n${database}\n[pgbouncer]\nunix_socket_dir = ${folder}\n` +
    `admin_users = ${cluster.user}\npool_mode = transaction\nauth_type = md5\nauth_file = userlist.txt\n${settings}\n`);
  const users = [[cluster.user, cluster.password], ['app', 'app-pw'], ['stranger', 'stranger-pw']];
  writeFileSync(join(folder, 'userlist.txt'), users.map(([user, password]) => `"${user}" "${password}"\n`).join(''));
  const pooler = await startPooler(server, ['--config', iniPath], { target: null });
  t.after(() => pooler.stop());
  return { ...pooler, socketDir: folder, iniPath };
}

/** A console command over the pooler's unix socket; returns its notices and errors too. */
async function consoleCommand(pooler: TlsPooler, sql: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(`${PG_BIN}/psql`, ['-X', '-At', '-h', pooler.socketDir, '-p', String(pooler.port), '-U', cluster.user, '-d', 'pgbouncer', '-c', sql], {
    env: { PGPASSWORD: cluster.password, PGCONNECT_TIMEOUT: '10' },
    timeoutMs: 20_000,
  });
}

async function consoleOk(pooler: TlsPooler, sql: string): Promise<string> {
  const answer = await consoleCommand(pooler, sql);
  assert.equal(answer.code, 0, `${sql}: ${answer.stderr}`);
  return answer.stderr;
}

/** psql over TCP to host `localhost` (what verify-full checks the pooler's certificate against). */
async function psqlOver(port: number, params: Record<string, string>, sql = 'select current_user'): Promise<{ ok: boolean; out: string }> {
  const conninfo = Object.entries({ host: 'localhost', port: String(port), dbname: 'postgres', connect_timeout: '10', ...params })
    .map(([key, value]) => `${key}=${value}`).join(' ');
  const result = await run(`${PG_BIN}/psql`, ['-X', '-At', conninfo, '-c', sql], { timeoutMs: 20_000 });
  return { ok: result.code === 0, out: `${result.stdout.trim()}${result.stderr.trim()}` };
}

const asSuperuser = () => ({ user: cluster.user, password: cluster.password });

test('admin SET client_tls_key_file / cert_file / ca_file: new TLS clients get the new certificate; clients trusting only the old CA are refused', async (t) => {
  const pooler = await poolerWith(t, '');
  await consoleOk(pooler, `SET client_tls_key_file = '${ca1.serverKey}'`);
  await consoleOk(pooler, `SET client_tls_cert_file = '${ca1.serverCert}'`);
  await consoleOk(pooler, `SET client_tls_ca_file = '${ca1.root}'`);
  await consoleOk(pooler, 'SET client_tls_sslmode = require');
  const viaCa1 = { ...asSuperuser(), sslmode: 'verify-full', sslrootcert: ca1.root };
  const viaCa2 = { ...asSuperuser(), sslmode: 'verify-full', sslrootcert: ca2.root };
  assert.deepEqual(await psqlOver(pooler.port, viaCa1), { ok: true, out: cluster.user });
  assert.equal((await psqlOver(pooler.port, viaCa2)).ok, false);

  await consoleOk(pooler, `SET client_tls_key_file = '${ca2.serverKey}'`);
  await consoleOk(pooler, `SET client_tls_cert_file = '${ca2.serverCert}'`);
  await consoleOk(pooler, `SET client_tls_ca_file = '${ca2.root}'`);
  assert.match((await psqlOver(pooler.port, viaCa1)).out, /certificate verify failed/);
  assert.deepEqual(await psqlOver(pooler.port, viaCa2), { ok: true, out: cluster.user });
  // Plaintext stays refused under require.
  assert.match((await psqlOver(pooler.port, { ...asSuperuser(), sslmode: 'disable' })).out, /SSL required/);
});

test('client_tls_sslmode = verify-full: only clients with a certificate client_tls_ca_file signed get in; without a CA the SET is not applied', async (t) => {
  const pooler = await poolerWith(t, `client_tls_sslmode = require\nclient_tls_key_file = ${ca1.serverKey}\nclient_tls_cert_file = ${ca1.serverCert}\n`);
  const plainTls = { ...asSuperuser(), sslmode: 'require' };
  // verify-full without client_tls_ca_file cannot be applied (PgBouncer's rule): the notice says so
  // and a client without a certificate still gets in.
  assert.match(await consoleOk(pooler, 'SET client_tls_sslmode = verify-full'), /TLS settings could not be applied, still using old configuration/);
  assert.deepEqual(await psqlOver(pooler.port, plainTls), { ok: true, out: cluster.user });

  await consoleOk(pooler, `SET client_tls_ca_file = '${ca1.root}'`);
  assert.equal((await psqlOver(pooler.port, plainTls)).ok, false, 'no client certificate');
  const foreign = ca2.client(cluster.user);
  assert.equal((await psqlOver(pooler.port, { ...plainTls, sslkey: foreign.key, sslcert: foreign.cert })).ok, false, 'certificate of another CA');
  const own = ca1.client(cluster.user);
  assert.deepEqual(await psqlOver(pooler.port, { ...plainTls, sslkey: own.key, sslcert: own.cert }), { ok: true, out: cluster.user });
  // Under require with a CA, a certificate is optional but one that is offered must verify.
  await consoleOk(pooler, 'SET client_tls_sslmode = require');
  assert.deepEqual(await psqlOver(pooler.port, plainTls), { ok: true, out: cluster.user });
  assert.equal((await psqlOver(pooler.port, { ...plainTls, sslkey: foreign.key, sslcert: foreign.cert })).ok, false, 'offered certificate of another CA');
});

test('auth_type = cert (set by RELOAD): the client certificate must name the user; no password is asked', async (t) => {
  const pooler = await poolerWith(t, `client_tls_sslmode = require\nclient_tls_key_file = ${ca1.serverKey}\nclient_tls_cert_file = ${ca1.serverCert}\n`);
  appendFileSync(pooler.iniPath, `client_tls_sslmode = verify-full\nclient_tls_ca_file = ${ca1.root}\nauth_type = cert\n`);
  await consoleOk(pooler, 'RELOAD');
  const app = ca1.client('app');
  const tlsLogin = { sslmode: 'verify-full', sslrootcert: ca1.root, password: 'wrong-password-never-asked' };
  assert.deepEqual(await psqlOver(pooler.port, { ...tlsLogin, user: 'app', sslkey: app.key, sslcert: app.cert }), { ok: true, out: cluster.user });
  const refused = await psqlOver(pooler.port, { ...tlsLogin, user: 'stranger', sslkey: app.key, sslcert: app.cert });
  assert.equal(refused.ok, false);
  assert.match(refused.out, /certificate authentication failed/);
  assert.ok(await eventually(() => /stranger@127\.0\.0\.1:\d+ TLS certificate name mismatch/.test(pooler.stderr())), pooler.stderr());
});

test('auth_type = hba: a `cert map=` rule lets a certificate name in as the users auth_ident_file maps it to', async (t) => {
  const hba = join(dir, 'cert-hba.conf');
  const ident = join(dir, 'cert-ident.conf');
  writeFileSync(hba, 'hostssl postgres all 127.0.0.1/32 cert map=apps\nhost all all 127.0.0.1/32 md5\n');
  writeFileSync(ident, '# MAPNAME SYSTEM-USERNAME DATABASE-USERNAME\napps "frontend" app\napps frontend "stranger"\napps admin all\n');
  const pooler = await poolerWith(t,
    `client_tls_sslmode = verify-full\nclient_tls_key_file = ${ca1.serverKey}\nclient_tls_cert_file = ${ca1.serverCert}\nclient_tls_ca_file = ${ca1.root}\n` +
    `auth_type = hba\nauth_hba_file = ${hba}\nauth_ident_file = ${ident}\n`);
  const frontend = ca1.client('frontend');
  const adminCert = ca1.client('admin');
  const tlsLogin = { sslmode: 'verify-full', sslrootcert: ca1.root, password: 'not-asked' };
  const as = (user: string, cert: { key: string; cert: string }) => psqlOver(pooler.port, { ...tlsLogin, user, sslkey: cert.key, sslcert: cert.cert });
  assert.equal((await as('app', frontend)).ok, true);
  assert.equal((await as('stranger', frontend)).ok, true);
  const unmapped = await as(cluster.user, frontend);
  assert.equal(unmapped.ok, false);
  assert.match(unmapped.out, /certificate authentication failed/);
  assert.ok(await eventually(() => /ident map: apps does not have a match/.test(pooler.stderr())), pooler.stderr());
  // `all` on the database side: any user.
  assert.equal((await as(cluster.user, adminCert)).ok, true);
  // A certificate named like the user but absent from the map: refused (the map decides, not the name).
  assert.equal((await as('app', ca1.client('app'))).ok, false);
});

/** Opens a TLS session to the pooler the way libpq does (SSLRequest first); returns the negotiated suite. */
async function negotiatedSuite(port: number): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write(sslRequest());
  const [answer] = (await once(socket, 'data')) as [Buffer];
  assert.equal(answer.toString('latin1'), 'S');
  const secure = tls.connect({ socket, servername: 'localhost', ca: readFileSync(ca1.root), minVersion: 'TLSv1.3' });
  await once(secure, 'secureConnect');
  const suite = secure.getCipher().standardName;
  secure.destroy();
  return suite;
}

test('client_tls13_ciphers: the TLS 1.3 suite new clients negotiate follows SET; an unknown suite is not applied', async (t) => {
  const pooler = await poolerWith(t,
    `client_tls_sslmode = require\nclient_tls_key_file = ${ca1.serverKey}\nclient_tls_cert_file = ${ca1.serverCert}\n` +
    'client_tls_protocols = tlsv1.3\nclient_tls13_ciphers = TLS_CHACHA20_POLY1305_SHA256\n');
  assert.equal(await negotiatedSuite(pooler.port), 'TLS_CHACHA20_POLY1305_SHA256');
  await consoleOk(pooler, "SET client_tls13_ciphers = 'TLS_AES_128_GCM_SHA256'");
  assert.equal(await negotiatedSuite(pooler.port), 'TLS_AES_128_GCM_SHA256');
  assert.match(await consoleOk(pooler, "SET client_tls13_ciphers = 'unknown'"), /TLS settings could not be applied/);
  assert.equal(await negotiatedSuite(pooler.port), 'TLS_AES_128_GCM_SHA256');
  assert.match(pooler.stderr(), /failed to set the TLSv1\.3 cipher suites/);
  // The login line names the suite, as PgBouncer's does.
  assert.equal((await psqlOver(pooler.port, { ...asSuperuser(), sslmode: 'require' })).ok, true);
  assert.match(pooler.stderr(), /login attempt: db=postgres user=postgres tls=TLSv1\.3\/TLS_AES_128_GCM_SHA256/);
});

/**
 * A second cluster with ssl = on (certificate for localhost from ca1, client certificates checked
 * against ca1) whose pg_hba.conf starts with `hba` lines.
 */
async function sslCluster(t: { after(fn: () => unknown): void }, hba: string): Promise<Cluster> {
  const server = await startCluster();
  t.after(() => server.stop());
  const owner = statSync(server.dataDir);
  for (const [from, to] of [[ca1.serverKey, 'tls.key'], [ca1.serverCert, 'tls.crt'], [ca1.root, 'root.crt']]) {
    copyFileSync(from, join(server.dataDir, to));
    chownSync(join(server.dataDir, to), owner.uid, owner.gid);
    chmodSync(join(server.dataDir, to), 0o600);
  }
  const hbaPath = join(server.dataDir, 'pg_hba.conf');
  writeFileSync(hbaPath, `${hba}\n${readFileSync(hbaPath, 'utf8')}`);
  for (const setting of ['ssl = on', "ssl_cert_file = 'tls.crt'", "ssl_key_file = 'tls.key'", "ssl_ca_file = 'root.crt'"]) server.psql(`ALTER SYSTEM SET ${setting}`);
  server.psql('SELECT pg_reload_conf()');
  assert.ok(await eventually(() => server.psql('SHOW ssl').trim() === 'on'));
  return server;
}

/** Whether the pooler's server connection for this client uses TLS (PostgreSQL's own view). */
const SERVER_SIDE_SSL = 'select ssl from pg_stat_ssl where pid = pg_backend_pid()';

test('server_tls_sslmode = verify-full: a server_tls_ca_file that did not sign PostgreSQL\'s certificate keeps clients waiting (logged), SET of the right one serves them over TLS', async (t) => {
  const server = await sslCluster(t, '');
  const pooler = await poolerWith(t, `server_tls_sslmode = verify-full\nserver_tls_ca_file = ${ca2.root}\n`,
    `tlsdb = host=localhost port=${server.port} user=${server.user} password=${server.password} dbname=postgres`, server);
  const login = { ...asSuperuser(), dbname: 'tlsdb', sslmode: 'disable', connect_timeout: '3' };
  const waited = await psqlOver(pooler.port, login, SERVER_SIDE_SSL);
  assert.equal(waited.ok, false);
  assert.match(waited.out, /timeout expired/);
  assert.match(pooler.stderr(), /certificate verify failed/);
  await consoleOk(pooler, `SET server_tls_ca_file = '${ca1.root}'`);
  assert.deepEqual(await psqlOver(pooler.port, { ...login, connect_timeout: '10' }, SERVER_SIDE_SSL), { ok: true, out: 't' });
});

test('server_tls_key_file / server_tls_cert_file: PostgreSQL\'s hostssl `cert` rule accepts the pooler\'s client certificate', async (t) => {
  const server = await sslCluster(t, 'hostssl all app 127.0.0.1/32 cert');
  server.psql(`CREATE ROLE app LOGIN`);
  const pooler = await poolerWith(t, `server_tls_sslmode = require\n`, `certdb = host=127.0.0.1 port=${server.port} user=app dbname=postgres`, server);
  const login = { user: 'app', password: 'app-pw', dbname: 'certdb', sslmode: 'disable' };
  const refused = await psqlOver(pooler.port, login, SERVER_SIDE_SSL);
  assert.equal(refused.ok, false);
  assert.match(refused.out, /certificate/);
  const app = ca1.client('app');
  await consoleOk(pooler, `SET server_tls_key_file = '${app.key}'`);
  await consoleOk(pooler, `SET server_tls_cert_file = '${app.cert}'`);
  assert.deepEqual(await psqlOver(pooler.port, login, `${SERVER_SIDE_SSL.replace('select ssl', 'select ssl::text || current_user')}`), { ok: true, out: 'trueapp' });
});

test('RELOAD: a changed server TLS setting (server_tls_protocols) replaces the server connection; an unchanged ini keeps it', async (t) => {
  const server = await sslCluster(t, '');
  // server_round_robin = 0: PgBouncer's lifo, so an unchanged pool hands this client the same server each time.
  const pooler = await poolerWith(t, 'server_round_robin = 0\nserver_tls_sslmode = require\nserver_tls_protocols = secure\n', '', server);
  const client = await connectPg(pooler.url());
  t.after(() => client.end().catch(() => {}));
  const pid = async () => (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  const first = await pid();
  await consoleOk(pooler, 'RELOAD');
  assert.equal(await pid(), first, 'unchanged settings keep the server');
  writeFileSync(pooler.iniPath, readFileSync(pooler.iniPath, 'utf8').replace('server_tls_protocols = secure', 'server_tls_protocols = tlsv1.3'));
  await consoleOk(pooler, 'RELOAD');
  const second = await pid();
  assert.notEqual(second, first, 'new server TLS settings need a new server connection');
  assert.match(pooler.stderr(), /closing because: database configuration changed/);
  assert.equal((await client.query(SERVER_SIDE_SSL)).rows[0].ssl, true);
});

test('log_connections: each login logs PgBouncer\'s `login attempt` line (plaintext: tls=no); SET log_connections = 0 stops it', async (t) => {
  const pooler = await poolerWith(t, '');
  const attempts = () => pooler.stderr().split('\n').filter((line) => / login attempt: db=postgres user=app tls=no$/.test(line)).length;
  const asApp = { user: 'app', password: 'app-pw', sslmode: 'disable' };
  assert.equal((await psqlOver(pooler.port, asApp)).ok, true);
  assert.ok(await eventually(() => attempts() === 1), pooler.stderr());
  await consoleOk(pooler, 'SET log_connections = 0');
  assert.equal((await psqlOver(pooler.port, asApp)).ok, true);
  assert.equal(attempts(), 1);
});

test('TLS settings that cannot work fail the start with PgBouncer\'s reason (verify-full without client_tls_ca_file)', async () => {
  const folder = mkdtempSync(join(dir, 'bad-'));
  const iniPath = join(folder, 'pgbouncer.ini');
  writeFileSync(iniPath, `[databases]\npostgres = host=127.0.0.1 port=${cluster.port}\n[pgbouncer]\nunix_socket_dir =\n` +
    `client_tls_sslmode = verify-full\nclient_tls_key_file = ${ca1.serverKey}\nclient_tls_cert_file = ${ca1.serverCert}\n`);
  await assert.rejects(startPooler(cluster, ['--config', iniPath], { target: null }), /exited with 2.*TLS setup failed: client_tls_sslmode requires client_tls_ca_file/s);
});
