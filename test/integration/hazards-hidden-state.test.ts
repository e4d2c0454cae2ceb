// Session state created where the statement text does not show it — inside PL/pgSQL and SQL-language
// functions, dynamic SQL, DO blocks and procedures — is found by asking the server after the
// transaction (audit.ts), and reported like state created by plain SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg } from './pooler-harness';
import { adminOk, records } from './admin-harness';
import { expectHazard, hazardsOf, psqlScript, showHazards, startHazardPooler, type HazardRow } from './hazards-harness';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
  cluster.psql(String.raw`
    create function tenant_enter(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, false); end $$;
    create function tenant_enter_local(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, true); end $$;
    create function work_mem_local() returns void language plpgsql as $$ begin set local work_mem = '6MB'; end $$;
    create function sql_work_mem() returns text language sql as $$ select set_config('work_mem', '5MB', false) $$;
    create function dynamic_set(v text) returns void language plpgsql as $$ begin execute format('SET app.dynamic = %L', v); end $$;
    create function take_lock() returns void language plpgsql as $$ begin perform pg_advisory_lock(77); end $$;
    create function take_xact_lock() returns void language plpgsql as $$ begin perform pg_advisory_xact_lock(78); end $$;
    create function listen_on(ch text) returns void language plpgsql as $$ begin execute 'LISTEN ' || quote_ident(ch); end $$;
    create function make_scratch() returns void language sql as $$ create temp table scratch (id int) $$;
    create function make_scratch_dropped() returns void language plpgsql as $$ begin create temp table scratch_tx (id int) on commit drop; end $$;
    create function prepare_hidden() returns void language plpgsql as $$ begin execute 'PREPARE hidden_stmt AS SELECT 1'; end $$;
    create function hold_cursor() returns void language plpgsql as $$ begin execute 'DECLARE hidden_cur CURSOR WITH HOLD FOR SELECT 1'; end $$;
    create function load_explain() returns void language plpgsql as $$ begin execute 'LOAD ''auto_explain'''; end $$;
    create procedure proc_set() language plpgsql as $$ begin perform set_config('app.proc', 'on', false); end $$;
  `);
});
after(() => cluster?.stop());

/** The origin hazard of `rule` for a statement, found by asking the server. */
function askedOrigin(rows: HazardRow[], rule: string, statement: string): HazardRow {
  const row = expectHazard(rows, 'origin', rule, statement);
  assert.match(row.detail, /found by asking the server/, `detail says where it came from: ${row.detail}`);
  return row;
}

test('rotate: session state created inside functions, dynamic SQL, DO and CALL is reported as origin hazards', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { lines } = await psqlScript(pooler.url({ application: 'hidden' }), [
    "select tenant_enter('acme');",
    "select current_setting('app.tenant', true) = 'acme' as same;", // the next transaction: another connection
    'select sql_work_mem();',
    "select dynamic_set('on');",
    'select take_lock();',
    "select listen_on('hidden_channel');",
    'select make_scratch();',
    'select prepare_hidden();',
    'select hold_cursor();',
    'select load_explain();',
    "do $$ begin execute 'set statement_timeout = ' || 12345; end $$;",
    'call proc_set();',
  ].join('\n'));
  assert.equal(lines.filter((line) => line === 't').length, 0, 'app.tenant was missing on the other connection');
  const rows = await showHazards(pooler);
  const tenant = askedOrigin(rows, 'session-set', "tenant_enter('acme')");
  assert.equal(tenant.application_name, 'hidden');
  assert.match(tenant.detail, /setting app\.tenant/);
  assert.match(askedOrigin(rows, 'session-set', 'sql_work_mem').detail, /setting work_mem/);
  assert.match(askedOrigin(rows, 'session-set', 'dynamic_set').detail, /setting app\.dynamic/);
  assert.match(askedOrigin(rows, 'advisory-lock', 'take_lock').detail, /exclusive\(77\)/);
  assert.match(askedOrigin(rows, 'listen', 'listen_on').detail, /hidden_channel/);
  assert.match(askedOrigin(rows, 'temp-table', 'make_scratch').detail, /scratch/);
  assert.match(askedOrigin(rows, 'prepared-statement', 'prepare_hidden').detail, /hidden_stmt/);
  assert.match(askedOrigin(rows, 'cursor-with-hold', 'hold_cursor').detail, /hidden_cur/);
  assert.match(askedOrigin(rows, 'load', 'load_explain').detail, /auto_explain/);
  assert.match(askedOrigin(rows, 'session-set', 'do $$').detail, /setting statement_timeout/);
  assert.match(askedOrigin(rows, 'session-set', 'call proc_set').detail, /app\.proc/);
});

test('rotate: functions whose state ends with the transaction (set_config(…, true), SET LOCAL, xact lock, ON COMMIT DROP) leave no hazard', async (t) => {
  const pooler = await startHazardPooler(cluster, 'rotate');
  t.after(() => pooler.stop());
  const { stderr } = await psqlScript(pooler.url(), [
    "select tenant_enter_local('acme');",
    'select work_mem_local();',
    'select take_xact_lock();',
    'begin;', 'select make_scratch_dropped();', 'commit;',
    "select current_setting('app.tenant', true);",
  ].join('\n'));
  assert.equal(stderr, '');
  assert.deepEqual(await showHazards(pooler), []);
});

test('a second client lands on the connection a function left a setting on: landed hazard, and the value leaked', async (t) => {
  const pooler = await startHazardPooler(cluster, 'lifo', [], 1);
  t.after(() => pooler.stop());
  const a = await connectPg(pooler.url({ application: 'a' }));
  const b = await connectPg(pooler.url({ application: 'b' }));
  t.after(() => Promise.all([a.end(), b.end()]));
  await a.query("select tenant_enter('globex')");
  const { rows } = await b.query("select current_setting('app.tenant', true) as tenant");
  assert.equal(rows[0].tenant, 'globex', 'the setting leaked to client b');
  const hazards = await showHazards(pooler);
  const origin = askedOrigin(hazards, 'session-set', "tenant_enter('globex')");
  const landed = expectHazard(hazards, 'landed', 'session-set', "tenant_enter('globex')");
  assert.equal(landed.application_name, 'b');
  assert.equal(landed.server_id, origin.server_id);
  assert.equal(hazardsOf(hazards, 'origin', 'session-set').length, 1, 'one origin, not one per later transaction');
});

test('a built-in function call is not hidden code, even on a fresh pooler: the next client gets that connection back, no second one is opened', async (t) => {
  // The built-in names are learnt on the pool's first server connection, before a client gets it. Were
  // they learnt by the first audit, a's pg_backend_pid() would be asked about after a had its answer,
  // with the connection held meanwhile, and b would find no idle connection and open another.
  for (let round = 0; round < 3; round++) {
    const pooler = await startHazardPooler(cluster, 'lifo', [], 2);
    const a = await connectPg(pooler.url({ application: 'a' }));
    const b = await connectPg(pooler.url({ application: 'b' }));
    try {
      const first = (await a.query('select pg_backend_pid() as pid')).rows[0].pid;
      const second = (await b.query('select pg_backend_pid() as pid')).rows[0].pid;
      assert.equal(second, first, `round ${round}: b got the connection a had used`);
      const servers = records(await adminOk(cluster, pooler.port, 'SHOW SERVERS'));
      assert.equal(servers.length, 1, `round ${round}: one server connection`);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await pooler.stop();
    }
  }
});

test('AUDIT on the console finds state a trigger left (no function call in the text): origin hazard, then known', async (t) => {
  cluster.psql(String.raw`
    create table audited_rows (id int);
    create function audited_rows_tenant() returns trigger language plpgsql as $$ begin perform set_config('app.trigger_tenant', 'initech', false); return new; end $$;
    create trigger audited_rows_tenant before insert on audited_rows for each row execute function audited_rows_tenant();
  `);
  t.after(() => cluster.psql('drop table audited_rows; drop function audited_rows_tenant()'));
  const pooler = await startHazardPooler(cluster, 'lifo', [], 1);
  t.after(() => pooler.stop());
  const client = await connectPg(pooler.url({ application: 'inserter' }));
  t.after(() => client.end());
  await client.query('insert into audited_rows values (1)');
  assert.deepEqual(await showHazards(pooler), [], 'a plain INSERT is not worth a question after each transaction');
  const first = records(await adminOk(cluster, pooler.port, 'AUDIT'));
  assert.deepEqual(first.map(({ rule, state, name, known }) => ({ rule, state, name, known })), [{ rule: 'session-set', state: 'setting', name: 'app.trigger_tenant', known: 'no' }]);
  const origin = askedOrigin(await showHazards(pooler), 'session-set', 'AUDIT');
  assert.equal(String(origin.server_id), first[0].server_id);
  const second = records(await adminOk(cluster, pooler.port, 'AUDIT'));
  assert.equal(second[0].known, 'yes');
  const { rows } = await client.query("select current_setting('app.trigger_tenant', true) as tenant");
  assert.equal(rows[0].tenant, 'initech', 'the audited connection still serves clients');
});
