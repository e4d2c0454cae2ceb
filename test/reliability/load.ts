// Load shapes shared by load.test.ts and scripts/soak.mjs: many clients held over a small pool,
// connect/disconnect churn, and one client reading a large result slowly (backpressure).
import type pg from 'pg';
import { MessageScanner, interestIn, query } from '../../extension/pooler/protocol';
import { RawClient } from '../integration/pooler-harness';
import { connect, randomInt, rssKb, seededRandom, sleep, watchRss, type ReliablePooler } from './common';

export interface HoldFigures {
  clients: number;
  connected: number;
  queries: number;
  /** Clients that ran no query at all (must be 0). */
  starved: number;
  errors: Record<string, number>;
  peakRssKb: number;
  connectMs: number;
}

/**
 * Opens `clients` connections (in waves, so the listen backlog is not the test), then every client
 * runs short queries with random think time until `durationMs` has passed.
 */
export async function holdClients(pooler: ReliablePooler, clients: number, durationMs: number, seed = 1): Promise<HoldFigures> {
  const random = seededRandom(seed);
  const rss = watchRss(pooler.pid);
  const figures: HoldFigures = { clients, connected: 0, queries: 0, starved: 0, errors: {}, peakRssKb: 0, connectMs: 0 };
  const note = (error: unknown) => {
    const key = (error as { code?: string }).code ?? (error as Error).message.slice(0, 60);
    figures.errors[key] = (figures.errors[key] ?? 0) + 1;
  };
  const opened: pg.Client[] = [];
  const started = Date.now();
  try {
    for (let i = 0; i < clients; i += 50) {
      const wave = await Promise.allSettled(Array.from({ length: Math.min(50, clients - i) }, () => connect(pooler.url(), 30_000)));
      for (const result of wave) {
        if (result.status === 'fulfilled') opened.push(result.value);
        else note(result.reason);
      }
    }
    figures.connected = opened.length;
    figures.connectMs = Date.now() - started;
    const until = Date.now() + durationMs;
    const perClient = await Promise.all(
      opened.map(async (client, i) => {
        let done = 0;
        await sleep(randomInt(random, 200));
        while (Date.now() < until) {
          try {
            const { rows } = await client.query('select $1::int as i', [i]);
            if (rows[0].i !== i) throw new Error('wrong answer');
            done++;
          } catch (error) {
            note(error);
            return done;
          }
          await sleep(20 + randomInt(random, 200));
        }
        return done;
      }),
    );
    figures.queries = perClient.reduce((a, b) => a + b, 0);
    figures.starved = perClient.filter((n) => n === 0).length + (clients - opened.length);
  } finally {
    await Promise.all(opened.map((c) => c.end().catch(() => {})));
    figures.peakRssKb = rss.stop();
  }
  return figures;
}

export interface CycleFigures {
  cycles: number;
  failed: number;
  errors: Record<string, number>;
  seconds: number;
  peakRssKb: number;
}

/** `total` connect → query → disconnect cycles, `concurrency` at a time, stopping at `maxSeconds`. */
export async function connectCycles(pooler: ReliablePooler, total: number, concurrency: number, maxSeconds: number): Promise<CycleFigures> {
  const rss = watchRss(pooler.pid);
  const figures: CycleFigures = { cycles: 0, failed: 0, errors: {}, seconds: 0, peakRssKb: 0 };
  const started = Date.now();
  const stopAt = started + maxSeconds * 1000;
  let issued = 0;
  const lane = async () => {
    while (issued < total && Date.now() < stopAt) {
      issued++;
      try {
        const client = await connect(pooler.url(), 20_000);
        await client.query('select 1');
        await client.end();
        figures.cycles++;
      } catch (error) {
        figures.failed++;
        const key = (error as { code?: string }).code ?? (error as Error).message.slice(0, 60);
        figures.errors[key] = (figures.errors[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  figures.seconds = (Date.now() - started) / 1000;
  figures.peakRssKb = rss.stop();
  return figures;
}

export interface SlowReadFigures {
  bytes: number;
  baselineRssKb: number;
  /** Highest pooler RSS while the client was not reading. */
  pausedPeakRssKb: number;
  peakRssKb: number;
  /** The server backend was blocked writing to the pooler (wait_event ClientWrite) during the pause. */
  serverBlocked: boolean;
  seconds: number;
}

/**
 * Logs in with a raw socket, asks for `megabytes` MB of rows and does not read for `pauseMs`, then
 * reads in short bursts. With backpressure the pooler buffers little and the backend waits.
 */
export async function slowReader(
  pooler: ReliablePooler,
  user: string,
  password: string,
  megabytes: number,
  pauseMs: number,
  serverWaitEvent: () => string,
): Promise<SlowReadFigures> {
  const client = await RawClient.connect(pooler.port, user, password);
  const socket = client.socket;
  socket.removeAllListeners('data');
  socket.pause();
  const baselineRssKb = rssKb(pooler.pid);
  const rss = watchRss(pooler.pid, 50);
  const started = Date.now();
  const rows = megabytes * 128; // 8 KB rows
  socket.write(query(`select repeat('x', 8192) from generate_series(1, ${rows})`));
  let serverBlocked = false;
  const pauseEnds = Date.now() + pauseMs;
  while (Date.now() < pauseEnds) {
    await sleep(Math.min(500, pauseEnds - Date.now()));
    if (serverWaitEvent() === 'ClientWrite') serverBlocked = true;
  }
  const pausedPeakRssKb = rss.peakKb;
  let bytes = 0;
  let finished = false;
  const scanner = new MessageScanner(interestIn([0x5a]));
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      scanner.scan(chunk, (type) => {
        if (type === 0x5a) {
          finished = true;
          resolve();
        }
        return false;
      });
    });
    socket.once('close', () => (finished ? resolve() : reject(new Error(`connection closed after ${bytes} bytes`))));
  });
  // Slow reading: short bursts with gaps, until the whole result and ReadyForQuery arrived.
  const reading = (async () => {
    while (!finished && !socket.destroyed) {
      socket.resume();
      await sleep(20);
      socket.pause();
      await sleep(5);
    }
    socket.resume();
  })();
  await done;
  await reading;
  client.close();
  return { bytes, baselineRssKb, pausedPeakRssKb, peakRssKb: rss.stop(), serverBlocked, seconds: (Date.now() - started) / 1000 };
}
