// `poolsafe pooler …`: flags → PoolerConfig, a test login to the target, then serve until SIGINT/SIGTERM.
import { Pooler } from './pooler';
import {
  CLIENT_AUTH_TYPES, POOL_MODES, SERVER_POLICIES, configForTarget, parseTargetUrl,
  type ClientAuthType, type PoolMode, type PoolerConfig, type ServerPolicy,
} from './config';
import { configFromIni } from './ini-config';
import { configFromPgpoolConf, looksLikePgpoolConf } from './pgpoolConf';
import { LOAD_BALANCE_MODES, type LoadBalanceMode } from './balancer';
import { readFileSync } from 'node:fs';
import { logLine, logToFile } from './log';
import { poolerVersionLine } from './version';
import { TlsSetupError } from './tls-settings';

export const POOLER_USAGE =
  'usage: poolsafe pooler --target <postgres URL> [--listen 127.0.0.1:6432] [--pool-mode transaction|session|statement] ' +
  '[--pool-size N] [--server-policy rotate|lifo|round-robin] [--auth scram-sha-256|md5|trust] ' +
  '[--max-prepared-statements N] [--config pgbouncer.ini|pgpool.conf] [--replica <postgres URL>]… ' +
  '[--load-balance off|pgpool|round-robin] [--hazards on|off] [--reset-between-transactions]';

class UsageError extends Error {}

interface PoolerFlags {
  target?: string;
  listen?: string;
  poolMode?: string;
  poolSize?: string;
  serverPolicy?: string;
  auth?: string;
  maxPreparedStatements?: string;
  config?: string;
  hazards?: string;
  resetBetweenTransactions?: string;
  loadBalance?: string;
  /** --replica, repeatable. */
  replicas: string[];
}

type ValueFlag = Exclude<keyof PoolerFlags, 'replicas'>;

const FLAG_NAMES: Record<string, ValueFlag> = {
  '--target': 'target',
  '--listen': 'listen',
  '--pool-mode': 'poolMode',
  '--pool-size': 'poolSize',
  '--server-policy': 'serverPolicy',
  '--auth': 'auth',
  '--max-prepared-statements': 'maxPreparedStatements',
  '--config': 'config',
  '--hazards': 'hazards',
  '--load-balance': 'loadBalance',
};

/** Flags that take no value. */
const SWITCH_NAMES: Record<string, ValueFlag> = {
  '--reset-between-transactions': 'resetBetweenTransactions',
};

function parseFlags(argv: string[]): PoolerFlags {
  const args = argv[0] === 'pooler' ? argv.slice(1) : argv;
  const flags: PoolerFlags = { replicas: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (eq < 0 && SWITCH_NAMES[name]) {
      flags[SWITCH_NAMES[name]] = 'on';
      continue;
    }
    const key = FLAG_NAMES[name];
    if (!key && name !== '--replica') throw new UsageError(`unknown argument "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (key) flags[key] = value;
    else flags.replicas.push(value);
  }
  return flags;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function count(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be an integer ≥ ${min} (got "${value}")`);
  return Number(value);
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  if (!match || Number(match[3]) > 65535) throw new UsageError(`--listen must be HOST:PORT (got "${value}")`);
  return { host: match[1] || match[2] || '127.0.0.1', port: Number(match[3]) };
}

/** Flags on top of the .ini (or the defaults): explicit flags always win. Ini warnings go to `warn`. */
export function configFromFlags(argv: string[], warn: (line: string) => void = () => {}): PoolerConfig {
  const flags = parseFlags(argv);
  if (!flags.target && !flags.config) throw new UsageError('--target <postgres URL> is required');
  let config: PoolerConfig;
  if (flags.config) {
    const target = flags.target ? parseTargetUrl(flags.target) : undefined;
    const onWarning = (w: { file: string; line: number; message: string }) => warn(`warning: ${w.file}${w.line > 0 ? `:${w.line}` : ''}: ${w.message}`);
    config = isPgpoolConf(flags.config) ? configFromPgpoolConf(flags.config, target, onWarning) : configFromIni(flags.config, target, onWarning);
  } else {
    config = configForTarget(parseTargetUrl(flags.target!));
  }
  if (flags.listen) {
    const { host, port } = parseListen(flags.listen);
    config.listen_addr = host;
    config.listen_port = port;
  }
  if (flags.poolMode) config.pool_mode = oneOf<PoolMode>('--pool-mode', flags.poolMode, POOL_MODES);
  if (flags.poolSize) config.default_pool_size = count('--pool-size', flags.poolSize, 1);
  if (flags.serverPolicy) config.server_policy = oneOf<ServerPolicy>('--server-policy', flags.serverPolicy, SERVER_POLICIES);
  if (flags.auth) config.auth_type = oneOf<ClientAuthType>('--auth', flags.auth, CLIENT_AUTH_TYPES);
  if (flags.maxPreparedStatements) config.max_prepared_statements = count('--max-prepared-statements', flags.maxPreparedStatements, 0);
  if (flags.hazards) config.hazard_detection = oneOf('--hazards', flags.hazards, ['on', 'off']) === 'on';
  if (flags.resetBetweenTransactions) config.server_reset_query_always = true;
  applyBalanceFlags(config, flags);
  if (config.databases.size === 0 && !config.fallback_database) throw new UsageError('no database to serve: give --target or a [databases] section');
  return config;
}

function isPgpoolConf(path: string): boolean {
  try {
    return looksLikePgpoolConf(readFileSync(path, 'utf8'));
  } catch {
    return false; // the ini reader reports the unreadable file
  }
}

/** --replica adds read replicas to the --target database; --load-balance picks the routing (pgpool by default with replicas). */
function applyBalanceFlags(config: PoolerConfig, flags: PoolerFlags): void {
  if (flags.loadBalance) config.load_balance = oneOf<LoadBalanceMode>('--load-balance', flags.loadBalance, LOAD_BALANCE_MODES);
  if (flags.replicas.length === 0) return;
  if (!flags.target) throw new UsageError('--replica needs --target (the primary)');
  const primary = config.databases.get(parseTargetUrl(flags.target).name)!;
  primary.replicas = [...(primary.replicas ?? []), ...flags.replicas.map((url) => {
    const replica = parseTargetUrl(url);
    return { host: replica.host, port: replica.port, weight: 1 };
  })];
  if (!flags.loadBalance && config.load_balance === 'off') config.load_balance = 'pgpool';
}

export interface PoolerCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: PoolerCliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Called once the pooler listens; `stop` shuts it down at once, like SIGQUIT (used by ipc.ts). */
export type PoolerStartedHook = (pooler: Pooler, address: { host: string; port: number }, stop: () => void) => void;

/** Runs the pooler until SIGINT/SIGTERM; resolves with the exit code (0 clean, 2 usage/connect error). */
export async function runPoolerCli(argv: string[], io: PoolerCliIo = defaultIo, onStarted?: PoolerStartedHook): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(POOLER_USAGE);
    return 0;
  }
  if (argv.includes('--version')) {
    io.out(poolerVersionLine());
    return 0;
  }
  let config: PoolerConfig;
  try {
    config = configFromFlags(argv, (line) => io.err(`poolsafe pooler: ${line}`));
  } catch (error) {
    io.err(`poolsafe pooler: ${(error as Error).message}`);
    if (error instanceof UsageError) io.err(POOLER_USAGE);
    return 2;
  }
  if (config.logfile) logToFile(config.logfile);
  const pooler = new Pooler(config);
  // RELOAD and SIGHUP re-read the ini, with the command line's flags on top as at start.
  if (argv.includes('--config') || argv.some((arg) => arg.startsWith('--config='))) pooler.configSource = () => configFromFlags(argv, (line) => io.err(`poolsafe pooler: ${line}`));
  if (!(await checkTarget(pooler, argv, io))) return 2;
  let address: { host: string; port: number };
  try {
    address = await pooler.start();
  } catch (error) {
    const why = error instanceof TlsSetupError ? `TLS setup failed: ${error.message}` : `cannot listen on ${config.listen_addr}:${config.listen_port}: ${(error as Error).message}`;
    io.err(`poolsafe pooler: ${why}`);
    await pooler.shutdown();
    return 2;
  }
  io.out(`listening on ${address.host}:${address.port}`);
  if (!isLoopback(address.host)) {
    io.err(`poolsafe pooler: warning: listening on ${address.host}, not loopback: other machines can reach this pooler`);
  }
  const reload = () => {
    try {
      pooler.reload();
    } catch (error) {
      io.err(`poolsafe pooler: RELOAD failed: ${(error as Error).message}`);
    }
  };
  process.on('SIGHUP', reload); // PgBouncer's signal for RELOAD; it must not end the process
  await new Promise<void>((resolve) => {
    const handlers = shutdownSignals(pooler, () => {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
      resolve();
    });
    for (const [signal, handler] of handlers) process.on(signal, handler);
    void pooler.stopped.then(() => resolve()); // SHUTDOWN from the admin console
    onStarted?.(pooler, address, () => resolve());
  });
  process.removeListener('SIGHUP', reload);
  await pooler.shutdown();
  return 0;
}

/**
 * PgBouncer 1.25's signals (doc/usage.md): SIGTERM waits for every client to leave (SHUTDOWN
 * WAIT_FOR_CLIENTS), SIGINT for every server to be released (WAIT_FOR_SERVERS); either one during a
 * shutdown, or SIGQUIT, stops at once. SIGUSR1 pauses, SIGUSR2 resumes.
 */
function shutdownSignals(pooler: Pooler, stopNow: () => void): [NodeJS.Signals, () => void][] {
  const safeStop = (signal: string, mode: 'wait_for_clients' | 'wait_for_servers', waitsFor: string) => () => {
    if (pooler.shutdownMode) {
      logLine(`got ${signal} while shutting down, fast exit`);
      stopNow();
      return;
    }
    logLine(`got ${signal}, shutting down, waiting for all ${waitsFor}`);
    pooler.requestShutdown(mode);
  };
  const pause = () => {
    if (pooler.pauseMode !== 'none') {
      logLine('got SIGUSR1, but already paused/suspended');
      return;
    }
    logLine('got SIGUSR1, pausing all activity');
    void pooler.pause();
  };
  const resume = () => {
    if (pooler.shutdownMode) logLine('got SIGUSR2 while shutting down, ignoring');
    else if (pooler.pauseMode === 'none') logLine('got SIGUSR2, but not paused/suspended');
    else {
      logLine(`got SIGUSR2, continuing from ${pooler.pauseMode.toUpperCase()}`);
      pooler.resume();
    }
  };
  return [
    ['SIGTERM', safeStop('SIGTERM', 'wait_for_clients', 'clients disconnect')],
    ['SIGINT', safeStop('SIGINT', 'wait_for_servers', 'servers connections to be released')],
    ['SIGQUIT', () => (logLine('got SIGQUIT, fast exit'), stopNow())],
    ['SIGUSR1', pause],
    ['SIGUSR2', resume],
  ];
}

/**
 * With --target, a test login before listening: a wrong URL or password should fail now, not on the
 * first query. An ini alone starts without touching any server, as PgBouncer does (its databases may
 * log in as each client's own user, and servers may come up later).
 */
async function checkTarget(pooler: Pooler, argv: string[], io: PoolerCliIo): Promise<boolean> {
  const url = parseFlags(argv).target;
  if (!url) return true;
  const target = pooler.config.databases.get(parseTargetUrl(url).name);
  if (!target?.user) return true;
  const pool = pooler.getPool(target, target.user);
  try {
    await pool.ensureTemplate(true); // a failure is reported below, in one line
    return true;
  } catch (error) {
    io.err(`poolsafe pooler: cannot connect to ${target.host}:${target.port}/${target.dbname} as ${target.user}: ${(error as Error).message}`);
    await pooler.shutdown();
    return false;
  }
}

/** The pooler guards a developer's database: anything but loopback deserves a warning. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
