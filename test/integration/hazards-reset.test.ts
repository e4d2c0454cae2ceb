// --reset-between-transactions (ini: server_reset_query_always = 1): every transaction starts from a
// clean session, so a fix can be shown not to depend on state leaked by an earlier transaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { writeIni } from './pooler-harness';
import { psqlScript, startHazardPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const BUGGY = `SET work_mem = '7MB';\nSHOW work_mem;\n`;
const FIXED = `BEGIN;\nSET LOCAL work_mem = '7MB';\nSHOW work_mem;\nCOMMIT;\n`;

test('lifo hides the leaked SET; with --reset-between-transactions it shows, and the fix still works', async (t) => {
  const plain = await startHazardPooler(cluster, 'lifo');
  t.after(() => plain.stop());
  assert.deepEqual((await psqlScript(plain.url(), BUGGY)).lines, ['7MB'], 'without reset the leaked setting is there');
  // One server connection: every transaction of the script gets the same one, after its reset (with two, the
  // next transaction may take the other while the first is still being reset, and prove nothing).
  const reset = await startHazardPooler(cluster, 'lifo', ['--reset-between-transactions'], 1);
  t.after(() => reset.stop());
  assert.deepEqual((await psqlScript(reset.url(), BUGGY)).lines, ['4MB'], 'DISCARD ALL ran between the transactions');
  assert.deepEqual((await psqlScript(reset.url(), FIXED)).lines, ['7MB'], 'SET LOCAL inside the transaction does not depend on leaked state');
  // A prepared statement is gone too (DISCARD ALL), even on the same server connection.
  const prepared = await psqlScript(reset.url(), 'PREPARE q AS select 1;\nEXECUTE q;\n');
  assert.match(prepared.stderr, /prepared statement "q" does not exist/);
});

test('ini server_reset_query_always = 1 with server_reset_query = RESET ALL', async (t) => {
  const ini = writeIni('[pgbouncer]\npool_mode = transaction\nserver_reset_query_always = 1\nserver_reset_query = RESET ALL\n');
  t.after(() => ini.remove());
  const pooler = await startHazardPooler(cluster, 'lifo', ['--config', ini.path], 1); // one server: see above
  t.after(() => pooler.stop());
  assert.deepEqual((await psqlScript(pooler.url(), BUGGY)).lines, ['4MB'], 'RESET ALL ran between the transactions');
  // RESET ALL leaves prepared statements alone (unlike DISCARD ALL).
  assert.deepEqual((await psqlScript(pooler.url(), 'PREPARE q AS select 1;\nEXECUTE q;\n')).lines, ['1']);
});
