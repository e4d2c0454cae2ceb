// Faults under load: backends terminated and SIGKILLed, PostgreSQL restarted, the target unreachable
// at start, clients killed mid-transaction / mid-COPY / mid-pipeline, a cancel during a long query.
// Affected clients get an error with a SQLSTATE, the pool heals, no server connection is reused in an
// unknown state, nothing acknowledged is lost, unaffected clients carry on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import postgres from 'postgres';
import { startCluster, type Cluster } from '../helpers/cluster';
import { cliPath } from '../helpers/paths';
import { RawClient, cstr, frontend, run } from '../integration/pooler-harness';
import { adminShow, connect, isAlive, serverBackends, sleep, startReliablePooler, waitUntil } from './common';
import { createLedger, everyWorkerCommittedSince, lostCommits, startLoad, type Load } from './workload';
import { join } from 'node:path';

/** Errors a client may see when its server dies: PostgreSQL's own, or the pooler's (PgBouncer's texts). */
const FAULT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08006', '08P01', '08003', '40001']);

function poolerBackendPids(cluster: Cluster): number[] {
  const out = cluster.psql(
    "select pid from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
  );
  return out.trim().split('\n').filter(Boolean).map(Number);
}

/** pg_ctl on the cluster (as the cluster's OS user), logging to its server.log. */
function pgCtl(cluster: Cluster, args: string[]): void {
  cluster.pgCtl(['-l', join(cluster.dataDir, 'server.log'), '-w', '-t', '60', ...args]);
}

function unexpectedErrors(load: Load): string[] {
  return Object.keys(load.figures.errors).filter((code) => !FAULT_SQLSTATES.has(code));
}

test('faults under load: terminate, kill -9, restart; the pool heals and nothing acknowledged is lost', { timeout: 240_000 }, async (t) => {
  // synchronous_commit off (the harness default) lets a backend crash drop acknowledged commits.
  const cluster = await startCluster({ settings: { synchronous_commit: 'on' } });
  t.after(() => cluster.stop());
  createLedger(cluster);
  const pooler = await startReliablePooler(cluster, { max_client_conn: 200 }, ['--pool-size', '5']);
  t.after(() => pooler.stop());
  const load = startLoad(pooler.url(), 12, { thinkMs: 5 });
  t.after(() => load.stop());
  await sleep(1500);
  const faults: Array<[string, () => void]> = [
    ['pg_terminate_backend', () => cluster.psql("select pg_terminate_backend(pid) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")],
    ['kill -9 backend', () => process.kill(poolerBackendPids(cluster)[0], 'SIGKILL')],
    ['pg_ctl restart -m fast', () => pgCtl(cluster, ['-m', 'fast', 'restart'])],
  ];
  for (const [name, inject] of faults) {
    const committedBefore = load.figures.committed;
    const at = Date.now();
    inject();
    const healed = await everyWorkerCommittedSince(load, at, 60_000);
    t.diagnostic(`${name}: healed=${healed} in ${Date.now() - at} ms; commits before ${committedBefore}, errors so far ${JSON.stringify(load.figures.errors)}`);
    assert.ok(healed, `not every client committed again after ${name}`);
    assert.ok(isAlive(pooler.pid), `pooler died at ${name}`);
  }
  const figures = await load.stop();
  assert.equal(lostCommits(cluster, load), 0, 'acknowledged commits missing from the ledger');
  assert.deepEqual(unexpectedErrors(load), [], `errors without a fault SQLSTATE: ${JSON.stringify(figures.errors)}`);
  assert.ok(Object.keys(figures.errors).length > 0, 'the faults were felt by someone');
  // The pooler holds no server in an unknown state: nothing idle in a transaction, all servers usable.
  await waitUntil(() => serverBackends(cluster).idleInTransaction === 0, 5000, 'no idle-in-transaction server');
  const servers = await adminShow(pooler, 'SERVERS');
  assert.ok(servers.length <= 5, `${servers.length} servers for a pool of 5`);
  const probe = await connect(pooler.url());
  assert.equal((await probe.query('select count(*)::int as n from ledger')).rows[0].n, figures.committed);
  await probe.end();
  t.diagnostic(`faults: ${JSON.stringify(figures)}`);
});

test('server unreachable at start: exit 2 with a one-line error', { timeout: 60_000 }, async () => {
  const result = await run(process.execPath, [cliPath, 'pooler', '--target', 'postgres://postgres:pw@127.0.0.1:1/postgres', '--listen', '127.0.0.1:0'], { timeoutMs: 30_000 });
  assert.equal(result.code, 2);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^poolsafe pooler: cannot connect to 127\.0\.0\.1:1\/postgres as postgres: /);
  assert.equal(result.stdout, '');
});

/** Starts psql through the pooler with a script on stdin; returns the child (killed by the test). */
function psqlThrough(port: number, cluster: Cluster, script: string) {
  const child = spawn('psql', ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', cluster.user, '-d', 'postgres'], {
    env: { ...process.env, PGPASSWORD: cluster.password },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.write(script);
  return child;
}

test('clients killed mid-transaction, mid-COPY and mid-pipeline: their servers are not reused, others carry on', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  cluster.psql('create table victims (what text)');
  const pooler = await startReliablePooler(cluster, {}, ['--pool-size', '3']);
  t.after(() => pooler.stop());
  const bystander = await connect(pooler.url());
  t.after(() => bystander.end().catch(() => {}));
  await bystander.query('select 1');

  // psql holds a transaction open (its stdin stays open), then is SIGKILLed.
  const tx = psqlThrough(pooler.port, cluster, "begin;\ninsert into victims values ('tx');\nselect pg_backend_pid();\n");
  await waitUntil(() => serverBackends(cluster).idleInTransaction === 1, 15_000, 'the open transaction');
  tx.kill('SIGKILL');
  await once(tx, 'exit');

  // psql in the middle of COPY FROM STDIN: rows sent, no end marker.
  const copy = psqlThrough(pooler.port, cluster, "copy victims from stdin;\ncopy-row-1\ncopy-row-2\n");
  await waitUntil(() => cluster.psql("select count(*) from pg_stat_activity where query like 'copy victims%' and state = 'active'").trim() === '1', 15_000, 'the COPY in progress');
  copy.kill('SIGKILL');
  await once(copy, 'exit');

  // A raw client pipelines Parse/Bind/Execute without Sync, mid-batch, then vanishes.
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  const parse = frontend('P', Buffer.concat([cstr(''), cstr("insert into victims values ('pipeline')"), Buffer.from([0, 0])]));
  const bind = frontend('B', Buffer.concat([cstr(''), cstr(''), Buffer.from([0, 0, 0, 0, 0, 0])]));
  const execute = frontend('E', Buffer.concat([cstr(''), Buffer.from([0, 0, 0, 0])]));
  raw.socket.write(Buffer.concat([frontend('Q', cstr('begin')), parse, bind, execute, parse, bind]));
  await sleep(300);
  raw.close();

  // Every victim's server was closed or rolled back: nothing committed, nothing idle in a transaction.
  await waitUntil(() => serverBackends(cluster).idleInTransaction === 0, 10_000, 'victims rolled back');
  await waitUntil(() => cluster.psql("select count(*) from pg_stat_activity where query like 'copy victims%' and state = 'active'").trim() === '0', 10_000, 'COPY gone');
  assert.equal(cluster.psql('select count(*) from victims').trim(), '0');
  const servers = await adminShow(pooler, 'SERVERS');
  assert.ok(servers.every((s) => s.state !== 'active' || s.link), `a server is active without a client: ${JSON.stringify(servers)}`);
  // The bystander and new clients are served, by servers in a clean state.
  assert.equal((await bystander.query("select current_setting('transaction_isolation') as i, now() = statement_timestamp() as fresh")).rows[0].fresh, true);
  for (let i = 0; i < 6; i++) {
    const c = await connect(pooler.url());
    const { rows } = await c.query("select pg_current_xact_id_if_assigned() is null as clean, (select count(*)::int from victims) as n");
    assert.deepEqual(rows[0], { clean: true, n: 0 });
    await c.end();
  }
});

test('cancel during a long query: 57014 for that client, its connection and the pool stay usable', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, {}, ['--pool-size', '2']);
  t.after(() => pooler.stop());
  const sql = postgres(pooler.url(), { max: 1, prepare: false, onnotice: () => {} });
  t.after(() => sql.end({ timeout: 2 }));
  const other = await connect(pooler.url());
  t.after(() => other.end().catch(() => {}));
  const started = Date.now();
  const long = sql`select pg_sleep(30)`;
  const outcome = long.then(
    () => 'finished',
    (error: { code?: string }) => error.code,
  );
  await sleep(500);
  assert.equal((await other.query('select 7 as n')).rows[0].n, 7, 'another client is served during the long query');
  long.cancel();
  assert.equal(await outcome, '57014');
  assert.ok(Date.now() - started < 10_000, 'the cancel took effect promptly');
  assert.deepEqual([...(await sql`select 1 as n`)], [{ n: 1 }]);
  assert.equal(cluster.psql("select count(*) from pg_stat_activity where query like 'select pg_sleep(30)%' and state = 'active'").trim(), '0');
});
