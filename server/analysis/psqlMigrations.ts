// A migrations folder that psql applies, as its own files show: a migration named `.psql` is written for psql, which
// no driver, ORM or pool runs, and the project's migrator applies the folder's other migrations the same way (a tool
// that runs `psql -f` for each file, one process and session per file: a Go or Python CLI's subprocess, which the
// linter cannot read). Each of them then runs in psql's own session, as a file a shell script runs with psql does
// (psqlRuns.ts), so its top-level `SET`s are that session's own (the routines it creates still run later in the
// application's sessions, and keep their findings). Only the file's extension counts: psql meta-commands (`\set
// ON_ERROR_STOP on`) inside `.sql` migrations do not, since project migrators strip or pass such lines; and only a
// folder named for migrations (`migrations/`, `db_migrate/`): a psql script elsewhere says nothing of its neighbours.
import { dirname, extname } from 'node:path';
import { folderEntries } from './folderEntries';
import { isMigrationsFolder } from './handRunScripts';
import { CACHE_MS, TimedCache } from './timedCache';

const psqlFolders = new TimedCache<boolean>(CACHE_MS);

/** Whether the `.sql` file is a migration of a folder that psql applies (see above). */
export function isPsqlAppliedMigration(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const folder = dirname(fileName);
  if (!isMigrationsFolder(folder)) return false;
  return psqlFolders.get(folder, () => holdsPsqlMigration(folder));
}

function holdsPsqlMigration(folder: string): boolean {
  return folderEntries(folder).some((entry) => entry.isFile() && extname(entry.name).toLowerCase() === '.psql');
}
