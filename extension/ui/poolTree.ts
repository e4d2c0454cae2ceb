// The PoolSafe activity-bar views (Pools, Clients, Servers, Stats, Hazards). One snapshot store feeds
// all five (and the Pool activity chart); it polls the pooler once a second while the pooler runs and
// a view is visible, or while `keepPolling()` says a consumer records history.
import * as vscode from 'vscode';
import type { AdminRow, PoolerSnapshot } from '../pooler/ipc';
import type { PoolerProcess } from './poolerProcess';
import { TREE_SECTIONS, treeNodes, type TreeNode, type TreeSection } from './treeModel';

const REFRESH_INTERVAL_MS = 1000;

export class SnapshotStore implements vscode.Disposable {
  private latest: PoolerSnapshot | undefined;
  /** Hazards pushed as events between snapshots (and kept when views are hidden), by id. */
  private readonly hazards = new Map<number, AdminRow>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly pooler: PoolerProcess, private readonly log: vscode.LogOutputChannel) {}

  /** The latest tables, with every hazard seen (events may arrive before the first snapshot). */
  get snapshot(): PoolerSnapshot | undefined {
    if (!this.latest && this.hazards.size === 0) return undefined;
    const tables = this.latest ?? { takenAt: 0, pools: [], clients: [], servers: [], stats: [], hazards: [] };
    return { ...tables, hazards: [...this.hazards.values()] };
  }

  get running(): boolean {
    return this.pooler.state.status === 'running';
  }

  addHazard(row: AdminRow): void {
    if (typeof row.id === 'number') this.hazards.set(row.id, row);
    this.changed.fire();
  }

  /** Takes a snapshot now (one at a time); clears everything when the pooler is not running. */
  refresh(): Promise<void> {
    if (!this.running) {
      this.latest = undefined;
      this.hazards.clear();
      this.changed.fire();
      return Promise.resolve();
    }
    this.refreshing ??= this.pooler
      .snapshot()
      .then((snapshot) => {
        this.latest = snapshot;
        for (const row of snapshot.hazards) if (typeof row.id === 'number') this.hazards.set(row.id, row);
        this.changed.fire();
      })
      .catch((error: Error) => this.log.warn(`pooler snapshot failed: ${error.message}`))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Polls while `wanted` (some view visible and the pooler running). */
  poll(wanted: boolean): void {
    if (wanted && !this.timer) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    this.poll(false);
    this.changed.dispose();
  }
}

export class SectionProvider implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(readonly section: TreeSection, private readonly store: SnapshotStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  nodes(): TreeNode[] {
    return treeNodes(this.section, this.store.snapshot, this.store.running);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    return element ? element.children ?? [] : this.nodes();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsible = node.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.icon, node.iconColor ? new vscode.ThemeColor(node.iconColor) : undefined);
    item.contextValue = node.contextValue;
    if (node.contextValue === 'hazard') {
      item.command = { command: 'poolsafe.hazard.show', title: 'Show Hazard Details', arguments: [node] };
    }
    return item;
  }
}

export const VIEW_IDS: Record<TreeSection, string> = {
  pools: 'poolsafe.pools',
  clients: 'poolsafe.clients',
  servers: 'poolsafe.servers',
  stats: 'poolsafe.stats',
  hazards: 'poolsafe.hazards',
};

export interface PoolTree {
  /** The providers by section (the e2e API reads them). */
  providers: Map<TreeSection, SectionProvider>;
  /** Starts or stops polling; call when the pooler's state changes. */
  updatePolling(): void;
}

/** Creates the five views. */
export function registerPoolTree(context: vscode.ExtensionContext, store: SnapshotStore, keepPolling: () => boolean = () => false): PoolTree {
  const providers = new Map<TreeSection, SectionProvider>();
  const views: vscode.TreeView<TreeNode>[] = [];
  const updatePolling = () => store.poll(store.running && (keepPolling() || views.some((view) => view.visible)));
  for (const section of TREE_SECTIONS) {
    const provider = new SectionProvider(section, store);
    providers.set(section, provider);
    const view = vscode.window.createTreeView(VIEW_IDS[section], { treeDataProvider: provider, showCollapseAll: section !== 'hazards' });
    views.push(view);
    context.subscriptions.push(view, view.onDidChangeVisibility(updatePolling));
  }
  const hazardView = views[TREE_SECTIONS.indexOf('hazards')];
  context.subscriptions.push(
    store.onDidChange(() => {
      const count = store.snapshot?.hazards.length ?? 0;
      hazardView.badge = count > 0 ? { value: count, tooltip: `${count} pooling hazards` } : undefined;
    }),
  );
  return { providers, updatePolling };
}
