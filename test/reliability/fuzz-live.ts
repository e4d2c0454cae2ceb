// Hostile input against a live pooler socket: random and mutated startup packets, wrong and huge
// lengths, truncated packets, invalid UTF-8, out-of-order messages, garbage after a good login.
// Every case must end in an ErrorResponse or a clean close within the login timeout (+ slack);
// after every batch an already-connected client and a brand-new one must still be served.
import type * as net from 'node:net';
import type pg from 'pg';
import { cancelRequest, parseErrorFields, saslInitialResponse, sslRequest, startupMessage } from '../../extension/pooler/protocol';
import { RawClient, cstr, frontend } from '../integration/pooler-harness';
import { freshQueryWorks, isAlive, randomBuffer, randomInt, rawSocket, rssKb, seededRandom, type ReliablePooler } from './common';

export type Outcome = 'error' | 'closed' | 'open';

export interface FuzzCase {
  kind: string;
  /** Log in properly first, then send `bytes` (garbage after authentication). */
  afterLogin: boolean;
  bytes: Buffer;
  /** Half-close our side after writing (a client that gives up mid-packet). */
  endAfter: boolean;
}

export interface FuzzFigures {
  tried: number;
  outcomes: Record<Outcome, number>;
  /** Case kind → how many ended how (e.g. "huge-length/error"). */
  byKind: Record<string, number>;
  sqlstates: Record<string, number>;
  /** Cases that stayed open past the deadline before login (must be 0). */
  hung: string[];
  batches: number;
  peakRssKb: number;
}

const KINDS = [
  'random', 'startup-mutated', 'huge-length', 'truncated', 'invalid-utf8', 'out-of-order', 'password-early',
  'auth-garbage', 'ssl-then-random', 'cancel-random', 'post-login-random', 'post-login-huge', 'post-login-negative',
] as const;

export function makeCase(random: () => number, user: string, database: string): FuzzCase {
  const kind = KINDS[randomInt(random, KINDS.length)];
  const good = startupMessage({ user, database });
  const pre = (bytes: Buffer, endAfter = false): FuzzCase => ({ kind, afterLogin: false, bytes, endAfter });
  const post = (bytes: Buffer): FuzzCase => ({ kind, afterLogin: true, bytes, endAfter: false });
  switch (kind) {
    case 'random':
      return pre(randomBuffer(random, 1 + randomInt(random, 300)));
    case 'startup-mutated': {
      const bytes = Buffer.from(good);
      for (let n = 1 + randomInt(random, 4); n > 0; n--) bytes[randomInt(random, bytes.length)] = randomInt(random, 256);
      return pre(random() < 0.3 ? bytes.subarray(0, randomInt(random, bytes.length)) : bytes);
    }
    case 'huge-length': {
      const bytes = Buffer.from(good);
      const lengths = [10_001, 1_000_000, 0x7fffffff, -1, 0, 3, 7];
      bytes.writeInt32BE(lengths[randomInt(random, lengths.length)], 0);
      return pre(bytes);
    }
    case 'truncated':
      return pre(good.subarray(0, 1 + randomInt(random, good.length - 1)), random() < 0.5);
    case 'invalid-utf8': {
      const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]);
      const pairs = random() < 0.5 ? [cstr('user'), bad, Buffer.from([0]), cstr('database'), cstr(database)] : [cstr('user'), cstr(user), cstr('database'), bad, Buffer.from([0])];
      const body = Buffer.concat([...pairs, Buffer.from([0])]);
      const head = Buffer.alloc(8);
      head.writeInt32BE(8 + body.length, 0);
      head.writeInt32BE(196608, 4);
      return pre(Buffer.concat([head, body]));
    }
    case 'out-of-order': {
      const first = [frontend('B', Buffer.from('\0\0\0\0\0\0\0')), frontend('p', cstr('secret')), frontend('Q', cstr('select 1')), frontend('X'), frontend('S')];
      return pre(first[randomInt(random, first.length)]);
    }
    case 'password-early':
      // A startup, then a message that is not the password response the pooler asked for.
      return pre(Buffer.concat([good, [frontend('Q', cstr('select 1')), frontend('B'), frontend('S')][randomInt(random, 3)]]));
    case 'auth-garbage': {
      const options = [
        saslInitialResponse('SCRAM-SHA-1', Buffer.from('n,,n=*,r=abc')),
        saslInitialResponse('SCRAM-SHA-256', randomBuffer(random, randomInt(random, 80))),
        frontend('p', randomBuffer(random, randomInt(random, 40))),
        Buffer.concat([Buffer.from('p'), Buffer.from([0, 1, 0x86, 0xa0])]), // announces 100,000 bytes
      ];
      return pre(Buffer.concat([good, options[randomInt(random, options.length)]]));
    }
    case 'ssl-then-random':
      return pre(Buffer.concat([sslRequest(), sslRequest(), randomBuffer(random, randomInt(random, 64))]));
    case 'cancel-random':
      return pre(cancelRequest(randomInt(random, 2 ** 31), randomInt(random, 2 ** 31)));
    case 'post-login-random':
      return post(randomBuffer(random, 1 + randomInt(random, 200)));
    case 'post-login-huge': {
      const header = Buffer.alloc(5);
      header[0] = 'QPBE'.charCodeAt(randomInt(random, 4));
      header.writeInt32BE(0x40000000 + randomInt(random, 0x3fffffff), 1); // above 1 GB
      return post(header);
    }
    case 'post-login-negative': {
      const header = Buffer.alloc(5);
      header[0] = 0x51;
      header.writeInt32BE(-1 - randomInt(random, 1000), 1);
      return post(header);
    }
  }
}

interface CaseResult {
  outcome: Outcome;
  sqlstate?: string;
}

/** The last ErrorResponse in what the pooler sent (walking backend message framing). */
function lastError(received: Buffer): string | undefined {
  let code: string | undefined;
  let pos = 0;
  // A pre-login 'N' (SSL refused) is a single byte, not a framed message.
  while (pos < received.length && received[pos] === 0x4e && (received.length - pos < 5 || received.readInt32BE(pos + 1) > 10_000)) pos++;
  while (received.length - pos >= 5) {
    const type = received[pos];
    const length = received.readInt32BE(pos + 1);
    if (length < 4 || pos + 1 + length > received.length) break;
    if (type === 0x45) code = parseErrorFields(received.subarray(pos + 5, pos + 1 + length)).get('C');
    pos += 1 + length;
  }
  return code;
}

async function runCase(pooler: ReliablePooler, user: string, password: string, c: FuzzCase, deadlineMs: number): Promise<CaseResult> {
  let socket: net.Socket;
  const chunks: Buffer[] = [];
  if (c.afterLogin) {
    const client = await RawClient.connect(pooler.port, user, password);
    socket = client.socket;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  } else {
    socket = await rawSocket(pooler.port);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  }
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(c.bytes);
  if (c.endAfter) socket.end();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs))),
  ]);
  clearTimeout(timer);
  socket.destroy();
  const sqlstate = lastError(Buffer.concat(chunks));
  if (timedOut) return { outcome: 'open', sqlstate };
  return { outcome: sqlstate ? 'error' : 'closed', sqlstate };
}

/**
 * Runs `cases` fuzz cases in batches of `batch` concurrent sockets. `steady` is a client connected
 * before the run: it must answer after every batch, as must a brand-new connection.
 */
export async function fuzzLive(
  pooler: ReliablePooler,
  steady: pg.Client,
  options: {
    seed: number; cases: number; batch: number; user: string; password: string; loginTimeoutMs: number; maxSeconds?: number;
    /** Extra time past the login timeout before a pre-login case counts as hung (busy machines need more). */
    slackMs?: number;
  },
): Promise<FuzzFigures> {
  const random = seededRandom(options.seed);
  const figures: FuzzFigures = { tried: 0, outcomes: { error: 0, closed: 0, open: 0 }, byKind: {}, sqlstates: {}, hung: [], batches: 0, peakRssKb: 0 };
  const stopAt = Date.now() + (options.maxSeconds ?? Infinity) * 1000;
  while (figures.tried < options.cases && Date.now() < stopAt) {
    const size = Math.min(options.batch, options.cases - figures.tried);
    const cases = Array.from({ length: size }, () => makeCase(random, options.user, 'postgres'));
    const results = await Promise.all(
      cases.map((c) =>
        // Post-login garbage may legitimately wait for more bytes (as PostgreSQL would): a short look.
        runCase(pooler, options.user, options.password, c, c.afterLogin ? 1500 : options.loginTimeoutMs + (options.slackMs ?? 2500)),
      ),
    );
    results.forEach((r, i) => {
      const c = cases[i];
      figures.tried++;
      figures.outcomes[r.outcome]++;
      figures.byKind[`${c.kind}/${r.outcome}`] = (figures.byKind[`${c.kind}/${r.outcome}`] ?? 0) + 1;
      if (r.sqlstate) figures.sqlstates[r.sqlstate] = (figures.sqlstates[r.sqlstate] ?? 0) + 1;
      if (r.outcome === 'open' && !c.afterLogin) figures.hung.push(`${c.kind}: ${c.bytes.subarray(0, 64).toString('hex')}`);
    });
    figures.batches++;
    figures.peakRssKb = Math.max(figures.peakRssKb, rssKb(pooler.pid));
    if (!isAlive(pooler.pid)) throw new Error(`pooler died after batch ${figures.batches}; stderr: ${pooler.stderr()}`);
    const { rows } = await steady.query('select $1::int as n', [figures.batches]);
    if (rows[0].n !== figures.batches) throw new Error('steady client got a wrong answer');
    await freshQueryWorks(pooler.url());
  }
  return figures;
}
