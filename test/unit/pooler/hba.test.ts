// auth_hba_file parsing and matching: first matching rule wins; kinds, lists, quotes, masks, keywords.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HbaError, matchHba, parseHba, type HbaConnection } from '../../../extension/pooler/hba';

const RULES = parseHba(`
# comment, blank lines and odd whitespace are ignored
 \t
local   dbz        userz              trust
local   all        all                md5
hostssl all        all   10.0.0.0/8   cert
host    tmp1,all   user1,user2 , user3   16.0.0.0/8   md5
host    "all"      "all"     19.0.0.0/8   reject
host    mdb2       muser     128.0.0.0/9  trust
host    mdb2       muser     128.0.0.0/1  password
host    mdb        muser     ff11::0/16   scram-sha-256
host    all        all       127.0.0.0  255.255.255.0  password # mask form
host    mdb4       muser     all          reject
host    replication admin    ::1/128      trust
`);

function method(connection: Partial<HbaConnection>): string | undefined {
  return matchHba(RULES, { local: false, tls: false, address: '127.0.0.1', database: 'db', user: 'u', ...connection })?.method;
}

test('hba: the first rule matching kind, database, user and address decides', () => {
  assert.equal(method({ local: true, database: 'dbz', user: 'userz' }), 'trust');
  assert.equal(method({ local: true, database: 'dbz', user: 'other' }), 'md5');
  assert.equal(method({ address: '16.1.2.3', user: 'user3' }), 'md5', 'a list continued after whitespace');
  assert.equal(method({ address: '128.1.2.3', database: 'mdb2', user: 'muser' }), 'trust');
  assert.equal(method({ address: '200.1.2.3', database: 'mdb2', user: 'muser' }), 'password');
  assert.equal(method({ address: 'ff11::5', database: 'mdb', user: 'muser' }), 'scram-sha-256');
  assert.equal(method({ address: '::ffff:127.0.0.9' }), 'password', 'IPv4-mapped address, mask written as an address');
  assert.equal(method({ address: '8.8.8.8', database: 'mdb4', user: 'muser' }), 'reject', 'address keyword all');
});

test('hba: rules that must not match do not', () => {
  assert.equal(method({ address: '10.1.1.1' }), undefined, 'hostssl without TLS');
  assert.equal(method({ address: '10.1.1.1', tls: true }), 'cert');
  assert.equal(method({ address: '19.0.0.1' }), undefined, 'quoted "all" is a name, not the keyword');
  assert.equal(method({ address: '19.0.0.1', database: 'all', user: 'all' }), 'reject');
  assert.equal(method({ address: '::1', database: 'replication', user: 'admin' }), undefined, 'replication never matches a normal login');
  assert.equal(method({ local: true, database: 'x' }), 'md5');
  assert.equal(method({ address: '16.1.2.3', user: 'user4' }), undefined);
});

test('hba: unreadable rules are refused with their line', () => {
  assert.throws(() => parseHba('host all all 1.2.3.4/40 md5'), (e: Error) => e instanceof HbaError && /line 1: invalid address/.test(e.message));
  assert.throws(() => parseHba('\nhost all all 0.0.0.0/0 kerberos'), /line 2: unknown method "kerberos"/);
  assert.throws(() => parseHba('hots all all 0.0.0.0/0 md5'), /unknown connection type "hots"/);
  assert.throws(() => parseHba('local all md5'), /too few fields/);
});
