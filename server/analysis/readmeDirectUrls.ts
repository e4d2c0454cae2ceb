// A project's README may say of a connection variable, in its setup list, that it must reach the server directly
// (`- DATABASE_URL: Your Postgres connection string. Cannot be a connection pooler.`): a sync engine that replicates
// from it (zero-cache, Electric) needs a replication session no transaction pooler gives. directUrls.ts reads such a
// variable as a URL the project keeps for direct sessions, as it reads a documented direct `.env.example` value. Only an
// unambiguous statement counts: a line that opens with the variable's name (a list item, a table row, a definition) and
// says it cannot, must not or should not be a pooler, and no other line of the README that names the variable beside
// a pooler says otherwise.
import { join } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries } from './folderEntries';

const MAX_FILE_BYTES = 256 * 1024;
/** The README of a folder, in any case (`README.md`, `readme.markdown`, `README`). */
const README_FILE = /^readme(?:\.(?:md|markdown|txt|rst))?$/i;
/** A statement that the URL may not go through a pooler: `Cannot be a connection pooler`, `must not use a pooled connection`. */
const NOT_A_POOLER = /\b(?:cannot|can ?not|can't|must not|mustn't|should not|shouldn't|may not)\s+(?:be|use|go through)\s+(?:a\s+|an\s+)?(?:(?:connection|transaction|pgbouncer|supavisor)\s+)?pool(?:er|ed(?:\s+connection)?|ing)\b/i;
/** Words of a pooler: a line naming the variable beside one of them says something about pooling. */
const POOL_WORD = /pool|bouncer|supavisor|pgcat|6543/i;

/** An environment variable's name, as a README writes it (and safe inside a regular expression). */
const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

const linesByFolder = new TimedCache<readonly string[]>(CACHE_MS, 512);

/** Whether the README of `folder` documents the variable `name` as one that cannot be a pooler (see the file comment). */
export function readmeDocumentsDirect(folder: string, name: string): boolean {
  if (!VARIABLE_NAME.test(name)) return false;
  // A line's opening: a list marker or a table cell, then the name (maybe in backticks or bold), then `:`, `|`, a dash.
  const opening = new RegExp(String.raw`^\s*(?:[-*+]\s+|\d+[.)]\s+|\|\s*)?(?:\*\*|__)?\x60?${name}\x60?(?:\*\*|__)?\s*(?:[:|—–]|-\s)`);
  const mention = new RegExp(String.raw`(?<![\w$])${name}(?![\w$])`);
  const lines = readmeLines(folder).filter((line) => mention.test(line) && POOL_WORD.test(line));
  return lines.some((line) => opening.test(line) && NOT_A_POOLER.test(line)) && lines.every((line) => NOT_A_POOLER.test(line));
}

/** The lines of the folder's README (none without one). */
function readmeLines(folder: string): readonly string[] {
  return linesByFolder.get(folder, () => {
    const entry = folderEntries(folder).find((candidate) => README_FILE.test(candidate.name));
    const text = entry && boundedText(join(folder, entry.name), MAX_FILE_BYTES);
    return text?.split(/\r?\n/) ?? [];
  });
}
