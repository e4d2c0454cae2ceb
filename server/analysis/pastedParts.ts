// A SQL file pasted whole into another SQL file that the repository's scripts run with psql: a project that keeps its
// scripts as parts (`step_3_limits.sql`, `app_init.sql`) and commits their merge (`merged.sql`) beside them, which its
// setup script runs (`psql --single-transaction --file=src/merged.sql`). psql runs the part's statements in that
// script's session, so they are a session script's statements as the merged file's are (corpus ruling 6).
// Told by the text, not by a name: the part's code — its lines trimmed, less blank lines, comment lines and lone
// transaction-control lines (`BEGIN;`, `COMMIT;`, which a merge run as one transaction leaves out) — stands whole and in
// order, line for line, in the psql-run file's code read the same way. Only the SQL files of the part's own folder are
// looked at, only those a script runs with psql (psqlRuns.ts) are read, each once per CACHE_MS. A part of fewer than
// MIN_CODE_LINES code lines could stand in another file by chance, and does not count; nor does a file in a migrations
// folder, which its tool applies whatever else holds a copy (ruling 6).
import { dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { inMigrationsFolder } from './handRunScripts';
import { isRunByPsql } from './psqlRuns';
import { isSqlFileName } from './sqlFileNames';
import { CACHE_MS, TimedCache } from './timedCache';

/** Bounds: the SQL files of a folder looked at, the bytes read of a psql-run file. */
const MAX_FILES_PER_FOLDER = 40;
const MAX_SCRIPT_BYTES = 1024 * 1024;
/** The fewest code lines a part must have for its copy in a psql-run file to tell that it was pasted there. */
const MIN_CODE_LINES = 5;
/** A line that is only a transaction-control statement, which a merge run with `psql --single-transaction` drops. */
const TRANSACTION_CONTROL_LINE = /^(?:begin|commit|end|start\s+transaction)(?:\s+(?:transaction|work))?\s*;$/i;

const psqlRunFilesByFolder = new TimedCache<string[]>(CACHE_MS);
const codeByFile = new TimedCache<string | undefined>(CACHE_MS);

/** Whether the file's code stands whole in another SQL file of its folder that the repository's scripts run with psql. */
export function isPastedIntoPsqlScript(fileName: string, text: string): boolean {
  if (!isSqlFileName(fileName) || inMigrationsFolder(fileName)) return false;
  const file = resolve(fileName);
  const folder = dirname(file);
  const merged = psqlRunFilesByFolder.get(folder, () => sqlFilesOf(folder).filter(isRunByPsql)).filter((path) => path !== file);
  if (merged.length === 0) return false;
  const lines = codeLines(text);
  if (lines.length < MIN_CODE_LINES) return false;
  const code = `\n${lines.join('\n')}\n`;
  return merged.some((path) => codeByFile.get(path, () => codeOf(path))?.includes(code) === true);
}

function sqlFilesOf(folder: string): string[] {
  return folderEntries(folder).filter((entry) => entry.isFile() && isSqlFileName(entry.name)).slice(0, MAX_FILES_PER_FOLDER)
    .map((entry) => join(folder, entry.name));
}

/** A psql-run file's code lines, each between newlines (so that a part's code matches whole lines only). */
function codeOf(path: string): string | undefined {
  const text = boundedText(path, MAX_SCRIPT_BYTES); // too big or unreadable: no part is looked for in it
  return text === undefined ? undefined : `\n${codeLines(text).join('\n')}\n`;
}

/** The text's lines, trimmed, less blank lines, comment lines and lone transaction-control lines. */
export function codeLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('--') && !TRANSACTION_CONTROL_LINE.test(line));
}
