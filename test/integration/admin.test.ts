// The admin console (database pgbouncer / poolsafe) through psql and node-postgres, against the real
// pooler process. Each process-control command is tested by its effect on real clients, and where
// Debian's PgBouncer 1.18 has the command, the same scenario runs against it too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer';
import { backendPid, connectPg, loginError, run, startPooler, writeIni, type RunningPooler } from './pooler-harness';
import { poolerPath } from '../helpers/paths';
import {
  admin as adminAt, adminOk, backendAlive, clientOf, eventually, records, stillPending, track, type AdminAnswer, type Side,
} from './admin-harness';

let cluster: Cluster;
let pooler: RunningPooler;
let bouncer: PgBouncer;
let ours: Side;
let theirs: Side;
let removeIni: () => void;
/** How long a held query must stay unanswered to count as held. */
const HELD_MS = 700;

before(async () => {
  cluster = await startCluster();
  cluster.psql('create database second');
  cluster.psql('create database third');
  cluster.psql('create table admin_marks (tag text)');
  cluster.psql('create table admin_marks (tag text)', 'second');
  const ini = writeIni(
    '[databases]\n' +
      `postgres = host=127.0.0.1 port=${cluster.port} dbname=postgres\n` +
      `second = host=127.0.0.1 port=${cluster.port} dbname=second\n` +
      `third = host=127.0.0.1 port=${cluster.port} dbname=third\n` +
      `[pgbouncer]\npool_mode = transaction\nadmin_users = ${cluster.user}\n`,
  );
  removeIni = ini.remove;
  pooler = await startPooler(cluster, ['--config', ini.path, '--server-policy', 'lifo']);
  bouncer = await startPgBouncer({ targetPort: cluster.port, users: [{ name: cluster.user, password: cluster.password }] });
  ours = { name: 'poolsafe', port: pooler.port, url: (database = 'postgres') => pooler.url({ database }) };
  theirs = { name: 'pgbouncer', port: bouncer.port, url: (database = 'postgres') => bouncer.url(database, cluster.user, cluster.password) };
});

after(async () => {
  await pooler?.stop();
  await bouncer?.stop();
  removeIni?.();
  cluster?.stop();
});

function admin(port: number, sql: string, options: { database?: string; password?: string } = {}): Promise<AdminAnswer> {
  return adminAt(cluster, port, sql, options);
}

/** Rows of admin_marks with this tag, read directly from PostgreSQL (proof a statement ran). */
function marks(tag: string, database = 'postgres'): number {
  return Number(cluster.psql(`select count(*) from admin_marks where tag = '${tag}'`, database).trim());
}

const SOCKET_COLUMNS = [
  'type', 'user', 'database', 'replication', 'state', 'addr', 'port', 'local_addr', 'local_port', 'connect_time',
  'request_time', 'wait', 'wait_us', 'close_needed', 'ptr', 'link', 'remote_pid', 'tls', 'application_name',
  'prepared_statements', 'id', 'host', 'role',
];

const DEBUG_SOCKET_COLUMNS = [
  ...SOCKET_COLUMNS.slice(0, -2), 'recv_pos', 'pkt_pos', 'pkt_remain', 'send_pos', 'send_remain', 'pkt_avail', 'send_avail', 'host', 'role',
];

// PgBouncer 1.25's column names and order (src/admin.c, src/stats.c), plus PoolSafe's SHOW HAZARDS.
const EXPECTED_COLUMNS: Record<string, string[]> = {
  'show pools': [
    'database', 'user', 'cl_active', 'cl_waiting', 'cl_active_cancel_req', 'cl_waiting_cancel_req', 'sv_active',
    'sv_active_cancel', 'sv_being_canceled', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login', 'maxwait', 'maxwait_us',
    'pool_mode', 'load_balance_hosts', 'host', 'role', 'host_status', 'replication_delay',
  ],
  'show clients': SOCKET_COLUMNS,
  'show servers': SOCKET_COLUMNS,
  'show databases': [
    'name', 'host', 'port', 'database', 'force_user', 'pool_size', 'min_pool_size', 'reserve_pool_size', 'server_lifetime',
    'pool_mode', 'load_balance_hosts', 'max_connections', 'current_connections', 'max_client_connections',
    'current_client_connections', 'paused', 'disabled',
  ],
  'show stats': [
    'database', 'total_server_assignment_count', 'total_xact_count', 'total_query_count', 'total_received', 'total_sent',
    'total_xact_time', 'total_query_time', 'total_wait_time', 'total_client_parse_count', 'total_server_parse_count',
    'total_bind_count', 'avg_server_assignment_count', 'avg_xact_count', 'avg_query_count', 'avg_recv', 'avg_sent',
    'avg_xact_time', 'avg_query_time', 'avg_wait_time', 'avg_client_parse_count', 'avg_server_parse_count', 'avg_bind_count',
  ],
  'show config': ['key', 'value', 'default', 'changeable'],
  'show lists': ['list', 'items'],
  'show version': ['version'],
  'show hazards': ['id', 'time', 'kind', 'rule', 'client_id', 'application_name', 'server_id', 'remote_pid', 'statement', 'detail'],
  'show hosts': ['database', 'node_id', 'host', 'port', 'role', 'lb_weight', 'status', 'replication_delay', 'replay_lsn', 'last_check', 'error'],
  // PgBouncer's debug columns come right after its own; PoolSafe's host and role stay last.
  'show sockets': DEBUG_SOCKET_COLUMNS,
  'show active_sockets': DEBUG_SOCKET_COLUMNS,
  'show users': [
    'name', 'pool_size', 'reserve_pool_size', 'pool_mode', 'max_user_connections', 'current_connections',
    'max_user_client_connections', 'current_client_connections',
  ],
  'show peers': ['peer_id', 'host', 'port', 'pool_size'],
  'show peer_pools': ['peer_id', 'cl_active_cancel_req', 'cl_waiting_cancel_req', 'sv_active_cancel', 'sv_login'],
  'show mem': ['name', 'size', 'used', 'free', 'memtotal'],
  'show dns_hosts': ['hostname', 'ttl', 'addrs'],
  'show dns_zones': ['zonename', 'serial', 'count'],
  'show totals': ['name', 'value'],
};

test('every SHOW command answers with PgBouncer 1.25 column names in order', async () => {
  for (const [command, columns] of Object.entries(EXPECTED_COLUMNS)) {
    const answer = await admin(pooler.port, command);
    assert.equal(answer.code, 0, `${command}: ${answer.stderr}`);
    assert.deepEqual(answer.header, columns, command);
  }
  const version = await admin(pooler.port, 'SHOW VERSION;');
  assert.match(version.rows[0][0], /^PoolSafe .*PgBouncer 1\.25/);
  const lists = records(await admin(pooler.port, 'show lists'));
  assert.deepEqual(lists.map((r) => r.list), [
    'databases', 'users', 'peers', 'pools', 'peer_pools', 'free_clients', 'used_clients', 'login_clients', 'free_servers',
    'used_servers', 'dns_names', 'dns_zones', 'dns_queries', 'dns_pending',
  ]);
  assert.deepEqual((await admin(pooler.port, 'show hazards')).rows, []);
});

/** A client (named `application`) inside a transaction, and the PID of the backend it holds. */
async function clientInTransaction(t: { after(fn: () => unknown): void }, application: string) {
  const client = await connectPg(pooler.url({ application }));
  t.after(() => client.end());
  await client.query('begin');
  return { client, pid: (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number };
}

test('SHOW SOCKETS lists the console session, a client in a transaction and its server, numbered in one sequence', async (t) => {
  const { pid } = await clientInTransaction(t, 'sockets-test');
  const sockets = records(await admin(pooler.port, 'show sockets'));
  const mine = sockets.find((r) => r.application_name === 'sockets-test');
  const held = sockets.find((r) => Number(r.remote_pid) === pid);
  const consoleSession = sockets.find((r) => r.database === 'pgbouncer' && r.application_name === 'psql');
  assert.ok(mine && held && consoleSession, JSON.stringify(sockets));
  assert.deepEqual([mine.type, mine.state, held.type, held.state, consoleSession.state], ['C', 'cl_active', 'S', 'sv_active', 'cl_active']);
  // Clients, servers and console sessions share PgBouncer's one id sequence: no two sockets share an id.
  const ids = sockets.map((r) => Number(r.id));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(Number(consoleSession.id) > Math.max(Number(mine.id), Number(held.id)), 'the newest connection has the highest id');
  const users = records(await admin(pooler.port, 'show users'));
  const user = users.find((r) => r.name === cluster.user);
  assert.ok(user, JSON.stringify(users));
  assert.ok(Number(user.current_client_connections) >= 1 && Number(user.current_connections) >= 1);
});

test('SHOW VERSION is the first line of poolsafe pooler --version, as PgBouncer\'s two agree', async () => {
  const version = await run(process.execPath, [poolerPath, '--version'], { timeoutMs: 15_000 });
  assert.equal(version.code, 0);
  assert.equal((await admin(pooler.port, 'show version')).rows[0][0], version.stdout.split('\n')[0]);
});

test('SHOW STATS and SHOW TOTALS count server assignments: one per transaction in transaction mode', async (t) => {
  const count = async () => {
    const stats = records(await admin(pooler.port, 'show stats')).find((r) => r.database === 'second');
    const totals = Object.fromEntries((await admin(pooler.port, 'show totals')).rows.map(([name, value]) => [name, Number(value)]));
    return { database: Number(stats?.total_server_assignment_count ?? 0), all: totals.total_server_assignment_count };
  };
  const before = await count();
  const client = await connectPg(pooler.url({ database: 'second' }));
  t.after(() => client.end());
  for (let i = 0; i < 3; i++) await client.query('select 1');
  const after = await count();
  assert.equal(after.database - before.database, 3);
  assert.ok(after.all - before.all >= 3);
});

test('live state: a client inside a transaction, its server connection and the pool', async (t) => {
  const { client, pid } = await clientInTransaction(t, 'admin-test');

  const clients = records(await admin(pooler.port, 'show clients'));
  const mine = clients.find((r) => r.application_name === 'admin-test');
  assert.ok(mine, JSON.stringify(clients));
  assert.equal(mine.type, 'C');
  assert.equal(mine.state, 'active');
  assert.equal(mine.database, 'postgres');
  assert.equal(mine.addr, '127.0.0.1');
  assert.match(mine.connect_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.notEqual(mine.link, '');
  // The console's own psql session is listed too, as PgBouncer does.
  assert.ok(clients.some((r) => r.database === 'pgbouncer' && r.application_name === 'psql'));

  const servers = records(await admin(pooler.port, 'show servers'));
  const held = servers.find((r) => Number(r.remote_pid) === pid);
  assert.ok(held, `no server with remote_pid ${pid}: ${JSON.stringify(servers)}`);
  assert.equal(held.type, 'S');
  assert.equal(held.state, 'active');
  assert.equal(held.port, String(cluster.port));
  assert.equal(held.link, mine.ptr);
  assert.equal(mine.link, held.ptr);

  const pool = records(await admin(pooler.port, 'show pools')).find((r) => r.database === 'postgres');
  assert.ok(pool);
  assert.equal(pool.user, cluster.user);
  assert.equal(pool.sv_active, '1');
  assert.ok(Number(pool.cl_active) >= 1);
  assert.equal(pool.pool_mode, 'transaction');

  await client.query('commit');
  const after = records(await admin(pooler.port, 'show servers')).find((r) => Number(r.remote_pid) === pid);
  assert.equal(after?.state, 'idle');
  assert.equal(after?.link, '');
  const stats = records(await admin(pooler.port, 'show stats')).find((r) => r.database === 'postgres');
  assert.ok(stats && Number(stats.total_xact_count) >= 1 && Number(stats.total_query_count) >= 2, JSON.stringify(stats));
  const databases = records(await admin(pooler.port, 'show databases'));
  assert.deepEqual(databases.map((r) => r.name), ['postgres', 'second', 'third', 'pgbouncer']);
  assert.equal(databases[0].port, String(cluster.port));
});

test('error answers match real PgBouncer (text and SQLSTATE)', async () => {
  const commands = [
    'show nonsense', 'select 1', 'resume', 'set bogus = 1', 'set default_pool_size = abc', 'pause pgbouncer', 'resume nosuchdb',
    'kill pgbouncer', 'reconnect pgbouncer', 'disable', 'enable', 'disable pgbouncer', 'wait_close pgbouncer', 'shutdown now',
  ];
  for (const command of commands) {
    const ours = await admin(pooler.port, command);
    const theirs = await admin(bouncer.port, command);
    assert.equal(theirs.code, 1, `pgbouncer accepted ${command}`);
    assert.equal(ours.code, 1, `poolsafe accepted ${command}`);
    assert.equal(ours.stderr.trim(), theirs.stderr.trim(), command);
  }
  // A session parameter drivers set on connect is acknowledged and ignored.
  const ours = await admin(pooler.port, 'set client_encoding = utf8');
  const theirs = await admin(bouncer.port, 'set client_encoding = utf8');
  assert.deepEqual([ours.code, ours.stdout, ours.stderr], [theirs.code, theirs.stdout, theirs.stderr]);
  assert.match(ours.stderr, /NOTICE: +00000: SET ignored/);
});

/**
 * PAUSE waits for the transaction in progress, then holds new queries: the held INSERT is not in the
 * table (read directly from PostgreSQL) until RESUME, after which it completes.
 */
async function pauseHoldsQueries(t: { after(fn: () => unknown): void }, side: Side): Promise<void> {
  const tag = `pause-${side.name}`;
  const inTransaction = await clientOf(t, side);
  const later = await clientOf(t, side);
  await inTransaction.query('begin');
  await inTransaction.query('select 1');
  const pause = track(admin(side.port, 'pause'));
  assert.ok(await stillPending(pause, HELD_MS), `${side.name}: PAUSE answered while a transaction held a server`);
  await inTransaction.query('commit');
  const paused = await pause.promise;
  assert.equal(paused.code, 0, paused.stderr);
  assert.match((await admin(side.port, 'pause')).stderr, /already suspended\/paused/);
  if (side === ours) assert.equal(Object.fromEntries((await admin(side.port, 'show state')).rows).paused, 'yes'); // 1.18 lacks SHOW STATE

  const insert = track(later.query('insert into admin_marks values ($1)', [tag]));
  assert.ok(await stillPending(insert, HELD_MS), `${side.name}: a query ran while paused`);
  assert.equal(marks(tag), 0, `${side.name}: the held INSERT reached PostgreSQL`);
  await adminOk(cluster, side.port, 'resume');
  await insert.promise;
  assert.equal(marks(tag), 1);
}

test('PAUSE waits for the open transaction, then holds new queries until RESUME (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) await pauseHoldsQueries(t, side);
});

test('PAUSE db holds only that database; RESUME db releases it (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) {
    const tag = `pause-db-${side.name}`;
    const onSecond = await clientOf(t, side, 'second');
    const onPostgres = await clientOf(t, side, 'postgres');
    await onSecond.query('select 1');
    await adminOk(cluster, side.port, 'pause second');
    assert.equal(records(await admin(side.port, 'show databases')).find((r) => r.name === 'second')?.paused, '1');
    const held = track(onSecond.query('insert into admin_marks values ($1)', [tag]));
    const other = await onPostgres.query('insert into admin_marks values ($1)', [tag]);
    assert.equal(other.rowCount, 1, `${side.name}: the other database was held too`);
    assert.ok(await stillPending(held, HELD_MS), `${side.name}: a query on the paused database ran`);
    assert.equal(marks(tag, 'second'), 0);
    await adminOk(cluster, side.port, 'resume second');
    await held.promise;
    assert.equal(marks(tag, 'second'), 1);
  }
});

test('KILL db drops its clients at once; new ones wait until RESUME db (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) {
    const victim = await clientOf(t, side, 'third');
    const pid = await backendPid(victim);
    const bystander = await clientOf(t, side, 'postgres');
    await adminOk(cluster, side.port, 'kill third');
    await assert.rejects(victim.query('select 1'), `${side.name}: the killed client still works`);
    assert.ok(await eventually(() => !backendAlive(cluster, pid)), `${side.name}: the server connection survived KILL`);
    assert.equal((await bystander.query('select 1 as n')).rows[0].n, 1);
    const newcomer = track(
      (async () => {
        const client = await clientOf(t, side, 'third');
        return client.query('select 2 as n');
      })(),
    );
    assert.ok(await stillPending(newcomer, HELD_MS), `${side.name}: a new client of the killed database was served`);
    await adminOk(cluster, side.port, 'resume third');
    // PoolSafe then serves the held client. PgBouncer 1.18 leaves logins made while a database is
    // killed stuck until the client gives up (so do fresh ones meanwhile): only PoolSafe is checked,
    // and no other test uses database third.
    if (side === theirs) continue;
    assert.equal((await newcomer.promise).rows[0].n, 2);
    const fresh = await clientOf(t, side, 'third');
    assert.equal((await fresh.query('select 3 as n')).rows[0].n, 3);
  }
});

test('DISABLE db refuses new logins while existing clients keep working; ENABLE db (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) {
    const existing = await clientOf(t, side, 'second');
    await adminOk(cluster, side.port, 'disable second');
    assert.equal(records(await admin(side.port, 'show databases')).find((r) => r.name === 'second')?.disabled, '1');
    const refused = await loginError(side.url('second'));
    assert.match(refused.message, /database "second" is disabled/, side.name);
    assert.equal((await existing.query('select 3 as n')).rows[0].n, 3);
    await adminOk(cluster, side.port, 'enable second');
    const again = await clientOf(t, side, 'second');
    assert.equal((await again.query('select 4 as n')).rows[0].n, 4);
  }
});

test('RECONNECT replaces server connections once released; WAIT_CLOSE waits for that (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) {
    const client = await clientOf(t, side);
    await client.query('begin');
    const before = await backendPid(client);
    await adminOk(cluster, side.port, 'reconnect postgres');
    const waitClose = track(admin(side.port, 'wait_close postgres'));
    assert.ok(await stillPending(waitClose, HELD_MS), `${side.name}: WAIT_CLOSE answered while the old server was in use`);
    assert.ok(backendAlive(cluster, before), `${side.name}: RECONNECT closed a server inside a transaction`);
    await client.query('commit');
    assert.equal((await waitClose.promise).code, 0);
    assert.ok(await eventually(() => !backendAlive(cluster, before)), `${side.name}: the old backend is still there`);
    const after = await backendPid(client);
    assert.notEqual(after, before, `${side.name}: the same server connection was reused after RECONNECT`);
  }
});

test('SUSPEND stops serving until RESUME (PoolSafe and PgBouncer)', async (t) => {
  for (const side of [ours, theirs]) {
    // The console session must stay open: when the last one leaves, PgBouncer resumes by itself.
    const console = await clientOf(t, side, 'pgbouncer');
    const client = await clientOf(t, side);
    await client.query('select 1');
    await console.query('suspend');
    if (side === ours) assert.equal(Object.fromEntries((await admin(side.port, 'show state')).rows).suspended, 'yes');
    const query = track(client.query('select 5 as n'));
    assert.ok(await stillPending(query, HELD_MS), `${side.name}: a query was answered while suspended`);
    await console.query('resume');
    assert.equal((await query.promise).rows[0].n, 5);
  }
});

test('SUSPEND ends when the last console session leaves, as in PgBouncer', async (t) => {
  const console = await clientOf(t, ours, 'pgbouncer');
  const client = await clientOf(t, ours);
  await console.query('suspend');
  const query = track(client.query('select 8 as n'));
  assert.ok(await stillPending(query, HELD_MS));
  await console.end();
  assert.equal((await query.promise).rows[0].n, 8);
});

test('KILL_CLIENT id drops that client only; unknown ids and bad input fail like PgBouncer 1.25', async (t) => {
  const victim = await connectPg(pooler.url({ application: 'kill-me' }));
  victim.on('error', () => {});
  t.after(() => victim.end().catch(() => {}));
  const bystander = await clientOf(t, ours);
  await victim.query('select 1');
  const row = records(await admin(pooler.port, 'show clients')).find((r) => r.application_name === 'kill-me');
  assert.ok(row);
  await adminOk(cluster, pooler.port, `kill_client ${row.id}`);
  await assert.rejects(victim.query('select 1'));
  assert.equal((await bystander.query('select 6 as n')).rows[0].n, 6);
  assert.match((await admin(pooler.port, `kill_client ${row.id}`)).stderr, /ERROR: +08P01: client not found/);
  assert.match((await admin(pooler.port, 'kill_client abc')).stderr, /ERROR: +08P01: invalid client pointer supplied/);
});

test('SET default_pool_size and query_wait_timeout change how clients are served', async (t) => {
  const set = await adminOk(cluster, pooler.port, 'SET default_pool_size = 1');
  assert.match(set.stdout, /SET default_pool_size=1/);
  t.after(() => adminOk(cluster, pooler.port, 'set default_pool_size = 20'));
  const holder = await clientOf(t, ours);
  const waiter = await clientOf(t, ours);
  await holder.query('begin');
  const heldPid = await backendPid(holder);
  // Servers beyond the new size close (PgBouncer's "too many servers in the pool").
  const oneServer = async () => records(await admin(pooler.port, 'show servers')).filter((r) => r.database === 'postgres').length === 1;
  assert.ok(await eventually(oneServer), 'extra servers stayed open after SET default_pool_size = 1');
  const waiting = track(waiter.query('select pg_backend_pid() as pid'));
  assert.ok(await stillPending(waiting, HELD_MS), 'a second server was opened beyond default_pool_size = 1');
  await holder.query('commit');
  assert.equal((await waiting.promise).rows[0].pid, heldPid);

  await adminOk(cluster, pooler.port, "set query_wait_timeout to '1'");
  t.after(() => adminOk(cluster, pooler.port, 'set query_wait_timeout = 120'));
  await holder.query('begin');
  const started = Date.now();
  await assert.rejects(waiter.query('select 1'), /query_wait_timeout/);
  assert.ok(Date.now() - started < 10_000);
  await holder.query('commit');

  const config = Object.fromEntries(records(await admin(pooler.port, 'show config')).map((r) => [r.key, r]));
  assert.deepEqual(config.default_pool_size, { key: 'default_pool_size', value: '1', default: '20', changeable: 'yes' });
  assert.equal(config.listen_port.changeable, 'no');
  assert.match((await admin(pooler.port, 'set listen_port = 1')).stderr, /ERROR: +08P01: SET failed/);
  assert.match((await admin(pooler.port, 'set pool_mode = sometimes')).stderr, /SET failed/);
});

test('alias database poolsafe; wrong password refused; extended protocol refused politely', async (t) => {
  const alias = await admin(pooler.port, 'show version', { database: 'poolsafe' });
  assert.equal(alias.code, 0, alias.stderr);
  const wrong = await admin(pooler.port, 'show version', { password: 'not-the-password' });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /FATAL: +SASL authentication failed/);
  await assert.rejects(connectPg(pooler.url({ database: 'pgbouncer', password: 'nope' })), (error: { code?: string }) => error.code === '28P01');

  const client = await connectPg(pooler.url({ database: 'pgbouncer' }));
  t.after(() => client.end());
  const simple = await client.query('show pools');
  assert.ok(simple.rows.some((r) => r.database === 'postgres'));
  assert.equal(simple.fields.find((f) => f.name === 'cl_active')?.dataTypeID, 23); // int4, as PgBouncer
  await assert.rejects(client.query({ name: 'prepared-show', text: 'show pools' }), /admin console supports only simple queries/);
  assert.equal((await client.query('show version')).rows.length, 1);
});

/** Waits for the pooler process to exit on its own (killed after 15 s, which fails the test). */
async function exitOf(own: RunningPooler): Promise<{ code: number | null; signal: string | null }> {
  if (own.process.exitCode !== null) return { code: own.process.exitCode, signal: null };
  const exited = once(own.process, 'exit');
  const timer = setTimeout(() => own.process.kill('SIGKILL'), 15_000);
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(timer);
  return { code, signal };
}

/** A pooler of the test's own (it will be shut down) and a client inside a transaction through it. */
async function ownPoolerInTransaction(t: { after(fn: () => unknown): void }) {
  const own = await startPooler(cluster);
  t.after(() => own.stop());
  const client = await connectPg(own.url());
  client.on('error', () => {});
  t.after(() => client.end().catch(() => {}));
  await client.query('begin');
  return { own, client };
}

test('SHUTDOWN ends the pooler process at once', async (t) => {
  const { own, client } = await ownPoolerInTransaction(t);
  await admin(own.port, 'shutdown');
  assert.deepEqual(await exitOf(own), { code: 0, signal: null });
  await assert.rejects(client.query('commit'));
});

test('SHUTDOWN WAIT_FOR_CLIENTS refuses new connections, lets clients finish, exits when the last leaves', async (t) => {
  const { own, client } = await ownPoolerInTransaction(t);
  const answer = await adminOk(cluster, own.port, 'shutdown wait_for_clients');
  assert.match(answer.stdout, /SHUTDOWN/);
  await assert.rejects(connectPg(own.url()), /ECONNREFUSED/);
  await client.query("insert into admin_marks values ('wait-for-clients')");
  await client.query('commit');
  assert.equal((await client.query('select 7 as n')).rows[0].n, 7);
  assert.equal(own.process.exitCode, null, 'the pooler exited while a client was connected');
  await client.end();
  assert.deepEqual(await exitOf(own), { code: 0, signal: null });
  assert.equal(marks('wait-for-clients'), 1);
});

test('SHUTDOWN WAIT_FOR_SERVERS lets the open transaction commit, then exits', async (t) => {
  const { own, client } = await ownPoolerInTransaction(t);
  await client.query("insert into admin_marks values ('wait-for-servers')");
  await adminOk(cluster, own.port, 'shutdown wait_for_servers');
  await assert.rejects(connectPg(own.url()), /ECONNREFUSED/);
  assert.equal(own.process.exitCode, null, 'the pooler exited while a transaction was open');
  await client.query('commit');
  assert.deepEqual(await exitOf(own), { code: 0, signal: null });
  assert.equal(marks('wait-for-servers'), 1);
});

test('SHUTDOWN WAIT_FOR_SERVERS ends a client waiting for the only server; the one holding it still commits', async (t) => {
  const own = await startPooler(cluster, ['--pool-size', '1']);
  t.after(() => own.stop());
  const holder = await connectPg(own.url());
  const waiter = await connectPg(own.url());
  for (const client of [holder, waiter]) client.on('error', () => {});
  t.after(() => Promise.all([holder.end().catch(() => {}), waiter.end().catch(() => {})]));
  await holder.query('begin');
  await holder.query("insert into admin_marks values ('held-through-shutdown')");
  const waiting = waiter.query('select 1');
  waiting.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 300));
  await adminOk(cluster, own.port, 'shutdown wait_for_servers');
  await assert.rejects(waiting, /server shutting down/);
  assert.equal(own.process.exitCode, null, 'the pooler exited while a transaction was open');
  await holder.query('commit');
  assert.deepEqual(await exitOf(own), { code: 0, signal: null });
  assert.equal(marks('held-through-shutdown'), 1);
});

test('SIGINT shuts down like SHUTDOWN WAIT_FOR_SERVERS; a second SIGINT stops at once', async (t) => {
  const safe = await ownPoolerInTransaction(t);
  await safe.client.query("insert into admin_marks values ('sigint')");
  assert.ok(safe.own.process.kill('SIGINT'));
  assert.ok(await eventually(async () => (await connectPg(safe.own.url()).then((c) => c.end(), (e: Error) => e)) instanceof Error));
  assert.equal(safe.own.process.exitCode, null, 'SIGINT ended the pooler while a transaction was open');
  await safe.client.query('commit');
  assert.deepEqual(await exitOf(safe.own), { code: 0, signal: null });
  assert.equal(marks('sigint'), 1);

  const twice = await ownPoolerInTransaction(t);
  twice.own.process.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 200));
  twice.own.process.kill('SIGINT');
  assert.deepEqual(await exitOf(twice.own), { code: 0, signal: null });
  await assert.rejects(twice.client.query('commit'));
});
