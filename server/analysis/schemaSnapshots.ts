// Schema snapshots: pg_dump output a project keeps beside the SQL it builds its schema from (a dump a script or a
// migration tool writes after migrating, for reading or for checking that it is up to date: jore4's
// `migrations/routesdb-dump.sql`, graphile-migrate's `data/schema.sql`, dbmate's `db/schema.sql`). A routine such a
// dump defines is a copy of one the project's own .sql files define: the finding belongs at that definition, which
// carries it, not at the copy (neither the copy's body nor the calls in it). A routine only the dump defines (Rails'
// structure.sql, whose migrations are Ruby) keeps its findings, and so does a dump applied as a migration of its own
// (a version-named file or folder: Supabase's `…_remote_schema.sql`, a Hasura `…_squashed_dump/up.sql`), which
// re-creates the routine as the live definition. Which files are snapshots: ownSession.ts (isSchemaSnapshot).
import { looksLikePgDump } from './ownSession';
import { ROUTINE_DEFINITIONS, unqualifiedName } from './routineDefinitions';
import type { AnalysisOptions } from './types';

/**
 * The routines (unqualified, lower case) the project's .sql files that are not pg_dump output define: the sources a
 * snapshot's routines are copied from. TS/JS files are not read here.
 */
export function sourceRoutineNames(documents: Iterable<{ path: string; text: string }>): Set<string> {
  const names = new Set<string>();
  for (const { path, text } of documents) {
    if (!/\.sql$/i.test(path) || looksLikePgDump(text)) continue;
    for (const match of text.matchAll(ROUTINE_DEFINITIONS)) names.add(unqualifiedName(match[1]));
  }
  return names;
}

/** Whether a routine of the analysed file (`schema.name` or `name`) is a snapshot's copy of one the project defines elsewhere. */
export function isSnapshotCopy(routine: string, options: Pick<AnalysisOptions, 'schemaSnapshot' | 'sourceRoutines'>): boolean {
  return options.schemaSnapshot === true && options.sourceRoutines !== undefined && options.sourceRoutines.has(unqualifiedName(routine));
}
