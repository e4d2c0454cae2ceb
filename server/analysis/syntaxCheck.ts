// Syntax checks without an AST, for the statements that contain no trigger word (detect.ts needs only to
// know whether they parse). libpg-query's normalize runs the real parser but builds no JSON tree; its
// lexer errors ("unterminated quoted string…", "trailing junk after numeric literal…") come back as the
// result text instead of an exception (18.1.5 throws only for "syntax error…"), so a result counts as a
// pass only when it still starts as the statement did.
import { normalizeSync } from 'libpg-query';

/** Statements joined for one parser call: each on its own between `;` lines, so no comment or word runs on. */
const SEPARATOR = '\n;\n';
const BATCH_SIZE = 16;
/** After this many failed batches in one text, its statements are checked one by one (a file of another dialect fails them all). */
const MAX_FAILED_BATCHES = 2;

/** The statement's opening run up to its first space, digit, quote, `$` or `:` (where a constant or psql variable may begin). */
function openingOf(text: string): string {
  return /^[^\s\d'"$:]*/.exec(text)![0];
}

/** Normalize's result when `text` parses, undefined when it does not. */
function normalized(text: string): string | undefined {
  let result: string;
  try {
    result = normalizeSync(text);
  } catch {
    return undefined;
  }
  // Normalize keeps the text and replaces constants only; a lexer error message starts otherwise.
  const opening = openingOf(text);
  return opening !== '' && result.startsWith(opening) ? result : undefined;
}

/** Whether one statement parses (false also when the check cannot tell: the caller then parses it fully). */
export function parsesAlone(text: string): boolean {
  return normalized(text) !== undefined;
}

function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) count++;
  return count;
}

/**
 * Whether every statement of `batch` parses, checked in one parser call. A statement the splitter ended
 * where PostgreSQL's lexer sees an open quote would swallow a separator into a constant: then the
 * separators of the result do not add up, and the batch is not trusted.
 */
function parseTogether(batch: readonly string[]): boolean {
  const result = normalized(batch.join(SEPARATOR));
  return result !== undefined && occurrences(result, SEPARATOR) === batch.length - 1;
}

/**
 * Adds to `parsing` the statements of `candidates` that parse, checked BATCH_SIZE at a time (one parser
 * call instead of sixteen: the call's fixed cost dominates for short statements). Statements of a batch
 * that fails are not added: the caller checks them one by one, which also finds where the error is.
 */
export function addStatementsThatParse(candidates: readonly string[], parsing: Set<string>): void {
  let failedBatches = 0;
  for (let from = 0; from < candidates.length && failedBatches < MAX_FAILED_BATCHES; from += BATCH_SIZE) {
    const batch = candidates.slice(from, from + BATCH_SIZE);
    if (batch.length < 2) return;
    if (parseTogether(batch)) for (const text of batch) parsing.add(text);
    else failedBatches++;
  }
}
