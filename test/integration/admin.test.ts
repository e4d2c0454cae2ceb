// The admin console (database pgbouncer / poolsafe) through psql and node-postgres, against the real
// pooler process; error texts compared with a real PgBouncer where both should answer alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer';
import { connectPg, run, startPooler, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let pooler: RunningPooler;
let bouncer: PgBouncer;

before(async () => {
  cluster = await startCluster();
  pooler = await startPooler(cluster, ['--server-policy', 'lifo']);
  bouncer = await startPgBouncer({ targetPort: cluster.port, users: [{ name: cluster.user, password: cluster.password }] });
});

after(async () => {
  await pooler?.stop();
  await bouncer?.stop();
  cluster?.stop();
});

interface AdminAnswer {
  code: number | null;
  header: string[];
  rows: string[][];
  stdout: string;
  stderr: string;
}

/** Runs one console command with psql (unaligned, `|`-separated, header kept, no footer). */
async function admin(port: number, sql: string, options: { database?: string; password?: string } = {}): Promise<AdminAnswer> {
  const args = ['-X', '-A', '-F', '|', '-P', 'footer=off', '-v', 'VERBOSITY=verbose', '-h', '127.0.0.1', '-p', String(port), '-U', cluster.user];
  const result = await run('psql', [...args, '-d', options.database ?? 'pgbouncer', '-c', sql], {
    env: { PGPASSWORD: options.password ?? cluster.password, PGCONNECT_TIMEOUT: '10' },
    timeoutMs: 20_000,
  });
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return { ...result, header: lines[0]?.split('|') ?? [], rows: lines.slice(1).map((line) => line.split('|')), };
}

/** Rows as objects keyed by column name. */
function records(answer: AdminAnswer): Record<string, string>[] {
  return answer.rows.map((row) => Object.fromEntries(answer.header.map((name, i) => [name, row[i]])));
}

const SOCKET_COLUMNS = [
  'type', 'user', 'database', 'replication', 'state', 'addr', 'port', 'local_addr', 'local_port', 'connect_time',
  'request_time', 'wait', 'wait_us', 'close_needed', 'ptr', 'link', 'remote_pid', 'tls', 'application_name',
  'prepared_statements', 'id',
];

// PgBouncer 1.25's column names and order (src/admin.c, src/stats.c), plus PoolSafe's SHOW HAZARDS.
const EXPECTED_COLUMNS: Record<string, string[]> = {
  'show pools': [
    'database', 'user', 'cl_active', 'cl_waiting', 'cl_active_cancel_req', 'cl_waiting_cancel_req', 'sv_active',
    'sv_active_cancel', 'sv_being_canceled', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login', 'maxwait', 'maxwait_us',
    'pool_mode', 'load_balance_hosts',
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

test('live state: a client inside a transaction, its server connection and the pool', async (t) => {
  const client = await connectPg(pooler.url({ application: 'admin-test' }));
  t.after(() => client.end());
  await client.query('begin');
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;

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
  assert.deepEqual(databases.map((r) => r.name), ['postgres', 'pgbouncer']);
  assert.equal(databases[0].port, String(cluster.port));
});

test('SET changes SHOW CONFIG; fixed keys and bad values fail like PgBouncer', async () => {
  const set = await admin(pooler.port, 'SET default_pool_size = 7');
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /SET default_pool_size=7/);
  const quoted = await admin(pooler.port, "set query_wait_timeout to '30'");
  assert.equal(quoted.code, 0, quoted.stderr);
  const config = Object.fromEntries(records(await admin(pooler.port, 'show config')).map((r) => [r.key, r]));
  assert.deepEqual(config.default_pool_size, { key: 'default_pool_size', value: '7', default: '20', changeable: 'yes' });
  assert.equal(config.query_wait_timeout.value, '30');
  assert.equal(config.listen_port.changeable, 'no');
  assert.equal(config.pool_mode.value, 'transaction');
  const fixed = await admin(pooler.port, 'set listen_port = 1');
  assert.match(fixed.stderr, /ERROR: +08P01: SET failed/);
  const badMode = await admin(pooler.port, 'set pool_mode = sometimes');
  assert.match(badMode.stderr, /SET failed/);
  await admin(pooler.port, 'SET default_pool_size = 20');
});

test('error answers match real PgBouncer (text and SQLSTATE)', async () => {
  const commands = ['show nonsense', 'select 1', 'resume', 'set bogus = 1', 'set default_pool_size = abc', 'pause pgbouncer'];
  for (const command of commands) {
    const ours = await admin(pooler.port, command);
    const theirs = await admin(bouncer.port, command);
    assert.equal(theirs.code, 1, `pgbouncer accepted ${command}`);
    assert.equal(ours.code, 1, `poolsafe accepted ${command}`);
    assert.equal(ours.stderr.trim(), theirs.stderr.trim(), command);
  }
});

test('PAUSE answers once the active transaction ends; RESUME; RELOAD', async (t) => {
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  await client.query('begin');
  await client.query('select 1');
  let pauseAnswered = false;
  const pause = admin(pooler.port, 'pause').then((answer) => {
    pauseAnswered = true;
    return answer;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(pauseAnswered, false, 'PAUSE must wait for the server connection in use');
  await client.query('commit');
  const paused = await pause;
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /PAUSE/);
  assert.match((await admin(pooler.port, 'pause')).stderr, /already suspended\/paused/);
  const state = Object.fromEntries((await admin(pooler.port, 'show state')).rows.map(([k, v]) => [k, v]));
  assert.equal(state.paused, 'yes');
  assert.equal(records(await admin(pooler.port, 'show databases'))[0].paused, '1');
  const resumed = await admin(pooler.port, 'resume');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match((await admin(pooler.port, 'reload')).stdout, /RELOAD/);
});

test('alias database poolsafe; wrong password refused; extended protocol refused politely', async (t) => {
  const alias = await admin(pooler.port, 'show version', { database: 'poolsafe' });
  assert.equal(alias.code, 0, alias.stderr);
  const wrong = await admin(pooler.port, 'show version', { password: 'not-the-password' });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /FATAL: +password authentication failed for user "postgres"/);
  await assert.rejects(connectPg(pooler.url({ database: 'pgbouncer', password: 'nope' })), (error: { code?: string }) => error.code === '28P01');

  const client = await connectPg(pooler.url({ database: 'pgbouncer' }));
  t.after(() => client.end());
  const simple = await client.query('show pools');
  assert.ok(simple.rows.some((r) => r.database === 'postgres'));
  assert.equal(simple.fields.find((f) => f.name === 'cl_active')?.dataTypeID, 23); // int4, as PgBouncer
  await assert.rejects(client.query({ name: 'prepared-show', text: 'show pools' }), /admin console supports only simple queries/);
  assert.equal((await client.query('show version')).rows.length, 1);
});

test('SHUTDOWN ends the pooler process', async (t) => {
  const own = await startPooler(cluster);
  t.after(() => own.stop());
  const exited = once(own.process, 'exit');
  await admin(own.port, 'shutdown');
  const timer = setTimeout(() => own.process.kill('SIGKILL'), 10_000);
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(signal, null, 'the pooler had to be killed: SHUTDOWN did not end it');
  assert.equal(code, 0);
});
