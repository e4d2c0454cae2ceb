// Why the bugs hide in development: real PgBouncer (transaction mode, pool size 2, its LIFO reuse)
// gives one client the same server connection back, so the session-state scripts pass; PoolSafe's
// rotate policy fails them on the next transaction. Same scripts, same cluster, side by side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { startPgBouncer } from '../helpers/pgbouncer';
import { psqlScript, startHazardPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const SCRIPTS: [string, string, (lines: string[], stderr: string) => boolean][] = [
  ['session SET', "SET work_mem = '7MB';\nSHOW work_mem;\n", (lines) => lines[0] === '7MB'],
  ['PREPARE/EXECUTE', 'PREPARE q AS select 1;\nEXECUTE q;\n', (lines, stderr) => lines[0] === '1' && stderr === ''],
  ['temp table', 'CREATE TEMP TABLE t1(x int);\nINSERT INTO t1 VALUES (1);\n', (_lines, stderr) => stderr === ''],
  ['WITH HOLD cursor', 'DECLARE c CURSOR WITH HOLD FOR SELECT 1;\nFETCH c;\n', (lines, stderr) => lines[0] === '1' && stderr === ''],
];

test('PgBouncer (transaction mode, one client) passes every script; PoolSafe rotate fails every one', async (t) => {
  const bouncer = await startPgBouncer({ targetPort: cluster.port, poolMode: 'transaction', poolSize: 2, users: [{ name: cluster.user, password: cluster.password }] });
  t.after(() => bouncer.stop());
  const poolsafe = await startHazardPooler(cluster, 'rotate');
  t.after(() => poolsafe.stop());
  for (const [name, script, passed] of SCRIPTS) {
    const viaBouncer = await psqlScript(bouncer.url('postgres', cluster.user, cluster.password), script);
    assert.ok(passed(viaBouncer.lines, viaBouncer.stderr), `PgBouncer: ${name} should pass: ${JSON.stringify(viaBouncer)}`);
    const viaPoolSafe = await psqlScript(poolsafe.url(), script);
    assert.equal(passed(viaPoolSafe.lines, viaPoolSafe.stderr), false, `PoolSafe rotate: ${name} should fail: ${JSON.stringify(viaPoolSafe)}`);
  }
});
