// Which file names are files of PostgreSQL SQL: the one list that the CLI's file search (cli/files.ts), the workspace
// catalog (workspaceCatalog.ts), the files a program reads and sends (programSentDumps.ts) and the test-folder and
// example scripts (ownSession.ts) go by; the editor extension's package.json opens the same extensions as SQL.
// Besides `.sql`: `.pgsql`, the extension of PostgreSQL and PL/pgSQL scripts (GitHub's
// language statistics count it as PL/pgSQL, PostgreSQL editor extensions open it), and `.psql`, that of scripts written
// for psql (which runs a file of any name). `.plpgsql` is left out: PostgreSQL projects do not name files so. Checks
// of one tool's own naming (Docker's init folder, Supabase, Hasura, node-pg-migrate, extension and pg_regress scripts)
// keep that tool's `.sql`: those tools read no other name. The readers of shell commands (psqlRuns.ts, makefiles.ts)
// go by the list too: psql runs a file of any name, so `psql -f db/schema.pgsql` runs a SQL file as `-f db/schema.sql` does.
export const SQL_FILE_EXTENSIONS = ['.sql', '.pgsql', '.psql'] as const;

/**
 * The extensions as a piece of a regular expression's source, the dot included (`\.(?:sql|pgsql|psql)`), for patterns
 * that hold a path inside a longer match (`SEED=db/seed.pgsql`); compile them case-insensitive.
 */
export const SQL_EXTENSION_SOURCE = String.raw`\.(?:${SQL_FILE_EXTENSIONS.map((extension) => extension.slice(1)).join('|')})`;

/** A name ending in one of the extensions (a file name, or a path as a program writes it). */
export const SQL_FILE_NAME = new RegExp(`${SQL_EXTENSION_SOURCE}$`, 'i');
/** One of the extensions ending a word of a text (`'./schema.pgsql'`, `psql -f db/seed.sql;`). */
export const SQL_FILE_WORD = new RegExp(String.raw`${SQL_EXTENSION_SOURCE}\b`, 'i');

/** Whether the name is that of a SQL file. */
export function isSqlFileName(name: string): boolean {
  return SQL_FILE_NAME.test(name);
}
