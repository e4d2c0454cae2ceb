// Shared by the admin console tests: psql against the console, pending-promise checks, and one
// "side" abstraction so a scenario runs unchanged against PoolSafe and against real PgBouncer.
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { Cluster } from '../helpers/cluster';
import { connectPg, run } from './pooler-harness';

export interface AdminAnswer {
  code: number | null;
  header: string[];
  rows: string[][];
  stdout: string;
  stderr: string;
}

/** A pooler under test: where its console and its databases are. */
export interface Side {
  name: string;
  port: number;
  url(database?: string, user?: string, password?: string): string;
}

/** Runs one console command with psql (unaligned, `|`-separated, header kept, no footer). */
export async function admin(
  cluster: Cluster,
  port: number,
  sql: string,
  options: { database?: string; user?: string; password?: string } = {},
): Promise<AdminAnswer> {
  const args = ['-X', '-A', '-F', '|', '-P', 'footer=off', '-v', 'VERBOSITY=verbose', '-h', '127.0.0.1', '-p', String(port)];
  const result = await run('psql', [...args, '-U', options.user ?? cluster.user, '-d', options.database ?? 'pgbouncer', '-c', sql], {
    env: { PGPASSWORD: options.password ?? cluster.password, PGCONNECT_TIMEOUT: '10' },
    timeoutMs: 30_000,
  });
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return { ...result, header: lines[0]?.split('|') ?? [], rows: lines.slice(1).map((line) => line.split('|')) };
}

/** Rows as objects keyed by column name. */
export function records(answer: AdminAnswer): Record<string, string>[] {
  return answer.rows.map((row) => Object.fromEntries(answer.header.map((name, i) => [name, row[i]])));
}

/** A command that must succeed. */
export async function adminOk(cluster: Cluster, port: number, sql: string): Promise<AdminAnswer> {
  const answer = await admin(cluster, port, sql);
  assert.equal(answer.code, 0, `${sql}: ${answer.stderr}`);
  return answer;
}

/** A promise whose settlement can be checked without awaiting it. */
export interface Tracked<T> {
  promise: Promise<T>;
  settled(): boolean;
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  let done = false;
  const settle = () => {
    done = true;
  };
  promise.then(settle, settle);
  return { promise, settled: () => done };
}

/** True when `tracked` is still unsettled after `ms` (the thing it waits for really waits). */
export async function stillPending(tracked: Tracked<unknown>, ms: number): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !tracked.settled();
}

/** Polls `check` every 50 ms for at most `ms`; true once it holds. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A pg client through `side`, closed when the test ends. */
export async function clientOf(t: { after(fn: () => unknown): void }, side: Side, database = 'postgres'): Promise<pg.Client> {
  const client = await connectPg(side.url(database));
  t.after(() => client.end().catch(() => {}));
  return client;
}

/** Whether PostgreSQL itself still has a backend with this pid (seen directly, not through a pooler). */
export function backendAlive(cluster: Cluster, pid: number): boolean {
  return cluster.psql(`select count(*) from pg_stat_activity where pid = ${pid}`).trim() === '1';
}
