// What the server saw during a benchmark round, to tell a pooler's own cost from extra work it makes
// the server do (queries of its own, reconnections): statements executed (pg_stat_statements, updated
// as each statement ends, unlike pg_stat_database's counters which idle backends flush up to 10 s late)
// and the client backends that appeared or went away.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where a PostgreSQL binary directory's extension libraries are (npm package layout, then Debian's). */
function hasLibrary(binDir, name) {
  return [join(binDir, '..', 'lib', 'postgresql'), join(binDir, '..', 'lib')].some((dir) => existsSync(join(dir, `${name}.so`)));
}

/**
 * Loads pg_stat_statements into `cluster` (a restart: every open server connection is dropped, so
 * call it before the poolers to compare start). False when the server's binaries do not ship it.
 */
export function enableStatementCounts(cluster) {
  if (!hasLibrary(cluster.binDir, 'pg_stat_statements')) return false;
  cluster.psql("alter system set shared_preload_libraries = 'pg_stat_statements'");
  cluster.pgCtl(['-l', join(cluster.dataDir, 'restart.log'), '-m', 'fast', '-w', '-t', '60', 'restart']);
  cluster.psql('create extension if not exists pg_stat_statements');
  return true;
}

/** Statements executed so far (all but the bench's own reads of these counters) and the client backends now. */
export function serverSnapshot(cluster, countStatements) {
  const statements = countStatements
    ? Number(cluster.psql("select coalesce(sum(calls), 0) from pg_stat_statements where query not like '%pg_stat_statements%' and query not like '%pg_stat_activity%'").trim())
    : undefined;
  const backends = new Set(cluster.psql("select pid from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()").split('\n').filter(Boolean));
  return { statements, backends };
}

/** Statements executed between two snapshots and server connections opened and closed. */
export function serverDelta(before, after) {
  let opened = 0;
  let closed = 0;
  for (const pid of after.backends) if (!before.backends.has(pid)) opened++;
  for (const pid of before.backends) if (!after.backends.has(pid)) closed++;
  const statements = before.statements === undefined ? undefined : after.statements - before.statements;
  return { statements, opened, closed };
}
