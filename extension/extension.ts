// Extension entry point. Activated lazily by the languages it analyses (see package.json activationEvents).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './client';
import { activatePoolerUi, type PoolerUi, type PoolerUiApi } from './ui';

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;
let poolerUi: PoolerUi | undefined;

/** What other extensions (and the editor tests) can reach through `extension.exports`. */
export interface PoolSafeApi extends PoolerUiApi {
  languageClient(): LanguageClient | undefined;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  client = createLanguageClient(context, outputChannel!);
  await client.start();
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

async function restartClient(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<PoolSafeApi> {
  outputChannel = vscode.window.createOutputChannel('PoolSafe', { log: true });
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand('poolsafe.restartServer', async () => {
      await restartClient(context);
      outputChannel!.info('language server restarted');
    }),
    vscode.commands.registerCommand('poolsafe.showOutput', () => outputChannel!.show()),
    // The document selector is fixed when the client starts, so a new language list needs a restart.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('poolsafe.languages')) void restartClient(context);
    }),
  );
  // The pooler UI first: the status bar should not wait for the language server.
  poolerUi = activatePoolerUi(context, outputChannel);
  try {
    await startClient(context);
  } catch (error) {
    outputChannel.error(`language server failed to start: ${(error as Error).message}`);
  }
  return { ...poolerUi, languageClient: () => client };
}

export async function deactivate(): Promise<void> {
  await Promise.all([stopClient(), poolerUi?.dispose()]);
}
