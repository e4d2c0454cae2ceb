// The Pool activity chart's pure parts: snapshots → bounded sample ring → series (tps from the
// SHOW STATS counters, per-pool gauges, hazard marks), and series → SVG markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityRing, parseAdminTime, sampleOf, tpsSeries, type ActivitySeries } from '../../../extension/ui/activityModel';
import { activityHtml, escapeHtml, hazardDetailsHtml, niceMax } from '../../../extension/webview/activityChart';
import type { AdminRow, PoolerSnapshot } from '../../../extension/pooler/ipc';

const T0 = Date.parse('2026-01-01T12:00:00Z');

function snapshot(takenAt: number, xacts: number, pool: Partial<Record<string, number>> = {}, extra: Partial<PoolerSnapshot> = {}): PoolerSnapshot {
  return {
    takenAt,
    pools: [
      { database: 'app', user: 'alice', cl_active: 0, cl_waiting: 0, sv_active: 0, sv_idle: 0, sv_used: 0, ...pool },
      // The admin console's own pool and stats row: never charted.
      { database: 'pgbouncer', user: 'pgbouncer', cl_active: 7, cl_waiting: 0, sv_active: 0, sv_idle: 0, sv_used: 0 },
    ],
    clients: [],
    servers: [],
    stats: [
      { database: 'app', total_xact_count: xacts },
      { database: 'pgbouncer', total_xact_count: 1_000_000 },
    ],
    hazards: [],
    ...extra,
  };
}

function hazard(id: number, time: string, kind = 'origin'): AdminRow {
  return {
    id, time, kind, rule: 'session-set', client_id: 3, application_name: 'app <x>', server_id: 2, remote_pid: 99,
    statement: "SET search_path TO 'a&b'", detail: '',
  };
}

test('a sample takes the application pools and databases, not the admin console', () => {
  const sample = sampleOf(snapshot(T0, 42, { cl_active: 2, cl_waiting: 1, sv_active: 2, sv_idle: 3, sv_used: 1 }));
  assert.deepEqual(sample, { t: T0, pools: { 'app · alice': { clActive: 2, clWaiting: 1, svActive: 2, svIdle: 4 } }, xactTotal: 42 });
});

test('transactions per second come from the counter deltas; a counter reset gives no point, not a spike', () => {
  const samples = [
    sampleOf(snapshot(T0, 100)),
    sampleOf(snapshot(T0 + 1000, 150)),
    sampleOf(snapshot(T0 + 3000, 250)), // 2 s later: 100 transactions → 50/s
    sampleOf(snapshot(T0 + 4000, 10)), // a new pooler run: counters start again
    sampleOf(snapshot(T0 + 5000, 30)),
  ];
  assert.deepEqual(tpsSeries(samples), [[T0 + 1000, 50], [T0 + 3000, 50], [T0 + 5000, 20]]);
});

test('the ring keeps at most the window (plus one sample for the first rate) and ignores stale snapshots', () => {
  const ring = new ActivityRing(10_000, 1000);
  assert.equal(ring.capacity, 11);
  for (let i = 0; i < 100; i++) ring.add(snapshot(T0 + i * 1000, i * 10));
  assert.equal(ring.size, 11);
  ring.add(snapshot(T0 + 50_000, 5)); // older than the newest: a late answer, ignored
  assert.equal(ring.size, 11);
  const series = ring.series(true, T0 + 99_000);
  assert.equal(series.end, T0 + 99_000);
  assert.equal(series.start, T0 + 89_000);
  assert.equal(series.tps.length, 10);
  assert.ok(series.tps.every(([t, value]) => t >= series.start && value === 10), JSON.stringify(series.tps));
  assert.equal(series.pools.length, 1);
  assert.equal(series.pools[0].key, 'app · alice');
  assert.equal(series.pools[0].clActive.length, 11);
});

test('a pool missing from later samples counts as zero there; pools keep first-seen order', () => {
  const ring = new ActivityRing(60_000);
  ring.add(snapshot(T0, 0, { cl_active: 1 }));
  const second = snapshot(T0 + 1000, 0, { cl_active: 2 });
  second.pools = [{ database: 'other', user: 'bob', cl_active: 5, cl_waiting: 2, sv_active: 1, sv_idle: 0, sv_used: 0 }];
  ring.add(second);
  const series = ring.series(true, T0 + 1000);
  assert.deepEqual(series.pools.map((pool) => pool.key), ['app · alice', 'other · bob']);
  assert.deepEqual(series.pools[0].clActive, [[T0, 1], [T0 + 1000, 0]]);
  assert.deepEqual(series.pools[1].clWaiting, [[T0, 0], [T0 + 1000, 2]]);
});

test('hazard marks: placed at their admin-console time, once each, bounded, dropped when they leave the window', () => {
  assert.equal(parseAdminTime('2026-01-01 12:00:05 UTC'), T0 + 5000);
  assert.ok(Number.isNaN(parseAdminTime('yesterday')));
  const ring = new ActivityRing(60_000, 1000, 3);
  ring.add(snapshot(T0, 0));
  ring.addHazard(hazard(1, '2026-01-01 12:00:05 UTC'));
  ring.addHazard(hazard(1, '2026-01-01 12:00:05 UTC')); // the same row again
  ring.addHazard(hazard(2, 'not a time'), T0 + 7000); // unparsable: when it arrived
  assert.deepEqual(ring.series(true, T0 + 10_000).hazards.map((mark) => [mark.id, mark.t]), [[1, T0 + 5000], [2, T0 + 7000]]);
  for (let id = 3; id <= 6; id++) ring.addHazard(hazard(id, '2026-01-01 12:00:08 UTC'));
  assert.deepEqual(ring.series(true, T0 + 10_000).hazards.map((mark) => mark.id), [4, 5, 6], 'the newest three');
  assert.equal(ring.hazard(5)?.rule, 'session-set');
  assert.deepEqual(ring.series(true, T0 + 67_000).hazards.map((mark) => mark.id), [4, 5, 6]);
  assert.deepEqual(ring.series(true, T0 + 68_001).hazards, [], 'older than the window');
  ring.clear();
  ring.addHazard(hazard(1, '2026-01-01 12:01:10 UTC'));
  assert.equal(ring.hazardCount, 1, 'a new run numbers hazards from 1 again');
  assert.equal(ring.size, 0);
});

test('a stopped pooler keeps its last window, ending at the last sample', () => {
  const ring = new ActivityRing(60_000);
  ring.add(snapshot(T0, 0));
  ring.add(snapshot(T0 + 1000, 5));
  const series = ring.series(false, T0 + 500_000);
  assert.equal(series.running, false);
  assert.equal(series.end, T0 + 1000);
  assert.deepEqual(series.tps, [[T0 + 1000, 5]]);
});

function seriesWithTraffic(): ActivitySeries {
  const ring = new ActivityRing(120_000);
  for (let i = 0; i <= 60; i++) ring.add(snapshot(T0 + i * 1000, i * 40, { cl_active: i % 3, cl_waiting: i % 2, sv_active: 2, sv_idle: 1 }));
  ring.addHazard(hazard(1, '2026-01-01 12:00:30 UTC'));
  ring.addHazard(hazard(2, '2026-01-01 12:00:31 UTC', 'landed'));
  return ring.series(true, T0 + 60_000);
}

test('the chart markup: tps line with points, y axis in round numbers, one mark per hazard on the timeline', () => {
  const series = seriesWithTraffic();
  const html = activityHtml(series, { width: 300, plotHeight: 60 });
  assert.match(html, /<section class="chart" id="chart-tps" data-max="50" data-peak="40">/);
  assert.match(html, /<path class="line line-tps" data-points="60" d="M[\d.]+ [\d.]+ L/);
  assert.match(html, /<b class="value" data-series="line-tps">40\.0<\/b>/);
  assert.match(html, /id="chart-clients-0"/);
  assert.match(html, /id="chart-servers-0"/);
  assert.match(html, /Server connections · app · alice/);
  const marks = [...html.matchAll(/<g class="hazard hazard-(\w+)" data-hazard-id="(\d+)"/g)].map((m) => [m[1], m[2]]);
  // Causes are drawn last, on top.
  assert.deepEqual(marks, [['landed', '2'], ['origin', '1']]);
  // Mark 1 is at 12:00:30, half-way through the 2-minute window ending 12:01:00: x ≈ 3/4 of the width.
  const circle = (id: number) => /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(html.split(`data-hazard-id="${id}"`)[1])!.slice(1).map(Number);
  const [cx1, cy1] = circle(1);
  const [cx2, cy2] = circle(2);
  assert.ok(Math.abs(cx1 - (4 + 0.75 * 292)) < 0.2, `cx ${cx1}`);
  // One second later is ~2.4 px to the right: too close, so the second mark gets the next row of the lane.
  assert.ok(cx2 > cx1 && cx2 - cx1 < 3, `${cx1} → ${cx2}`);
  assert.ok(cy2 > cy1, `stacked: ${cy1} → ${cy2}`);
  assert.match(html, /2 hazards \(click a mark for its details\)/);
  assert.match(html, />−2m<\/text>/);
  assert.match(html, />now<\/text>/);
  assert.ok(!/style=/.test(html), 'no inline styles (the CSP allows only the stylesheet)');
  const selected = activityHtml(series, { width: 300, plotHeight: 60 }, 2);
  assert.match(selected, /<g class="hazard hazard-landed selected" data-hazard-id="2"/);
});

test('the chart markup escapes everything that came from the pooler', () => {
  const series = seriesWithTraffic();
  series.pools[0].key = '<img src=x onerror=alert(1)> · "bob"';
  const html = activityHtml(series, { width: 300, plotHeight: 60 });
  assert.ok(!html.includes('<img'), 'pool names are text');
  assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62; · &#34;bob&#34;/);
  const details = hazardDetailsHtml(series.hazards[0]);
  assert.match(details, /SET search_path TO &#39;a&#38;b&#39;/);
  assert.match(details, /3 \(app &#60;x&#62;\)/);
  assert.match(details, /<button class="open-hazard" type="button" data-hazard-id="1">/);
  assert.equal(escapeHtml(`<>&"'`), '&#60;&#62;&#38;&#34;&#39;');
});

test('an empty or stopped series still draws, and offers to start the pooler when off', () => {
  const empty = new ActivityRing().series(false, T0);
  const html = activityHtml(empty, { width: 200, plotHeight: 40 });
  assert.match(html, /The pooler is off\. <button class="start"/);
  assert.match(html, /data-points="0" d=""/);
  assert.match(html, /data-series="line-tps">–</);
});

test('y axis maxima are 1, 2 or 5 times a power of ten', () => {
  assert.deepEqual([0, 0.4, 1, 1.5, 3, 7, 10, 11, 480, 5001].map(niceMax), [1, 1, 1, 2, 5, 10, 10, 20, 500, 10000]);
});
