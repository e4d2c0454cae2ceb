import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ScramClientSession, ScramServerSession, decoySecret, formatScramVerifier, md5Hash, md5Response, parseScramVerifier,
  scramSecretFromPassword, secureRandom, userSecret,
} from '../../../extension/pooler/auth';

// RFC 7677 section 3: user "user", password "pencil".
const RFC = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

test('SCRAM client reproduces the RFC 7677 exchange', () => {
  const client = new ScramClientSession('pencil', RFC.clientNonce, 'user');
  assert.equal(client.clientFirst(), RFC.clientFirst);
  assert.equal(client.handleServerFirst(RFC.serverFirst), RFC.clientFinal);
  assert.doesNotThrow(() => client.verifyServerFinal(RFC.serverFinal));
  assert.throws(() => client.verifyServerFinal('v=AAAA'), /server signature mismatch/);
});

test('SCRAM server reproduces the RFC 7677 exchange and rejects a wrong proof with 28P01', () => {
  const secret = scramSecretFromPassword('pencil', Buffer.from(RFC.salt, 'base64'), 4096);
  const server = new ScramServerSession(secret, 'user', RFC.serverNonce);
  assert.equal(server.handleClientFirst(RFC.clientFirst), RFC.serverFirst);
  assert.equal(server.handleClientFinal(RFC.clientFinal), RFC.serverFinal);

  const again = new ScramServerSession(secret, 'user', RFC.serverNonce);
  again.handleClientFirst(RFC.clientFirst);
  const tampered = RFC.clientFinal.replace('p=dH', 'p=eH');
  assert.throws(() => again.handleClientFinal(tampered), (e: Error & { code?: string }) => e.code === '28P01' && e.message === 'SASL authentication failed');
});

test('SCRAM client and server agree; a wrong password and a decoy secret fail', () => {
  const secret = scramSecretFromPassword('s3cret');
  for (const [password, ok] of [['s3cret', true], ['wrong', false]] as const) {
    const client = new ScramClientSession(password);
    const server = new ScramServerSession(secret, 'bob');
    const serverFirst = server.handleClientFirst(client.clientFirst());
    const clientFinal = client.handleServerFirst(serverFirst);
    if (ok) client.verifyServerFinal(server.handleClientFinal(clientFinal));
    else assert.throws(() => server.handleClientFinal(clientFinal), /SASL authentication failed/);
  }
  const decoy = new ScramServerSession(decoySecret('nobody'), 'nobody');
  const client = new ScramClientSession('anything');
  assert.throws(() => decoy.handleClientFinal(client.handleServerFirst(decoy.handleClientFirst(client.clientFirst()))), /SASL authentication failed/);
});

test('SCRAM verifier strings round-trip and verify without the plaintext', () => {
  const secret = scramSecretFromPassword('pencil', Buffer.from(RFC.salt, 'base64'), 4096);
  const text = formatScramVerifier(secret);
  assert.match(text, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  const parsed = parseScramVerifier(text)!;
  assert.deepEqual(parsed.storedKey, secret.storedKey);
  const user = userSecret('user', text);
  assert.equal(user.password, undefined);
  const server = new ScramServerSession(user.scram!, 'user', RFC.serverNonce);
  server.handleClientFirst(RFC.clientFirst);
  assert.equal(server.handleClientFinal(RFC.clientFinal), RFC.serverFinal);
  assert.equal(parseScramVerifier('SCRAM-SHA-256$4096:abc$short:short'), undefined);
});

test('md5: stored hash and salted response match PostgreSQL', () => {
  // PostgreSQL: md5 || md5(password || user)
  assert.equal(md5Hash('postgres', 'secret'), 'md5' + require('node:crypto').createHash('md5').update('secretpostgres').digest('hex'));
  const stored = md5Hash('u', 'p');
  const salt = Buffer.from([1, 2, 3, 4]);
  const inner = stored.slice(3);
  const expected = 'md5' + require('node:crypto').createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
  assert.equal(md5Response(stored, salt), expected);
  assert.equal(userSecret('u', stored).md5, stored);
});

test('secureRandom hands out fresh bytes of the requested length across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const bytes = secureRandom(18);
    assert.equal(bytes.length, 18);
    seen.add(bytes.toString('hex'));
  }
  assert.equal(seen.size, 600);
  assert.equal(secureRandom(5000).length, 5000);
});
