// The PoolSafe language client: starts dist/server.js over IPC for the languages in `poolsafe.languages`.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_ENV, SERVER_EXEC_ARGV } from '../server/launch';

export const ALL_LANGUAGES = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'] as const;

/** The languages the user wants analysed (an unset or invalid setting means all of them). */
export function configuredLanguages(): string[] {
  const setting = vscode.workspace.getConfiguration('poolsafe').get<unknown>('languages');
  if (!Array.isArray(setting)) return [...ALL_LANGUAGES];
  return ALL_LANGUAGES.filter((language) => setting.includes(language));
}

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // vscode-languageclient forks the module with process.env and these variables over it (not instead of it).
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV], env: { ...SERVER_ENV } } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'], env: { ...SERVER_ENV } } },
  };
  // Saved and unsaved documents alike: diagnostics should appear while typing in a new file.
  const documentSelector = configuredLanguages().flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel,
    // The server pulls `poolsafe.*` via workspace/configuration; the watcher makes .poolsafe.json edits apply at once.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/.poolsafe.json') },
    // Doc links in diagnostics (docs/rules/<id>.md) resolve against the installed extension.
    initializationOptions: { extensionRoot: context.extensionPath },
  };
  return new LanguageClient('poolsafe', 'PoolSafe', serverOptions, clientOptions);
}
