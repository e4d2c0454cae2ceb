// A write workload for fault and soak runs: each worker commits numbered rows into `ledger` through
// the pooler, reconnecting after errors. Acknowledged commits are remembered, so "nothing lost" is
// checked against the table afterwards; errors are counted by SQLSTATE (or message when none).
import type pg from 'pg';
import type { Cluster } from '../helpers/cluster';
import { connect, sleep } from './common';

export interface LoadFigures {
  workers: number;
  committed: number;
  errors: Record<string, number>;
  /** Commits acknowledged to a worker but missing from the table (must be 0). */
  lost: number;
  /** Per worker: time of its last successful commit. */
  lastCommitAt: number[];
}

export interface Load {
  /** Stops the workers and waits for them; then `lostCommits` checks the ledger. */
  stop(): Promise<LoadFigures>;
  readonly figures: LoadFigures;
  /** Per worker: the seqs whose COMMIT was acknowledged. */
  readonly acknowledged: number[][];
}

export function createLedger(cluster: Cluster): void {
  cluster.psql('create table if not exists ledger (worker int not null, seq int not null, primary key (worker, seq))');
}

/** Starts `workers` looping `begin; insert; commit` (with a little think time) through `url`. */
export function startLoad(url: string, workers: number, options: { thinkMs?: number; workerOffset?: number } = {}): Load {
  const figures: LoadFigures = { workers, committed: 0, errors: {}, lost: 0, lastCommitAt: new Array(workers).fill(0) };
  const acknowledged: Array<number[]> = Array.from({ length: workers }, () => []);
  let running = true;
  const noteError = (error: unknown, connectionError: unknown) => {
    // pg reports an error that ends the connection between queries as an 'error' event; the next
    // query then fails without a SQLSTATE. The event's error is the one the client was sent.
    const e = ((error as { code?: string }).code === undefined && connectionError ? connectionError : error) as { code?: string; message?: string };
    const key = e.code ?? `no-sqlstate: ${(e.message ?? String(error)).slice(0, 60)}`;
    figures.errors[key] = (figures.errors[key] ?? 0) + 1;
  };
  const worker = async (index: number) => {
    const id = (options.workerOffset ?? 0) + index;
    let client: pg.Client | undefined;
    let connectionError: unknown;
    let seq = 0;
    while (running) {
      try {
        if (!client) {
          connectionError = undefined;
          client = await connect(url, 5000);
          client.on('error', (error) => (connectionError = error));
        }
        seq++;
        await client.query('begin');
        await client.query('insert into ledger (worker, seq) values ($1, $2)', [id, seq]);
        await client.query('commit');
        acknowledged[index].push(seq);
        figures.committed++;
        figures.lastCommitAt[index] = Date.now();
        if (options.thinkMs) await sleep(options.thinkMs);
      } catch (error) {
        noteError(error, connectionError);
        await client?.end().catch(() => {});
        client = undefined;
        await sleep(50); // bounded retry pace while the server is away
      }
    }
    await client?.end().catch(() => {});
  };
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    figures,
    acknowledged,
    async stop() {
      running = false;
      await done;
      return figures;
    },
  };
}

/** Counts acknowledged commits missing from the ledger (after `stop`). */
export function lostCommits(cluster: Cluster, load: Load, workerOffset = 0): number {
  const acknowledged = load.acknowledged;
  const present = new Set(cluster.psql('select worker || \':\' || seq from ledger').trim().split('\n'));
  let lost = 0;
  acknowledged.forEach((seqs, i) => {
    for (const seq of seqs) if (!present.has(`${workerOffset + i}:${seq}`)) lost++;
  });
  load.figures.lost = lost;
  return lost;
}

/** Waits until every worker has committed after `since` (the pool healed for everyone). */
export async function everyWorkerCommittedSince(load: Load, since: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (load.figures.lastCommitAt.every((t) => t > since)) return true;
    await sleep(100);
  }
  return false;
}
