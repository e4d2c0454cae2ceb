// Another program's code kept in a SQL scratch file as a note beside the queries it sends: the Visual Basic (or
// Python, JavaScript…) lines that build a query string (`sql=" SELECT … "`, `sql=sql+" FROM … "`, `"WITH … " + _`).
// Such a line is no PostgreSQL as written and never sent as written: when the parser stops on one, the statement's
// syntax error says nothing (detect.ts marks it notStatement). Only the line the parser stops on counts, so a real
// mistake earlier in the statement is still reported.

/** An SQL word inside a host language's string, with a blank in it: query text, not a quoted PostgreSQL name. */
const SQL_TEXT = /^(?=[^"]*\s)[^"]*\b(?:select|from|where|with|insert|update|delete|join|values|group\s+by|order\s+by)\b/i;
/**
 * A line that assigns or appends a double-quoted string (`sql = "…"`, `sql=sql+"…"`, `q += "…"`, `q &= "…"`), or a
 * double-quoted string continued with `+`/`&` (Visual Basic's `" … " + _`), the line trimmed. Capture 1 or 2: the string's text.
 * PostgreSQL reads `"…"` as a name; a line holding only a name and an operator is possible (`"unit price" +`), which is
 * why the string must also read as query text.
 */
const QUERY_STRING_LINE = /^(?:[A-Za-z_]\w*[ \t]*[+&]?=[ \t]*(?:[A-Za-z_]\w*[ \t]*[+&][ \t]*)?"([^"]*)"(?:[ \t]*[+&](?:[ \t]*_)?)?|"([^"]*)"[ \t]*[+&](?:[ \t]*_)?);?$/;

/** The line of `text` that holds `offset`. */
function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/** Whether the parser stopped (at `offset`) on a line of another program's code that builds a query string. */
export function stopsOnQueryBuildingLine(text: string, offset: number): boolean {
  const line = lineAt(text, offset);
  if (!line.includes('"')) return false;
  const query = QUERY_STRING_LINE.exec(line.trim());
  return query !== null && SQL_TEXT.test(query[1] ?? query[2]);
}
