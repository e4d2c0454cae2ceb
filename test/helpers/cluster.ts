// A throwaway PostgreSQL cluster for integration tests, from the npm-installed binaries
// (cli/throwawayPostgres.ts): never depends on a server started by hand or on a system path.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startThrowawayCluster, freePort, type ThrowawayCluster } from '../../cli/throwawayPostgres';

export { freePort };

export interface Cluster extends ThrowawayCluster {
  /** Runs SQL through psql as the superuser and returns stdout (unaligned, tuples only). */
  psql(sql: string, database?: string): string;
}

export async function startCluster(options: { settings?: Record<string, string> } = {}): Promise<Cluster> {
  return withPsql(await startThrowawayCluster({ settings: options.settings, password: 'poolsafe-test-pw' }));
}

/** Adds psql() to a throwaway cluster (a primary or a replica). */
export function withPsql<C extends ThrowawayCluster>(cluster: C): C & Cluster {
  return Object.assign(cluster, {
    psql(sql: string, database = 'postgres') {
      // Over the cluster's own unix socket (trust), so tests can run SQL even while TCP logins are being tested.
      return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', cluster.dataDir, '-p', String(cluster.port), '-U', cluster.user, '-d', database, '-c', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: cluster.password },
      });
    },
  });
}

/**
 * Directory of the client programs the tests drive (psql, pgbench): `POOLSAFE_PG_CLIENT_BIN`, else the
 * one holding `psql` on the PATH. The npm package ships only the server; a missing client fails loudly.
 */
export function pgClientBinDir(): string {
  const fromEnv = process.env.POOLSAFE_PG_CLIENT_BIN;
  const psql = fromEnv ? join(fromEnv, 'psql') : spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).stdout.trim();
  if (!psql || !existsSync(psql)) throw new Error('psql not found: install Debian packages postgresql-client and postgresql (pgbench), or set POOLSAFE_PG_CLIENT_BIN');
  const dir = dirname(psql);
  if (!existsSync(join(dir, 'pgbench'))) throw new Error(`pgbench not found beside ${psql}: install Debian package postgresql (pgbench ships with the server package)`);
  return dir;
}

/**
 * PATH without any folder that holds PostgreSQL server programs (initdb, pg_ctl, postgres): what a
 * machine with only Node sees, so a test proves the npm binaries are enough.
 */
export function pathWithoutPostgresServer(path = process.env.PATH ?? ''): string {
  return path.split(':').filter((dir) => dir && !['initdb', 'pg_ctl', 'postgres'].some((program) => existsSync(join(dir, program)))).join(':');
}
