// A minimal LSP client for protocol tests: spawns the bundled server (`node dist/server.js --stdio`) and
// speaks JSON-RPC to it, answering the requests a real editor answers (workspace/configuration,
// client/registerCapability) and collecting published diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { serverPath } from '../helpers/paths';
import { SERVER_ENV, SERVER_EXEC_ARGV } from '../../server/launch';
import { cpuDeadline } from '../helpers/cpuDeadline';

export interface LspClient {
  connection: MessageConnection;
  process: ChildProcess;
  /** The `poolsafe` section returned to workspace/configuration; change it, then call `settingsChanged`. */
  settings: Record<string, unknown>;
  open(path: string, languageId: string, text: string): string;
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number;
  settingsChanged(): void;
  /**
   * Resolves with the first diagnostics for `uri` (at `version`, if given) accepted by `accept`. Fails once the
   * server has used `cpuBudgetMs` of CPU time (10 s) while none came, or after ten times as long on the wall clock:
   * a server's first TS/JS file compiles the TypeScript compiler (1-2 s of CPU), which on a loaded machine took
   * over 10 s of wall-clock time, so a wall-clock deadline failed tests whose server was only waiting for a core.
   */
  diagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean, version?: number, cpuBudgetMs?: number): Promise<Diagnostic[]>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startLspClient(options: { rootPath: string; settings?: Record<string, unknown>; initializationOptions?: unknown }): Promise<LspClient> {
  const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...SERVER_ENV } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const versions = new Map<string, number>();
  const published: PublishDiagnosticsParams[] = [];
  const waiters = new Set<() => void>();
  const client: LspClient = {
    connection,
    process: child,
    settings: { ...options.settings },
    open(path, languageId, text) {
      const uri = pathToFileURL(path).href;
      versions.set(uri, 1);
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      return uri;
    },
    change(uri, changes) {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      void connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
      return version;
    },
    settingsChanged() {
      void connection.sendNotification('workspace/didChangeConfiguration', { settings: { poolsafe: client.settings } });
    },
    diagnostics(uri, accept = () => true, version, cpuBudgetMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = published.find((p) => p.uri === uri && (version === undefined || p.version === version) && accept(p.diagnostics));
          if (!hit) return false;
          waiters.delete(check);
          cancel();
          resolve(hit.diagnostics);
          return true;
        };
        const cancel = cpuDeadline(child.pid!, { cpuMs: cpuBudgetMs, wallMs: 10 * cpuBudgetMs }, (reason) => {
          waiters.delete(check);
          const seen = published.filter((p) => p.uri === uri).map((p) => `v${p.version}: ${p.diagnostics.map((d) => d.code).join(',')}`);
          reject(new Error(`no matching diagnostics for ${uri}: the server ${reason}; published: ${seen.join(' | ')}; stderr: ${stderr}`));
        });
        if (!check()) waiters.add(check);
      });
    },
    stderr: () => stderr,
    async stop() {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        void connection.sendNotification('exit');
      } catch {
        // the server may already be gone; killing it below is what matters
      }
      connection.dispose();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        await exited;
      }
    },
  };
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    for (const waiter of [...waiters]) waiter();
  });
  connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
    params.items.map((item) => (item.section === 'poolsafe' ? client.settings : null)),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  const rootUri = pathToFileURL(options.rootPath).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'workspace' }],
    initializationOptions: options.initializationOptions,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
      textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] } } },
    },
  });
  void connection.sendNotification('initialized', {});
  return client;
}
