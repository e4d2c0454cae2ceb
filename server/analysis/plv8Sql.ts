// PL/v8 bodies (`LANGUAGE plv8`) run SQL in the caller's session through plv8.execute(…) and plv8.prepare(…), as
// PL/Python's plpy.execute does (plpythonSql.ts): `plv8.execute("SET search_path TO app")` is a session SET like one
// written in a PL/pgSQL body. The SQL is read only where the call's first argument is one string literal (quoted, or
// a template without `${…}`): a text built at run time says nothing surely. JavaScript that merely looks like SQL
// (a class's `set code(value)` accessor) is never read. The literal's text is decoded in place, at the same length,
// so every offset into it is an offset into the body.
import { decodeInPlace, SQL_CALL, type PythonSqlPiece } from './plpythonSql';

/** PL/v8's language name. */
export function isPlV8(language: string): boolean {
  return language === 'plv8';
}

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[\w$]/;
/** What may follow the literal for it to be the whole SQL text: the call's end or its next argument. */
const WHOLE_ARGUMENT_END = /^\s*[),]/;

/** The SQL texts of a PL/v8 body's plv8.execute/plv8.prepare calls whose first argument is a string literal, in order. */
export function plv8SqlPieces(body: string): PythonSqlPiece[] {
  const pieces: PythonSqlPiece[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '/' && body[i + 1] === '/') {
      const newline = body.indexOf('\n', i);
      i = newline < 0 ? body.length : newline;
    } else if (c === '/' && body[i + 1] === '*') {
      const close = body.indexOf('*/', i + 2);
      i = close < 0 ? body.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i = javascriptString(body, i).end;
    } else if (IDENTIFIER_START.test(c) && !IDENTIFIER_PART.test(body[i - 1] ?? ' ')) {
      let end = i + 1;
      while (end < body.length && IDENTIFIER_PART.test(body[end])) end++;
      i = body.slice(i, end) === 'plv8' && body[i - 1] !== '.' ? afterSqlCall(body, end, pieces) : end;
    } else i++;
  }
  return pieces;
}

/** Reads a `plv8.execute(`/`prepare(` call's literal after the name ending at `from`, when there is one; where to go on. */
function afterSqlCall(body: string, from: number, pieces: PythonSqlPiece[]): number {
  const call = SQL_CALL.exec(body.slice(from, from + 200));
  if (!call) return from;
  const at = from + call[0].length;
  if (body[at] !== "'" && body[at] !== '"' && body[at] !== '`') return at;
  const literal = javascriptString(body, at);
  if (literal.closed && !literal.interpolated && WHOLE_ARGUMENT_END.test(body.slice(literal.end, literal.end + 40))) {
    pieces.push({ text: decodeInPlace(body.slice(literal.contentStart, literal.contentEnd), false), start: literal.contentStart });
  }
  return literal.end;
}

interface JavascriptString {
  contentStart: number;
  contentEnd: number;
  /** After the closing quote (the line's or body's end when never closed). */
  end: number;
  closed: boolean;
  /** A template literal holding `${…}`: text made at run time. */
  interpolated: boolean;
}

/** The JavaScript string or template literal whose opening quote is at `quoteAt` (a quoted one ends at its line's end). */
function javascriptString(body: string, quoteAt: number): JavascriptString {
  const quote = body[quoteAt];
  const contentStart = quoteAt + 1;
  let interpolated = false;
  for (let i = contentStart; i < body.length; i++) {
    if (body[i] === '\\') {
      i++;
      continue;
    }
    if (quote !== '`' && body[i] === '\n') return { contentStart, contentEnd: i, end: i, closed: false, interpolated };
    if (quote === '`' && body.startsWith('${', i)) interpolated = true;
    if (body[i] === quote) return { contentStart, contentEnd: i, end: i + 1, closed: true, interpolated };
  }
  return { contentStart, contentEnd: body.length, end: body.length, closed: false, interpolated };
}
