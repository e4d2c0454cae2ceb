// Shared by the reliability tests and scripts/soak.mjs / scripts/fuzz.mjs (which import the compiled
// copy): a seeded random source, process figures from /proc, and a pooler child with the reliability
// settings (short login timeout so slow or broken logins end within the test's bounds).
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as net from 'node:net';
import pg from 'pg';
import type { Cluster } from '../helpers/cluster';
import { startPooler, writeIni, type RunningPooler } from '../integration/pooler-harness';

/** mulberry32: small, fast, and the same sequence for the same seed (failures are replayable). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

export function randomBuffer(random: () => number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = randomInt(random, 256);
  return buf;
}

/** Resident set size of a process in kB (VmRSS), 0 when it is gone. */
export function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process (sockets included). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; `peakKb` is the highest seen. */
export function watchRss(pid: number, everyMs = 100): { readonly peakKb: number; stop(): number } {
  let peak = rssKb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssKb(pid))), everyMs);
  timer.unref();
  return {
    get peakKb() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssKb(pid));
      return peak;
    },
  };
}

export interface ReliablePooler extends RunningPooler {
  pid: number;
}

/**
 * A pooler child in front of `cluster` (its `stop()` also removes the .ini), configured by an .ini (`settings` go into [pgbouncer]) plus
 * CLI flags. client_login_timeout defaults to 2 s here so broken logins end quickly; the cluster user is the admin.
 */
export async function startReliablePooler(
  cluster: Cluster,
  settings: Record<string, string | number> = {},
  args: string[] = [],
): Promise<ReliablePooler> {
  const lines = Object.entries({ client_login_timeout: 2, admin_users: cluster.user, pool_mode: 'transaction', ...settings }).map(([k, v]) => `${k} = ${v}`);
  const ini = writeIni(`[pgbouncer]\n${lines.join('\n')}\n`);
  try {
    const pooler = await startPooler(cluster, ['--config', ini.path, ...args]);
    const stopPooler = pooler.stop;
    // Stopping also removes the .ini, so one `t.after(() => pooler.stop())` cleans up everything.
    const stop = async (): Promise<number | null> => {
      try {
        return await stopPooler();
      } finally {
        ini.remove();
      }
    };
    return Object.assign(pooler, { pid: pooler.process.pid!, stop });
  } catch (error) {
    ini.remove();
    throw error;
  }
}

/** A pg client that reports errors through its queries only (no unhandled 'error' events). */
export async function connect(url: string, timeoutMs = 10_000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Connects, runs `select 1`, disconnects: proof the pooler serves new clients. */
export async function freshQueryWorks(url: string): Promise<void> {
  const client = await connect(url);
  try {
    const { rows } = await client.query('select 1 as one');
    if (rows[0].one !== 1) throw new Error('select 1 returned ' + JSON.stringify(rows));
  } finally {
    await client.end().catch(() => {});
  }
}

/** Client backends PostgreSQL sees other than the one asking (i.e. the pooler's server connections). */
export function serverBackends(cluster: Cluster): { total: number; idleInTransaction: number } {
  const out = cluster.psql(
    "select count(*), count(*) filter (where state like 'idle in transaction%') from pg_stat_activity " +
      "where backend_type = 'client backend' and pid <> pg_backend_pid()",
  );
  const [total, idleInTransaction] = out.trim().split('|').map(Number);
  return { total, idleInTransaction };
}

/** Rows of an admin-console SHOW command through the pooler. */
export async function adminShow(pooler: RunningPooler, what: string): Promise<Record<string, unknown>[]> {
  const admin = await connect(pooler.url({ database: 'pgbouncer' }));
  try {
    const result = await admin.query(`SHOW ${what}`);
    return result.rows;
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Opens a plain TCP connection to the pooler. */
export async function rawSocket(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
