// Syntax of PostgreSQL releases newer than the bundled parser (libpg-query 18), and syntax older releases
// accepted that the bundled parser rejects. A statement that fails to parse where it uses one of these is
// valid on the server it is written for, so it gets no syntax error.
// The one list of such markers; docs/rules/syntax-error.md names them for users.
import { replaceLiteralsAndComments, type ParseErrorAt } from './templatePlaceholders';

interface NewerSyntax {
  readonly pattern: RegExp;
  readonly what: string;
  readonly since: string;
  /** A statement this matches is not that syntax as the server takes it (a clause given twice): its error stays. */
  readonly unless?: RegExp;
}

export const NEWER_SYNTAX: readonly NewerSyntax[] = [
  { pattern: /\bPROPERTY\s+GRAPH\b/i, what: 'SQL/PGQ property graphs (CREATE/ALTER/DROP PROPERTY GRAPH)', since: 'PostgreSQL 19' },
  { pattern: /\bGRAPH_TABLE\s*\(/i, what: 'SQL/PGQ graph queries (GRAPH_TABLE (… MATCH … COLUMNS …))', since: 'PostgreSQL 19' },
  { pattern: /\bFOR\s+PORTION\s+OF\b/i, what: 'application-time UPDATE/DELETE … FOR PORTION OF', since: 'PostgreSQL 19' },
  // Marks DO SELECT itself (not ON CONFLICT), so a mistake in the conflict target is still reported. The
  // lookbehind follows the match: leading the pattern, it rescanned the statement back from every offset
  // (quadratic: 118 s of CPU on one 336 KB file of INSERTs).
  { pattern: /\bDO\s+SELECT\b(?<=\bON\s+CONFLICT\b[^;]*\bDO\s+SELECT)/i, what: 'INSERT … ON CONFLICT … DO SELECT … RETURNING', since: 'PostgreSQL 19' },
  // CHECKPOINT's option list: the whole statement has its shape, so a broken list (`CHECKPOINT (MODE FAST`) and a
  // call `checkpoint(…)` in another statement are still checked.
  { pattern: /^\s*CHECKPOINT\s*\(\s*[A-Za-z_]\w*(?:\s+\w+)?(?:\s*,\s*[A-Za-z_]\w*(?:\s+\w+)?)*\s*\)\s*(?:;\s*)?$/i, what: 'CHECKPOINT (MODE FAST | SPREAD, FLUSH_UNLOGGED [boolean])', since: 'PostgreSQL 19' },
  // A publication of every sequence, or of every table but some, and ALTER PUBLICATION … SET ALL TABLES: only in
  // a CREATE or ALTER PUBLICATION statement (GRANT … ON ALL SEQUENCES IN SCHEMA is older syntax, checked as usual).
  // `ALL TABLES, ALL SEQUENCES` is marked from its first ALL, where the bundled parser stops (at the comma). The
  // server's grammar wants TABLE before the first excluded table (`EXCEPT (t1, t2)` fails there) and each of ALL
  // TABLES and ALL SEQUENCES once: such statements keep their error.
  {
    pattern: /(?:\bALL\s+(?:TABLES\s*,\s*ALL\s+)?SEQUENCES\b|\bALL\s+TABLES\s+EXCEPT\s*\(\s*TABLE\b|\bSET\s+ALL\s+TABLES\b)(?<=^\s*(?:CREATE|ALTER)\s+PUBLICATION\b[^;]*)/i,
    unless: /\bALL\s+TABLES\b[^;]*\bALL\s+TABLES\b|\bALL\s+SEQUENCES\b[^;]*\bALL\s+SEQUENCES\b|\bALL\s+TABLES\s+EXCEPT\s*\((?!\s*TABLE\b)/i,
    what: 'CREATE/ALTER PUBLICATION … ALL SEQUENCES, ALL TABLES EXCEPT (TABLE …), SET ALL TABLES',
    since: 'PostgreSQL 19',
  },
  // Removed in PostgreSQL 10; init scripts for older servers (a postgres:9 image) still carry it.
  { pattern: /\bUNENCRYPTED\s+PASSWORD\b/i, what: 'CREATE/ALTER ROLE … UNENCRYPTED PASSWORD', since: 'PostgreSQL 9.6 and older' },
  // Tables with OIDs (CREATE TABLE … WITH OIDS, COPY … WITH OIDS): removed in PostgreSQL 12; old dumps and tutorials carry them.
  { pattern: /\bWITH\s+OIDS\b/i, what: 'CREATE TABLE / COPY … WITH OIDS', since: 'PostgreSQL 11 and older' },
  // pg_dump output of the 7.x/8.x era, still shipped as sample databases: a language named by a quoted string
  // (matched on the text with strings blanked: no name before HANDLER), its LANCOMPILER, and function attributes
  // written WITH (iscachable).
  { pattern: /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TRUSTED\s+)?(?:PROCEDURAL\s+)?LANGUAGE\s+(?:HANDLER\b|;|$)|\bLANCOMPILER\b/i, what: "CREATE LANGUAGE 'name' … LANCOMPILER '…'", since: 'PostgreSQL 8.x and older' },
  { pattern: /\bWITH\s*\(\s*"?is(?:cachable|strict)\b/i, what: 'CREATE FUNCTION … WITH (iscachable, isstrict)', since: 'PostgreSQL 8.x and older' },
];

/**
 * Whether the parse error at `errorOffset` comes at or after newer syntax in the statement: a typo before
 * the first marker is still a syntax error on every server.
 */
export function failsOnNewerSyntax(statement: string, errorOffset: number): boolean {
  const code = replaceLiteralsAndComments(statement);
  return NEWER_SYNTAX.some(({ pattern, unless }) => {
    const first = code.search(pattern);
    return first >= 0 && first <= errorOffset && !unless?.test(code);
  });
}

/**
 * Words that became keywords in PostgreSQL 16 and 17 of a kind that may no longer name a function, a type or a
 * function's parameter (SYSTEM_USER: nothing at all). Code written for PostgreSQL 15 or older uses them as
 * names — a parameter `json json`, a column `system_user`, a function `json_value(…)` — and is valid there.
 */
export const NEWER_KEYWORDS: ReadonlySet<string> = new Set([
  'json', 'json_array', 'json_arrayagg', 'json_object', 'json_objectagg', 'json_scalar', 'json_serialize', 'system_user', // 16
  'json_exists', 'json_query', 'json_table', 'json_value', 'merge_action', // 17
]);

const WORD = /[A-Za-z_][\w$]*/y;

/** The word that covers or ends just before `offset` in code (not in a string or comment), with its start. */
function wordsAround(code: string, offset: number): { start: number; word: string }[] {
  const found: { start: number; word: string }[] = [];
  const wordAt = (at: number): void => {
    let start = at;
    while (start > 0 && /[\w$]/.test(code[start - 1])) start--;
    WORD.lastIndex = start;
    const match = WORD.exec(code);
    if (match && start <= at) found.push({ start, word: match[0] });
  };
  // The parser stops at the newer keyword itself (`system_user text`) or at the word after it (`json json`).
  let before = offset - 1;
  while (before >= 0 && /\s/.test(code[before])) before--;
  if (before >= 0 && /[\w$]/.test(code[before])) wordAt(before);
  if (/[A-Za-z_]/.test(code[offset] ?? '')) wordAt(offset);
  return found.filter(({ word }) => NEWER_KEYWORDS.has(word.toLowerCase()));
}

/**
 * The statement with the newer keywords it uses as names renamed (same length, offsets in place) when that
 * makes it parse: it is valid on PostgreSQL 15 and older. Undefined when the error is elsewhere, or remains.
 */
export function withOlderNames(statement: string, errorAt: ParseErrorAt, offset: number): string | undefined {
  let text = statement;
  let at: number | undefined = offset;
  for (let attempt = 0; attempt < 4 && at !== undefined; attempt++) {
    const code = replaceLiteralsAndComments(text);
    const words = wordsAround(code, at);
    if (words.length === 0) return undefined;
    // Rename the earliest candidate first (`json json`: the parameter's name, not its type).
    const { start, word } = words[0];
    text = text.slice(0, start) + word.slice(0, -1) + '_' + text.slice(start + word.length);
    const next = errorAt(text);
    if (next === undefined) return text;
    if (next <= at) return undefined; // no better: the mistake is elsewhere
    at = next;
  }
  return undefined;
}
