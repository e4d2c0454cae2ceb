// auth_ident_file maps and hba `map=` options (cert rules), and the libtls protocol syntax of
// client_tls_protocols / server_tls_protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HbaError, parseHba } from '../../../extension/pooler/hba';
import { identAllows, parseIdent } from '../../../extension/pooler/ident';
import { TlsSetupError, protocolRange } from '../../../extension/pooler/tls-settings';

test('ident: lines group by map name; unquoted all admits any user, quoted names are literal', () => {
  const maps = parseIdent('# comment\ntest  pgbouncer.acme.org  someuser\ntest pgbouncer.acme.org "all"\ntest2 "bouncer" all\n');
  assert.deepEqual([...maps.keys()], ['test', 'test2']);
  const names = (cn: string) => (name: string) => name === cn;
  assert.equal(identAllows(maps.get('test')!, names('pgbouncer.acme.org'), 'someuser'), true);
  assert.equal(identAllows(maps.get('test')!, names('pgbouncer.acme.org'), 'all'), true, 'a quoted "all" is a user named all');
  assert.equal(identAllows(maps.get('test')!, names('pgbouncer.acme.org'), 'other'), false);
  assert.equal(identAllows(maps.get('test')!, names('bouncer'), 'someuser'), false, 'the certificate must carry the system name');
  assert.equal(identAllows(maps.get('test2')!, names('bouncer'), 'anyone'), true);
  assert.throws(() => parseIdent('test onlytwo\n'), HbaError);
});

test('hba: `map=name` after the method is kept on the rule; a rule without one has none', () => {
  const [mapped, plain] = parseHba('hostssl p0x all 0.0.0.0/0 cert map=test\nhostssl p0 bouncer 0.0.0.0/0 cert\n');
  assert.equal(mapped.map, 'test');
  assert.equal(mapped.method, 'cert');
  assert.equal(plain.map, undefined);
});

test('TLS protocols: keywords, lists and negation become the range Node takes; unknown words are refused', () => {
  assert.deepEqual(protocolRange('secure', 'client_tls'), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  assert.deepEqual(protocolRange('all', 'client_tls'), { minVersion: 'TLSv1', maxVersion: 'TLSv1.3' });
  assert.deepEqual(protocolRange('tlsv1.3', 'client_tls'), { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  assert.deepEqual(protocolRange('tlsv1.0,tlsv1.1', 'server_tls'), { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
  assert.deepEqual(protocolRange('!tlsv1.0:!tlsv1.1', 'server_tls'), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  assert.throws(() => protocolRange('sslv3', 'client_tls'), TlsSetupError);
  assert.throws(() => protocolRange('all,!all', 'client_tls'), TlsSetupError);
});
