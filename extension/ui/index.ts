// The pooler in the editor: commands, status bar, tree views, hazards and the API the e2e suite uses.
// Command ids (stable, used by package.json, the walkthrough and tests):
//   poolsafe.pooler.start | stop | toggle | restart | copyConnectionString | killClient |
//   openAdminConsole | runLeakDemo | refresh | startWithReplica, poolsafe.configureTarget, poolsafe.hazard.show
import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import type { AdminRow, PoolerSnapshot } from '../pooler/ipc';
import { PoolerProcess, type PoolerState } from './poolerProcess';
import type { PoolerFailure } from './poolerFailure';
import { DEFAULT_POOLER_SETTINGS, poolerArgs, type PoolerSettings } from './poolerArgs';
import { PoolerStatusBar } from './statusBar';
import { SnapshotStore, registerPoolTree } from './poolTree';
import { HAZARD_SCHEME, HazardPresenter } from './hazards';
import { TargetStore } from './targetStore';
import { poolerConnectionString, redactUrl, splitPassword, validateTargetUrl, withPassword } from './target';
import type { TreeNode, TreeSection } from './treeModel';
import { ActivityRing, type ActivitySeries } from './activityModel';
import { registerActivityView } from './activityView';
import { startDevReplica, type DevReplica } from './devReplica';

/** What activate() exports for the pooler (extends PoolSafeApi in extension.ts). */
export interface PoolerUiApi {
  pooler: {
    state(): PoolerState;
    start(): Promise<PoolerState>;
    stop(): Promise<void>;
    /** A fresh snapshot of the admin tables (undefined when the pooler is not running). */
    snapshot(): Promise<PoolerSnapshot | undefined>;
    /** The URL apps use through the pooler (with the stored password unless `includePassword` is false). */
    connectionString(includePassword?: boolean): Promise<string | undefined>;
  };
  /** The rows a tree view shows right now, after refreshing the snapshot. */
  treeItems(section: TreeSection): Promise<TreeNode[]>;
  /** Hazards pushed by the pooler as events since it started. */
  hazardEvents(): AdminRow[];
  /** What the Pool activity view draws right now. */
  activity(): ActivitySeries;
}

export interface ConfigureTargetResult {
  ok: boolean;
  message: string;
}

export interface PoolerUi extends PoolerUiApi {
  dispose(): Promise<void>;
}

function settings(): PoolerSettings {
  const config = vscode.workspace.getConfiguration('poolsafe.pooler');
  return {
    port: config.get<number>('port', DEFAULT_POOLER_SETTINGS.port),
    poolMode: config.get<string>('poolMode', DEFAULT_POOLER_SETTINGS.poolMode),
    poolSize: config.get<number>('poolSize', DEFAULT_POOLER_SETTINGS.poolSize),
    serverPolicy: config.get<string>('serverPolicy', DEFAULT_POOLER_SETTINGS.serverPolicy),
    maxPreparedStatements: config.get<number>('maxPreparedStatements', DEFAULT_POOLER_SETTINGS.maxPreparedStatements),
    iniFile: config.get<string>('iniFile', DEFAULT_POOLER_SETTINGS.iniFile).trim(),
  };
}

function workspaceDir(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function resolveIni(iniFile: string): string | undefined {
  if (!iniFile) return undefined;
  const base = workspaceDir();
  return isAbsolute(iniFile) || !base ? iniFile : join(base, iniFile);
}

export function activatePoolerUi(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PoolerUi {
  const pooler = new PoolerProcess();
  const targets = new TargetStore(context.secrets);
  const store = new SnapshotStore(pooler, log);
  const hazards = new HazardPresenter();
  const hazardEvents: AdminRow[] = [];
  const poolerScript = join(__dirname, 'pooler.js');
  let appUrl: string | undefined;

  const statusBar = new PoolerStatusBar(() => appUrl);
  // The activity chart keeps the last minutes while the pooler runs, so its history is there when opened.
  const activity = new ActivityRing();
  const tree = registerPoolTree(context, store, () => true);
  const activityView = registerActivityView(context, {
    ring: activity,
    running: () => pooler.state.status === 'running',
    showHazard: (id) => {
      const row = [...hazardEvents, ...(store.snapshot?.hazards ?? [])].find((hazard) => hazard.id === id);
      return row && vscode.commands.executeCommand('poolsafe.hazard.show', row);
    },
    startPooler: () => start(),
  });
  store.onDidChange(() => {
    const snapshot = store.snapshot;
    if (snapshot && snapshot.takenAt > 0) activity.add(snapshot);
    activityView.update();
  });

  pooler.on('log', (line) => log.info(`[pooler] ${redactUrl(line)}`));
  pooler.on('hazard', (row) => {
    hazardEvents.push(row);
    activity.addHazard(row);
    store.addHazard(row);
    void hazards.locate(row);
  });
  pooler.on('state', (state) => {
    statusBar.update(state);
    void vscode.commands.executeCommand('setContext', 'poolsafe.poolerState', state.status);
    if (state.status === 'running') appUrl = connectionFor(state.info.host, state.info.port);
    if (state.status !== 'running') void store.refresh();
    // A pooler that crashed or was stopped leaves no replica behind.
    if (state.status === 'off' || state.status === 'error') stopReplica();
    tree.updatePolling();
    activityView.update();
  });
  statusBar.update(pooler.state);
  void vscode.commands.executeCommand('setContext', 'poolsafe.poolerState', 'off');

  /** The app's URL through the pooler, without password (the tooltip and copy add/redact it). */
  function connectionFor(host: string, port: number): string | undefined {
    const target = targets.url();
    return target && validateTargetUrl(target) === undefined ? poolerConnectionString(target, host, port) : undefined;
  }

  async function connectionString(includePassword = true): Promise<string | undefined> {
    const state = pooler.state;
    if (state.status !== 'running' || !appUrl) return undefined;
    const password = includePassword ? await targets.password() : undefined;
    return password ? withPassword(appUrl, password) : appUrl;
  }

  /** The lagging replica the pooler balances over (startWithReplica); it goes when the pooler stops. */
  let replica: DevReplica | undefined;
  const stopReplica = () => {
    replica?.stop();
    replica = undefined;
  };

  async function start(): Promise<PoolerState> {
    return startPooler([]);
  }

  /** A streaming replica of the dev database replaying `poolsafe.pooler.replicaDelayMs` late, and the pooler balancing reads to it. */
  async function startWithReplica(): Promise<PoolerState> {
    if (pooler.state.status === 'running' || pooler.state.status === 'starting') await stop();
    if (!targets.url()) {
      const configured = await configureTarget();
      if (!configured.ok) return pooler.state;
    }
    const target = await targets.urlWithPassword();
    if (!target) return pooler.state;
    const delay = vscode.workspace.getConfiguration('poolsafe.pooler').get<number>('replicaDelayMs', 1000);
    try {
      replica = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'PoolSafe: making a streaming replica of the dev database (pg_basebackup)…' },
        () => startDevReplica(target, delay),
      );
    } catch (error) {
      const message = redactUrl((error as Error).message.split('\n')[0]);
      log.error(`replica: ${redactUrl((error as Error).message)}`);
      void vscode.window.showErrorMessage(`PoolSafe: cannot make a replica of the dev database: ${message}`, 'Show Output').then((choice) => choice && log.show());
      return pooler.state;
    }
    log.info(`replica of ${redactUrl(target)} on 127.0.0.1:${replica.port}, replaying ${delay} ms late`);
    const state = await startPooler(replica.poolerArgs);
    if (state.status !== 'running') stopReplica();
    return state;
  }

  async function startPooler(extraArgs: string[]): Promise<PoolerState> {
    if (pooler.state.status === 'running' || pooler.state.status === 'starting') return pooler.state;
    const current = settings();
    const ini = resolveIni(current.iniFile);
    if (!targets.url() && !ini) {
      const configured = await configureTarget();
      if (!configured.ok) return pooler.state;
    }
    hazards.clear();
    hazardEvents.length = 0;
    activity.clear();
    const target = await targets.urlWithPassword();
    log.info(`starting the pooler in front of ${target ? redactUrl(target) : ini}`);
    const state = await pooler.start({ script: poolerScript, args: [...poolerArgs(current, ini), ...extraArgs], target, cwd: workspaceDir() });
    if (state.status === 'error') void reportFailure(state.failure);
    else if (state.status === 'running') log.info(`pooler listening on ${state.info.host}:${state.info.port}`);
    return state;
  }

  async function stop(): Promise<void> {
    await pooler.stop();
    stopReplica();
  }

  async function reportFailure(failure: PoolerFailure): Promise<void> {
    log.error(`pooler: ${failure.message} (${redactUrl(failure.detail)})`);
    const choice = await vscode.window.showErrorMessage(`PoolSafe pooler: ${failure.message}`, failure.action, 'Show Output');
    if (choice === 'Restart') await start();
    else if (choice === 'Configure Target') await vscode.commands.executeCommand('poolsafe.configureTarget');
    else if (choice === 'Change Port') await vscode.commands.executeCommand('workbench.action.openSettings', 'poolsafe.pooler.port');
    else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'poolsafe.pooler');
    else if (choice === 'Show Output') log.show();
  }

  /**
   * Asks for the dev database URL (or takes `url` from a caller), keeps the password in SecretStorage,
   * and tests it with a real login: a short pooler run that logs in before it listens.
   */
  async function configureTarget(url?: string): Promise<ConfigureTargetResult> {
    let entered = url;
    if (entered === undefined) {
      entered = await vscode.window.showInputBox({
        title: 'PoolSafe: dev database URL',
        prompt: 'postgres://user:password@host:5432/database — the password goes to SecretStorage, never to settings',
        value: targets.url() || (await targets.suggestion()) || 'postgres://postgres@127.0.0.1:5432/postgres',
        ignoreFocusOut: true,
        validateInput: (value) => validateTargetUrl(value),
      });
      if (entered === undefined) return { ok: false, message: 'cancelled' };
    }
    const invalid = validateTargetUrl(entered);
    if (invalid) return { ok: false, message: invalid };
    let password = splitPassword(entered).password;
    if (password === undefined && url === undefined && !(await targets.hasPassword(splitPassword(entered).url))) {
      password = await vscode.window.showInputBox({
        title: 'PoolSafe: database password', prompt: 'Leave empty for trust authentication', password: true, ignoreFocusOut: true,
      });
    }
    await targets.save(entered, password);
    const result = await testTarget();
    if (url === undefined) {
      if (result.ok) void vscode.window.showInformationMessage(`PoolSafe: ${result.message}`);
      else void vscode.window.showErrorMessage(`PoolSafe: ${result.message}`, 'Configure Target').then((choice) => {
        if (choice) void vscode.commands.executeCommand('poolsafe.configureTarget');
      });
    }
    return result;
  }

  async function testTarget(): Promise<ConfigureTargetResult> {
    const target = await targets.urlWithPassword();
    if (!target) return { ok: false, message: 'no target URL configured' };
    const probe = new PoolerProcess();
    const state = await probe.start({ script: poolerScript, args: ['--listen', '127.0.0.1:0'], target, cwd: workspaceDir() });
    await probe.stop();
    if (state.status === 'running') return { ok: true, message: `logged in to ${redactUrl(target)}` };
    if (state.status === 'error') return { ok: false, message: `${state.failure.message} (${redactUrl(target)})` };
    return { ok: false, message: 'connection test did not finish' };
  }

  async function copyConnectionString(options?: { includePassword?: boolean }): Promise<string | undefined> {
    const url = await connectionString(options?.includePassword ?? true);
    if (!url) {
      void vscode.window.showWarningMessage('PoolSafe: start the pooler first (status bar or "PoolSafe: Start Pooler").');
      return undefined;
    }
    await vscode.env.clipboard.writeText(url);
    const withSecret = url !== redactUrl(url);
    void vscode.window.showInformationMessage(`PoolSafe: copied ${redactUrl(url)}${withSecret ? ' (with the password)' : ''}`);
    return url;
  }

  async function killClient(node?: TreeNode | number): Promise<void> {
    const id = typeof node === 'number' ? node : Number(node?.row?.id);
    if (!Number.isFinite(id)) return;
    try {
      await pooler.killClient(id);
      await store.refresh();
    } catch (error) {
      void vscode.window.showErrorMessage(`PoolSafe: cannot kill client ${id}: ${(error as Error).message}`);
    }
  }

  async function openAdminConsole(): Promise<vscode.Terminal | undefined> {
    const state = pooler.state;
    if (state.status !== 'running') {
      void vscode.window.showWarningMessage('PoolSafe: the pooler is not running.');
      return undefined;
    }
    const target = targets.url();
    const user = target ? decodeURIComponent(new URL(target).username) || 'postgres' : 'postgres';
    const terminal = vscode.window.createTerminal({
      name: 'PoolSafe admin console',
      env: { PGPASSWORD: (await targets.password()) ?? '' },
    });
    terminal.show();
    // Try `SHOW POOLS;`, `SHOW CLIENTS;`, `SHOW HAZARDS;` (PgBouncer's console commands).
    terminal.sendText(`psql -h ${state.info.host} -p ${state.info.port} -U ${shellQuote(user)} pgbouncer`);
    return terminal;
  }

  async function runLeakDemo(): Promise<vscode.Terminal | undefined> {
    if (pooler.state.status !== 'running') await start();
    const url = await connectionString(true);
    if (!url) return undefined;
    const [script] = await vscode.workspace.findFiles('**/reproduce-leak.mjs', '**/node_modules/**', 1);
    if (!script) {
      void vscode.window.showWarningMessage('PoolSafe: demo/reproduce-leak.mjs is not in this workspace.');
      return undefined;
    }
    const terminal = vscode.window.createTerminal({ name: 'PoolSafe leak demo', env: { POOLSAFE_URL: url }, cwd: workspaceDir() });
    terminal.show();
    terminal.sendText(`node ${shellQuote(script.fsPath)}`);
    return terminal;
  }

  async function showHazard(node?: TreeNode | AdminRow): Promise<vscode.Location | undefined> {
    const row = node && 'contextValue' in node ? (node as TreeNode).row : (node as AdminRow | undefined);
    if (!row) return undefined;
    return hazards.show(row);
  }

  context.subscriptions.push(
    statusBar,
    store,
    hazards,
    vscode.workspace.registerTextDocumentContentProvider(HAZARD_SCHEME, hazards),
    vscode.commands.registerCommand('poolsafe.pooler.start', start),
    vscode.commands.registerCommand('poolsafe.pooler.startWithReplica', startWithReplica),
    { dispose: stopReplica },
    vscode.commands.registerCommand('poolsafe.pooler.stop', stop),
    vscode.commands.registerCommand('poolsafe.pooler.toggle', () => (pooler.state.status === 'running' || pooler.state.status === 'starting' ? stop() : start())),
    vscode.commands.registerCommand('poolsafe.pooler.restart', async () => {
      await stop();
      return start();
    }),
    vscode.commands.registerCommand('poolsafe.pooler.copyConnectionString', copyConnectionString),
    vscode.commands.registerCommand('poolsafe.pooler.killClient', killClient),
    vscode.commands.registerCommand('poolsafe.pooler.openAdminConsole', openAdminConsole),
    vscode.commands.registerCommand('poolsafe.pooler.runLeakDemo', runLeakDemo),
    vscode.commands.registerCommand('poolsafe.pooler.refresh', () => store.refresh()),
    vscode.commands.registerCommand('poolsafe.configureTarget', configureTarget),
    vscode.commands.registerCommand('poolsafe.hazard.show', showHazard),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('poolsafe.pooler.showStatusBar')) statusBar.update(pooler.state);
      const restartNeeded = ['port', 'poolMode', 'poolSize', 'serverPolicy', 'maxPreparedStatements', 'iniFile', 'target']
        .some((key) => event.affectsConfiguration(`poolsafe.pooler.${key}`));
      if (restartNeeded && pooler.state.status === 'running') {
        void vscode.window.showInformationMessage('PoolSafe: restart the pooler to apply the new settings.', 'Restart').then((choice) => {
          if (choice) void vscode.commands.executeCommand('poolsafe.pooler.restart');
        });
      }
    }),
  );

  return {
    pooler: {
      state: () => pooler.state,
      start,
      stop,
      snapshot: async () => {
        if (pooler.state.status !== 'running') return undefined;
        await store.refresh();
        return store.snapshot;
      },
      connectionString,
    },
    async treeItems(section) {
      await store.refresh();
      return tree.providers.get(section)!.nodes();
    },
    hazardEvents: () => [...hazardEvents],
    activity: () => activity.series(pooler.state.status === 'running'),
    dispose: stop,
  };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
