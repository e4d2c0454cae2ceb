/// <reference lib="dom" />
// The script of the "Pool activity" webview (bundled to dist/activity.js for the browser). It draws
// the series the extension posts every second and sends back what the user asks for: a hazard's
// details and source line, or starting the pooler. No network: everything arrives by postMessage.
import { activityHtml, hazardDetailsHtml } from './activityChart';
import type { ActivitySeries, FromWebview, ToWebview } from '../ui/activityModel';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const MIN_WIDTH = 160;
/** Plot heights fill the view's height between these bounds. */
const MIN_PLOT_HEIGHT = 40;
const MAX_PLOT_HEIGHT = 160;
/** Per chart: title, legend and margins; per view: status line, time axis, hazard lane, padding. */
const CHART_CHROME = 48;
const VIEW_CHROME = 80;

const host = acquireVsCodeApi();
const charts = document.getElementById('charts')!;
const details = document.getElementById('details')!;
let series: ActivitySeries | undefined;
let selected: number | undefined;

function hazardIdOf(target: EventTarget | null): number | undefined {
  const element = target instanceof Element ? target.closest('[data-hazard-id]') : null;
  const id = Number(element?.getAttribute('data-hazard-id'));
  return element && Number.isInteger(id) ? id : undefined;
}

function plotHeight(chartCount: number): number {
  const free = window.innerHeight - VIEW_CHROME - (details.hidden ? 0 : details.offsetHeight);
  const height = Math.floor(free / chartCount) - CHART_CHROME;
  return Math.min(MAX_PLOT_HEIGHT, Math.max(MIN_PLOT_HEIGHT, height));
}

function render(): void {
  if (!series) return;
  // Re-rendering replaces the marks: keep keyboard focus on the one that had it.
  const focused = document.activeElement && charts.contains(document.activeElement) ? hazardIdOf(document.activeElement) : undefined;
  const width = Math.max(MIN_WIDTH, Math.floor(charts.clientWidth));
  charts.innerHTML = activityHtml(series, { width, plotHeight: plotHeight(1 + 2 * series.pools.length) }, selected);
  if (focused !== undefined) charts.querySelector<SVGGElement>(`.hazard[data-hazard-id="${focused}"]`)?.focus();
}

function showDetails(): void {
  const mark = selected === undefined ? undefined : series?.hazards.find((hazard) => hazard.id === selected);
  details.hidden = !mark;
  details.innerHTML = mark ? hazardDetailsHtml(mark) : '';
}

function select(id: number): void {
  selected = id;
  showDetails();
  render();
  host.postMessage({ type: 'showHazard', id });
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  if (event.data?.type !== 'series') return;
  series = event.data.series;
  render();
  // A mark that left the window (or a new pooler run) takes its details with it.
  if (selected !== undefined && !series.hazards.some((hazard) => hazard.id === selected)) {
    selected = undefined;
    showDetails();
    render();
  }
});

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('button.start')) return host.postMessage({ type: 'startPooler' });
  if (target?.closest('button.open-hazard')) {
    const id = hazardIdOf(target);
    if (id !== undefined) host.postMessage({ type: 'showHazard', id });
    return;
  }
  if (target?.closest('.hazard')) {
    const id = hazardIdOf(target);
    if (id !== undefined) select(id);
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const target = event.target instanceof Element ? event.target.closest('.hazard') : null;
  const id = target ? hazardIdOf(target) : undefined;
  if (id === undefined) return;
  event.preventDefault();
  select(id);
});

new ResizeObserver(() => render()).observe(document.body);
window.addEventListener('resize', () => render());
host.postMessage({ type: 'ready' });
