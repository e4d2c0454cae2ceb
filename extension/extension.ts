// Extension entry point. Activated lazily by the languages it analyses (see package.json activationEvents).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './client';

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;

/** What other extensions (and the editor tests) can reach through `extension.exports`. */
export interface PoolSafeApi {
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
  try {
    await startClient(context);
  } catch (error) {
    outputChannel.error(`language server failed to start: ${(error as Error).message}`);
  }
  return { languageClient: () => client };
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
