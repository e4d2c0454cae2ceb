// Hazard detection pieces that need no server: the byte pre-filter, and the monitor fed with
// protocol messages in the order a client and a server exchange them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HazardMonitor, mentionsSessionFeature } from '../../../extension/pooler/hazards';

function wire(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function mentions(text: string): boolean {
  const bytes = wire(text);
  return mentionsSessionFeature(bytes, 0, bytes.length);
}

test('pre-filter: session features pass, in any case, SET only at a statement start', () => {
  for (const text of [
    "SET work_mem = '8MB'", "select 1; set search_path = x", 'PREPARE p AS select 1', 'create TEMP table t(x int)',
    "select currval('s')", 'select pg_advisory_lock(1)', 'SELECT PG_TRY_ADVISORY_LOCK(1)', 'LISTEN ch', 'declare c cursor with hold for select 1',
    "LOAD 'auto_explain'", 'DISCARD ALL', "select set_config('a.b', 'c', false)", "select dblink_connect('c', '')", "select pgv_set('a', 'b', 1)",
    '/* note */ SET x = 1', '-- note\nRESET ALL', 'select public.PG_Advisory_Xact_Lock(1)', 'select x.dbLink_exec(1)', 'select my_advisory_helper()',
  ]) {
    assert.ok(mentions(text), text);
  }
});

test('pre-filter: pool-safe traffic stays out of the parser (pgbench, UPDATE … SET, look-alike names)', () => {
  for (const text of [
    'SELECT abalance FROM pgbench_accounts WHERE aid = 12345;', 'UPDATE pgbench_accounts SET abalance = abalance + -1 WHERE aid = 5;',
    'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 1, CURRENT_TIMESTAMP);', 'BEGIN;', 'END;',
    'select temperature, closed_at, offset_x from readings', "select 'é' as settings", 'select advisor, advi_sory, pgv, dblin from t',
  ]) {
    assert.equal(mentions(text), false, text);
  }
});

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

test('monitor: origin at release, landed for another client, rollback undoes a SET, DISCARD ALL clears', async () => {
  const lines: string[] = [];
  const monitor = new HazardMonitor({ log: (line) => lines.push(line) });
  await monitor.init();
  const seen: unknown[] = [];
  monitor.on('hazard', (h) => seen.push(h));
  const a = { id: 1, applicationName: 'a', mode: 'transaction' as const };
  const b = { id: 2, applicationName: 'b', mode: 'transaction' as const };
  const server = { id: 7, processId: 4242 };
  const run = (client: typeof a, sql: string, tag: string, status: 'I' | 'T' | 'E' = 'I') => {
    const q = message('Q', wire(sql + '\0'));
    monitor.onClientMessage(client, 0x51, q, 0, q.length);
    monitor.onServerMessage(client, server, 0x43, wire(tag + '\0'));
    monitor.onServerMessage(client, server, 0x5a, Buffer.from(status));
  };
  // A SET inside a rolled-back transaction leaves nothing.
  run(a, 'BEGIN', 'BEGIN', 'T');
  run(a, "SET work_mem = '8MB'", 'SET', 'T');
  run(a, 'ROLLBACK', 'ROLLBACK');
  monitor.onRelease(a, server);
  assert.deepEqual(monitor.rows(), []);
  // Committed (implicit transaction): origin on release, landed when b gets the server.
  run(a, "SET work_mem = '8MB'", 'SET');
  monitor.onRelease(a, server);
  monitor.onAssign(b, server);
  monitor.onAssign(b, server); // told once per client
  assert.deepEqual(monitor.rows().map((h) => [h.kind, h.rule, h.clientId, h.serverId, h.remotePid]), [
    ['origin', 'session-set', 1, 7, 4242],
    ['landed', 'session-set', 2, 7, 4242],
  ]);
  assert.equal(seen.length, 2);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^hazard 1 origin session-set client=1 server=7 pid=4242: setting work_mem/);
  run(b, 'DISCARD ALL', 'DISCARD ALL');
  assert.equal(monitor.stateOf(server)?.size, 0);
});

test('monitor: SET SESSION CHARACTERISTICS leaves the session defaults it names; SET TRANSACTION and a temp table dropped in its own message leave nothing', async () => {
  const monitor = new HazardMonitor({ log: () => {} });
  await monitor.init();
  const a = { id: 1, applicationName: 'a', mode: 'transaction' as const };
  const server = { id: 7, processId: 4242 };
  const run = (sql: string, tag: string, status: 'I' | 'T' = 'I') => {
    const q = message('Q', wire(sql + '\0'));
    monitor.onClientMessage(a, 0x51, q, 0, q.length);
    monitor.onServerMessage(a, server, 0x43, wire(tag + '\0'));
    monitor.onServerMessage(a, server, 0x5a, Buffer.from(status));
  };
  run('BEGIN', 'BEGIN', 'T');
  run('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY', 'SET', 'T');
  run('COMMIT', 'COMMIT');
  run('CREATE TEMP TABLE batch (id int); INSERT INTO batch VALUES (1); DROP TABLE batch', 'DROP TABLE');
  monitor.onRelease(a, server);
  assert.deepEqual(monitor.rows(), []);
  run('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY', 'SET');
  monitor.onRelease(a, server);
  assert.deepEqual(monitor.rows().map((h) => [h.kind, h.rule, h.detail.replace(/ stays on .*/, '')]), [
    ['origin', 'session-set', 'setting default_transaction_isolation'],
    ['origin', 'session-set', 'setting default_transaction_read_only'],
  ]);
});

test('monitor: RESET ALL leaves the role and the session user on the server; their own resets and DISCARD ALL clear them', async () => {
  const monitor = new HazardMonitor({ log: () => {} });
  await monitor.init();
  const a = { id: 1, applicationName: 'a', mode: 'transaction' as const };
  const server = { id: 7, processId: 4242 };
  const run = (sql: string, tag: string) => {
    const q = message('Q', wire(sql + '\0'));
    monitor.onClientMessage(a, 0x51, q, 0, q.length);
    monitor.onServerMessage(a, server, 0x43, wire(tag + '\0'));
    monitor.onServerMessage(a, server, 0x5a, Buffer.from('I'));
  };
  const left = () => [...(monitor.stateOf(server)?.values() ?? [])].map((entry) => entry.name).sort();
  run('SET ROLE auditor', 'SET');
  run('SET SESSION AUTHORIZATION batch_user', 'SET');
  run("SET work_mem = '64MB'", 'SET');
  run('RESET ALL', 'RESET');
  assert.deepEqual(left(), ['role', 'session_authorization']);
  run('SET ROLE NONE', 'SET');
  assert.deepEqual(left(), ['session_authorization']);
  // No role may be named none, so a quoted 'none' is NONE too (as the linter reads it); a quoted 'NONE' names a role.
  run("SET ROLE 'NONE'", 'SET');
  assert.deepEqual(left(), ['role', 'session_authorization']);
  run("SET ROLE 'none'", 'SET');
  assert.deepEqual(left(), ['session_authorization']);
  run('SET ROLE auditor', 'SET');
  run('SET SESSION AUTHORIZATION DEFAULT', 'SET');
  assert.deepEqual(left(), []);
  run('SET ROLE auditor', 'SET');
  run('DISCARD ALL', 'DISCARD ALL');
  assert.deepEqual(left(), []);
});
