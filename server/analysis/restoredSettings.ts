// Statements that put a setting back to its default — `RESET name|ALL`, `SET [SESSION] name TO|= DEFAULT` and SET's own
// two-word spellings (`RESET SESSION AUTHORIZATION`, `RESET TIME ZONE`, `SET ROLE NONE`, `SET TIME ZONE LOCAL`) — read
// from a text that holds one such statement. One reader for every caller that meets them as text rather than as a parse
// tree: a PL/pgSQL `EXECUTE`'s built statement (dynamicSql.ts) and the text a wrapper's query method sends
// (embedded.ts's whole RESET).
import { leadingTrivia } from './sqlTrivia';

/** A setting's name as written: an identifier (`search_path`, `app.tenant`) or a quoted one (`"app"."tenant"`). */
const NAME_PART = String.raw`(?:"[^"]+"|[a-z_][\w$]*)`;
const NAME = String.raw`${NAME_PART}(?:\s*\.\s*${NAME_PART})*`;

/** `RESET name|ALL`, `SET [SESSION] name TO|= DEFAULT` (the text trimmed, no `;`). */
const RESTORES_DEFAULT = new RegExp(String.raw`^(?:reset\s+(${NAME})|set\s+(?:session\s+)?(${NAME})\s*(?:to\b|=)\s*default)$`, 'i');

/**
 * SET's own two-word spellings of the session's identity and time zone: `RESET SESSION AUTHORIZATION`, `RESET TIME ZONE`,
 * `SET [SESSION] SESSION AUTHORIZATION DEFAULT`, `SET [SESSION] ROLE NONE`, `SET [SESSION] TIME ZONE DEFAULT|LOCAL`
 * (`RESET ROLE` and `RESET timezone` are RESTORES_DEFAULT's).
 */
const RESTORES_IDENTITY = /^(?:reset\s+(session\s+authorization|time\s+zone)|set\s+(?:session\s+)?(session\s+authorization)\s+default|set\s+(?:session\s+)?(role)\s+none|set\s+(?:session\s+)?(time\s+zone)\s+(?:default|local))$/i;

/**
 * The setting a text of one statement puts back to its default, as PostgreSQL names the parameter (`all` for RESET ALL),
 * if it is such a statement. Leading blanks and comments and one closing `;` are allowed around it.
 */
export function restoredSetting(text: string): string | undefined {
  const statement = text.slice(leadingTrivia(text)).trim().replace(/;$/, '').trimEnd();
  const match = RESTORES_DEFAULT.exec(statement) ?? RESTORES_IDENTITY.exec(statement);
  const written = match?.slice(1).find((name) => name !== undefined);
  return written === undefined ? undefined : parameterName(written);
}

/**
 * A setting as PostgreSQL names the parameter: `SESSION AUTHORIZATION` → session_authorization, `TIME ZONE` → timezone,
 * another name without its quotes and the blanks around its dots, in lower case (parameter names are case-insensitive).
 */
export function parameterName(written: string): string {
  const name = written.toLowerCase().replace(/\s+/g, ' ');
  if (name === 'session authorization') return 'session_authorization';
  if (name === 'time zone') return 'timezone';
  return name.split('.').map((part) => part.trim().replace(/"/g, '')).join('.');
}
