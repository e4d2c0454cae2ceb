// Maps a PgBouncer .ini (parsed by ini.ts) onto PoolerConfig, so `--config pgbouncer.ini` mirrors a
// production pooler's databases, pool settings and auth_file users.
import { loadPgBouncerConfig, type IniDatabase, type IniPoolerSettings, type IniUser, type IniWarning } from './ini';
import { dirname, isAbsolute, resolve } from 'node:path';
import { userSecret } from './auth';
import { existsSync, readFileSync } from 'node:fs';
import { parseHba } from './hba';
import { parseIdent } from './ident';
import { CLIENT_AUTH_TYPES, CLIENT_TLS_MODES, SSL_MODES, type ClientAuthType, defaultConfig, isAdminDatabase, reservedAuthDbnameMessage, type ClientTlsMode, type SslMode, type DatabaseTarget, type PoolerConfig, type UserOverrides } from './config';

function targetFromIni(entry: IniDatabase, fallback: DatabaseTarget | undefined): DatabaseTarget {
  const dbname = entry.dbname ?? entry.name;
  const [host, ...others] = (entry.host ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  // PgBouncer ≥ 1.24: host=a,b spreads new connections over the hosts unless load_balance_hosts = disable.
  const port = entry.port ?? fallback?.port ?? 5432;
  const replicas = entry.loadBalanceHosts === 'disable' ? [] : others.map((other) => hostAndPort(other, port));
  return {
    replicas: replicas.length > 0 ? replicas : undefined,
    name: entry.name,
    host: host ?? fallback?.host ?? '127.0.0.1',
    port,
    dbname,
    // Empty user: the server login uses the client's own user and auth_file password (PgBouncer's rule).
    user: entry.user ?? '',
    password: entry.password,
    sslmode: fallback?.sslmode ?? 'disable',
    sslrootcert: fallback?.sslrootcert,
    sslmode_from_config: true,
    pool_size: entry.poolSize,
    min_pool_size: entry.minPoolSize,
    reserve_pool: entry.reservePool,
    pool_mode: entry.poolMode,
    auth_user: entry.authUser,
    auth_dbname: entry.authDbname,
    auth_query: entry.authQuery,
    max_db_connections: entry.maxDbConnections,
    max_db_client_connections: entry.maxDbClientConnections,
    server_lifetime: entry.serverLifetime,
    connect_query: entry.connectQuery,
  };
}

/** `host` or `host:port` of a host list entry (the entry's port by default). */
function hostAndPort(text: string, port: number): { host: string; port: number; weight: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  return m ? { host: m[1], port: Number(m[2]), weight: 1 } : { host: text, port, weight: 1 };
}

function overridesFromIni(entry: IniUser): UserOverrides {
  return {
    pool_mode: entry.poolMode,
    pool_size: entry.poolSize,
    reserve_pool_size: entry.reservePoolSize,
    max_user_connections: entry.maxUserConnections,
    max_user_client_connections: entry.maxUserClientConnections,
    query_timeout: entry.queryTimeout,
    idle_transaction_timeout: entry.idleTransactionTimeout,
    client_idle_timeout: entry.clientIdleTimeout,
    transaction_timeout: entry.transactionTimeout,
  };
}

/**
 * A relative auth_hba_file is looked for next to the ini (PoolSafe's rule for auth_file), then in
 * the working directory (where PgBouncer, which opens it as given, finds it).
 */
function hbaFilePath(file: string, iniDir: string): string {
  const besideIni = resolve(iniDir, file);
  return isAbsolute(file) || existsSync(besideIni) ? besideIni : resolve(file);
}

/** auth_hba_file's rules, or auth_ident_file's maps; an unreadable or malformed file fails the load (start or RELOAD). */
function readHbaFile<T>(path: string, setting: string, parse: (text: string) => T): T {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${setting} ${path}: ${(error as Error).message}`);
  }
}

/** auth_hba_file and auth_ident_file; a rule's map= must name a map the ident file has (PgBouncer refuses the rule otherwise). */
function readHba(config: PoolerConfig): PoolerConfig['hba'] {
  const rules = readHbaFile(config.auth_hba_file, 'auth_hba_file', parseHba);
  const identMaps = config.auth_ident_file ? readHbaFile(config.auth_ident_file, 'auth_ident_file', parseIdent) : new Map();
  const unknown = rules.find((rule) => rule.map !== undefined && !identMaps.has(rule.map));
  if (unknown) throw new Error(`auth_hba_file ${config.auth_hba_file}: line ${unknown.line}: ident map ${unknown.map} is not found in ident config file`);
  return { rules, identMaps };
}

/** PgBouncer's default since 1.22: an ini that does not set it gets protocol-level prepared statements. */
const PGBOUNCER_MAX_PREPARED_STATEMENTS = 200;

/** PgBouncer's default unix socket folder; `unix_socket_dir =` (empty) turns the socket off. */
const DEFAULT_UNIX_SOCKET_DIR = '/tmp';

/** server_tls_sslmode: else the --target URL's sslmode, else PgBouncer's default prefer (TLS when offered). */
function serverTlsMode(mode: string | undefined, target: DatabaseTarget | undefined): SslMode {
  if (mode === undefined) return target?.sslmode ?? 'prefer';
  if (!SSL_MODES.includes(mode as SslMode)) throw new Error(`server_tls_sslmode = ${mode} is not supported (use ${SSL_MODES.join(', ')})`);
  return mode as SslMode;
}

/** client_tls_* / server_tls_*: relative file paths are taken from the ini's folder, as auth_file is. */
function applyTls(config: PoolerConfig, s: IniPoolerSettings, iniDir: string): void {
  const mode = s.clientTlsSslmode;
  if (mode !== undefined) {
    if (!CLIENT_TLS_MODES.includes(mode as ClientTlsMode)) {
      throw new Error(`client_tls_sslmode = ${mode} is not supported (use ${CLIENT_TLS_MODES.join(', ')})`);
    }
    config.client_tls_sslmode = mode as ClientTlsMode;
  }
  const file = (value: string | undefined, current: string) => (value === undefined ? current : value === '' ? '' : resolve(iniDir, value));
  config.client_tls_key_file = file(s.clientTlsKeyFile, config.client_tls_key_file);
  config.client_tls_cert_file = file(s.clientTlsCertFile, config.client_tls_cert_file);
  config.client_tls_ca_file = file(s.clientTlsCaFile, config.client_tls_ca_file);
  config.server_tls_key_file = file(s.serverTlsKeyFile, config.server_tls_key_file);
  config.server_tls_cert_file = file(s.serverTlsCertFile, config.server_tls_cert_file);
  config.server_tls_ca_file = file(s.serverTlsCaFile, config.server_tls_ca_file);
  config.client_tls_protocols = s.clientTlsProtocols ?? config.client_tls_protocols;
  config.client_tls_ciphers = s.clientTlsCiphers ?? config.client_tls_ciphers;
  config.client_tls13_ciphers = s.clientTls13Ciphers ?? config.client_tls13_ciphers;
  config.server_tls_protocols = s.serverTlsProtocols ?? config.server_tls_protocols;
  config.server_tls_ciphers = s.serverTlsCiphers ?? config.server_tls_ciphers;
  config.server_tls13_ciphers = s.serverTls13Ciphers ?? config.server_tls13_ciphers;
}

/** PgBouncer's pool_mode when an ini sets none. */
const PGBOUNCER_POOL_MODE = 'session';
const POOL_MODE_NOTICE = 'no pool_mode set: session, as in PgBouncer (pool_mode = transaction, or --pool-mode transaction, reproduces transaction-pooling bugs)';

/**
 * Reads `iniPath` (and its auth_file). `target`, when given, is served too and fills missing hosts.
 * Every key or section PoolSafe does not act on is passed to `warn` (file:line: message).
 */
export function configFromIni(iniPath: string, target?: DatabaseTarget, warn: (warning: IniWarning) => void = () => {}): PoolerConfig {
  const { ini, userlist, warnings } = loadPgBouncerConfig(iniPath);
  warnings.forEach(warn);
  const config = defaultConfig();
  const s = ini.settings;
  if (s.listenAddr !== undefined) config.listen_addr = s.listenAddr === '*' ? '0.0.0.0' : s.listenAddr;
  if (s.listenPort !== undefined) config.listen_port = s.listenPort;
  config.unix_socket_dir = s.unixSocketDir ?? DEFAULT_UNIX_SOCKET_DIR;
  if (s.unixSocketMode !== undefined) config.unix_socket_mode = s.unixSocketMode;
  if (s.maxDbConnections !== undefined) config.max_db_connections = s.maxDbConnections;
  if (s.maxUserConnections !== undefined) config.max_user_connections = s.maxUserConnections;
  if (s.maxDbClientConnections !== undefined) config.max_db_client_connections = s.maxDbClientConnections;
  if (s.maxUserClientConnections !== undefined) config.max_user_client_connections = s.maxUserClientConnections;
  if (s.trackExtraParameters !== undefined) config.track_extra_parameters = s.trackExtraParameters;
  for (const entry of ini.users) config.user_overrides.set(entry.name, overridesFromIni(entry));
  if (s.authType !== undefined) {
    if (!CLIENT_AUTH_TYPES.includes(s.authType as ClientAuthType)) throw new Error(`auth_type = ${s.authType} is not supported (use ${CLIENT_AUTH_TYPES.join(', ')})`);
    config.auth_type = s.authType as ClientAuthType;
  }
  if (s.authHbaFile !== undefined) config.auth_hba_file = hbaFilePath(s.authHbaFile, dirname(iniPath));
  if (s.authIdentFile !== undefined) config.auth_ident_file = hbaFilePath(s.authIdentFile, dirname(iniPath));
  if (config.auth_hba_file) config.hba = readHba(config);
  // An ini means what it means to PgBouncer: without pool_mode, session. A team mirroring a production
  // ini that sets none gets the mode production runs in, not hazards production never sees.
  config.pool_mode = s.poolMode ?? PGBOUNCER_POOL_MODE;
  if (s.poolMode === undefined) warn({ file: iniPath, line: 0, message: POOL_MODE_NOTICE });
  if (s.defaultPoolSize !== undefined) config.default_pool_size = s.defaultPoolSize;
  if (s.minPoolSize !== undefined) config.min_pool_size = s.minPoolSize;
  if (s.reservePoolSize !== undefined) config.reserve_pool_size = s.reservePoolSize;
  if (s.maxClientConn !== undefined) config.max_client_conn = s.maxClientConn;
  if (s.serverLifetime !== undefined) config.server_lifetime = s.serverLifetime;
  if (s.serverIdleTimeout !== undefined) config.server_idle_timeout = s.serverIdleTimeout;
  if (s.serverConnectTimeout !== undefined) config.server_connect_timeout = s.serverConnectTimeout;
  if (s.queryWaitTimeout !== undefined) config.query_wait_timeout = s.queryWaitTimeout;
  if (s.queryWaitNotify !== undefined) config.query_wait_notify = s.queryWaitNotify;
  if (s.serverCheckQuery !== undefined) config.server_check_query = s.serverCheckQuery;
  if (s.serverCheckDelay !== undefined) config.server_check_delay = s.serverCheckDelay;
  if (s.clientIdleTimeout !== undefined) config.client_idle_timeout = s.clientIdleTimeout;
  if (s.idleTransactionTimeout !== undefined) config.idle_transaction_timeout = s.idleTransactionTimeout;
  if (s.queryTimeout !== undefined) config.query_timeout = s.queryTimeout;
  if (s.transactionTimeout !== undefined) config.transaction_timeout = s.transactionTimeout;
  if (s.serverLoginRetry !== undefined) config.server_login_retry = s.serverLoginRetry;
  if (s.serverFastClose !== undefined) config.server_fast_close = s.serverFastClose;
  if (s.logConnections !== undefined) config.log_connections = s.logConnections;
  if (s.verbose !== undefined) config.verbose = s.verbose;
  config.server_tls_sslmode = serverTlsMode(s.serverTlsSslmode, target);
  if (s.clientLoginTimeout !== undefined) config.client_login_timeout = s.clientLoginTimeout;
  config.max_prepared_statements = s.maxPreparedStatements ?? PGBOUNCER_MAX_PREPARED_STATEMENTS;
  if (s.logfile !== undefined) config.logfile = s.logfile === '' ? '' : resolve(dirname(iniPath), s.logfile);
  if (s.serverResetQuery !== undefined) config.server_reset_query = s.serverResetQuery;
  if (s.serverResetQueryAlways !== undefined) config.server_reset_query_always = s.serverResetQueryAlways;
  if (s.ignoreStartupParameters !== undefined) config.ignore_startup_parameters = s.ignoreStartupParameters;
  // PgBouncer's rule: only these users reach the admin console; with neither list, nobody does.
  if (s.adminUsers !== undefined) config.admin_users = s.adminUsers;
  if (s.statsUsers !== undefined) config.stats_users = s.statsUsers;
  if (s.authUser !== undefined) config.auth_user = s.authUser;
  if (s.authQuery !== undefined) config.auth_query = s.authQuery;
  if (s.authDbname !== undefined) config.auth_dbname = s.authDbname;
  if (isAdminDatabase(config.auth_dbname)) throw new Error(reservedAuthDbnameMessage(config.auth_dbname));
  applyTls(config, s, dirname(iniPath));
  if (s.serverRoundRobin) config.server_policy = 'round-robin';
  else if (s.serverRoundRobin === false) config.server_policy = 'lifo';
  for (const entry of userlist?.users ?? []) config.users.set(entry.name, userSecret(entry.name, entry.password));
  if (target) {
    config.databases.set(target.name, target);
    if (target.password !== undefined && !config.users.has(target.user)) config.users.set(target.user, userSecret(target.user, target.password));
  }
  for (const entry of ini.databases) config.databases.set(entry.name, targetFromIni(entry, target));
  if (ini.fallback) config.fallback_database = targetFromIni(ini.fallback, target);
  if ([...config.databases.values()].some((entry) => entry.replicas)) config.load_balance = 'round-robin';
  return config;
}
