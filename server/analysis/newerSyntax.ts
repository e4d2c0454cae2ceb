// Syntax of PostgreSQL releases newer than the bundled parser (libpg-query 18), and syntax older releases
// accepted that the bundled parser rejects. A statement that fails to parse where it uses one of these is
// valid on the server it is written for, so it gets no syntax error.
// The one list of such markers; docs/rules/syntax-error.md names them for users.
import { LITERALS_AND_COMMENTS } from './templatePlaceholders';

interface NewerSyntax {
  readonly pattern: RegExp;
  readonly what: string;
  readonly since: string;
}

export const NEWER_SYNTAX: readonly NewerSyntax[] = [
  { pattern: /\bPROPERTY\s+GRAPH\b/i, what: 'SQL/PGQ property graphs (CREATE/ALTER/DROP PROPERTY GRAPH)', since: 'PostgreSQL 19' },
  { pattern: /\bGRAPH_TABLE\s*\(/i, what: 'SQL/PGQ graph queries (GRAPH_TABLE (… MATCH … COLUMNS …))', since: 'PostgreSQL 19' },
  { pattern: /\bFOR\s+PORTION\s+OF\b/i, what: 'application-time UPDATE/DELETE … FOR PORTION OF', since: 'PostgreSQL 19' },
  // Marks DO SELECT itself (not ON CONFLICT), so a mistake in the conflict target is still reported. The
  // lookbehind follows the match: leading the pattern, it rescanned the statement back from every offset
  // (quadratic: 118 s of CPU on one 336 KB file of INSERTs).
  { pattern: /\bDO\s+SELECT\b(?<=\bON\s+CONFLICT\b[^;]*\bDO\s+SELECT)/i, what: 'INSERT … ON CONFLICT … DO SELECT … RETURNING', since: 'PostgreSQL 19' },
  // Removed in PostgreSQL 10; init scripts for older servers (a postgres:9 image) still carry it.
  { pattern: /\bUNENCRYPTED\s+PASSWORD\b/i, what: 'CREATE/ALTER ROLE … UNENCRYPTED PASSWORD', since: 'PostgreSQL 9.6 and older' },
];

/**
 * Whether the parse error at `errorOffset` comes at or after newer syntax in the statement: a typo before
 * the first marker is still a syntax error on every server.
 */
export function failsOnNewerSyntax(statement: string, errorOffset: number): boolean {
  const code = statement.replace(LITERALS_AND_COMMENTS, (text) => ' '.repeat(text.length));
  return NEWER_SYNTAX.some(({ pattern }) => {
    const first = code.search(pattern);
    return first >= 0 && first <= errorOffset;
  });
}
