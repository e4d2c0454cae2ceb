// Shared by the hazards-*.test.ts files: one psql session through the pooler runs a script (each
// statement its own transaction), then SHOW HAZARDS is read through psql on the admin console.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { startCluster, type Cluster } from '../helpers/cluster';
import pg from 'pg';
import { poolerPath } from '../helpers/paths';
import { PoolerProcess } from '../../extension/ui/poolerProcess';
import type { AdminRow } from '../../extension/pooler/ipc';
import { PG_BIN, run, startPooler, type RunningPooler } from './pooler-harness';

export { run };

export const PSQL = join(PG_BIN, 'psql');

export interface HazardRow {
  id: number;
  time: string;
  kind: string;
  rule: string;
  client_id: number | null;
  application_name: string;
  server_id: number | null;
  remote_pid: number | null;
  statement: string;
  detail: string;
}

/** Starts the pooler with one pool of `poolSize` servers under `policy` (plus extra flags). */
export function startHazardPooler(cluster: Cluster, policy: 'rotate' | 'lifo' | 'round-robin', extra: string[] = [], poolSize = 2): Promise<RunningPooler> {
  return startPooler(cluster, ['--pool-size', String(poolSize), '--server-policy', policy, ...extra]);
}

/** Runs `script` through one psql connection (no ON_ERROR_STOP: later statements still run). */
export async function psqlScript(url: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string; lines: string[] }> {
  const result = await run(PSQL, ['-X', '-A', '-t', '-q', '-d', url, '-f', '-'], { input: script, timeoutMs: 30000 });
  return { ...result, lines: result.stdout.split('\n').filter((line) => line !== '') };
}

/** SHOW HAZARDS through psql on the admin console, as rows keyed by column name. */
export async function showHazards(pooler: RunningPooler): Promise<HazardRow[]> {
  const { code, stdout, stderr } = await run(PSQL, ['-X', '-A', '-F', '\t', '-P', 'footer=off', '-d', pooler.url({ database: 'pgbouncer' }), '-c', 'SHOW HAZARDS'], { timeoutMs: 15000 });
  assert.equal(code, 0, `SHOW HAZARDS failed: ${stderr}`);
  const [header, ...rows] = stdout.split('\n').filter((line) => line !== '');
  const columns = header.split('\t');
  assert.deepEqual(columns, ['id', 'time', 'kind', 'rule', 'client_id', 'application_name', 'server_id', 'remote_pid', 'statement', 'detail']);
  return rows.map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string | number | null> = {};
    columns.forEach((name, i) => {
      const cell = cells[i] ?? '';
      row[name] = ['id', 'client_id', 'server_id', 'remote_pid'].includes(name) ? (cell === '' ? null : Number(cell)) : cell;
    });
    return row as unknown as HazardRow;
  });
}

/** SHOW CLIENTS / SHOW SERVERS ids seen now (hazard ids must point at them). */
export async function adminIds(pooler: RunningPooler, what: 'CLIENTS' | 'SERVERS'): Promise<number[]> {
  const { stdout } = await run(PSQL, ['-X', '-A', '-F', '\t', '-P', 'footer=off', '-d', pooler.url({ database: 'pgbouncer' }), '-c', `SHOW ${what}`], { timeoutMs: 15000 });
  const [header, ...rows] = stdout.split('\n').filter((line) => line !== '');
  const idAt = header.split('\t').indexOf('id');
  return rows.map((line) => Number(line.split('\t')[idAt]));
}

/** Hazards of one kind and rule. */
export function hazardsOf(rows: HazardRow[], kind: string, rule: string): HazardRow[] {
  return rows.filter((row) => row.kind === kind && row.rule === rule);
}

/** Asserts a hazard of `kind`/`rule` exists and returns the first; the message lists all rows. */
export function expectHazard(rows: HazardRow[], kind: string, rule: string, statementIncludes?: string): HazardRow {
  const found = hazardsOf(rows, kind, rule).filter((row) => !statementIncludes || row.statement.toLowerCase().includes(statementIncludes.toLowerCase()));
  assert.ok(found.length > 0, `no ${kind} ${rule} hazard${statementIncludes ? ` for "${statementIncludes}"` : ''}; rows: ${JSON.stringify(rows, null, 1)}`);
  const row = found[0];
  assert.ok(row.client_id !== null && row.client_id > 0, 'client_id set');
  assert.ok(row.server_id !== null && row.server_id > 0, 'server_id set');
  assert.ok(row.remote_pid !== null && row.remote_pid > 0, 'remote_pid set');
  assert.match(row.time, /^\d{4}-\d\d-\d\d /);
  return row;
}

export interface RowCase {
  /** Run directly on the cluster first (objects the script needs). */
  setupSql?: string;
  script: string;
  /** Checks psql's output under rotate (the bug shows). */
  underRotate(result: { lines: string[]; stderr: string }): void;
  /** Checks psql's output under lifo with one client (the bug hides). */
  underLifo(result: { lines: string[]; stderr: string }): void;
  /** [kind, rule, statement fragment] hazards rotate must produce. */
  hazards: [string, string, string?][];
}

/**
 * The two tests every row of docs/architecture.md's table gets, on a throwaway cluster of their own: rotate reproduces
 * with hazards; lifo passes.
 */
export function rowTests(row: RowCase): void {
  let cluster: Cluster | undefined;
  before(async () => {
    cluster = await startCluster();
  });
  after(() => cluster?.stop());
  const getCluster = (): Cluster => cluster!;

  test('rotate, one client, pool size 2: the bug reproduces on the next transaction, with its hazards', async (t) => {
    const cluster = getCluster();
    if (row.setupSql) cluster.psql(row.setupSql);
    const pooler = await startHazardPooler(cluster, 'rotate');
    t.after(() => pooler.stop());
    const result = await psqlScript(pooler.url({ application: 'row-test' }), row.script);
    row.underRotate(result);
    const rows = await showHazards(pooler);
    for (const [kind, rule, statement] of row.hazards) {
      const hazard = expectHazard(rows, kind, rule, statement);
      assert.equal(hazard.application_name, 'row-test');
    }
    assert.match(pooler.stderr(), new RegExp(`hazard \\d+ ${row.hazards[0][0]} ${row.hazards[0][1]}`));
  });

  test('lifo, one client: the same script passes (why PgBouncer hides it)', async (t) => {
    const cluster = getCluster();
    if (row.setupSql) cluster.psql(row.setupSql);
    const pooler = await startHazardPooler(cluster, 'lifo');
    t.after(() => pooler.stop());
    row.underLifo(await psqlScript(pooler.url(), row.script));
    const errors = (await showHazards(pooler)).filter((h) => h.kind === 'error');
    assert.deepEqual(errors, [], 'no error hazards when the client keeps its connection');
  });
}

/** The pooler forked as the editor runs it (dist/pooler.js with IPC), with its hazard events and stderr lines collected. */
export interface EditorPooler {
  port: number;
  events: AdminRow[];
  logs: string[];
  /** A node-postgres client through it (ended when the test ends). */
  connect(applicationName?: string): Promise<pg.Client>;
}

export async function startEditorPooler(t: { after: (fn: () => unknown) => void }, cluster: Cluster): Promise<EditorPooler> {
  const pooler = new PoolerProcess();
  t.after(() => pooler.stop());
  const events: AdminRow[] = [];
  const logs: string[] = [];
  pooler.on('hazard', (row) => events.push(row));
  pooler.on('log', (line) => logs.push(line));
  const state = await pooler.start({ script: poolerPath, args: ['--listen', '127.0.0.1:0', '--pool-size', '1'], target: cluster.url() });
  if (state.status !== 'running') throw new Error(`pooler did not start: ${JSON.stringify(state)}`);
  const port = state.info.port;
  const connect = async (applicationName?: string) => {
    const client = new pg.Client({
      host: '127.0.0.1', port, user: cluster.user, password: cluster.password, database: 'postgres',
      application_name: applicationName, connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => {});
    await client.connect();
    t.after(() => client.end());
    return client;
  };
  return { port, events, logs, connect };
}
