// pgbench's built-in scripts are pool-safe: detection must report nothing for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN } from './pooler-harness';
import { run, showHazards, startHazardPooler } from './hazards-harness';

const PGBENCH = join(PG_BIN, 'pgbench');
let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
  const init = await run(PGBENCH, ['-i', '-q', '-s', '1', cluster.url()], { timeoutMs: 120000 });
  assert.equal(init.code, 0, init.stderr);
});
after(() => cluster?.stop());

for (const [name, flags] of [['TPC-B (default)', []], ['select-only (-S)', ['-S']], ['TPC-B, extended protocol', ['-M', 'extended']]] as const) {
  test(`pgbench ${name} -t 100 -c 4 through rotate: zero hazards`, async (t) => {
    const pooler = await startHazardPooler(cluster, 'rotate', [], 4);
    t.after(() => pooler.stop());
    const result = await run(PGBENCH, ['-n', '-t', '100', '-c', '4', ...flags, pooler.url()], { timeoutMs: 120000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /number of transactions actually processed: 400\/400/);
    assert.deepEqual(await showHazards(pooler), []);
  });
}

test('pgbench -M prepared (named statements) through rotate: works with --max-prepared-statements 200, no hazards', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '200'], 4);
  t.after(() => pooler.stop());
  for (const flags of [['-S'], []]) {
    const result = await run(PGBENCH, ['-n', '-t', '100', '-c', '4', '-M', 'prepared', ...flags, pooler.url()], { timeoutMs: 120000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /number of transactions actually processed: 400\/400/);
  }
  assert.deepEqual(await showHazards(pooler), []);
});

test('pgbench -M prepared with --max-prepared-statements 0 fails as behind PgBouncer < 1.21, with hazards', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate', ['--max-prepared-statements', '0'], 2);
  t.after(() => pooler.stop());
  const result = await run(PGBENCH, ['-n', '-t', '20', '-c', '1', '-M', 'prepared', '-S', pooler.url()], { timeoutMs: 120000 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /prepared statement "P\w*" (does not exist|already exists)/);
  const rows = await showHazards(pooler);
  assert.ok(rows.some((row) => row.kind === 'origin' && row.rule === 'protocol-prepared-statement'), JSON.stringify(rows));
  assert.ok(rows.some((row) => row.kind === 'error' && row.rule === 'protocol-prepared-statement'), JSON.stringify(rows));
});
