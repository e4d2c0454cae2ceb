// The "Pool activity" chart's data: a bounded ring of samples taken from pooler snapshots (one a
// second, the last five minutes), transactions per second from SHOW STATS' counters, and the hazards
// as marks on the same timeline. Pure (no vscode): the view posts `series()` to the webview, and the
// unit tests drive it with snapshots shaped like the pooler's.
import type { AdminCell, AdminRow, PoolerSnapshot } from '../pooler/ipc';

/** [epoch ms, value]: compact, because the whole series is posted to the webview every second. */
export type Point = [t: number, value: number];

export interface PoolCounts {
  clActive: number;
  clWaiting: number;
  svActive: number;
  svIdle: number;
}

export interface ActivitySample {
  t: number;
  /** By pool key `database · user` (the pooler's own console excluded). */
  pools: Record<string, PoolCounts>;
  /** Sum of SHOW STATS total_xact_count over the application databases. */
  xactTotal: number;
}

export interface HazardMark {
  id: number;
  /** When it happened (the row's `time`, else when it arrived), epoch ms. */
  t: number;
  kind: string;
  rule: string;
  statement: string;
  clientId: string;
  serverId: string;
  applicationName: string;
  detail: string;
}

export interface PoolSeries {
  key: string;
  clActive: Point[];
  clWaiting: Point[];
  svActive: Point[];
  svIdle: Point[];
}

/** What the webview draws: everything inside [start, end]. */
export interface ActivitySeries {
  start: number;
  end: number;
  running: boolean;
  tps: Point[];
  pools: PoolSeries[];
  hazards: HazardMark[];
}

/** Messages between the extension and the webview (one source of truth for both sides). */
export type ToWebview = { type: 'series'; series: ActivitySeries };
export type FromWebview = { type: 'ready' } | { type: 'showHazard'; id: number } | { type: 'startPooler' };

export const DEFAULT_WINDOW_MS = 5 * 60_000;
export const SAMPLE_INTERVAL_MS = 1000;
/** Marks kept at most: a leaking hot path can raise hundreds a second; the newest matter. */
export const MAX_HAZARD_MARKS = 500;

/** PgBouncer lists its own console as database `pgbouncer`. */
const CONSOLE_DATABASE = 'pgbouncer';

function num(value: AdminCell | undefined): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function str(value: AdminCell | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function poolKey(row: AdminRow): string {
  return `${str(row.database)} · ${str(row.user)}`;
}

/** One sample from a snapshot's SHOW POOLS and SHOW STATS tables. */
export function sampleOf(snapshot: PoolerSnapshot): ActivitySample {
  const pools: Record<string, PoolCounts> = {};
  for (const row of snapshot.pools) {
    if (row.database === CONSOLE_DATABASE) continue;
    pools[poolKey(row)] = {
      clActive: num(row.cl_active),
      clWaiting: num(row.cl_waiting),
      // sv_used are idle connections waiting for their check (PgBouncer): idle from the user's view.
      svActive: num(row.sv_active),
      svIdle: num(row.sv_idle) + num(row.sv_used),
    };
  }
  let xactTotal = 0;
  for (const row of snapshot.stats) if (row.database !== CONSOLE_DATABASE) xactTotal += num(row.total_xact_count);
  return { t: snapshot.takenAt, pools, xactTotal };
}

/** `YYYY-MM-DD HH:MM:SS UTC` (the admin console's timestamps) → epoch ms; NaN when not that shape. */
export function parseAdminTime(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(text);
  return match ? Date.parse(`${match[1]}T${match[2]}Z`) : Number.NaN;
}

export function hazardMark(row: AdminRow, arrivedAt: number): HazardMark {
  const at = parseAdminTime(str(row.time));
  return {
    id: num(row.id),
    t: Number.isNaN(at) ? arrivedAt : at,
    kind: str(row.kind),
    rule: str(row.rule),
    statement: str(row.statement),
    clientId: str(row.client_id),
    serverId: str(row.server_id),
    applicationName: str(row.application_name),
    detail: str(row.detail),
  };
}

/**
 * Transactions per second between consecutive samples. A counter that went down (a new pooler run)
 * or a pair too close in time gives no point rather than a spike.
 */
export function tpsSeries(samples: readonly ActivitySample[]): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [before, after] = [samples[i - 1], samples[i]];
    const seconds = (after.t - before.t) / 1000;
    const delta = after.xactTotal - before.xactTotal;
    if (seconds <= 0 || delta < 0) continue;
    points.push([after.t, delta / seconds]);
  }
  return points;
}

/** Per-pool series in first-seen order; a pool absent from a sample counts as zero there. */
export function poolSeries(samples: readonly ActivitySample[]): PoolSeries[] {
  const keys: string[] = [];
  for (const sample of samples) for (const key of Object.keys(sample.pools)) if (!keys.includes(key)) keys.push(key);
  return keys.map((key) => {
    const series: PoolSeries = { key, clActive: [], clWaiting: [], svActive: [], svIdle: [] };
    for (const sample of samples) {
      const counts = sample.pools[key] ?? { clActive: 0, clWaiting: 0, svActive: 0, svIdle: 0 };
      series.clActive.push([sample.t, counts.clActive]);
      series.clWaiting.push([sample.t, counts.clWaiting]);
      series.svActive.push([sample.t, counts.svActive]);
      series.svIdle.push([sample.t, counts.svIdle]);
    }
    return series;
  });
}

/** The last `windowMs` of samples and hazard marks, bounded in count as well as in time. */
export class ActivityRing {
  private samples: ActivitySample[] = [];
  private marks: HazardMark[] = [];
  /** The pooler numbers hazards 1, 2, 3… per run and sends them in order: higher ids are new. */
  private lastHazardId = 0;
  readonly capacity: number;

  constructor(readonly windowMs = DEFAULT_WINDOW_MS, sampleIntervalMs = SAMPLE_INTERVAL_MS, readonly maxMarks = MAX_HAZARD_MARKS) {
    // One spare sample: the rate at the window's left edge needs the sample before it.
    this.capacity = Math.ceil(windowMs / sampleIntervalMs) + 1;
  }

  get size(): number {
    return this.samples.length;
  }

  get hazardCount(): number {
    return this.marks.length;
  }

  /** Adds a snapshot's sample; a snapshot not newer than the last one is ignored. */
  add(snapshot: PoolerSnapshot): void {
    const last = this.samples[this.samples.length - 1];
    if (last && snapshot.takenAt <= last.t) return;
    this.samples.push(sampleOf(snapshot));
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }

  /** Adds a hazard row once (a row already seen, or older than one seen, is ignored). */
  addHazard(row: AdminRow, arrivedAt = Date.now()): void {
    const mark = hazardMark(row, arrivedAt);
    if (mark.id <= this.lastHazardId) return;
    this.lastHazardId = mark.id;
    this.marks.push(mark);
    if (this.marks.length > this.maxMarks) this.marks.splice(0, this.marks.length - this.maxMarks);
  }

  hazard(id: number): HazardMark | undefined {
    return this.marks.find((mark) => mark.id === id);
  }

  /** A new pooler run: its counters and hazard ids start again from zero. */
  clear(): void {
    this.samples = [];
    this.marks = [];
    this.lastHazardId = 0;
  }

  /** The window ending at the newest sample (or `now`), ready to draw. */
  series(running: boolean, now = Date.now()): ActivitySeries {
    const newest = this.samples[this.samples.length - 1]?.t ?? now;
    const end = running ? Math.max(newest, now) : newest;
    const start = end - this.windowMs;
    this.marks = this.marks.filter((mark) => mark.t >= start);
    const inWindow = this.samples.filter((sample) => sample.t >= start);
    return {
      start,
      end,
      running,
      tps: tpsSeries(this.samples).filter(([t]) => t >= start),
      pools: poolSeries(inWindow),
      hazards: [...this.marks],
    };
  }
}
