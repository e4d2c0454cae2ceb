// Migrations written once for every database, with per-database variants beside them: gobuffalo pop and
// ory popx name them `<version>_<name>[.<dialect>][.autocommit].<up|down>.sql` and run, on each database,
// its own variant when there is one and the generic file otherwise. A generic file that has a PostgreSQL
// variant beside it is therefore never run on PostgreSQL: it holds the other databases' syntax (CockroachDB's
// `INDEX` inside `CREATE TABLE`, MySQL's, SQLite's), so PostgreSQL's parser is no judge of it.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `<stem>[.autocommit].<up|down>.sql` with no dialect part: the stem, and the direction. */
const GENERIC_MIGRATION = /^(\d+_[^.]+)(?:\.autocommit)?\.(up|down)\.sql$/i;
/** The names pop and popx give PostgreSQL's variant. */
const POSTGRES_NAMES = ['postgres', 'postgresql'];

/** Whether a generic pop/popx migration has a PostgreSQL variant in its folder (so PostgreSQL never runs it). */
export function hasPostgresVariant(fileName: string): boolean {
  const match = GENERIC_MIGRATION.exec(basename(fileName));
  if (!match) return false;
  const [, stem, direction] = match;
  const folder = dirname(fileName);
  return POSTGRES_NAMES.some((name) => ['', '.autocommit'].some((mode) => existsSync(join(folder, `${stem}.${name}${mode}.${direction}.sql`))));
}
