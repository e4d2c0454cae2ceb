// Spread parameters of SQL-first TypeScript tools (potygen, pgtyped): `IN $$ids`, `VALUES $$rows(name, "id"!,
// kind::text)`. The tool expands each into a parenthesised list of bound values (`($1, $2)`, `(($1, $2), ($3, $4))`)
// before sending; PostgreSQL's lexer reads the `$$` as the opening of a dollar-quoted string instead, so the text as
// written does not parse. But `$$` is PostgreSQL's own dollar quote too (`AS $$ … $$`, `DO $$ … $$`,
// `SELECT $$it's$$`), so a `$$name` is read as a spread only where the text itself says it cannot be a string:
// - right after IN or VALUES, which PostgreSQL follows only with `(` (or a subquery): a string there is always a
//   syntax error, and this is where both tools put their spreads;
// - as an item of a parenthesised list opened right after IN or VALUES (`IN (($$pairs(a, b)))`, after `(` or `,`)
//   when no later `$$` could close it as a string: PostgreSQL would read an unterminated dollar quote, an error as
//   written. Not in a function's arguments, where a string can stand (`concat($$Hello, name)` is a forgotten `$$`).
// Only consulted for a statement that failed to parse, and used only when the text with every spread filled in
// parses (detect.ts): a real dollar quote, or a mistake elsewhere in the statement, leaves the error reported.
import { skipNonCode } from './splitter';

/**
 * `$$name`, with potygen's required marker `!`: the name stops at the first character no name holds. pgtyped's lexer
 * also takes blanks around the name and the marker (`IN $$ ids !`, as a formatter may leave them).
 */
const SPREAD_NAME = /\$\$\s*[A-Za-z_]\w*(?![\w$])(?:\s*!(?!=))?/y;
/** A `$$` that could close a dollar-quoted string opened before it: not itself the start of another spread. */
const POSSIBLE_CLOSER = /(?<=[\w$])\$\$|\$\$(?![A-Za-z_])/;
/** The keywords PostgreSQL follows only with `(`: a dollar-quoted string right after them is never valid. */
const LIST_KEYWORD = /^(?:in|values)$/i;
const NAME_CHAR = /[\w$]/;
/** A pick list names a few fields: one longer than this is not looked for (each spread would scan the rest of the text). */
const MAX_PICK_LIST = 4000;

/** The word that ends right before `at` (blanks skipped), lower-cased; empty when a non-word character stands there. */
function wordBefore(text: string, at: number): string {
  let end = at;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  let start = end;
  while (start > 0 && NAME_CHAR.test(text[start - 1])) start--;
  // A quoted name (`"in"`) is no keyword.
  return text[start - 1] === '"' ? '' : text.slice(start, end);
}

/** The character right before `at`, blanks skipped. */
function charBefore(text: string, at: number): string {
  let i = at;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  return text[i - 1] ?? '';
}

/** Where the character right before `at` stands, blanks skipped (-1 at the start of the text). */
function indexBefore(text: string, at: number): number {
  let i = at;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  return i - 1;
}

/**
 * Whether the list item at `at` sits in a parenthesised list opened right after IN or VALUES, also through more
 * parentheses (`IN ($$tables(a, b))`, `IN (($$pairs(a, b)))`, `VALUES ($$x, …`): the only lists potygen puts a spread
 * in. A function's argument list (`concat($$Hello, name)`, `format(1, $$abc`) is a place a string can stand, where an
 * unterminated dollar quote is the writer's mistake.
 */
function inListAfterKeyword(text: string, at: number): boolean {
  const limit = Math.max(0, at - MAX_PICK_LIST);
  let depth = 0;
  let open = at - 1;
  for (; open >= limit; open--) {
    const c = text[open];
    if (c === ')') depth++;
    else if (c === '(' && depth-- === 0) break;
  }
  if (open < limit) return false;
  for (let before = indexBefore(text, open); before >= 0 && text[before] === '('; before = indexBefore(text, open)) open = before;
  return LIST_KEYWORD.test(wordBefore(text, open));
}

/** The end of the balanced `( … )` that opens at `open` (quoted names and strings skipped), or -1 when it never closes. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  const limit = Math.min(text.length, open + MAX_PICK_LIST);
  for (let i = open; i < limit; ) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipNonCode(text, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** The spread parameter at `at` (a `$` outside strings and comments, not glued to a name): its end, or -1. */
function spreadEnd(text: string, at: number): number {
  SPREAD_NAME.lastIndex = at;
  const name = SPREAD_NAME.exec(text);
  if (!name) return -1;
  const keyword = LIST_KEYWORD.test(wordBefore(text, at));
  if (!keyword) {
    const before = charBefore(text, at);
    if (before !== '(' && before !== ',') return -1;
    if (!inListAfterKeyword(text, at)) return -1;
    if (POSSIBLE_CLOSER.test(text.slice(at + 2))) return -1;
  }
  let end = at + name[0].length;
  // The pick list: which fields of each item go into its row (`$$rows(name, "id"!, kind::varchar(10))`).
  let open = end;
  while (open < text.length && /\s/.test(text[open])) open++;
  if (text[open] === '(') {
    const close = closingParen(text, open);
    if (close > 0) end = close;
  }
  return end;
}

/** The spread parameters of a statement, as [start, end) ranges with their pick lists, left to right. */
export function spreadParameterSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  if (!text.includes('$$')) return spans;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$' && !NAME_CHAR.test(text[i - 1] ?? ' ')) {
      const end = spreadEnd(text, i);
      if (end > 0) {
        spans.push([i, end]);
        i = end;
        continue;
      }
    }
    const skipped = skipNonCode(text, i);
    i = skipped > i ? skipped : i + 1;
  }
  return spans;
}

/**
 * The statement with each spread parameter filled in as a one-item list of the same length (`$$ids` → `(z__)`), so
 * offsets keep their places; undefined when it has none.
 */
export function withSpreadsFilled(text: string): string | undefined {
  const spans = spreadParameterSpans(text);
  if (spans.length === 0) return undefined;
  let filled = '';
  let at = 0;
  for (const [start, end] of spans) {
    filled += text.slice(at, start) + `(z${'_'.repeat(end - start - 3)})`;
    at = end;
  }
  return withNamedParametersFilled(filled + text.slice(at));
}

/** pgtyped's and potygen's one-value parameter, `$name`, `$name!`, `$ name !` (blanks as its lexer takes them). */
const NAMED_PARAMETER = /\$\s*[A-Za-z_]\w*(?![\w$])(?:\s*!(?!=))?/y;

/**
 * The text with each one-value parameter filled in as a name of the same length (`$ id !` → `z_____`). The driver
 * placeholders of a query text are filled before it is parsed, but not those after a spread: read as a dollar quote,
 * the rest of the text looked like a string then.
 */
function withNamedParametersFilled(text: string): string {
  let filled = '';
  let at = 0;
  for (let i = 0; i < text.length; ) {
    if (text[i] === '$' && text[i + 1] !== '$' && !NAME_CHAR.test(text[i - 1] ?? ' ')) {
      NAMED_PARAMETER.lastIndex = i;
      const parameter = NAMED_PARAMETER.exec(text);
      if (parameter) {
        filled += text.slice(at, i) + `z${'_'.repeat(parameter[0].length - 1)}`;
        i = at = i + parameter[0].length;
        continue;
      }
    }
    const skipped = skipNonCode(text, i);
    i = skipped > i ? skipped : i + 1;
  }
  return filled + text.slice(at);
}

/** The statement as its tool sends it, when it holds spread parameters and, filled in, parses; else undefined. */
export function spreadVariant(text: string, parses: (text: string) => boolean): string | undefined {
  const filled = withSpreadsFilled(text);
  return filled !== undefined && parses(filled) ? filled : undefined;
}
