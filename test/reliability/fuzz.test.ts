// Bad input: the pooler's parsers (unit level, seeded) and a live pooler socket. Sizes come from the
// environment so `npm run fuzz` can run the same code longer: FUZZ_SEED, FUZZ_CASES, FUZZ_SECONDS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_AUTH_MESSAGE_LENGTH, MessageReader, MessageScanner, ProtocolError, interestIn, parseErrorFields, parseParameterStatus,
  parseSaslInitialResponse, parseStartupPacket, startupMessage, startupPacketLength,
} from '../../extension/pooler/protocol';
import { AuthError, ScramServerSession, scramSecretFromPassword } from '../../extension/pooler/auth';
import { startCluster } from '../helpers/cluster';
import { RawClient, frontend } from '../integration/pooler-harness';
import { connect, fdCount, rawSocket, randomBuffer, randomInt, rssKb, seededRandom, sleep, startReliablePooler } from './common';
import { fuzzLive, makeCase } from './fuzz-live';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const UNIT_CASES = Number(process.env.FUZZ_UNIT_CASES ?? 20_000);
const LIVE_CASES = Number(process.env.FUZZ_CASES ?? 300);
const LIVE_SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);

/** Only the pooler's own protocol/auth errors may escape a parser: anything else would be a bug. */
function expectOnlyProtocolErrors(what: string, input: Buffer, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError || error instanceof AuthError) return;
    assert.fail(`${what} threw ${(error as Error).name}: ${(error as Error).message} for input ${input.subarray(0, 80).toString('hex')}`);
  }
}

test('parsers: random and mutated input ends in a result or a ProtocolError/AuthError, never another exception', { timeout: Math.max(120_000, UNIT_CASES * 5) }, () => {
  const random = seededRandom(SEED);
  const secret = scramSecretFromPassword('pw', Buffer.alloc(16, 1), 4096);
  for (let i = 0; i < UNIT_CASES; i++) {
    const c = makeCase(random, 'postgres', 'postgres');
    const input = c.bytes;
    expectOnlyProtocolErrors('startup framing', input, () => {
      const length = startupPacketLength(input);
      if (length !== undefined && input.length >= length) parseStartupPacket(input.subarray(0, length));
    });
    expectOnlyProtocolErrors('MessageReader', input, () => {
      const reader = new MessageReader();
      reader.push(input);
      for (let n = 0; n < 1000 && reader.next(MAX_AUTH_MESSAGE_LENGTH); n++);
    });
    expectOnlyProtocolErrors('MessageScanner', input, () => {
      const scanner = new MessageScanner(interestIn([0x51, 0x53], [0x5a]));
      let at = 0;
      while (at < input.length) {
        const cut = Math.min(input.length, at + 1 + randomInt(random, 16));
        scanner.scan(input.subarray(at, cut), () => false);
        at = cut;
      }
    });
    expectOnlyProtocolErrors('SASL initial response', input, () => parseSaslInitialResponse(input));
    expectOnlyProtocolErrors('ErrorResponse fields', input, () => parseErrorFields(input));
    expectOnlyProtocolErrors('ParameterStatus', input, () => parseParameterStatus(input));
    expectOnlyProtocolErrors('SCRAM', input, () => {
      const session = new ScramServerSession(secret, 'postgres');
      session.handleClientFirst(input.toString('utf8'));
      session.handleClientFinal(randomBuffer(random, 60).toString('utf8'));
    });
  }
});

test('MessageScanner finds the same boundaries as MessageReader however a valid stream is chunked', () => {
  const random = seededRandom(SEED + 1);
  for (let round = 0; round < 300; round++) {
    const messages = Array.from({ length: 1 + randomInt(random, 20) }, () => frontend('QSPBE'[randomInt(random, 5)], randomBuffer(random, randomInt(random, 300))));
    const stream = Buffer.concat(messages);
    const seen: number[] = [];
    const scanner = new MessageScanner(interestIn([0x51, 0x53, 0x50, 0x42, 0x45]));
    let at = 0;
    while (at < stream.length) {
      const cut = Math.min(stream.length, at + 1 + randomInt(random, 64));
      scanner.scan(stream.subarray(at, cut), (type) => void seen.push(type));
      at = cut;
    }
    assert.deepEqual(seen, messages.map((m) => m[0]));
    assert.ok(scanner.atBoundary);
  }
});

test('MessageReader refuses an announced length above its cap before the body arrives', () => {
  const reader = new MessageReader();
  const header = Buffer.from([0x70, 0, 1, 0, 0]); // 'p', 65,536 bytes announced
  reader.push(header);
  assert.throws(() => reader.next(MAX_AUTH_MESSAGE_LENGTH), ProtocolError);
  const huge = new MessageScanner(interestIn([]));
  const header2 = Buffer.from([0x51, 0x40, 0, 0, 0]); // 'Q', 1 GB + 0 announced
  assert.throws(() => huge.scan(header2, () => false), /invalid message length/);
});

test('live socket: fuzzed clients end in ErrorResponse or close; other clients keep working', { timeout: (LIVE_SECONDS + 180) * 1000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, { max_client_conn: 500 });
  t.after(() => pooler.stop());
  const steady = await connect(pooler.url());
  t.after(() => steady.end().catch(() => {}));
  await steady.query('select 1');
  const fdsBefore = fdCount(pooler.pid);
  const figures = await fuzzLive(pooler, steady, {
    seed: SEED, cases: LIVE_CASES, batch: 60, user: cluster.user, password: cluster.password, loginTimeoutMs: 2000, maxSeconds: LIVE_SECONDS,
  });
  t.diagnostic(`fuzz figures: ${JSON.stringify(figures)}`);
  assert.deepEqual(figures.hung, [], 'pre-login cases must end by the login timeout');
  assert.ok(figures.tried >= Math.min(LIVE_CASES, 60), `tried ${figures.tried}`);
  for (const code of Object.keys(figures.sqlstates)) assert.match(code, /^[0-9A-Z]{5}$/);
  assert.ok((figures.sqlstates['08P01'] ?? 0) > 0, 'protocol violations are reported as 08P01');
  // Sockets of the fuzz cases are all gone again (the 1 s destroy grace included).
  await sleep(1500);
  const fdsAfter = fdCount(pooler.pid);
  t.diagnostic(`pooler fds before ${fdsBefore}, after ${fdsAfter}; peak RSS ${figures.peakRssKb} kB`);
  assert.ok(fdsAfter <= fdsBefore + 2, `fd leak: ${fdsBefore} → ${fdsAfter}`);
  assert.ok(figures.peakRssKb < 300_000, `peak RSS ${figures.peakRssKb} kB`);
});

test('slow-loris: a client sending one byte a second is dropped at client_login_timeout with an error', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, { client_login_timeout: 2 });
  t.after(() => pooler.stop());
  const packet = startupMessage({ user: cluster.user, database: 'postgres' });
  const socket = await rawSocket(pooler.port);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  const started = Date.now();
  let sent = 0;
  const dribble = setInterval(() => {
    if (sent < packet.length && !socket.destroyed) socket.write(packet.subarray(sent, ++sent));
  }, 1000);
  t.after(() => clearInterval(dribble));
  const closedAt = await Promise.race([closed, sleep(8000).then(() => -1)]);
  clearInterval(dribble);
  socket.destroy();
  assert.ok(closedAt > 0, 'the slow client was never dropped');
  const elapsed = closedAt - started;
  assert.ok(elapsed >= 1800 && elapsed < 5000, `dropped after ${elapsed} ms`);
  const reply = Buffer.concat(received);
  assert.equal(String.fromCharCode(reply[0]), 'E');
  assert.equal(parseErrorFields(reply.subarray(5)).get('M'), 'client_login_timeout');

  // A client stuck after its startup packet (never answering the SASL request) is dropped too.
  const stuck = await rawSocket(pooler.port);
  const stuckReceived: Buffer[] = [];
  stuck.on('data', (chunk: Buffer) => stuckReceived.push(chunk)); // flowing, so the close is seen
  stuck.write(packet);
  const stuckClosed = await Promise.race([new Promise<boolean>((r) => stuck.once('close', () => r(true))), sleep(6000).then(() => false)]);
  stuck.destroy();
  assert.ok(stuckClosed, 'a client that never answers the auth request was not dropped');
  assert.match(Buffer.concat(stuckReceived).toString('latin1'), /client_login_timeout/);
});

test('a logged-in client announcing a message above 1 GB (admin console: 1 MB) gets 08P01 and the pooler stays small', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster);
  t.after(() => pooler.stop());
  const client = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => client.close());
  const header = Buffer.alloc(5);
  header[0] = 0x51;
  header.writeInt32BE(0x40000001, 1);
  client.socket.write(header);
  const { type, body } = await client.next(5000);
  assert.equal(String.fromCharCode(type), 'E');
  assert.equal(parseErrorFields(body).get('C'), '08P01');
  assert.match(parseErrorFields(body).get('M') ?? '', /invalid message length/);
  assert.ok(rssKb(pooler.pid) < 200_000);
  const other = await connect(pooler.url());
  t.after(() => other.end().catch(() => {}));
  assert.equal((await other.query('select 2 as n')).rows[0].n, 2);

  // The admin console refuses an oversized command up front (it would otherwise buffer it whole).
  const admin = await RawClient.connect(pooler.port, cluster.user, cluster.password, 'pgbouncer');
  t.after(() => admin.close());
  const big = Buffer.alloc(5);
  big[0] = 0x51;
  big.writeInt32BE(2 * 1024 * 1024, 1);
  admin.socket.write(big);
  const reply = await admin.next(5000);
  assert.equal(String.fromCharCode(reply.type), 'E');
  assert.equal(parseErrorFields(reply.body).get('C'), '08P01');
});
