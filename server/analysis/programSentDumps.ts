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
//
// A project's own migrator counts too: a program that lists the dump's folder (`readdirSync(migrationsDir)`, where
// `migrationsDir = path.join(__dirname, 'migrations')`) and, in the lines that follow, reads each file and hands the
// text it read to a query call (`client.query(sql)`), with no psql or pg_restore among them, sends every file of that
// folder, the dump among them, through its driver (a `BEGIN … COMMIT` around it does not undo a plain SET).
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
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
/** A `.sql` name built from a stem the caller passes: a template's `${name}.sql`, or `name + '.sql'`. */
const SQL_NAME_FROM_STEM = /\$\{[^}`]*\}\.sql`|\+\s*(['"])\.sql\1/i;
/** A template literal's text ending with the stem and `.sql` (`fixtures/${name}.sql`): what is left is the folder. */
const TEMPLATE_STEM_NAME = /\$\{[^}]*\}\.sql$/i;
/** What stands between a folder literal and `'.sql'` in a concatenation: the stem (`'fixtures/' + name + '.sql'`). */
const CONCATENATED_STEM = /^\s*\+\s*[\w.]+\s*\+\s*$/;

/** A path a program names for a `.sql` file it reads and sends, as written (`../db/schema.sql`), and the program's folder. */
interface SentPath {
  readonly folder: string;
  readonly path: string;
}

/** What the program sources of a folder send: the `.sql` paths they name, and the folders they list. */
interface FolderSends {
  readonly named: SentPath[];
  readonly listed: SentPath[];
}

const sendsByFolder = new TimedCache<FolderSends>(CACHE_MS);

/**
 * Whether a program of the project reads the `.sql` file and sends its text through a driver's query call: it names
 * the file, or it lists the file's folder and sends each file it reads there (a project's own migrator).
 */
export function isSentByProgram(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  const folders = readerFolders(dirname(file));
  return folders.some((folder) => sendsIn(folder).named.some((sent) => reaches(sent, file)))
    || folders.some((folder) => sendsIn(folder).listed.some((listed) => reachesFolder(listed, dirname(file))));
}

/** The dump's folder and the folders above it (not above its repository's root: foldersUpToRoot), each with its direct sub-folders. */
function readerFolders(start: string): string[] {
  const folders = new Set<string>();
  for (const folder of foldersUpToRoot(start, READER_LEVELS)) {
    folders.add(folder);
    folderEntries(folder).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name))
      .slice(0, MAX_SUBFOLDERS).forEach((entry) => folders.add(join(folder, entry.name)));
  }
  return [...folders];
}

/**
 * The `.sql` paths the program sources of a folder (not test code) read and send, and the folders they list and send
 * each file of: each source read once per CACHE_MS for both.
 */
function sendsIn(folder: string): FolderSends {
  return sendsByFolder.get(folder, () => {
    const named: SentPath[] = [];
    const listed: SentPath[] = [];
    for (const source of programSources(folder)) {
      const text = boundedText(source, MAX_SOURCE_BYTES) ?? '';
      named.push(...sentPaths(text).map((path) => ({ folder, path })));
      listed.push(...sentFolders(text).map((path) => ({ folder, path })));
    }
    return { named, listed };
  });
}

/**
 * Whether a program's text, a source of `sourceFolder`, lists `folder` and sends each file it reads there with a query
 * call, shelling out to no psql: a migrator's loop, or a test suite's over every script of a folder (ownSession.ts).
 */
export function sendsFilesOfFolder(sourceFolder: string, text: string, folder: string): boolean {
  return sentFolders(text).some((path) => reachesFolder({ folder: sourceFolder, path }, folder));
}

/**
 * Whether a source of `sourceFolder` builds `.sql` names from a stem its caller passes (`${name}.sql`, `name + '.sql'`)
 * in a folder that leads to `folder`: `join(__dirname, 'fixtures', \`${name}.sql\`)` builds names in `fixtures/` beside
 * the source (or under the project's root), nowhere else. A name built with no folder written is one beside the source.
 */
export function buildsSqlNamesIn(sourceFolder: string, text: string, folder: string): boolean {
  if (!SQL_NAME_FROM_STEM.test(text)) return false;
  const statements = statementLines(text);
  return statements.some((line) => {
    const built = stemNameFolderOnLine(line);
    if (built === undefined) return false;
    const path = folderFromBase(statements, built.base, built.folder, FOLDER_CONST_DEPTH);
    // A folder not written out (a parameter, a call's value) may be any: the names built there may be the file's.
    return path === undefined || reachesFolder({ folder: sourceFolder, path }, folder);
  });
}

/** How many folder constants deep a base is followed (`const SEEDS = join(ROOT, 'seeds')`, `ROOT` itself a constant). */
const FOLDER_CONST_DEPTH = 2;
/** A base that is the program's own folder or the working folder: the pieces after it are the whole folder. */
const OWN_FOLDER_BASE = /^(?:__dirname|import\.meta\.dirname|process\.cwd\(\))$/;
/** A name a base may be (a module's folder constant). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** How many physical lines one statement's call may be wrapped over (prettier's layout of a long `join(…)`). */
const MAX_WRAPPED_LINES = 30;

/**
 * The folder a path built on `base` leads to, `folder` (its written pieces) below it: the pieces as they are when the
 * base is the program's folder or nothing; below a module constant's own folder when the base is one whose value this
 * text writes out (`const FIXTURES = join(__dirname, 'fixtures')`); undefined when the base is anything else.
 */
function folderFromBase(statements: readonly string[], base: string, folder: string, depth: number): string | undefined {
  if (base === '' || OWN_FOLDER_BASE.test(base)) return folder;
  if (depth === 0 || !IDENTIFIER.test(base)) return undefined;
  const assigned = statements.find((line) => ASSIGNED_NAME.exec(line)?.[1] === base);
  if (assigned === undefined) return undefined;
  const value = assigned.slice(ASSIGNED_NAME.exec(assigned)![0].length);
  const literals = [...value.matchAll(STRING_LITERAL)];
  const constant = folderPathOnLine(value);
  if (literals.length === 0 || constant === undefined) return folderFromBase(statements, value.trim().replace(/;$/, ''), folder, depth - 1);
  const above = folderFromBase(statements, baseBefore(value, literals[0].index), constant, depth - 1);
  return above === undefined ? undefined : posix.join(above, folder);
}

/**
 * The program's text in statements' lines: a line whose parentheses are left open is joined with those that close
 * them (a call wrapped over lines), up to MAX_WRAPPED_LINES. String literals and `//` comments hold no parenthesis.
 */
function statementLines(text: string): string[] {
  const statements: string[] = [];
  let open: string[] = [];
  let depth = 0;
  for (const line of text.split('\n')) {
    open.push(line);
    depth = Math.max(0, depth + parenthesisBalance(line));
    if (depth === 0 || open.length >= MAX_WRAPPED_LINES) {
      statements.push(open.join(' '));
      open = [];
      depth = 0;
    }
  }
  if (open.length > 0) statements.push(open.join(' '));
  return statements;
}

/** Opened minus closed parentheses of a line's code (not of its string literals or its `//` comment). */
function parenthesisBalance(line: string): number {
  const unquoted = line.replace(STRING_LITERAL, '""');
  const comment = unquoted.indexOf('//');
  const code = comment < 0 ? unquoted : unquoted.slice(0, comment);
  let balance = 0;
  for (const character of code) balance += character === '(' ? 1 : character === ')' ? -1 : 0;
  return balance;
}

/**
 * What a path's first written piece at `at` is joined to: the argument before it in its call (`FIXTURES` of
 * `join(FIXTURES, 'x')`), or what is concatenated before it (`ROOT + '/x'`); '' when it comes first.
 */
function baseBefore(line: string, at: number): string {
  let depth = 0;
  let start = at;
  while (start > 0) {
    const character = line[start - 1];
    if (character === ')' || character === ']') depth++;
    else if (character === '(' || character === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (character === '=' && line[start] !== '>' || character === '{' || character === ';')) break;
    start--;
  }
  let end = at;
  while (end > start && PIECE_JOINER.has(line[end - 1])) end--;
  return line.slice(start, end).trim();
}

/** What joins a base to the pieces after it (`join(FIXTURES, …)`, `ROOT + '/x'`, pathlib's `/`), blanks around. */
const PIECE_JOINER: ReadonlySet<string> = new Set([' ', '\t', ',', '+', '/']);

/**
 * The expression a template's path starts with (`ROOT` of `${ROOT}/fixtures/`), '' when it starts with written text,
 * '?' when what it interpolates is not one base (`${a}/${b}/`).
 */
function interpolatedBase(prefix: string): string {
  if (!prefix.includes('${')) return '';
  const close = prefix.indexOf('}');
  const inner = prefix.startsWith('${') && close > 0 ? prefix.slice(2, close) : '{';
  return inner.includes('{') || prefix.slice(close + 1).includes('$') ? '?' : inner.trim();
}

/** Where the stem concatenated before `+ '.sql'` at `plus` starts (`name` of `name + '.sql'`). */
function stemStart(line: string, plus: number): number {
  let start = plus;
  while (start > 0 && /\s/.test(line[start - 1])) start--;
  while (start > 0 && /[\w$.]/.test(line[start - 1])) start--;
  return start;
}

/** The program sources of a folder, not test code (a test loads a dump into its own throwaway database). */
function programSources(folder: string): string[] {
  return folderEntries(folder)
    .filter((entry) => entry.isFile() && PROGRAM_SOURCE.test(entry.name) && !TEST_PATH.test(join(folder, entry.name)))
    .slice(0, MAX_SOURCES_PER_FOLDER).map((entry) => join(folder, entry.name));
}

/**
 * A call that lists a folder's files: Node's `readdir`/`readdirSync`, Python's `os.listdir`/`scandir`/`iterdir`, Go's
 * `os.ReadDir`, Rust's `read_dir`, Java's `Files.list`/`walk`, PHP's `scandir`, Ruby's `Dir.children`/`entries`/`glob`;
 * or one that matches a pattern in it: pathlib's `.glob`/`.rglob`, Python's `glob.glob`/`iglob`, Node's `glob`/
 * `glob.sync`/`globSync` and fast-glob's `fg`/`fg.sync`, Deno's `expandGlob`, Go's `filepath.Glob`, PHP's `glob`.
 */
const LIST_CALL = /\b(?:readdirSync|readdir|listdir|scandir|iterdir|ReadDir|read_dir|glob|rglob|iglob|globSync|expandGlob|Glob|fg)\s*\(|\b(?:glob|fg|fastGlob)\.sync\s*\(|\bFiles\.(?:list|walk|newDirectoryStream)\s*\(|\bDir\.(?:children|entries|glob|each_child)\b/;
/** A character of a receiver written just before a listing call's name (`SCHEMA_DIR.` of `SCHEMA_DIR.glob(`, `Path(base).`). */
const RECEIVER_CHARACTER = /[\w$.()]/;
/** A glob pattern's wildcard (`*`, `?`, `[…]`, `{a,b}`). */
const GLOB_WILDCARD = /[*?[{]/;
/** A name a line gives the value it computes (`const dir = …`, `dir := …`, `dir = …`). */
const ASSIGNED_NAME = /^\s*(?:(?:export\s+)?(?:const|let|var|val|final)\s+)?([A-Za-z_$][\w$]*)(?:\s*:\s*[\w.<>]+)?\s*:?=(?!=)/;
/** A folder's path piece as a string literal holds it (`'migrations'`, `'..'`, `db/migrations`); not a file name such as `.sql` or `utf-8`'s like. */
const FOLDER_PIECE = /^(?:\.{1,2}|[\w-][\w.-]*)(?:\/[\w.-]+)*\/?$/;
/** A line that gives a name a value at a module's top level (no indentation): a folder constant any later line may use. */
const TOP_LEVEL = /^(?![ \t])/;
/** How many lines after the listing the program may read a file and send it (a migrator's loop under its bookkeeping). */
const LIST_SEND_LINES = 60;
/** A read of a file's text: READ_CALL, or the `.read()` of a file a `with open(…) as handle:` opened. */
const READ_TEXT = new RegExp(String.raw`${READ_CALL.source}|\.read\s*\(\s*\)`);
/** Go's value-and-error assignment (`body, err := os.ReadFile(f)`): the first name is given the text. */
const WITH_ERROR_ASSIGNMENT = /^\s*([A-Za-z_]\w*)\s*,\s*(?:err|_)\s*:?=(?!=)/;
/** The name a line gives the text it reads (`const sql = fs.readFileSync(…)`, `body = handle.read()`). */
function readAssignment(line: string): string | undefined {
  const assigned = ASSIGNED_NAME.exec(line) ?? WITH_ERROR_ASSIGNMENT.exec(line);
  return assigned !== null && READ_TEXT.test(line.slice(assigned[0].length)) ? assigned[1] : undefined;
}

/** A pattern of the name as a whole word (`dir`, not `dirs`; `$` is a word character in JS). */
function wordPattern(name: string): RegExp {
  return new RegExp(String.raw`(?<![\w$])${name.replace(/\$/g, '\\$')}(?![\w$])`);
}

/** The folders a program lists, then reads each file of and sends its text with a query call, shelling out to no psql. */
function sentFolders(text: string): string[] {
  if (!LIST_CALL.test(text) || !QUERY_CALL.test(text)) return [];
  const lines = text.split('\n');
  const listings = lines.flatMap((line, index) => (LIST_CALL.test(line) ? [index] : []));
  const assignments = assignmentLines(lines);
  let reads: ReadsSent | undefined;
  return lines.flatMap((line, index) => {
    const path = folderPathOnLine(line);
    if (path === undefined) return [];
    const listing = listingLine(lines, { listings, assignments }, index);
    if (listing < 0) return [];
    const last = Math.min(lines.length - 1, listing + LIST_SEND_LINES);
    reads ??= readsSent(lines);
    return sendsTextItReads(reads, listing, last) && !SHELL_RESTORE.test(lines.slice(listing, last + 1).join('\n')) ? [path] : [];
  });
}

/**
 * Per line of a program: whether it reads a file and sends the text on that line (`query(readFileSync(…))`), and, for a
 * line that gives a name the text it reads, the first later line that sends that name (Infinity when none does). Read
 * once per program, so that each folder listing is answered from them.
 */
interface ReadsSent {
  readonly readAndSent: boolean[];
  readonly sentOn: number[];
}

function readsSent(lines: readonly string[]): ReadsSent {
  const readAndSent = lines.map((line) => READ_TEXT.test(line) && QUERY_CALL.test(line));
  // Where each name is sent (`client.query(sql)`), in line order.
  const sendLines = new Map<string, number[]>();
  lines.forEach((line, index) => {
    for (const name of namesSentOn(line)) {
      const at = sendLines.get(name);
      if (at === undefined) sendLines.set(name, [index]);
      else at.push(index);
    }
  });
  const sentOn = lines.map((line, index) => {
    const name = readAssignment(line);
    return (name === undefined ? undefined : sendLines.get(name)?.find((at) => at > index)) ?? Infinity;
  });
  return { readAndSent, sentOn };
}

/** A conversion of read bytes to text around the name sent (Go's `string(body)`, Python's `str(body)`). */
const TEXT_CONVERSION = /(?:string|str)\s*\(\s*/;
/** A query call's opening with the name handed to it first (after Go's `ctx` argument) (`.query(sql`, `.unsafe( text`). */
const QUERY_CALL_NAME = new RegExp(String.raw`(?:${QUERY_CALL.source})\s*(?:ctx\s*,\s*)?(?:${TEXT_CONVERSION.source})?([A-Za-z_$][\w$]*)`, 'gi');

/** The names a line hands first to a query call. */
function namesSentOn(line: string): string[] {
  return QUERY_CALL.test(line) ? [...line.matchAll(QUERY_CALL_NAME)].map((match) => match[1]) : [];
}

/**
 * The line that lists the folder a line names: that line, or a later line that lists the name it is given (as the
 * call's argument or its receiver) — a few lines on, or anywhere below for a module's top-level constant, up to a line
 * that gives the name another value. `listings`: the lines holding a listing call, in order.
 */
function listingLine(lines: string[], program: ProgramLines, index: number): number {
  if (LIST_CALL.test(lines[index])) return index;
  const name = ASSIGNED_NAME.exec(lines[index])?.[1];
  if (name === undefined) return -1;
  const named = wordPattern(name);
  const reassigned = program.assignments.get(name)?.find((at) => at > index) ?? lines.length;
  const last = TOP_LEVEL.test(lines[index]) ? reassigned - 1 : index + LINES_AFTER;
  for (const next of program.listings) {
    if (next <= index) continue;
    if (next > last) break;
    const listing = LIST_CALL.exec(lines[next])!;
    if (named.test(lines[next].slice(receiverStart(lines[next], listing.index)))) return next;
  }
  return -1;
}

/** A program's lines that hold a listing call, and the lines each name is given a value on, in order. */
interface ProgramLines {
  readonly listings: readonly number[];
  readonly assignments: ReadonlyMap<string, number[]>;
}

function assignmentLines(lines: readonly string[]): Map<string, number[]> {
  const assignments = new Map<string, number[]>();
  lines.forEach((line, index) => {
    const name = ASSIGNED_NAME.exec(line)?.[1];
    const at = name === undefined ? undefined : assignments.get(name);
    if (at !== undefined) at.push(index);
    else if (name !== undefined) assignments.set(name, [index]);
  });
  return assignments;
}

/** Where the receiver written just before a call's name at `at` starts (`at` itself when there is none). */
function receiverStart(line: string, at: number): number {
  let start = at;
  while (start > 0 && RECEIVER_CHARACTER.test(line[start - 1])) start--;
  return start;
}

/**
 * Whether lines `first` to `last` read a file and send the text read: `query(readFileSync(…))`, or a name given a
 * file's text sent on a later line among them.
 */
function sendsTextItReads(reads: ReadsSent, first: number, last: number): boolean {
  for (let index = first; index <= last; index++) if (reads.readAndSent[index] || reads.sentOn[index] <= last) return true;
  return false;
}

/** The first of the literals that, joined by path separators only (PATH_PIECE_SEPARATOR), end at literal `last`. */
function firstPathPiece(line: string, literals: RegExpExecArray[], last: number): number {
  let first = last;
  while (first > 0 && PATH_PIECE_SEPARATOR.test(line.slice(literals[first - 1].index + literals[first - 1][0].length, literals[first].index))) first--;
  return first;
}

/**
 * The folder a line builds a `.sql` name from a stem in (buildsSqlNamesIn), its written pieces joined
 * (`join(__dirname, 'db', \`fixtures/${name}.sql\`)` → `db/fixtures`; '' when none is written), and the base those
 * pieces are joined to (baseBefore: `FIXTURES` of `join(FIXTURES, \`${name}.sql\`)`, a template's interpolated
 * `${ROOT}/`; '' when none), or undefined when the line builds none.
 */
function stemNameFolderOnLine(line: string): { folder: string; base: string } | undefined {
  const literals = [...line.matchAll(STRING_LITERAL)];
  let last = literals.findIndex((literal) => literal[1] === '`' && TEMPLATE_STEM_NAME.test(literal[2]));
  const pieces = literals.map((literal) => literal[2].replace(/^.*\}\/?/, ''));
  let interpolated: string | undefined;
  if (last >= 0) {
    const prefix = literals[last][2].replace(TEMPLATE_STEM_NAME, '');
    pieces[last] = prefix.replace(/^.*\}\/?/, '');
    if (prefix.includes('${')) interpolated = interpolatedBase(prefix);
  } else {
    const suffix = literals.findIndex((literal, index) => index > 0 && /^\.sql$/i.test(literal[2])
      && CONCATENATED_STEM.test(line.slice(literals[index - 1].index + literals[index - 1][0].length, literal.index)));
    if (suffix < 0) {
      const bare = /\+\s*(['"])\.sql\1/i.exec(line);
      return bare === null ? undefined : { folder: '', base: baseBefore(line, stemStart(line, bare.index)) };
    }
    last = suffix - 1;
  }
  const first = firstPathPiece(line, literals, last);
  const before = baseBefore(line, literals[first].index);
  // A template's interpolated base counts where it is the path's start; joined after other pieces, it is unreadable.
  const base = interpolated === undefined ? before : before === '' && first === last ? interpolated : '?';
  return { folder: pieces.slice(first, last + 1).map((piece) => piece.replace(/\/$/, '')).filter(Boolean).join('/'), base };
}

/**
 * The folder path a line names in string literals, its pieces joined (`__dirname, '..', 'db', 'migrations'` →
 * `../db/migrations`); a glob pattern names the folders before its first wildcard (`'db/schema/*.sql'` → `db/schema`).
 */
function folderPathOnLine(line: string): string | undefined {
  const literals = [...line.matchAll(STRING_LITERAL)];
  const pieces = literals.map((literal) => patternFolder(literal[2]));
  const first = pieces.findIndex((piece) => FOLDER_PIECE.test(piece) && /\w/.test(piece) || /^\.\.?$/.test(piece));
  if (first < 0) return undefined;
  let last = first;
  while (last + 1 < literals.length && pieces[last] === literals[last][2] && FOLDER_PIECE.test(pieces[last + 1])
    && PATH_PIECE_SEPARATOR.test(line.slice(literals[last].index + literals[last][0].length, literals[last + 1].index))) last++;
  if (isSqlFileName(pieces[last])) return undefined;
  return pieces.slice(first, last + 1).map((piece) => piece.replace(/\/$/, '')).join('/');
}

/** A literal's folders before its first wildcard when it is a glob pattern (`migrations/**\/*.sql` → `migrations`), else the literal. */
function patternFolder(literal: string): string {
  if (!GLOB_WILDCARD.test(literal)) return literal;
  const segments = literal.split('/');
  return segments.slice(0, segments.findIndex((segment) => GLOB_WILDCARD.test(segment))).join('/');
}

/**
 * Whether a listed folder's path leads to the folder: from the program's folder, from the project's root (the working
 * folder a migrator runs from), or as the end of the folder's path, at least two folders deep (`db/migrations`).
 */
function reachesFolder(listed: SentPath, folder: string): boolean {
  const root = projectRoot(listed.folder);
  if (resolve(listed.folder, listed.path) === folder || (root !== undefined && resolve(root, listed.path) === folder)) return true;
  const tail = posix.normalize(listed.path.replace(/^\/+/, ''));
  return !tail.startsWith('.') && tail.includes('/') && folder.endsWith(sep + tail.split('/').join(sep));
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
  const first = firstPathPiece(line, literals, last);
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
