// auth_type plain against a SCRAM verifier in the auth_file: the pooler derives the key from the
// cleartext answer (PBKDF2) off the event loop, so other clients keep being served meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { once } from 'node:events';
import { formatScramVerifier, scramSecretFromPassword } from '../../extension/pooler/auth';
import { MessageReader, parseErrorFields, passwordMessage, startupMessage } from '../../extension/pooler/protocol';
import { startCluster, type Cluster } from '../helpers/cluster';
import { connectPg, loginError, startPooler, type RunningPooler } from './pooler-harness';

/** Slow on purpose: about a second of PBKDF2, long enough to see what the pooler does meanwhile. */
const SLOW_ITERATIONS = 1_000_000;
const SLOW_PASSWORD = 'slow-but-right';

let cluster: Cluster;
let dir: string;
let pooler: RunningPooler;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-plain-'));
  const slowVerifier = formatScramVerifier(scramSecretFromPassword(SLOW_PASSWORD, Buffer.from('fixed-test-salt!'), SLOW_ITERATIONS));
  const fastVerifier = formatScramVerifier(scramSecretFromPassword('fast-pw'));
  writeFileSync(join(dir, 'userlist.txt'), `"slow" "${slowVerifier}"\n"fast" "${fastVerifier}"\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]', `postgres = host=127.0.0.1 port=${cluster.port} dbname=postgres user=${cluster.user} password=${cluster.password}`,
    '[pgbouncer]', 'auth_type = plain', 'auth_file = userlist.txt', 'admin_users = fast', '',
  ].join('\n'));
  pooler = await startPooler(cluster, ['--config', join(dir, 'pgbouncer.ini')]);
});

after(async () => {
  await pooler?.stop();
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('plain auth against a SCRAM verifier: the right password logs in, a wrong one fails with 28P01', async () => {
  const client = await connectPg(pooler.url({ user: 'fast', password: 'fast-pw' }));
  assert.deepEqual((await client.query('select current_user as u')).rows, [{ u: cluster.user }]);
  await client.end();
  const wrong = await loginError(pooler.url({ user: 'fast', password: 'fast-pW' }));
  assert.equal(wrong.code, '28P01');
  // The verdict for (verifier, answer) is cached: the right password still works after a wrong one.
  const again = await connectPg(pooler.url({ user: 'fast', password: 'fast-pw' }));
  await again.end();
});

test('the admin console logs in the same way: plain auth against a SCRAM verifier (one authenticator for both)', async () => {
  const admin = await connectPg(pooler.url({ user: 'fast', password: 'fast-pw', database: 'pgbouncer' }));
  const { rows } = await admin.query('SHOW DATABASES');
  assert.ok(rows.some((row: { name: string }) => row.name === 'postgres'));
  await admin.end();
  const wrong = await loginError(pooler.url({ user: 'fast', password: 'nope', database: 'pgbouncer' }));
  assert.equal(wrong.code, '28P01');
});

/** A cleartext login done by hand, so the moment the password goes out is known exactly. */
async function rawPlainLogin(user: string, password: string, onPasswordSent: () => void): Promise<{ ok: boolean; code?: string }> {
  const socket = net.connect({ host: '127.0.0.1', port: pooler.port });
  await once(socket, 'connect');
  const reader = new MessageReader();
  const messages: { type: number; body: Buffer }[] = [];
  let wake = () => {};
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let m = reader.next(); m; m = reader.next()) messages.push({ type: m.type, body: Buffer.from(m.body) });
    wake();
  });
  const next = async () => {
    const deadline = Date.now() + 30_000;
    while (messages.length === 0 && Date.now() < deadline) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 100)));
    const message = messages.shift();
    if (!message) throw new Error('no answer from the pooler');
    return message;
  };
  try {
    socket.write(startupMessage({ user, database: 'postgres' }));
    const request = await next();
    assert.equal(String.fromCharCode(request.type), 'R');
    assert.equal(request.body.readInt32BE(0), 3, 'cleartext password request');
    socket.write(passwordMessage(password));
    onPasswordSent();
    const answer = await next();
    if (answer.type === 0x45) return { ok: false, code: parseErrorFields(answer.body).get('C') };
    return { ok: answer.type === 0x52 && answer.body.readInt32BE(0) === 0 };
  } finally {
    socket.destroy();
  }
}

test("other clients' queries keep being served while a plain login's PBKDF2 runs", async (t) => {
  const busy = await connectPg(pooler.url({ user: 'fast', password: 'fast-pw' }));
  let passwordSent = false;
  let loginAnswered = false;
  let servedDuringDerivation = 0;
  const loop = (async () => {
    // Bounded: at most 20 000 queries or 60 s, whichever comes first.
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < 20_000 && !loginAnswered && Date.now() < deadline; i++) {
      await busy.query('select 1');
      if (passwordSent && !loginAnswered) servedDuringDerivation++;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the loop is running
  const result = await rawPlainLogin('slow', SLOW_PASSWORD, () => (passwordSent = true));
  loginAnswered = true;
  await loop;
  await busy.end();
  assert.deepEqual(result, { ok: true });
  t.diagnostic(`queries served while the key was derived: ${servedDuringDerivation}`);
  // A blocking derivation would let at most the query already in flight through.
  assert.ok(servedDuringDerivation >= 5, `queries served while the key was derived: ${servedDuringDerivation}`);
  const wrong = await rawPlainLogin('slow', 'not-it', () => {});
  assert.deepEqual(wrong, { ok: false, code: '28P01' });
});
