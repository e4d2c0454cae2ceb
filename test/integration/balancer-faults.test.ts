// Faults under `--load-balance pgpool` with a real primary and streaming replica: a replica lagging
// beyond delay_threshold (its replay paused) and one stopped mid-run take no reads, and say so in
// SHOW HOSTS / SHOW POOLS; with the primary down, reads still run on the replica and writes fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../helpers/replica';
import { startPooler, type RunningPooler } from './pooler-harness';
import { adminOk, records } from './admin-harness';

let pair: PrimaryAndReplica;
let pooler: RunningPooler;
const DELAY_THRESHOLD = 64 * 1024;

before(async () => {
  pair = await startPrimaryAndReplica({ applyDelayMs: 0 });
  pair.primary.psql('create table filler (id serial, pad text)');
  await pair.waitForReplay();
  const conf = writePgpoolConf(`backend_hostname0 = '127.0.0.1'\nbackend_port0 = ${pair.primary.port}\nbackend_weight0 = 0\n` +
    `backend_hostname1 = '127.0.0.1'\nbackend_port1 = ${pair.replica.port}\nbackend_weight1 = 1\n` +
    `load_balance_mode = on\ndelay_threshold = ${DELAY_THRESHOLD}\nsr_check_period = 0.2\n`);
  pooler = await startPooler(pair.primary, ['--config', conf]);
});

after(async () => {
  await pooler?.stop();
  pair?.stop();
});

function writePgpoolConf(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'poolsafe-faults-')), 'pgpool.conf');
  writeFileSync(path, text);
  return path;
}

async function portOfRead(): Promise<number> {
  const client = new pg.Client({ connectionString: pooler.url() });
  await client.connect();
  try {
    return Number((await client.query("select current_setting('port') as port")).rows[0].port);
  } finally {
    await client.end();
  }
}

async function hostStatus(role: string): Promise<Record<string, string>> {
  const rows = records(await adminOk(pair.primary, pooler.port, 'show hosts'));
  return rows.find((row) => row.role === role)!;
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms; stderr: ${pooler.stderr().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a replica lagging beyond delay_threshold takes no reads until it catches up', { timeout: 60_000 }, async () => {
  assert.equal(await portOfRead(), pair.replica.port);
  pair.replica.psql('select pg_wal_replay_pause()');
  try {
    pair.primary.psql(`insert into filler (pad) select repeat('x', 1000) from generate_series(1, 500)`); // ~0.5 MB of WAL
    await until('replica reported lagging', async () => (await hostStatus('replica')).status === 'lagging');
    const lagging = await hostStatus('replica');
    assert.ok(Number(lagging.replication_delay) > DELAY_THRESHOLD, JSON.stringify(lagging));
    assert.equal(await portOfRead(), pair.primary.port, 'reads go to the primary while the replica lags');
    const pools = records(await adminOk(pair.primary, pooler.port, 'show pools'));
    assert.equal(pools.find((p) => p.role === 'replica')?.host_status, 'lagging');
  } finally {
    pair.replica.psql('select pg_wal_replay_resume()');
  }
  await until('replica caught up', async () => (await hostStatus('replica')).status === 'up');
  assert.equal(await portOfRead(), pair.replica.port);
});

test('a replica stopped mid-run is marked down and reads move to the primary; the open session goes on', { timeout: 60_000 }, async () => {
  const client = new pg.Client({ connectionString: pooler.url() });
  await client.connect();
  try {
    assert.equal(Number((await client.query("select current_setting('port') as port")).rows[0].port), pair.replica.port);
    pair.replica.pgCtl(['-m', 'fast', '-w', 'stop']);
    await until('replica reported down', async () => (await hostStatus('replica')).status === 'down');
    assert.match((await hostStatus('replica')).error, /./);
    assert.equal(Number((await client.query("select current_setting('port') as port")).rows[0].port), pair.primary.port);
    assert.equal(Number((await client.query("insert into filler (pad) values ('y') returning current_setting('port') as port")).rows[0].port), pair.primary.port);
  } finally {
    await client.end();
  }
  assert.equal(await portOfRead(), pair.primary.port);
});

test('with the primary down, reads still run on a replica and writes fail', { timeout: 60_000 }, async () => {
  pair.replica.pgCtl(['-l', join(pair.replica.dataDir, 'restart.log'), '-w', '-t', '60', 'start']); // -l: no output pipe held open
  await until('replica back up', async () => (await hostStatus('replica')).status === 'up');
  const client = new pg.Client({ connectionString: pooler.url() });
  await client.connect();
  client.on('error', () => {});
  try {
    pair.primary.pgCtl(['-m', 'fast', '-w', 'stop']);
    await until('primary reported down', async () => (await hostStatus('primary')).status === 'down');
    assert.equal(Number((await client.query("select current_setting('port') as port")).rows[0].port), pair.replica.port);
    // As in PgBouncer, a client waits for a server while the pool retries, up to query_wait_timeout.
    await adminOk(pair.primary, pooler.port, 'set query_wait_timeout = 2');
    await assert.rejects(client.query("insert into filler (pad) values ('z')"), /query_wait_timeout|server login failed|connect/);
  } finally {
    await client.end().catch(() => {});
  }
});
