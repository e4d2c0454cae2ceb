// A PgBouncer .ini run as PgBouncer runs it (`--config` alone): unix socket, [users], connect_query,
// warnings — each observed through psql or pg against a real cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { backendPid, connectPg, run, startPooler, writeIni, type RunningPooler } from './pooler-harness';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
  cluster.psql("create role app_session login password 'session-pw'; create role app_tx login password 'tx-pw'");
});

after(() => cluster?.stop());

interface IniPooler {
  pooler: RunningPooler;
  socketDir: string;
}

/** Starts the pooler from an ini alone; `databases`/`pgbouncer`/`extra` are section bodies. */
async function startFromIni(t: { after(fn: () => unknown): void }, sections: { databases: string; pgbouncer?: string; extra?: string }): Promise<IniPooler> {
  const socketDir = mkdtempSync(join(tmpdir(), 'poolsafe-sock-'));
  const userlist = writeIni(`"postgres" "${cluster.password}"\n"app_session" "session-pw"\n"app_tx" "tx-pw"\n`);
  const ini = writeIni(
    `[databases]\n${sections.databases}\n` +
      `[pgbouncer]\nauth_type = scram-sha-256\nauth_file = ${userlist.path}\nunix_socket_dir = ${socketDir}\n${sections.pgbouncer ?? ''}\n` +
      (sections.extra ?? ''),
  );
  const pooler = await startPooler(cluster, ['--config', ini.path], { target: null });
  t.after(async () => {
    await pooler.stop();
    ini.remove();
    userlist.remove();
    rmSync(socketDir, { recursive: true, force: true });
  });
  return { pooler, socketDir };
}

const server = () => `host=127.0.0.1 port=${cluster.port}`;

function psqlViaSocket(dir: string, port: number, user: string, password: string, sql: string) {
  return run('psql', ['-X', '-A', '-t', '-h', dir, '-p', String(port), '-U', user, '-d', 'app', '-c', sql], { env: { PGPASSWORD: password } });
}

test('unix socket: psql -h <unix_socket_dir> reaches the pooler through .s.PGSQL.<port>, with unix_socket_mode, removed at exit', async (t) => {
  const { pooler, socketDir } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: 'unix_socket_mode = 0770',
  });
  const socketPath = join(socketDir, `.s.PGSQL.${pooler.port}`);
  assert.equal(statSync(socketPath).mode & 0o777, 0o770);
  const result = await psqlViaSocket(socketDir, pooler.port, 'postgres', cluster.password, "select current_database() || ' via ' || coalesce(inet_server_addr()::text, 'local')");
  assert.equal(result.code, 0, result.stderr);
  // The server side is PostgreSQL over TCP: the pooler, not a direct socket, answered.
  assert.equal(result.stdout.trim(), 'postgres via 127.0.0.1/32');
  const wrong = await psqlViaSocket(socketDir, pooler.port, 'postgres', 'not-the-password', 'select 1');
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /SASL authentication failed/);
  assert.equal(await pooler.stop(), 0);
  assert.equal(existsSync(socketPath), false, 'socket file left behind after a clean exit');
});

test('unix socket: a socket file left by a killed pooler is replaced at the next start', async (t) => {
  const first = await startFromIni(t, { databases: `app = ${server()} dbname=postgres` });
  first.pooler.process.kill('SIGKILL');
  await first.pooler.stop();
  const stale = join(first.socketDir, `.s.PGSQL.${first.pooler.port}`);
  assert.ok(existsSync(stale), 'SIGKILL should leave the socket file');
  // Same folder, same port: the ini pins both.
  const userlist = writeIni(`"postgres" "${cluster.password}"\n`);
  const ini = writeIni(`[databases]\napp = ${server()} dbname=postgres\n[pgbouncer]\nauth_type = scram-sha-256\nauth_file = ${userlist.path}\nunix_socket_dir = ${first.socketDir}\n`);
  const second = await startPooler(cluster, ['--config', ini.path, '--listen', `127.0.0.1:${first.pooler.port}`], { target: null });
  t.after(async () => {
    await second.stop();
    ini.remove();
    userlist.remove();
  });
  const result = await psqlViaSocket(first.socketDir, second.port, 'postgres', cluster.password, 'select 1');
  assert.equal(result.code, 0, result.stderr);
});

test('--config alone starts when the first [databases] entry has no user=, and prints each ignored key and section', async (t) => {
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: 'frobnicate = 1',
    extra: '[weird]\nx = 1\n',
  });
  const client = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => client.end());
  assert.equal((await client.query('select current_user as u')).rows[0].u, 'postgres');
  assert.match(pooler.stderr(), /warning: .*pgbouncer\.ini:\d+: unknown or unsupported \[pgbouncer\] key "frobnicate" ignored/);
  assert.match(pooler.stderr(), /warning: .*pgbouncer\.ini:\d+: unknown section \[weird\] ignored/);
});

test('connect_query runs on every new server connection before a client uses it', async (t) => {
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres pool_size=2 connect_query='set enable_seqscan = off; set work_mem = ''3MB'''`,
  });
  const a = await connectPg(pooler.url({ database: 'app' }));
  const b = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => Promise.all([a.end(), b.end()]));
  // Two transactions at once force two server connections.
  await a.query('begin');
  await b.query('begin');
  const seen = [];
  for (const client of [a, b]) {
    const { rows } = await client.query("select pg_backend_pid() as pid, current_setting('enable_seqscan') as seqscan, current_setting('work_mem') as mem");
    seen.push(rows[0]);
  }
  await a.query('commit');
  await b.query('commit');
  assert.notEqual(seen[0].pid, seen[1].pid);
  for (const row of seen) assert.deepEqual([row.seqscan, row.mem], ['off', '3MB']);
});

test('[users] pool_mode and pool_size: a session-mode user keeps its server while a transaction-mode user rotates', async (t) => {
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres pool_size=3`,
    pgbouncer: 'pool_mode = transaction',
    extra: '[users]\napp_session = pool_mode=session\napp_tx = pool_size=1\n',
  });
  const session = await connectPg(pooler.url({ database: 'app', user: 'app_session', password: 'session-pw' }));
  const tx = await connectPg(pooler.url({ database: 'app', user: 'app_tx', password: 'tx-pw' }));
  const other = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => Promise.all([session.end(), tx.end(), other.end()]));
  const sessionPids = new Set<number>();
  const otherPids = new Set<number>();
  for (let i = 0; i < 4; i++) {
    sessionPids.add(await backendPid(session));
    otherPids.add(await backendPid(other));
  }
  assert.equal(sessionPids.size, 1, 'session-mode user changed servers');
  // The default policy (rotate) moves a transaction-mode client to another server when one can open.
  assert.ok(otherPids.size > 1, 'transaction-mode user never changed servers');
  // pool_size = 1 for app_tx: a second client of that user shares the one server.
  const tx2 = await connectPg(pooler.url({ database: 'app', user: 'app_tx', password: 'tx-pw' }));
  t.after(() => tx2.end());
  const txPids = new Set([await backendPid(tx), await backendPid(tx2), await backendPid(tx), await backendPid(tx2)]);
  assert.equal(txPids.size, 1, `app_tx used ${txPids.size} servers with pool_size=1`);
});

test('admin console: user pgbouncer on a unix socket only the pooler\'s OS user can reach is admin without a password', async (t) => {
  const { pooler, socketDir } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: 'admin_users = postgres',
  });
  const console = (password: string) =>
    run('psql', ['-X', '-A', '-t', '-h', socketDir, '-p', String(pooler.port), '-U', 'pgbouncer', '-d', 'pgbouncer', '-c', 'show databases'], { env: { PGPASSWORD: password } });
  // mkdtemp folders are 0700: nobody but this user reaches the socket.
  const admitted = await console('anything');
  assert.equal(admitted.code, 0, admitted.stderr);
  assert.match(admitted.stdout, /^app\|/m);
  // A folder others may enter (and /tmp above it): the peer could be anyone, so no free pass.
  chmodSync(socketDir, 0o755);
  const refused = await console('anything');
  assert.notEqual(refused.code, 0);
  assert.doesNotMatch(refused.stdout, /app\|/);
});

/** Polls `check` every 100 ms for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) if (check()) return true;
  return check();
}

test('auth_type = hba with a peer rule and an ident map: the unix peer\'s OS user logs in as the users the map names, no password', async (t) => {
  const files = mkdtempSync(join(tmpdir(), 'poolsafe-peer-'));
  t.after(() => rmSync(files, { recursive: true, force: true }));
  const osUser = userInfo().username;
  writeFileSync(join(files, 'ident.conf'), `mymap ${osUser} postgres\n`);
  writeFileSync(join(files, 'hba.conf'), 'local all all peer map=mymap\n');
  const { pooler, socketDir } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: `auth_type = hba\nauth_hba_file = ${join(files, 'hba.conf')}\nauth_ident_file = ${join(files, 'ident.conf')}`,
  });
  const login = (user: string) => psqlViaSocket(socketDir, pooler.port, user, 'not-the-password', 'select current_user');
  const mapped = await login('postgres');
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.equal(mapped.stdout.trim(), 'postgres');
  // A known user the map does not name is refused, as PgBouncer refuses it.
  const unmapped = await login('app_tx');
  assert.notEqual(unmapped.code, 0);
  assert.match(unmapped.stderr, /unix socket login rejected/);
  // A socket others may reach: the peer could be anyone, so peer authentication fails.
  chmodSync(socketDir, 0o755);
  const anyone = await login('postgres');
  assert.notEqual(anyone.code, 0);
  assert.match(anyone.stderr, /unix socket login rejected/);
});

test('logfile: created at start, and a client ended by client_idle_timeout leaves a "closing because" line', async (t) => {
  const logDir = mkdtempSync(join(tmpdir(), 'poolsafe-log-'));
  t.after(() => rmSync(logDir, { recursive: true, force: true }));
  const logfile = join(logDir, 'pooler.log');
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: `logfile = ${logfile}\nclient_idle_timeout = 1`,
  });
  assert.ok(await eventually(() => existsSync(logfile), 5000), 'logfile not created');
  const client = await connectPg(pooler.url({ database: 'app' }));
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  await client.query('select 1');
  await ended;
  assert.ok(await eventually(() => /closing because: client_idle_timeout/.test(readFileSync(logfile, 'utf8')), 5000), readFileSync(logfile, 'utf8'));
});

test('an ini without pool_mode runs in session mode, as PgBouncer runs it, and says so at start', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres pool_size=3` });
  assert.match(pooler.stderr(), /warning: .*: no pool_mode set: session, as in PgBouncer/);
  const client = await connectPg(pooler.url({ database: 'app' }));
  const other = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => Promise.all([client.end(), other.end()]));
  // rotate (the default policy) would move a transaction-mode client to another server each time.
  const pids = new Set<number>();
  for (let i = 0; i < 4; i++) {
    pids.add(await backendPid(client));
    await backendPid(other);
  }
  assert.equal(pids.size, 1, `a client of an ini without pool_mode used ${pids.size} server connections`);
  await client.query("set application_name = 'kept'");
  assert.equal((await client.query('show application_name')).rows[0].application_name, 'kept');
});

test('an ini without max_prepared_statements gets PgBouncer\'s default: a named prepared statement works across server connections', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres pool_size=3`, pgbouncer: 'pool_mode = transaction' });
  const client = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => client.end());
  const pids = new Set<number>();
  for (let i = 0; i < 4; i++) {
    const { rows } = await client.query({ name: 'whoami', text: 'select pg_backend_pid() as pid, $1::int as n', values: [i] });
    pids.add(rows[0].pid);
    assert.equal(rows[0].n, i);
  }
  assert.ok(pids.size > 1, 'the statement should have run on more than one server connection');
});

test('max_client_conn: a client that asks for TLS first still gets the max_client_conn message', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres`, pgbouncer: 'max_client_conn = 1' });
  const holder = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => holder.end());
  // psql's default sslmode=prefer sends SSLRequest before the startup packet.
  const refused = await run('psql', ['-X', '-h', '127.0.0.1', '-p', String(pooler.port), '-U', 'postgres', '-d', 'app', '-c', 'select 1'], {
    env: { PGPASSWORD: cluster.password, PGSSLMODE: 'prefer' },
  });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /no more connections allowed \(max_client_conn\)/);
});

/** psql against the console over the unix socket, as user pgbouncer (admitted as the pooler's own OS user). */
function consoleViaSocket(dir: string, port: number, sql: string) {
  return run('psql', ['-X', '-A', '-t', '-h', dir, '-p', String(port), '-U', 'pgbouncer', '-d', 'pgbouncer', '-c', sql], { env: { PGCONNECT_TIMEOUT: '5' } });
}

test('SIGTERM waits for clients (PgBouncer 1.25): TCP refused, console still on the unix socket, exit when the last client leaves', async (t) => {
  const { pooler, socketDir } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres` });
  const client = await connectPg(pooler.url({ database: 'app' }));
  client.on('error', () => {});
  t.after(() => client.end().catch(() => {}));
  await client.query('select 1');
  assert.ok(pooler.process.kill('SIGTERM'));
  assert.ok(await eventually(() => pooler.stderr().includes('got SIGTERM, shutting down, waiting for all clients disconnect'), 5000));
  await assert.rejects(connectPg(pooler.url({ database: 'app' })), /ECONNREFUSED/);
  assert.equal((await client.query('select 2 as n')).rows[0].n, 2, 'the connected client is still served');
  const version = await consoleViaSocket(socketDir, pooler.port, 'SHOW VERSION');
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^PoolSafe /);
  const refused = await psqlViaSocket(socketDir, pooler.port, 'postgres', cluster.password, 'select 1');
  assert.match(refused.stderr, /pooler is shutting down/);
  assert.equal(pooler.process.exitCode, null, 'SIGTERM ended the pooler while a client was connected');
  await client.end();
  assert.equal(await once(pooler.process, 'exit').then(([code]) => code), 0);
});

test('a second SIGTERM during the shutdown stops at once, cutting the client off', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres` });
  const client = await connectPg(pooler.url({ database: 'app' }));
  client.on('error', () => {});
  t.after(() => client.end().catch(() => {}));
  const exited = once(pooler.process, 'exit');
  pooler.process.kill('SIGTERM');
  await client.query('select 1');
  pooler.process.kill('SIGTERM');
  assert.equal((await exited)[0], 0);
  await assert.rejects(client.query('select 1'));
  assert.match(pooler.stderr(), /got SIGTERM while shutting down, fast exit/);
});

test('SIGUSR1 pauses (a query waits), SIGUSR2 resumes (it runs)', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `app = ${server()} dbname=postgres` });
  const client = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => client.end());
  pooler.process.kill('SIGUSR1');
  assert.ok(await eventually(() => pooler.stderr().includes('got SIGUSR1, pausing all activity'), 5000));
  let answered = false;
  const held = client.query('select 3 as n').then((result) => ((answered = true), result));
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(answered, false, 'a query ran while paused');
  pooler.process.kill('SIGUSR2');
  assert.equal((await held).rows[0].n, 3);
  assert.match(pooler.stderr(), /got SIGUSR2, continuing from PAUSE/);
});

test('server_lifetime = 0 uses each server connection for one client only, as in PgBouncer', async (t) => {
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: 'server_lifetime = 0\nserver_round_robin = 0\npool_mode = transaction',
  });
  const client = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => client.end());
  const first = await backendPid(client);
  const second = await backendPid(client);
  assert.notEqual(first, second, 'a released server connection was handed out again');
  const gone = () => Number(cluster.psql(`select count(*) from pg_stat_activity where pid = ${first}`).trim()) === 0;
  assert.ok(await eventually(gone, 5000), 'the used connection is still open');
});

test('server_check_query runs on a used idle server before a client gets it again, once server_check_delay has passed', async (t) => {
  cluster.psql('create table if not exists server_checks (at timestamptz default now())');
  t.after(() => cluster.psql('drop table if exists server_checks'));
  const checks = () => Number(cluster.psql('select count(*) from server_checks').trim());
  const startWith = (delay: string) => startFromIni(t, {
    databases: `app = ${server()} dbname=postgres`,
    pgbouncer: `pool_mode = transaction\nserver_round_robin = 0\nserver_check_delay = ${delay}\nserver_check_query = insert into server_checks default values`,
  });
  const eager = await startWith('0');
  const client = await connectPg(eager.pooler.url({ database: 'app' }));
  t.after(() => client.end());
  const first = await backendPid(client);
  assert.equal(checks(), 0, 'a server that never served is not checked');
  assert.equal(await backendPid(client), first);
  assert.equal(await backendPid(client), first);
  assert.equal(checks(), 2, 'each reuse of the idle server ran the check first');

  const lazy = await startWith('30');
  const other = await connectPg(lazy.pooler.url({ database: 'app' }));
  t.after(() => other.end());
  for (let i = 0; i < 3; i++) await backendPid(other);
  assert.equal(checks(), 2, 'a server idle for less than server_check_delay is not checked');
});

test('query_wait_notify: a client queued longer than that gets a NOTICE, once per wait, and then its answer', async (t) => {
  const { pooler } = await startFromIni(t, {
    databases: `app = ${server()} dbname=postgres pool_size=1`,
    pgbouncer: 'pool_mode = transaction\nquery_wait_notify = 1',
  });
  const holder = await connectPg(pooler.url({ database: 'app' }));
  const waiter = await connectPg(pooler.url({ database: 'app' }));
  t.after(() => Promise.all([holder.end(), waiter.end()]));
  const notices: string[] = [];
  waiter.on('notice', (notice) => notices.push(notice.message ?? ''));
  await holder.query('begin');
  const waiting = waiter.query('select 5 as n');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.deepEqual(notices, ['No server connection available in app backend, client being queued']);
  await holder.query('commit');
  assert.equal((await waiting).rows[0].n, 5);
  assert.equal(notices.length, 1);
});

test('a `*` database is registered (and logged, as PgBouncer does) when a client first logs in to it', async (t) => {
  const { pooler } = await startFromIni(t, { databases: `* = ${server()}` });
  assert.doesNotMatch(pooler.stderr(), /registered new auto-database/);
  const client = await connectPg(pooler.url({ database: 'postgres' }));
  t.after(() => client.end());
  await client.query('select 1');
  assert.match(pooler.stderr(), /registered new auto-database: postgres/);
});
