// Startup settings (`options` -c pairs, statement_timeout, …) and track_extra_parameters: applied to
// whichever server connection a client gets, as a direct connection would have them, and never
// left behind for the next client — observed through pg's own startup parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg, loginError, startPooler, writeIni } from './pooler-harness';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster();
  cluster.psql('create schema app_schema; create table app_schema.marker as select 1 as only_in_app_schema');
});

after(() => cluster?.stop());

async function connectWith(url: string, config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10000, ...config });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function setting(client: pg.Client, name: string): Promise<string> {
  return (await client.query(`select current_setting('${name}') as value`)).rows[0].value as string;
}

test('options -c, --name= and startup parameters apply on every server a client gets; other clients never see them', async (t) => {
  const pooler = await startPooler(cluster, ['--pool-size', '3', '--server-policy', 'rotate']);
  t.after(() => pooler.stop());
  const tuned = await connectWith(pooler.url(), {
    options: '-c search_path=app_schema --work-mem=3MB',
    statement_timeout: 1500,
    idle_in_transaction_session_timeout: 60000,
  });
  const plain = await connectPg(pooler.url());
  t.after(() => Promise.all([tuned.end(), plain.end()]));
  const pids = new Set<number>();
  const settingsSql = "select pg_backend_pid() as pid, current_setting('search_path') as path, current_setting('work_mem') as mem, " +
    "current_setting('statement_timeout') as timeout, current_setting('idle_in_transaction_session_timeout') as idle";
  for (let i = 0; i < 4; i++) {
    const own = (await tuned.query(settingsSql)).rows[0];
    pids.add(own.pid);
    assert.deepEqual([own.path, own.mem, own.timeout, own.idle], ['app_schema', '3MB', '1500ms', '1min']);
    // The plain client lands on the servers the tuned one used and finds PostgreSQL's defaults.
    const other = (await plain.query(settingsSql)).rows[0];
    assert.deepEqual([other.path, other.mem, other.timeout, other.idle], ['"$user", public', '4MB', '0', '0']);
  }
  assert.ok(pids.size > 1, `rotate should have moved the tuned client between servers: ${[...pids]}`);
  assert.deepEqual((await tuned.query('select only_in_app_schema from marker')).rows, [{ only_in_app_schema: 1 }]);
  // The effect, not just the value: the statement timeout cancels a long query.
  await assert.rejects(tuned.query('select pg_sleep(5)'), (error: Error & { code?: string }) => error.code === '57014');
});

test('a malformed options value is refused at login with PgBouncer\'s message; a setting PostgreSQL rejects fails the client', async (t) => {
  const pooler = await startPooler(cluster);
  t.after(() => pooler.stop());
  const malformed = await loginError(`${pooler.url()}?options=${encodeURIComponent('-d 5')}`);
  assert.equal(malformed.code, '08P01');
  assert.equal(malformed.message, "unsupported options startup parameter: only '-c config=val' and '--config=val' are allowed");
  const unknown = await connectWith(pooler.url(), { options: '-c no_such_setting=1' });
  t.after(() => unknown.end().catch(() => {}));
  await assert.rejects(unknown.query('select 1'), /no_such_setting/);
});

test('ignore_startup_parameters drops the named settings, also inside options', async (t) => {
  const ini = writeIni('[databases]\n[pgbouncer]\npool_mode = transaction\nignore_startup_parameters = extra_float_digits\n');
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const client = await connectWith(pooler.url(), { options: '-c extra_float_digits=3 -c geqo=off' });
  t.after(() => client.end());
  assert.equal(await setting(client, 'extra_float_digits'), '1');
  assert.equal(await setting(client, 'geqo'), 'off');
});

test('track_extra_parameters: a client\'s SET of a tracked parameter follows it to the next server, not to other clients', async (t) => {
  const ini = writeIni('[databases]\n[pgbouncer]\npool_mode = transaction\ntrack_extra_parameters = IntervalStyle\n');
  t.after(() => ini.remove());
  const pooler = await startPooler(cluster, ['--config', ini.path, '--pool-size', '3', '--server-policy', 'rotate']);
  t.after(() => pooler.stop());
  const a = await connectPg(pooler.url());
  const b = await connectPg(pooler.url());
  t.after(() => Promise.all([a.end(), b.end()]));
  await a.query("set intervalstyle = 'sql_standard'");
  const pids = new Set<number>();
  const sql = "select pg_backend_pid() as pid, current_setting('IntervalStyle') as style";
  for (let i = 0; i < 4; i++) {
    const own = (await a.query(sql)).rows[0];
    pids.add(own.pid);
    assert.equal(own.style, 'sql_standard');
    assert.equal((await b.query(sql)).rows[0].style, 'postgres');
  }
  assert.ok(pids.size > 1, 'rotate should have moved the client between servers');
});
