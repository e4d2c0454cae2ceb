// Which secret a login is checked against and which one the server login uses, as PgBouncer decides
// it: a forced user= without password= takes its auth_file entry; auth_dbname / per-database
// auth_query choose where and how users are looked up; unknown users and databases are mocked so
// they cannot be told from a wrong password. Real psql/node-postgres clients, a throwaway cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg, loginError, run, startPoolerWithIni, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let dir: string;
let port: string;
/** pg_authid's SCRAM verifier for role `keeper` (password 'k33p'). */
let verifier: string;

before(async () => {
  cluster = await startCluster();
  port = new URL(cluster.url()).port;
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-secrets-'));
  cluster.psql(`CREATE ROLE keeper LOGIN PASSWORD 'k33p'; CREATE ROLE guest LOGIN PASSWORD 'g3st'`);
  cluster.psql('CREATE DATABASE shop');
  verifier = cluster.psql(`SELECT rolpassword FROM pg_authid WHERE rolname = 'keeper'`).trim();
});

after(() => {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function pooler(t: { after(fn: () => unknown): void }, ini: string, userlist = ''): Promise<RunningPooler> {
  return startPoolerWithIni(cluster, dir, t, ini, userlist);
}

async function whoAmI(connectionString: string): Promise<string> {
  const client = await connectPg(connectionString);
  try {
    return (await client.query('select current_user as who')).rows[0].who as string;
  } finally {
    await client.end();
  }
}

async function logged(p: RunningPooler, pattern: RegExp): Promise<boolean> {
  for (let i = 0; i < 100 && !pattern.test(p.stderr()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return pattern.test(p.stderr());
}

test('a forced user= without password= logs in to the server with its auth_file password; a verifier alone gets "server login failed: wrong password type"', async (t) => {
  const p = await pooler(
    t,
    `[databases]\nplain = host=127.0.0.1 port=${port} dbname=shop user=keeper\n` +
      `verifier = host=127.0.0.1 port=${port} dbname=shop user=guest\n` +
      `[pgbouncer]\nauth_type = trust\nauth_file = userlist.txt\n`,
    `"keeper" "k33p"\n"guest" "${verifier}"\n"visitor" ""\n`,
  );
  // The client logs in as visitor (trust); the server sees keeper, whose password only the auth_file knows.
  assert.equal(await whoAmI(p.url({ user: 'visitor', password: '', database: 'plain' })), 'keeper');
  // guest's entry is a SCRAM verifier: it cannot answer the server's challenge without a client's proof.
  const refused = await loginError(p.url({ user: 'visitor', password: '', database: 'verifier' }));
  assert.equal(refused.message, 'server login failed: wrong password type', p.stderr());
});

test('auth_type md5 with a user known only by a SCRAM verifier runs SCRAM, as PgBouncer does; a wrong password still fails', async (t) => {
  const p = await pooler(
    t,
    `[databases]\nshop = host=127.0.0.1 port=${port} dbname=shop\n[pgbouncer]\nauth_type = md5\nauth_file = userlist.txt\n`,
    `"keeper" "${verifier}"\n`,
  );
  assert.equal(await whoAmI(p.url({ user: 'keeper', password: 'k33p', database: 'shop' })), 'keeper');
  assert.equal((await loginError(p.url({ user: 'keeper', password: 'wrong', database: 'shop' }))).message, 'SASL authentication failed');
});

test('unknown users and databases are mocked: trust refuses a stranger with "\\"trust\\" authentication failed"; a missing database is named only after a good password', async (t) => {
  const p = await pooler(
    t,
    `[databases]\nshop = host=127.0.0.1 port=${port} dbname=shop user=keeper password=k33p\n[pgbouncer]\nauth_type = trust\nauth_file = userlist.txt\n`,
    `"guest" "g3st"\n`,
  );
  const stranger = await loginError(p.url({ user: 'stranger', password: '', database: 'shop' }));
  assert.equal(stranger.message, '"trust" authentication failed');
  assert.ok(await logged(p, /shop\/stranger@127\.0\.0\.1:\d+ closing because: "trust" authentication failed \(age=\d+s\)/), p.stderr());
  assert.equal((await loginError(p.url({ user: 'guest', password: '', database: 'nowhere' }))).message, 'no such database: nowhere');
});

test('auth_dbname and a [databases] auth_query: the lookup runs on the named database with that query; a failing auth_query is "bouncer config error" with the server\'s error logged', async (t) => {
  // marker exists only in database postgres: the query fails anywhere else.
  cluster.psql(`CREATE TABLE IF NOT EXISTS marker AS SELECT 1 AS one`);
  const lookup = `SELECT usename, passwd FROM pg_shadow WHERE usename = $1 AND EXISTS (SELECT FROM marker)`;
  const p = await pooler(
    t,
    `[databases]\n` +
      `shop = host=127.0.0.1 port=${port} dbname=shop auth_query='${lookup}'\n` +
      `broken = host=127.0.0.1 port=${port} dbname=shop auth_query='SELECT usename, passwd FROM no_such_table WHERE usename = $1'\n` +
      `lost = host=127.0.0.1 port=${port} dbname=shop auth_dbname=nowhere\n` +
      `[pgbouncer]\nauth_type = scram-sha-256\nauth_user = ${cluster.user}\nauth_dbname = postgres\nauth_query = SELECT 1\n`,
  );
  // The global auth_query (SELECT 1) would fail: shop's own query runs, on the auth_dbname database.
  assert.equal(await whoAmI(p.url({ user: 'guest', password: 'g3st', database: 'shop' })), 'guest');
  assert.equal((await loginError(p.url({ user: 'guest', password: 'nope', database: 'shop' }))).message, 'SASL authentication failed');
  assert.equal((await loginError(p.url({ user: 'guest', password: 'g3st', database: 'broken' }))).message, 'bouncer config error');
  assert.ok(await logged(p, /error in auth_query: ERROR relation "no_such_table" does not exist/), p.stderr());
  assert.equal((await loginError(p.url({ user: 'guest', password: 'g3st', database: 'lost' }))).message, 'bouncer config error');
  assert.ok(await logged(p, /authentication database "nowhere" is not configured/), p.stderr());
});

test('a server refusing the login: the client gets the server\'s own message, and the log says "server login failed: FATAL …"', async (t) => {
  const p = await pooler(t, `[databases]\ngone = host=127.0.0.1 port=${port} dbname=gone_db user=keeper password=k33p\n[pgbouncer]\nauth_type = trust\nauth_file = userlist.txt\n`, `"guest" ""\n`);
  const refused = await loginError(p.url({ user: 'guest', password: '', database: 'gone' }));
  assert.equal(refused.message, 'database "gone_db" does not exist');
  assert.ok(await logged(p, /server login failed: FATAL database "gone_db" does not exist/), p.stderr());
  assert.ok(await logged(p, /closing because: database "gone_db" does not exist/), p.stderr());
});

test('logfile: a refused client\'s "closing because" line is in the file by the time the client has its error (PgBouncer writes it first)', async (t) => {
  const logfile = join(dir, `refusals-${process.pid}.log`);
  const p = await pooler(t, `[databases]\nshop = host=127.0.0.1 port=${port} dbname=shop\n[pgbouncer]\nauth_type = md5\nauth_file = userlist.txt\nlogfile = ${logfile}\n`, `"guest" "g3st"\n`);
  for (let i = 0; i < 5; i++) {
    const refused = await loginError(p.url({ user: 'guest', password: `wrong-${i}`, database: 'shop' }));
    assert.equal(refused.code, '28P01');
    // Read at once, without waiting: the line must already be there.
    const lines = readFileSync(logfile, 'utf8').split('\n').filter((line) => line.includes('shop/guest@') && line.includes('closing because: password authentication failed'));
    assert.equal(lines.length, i + 1, readFileSync(logfile, 'utf8'));
  }
});

test('a server that refused a login is not asked again before server_login_retry: clients meanwhile get PgBouncer\'s cached error', async (t) => {
  const p = await pooler(
    t,
    `[databases]\nshop = host=127.0.0.1 port=${port} dbname=shop user=keeper password=wrong\n[pgbouncer]\nauth_type = trust\nauth_file = userlist.txt\nserver_login_retry = 2\n`,
    `"guest" ""\n`,
  );
  const first = await loginError(p.url({ user: 'guest', password: '', database: 'shop' }));
  assert.equal(first.message, 'password authentication failed for user "keeper"');
  const second = await loginError(p.url({ user: 'guest', password: '', database: 'shop' }));
  assert.equal(second.message, 'server login has been failing, cached error: password authentication failed for user "keeper" (server_login_retry)');
  await new Promise((resolve) => setTimeout(resolve, 2200));
  // The retry period is over: the server is asked again and answers for itself.
  const third = await loginError(p.url({ user: 'guest', password: '', database: 'shop' }));
  assert.equal(third.message, 'password authentication failed for user "keeper"');
});

test('auth_type = hba: auth_hba_file picks the method per connection (trust, md5, reject, no rule); RELOAD re-reads it', async (t) => {
  const hbaFile = join(dir, `hba-${process.pid}.conf`);
  writeFileSync(hbaFile, 'host shop keeper 127.0.0.1/32 trust\nhost shop guest 127.0.0.1/32 md5\nhost shop stranger 0.0.0.0/0 reject\nhost pgbouncer keeper 127.0.0.1/32 md5\n');
  const p = await pooler(
    t,
    `[databases]\nshop = host=127.0.0.1 port=${port} dbname=shop\n[pgbouncer]\nauth_type = hba\nauth_hba_file = ${hbaFile}\nauth_file = userlist.txt\nadmin_users = keeper\n`,
    `"keeper" "k33p"\n"guest" "g3st"\n"stranger" "s"\n"other" "o"\n`,
  );
  assert.equal(await whoAmI(p.url({ user: 'keeper', password: 'not-asked', database: 'shop' })), 'keeper');
  assert.equal(await whoAmI(p.url({ user: 'guest', password: 'g3st', database: 'shop' })), 'guest');
  assert.match((await loginError(p.url({ user: 'guest', password: 'nope', database: 'shop' }))).message, /password authentication failed/);
  assert.equal((await loginError(p.url({ user: 'stranger', password: 's', database: 'shop' }))).message, 'login rejected');
  assert.equal((await loginError(p.url({ user: 'other', password: 'o', database: 'shop' }))).message, 'no authentication method is found');
  // keeper no longer trusted after RELOAD: a password is asked for and checked.
  writeFileSync(hbaFile, 'host all all 127.0.0.1/32 scram-sha-256\n');
  const reload = await run('psql', ['-X', '-h', '127.0.0.1', '-p', String(p.port), '-U', 'keeper', '-d', 'pgbouncer', '-c', 'RELOAD'], { env: { PGPASSWORD: 'k33p' } });
  assert.equal(reload.code, 0, reload.stderr);
  assert.equal((await loginError(p.url({ user: 'keeper', password: 'not-asked', database: 'shop' }))).message, 'SASL authentication failed');
  assert.equal(await whoAmI(p.url({ user: 'keeper', password: 'k33p', database: 'shop' })), 'keeper');
});
