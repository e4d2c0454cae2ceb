// Snapshot rows (PgBouncer column names) → the rows of the PoolSafe tree views. Pure: the vscode
// side only turns these nodes into TreeItems, and the e2e suite asserts on them through the API.
import type { AdminRow, PoolerSnapshot, SnapshotSection } from '../pooler/ipc';
import { ASKED_THE_SERVER } from '../pooler/audit';

export type TreeSection = SnapshotSection;
export const TREE_SECTIONS: readonly TreeSection[] = ['pools', 'clients', 'servers', 'stats', 'hazards'];

export interface TreeNode {
  /** Stable across refreshes, so VS Code keeps selection and expansion. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id (ThemeIcon) and an optional theme colour id. */
  icon: string;
  iconColor?: string;
  /** For menus: `pool`, `client`, `server`, `stats`, `hazard`, `column`, `message`. */
  contextValue: string;
  /** The row itself (columns become child nodes; hazards open their details). */
  row?: AdminRow;
  children?: TreeNode[];
}

const DESCRIPTION_COLUMNS: Record<TreeSection, readonly string[]> = {
  pools: ['cl_active', 'cl_waiting', 'sv_active', 'sv_idle', 'sv_login', 'maxwait', 'pool_mode'],
  clients: ['state', 'addr', 'port', 'link', 'application_name'],
  servers: ['state', 'remote_pid', 'link', 'application_name'],
  stats: ['total_xact_count', 'total_query_count', 'avg_xact_time', 'avg_query_time', 'total_wait_time'],
  hazards: ['kind', 'client_id', 'server_id', 'statement'],
};

const STATE_ICONS: Record<string, [icon: string, color?: string]> = {
  active: ['pulse', 'charts.green'],
  idle: ['circle-outline'],
  waiting: ['watch', 'charts.yellow'],
  new: ['loading'],
  login: ['loading'],
  used: ['circle-filled', 'charts.blue'],
  tested: ['beaker'],
};

const HAZARD_ICONS: Record<string, [icon: string, color: string]> = {
  origin: ['warning', 'list.warningForeground'],
  landed: ['arrow-swap', 'list.warningForeground'],
  error: ['error', 'list.errorForeground'],
};

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** `name value` pairs for the description, skipping empty cells; long statements shortened. */
function describe(row: AdminRow, columns: readonly string[]): string {
  return columns
    .filter((column) => text(row[column]) !== '')
    .map((column) => (column === 'statement' ? oneLine(text(row[column]), 60) : `${column} ${text(row[column])}`))
    .join(' · ');
}

export function oneLine(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

function columnChildren(parentId: string, row: AdminRow): TreeNode[] {
  return Object.entries(row).map(([column, value]) => ({
    id: `${parentId}/${column}`,
    label: column,
    description: text(value),
    tooltip: `${column} = ${text(value)}`,
    icon: 'symbol-field',
    contextValue: 'column',
  }));
}

function tooltipOf(title: string, row: AdminRow): string {
  return [title, ...Object.entries(row).map(([column, value]) => `${column}: ${text(value)}`)].join('\n');
}

function poolNode(row: AdminRow): TreeNode {
  const id = `pool/${text(row.database)}/${text(row.user)}`;
  const waiting = Number(row.cl_waiting) > 0;
  return {
    id, label: `${text(row.database)} · ${text(row.user)}`, description: describe(row, DESCRIPTION_COLUMNS.pools),
    tooltip: tooltipOf('pool', row), icon: waiting ? 'watch' : 'database', iconColor: waiting ? 'charts.yellow' : undefined,
    contextValue: 'pool', row, children: columnChildren(id, row),
  };
}

function socketNode(section: 'clients' | 'servers', row: AdminRow): TreeNode {
  const kind = section === 'clients' ? 'client' : 'server';
  const id = `${kind}/${text(row.id)}`;
  const [icon, iconColor] = STATE_ICONS[text(row.state)] ?? ['circle-outline'];
  return {
    id, label: `${kind} ${text(row.id)} · ${text(row.user)}@${text(row.database)}`, description: describe(row, DESCRIPTION_COLUMNS[section]),
    tooltip: tooltipOf(kind, row), icon, iconColor, contextValue: kind, row, children: columnChildren(id, row),
  };
}

function statsNode(row: AdminRow): TreeNode {
  const id = `stats/${text(row.database)}`;
  return {
    id, label: text(row.database), description: describe(row, DESCRIPTION_COLUMNS.stats), tooltip: tooltipOf('stats', row),
    icon: 'graph', contextValue: 'stats', row, children: columnChildren(id, row),
  };
}

export function hazardNode(row: AdminRow): TreeNode {
  const [icon, iconColor] = HAZARD_ICONS[text(row.kind)] ?? ['warning', 'list.warningForeground'];
  return {
    id: `hazard/${text(row.id)}`, label: `${text(row.rule)} (${text(row.kind)}${text(row.detail).includes(ASKED_THE_SERVER) ? ', asked the server' : ''})`,
    description: describe(row, DESCRIPTION_COLUMNS.hazards),
    tooltip: tooltipOf('hazard', row), icon, iconColor, contextValue: 'hazard', row,
  };
}

/** PgBouncer lists its own console as database `pgbouncer`; in the editor it is noise. */
function isConsoleRow(row: AdminRow): boolean {
  return row.database === 'pgbouncer';
}

/** The rows of one view; a one-line message node when there is nothing to show. */
export function treeNodes(section: TreeSection, snapshot: PoolerSnapshot | undefined, poolerRunning: boolean): TreeNode[] {
  if (!poolerRunning || !snapshot) return [];
  const rows = snapshot[section].filter((row) => section === 'hazards' || !isConsoleRow(row));
  switch (section) {
    case 'pools':
      return rows.map(poolNode);
    case 'clients':
    case 'servers':
      return rows.map((row) => socketNode(section, row));
    case 'stats':
      return rows.map(statsNode);
    case 'hazards':
      // Newest first: the one that just happened is the one the user is looking for.
      return [...rows].sort((a, b) => Number(b.id) - Number(a.id)).map(hazardNode);
  }
}

/** Status bar wording (DESIGN: off → starting → `PoolSafe :6432 · transaction · N clients` → error). */
export function statusBarText(
  state: { status: 'off' } | { status: 'starting' } | { status: 'running'; port: number; poolMode: string; clients: number } | { status: 'error' },
): string {
  switch (state.status) {
    case 'off':
      return '$(debug-disconnect) PoolSafe: off';
    case 'starting':
      return '$(loading~spin) PoolSafe: starting';
    case 'running':
      return `$(database) PoolSafe :${state.port} · ${state.poolMode} · ${state.clients} ${state.clients === 1 ? 'client' : 'clients'}`;
    case 'error':
      return '$(error) PoolSafe: error';
  }
}
