// PL/Python bodies (`LANGUAGE plpython3u`) run SQL in the caller's session through plpy.execute(…) and
// plpy.prepare(…): `plpy.execute('SET "app.role" TO \'admin\'')` is a session SET like one written in a PL/pgSQL
// body. The SQL is read only where the call's first argument is one string literal (also followed by `.format(…)`
// or `% args`, whose fields are template placeholders): a text built at run time says nothing surely. The literal's
// text is decoded in place, at the same length, so every offset into it is an offset into the body.

/** PL/Python's language names (`plpythonu`, `plpython2u`, `plpython3u`). */
export function isPlPython(language: string): boolean {
  return /^plpython[23]?u?$/.test(language);
}

export interface PythonSqlPiece {
  /** The SQL the literal holds, decoded at the same length as the literal's content. */
  text: string;
  /** Where the literal's content starts in the body. */
  start: number;
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /\w/;
/**
 * `.execute(` / `.prepare(` after the name `plpy` (or PL/v8's `plv8`, plv8Sql.ts), up to the literal: both languages
 * name their SQL calls alike.
 */
export const SQL_CALL = /^\s*\.\s*(?:execute|prepare)\s*\(\s*/;
/** String prefixes: raw, unicode, bytes, f-string. */
const STRING_PREFIX = /^[rRuUbBfF]{1,2}(?=['"])/;
/** What may follow the literal for it to be the whole SQL text: the call's end, its next argument, `.format(` or `%`. */
const WHOLE_ARGUMENT_END = /^\s*(?:[),%]|\.\s*format\s*\()/;

/** The SQL texts of a PL/Python body's plpy.execute/plpy.prepare calls whose first argument is a string literal, in order. */
export function plpythonSqlPieces(body: string): PythonSqlPiece[] {
  const pieces: PythonSqlPiece[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '#') {
      const newline = body.indexOf('\n', i);
      i = newline < 0 ? body.length : newline;
    } else if (c === "'" || c === '"') {
      i = pythonString(body, i).end;
    } else if (IDENTIFIER_START.test(c) && !IDENTIFIER_PART.test(body[i - 1] ?? ' ')) {
      const prefix = STRING_PREFIX.exec(body.slice(i, i + 3));
      if (prefix) {
        i = pythonString(body, i + prefix[0].length).end;
        continue;
      }
      let end = i + 1;
      while (end < body.length && IDENTIFIER_PART.test(body[end])) end++;
      i = body.slice(i, end) === 'plpy' ? afterSqlCall(body, end, pieces) : end;
    } else i++;
  }
  return pieces;
}

/** Reads a `plpy.execute(`/`prepare(` call's literal after the name ending at `from`, when there is one; where to go on. */
function afterSqlCall(body: string, from: number, pieces: PythonSqlPiece[]): number {
  const call = SQL_CALL.exec(body.slice(from, from + 200));
  if (!call) return from;
  let at = from + call[0].length;
  const prefix = STRING_PREFIX.exec(body.slice(at, at + 3));
  const raw = prefix !== null && /r/i.test(prefix[0]);
  if (prefix) at += prefix[0].length;
  if (body[at] !== "'" && body[at] !== '"') return from + call[0].length;
  const literal = pythonString(body, at);
  if (literal.closed && WHOLE_ARGUMENT_END.test(body.slice(literal.end, literal.end + 40))) {
    pieces.push({ text: decodeInPlace(body.slice(literal.contentStart, literal.contentEnd), raw), start: literal.contentStart });
  }
  return literal.end;
}

interface PythonString {
  contentStart: number;
  contentEnd: number;
  /** After the closing quote (the body's end when never closed). */
  end: number;
  closed: boolean;
}

/** The Python string literal whose (first) quote is at `quoteAt`: single or triple quoted (a raw string's `\'` does not end it either). */
function pythonString(body: string, quoteAt: number): PythonString {
  const quote = body[quoteAt];
  const triple = body.startsWith(quote.repeat(3), quoteAt);
  const close = triple ? quote.repeat(3) : quote;
  const contentStart = quoteAt + close.length;
  for (let i = contentStart; i < body.length; i++) {
    if (body[i] === '\\') {
      i++;
      continue;
    }
    if (!triple && body[i] === '\n') break;
    if (body.startsWith(close, i)) return { contentStart, contentEnd: i, end: i + close.length, closed: true };
  }
  return { contentStart, contentEnd: body.length, end: body.length, closed: false };
}

/** Escapes that stand for one character, written as a blank before it (a newline, a tab, a backslash). */
const ONE_CHARACTER_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '\n': '\n' };

/**
 * A literal's content as the SQL text it holds, at the same length: each two-character escape becomes its character
 * and a blank. The blank of an escaped quote stands outside the SQL string or quoted name it opens or closes (` '`
 * opening, `' ` closing), so `TO \'\'` reads as `TO  '' `, the empty string, and `\'admin\'` as ` 'admin' `.
 */
export function decodeInPlace(content: string, raw: boolean): string {
  if (raw || !content.includes('\\')) return content;
  let sql = '';
  /** The SQL quote (`'` or `"`) whose string or name is open, if any. */
  let open: string | undefined;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c !== '\\' || i + 1 >= content.length) {
      sql += c;
      open = quoteState(open, c);
      continue;
    }
    const next = content[++i];
    if (next === "'" || next === '"') {
      const closing = open === next;
      sql += closing ? `${next} ` : ` ${next}`;
      open = quoteState(open, next);
    } else if (next in ONE_CHARACTER_ESCAPES) sql += ` ${ONE_CHARACTER_ESCAPES[next]}`;
    else sql += `\\${next}`;
  }
  return sql;
}

/** The SQL quote open after the character `c`. */
function quoteState(open: string | undefined, c: string): string | undefined {
  if (c !== "'" && c !== '"') return open;
  if (open === undefined) return c;
  return open === c ? undefined : open;
}

/**
 * Whether every run of a PL/Python body that executes the statement at `from` also executes the one at `to` (body
 * offsets, from < to), as far as indentation tells: `to` stands no deeper than `from`, no line between them is less
 * indented than `to` (another branch, a handler), and none leaves early (`return`, `raise`, `break`, `continue`,
 * `plpy.error(…)`). An error that aborts the call rolls both back.
 */
export function pythonSurelyReaches(body: string, from: number, to: number): boolean {
  const fromLine = lineStart(body, from);
  const toLine = lineStart(body, to);
  const target = indentOf(body, toLine);
  if (target > indentOf(body, fromLine)) return false;
  for (let at = body.indexOf('\n', fromLine) + 1; at > 0 && at < toLine; at = body.indexOf('\n', at) + 1) {
    const newline = body.indexOf('\n', at);
    const code = body.slice(at, newline < 0 ? body.length : newline).trimStart();
    if (code === '' || code.startsWith('#')) continue;
    if (indentOf(body, at) < target || LEAVES.test(code)) return false;
  }
  return true;
}

/** A Python statement that leaves the straight path. */
const LEAVES = /^(?:return|raise|break|continue|yield)\b|^plpy\s*\.\s*(?:error|fatal)\s*\(/;

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function indentOf(text: string, lineAt: number): number {
  let i = lineAt;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i - lineAt;
}
