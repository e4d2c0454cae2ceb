// The editor's "Start Pooler with a Lagging Replica" without the editor: extension/ui/devReplica.ts makes a
// pg_basebackup replica of a running dev database, and the editor's pooler child (PoolerProcess, the built
// dist/pooler.js) balances over both; a real client then reads its own INSERT stale from the replica.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { startCluster } from '../helpers/cluster';
import { poolerPath } from '../helpers/paths';
import { PoolerProcess } from '../../extension/ui/poolerProcess';
import { startDevReplica } from '../../extension/ui/devReplica';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('dev database + lagging replica + editor pooler: a read right after a write is stale, the same read in one transaction is not, and the replica goes with stop()', async (t) => {
  const devDatabase = await startCluster();
  t.after(() => devDatabase.stop());
  const replica = await startDevReplica(devDatabase.url(), 4000);
  t.after(() => replica.stop());
  assert.ok(!replica.poolerArgs.join(' ').includes(devDatabase.password), 'no password in the pooler argv');
  const pooler = new PoolerProcess();
  t.after(() => pooler.stop());
  const state = await pooler.start({ script: poolerPath, args: ['--listen', '127.0.0.1:0', ...replica.poolerArgs], target: devDatabase.url() });
  assert.equal(state.status, 'running', JSON.stringify(state));
  if (state.status !== 'running') return;
  const poolerUrl = devDatabase.url().replace(`:${devDatabase.port}/`, `:${state.info.port}/`);
  const client = new pg.Client({ connectionString: poolerUrl });
  await client.connect();
  await client.query('CREATE TABLE public.stale (id int PRIMARY KEY)');
  const READ = "SELECT current_setting('transaction_read_only') AS read_only, count(*)::int AS n FROM public.stale";
  // The table reaches the replica after the delay (until then a balanced read fails there: 42P01), and
  // the pooler learns current_setting's volatility from pg_proc: wait until this read is served by the replica.
  await eventually('the read is served by the replica', async () => {
    try {
      return (await client.query(READ)).rows[0].read_only === 'on';
    } catch {
      return false;
    }
  });
  await client.query('INSERT INTO public.stale VALUES (1)');
  assert.deepEqual((await client.query(READ)).rows[0], { read_only: 'on', n: 0 }, 'served by the replica, which has not replayed the INSERT');
  await client.query('BEGIN');
  await client.query('INSERT INTO public.stale VALUES (2)');
  assert.deepEqual((await client.query(READ)).rows[0], { read_only: 'off', n: 2 }, 'after a write in a transaction: the primary');
  await client.query('COMMIT');
  await client.end();
  replica.stop();
  const replicaUrl = `postgres://postgres:${encodeURIComponent(devDatabase.password)}@127.0.0.1:${replica.port}/postgres`;
  assert.throws(() => execFileSync('psql', ['-X', '-d', replicaUrl, '-c', 'select 1'], { stdio: 'pipe' }), /Connection refused|could not connect/);
});

/** Polls `check` (bounded: 30 s) until it holds. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}
