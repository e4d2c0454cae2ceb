// A throwaway PostgreSQL cluster for integration tests: initdb into a temp dir, a free loopback port,
// scram-sha-256 authentication for TCP. Never depends on a server started by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  /** postgres://user:password@127.0.0.1:port/postgres */
  url(database?: string, user?: string, password?: string): string;
  /** Runs SQL through psql as the superuser and returns stdout (unaligned, tuples only). */
  psql(sql: string, database?: string): string;
  stop(): void;
}

/** Finds the directory holding initdb/pg_ctl/postgres: PATH first, then Debian's layout. */
export function pgBinDir(): string {
  const fromPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  const candidates: string[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, 'bin'));
  }
  for (const dir of candidates) if (existsSync(join(dir, 'initdb'))) return dir;
  if (fromPath) return fromPath.replace(/\/pg_ctl$/, '');
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian package `postgresql`');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** PostgreSQL refuses to run as root: when we are root, run its binaries as the `postgres` OS user. */
function asPgUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid && process.getuid() === 0) return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
  return [cmd, args];
}

export async function startCluster(options: { settings?: Record<string, string> } = {}): Promise<Cluster> {
  const bin = pgBinDir();
  const dataDir = mkdtempSync(join(tmpdir(), 'poolsafe-pg-'));
  const user = 'postgres';
  const password = 'poolsafe-test-pw';
  if (process.getuid && process.getuid() === 0) chownSync(dataDir, 101, 104);
  const pwFile = join(dataDir, '..', `${dataDir.split('/').pop()}.pw`);
  writeFileSync(pwFile, password + '\n', { mode: 0o644 });
  const [initCmd, initArgs] = asPgUser(join(bin, 'initdb'), [
    '-D', dataDir, '-U', user, '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256',
    '--encoding=UTF8', '--locale=C', '--no-sync',
  ]);
  if (process.getuid && process.getuid() === 0) {
    const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dataDir, pgUid, pgGid);
    chownSync(pwFile, pgUid, pgGid);
  }
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  rmSync(pwFile, { force: true });
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dataDir}'`,
    max_connections: '200',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    password_encryption: "'scram-sha-256'",
    ...options.settings,
  };
  appendFileSync(join(dataDir, 'postgresql.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join(''));
  const [ctlCmd, ctlArgs] = asPgUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', 'start']);
  execFileSync(ctlCmd, ctlArgs, { stdio: 'pipe' });

  let stopped = false;
  const cluster: Cluster = {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    url(database = 'postgres', u = user, p = password) {
      return `postgres://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/${database}`;
    },
    psql(sql: string, database = 'postgres') {
      return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dataDir, '-p', String(port), '-U', user, '-d', database, '-c', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: password },
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      const [stopCmd, stopArgs] = asPgUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      spawnSync(stopCmd, stopArgs, { stdio: 'pipe' });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  process.once('exit', () => cluster.stop());
  return cluster;
}
