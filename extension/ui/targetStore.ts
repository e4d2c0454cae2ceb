// Where the dev database URL and its password live: the URL (never the password) in the setting
// `poolsafe.pooler.target`, the password in SecretStorage keyed by user@host:port.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultTargetUrl, secretKeyFor, splitPassword, withPassword } from './target';

export class TargetStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The URL without password, as configured ('' when none). */
  url(): string {
    return vscode.workspace.getConfiguration('poolsafe.pooler').get<string>('target', '').trim();
  }

  /** The URL with the stored password, for the pooler process only. */
  async urlWithPassword(): Promise<string | undefined> {
    const url = this.url();
    if (!url) return undefined;
    return withPassword(url, await this.secrets.get(secretKeyFor(url)));
  }

  async password(): Promise<string | undefined> {
    const url = this.url();
    return url ? this.secrets.get(secretKeyFor(url)) : undefined;
  }

  /** Saves a URL: the password (if any) to SecretStorage, the rest to settings. */
  async save(fullUrl: string, password?: string): Promise<void> {
    const split = splitPassword(fullUrl);
    const secret = password ?? split.password;
    if (secret !== undefined) await this.secrets.store(secretKeyFor(split.url), secret);
    const scope = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('poolsafe.pooler').update('target', split.url, scope);
  }

  async hasPassword(url: string): Promise<boolean> {
    return (await this.secrets.get(secretKeyFor(url))) !== undefined;
  }

  /** DATABASE_URL from the environment, else from the first workspace folder's `.env`. */
  async suggestion(): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    let dotEnv: string | undefined;
    if (folder && folder.uri.scheme === 'file') {
      dotEnv = await readFile(join(folder.uri.fsPath, '.env'), 'utf8').catch(() => undefined);
    }
    return defaultTargetUrl(process.env, dotEnv);
  }
}
