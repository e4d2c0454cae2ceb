// The status bar toggle: off → starting → `PoolSafe :6432 · transaction · N clients` → error.
// Clicking runs poolsafe.pooler.toggle; the tooltip carries the connection string (password hidden).
import * as vscode from 'vscode';
import type { PoolerState } from './poolerProcess';
import { redactUrl } from './target';
import { statusBarText } from './treeModel';

export const STATUS_BAR_ITEM_ID = 'poolsafe.pooler';

export class PoolerStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly connectionString: () => string | undefined) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ITEM_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'PoolSafe Pooler';
    this.item.command = 'poolsafe.pooler.toggle';
  }

  update(state: PoolerState): void {
    this.item.text = statusBarText(
      state.status === 'running'
        ? { status: 'running', port: state.info.port, poolMode: state.info.poolMode, clients: state.summary.clients }
        : state,
    );
    this.item.backgroundColor = state.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.tooltip = this.tooltip(state);
    this.item.accessibilityInformation = { label: this.item.text.replace(/\$\([^)]*\)\s*/g, '') };
    this.setVisible(vscode.workspace.getConfiguration('poolsafe.pooler').get<boolean>('showStatusBar', true));
  }

  setVisible(visible: boolean): void {
    if (visible) this.item.show();
    else this.item.hide();
  }

  private tooltip(state: PoolerState): vscode.MarkdownString {
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = {
      enabledCommands: [
        'poolsafe.pooler.start', 'poolsafe.pooler.stop', 'poolsafe.pooler.restart', 'poolsafe.pooler.copyConnectionString',
        'poolsafe.configureTarget', 'poolsafe.showOutput',
      ],
    };
    switch (state.status) {
      case 'off':
        md.appendMarkdown('**PoolSafe pooler** is off.\n\n[Start](command:poolsafe.pooler.start) · [Configure target database](command:poolsafe.configureTarget)');
        break;
      case 'starting':
        md.appendMarkdown('**PoolSafe pooler** is starting (logging in to the target database)…');
        break;
      case 'running': {
        const { host, port, poolMode, serverPolicy, poolSize } = state.info;
        const url = this.connectionString();
        md.appendMarkdown(`**PoolSafe pooler** on ${host}:${port} — ${poolMode} mode, policy \`${serverPolicy}\`, pool size ${poolSize}\n\n`);
        md.appendMarkdown(`${state.summary.clients} clients · ${state.summary.servers} server connections · ${state.summary.hazards} hazards\n\n`);
        if (url) {
          md.appendMarkdown('Point your app at:\n\n');
          md.appendCodeblock(redactUrl(url), 'text');
        }
        md.appendMarkdown('\n[Copy connection string](command:poolsafe.pooler.copyConnectionString) · [Stop](command:poolsafe.pooler.stop) · [Restart](command:poolsafe.pooler.restart)');
        break;
      }
      case 'error':
        md.appendMarkdown(`**PoolSafe pooler stopped:** ${escapeMarkdown(state.failure.message)}\n\n`);
        if (state.failure.detail) md.appendCodeblock(redactUrl(state.failure.detail), 'text');
        md.appendMarkdown('\n[Restart](command:poolsafe.pooler.restart) · [Configure target database](command:poolsafe.configureTarget) · [Show output](command:poolsafe.showOutput)');
        break;
    }
    return md;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
