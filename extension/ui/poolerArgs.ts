// poolsafe.pooler.* settings → flags of `dist/pooler.js` (README, "CLI").

export interface PoolerSettings {
  port: number;
  poolMode: string;
  poolSize: number;
  serverPolicy: string;
  maxPreparedStatements: number;
  /** PgBouncer .ini to mirror, absolute or relative to the workspace folder ('' = none). */
  iniFile: string;
}

export const DEFAULT_POOLER_SETTINGS: PoolerSettings = {
  port: 6432,
  poolMode: 'transaction',
  poolSize: 20,
  serverPolicy: 'rotate',
  maxPreparedStatements: 0,
  iniFile: '',
};

/**
 * Flags for the pooler. With an .ini the file decides everything it sets, so only settings the user
 * changed from their defaults are passed on top (flags win over the file in the pooler).
 */
export function poolerArgs(settings: PoolerSettings, resolvedIniFile?: string): string[] {
  const args: string[] = [];
  const changed = (key: keyof PoolerSettings) => !resolvedIniFile || settings[key] !== DEFAULT_POOLER_SETTINGS[key];
  if (resolvedIniFile) args.push('--config', resolvedIniFile);
  if (changed('port')) args.push('--listen', `127.0.0.1:${settings.port}`);
  if (changed('poolMode')) args.push('--pool-mode', settings.poolMode);
  if (changed('poolSize')) args.push('--pool-size', String(settings.poolSize));
  if (changed('serverPolicy')) args.push('--server-policy', settings.serverPolicy);
  if (changed('maxPreparedStatements')) args.push('--max-prepared-statements', String(settings.maxPreparedStatements));
  return args;
}
