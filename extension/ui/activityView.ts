// The "Pool activity" webview view in the PoolSafe activity-bar container. The page is static: a
// stylesheet from media/ and the chart script from dist/ (nothing else may load: strict
// Content-Security-Policy with a nonce, resources only from the extension), and the series from the
// ActivityRing posted to it, at most a few times a second while the view is visible.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { ActivityRing, FromWebview, ToWebview } from './activityModel';

export const ACTIVITY_VIEW_ID = 'poolsafe.activity';
/** Bursts of hazards fire many changes: the view redraws at most this often. */
const POST_INTERVAL_MS = 250;

export interface ActivitySource {
  ring: ActivityRing;
  running(): boolean;
  showHazard(id: number): unknown;
  startPooler(): unknown;
}

export class ActivityViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly source: ActivitySource) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = this.html(webview);
    view.onDidDispose(() => (this.view = undefined));
    view.onDidChangeVisibility(() => this.update());
    webview.onDidReceiveMessage((message: FromWebview) => {
      if (message.type === 'ready') this.postNow();
      else if (message.type === 'showHazard') void this.source.showHazard(message.id);
      else if (message.type === 'startPooler') void this.source.startPooler();
    });
  }

  /** New data: redraw soon (coalesced) if the view is showing. */
  update(): void {
    if (!this.view?.visible || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.postNow();
    }, POST_INTERVAL_MS);
  }

  private postNow(): void {
    if (!this.view?.visible) return;
    const message: ToWebview = { type: 'series', series: this.source.ring.series(this.source.running()) };
    void this.view.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'activity.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Pool activity</title>
</head>
<body>
<main id="pool-activity">
<div id="charts"><p class="status">Start the pooler to see its activity.</p></div>
<section id="details" hidden></section>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    clearTimeout(this.pending);
  }
}

export function registerActivityView(context: vscode.ExtensionContext, source: ActivitySource): ActivityViewProvider {
  const provider = new ActivityViewProvider(context.extensionUri, source);
  context.subscriptions.push(provider, vscode.window.registerWebviewViewProvider(ACTIVITY_VIEW_ID, provider));
  return provider;
}
