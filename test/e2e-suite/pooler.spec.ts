// Pooler checks inside the real extension host: configure the target, start the pooler with the
// command, connect a real `pg` client through it, watch the Clients and Pools trees, stop it; then the
// failures users meet first (port taken, wrong password).
// Inputs come from the driver through the environment: POOLSAFE_E2E_TARGET (a throwaway cluster's URL
// with password) and POOLSAFE_E2E_POOLER_PORT (the port also written to poolsafe.pooler.port).
import * as assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import * as vscode from 'vscode';
import { Client } from 'pg';
import { test, waitFor } from './runner';

const EXTENSION_ID = 'poolsafe.poolsafe';
const APPLICATION_NAME = 'poolsafe-e2e';

interface TreeNodeView {
  label: string;
  description: string;
  contextValue: string;
  row?: Record<string, unknown>;
}

/** The slice of the extension's exported API these tests use (see extension/ui/index.ts). */
interface PoolerApi {
  pooler: {
    state(): { status: string; info?: { host: string; port: number; poolMode: string }; failure?: { kind: string; message: string; action: string } };
    connectionString(includePassword?: boolean): Promise<string | undefined>;
  };
  treeItems(section: 'pools' | 'clients' | 'servers' | 'stats' | 'hazards'): Promise<TreeNodeView[]>;
  hazardEvents(): Record<string, unknown>[];
  activity(): {
    running: boolean;
    tps: [number, number][];
    pools: { key: string; clActive: [number, number][] }[];
    hazards: { id: number; rule: string; kind: string; statement: string }[];
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: the e2e driver (test/e2e) starts a cluster and passes it to the extension host`);
  return value;
}

async function poolerApi(): Promise<PoolerApi> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is loaded`);
  return (await extension.activate()) as PoolerApi;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The `pg` client connected through the pooler, closed by the last test (or left to the process exit). */
let appClient: Client | undefined;

test('poolsafe.configureTarget with a URL logs in to the dev database and keeps the password out of settings', async () => {
  await poolerApi();
  const target = requiredEnv('POOLSAFE_E2E_TARGET');
  const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('poolsafe.configureTarget', target);
  assert.ok(result?.ok, `configureTarget: ${JSON.stringify(result)}`);
  const saved = vscode.workspace.getConfiguration('poolsafe.pooler').get<string>('target', '');
  const password = decodeURIComponent(new URL(target).password);
  assert.ok(saved.length > 0, 'the URL is saved in poolsafe.pooler.target');
  assert.ok(!saved.includes(password), `no password in settings: ${saved}`);
}, 60_000);

test('poolsafe.pooler.start runs the pooler on the configured port', async () => {
  const api = await poolerApi();
  const port = Number(requiredEnv('POOLSAFE_E2E_POOLER_PORT'));
  await vscode.commands.executeCommand('poolsafe.pooler.start');
  const state = await waitFor('pooler running', () => (api.pooler.state().status === 'running' ? api.pooler.state() : undefined), 60_000);
  assert.equal(state.info?.port, port);
  assert.equal(state.info?.poolMode, 'transaction');
  assert.equal(await portAccepts(port), true, `the pooler accepts connections on ${port}`);
}, 90_000);

test('a pg client connected through the pooler appears in the Clients tree', async () => {
  const api = await poolerApi();
  const url = await api.pooler.connectionString(true);
  assert.ok(url, 'the pooler offers a connection string');
  appClient = new Client({ connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 10_000 });
  await appClient.connect();
  const { rows } = await appClient.query('SELECT 1 AS one');
  assert.deepEqual(rows, [{ one: 1 }]);
  const clients = await waitFor('a client row naming the pg client', async () => {
    const nodes = await api.treeItems('clients');
    return nodes.some((n) => n.description.includes(APPLICATION_NAME)) ? nodes : undefined;
  }, 30_000, 250);
  const row = clients.find((n) => n.description.includes(APPLICATION_NAME))!;
  assert.equal(row.contextValue, 'client');
  assert.match(row.label, /client/i);
  assert.ok((await api.treeItems('pools')).length > 0, 'the Pools tree has the pool the client uses');
}, 60_000);

test('a session SET through the pooler arrives as a hazard event and in the Hazards tree', async () => {
  const api = await poolerApi();
  assert.ok(appClient, 'the pg client from the previous test');
  await appClient.query('SET search_path TO public');
  // The origin is recorded when the transaction ends and the server connection is released.
  await appClient.query('SELECT 1');
  const event = await waitFor('a session-set origin hazard event', () =>
    api.hazardEvents().find((row) => row.rule === 'session-set' && row.kind === 'origin'), 30_000, 250);
  assert.match(String(event.statement), /SET search_path/i);
  const rows = await waitFor('a Hazards tree row', async () => {
    const nodes = await api.treeItems('hazards');
    return nodes.some((n) => `${n.label} ${n.description}`.includes('session-set')) ? nodes : undefined;
  }, 30_000, 250);
  assert.ok(rows.length > 0);
}, 60_000);

test('the Pool activity series holds the pool, its transactions and the session-set hazard from the real pooler', async () => {
  const api = await poolerApi();
  assert.ok(appClient, 'the pg client from the previous tests');
  // A few more transactions, so the once-a-second samples see the counter move.
  for (let i = 0; i < 20; i++) await appClient.query('SELECT 1');
  const series = await waitFor('tps above zero, the pool, and the hazard mark', () => {
    const current = api.activity();
    const ready = current.tps.some(([, tps]) => tps > 0) && current.pools.length > 0 && current.hazards.some((h) => h.rule === 'session-set');
    return ready ? current : undefined;
  }, 30_000, 250);
  assert.equal(series.running, true);
  assert.ok(series.pools.some((pool) => pool.clActive.some(([, n]) => n >= 1)), JSON.stringify(series.pools.map((p) => p.key)));
  const mark = series.hazards.find((h) => h.rule === 'session-set' && h.kind === 'origin');
  assert.match(mark?.statement ?? '', /SET search_path/i);
}, 60_000);

test('poolsafe.pooler.stop stops the pooler and frees its port', async () => {
  const api = await poolerApi();
  const port = Number(requiredEnv('POOLSAFE_E2E_POOLER_PORT'));
  await appClient?.end().catch(() => undefined);
  appClient = undefined;
  await vscode.commands.executeCommand('poolsafe.pooler.stop');
  await waitFor('pooler off', () => (api.pooler.state().status === 'off' ? true : undefined), 30_000);
  await waitFor('port closed', async () => ((await portAccepts(port)) ? undefined : true), 15_000, 250);
}, 60_000);

test('start with the pooler port already taken: error state that names the port and offers Change Port', async () => {
  const api = await poolerApi();
  const port = Number(requiredEnv('POOLSAFE_E2E_POOLER_PORT'));
  const squatter = createServer();
  await new Promise<void>((resolve, reject) => {
    squatter.once('error', reject);
    squatter.listen(port, '127.0.0.1', () => resolve());
  });
  try {
    await vscode.commands.executeCommand('poolsafe.pooler.start');
    const state = await waitFor('pooler error', () => (api.pooler.state().status === 'error' ? api.pooler.state() : undefined), 60_000);
    assert.equal(state.failure?.kind, 'port-in-use', JSON.stringify(state));
    assert.match(state.failure?.message ?? '', new RegExp(`\\b${port}\\b`));
    assert.equal(state.failure?.action, 'Change Port');
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await vscode.commands.executeCommand('poolsafe.pooler.stop');
  }
  await waitFor('pooler off after the error', () => (api.pooler.state().status === 'off' ? true : undefined), 30_000);
}, 90_000);

test('poolsafe.configureTarget with a wrong password reports the rejected password', async () => {
  const target = new URL(requiredEnv('POOLSAFE_E2E_TARGET'));
  const good = target.toString();
  target.password = 'not-the-password';
  try {
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('poolsafe.configureTarget', target.toString());
    assert.equal(result?.ok, false, JSON.stringify(result));
    assert.match(result?.message ?? '', /password/i);
    assert.ok(!result?.message.includes('not-the-password'), `the message hides the password: ${result?.message}`);
  } finally {
    // Leave the good target configured for whatever runs next.
    await vscode.commands.executeCommand('poolsafe.configureTarget', good);
  }
}, 90_000);
