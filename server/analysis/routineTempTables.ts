// Temporary tables a project routine leaves in its caller's session, and a caller that drops them again. A call of a
// routine whose body creates `impresult` and returns without dropping it is the caller's temp-table finding
// (stateFunctionCalls.ts) — unless the calling body itself drops every table the routine leaves, by name, later in the
// same straight run of statements: no RETURN, EXIT or RAISE that may leave first, no branch, loop or handler the DROP
// may sit in. The call and its DROP then pair as `CREATE TEMP TABLE t …; DROP TABLE t;` in one body do (an error
// between them aborts the caller's transaction or rolls its block back, undoing the table with it).
import { CREATES_TEMPORARY, WRITTEN_NAME } from './dynamicSql';
import { dollarQuotedBody } from './routineConnections';
import { replaceLiteralsAndComments } from './templatePlaceholders';

/** A temp-table finding's text from where it starts: a static statement, or a dynamic one's literal (after its quote). */
const OPENING_QUOTE = /^(?:E?'|\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)/i;

/**
 * The table a temp-table finding starting at `start` creates, as PostgreSQL names it (lower case unless quoted), when the
 * text writes it whole (`CREATE TEMPORARY TABLE IF NOT EXISTS impresult (…)`, `'CREATE TEMP TABLE scratch AS …'`);
 * undefined for a name a variable fills (`'CREATE TEMP TABLE t_' || n`, `%I`) or a finding of another statement.
 */
export function createdTemporaryTable(text: string, start: number): string | undefined {
  let rest = text.slice(start, start + 400);
  rest = rest.slice(OPENING_QUOTE.exec(rest)?.[0].length ?? 0);
  const head = CREATES_TEMPORARY.exec(rest);
  if (!head || !/\btable\b/i.test(head[0])) return undefined;
  const after = rest.slice(head[0].length);
  const name = WRITTEN_NAME.exec(after);
  if (!name || !/^(?:[\s(;]|$)/.test(after.slice(name[0].length))) return undefined;
  return name[1] ?? name[2].toLowerCase();
}

/** `DROP TABLE [IF EXISTS] a, b [CASCADE]` in a body's code (literals blanked): its name list, up to its `;`. */
const DROP_TABLE = /\bdrop\s+table\s+(?:if\s+exists\s+)?([^;]*)/gi;
/** Words between a call and a DROP after which the DROP may not run on every path the call does. */
const MAY_SKIP = /\b(?:raise(?!\s+(?:notice|warning|info|log|debug)\b)|return(?!\s+(?:next|query)\b)|exit|continue|commit|rollback|if|elsif|else|case|when|loop|while|for|foreach|end|exception)\b/i;

/** The names a DROP TABLE's list writes, as PostgreSQL reads them. */
function droppedNames(list: string): string[] {
  return list.replace(/\b(?:cascade|restrict)\b/gi, '').split(',').flatMap((written) => {
    const name = WRITTEN_NAME.exec(written.trim());
    return name ? [name[1] ?? name[2].toLowerCase()] : [];
  });
}

/**
 * Whether the body of the routine a statement defines drops each of `tables` after the call of a routine whose `(` ends
 * just before `from` (statement offsets), with nothing between that may skip the drops (see the file comment).
 */
export function droppedAfterCall(text: string, from: number, tables: readonly string[]): boolean {
  const body = dollarQuotedBody(text);
  if (!body || from < body.start || from > body.start + body.body.length) return false;
  const code = replaceLiteralsAndComments(body.body);
  const left = new Set(tables);
  const callEnd = from - body.start;
  for (const drop of code.matchAll(DROP_TABLE)) {
    if (drop.index! < callEnd) continue;
    if (MAY_SKIP.test(code.slice(callEnd, drop.index!))) return false;
    for (const name of droppedNames(drop[1])) left.delete(name);
    if (left.size === 0) return true;
  }
  return false;
}
