// The "Pool activity" view's markup: small SVG charts on one shared timeline (transactions per
// second with the hazards as marks, then clients and server connections per pool), as an HTML string
// the webview script puts in the page. Pure (no DOM, no vscode): unit tests read the markup.
// Colours come from classes the page's stylesheet maps to VS Code theme variables; no inline styles,
// which the view's Content-Security-Policy forbids.
import type { ActivitySeries, HazardMark, Point } from '../ui/activityModel';

export interface ChartLayout {
  /** Width of the view in CSS pixels. */
  width: number;
  /** Height of one chart's plot area. */
  plotHeight: number;
}

interface Line {
  /** The CSS class that colours it (`line-tps`, `line-cl-active`, …). */
  cls: string;
  label: string;
  points: Point[];
  /** Draw the area under the line too. */
  area?: boolean;
  /** How the legend shows the latest value. */
  format?: (value: number) => string;
}

const PAD_LEFT = 4;
const PAD_RIGHT = 4;
const PAD_TOP = 4;
/** Height of one row of hazard marks under the tps plot. */
const MARK_ROW = 13;
const MAX_MARK_ROWS = 3;
const MARK_RADIUS = 5;
const MINUTE_MS = 60_000;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** 1, 2, 5 × 10^n at or above `value` (at least 1), so the y axis reads in round numbers. */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Maps time and value to pixels inside one plot. */
class Frame {
  constructor(readonly start: number, readonly end: number, readonly width: number, readonly top: number, readonly height: number, readonly max: number) {}

  x(t: number): number {
    const span = Math.max(1, this.end - this.start);
    return round(PAD_LEFT + ((t - this.start) / span) * (this.width - PAD_LEFT - PAD_RIGHT));
  }

  y(value: number): number {
    return round(this.top + this.height - (Math.min(value, this.max) / this.max) * this.height);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function linePath(frame: Frame, points: readonly Point[]): string {
  return points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${frame.x(t)} ${frame.y(v)}`).join(' ');
}

function areaPath(frame: Frame, points: readonly Point[]): string {
  if (points.length === 0) return '';
  const base = frame.y(0);
  return `${linePath(frame, points)} L${frame.x(points[points.length - 1][0])} ${base} L${frame.x(points[0][0])} ${base} Z`;
}

/** Vertical grid lines, one a minute back from the end. */
function minuteGrid(frame: Frame): string {
  const lines: string[] = [];
  for (let t = frame.end - MINUTE_MS; t > frame.start; t -= MINUTE_MS) {
    lines.push(`<line class="grid" x1="${frame.x(t)}" x2="${frame.x(t)}" y1="${frame.top}" y2="${frame.top + frame.height}"/>`);
  }
  return lines.join('');
}

function latest(points: readonly Point[]): number | undefined {
  return points.length ? points[points.length - 1][1] : undefined;
}

function legend(lines: readonly Line[]): string {
  return lines
    .map((line) => {
      const value = latest(line.points);
      const shown = value === undefined ? '–' : (line.format ?? String)(value);
      return `<span class="legend-item"><span class="swatch ${line.cls}"></span>${escapeHtml(line.label)} <b class="value" data-series="${line.cls}">${escapeHtml(shown)}</b></span>`;
    })
    .join('');
}

export function hazardTitle(mark: HazardMark): string {
  const time = new Date(mark.t).toISOString().slice(11, 19);
  return `hazard ${mark.id} · ${mark.rule} (${mark.kind}) at ${time} UTC · client ${mark.clientId} · server ${mark.serverId}\n${mark.statement}`;
}

/** Causes drawn last, so they sit on top where marks still overlap. */
const KIND_ORDER: Record<string, number> = { landed: 0, origin: 1, error: 2 };

interface PlacedMark {
  mark: HazardMark;
  x: number;
  row: number;
}

/**
 * Marks closer than a mark's width go to the next row of the lane (up to MAX_MARK_ROWS), so each
 * stays clickable; beyond that they overlap, causes on top.
 */
export function placeMarks(frame: { x(t: number): number }, marks: readonly HazardMark[]): PlacedMark[] {
  const lastX: number[] = [];
  const placed: PlacedMark[] = [];
  for (const mark of marks) {
    const x = frame.x(mark.t);
    let row = lastX.findIndex((previous) => x - previous >= MARK_RADIUS * 2 + 1);
    if (row === -1) row = lastX.length < MAX_MARK_ROWS ? lastX.length : MAX_MARK_ROWS - 1;
    lastX[row] = x;
    placed.push({ mark, x, row });
  }
  return placed.sort((a, b) => (KIND_ORDER[a.mark.kind] ?? 1) - (KIND_ORDER[b.mark.kind] ?? 1));
}

function hazardMarks(frame: Frame, placed: readonly PlacedMark[], selected: number | undefined): string {
  return placed
    .map(({ mark, x, row }) => {
      const laneY = frame.top + frame.height + MARK_ROW / 2 + 1 + row * MARK_ROW;
      const kind = /^[a-z]+$/.test(mark.kind) ? mark.kind : 'other';
      const cls = `hazard hazard-${kind}${mark.id === selected ? ' selected' : ''}`;
      return (
        `<g class="${cls}" data-hazard-id="${mark.id}" tabindex="0" role="button" aria-label="${escapeHtml(hazardTitle(mark))}">` +
        `<title>${escapeHtml(hazardTitle(mark))}</title>` +
        `<line class="hazard-rule" x1="${x}" x2="${x}" y1="${frame.top}" y2="${laneY}"/>` +
        `<circle cx="${x}" cy="${laneY}" r="${MARK_RADIUS}"/></g>`
      );
    })
    .join('');
}

interface ChartSpec {
  id: string;
  title: string;
  lines: Line[];
  marks?: readonly HazardMark[];
}

function chart(series: ActivitySeries, layout: ChartLayout, spec: ChartSpec, selected: number | undefined): string {
  const peak = Math.max(0, ...spec.lines.flatMap((line) => line.points.map(([, v]) => v)));
  const max = niceMax(peak);
  const frame = new Frame(series.start, series.end, layout.width, PAD_TOP, layout.plotHeight, max);
  const visible = (spec.marks ?? []).filter((mark) => mark.t >= series.start && mark.t <= series.end);
  const placed = placeMarks(frame, visible);
  const rows = spec.marks ? Math.max(1, ...placed.map((p) => p.row + 1)) : 0;
  const height = PAD_TOP + layout.plotHeight + rows * MARK_ROW + 3;
  const shapes = spec.lines
    .map((line) => {
      const area = line.area ? `<path class="area ${line.cls}" d="${areaPath(frame, line.points)}"/>` : '';
      return `${area}<path class="line ${line.cls}" data-points="${line.points.length}" d="${linePath(frame, line.points)}"/>`;
    })
    .join('');
  const marks = hazardMarks(frame, placed, selected);
  return (
    `<section class="chart" id="${escapeHtml(spec.id)}" data-max="${max}" data-peak="${round(peak)}">` +
    `<h3>${escapeHtml(spec.title)}</h3><div class="legend">${legend(spec.lines)}</div>` +
    `<svg width="${layout.width}" height="${height}" viewBox="0 0 ${layout.width} ${height}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    `<rect class="plot" x="${PAD_LEFT}" y="${PAD_TOP}" width="${Math.max(0, layout.width - PAD_LEFT - PAD_RIGHT)}" height="${layout.plotHeight}"/>` +
    minuteGrid(frame) +
    `<text class="axis" x="${PAD_LEFT + 2}" y="${PAD_TOP + 10}">${max}</text>` +
    shapes +
    marks +
    `</svg></section>`
  );
}

function timeAxis(series: ActivitySeries, layout: ChartLayout): string {
  const frame = new Frame(series.start, series.end, layout.width, 0, 0, 1);
  const labels: string[] = [];
  const minutes = Math.floor((series.end - series.start) / MINUTE_MS);
  for (let m = minutes; m >= 0; m--) {
    const x = frame.x(series.end - m * MINUTE_MS);
    const anchor = m === 0 ? 'end' : m === minutes ? 'start' : 'middle';
    labels.push(`<text class="axis" x="${x}" y="11" text-anchor="${anchor}">${m === 0 ? 'now' : `−${m}m`}</text>`);
  }
  return `<svg class="time-axis" width="${layout.width}" height="14" viewBox="0 0 ${layout.width} 14">${labels.join('')}</svg>`;
}

function rate(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

/** The whole view: tps with hazard marks, then clients and servers for each pool, then the time axis. */
export function activityHtml(series: ActivitySeries, layout: ChartLayout, selected?: number): string {
  const charts = [
    chart(series, layout, {
      id: 'chart-tps',
      title: 'Transactions per second',
      lines: [{ cls: 'line-tps', label: 'tps', points: series.tps, area: true, format: rate }],
      marks: series.hazards,
    }, selected),
  ];
  series.pools.forEach((pool, index) => {
    charts.push(
      chart(series, layout, {
        id: `chart-clients-${index}`,
        title: `Clients · ${pool.key}`,
        lines: [
          { cls: 'line-cl-active', label: 'active', points: pool.clActive },
          { cls: 'line-cl-waiting', label: 'waiting', points: pool.clWaiting },
        ],
      }, selected),
      chart(series, layout, {
        id: `chart-servers-${index}`,
        title: `Server connections · ${pool.key}`,
        lines: [
          { cls: 'line-sv-active', label: 'active', points: pool.svActive },
          { cls: 'line-sv-idle', label: 'idle', points: pool.svIdle },
        ],
      }, selected),
    );
  });
  const hazardCount = series.hazards.length;
  const status = series.running
    ? `<p class="status">Last ${Math.round((series.end - series.start) / MINUTE_MS)} minutes · ${hazardCount} ${hazardCount === 1 ? 'hazard' : 'hazards'} (click a mark for its details)</p>`
    : `<p class="status off">The pooler is off. <button class="start" type="button">Start Pooler</button></p>`;
  return status + charts.join('') + timeAxis(series, layout);
}

/** The selected hazard's details, below the charts. */
export function hazardDetailsHtml(mark: HazardMark): string {
  const rows: [string, string][] = [
    ['rule', mark.rule],
    ['kind', mark.kind],
    ['time', `${new Date(mark.t).toISOString().replace('T', ' ').slice(0, 19)} UTC`],
    ['client', `${mark.clientId}${mark.applicationName ? ` (${mark.applicationName})` : ''}`],
    ['server', mark.serverId],
  ];
  const table = rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  const detail = mark.detail ? `<p>${escapeHtml(mark.detail)}</p>` : '';
  return (
    `<h3>Hazard ${mark.id}: ${escapeHtml(mark.rule)} (${escapeHtml(mark.kind)})</h3>` +
    `<table>${table}</table><pre class="statement">${escapeHtml(mark.statement)}</pre>${detail}` +
    `<button class="open-hazard" type="button" data-hazard-id="${mark.id}">Open details and source line</button>`
  );
}
