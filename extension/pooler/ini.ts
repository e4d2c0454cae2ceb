// Reads PgBouncer's configuration formats so a team can mirror its production pooler locally:
// the `.ini` file (`[databases]` and `[pgbouncer]` sections) and the `userlist.txt` auth file.
// Parsing is pure (text in, typed objects out); loadPgBouncerConfig() adds the file reads.
// Anything PgBouncer knows but PoolSafe does not act on becomes a warning, never a silent drop.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

export type IniPoolMode = 'session' | 'transaction' | 'statement';
export type IniAuthType = 'scram-sha-256' | 'md5' | 'plain' | 'trust' | 'any' | 'cert' | 'hba' | 'pam' | 'ldap';

/** One `[databases]` entry; `name` is `*` for the fallback entry. Timeouts elsewhere are seconds. */
export interface IniDatabase {
  name: string;
  line: number;
  host?: string;
  port?: number;
  dbname?: string;
  user?: string;
  password?: string;
  authUser?: string;
  authDbname?: string;
  authQuery?: string;
  poolSize?: number;
  minPoolSize?: number;
  reservePool?: number;
  maxDbConnections?: number;
  maxDbClientConnections?: number;
  serverLifetime?: number;
  poolMode?: IniPoolMode;
  connectQuery?: string;
  clientEncoding?: string;
  datestyle?: string;
  timezone?: string;
  applicationName?: string;
  /** PgBouncer ≥ 1.24: how a new connection picks among `host=a,b` (round-robin, the default, or disable). */
  loadBalanceHosts?: string;
}

/** One `[users]` entry: per-user overrides and limits (PgBouncer ≥ 1.9). */
export interface IniUser {
  name: string;
  line: number;
  poolMode?: IniPoolMode;
  poolSize?: number;
  reservePoolSize?: number;
  maxUserConnections?: number;
  maxUserClientConnections?: number;
  queryTimeout?: number;
  idleTransactionTimeout?: number;
  clientIdleTimeout?: number;
  transactionTimeout?: number;
}

/** The `[pgbouncer]` keys PoolSafe acts on. Durations are in seconds, as PgBouncer writes them. */
export interface IniPoolerSettings {
  listenAddr?: string;
  listenPort?: number;
  logfile?: string;
  unixSocketDir?: string;
  unixSocketMode?: number;
  authType?: IniAuthType;
  authFile?: string;
  authUser?: string;
  authQuery?: string;
  authDbname?: string;
  authHbaFile?: string;
  poolMode?: IniPoolMode;
  defaultPoolSize?: number;
  minPoolSize?: number;
  reservePoolSize?: number;
  maxClientConn?: number;
  maxDbConnections?: number;
  maxUserConnections?: number;
  maxDbClientConnections?: number;
  maxUserClientConnections?: number;
  trackExtraParameters?: string[];
  serverLifetime?: number;
  serverIdleTimeout?: number;
  serverConnectTimeout?: number;
  queryWaitTimeout?: number;
  queryWaitNotify?: number;
  serverCheckQuery?: string;
  serverCheckDelay?: number;
  clientIdleTimeout?: number;
  idleTransactionTimeout?: number;
  queryTimeout?: number;
  transactionTimeout?: number;
  serverLoginRetry?: number;
  serverTlsSslmode?: string;
  serverFastClose?: boolean;
  logConnections?: boolean;
  verbose?: number;
  clientLoginTimeout?: number;
  maxPreparedStatements?: number;
  serverResetQuery?: string;
  serverResetQueryAlways?: boolean;
  adminUsers?: string[];
  statsUsers?: string[];
  serverRoundRobin?: boolean;
  ignoreStartupParameters?: string[];
  clientTlsSslmode?: string;
  clientTlsKeyFile?: string;
  clientTlsCertFile?: string;
  clientTlsCaFile?: string;
  clientTlsProtocols?: string;
  clientTlsCiphers?: string;
  clientTls13Ciphers?: string;
  serverTlsCaFile?: string;
  serverTlsKeyFile?: string;
  serverTlsCertFile?: string;
  serverTlsProtocols?: string;
  serverTlsCiphers?: string;
  serverTls13Ciphers?: string;
  authIdentFile?: string;
}

export interface IniWarning {
  file: string;
  line: number;
  message: string;
}

export interface ParsedIni {
  /** Named databases, in file order (a repeated name keeps the last definition, as PgBouncer does). */
  databases: IniDatabase[];
  /** The `*` entry: used for any database name not listed. */
  fallback?: IniDatabase;
  /** `[users]` entries (a repeated name keeps the last definition). */
  users: IniUser[];
  settings: IniPoolerSettings;
  warnings: IniWarning[];
}

export type UserlistPasswordKind = 'plain' | 'md5' | 'scram-sha-256';

export interface UserlistEntry {
  name: string;
  /** Plaintext, `md5<hex>` or a `SCRAM-SHA-256$…` verifier, exactly as written. */
  password: string;
  kind: UserlistPasswordKind;
  line: number;
}

export interface Userlist {
  users: UserlistEntry[];
  warnings: IniWarning[];
}

export class IniError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'IniError';
  }
}

type SettingKind = 'string' | 'int' | 'octal' | 'seconds' | 'bool' | 'list' | 'poolMode' | 'authType';

const POOLER_KEYS: Record<string, { field: keyof IniPoolerSettings; kind: SettingKind }> = {
  listen_addr: { field: 'listenAddr', kind: 'string' },
  listen_port: { field: 'listenPort', kind: 'int' },
  logfile: { field: 'logfile', kind: 'string' },
  unix_socket_dir: { field: 'unixSocketDir', kind: 'string' },
  unix_socket_mode: { field: 'unixSocketMode', kind: 'octal' },
  auth_type: { field: 'authType', kind: 'authType' },
  auth_file: { field: 'authFile', kind: 'string' },
  auth_user: { field: 'authUser', kind: 'string' },
  auth_query: { field: 'authQuery', kind: 'string' },
  auth_dbname: { field: 'authDbname', kind: 'string' },
  auth_hba_file: { field: 'authHbaFile', kind: 'string' },
  pool_mode: { field: 'poolMode', kind: 'poolMode' },
  default_pool_size: { field: 'defaultPoolSize', kind: 'int' },
  min_pool_size: { field: 'minPoolSize', kind: 'int' },
  reserve_pool_size: { field: 'reservePoolSize', kind: 'int' },
  max_client_conn: { field: 'maxClientConn', kind: 'int' },
  max_db_connections: { field: 'maxDbConnections', kind: 'int' },
  max_user_connections: { field: 'maxUserConnections', kind: 'int' },
  max_db_client_connections: { field: 'maxDbClientConnections', kind: 'int' },
  max_user_client_connections: { field: 'maxUserClientConnections', kind: 'int' },
  track_extra_parameters: { field: 'trackExtraParameters', kind: 'list' },
  server_lifetime: { field: 'serverLifetime', kind: 'seconds' },
  server_idle_timeout: { field: 'serverIdleTimeout', kind: 'seconds' },
  server_connect_timeout: { field: 'serverConnectTimeout', kind: 'seconds' },
  query_wait_timeout: { field: 'queryWaitTimeout', kind: 'seconds' },
  query_wait_notify: { field: 'queryWaitNotify', kind: 'seconds' },
  server_check_query: { field: 'serverCheckQuery', kind: 'string' },
  server_check_delay: { field: 'serverCheckDelay', kind: 'seconds' },
  client_idle_timeout: { field: 'clientIdleTimeout', kind: 'seconds' },
  idle_transaction_timeout: { field: 'idleTransactionTimeout', kind: 'seconds' },
  query_timeout: { field: 'queryTimeout', kind: 'seconds' },
  transaction_timeout: { field: 'transactionTimeout', kind: 'seconds' },
  server_login_retry: { field: 'serverLoginRetry', kind: 'seconds' },
  server_tls_sslmode: { field: 'serverTlsSslmode', kind: 'string' },
  server_fast_close: { field: 'serverFastClose', kind: 'bool' },
  log_connections: { field: 'logConnections', kind: 'bool' },
  verbose: { field: 'verbose', kind: 'int' },
  client_login_timeout: { field: 'clientLoginTimeout', kind: 'seconds' },
  max_prepared_statements: { field: 'maxPreparedStatements', kind: 'int' },
  server_reset_query: { field: 'serverResetQuery', kind: 'string' },
  server_reset_query_always: { field: 'serverResetQueryAlways', kind: 'bool' },
  admin_users: { field: 'adminUsers', kind: 'list' },
  stats_users: { field: 'statsUsers', kind: 'list' },
  server_round_robin: { field: 'serverRoundRobin', kind: 'bool' },
  ignore_startup_parameters: { field: 'ignoreStartupParameters', kind: 'list' },
  client_tls_sslmode: { field: 'clientTlsSslmode', kind: 'string' },
  client_tls_key_file: { field: 'clientTlsKeyFile', kind: 'string' },
  client_tls_cert_file: { field: 'clientTlsCertFile', kind: 'string' },
  client_tls_ca_file: { field: 'clientTlsCaFile', kind: 'string' },
  client_tls_protocols: { field: 'clientTlsProtocols', kind: 'string' },
  client_tls_ciphers: { field: 'clientTlsCiphers', kind: 'string' },
  client_tls13_ciphers: { field: 'clientTls13Ciphers', kind: 'string' },
  server_tls_ca_file: { field: 'serverTlsCaFile', kind: 'string' },
  server_tls_key_file: { field: 'serverTlsKeyFile', kind: 'string' },
  server_tls_cert_file: { field: 'serverTlsCertFile', kind: 'string' },
  server_tls_protocols: { field: 'serverTlsProtocols', kind: 'string' },
  server_tls_ciphers: { field: 'serverTlsCiphers', kind: 'string' },
  server_tls13_ciphers: { field: 'serverTls13Ciphers', kind: 'string' },
  auth_ident_file: { field: 'authIdentFile', kind: 'string' },
};

const DATABASE_KEYS: Record<string, { field: keyof IniDatabase; kind: 'string' | 'int' | 'poolMode' }> = {
  host: { field: 'host', kind: 'string' },
  port: { field: 'port', kind: 'int' },
  dbname: { field: 'dbname', kind: 'string' },
  user: { field: 'user', kind: 'string' },
  password: { field: 'password', kind: 'string' },
  auth_user: { field: 'authUser', kind: 'string' },
  auth_dbname: { field: 'authDbname', kind: 'string' },
  auth_query: { field: 'authQuery', kind: 'string' },
  pool_size: { field: 'poolSize', kind: 'int' },
  min_pool_size: { field: 'minPoolSize', kind: 'int' },
  reserve_pool: { field: 'reservePool', kind: 'int' },
  reserve_pool_size: { field: 'reservePool', kind: 'int' },
  max_db_connections: { field: 'maxDbConnections', kind: 'int' },
  max_db_client_connections: { field: 'maxDbClientConnections', kind: 'int' },
  server_lifetime: { field: 'serverLifetime', kind: 'int' },
  pool_mode: { field: 'poolMode', kind: 'poolMode' },
  connect_query: { field: 'connectQuery', kind: 'string' },
  client_encoding: { field: 'clientEncoding', kind: 'string' },
  datestyle: { field: 'datestyle', kind: 'string' },
  timezone: { field: 'timezone', kind: 'string' },
  application_name: { field: 'applicationName', kind: 'string' },
  load_balance_hosts: { field: 'loadBalanceHosts', kind: 'string' },
};

const USER_KEYS: Record<string, { field: keyof IniUser; kind: 'int' | 'poolMode' }> = {
  pool_mode: { field: 'poolMode', kind: 'poolMode' },
  pool_size: { field: 'poolSize', kind: 'int' },
  reserve_pool_size: { field: 'reservePoolSize', kind: 'int' },
  max_user_connections: { field: 'maxUserConnections', kind: 'int' },
  max_user_client_connections: { field: 'maxUserClientConnections', kind: 'int' },
  // PgBouncer reads these as whole seconds.
  query_timeout: { field: 'queryTimeout', kind: 'int' },
  idle_transaction_timeout: { field: 'idleTransactionTimeout', kind: 'int' },
  client_idle_timeout: { field: 'clientIdleTimeout', kind: 'int' },
  transaction_timeout: { field: 'transactionTimeout', kind: 'int' },
};

const POOL_MODES: readonly string[] = ['session', 'transaction', 'statement'];
const AUTH_TYPES: readonly string[] = ['scram-sha-256', 'md5', 'plain', 'trust', 'any', 'cert', 'hba', 'pam', 'ldap'];
const TRUE_WORDS = ['1', 'yes', 'on', 'true'];
const FALSE_WORDS = ['0', 'no', 'off', 'false'];
const SECONDS_PER_UNIT: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };

/** Parses the text of a PgBouncer `.ini` file. Throws IniError (with the line) on malformed input. */
export function parseIni(text: string, file = 'pgbouncer.ini'): ParsedIni {
  const result: ParsedIni = { databases: [], users: [], settings: {}, warnings: [] };
  const byName = new Map<string, IniDatabase>();
  const usersByName = new Map<string, IniUser>();
  let section: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = lines[index].trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const warn = (message: string) => result.warnings.push({ file, line: lineNo, message });
    if (line.startsWith('%include')) {
      warn(`%include is not supported; "${line.slice('%include'.length).trim()}" was not read`);
      continue;
    }
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      section = header[1].trim().toLowerCase();
      if (!['databases', 'pgbouncer', 'users', 'peers'].includes(section)) warn(`unknown section [${section}] ignored`);
      else if (section === 'peers') warn(`section [${section}] is not supported; ignored`);
      continue;
    }
    const { key, value } = splitKeyValue(line, file, lineNo);
    if (section === undefined) throw new IniError(file, lineNo, `"${key}" appears before any [section]`);
    if (section === 'databases') {
      const database = parseDatabaseEntry(key, value, file, lineNo, warn);
      byName.set(database.name, database);
    } else if (section === 'users') {
      usersByName.set(key, parseUserEntry(key, value, file, lineNo, warn));
    } else if (section === 'pgbouncer') {
      applyPoolerSetting(result.settings, key.toLowerCase(), value, file, lineNo, warn);
    }
  }
  for (const database of byName.values()) {
    if (database.name === '*') result.fallback = database;
    else result.databases.push(database);
  }
  result.users = [...usersByName.values()];
  return result;
}

/** Splits `key = value`; the key may be double-quoted (database names with spaces). */
function splitKeyValue(line: string, file: string, lineNo: number): { key: string; value: string } {
  let key: string;
  let rest: string;
  if (line.startsWith('"')) {
    const [quoted, end] = readQuoted(line, 0, '"', file, lineNo);
    key = quoted;
    rest = line.slice(end).trimStart();
  } else {
    const eq = line.indexOf('=');
    if (eq < 0) throw new IniError(file, lineNo, `expected "key = value", got "${line}"`);
    key = line.slice(0, eq).trim();
    rest = line.slice(eq);
  }
  if (!rest.startsWith('=')) throw new IniError(file, lineNo, `expected "=" after "${key}"`);
  if (key === '') throw new IniError(file, lineNo, 'empty key before "="');
  return { key, value: rest.slice(1).trim() };
}

/** Reads a quoted string starting at `start` (the opening quote); a doubled quote stands for one. */
function readQuoted(text: string, start: number, quote: string, file: string, lineNo: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new IniError(file, lineNo, `unterminated ${quote}quoted${quote} value`);
    const ch = text[i];
    if (ch === quote) {
      if (text[i + 1] === quote) {
        out += quote;
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    out += ch;
    i++;
  }
}

/** A `[pgbouncer]` value: surrounding single or double quotes are removed. */
function unquoteValue(value: string, file: string, lineNo: number): string {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;
  const [inner, end] = readQuoted(value, 0, quote, file, lineNo);
  if (value.slice(end).trim() !== '') throw new IniError(file, lineNo, `unexpected text after quoted value: "${value.slice(end).trim()}"`);
  return inner;
}

function applyPoolerSetting(
  settings: IniPoolerSettings,
  key: string,
  rawValue: string,
  file: string,
  lineNo: number,
  warn: (message: string) => void,
): void {
  const spec = POOLER_KEYS[key];
  if (!spec) {
    warn(`unknown or unsupported [pgbouncer] key "${key}" ignored`);
    return;
  }
  const value = unquoteValue(rawValue, file, lineNo);
  const record = settings as Record<string, unknown>;
  record[spec.field] = convertSetting(key, value, spec.kind, file, lineNo);
}

function convertSetting(key: string, value: string, kind: SettingKind, file: string, lineNo: number): unknown {
  switch (kind) {
    case 'string':
      return value;
    case 'int':
      return parseNonNegativeInt(key, value, file, lineNo);
    case 'octal':
      if (!/^[0-7]{1,4}$/.test(value)) throw new IniError(file, lineNo, `${key}: expected octal permission bits such as 0777, got "${value}"`);
      return parseInt(value, 8);
    case 'seconds':
      return parseSeconds(key, value, file, lineNo);
    case 'bool': {
      const word = value.toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      throw new IniError(file, lineNo, `${key}: expected a boolean (1/0, yes/no, on/off, true/false), got "${value}"`);
    }
    case 'list':
      return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'poolMode':
      return parseEnum(key, value, POOL_MODES, file, lineNo);
    case 'authType':
      return parseEnum(key, value, AUTH_TYPES, file, lineNo);
  }
}

function parseNonNegativeInt(key: string, value: string, file: string, lineNo: number): number {
  if (!/^\d+$/.test(value)) throw new IniError(file, lineNo, `${key}: expected a non-negative integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new IniError(file, lineNo, `${key}: ${value} is too large`);
  return n;
}

/** PgBouncer durations are seconds (fractions allowed); a unit suffix such as `ms` or `min` is also accepted. */
function parseSeconds(key: string, value: string, file: string, lineNo: number): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value);
  const factor = match ? (match[2] === '' ? 1 : SECONDS_PER_UNIT[match[2].toLowerCase()]) : undefined;
  if (!match || factor === undefined) {
    throw new IniError(file, lineNo, `${key}: expected seconds (e.g. 30, 0.5, 250ms, 5min), got "${value}"`);
  }
  return Number(match[1]) * factor;
}

function parseEnum(key: string, value: string, allowed: readonly string[], file: string, lineNo: number): string {
  const word = value.toLowerCase();
  if (!allowed.includes(word)) throw new IniError(file, lineNo, `${key}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return word;
}

type EntryKind = 'string' | 'int' | 'poolMode';

/** Reads libpq-style `key=value` pairs into `record` by `keys`; unknown keys become warnings. */
function readEntryPairs(
  label: string,
  text: string,
  keys: Record<string, { field: string; kind: EntryKind }>,
  record: Record<string, unknown>,
  file: string,
  lineNo: number,
  warn: (message: string) => void,
): void {
  for (const [key, value] of splitConnstring(text, file, lineNo)) {
    const spec = keys[key.toLowerCase()];
    if (!spec) {
      warn(`${label}: unknown or unsupported parameter "${key}" ignored`);
      continue;
    }
    if (spec.kind === 'int') record[spec.field] = parseNonNegativeInt(key, value, file, lineNo);
    else if (spec.kind === 'poolMode') record[spec.field] = parseEnum(key, value, POOL_MODES, file, lineNo);
    else record[spec.field] = value;
  }
}

/** `name = host=… port=… dbname=…`: libpq-style pairs, values optionally in single quotes ('' escapes). */
function parseDatabaseEntry(name: string, connstring: string, file: string, lineNo: number, warn: (message: string) => void): IniDatabase {
  const database: IniDatabase = { name, line: lineNo };
  readEntryPairs(`database "${name}"`, connstring, DATABASE_KEYS, database as unknown as Record<string, unknown>, file, lineNo, warn);
  return database;
}

/** `[users]` entry: `name = pool_mode=… max_user_connections=…`. */
function parseUserEntry(name: string, settings: string, file: string, lineNo: number, warn: (message: string) => void): IniUser {
  const user: IniUser = { name, line: lineNo };
  readEntryPairs(`user "${name}"`, settings, USER_KEYS, user as unknown as Record<string, unknown>, file, lineNo, warn);
  return user;
}

function splitConnstring(text: string, file: string, lineNo: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  const skipSpaces = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  // Bounded: every iteration consumes at least one character or throws.
  for (skipSpaces(); i < text.length; skipSpaces()) {
    const keyMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!keyMatch) throw new IniError(file, lineNo, `expected a parameter name at "${text.slice(i)}"`);
    const key = keyMatch[0];
    i += key.length;
    skipSpaces();
    if (text[i] !== '=') throw new IniError(file, lineNo, `expected "=" after "${key}"`);
    i++;
    skipSpaces();
    let value: string;
    if (text[i] === "'") {
      [value, i] = readQuoted(text, i, "'", file, lineNo);
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i])) i++;
      value = text.slice(start, i);
    }
    pairs.push([key, value]);
  }
  return pairs;
}

/** Parses PgBouncer's `userlist.txt`: `"user" "password"` per line, `""` inside quotes is one `"`. */
export function parseUserlist(text: string, file = 'userlist.txt'): Userlist {
  const result: Userlist = { users: [], warnings: [] };
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = lines[index].trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (!line.startsWith('"')) throw new IniError(file, lineNo, 'expected "user" "password"');
    const [name, afterName] = readQuoted(line, 0, '"', file, lineNo);
    const rest = line.slice(afterName).trimStart();
    if (!rest.startsWith('"')) throw new IniError(file, lineNo, `user "${name}": expected a quoted password`);
    const [password, afterPassword] = readQuoted(rest, 0, '"', file, lineNo);
    if (rest.slice(afterPassword).trim() !== '') {
      result.warnings.push({ file, line: lineNo, message: `user "${name}": text after the password ignored` });
    }
    if (result.users.some((u) => u.name === name)) {
      result.warnings.push({ file, line: lineNo, message: `user "${name}" listed again; the later entry wins` });
      result.users = result.users.filter((u) => u.name !== name);
    }
    result.users.push({ name, password, kind: passwordKind(password), line: lineNo });
  }
  return result;
}

export function passwordKind(password: string): UserlistPasswordKind {
  if (/^md5[0-9a-f]{32}$/.test(password)) return 'md5';
  if (password.startsWith('SCRAM-SHA-256$')) return 'scram-sha-256';
  return 'plain';
}

export interface PgBouncerConfig {
  ini: ParsedIni;
  /** Entries of `auth_file`, when the ini names one. */
  userlist?: Userlist;
  /** Absolute path of `auth_file` (resolved against the ini's folder). */
  authFilePath?: string;
  warnings: IniWarning[];
}

/** Reads an ini file and the `auth_file` it names; relative paths are taken from the ini's folder. */
export function loadPgBouncerConfig(iniPath: string): PgBouncerConfig {
  const ini = parseIni(readFileSync(iniPath, 'utf8'), iniPath);
  const config: PgBouncerConfig = { ini, warnings: [...ini.warnings] };
  const authFile = ini.settings.authFile;
  if (authFile !== undefined) {
    const authFilePath = isAbsolute(authFile) ? authFile : resolve(dirname(iniPath), authFile);
    const userlist = parseUserlist(readFileSync(authFilePath, 'utf8'), authFilePath);
    config.userlist = userlist;
    config.authFilePath = authFilePath;
    config.warnings.push(...userlist.warnings);
  }
  return config;
}
