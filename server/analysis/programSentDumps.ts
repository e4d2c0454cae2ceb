// pg_dump output that a program of the project sends through a database driver. A dump is a script of a session of its
// own where psql (or a person) restores it (ownSession.ts); but a migration or setup program that reads the dump and
// hands its text to a query call (`knex.raw(readFileSync(…))`, `pool.query(schema)`, `sequelize.query(sql)`,
// postgres.js's `sql.file(path)`, a cursor's `execute`) sends the preamble's plain SETs and
// `set_config('search_path', '', false)` on a connection of the application's pool, where they outlive the dump: behind
// a transaction pooler, on a server connection other clients get next. Such a dump keeps its findings, as a Hasura
// seed does (hasuraSeeds.ts).
//
// The readers looked for: the program sources of the dump's folder, of the folders above it within its repository (a
// few levels), and of those folders' direct sub-folders (a `scripts/` beside `db/`), each folder read once per CACHE_MS.
// A reader counts where a line names the dump by a path that reaches it (the bare name beside it, `../db/schema.sql`
// from its folder, `db/schema.sql` from the project's root, the pieces of `path.join(__dirname, '..', 'db', 'schema.sql')`)
// and the lines around it read the file and send it with a query call, with no psql or pg_restore among them (a setup
// program that shells out to psql restores the dump in psql's own session). Test code is no reader: it loads the dump
// into its own throwaway database (ownSession.ts's isLoadedByTests).
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, folderEntries, foldersUp } from './folderEntries';
import { projectRoot } from './psqlOnlyProjects';
import { TEST_PATH } from './testPath';
import { CACHE_MS, TimedCache } from './timedCache';
import { SQL_FILE_WORD, isSqlFileName } from './sqlFileNames';

/** Sources of the languages whose drivers a program sends a file's text with (TS/JS, Python, Ruby, Go, JVM, PHP, Elixir, Rust, C#). */
const PROGRAM_SOURCE = /\.(?:[cm]?[jt]sx?|py|rb|go|java|kt|php|exs?|rs|cs)$/i;
/** How many folders above the dump a reader's folder may be (its repository's root is the last). */
const READER_LEVELS = 3;
/** Bounds on the folders and files read: sub-folders per folder, sources per folder, a source's size. */
const MAX_SUBFOLDERS = 32;
const MAX_SOURCES_PER_FOLDER = 200;
const MAX_SOURCE_BYTES = 256 * 1024;
/** The lines around the one naming the dump that must read it and send it (a path built, read, then sent a few lines on). */
const LINES_BEFORE = 2;
const LINES_AFTER = 20;

/** A call that reads a file's text (or, postgres.js's `sql.file`, reads and sends it). */
const READ_CALL = /\b(?:readFileSync|readFile|readTextFile|read_text|read_to_string|readAllBytes|readString|ReadFile|file_get_contents|include_str|open)\b|\bFile\.read\b|\bIO\.read\b|\.file\s*\(/;
/**
 * A driver's call that sends a text to the database: knex's `raw`, node-postgres's and Sequelize's `query`, postgres.js's
 * `unsafe` and `file`, pg-promise's `none`/`multi`/`any`, Prisma's `$executeRawUnsafe`, DB-API's `execute`/`executescript`,
 * the pg gem's `exec`, Go's `Exec`/`ExecContext`, JDBC's `executeUpdate`, rust-postgres's `batch_execute`, sqlx's
 * `raw_sql`, Ecto's `query!`.
 */
const QUERY_CALL = /\.(?:raw|query|unsafe|execute|exec|none|multi|any|batch_execute|simple_query|executescript|execute_batch|executeUpdate|executeLargeUpdate|ExecContext|query!|execute!)\s*\(|\$executeRawUnsafe\s*\(|\braw_sql\s*\(|\bsql\.file\s*\(/i;
/** A command that restores the dump in a session of its own: the program shells out to it (not a `.psql` file's name). */
const SHELL_RESTORE = /(?<!\.)\b(?:psql|pg_restore)\b/;
/** A string literal on one line (single, double or back quotes). */
const STRING_LITERAL = /(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g;
/** What may stand between the pieces of one path: `path.join`'s commas, a `+`, pathlib's `/`. */
const PATH_PIECE_SEPARATOR = /^\s*[,+/]\s*$/;

/** A path a program names for a `.sql` file it reads and sends, as written (`../db/schema.sql`), and the program's folder. */
interface SentPath {
  readonly folder: string;
  readonly path: string;
}

const sentByFolder = new TimedCache<SentPath[]>(CACHE_MS);

/** Whether a program of the project reads the `.sql` file and sends its text through a driver's query call. */
export function isSentByProgram(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  return readerFolders(dirname(file)).some((folder) => sentPathsIn(folder).some((sent) => reaches(sent, file)));
}

/** The dump's folder and the folders above it (not above its repository's root), each with its direct sub-folders. */
function readerFolders(start: string): string[] {
  const up = foldersUp(start, READER_LEVELS);
  const rootIndex = up.indexOf(projectRoot(start) ?? '');
  const within = rootIndex < 0 ? up : up.slice(0, rootIndex + 1);
  const folders = new Set<string>();
  for (const folder of within) {
    folders.add(folder);
    folderEntries(folder).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
      .slice(0, MAX_SUBFOLDERS).forEach((entry) => folders.add(join(folder, entry.name)));
  }
  return [...folders];
}

/** The `.sql` paths the program sources of a folder (not test code) read and send, cached. */
function sentPathsIn(folder: string): SentPath[] {
  return sentByFolder.get(folder, () => folderEntries(folder)
    .filter((entry) => entry.isFile() && PROGRAM_SOURCE.test(entry.name) && !TEST_PATH.test(join(folder, entry.name)))
    .slice(0, MAX_SOURCES_PER_FOLDER)
    .flatMap((entry) => sentPaths(boundedText(join(folder, entry.name), MAX_SOURCE_BYTES) ?? '').map((path) => ({ folder, path }))));
}

/** The `.sql` paths a program's lines name where the lines around read the file and send it, shelling out to no psql. */
function sentPaths(text: string): string[] {
  if (!SQL_FILE_WORD.test(text) || !QUERY_CALL.test(text)) return [];
  const lines = text.split('\n');
  return lines.flatMap((line, index) => {
    const path = sqlPathOnLine(line);
    if (path === undefined) return [];
    const around = lines.slice(Math.max(0, index - LINES_BEFORE), index + LINES_AFTER + 1).join('\n');
    return READ_CALL.test(around) && QUERY_CALL.test(around) && !SHELL_RESTORE.test(around) ? [path] : [];
  });
}

/**
 * The `.sql` path a line names, its pieces joined (`'..', 'db', 'schema.sql'` → `../db/schema.sql`); a template's
 * interpolated base (`${__dirname}/`) left out.
 */
function sqlPathOnLine(line: string): string | undefined {
  if (!SQL_FILE_WORD.test(line)) return undefined;
  const literals = [...line.matchAll(STRING_LITERAL)];
  const last = literals.findIndex((literal) => isSqlFileName(literal[2]));
  if (last < 0) return undefined;
  let first = last;
  while (first > 0 && PATH_PIECE_SEPARATOR.test(line.slice(literals[first - 1].index + literals[first - 1][0].length, literals[first].index))) first--;
  const pieces = literals.slice(first, last + 1).map((literal) => literal[2].replace(/^.*\}\/?/, '').replace(/\\\\?/g, '/'));
  return pieces.filter(Boolean).join('/');
}

/**
 * Whether a named path leads to the file: from the program's folder (`./schema.sql`, `../db/schema.sql`), or, written
 * without a leading `.`, as the end of the file's path from a base folder the program joins it to (the working
 * folder, the project's root: `db/schema.sql`), at least one folder deep (a bare name is the program's folder's).
 */
function reaches(sent: SentPath, file: string): boolean {
  if (resolve(sent.folder, sent.path) === file) return true;
  const tail = posix.normalize(sent.path.replace(/^\/+/, ''));
  if (tail.startsWith('.') || !tail.includes('/')) return false;
  return file.endsWith(sep + tail.split('/').join(sep)) && basename(file) === basename(tail);
}
