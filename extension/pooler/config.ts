// The pooler's resolved settings. Keys use PgBouncer's names and units (seconds) so SHOW CONFIG and a
// PgBouncer .ini map onto them one to one; defaults are PgBouncer's except where noted.
import { userSecret, type ScramKeys, type UserSecret } from './auth';
import type { HbaRule } from './hba';
import type { IdentMaps } from './ident';
import type { ServerTls } from './tls-settings';
import type { BalanceSettings, LoadBalanceMode } from './balancer';

export type PoolMode = 'session' | 'transaction' | 'statement';
export type ServerPolicy = 'lifo' | 'round-robin' | 'rotate';
/** How one login is checked; `hba` picks one of these per connection from auth_hba_file. */
export type LoginMethod = 'scram-sha-256' | 'md5' | 'trust' | 'plain' | 'cert' | 'peer';
export type ClientAuthType = LoginMethod | 'hba';
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** verify-ca / verify-full: a client must present a certificate client_tls_ca_file signed. */
export type ClientTlsMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export const CLIENT_TLS_MODES: readonly ClientTlsMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
export const DEFAULT_AUTH_QUERY = 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1';

/** Database names that reach the admin console (PgBouncer's reserved "pgbouncer", and PoolSafe's own). */
export const ADMIN_DATABASES: readonly string[] = ['pgbouncer', 'poolsafe'];

export function isAdminDatabase(database: string): boolean {
  return ADMIN_DATABASES.includes(database);
}

/** Why an auth_dbname naming the admin console is refused (it has no server to run auth_query on). */
export function reservedAuthDbnameMessage(name: string): string {
  return `cannot use the reserved "${name}" database as an auth_dbname`;
}

export const POOL_MODES: readonly PoolMode[] = ['session', 'transaction', 'statement'];
export const SERVER_POLICIES: readonly ServerPolicy[] = ['rotate', 'lifo', 'round-robin'];
export const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['scram-sha-256', 'md5', 'plain', 'trust', 'cert', 'peer', 'hba'];

/** Where a client-visible database name leads: one PostgreSQL database and the login used there. */
export interface DatabaseTarget {
  /** Name clients connect to. */
  name: string;
  host: string;
  port: number;
  /** Database name on the server. */
  dbname: string;
  user: string;
  password?: string;
  sslmode: SslMode;
  /** CA file for verify-ca / verify-full (URL sslrootcert). */
  sslrootcert?: string;
  /**
   * Keys recovered from a client's SCRAM proof, for logging in as a user whose password the pooler
   * never learns (userlist verifier or auth_query); set by the pooler, not by configuration.
   */
  scramKeys?: ScramKeys;
  /** Per-database auth_user (PgBouncer `[databases]` auth_user=), overriding the global one. */
  auth_user?: string;
  /** Per-database auth_dbname / auth_query, overriding the global ones. */
  auth_dbname?: string;
  auth_query?: string;
  /**
   * The server login's secret when `password` is not set: the auth_file entry of the forced user, or
   * the client user's (auth_file or auth_query) for a database without user=. Set by the pooler.
   */
  secret?: UserSecret;
  /** Per-database overrides (PgBouncer `[databases]` pool_size=, pool_mode=…). */
  pool_size?: number;
  min_pool_size?: number;
  reserve_pool?: number;
  pool_mode?: PoolMode;
  /** Server connections this database may open over all its pools (0/undefined = the global limit). */
  max_db_connections?: number;
  /** Clients this database admits at once (0/undefined = the global max_db_client_connections). */
  max_db_client_connections?: number;
  /** Seconds a server connection of this database may live (undefined = the global server_lifetime). */
  server_lifetime?: number;
  /** Set on ini databases: their server TLS follows the global server_tls_sslmode (a URL names its own). */
  sslmode_from_config?: boolean;
  /** The applied server_tls_* files, versions and ciphers (ini databases; set by the pooler). */
  serverTls?: ServerTls;
  /** SQL run once on every new server connection, before any client uses it. */
  connect_query?: string;
  /**
   * Read replicas of this database (--replica, pgpool.conf backend_hostnameN, ini host=a,b); the
   * target's own host is the primary. Used when load_balance is not off.
   */
  replicas?: ReplicaHost[];
  /** backend_weight0: the primary's share of reads (pgpool.conf; default 0 with --replica: reads go to replicas). */
  primary_weight?: number;
}

/** One replica: where it listens and its share of reads (Pgpool-II's backend_weight). */
export interface ReplicaHost {
  host: string;
  port: number;
  weight: number;
}

/** A `[users]` entry (PgBouncer ≥ 1.9): per-user pool settings and limits. */
export interface UserOverrides {
  pool_mode?: PoolMode;
  pool_size?: number;
  reserve_pool_size?: number;
  /** Server connections this user may have over all pools (0/undefined = the global limit). */
  max_user_connections?: number;
  /** Clients this user may have logged in at once (0/undefined = the global limit). */
  max_user_client_connections?: number;
  /** Per-user timeouts, in seconds, overriding the global ones (PgBouncer ≥ 1.24). */
  query_timeout?: number;
  idle_transaction_timeout?: number;
  client_idle_timeout?: number;
  transaction_timeout?: number;
}

/** The per-user timeout keys, read from `[users]` and overriding the global value of the same name. */
export type UserTimeoutKey = 'query_timeout' | 'idle_transaction_timeout' | 'client_idle_timeout' | 'transaction_timeout';

/** A timeout for `user`: its `[users]` value when above 0, else the global one (PgBouncer's rule). */
export function userTimeout(config: PoolerConfig, user: string, key: UserTimeoutKey): number {
  const own = config.user_overrides.get(user)?.[key];
  return own !== undefined && own > 0 ? own : config[key];
}

/** The pooler's settings: PgBouncer's keys, PoolSafe's own, and Pgpool-II's load-balancing keys (BalanceSettings, pgpool.conf names). */
export interface PoolerConfig extends BalanceSettings {
  listen_addr: string;
  listen_port: number;
  /** Folder of the unix socket `.s.PGSQL.<port>` ('' = TCP only; an ini defaults to PgBouncer's /tmp). */
  unix_socket_dir: string;
  /** Permission bits of that socket file (PgBouncer's default 0777). */
  unix_socket_mode: number;
  /** File the pooler's log lines are appended to, besides stderr ('' = stderr only). */
  logfile: string;
  pool_mode: PoolMode;
  /** PoolSafe's own key: server choice (PgBouncer has only server_round_robin). */
  server_policy: ServerPolicy;
  auth_type: ClientAuthType;
  default_pool_size: number;
  min_pool_size: number;
  reserve_pool_size: number;
  reserve_pool_timeout: number;
  max_client_conn: number;
  /** Server connections per database / per user over all pools (0 = unlimited). */
  max_db_connections: number;
  max_user_connections: number;
  /** Clients per database / per user logged in at once (0 = unlimited; admin_users on the console are exempt). */
  max_db_client_connections: number;
  max_user_client_connections: number;
  /** Parameters synced onto servers besides PgBouncer's fixed set (PgBouncer's track_extra_parameters). */
  track_extra_parameters: string[];
  server_lifetime: number;
  server_idle_timeout: number;
  server_connect_timeout: number;
  query_wait_timeout: number;
  /** Seconds a client waits for a server before it is told so with a NOTICE (0 = never). */
  query_wait_notify: number;
  /**
   * Run on a server that sat idle longer than server_check_delay before a client gets it; a failure
   * closes it. PgBouncer's default `<empty>` sends an empty query; '' turns the check off.
   */
  server_check_query: string;
  server_check_delay: number;
  client_idle_timeout: number;
  idle_transaction_timeout: number;
  /** Seconds a query may run before it is cancelled and its client closed (0 = no limit). */
  query_timeout: number;
  /** Seconds a transaction may stay open before its client is closed (0 = no limit). */
  transaction_timeout: number;
  /** Seconds to wait before opening a server connection again after one failed to connect or log in. */
  server_login_retry: number;
  /**
   * PgBouncer's debug-log level. Accepted (ini, SET, SHOW CONFIG) so PgBouncer configurations and
   * scripts work; PoolSafe has one log level, so it changes nothing.
   */
  verbose: number;
  /** Session mode: close a server RECONNECT/RELOAD marked at the client's next transaction boundary. */
  server_fast_close: boolean;
  /** PgBouncer's log_connections: a `login attempt: …` line per login (the TLS version and cipher in it). */
  log_connections: boolean;
  /** TLS towards PostgreSQL for ini databases (PgBouncer's server_tls_sslmode; a target URL names its own). */
  server_tls_sslmode: SslMode;
  /** The rest of PgBouncer's server_tls_* (tls-settings.ts): CA to verify PostgreSQL, our client certificate, versions, ciphers. */
  server_tls_ca_file: string;
  server_tls_key_file: string;
  server_tls_cert_file: string;
  server_tls_protocols: string;
  server_tls_ciphers: string;
  server_tls13_ciphers: string;
  /** Seconds a client may take from connect to a completed login (slow-loris guard; 0 = no limit). */
  client_login_timeout: number;
  server_reset_query: string;
  server_reset_query_always: boolean;
  max_prepared_statements: number;
  /** Startup parameters accepted and dropped (others beyond the tracked set are refused). */
  ignore_startup_parameters: string[];
  /** PoolSafe's own key: live hazard detection (SHOW HAZARDS); `--hazards off` for benchmarks. */
  hazard_detection: boolean;
  /** User whose login runs auth_query for users not in `users` ('' = no auth query). */
  auth_user: string;
  /** Returns (usename, passwd) for $1; passwd a SCRAM verifier or md5 hash (PgBouncer's default). */
  auth_query: string;
  /** Database whose server runs auth_query ('' = the client's own database). */
  auth_dbname: string;
  /** PgBouncer's auth_hba_file (used by auth_type = hba) and its rules, read with the ini. */
  auth_hba_file: string;
  /** PgBouncer's auth_ident_file: the user name maps hba rules name with map= (ident.ts). */
  auth_ident_file: string;
  hba: { rules: readonly HbaRule[]; identMaps: IdentMaps };
  /** TLS towards clients: disable | allow | prefer | require (PgBouncer's client_tls_sslmode). */
  client_tls_sslmode: ClientTlsMode;
  client_tls_key_file: string;
  client_tls_cert_file: string;
  /** CA that signs client certificates (verify-ca, verify-full, auth_type = cert). */
  client_tls_ca_file: string;
  client_tls_protocols: string;
  client_tls_ciphers: string;
  client_tls13_ciphers: string;
  /** Users who may run every admin console command (PgBouncer's admin_users). */
  admin_users: string[];
  /** Users who may only read the admin console (SHOW…; PgBouncer's stats_users). */
  stats_users: string[];
  /** Client-visible database name → target. */
  databases: Map<string, DatabaseTarget>;
  /** PgBouncer's `*` entry: serves any other database name (its dbname is the client's). */
  fallback_database?: DatabaseTarget;
  /** `[users]` overrides by user name. */
  user_overrides: Map<string, UserOverrides>;
  /** Users clients may log in as, with their secrets. */
  users: Map<string, UserSecret>;
  /** PoolSafe's own key: off, pgpool (Pgpool-II's read/write routing) or round-robin (PgBouncer's load_balance_hosts). */
  load_balance: LoadBalanceMode;
  /** Replication delay in WAL bytes beyond which a replica takes no reads (0 = no limit). */
  delay_threshold: number;
  /** Seconds between replica health and delay checks (Pgpool-II's sr_check_period). */
  sr_check_period: number;
}

export function defaultConfig(): PoolerConfig {
  return {
    listen_addr: '127.0.0.1',
    listen_port: 6432,
    unix_socket_dir: '',
    unix_socket_mode: 0o777,
    logfile: '',
    pool_mode: 'transaction', // PgBouncer: session; PoolSafe exists for transaction mode
    server_policy: 'rotate',
    auth_type: 'scram-sha-256',
    default_pool_size: 20,
    min_pool_size: 0,
    reserve_pool_size: 0,
    reserve_pool_timeout: 5,
    max_client_conn: 100,
    max_db_connections: 0,
    max_user_connections: 0,
    max_db_client_connections: 0,
    max_user_client_connections: 0,
    track_extra_parameters: [],
    server_lifetime: 3600,
    server_idle_timeout: 600,
    server_connect_timeout: 15,
    query_wait_timeout: 120,
    query_wait_notify: 5,
    server_check_query: '<empty>',
    server_check_delay: 30,
    client_idle_timeout: 0,
    idle_transaction_timeout: 0,
    query_timeout: 0,
    transaction_timeout: 0,
    server_login_retry: 15,
    server_fast_close: false,
    log_connections: true,
    verbose: 0,
    server_tls_sslmode: 'disable', // an ini defaults to PgBouncer's prefer (ini-config.ts)
    server_tls_ca_file: '',
    server_tls_key_file: '',
    server_tls_cert_file: '',
    server_tls_protocols: 'secure',
    server_tls_ciphers: 'default',
    server_tls13_ciphers: '',
    client_login_timeout: 60,
    server_reset_query: 'DISCARD ALL',
    server_reset_query_always: false,
    max_prepared_statements: 0,
    ignore_startup_parameters: [],
    hazard_detection: true,
    auth_user: '',
    auth_query: DEFAULT_AUTH_QUERY,
    auth_dbname: '',
    auth_hba_file: '',
    auth_ident_file: '',
    hba: { rules: [], identMaps: new Map() },
    client_tls_sslmode: 'disable',
    client_tls_key_file: '',
    client_tls_cert_file: '',
    client_tls_ca_file: '',
    client_tls_protocols: 'secure',
    client_tls_ciphers: 'default',
    client_tls13_ciphers: '',
    admin_users: [],
    stats_users: [],
    databases: new Map(),
    user_overrides: new Map(),
    users: new Map(),
    load_balance: 'off',
    disable_load_balance_on_write: 'transaction',
    statement_level_load_balance: false,
    write_function_list: [],
    read_only_function_list: [],
    allow_sql_comments: false,
    delay_threshold: 0,
    sr_check_period: 1, // Pgpool-II: 10; a dev balancer should see a stopped replica quickly
  };
}

/**
 * Settings that neither admin SET nor RELOAD change in a running pooler (PgBouncer's CF_NO_RELOAD
 * keys, plus PoolSafe's hazard_detection, whose monitor exists from start or not at all).
 */
export const FIXED_AT_RUN_TIME: ReadonlySet<string> = new Set([
  'listen_addr', 'listen_port', 'unix_socket_dir', 'unix_socket_mode', 'track_extra_parameters', 'hazard_detection', 'load_balance',
]);

/** The connection settings of a target: when RELOAD changes one, its servers are replaced. */
export function sameConnection(a: DatabaseTarget, b: DatabaseTarget): boolean {
  return a.host === b.host && a.port === b.port && a.dbname === b.dbname && a.user === b.user && a.password === b.password &&
    a.secret?.password === b.secret?.password && a.secret?.md5 === b.secret?.md5 && a.sslmode === b.sslmode && a.sslrootcert === b.sslrootcert &&
    a.serverTls?.fingerprint === b.serverTls?.fingerprint;
}

export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Parses a postgres:// or postgresql:// URL into a target; throws with a one-line reason. */
export function parseTargetUrl(text: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid target URL: ${text.replace(/:[^:@/]*@/, ':***@')}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`target URL must start with postgres:// or postgresql:// (got ${url.protocol})`);
  }
  const user = decodeURIComponent(url.username) || process.env.USER || 'postgres';
  const dbname = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  const sslmode = (url.searchParams.get('sslmode') ?? 'disable') as SslMode;
  if (!SSL_MODES.includes(sslmode)) throw new Error(`unsupported sslmode "${sslmode}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return {
    name: dbname,
    host,
    port: url.port ? Number(url.port) : 5432,
    dbname,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    sslmode,
    sslrootcert: url.searchParams.get('sslrootcert') ?? undefined,
  };
}

/**
 * A configuration serving one target database, with clients logging in as the target's user. That
 * user is the admin console's admin (the quick start has no ini to name admin_users).
 */
export function configForTarget(target: DatabaseTarget, overrides: Partial<PoolerConfig> = {}): PoolerConfig {
  const config = { ...defaultConfig(), admin_users: [target.user], ...overrides };
  config.databases = new Map([[target.name, target]]);
  config.users = new Map();
  if (target.password !== undefined) config.users.set(target.user, userSecret(target.user, target.password));
  return config;
}

/** PgBouncer's order: the user's `[users]` pool_mode, then the database's, then the global one. */
export function poolModeFor(config: PoolerConfig, target: DatabaseTarget, user?: string): PoolMode {
  const own = user === undefined ? undefined : config.user_overrides.get(user)?.pool_mode;
  return own ?? target.pool_mode ?? config.pool_mode;
}

/**
 * The target for a client-visible database name: a configured one, else one derived from the `*`
 * entry (not yet remembered: see rememberDatabase), else undefined.
 */
export function resolveDatabase(config: PoolerConfig, name: string): DatabaseTarget | undefined {
  const known = config.databases.get(name);
  if (known || !config.fallback_database) return known;
  return { ...config.fallback_database, name, dbname: name };
}

/**
 * Registers a database derived from the `*` entry. Called only once a client has logged in to it,
 * so unauthenticated startups naming random databases leave nothing behind. True when it is new.
 */
export function rememberDatabase(config: PoolerConfig, target: DatabaseTarget): boolean {
  if (config.databases.has(target.name)) return false;
  config.databases.set(target.name, target);
  return true;
}

/** Host 0 is the database's own (the primary); host n its n-th replica. */
export function hostCount(target: DatabaseTarget): number {
  return 1 + (target.replicas?.length ?? 0);
}

/** The target with its host and port replaced by those of host `index` (0 = unchanged). */
export function hostTarget(target: DatabaseTarget, index: number): DatabaseTarget {
  const replica = index > 0 ? target.replicas?.[index - 1] : undefined;
  return replica ? { ...target, host: replica.host, port: replica.port } : target;
}

/** backend_weight per host: the primary's (default 0 when replicas exist, so reads leave it), then each replica's. */
export function hostWeights(target: DatabaseTarget): number[] {
  const replicas = target.replicas ?? [];
  return [target.primary_weight ?? (replicas.length > 0 ? 0 : 1), ...replicas.map((r) => r.weight)];
}
