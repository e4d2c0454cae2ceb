// Secrets sent through the pooler reach no output: statements that store a token, connect with a
// password or set one are quoted by hazards, and every place a hazard goes (stderr / the output
// channel, the IPC events the tree view shows, SHOW HAZARDS) must show them redacted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PSQL, run, startEditorPooler } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
  cluster.psql("CREATE EXTENSION IF NOT EXISTS dblink; CREATE ROLE dblink_user LOGIN PASSWORD 'SECRET-dblink-pw'");
});
after(() => cluster?.stop());

const SECRETS = ['SECRET-api-token', 'SECRET-jwt-sub', 'SECRET-dblink-pw', 'SECRET-role-pw', 'SECRET-uri-pw'];

test('no secret sent through the pooler appears on stderr, in IPC hazard events or in SHOW HAZARDS', async (t) => {
  const { port, events, logs, connect } = await startEditorPooler(t, cluster);
  const a = await connect();
  const b = await connect();
  // Session state whose statements carry secrets: each is an origin hazard, then lands on b.
  await a.query("select set_config('app.api_token', 'SECRET-api-token', false)");
  await a.query('SET request.jwt.claim.sub = \'SECRET-jwt-sub\'');
  await a.query(`select dblink_connect('c1', 'host=127.0.0.1 port=${cluster.port} dbname=postgres user=dblink_user password=SECRET-dblink-pw')`);
  await a.query('PREPARE leaked AS select 1');
  // b's batch fails on a's prepared statement (an error hazard quoting b's whole batch).
  await assert.rejects(b.query("CREATE ROLE r1 LOGIN PASSWORD 'SECRET-role-pw'; select 'postgres://app:SECRET-uri-pw@db/app' as dsn; PREPARE leaked AS select 2"), /already exists/);

  const deadline = Date.now() + 10_000;
  const wanted = () => events.some((e) => e.kind === 'error') && events.filter((e) => e.kind === 'origin').length >= 4;
  while (!wanted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(wanted(), `hazard events: ${JSON.stringify(events)}`);
  const { code, stdout: showHazards, stderr } = await run(PSQL, ['-X', '-A', '-d', `postgres://${cluster.user}:${cluster.password}@127.0.0.1:${port}/pgbouncer`, '-c', 'SHOW HAZARDS'], { timeoutMs: 15000 });
  assert.equal(code, 0, stderr);

  // The hazards really quote those statements (redacted), so the absence below means something.
  const quoted = events.map((e) => `${String(e.statement)} ${String(e.detail)}`).join('\n');
  for (const kept of ['app.api_token', 'request.jwt.claim.sub', 'dblink_connect', 'CREATE ROLE r1 LOGIN PASSWORD', 'postgres://app:']) {
    assert.ok(quoted.includes(kept), `no hazard quotes ${kept}: ${quoted}`);
  }
  assert.ok(quoted.includes('***'));
  const outputs = { stderr: logs.join('\n'), ipcEvents: JSON.stringify(events), showHazards };
  for (const [where, text] of Object.entries(outputs)) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} appears in ${where}:\n${text}`);
  }
});
