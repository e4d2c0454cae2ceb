// docs/architecture.md table row: SET / set_config(…, false) — the setting is missing on the next transaction, or
// leaks to another client. Also SET LOCAL outside a transaction: ineffective, but no hazard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg } from './pooler-harness';
import { adminIds, expectHazard, psqlScript, showHazards, startHazardPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const SCRIPT = `SET work_mem = '7MB';\nSHOW work_mem;\nSHOW work_mem;\n`;

test('rotate: a session SET is missing on the next transaction; origin hazard names the SET', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { lines } = await psqlScript(pooler.url({ application: 'setter' }), SCRIPT);
  assert.deepEqual(lines, ['4MB', '7MB'], 'the next transaction runs on the other server connection');
  const rows = await showHazards(pooler);
  const origin = expectHazard(rows, 'origin', 'session-set', "SET work_mem = '7MB'");
  assert.equal(origin.application_name, 'setter');
  assert.match(origin.detail, /setting work_mem/);
  assert.ok((await adminIds(pooler, 'SERVERS')).includes(origin.server_id!), 'server_id is a SHOW SERVERS id');
  assert.match(pooler.stderr(), /hazard \d+ origin session-set/);
});

test('lifo: one client keeps its connection, so the same script passes (PgBouncer hides the bug)', async (t) => {
  const pooler = await startHazardPooler(cluster, 'lifo');
  t.after(() => pooler.stop());
  const { lines } = await psqlScript(pooler.url(), SCRIPT);
  assert.deepEqual(lines, ['7MB', '7MB']);
});

test('a second client lands on the connection carrying the setting: landed hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'lifo');
  t.after(() => pooler.stop());
  const a = await connectPg(pooler.url({ application: 'a' }));
  const b = await connectPg(pooler.url({ application: 'b' }));
  t.after(() => Promise.all([a.end(), b.end()]));
  await a.query("select set_config('app.tenant', '42', false)");
  const { rows } = await b.query("select current_setting('app.tenant', true) as tenant");
  assert.equal(rows[0].tenant, '42', 'the setting leaked to client b');
  const hazards = await showHazards(pooler);
  const origin = expectHazard(hazards, 'origin', 'session-set', 'set_config');
  const landed = expectHazard(hazards, 'landed', 'session-set', 'set_config');
  assert.equal(landed.application_name, 'b');
  assert.notEqual(landed.client_id, origin.client_id);
  assert.equal(landed.server_id, origin.server_id);
  assert.ok((await adminIds(pooler, 'CLIENTS')).includes(landed.client_id!), 'client_id is a SHOW CLIENTS id');
});

test('SET LOCAL outside a transaction does nothing, and leaves no hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { lines } = await psqlScript(pooler.url(), `SET LOCAL work_mem = '9MB';\nSHOW work_mem;\nBEGIN;\nSET LOCAL work_mem = '9MB';\nSHOW work_mem;\nCOMMIT;\nSHOW work_mem;\n`);
  assert.deepEqual(lines, ['4MB', '9MB', '4MB']);
  assert.deepEqual(await showHazards(pooler), []);
});

test('tracked parameters (TimeZone) follow the client: no hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { lines } = await psqlScript(pooler.url(), `SET TimeZone = 'Asia/Tokyo';\nSHOW TimeZone;\nSHOW TimeZone;\n`);
  assert.deepEqual(lines, ['Asia/Tokyo', 'Asia/Tokyo']);
  assert.deepEqual(await showHazards(pooler), []);
});

test('rotate: set_config(…, false) then current_setting on the next transaction fails with 42704; error hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { lines, stderr } = await psqlScript(pooler.url({ application: 'tenant' }), "select set_config('app.tenant_id', '42', false);\nselect current_setting('app.tenant_id');\n");
  assert.deepEqual(lines, ['42']);
  assert.match(stderr, /unrecognized configuration parameter "app.tenant_id"/);
  const rows = await showHazards(pooler);
  expectHazard(rows, 'origin', 'session-set', 'set_config');
  const error = expectHazard(rows, 'error', 'session-set', 'current_setting');
  assert.match(error.detail, /42704/);
});
