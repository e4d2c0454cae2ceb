// Routing rules of `--load-balance pgpool` (Pgpool-II's), statement classification, and the
// pgpool.conf / ini / flag configuration that sets them up. The side-by-side checks against a real
// Pgpool-II are in test/integration/balancer-vs-pgpool.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyStatement } from '../../../extension/pooler/statementClass';
import { PgpoolRouter, functionWrites, pickWeighted, type BalanceSettings, type DisableOnWrite, type HostView } from '../../../extension/pooler/balancer';
import { configFromPgpoolConf, looksLikePgpoolConf } from '../../../extension/pooler/pgpoolConf';
import { configFromIni } from '../../../extension/pooler/ini-config';
import { configFromFlags } from '../../../extension/pooler/cli';
import { parseTargetUrl } from '../../../extension/pooler/config';
import { parseLsn } from '../../../extension/pooler/replicaHealth';

test('classification: reads, writes, transaction commands and commands for every node', () => {
  const kind = (sql: string) => classifyStatement(sql).kind;
  for (const sql of ['select 1', 'SELECT * FROM t WHERE a = 1', 'with x as (select 1) select * from x', 'table t', '(select 1)', 'copy t to stdout', 'copy (select 1) to stdout']) {
    assert.equal(kind(sql), 'read', sql);
  }
  for (const sql of [
    'insert into t values (1)', 'update t set a = 1', 'delete from t', 'select * into t2 from t', 'select * from t for update',
    'select * from t for no key update', 'select * from t for share', 'with d as (delete from t returning *) select * from d',
    'copy t from stdin', 'create table t (a int)', 'vacuum', 'explain select 1', 'show work_mem', 'declare c cursor for select 1',
    'lock t', 'commit prepared \'x\'', 'values (1)', 'set transaction read write', 'set transaction_read_only = off',
  ]) {
    assert.equal(kind(sql), 'write', sql);
  }
  assert.equal(kind('BEGIN'), 'begin');
  assert.equal(kind('start transaction isolation level repeatable read'), 'begin');
  for (const sql of ['commit', 'END', 'rollback', 'abort']) assert.equal(kind(sql), 'end', sql);
  for (const sql of ['set work_mem = 1', 'savepoint a', 'release a', 'rollback to savepoint a', 'discard all', 'deallocate all', 'lock t in access share mode']) {
    assert.equal(kind(sql), 'both', sql);
  }
});

test('classification: words inside strings, quoted names and comments do not count; several statements do', () => {
  assert.equal(classifyStatement("select 'insert into t; for update' as x").kind, 'read');
  assert.equal(classifyStatement('select "into" from t').kind, 'read');
  assert.equal(classifyStatement('select $$ for update $$').kind, 'read');
  assert.equal(classifyStatement('select 1 -- for update\n').kind, 'read');
  const multi = classifyStatement('select 1; select 2');
  assert.equal(multi.multiStatement, true);
  assert.equal(multi.kind, 'write');
  assert.equal(classifyStatement('select 1;').multiStatement, false);
  assert.equal(classifyStatement('/* tag */ select 1').leadingComment, true);
});

test('classification: functions called, tables read and written, system catalogs, serializable', () => {
  const c = classifyStatement("select nextval('s'), public.f(1), count(*) from items i join other o on o.id = i.id where x in (1)");
  assert.deepEqual(c.functions, ['nextval', 'public.f', 'count']);
  assert.deepEqual(c.reads, ['items', 'other']);
  assert.deepEqual(classifyStatement('insert into public.items (a, b) values (1, 2)').writes, ['items']);
  assert.deepEqual(classifyStatement('insert into items (a, b) values (1, 2)').functions, []);
  assert.deepEqual(classifyStatement('update only items set a = 1').writes, ['items']);
  assert.deepEqual(classifyStatement('truncate table items').writes, ['items']);
  assert.equal(classifyStatement('select * from pg_class').systemCatalog, true);
  assert.equal(classifyStatement('select * from pg_catalog.pg_stat_activity').systemCatalog, true);
  assert.equal(classifyStatement('select * from pages').systemCatalog, false);
  assert.equal(classifyStatement('begin isolation level serializable').serializable, true);
  assert.equal(classifyStatement('set transaction isolation level serializable').serializable, true);
  assert.equal(classifyStatement('set transaction read only').readOnlySetting, true);
});

const SETTINGS: BalanceSettings = {
  disable_load_balance_on_write: 'transaction', statement_level_load_balance: false, write_function_list: [],
  read_only_function_list: [], allow_sql_comments: false,
};
const REPLICA_ONLY: HostView = { weights: [0, 1], usable: () => true };
const I = 0x49;
const T = 0x54;

/** Runs statements through a router as a client would (status from a simulated server), returning each host. */
function hostsFor(mode: DisableOnWrite, script: string[], hosts: HostView = REPLICA_ONLY): number[] {
  const router = new PgpoolRouter(() => ({ ...SETTINGS, disable_load_balance_on_write: mode }), hosts, () => 0);
  let status = I;
  return script.map((sql) => {
    const statement = classifyStatement(sql);
    const route = router.route(statement, /nextval/.test(sql), status !== I);
    const before = status;
    if (statement.kind === 'begin') status = T;
    else if (statement.kind === 'end') status = I;
    router.answered(route, true, before !== I, status);
    return route.host;
  });
}

const SCRIPT = ['select 1', 'insert into t values (1)', 'select 2', 'begin', 'select 3', 'insert into t values (2)', 'select 4', 'commit', 'select 5', 'begin', 'select 6', 'commit'];

test('disable_load_balance_on_write: transaction, trans_transaction, always, off as Pgpool-II routes them', () => {
  assert.deepEqual(hostsFor('transaction', SCRIPT), [1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
  // trans_transaction: after a write in a transaction, later transactions read from the primary; autocommit reads still balance.
  assert.deepEqual(hostsFor('trans_transaction', SCRIPT), [1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  // always: after any write, nothing balances for the rest of the session.
  assert.deepEqual(hostsFor('always', SCRIPT), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(hostsFor('off', SCRIPT), [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
});

test('dml_adaptive: in a transaction only reads of the tables it wrote go to the primary', () => {
  assert.deepEqual(hostsFor('dml_adaptive', ['begin', 'insert into a values (1)', 'select * from b', 'select * from a', 'commit', 'select * from a']), [0, 0, 1, 0, 0, 1]);
});

test('writing functions, leading comments, system catalogs and serializable transactions keep reads on the primary', () => {
  assert.deepEqual(hostsFor('transaction', ["select nextval('s')", '/* x */ select 1', 'select * from pg_class', 'select 1']), [0, 0, 0, 1]);
  assert.deepEqual(hostsFor('transaction', ['begin isolation level serializable', 'select 1', 'commit', 'select 1']), [0, 0, 0, 1]);
  assert.deepEqual(hostsFor('transaction', ['select 1; select 2']), [0]);
});

test('a replica that is down or lagging takes no reads; weights choose the load-balance node', () => {
  assert.deepEqual(hostsFor('transaction', ['select 1'], { weights: [0, 1], usable: (i) => i === 0 }), [0]);
  assert.equal(pickWeighted({ weights: [1, 3], usable: () => true }, () => 0.2), 0);
  assert.equal(pickWeighted({ weights: [1, 3], usable: () => true }, () => 0.3), 1);
  assert.equal(pickWeighted({ weights: [0, 1, 1], usable: (i) => i !== 1 }, () => 0), 2);
  assert.equal(pickWeighted({ weights: [0, 1], usable: (i) => i === 0 }, () => 0.5), 0, 'no usable weight: the primary');
});

test('function lists: write_function_list names the writers, read_only_function_list the readers, else volatility', () => {
  const volatile = (name: string) => name === 'random';
  assert.equal(functionWrites('random', SETTINGS, volatile), true);
  assert.equal(functionWrites('lower', SETTINGS, volatile), false);
  assert.equal(functionWrites('set_x', { ...SETTINGS, write_function_list: ['set_.*', 'nextval'] }, volatile), true);
  assert.equal(functionWrites('random', { ...SETTINGS, write_function_list: ['set_.*'] }, volatile), false);
  assert.equal(functionWrites('get_x', { ...SETTINGS, read_only_function_list: ['get_.*'] }, volatile), false);
  assert.equal(functionWrites('lower', { ...SETTINGS, read_only_function_list: ['get_.*'] }, volatile), true);
});

test('pgpool.conf: backends, weights and the load-balancing keys; --target supplies the login', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-pgpool-'));
  try {
    const path = join(dir, 'pgpool.conf');
    writeFileSync(path, [
      "listen_addresses = 'localhost'", 'port = 9999', "backend_hostname0 = 'localhost'", 'backend_port0 = 5432', 'backend_weight0 = 0',
      "backend_hostname1 = '127.0.0.2'", 'backend_port1 = 5433', 'backend_weight1 = 2', 'load_balance_mode = on',
      "disable_load_balance_on_write = 'trans_transaction'", 'statement_level_load_balance = on', "write_function_list = 'nextval,set_.*'",
      'delay_threshold = 10000000', "# comment = 'x'", "primary_routing_query_pattern_list = 'x'",
    ].join('\n'));
    const warnings: string[] = [];
    const text = 'backend_hostname0 = \'a\'\n';
    assert.equal(looksLikePgpoolConf(text), true);
    assert.equal(looksLikePgpoolConf('[databases]\nbackend_hostname0 = x\n'), false);
    const config = configFromPgpoolConf(path, parseTargetUrl('postgres://app:pw@db.example:1/appdb'), (w) => warnings.push(w.message));
    const target = config.databases.get('appdb')!;
    assert.deepEqual([target.host, target.port, target.user, target.primary_weight], ['127.0.0.1', 5432, 'app', 0]);
    assert.deepEqual(target.replicas, [{ host: '127.0.0.2', port: 5433, weight: 2 }]);
    assert.equal(config.load_balance, 'pgpool');
    assert.equal(config.disable_load_balance_on_write, 'trans_transaction');
    assert.equal(config.statement_level_load_balance, true);
    assert.deepEqual(config.write_function_list, ['nextval', 'set_.*']);
    assert.equal(config.delay_threshold, 10000000);
    assert.equal(config.listen_port, 9999);
    assert.deepEqual(warnings, ['primary_routing_query_pattern_list is not reproduced by PoolSafe; ignored']);
    assert.throws(() => configFromPgpoolConf(path, undefined), /give --target/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PgBouncer ini host=a,b turns on round-robin over the hosts; load_balance_hosts = disable keeps the first only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-lbhosts-'));
  try {
    const path = join(dir, 'pgbouncer.ini');
    writeFileSync(path, '[databases]\napp = host=127.0.0.1,127.0.0.2:5433 port=5432 dbname=app\n[pgbouncer]\nlisten_port = 6432\n');
    const config = configFromIni(path);
    assert.equal(config.load_balance, 'round-robin');
    assert.deepEqual(config.databases.get('app')!.replicas, [{ host: '127.0.0.2', port: 5433, weight: 1 }]);
    writeFileSync(path, '[databases]\napp = host=127.0.0.1,127.0.0.2 load_balance_hosts=disable\n');
    const single = configFromIni(path);
    assert.equal(single.load_balance, 'off');
    assert.equal(single.databases.get('app')!.replicas, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flags: --replica (repeatable) turns on pgpool balancing; --load-balance picks the mode', () => {
  const config = configFromFlags(['--target', 'postgres://u:p@127.0.0.1:5432/db', '--replica', 'postgres://u:p@127.0.0.1:5433/db', '--replica=postgres://127.0.0.1:5434/db']);
  assert.equal(config.load_balance, 'pgpool');
  assert.deepEqual(config.databases.get('db')!.replicas?.map((r) => r.port), [5433, 5434]);
  assert.equal(configFromFlags(['--target', 'postgres://u:p@h/db', '--replica', 'postgres://h:1/db', '--load-balance', 'round-robin']).load_balance, 'round-robin');
  assert.throws(() => configFromFlags(['--target', 'postgres://u:p@h/db', '--load-balance', 'sideways']), /--load-balance must be one of off, pgpool, round-robin/);
  assert.equal(configFromFlags(['--target', 'postgres://u:p@h/db']).load_balance, 'off');
});

test('LSNs compare as 64-bit WAL positions', () => {
  assert.equal(parseLsn('0/3000060'), 0x3000060n);
  assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) + 0xb374d848n);
  assert.equal(parseLsn(null), undefined);
});
