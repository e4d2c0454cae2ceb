// Pure parts of the editor UI: stderr → failure reason, target URL handling and .env, settings →
// pooler flags, snapshot → tree rows, status bar wording, statement → source position.
import { ASKED_THE_SERVER } from '../../../extension/pooler/audit';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainPoolerExit } from '../../../extension/ui/poolerFailure';
import {
  defaultTargetUrl, parseDotEnv, poolerConnectionString, redactUrl, secretKeyFor, splitPassword, validateTargetUrl, withPassword,
} from '../../../extension/ui/target';
import { DEFAULT_POOLER_SETTINGS, poolerArgs } from '../../../extension/ui/poolerArgs';
import { statusBarText, treeNodes } from '../../../extension/ui/treeModel';
import { findStatement } from '../../../extension/ui/statementMatch';
import type { PoolerSnapshot } from '../../../extension/pooler/ipc';

test('stderr lines of a failed start map to a reason and an action', () => {
  const cases: [string, string, string, RegExp][] = [
    ['poolsafe pooler: cannot listen on 127.0.0.1:6432: listen EADDRINUSE: address already in use 127.0.0.1:6432', 'port-in-use', 'Change Port', /Port 6432 is already in use/],
    ['poolsafe pooler: cannot connect to 127.0.0.1:5432/app as alice: password authentication failed for user "alice"', 'bad-password', 'Configure Target', /password for user alice/],
    ['poolsafe pooler: cannot connect to db.local:5432/app as alice: getaddrinfo ENOTFOUND db.local', 'target-unreachable', 'Configure Target', /Cannot reach the database at db\.local:5432/],
    ['poolsafe pooler: cannot connect to 127.0.0.1:1/app as alice: connect ECONNREFUSED 127.0.0.1:1', 'target-unreachable', 'Configure Target', /127\.0\.0\.1:1$/],
    ['poolsafe pooler: cannot connect to 127.0.0.1:5432/nodb as alice: database "nodb" does not exist', 'no-database', 'Configure Target', /"nodb" does not exist/],
    ['poolsafe pooler: --target <postgres URL> is required\nusage: poolsafe pooler --target …', 'bad-settings', 'Configure Target', /Configure Target Database/],
    ['poolsafe pooler: --pool-mode must be one of session, transaction, statement (got "x")\nusage: …', 'bad-settings', 'Open Settings', /--pool-mode must be one of/],
  ];
  for (const [stderr, kind, action, message] of cases) {
    const failure = explainPoolerExit(stderr + '\n', 2, null, false);
    assert.equal(failure.kind, kind, stderr);
    assert.equal(failure.action, action, stderr);
    assert.match(failure.message, message);
    assert.ok(failure.detail.startsWith('poolsafe pooler:'));
  }
  const crash = explainPoolerExit('some stack trace\n', null, 'SIGSEGV', true);
  assert.equal(crash.kind, 'crashed');
  assert.equal(crash.action, 'Restart');
  assert.match(crash.message, /killed \(SIGSEGV\)/);
  // Once running, even a start-up-looking line means a crash, not a configuration problem.
  assert.equal(explainPoolerExit('poolsafe pooler: cannot listen on x: EADDRINUSE', 1, null, true).kind, 'crashed');
  assert.equal(explainPoolerExit('', 1, null, false).kind, 'unknown');
});

test('target URLs: password split for SecretStorage, restored, redacted; invalid URLs explained', () => {
  const split = splitPassword('postgres://alice:p%40ss%3Aw0rd@db.local:5433/app?sslmode=require');
  assert.equal(split.password, 'p@ss:w0rd');
  assert.equal(split.url, 'postgres://alice@db.local:5433/app?sslmode=require');
  assert.equal(withPassword(split.url, split.password), 'postgres://alice:p%40ss%3Aw0rd@db.local:5433/app?sslmode=require');
  assert.equal(splitPassword('postgresql://bob@h/db').password, undefined);
  assert.equal(redactUrl('postgres://alice:secret@h:1/db'), 'postgres://alice:***@h:1/db');
  assert.equal(redactUrl('postgres://alice@h:1/db'), 'postgres://alice@h:1/db');
  assert.equal(secretKeyFor('postgres://alice:x@db.local/app'), 'poolsafe.password:alice@db.local:5432');
  assert.equal(validateTargetUrl('postgres://alice@db.local/app'), undefined);
  assert.match(validateTargetUrl('mysql://a@b/c') ?? '', /postgres:\/\//);
  assert.match(validateTargetUrl('db.local:5432') ?? '', /postgres/);
  assert.equal(
    poolerConnectionString('postgres://alice@db.local:5433/app?sslmode=require&application_name=web', '127.0.0.1', 6432),
    'postgres://alice@127.0.0.1:6432/app?application_name=web',
  );
  assert.equal(poolerConnectionString('postgres://alice@db/app', '127.0.0.1', 7000, 'p w'), 'postgres://alice:p%20w@127.0.0.1:7000/app');
});

test('.env parsing and the default target URL', () => {
  const env = parseDotEnv([
    '# comment', 'export DATABASE_URL="postgres://u:p@h:5432/d"', "OTHER='x # not a comment'", 'PLAIN=value # comment',
    'EMPTY=', 'not a line', '  SPACED = yes ',
  ].join('\n'));
  assert.equal(env.get('DATABASE_URL'), 'postgres://u:p@h:5432/d');
  assert.equal(env.get('OTHER'), 'x # not a comment');
  assert.equal(env.get('PLAIN'), 'value');
  assert.equal(env.get('EMPTY'), '');
  assert.equal(env.get('SPACED'), 'yes');
  assert.equal(env.size, 5);
  assert.equal(defaultTargetUrl({ DATABASE_URL: 'postgres://env@h/d' }, 'DATABASE_URL=postgres://file@h/d'), 'postgres://env@h/d');
  assert.equal(defaultTargetUrl({}, 'DATABASE_URL=postgres://file@h/d'), 'postgres://file@h/d');
  assert.equal(defaultTargetUrl({ DATABASE_URL: 'mysql://x@y/z' }, undefined), undefined);
});

test('settings become pooler flags; with an .ini only changed settings override it', () => {
  assert.deepEqual(poolerArgs(DEFAULT_POOLER_SETTINGS), [
    '--listen', '127.0.0.1:6432', '--pool-mode', 'transaction', '--pool-size', '20', '--server-policy', 'rotate', '--max-prepared-statements', '0',
  ]);
  assert.deepEqual(poolerArgs({ ...DEFAULT_POOLER_SETTINGS, poolSize: 5 }, '/w/pgbouncer.ini'), ['--config', '/w/pgbouncer.ini', '--pool-size', '5']);
});

const snapshot: PoolerSnapshot = {
  takenAt: 0,
  pools: [
    { database: 'app', user: 'alice', cl_active: 2, cl_waiting: 0, sv_active: 1, sv_idle: 1, sv_login: 0, maxwait: 0, pool_mode: 'transaction' },
    { database: 'pgbouncer', user: 'pgbouncer', cl_active: 0, cl_waiting: 0, sv_active: 0, sv_idle: 0, sv_login: 0, maxwait: 0, pool_mode: 'statement' },
  ],
  clients: [
    { type: 'C', user: 'alice', database: 'app', state: 'active', addr: '127.0.0.1', port: 50000, link: '0x2', application_name: 'web', id: 7 },
    { type: 'C', user: 'alice', database: 'app', state: 'waiting', addr: '127.0.0.1', port: 50001, link: '', application_name: '', id: 8 },
  ],
  servers: [{ type: 'S', user: 'alice', database: 'app', state: 'active', remote_pid: 4242, link: '0x7', application_name: 'web', id: 2 }],
  stats: [{ database: 'app', total_xact_count: 10, total_query_count: 12, avg_xact_time: 150, avg_query_time: 90, total_wait_time: 0 }],
  hazards: [
    { id: 1, time: 't', kind: 'origin', rule: 'session-set', client_id: 7, application_name: 'web', server_id: 2, remote_pid: 4242, statement: 'SET search_path TO app', detail: '' },
    { id: 2, time: 't', kind: 'landed', rule: 'session-set', client_id: 8, application_name: '', server_id: 2, remote_pid: 4242, statement: 'select 1', detail: 'x' },
  ],
};

test('snapshot rows become tree nodes with PgBouncer column names, state icons and stable ids', () => {
  assert.deepEqual(treeNodes('pools', snapshot, false), []);
  const pools = treeNodes('pools', snapshot, true);
  assert.equal(pools.length, 1, 'the console pseudo-pool is hidden');
  assert.equal(pools[0].label, 'app · alice');
  assert.equal(pools[0].description, 'cl_active 2 · cl_waiting 0 · sv_active 1 · sv_idle 1 · sv_login 0 · maxwait 0 · pool_mode transaction');
  assert.ok(pools[0].children?.some((child) => child.label === 'cl_active' && child.description === '2'));
  const clients = treeNodes('clients', snapshot, true);
  assert.deepEqual(clients.map((c) => [c.id, c.label, c.icon, c.contextValue]), [
    ['client/7', 'client 7 · alice@app', 'pulse', 'client'],
    ['client/8', 'client 8 · alice@app', 'watch', 'client'],
  ]);
  assert.equal(clients[0].description, 'state active · addr 127.0.0.1 · port 50000 · link 0x2 · application_name web');
  const servers = treeNodes('servers', snapshot, true);
  assert.match(servers[0].description, /remote_pid 4242/);
  assert.match(treeNodes('stats', snapshot, true)[0].description, /total_xact_count 10 · total_query_count 12/);
  const hazards = treeNodes('hazards', snapshot, true);
  assert.deepEqual(hazards.map((h) => [h.label, h.icon]), [['session-set (landed)', 'arrow-swap'], ['session-set (origin)', 'warning']]);
  assert.match(hazards[1].description, /kind origin · client_id 7 · server_id 2 · SET search_path TO app/);
});

test('a hazard found by asking the server says so in its label', () => {
  const asked = { ...snapshot.hazards[0], id: 3, statement: "select tenant_enter('acme')", detail: `setting app.tenant stays on server connection 2 after the transaction (${ASKED_THE_SERVER}: …)` };
  const nodes = treeNodes('hazards', { ...snapshot, hazards: [snapshot.hazards[0], asked] }, true);
  assert.deepEqual(nodes.map((node) => node.label), ['session-set (origin, asked the server)', 'session-set (origin)']);
});

test('status bar wording', () => {
  assert.equal(statusBarText({ status: 'running', port: 6432, poolMode: 'transaction', clients: 3 }), '$(database) PoolSafe :6432 · transaction · 3 clients');
  assert.equal(statusBarText({ status: 'running', port: 7000, poolMode: 'session', clients: 1 }), '$(database) PoolSafe :7000 · session · 1 client');
  assert.match(statusBarText({ status: 'off' }), /off$/);
  assert.match(statusBarText({ status: 'starting' }), /starting$/);
  assert.match(statusBarText({ status: 'error' }), /error$/);
});

test('statements from the pooler are found in SQL and TS sources despite layout and placeholders', () => {
  const sql = '-- settings\nselect 1;\n\nSET   search_path\n  TO app, public;\n';
  assert.deepEqual(findStatement(sql, 'SET search_path TO app, public'), { line: 3, column: 0 });
  const ts = 'const x = 1;\nawait pool.query(`select * from orders where id = ${id} and owner = ${owner}`);\n';
  assert.deepEqual(findStatement(ts, 'select * from orders where id = $1 and owner = $2'), { line: 1, column: 18 });
  assert.equal(findStatement(ts, 'select * from customers where id = $1'), undefined);
  assert.equal(findStatement(sql, ''), undefined);
  assert.deepEqual(findStatement("q('LISTEN jobs')", 'listen jobs'), { line: 0, column: 3 });
});
