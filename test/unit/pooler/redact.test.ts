// Secret-looking values in statement texts: one case per pattern, each checking the secret is gone
// and the statement still says what it did; plus texts that must stay as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets } from '../../../extension/pooler/redact';

function assertRedacted(text: string, secret: string, kept: string): void {
  const out = redactSecrets(text);
  assert.ok(!out.includes(secret), `secret left in: ${out}`);
  assert.ok(out.includes('***'), `no redaction mark: ${out}`);
  assert.ok(out.includes(kept), `lost "${kept}": ${out}`);
}

test('conninfo password=… (bare, conninfo-quoted, doubled inside an SQL literal)', () => {
  assertRedacted("select dblink_connect('c1', 'host=db port=5432 password=Hunter2x dbname=app')", 'Hunter2x', 'dbname=app');
  assertRedacted("select dblink_connect('c1', 'host=db password=''two words'' user=u')", 'two words', 'user=u');
  assertRedacted("host=db password='q\\'uoted' user=u", "q\\'uoted", 'user=u');
  assertRedacted('host=db PASSWORD = S3cr3t', 'S3cr3t', 'host=db');
});

test('URI user info: postgres://user:password@host', () => {
  assertRedacted("select dblink_connect('postgres://app:Pw0rd!@db:5432/app')", 'Pw0rd!', 'postgres://app:');
  assertRedacted('postgresql://u:abc%40def@h/db', 'abc%40def', '@h/db');
});

test("PASSWORD '…' clauses of CREATE/ALTER ROLE and USER", () => {
  assertRedacted("CREATE ROLE app LOGIN PASSWORD 'Tr0ub4dor'", 'Tr0ub4dor', 'CREATE ROLE app LOGIN PASSWORD');
  assertRedacted("alter user app with encrypted password 'it''s-secret' valid until 'infinity'", "it''s-secret", 'valid until');
  assertRedacted('ALTER ROLE app PASSWORD $$dollar-secret$$', 'dollar-secret', 'ALTER ROLE app');
  assertRedacted("CREATE USER x PASSWORD 'cut-off-by-trunc", 'cut-off-by-trunc', 'CREATE USER x');
});

test('values of settings whose names look like credentials, tokens, keys, claims or secrets', () => {
  assertRedacted("select set_config('app.api_token', 'tok-123456', false)", 'tok-123456', 'app.api_token');
  assertRedacted("SET app.jwt_claims = '{\"sub\":\"alice\"}'", 'alice', 'SET app.jwt_claims');
  assertRedacted("set request.jwt.claim.sub to 'user-42'", 'user-42', 'request.jwt.claim.sub');
  assertRedacted("SET SESSION app.secret_key = 'k3y'", 'k3y', 'app.secret_key');
  assertRedacted("select set_config('app.api_key', E'raw\\x', false)", 'raw', 'app.api_key');
  assertRedacted('set app.password = hunter2', 'hunter2', 'app.password');
});

test('ordinary statements and settings are left alone', () => {
  for (const text of [
    "SET work_mem = '64MB'", "select set_config('search_path', 'app, public', false)", 'SET statement_timeout TO 5000',
    "SET password_encryption = 'scram-sha-256'", "select * from users where name = 'password'", 'LISTEN jobs', "select pg_advisory_lock(42)",
    "select dblink_connect('c1', 'host=db dbname=app')", 'UPDATE pgbench_accounts SET abalance = abalance + 1',
  ]) {
    assert.equal(redactSecrets(text), text, text);
  }
});
