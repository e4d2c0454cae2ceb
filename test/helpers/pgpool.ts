// A throwaway Pgpool-II (Debian's /usr/sbin/pgpool, package pgpool2) in streaming-replication mode in
// front of a test primary and its replica, for side-by-side routing checks and the balancer
// benchmark. Its own folder holds pgpool.conf, pcp.conf, pool_hba.conf and pool_passwd (the
// password in plain text, Pgpool-II's TEXT prefix); health checks and failover are off, so a
// stopped replica never triggers a failover script. The same pgpool.conf can be handed to
// `poolsafe pooler --config`, which is the point: one file, two balancers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cluster';
import { peerStopper, waitForPort } from './childProcess';

export const PGPOOL_BINARY = '/usr/sbin/pgpool';

export interface PgpoolOptions {
  primaryPort: number;
  replicaPorts: number[];
  user: string;
  password: string;
  /** pgpool.conf keys written verbatim (values quoted when they are not numbers or on/off). */
  settings?: Record<string, string>;
  /** backend_weight per node (default: 0 for the primary, 1 for each replica: reads leave the primary). */
  weights?: number[];
}

export interface Pgpool {
  port: number;
  pid: number;
  dir: string;
  /** The pgpool.conf it runs with (PoolSafe can read the same file). */
  confPath: string;
  url(database: string): string;
  log(): string;
  stop(): Promise<void>;
}

function quote(value: string): string {
  return /^(\d+|on|off)$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

function writeConfig(dir: string, port: number, pcpPort: number, options: PgpoolOptions): string {
  const weights = options.weights ?? [0, ...options.replicaPorts.map(() => 1)];
  const backends = [options.primaryPort, ...options.replicaPorts].flatMap((backendPort, node) => [
    `backend_hostname${node} = '127.0.0.1'`,
    `backend_port${node} = ${backendPort}`,
    `backend_weight${node} = ${weights[node] ?? 1}`,
    `backend_flag${node} = 'DISALLOW_TO_FAILOVER'`,
    `backend_data_directory${node} = '${dir}'`,
  ]);
  const settings: Record<string, string> = {
    backend_clustering_mode: 'streaming_replication',
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    pcp_listen_addresses: '127.0.0.1',
    pcp_port: String(pcpPort),
    pcp_socket_dir: dir,
    pid_file_name: join(dir, 'pgpool.pid'),
    logdir: dir,
    log_destination: 'stderr',
    num_init_children: '8',
    max_pool: '2',
    enable_pool_hba: 'on',
    pool_passwd: 'pool_passwd',
    load_balance_mode: 'on',
    sr_check_period: '1',
    sr_check_user: options.user,
    sr_check_password: options.password,
    health_check_period: '0',
    failover_on_backend_error: 'off',
    failover_command: '',
    memory_cache_enabled: 'off',
    use_watchdog: 'off',
    ...options.settings,
  };
  const conf = [...backends, ...Object.entries(settings).map(([key, value]) => `${key} = ${quote(value)}`), ''].join('\n');
  const confPath = join(dir, 'pgpool.conf');
  writeFileSync(confPath, conf, { mode: 0o600 });
  writeFileSync(join(dir, 'pcp.conf'), '', { mode: 0o600 });
  writeFileSync(join(dir, 'pool_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\nlocal all all trust\n', { mode: 0o600 });
  writeFileSync(join(dir, 'pool_passwd'), `${options.user}:TEXT${options.password}\n`, { mode: 0o600 });
  return confPath;
}

export async function startPgpool(options: PgpoolOptions): Promise<Pgpool> {
  if (!existsSync(PGPOOL_BINARY)) throw new Error(`Pgpool-II not found at ${PGPOOL_BINARY}: install the Debian package \`pgpool2\``);
  const dir = mkdtempSync(join(tmpdir(), 'poolsafe-pgpool-'));
  const port = await freePort();
  const pcpPort = await freePort();
  const confPath = writeConfig(dir, port, pcpPort, options);
  // -n: stay in the foreground; -D: forget any node status file (every backend starts up).
  const child = spawn(PGPOOL_BINARY, ['-n', '-D', '-f', confPath, '-F', join(dir, 'pcp.conf'), '-a', join(dir, 'pool_hba.conf')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends the children with it
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  const describe = () => `output:\n${output.slice(-5000)}`;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = peerStopper(child, dir, 'SIGINT', killGroup); // SIGINT: Pgpool-II's fast shutdown
  try {
    await waitForPort('pgpool', port, Date.now() + 20_000, child, describe);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    pid: child.pid!,
    dir,
    confPath,
    url: (database) => `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    log: () => output,
    stop,
  };
}

/** The pgpool.conf text of a running instance (tests hand it to PoolSafe). */
export function pgpoolConf(pgpool: Pgpool): string {
  return readFileSync(pgpool.confPath, 'utf8');
}
