// SCRAM pass-through: the ClientKey a server session recovers from a valid proof answers another
// server holding the same verifier, and refuses a verifier with a different salt or iteration count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, ScramClientSession, ScramServerSession, scramSecretFromPassword, type ScramKeys, type ScramSecret } from '../../../extension/pooler/auth';

/** Runs a full exchange; returns the server session (its clientKey is set when the proof was valid). */
function exchange(client: ScramClientSession, secret: ScramSecret): ScramServerSession {
  const server = new ScramServerSession(secret, 'someone');
  const serverFirst = server.handleClientFirst(client.clientFirst());
  const serverFinal = server.handleClientFinal(client.handleServerFirst(serverFirst));
  client.verifyServerFinal(serverFinal);
  return server;
}

test('keys recovered from a client proof log in to a server with the same verifier, and verify its signature', () => {
  const secret = scramSecretFromPassword('s3cret');
  const first = exchange(new ScramClientSession('s3cret'), secret);
  assert.ok(first.clientKey);
  const keys: ScramKeys = { clientKey: first.clientKey, serverKey: secret.serverKey, salt: secret.salt, iterations: secret.iterations };
  // A second, independent server exchange (fresh nonces) succeeds without the password.
  const second = exchange(new ScramClientSession(keys), secret);
  assert.ok(second.clientKey?.equals(first.clientKey));
});

test('a wrong password recovers no key; keys for another salt or iteration count are refused with a clear error', () => {
  const secret = scramSecretFromPassword('s3cret');
  const wrong = new ScramServerSession(secret, 'someone');
  const client = new ScramClientSession('guess');
  assert.throws(() => wrong.handleClientFinal(client.handleServerFirst(wrong.handleClientFirst(client.clientFirst()))), (e: AuthError) => e.code === '28P01');
  assert.equal(wrong.clientKey, undefined);

  const first = exchange(new ScramClientSession('s3cret'), secret);
  const keys: ScramKeys = { clientKey: first.clientKey!, serverKey: secret.serverKey, salt: secret.salt, iterations: secret.iterations };
  for (const other of [scramSecretFromPassword('s3cret'), scramSecretFromPassword('s3cret', secret.salt, secret.iterations + 1)]) {
    assert.throws(() => exchange(new ScramClientSession(keys), other), /verifier \(salt\/iterations\) differs/);
  }
});
