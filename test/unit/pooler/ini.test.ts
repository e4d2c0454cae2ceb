import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IniError, loadPgBouncerConfig, parseIni, parseUserlist, passwordKind } from '../../../extension/pooler/ini';

const FULL_INI = `
; production mirror
# hash comments too
[databases]
app = host=127.0.0.1 port=5433 dbname=appdb user=app password='it''s secret' pool_size=7 pool_mode=session
"my db" = host=db.local dbname='name with spaces'
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6433
auth_type = scram-sha-256
auth_file = userlist.txt
auth_user = pgbouncer_auth
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename=$1
pool_mode = transaction
default_pool_size = 20
min_pool_size = 2
reserve_pool_size = 3
max_client_conn = 500
server_lifetime = 3600
server_idle_timeout = 600
server_connect_timeout = 15
query_wait_timeout = 120
client_idle_timeout = 0
idle_transaction_timeout = 0.5
max_prepared_statements = 100
admin_users = admin, ops
stats_users = "stats"
server_round_robin = 1
ignore_startup_parameters = extra_float_digits,search_path
`;

test('a full PgBouncer ini becomes typed databases and settings, without warnings', () => {
  const ini = parseIni(FULL_INI, 'prod.ini');
  assert.deepEqual(ini.warnings, []);
  assert.deepEqual(ini.databases, [
    { name: 'app', line: 5, host: '127.0.0.1', port: 5433, dbname: 'appdb', user: 'app', password: "it's secret", poolSize: 7, poolMode: 'session' },
    { name: 'my db', line: 6, host: 'db.local', dbname: 'name with spaces' },
  ]);
  assert.deepEqual(ini.fallback, { name: '*', line: 7, host: '127.0.0.1', port: 5432 });
  assert.deepEqual(ini.settings, {
    listenAddr: '127.0.0.1',
    listenPort: 6433,
    authType: 'scram-sha-256',
    authFile: 'userlist.txt',
    authUser: 'pgbouncer_auth',
    authQuery: 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1',
    poolMode: 'transaction',
    defaultPoolSize: 20,
    minPoolSize: 2,
    reservePoolSize: 3,
    maxClientConn: 500,
    serverLifetime: 3600,
    serverIdleTimeout: 600,
    serverConnectTimeout: 15,
    queryWaitTimeout: 120,
    clientIdleTimeout: 0,
    idleTransactionTimeout: 0.5,
    maxPreparedStatements: 100,
    adminUsers: ['admin', 'ops'],
    statsUsers: ['stats'],
    serverRoundRobin: true,
    ignoreStartupParameters: ['extra_float_digits', 'search_path'],
  });
});

test('unknown keys, sections, database parameters and %include are warnings with line numbers', () => {
  const ini = parseIni(
    ['[pgbouncer]', 'pidfile = /run/pgbouncer.pid', '%include /etc/other.ini', '[weird]', 'x = 1', '[databases]', 'd = host=h frobnicate=2'].join('\n'),
    'w.ini',
  );
  assert.deepEqual(
    ini.warnings.map((w) => [w.line, w.file]),
    [[2, 'w.ini'], [3, 'w.ini'], [4, 'w.ini'], [7, 'w.ini']],
  );
  assert.match(ini.warnings[0].message, /pidfile/);
  assert.match(ini.warnings[1].message, /%include.*\/etc\/other\.ini/);
  assert.match(ini.warnings[2].message, /\[weird\]/);
  assert.match(ini.warnings[3].message, /frobnicate/);
  assert.deepEqual(ini.databases, [{ name: 'd', line: 7, host: 'h' }]);
});

test('a repeated database keeps the last definition; keys are case-insensitive in [pgbouncer]', () => {
  const ini = parseIni('[databases]\na = dbname=x\na = dbname=y\n[PgBouncer]\nPOOL_MODE = Statement\r\nlisten_port = \'7000\'\n');
  assert.deepEqual(ini.databases, [{ name: 'a', line: 3, dbname: 'y' }]);
  assert.equal(ini.settings.poolMode, 'statement');
  assert.equal(ini.settings.listenPort, 7000);
});

test('durations accept fractions and unit suffixes; booleans accept PgBouncer spellings', () => {
  const ini = parseIni('[pgbouncer]\nserver_lifetime = 5min\nquery_wait_timeout = 250ms\nserver_round_robin = off\n');
  assert.equal(ini.settings.serverLifetime, 300);
  assert.equal(ini.settings.queryWaitTimeout, 0.25);
  assert.equal(ini.settings.serverRoundRobin, false);
});

test('[users] entries, unix socket settings and connection limits are read, not warned about', () => {
  const ini = parseIni(
    '[pgbouncer]\nunix_socket_dir = /run/pool\nunix_socket_mode = 0750\nmax_db_connections = 9\nmax_user_connections = 4\n' +
      'track_extra_parameters = search_path, IntervalStyle\n' +
      '[users]\nalice = pool_mode=session max_user_connections=3\nbob = pool_size=1 reserve_pool_size=2 colour=blue\n',
  );
  assert.deepEqual(ini.users, [
    { name: 'alice', line: 8, poolMode: 'session', maxUserConnections: 3 },
    { name: 'bob', line: 9, poolSize: 1, reservePoolSize: 2 },
  ]);
  assert.equal(ini.settings.unixSocketDir, '/run/pool');
  assert.equal(ini.settings.unixSocketMode, 0o750);
  assert.equal(ini.settings.maxDbConnections, 9);
  assert.equal(ini.settings.maxUserConnections, 4);
  assert.deepEqual(ini.settings.trackExtraParameters, ['search_path', 'IntervalStyle']);
  assert.deepEqual(ini.warnings.map((w) => [w.line, w.message]), [[9, 'user "bob": unknown or unsupported parameter "colour" ignored']]);
  assert.throws(() => parseIni('[pgbouncer]\nunix_socket_mode = 0999'), /octal/);
});

test('malformed input throws IniError naming the file and line', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['[pgbouncer]\nlisten_port = abc', 2, /listen_port: expected a non-negative integer/],
    ['[pgbouncer]\n\npool_mode = sometimes', 3, /pool_mode: expected one of session, transaction, statement/],
    ['[pgbouncer]\nauth_type = kerberos', 2, /auth_type/],
    ['[pgbouncer]\nserver_round_robin = maybe', 2, /boolean/],
    ['[pgbouncer]\nserver_lifetime = 3 fortnights', 2, /seconds/],
    ['listen_port = 1', 1, /before any \[section\]/],
    ['[pgbouncer]\njust words', 2, /key = value/],
    ['[databases]\na = host=\'unterminated', 2, /unterminated/],
    ['[databases]\na = host', 2, /expected "=" after "host"/],
    ['[databases]\na = pool_size=-1', 2, /pool_size/],
    ['[pgbouncer]\nauth_file = "a" b', 2, /unexpected text/],
  ];
  for (const [text, line, message] of cases) {
    assert.throws(
      () => parseIni(text, 'bad.ini'),
      (error: unknown) => error instanceof IniError && error.line === line && error.file === 'bad.ini' && message.test(error.message),
      `${JSON.stringify(text)} should fail on line ${line} with ${message}`,
    );
  }
});

test('userlist.txt: quoted users and passwords, "" escapes, comments, password kinds', () => {
  const scram = 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVkS2V5$c2VydmVyS2V5';
  const list = parseUserlist(
    [
      '; comment',
      '"alice" "plain pw"',
      '"bob" "md5' + '0123456789abcdef0123456789abcdef"',
      '# another',
      `"carol" "${scram}"`,
      '"we""ird" "pa""ss"',
      '',
    ].join('\n'),
  );
  assert.deepEqual(list.warnings, []);
  assert.deepEqual(
    list.users.map((u) => [u.name, u.password, u.kind, u.line]),
    [
      ['alice', 'plain pw', 'plain', 2],
      ['bob', 'md50123456789abcdef0123456789abcdef', 'md5', 3],
      ['carol', scram, 'scram-sha-256', 5],
      ['we"ird', 'pa"ss', 'plain', 6],
    ],
  );
  assert.equal(passwordKind('md5short'), 'plain');
});

test('userlist.txt: malformed lines throw with line numbers; duplicates warn and the later wins', () => {
  assert.throws(() => parseUserlist('"a" "b"\nalice pw', 'u.txt'), /u\.txt:2: expected "user" "password"/);
  assert.throws(() => parseUserlist('"a" b', 'u.txt'), /u\.txt:1: .*quoted password/);
  assert.throws(() => parseUserlist('"a" "b', 'u.txt'), /u\.txt:1: unterminated/);
  const list = parseUserlist('"a" "1"\n"a" "2"\n');
  assert.deepEqual(list.users.map((u) => u.password), ['2']);
  assert.equal(list.warnings.length, 1);
});

test('loadPgBouncerConfig reads the auth_file relative to the ini folder', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-ini-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pgbouncer.ini'), '[pgbouncer]\nauth_file = users.txt\nbogus = 1\n');
  writeFileSync(join(dir, 'users.txt'), '"u" "p"\n"u" "q"\n');
  const config = loadPgBouncerConfig(join(dir, 'pgbouncer.ini'));
  assert.equal(config.authFilePath, join(dir, 'users.txt'));
  assert.deepEqual(config.userlist?.users.map((u) => [u.name, u.password]), [['u', 'q']]);
  assert.equal(config.warnings.length, 2);
  assert.throws(() => loadPgBouncerConfig(join(dir, 'missing.ini')), /ENOENT/);
});
