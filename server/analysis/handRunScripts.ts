// SQL files whose opening comment tells a person to run them by hand: "Run this in the Supabase SQL Editor",
// "Paste into psql", "This script must be run manually on the production database", "Usage: psql -d app -f
// fix.sql". Such a one-off script (a seed, a repair, a schema bootstrap) is pasted into a console or run with
// psql in a session of its own, never sent through the application's pool, so its session state (a `SET
// search_path` at the top, a temporary table) is the script's own business. Only the comment lines before the
// file's first statement count, and only outside a migrations folder, or a folder of one (a migration tool
// applies those, whatever their comments say). A file with a top-level `SHOW` statement is such a script too: only a
// person reads what `SHOW` returns. So is a file a documentation page beside it tells the reader to run by hand with
// the folder's other SQL files ("Run the sql files on the PgObserver database", a feature folder's notes), or the page
// of the folder above, naming its folder ("Run the sql files from the "pgo_setup" on your database"). And so is a file
// a project page names in an instruction to run it by hand, on a page that names the SQL client it is run in (a
// README's "log in to pgAdmin … Run the query in `sp_fill.sql` in the retail database"), whatever program is beside it.
// A comment anywhere in the file that shows it run in psql marks that file too (corpus ruling lab54c 1): a psql command
// line (`'psql -U postgres'`), a connect or include meta-command quoted for the reader (`'\c sql3'`, `\i seed.sql`), an
// order to run it in psql or to open another psql session, or psql named beside its own report of what the file did
// (`psql detects a deadlock` over `ERROR: deadlock detected`). A comment that only names psql is no mark, nor a psql
// command line that runs something else: a `--command` version check, a dump restored from a file or a pipe.
// A migrations folder's files are hand-run too where a project page says so of the folder: a paragraph naming it that says
// its migrations are applied by hand in a client it names and that no tool applies them (isHandAppliedMigration).
import { basename, dirname, join, resolve, sep } from 'node:path';
import { splitStatements } from './splitter';
import { leadingTrivia } from './sqlTrivia';
import { boundedText, folderEntries } from './folderEntries';
import { DOCUMENT_FOLDERS, pagesAmong } from './psqlRuns';
import { names as namesPathBelow } from './docSnippets';
import { ROOT_LEVELS, foldersUpToRoot } from './projectPaths';
import { escapeRegExp } from './regexText';
import { SQL_EXTENSION_SOURCE, isSqlFileName } from './sqlFileNames';
import { CACHE_MS, TimedCache } from './timedCache';
import { literalAndCommentSpans } from './templatePlaceholders';

/** The bytes of the file's head searched for its opening comment. */
const HEAD = 4096;
/** A folder of migrations a tool applies (`migrations`, `migrate`, `db_migrations`…). */
const MIGRATIONS_FOLDER = /migrat/i;
/** How many folders up a migrations folder may be (Prisma: `migrations/<timestamp>_<name>/migration.sql`). */
const MIGRATION_LEVELS = 3;
/**
 * An instruction to the reader to run the file: a comment line that opens with the verb (`Run this …`, `Paste into
 * …`, `1. Execute …`, `Usage: run …`, `Please apply …`), also after an adverb that qualifies the order (`Only execute
 * these manually …`, `Just paste …`, `Then run …`, `Always run …`), or says it is to be run (`must be run in psql`). A
 * description of what the file does (`trigger that runs in the database`) is no instruction.
 */
const RUN_INSTRUCTION = new RegExp([
  String.raw`^\s*(?:[-*#>]+\s*|\d+[.)]\s*)?(?:(?:note|usage|how\s+to\s+use|instructions?|step\s*\d*)\s*[:-]\s*)?(?:please\s+)?(?:(?:only|just|then|always|first|now)\s+)?(?:run|execute|paste|apply)\b`,
  String.raw`\b(?:should|must|can|needs?\s+to|is\s+to|are\s+to|to)\s+be\s+(?:run|executed|pasted|applied)\b`,
].join('|'), 'i');
/** psql or a desktop SQL client, by name. */
export const SQL_CLIENT = /\b(?:psql|pgadmin|dbeaver|datagrip|tableplus|postico|beekeeper)\b/i;
/**
 * Where a person runs it: a SQL console or editor, a desktop client, psql, by hand, or "on your/the … database"
 * (`Run this SQL on your Neon database`, `run on the production database`).
 */
const HAND_VENUE = new RegExp([
  String.raw`\bsql\s*(?:editor|console|tab|window|shell)\b`,
  String.raw`\bquery\s*(?:editor|tool|window|console)\b`,
  SQL_CLIENT.source,
  String.raw`\b(?:manually|by\s+hand)\b`,
  String.raw`\b(?:on|in|against|into)\s+(?:your|the)\b[^.;]{0,30}\b(?:database|db)\b`,
  String.raw`\b(?:on|against)\s+[A-Z][\w-]*\s+(?:database|db)\b`,
].join('|'), 'i');
/** `psql … -f file.sql` or `psql … < file.sql` in a usage line. */
const PSQL_USAGE = /\bpsql\b[^\n]*\s(?:-f\s*\S|--file[=\s]\S|<\s*\S)/i;
/**
 * A command line that runs psql, as a page shows one for the reader to type: the line opens with `psql` (after a shell
 * prompt, a backtick or `sudo -u postgres`) and then an option, a quoted connection string, a URI or a variable
 * (`psql -c "SELECT …"`, `psql "host=db sslmode=require"`, `$ psql postgres://…`). Prose that only names psql
 * (`psql sessions`, `psql is the client`, `psql - the PostgreSQL interactive terminal`: a dash with no option letter)
 * is no command line.
 */
const PSQL_COMMAND_LINE = /^\s*(?:`|[$#>]\s*)?(?:sudo\s+(?:-\w+\s+)*(?:-u\s+\S+\s+)?)?psql\s+(?:-{1,2}[A-Za-z]|["']|postgres(?:ql)?:\/\/|\$)/;

/** psql started from a command line: an option after it (`psql -U postgres`, `psql --dbname=shop`) or a connection URI. */
const PSQL_INVOCATION = /\bpsql\s+(?:-{1,2}[A-Za-z]|postgres(?:ql)?:\/\/)/i;
/** A meta-command that connects or includes, quoted for the reader to type (`'\c sql3'`, `\connect shop`, `\i seed.sql`). */
const PSQL_CONNECT_OR_INCLUDE = /(?:^|[\s'"`(])\\(?:c|connect|i|ir|include|include_relative)[ \t]+[^\s'"`)]/;
/** An order to open a psql session of one's own (`Open a different psql instance`, `start another psql session`). */
const OPENS_PSQL = /\b(?:open|start|launch)\s+(?:(?:a|an|another|other|second|new|different|separate)\s+)*psql\s+(?:session|instance|window|terminal|shell|prompt|console|tab)s?\b/i;
/** A line of the server's report as a client prints it (`ERROR:  deadlock detected`). */
const SERVER_REPORT_LINE = /^\s*(?:ERROR|WARNING|NOTICE|FATAL|DETAIL|HINT|CONTEXT):/;
/**
 * A psql command line that runs something other than a SQL script: a command (`-c`, `--command=`: a version check),
 * input piped in (`pv dump | psql …`), or a file that is no `.sql` script (`psql app < /tmp/foo.dmp`: a restore).
 */
const PSQL_OTHER_INPUT = /\|[^|\n]*\bpsql\b|\bpsql\b.*\s(?:-c\b|--command\b|(?:-f|--file|<)[=\s]*(?=[^=\s])(?![^\s'"`]*\.(?:sql|psql|pgsql)\b))/i;
/** The cheap test before the file's comments are read: psql or a meta-command's backslash somewhere. */
const PSQL_HINT = /psql|\\(?:c|connect|i|ir|include)\b/i;

/** The comment lines that open the text, before its first statement (`--` lines and `/* … *\/` blocks). */
function openingComments(text: string): string[] {
  const lines: string[] = [];
  let rest = text.slice(0, HEAD);
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('--')) {
      const end = trimmed.indexOf('\n');
      lines.push(trimmed.slice(2, end < 0 ? undefined : end));
      if (end < 0) break;
      rest = trimmed.slice(end + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      if (end < 0) break;
      lines.push(...trimmed.slice(2, end).split('\n'));
      rest = trimmed.slice(end + 2);
    } else break;
  }
  return lines;
}

/** Whether the file's opening comment tells a person to run it by hand (in a console, psql, a client, on the database). */
export function hasHandRunHeader(text: string): boolean {
  return openingComments(text).some(tellsToRunByHand);
}

/**
 * Whether a line tells a person to run something by hand (a run instruction naming a console, psql, a client or the
 * database) or shows a psql usage line (`psql -d app -f roles.sql`).
 */
export function tellsToRunByHand(line: string): boolean {
  return (RUN_INSTRUCTION.test(line) && HAND_VENUE.test(line)) || PSQL_USAGE.test(line);
}

/** Whether a page's line is a psql command line (PSQL_COMMAND_LINE): the page's reader runs psql by hand. */
export function showsPsqlCommand(line: string): boolean {
  return PSQL_COMMAND_LINE.test(line);
}

/**
 * A `.sql` file outside a migrations folder whose opening comment says it is run by hand, whose comments show it run in
 * psql, or that shows a setting to its reader.
 */
export function isHandRunScript(fileName: string, text: string): boolean {
  if (!/\.sql$/i.test(fileName) || inMigrationsFolder(fileName)) return false;
  return hasHandRunHeader(text) || hasPsqlMark(text) || showsSettings(text);
}

/** Whether a comment anywhere in the file shows it run in psql (see the head of this file). */
export function hasPsqlMark(text: string): boolean {
  return PSQL_HINT.test(text) && commentsOf(text).some(showsPsqlRun);
}

/** Whether one comment's lines show the file run in psql. */
function showsPsqlRun(lines: readonly string[]): boolean {
  const namesPsql = (line: string) => /\bpsql\b/i.test(line);
  const runsInPsql = (line: string) => PSQL_INVOCATION.test(line) || PSQL_USAGE.test(line) || OPENS_PSQL.test(line)
    || (namesPsql(line) && RUN_INSTRUCTION.test(line));
  if (lines.some((line) => PSQL_CONNECT_OR_INCLUDE.test(line) || (runsInPsql(line) && !PSQL_OTHER_INPUT.test(line)))) return true;
  // psql's own report: a line of prose naming psql beside a quoted server error, not psql named inside the message.
  return lines.some((line) => SERVER_REPORT_LINE.test(line)) && lines.some((line) => namesPsql(line) && !SERVER_REPORT_LINE.test(line));
}

/**
 * The text's comments, each as its lines without comment markers: a block comment, or a run of line comments with
 * only blanks between them. Comments inside a string or a dollar-quoted body are not the file's.
 */
function commentsOf(text: string): string[][] {
  const comments: string[][] = [];
  let previousEnd = -1;
  for (const [start, end] of literalAndCommentSpans(text)) {
    const comment = text.slice(start, end);
    const lineComment = comment.startsWith('--');
    if (!lineComment && !comment.startsWith('/*')) continue;
    const lines = lineComment ? [comment.slice(2)] : comment.slice(2, -2).split('\n').map((line) => line.replace(/^\s*\*(?!\/)/, ''));
    const continues = lineComment && previousEnd >= 0 && /^\s*$/.test(text.slice(previousEnd, start)) && comments.length > 0;
    if (continues) comments[comments.length - 1].push(...lines);
    else comments.push(lines);
    previousEnd = lineComment ? end : -1;
  }
  return comments;
}

/** The word `SHOW` before a name: the cheap test before the file is split into statements. */
const SHOW_WORD = /\bshow\s+["\w]/i;
/** A statement that is `SHOW <parameter>` (`SHOW ALL`, `SHOW TIME ZONE`, `SHOW "app.tenant"`), its words only. */
const SHOW_STATEMENT = /^show\s+(?:"[^"]+"|[a-z_][\w.$]*)(?:\s+[a-z_]\w*){0,2}\s*$/i;

/**
 * Whether a statement of the file, at its top level, is a `SHOW` (`SHOW server_encoding;`): it only hands a value back
 * for a person to read, so the file is a scratch script run by hand in a console or psql (a list of checks and one-off
 * fixes), never one an application sends through its pool — code reads a setting with `current_setting()` in a query
 * whose result it uses. A `SHOW` inside a routine's body or a string does not count.
 */
export function showsSettings(text: string): boolean {
  if (!SHOW_WORD.test(text)) return false;
  return splitStatements(text).some((span) => SHOW_STATEMENT.test(span.text.slice(leadingTrivia(span.text)).trim()));
}

/** Whether the folder is named for migrations a tool applies (the one test of it: scriptFolder.ts and psqlMigrations.ts ask here). */
export function isMigrationsFolder(folder: string): boolean {
  return MIGRATIONS_FOLDER.test(basename(folder));
}

/** Whether the file's folder, or one of the two above it, is a migrations folder. */
export function inMigrationsFolder(fileName: string): boolean {
  return migrationsFoldersOf(fileName).length > 0;
}

/**
 * The migrations folders holding the file: its own folder and the two above it that are named for migrations (a
 * Prisma migration's own `<timestamp>_add_migration_log/` folder may be one, beside its `migrations/`).
 */
function migrationsFoldersOf(fileName: string): string[] {
  const folders: string[] = [];
  let folder = dirname(fileName);
  for (let level = 0; level < MIGRATION_LEVELS; level++, folder = dirname(folder)) {
    if (isMigrationsFolder(folder)) folders.push(folder);
  }
  return folders;
}

/**
 * SQL files named as a kind in an instruction, not one by one: `the "sql" files`, `the .sql file`, `all SQL scripts`,
 * `each of the sql files`.
 */
const SQL_FILES = /\b(?:the|all|these|those|each\s+of\s+the)\s+["'`*]?\.?sql["'`*]?\s+(?:files?|scripts?)\b/i;
/**
 * A folder such a line runs the files from: quoted or code-marked (`from the "host_setup"`, `` in `db/setup` ``), a
 * path (`from sql/setup`), or a word the line calls a folder (`in the setup folder`).
 */
const FOLDER_MENTION = /\b(?:from|in|under)\s+(?:the\s+|your\s+)?(?:["'`]([\w.-]+(?:\/[\w.-]+)*)\/?["'`]|([\w.-]+(?:\/[\w.-]+)+)\/?(?=[\s,;:)]|$)|([\w.-]+)\s+(?:folder|directory|dir)\b)/gi;
/** Bounds: the pages read in a folder, and their size. */
const MAX_PAGES = 20;
const MAX_PAGE_BYTES = 256 * 1024;
/** How many folders above a file's folder a page naming that folder by its path may be. */
const PAGE_LEVELS = 3;

/** Per folder: the folders (relative to it, '' for itself) whose SQL files its pages tell the reader to run by hand. */
const runFoldersByFolder = new TimedCache<string[]>(CACHE_MS);

/**
 * Whether a documentation page tells the reader to run the file with the other SQL files of its folder on a database
 * by hand: a page in the file's folder whose instruction names the SQL files and no other folder (or names it as "this
 * folder"), or a page of a folder up to PAGE_LEVELS above whose instruction names the file's folder by its path from
 * there (`host_setup` one level up, `db/setup` two). Only a file directly in the folder named (a feature's setup notes
 * cover its own scripts, not the whole tree), and never in a migrations folder, which a tool applies.
 */
export function isRunByPageInstruction(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName) || inMigrationsFolder(fileName)) return false;
  let folder = dirname(resolve(fileName));
  if (runFolders(folder).includes('')) return true;
  for (let level = 0, path = basename(folder); level < PAGE_LEVELS && dirname(folder) !== folder; level++) {
    folder = dirname(folder);
    if (runFolders(folder).includes(path)) return true;
    path = `${basename(folder)}/${path}`;
  }
  return false;
}

/** Words that name the page's own folder ("run the sql files in this folder"), not a folder called `this`. */
const OWN_FOLDER = /^(?:this|that|same|current)$/i;

/** The folders, below `folder` ('' for itself), whose SQL files a page of `folder` tells the reader to run by hand. */
function runFolders(folder: string): string[] {
  return runFoldersByFolder.get(folder, () => {
    const folders: string[] = [];
    for (const page of pagesOf(folder)) {
      const text = boundedText(page, MAX_PAGE_BYTES); // unreadable: it tells nothing
      if (text === undefined || !/sql/i.test(text)) continue;
      for (const line of text.split('\n')) {
        if (!SQL_FILES.test(line) || !tellsToRunByHand(line)) continue;
        const named = [...line.matchAll(FOLDER_MENTION)]
          .map((match) => (match[1] ?? match[2] ?? match[3]).replace(/^\.\//, '').replace(OWN_FOLDER, ''));
        folders.push(...(named.length > 0 ? named : ['']));
      }
    }
    return folders;
  });
}

/** A SQL file a page's line names: a bare name or a path, code-marked, quoted or plain (`` `run_all.sql` ``, `db/seed.sql`). */
const NAMED_SQL_FILE = new RegExp(String.raw`(?:^|[\s\x60'"(\[])((?:\.{0,2}\/)*[\w.-]+(?:\/[\w.-]+)*${SQL_EXTENSION_SOURCE})(?=$|[\s\x60'"),;:.\]])`, 'gi');

/** Per folder: the SQL files, as its pages (and its docs folders' pages) write them, that they tell the reader to run in a named client. */
const clientRunsByFolder = new TimedCache<string[]>(CACHE_MS);

/**
 * Whether a documentation page of the file's folder, of a folder up to PAGE_LEVELS above (not above the repository's
 * root) or of their docs folders tells the reader to run this file by hand — a line that tells to run by hand
 * (tellsToRunByHand: "Run the query in `sp_fill.sql` in the retail database", "Execute `db/x.sql` in DBeaver") and
 * names the file by its name or its path from that folder (namesFileBelow) — on a page that names the client it is run in (SQL_CLIENT:
 * pgAdmin, DBeaver, DataGrip, psql…). A page that names a client only as installed names no file to run; one that
 * names no client is not read so (a README's instruction counts without one only where the project holds no program:
 * psqlOnlyProjects.ts). Never a migrations folder's file, which a tool applies (nor, ownSession.ts, one a script runs
 * with psql through a transaction pooler, or one the project's migrator applies).
 */
export function isRunByClientInstruction(fileName: string): boolean {
  if (!isSqlFileName(fileName) || inMigrationsFolder(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), PAGE_LEVELS).some((folder) => {
    const below = file.slice(folder.length + 1).split(sep).join('/');
    return clientRunFiles(folder).some((written) => namesFileBelow(below, written));
  });
}

/**
 * Whether a file name a page writes names the file `below` the page's level: a path is the file's path from there
 * (docSnippets.ts's reading of a page's path: `db/x.sql` is not `other/db/x.sql`); a bare name is the file's name, in
 * whichever folder below ("Run the query in `sp_fill.sql`" of a README whose scripts sit in `sql/`).
 */
function namesFileBelow(below: string, written: string): boolean {
  return written.includes('/') ? namesPathBelow(below, written) : basename(below) === written;
}

/** The SQL files (as written) that the pages of `folder` and of its docs folders tell the reader to run in a client they name. */
function clientRunFiles(folder: string): string[] {
  return clientRunsByFolder.get(folder, () => {
    const files: string[] = [];
    for (const page of [folder, ...DOCUMENT_FOLDERS.map((below) => join(folder, below))].flatMap(pagesOf)) {
      const text = boundedText(page, MAX_PAGE_BYTES); // unreadable: it tells nothing
      if (text === undefined || !SQL_CLIENT.test(text)) continue;
      for (const line of text.split('\n')) {
        if (tellsToRunByHand(line)) files.push(...[...line.matchAll(NAMED_SQL_FILE)].map((match) => match[1]));
      }
    }
    return files;
  });
}

/** The documentation pages among a folder's files, at most MAX_PAGES (psqlRuns.ts pagesAmong). */
function pagesOf(folder: string): string[] {
  return pagesAmong(folderEntries(folder).filter((entry) => entry.isFile()).map((entry) => join(folder, entry.name)), MAX_PAGES);
}

/**
 * Said of migrations: applied or run by hand (`Migrations are applied manually`, `applied by hand with psql`, `updated by
 * a human running the SQL`).
 */
const APPLIED_BY_HAND = /\b(?:applied|run|executed)\s+(?:manually|by\s+hand)\b|\bmanually\s+(?:applied|run|executed)\b|\bby\s+a\s+(?:human|person)\b/i;
/**
 * Said of the same migrations: no tool applies them (`never auto-run`, `not run automatically`, `We do NOT use
 * \`prisma migrate deploy\``). An offer of a hand run beside the tool ("if you prefer, apply them manually") says none of it.
 */
const NEVER_APPLIED_BY_TOOL = new RegExp([
  String.raw`\bnever\s+(?:auto-?(?:run|applied)|(?:run|applied|executed)\s+automatically)\b`,
  String.raw`\bnot\s+(?:auto-?(?:run|applied)|(?:run|applied|executed)\s+automatically)\b`,
  String.raw`\b(?:do|does)\s+not\s+use\s+\x60[^\x60\n]*\bmigrat[^\x60\n]*\x60`,
].join('|'), 'i');

/** Per migrations folder: whether a project page says it is applied by hand, in a client the page names, and by no tool. */
const handAppliedFolders = new TimedCache<boolean>(CACHE_MS);
/**
 * Per folder: the paragraphs of its pages (and of its docs folders' pages) that say migrations are applied by hand only,
 * in a client they name. Every migrations folder below asks the same pages up to the root (a Prisma project's folder per
 * migration): they are read once.
 */
const handAppliedParagraphsByFolder = new TimedCache<string[]>(CACHE_MS);

/**
 * Whether a project page says the file's migrations folder is applied by hand and never by a tool (corpus ruling lab55d
 * 1, on lab52c 2): one paragraph of a page (a README, CLAUDE.md, CONTRIBUTING.md, a docs page) of the migrations folder
 * or of a folder above it up to the repository's root (or of their docs folders) that names the folder by its path from
 * the page's folder (a page in the folder itself need not), says its migrations are applied by hand
 * (APPLIED_BY_HAND), says no tool applies them (NEVER_APPLIED_BY_TOOL) and names the SQL client a person runs them in
 * (SQL_CLIENT: psql…). Each file then runs in that person's session, as a file a page tells to run in psql does: a
 * migration tool's script left in package.json does not change what the project says it does (the lead's ruling).
 * The paragraph is the unit: words spread over a page say nothing of one folder.
 */
export function isHandAppliedMigration(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  return migrationsFoldersOf(resolve(fileName)).some((folder) => handAppliedFolders.get(folder, () => saysAppliedByHand(folder)));
}

function saysAppliedByHand(migrations: string): boolean {
  return foldersUpToRoot(migrations, ROOT_LEVELS).some((folder) => {
    const path = migrations.slice(folder.length + 1).split(sep).join('/');
    return handAppliedParagraphs(folder).some((paragraph) => namesFolder(paragraph, path));
  });
}

/** The paragraphs of the pages of `folder` and of its docs folders that say migrations are applied by hand only (saysAppliedByHandOnly). */
function handAppliedParagraphs(folder: string): string[] {
  return handAppliedParagraphsByFolder.get(folder, () => [folder, ...DOCUMENT_FOLDERS.map((below) => join(folder, below))].flatMap(pagesOf).flatMap((page) => {
    const text = boundedText(page, MAX_PAGE_BYTES); // unreadable: it tells nothing
    if (text === undefined || !SQL_CLIENT.test(text) || !APPLIED_BY_HAND.test(text)) return [];
    return paragraphsOf(text).filter(saysAppliedByHandOnly);
  }));
}

/** Whether one paragraph says migrations are applied by hand, by no tool, and names the client they are run in. */
function saysAppliedByHandOnly(paragraph: string): boolean {
  return APPLIED_BY_HAND.test(paragraph) && NEVER_APPLIED_BY_TOOL.test(paragraph) && SQL_CLIENT.test(paragraph);
}

/** Whether a paragraph names the folder at `path` (from the page's folder; '' for the page's own, which it need not name). */
function namesFolder(paragraph: string, path: string): boolean {
  return path === '' || new RegExp(String.raw`(?:^|[\s\x60'"(\[])(?:\.\/)?${escapeRegExp(path)}\/?(?=$|[\s\x60'"),;:.\]])`).test(paragraph);
}

/** A page's paragraphs: runs of lines between blank lines (a heading line and the list right under it are one). */
function paragraphsOf(text: string): string[] {
  return text.split(/\n[ \t]*\r?\n/);
}
