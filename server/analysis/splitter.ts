// Hand-written statement splitter (no WASM): fast, and tolerant of half-typed text, so one broken
// statement never swallows the rest of the file.
import { endsStatementAnnotation } from './migrationAnnotations';
import { isOneShotRun } from './folderEntries';
import { TimedCache } from './timedCache';

export interface StatementSpan {
  /** UTF-16 offsets into the document; `end` excludes the terminating semicolon. */
  start: number;
  end: number;
  /**
   * The statement as PostgreSQL receives it: the document's text, except that psql meta-commands inside
   * it and the `:` of psql variables are blanked (same length, so offsets stay valid).
   */
  text: string;
  /**
   * Where splitting can start afresh after this statement: past its `;`, its `\g`-family meta-command,
   * or the `\.` line ending the data of a `COPY … FROM stdin`. Absent for an unterminated last statement.
   */
  resume?: number;
  /** The statement contains psql variables or meta-commands: what PostgreSQL receives is not known exactly. */
  psqlSubstituted?: boolean;
  /**
   * A psql meta-command precedes or interrupts this statement, or follows it as the file's last statement: the file is
   * a psql script.
   */
  afterMetaCommand?: boolean;
  /**
   * The statement interpolates a psql variable as a literal or identifier (`:'name'`, `:"name"`): forms only
   * psql knows (drivers' named placeholders are bare `:name`), so the file is a psql script.
   */
  quotedPsqlVariable?: boolean;
}

/** A character PostgreSQL's lexer keeps inside a name (a `$` after one opens no dollar quote). */
export const identChar = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Same set as identChar, by char code: the splitter's hot loop looks at every character of big files. */
function isIdentCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code >= 0x80;
}

/** Whether the character is one `\s` matches, by char code: ASCII compared, the rarer others tested as `\s` (no string per character). */
function isSpaceCode(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code >= 0xa0 && /\s/.test(String.fromCharCode(code)));
}

/** Quote, dash, slash and dollar: the only characters that can start non-code (compares, not a Set: called per character). */
function isNonCodeStart(code: number): boolean {
  return code === 39 || code === 34 || code === 45 || code === 47 || code === 36;
}

/**
 * Whether text[i, j) is DO, ALSO or INSTEAD, the words a rule's parenthesised action list follows
 * (`CREATE RULE … DO INSTEAD (UPDATE …; INSERT …)`). Compared in place: the splitter allocates no words.
 */
function isRuleActionVerb(text: string, i: number, j: number): boolean {
  const length = j - i;
  if (length !== 2 && length !== 4 && length !== 7) return false;
  const verb = length === 2 ? 'do' : length === 4 ? 'also' : 'instead';
  for (let k = 0; k < length; k++) if ((text.charCodeAt(i + k) | 0x20) !== verb.charCodeAt(k)) return false;
  return true;
}

/** Whether a word starting with this character code may be BEGIN, ATOMIC, CASE or END (the words the splitter tracks). */
function mayBeTrackedWord(code: number): boolean {
  const lower = code | 0x20;
  return lower === 97 || lower === 98 || lower === 99 || lower === 101;
}

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

/** A dollar quote's tag (`$$`, `$body$`; not `$1`), as a pattern source: the one spelling the other readers build on. */
export const DOLLAR_QUOTE_TAG = String.raw`\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$`;
const OPENS_WITH_DOLLAR_QUOTE = new RegExp(`^${DOLLAR_QUOTE_TAG}`);

/** The tag (`$$`, `$body$`) that opens a dollar-quoted string at i, or undefined when text[i] opens none (`$1` is a parameter). */
export function dollarQuoteOpening(text: string, i: number): string | undefined {
  return OPENS_WITH_DOLLAR_QUOTE.exec(text.slice(i, i + 64))?.[0];
}

/** Returns the end of a dollar-quoted string starting at i, or -1 if text[i] does not open one. */
function skipDollarQuote(text: string, i: number): number {
  const tag = dollarQuoteOpening(text, i);
  if (tag === undefined) return -1;
  const close = text.indexOf(tag, i + tag.length);
  return close < 0 ? text.length : close + tag.length;
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

/**
 * Calls `match` at each position of `text` outside quotes, comments and dollar quotes, in order (how embedded SQL is
 * scanned for a driver's placeholders or named arguments): the length it returns, when above 0, is skipped (what it
 * matched there); 0 moves on one character. No array or string is made per position: `match` is the only call.
 */
export function forEachCodePosition(text: string, match: (i: number) => number): void {
  let i = 0;
  while (i < text.length) {
    const skipped = skipNonCode(text, i);
    if (skipped >= 0) {
      i = Math.max(skipped, i + 1);
      continue;
    }
    const length = match(i);
    i += length > 0 ? length : 1;
  }
}

/** Leading whitespace and comments are not part of a statement (findings start at its first word). */
function skipLeadingTrivia(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    if (isSpaceCode(text.charCodeAt(i))) i++;
    else if (text.startsWith('--', i) || text.startsWith('/*', i)) i = Math.min(end, skipNonCode(text, i));
    else break;
  }
  return i;
}

function makeSpan(text: string, rawStart: number, rawEnd: number): StatementSpan | undefined {
  const start = skipLeadingTrivia(text, rawStart, rawEnd);
  let end = rawEnd;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  if (start >= end) return undefined;
  // One object shape for every span (resume filled in by the splitter), so consumers' property reads stay monomorphic.
  return { start, end, text: text.slice(start, end), resume: undefined };
}

/** `text` with the masked ranges (document offsets, sorted) replaced by spaces, from `from` to `to`. */
function blank(text: string, from: number, to: number, masks: readonly number[], glued: ReadonlySet<number>): string {
  let out = '';
  let at = from;
  for (let k = 0; k < masks.length; k += 2) {
    const maskStart = Math.max(masks[k], from);
    const maskEnd = Math.min(masks[k + 1], to);
    if (maskEnd <= maskStart) continue;
    // A glued variable's `:` becomes `_`, so the name and the variable read as one identifier.
    out += text.slice(at, maskStart) + (glued.has(maskStart) ? '_' : ' ').repeat(maskEnd - maskStart);
    at = maskEnd;
  }
  return out + text.slice(at, to);
}

/** psql meta-commands that send the query buffer, ending the statement like `;` does. */
const SENDING_META_COMMANDS = new Set([';', 'g', 'gx', 'gset', 'gexec', 'gdesc', 'crosstabview', 'watch', 'parse', 'sendpipeline']);

/** The meta-command at `i` (a top-level backslash): its name and end (end of line, or just past a `\\` separator). */
function readMetaCommand(text: string, i: number): { name: string; end: number } {
  let j = i + 1;
  while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
  const name = j > i + 1 ? text.slice(i + 1, j) : text.slice(i + 1, i + 2);
  if (name === ';') return { name, end: i + 2 }; // `\;` separates statements psql sends together; SQL goes on after it
  const newline = text.indexOf('\n', i);
  const lineEnd = newline < 0 ? text.length : newline;
  const separator = metaSeparatorAt(text, i + 1 + name.length, lineEnd);
  return { name, end: separator >= 0 ? separator + 2 : lineEnd };
}

/**
 * Where the `\\` that ends a meta-command's arguments is, or -1. Inside a quoted argument (`'…'`, where a
 * backslash escapes the next character, `"…"` or a backquoted shell command) `\\` is text, as psql reads
 * it: `\set cmd '\\copy t FROM …'` holds a command for a later `:cmd`.
 */
function metaSeparatorAt(text: string, from: number, lineEnd: number): number {
  let quote = 0;
  for (let k = from; k < lineEnd; k++) {
    const code = text.charCodeAt(k);
    if (quote !== 0) {
      if (quote === 39 && code === 92) k++;
      else if (code === quote) quote = 0;
    } else if (code === 39 || code === 34 || code === 96) quote = code;
    else if (code === 92 && text.charCodeAt(k + 1) === 92) return k;
  }
  return -1;
}

/** Whether a psql variable name (letter, `_` or non-ASCII) starts at `i`. */
function startsVariableName(code: number): boolean {
  return code === 95 || (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code >= 0x80;
}

/** The end (just past the `}`) of a psql `:{?name}` test at `i`, or -1 when the text there is not one. */
function definedTestEnd(text: string, i: number): number {
  if (text.charCodeAt(i + 1) !== 123 || text.charCodeAt(i + 2) !== 63 || !startsVariableName(text.charCodeAt(i + 3))) return -1;
  let j = i + 4;
  while (j < text.length && isIdentCode(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === 125 ? j + 1 : -1;
}

/**
 * A `:` that starts a psql variable (`:name`, `:'name'`, `:"name"`, or the test `:{?name}`), not a cast (`::`), `:=`
 * or an array slice (`a[i:j]`).
 */
function isPsqlVariable(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  if (!(next === 39 || next === 34 || startsVariableName(next) || definedTestEnd(text, i) > 0)) return false;
  const previous = i > 0 ? text.charCodeAt(i - 1) : 32;
  return previous !== 58 && previous !== 93 && previous !== 41 && !isIdentCode(previous);
}

/** How far back on its line a `:` is checked for an open `[` (an array slice). */
const SLICE_LOOKBACK = 200;

/** Whether an unclosed `[` precedes `i` on its line: a `:` there separates the bounds of an array slice. */
function insideBrackets(text: string, i: number): boolean {
  let depth = 0;
  for (let at = i - 1; at >= 0 && at >= i - SLICE_LOOKBACK; at--) {
    const code = text.charCodeAt(at);
    if (code === 10) return false;
    if (code === 93 /* ] */) depth++;
    else if (code === 91 /* [ */ && depth-- === 0) return true;
  }
  return false;
}

/**
 * A bare psql variable glued to the end of a name (`log_:suffix`): psql substitutes it anywhere outside
 * quotes, so the value becomes part of that identifier. Not an array slice's `a[lo:hi]`.
 */
function isGluedPsqlVariable(text: string, i: number): boolean {
  if (i === 0 || !isIdentCode(text.charCodeAt(i - 1)) || !startsVariableName(text.charCodeAt(i + 1))) return false;
  return !insideBrackets(text, i) && !afterNumberedParameter(text, i);
}

/** Whether `$<digits>` ends at `i`: a driver's numbered parameter with a filter (pg-promise's `$1:name`), not a name psql extends. */
function afterNumberedParameter(text: string, i: number): boolean {
  let at = i - 1;
  while (at >= 0 && at > i - 8 && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at--;
  return at < i - 1 && text.charCodeAt(at) === 36 /* $ */ && !isIdentCode(text.charCodeAt(at - 1));
}

const COPY_FROM_STDIN = /^copy\b[^;]*?\bfrom\s+stdin\b/i;

/**
 * The end of the inline data of a `COPY … FROM stdin` (psql reads it from the script): past the line
 * that is exactly `\.`, the data starting on the line after `from`. Undefined when there is no such line
 * (then the text is not a psql script with data, and nothing is skipped).
 */
function copyDataEnd(text: string, from: number): number | undefined {
  const newline = text.indexOf('\n', from);
  if (newline < 0) return undefined;
  for (let at = newline + 1; at < text.length; ) {
    const lineEnd = text.indexOf('\n', at);
    const end = lineEnd < 0 ? text.length : lineEnd;
    if (text.charCodeAt(at) === 92 && text.charCodeAt(at + 1) === 46 && text.slice(at + 2, end).trim() === '') return lineEnd < 0 ? end : end + 1;
    if (lineEnd < 0) return undefined;
    at = lineEnd + 1;
  }
  return undefined;
}

/** What the splitter collected for the statement being read: blanked psql parts, as [start, end) pairs. */
class PendingStatement {
  masks: number[] = [];
  variables = false;
  metaCommand = false;
  quotedVariable = false;
  /** Offsets of the `:` of variables glued to a name (`log_:suffix`). */
  glued = new Set<number>();

  reset(): void {
    if (this.masks.length === 0 && !this.metaCommand) return;
    this.masks = [];
    this.glued = new Set();
    this.variables = false;
    this.metaCommand = false;
    this.quotedVariable = false;
  }

  mask(start: number, end: number, metaCommand: boolean): void {
    this.masks.push(start, end);
    if (metaCommand) this.metaCommand = true;
    else this.variables = true;
  }

  /** Blanks the `:` of a psql variable at `i`, noting the psql-only quoted forms. */
  maskVariable(text: string, i: number): void {
    const next = text.charCodeAt(i + 1);
    if (next === 123 /* { */) {
      // `:{?name}` (whether name is set) becomes psql's TRUE or FALSE: read it as the bare name.
      const close = definedTestEnd(text, i);
      this.mask(i, i + 3, false);
      this.mask(close - 1, close, false);
      this.quotedVariable = true;
      return;
    }
    this.mask(i, i + 1, false);
    if (next === 39 /* ' */ || next === 34 /* " */) this.quotedVariable = true;
  }

  /** Masks the `:` of a variable glued to the name before it (`log_:suffix`). */
  maskGluedVariable(i: number): void {
    this.mask(i, i + 1, false);
    this.glued.add(i);
  }

  /** The span of text[rawStart, rawEnd), blanking the masked parts; undefined when only trivia remains. */
  span(text: string, rawStart: number, rawEnd: number): StatementSpan | undefined {
    if (this.masks.length === 0) return makeSpan(text, rawStart, rawEnd);
    const masked = blank(text, rawStart, rawEnd, this.masks, this.glued);
    const inner = makeSpan(masked, 0, masked.length);
    if (!inner) return undefined;
    const start = rawStart + inner.start;
    const end = rawStart + inner.end;
    const span: StatementSpan = { start, end, text: inner.text };
    if (this.variables || this.masks.some((at, k) => k % 2 === 0 && at < end && this.masks[k + 1] > start)) span.psqlSubstituted = true;
    if (this.metaCommand) span.afterMetaCommand = true;
    if (this.quotedVariable) span.quotedPsqlVariable = true;
    return span;
  }
}

/**
 * Splits SQL into statements at top-level semicolons. Semicolons inside quotes, comments, dollar
 * quotes, BEGIN ATOMIC ... END bodies (where CASE ... END nests) and a rule's parenthesised action list
 * (`DO INSTEAD (stmt; stmt)`, one CREATE RULE statement, as psql and the server read it) do not split. psql scripts are
 * understood: a top-level backslash starts a meta-command that runs to the end of the line (the
 * `\g` family ends a statement like `;`), psql variables are blanked to names or literals, and the
 * data of `COPY … FROM stdin` up to `\.` is skipped. Migration tools' annotations that end a statement
 * (goose's `-- +goose StatementEnd`: migrationAnnotations.ts) end it as `;` does.
 */
export function splitStatements(text: string): readonly Readonly<StatementSpan>[] {
  if (!isOneShotRun()) return splitAfresh(text);
  kept ??= new TimedCache<KeptSplit>(Infinity, MAX_KEPT_TEXTS, Date.now, { weigh: (split) => split.weight, max: MAX_KEPT_WEIGHT });
  const found = kept.fresh(text);
  if (found) return found.value.spans;
  // The text is often a piece of a larger one (a literal of a module, a routine's body in a .sql file), which V8 may
  // hold as a slice that keeps the whole larger text alive: keep a copy that shares no memory with it, and split that.
  const own: string = structuredClone(text);
  const spans = splitAfresh(own);
  const weight = keptWeight(own, spans);
  if (weight <= MAX_KEPT_WEIGHT) kept.set(own, { spans, weight });
  return spans;
}

/**
 * What a kept split holds, in characters: its text; each span's text, which is a slice of it or, where psql parts were
 * blanked, a copy of its own statement's stretch (statements do not overlap, so at most the text's length again); and
 * SPAN_WEIGHT per span object. A bound, not a count: most spans are slices.
 */
function keptWeight(text: string, spans: readonly StatementSpan[]): number {
  const blanked = spans.some((span) => span.psqlSubstituted || span.afterMetaCommand);
  return text.length * (blanked ? 2 : 1) + spans.length * SPAN_WEIGHT;
}

/**
 * A one-shot run's split texts (poolsafe lint: folderEntries.ts's isOneShotRun), kept because the same text is split
 * again: a query sent in many places (`BEGIN`, one statement in each function of a file), and a .sql file that defines
 * routines, split by the index of state functions (stateFunctions.ts, twice) and once more when it is linted. A kept
 * text stays in memory, so the texts and their spans are bounded in characters (keptWeight; a split heavier than the
 * whole bound is not kept), and what is kept is a copy (no slice of a larger text it would keep alive). The language server, whose texts change
 * with each keystroke, splits afresh. Callers share the spans: they must not modify them (the type says so).
 */
let kept: TimedCache<KeptSplit> | undefined;
interface KeptSplit { spans: readonly Readonly<StatementSpan>[]; weight: number }
const MAX_KEPT_TEXTS = 20_000;
/** Characters of kept texts, a span counting as SPAN_WEIGHT of them (its object and its text, sliced from the kept one). */
const MAX_KEPT_WEIGHT = 2_000_000;
const SPAN_WEIGHT = 48;

function splitAfresh(text: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let start = 0;
  let atomicDepth = 0;
  let previousWord = '';
  /** Parenthesis depth inside a rule's action list, and whether the last token was DO/ALSO/INSTEAD. */
  let ruleActionDepth = 0;
  let afterRuleVerb = false;
  const pending = new PendingStatement();
  let i = 0;
  const length = text.length;
  /** Ends the statement at rawEnd; returns where the next one starts (past COPY data when there is some). */
  const finish = (rawEnd: number, resume: number, byMetaCommand: boolean): number => {
    const span = pending.span(text, start, rawEnd);
    pending.reset();
    if (!span) return resume;
    span.resume = resume;
    if (byMetaCommand) span.afterMetaCommand = true;
    const code = span.text.charCodeAt(0);
    if ((code === 99 || code === 67) && COPY_FROM_STDIN.test(span.text)) {
      const dataEnd = copyDataEnd(text, resume);
      spans.push(span);
      if (dataEnd === undefined) {
        // Data without its end (a script being typed, or SQL sent by an application): nothing to skip, but
        // the statement may go on further than this text shows.
        span.resume = undefined;
        return resume;
      }
      span.resume = dataEnd;
      span.afterMetaCommand = true; // inline COPY data exists only in psql scripts
      return dataEnd;
    }
    spans.push(span);
    return resume;
  };
  while (i < length) {
    const code = text.charCodeAt(i);
    if (isNonCodeStart(code)) {
      // A migration tool's annotation (goose's `-- +goose StatementEnd`) ends the statement, `;` or not.
      if (code === 45 && (i === 0 || text.charCodeAt(i - 1) === 10) && text.charCodeAt(i + 1) === 45 && endsStatementAnnotation(text, i)) {
        const newline = text.indexOf('\n', i);
        start = finish(i, newline < 0 ? length : newline + 1, false);
        atomicDepth = 0;
        ruleActionDepth = 0;
        previousWord = '';
        i = start;
        continue;
      }
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
      const word = j - i >= 3 && j - i <= 6 && mayBeTrackedWord(code) ? text.slice(i, j).toUpperCase() : '';
      if (word === 'ATOMIC' && previousWord === 'BEGIN') atomicDepth++;
      else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
      else if (atomicDepth > 0 && word === 'END') atomicDepth--;
      previousWord = word;
      afterRuleVerb = isRuleActionVerb(text, i, j);
      i = j;
      continue;
    }
    if (code === 40 /* ( */ && (ruleActionDepth > 0 || afterRuleVerb)) ruleActionDepth++;
    else if (code === 41 /* ) */ && ruleActionDepth > 0) ruleActionDepth--;
    if (code > 32) afterRuleVerb = false;
    if (code === 59 /* ; */ && atomicDepth === 0 && ruleActionDepth === 0) {
      start = finish(i, i + 1, false);
      previousWord = '';
      i = start;
      continue;
    }
    if (code === 92 /* \ */) {
      const meta = readMetaCommand(text, i);
      if (SENDING_META_COMMANDS.has(meta.name) && atomicDepth === 0) {
        start = finish(i, meta.end, true);
        ruleActionDepth = 0;
        previousWord = '';
        i = start;
        continue;
      }
      // \copy … from stdin reads its data from the script too: blank it with the command.
      const dataEnd = meta.name === 'copy' && /\bfrom\s+stdin\b/i.test(text.slice(i, meta.end)) ? copyDataEnd(text, meta.end) : undefined;
      pending.mask(i, dataEnd ?? meta.end, true);
      i = dataEnd ?? meta.end;
      continue;
    }
    if (code === 58 /* : */) {
      if (isPsqlVariable(text, i)) pending.maskVariable(text, i);
      else if (isGluedPsqlVariable(text, i)) pending.maskGluedVariable(i);
    }
    i++;
  }
  const last = pending.span(text, start, length);
  if (last) spans.push(last);
  // Meta-commands after the last statement (`\ir` includes, `\echo done`, `\q`) make the file a psql script too.
  else if (pending.metaCommand && spans.length > 0) spans[spans.length - 1].afterMetaCommand = true;
  return spans;
}
