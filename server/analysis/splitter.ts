// Hand-written statement splitter (no WASM): fast, and tolerant of half-typed text, so one broken
// statement never swallows the rest of the file.

export interface StatementSpan {
  /** UTF-16 offsets into the document; `end` excludes the terminating semicolon. */
  start: number;
  end: number;
  text: string;
}

const identChar = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Same set as identChar, by char code: the splitter's hot loop looks at every character of big files. */
function isIdentCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code >= 0x80;
}

// Quote, dash, slash and dollar: the only characters that can start non-code.
const NON_CODE_START = new Set([39, 34, 45, 47, 36]);

function skipQuoted(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return text.length;
}

function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (text.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return text.length;
}

/** Returns the end of a dollar-quoted string starting at i, or -1 if text[i] does not open one. */
function skipDollarQuote(text: string, i: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
  if (!match) return -1;
  const close = text.indexOf(match[0], i + match[0].length);
  return close < 0 ? text.length : close + match[0].length;
}

/** Skips quotes and comments; returns the next index to look at, or -1 when text[i] starts none. */
export function skipNonCode(text: string, i: number): number {
  const c = text[i];
  if (c === "'") {
    const escaped = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && !identChar.test(text[i - 2] ?? ' ');
    return skipQuoted(text, i, "'", escaped);
  }
  if (c === '"') return skipQuoted(text, i, '"', false);
  if (c === '-' && text[i + 1] === '-') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl + 1;
  }
  if (c === '/' && text[i + 1] === '*') return skipBlockComment(text, i);
  if (c === '$' && !identChar.test(text[i - 1] ?? ' ')) return skipDollarQuote(text, i);
  return -1;
}

/** Leading whitespace and comments are not part of a statement (findings start at its first word). */
function skipLeadingTrivia(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith('--', i) || text.startsWith('/*', i)) i = Math.min(end, skipNonCode(text, i));
    else break;
  }
  return i;
}

function makeSpan(text: string, rawStart: number, rawEnd: number): StatementSpan | undefined {
  const start = skipLeadingTrivia(text, rawStart, rawEnd);
  let end = rawEnd;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (start >= end) return undefined;
  return { start, end, text: text.slice(start, end) };
}

/**
 * Splits SQL into statements at top-level semicolons. Semicolons inside quotes, comments, dollar
 * quotes and BEGIN ATOMIC ... END bodies (where CASE ... END nests) do not split.
 */
export function splitStatements(text: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let start = 0;
  let atomicDepth = 0;
  let previousWord = '';
  let i = 0;
  const length = text.length;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (NON_CODE_START.has(code)) {
      const skipped = skipNonCode(text, i);
      if (skipped >= 0) {
        i = Math.max(skipped, i + 1);
        continue;
      }
    }
    if (isIdentCode(code) && !(i > 0 && isIdentCode(text.charCodeAt(i - 1)))) {
      let j = i + 1;
      while (j < length && isIdentCode(text.charCodeAt(j))) j++;
      // Only BEGIN ATOMIC, CASE and END matter; other words just reset previousWord (no allocation).
      const word = j - i >= 3 && j - i <= 6 ? text.slice(i, j).toUpperCase() : '';
      if (word === 'ATOMIC' && previousWord === 'BEGIN') atomicDepth++;
      else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
      else if (atomicDepth > 0 && word === 'END') atomicDepth--;
      previousWord = word;
      i = j;
      continue;
    }
    if (code === 59 /* ; */ && atomicDepth === 0) {
      const span = makeSpan(text, start, i);
      if (span) spans.push(span);
      start = i + 1;
      previousWord = '';
    }
    i++;
  }
  const last = makeSpan(text, start, length);
  if (last) spans.push(last);
  return spans;
}
