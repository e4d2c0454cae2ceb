// A .sql file that holds not whole statements but the body of a PL/pgSQL block, which the program that runs it wraps
// as `DO $$ … $$` first (taskcluster's db/versions scripts: `begin lock table …; create table …; end`). Read as
// written, its BEGIN is a transaction's and the statement after it a syntax error; it is read as the DO block it
// runs as, so its statements are checked as a DO block's are (detect.ts's visitBody) and get no syntax error.
import type { Finding } from './types';
import { splitStatements } from './splitter';
import { PLPGSQL_BLOCK_BEGIN } from './statementStart';
import { LEADING_SQL_TRIVIA, leadingTrivia } from './sqlTrivia';
import { withNamePlaceholdersFilled } from './templatePlaceholders';

/** The quote a block body is read inside: a tag no body is likely to hold. */
const BODY_QUOTE = '$poolsafe_block_body$';
const DO_OPENING = `DO ${BODY_QUOTE}\n`;
const DO_CLOSING = `\n${BODY_QUOTE};\n`;

/** A declare section's opening word (`declare total integer; begin …`). */
const DECLARE_START = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}declare\b`, 'i');
/** The END that closes a block, alone as a file's last statement (`end`, `end;`), after blanks and comments. */
const BLOCK_END = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}end${LEADING_SQL_TRIVIA}$`, 'i');

/** The text the analysis reads for a .sql file, and how far its offsets stand from the file's. */
export interface TextAsRun {
  text: string;
  shift: number;
}

/**
 * A file's text as it runs: with its `$name$` placeholders filled in (templatePlaceholders.ts) and, when it is a
 * PL/pgSQL block body, wrapped as a DO block.
 */
export function textAsRun(text: string): TextAsRun {
  const filled = withNamePlaceholdersFilled(text);
  return isBlockBody(filled) ? { text: DO_OPENING + filled + DO_CLOSING, shift: DO_OPENING.length } : { text: filled, shift: 0 };
}

/** The findings of the text as run, placed in the file (what the wrapping adds is clamped to the file's ends). */
export function findingsInFile(findings: Finding[], run: TextAsRun, length: number): Finding[] {
  if (run.shift === 0) return findings;
  const place = (offset: number) => Math.min(length, Math.max(0, offset - run.shift));
  return findings.map((finding) => ({ ...finding, start: place(finding.start), end: place(finding.end) }));
}

/**
 * A block body: it opens with a BEGIN going on with a statement (no `;`, WORK, TRANSACTION or mode after it), or with a
 * declare section followed by such a BEGIN; its last statement is a lone END, and the statement before it ends with
 * `;`, as every statement of a body does. A transaction written with `BEGIN;` opens otherwise, and one whose
 * semicolons are missing (`BEGIN\nDECLARE c CURSOR …\nFETCH ALL in c\nEND`) is no body either.
 */
function isBlockBody(text: string): boolean {
  const opensBlock = PLPGSQL_BLOCK_BEGIN.test(text);
  if (!opensBlock && !DECLARE_START.test(text)) return false;
  const spans = splitStatements(text).filter((span) => leadingTrivia(span.text) < span.text.length);
  if (spans.length < 2) return false;
  const last = spans[spans.length - 1];
  if (!BLOCK_END.test(last.text) || spans[spans.length - 2].resume === undefined) return false;
  return opensBlock || spans.slice(1, -1).some((span) => PLPGSQL_BLOCK_BEGIN.test(span.text));
}
