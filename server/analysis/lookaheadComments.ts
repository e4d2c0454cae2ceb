// PostgreSQL's lexer reads a comment as whitespace between any two tokens. The bundled parser (libpg-query) returns
// comments to its grammar driver as tokens of their own, and the driver's one-token look-ahead — the pairs of words
// PostgreSQL's parser.c merges into one token (WITH TIME, WITH ORDINALITY, WITHOUT TIME, NOT IN/LIKE/ILIKE/SIMILAR/
// BETWEEN, NULLS FIRST/LAST, FORMAT JSON, U&"…" UESCAPE '…') — sees the comment instead of the second word. So
// `TIMESTAMP WITHOUT -- local ⏎ TIME ZONE` fails in the bundled parser and is valid on every server. Blanking the
// comments that stand between the two words of such a pair gives the text the server reads, with offsets in place.
import { literalAndCommentSpans } from './templatePlaceholders';
import { type TextRange, blankedRanges } from './blankedRanges';

/** The second words that make the parser look back at the word before them, with the first words that pair with them. */
const FIRST_WORDS_BY_SECOND: ReadonlyMap<string, readonly string[]> = new Map([
  ['time', ['with', 'without']],
  ['ordinality', ['with']],
  ['in', ['not']],
  ['like', ['not']],
  ['ilike', ['not']],
  ['similar', ['not']],
  ['between', ['not']],
  ['first', ['nulls']],
  ['last', ['nulls']],
  ['json', ['format']],
]);

const WORD_AFTER = /[A-Za-z_][\w$]*/y;
/** How far back a first word or a Unicode name's opening is looked for (a longer `U&"…"` is not looked at). */
const LOOK_BACK = 256;

function isComment(text: string, [start]: [number, number]): boolean {
  return text.startsWith('--', start) || text.startsWith('/*', start);
}

/** Runs of comments with only whitespace between them, as [start, end) spans. */
function commentRuns(text: string): [number, number][] {
  const runs: [number, number][] = [];
  for (const span of literalAndCommentSpans(text)) {
    if (!isComment(text, span)) continue;
    const last = runs[runs.length - 1];
    if (last && /^\s*$/.test(text.slice(last[1], span[0]))) last[1] = span[1];
    else runs.push([span[0], span[1]]);
  }
  return runs;
}

function skipSpaceForward(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at])) at++;
  return at;
}

/**
 * The index before the blanks that end at `at`: whitespace, and the comment runs already found to split a pair
 * (`blanked`, in order), which the server reads as whitespace. In `U&"…" ‹comment› UESCAPE ‹comment› '!'` the look-back
 * from the second comment reaches the name over the first.
 */
function skipSpaceBack(text: string, at: number, blanked: readonly TextRange[]): number {
  for (let run = blanked.length - 1; ; ) {
    while (run >= 0 && blanked[run][0] >= at) run--;
    if (run >= 0 && blanked[run][1] === at) at = blanked[run][0];
    else if (at > 0 && /\s/.test(text[at - 1])) at--;
    else return at;
  }
}

/** The code just before `end`, at most LOOK_BACK characters of it, with the runs in `blanked` blanked. */
function codeBefore(text: string, end: number, blanked: readonly TextRange[]): string {
  const from = Math.max(0, end - LOOK_BACK);
  const inWindow = blanked.filter(([, to]) => to > from).map(([start, to]): TextRange => [start - from, to - from]);
  return blankedRanges(text.slice(from, skipSpaceBack(text, end, blanked)), inWindow);
}

const UNICODE_NAME_OR_STRING_END = /(?:^|[^\w$])U&(?:"(?:[^"]|"")*"|'(?:[^']|'')*')$/i;

/**
 * Whether the comment run at [start, end) stands between the two tokens of a look-ahead pair. The runs before it
 * already found to (`blanked`) are read as the whitespace they are to the server.
 */
function splitsLookaheadPair(text: string, [start, end]: TextRange, blanked: readonly TextRange[]): boolean {
  const next = skipSpaceForward(text, end);
  const before = codeBefore(text, start, blanked);
  // The escape character's string after a Unicode name's or string's UESCAPE.
  if (text[next] === "'") {
    const uescape = /(?:^|[^\w$])(UESCAPE)$/i.exec(before);
    return uescape !== null && UNICODE_NAME_OR_STRING_END.test(codeBefore(text, skipSpaceBack(text, start, blanked) - uescape[1].length, blanked));
  }
  WORD_AFTER.lastIndex = next;
  const second = WORD_AFTER.exec(text)?.[0].toLowerCase();
  if (second === undefined) return false;
  if (second === 'uescape') return UNICODE_NAME_OR_STRING_END.test(before);
  const firsts = FIRST_WORDS_BY_SECOND.get(second);
  return firsts !== undefined && firsts.includes(lastWord(before).toLowerCase());
}

/** The word `code` ends with ('' when it ends otherwise, or with a longer run of name characters). */
function lastWord(code: string): string {
  let start = code.length;
  while (start > 0 && /[\w$]/.test(code[start - 1])) start--;
  return code.slice(start);
}

/**
 * The statement with the comments that split a look-ahead pair replaced by blanks of their length (a line comment's
 * newline stays): what PostgreSQL's own parser reads. The same text when it has none.
 */
export function withLookaheadCommentsBlanked(statement: string): string {
  if (!statement.includes('--') && !statement.includes('/*')) return statement;
  const splitting: TextRange[] = [];
  for (const run of commentRuns(statement)) if (splitsLookaheadPair(statement, run, splitting)) splitting.push(run);
  return blankedRanges(statement, splitting);
}
