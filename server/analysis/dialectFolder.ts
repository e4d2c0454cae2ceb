// A migrations folder is written for one database. When most of its .sql files bear another dialect's
// syntax (ClickHouse's engines and codecs, MySQL's backquotes…) and its name does not say so, the files
// without such a mark are that dialect's too (an INSERT … SELECT, a DROP COLUMN): PostgreSQL's parser is no
// judge of them. Only consulted for a file that has a syntax error, so PostgreSQL projects never pay for it.
// A compatible engine's mark (Redshift's DISTKEY) makes no folder another dialect's, as it makes no file one.
import { dirname, join } from 'node:path';
import { dialectOfStatement, otherDialectCounts, type OtherDialect } from './dialect';
import { splitStatements } from './splitter';
import { boundedText, folderEntries } from './folderEntries';
import type { Finding } from './types';
import { CACHE_MS, TimedCache } from './timedCache';

/** How many of a folder's .sql files are read at the most; a larger folder is judged by these. */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 256 * 1024;
/** A folder is another dialect's only with at least this many marked files, and more marked than not. */
const MIN_MARKED_FILES = 3;

const byFolder = new TimedCache<OtherDialect | undefined>(CACHE_MS);

/** The findings of a SQL file without its syntax errors when its folder is mostly another dialect's SQL. */
export function withoutOtherDialectFolderErrors(findings: Finding[], fileName: string | undefined): Finding[] {
  if (fileName === undefined || !findings.some((f) => f.rule === 'syntax-error')) return findings;
  return dialectOfFolder(dirname(fileName)) ? findings.filter((f) => f.rule !== 'syntax-error') : findings;
}

/** The other dialect most of a folder's .sql files are written in, if any (cached for CACHE_MS: files change in an editor). */
export function dialectOfFolder(folder: string): OtherDialect | undefined {
  return byFolder.get(folder, () => countedDialect(folder));
}

function countedDialect(folder: string): OtherDialect | undefined {
  const names = folderEntries(folder).filter((e) => e.isFile() && /\.sql$/i.test(e.name)).slice(0, MAX_FILES).map((e) => e.name);
  const counts = new Map<OtherDialect, number>();
  for (const name of names) {
    const dialect = dialectOfFileText(join(folder, name));
    if (dialect && otherDialectCounts(dialect)) counts.set(dialect, (counts.get(dialect) ?? 0) + 1);
  }
  const [top, marked] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  return marked >= MIN_MARKED_FILES && marked * 2 > names.length ? top : undefined;
}

function dialectOfFileText(path: string): OtherDialect | undefined {
  const text = boundedText(path, MAX_FILE_BYTES);
  if (text === undefined) return undefined; // vanished or unreadable: it says nothing
  // The statements as PostgreSQL receives them: a psql script's meta-commands (`\echo Create stage tables`) are psql's
  // words, not SQL, and mark no dialect.
  return dialectOfStatement(splitStatements(text).map((statement) => statement.text).join(';\n'));
}
