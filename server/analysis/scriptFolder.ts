// A folder of session scripts: an administrator's or installer's scripts (an installed `share/<app>/sql`, a
// `scripts/` folder), each run whole with psql in its own session. When most of a folder's other `.sql` files
// are seen to run that way — the repository's scripts run them with psql (psqlRuns.ts), they use psql's
// meta-commands or its quoted variables (`:'password'`, `:"schema"`), they open by creating a database (a bootstrap
// run on a maintenance connection), their opening comment says to run them by hand (handRunScripts.ts), or a
// container runs them at first start (dockerInit.ts) — the rest of the folder is more of
// the same: an upgrade script next to them is run by hand, not sent through the application's pool. As
// dialectFolder.ts does for another dialect's migrations, the folder's majority speaks for files that carry
// no mark of their own. A migrations folder is its tool's, whatever runs a file beside it; and a file a glob piped
// into psql leaves out of its folder (`cat bundle/0*.sql | psql` and `bundle/new.sql`) was left out on purpose.
// SQL files are those of the one list (sqlFileNames.ts: `.sql`, `.pgsql`, `.psql`): psql runs a file of any name.
import { dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { isLeftOutByPsqlGlob, isRunByPsql } from './psqlRuns';
import { isDockerInitScript } from './dockerInit';
import { isHandRunScript, isMigrationsFolder } from './handRunScripts';
import { CACHE_MS, TimedCache } from './timedCache';
import { leadingTrivia } from './sqlTrivia';
import { splitStatements } from './splitter';
import type { DocumentText } from './types';
import { isSqlFileName } from './sqlFileNames';

/** A psql meta-command at the start of a line (`\set ON_ERROR_STOP on`, `\echo`, `\connect`, `\i file`…). */
const META_COMMAND = /^[ \t]*\\(?:set|unset|echo|qecho|i|ir|include|include_relative|c|connect|gset|gexec|o|out|pset|timing|if|elif|else|endif|q|copy|cd|prompt|setenv)\b/m;
/** Bounds: the folder's SQL files looked at, and the bytes read of each. */
const MAX_SCRIPTS = 40;
const MAX_SCRIPT_BYTES = 256 * 1024;
/** At least this many of the other files must be seen to run in their own session, and at least half of them. */
const MIN_SESSION_SCRIPTS = 2;
/** Bootstrap scripts announce themselves in their first statement; never scan a big file for it. */
const HEAD = 4096;

const sessionScriptsByFolder = new TimedCache<string[]>(CACHE_MS);

/** Whether most of the other SQL files of the file's folder (at least two) are seen to run whole in their own session. */
export function isAmongSessionScripts(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  const folder = dirname(file);
  if (isMigrationsFolder(folder) || isLeftOutByPsqlGlob(file)) return false;
  const others = sqlFilesOf(folder).filter((path) => path !== file);
  const seen = sessionScriptsByFolder.get(folder, () => sqlFilesOf(folder).filter(runsInOwnSession)).filter((path) => path !== file);
  return seen.length >= MIN_SESSION_SCRIPTS && seen.length * 2 >= others.length;
}

function sqlFilesOf(folder: string): string[] {
  return folderEntries(folder).filter((entry) => entry.isFile() && isSqlFileName(entry.name)).slice(0, MAX_SCRIPTS)
    .map((entry) => join(folder, entry.name));
}

function runsInOwnSession(path: string): boolean {
  if (isRunByPsql(path) || isDockerInitScript(path)) return true;
  const text = boundedText(path, MAX_SCRIPT_BYTES); // unreadable: no mark
  return text !== undefined && ((text.includes('\\') && META_COMMAND.test(text)) || usesQuotedPsqlVariables(text) || opensByCreatingDatabase(text)
    || isHandRunScript(path, text));
}

/** Whether the text interpolates a psql variable as a literal or identifier (`:'password'`, `:"schema"`), which only psql does. */
function usesQuotedPsqlVariables(text: string): boolean {
  return (text.includes(":'") || text.includes(':"')) && splitStatements(text).some((span) => span.quotedPsqlVariable);
}

/** `CREATE DATABASE` or `DROP DATABASE` as the file's first statement (after comments). */
const CREATES_DATABASE = /^(?:create|drop)\s+database\s/i;

/**
 * Whether the file opens by creating (or dropping) a database: a bootstrap script an administrator, a container's
 * init or a setup script runs with psql on a maintenance connection (CREATE DATABASE cannot run inside a
 * transaction block, and the statements after it are meant for the new database, which a pooled connection
 * to the application's database never is). Not a file the application sends through its pool.
 */
export function opensByCreatingDatabase(text: DocumentText): boolean {
  const head = text.slice(0, HEAD);
  return CREATES_DATABASE.test(head.slice(leadingTrivia(head)));
}

